"""Start and stop an impCentral emulator process for tests (see docs/dev/testing.md)."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import requests

REPO = Path(__file__).resolve().parent.parent
BANNER = "impCentral emulator listening on "
START_TIMEOUT = 60.0  # a large seed (10,000 devices) on a loaded 2-core machine takes a while
# `--time-scale` of the shared emulators: the devices' clock (boots, imp.wakeup, impUnit's start delay and
# time-outs, restart back-offs, the watchdog) runs this many times faster than the wall. Tests assert
# in the devices' time; a test that measures the wall against the emulator starts its own emulator.
TIME_SCALE = "10"


@dataclass
class EmulatorProcess:
    process: subprocess.Popen
    base_url: str  # http://127.0.0.1:PORT/v5

    @property
    def root_url(self) -> str:
        return self.base_url[: -len("/v5")]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Stop the process (SIGTERM by default, SIGKILL for crash tests); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode

    def kill(self) -> int:
        return self.stop(signal.SIGKILL)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _command() -> list[str]:
    script = Path(sys.executable).parent / "impcentral-emulator"  # the venv under test (see noxfile.py)
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "impcentral_emulator"]


def start_emulator(*args: str, env: dict[str, str] | None = None) -> EmulatorProcess:
    """Launch `impcentral-emulator --port 0 <args>` and wait for its URL line.

    Use as a context manager (`with start_emulator("--db", path) as emu:`) or call `.stop()`.
    stderr is inherited so emulator diagnostics show in pytest output.
    """
    argv = [*_command(), "--port", "0", *args]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                line = process.stdout.readline()
                if line.startswith(BANNER):
                    return EmulatorProcess(process, line[len(BANNER) :].strip())
                if not line and process.poll() is not None:
                    break
            elif process.poll() is not None:
                break
    with contextlib.suppress(OSError):
        process.kill()
    process.wait()
    raise RuntimeError(f"the emulator did not start: {' '.join(argv)} (exit {process.returncode})")


@contextlib.contextmanager
def running_emulator(*args: str, env: dict[str, str] | None = None) -> Iterator[EmulatorProcess]:
    """Context manager form of `start_emulator`."""
    emulator = start_emulator(*args, env=env)
    try:
        yield emulator
    finally:
        emulator.stop()


class EmulatorHandle:
    """The running emulator as tests see it: URLs and helpers over its HTTP APIs."""

    def __init__(self, process: EmulatorProcess) -> None:
        self.process = process
        self.base_url = process.base_url
        self.root_url = process.root_url
        self.http = requests.Session()

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        """Call `/_emulator/<path>`; the parsed JSON answer (None when empty). Raises on 4xx/5xx."""
        url = f"{self.root_url}/_emulator/{path.lstrip('/')}"
        response = self.http.request(method, url, json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self.admin("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "requests")["data"]

    def clear_requests(self) -> None:
        self.admin("DELETE", "requests")

    def add_device(self, owner: str = "demo", **attrs: Any) -> dict[str, Any]:
        return self.admin("POST", "devices", {"owner": owner, **attrs})["data"]

    def token(self, user: str = "demo", password: str = "demo-password") -> str:
        response = self.http.post(f"{self.base_url}/auth", json={"id": user, "password": password}, timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]
