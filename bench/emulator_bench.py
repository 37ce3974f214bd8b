"""Emulator throughput: simple authenticated GETs per second and log-stream lines per second.

Plain script (no asserts): `.venv/bin/python bench/emulator_bench.py`. Starts its own emulator
with the rate limit off, prints each figure beside its target for a 2-core machine.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from emulator_process import start_emulator  # noqa: E402

GET_CLIENTS = 4
GET_REQUESTS = 4000
LOG_LINES = 20_000
LOG_BATCH = 500


def bench_gets(base_url: str, token: str, product_id: str) -> float:
    per_client = GET_REQUESTS // GET_CLIENTS
    barrier = threading.Barrier(GET_CLIENTS + 1)

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        url = f"{base_url}/products/{product_id}"
        session.get(url).raise_for_status()
        barrier.wait()
        for _ in range(per_client):
            session.get(url)

    threads = [threading.Thread(target=client) for _ in range(GET_CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return per_client * GET_CLIENTS / (time.perf_counter() - started)


def bench_log_stream(root_url: str, base_url: str, token: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    device_id = requests.get(f"{base_url}/devices", headers=headers).json()["data"][0]["id"]
    stream = requests.post(f"{base_url}/logstream", headers=headers).json()["data"]
    received = 0
    done = threading.Event()
    opened = threading.Event()

    def reader() -> None:
        nonlocal received
        with requests.get(stream["attributes"]["url"], stream=True, timeout=30) as response:
            opened.set()
            for line in response.iter_lines(chunk_size=65536, decode_unicode=True):
                if line == "event: message":
                    received += 1
                    if received >= LOG_LINES:
                        done.set()
                        return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    opened.wait(5)
    requests.put(f"{base_url}/logstream/{stream['id']}/{device_id}", headers=headers).raise_for_status()
    admin = requests.Session()
    started = time.perf_counter()
    for first in range(0, LOG_LINES, LOG_BATCH):
        lines = [{"type": "server.log", "msg": f"bench line {n}"} for n in range(first, first + LOG_BATCH)]
        admin.post(f"{root_url}/_emulator/devices/{device_id}/logs", json={"lines": lines}).raise_for_status()
    done.wait(60)
    return received / (time.perf_counter() - started)


def main() -> int:
    with start_emulator("--rate-limit", "off", "--seed", "demo") as emulator:
        base = emulator.base_url
        token = requests.post(f"{base}/auth", json={"id": "demo", "password": "demo-password"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        body = {"data": {"type": "product", "attributes": {"name": "Bench"}}}
        product_id = requests.post(f"{base}/products", json=body, headers=headers).json()["data"]["id"]
        gets = bench_gets(base, token, product_id)
        print(f"GET /v5/products/{{id}}: {gets:8.0f} requests/s  ({GET_CLIENTS} keep-alive clients; target >= 1,000)")
        lines = bench_log_stream(emulator.root_url, base, token)
        print(f"log stream delivery:   {lines:8.0f} lines/s     ({LOG_LINES} lines via SSE; target >= 5,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
