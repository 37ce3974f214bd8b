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
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
BANNER = "impCentral emulator listening on "
START_TIMEOUT = 60.0  # a large seed (10,000 devices) on a loaded 2-core machine takes a while


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
