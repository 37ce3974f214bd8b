"""The hand-driven clock the runtime's tests use instead of sleeping."""

from __future__ import annotations

from impcentral_emulator.runtime import ManualClock


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
