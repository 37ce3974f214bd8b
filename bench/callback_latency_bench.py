"""Latency the emulator adds to a callback over what the code asks for (issue 27: at most 10 ms).

Drives the runtime package directly (no HTTP server), real time, one device and its agent:

- timer: a device chains `imp.wakeup(PERIOD, tick)` and logs each tick; added = the interval
  between two ticks' lines reaching the host, minus PERIOD;
- message: the device logs a line then `agent.send`s; the agent's `device.on` logs on receipt;
  added = the time between the two lines reaching the host (the code asks for no wait);
- agent HTTP: the agent logs, then `http.get(http.agenturl() + ...).sendasync(...)` to its own
  URL (answered by its own `http.onrequest` at once) and logs in the done callback; added = the
  time between the two lines (the code asks for no wait).

A line is sent to the host as soon as the code logs it (the worker flushes at each log), so both
ends of each figure carry the same pipe delay. Prints p50/p99 per kind beside the 10 ms target and
the load average (the machine may be shared).

Run: .venv/bin/python bench/callback_latency_bench.py [samples]   (default 300 per kind; WORKER_NICE=0 runs
the workers at the event loop's priority instead of `Limits.worker_nice`, to tell the emulator's own delay
from the machine's other work)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from typing import Any, Callable

from impcentral_emulator.runtime import DeviceFacts, Limits, RuntimeHost, available, unavailable_reason

PERIOD = 0.02
TARGET_MS = 10.0
DEVICE = f"""
local n = 0;
function tick() {{ server.log("tick " + n++); imp.wakeup({PERIOD}, tick); }}
tick();
local m = 0;
function ping() {{ server.log("send " + m); agent.send("m", m++); imp.wakeup({PERIOD}, ping); }}
ping();
"""
AGENT = f"""
device.on("m", function(v) {{ server.log("got " + v); }});
http.onrequest(function(req, res) {{ res.send(200, req.path); }});
local k = 0;
function call() {{
    local mine = k++;
    server.log("ask " + mine);
    http.get(http.agenturl() + "/" + mine).sendasync(function(r) {{ server.log("answer " + mine); }});
    imp.wakeup({PERIOD}, call);
}}
call();
"""


class Stamps:
    """`RuntimeEvents` that keeps the arrival time of each code line."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str, str]] = []

    def log(self, device_id: str, log_type: str, message: str) -> None:
        self.lines.append((time.perf_counter(), log_type, message))

    def save(self, agent_id: str, data: Any) -> None:
        pass

    def load(self, agent_id: str) -> Any:
        return {}

    def connection(self, device_id: str, connected: bool) -> None:
        pass


def _pairs(lines: list[tuple[float, str, str]], first: str, second: str) -> list[float]:
    """Milliseconds from each `first N` line to its `second N` line."""
    starts = {m.split(" ", 1)[1]: t for t, _, m in lines if m.startswith(first + " ")}
    return [
        (t - starts[m.split(" ", 1)[1]]) * 1000
        for t, _, m in lines
        if m.startswith(second + " ") and m.split(" ", 1)[1] in starts
    ]


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


async def measure(samples: int) -> dict[str, tuple[float, float, int]]:
    events = Stamps()
    host = RuntimeHost(events, limits=Limits(worker_nice=int(os.environ.get("WORKER_NICE", "10"))))
    await host.open()
    facts = DeviceFacts("dev1", "agent1", "0c2a69000001", "imp005", "43.1.0", "http://127.0.0.1:9/agents")
    try:
        host.start(facts, DEVICE, AGENT)
        deadline = time.monotonic() + samples * PERIOD * 3 + 30
        while time.monotonic() < deadline:
            if sum(1 for _, _, m in events.lines if m.startswith("answer ")) > samples + 5:
                break
            await asyncio.sleep(0.1)
    finally:
        await host.close()
    ticks = [t for t, _, m in events.lines if m.startswith("tick ")][5 : samples + 6]  # after warm-up
    figures = {
        "imp.wakeup": [(b - a) * 1000 - PERIOD * 1000 for a, b in zip(ticks, ticks[1:], strict=False)],
        "agent.send -> device.on": _pairs(events.lines, "send", "got")[5 : samples + 5],
        "agent http.request -> sendasync callback": _pairs(events.lines, "ask", "answer")[5 : samples + 5],
    }
    return {name: (*_percentiles(values), len(values)) for name, values in figures.items() if values}


def bench(row: Callable[..., None], samples: int = 300) -> None:
    if not available():
        row("callback latency", unavailable_reason() or "no Squirrel", "-", "-")
        return
    for name, (p50, p99, count) in asyncio.run(measure(samples)).items():
        row(
            f"added latency, {name} (p50 / p99, {count} callbacks)",
            f"{p50:.2f} / {p99:.2f} ms",
            f"<= {TARGET_MS:g} ms",
            "-",
            p99 <= TARGET_MS,
        )


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bench(
        lambda figure, value, target="-", impt26="-", met=None: print(
            f"{figure}: {value} (target {target}; {'-' if met is None else 'met' if met else 'MISSED'})"
        ),
        int(sys.argv[1]) if len(sys.argv) > 1 else 300,
    )
