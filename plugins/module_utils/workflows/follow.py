"""The log follower: history back-fill, stream subscription, gap repair and one deadline, in one place.

``log_tail`` and impt (``log stream``, ``log get``, ``build run --log``, ``test run``) all read device logs
through ``LogFollower``. It reads the history since a moment (newest-first pages turned oldest first, the
devices merged by time stamp), opens the stream, waits for the subscriptions, reads the history again
so a line logged between the first read and the subscription is not lost (nor taken twice), and after
a dropped stream reads the history since the last line to fill the gap. Time comes from an injectable
``Clock`` and lines from an injectable source, so tests need no real waits.

Fleets: up to the stream's device limit the follower streams; beyond it it reads each device's history
in rounds (newest-first pages, only back to the newest line already seen), paced to a share of the
account's rate limit. impCentral keeps one stream per account and closes the older one when a newer one
opens; a stream closed that way is not reopened (that would close the other client's stream in turn):
the follower says so with a ``Switched`` item and reads the history from then on. A ``Gap`` still marks
a stream re-created after a network drop. ``modes`` says how each device was read.
"""

import heapq
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.logs import (
    END,
    Gap,
    LogLine,
    LogPump,
    StateChange,
)

__all__ = [
    "END",
    "TIMEOUT",
    "Clock",
    "Gap",
    "LogFollower",
    "LogLine",
    "StateChange",
    "Subscribed",
    "Switched",
    "line_dict",
    "parse_iso_timestamp",
]

STREAM_DEVICE_LIMIT = 5  # impCentral streams the logs of at most 5 devices at once
SUBSCRIBE_WAIT = 10.0  # seconds to wait for the stream's "subscribed" events
ACCOUNT_RATE_LIMIT = 40.0  # requests per second impCentral allows an account
HISTORY_RATE = ACCOUNT_RATE_LIMIT / 2  # the share history reading may use, so other clients keep theirs
HISTORY_ROUND = 2.0  # seconds at least between the starts of two history rounds
HISTORY_PAGE = 100  # log entries per history request (the API's maximum)


class _Timeout:
    def __repr__(self) -> str:
        return "TIMEOUT"


TIMEOUT = _Timeout()  # what next() returns once the follower's deadline has passed


@dataclass(frozen=True)
class Subscribed:
    """Every device is subscribed (``complete``), or the subscription wait ran out first."""

    device_ids: tuple
    complete: bool


@dataclass(frozen=True)
class Switched:
    """The follower now reads ``device_ids`` by ``mode`` (``history``), and why (``reason``)."""

    mode: str
    reason: str
    device_ids: tuple


