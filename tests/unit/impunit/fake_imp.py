"""A tiny imp for running Squirrel in tests: server.log, imp.wakeup with a timer queue the test drives."""

from __future__ import annotations

import heapq
import json

import squirrel

_PRELUDE = """
server <- { log = function(message) { __log(message + ""); }, error = function(message) { __log(message + ""); } };
imp <- {
  wakeup = function(seconds, callback) { return __wakeup(seconds, callback); },
  cancelwakeup = function(timer) { __cancel(timer); }
};
hardware <- { millis = function() { return __millis(); } };
"""


class FakeImp:
    """One VM; time only moves when the test runs timers or a test method calls `__spin(seconds)`."""

    def __init__(self) -> None:
        self.vm = squirrel.SQVM()
        self.now = 0.0
        self.logs: list[str] = []
        self.errors: list[str] = []
        self._timers: list[tuple[float, int, object]] = []
        self._cancelled: set[int] = set()
        self._sequence = 0
        self.vm.bindfunc("__log", self.logs.append)
        self.vm.bindfunc("__wakeup", self._wakeup)
        self.vm.bindfunc("__cancel", self._cancelled.add)
        self.vm.bindfunc("__millis", lambda: int(self.now * 1000))
        self.vm.bindfunc("__spin", self._spin)
        self.vm.execute(_PRELUDE)

    def _wakeup(self, seconds: float, callback: object) -> int:
        self._sequence += 1
        heapq.heappush(self._timers, (self.now + float(seconds), self._sequence, callback))
        return self._sequence

    def _spin(self, seconds: float) -> None:
        self.now += float(seconds)

    def execute(self, source: str) -> None:
        self.vm.execute(source)

    def run_timers(self, until: float | None = None, limit: int = 10000) -> None:
        """Fire due timers in order (time, then creation) until none is left or `until` is reached."""
        for _ in range(limit):
            if not self._timers or (until is not None and self._timers[0][0] > until):
                break
            due, sequence, callback = heapq.heappop(self._timers)
            self.now = max(self.now, due)
            if sequence in self._cancelled:
                continue
            try:
                callback()
            except RuntimeError as exc:
                self.errors.append(str(exc))
        else:
            raise AssertionError("timers never ran out")
        if until is not None:
            self.now = max(self.now, until)

    @property
    def pending_timers(self) -> int:
        return sum(1 for _, sequence, _ in self._timers if sequence not in self._cancelled)

    def messages(self) -> list[dict]:
        return [json.loads(line) for line in self.logs if "__IMPUNIT__" in line]
