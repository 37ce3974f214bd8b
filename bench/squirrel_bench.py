"""Squirrel runtime capacity: loggers one core sustains, boot time of a group restart, memory per device.

Plain script (no asserts): `.venv/bin/python bench/squirrel_bench.py [devices]`. Drives the runtime
package directly (no HTTP): one device worker process, real time. Prints each figure beside its
target and the machine's load average, since the machine may be shared.

- sustained: N devices each run a 1-line-per-second logger for WINDOW seconds; the figure is the
  lines per second delivered and the CPU (host process + workers) they cost, scaled to one core.
- boot: `start()` for every device of a group (device and agent VMs from scratch) until each
  device's first line arrives, for 100 and 1,000 devices.
- memory: resident memory of the workers per running device (device VM + agent VM).
- through the emulator: an `impcentral-emulator` process, N devices assigned by `/v5`, then
  `POST /v5/devicegroups/<id>/restart` until every device's code logged its first line again
  (`GET /_emulator/runtime` counts code lines), for 100 and 1,000 devices; and the slowest
  `GET /v5/products` while a device spins in an infinite loop until the watchdog restarts it.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import requests

from impcentral_emulator.runtime import DeviceFacts, Limits, RuntimeHost, available, unavailable_reason

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from emulator_process import start_emulator  # noqa: E402

LOGGER = 'local n = 0; function tick() { server.log("tick " + n++); imp.wakeup(1, tick); } tick();'
AGENT = 'device.on("x", function(v) { server.log(v); });'
WINDOW = 10.0
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Counter:
    def __init__(self) -> None:
        self.lines = 0
        self.first: dict[str, float] = {}

    def log(self, device_id: str, log_type: str, message: str) -> None:
        self.lines += 1
        self.first.setdefault(device_id, time.perf_counter())

    def save(self, agent_id: str, data: Any) -> None:
        pass

    def load(self, agent_id: str) -> Any:
        return {}

    def connection(self, device_id: str, connected: bool) -> None:
        pass


def facts(n: int) -> DeviceFacts:
    return DeviceFacts(f"dev{n}", f"agent{n}", f"0c2a69{n:06x}", "imp005", "43.1.0", "http://127.0.0.1/agents")


def cpu_seconds(pids: list[int]) -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/statm") as statm:
            total += int(statm.read().split()[1]) * PAGE
    return total


async def boot(host: RuntimeHost, counter: Counter, devices: int, code: str) -> float:
    counter.first.clear()
    started = time.perf_counter()
    for n in range(devices):
        host.start(facts(n), code, AGENT)
    while len(counter.first) < devices:
        await asyncio.sleep(0.005)
    return max(counter.first.values()) - started


async def main(devices: int) -> dict[str, float]:
    """Print the runtime's figures (no HTTP); return them for `bench/run_all.py`."""
    figures: dict[str, float] = {}
    counter = Counter()
    host = RuntimeHost(counter, limits=Limits(workers=1))
    await host.open()
    try:
        pids = host.worker_pids()
        baseline = rss(pids)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        for size in (100, 1000):
            took = figures[f"boot{size}"] = await boot(host, counter, size, 'server.log("boot");')
            print(f"group restart of {size:>5} devices to every first line: {took:6.2f} s   (target <= 5 s for 1,000)")
            host.stop_all()
            await host.idle()

        await boot(host, counter, devices, LOGGER)
        await asyncio.sleep(2.0)  # let the first-second burst settle
        per_device = (rss(pids) - baseline) / devices
        lines, cpu, wall = counter.lines, cpu_seconds(pids), time.perf_counter()
        await asyncio.sleep(WINDOW)
        lines = counter.lines - lines
        cpu = cpu_seconds(pids) - cpu
        wall = time.perf_counter() - wall
        rate = lines / wall
        core_share = cpu / wall
        sustained = rate / max(core_share, 1e-9)  # 1 line/s each: lines per core-second = devices per core
        print(
            f"{devices} loggers: {rate:,.0f} lines/s of {devices:,} expected, {core_share:.2f} core busy "
            f"-> about {sustained:,.0f} devices per core   (target >= 2,000)"
        )
        kib = per_device / 1024
        figures.update(devices=devices, per_core=sustained, kib=kib)
        print(f"memory per running device (device + agent VM, workers' RSS): {kib:,.0f} KB   (target <= 1 MB)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        await host.close()
    return figures


class Emulator:
    """A running `impcentral-emulator` (code runs) and a demo login, over plain HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base, self.root = base_url, base_url[: -len("/v5")]
        self.http = requests.Session()
        token = self.http.post(f"{self.base}/auth", json={"id": "demo", "password": "demo-password"}, timeout=30)
        self.http.headers.update(
            {"Authorization": f"Bearer {token.json()['access_token']}", "Content-Type": "application/vnd.api+json"}
        )

    def v5(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, self.base + path, json=body, timeout=60)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def code_lines(self) -> int:
        return self.http.get(f"{self.root}/_emulator/runtime", timeout=30).json()["data"]["code_lines"]

    def group_running(self, name: str, size: int, device_code: str) -> dict:
        product = self.v5("POST", "/products", {"data": {"type": "product", "attributes": {"name": name}}})["data"]
        group = self.v5(
            "POST",
            "/devicegroups",
            {
                "data": {
                    "type": "development_devicegroup",
                    "attributes": {"name": name},
                    "relationships": {"product": {"type": "product", "id": product["id"]}},
                }
            },
        )["data"]
        ref = {"type": group["type"], "id": group["id"]}
        self.v5(
            "POST",
            "/deployments",
            {
                "data": {
                    "type": "deployment",
                    "attributes": {"device_code": device_code},
                    "relationships": {"devicegroup": ref},
                }
            },
        )
        ids = []
        for n in range(size):
            added = self.http.post(
                f"{self.root}/_emulator/devices",
                json={"owner": "demo", "name": f"{name}-{n}", "online": True},
                timeout=30,
            )
            ids.append(added.json()["data"]["id"])
        before = self.code_lines()
        self.v5(
            "POST",
            f"/devicegroups/{group['id']}/relationships/devices",
            {"data": [{"type": "device", "id": i} for i in ids]},
        )
        self.wait_lines(before + size, 120)
        return group

    def wait_lines(self, total: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.code_lines() < total:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {self.code_lines()} of {total} code lines after {timeout:g} s")
            time.sleep(0.02)


def through_the_emulator() -> dict[str, float]:
    """Print the figures measured through an emulator process's API; return them."""
    figures: dict[str, float] = {}
    process = start_emulator("--seed", "empty", "--rate-limit", "off")
    try:
        emu = Emulator(process.base_url)
        for size in (100, 1000):
            group = emu.group_running(f"boot{size}", size, 'server.log("boot");')
            before = emu.code_lines()
            started = time.perf_counter()
            emu.v5("POST", f"/devicegroups/{group['id']}/restart")
            emu.wait_lines(before + size, 60)
            took = figures[f"api{size}"] = time.perf_counter() - started
            print(
                f"through the emulator API: group restart of {size:>5} devices to every first line: {took:6.2f} s"
                "   (target <= 5 s for 1,000)"
            )
        emu.group_running("spin", 1, 'server.log("spinning"); while (true) {}')
        took: list[float] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            started = time.perf_counter()
            emu.v5("GET", "/products")
            took.append(time.perf_counter() - started)
        took.sort()
        slowest, p99 = took[-1], took[int(len(took) * 0.99)]
        print(
            f"GET /v5/products while a device loops until the watchdog stops it: {len(took)} answers, slowest "
            f"{slowest * 1000:.0f} ms   (target < 100 ms); 99th percentile {p99 * 1000:.0f} ms, "
            f"{sum(t >= 0.1 for t in took)} at or over 100 ms; load average {os.getloadavg()[0]:.2f}"
        )
        figures["slowest_ms"] = slowest * 1000
    finally:
        process.stop()
    return figures


if __name__ == "__main__":
    if not available():
        print(unavailable_reason())
        sys.exit(0)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
    through_the_emulator()
