# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT)
"""log_tail: wait on the controller for a device log line, the way wait_for waits for a port.

Streams the logs of devices (and the devices of device groups) with the client's ``logs.follow()``,
optionally back-filled from historical logs, under one monotonic deadline.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.electricimp.impcentral.plugins.module_utils.ansible_glue import (
    CONNECTION_ARGSPEC,
    connect,
    requests_missing,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import ImpCentralClientError
from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import END, Gap, LogLine, LogPump

ARGSPEC = dict(
    CONNECTION_ARGSPEC,
    devices=dict(type="list", elements="str", default=[]),
    device_groups=dict(type="list", elements="str", default=[]),
    search_regex=dict(type="str"),
    fail_regex=dict(type="str"),
    timeout=dict(type="float", default=300),
    lines=dict(type="int"),
    duration=dict(type="float"),
    since=dict(type="str"),
)
MAX_STREAM_DEVICES = 5


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGSPEC, required_one_of=[("devices", "device_groups")])[1]
        if requests_missing():
            raise AnsibleActionFail(missing_required_lib("requests"))
        tail = Tail(args)
        try:
            tail.run(connect(args, user_agent="ansible-log_tail"))
        except ImpCentralClientError as exc:
            tail.failure = exc.describe() if hasattr(exc, "describe") else str(exc)
        except (ValueError, re.error) as exc:
            tail.failure = str(exc)
        result.update(tail.report())
        return result


class Tail:
    """The waiting itself: one deadline, one pass over back-filled then streamed lines."""

    def __init__(self, args: dict) -> None:
        self.args = args
        self.search = re.compile(args["search_regex"]) if args["search_regex"] else None
        self.fail = re.compile(args["fail_regex"]) if args["fail_regex"] else None
        self.started = time.monotonic()
        limit = args["timeout"] if args["duration"] is None else min(args["timeout"], args["duration"])
        self.deadline = self.started + limit
        self.seen: list = []
        self.gaps: list = []
        self.devices: list = []
        self.match = None
        self.failure: str | None = None
        self.done = False

    def run(self, client) -> None:
        self.devices = self.resolve(client)
        if self.args["since"]:
            for line in self.backfill(client):
                if self.take(line):
                    return
        pump = LogPump(client, self.devices)
        try:
            while not self.done:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    break
                item = pump.next(remaining)
                if item is None or item is END:
                    break
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
        finally:
            pump.close()
            pump.join(1.0)
        if not self.done and self.search and self.failure is None:
            self.failure = "Timed out after %.1f seconds waiting for /%s/ in the logs of %s." % (
                self.elapsed(),
                self.search.pattern,
                ", ".join(self.devices),
            )

    def resolve(self, client) -> list:
        ids = [client.identify.one("device", d)["id"] for d in self.args["devices"]]
        for group in self.args["device_groups"]:
            group_id = client.identify.one("device_group", group)["id"]
            ids.extend(d["id"] for d in client.devices.list(device_group=group_id))
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise ValueError("No device to follow: the device groups have no devices.")
        if len(ids) > MAX_STREAM_DEVICES:
            raise ValueError(
                "impCentral streams the logs of at most %d devices at once; %d given (%s)."
                % (MAX_STREAM_DEVICES, len(ids), ", ".join(ids))
            )
        return ids

    def backfill(self, client) -> list:
        """Historical lines at or after ``since``, oldest first."""
        since = parse_since(self.args["since"])
        lines = []
        for device_id in self.devices:
            for entry in client.devices.iter_logs(device_id):
                if (entry.get("ts") or "") < since:
                    break
                lines.append(dict(entry, device_id=entry.get("device_id") or device_id))
        return sorted(lines, key=lambda line: line.get("ts") or "")

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
        }
        if self.failure:
            out.update(failed=True, msg=self.failure)
        return out


def parse_since(value: str) -> str:
    """An ISO-8601 timestamp, or a number of seconds ago, as an ISO string comparable with log ts."""
    if re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        moment = datetime.now(timezone.utc) - timedelta(seconds=float(value))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
    return value.strip()
