# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""log_tail: wait on the controller for a device log line, the way wait_for waits for a port.

Streams the logs of devices (and the devices of device groups) with the client's ``logs.follow()``,
optionally back-filled from historical logs, under one monotonic deadline. In check mode only the
historical logs are read: opening a stream would close the account's other live stream.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from datetime import datetime, timedelta, timezone

from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue_auth import connect, requests_missing
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue_options import CONNECTION_ARGSPEC
from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import (
    EntityNotFoundError,
    ImpCentralClientError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import (
    END,
    Gap,
    LogLine,
    LogPump,
    StateChange,
)

ARGSPEC = dict(
    CONNECTION_ARGSPEC,
    devices=dict(type="list", elements="str", default=[]),
    device_groups=dict(type="list", elements="str", default=[]),
    search_regex=dict(type="str"),
    fail_regex=dict(type="str"),
    # Numbers are checked by check_options(), which names the option in a plain message.
    timeout=dict(type="raw", default=300),
    lines=dict(type="raw"),
    duration=dict(type="raw"),
    since=dict(type="str"),
)
MAX_STREAM_DEVICES = 5
SUBSCRIBE_WAIT = 5.0  # seconds to wait for the stream's "subscribed" events before reading the history
CHECK_MODE_NOTE = (
    "Check mode: the log stream was not opened (impCentral keeps one live log stream per account, and "
    "opening one would close any other)"
)


class OptionError(ValueError):
    """A task option has a value log_tail cannot use; the message names the option."""


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGSPEC, required_one_of=[("devices", "device_groups")])[1]
        try:
            tail = Tail(args, check_mode=bool(self._task.check_mode))
        except OptionError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        if requests_missing():
            result.update(failed=True, changed=False, msg=missing_required_lib("requests"))
            return result
        try:
            tail.run(connect(dict(args, timeout=tail.args["timeout"]), user_agent="ansible-log_tail"))
        except ImpCentralClientError as exc:
            tail.failure = exc.describe() if hasattr(exc, "describe") else str(exc)
        except ValueError as exc:
            tail.failure = str(exc)
        result.update(tail.report())
        return result


