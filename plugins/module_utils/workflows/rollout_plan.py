"""Staged rollouts, before anything moves: the settings (every option checked), the wave plan, the abort rule.

Waves are counts or percentages of the target group's devices (``[1, "10%", "50%", "100%"]``), each the
cumulative share reached by the end of that wave, as AWS IoT Jobs' rollouts count. The abort criteria are named
as AWS IoT Jobs names them: a ``failure_threshold_percent`` that, once ``min_number_of_executed_things`` devices
were verified, aborts the rollout. Everything here is checked before the first write, and every message names
the option at fault.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

__all__ = [
    "AbortCriteria",
    "Decision",
    "RolloutError",
    "RolloutSettings",
    "WavePlan",
    "decide",
    "parse_waves",
    "plan_waves",
    "settings_from_options",
]

ACCOUNT_RATE_LIMIT = 40.0  # requests per second impCentral allows an account
DAY = 86400.0  # the longest verify_timeout and pause accepted: a longer one is a typo, not a plan
RESTARTS = ("conditional", "immediate", "none")


class RolloutError(ValueError):
    """An option, a wave list or a criterion that cannot be used; the message names it."""


@dataclass(frozen=True)
class AbortCriteria:
    """Abort once at least ``min_number_of_executed_things`` devices were verified and more than
    ``failure_threshold_percent`` of them failed (AWS IoT Jobs' ``abortConfig`` names)."""

    failure_threshold_percent: float = 0.0
    min_number_of_executed_things: int = 1

    def __post_init__(self) -> None:
        share = self.failure_threshold_percent
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 100:
            raise RolloutError("failure_threshold_percent must be a number from 0 to 100; got %r." % (share,))
        count = self.min_number_of_executed_things
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RolloutError("min_number_of_executed_things must be a whole number, 1 or more; got %r." % (count,))


@dataclass
class RolloutSettings:
    """What a staged rollout needs besides the client: groups (ids or names), waves, checks and criteria."""

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
    history_rate: float = ACCOUNT_RATE_LIMIT / 2
    product: Optional[str] = None  # the product both groups are looked for in (a name shared across products)

    def check(self) -> "RolloutSettings":
        """Every rule an option must meet, before any request; ``RolloutError`` names the option."""
        for name, value in (("device_group", self.target), ("canary_device_group", self.canary)):
            if not isinstance(value, str) or not value.strip():
                raise RolloutError("%s must name a device group (id, name or {account}{product}{group})." % name)
        check_waves(self.waves)
        for name in ("search_regex", "fail_regex"):
            _regex(name, getattr(self, name))
        if not self.search_regex and not self.fail_regex:
            raise RolloutError("search_regex or fail_regex must be given: a wave cannot be verified without one.")
        _seconds("verify_timeout", self.timeout, minimum=0.0, inclusive=False)
        _seconds("pause", self.pause, minimum=0.0, inclusive=True)
        rate = self.history_rate
        if not _number(rate) or not 0 < rate <= ACCOUNT_RATE_LIMIT:
            raise RolloutError(
                "history_rate must be a number of requests per second above 0, at most %g (the account's rate "
                "limit); got %r." % (ACCOUNT_RATE_LIMIT, rate)
            )
        if self.restart not in RESTARTS:
            raise RolloutError("restart must be one of %s; got %r." % (", ".join(RESTARTS), self.restart))
        AbortCriteria.__post_init__(self.criteria)
        return self


def settings_from_options(options: dict) -> RolloutSettings:
    """The release_rollout options (as the action's argument spec fills them) as checked settings."""
    try:
        criteria = AbortCriteria(options["failure_threshold_percent"], options["min_number_of_executed_things"])
    except TypeError:
        raise RolloutError("failure_threshold_percent and min_number_of_executed_things must be numbers.") from None
    return RolloutSettings(
        target=options["device_group"],
        canary=options["canary_device_group"],
        waves=list(options["waves"] if options["waves"] is not None else [1]),
        search_regex=options.get("search_regex"),
        fail_regex=options.get("fail_regex"),
        timeout=options["verify_timeout"],
        pause=options["pause"],
        restart=options["restart"],
        rollback=bool(options["rollback"]),
        criteria=criteria,
        history_rate=options["history_rate"],
        product=options.get("product") or None,
    ).check()


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _seconds(name: str, value: Any, *, minimum: float, inclusive: bool) -> None:
    low_ok = _number(value) and (value >= minimum if inclusive else value > minimum)
    if not low_ok or value > DAY:
        raise RolloutError(
            "%s must be a number of seconds %s %g, at most %d (a day); got %r."
            % (name, "from" if inclusive else "above", minimum, DAY, value)
        )


def _regex(name: str, pattern: Optional[str]) -> None:
    if pattern is None:
        return
    if not isinstance(pattern, str) or pattern == "":
        raise RolloutError("%s must be a non-empty Python regular expression; got %r." % (name, pattern))
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RolloutError("%s is not a valid Python regular expression (%r): %s." % (name, pattern, exc)) from None


def parse_waves(waves: Optional[Iterable]) -> list:
    """The wave list as ``("count", n)`` / ``("percent", p)`` items; refuses anything else by name."""
    out = []
    for item in list(waves or []):
        if isinstance(item, bool):
            raise RolloutError('waves must be counts (1) or percentages ("10%%"); got %r.' % (item,))
        if isinstance(item, int) or (isinstance(item, str) and re.fullmatch(r"\s*\d+\s*", item)):
            number = int(item)
            if number < 1:
                raise RolloutError("waves: a wave count must be 1 or more; got %r." % (item,))
            out.append(("count", number))
            continue
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", item) if isinstance(item, str) else None
        if found is None or not 0 < float(found.group(1)) <= 100:
            raise RolloutError('waves must be counts (1) or percentages above 0%% up to "100%%"; got %r.' % (item,))
        out.append(("percent", float(found.group(1))))
    return out


def check_waves(waves: Optional[Iterable]) -> list:
    """Parsed waves that can be run as written: at least one, each count above the counts before it, each
    percentage above the percentages before it, nothing after "100%". (A count and a percentage compare only
    once the fleet is known; a wave that adds nobody then is left out of the plan.)"""
    parsed = parse_waves(waves)
    if not parsed:
        raise RolloutError('waves must list at least one wave (for example [1] or [1, "10%", "100%"]).')
    last = {"count": 0.0, "percent": 0.0}
    for number, (kind, value) in enumerate(parsed, 1):
        if last["percent"] >= 100:
            raise RolloutError('waves: wave %d comes after "100%%", which already moves every device.' % number)
        if value <= last[kind]:
            shown = "%g%%" % value if kind == "percent" else "%d" % value
            earlier = "%g%%" % last[kind] if kind == "percent" else "%d" % last[kind]
            raise RolloutError(
                "waves are cumulative and must grow: wave %d (%s) is not more than an earlier wave (%s)."
                % (number, shown, earlier)
            )
        last[kind] = value
    return parsed


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

    @property
    def total(self) -> int:
        return sum(len(w) for w in self.waves)

    def lines(self, target: str, canary: str) -> list:
        """The plan as play output lines (``target`` and ``canary`` as the user should read them)."""
        total = self.total
        done = set(self.done)
        out = []
        reached = 0
        for number, wave in enumerate(self.waves, 1):
            reached += len(wave)
            already = len([d for d in wave if d in done])
            note = " (%d already moved by an earlier run)" % already if already else ""
            share = round(100 * reached / total) if total else 0
            out.append(
                "Wave %d: move %d device(s) of %s to %s (%d of %d, %d%%)%s"
                % (number, len(wave), target, canary, reached, total, share, note)
            )
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
class Decision:
    """``abort`` and why, from every verdict so far."""

    abort: bool
    verified: int
    failed: int
    reason: str


def decide(results: Iterable[Any], criteria: AbortCriteria) -> Decision:
    """Abort when at least the minimum of devices were verified and the failed share is over the threshold.

    ``results`` are verdicts (anything with ``ok``); an unverified or offline device counts as failed."""
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
