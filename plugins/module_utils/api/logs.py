"""Device logs: historical pages, log streams (server-sent events) and ``follow()`` with reconnect."""

import codecs
import json
import queue
import random
import socket
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import LOG_FORMATS, PAGE_SIZE
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    ImpCentralClientError,
    ServerError,
    TransportError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.refs import ref_id

MAX_RECONNECT_FAILURES = 10
READ_SIZE = 8192


@dataclass(frozen=True)
class SseEvent:
    """One dispatched server-sent event."""

    event: str
    data: str
    id: Optional[str] = None


@dataclass(frozen=True)
class LogLine:
    """One device log line from a stream."""

    device_id: Optional[str]
    ts: Optional[str]
    log_type: Optional[str]
    type: Optional[str]
    msg: str


@dataclass(frozen=True)
class StateChange:
    """Stream state: ``opened``, ``closed``, ``subscribed`` or ``unsubscribed`` (with the device)."""

    state: str
    device_id: Optional[str] = None


@dataclass(frozen=True)
class Gap:
    """Marks lines possibly lost while the stream was re-created; ``since`` is the last line's ts."""

    reason: str
    since: Optional[str] = None


KEEPALIVE = object()  # yielded by the parser for comments so readers can check ``stop``


class SseParser:
    """Incremental ``text/event-stream`` parser: feed text, get events (and keep-alive markers)."""

    def __init__(self) -> None:
        self._buffer = ""
        self._event = ""
        self._data: list = []
        self._id: Optional[str] = None
        self.last_event_id: Optional[str] = None
        self.retry_ms: Optional[int] = None

    def feed(self, text: str) -> Iterator:
        """Events completed by this text; a trailing partial line waits for more."""
        self._buffer += text
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return
            end, nxt = cut
            line = self._buffer[:end]
            self._buffer = self._buffer[nxt:]
            yield from self._line(line)

    def close(self) -> Iterator:
        """Flush at end of stream (an unterminated event is dropped, as the SSE rules say)."""
        if self._buffer:
            yield from self._line(self._buffer)
            self._buffer = ""

    def _line(self, line: str) -> Iterator:
        if line == "":
            if self._data or self._event:
                event = SseEvent(self._event or "message", "\n".join(self._data), self._id)
                self._event, self._data = "", []
                if event.data or event.event != "message":
                    yield event
            return
        if line.startswith(":"):
            yield KEEPALIVE
            return
        name, _sep, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\x00" not in value:
                self._id = value
                self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)


def _line_end(buffer: str) -> Optional[tuple]:
    """(end of the first line, start of the next) for \\n, \\r\\n or \\r endings."""
    n = buffer.find("\n")
    r = buffer.find("\r")
    if r == -1 and n == -1:
        return None
    if r == -1 or (n != -1 and n < r):
        return n, n + 1
    if r + 1 < len(buffer):
        return (r, r + 2) if buffer[r + 1] == "\n" else (r, r + 1)
    return None  # a lone \r at the end may be the first half of \r\n


def parse_log_event(event: SseEvent, fmt: str) -> Union[LogLine, StateChange, None]:
    """A ``LogLine`` / ``StateChange`` from a stream event in the ``text`` or ``json`` format."""
    if event.event == "state_change":
        return _state_change(event.data, fmt)
    if event.event != "message":
        return None
    data = event.data
    if fmt == "json" or data.startswith("{"):
        try:
            obj = json.loads(data)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return LogLine(
                obj.get("device_id"), obj.get("ts"), obj.get("log_type"), obj.get("type"), str(obj.get("msg", ""))
            )
    parts = data.split(" ", 4)
    if len(parts) == 5:
        return LogLine(parts[0], parts[1], parts[2], parts[3], parts[4])
    return LogLine(None, None, None, None, data)


def _state_change(data: str, fmt: str) -> StateChange:
    text = data.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return StateChange(str(obj.get("state", "")), obj.get("device_id") or obj.get("device"))
    words = text.split()
    if len(words) == 2:
        return StateChange(words[1], words[0])
    return StateChange(text)


