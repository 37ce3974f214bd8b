"""The compile check of deployment create: impCentral's CX005 locations for code that does not compile.

The binding reports only "failed to compile"; the Squirrel compiler writes the location to the C
stderr. The check captures that stream for the duration of the call (the GIL is held throughout,
so no other Python thread writes meanwhile) and reads `desc`, `line` and `column` back.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading

_LOCK = threading.Lock()
_FIELD = re.compile(r"^(desc|source|line|column):(.*)$", re.MULTILINE)
FILES = ("device_code", "agent_code")


def compile_errors(device_code: str, agent_code: str) -> list[dict[str, object]]:
    """`[{file, row, column, text, type}]` for each file that does not compile; empty when both do."""
    errors: list[dict[str, object]] = []
    for name, code in zip(FILES, (device_code, agent_code), strict=True):
        found = compile_error(code, name)
        if found is not None:
            row, column, text = found
            errors.append({"file": name, "row": row, "column": column, "text": text, "type": "error"})
    return errors


def compile_error(code: str, name: str) -> tuple[int, int, str] | None:
    """(row, column, message) of the first compile error in `code`, or None."""
    import squirrel

    with _LOCK, tempfile.TemporaryFile() as capture:
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
        return 1, 1, fallback
    # Squirrel's lexer counts the newline into the next line's columns: 1-based on every line here.
    return row, max(1, column - 1 if row > 1 else column), report.get("desc") or fallback
