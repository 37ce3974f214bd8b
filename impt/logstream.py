"""Log streaming shared by `log stream` and the `--log` option of `build run`, `device restart`, `dg restart`.

Lines print as `[<device_id>] <ts> [<type>] <msg>` (JSON Lines with `-z json`, flushed per line). A dropped
stream is re-created by the client, which yields a `Gap`; it prints as one marker line. Ctrl-C ends the
stream with the success phrase; `--until` / `--timeout` make it usable in CI.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import END, LogPump

from impt.context import Context
from impt.errors import StreamTimeoutError
from impt.output import SUCCEEDS

STREAM_DEVICE_LIMIT = 5
_SUBSCRIBE_WAIT = 30.0


@dataclass
class StreamOptions:
    """Beyond impt 2.6: stop on a matching line, give up after a while, keep some log types only."""

    until: re.Pattern | None = None
    timeout: float | None = None
    types: set[str] = field(default_factory=set)


def render_text(event: Any) -> str:
    return f"[{event.device_id}] {event.ts} [{event.type}] {event.msg}"


def render_json(event: Any) -> str:
    return json.dumps(
        {"device_id": event.device_id, "ts": event.ts, "type": event.type, "msg": event.msg}, ensure_ascii=False
    )


def gap_line(event: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps({"gap": True, "reason": event.reason, "since": event.since})
    since = f" after {event.since}" if event.since else ""
    return f"--- The log stream was lost and is reconnected: lines{since} may be missing ({event.reason}) ---"


def follow_logs(ctx: Context, device_ids: list[str], options: StreamOptions | None = None) -> None:
    """Stream the devices' logs until Ctrl-C, a `closed` state, a line matching `--until`, or `--timeout`."""
    options = options or StreamOptions()
    out = ctx.out
    ids = list(dict.fromkeys(device_ids))
    if len(ids) > STREAM_DEVICE_LIMIT:
        left_out = ", ".join(ids[STREAM_DEVICE_LIMIT:])
        out.dialog(
            f"Warning: a log stream holds at most {STREAM_DEVICE_LIMIT} devices; "
            f"{len(ids) - STREAM_DEVICE_LIMIT} more are not streamed: {left_out}."
        )
        ids = ids[:STREAM_DEVICE_LIMIT]
    if out.is_json:
        out.data_written = True  # JSON Lines: no `{}` at the end
    deadline = time.monotonic() + options.timeout if options.timeout else None
    pump = LogPump(ctx.client, ids)
    printer = _Printer(ctx, ids, options)
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is None and not printer.opened:
                wait = _SUBSCRIBE_WAIT
            event = pump.next(wait)
            if event is None:
                if deadline is not None and time.monotonic() >= deadline:
                    raise StreamTimeoutError(f"The log stream timed out after {options.timeout:g} seconds.")
                printer.announce()  # subscriptions are slow: show the stream anyway
                continue
            if event is END or printer.handle(event):
                return
    except KeyboardInterrupt:
        return
    finally:
        pump.close()


class _Printer:
    """Turns stream events into output lines and decides when the stream is over."""

    def __init__(self, ctx: Context, ids: list[str], options: StreamOptions) -> None:
        self.out = ctx.out
        self.ids = ids
        self.options = options
        self.pending = set(ids)
        self.opened = False

    def announce(self) -> None:
        if self.opened:
            return
        self.opened = True
        self.out.dialog(f"Log stream for Device(s) {', '.join(self.ids)} is opened.")
        if self.out.verbose:
            self.out.info(SUCCEEDS)
            self.out.info("")
            self.out.info("Press <Ctrl-C> to exit.")
        self.out.stdout.flush()

    def handle(self, event: Any) -> bool:
        """Print one event; True when the stream is over."""
        from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import Gap, LogLine, StateChange

        if isinstance(event, StateChange):
            if event.state == "subscribed":
                self.pending.discard(event.device_id)
                if not self.pending:
                    self.announce()
            elif event.state == "closed":
                self.announce()
                self.out.info("The log stream is closed.")
                return True
            return False
        self.announce()
        if isinstance(event, Gap):
            self._write(gap_line(event, self.out.is_json))
            return False
        if not isinstance(event, LogLine) or (self.options.types and event.type not in self.options.types):
            return False
        text = render_text(event)
        self._write(render_json(event) if self.out.is_json else text)
        return bool(self.options.until and self.options.until.search(text))

    def _write(self, line: str) -> None:
        self.out.stdout.write(line + "\n")
        self.out.stdout.flush()
