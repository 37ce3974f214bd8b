"""Helpers shared by the reliability, security and bad-input suites (imported via sys.path from their conftests).

* `Impt`: runs `impt.main.main(argv)` in-process with its own cwd, HOME and captured streams.
* `assert_clear_failure`: non-zero exit, exactly one `Error:` line, no traceback.
* `run_module`: one collection module in-process against a live emulator (exit/fail captured).
* `State`: the emulator's entities listed by name, for convergence comparisons.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
AUTH_PATHS = {"/v5/auth", "/v5/auth/token"}
KNOWN_EXIT_CODES = {0, 1, 2, 3, 4, 5, 6, 130}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    @property
    def json(self) -> Any:
        return json.loads(self.out)


class Impt:
    """`impt` in-process: main(argv) with injected cwd, env and streams (stdin never a terminal)."""

    def __init__(self, cwd: Path, home: Path, base_url: str, env: dict[str, str] | None = None) -> None:
        self.cwd, self.home, self.base_url = cwd, home, base_url
        self.env = {"HOME": str(home), "NO_COLOR": "1", **(env or {})}

    def __call__(self, *argv: str, env: dict[str, str] | None = None) -> Result:
        from impt.main import main

        stdout, stderr = io.StringIO(), io.StringIO()
        code = main(
            list(argv), env={**self.env, **(env or {})}, cwd=self.cwd, stdout=stdout, stderr=stderr, stdin=io.StringIO()
        )
        return Result(code, stdout.getvalue(), stderr.getvalue())

    def ok(self, *argv: str, **kwargs: Any) -> Result:
        result = self(*argv, **kwargs)
        assert result.code == 0, f"impt {' '.join(argv)} -> {result.code}\n{result.text}"
        return result

    def login(self, user: str = "demo", password: str = "demo-password", *extra: str) -> Result:
        return self.ok("auth", "login", "--endpoint", self.base_url, "--user", user, "--pwd", password, "-q", *extra)


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Error:")]


def assert_clear_failure(result: Result, what: object = "") -> None:
    """A failure a user can read: non-zero known exit code, one `Error:` line, no traceback."""
    label = f"{what}: exit {result.code}\n{result.text}"
    assert result.code != 0, label
    assert result.code in KNOWN_EXIT_CODES, label
    assert "Traceback" not in result.text, label
    assert len(error_lines(result.text)) == 1, label
    assert len(error_lines(result.text)[0]) > len("Error: "), label


def assert_clear_outcome(result: Result, what: object = "") -> None:
    """Success, or a clear failure (for commands that may legitimately succeed)."""
    if result.code == 0:
        assert "Traceback" not in result.text, f"{what}\n{result.text}"
    else:
        assert_clear_failure(result, what)


# -- modules in-process ----------------------------------------------------------------------------
class ModuleExit(Exception):
    pass


def patch_module_exits(monkeypatch: Any) -> None:
    from ansible.module_utils import basic

    def exit_json(self: Any, **kwargs: Any) -> None:
        kwargs.setdefault("changed", False)
        raise ModuleExit(kwargs)

    def fail_json(self: Any, **kwargs: Any) -> None:
        kwargs["failed"] = True
        raise ModuleExit(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


def run_module(name: str, args: dict[str, Any], *, check: bool = False) -> dict[str, Any]:
    """Run plugins/modules/<name>.py main() in-process (exits patched by `patch_module_exits`)."""
    from core_compat import patch_module_args

    module = importlib.import_module(f"ansible_collections.electricimp.impcentral.plugins.modules.{name}")
    with patch_module_args(dict(args, _ansible_check_mode=check, _ansible_diff=True)):
        try:
            module.main()
        except ModuleExit as exc:
            return exc.args[0]
    raise AssertionError(f"module {name} returned without exit_json/fail_json")


# -- emulator state by name ------------------------------------------------------------------------
def token(base_url: str, user: str = "demo", password: str = "demo-password") -> str:
    answer = requests.post(f"{base_url}/auth", json={"id": user, "password": password}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def list_all(base_url: str, tok: str, collection: str) -> list[dict[str, Any]]:
    items, url = [], f"{base_url}/{collection}?page[size]=100"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tok}"
    for _ in range(200):
        answer = session.get(url, timeout=10)
        answer.raise_for_status()
        body = answer.json()
        items.extend(body["data"])
        url = body.get("links", {}).get("next")
        if not url:
            break
    return items


def state_by_name(base_url: str, user: str = "demo", password: str = "demo-password") -> dict[str, Any]:
    """Entities by name (Counters, so duplicates show): products, groups, deployments, webhooks, devices."""
    tok = token(base_url, user, password)
    products = {p["id"]: p["attributes"]["name"] for p in list_all(base_url, tok, "products")}
    groups = {}
    for group in list_all(base_url, tok, "devicegroups"):
        product = products.get(group["relationships"]["product"]["id"], "?")
        groups[group["id"]] = f"{product}/{group['attributes']['name']}"
    deployments = Counter()
    for deployment in list_all(base_url, tok, "deployments"):
        rel = deployment["relationships"].get("devicegroup")
        attrs = deployment["attributes"]
        deployments[(groups.get(rel["id"], "?") if rel else "-", attrs.get("description") or "", attrs["sha"])] += 1
    webhooks = Counter(
        (groups.get(w["relationships"]["devicegroup"]["id"], "?"), w["attributes"]["event"], w["attributes"]["url"])
        for w in list_all(base_url, tok, "webhooks")
    )
    devices = {}
    for device in list_all(base_url, tok, "devices"):
        rel = device["relationships"].get("devicegroup")
        devices[device["attributes"]["name"] or device["id"]] = groups.get(rel["id"], "?") if rel else None
    return {
        "products": Counter(products.values()),
        "devicegroups": Counter(groups.values()),
        "deployments": deployments,
        "webhooks": webhooks,
        "devices": devices,
    }


def writes(log: list[dict[str, Any]]) -> list[str]:
    """Write requests under /v5 other than the auth endpoints, as `METHOD path status`."""
    return [
        f"{entry['method']} {entry['path']} {entry['status']}"
        for entry in log
        if entry["method"] in WRITE_METHODS and entry["path"] not in AUTH_PATHS
    ]


# -- ansible-playbook ------------------------------------------------------------------------------
PLAYBOOKS = REPO / "playbooks"
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


@dataclass
class PlayRun:
    code: int
    out: str
    err: str
    ok: int = 0
    changed: int = 0
    failed: int = 0

    @property
    def text(self) -> str:
        return self.out + self.err

    def tail(self) -> str:
        return f"exit {self.code}\n{self.out[-4000:]}\n{self.err[-2000:]}"


def ansible_env(base_url: str, tmp: Path, user: str = "demo", password: str = "demo-password") -> dict[str, str]:
    env = dict(os.environ)
    for name in ("IMPT_LOGINKEY", "IMPT_AUTH_FILE_PATH", "ANSIBLE_CONFIG"):
        env.pop(name, None)
    env.update(
        IMPT_ENDPOINT=base_url,
        IMPT_USER=user,
        IMPT_PASSWORD=password,
        HOME=str(tmp),
        XDG_CACHE_HOME=str(tmp / "cache"),
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def playbook(path: Path | str, env: dict[str, str], *args: str, timeout: float = 240) -> PlayRun:
    """Run `ansible-playbook -i localhost, <path> <args>`; the PLAY RECAP totals for localhost (summed)."""
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", str(path), *args],
        env=env,
        cwd=env.get("HOME"),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    run = PlayRun(done.returncode, done.stdout, done.stderr)
    for match in RECAP.finditer(done.stdout):
        run.ok += int(match.group(1))
        run.changed += int(match.group(2))
        run.failed += int(match.group(4))
    return run


def duplicates(state: dict[str, Any]) -> dict[str, list]:
    """Names (or deployment/webhook keys) that exist more than once, per collection."""
    return {
        kind: [key for key, count in counter.items() if count > 1]
        for kind, counter in state.items()
        if isinstance(counter, Counter) and any(count > 1 for count in counter.values())
    }