class LogStreams:
    """``/logstream`` wire calls and the SSE reader."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def create(self) -> dict:
        """A new stream (the account's previous one closes): ``id`` and ``attributes.url``."""
        # A repeated create only opens a newer stream, which replaces the first: safe to repeat.
        return self.transport.call("POST", "/logstream", repeatable=True)["data"]

    def add_device(self, stream_id: str, device: Any) -> None:
        """Subscribe a device (id, MAC or agent id)."""
        self.transport.call("PUT", f"/logstream/{seg(stream_id)}/{seg(ref_id(device))}")

    def remove_device(self, stream_id: str, device: Any) -> None:
        """Unsubscribe a device."""
        self.transport.call("DELETE", f"/logstream/{seg(stream_id)}/{seg(ref_id(device))}")

    def connect(self, stream_id: str, format: str = "json") -> Any:  # noqa: A002 - contract name
        """Open the SSE GET (no token: the stream id grants access) and return the response."""
        if format not in LOG_FORMATS:
            raise ValueError(f"format must be one of {', '.join(LOG_FORMATS)}")
        return self.transport.request(
            "GET",
            f"/logstream/{seg(stream_id)}",
            params={"format": format},
            headers={"Accept": "text/event-stream"},
            auth=False,
            stream=True,
        )

    def open(self, stream_id: str, format: str = "json") -> Iterator:  # noqa: A002 - contract name
        """Iterator of ``SseEvent``; the GET is sent now, events are read lazily."""
        response = self.connect(stream_id, format)
        return (e for e in self.read_events(response) if e is not KEEPALIVE)

    def read_events(self, response: Any) -> Iterator:
        """``SseEvent`` items and ``KEEPALIVE`` markers until the stream ends or drops."""
        parser = SseParser()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        raw = response.raw
        read = getattr(raw, "read1", None)
        try:
            while True:
                try:
                    chunk = read(READ_SIZE) if read is not None else raw.read(1)
                except Exception as exc:  # urllib3 / socket errors while reading
                    raise TransportError(f"log stream dropped: {type(exc).__name__}", "GET", "") from None
                if not chunk:
                    break
                yield from parser.feed(decoder.decode(chunk))
            yield from parser.feed(decoder.decode(b"", final=True))
            yield from parser.close()
        finally:
            response.close()


class Logs:
    """Historical logs and ``follow()``: a log stream that survives drops."""

    def __init__(self, transport: Any, streams: LogStreams, devices: Any) -> None:
        self.transport = transport
        self.streams = streams
        self.devices = devices

    def get(self, device: Any, page_number: Optional[int] = None, page_size: Optional[int] = None) -> list:
        """One page of historical logs, newest first."""
        return self.devices.logs(device, page_number=page_number, page_size=page_size)

    def iter(self, device: Any, page_size: int = PAGE_SIZE) -> Iterator:
        """All historical logs, newest first."""
        return self.devices.iter_logs(device, page_size=page_size)

    def follow(
        self,
        devices: Iterable,
        *,
        format: str = "json",  # noqa: A002 - contract name
        stop: Any = None,
        reconnect: bool = True,
        max_devices: int = 5,
    ) -> Iterator:
        """Stream ``LogLine`` / ``StateChange``; after a drop, a new stream and a ``Gap`` marker."""
        if isinstance(devices, (str, dict)):
            devices = [devices]
        device_ids = [ref_id(d) for d in devices]
        if len(device_ids) > max_devices:
            raise ValueError(f"at most {max_devices} devices can share one log stream, got {len(device_ids)}")
        if format not in LOG_FORMATS:
            raise ValueError(f"format must be one of {', '.join(LOG_FORMATS)}")
        return self._follow(device_ids, format, stop, reconnect)

    def _follow(self, device_ids: list, fmt: str, stop: Any, reconnect: bool) -> Iterator:
        stopped = _stopper(stop)
        gap_reason: Optional[str] = None
        last_ts: Optional[str] = None
        failures = 0
        while not stopped():
            try:
                stream_id = self.streams.create()["id"]
                response = self.streams.connect(stream_id, fmt)
                try:
                    for device in device_ids:
                        self.streams.add_device(stream_id, device)
                except ImpCentralClientError:
                    response.close()
                    raise
            except (TransportError, ServerError):
                if gap_reason is None or not reconnect:
                    raise
                failures += 1
                if failures > MAX_RECONNECT_FAILURES:
                    raise
                self.transport.sleep(_reconnect_delay(failures))
                continue
            watch = getattr(stop, "watch", None)
            if watch is not None:
                watch(response)
            if gap_reason is not None:
                yield Gap(gap_reason, last_ts)
                gap_reason = None
            reason = "log stream ended"
            try:
                for event in self.streams.read_events(response):
                    if stopped():
                        return
                    if event is KEEPALIVE:
                        continue
                    failures = 0
                    item = parse_log_event(event, fmt)
                    if item is None:
                        continue
                    if isinstance(item, LogLine) and item.ts:
                        last_ts = item.ts
                    yield item
                    if isinstance(item, StateChange) and item.state == "closed":
                        return  # a newer stream of the account replaced this one: reopening would close it
            except TransportError as exc:
                reason = str(exc)
            finally:
                response.close()
            if not reconnect or stopped():
                return
            gap_reason = reason
            failures += 1
            if failures > MAX_RECONNECT_FAILURES:
                raise TransportError(f"log stream keeps failing: {reason}", "GET", "")
            self.transport.sleep(_reconnect_delay(failures))


def _reconnect_delay(failures: int) -> float:
    return random.uniform(0, min(10.0, 0.25 * (2**failures)))  # noqa: S311 - jitter, not crypto


def _stopper(stop: Any) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if hasattr(stop, "is_set"):
        return stop.is_set
    return lambda: bool(stop())


END = object()  # what LogPump.next() returns once the follow() iterator has finished


class StreamStop(threading.Event):
    """A ``stop`` for ``follow()`` that also ends a read blocked on the open stream when set.

    Setting an event cannot wake a thread blocked in ``recv``; shutting the socket down can, so the
    reader ends now instead of at the next keep-alive (15 s on impCentral).
    """

    def __init__(self) -> None:
        super().__init__()
        self._response: Any = None
        self._lock = threading.Lock()

    def watch(self, response: Any) -> None:
        """Called by ``follow()`` for each stream it opens."""
        with self._lock:
            self._response = response
        if self.is_set():
            _shutdown(response)

    def set(self) -> None:
        super().set()
        with self._lock:
            response = self._response
        if response is not None:
            _shutdown(response)


def _shutdown(response: Any) -> None:
    """Best effort: the stream's socket is shut down for reading and writing; errors mean it is gone."""
    try:
        response.raw.connection.sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass


class LogPump:
    """``client.logs.follow()`` read on a background thread, so the reader can wait with a deadline.

    A blocking SSE read cannot be interrupted from outside; a queue read can. The console's
    ``--timeout`` and test-run watchdogs and the ``log_tail`` action all wait on ``next(timeout)``.
    An error raised in the thread is raised again to the reader.
    """

    def __init__(self, client: Any, device_ids: Iterable[str]) -> None:
        self._stop = StreamStop()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._iterator = client.logs.follow(list(device_ids), stop=self._stop)
        self._thread = threading.Thread(target=self._run, name="impcentral-log-pump", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self._iterator:
                self._queue.put(event)
                if self._stop.is_set():
                    break
        except BaseException as exc:  # pylint: disable=broad-exception-caught  # handed to the reader
            self._queue.put(exc)
            return
        self._queue.put(END)

    def next(self, timeout: Optional[float]) -> Any:
        """The next event, ``END``, or None when ``timeout`` seconds passed without one."""
        try:
            item = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stop the thread: the open stream is shut down, so it ends now rather than at the next keep-alive."""
        self._stop.set()

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the thread to end; True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
