"""The log follower: history back-fill, stream subscription, gap repair and one deadline, in one place.

``log_tail`` and impt (``log stream``, ``log get``, ``build run --log``, ``test run``) all read device logs
through ``LogFollower``. It reads the history since a moment (newest-first pages turned oldest first, the
devices merged by time stamp), opens the stream, waits for the subscriptions, reads the history again
so a line logged between the first read and the subscription is not lost (nor taken twice), and after
a dropped stream reads the history since the last line to fill the gap. Time comes from an injectable
``Clock`` and lines from an injectable source, so tests need no real waits.

Room to grow (the fleet-scale issue): ``history_only`` reading for any number of devices and handling a
stream taken over by another client both belong here, behind the same ``next()``.
"""

import heapq
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import END, Gap, LogLine, LogPump, StateChange

__all__ = [
    "END",
    "TIMEOUT",
    "Clock",
    "Gap",
    "LogFollower",
    "LogLine",
    "StateChange",
    "Subscribed",
    "line_dict",
    "parse_iso_timestamp",
]

STREAM_DEVICE_LIMIT = 5  # impCentral streams the logs of at most 5 devices at once
SUBSCRIBE_WAIT = 10.0  # seconds to wait for the stream's "subscribed" events


class _Timeout:
    def __repr__(self) -> str:
        return "TIMEOUT"


TIMEOUT = _Timeout()  # what next() returns once the follower's deadline has passed


@dataclass(frozen=True)
class Subscribed:
    """Every device is subscribed (``complete``), or the subscription wait ran out first."""

    device_ids: tuple
    complete: bool