class Tail:
    """The waiting itself: one deadline, one pass over back-filled then streamed lines."""

    def __init__(self, args: dict, check_mode: bool = False) -> None:
        self.args = check_options(args)
        self.check_mode = check_mode
        self.search = self.args["search_regex"]
        self.fail = self.args["fail_regex"]
        self.since = self.args["since"]
        self.started = time.monotonic()
        limit = self.args["timeout"]
        if self.args["duration"] is not None:
            limit = min(limit, self.args["duration"])
        self.deadline = self.started + limit
        self.seen: list = []
        self.gaps: list = []
        self.devices: list = []
        self.missing: list = []
        self.match = None
        self.failure: str | None = None
        self.done = False
        self.streamed = False
        self.skip_reason: str | None = None

    def run(self, client) -> None:
        self.devices = self.resolve(client)
        if not self.devices:  # check mode only: the devices or groups do not exist yet, or have no devices
            self.skip_reason = "%s; no device to follow yet: %s." % (CHECK_MODE_NOTE, self.describe_missing())
            return
        if self.since is not None:
            for line in self.backfill(client):
                if self.take(line):
                    self.unmatched()
                    return
        if self.check_mode:
            if self.since is None:
                self.skip_reason = "%s; without since, no historical log was read." % CHECK_MODE_NOTE
            else:
                self.skip_reason = "%s; the historical logs since %s did not end the wait." % (
                    CHECK_MODE_NOTE,
                    self.since.isoformat(),
                )
            if self.missing:
                self.skip_reason += " Not followed: %s." % self.describe_missing()
            return
        self.stream(client)

    def unmatched(self) -> None:
        """The wait ended (deadline, duration or lines) and search_regex never matched: a failure."""
        if not self.search or self.match is not None or self.failure is not None or self.skip_reason:
            return
        if self.done:  # the lines limit
            why = "Stopped after %d lines" % len(self.seen)
        else:
            why = "Timed out after %.1f seconds" % self.elapsed()
        self.failure = "%s waiting for /%s/ in the logs of %s." % (why, self.search.pattern, ", ".join(self.devices))

    def stream(self, client) -> None:
        """Follow the stream. With ``since``, the history is read again once every device is subscribed:
        a line logged between the first read and the subscription is then not lost (nor taken twice)."""
        pump = LogPump(client, self.devices)
        self.streamed = True
        try:
            pending: list = []
            if self.since is not None:
                early = self.await_subscriptions(pump)
                known = {_line_key(line) for line in self.seen}
                pending = [line for line in self.backfill(client) if _line_key(line) not in known]
                known.update(_line_key(line) for line in pending)
                pending += [item for item in early if not _is_known(item, known)]
            for item in pending:
                if self.done:
                    break
                self.handle(item)
            while not self.done:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    break
                item = pump.next(remaining)
                if item is None or item is END:
                    break
                self.handle(item)
        finally:
            pump.close()
            pump.join(1.0)
        self.unmatched()

    def await_subscriptions(self, pump) -> list:
        """Stream events until a ``subscribed`` state change per device has come (at most a few seconds);
        the log lines and gaps received meanwhile are returned to be handled after the history."""
        early: list = []
        wanted = len(self.devices)
        until = min(self.deadline, time.monotonic() + SUBSCRIBE_WAIT)
        while wanted > 0:
            item = pump.next(max(0.0, until - time.monotonic()))
            if item is None or item is END:
                break
            if isinstance(item, StateChange):
                wanted -= item.state == "subscribed"
            else:
                early.append(item)
        return early

    def handle(self, item) -> None:
        """One stream item or back-filled line (a dict)."""
        if isinstance(item, Gap):
            self.gaps.append({"reason": item.reason, "since": item.since})
        elif isinstance(item, LogLine):
            self.take(
                {
                    "device_id": item.device_id,
                    "ts": item.ts,
                    "log_type": item.log_type,
                    "type": item.type,
                    "msg": item.msg,
                }
            )
        elif isinstance(item, dict):
            self.take(item)

    def resolve(self, client) -> list:
        """Device ids to follow. In check mode a device or group that is not found is noted, not an error
        (an earlier task of the play would create it), and an empty result is left to run()."""
        ids = []
        for device in self.args["devices"]:
            found = self.lookup(client, "device", device)
            if found:
                ids.append(found["id"])
        empty = []
        for group in self.args["device_groups"]:
            found = self.lookup(client, "device_group", group)
            if found:
                members = [d["id"] for d in client.devices.list(device_group=found["id"])]
                ids.extend(members)
                if not members:
                    empty.append(group)
        ids = list(dict.fromkeys(ids))
        if not ids and not self.check_mode:
            raise ValueError(
                "No device to follow: the device group%s %s %s no devices."
                % ("" if len(empty) == 1 else "s", ", ".join(empty), "has" if len(empty) == 1 else "have")
            )
        if not ids:
            self.missing.extend({"kind": "device_group", "name": group, "empty": True} for group in empty)
        if len(ids) > MAX_STREAM_DEVICES:
            raise ValueError(
                "impCentral streams the logs of at most %d devices at once; %d given (%s)."
                % (MAX_STREAM_DEVICES, len(ids), ", ".join(ids))
            )
        return ids

    def lookup(self, client, kind: str, value: str):
        try:
            return client.identify.one(kind, value)
        except EntityNotFoundError:
            if not self.check_mode:
                raise
            self.missing.append({"kind": kind, "name": value})
            return None

    def describe_missing(self) -> str:
        parts = []
        for entry in self.missing:
            label = "device group" if entry["kind"] == "device_group" else "device"
            state = "has no devices" if entry.get("empty") else "is not found"
            parts.append("%s %s %s" % (label, entry["name"], state))
        return "; ".join(parts)

    def backfill(self, client) -> list:
        """Historical lines at or after ``since``, oldest first.

        The API pages run newest first, and lines logged in the same millisecond share a time stamp, so
        each device's lines are put oldest first by reversing the API's order (not by sorting on the time
        stamp); the devices' lists are then merged by time stamp, each keeping its own order.
        """
        per_device = []
        for device_id in self.devices:
            newest_first = []
            for entry in client.devices.iter_logs(device_id):
                moment = parse_iso_timestamp(entry.get("ts"))
                if moment is None:
                    continue  # no readable time stamp: whether it is recent enough cannot be told
                if moment < self.since:
                    break
                newest_first.append((moment, dict(entry, device_id=entry.get("device_id") or device_id)))
            newest_first.reverse()
            per_device.append(newest_first)
        return [line for _moment, line in heapq.merge(*per_device, key=lambda pair: pair[0])]

    def take(self, line: dict) -> bool:
        """Record a line; True once the wait is over."""
        self.seen.append(line)
        text = line.get("msg") or ""
        if self.fail and self.fail.search(text):
            self.failure = "Log line matched fail_regex /%s/: %s" % (self.fail.pattern, text)
            self.done = True
        elif self.search and self.search.search(text):
            self.match = self.search.search(text)
            self.done = True
        elif self.args["lines"] is not None and len(self.seen) >= self.args["lines"]:
            self.done = True
        return self.done

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def report(self) -> dict:
        out = {
            "changed": False,
            "lines": self.seen,
            "matched": self.match is not None,
            "match_groups": list(self.match.groups()) if self.match else [],
            "match_groupdict": self.match.groupdict() if self.match else {},
            "gaps": self.gaps,
            "devices": self.devices,
            "elapsed": self.elapsed(),
            "stream_opened": self.streamed,
        }
        if self.missing:
            out["predicted_missing"] = [{"kind": e["kind"], "name": e["name"]} for e in self.missing]
        if self.failure:
            out.update(failed=True, msg=self.failure)
        elif self.skip_reason:
            out.update(skipped=True, msg=self.skip_reason)
        return out


