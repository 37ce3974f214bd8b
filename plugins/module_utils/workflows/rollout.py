"""Staged rollouts: move, restart, verify, decide and roll back, resumable from impCentral's state alone.

``release_promotion`` moves the target group's devices in waves to a canary group that runs the new build.
No local state is kept: a re-run (another controller, a fresh container, days later) reads who is in the
canary group already, verifies those devices again on their own evidence windows (rollout_evidence.py) and
runs the waves that are left. Every write goes through the client's transport, whose guard stops the run
between two writes when it is cancelled (cancel.py). The plan, options and abort rule are in rollout_plan.py.
Pure Python: the same code serves the action plugin, the benchmark and the tests.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.cancel import Cancelled
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    HISTORY_ROUND,
    TIMEOUT,
    Clock,
    LogFollower,
    LogLine,
    line_dict,
    parse_iso_timestamp,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_evidence import (
    Evidence,
    Verdict,
    evidence_lines,
    shown,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_plan import (
    AbortCriteria,
    Decision,
    RolloutError,
    RolloutSettings,
    WavePlan,
    decide,
    plan_waves,
)

__all__ = [
    "EMPTY_REPORT",
    "AbortCriteria",
    "Rollout",
    "RolloutError",
    "RolloutSettings",
    "Verdict",
    "WavePlan",
    "resume_state",
    "run_rollout",
]

# What the result holds when nothing could be planned (an option refused before any request).
EMPTY_REPORT = {
    "plan": [],
    "build": {},
    "waves": [],
    "moved": [],
    "verdicts": [],
    "aborted": False,
    "rolled_back": False,
}
PROGRESS_EVERY = 10.0  # seconds between two progress lines while a wave is verified
LISTED = 10  # devices named in one progress line; the rest are counted


def resume_state(target_devices: Iterable[Any], canary_devices: Iterable[Any]) -> dict:
    """What impCentral shows after a controller died half way: devices already in the canary group are the
    waves already moved; the rest are still in the target group."""
    ids = [_id(d) for d in canary_devices]
    return {"already": ids, "devices": [_id(d) for d in target_devices] + ids}


def _id(device: Any) -> str:
    return device["id"] if isinstance(device, dict) else str(device)


class Rollout:
    """Runs the waves against impCentral through the client: move, restart, verify, decide, pause; on abort
    every moved device goes back to the target group (which still runs the previous build) and restarts.

    ``follower(client, ids, since, deadline)`` makes the log follower; ``clock`` gives ``now()``,
    ``monotonic()`` and ``sleep()``; ``progress(text)`` shows a line as it happens; ``after_write(kind, detail)``
    is called after each write (``move``, ``restart``, ``rollback move``, ``rollback restart``)."""

    def __init__(
        self,
        client: Any,
        settings: RolloutSettings,
        *,
        clock: Any,
        follower: Any,
        progress: Optional[Callable[[str], None]] = None,
        after_write: Optional[Callable[[str, Any], None]] = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.clock = clock
        self.follower = follower
        self.say = progress or (lambda _text: None)
        self.after_write = after_write
        self.results: list = []
        self.waves: list = []
        self.moved: list = []
        self.writes = 0
        self.plan: Optional[WavePlan] = None
        self.aborted: Optional[Decision] = None
        self.rolled_back = False
        self.names: dict = {}
        self.build: dict = {}
        self.build_created: Optional[datetime] = None
        self.target_id = self.canary_id = ""

    # -- before the first write ----------------------------------------------------------------------

    def prepare(self) -> WavePlan:
        """Resolve both groups and the canary's build, list the devices, plan; refuse (``RolloutError``) what
        cannot run. Reads only. Devices already in the canary group count as moved."""
        settings = self.settings
        target = identify.one(self.client, "device_group", settings.target, product=settings.product)
        canary = identify.one(self.client, "device_group", settings.canary, product=settings.product)
        self.target_id, self.canary_id = target["id"], canary["id"]
        self.names.update({target["id"]: attr(target, "name"), canary["id"]: attr(canary, "name")})
        if target["id"] == canary["id"]:
            raise RolloutError(
                "canary_device_group must be another device group than device_group; both are %s."
                % self.group(target["id"])
            )
        deployment_id = rel_id(canary, "current_deployment")
        if not deployment_id:
            raise RolloutError(
                "canary_device_group %s has no build (no current deployment): deploy the build to promote there "
                "first." % self.group(canary["id"])
            )
        deployment = self.client.deployments.get(deployment_id)
        self.build = {"id": deployment_id, "sha": attr(deployment, "sha"), "created_at": attr(deployment, "created_at")}
        self.build_created = parse_iso_timestamp(self.build["created_at"])
        target_devices = self.client.devices.list(device_group=target["id"])
        canary_devices = self.client.devices.list(device_group=canary["id"])
        for device in list(target_devices) + list(canary_devices):
            self.names[device["id"]] = attr(device, "name")
        state = resume_state(target_devices, canary_devices)
        self.plan = plan_waves(state["devices"], settings.waves, already=state["already"])
        minimum = settings.criteria.min_number_of_executed_things
        if 0 < self.plan.total < minimum:
            raise RolloutError(
                "min_number_of_executed_things is %d, but the rollout covers %d device(s): the abort criteria "
                "could never apply." % (minimum, self.plan.total)
            )
        self.moved = list(self.plan.done)
        return self.plan

    def group(self, group_id: str) -> str:
        return '"%s" (%s)' % (self.names.get(group_id) or group_id, group_id)

    def device(self, device_id: str) -> str:
        return shown(device_id, self.names.get(device_id))

    def devices(self, ids: list) -> str:
        named = ", ".join(self.device(d) for d in ids[:LISTED])
        return named + (" and %d more" % (len(ids) - LISTED) if len(ids) > LISTED else "")

    def plan_lines(self) -> list:
        if self.plan is None:
            return []
        names = ('"%s"' % (self.names.get(self.target_id) or self.target_id),)
        names += ('"%s"' % (self.names.get(self.canary_id) or self.canary_id),)
        return self.plan.lines(*names)

    # -- the waves -------------------------------------------------------------------------------------

    def run(self) -> bool:
        """Every remaining wave; True when the rollout went through, False when it aborted (and rolled back)."""
        plan = self.plan or self.prepare()
        todo = plan.remaining()
        if plan.done:
            todo.insert(0, [])  # devices moved by an earlier run are verified again before the next wave
        for number, wave in enumerate(todo, 1):
            recheck = plan.done if number == 1 and plan.done else []
            self._wave("Wave %d of %d" % (number, len(todo)), wave, recheck)
            if self.aborted is not None:
                if self.settings.rollback:
                    self.roll_back()
                return False
            if number < len(todo) and self.settings.pause > 0:
                self.say("Pausing %g s before wave %d of %d." % (self.settings.pause, number + 1, len(todo)))
                self.clock.sleep(self.settings.pause)
        return True

    def _wave(self, label: str, wave: list, recheck: list) -> None:
        settings = self.settings
        if recheck:
            self.say(
                "%s: %d device(s) already in %s from an earlier run, verified again: %s"
                % (label, len(recheck), self.group(self.canary_id), self.devices(recheck))
            )
        # The server's time of the last answer before the move: no boot this move causes can be older (the move's
        # own answer may come from a retry, later than the move itself). Without a Date header only the build's
        # created_at bounds the windows: the controller's clock may be off.
        moved_after = _server_time(self.client)
        if wave:
            self.say(
                "%s: moving %d device(s) from %s to %s: %s"
                % (label, len(wave), self.group(self.target_id), self.group(self.canary_id), self.devices(wave))
            )
            self.client.device_groups.add_devices(self.canary_id, wave)
            self.moved.extend(wave)
            self._wrote("move", wave)
        self._restart(label, list(recheck) + list(wave))
        watch = list(recheck) + list(wave)
        since = {d: self.build_created for d in recheck}
        since.update({d: _later(self.build_created, moved_after) for d in wave})
        evidence = Evidence(
            since,
            search_regex=settings.search_regex,
            fail_regex=settings.fail_regex,
            resumed=recheck,
            names=self.names,
        )
        self._watch(label, watch, evidence)
        # One listing (a request per 100 devices) rather than one GET per device: the rate limit is shared.
        listed = self.client.devices.list(device_group=self.canary_id)
        online = {d["id"]: attr(d, "device_online") for d in listed}
        found = evidence.verdicts(watch, online={d: online.get(d) for d in watch}, final=True)
        self.results.extend(found)
        decision = decide(self.results, settings.criteria)
        states = ("passed", "failed", "unverified", "offline")
        counts = {state: len([v for v in found if v.state == state]) for state in states}
        self.say("%s: %s" % (label, ", ".join("%d %s" % (n, state) for state, n in counts.items())))
        for line in evidence_lines([v for v in found if not v.ok][:20]):
            self.say("  " + line)
        self.say("%s: %s (%s)" % (label, "abort" if decision.abort else "continue", decision.reason))
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

    def _restart(self, label: str, devices: list) -> None:
        """The restart policy for the devices just moved (and, on a re-run, those an earlier run moved: it may
        have died between its move and its restart)."""
        if not devices or self.settings.restart == "none":
            return
        if self.settings.restart == "conditional":
            # One request: only devices not yet on the canary group's build restart.
            self.say("%s: conditional restart of %s" % (label, self.group(self.canary_id)))
            self.client.device_groups.restart(self.canary_id, conditional=True)
            self._wrote("restart", self.canary_id)
            return
        self.say("%s: restarting %d device(s)" % (label, len(devices)))
        for device_id in devices:
            self.client.devices.restart(device_id)
            self._wrote("restart", device_id)

    def _watch(self, label: str, device_ids: list, evidence: Evidence) -> None:
        """Feed the devices' lines to ``evidence`` until each has a verdict or the timeout passed."""
        if not device_ids:
            return
        moments = [w.since for w in evidence.windows.values() if w.since is not None]
        start = min(moments) if moments else datetime.fromtimestamp(0, timezone.utc)
        follower = self.follower(self.client, device_ids, start, self.settings.timeout)
        undecided = set(device_ids)
        shown_at = self.clock.monotonic()
        try:
            while undecided:
                item = follower.next(timeout=PROGRESS_EVERY)
                if item is END or item is TIMEOUT:
                    break
                if isinstance(item, LogLine):
                    line = line_dict(item)
                    evidence.add(line)
                    device = line["device_id"]
                    if device in undecided and evidence.verdict(device) is not None:
                        undecided.discard(device)
                if self.clock.monotonic() - shown_at >= PROGRESS_EVERY:
                    shown_at = self.clock.monotonic()
                    decided = evidence.verdicts([d for d in device_ids if d not in undecided])
                    passed = len([v for v in decided if v.ok])
                    left = follower.remaining()
                    self.say(
                        "%s: %d of %d device(s) decided (%d passed, %d failed)%s"
                        % (
                            label,
                            len(decided),
                            len(device_ids),
                            passed,
                            len(decided) - passed,
                            "; waiting up to %.0f s more" % left if left is not None else "",
                        )
                    )
        finally:
            follower.close()

    def roll_back(self) -> None:
        """Every moved device back to the target group, restarted on the previous build."""
        if self.moved:
            self.say(
                "Rolling back: moving %d device(s) back to %s and restarting them: %s"
                % (len(self.moved), self.group(self.target_id), self.devices(self.moved))
            )
            self.client.device_groups.add_devices(self.target_id, self.moved)
            self._wrote("rollback move", list(self.moved))
            for device_id in self.moved:
                self.client.devices.restart(device_id)
                self._wrote("rollback restart", device_id)
        self.rolled_back = True

    def _wrote(self, kind: str, detail: Any) -> None:
        self.writes += 1
        if self.after_write is not None:
            self.after_write(kind, detail)

    def report(self) -> dict:
        """The plan, each wave, each verdict with its evidence, and the outcome, for the play output."""
        out = {
            "plan": self.plan_lines(),
            "build": dict(self.build),
            "waves": self.waves,
            "moved": list(self.moved),
            "verdicts": [v.as_dict() for v in self.results],
            "aborted": self.aborted is not None,
            "rolled_back": self.rolled_back,
        }
        if self.aborted is not None:
            out["abort_reason"] = self.aborted.reason
            out["evidence"] = evidence_lines(v for v in self.results if not v.ok)
        return out


