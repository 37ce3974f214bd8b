"""Read `client.logs.follow()` on a background thread so the reader can wait with a deadline.

A blocking SSE read cannot be interrupted from outside; a queue read can, which gives `--timeout`, clean
Ctrl-C handling and the test-run watchdogs without touching the client.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterable

END = object()  # the follow() iterator finished


class LogPump:
    """Events of one `follow()` call, read from a queue; errors from the thread are re-raised to the reader."""

    def __init__(self, client: Any, device_ids: Iterable[str]) -> None:
        self._stop = threading.Event()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._iterator = client.logs.follow(list(device_ids), stop=self._stop)
        self._thread = threading.Thread(target=self._run, name="impt-log-pump", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self._iterator:
                self._queue.put(event)
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the reader, who reports it
            self._queue.put(exc)
            return
        self._queue.put(END)

    def next(self, timeout: float | None) -> Any:
        """The next event, `END`, or None when `timeout` seconds passed without one."""
        try:
            item = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Ask the thread to stop; it ends at the next event or keep-alive (it is a daemon either way)."""
        self._stop.set()
