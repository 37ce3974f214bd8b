# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""log_tail: wait on the controller for a device log line, the way wait_for waits for a port.

Follows the logs of devices (and the devices of device groups) with the shared ``LogFollower``: streamed up
to the stream's device limit, read from the history beyond it or once another client takes the account's
stream; optionally back-filled from historical logs; under one monotonic deadline. In check mode only the
historical logs are read: opening a stream would close the account's other live stream.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from ansible.module_utils.basic import missing_required_lib
from ansible.parsing.mod_args import ModuleArgsParser
from ansible.plugins.action import ActionBase

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    ImpCentralClientError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    TIMEOUT,
    Clock,
    HISTORY_RATE,
    Gap,
    LogFollower,
    LogLine,
    Switched,
    line_dict,
    parse_iso_timestamp,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect, requests_missing
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import (
    CONNECTION_ARGSPEC,
    connection_problem,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.targets import device_targets

ARGSPEC = dict(
    CONNECTION_ARGSPEC,
    devices=dict(type="list", elements="str", default=[]),
    device_groups=dict(type="list", elements="str", default=[]),
    search_regex=dict(type="str"),
    fail_regex=dict(type="str"),
    # Numbers are checked by check_options(), which names the option in a plain message. timeout is the HTTP
    # read timeout of every module (default 60); given on the task itself without wait_timeout it is also the
    # wait, as it was formerly (deprecated, see split_timeouts()).
    timeout=dict(type="raw"),
    wait_timeout=dict(type="raw"),
    lines=dict(type="raw"),
    duration=dict(type="raw"),
    since=dict(type="str"),
    history_rate=dict(type="raw", default=HISTORY_RATE),
    product=dict(type="str"),
)
WAIT_TIMEOUT = 300.0
HTTP_TIMEOUT = float(CONNECTION_ARGSPEC["timeout"]["default"])  # every module's read timeout
TIMEOUT_REMOVAL_VERSION = "2.0.0"
TIMEOUT_DEPRECATION = (
    "log_tail: timeout given on the task without wait_timeout is also the wait, as before; from version %s of "
    "electricimp.impcentral, timeout is only the HTTP read timeout, as in every other module of the action group. "
    "Use wait_timeout for the wait." % TIMEOUT_REMOVAL_VERSION
)
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
            args, deprecated = split_timeouts(args, own_options(self._task))
            tail = Tail(args, check_mode=bool(self._task.check_mode))
        except OptionError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        if deprecated:
            result["deprecations"] = [
                {
                    "msg": TIMEOUT_DEPRECATION,
                    "version": TIMEOUT_REMOVAL_VERSION,
                    "collection_name": "electricimp.impcentral",
                }
            ]
        if requests_missing():
            result.update(failed=True, changed=False, msg=missing_required_lib("requests"))
            return result
        client = None
        try:
            client = connect(args, user_agent="ansible-log_tail", waits=True)
            tail.run(client)
        except AmbiguousEntityError as exc:
            option = "devices" if exc.kind == "device" else "device_groups"
            try:
                tail.failure = identify.how_to_choose(client, exc, option)
            except ImpCentralClientError:
                tail.failure = str(exc)
        except ImpCentralClientError as exc:
            tail.failure = exc.describe() if hasattr(exc, "describe") else str(exc)
        except ValueError as exc:
            tail.failure = str(exc)
        result.update(tail.report())
        return result


class Tail:
    """The waiting itself: the shared ``LogFollower`` under one deadline, each line checked as it comes.

    ``clock`` and ``source`` reach the follower (tests inject them; see follow.py)."""

    def __init__(self, args: dict, check_mode: bool = False, *, clock: Clock | None = None, source=None) -> None:
        self.clock = clock or Clock()
        self.source = source
        self.args = check_options(args, self.clock)
        self.check_mode = check_mode
        self.search = self.args["search_regex"]
        self.fail = self.args["fail_regex"]
        self.since = self.args["since"]
        self.started = self.clock.monotonic()
        limit = self.args["wait_timeout"]
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
        self.how: dict = {}
        self.warnings: list = []

    def run(self, client) -> None:
        self.devices = self.resolve(client)
        if not self.devices:  # check mode only: the devices or groups do not exist yet, or have no devices
            self.skip_reason = "%s; no device to follow yet: %s." % (CHECK_MODE_NOTE, self.describe_missing())
            return
        follower = LogFollower(
            client,
            self.devices,
            since=self.since,
            stream=not self.check_mode,
            deadline=max(0.0, self.deadline - self.clock.monotonic()),
            rate=self.args["history_rate"],
            clock=self.clock,
            source=self.source,
        )
        try:
            while not self.done:
                item = follower.next()
                if item is END or item is TIMEOUT:
                    break
                self.handle(item)
        finally:
            follower.close()
            self.streamed = follower.stream_opened
            self.how = follower.summary()
        if self.check_mode and not self.done:
            self.skip_reason = self.check_mode_reason()
            return
        self.unmatched()

    def check_mode_reason(self) -> str:
        if self.since is None:
            reason = "%s; without since, no historical log was read." % CHECK_MODE_NOTE
        else:
            reason = "%s; the historical logs since %s did not end the wait." % (
                CHECK_MODE_NOTE,
                self.since.isoformat(),
            )
        if self.missing:
            reason += " Not followed: %s." % self.describe_missing()
        return reason

    def unmatched(self) -> None:
        """The wait ended (deadline, duration or lines) and search_regex never matched: a failure."""
        if not self.search or self.match is not None or self.failure is not None or self.skip_reason:
            return
        if self.done:  # the lines limit
            why = "Stopped after %d lines" % len(self.seen)
        else:
            why = "Timed out after %.1f seconds" % self.elapsed()
        self.failure = "%s waiting for /%s/ in the logs of %s." % (why, self.search.pattern, ", ".join(self.devices))

    def handle(self, item) -> None:
        """One item of the follower: lines are taken, gaps noted, state changes ignored."""
        if isinstance(item, Gap):
            self.gaps.append({"reason": item.reason, "since": item.since})
        elif isinstance(item, Switched):
            self.warnings.append("Reading the logs from the device history from now on: %s." % item.reason)
        elif isinstance(item, LogLine):
            self.take(line_dict(item))

    def resolve(self, client) -> list:
        """Device ids to follow. In check mode a device or group that is not found is noted, not an error
        (an earlier task of the play would create it), and an empty result is left to run()."""
        found = device_targets(
            client, self.args["devices"], self.args["device_groups"], find=lambda kind, v: self.lookup(client, kind, v)
        )
        ids, empty = found.device_ids, found.empty_groups
        if not ids and not self.check_mode:
            raise ValueError(
                "No device to follow: the device group%s %s %s no devices."
                % ("" if len(empty) == 1 else "s", ", ".join(empty), "has" if len(empty) == 1 else "have")
            )
        if not ids:
            self.missing.extend({"kind": "device_group", "name": group, "empty": True} for group in empty)
        return ids

    def lookup(self, client, kind: str, value: str):
        product = self.args.get("product") if kind == "device_group" else None
        try:
            return identify.one(client, kind, value, product=product)
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
        return round(self.clock.monotonic() - self.started, 3)

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
            "mode": self.how.get("mode", "history" if self.check_mode else "stream"),
            "stream_devices": self.how.get("stream_devices", []),
            "history_devices": self.how.get("history_devices", []),
            "history_requests": self.how.get("history_requests", 0),
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.missing:
            out["predicted_missing"] = [{"kind": e["kind"], "name": e["name"]} for e in self.missing]
        if self.failure:
            out.update(failed=True, msg=self.failure)
        elif self.skip_reason:
            out.update(skipped=True, msg=self.skip_reason)
        return out


def own_options(task) -> set | None:
    """The option names given for this task itself: in the task, or in ``module_defaults`` for log_tail by
    name (not for a group such as ``group/electricimp.impcentral.impcentral``). None when the task's own
    arguments cannot be told apart (then every given option counts as the task's own)."""
    ds = task.get_ds() if hasattr(task, "get_ds") else None
    if not isinstance(ds, dict):
        return None
    try:
        raw_args = ModuleArgsParser(ds, collection_list=task.collections).parse(skip_action_validation=True)[1]
    except Exception:  # noqa: BLE001 - arguments built by a template: not known before templating
        return None
    names = set(raw_args or {})
    defaults = task.module_defaults if isinstance(task.module_defaults, list) else []
    for entry in defaults:
        for action, values in entry.items() if isinstance(entry, dict) else ():
            if not action.startswith("group/") and action.split(".")[-1] == "log_tail" and isinstance(values, dict):
                names.update(values)
    return names


def split_timeouts(args: dict, own: set | None) -> tuple:
    """(args with ``timeout`` the HTTP read timeout and ``wait_timeout`` the wait, whether the deprecated
    meaning was used). A ``timeout`` from the action group's ``module_defaults`` is only the HTTP timeout and
    leaves the wait alone; one given on the task itself, without ``wait_timeout``, keeps its old meaning (the
    wait, and the HTTP timeout too, as before) with a deprecation warning."""
    out = dict(args)
    timeout = args.get("timeout")
    own_timeout = timeout is not None and (own is None or "timeout" in own)
    if args.get("wait_timeout") is None and own_timeout:
        out["wait_timeout"] = seconds_option(timeout, "timeout")
        out["timeout"] = out["wait_timeout"] or None  # 0 (no wait) leaves the HTTP timeout at its default
        return out, True
    out["wait_timeout"] = WAIT_TIMEOUT if args.get("wait_timeout") is None else args["wait_timeout"]
    out["timeout"] = HTTP_TIMEOUT if timeout is None else timeout
    problem = connection_problem({"timeout": out["timeout"]}, strict=True)
    if problem:
        raise OptionError(problem)
    return out, False


def check_options(args: dict, clock: Clock | None = None) -> dict:
    """The options log_tail uses, converted and checked; ``OptionError`` names the option at fault."""
    out = dict(args)
    if not args.get("devices") and not args.get("device_groups"):
        raise OptionError("devices or device_groups must be given (a non-empty list): there is nothing to follow.")
    out["search_regex"] = compile_option(args.get("search_regex"), "search_regex")
    out["fail_regex"] = compile_option(args.get("fail_regex"), "fail_regex")
    out["wait_timeout"] = seconds_option(args.get("wait_timeout", WAIT_TIMEOUT), "wait_timeout")
    out["duration"] = None if args.get("duration") is None else seconds_option(args["duration"], "duration")
    out["lines"] = None if args.get("lines") is None else count_option(args["lines"], "lines")
    out["history_rate"] = rate_option(args.get("history_rate", HISTORY_RATE), "history_rate")
    out["since"] = parse_since(args["since"], clock) if args.get("since") not in (None, "") else None
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


def rate_option(value, name: str) -> float:
    """Requests per second, above zero."""
    try:
        number = seconds_option(value, name)
    except OptionError:
        number = 0.0
    if number <= 0:
        raise OptionError("%s must be a number of requests per second above zero; got %r." % (name, _plain(value)))
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


def parse_since(value, clock: Clock | None = None) -> datetime:
    """``since`` as an aware datetime: a number of seconds ago, or an ISO-8601 time stamp with any offset."""
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        try:
            return (clock or Clock()).now() - timedelta(seconds=float(text))
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
