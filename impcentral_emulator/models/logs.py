"""Device logs: the history (last N per device) and live log streams (spec §9, §12).

One `LogHub` per emulator. `emit` is the single way a device logs: it stores the line, pushes
it to every stream subscribed to the device and tells the observers (`device_logged`). A
stream is an account's single open subscription set; its SSE connection (if any, served by
`routes/logstreams.py`) drains the stream's queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from .. import ids
from ..store import Record, Store
from .events import Events
from .grouptypes import GROUP_TYPES

# Bounds on what one account's code can make the emulator hold (impcentral_emulator/README.md, "Limits").
LOG_LINE_BYTES = 64 * 1024  # a longer line is cut, with a marker saying how long it was
STREAM_QUEUE_LIMIT = 10_000  # events a stream holds for its reader; past it the oldest go, with a gap marker
STREAM_QUEUE_BYTES = 8 * 1024 * 1024  # ... and bytes of log lines it holds
_ENTRY_OVERHEAD = 200  # bytes of an entry besides its message (timestamp, ids, types)


def cap_line(msg: str, limit: int = LOG_LINE_BYTES) -> str:
    """`msg` cut to at most `limit` bytes of UTF-8 in all, with `[truncated: ...]` saying how long it was."""
    data = msg.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return msg
    marker = f" [truncated: the line had {len(data)} bytes]"
    return data[: limit - len(marker)].decode("utf-8", "ignore") + marker


def log_type_for(group_type: str | None) -> str:
    kind = GROUP_TYPES.get(group_type or "")
    return "production" if kind and kind.production_logs else "development"


class LogStream:
    """An account's log stream: ordered device subscriptions and a queue of pending events."""

    def __init__(self, stream_id: str, account_id: str, fmt: str) -> None:
        self.id = stream_id
        self.account_id = account_id
        self.format = fmt
        self.devices: list[str] = []
        self.queue: deque[tuple[str, Any]] = deque()
        self.queued_bytes = 0
        self.dropped: dict[str, int] = {}  # lines dropped per device since the reader last took the queue
        self.wakeup = asyncio.Event()
        self.closed = False
        self.connection: Any = None  # the aiohttp request currently reading the stream
        self.generation = 0

    def push(self, event: str, payload: Any) -> None:
        """Queue an event; past the queue's bounds the oldest events go (counted for the gap marker)."""
        self.queue.append((event, payload))
        self.queued_bytes += _size(event, payload)
        while len(self.queue) > STREAM_QUEUE_LIMIT or self.queued_bytes > STREAM_QUEUE_BYTES:
            old_event, old = self.queue.popleft()
            self.queued_bytes -= _size(old_event, old)
            if old_event == "message":
                self.dropped[old["device_id"]] = self.dropped.get(old["device_id"], 0) + 1
        self.wakeup.set()

    def take_all(self) -> list[tuple[str, Any]]:
        """Everything queued, led by one gap marker per device whose lines were dropped since the last take."""
        events = [("message", self._gap(device_id, count)) for device_id, count in self.dropped.items()]
        events.extend(self.queue)
        self.queue.clear()
        self.queued_bytes = 0
        self.dropped.clear()
        self.wakeup.clear()
        return events

    def _gap(self, device_id: str, count: int) -> dict[str, Any]:
        msg = (
            f"{count} log lines of this device were dropped: the stream was not read fast enough"
            f" (it holds at most {STREAM_QUEUE_LIMIT} lines or {STREAM_QUEUE_BYTES // (1024 * 1024)} MiB)"
        )
        when = ids.iso_timestamp()
        return {"ts": when, "type": "status", "msg": msg, "device_id": device_id, "log_type": "development"}


def _size(event: str, payload: Any) -> int:
    return _ENTRY_OVERHEAD + (len(payload["msg"]) if event == "message" else 0)


class LogHub:
    def __init__(self, store: Store, events: Events, device_limit: int = 5) -> None:
        self.store = store
        self.events = events
        self.device_limit = device_limit
        self.streams: dict[str, LogStream] = {}
        self.by_account: dict[str, LogStream] = {}
        self.subscribers: dict[str, list[LogStream]] = {}

    # -- logging -------------------------------------------------------------------------
    def emit(self, device: Record, log_kind: str, msg: str, group_type: str | None = None) -> Record:
        """Store and stream a line, cut to `LOG_LINE_BYTES`."""
        entry = {
            "ts": ids.iso_timestamp(),
            "type": log_kind,
            "msg": cap_line(msg),
            "device_id": device["id"],
            "log_type": log_type_for(group_type),
        }
        self.store.append_log(device["id"], entry)
        for stream in self.subscribers.get(device["id"], ()):
            stream.push("message", entry)
        self.events.emit("device_logged", device, entry)
        return entry

    # -- streams -------------------------------------------------------------------------
    def open_stream(self, account_id: str, fmt: str) -> LogStream:
        """A new stream for the account; the previous one gets `closed` (one per account)."""
        old = self.by_account.get(account_id)
        if old is not None:
            self.close_stream(old)
        stream = LogStream(ids.entity_id(), account_id, fmt)
        self.streams[stream.id] = stream
        self.by_account[account_id] = stream
        return stream

    def close_stream(self, stream: LogStream) -> None:
        for device_id in list(stream.devices):
            self._unlink(stream, device_id)
        stream.devices.clear()
        stream.closed = True
        stream.push("state_change", {"state": "closed"})
        if self.by_account.get(stream.account_id) is stream:
            del self.by_account[stream.account_id]
        if stream.connection is None:
            self.streams.pop(stream.id, None)

    def subscribe(self, stream: LogStream, device_id: str) -> None:
        if device_id in stream.devices:
            stream.devices.remove(device_id)
        else:
            self.subscribers.setdefault(device_id, []).append(stream)
        stream.devices.append(device_id)
        while len(stream.devices) > self.device_limit:
            dropped = stream.devices.pop(0)
            self._unlink(stream, dropped)
            stream.push("state_change", {"state": "unsubscribed", "device_id": dropped})
        stream.push("state_change", {"state": "subscribed", "device_id": device_id})

    def unsubscribe(self, stream: LogStream, device_id: str) -> bool:
        if device_id not in stream.devices:
            return False
        stream.devices.remove(device_id)
        self._unlink(stream, device_id)
        stream.push("state_change", {"state": "unsubscribed", "device_id": device_id})
        return True

    def forget_device(self, device_id: str) -> None:
        for stream in self.subscribers.pop(device_id, []):
            if device_id in stream.devices:
                stream.devices.remove(device_id)
                stream.push("state_change", {"state": "unsubscribed", "device_id": device_id})

    def close_all(self) -> None:
        for stream in list(self.streams.values()):
            if not stream.closed:
                self.close_stream(stream)
        self.streams.clear()
        self.by_account.clear()
        self.subscribers.clear()

    def drop_connections(self) -> int:
        """Abort every live SSE connection (fault injection); streams stay and can be re-read."""
        dropped = 0
        for stream in list(self.streams.values()):
            request = stream.connection
            if request is not None and request.transport is not None:
                request.transport.abort()
                dropped += 1
            stream.generation += 1
            stream.wakeup.set()
        return dropped

    def _unlink(self, stream: LogStream, device_id: str) -> None:
        streams = self.subscribers.get(device_id)
        if streams and stream in streams:
            streams.remove(stream)
            if not streams:
                del self.subscribers[device_id]
