"""Per-device verification of a staged rollout: each device is judged only on what its new build logged.

impCentral does not say which build a device runs. What it does record, in the device's own log, is the moment
the device loads a build it did not run before: the ``status`` line ``Downloading new code; N% program storage
used`` (spec §9). A device's *evidence window* therefore starts after its latest such line logged after the
later of

* the canary group's current deployment's ``created_at`` (no line before it can come from that build), and
* for devices this run moves, the server's time (the ``Date`` header) of the last answer before their move;

and ends now. Lines before the window were logged by whatever the device ran before (the build being replaced,
or an earlier release that crashed) and are never read as evidence. A device with no window yet has not been
seen running the build: it is *unverified* (it is waited for, and times out as unverified), never passed or
failed on older lines. A device an earlier run moved that is offline now cannot have booted since its move:
it is judged offline without reading its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import parse_iso_timestamp

__all__ = ["BOOT_LINE", "Evidence", "Verdict", "evidence_lines", "is_boot_line", "pending"]

BOOT_LINE = "Downloading new code"  # impCentral's status line when a device loads a build it did not run


def is_boot_line(line: dict) -> bool:
    """The status line that says the device now runs a build it did not run before."""
    return line.get("type") == "status" and str(line.get("msg") or "").startswith(BOOT_LINE)


@dataclass(frozen=True)
class Verdict:
    """One device's verification.

    ``state``: ``passed``, ``failed`` (a line matched fail_regex), ``unverified`` (no line decided it before the
    timeout, or the device was never seen running the build) or ``offline``. ``line`` is the deciding line,
    ``window_start`` the time stamp of the boot line the window starts after."""

    device_id: str
    ok: bool
    evidence: str
    state: str = "passed"
    name: Optional[str] = None
    window_start: Optional[str] = None
    line: Optional[dict] = None

    def as_dict(self) -> dict:
        return {
            "device_id": self.device_id,
            "name": self.name,
            "ok": self.ok,
            "state": self.state,
            "evidence": self.evidence,
            "window_start": self.window_start,
            "line": self.line,
        }


class _Window:
    """One device's lines after its latest boot into a new build, since ``since``."""

    def __init__(self, since: Optional[datetime]) -> None:
        self.since = since
        self.boot: Optional[dict] = None
        self.lines: list = []

    def add(self, line: dict) -> None:
        moment = parse_iso_timestamp(line.get("ts"))
        if moment is None or (self.since is not None and moment < self.since):
            return
        if is_boot_line(line):
            self.boot, self.lines = line, []  # what came before was logged by the code it ran before
        elif self.boot is not None:
            self.lines.append(line)


class Evidence:
    """The evidence windows of a set of devices, fed line by line (each device's lines oldest first).

    ``since``: per device id, the earliest moment its window may start. ``resumed``: devices an earlier run
    moved (offline means not booted since: judged offline, lines unread). ``names``: shown beside the ids."""

    def __init__(
        self,
        since: dict,
        *,
        search_regex: Optional[str] = None,
        fail_regex: Optional[str] = None,
        resumed: Iterable[str] = (),
        names: Optional[dict] = None,
    ) -> None:
        self.search = re.compile(search_regex) if search_regex else None
        self.fail = re.compile(fail_regex) if fail_regex else None
        self.windows = {device: _Window(moment) for device, moment in since.items()}
        self.resumed = set(resumed)
        self.names = names or {}

    def add(self, line: dict) -> None:
        window = self.windows.get(line.get("device_id"))
        if window is not None:
            window.add(line)

    def verdict(self, device: str, *, online: Optional[bool] = None, final: bool = False) -> Optional[Verdict]:
        """The device's verdict, or None while it is still undecided (``final``: the wait is over)."""
        window = self.windows[device]
        if online is False and device in self.resumed:
            return self._make(device, False, "offline: it has not booted since an earlier run moved it", "offline")
        if window.boot is None:
            if not final:
                return None
            since = window.since.isoformat() if window.since else "the build's deployment"
            if online is False:
                return self._make(device, False, "offline: not seen running the build (no boot since %s)" % since)
            return self._make(
                device,
                False,
                "unverified: not seen running the build (no '%s' status line since %s)" % (BOOT_LINE, since),
                "unverified",
            )
        found = self._first(window, self.fail)
        if found is not None:
            evidence = "logged /%s/: %s" % (self.fail.pattern, found.get("msg"))  # type: ignore[union-attr]
            return self._make(device, False, evidence, "failed", window=window, line=found)
        if final and online is False:
            return self._make(device, False, "offline after the restart", "offline", window=window)
        if self.search is not None:
            found = self._first(window, self.search)
            if found is not None:
                return self._make(device, True, "logged: %s" % found.get("msg"), "passed", window=window, line=found)
            if not final:
                return None
            started = window.boot.get("ts")
            evidence = "unverified: no line matched /%s/ since it began running the build at %s" % (
                self.search.pattern,
                started,
            )
            return self._make(device, False, evidence, "unverified", window=window)
        if not final:
            return None
        since = window.boot.get("ts")
        return self._make(device, True, "online, running the build since %s" % since, "passed", window=window)

    def verdicts(self, devices: Iterable[str], *, online: Optional[dict] = None, final: bool = False) -> list:
        """The verdicts of ``devices`` that are decided (all of them when ``final``)."""
        out = []
        for device in devices:
            found = self.verdict(device, online=(online or {}).get(device), final=final)
            if found is not None:
                out.append(found)
        return out

    @staticmethod
    def _first(window: _Window, pattern: Optional[re.Pattern]) -> Optional[dict]:
        if pattern is None:
            return None
        return next((line for line in window.lines if pattern.search(str(line.get("msg") or ""))), None)

    def _make(
        self,
        device: str,
        ok: bool,
        evidence: str,
        state: str = "offline",
        *,
        window: Optional[_Window] = None,
        line: Optional[dict] = None,
    ) -> Verdict:
        shown = None if line is None else {k: line.get(k) for k in ("ts", "type", "msg")}
        start = window.boot.get("ts") if window is not None and window.boot is not None else None
        return Verdict(device, ok, evidence, state, self.names.get(device), start, shown)


def pending(device_ids: Iterable[str], results: Iterable[Verdict]) -> list:
    """The devices that have no verdict yet (the wait goes on for them only)."""
    seen = {v.device_id for v in results}
    return [d for d in device_ids if d not in seen]


def evidence_lines(results: Iterable[Verdict]) -> list:
    """One line per device for the play's messages: name (id): state and evidence."""
    return ["%s: %s %s" % (shown(v.device_id, v.name), "ok" if v.ok else "FAILED", v.evidence) for v in results]


def shown(identifier: str, name: Optional[str]) -> str:
    """``name (id)``, or the id alone for a nameless device or group."""
    return "%s (%s)" % (name, identifier) if name and name != identifier else identifier
