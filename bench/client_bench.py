"""Client benchmark: import time and per-request overhead against a local keep-alive HTTP server.

Plain script: prints figures beside their targets (import < 80 ms, overhead < 1 ms/request).
"""

import http.server
import json
import statistics
import subprocess
import sys
import threading
import time

IMPORT = "from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient"
RUNS = 7
N = 2000
BODY = json.dumps(
    {
        "data": {
            "type": "product",
            "id": "4e264cef-3316-cdfa-7f39-7a5d458994b3",
            "attributes": {"name": "bench", "description": "", "created_at": "2024-01-01T00:00:00.000Z"},
            "relationships": {"owner": {"type": "account", "id": "4e264cef-3316-cdfa-7f39-7a5d458994b4"}},
        }
    }
).encode()


def import_ms() -> float:
    """Median wall time of a fresh interpreter importing the client, minus a bare interpreter."""

    def run(code: str) -> float:
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    in_process = [
        float(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"import time; t = time.perf_counter(); {IMPORT}; print((time.perf_counter() - t) * 1000)",
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(RUNS)
    ]
    total = run(IMPORT)
    bare = run("pass")
    return statistics.median(in_process), total, bare


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one small answer per request: no delayed-ACK stalls

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


def overhead() -> tuple:
    import requests
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/v5"
    pid = "4e264cef-3316-cdfa-7f39-7a5d458994b3"

    session = requests.Session()
    client = ImpCentralClient(base)
    client.set_tokens(Tokens("bench-token", "2099-01-01T00:00:00.000Z", "refresh"))
    for _ in range(50):  # warm up both connections
        session.get(f"{base}/products/{pid}").json()
        client.products.get(pid)

    def raw() -> float:
        started = time.perf_counter()
        for _ in range(N):
            session.get(f"{base}/products/{pid}", headers={"Authorization": "Bearer bench-token"}).json()
        return (time.perf_counter() - started) * 1000 / N

    def ours() -> float:
        started = time.perf_counter()
        for _ in range(N):
            client.products.get(pid)
        return (time.perf_counter() - started) * 1000 / N

    raw_runs, our_runs = [], []
    for _ in range(3):  # interleave to even out noise
        raw_runs.append(raw())
        our_runs.append(ours())
    server.shutdown()
    return min(raw_runs), min(our_runs)


def main() -> None:
    in_process, total, bare = import_ms()
    sys.stdout.write(
        f"import client (in process, median of {RUNS}): {in_process:.1f} ms   target < 80 ms\n"
        f"python -c import (median of {RUNS}): {total:.1f} ms; bare interpreter {bare:.1f} ms; "
        f"difference {total - bare:.1f} ms\n"
    )
    raw_ms, our_ms = overhead()
    sys.stdout.write(
        f"requests.Session().get: {raw_ms:.3f} ms/request; client.products.get: {our_ms:.3f} ms/request (N={N})\n"
        f"client overhead: {our_ms - raw_ms:.3f} ms/request   target < 1 ms/request\n"
    )


if __name__ == "__main__":
    main()
