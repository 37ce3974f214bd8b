"""Start or stop a background impCentral emulator for the demo and the molecule scenarios.

`start` launches `impcentral-emulator` detached, waits for its "listening on" line and writes the
base URL and pid into the state directory; `stop` ends it. Kept apart from the emulator so the
demo and molecule drive it exactly as a user would, through its command line.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

LISTENING = re.compile(r"impCentral emulator listening on (\S+)")


def start(state_dir: Path, emulator_args: list[str], wait: float = 20.0) -> str:
    """Start the emulator unless one from this state directory still runs; return its base URL."""
    state_dir.mkdir(parents=True, exist_ok=True)
    url_file, pid_file, log_file = state_dir / "url", state_dir / "pid", state_dir / "emulator.log"
    if pid_file.exists() and url_file.exists() and _alive(int(pid_file.read_text())):
        return url_file.read_text().strip()
    executable = Path(sys.executable).parent / "impcentral-emulator"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [str(executable), "--port", "0", *emulator_args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        match = LISTENING.search(log_file.read_text(errors="replace"))
        if match:
            url_file.write_text(match.group(1))
            pid_file.write_text(str(process.pid))
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"Error: the emulator did not start; see {log_file}")


def stop(state_dir: Path) -> None:
    """Stop the emulator started from this state directory, if it still runs."""
    pid_file = state_dir / "pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return waited == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--state-dir", type=Path, required=True)
    args, emulator_args = parser.parse_known_args(argv)
    if args.action == "start":
        print(start(args.state_dir, emulator_args))
    else:
        stop(args.state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
