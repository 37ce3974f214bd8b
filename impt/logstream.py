"""Log streaming shared by `log stream` and the `--log` option of `build run`, `device restart`, `dg restart`.

Following is the shared `LogFollower` (plugins/module_utils/workflows/follow.py: subscription, gaps, the deadline);
this module only prints what it yields. Lines print as `[<device_id>] <ts> [<type>] <msg>` (JSON Lines with
`-z json`, one object per line with `log_type` as impt 2.6 has it, flushed per line). A dropped stream is
re-created by the client, which yields a `Gap`; it prints as one marker line. More devices than a stream
holds are read from their history (a warning line says which), and so are all devices once another client
opens the account's stream (one warning line; the stream is not reopened). Ctrl-C ends the stream with the
success phrase; `--until` / `--timeout` make it usable in CI (then the one status line comes at the end).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    STREAM_DEVICE_LIMIT,
    TIMEOUT,
    Clock,
    Gap,
    LogFollower,
    LogLine,
    StateChange,
    Subscribed,
    Switched,
)

from impt.context import Context
from impt.errors import StreamTimeoutError
from impt.output import SUCCEEDS, escape_control


@dataclass
class StreamOptions:
    """Beyond impt 2.6: stop on a matching line, give up after a while, keep some log types only."""

    until: re.Pattern | None = None
    timeout: float | None = None
    types: set[str] = field(default_factory=set)
    started: float | None = None  # monotonic start of the command: --timeout counts from there


def render_text(event: Any) -> str:
    return f"[{event.device_id}] {event.ts} [{event.type}] {event.msg}"


def render_json(event: Any) -> str:
    return json.dumps(
        {
            "device_id": event.device_id,
            "ts": event.ts,
            "log_type": event.log_type,
            "type": event.type,
            "msg": event.msg,
        },
        ensure_ascii=False,
    )


def gap_line(event: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps({"gap": True, "reason": event.reason, "since": event.since})
    since = f" after {event.since}" if event.since else ""
    return f"--- The log stream was lost and is reconnected: lines{since} may be missing ({event.reason}) ---"


def follow_logs(
    ctx: Context,
    device_ids: list[str],
    options: StreamOptions | None = None,
    *,
    clock: Clock | None = None,
    source: Any = None,
) -> None:
    """Stream the devices' logs until Ctrl-C, a `closed` state, a line matching `--until`, or `--timeout`.

    ``clock`` and ``source`` go to the follower (tests script the stream and the time)."""
    options = options or StreamOptions()
    out = ctx.out
    clock = clock or Clock()
    deadline = None
    if options.timeout:
        spent = 0.0 if options.started is None else clock.monotonic() - options.started
        deadline = max(0.0, options.timeout - spent)
    follower = LogFollower(ctx.client, device_ids, deadline=deadline, clock=clock, source=source)
    if follower.mode == "history":
        out.dialog(
            f"Warning: a log stream holds at most {STREAM_DEVICE_LIMIT} devices; the logs of all "
            f"{len(device_ids)} devices are read from their history every few seconds instead."
        )
    if out.is_json:
        out.data_written = True  # JSON Lines: no `{}` at the end
    printer = _Printer(ctx, follower.device_ids, options)
    try:
        with follower:
            while True:
                item = follower.next()
                if item is TIMEOUT:
                    raise StreamTimeoutError(f"The log stream timed out after {options.timeout:g} seconds.")
                if item is END or printer.handle(item):
                    return
    except KeyboardInterrupt:
        return


class _Printer:
    """Turns the follower's items into output lines and decides when the stream is over."""

    def __init__(self, ctx: Context, ids: list[str], options: StreamOptions) -> None:
        self.out = ctx.out
        self.ids = ids
        self.options = options
        self.opened = False
        self.quiet_success = options.timeout is not None or options.until is not None  # status once, at the end

    def announce(self) -> None:
        if self.opened:
            return
        self.opened = True
        self.out.dialog(f"Log stream for Device(s) {', '.join(self.ids)} is opened.")
        if self.out.verbose:
            if not self.quiet_success:
                self.out.info(SUCCEEDS)
                self.out.info("")
            self.out.info("Press <Ctrl-C> to exit.")
        self.out.stdout.flush()

    def handle(self, item: Any) -> bool:
        """Print one item; True when the stream is over."""
        if isinstance(item, Subscribed):
            self.announce()  # every device subscribed, or subscriptions are slow: show the stream anyway
            return False
        if isinstance(item, StateChange):
            if item.state != "closed":
                return False
            self.announce()
            self.out.info("The log stream is closed.")
            return True
        self.announce()
        if isinstance(item, Switched):
            self.out.dialog(
                f"Warning: {item.reason}; the logs of Device(s) {', '.join(item.device_ids)} are read from their "
                "history from now on (the stream is not reopened, which would close the other one)."
            )
            return False
        if isinstance(item, Gap):
            self._write(gap_line(item, self.out.is_json))
            return False
        if not isinstance(item, LogLine) or (self.options.types and item.type not in self.options.types):
            return False
        text = render_text(item)
        self._write(render_json(item) if self.out.is_json else escape_control(text))
        return bool(self.options.until and self.options.until.search(text))

    def _write(self, line: str) -> None:
        self.out.stdout.write(line + "\n")
        self.out.stdout.flush()
