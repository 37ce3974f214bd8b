"""Staged rollouts before anything moves (module_utils/rollout_plan.py): every option checked with a message that
names it, wave plans, resuming from the canary group's members, the abort decision."""

import math

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import resume_state
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_evidence import Verdict
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_plan import (
    AbortCriteria,
    RolloutError,
    check_waves,
    decide,
    parse_waves,
    plan_waves,
    settings_from_options,
)

FLEET = [f"d{n:02}" for n in range(20)]


def options(**changes) -> dict:
    """The action's options as its argument spec fills them (defaults of plugins/modules/release_rollout.py)."""
    values = dict(
        device_group="prod",
        canary_device_group="canary",
        waves=[1],
        search_regex="ready",
        fail_regex=None,
        verify_timeout=60.0,
        pause=0.0,
        restart="conditional",
        rollback=True,
        failure_threshold_percent=0.0,
        min_number_of_executed_things=1,
        history_rate=20.0,
    )
    values.update(changes)
    return values


# The cases of issue 21 (search_regex "(", fail_regex "*x", pause .inf and 1e300, verify_timeout .nan), then the
# other ranges. Each message must start with the option's name (or name it, for waves).
BAD = [
    ({"search_regex": "("}, "search_regex is not a valid Python regular expression ('('): missing ), unterminated"),
    ({"fail_regex": "*x"}, "fail_regex is not a valid Python regular expression ('*x'): nothing to repeat"),
    ({"search_regex": ""}, "search_regex must be a non-empty Python regular expression"),
    ({"pause": math.inf}, "pause must be a number of seconds from 0, at most 86400 (a day); got inf."),
    ({"pause": 1e300}, "pause must be a number of seconds from 0, at most 86400 (a day); got 1e+300."),
    ({"pause": -5.0}, "pause must be a number of seconds from 0"),
    (
        {"verify_timeout": math.nan},
        "verify_timeout must be a number of seconds above 0, at most 86400 (a day); got nan.",
    ),
    ({"verify_timeout": 0.0}, "verify_timeout must be a number of seconds above 0"),
    ({"verify_timeout": -math.inf}, "verify_timeout must be a number of seconds above 0"),
    ({"history_rate": 0.0}, "history_rate must be a number of requests per second above 0, at most 40"),
    ({"history_rate": 100.0}, "history_rate must be a number of requests per second above 0, at most 40"),
    ({"history_rate": math.nan}, "history_rate must be a number"),
    ({"failure_threshold_percent": 150.0}, "failure_threshold_percent must be a number from 0 to 100; got 150.0."),
    ({"failure_threshold_percent": math.nan}, "failure_threshold_percent must be a number from 0 to 100"),
    ({"min_number_of_executed_things": 0}, "min_number_of_executed_things must be a whole number, 1 or more"),
    ({"search_regex": None, "fail_regex": None}, "search_regex or fail_regex must be given"),
    ({"device_group": " "}, "device_group must name a device group"),
    ({"waves": []}, "waves must list at least one wave"),
    ({"waves": ["ten"]}, "waves must be counts"),
    ({"waves": [0]}, "waves: a wave count must be 1 or more"),
    ({"waves": ["150%"]}, 'waves must be counts (1) or percentages above 0% up to "100%"'),
    ({"waves": [5, 3]}, "waves are cumulative and must grow: wave 2 (3) is not more than an earlier wave (5)."),
    ({"waves": ["50%", "10%"]}, "waves are cumulative and must grow: wave 2 (10%) is not more than an earlier wave"),
    ({"waves": [1, "100%", 5]}, 'waves: wave 3 comes after "100%", which already moves every device.'),
    ({"restart": "soon"}, "restart must be one of conditional, immediate, none"),
]


@pytest.mark.parametrize(("changes", "message"), BAD, ids=[repr(c) for c, _ in BAD])
def test_every_bad_option_is_refused_naming_it(changes, message):
    with pytest.raises(RolloutError) as caught:
        settings_from_options(options(**changes))
    assert str(caught.value).startswith(message), str(caught.value)


