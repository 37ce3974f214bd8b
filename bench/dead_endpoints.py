"""Dead and slow endpoints with the DEFAULT timeouts: how long impt and a module take to fail against a server
that accepts connections and never answers, and impt against a refused connection. Prints one line per figure.

Targets (issue 18, the guide's "Timeouts"): silent server: impt < 45 s, a module task < 60 s; refused: impt < 2 s,
a module task < 2 s (issue 25: the one fail-fast policy, constants.CONNECT_RETRIES).
Takes about 100 s (it waits the real defaults out). Run: .venv/bin/python bench/dead_endpoints.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULE = ROOT / "plugins" / "modules" / "product_info.py"


def silent_server() -> tuple[socket.socket, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held: list = []

    def serve() -> None:
        while True:
            try:
                held.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/v5"


def closed_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/v5"


def clean_env(home: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPT_", "IMPCENTRAL_"))}
    env.update(HOME=home, XDG_CACHE_HOME=home)
    return env


def timed(argv: list, env: dict, cwd: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    return time.monotonic() - started, (done.stdout + done.stderr).strip().splitlines()[0][:160]


def main() -> None:
    sock, silent = silent_server()
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(home)
        key = {"IMPT_LOGINKEY": "k" * 16}
        rows = []
        seconds, line = timed([str(BIN / "impt"), "product", "list"], {**env, **key, "IMPT_ENDPOINT": silent}, home)
        rows.append(("impt product list, silent server", seconds, 45.0, line))
        refused = closed_url()
        seconds, line = timed([str(BIN / "impt"), "product", "list"], {**env, **key, "IMPT_ENDPOINT": refused}, home)
        rows.append(("impt product list, refused connection", seconds, 2.0, line))
        args = Path(home) / "args.json"
        args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"endpoint": silent, "login_key": "k" * 16}}))
        seconds, line = timed([sys.executable, str(MODULE), str(args)], env, home)
        rows.append(("module product_info task, silent server", seconds, 60.0, line))
        args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"endpoint": refused, "login_key": "k" * 16}}))
        seconds, line = timed([sys.executable, str(MODULE), str(args)], env, home)
        rows.append(("module product_info task, refused connection", seconds, 2.0, line))
    sock.close()
    for figure, seconds, target, line in rows:
        verdict = "met" if seconds < target else "MISSED"
        print(f"{figure:42s} {seconds:6.1f} s  (target < {target:g} s) {verdict}  | {line}")


if __name__ == "__main__":
    main()
