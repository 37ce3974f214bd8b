"""Staged rollouts (module_utils/workflows/rollout.py): wave plans, per-device verdicts, the abort decision,
resuming."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (
    AbortCriteria,
    RolloutError,
    Verdict,
    decide,
    evidence_lines,
    parse_waves,
    pending,
    plan_waves,
    resume_state,
    verdicts,
)

FLEET = [f"d{n:02}" for n in range(20)]


def test_waves_of_counts_and_percentages_are_cumulative_over_twenty_devices():
    plan = plan_waves(FLEET, [1, "10%", "50%", "100%"])
    assert [len(w) for w in plan.waves] == [1, 1, 8, 10]
    assert [d for w in plan.waves for d in w] == sorted(FLEET)  # every device once, in a stable order


def test_percentages_round_up_and_a_short_list_ends_with_everyone_left():
    assert [len(w) for w in plan_waves(FLEET, ["1%"]).waves] == [1, 19]
    assert [len(w) for w in plan_waves(FLEET, [1]).waves] == [1, 19]  # today's one canary, then the rest
    assert [len(w) for w in plan_waves(FLEET, [5, 3]).waves] == [5, 15]  # a smaller reach adds nothing
    assert [len(w) for w in plan_waves(FLEET, [50]).waves] == [20]


def test_bad_waves_are_refused_naming_the_value():
    for bad in (0, "0%", "150%", "ten", True, -2):
        with pytest.raises(RolloutError, match="wave"):
            parse_waves([bad])
    assert parse_waves(["3", " 25 % "]) == [("count", 3), ("percent", 25.0)]


def test_a_rerun_continues_from_the_devices_already_in_the_canary_group():
    state = resume_state([{"id": d} for d in FLEET[10:]], [{"id": d} for d in FLEET[:10]])
    plan = plan_waves(state["devices"], [1, "10%", "50%", "100%"], already=state["already"])
    assert plan.waves == plan_waves(FLEET, [1, "10%", "50%", "100%"]).waves  # the same plan as the first run
    assert plan.remaining() == [FLEET[10:]]  # only the last wave is left to move
    assert "(8 already moved by an earlier run)" in plan.lines("prod", "canary")[2]


def test_plan_lines_show_each_wave():
    lines = plan_waves(FLEET, [1, "50%"]).lines("prod", "canary")
    assert lines == [
        'Wave 1: move 1 device(s) of "prod" to "canary" (1 of 20, 5%)',
        'Wave 2: move 9 device(s) of "prod" to "canary" (10 of 20, 50%)',
        'Wave 3: move 10 device(s) of "prod" to "canary" (20 of 20, 100%)',
    ]


def test_verdicts_per_device_from_log_lines_and_online_state():
    lines = [
        {"device_id": "a", "msg": "firmware 2.1 ready"},
        {"device_id": "b", "msg": "firmware 2.1 ready"},
        {"device_id": "b", "msg": "ERROR: crash in loop()"},
        {"device_id": "c", "msg": "booting"},
    ]
    got = verdicts(["a", "b", "c", "d"], lines, search_regex="ready", fail_regex="ERROR", online={"d": False})
    assert got == [
        Verdict("a", True, "logged: firmware 2.1 ready"),
        Verdict("b", False, "logged /ERROR/: ERROR: crash in loop()"),
        Verdict("c", False, "no line matched /ready/ before the timeout"),
        Verdict("d", False, "offline after the restart"),
    ]
    still = verdicts(["a", "c"], lines, search_regex="ready", timed_out=False)
    assert pending(["a", "c"], still) == ["c"]


def test_abort_only_once_enough_devices_were_verified_and_the_share_is_over_the_threshold():
    criteria = AbortCriteria(failure_threshold_percent=20, min_number_of_executed_things=5)
    one_bad = [Verdict("a", False, "x")]
    assert not decide(one_bad, criteria).abort  # 1 verified: below the minimum
    five = one_bad + [Verdict(d, True, "ok") for d in "bcde"]
    assert not decide(five, criteria).abort  # 20% is not over 20%
    two_bad = five + [Verdict("f", False, "x")]
    decision = decide(two_bad, criteria)
    assert decision.abort and decision.reason == "2 of 6 verified device(s) failed (33%, over the 20% threshold)"
    assert decide(one_bad, AbortCriteria()).abort  # the default: any failure aborts, as today's canary does
    assert evidence_lines(two_bad)[0] == "a: FAILED x"


def test_criteria_are_checked():
    with pytest.raises(RolloutError, match="failure_threshold_percent"):
        AbortCriteria(failure_threshold_percent=120)
    with pytest.raises(RolloutError, match="min_number_of_executed_things"):
        AbortCriteria(min_number_of_executed_things=0)