def _line_key(line: dict) -> tuple:
    """What makes a log line the same whether it came from the history or the stream."""
    return (line.get("device_id"), parse_iso_timestamp(line.get("ts")), line.get("msg"))


def _is_known(item, known: set) -> bool:
    if not isinstance(item, LogLine):
        return False
    return (item.device_id, parse_iso_timestamp(item.ts), item.msg) in known


def check_options(args: dict) -> dict:
    """The options log_tail uses, converted and checked; ``OptionError`` names the option at fault."""
    out = dict(args)
    if not args.get("devices") and not args.get("device_groups"):
        raise OptionError("devices or device_groups must be given (a non-empty list): there is nothing to follow.")
    out["search_regex"] = compile_option(args.get("search_regex"), "search_regex")
    out["fail_regex"] = compile_option(args.get("fail_regex"), "fail_regex")
    out["timeout"] = seconds_option(args.get("timeout", 300), "timeout")
    out["duration"] = None if args.get("duration") is None else seconds_option(args["duration"], "duration")
    out["lines"] = None if args.get("lines") is None else count_option(args["lines"], "lines")
    out["since"] = parse_since(args["since"]) if args.get("since") not in (None, "") else None
    return out


def compile_option(value, name: str):
    if value is None or value == "":
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise OptionError("%s is not a valid Python regular expression (%r): %s." % (name, value, exc)) from None


def seconds_option(value, name: str) -> float:
    """A number of seconds, zero or more."""
    number = None
    if not isinstance(value, bool):
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise OptionError("%s must be a number of seconds, zero or more; got %r." % (name, _plain(value)))
    return number


def count_option(value, name: str) -> int:
    """A whole number, one or more."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        number = int(value)
    if number is None or number < 1:
        raise OptionError("%s must be a whole number, one or more; got %r." % (name, _plain(value)))
    return number


def _plain(value):
    """The value as a plain Python type, so messages do not show Ansible's tagged types."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return str(value)


ISO_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)


def parse_iso_timestamp(value) -> datetime | None:
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


def parse_since(value) -> datetime:
    """``since`` as an aware datetime: a number of seconds ago, or an ISO-8601 time stamp with any offset."""
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        try:
            return datetime.now(timezone.utc) - timedelta(seconds=float(text))
        except OverflowError:
            pass
    else:
        moment = parse_iso_timestamp(text)
        if moment is not None:
            return moment
    raise OptionError(
        "since must be a number of seconds ago (for example 300) or an ISO 8601 time stamp "
        "(for example 2026-01-01T10:00:00Z or 2026-01-01T12:00:00+02:00); got %r." % str(value)
    )