class Clock:
    """Monotonic time for deadlines, wall time for ``since`` and the pacing sleep; tests pass their own."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class DeviceLimitError(ValueError):
    """More devices than one log stream can hold (and the caller asked to fail rather than truncate)."""


class LogFollower:
    """``next(timeout)`` gives ``LogLine`` / ``Gap`` / ``StateChange`` / ``Subscribed`` / ``Switched`` items in
    order, None when ``timeout`` passed without one, ``TIMEOUT`` after the deadline, ``END`` when reading ended.

    * ``since``: back-fill the history from that moment (and repair gaps from it); None: new lines only.
    * ``stream``: False reads the history once (check mode, ``log get``).
    * ``deadline``: seconds from the first ``next()``; None waits for ever.
    * ``over_limit``: more devices than one stream holds: ``"history"`` (read them all by history, the
      default), ``"fail"`` (``DeviceLimitError``) or ``"truncate"`` (``left_out`` says who).
    * ``rate``: requests per second history reading may use (default half the account's 40).
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
        over_limit: str = "history",
        rate: float = HISTORY_RATE,
        round_interval: float = HISTORY_ROUND,
        clock: Optional[Clock] = None,
        source: Optional[Callable[[Any, list], Any]] = None,
    ) -> None:
        ids = list(dict.fromkeys(device_ids))
        self.left_out: list = []
        history_mode = False
        if len(ids) > max_devices:
            if over_limit == "fail":
                raise DeviceLimitError(
                    "impCentral streams the logs of at most %d devices at once; %d given (%s)."
                    % (max_devices, len(ids), ", ".join(ids))
                )
            if over_limit == "truncate":
                ids, self.left_out = ids[:max_devices], ids[max_devices:]
            else:
                history_mode = True
        if not rate or rate <= 0:
            raise ValueError("rate must be a positive number of requests per second; got %r." % (rate,))
        self.client = client
        self.device_ids = ids
        self.since = since
        self.streaming = stream and not history_mode
        self.follow_history = stream and history_mode
        self.deadline_seconds = deadline
        self.subscribe_wait = subscribe_wait
        self.rate = float(rate)
        self.round_interval = round_interval
        self.clock = clock or Clock()
        self.source = source or LogPump
        self.stream_opened = False
        self.requests = 0  # history requests sent
        self.switch_reason: Optional[str] = None
        self.modes: dict = {d: ("history" if history_mode or not stream else "stream") for d in ids}
        self._deadline: Optional[float] = None
        self._pump: Any = None
        self._ready: list = []
        self._known: set = set()
        self._phase = "start"
        self._cursor: dict = {}
        self._round: list = []
        self._round_started: Optional[float] = None
        self._next_request = 0.0

    # -- public ------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``stream``, ``history`` or ``mixed`` (some devices each way)."""
        kinds = set(self.modes.values())
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "stream")

    def next(self, timeout: Optional[float] = None) -> Any:
        """The next item (see the class doc)."""
        if self._phase == "start":
            self._start()
        if self._ready:
            return self._ready.pop(0)
        if self._phase == "history":
            if not self.streaming:
                self._phase = "polling" if self.follow_history else "ended"
                if not self.follow_history:
                    return END
            else:
                self._subscribe()
                if self._ready:
                    return self._ready.pop(0)
        if self._phase == "ended":
            return END
        if self._phase == "polling":
            return self._poll(timeout)
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
        self._close_pump()
        self._phase = "ended"

    def summary(self) -> dict:
        """How the devices were read, for results and output: mode, devices per mode, requests, why."""
        by_mode: dict = {"stream": [], "history": []}
        for device_id, mode in self.modes.items():
            by_mode.setdefault(mode, []).append(device_id)
        out = {"mode": self.mode, "stream_devices": by_mode["stream"], "history_devices": by_mode["history"]}
        out["history_requests"] = self.requests
        if self.switch_reason:
            out["switch_reason"] = self.switch_reason
        return out

    def __enter__(self) -> "LogFollower":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def history(self, since: datetime) -> list:
        """Historical lines at or after ``since``, oldest first, as ``LogLine`` items.

        API pages run newest first and lines of one millisecond share a time stamp, so each device's lines
        are put oldest first by reversing the API's order (not by sorting); devices are merged by time stamp.
        """
        per_device = [self._device_history(device_id, since) for device_id in self.device_ids]
        return [line for _moment, line in heapq.merge(*per_device, key=lambda pair: pair[0])]

    # -- phases ------------------------------------------------------------------------------

    def _start(self) -> None:
        self._deadline = None if self.deadline_seconds is None else self.clock.monotonic() + self.deadline_seconds
        self._phase = "history"
        start = self.since if self.since is not None else self.clock.now()
        self._cursor = {d: start for d in self.device_ids}
        if self.since is not None and not self.follow_history:
            self._ready.extend(self._unseen(self.history(self.since)))

    def _device_history(self, device_id: str, since: datetime, until: Optional[float] = None) -> list:
        """(moment, line) pairs of one device at or after ``since``, oldest first; pages only as far back as
        ``since``. With ``until`` (monotonic) requests are paced to ``rate``, and None means time ran out."""
        newest_first = []
        page = 1
        while True:
            if until is not None and not self._pace(until):
                return None  # type: ignore[return-value]
            entries = self.client.devices.logs(device_id, page_number=page, page_size=HISTORY_PAGE)
            self.requests += 1
            older = False
            for entry in entries:
                moment = parse_iso_timestamp(entry.get("ts"))
                if moment is None:
                    continue  # no readable time stamp: whether it is recent enough cannot be told
                if moment < since:
                    older = True
                    break
                newest_first.append((moment, _history_line(entry, device_id)))
            if older or len(entries) < HISTORY_PAGE:
                break
            page += 1
        newest_first.reverse()
        return newest_first

    def _pace(self, until: float) -> bool:
        """Wait for the next request's slot (at most until ``until``); False when the slot is later."""
        now = self.clock.monotonic()
        if self._next_request > until:
            if until > now:
                self.clock.sleep(until - now)
            return False
        if self._next_request > now:
            self.clock.sleep(self._next_request - now)
        self._next_request = max(self._next_request, now) + 1.0 / self.rate
        return True

    def _poll(self, timeout: Optional[float]) -> Any:
        """History reading: one device after another, rounds no closer than ``round_interval``."""
        now = self.clock.monotonic()
        until = None if timeout is None else now + timeout
        if self._deadline is not None:
            until = self._deadline if until is None else min(until, self._deadline)
        while True:
            if self._ready:
                return self._ready.pop(0)
            now = self.clock.monotonic()
            if self._deadline is not None and now >= self._deadline:
                return TIMEOUT
            if until is not None and now >= until:
                return None
            if not self._round:
                start = self._round_started
                if start is not None and now < start + self.round_interval:
                    wake = start + self.round_interval
                    self.clock.sleep((wake if until is None else min(wake, until)) - now)
                    continue
                self._round = list(self.device_ids)
                self._round_started = now
            device_id = self._round[0]
            pairs = self._device_history(device_id, self._cursor[device_id], until if until is not None else now + 3600)
            if pairs is None:
                continue  # out of time before this device's turn; the checks above end the wait
            self._round.pop(0)
            if pairs:
                self._cursor[device_id] = max(self._cursor[device_id], pairs[-1][0])
            self._ready.extend(self._unseen([line for _moment, line in pairs]))

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
            if isinstance(item, StateChange) and item.state == "closed":
                early.append(self._switch())
                break
            early.append(item)
        if self.since is None:
            for item in early:
                self._ready.extend(self._unseen([item]) if isinstance(item, LogLine) else [item])
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
        if isinstance(item, StateChange) and item.state == "closed":
            return self._switch()
        if isinstance(item, LogLine):
            if _key(item) in self._known:
                return self._from_stream(timeout)  # read from the history already
            self._known.add(_key(item))
            self._advance(item)
            return item
        if isinstance(item, Gap) and self.since is not None:
            self._ready.extend(self._after_gap(item)[1:])
        return item

    def _switch(self) -> Switched:
        """The account's stream was taken by a newer one: read the history from the last line on instead.

        Reopening would close the other client's stream, which would reopen and close ours: a loop."""
        self._close_pump()
        self.switch_reason = "the account's log stream was opened by another client"
        for device_id in self.device_ids:
            self.modes[device_id] = "history"
        self._phase = "polling" if self.streaming else "ended"
        self._round = []
        return Switched("history", self.switch_reason, tuple(self.device_ids))

    def _close_pump(self) -> None:
        if self._pump is not None:
            self._pump.close()
            join = getattr(self._pump, "join", None)
            if join is not None:
                join(1.0)
            self._pump = None

    def _advance(self, line: LogLine) -> None:
        """A streamed line moves its device's history cursor (where reading resumes after a switch)."""
        moment = parse_iso_timestamp(line.ts)
        if moment is not None and line.device_id in self._cursor:
            self._cursor[line.device_id] = max(self._cursor[line.device_id], moment)

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
                self._advance(line)
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