def test_good_options_make_settings():
    settings = settings_from_options(options(waves=[1, "10%", "100%"], pause=300.0, fail_regex="ERROR"))
    assert settings.waves == [1, "10%", "100%"] and settings.target == "prod" and settings.canary == "canary"
    assert settings.criteria == AbortCriteria(0.0, 1) and settings.pause == 300.0
    assert check_waves([1, "10%", 5, "50%", 10]) == [
        ("count", 1),
        ("percent", 10.0),
        ("count", 5),
        ("percent", 50.0),
        ("count", 10),
    ]  # a count and a percentage compare only once the fleet is known


def test_waves_of_counts_and_percentages_are_cumulative_over_twenty_devices():
    plan = plan_waves(FLEET, [1, "10%", "50%", "100%"])
    assert [len(w) for w in plan.waves] == [1, 1, 8, 10]
    assert [d for w in plan.waves for d in w] == sorted(FLEET)  # every device once, in a stable order


def test_percentages_round_up_and_a_short_list_ends_with_everyone_left():
    assert [len(w) for w in plan_waves(FLEET, ["1%"]).waves] == [1, 19]
    assert [len(w) for w in plan_waves(FLEET, [1]).waves] == [1, 19]  # today's one canary, then the rest
    assert [len(w) for w in plan_waves(FLEET, [50]).waves] == [20]
    assert [len(w) for w in plan_waves(FLEET[:5], [1, "10%", "100%"]).waves] == [1, 4]  # 10% of 5 adds nobody


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
    assert "(8 already moved by an earlier run)" in plan.lines('"prod"', '"canary"')[2]


def test_plan_lines_show_each_wave_with_the_names_given():
    lines = plan_waves(FLEET, [1, "50%"]).lines('"prod"', '"canary"')
    assert lines == [
        'Wave 1: move 1 device(s) of "prod" to "canary" (1 of 20, 5%)',
        'Wave 2: move 9 device(s) of "prod" to "canary" (10 of 20, 50%)',
        'Wave 3: move 10 device(s) of "prod" to "canary" (20 of 20, 100%)',
    ]


def test_abort_only_once_enough_devices_were_verified_and_the_share_is_over_the_threshold():
    criteria = AbortCriteria(failure_threshold_percent=20, min_number_of_executed_things=5)
    one_bad = [Verdict("a", False, "x", "failed")]
    assert not decide(one_bad, criteria).abort  # 1 verified: below the minimum
    five = one_bad + [Verdict(d, True, "ok") for d in "bcde"]
    assert not decide(five, criteria).abort  # 20% is not over 20%
    two_bad = five + [Verdict("f", False, "x", "unverified")]  # an unverified device counts as failed
    decision = decide(two_bad, criteria)
    assert decision.abort and decision.reason == "2 of 6 verified device(s) failed (33%, over the 20% threshold)"
    assert decide(one_bad, AbortCriteria()).abort  # the default: any failure aborts, as the single canary does


def test_criteria_are_checked():
    with pytest.raises(RolloutError, match="failure_threshold_percent"):
        AbortCriteria(failure_threshold_percent=120)
    with pytest.raises(RolloutError, match="min_number_of_executed_things"):
        AbortCriteria(min_number_of_executed_things=0)
    with pytest.raises(RolloutError, match="min_number_of_executed_things"):
        AbortCriteria(min_number_of_executed_things=True)


def test_product_scopes_both_group_names_of_a_rollout(monkeypatch):
    """Issue 25: release_rollout's product option reaches the identification of both groups."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import rollout

    assert settings_from_options(options()).product is None
    settings = settings_from_options(options(product="Thermostat"))
    assert settings.product == "Thermostat"
    seen = []

    def one(_client, kind, value, product=None):
        seen.append((kind, value, product))
        raise RolloutError("stop after identification")

    monkeypatch.setattr(rollout.identify, "one", one)
    with pytest.raises(RolloutError):
        rollout.Rollout(None, settings, clock=None, follower=None).prepare()
    assert seen == [("device_group", "prod", "Thermostat")]
