"""Stopping cleanly: a cancel token, request guards for the transport, and watchers of the parent and signals.

A release job is cancelled from outside: CI systems and AWX send SIGINT, then SIGTERM, then SIGKILL to
``ansible-playbook``. ansible-core runs each task in a worker that calls ``setsid()``, so the worker gets no
terminal Ctrl-C and outlives a killed ``ansible-playbook``. The rollout therefore watches its parent process
and the signals itself, and stops through one ``CancelToken``: the request on the wire finishes (its answer is
read), no other request starts, and sleeps end at once.

The transport calls a guard around each request: ``start(method, url)`` before it (may raise to stop it),
``attempt(method, url)`` before each retry, ``end(method)`` after it. ``CancelToken`` stops every request
once cancelled; ``DeferredInterrupt`` (impt) lets a write finish its answer before a Ctrl-C takes effect.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError

__all__ = [
    "CancelToken",
    "CancellableClock",
    "Cancelled",
    "DeferredInterrupt",
    "cancel_on_signals",
    "watching_parent",
]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGNAL_REASONS = {
    signal.SIGINT: "interrupted (SIGINT)",
    signal.SIGTERM: "terminated (SIGTERM)",
    signal.SIGALRM: "the task's timeout passed (SIGALRM)",
}
PARENT_POLL = 0.1  # seconds between two looks at the parent process: well inside the 2 s a cancel may take
SLEEP_SLICE = 0.1  # seconds a cancellable sleep sleeps between two looks at the token


class Cancelled(ImpCentralClientError):
    """The run was cancelled (a signal, the parent process gone, a timeout); no request was started after it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CancelToken:
    """Set once, from any thread or a signal handler; every later request and sleep sees it.

    A plain flag, not a ``threading.Event``: a signal handler must not take a lock the interrupted code may hold.
    Sleeps look at it every ``SLEEP_SLICE`` seconds."""

    def __init__(self) -> None:
        self._cancelled = False
        self.reason: Optional[str] = None

    def cancel(self, reason: str) -> None:
        """Cancel (the first reason is kept)."""
        if not self._cancelled:
            self.reason = reason
            self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def check(self) -> None:
        """Raise ``Cancelled`` once cancelled."""
        if self._cancelled:
            raise Cancelled(self.reason or "cancelled")

    def sleep(self, seconds: float) -> None:
        """Wait up to ``seconds``; returns within ``SLEEP_SLICE`` once cancelled."""
        end = time.monotonic() + seconds
        while not self._cancelled:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, SLEEP_SLICE))

    # The transport's guard: no request (nor retry) starts once cancelled.
    def start(self, method: str, url: str) -> None:
        self.check()

    def attempt(self, method: str, url: str) -> None:
        self.check()

    def end(self, method: str) -> None:
        """Nothing to do: the request that was on the wire has its answer."""

    def guard(self, transport: Any) -> None:
        """Make ``transport`` stop starting requests, and cut its retry waits short, once cancelled."""
        transport.guard = self
        transport.sleep = self.sleep


class CancellableClock:
    """The follower's clock (follow.Clock's three methods) whose sleeps end when the token is cancelled."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        self.token.sleep(seconds)


class _ParentWatch(threading.Thread):
    def __init__(self, token: CancelToken, parent: int, interval: float) -> None:
        super().__init__(name="impcentral-parent-watch", daemon=True)
        self.token = token
        self.parent = parent
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            if os.getppid() != self.parent:
                self.token.cancel("the controller (ansible-playbook, pid %d) went away" % self.parent)
                return


@contextlib.contextmanager
def watching_parent(token: CancelToken, interval: float = PARENT_POLL) -> Iterator[None]:
    """Cancel ``token`` when this process's parent dies (it is re-parented: ``getppid()`` changes)."""
    watch = _ParentWatch(token, os.getppid(), interval)
    watch.start()
    try:
        yield
    finally:
        watch.stopped.set()
        watch.join(1.0)


@contextlib.contextmanager
def cancel_on_signals(token: CancelToken, signals: tuple = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    """While inside, these signals cancel ``token`` instead of ending the process mid-request.

    The previous handlers come back on exit. Outside the main thread (where Python cannot set handlers)
    this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        token.cancel(SIGNAL_REASONS.get(signum, "%s received" % signal.Signals(signum).name))

    previous = {}
    for number in signals:
        previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


class DeferredInterrupt:
    """impt's Ctrl-C: at once, except while a write is on the wire, where it waits for the write's answer
    (a lost answer is resolved by the transport's retries first) and stops the command before its next request.

    ``notice(text)`` tells the user why the command has not stopped yet."""

    def __init__(self, notice: Optional[Callable[[str], None]] = None) -> None:
        self.notice = notice
        self.writing = 0
        self.pending = False
        self.deferred = False  # the interrupt took effect after a write's answer (for the final message)
        self._counted = threading.local()

    def on_signal(self, signum: int, _frame: Any) -> None:
        """The SIGINT handler."""
        if not self.writing:
            raise KeyboardInterrupt
        if not self.pending and self.notice is not None:
            self.notice("Stopping after the current request has its answer.")
        self.pending = True

    def start(self, method: str, url: str) -> None:
        if self.pending and not self.writing and threading.current_thread() is threading.main_thread():
            self.pending = False
            self.deferred = True
            raise KeyboardInterrupt
        # A read inside a write (a create's probe after a lost answer) belongs to that write.
        counted = method.upper() in WRITE_METHODS or self.writing > 0
        self._stack().append(counted)
        if counted:
            self.writing += 1

    def attempt(self, method: str, url: str) -> None:
        """Retries of a write resolve its answer: they go on."""

    def end(self, method: str) -> None:
        stack = self._stack()
        if stack and stack.pop():
            self.writing -= 1

    def _stack(self) -> list:
        stack = getattr(self._counted, "stack", None)
        if stack is None:
            stack = self._counted.stack = []
        return stack

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """The SIGINT handler while inside (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self.on_signal)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
