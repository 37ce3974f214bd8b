"""Squirrel runtime capacity: loggers one core sustains, boot time of a group restart, memory per device.

Plain script (no asserts): `.venv/bin/python bench/squirrel_bench.py [devices]`. Drives the runtime
package directly (no HTTP): one device worker process, real time. Prints each figure beside its
target and the machine's load average, since the machine may be shared.

- sustained: N devices each run a 1-line-per-second logger for WINDOW seconds; the figure is the
  lines per second delivered and the CPU (host process + workers) they cost, scaled to one core.
- boot: `start()` for every device of a group (device and agent VMs from scratch) until each
  device's first line arrives, for 100 and 1,000 devices.
- memory: resident memory of the workers per running device (device VM + agent VM).
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import time
from typing import Any

from impcentral_emulator.runtime import DeviceFacts, Limits, RuntimeHost, available, unavailable_reason

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


async def main(devices: int) -> None:
    counter = Counter()
    host = RuntimeHost(counter, limits=Limits(workers=1))
    await host.open()
    try:
        pids = host.worker_pids()
        baseline = rss(pids)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        for size in (100, 1000):
            took = await boot(host, counter, size, 'server.log("boot");')
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
        print(f"memory per running device (device + agent VM, workers' RSS): {kib:,.0f} KB   (target <= 1 MB)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        await host.close()


if __name__ == "__main__":
    if not available():
        print(unavailable_reason())
        sys.exit(0)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
