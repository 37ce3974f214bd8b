"""Staged rollouts: the wave plan, per-device verification, the abort decision and the resume state.

``release_promotion`` moves the target group's devices in waves to a canary group that runs the new build.
Waves are counts or percentages of the target group's devices (``[1, "10%", "50%", "100%"]``), each the
cumulative share reached by the end of that wave, as AWS IoT Jobs' rollouts count. The abort criteria are
named as AWS IoT Jobs names them: a ``failure_threshold_percent`` that, once ``min_number_of_executed_things``
devices were verified, aborts the rollout. Pure Python: the same decisions serve the action plugin, the
benchmark and the tests, and impCentral's state (who is in the canary group already) is the resume state.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.resources import attr
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    TIMEOUT,
    Clock,
    LogFollower,
    LogLine,
    line_dict,
)

__all__ = [
    "AbortCriteria",
    "Rollout",
    "RolloutSettings",
    "Verdict",
    "WavePlan",
    "decide",
    "parse_waves",
    "plan_waves",
    "run_rollout",
    "verdicts",
]


class RolloutError(ValueError):
    """A wave list or criterion that cannot be used; the message names it."""


@dataclass(frozen=True)
class AbortCriteria:
    """Abort once at least ``min_number_of_executed_things`` devices were verified and more than
    ``failure_threshold_percent`` of them failed (AWS IoT Jobs' ``abortConfig`` names)."""

    failure_threshold_percent: float = 0.0
    min_number_of_executed_things: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.failure_threshold_percent <= 100:
            raise RolloutError(
                "failure_threshold_percent must be between 0 and 100; got %r." % (self.failure_threshold_percent,)
            )
        if self.min_number_of_executed_things < 1:
            raise RolloutError(
                "min_number_of_executed_things must be 1 or more; got %r." % (self.min_number_of_executed_things,)
            )


@dataclass
class WavePlan:
    """Device ids per wave (``waves``), those already moved before this run (``done``), the rest to move."""

    waves: list
    done: list = field(default_factory=list)

    def remaining(self) -> list:
        """The waves still to run, each without the devices a previous run already moved."""
        moved = set(self.done)
        out = []
        for wave in self.waves:
            left = [d for d in wave if d not in moved]
            if left:
                out.append(left)
        return out

    def lines(self, target: str, canary: str) -> list:
        """The plan as play output lines."""
        total = sum(len(w) for w in self.waves)
        out = []
        reached = 0
        for number, wave in enumerate(self.waves, 1):
            reached += len(wave)
            already = len([d for d in wave if d in set(self.done)])
            note = " (%d already moved by an earlier run)" % already if already else ""
            out.append(
                'Wave %d: move %d device(s) of "%s" to "%s" (%d of %d, %d%%)%s'
                % (
                    number,
                    len(wave),
                    target,
                    canary,
                    reached,
                    total,
                    round(100 * reached / total) if total else 0,
                    note,
                )
            )
        return out


def parse_waves(waves: Optional[Iterable]) -> list:
    """The wave list as ``("count", n)`` / ``("percent", p)`` items; refuses anything else by name."""
    out = []
    for item in list(waves or []):
        if isinstance(item, bool):
            raise RolloutError('waves must be counts (1) or percentages ("10%%"); got %r.' % (item,))
        if isinstance(item, int) or (isinstance(item, str) and re.fullmatch(r"\s*\d+\s*", item)):
            number = int(item)
            if number < 1:
                raise RolloutError("a wave count must be 1 or more; got %r." % (item,))
            out.append(("count", number))
            continue
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", item) if isinstance(item, str) else None
        if found is None or not 0 < float(found.group(1)) <= 100:
            raise RolloutError('waves must be counts (1) or percentages above 0%% up to "100%%"; got %r.' % (item,))
        out.append(("percent", float(found.group(1))))
    return out


def plan_waves(
    devices: Iterable[str], waves: Optional[Iterable], *, already: Iterable[str] = (), all_devices: bool = True
) -> WavePlan:
    """Split ``devices`` (the target group's devices plus ``already``, those in the canary group) into waves.

    Each wave item is the cumulative size reached at its end: a count of devices, or a percentage of the
    fleet rounded up (so ``"1%"`` of 20 devices is one device). Devices are taken in a stable order (already
    moved ones first, then by id), so a re-run plans the same waves. With ``all_devices`` a last wave
    takes whoever is left after the list (``[1]`` alone is today's one canary, then everything)."""
    moved = sorted(dict.fromkeys(already))
    rest = sorted(d for d in dict.fromkeys(devices) if d not in set(moved))
    fleet = moved + rest
    total = len(fleet)
    plan: list = []
    taken = 0
    for kind, value in parse_waves(waves):
        reach = value if kind == "count" else math.ceil(total * value / 100 - 1e-9)
        reach = min(total, max(reach, taken))
        if reach > taken:
            plan.append(fleet[taken:reach])
            taken = reach
    if all_devices and taken < total:
        plan.append(fleet[taken:])
    return WavePlan(plan, moved)


@dataclass(frozen=True)
class Verdict:
    """One device's verification: ``ok``, and the evidence (the matching or failing line, or why not)."""

    device_id: str
    ok: bool
    evidence: str


def verdicts(
    device_ids: Iterable[str],
    lines: Iterable[dict],
    *,
    search_regex: Optional[str] = None,
    fail_regex: Optional[str] = None,
    online: Optional[dict] = None,
    timed_out: bool = True,
) -> list:
    """Per device: a line matching ``fail_regex`` fails it, one matching ``search_regex`` passes it; a device
    offline after the restart, or without a match when the wait ended (``timed_out``), fails."""
    search = re.compile(search_regex) if search_regex else None
    fail = re.compile(fail_regex) if fail_regex else None
    found: dict = {}
    for line in lines:
        device = line.get("device_id")
        if device in found and not found[device].ok:
            continue
        text = str(line.get("msg") or "")
        if fail is not None and fail.search(text):
            found[device] = Verdict(device, False, "logged /%s/: %s" % (fail.pattern, text))
        elif device not in found and search is not None and search.search(text):
            found[device] = Verdict(device, True, "logged: %s" % text)
    out = []
    for device in device_ids:
        if device in found and not found[device].ok:
            out.append(found[device])
        elif online is not None and online.get(device) is False:
            out.append(Verdict(device, False, "offline after the restart"))
        elif search is None or device in found:
            out.append(found.get(device) or Verdict(device, True, "online"))
        elif timed_out:
            out.append(Verdict(device, False, "no line matched /%s/ before the timeout" % search.pattern))
    return out


def pending(device_ids: Iterable[str], results: Iterable[Verdict]) -> list:
    """The devices of a wave that have no verdict yet (the wait goes on for them only)."""
    seen = {v.device_id for v in results}
    return [d for d in device_ids if d not in seen]


@dataclass(frozen=True)
class Decision:
    """``abort`` and why, from every verdict so far."""

    abort: bool
    verified: int
    failed: int
    reason: str


def decide(results: Iterable[Verdict], criteria: AbortCriteria) -> Decision:
    """Abort when at least the minimum of devices were verified and the failed share is over the threshold."""
    results = list(results)
    verified = len(results)
    failed = len([v for v in results if not v.ok])
    share = 100.0 * failed / verified if verified else 0.0
    if verified >= criteria.min_number_of_executed_things and failed and share > criteria.failure_threshold_percent:
        reason = "%d of %d verified device(s) failed (%.0f%%, over the %g%% threshold)" % (
            failed,
            verified,
            share,
            criteria.failure_threshold_percent,
        )
        return Decision(True, verified, failed, reason)
    return Decision(False, verified, failed, "%d of %d verified device(s) failed" % (failed, verified))


def evidence_lines(results: Iterable[Verdict]) -> list:
    """One line per device for the play's failure message."""
    return ["%s: %s %s" % (v.device_id, "ok" if v.ok else "FAILED", v.evidence) for v in results]


def resume_state(target_devices: Iterable[Any], canary_devices: Iterable[Any]) -> dict:
    """What impCentral shows after a controller died half way: devices already in the canary group are the
    waves already moved (they run the new build); the rest are still in the target group."""
    ids = [_id(d) for d in canary_devices]
    return {"already": ids, "devices": [_id(d) for d in target_devices] + ids}


def _id(device: Any) -> str:
    return device["id"] if isinstance(device, dict) else str(device)


@dataclass
class RolloutSettings:
    """What a staged rollout needs besides the client: groups (ids), waves, checks and criteria."""

    target: str
    canary: str
    waves: list
    search_regex: Optional[str] = None
    fail_regex: Optional[str] = None
    timeout: float = 60.0
    pause: float = 0.0
    restart: str = "conditional"
    rollback: bool = True
    criteria: AbortCriteria = field(default_factory=AbortCriteria)
    history_rate: Optional[float] = None


class Rollout:
    """Runs the waves against impCentral through the client: move, restart, verify, decide, pause; on abort
    every moved device goes back to the target group (which still runs the previous build) and restarts.

    ``follower(client, ids, since, deadline)`` makes the log follower (tests inject one with a fake clock);
    ``clock`` gives ``now()``, ``monotonic()`` and ``sleep()``."""

    def __init__(self, client: Any, settings: RolloutSettings, *, clock: Any, follower: Any) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock
        self.follower = follower
        self.results: list = []
        self.waves: list = []
        self.moved: list = []
        self.plan: Optional[WavePlan] = None
        self.aborted: Optional[Decision] = None
        self.rolled_back = False

    def prepare(self) -> WavePlan:
        """The plan from what impCentral shows now (devices already in the canary group count as moved)."""
        target = self.client.devices.list(device_group=self.settings.target)
        canary = self.client.devices.list(device_group=self.settings.canary)
        state = resume_state(target, canary)
        self.plan = plan_waves(state["devices"], self.settings.waves, already=state["already"])
        self.moved = list(self.plan.done)
        return self.plan

    def run(self) -> bool:
        """Every remaining wave; True when the rollout went through, False when it aborted (and rolled back)."""
        plan = self.plan or self.prepare()
        todo = plan.remaining()
        if plan.done:
            todo.insert(0, [])  # devices moved by an earlier run are verified again before the next wave
        for number, wave in enumerate(todo, 1):
            recheck = plan.done if number == 1 and plan.done else []
            self._wave(wave, recheck)
            if self.aborted is not None:
                if self.settings.rollback:
                    self.roll_back()
                return False
            if number < len(todo) and self.settings.pause > 0:
                self.clock.sleep(self.settings.pause)
        return True

    def _wave(self, wave: list, recheck: list) -> None:
        since = self.clock.now()
        if wave:
            self.client.device_groups.add_devices(self.settings.canary, wave)
            self.moved.extend(wave)
            if self.settings.restart == "conditional":
                # One request: only devices not yet on the canary group's build restart (this wave's).
                self.client.device_groups.restart(self.settings.canary, conditional=True)
            elif self.settings.restart == "immediate":
                for device_id in wave:
                    self.client.devices.restart(device_id)
        watch = list(recheck) + list(wave)
        lines = self._watch(watch, since if wave else None)
        # One listing (a request per 100 devices) rather than one GET per device: the rate limit is shared.
        states = {d["id"]: _online(d) for d in self.client.devices.list(device_group=self.settings.canary)}
        online = {d: states.get(d) for d in watch}
        found = verdicts(
            watch, lines, search_regex=self.settings.search_regex, fail_regex=self.settings.fail_regex, online=online
        )
        self.results.extend(found)
        decision = decide(self.results, self.settings.criteria)
        self.waves.append(
            {
                "devices": list(wave),
                "rechecked": list(recheck),
                "verified": len(found),
                "failed": len([v for v in found if not v.ok]),
                "decision": decision.reason,
            }
        )
        if decision.abort:
            self.aborted = decision

    def _watch(self, device_ids: list, since: Optional[datetime]) -> list:
        """Lines of the devices until each has a verdict or the per-device timeout passed."""
        if not device_ids or not (self.settings.search_regex or self.settings.fail_regex):
            return []
        start = since or datetime.fromtimestamp(0, timezone.utc)
        follower = self.follower(self.client, device_ids, start, self.settings.timeout)
        lines: list = []
        try:
            while True:
                item = follower.next()
                if item is END or item is TIMEOUT:
                    break
                if isinstance(item, LogLine):
                    lines.append(line_dict(item))
                    partial = verdicts(
                        device_ids,
                        lines,
                        search_regex=self.settings.search_regex,
                        fail_regex=self.settings.fail_regex,
                        timed_out=False,
                    )
                    if not pending(device_ids, partial):
                        break
        finally:
            follower.close()
        return lines

    def roll_back(self) -> None:
        """Every moved device back to the target group, restarted on the previous build."""
        if self.moved:
            self.client.device_groups.add_devices(self.settings.target, self.moved)
            for device_id in self.moved:
                self.client.devices.restart(device_id)
        self.rolled_back = True

    def report(self) -> dict:
        """The plan, each wave, each verdict and the outcome, for the play output."""
        out = {
            "plan": self.plan.lines(self.settings.target, self.settings.canary) if self.plan else [],
            "waves": self.waves,
            "moved": list(self.moved),
            "verdicts": [{"device_id": v.device_id, "ok": v.ok, "evidence": v.evidence} for v in self.results],
            "aborted": self.aborted is not None,
            "rolled_back": self.rolled_back,
        }
        if self.aborted is not None:
            out["abort_reason"] = self.aborted.reason
            out["evidence"] = evidence_lines(v for v in self.results if not v.ok)
        return out


def _online(device: Any) -> Optional[bool]:
    value = attr(device, "device_online") if isinstance(device, dict) else None
    return None if value is None else bool(value)


def run_rollout(
    client: Any, settings: RolloutSettings, *, check_mode: bool = False, clock: Any = None, source: Any = None
) -> dict:
    """Resolve both groups, plan, and (unless check mode) run the waves; the result for the task."""
    settings.target = identify.one(client, "device_group", settings.target)["id"]
    settings.canary = identify.one(client, "device_group", settings.canary)["id"]
    clock = clock or Clock()

    def follower(api, ids, since, deadline):
        # History reading only: verifying a wave never takes the account's log stream from another client.
        return LogFollower(
            api,
            ids,
            since=since,
            deadline=deadline,
            max_devices=0,
            rate=settings.history_rate,
            clock=clock,
            source=source,
        )

    rollout = Rollout(client, settings, clock=clock, follower=follower)
    plan = rollout.prepare()
    if check_mode:
        out = rollout.report()
        out.update(changed=bool(plan.remaining()), msg="Check mode: planned only, no device moved.")
        return out
    ok = rollout.run()
    out = rollout.report()
    out["changed"] = bool(rollout.moved)
    if not ok:
        out["failed"] = True
        out["msg"] = "Rollout aborted: %s%s." % (
            out["abort_reason"],
            "; every wave rolled back" if rollout.rolled_back else "; not rolled back (rollback is false)",
        )
    return out
