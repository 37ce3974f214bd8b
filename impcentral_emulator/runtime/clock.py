"""Time for the runtime: the event loop's in service, a hand-driven one in tests.

Everything the VMs see (`time()`, `date()`, `hardware.millis()`) and every timer (`imp.wakeup`,
the restart back-off, an agent request's time-out, the rate limits of timers and requests) goes through
a `Clock`, so a test advances time instead of sleeping. `LoopClock(scale)` runs N times faster than
the wall (`impcentral-emulator --time-scale N`): what waits on it waits 1/N of the time; the
worker processes read the host's clock with every event, so they keep to the same scale.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Callable, Protocol


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run `callback` after `delay` seconds of this clock."""


class LoopClock:
    """Wall time and the running event loop's timers, `scale` times faster than the wall (1: the wall).

    At scale N the clock starts at the wall's time and then runs N seconds per real second, and a
    timer of `delay` seconds fires after delay / N real seconds.
    """

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("the time scale must be positive")
        self.scale = scale
        self._origin = time.time()
        self._start = time.monotonic()

    def time(self) -> float:
        if self.scale == 1.0:
            return time.time()
        return self._origin + (time.monotonic() - self._start) * self.scale

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        return asyncio.get_running_loop().call_later(max(0.0, delay) / self.scale, callback)


class _ManualTimer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that moves only when told: `advance(seconds)` runs the timers that fall due, in order."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self.now = start
        self._due: list[tuple[float, int, _ManualTimer, Callable[[], None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        timer = _ManualTimer()
        heapq.heappush(self._due, (self.now + max(0.0, delay), next(self._order), timer, callback))
        return timer

    def advance(self, seconds: float) -> int:
        """Move time forward, running each timer due by then at its own time; returns how many ran."""
        until = self.now + seconds
        ran = 0
        while self._due and self._due[0][0] <= until:
            at, _, timer, callback = heapq.heappop(self._due)
            self.now = max(self.now, at)
            if not timer.cancelled:
                callback()
                ran += 1
        self.now = until
        return ran
