"""impt wall times and API request counts against a fresh emulator; prints one line per figure.

Run: .venv/bin/python bench/impt_bench.py [runs]
Targets: `impt --help` < 60 ms; data commands <= 150 ms median; never more requests than impt 2.6.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPT = str(Path(sys.executable).parent / "impt")
EMULATOR = str(Path(sys.executable).parent / "impcentral-emulator")
IMPT_26_REQUESTS = {"product list": None, "dg info --dg DG1": 5, "device list": None, "build deploy": None}


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [EMULATOR, "--port", "0", "--seed", "demo", "--rate-limit", "off"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.strip().rsplit(" ", 1)[-1]


def admin(root: str, method: str, path: str) -> object:
    request = urllib.request.Request(f"{root}/_emulator/{path}", method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local emulator URL
        body = answer.read()
    return json.loads(body) if body else None


def impt(args: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([IMPT, *args], cwd=cwd, env=env, capture_output=True, check=True)
    return (time.perf_counter() - started) * 1000


def measure(args: list[str], cwd: Path, env: dict, runs: int, root: str | None = None) -> tuple[float, str | None]:
    """Median wall time, and the requests of the last run as "N (R reads)".

    With several runs, one untimed run goes first, so the median is of warm runs (page cache, bytecode).
    """
    times, requests = [], None
    if runs > 1:
        impt(args, cwd, env)
    for _ in range(runs):
        if root:
            admin(root, "DELETE", "requests")
        times.append(impt(args, cwd, env))
        if root:
            log = admin(root, "GET", "requests")["data"]  # type: ignore[index]
            reads = sum(1 for entry in log if entry["method"] == "GET")
            requests = f"{len(log)} ({reads} reads)"
    return statistics.median(times), requests


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    process, base_url = start_emulator()
    root = base_url.rsplit("/v5", 1)[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cwd = Path(tmp)
            env = {"HOME": tmp, "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}
            login = [
                "auth",
                "login",
                "--local",
                "--endpoint",
                base_url,
                "--user",
                "demo",
                "--pwd",
                "demo-password",
                "-q",
            ]
            impt(login, cwd, env)
            (cwd / "device.nut").write_text('server.log("bench");\n')
            impt(["product", "create", "-n", "P1"], cwd, env)
            impt(["dg", "create", "-n", "DG1", "-p", "P1"], cwd, env)
            impt(["device", "assign", "-d", "sensor-1", "-g", "DG1"], cwd, env)
            impt(["build", "deploy", "-g", "DG1", "-x", "device.nut"], cwd, env)
            help_ms, _ = measure(["--help"], cwd, env, runs)
            print(f"impt --help: {help_ms:.0f} ms median (target < 60 ms)")
            commands = {
                "product list": ["product", "list"],
                "dg info --dg DG1": ["dg", "info", "--dg", "DG1"],
                "device list": ["device", "list"],
                "build deploy": ["build", "deploy", "-g", "DG1", "-x", "device.nut"],
            }
            for label, args in commands.items():
                ms, requests = measure(args, cwd, env, runs, root)
                reference = IMPT_26_REQUESTS.get(label)
                versus = f" (impt 2.6: {reference})" if reference else ""
                print(f"impt {label}: {ms:.0f} ms median, {requests} API requests{versus}")
            for label, args, reference in (
                ("dg create -p P1", ["dg", "create", "-p", "P1", "-n", "DG2"], 3),
                ("product info --full", ["product", "info", "-p", "P1", "--full"], 7),
                ("product delete --force --builds", ["product", "delete", "-p", "P1", "-f", "-b", "-q"], 9),
            ):
                _, requests = measure(args, cwd, env, 1, root)
                print(f"impt {label}: {requests} API requests (impt 2.6: {reference})")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import requests"], check=True)
            print(f"python -c 'import requests' alone: {(time.perf_counter() - started) * 1000:.0f} ms")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
