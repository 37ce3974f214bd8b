"""The compile check of deployment create: impCentral's CX005 locations for code that does not compile.

Squirrel's compiler recurses in C, so hostile source can crash the process that compiles it: it
never runs in the emulator's process. `compile_file` runs inside a worker (an account's compile
worker, `RuntimeHost.compile`); `compile_errors` (seeds, at start-up and reset) runs it in a
one-shot process with the same limits. Both first refuse source nested deeper than
`Limits.source_nesting` with a clear message, and a compiler that dies anyway is a CX005 item too.

The binding reports only "failed to compile"; the Squirrel compiler writes the location to the C
stderr. The check captures that stream for the duration of the call and reads `desc`, `line` and
`column` back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
from typing import Any

from .limits import Limits
from .natives import nesting_problem

_FIELD = re.compile(r"^(desc|source|line|column):(.*)$", re.MULTILINE)
FILES = ("device_code", "agent_code")
_CACHE: dict[str, list[dict[str, Any]]] = {}
_CACHE_SIZE = 256


def item(name: str, row: int, column: int, text: str) -> dict[str, Any]:
    """One CX005 `meta` item."""
    return {"file": name, "row": row, "column": column, "text": text, "type": "error"}


def compile_file(name: str, code: str, nesting: int) -> dict[str, Any] | None:
    """The CX005 item of the first compile error in `code` (file `name`), or None. Run in a worker."""
    problem = nesting_problem(code, "code", nesting)
    if problem is not None:
        return item(name, 1, 1, problem)
    import squirrel

    with tempfile.TemporaryFile() as capture:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(capture.fileno(), 1)
        os.dup2(capture.fileno(), 2)
        try:
            squirrel.compile(code, name)
            return None
        except Exception as exc:  # noqa: BLE001 - the binding raises a bare ValueError subclass
            fallback = str(exc)
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        capture.seek(0)
        report = {key: value.strip() for key, value in _FIELD.findall(capture.read().decode("utf-8", "replace"))}
    try:
        row, column = int(report["line"]), int(report["column"])
    except (KeyError, ValueError):
        return item(name, 1, 1, fallback)
    # Squirrel's lexer counts the newline into the next line's columns: 1-based on every line here.
    return item(name, row, max(1, column - 1 if row > 1 else column), report.get("desc") or fallback)


def crashed(name: str, reason: str) -> dict[str, Any]:
    """The CX005 item for code whose compiler process died (`reason`: the signal or limit)."""
    return item(name, 1, 1, f"the code could not be compiled: the compiler stopped ({reason})")


def compile_errors(device_code: str, agent_code: str, limits: Limits | None = None) -> list[dict[str, Any]]:
    """`[{file, row, column, text, type}]` for each file that does not compile; empty when both do.

    Synchronous, in a one-shot process (seeds); identical code is compiled once per process."""
    key = hashlib.sha256(f"{len(device_code)}:{device_code}{agent_code}".encode("utf-8", "surrogatepass")).hexdigest()
    if key in _CACHE:
        return _CACHE[key]
    limits = limits or Limits()
    command = [sys.executable, "-m", "impcentral_emulator.runtime.compiler", repr(limits.cpu_seconds)]
    command += [str(limits.memory_bytes), str(limits.source_nesting)]
    payload = json.dumps([device_code, agent_code])
    errors: list[dict[str, Any]] = []
    done = subprocess.run(command, input=payload, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        errors = json.loads(done.stdout)
    else:
        failed = len(done.stdout.splitlines())  # one line per file compiled before it died
        errors = [crashed(FILES[min(failed, 1)], describe_exit(done.returncode, limits))]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = errors
    return errors


def describe_exit(code: int, limits: Limits) -> str:
    """A process's exit status in words (the watchdog, a signal, or an exit status)."""
    if code == -signal.SIGPROF:
        return f"more than {limits.cpu_seconds:g} s of CPU time"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def _main(argv: list[str]) -> None:
    """One-shot compile: JSON `[device_code, agent_code]` on stdin, a line per file, then the errors."""
    cpu, memory, nesting = float(argv[0]), int(argv[1]), int(argv[2])
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    device_code, agent_code = json.loads(sys.stdin.read())
    out = os.fdopen(os.dup(1), "w")
    vsize = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")  # noqa: SIM115
    resource.setrlimit(resource.RLIMIT_AS, (vsize + memory + 32 * 1024 * 1024, resource.RLIM_INFINITY))
    signal.setitimer(signal.ITIMER_PROF, cpu)
    errors = []
    for name, code in zip(FILES, (device_code, agent_code), strict=True):
        found = compile_file(name, code, nesting)
        if found is not None:
            errors.append(found)
        out.write("\n")  # progress: the parent knows which file a crash was in
        out.flush()
    out.write(json.dumps(errors))
    out.flush()


if __name__ == "__main__":
    _main(sys.argv[1:])
