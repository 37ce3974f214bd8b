"""Run impt in-process against the emulator, in a temporary cwd and HOME."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from emulator_process import running_emulator

from impt.main import main

SEED_ZOMBIES = Path(__file__).with_name("seed_zombies.yaml")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Impt:
    """Calls `impt.main.main(argv)` with injected cwd, env and streams."""

    def __init__(self, cwd: Path, home: Path, base_url: str) -> None:
        self.cwd = cwd
        self.home = home
        self.base_url = base_url
        self.env = {"HOME": str(home), "NO_COLOR": "1"}

    def __call__(self, *argv: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None):
        stdout, stderr = io.StringIO(), io.StringIO()
        terminal = _Tty(stdin) if stdin is not None else io.StringIO("")
        code = main(
            list(argv),
            env={**self.env, **(env or {})},
            cwd=cwd or self.cwd,
            stdout=stdout,
            stderr=stderr,
            stdin=terminal,
        )
        return Result(code, stdout.getvalue(), stderr.getvalue())

    def ok(self, *argv: str, **kwargs) -> Result:
        result = self(*argv, **kwargs)
        assert result.code == 0, result.out + result.err
        return result

    def login(self, *extra: str) -> Result:
        return self.ok(
            "auth", "login", "--endpoint", self.base_url, "--user", "demo", "--pwd", "demo-password", "-q", *extra
        )


class _Tty(io.StringIO):
    """A scripted terminal: answers come from the given text."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def impt(emulator, tmp_path) -> Impt:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    runner = Impt(work, home, emulator.base_url)
    runner.login("--local")
    return runner


@pytest.fixture
def product(impt) -> dict:
    """P1 with a development group DG1, sensor-1 assigned and one flagged build tagged tag1."""
    (impt.cwd / "device.nut").write_text('server.log("device");\n')
    (impt.cwd / "agent.nut").write_text('server.log("agent");\n')
    product_id = impt.ok("product", "create", "-n", "P1", "-s", "First", "-z", "json").json["Product"]["id"]
    dg_id = impt.ok("dg", "create", "-n", "DG1", "-p", "P1", "-z", "json").json["Device Group"]["id"]
    impt.ok("device", "assign", "-d", "sensor-1", "-g", "DG1")
    build = impt.ok(
        "build", "deploy", "-g", "DG1", "-x", "device.nut", "-y", "agent.nut", "-t", "tag1", "-f", "-z", "json"
    ).json["Deployment"]
    return {"product": product_id, "dg": dg_id, "build": build["id"], "sha": build["sha"]}


@pytest.fixture(scope="module")
def zombie_server():
    """A second emulator on seed_zombies.yaml: builds whose group is gone, control characters in names."""
    with running_emulator("--seed", str(SEED_ZOMBIES), "--rate-limit", "off") as process:
        yield process


@pytest.fixture
def zimpt(zombie_server, tmp_path) -> Impt:
    """impt logged in to the zombie emulator, back at its seed."""
    requests.post(f"{zombie_server.root_url}/_emulator/reset", timeout=10).raise_for_status()
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    runner = Impt(work, home, zombie_server.base_url)
    runner.login("--local")
    return runner
