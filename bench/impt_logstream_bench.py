"""Log streaming through `impt log stream -z json`: lines per second and push-to-print latency.

Run: .venv/bin/python bench/impt_logstream_bench.py [lines]
Pushes lines through the emulator's admin API and reads impt's stdout in a subprocess.
Targets: >= 5,000 lines/s; single-line latency reported as median / p95 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
BULK = 2000
SINGLE = 100


def post(url: str, body: object) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - local emulator URL
        data = answer.read()
    return json.loads(data) if data else None


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    emulator = subprocess.Popen(
        [str(BIN / "impcentral-emulator"), "--port", "0", "--seed", "demo", "--rate-limit", "off"],
        stdout=subprocess.PIPE,
        text=True,
    )
    base = emulator.stdout.readline().strip().rsplit(" ", 1)[-1]
    root = base.rsplit("/v5", 1)[0]
    work = Path(tempfile.mkdtemp())
    env = {**os.environ, "HOME": str(work), "NO_COLOR": "1"}
    impt = str(BIN / "impt")
    try:
        login = [impt, "auth", "login", "--local", "-e", base, "-u", "demo", "-w", "demo-password", "-q"]
        subprocess.run(login, cwd=work, env=env, check=True, capture_output=True)
        info_argv = [impt, "device", "info", "-d", "fixture-1", "-z", "json"]
        info = subprocess.run(info_argv, cwd=work, env=env, capture_output=True, text=True, check=True)
        device = json.loads(info.stdout)["Device"]["id"]
        logs_url = f"{root}/_emulator/devices/{device}/logs"
        stream = subprocess.Popen(
            [impt, "log", "stream", "-d", device, "-z", "json", "-u", "^.*done$", "-t", "600"],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        stream.stderr.readline()  # "Log stream for Device(s) ... is opened."
        arrivals: dict[str, float] = {}
        received = threading.Event()
        count = [0]

        def read() -> None:
            for line in stream.stdout:
                msg = json.loads(line)["msg"]
                arrivals[msg] = time.perf_counter()
                count[0] += 1
                if count[0] == total:
                    received.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = time.perf_counter()
        for offset in range(0, total, BULK):
            post(logs_url, {"lines": [f"bulk {i}" for i in range(offset, min(total, offset + BULK))]})
        received.wait(300)
        elapsed = arrivals.get(f"bulk {total - 1}", time.perf_counter()) - started
        in_order = [int(m.split()[1]) for m in arrivals if m.startswith("bulk ")] == list(range(total))
        print(
            f"log stream throughput: {count[0]} of {total} lines in {elapsed:.2f} s = {count[0] / elapsed:,.0f} lines/s"
        )
        print(f"all lines, in order: {in_order and count[0] == total}")
        latencies = []
        for i in range(SINGLE):
            name = f"single {i}"
            sent = time.perf_counter()
            post(logs_url, {"type": "server.log", "msg": name})
            while name not in arrivals:
                time.sleep(0.0005)
            latencies.append((arrivals[name] - sent) * 1000)
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        median = statistics.median(latencies)
        print(f"push-to-print latency over {SINGLE} single lines: median {median:.1f} ms, p95 {p95:.1f} ms")
        post(logs_url, {"type": "server.log", "msg": "done"})
        stream.wait(30)
    finally:
        for process in (emulator,):
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
