"""The hand-driven clock the runtime's tests use instead of sleeping, and the scaled loop clock."""

from __future__ import annotations

import asyncio
import time

from impcentral_emulator.runtime import LoopClock, ManualClock
from impcentral_emulator.runtime import clock as clock_module


def test_timers_run_in_order_at_their_own_time():
    clock = ManualClock(start=100.0)
    seen = []
    clock.call_later(2, lambda: seen.append(("b", clock.time())))
    clock.call_later(1, lambda: seen.append(("a", clock.time())))
    clock.call_later(5, lambda: seen.append(("late", clock.time())))
    assert clock.advance(3) == 2
    assert seen == [("a", 101.0), ("b", 102.0)]
    assert clock.time() == 103.0


def test_a_cancelled_timer_does_not_run_and_a_timer_set_by_a_timer_can_fall_due():
    clock = ManualClock(start=0.0)
    seen = []
    clock.call_later(1, lambda: seen.append("never")).cancel()
    clock.call_later(1, lambda: clock.call_later(1, lambda: seen.append("chained")))
    clock.advance(2)
    assert seen == ["chained"]


def test_a_scaled_loop_clock_runs_n_times_faster_than_the_wall(monkeypatch):
    """`--time-scale 10`: 1 s of the wall is 10 s of the clock, and a 10 s timer is due in 1 s of the loop."""
    wall = {"time": 1_000.0, "monotonic": 50.0}
    monkeypatch.setattr(clock_module.time, "time", lambda: wall["time"])
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: wall["monotonic"])
    clock = LoopClock(10)
    wall["time"], wall["monotonic"] = 1_001.0, 51.0
    assert clock.time() == 1_010.0

    async def due_in() -> float:
        loop = asyncio.get_running_loop()
        handle = clock.call_later(10, lambda: None)
        handle.cancel()
        return handle.when() - loop.time()

    assert 0.9 < asyncio.run(due_in()) <= 1.0


def test_an_unscaled_loop_clock_is_the_wall():
    assert abs(LoopClock().time() - time.time()) < 1.0