class Clock:
    """Monotonic time for deadlines and wall time for ``since``; tests pass their own."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class DeviceLimitError(ValueError):
    """More devices than one log stream can hold (and the caller asked to fail rather than truncate)."""


class LogFollower:
    """``next(timeout)`` gives ``LogLine`` / ``Gap`` / ``StateChange`` / ``Subscribed`` items in order,
    None when ``timeout`` passed without one, ``TIMEOUT`` after the deadline, ``END`` when the stream ended.

    * ``since``: back-fill the history from that moment (and repair gaps from it); None: stream only.
    * ``stream``: False reads the history only (check mode, ``log get``).
    * ``deadline``: seconds from the first ``next()``; None waits for ever.
    * ``over_limit``: ``"fail"`` (``DeviceLimitError``) or ``"truncate"`` (``left_out`` says who).
    * ``source(client, device_ids)``: what yields stream items (default ``LogPump``).
    """

    def __init__(
        self,
        client: Any,
        device_ids: Iterable[str],
        *,
        since: Optional[datetime] = None,
        stream: bool = True,
        deadline: Optional[float] = None,
        subscribe_wait: float = SUBSCRIBE_WAIT,
        max_devices: int = STREAM_DEVICE_LIMIT,
        over_limit: str = "fail",
        clock: Optional[Clock] = None,
        source: Optional[Callable[[Any, list], Any]] = None,
    ) -> None:
        ids = list(dict.fromkeys(device_ids))
        self.left_out: list = []
        if len(ids) > max_devices:
            if over_limit != "truncate":
                raise DeviceLimitError(
                    "impCentral streams the logs of at most %d devices at once; %d given (%s)."
                    % (max_devices, len(ids), ", ".join(ids))
                )
            ids, self.left_out = ids[:max_devices], ids[max_devices:]
        self.client = client
        self.device_ids = ids
        self.since = since
        self.streaming = stream
        self.deadline_seconds = deadline
        self.subscribe_wait = subscribe_wait
        self.clock = clock or Clock()
        self.source = source or LogPump
        self.stream_opened = False
        self._deadline: Optional[float] = None
        self._pump: Any = None
        self._ready: list = []
        self._known: set = set()
        self._phase = "start"

    # -- public ------------------------------------------------------------------------------

    def next(self, timeout: Optional[float] = None) -> Any:
        """The next item (see the class doc)."""
        if self._phase == "start":
            self._deadline = None if self.deadline_seconds is None else self.clock.monotonic() + self.deadline_seconds
            self._phase = "history"
            if self.since is not None:
                self._ready.extend(self._unseen(self.history(self.since)))
        if self._ready:
            return self._ready.pop(0)
        if self._phase == "history":
            if not self.streaming:
                self._phase = "ended"
                return END
            self._subscribe()
            if self._ready:
                return self._ready.pop(0)
        if self._phase == "ended":
            return END
        return self._from_stream(timeout)

    def remaining(self) -> Optional[float]:
        """Seconds left before the deadline (None: no deadline)."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self.clock.monotonic())

    def extend(self, seconds: float) -> None:
        """Move the deadline to ``seconds`` from now (a watchdog that restarts on progress)."""
        self._deadline = self.clock.monotonic() + seconds

    def close(self) -> None:
        """Stop the stream reader now (the open stream's socket is shut down)."""
        if self._pump is not None:
            self._pump.close()
            join = getattr(self._pump, "join", None)
            if join is not None:
                join(1.0)
        self._phase = "ended"

    def __enter__(self) -> "LogFollower":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def history(self, since: datetime) -> list:
        """Historical lines at or after ``since``, oldest first, as ``LogLine`` items.

        API pages run newest first and lines of one millisecond share a time stamp, so each device's lines
        are put oldest first by reversing the API's order (not by sorting); devices are merged by time stamp.
        """
        per_device = []
        for device_id in self.device_ids:
            newest_first = []
            for entry in self.client.devices.iter_logs(device_id):
                moment = parse_iso_timestamp(entry.get("ts"))
                if moment is None:
                    continue  # no readable time stamp: whether it is recent enough cannot be told
                if moment < since:
                    break
                newest_first.append((moment, _history_line(entry, device_id)))
            newest_first.reverse()
            per_device.append(newest_first)
        return [line for _moment, line in heapq.merge(*per_device, key=lambda pair: pair[0])]

    # -- phases ------------------------------------------------------------------------------

    def _subscribe(self) -> None:
        """Open the stream and wait (up to ``subscribe_wait``) for every device's ``subscribed`` event.

        Without ``since`` items pass straight through; with it they wait until the history is read again,
        so the order stays history-then-stream and nothing is taken twice."""
        self._pump = self.source(self.client, list(self.device_ids))
        self.stream_opened = True
        self._phase = "stream"
        wanted = set(self.device_ids)
        until = self.clock.monotonic() + self.subscribe_wait
        if self._deadline is not None:
            until = min(until, self._deadline)
        early: list = []
        complete = False
        while True:
            item = self._pump.next(max(0.0, until - self.clock.monotonic()))
            if item is None:
                break
            if item is END:
                self._phase = "ended"
                break
            if isinstance(item, StateChange) and item.state == "subscribed":
                wanted.discard(item.device_id)
                if not wanted:
                    complete = True
                    break
                continue
            early.append(item)
        if self.since is None:
            self._ready.extend(early)
            self._ready.append(Subscribed(tuple(self.device_ids), complete))
            return
        self._ready.append(Subscribed(tuple(self.device_ids), complete))
        self._ready.extend(self._unseen(self.history(self.since)))
        for item in early:
            self._ready.extend(self._unseen([item]) if isinstance(item, LogLine) else self._after_gap(item))

    def _from_stream(self, timeout: Optional[float]) -> Any:
        wait = timeout
        left = self.remaining()
        if left is not None:
            if left <= 0:
                return TIMEOUT
            wait = left if wait is None else min(wait, left)
        item = self._pump.next(wait)
        if item is None:
            left = self.remaining()
            return TIMEOUT if left is not None and left <= 0 else None
        if item is END:
            self._phase = "ended"
            return END
        if isinstance(item, LogLine) and self.since is not None:
            if _key(item) in self._known:
                return self._from_stream(timeout)  # read from the history already
            self._known.add(_key(item))
            return item
        if isinstance(item, Gap) and self.since is not None:
            self._ready.extend(self._after_gap(item)[1:])
        return item

    def _after_gap(self, item: Any) -> list:
        """A ``Gap`` followed by the history lines that fill it (when the follower back-fills)."""
        if not isinstance(item, Gap) or self.since is None:
            return [item]
        start = parse_iso_timestamp(item.since) or self.since
        return [item, *self._unseen(self.history(max(start, self.since)))]

    def _unseen(self, lines: list) -> list:
        out = []
        for line in lines:
            key = _key(line)
            if key not in self._known:
                self._known.add(key)
                out.append(line)
        return out


def _history_line(entry: dict, device_id: str) -> LogLine:
    return LogLine(
        entry.get("device_id") or device_id,
        entry.get("ts"),
        entry.get("log_type"),
        entry.get("type"),
        str(entry.get("msg", "")),
    )


def _key(line: LogLine) -> tuple:
    """What makes a log line the same whether it came from the history or the stream."""
    return (line.device_id, parse_iso_timestamp(line.ts), line.msg)


def line_dict(line: LogLine) -> dict:
    """A line as the plain dict modules return and impt prints in JSON mode."""
    return {"device_id": line.device_id, "ts": line.ts, "log_type": line.log_type, "type": line.type, "msg": line.msg}


ISO_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)


def parse_iso_timestamp(value: Any) -> Optional[datetime]:
    """An aware datetime from an ISO-8601 time stamp (any offset; none means UTC), None if unreadable."""
    if not isinstance(value, str):
        return None
    found = ISO_TIMESTAMP.fullmatch(value.strip())
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = found.groups()
    try:
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        if offset >= timedelta(hours=24):
            return None
        zone = timezone(-offset if sign == "-" else offset)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        return None