def _later(first: Optional[datetime], second: Optional[datetime]) -> Optional[datetime]:
    moments = [m for m in (first, second) if m is not None]
    return max(moments) if moments else None


def _server_time(client: Any) -> Optional[datetime]:
    """The server's clock from its latest answer's ``Date`` header (whole seconds), None without one."""
    raw = getattr(getattr(client, "transport", None), "server_date", None)
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run_rollout(
    client: Any,
    settings: RolloutSettings,
    *,
    check_mode: bool = False,
    clock: Optional[Clock] = None,
    source: Any = None,
    progress: Optional[Callable[[str], None]] = None,
    after_write: Optional[Callable[[str, Any], None]] = None,
    round_interval: float = HISTORY_ROUND,
) -> dict:
    """Check, plan and (unless check mode) run the waves; the result for the task (never raises for the API).

    A cancelled run (``Cancelled`` from the transport's guard) ends with ``cancelled: true``: what was moved
    stays moved and a re-run resumes."""
    settings.check()
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
            round_interval=round_interval,
            clock=clock,
            source=source,
        )

    rollout = Rollout(client, settings, clock=clock, follower=follower, progress=progress, after_write=after_write)
    try:
        plan = rollout.prepare()
    except RolloutError as exc:
        return dict(rollout.report(), failed=True, changed=False, msg=str(exc))
    say = progress or (lambda _text: None)
    say(
        "Rollout of build %s (deployment %s) from %s to %s: %d device(s), %d already moved"
        % (
            str(rollout.build.get("sha") or "")[:12],
            rollout.build.get("id"),
            rollout.group(rollout.target_id),
            rollout.group(rollout.canary_id),
            plan.total,
            len(plan.done),
        )
    )
    for line in rollout.plan_lines():
        say(line)
    if check_mode:
        out = rollout.report()
        out.update(changed=bool(plan.remaining()), msg="Check mode: planned only, no device moved.")
        return out
    try:
        ok = rollout.run()
    except (Cancelled, ImpCentralClientError) as exc:
        out = rollout.report()
        reason = exc.reason if isinstance(exc, Cancelled) else (exc.describe() if hasattr(exc, "describe") else exc)
        out.update(
            failed=True,
            changed=rollout.writes > 0,
            cancelled=isinstance(exc, Cancelled),
            msg="Rollout stopped: %s. Nothing was moved or restarted after that; the devices stay where they are "
            "(%d moved to %s so far). Run the task again to resume."
            % (reason, len(rollout.moved), rollout.group(rollout.canary_id)),
        )
        say(out["msg"])
        return out
    out = rollout.report()
    out["changed"] = rollout.writes > 0
    if not ok:
        out["failed"] = True
        out["msg"] = "Rollout aborted: %s%s." % (
            out["abort_reason"],
            "; every wave rolled back" if rollout.rolled_back else "; not rolled back (rollback is false)",
        )
    say(out.get("msg") or "Rollout done: %d device(s) in %s." % (len(rollout.moved), rollout.group(rollout.canary_id)))
    return out
