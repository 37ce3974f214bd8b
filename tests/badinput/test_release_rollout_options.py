"""Bad options of the release_rollout action fail with a message naming the option, before any request.

release_rollout is an action plugin (its module file is documentation only), so the modules corpus cannot
run it; its options are checked here through the action's own ``settings_from``."""

from __future__ import annotations

import pytest
from ansible_collections.electricimp.impcentral.plugins.action.release_rollout import ARGSPEC, settings_from
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import RolloutError


def args(**changes) -> dict:
    """The action's arguments as its argument spec fills them, with a valid rollout unless changed."""
    values = {name: spec.get("default") for name, spec in ARGSPEC.items()}
    values.update(device_group="prod", canary_device_group="canary", search_regex="ready")
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"waves": ["ten"]}, "waves must be counts"),
        ({"waves": [0]}, "a wave count must be 1 or more"),
        ({"waves": ["0%"]}, "percentages above 0%"),
        ({"waves": ["150%"]}, 'up to "100%"'),
        ({"verify_timeout": -1}, "verify_timeout must be a positive number"),
        ({"pause": -5}, "pause must be a positive number"),
        ({"history_rate": 0}, "history_rate must be a positive number"),
        ({"search_regex": None, "fail_regex": None}, "search_regex or fail_regex must be given"),
    ],
)
def test_bad_options_are_refused(changes, message, tried):
    tried["release_rollout options"] += 1
    with pytest.raises(RolloutError, match=message.replace("(", r"\(")):
        settings_from(args(**changes))


def test_good_options_make_settings():
    settings = settings_from(args(waves=[1, "10%", "100%"]))
    assert settings.waves == [1, "10%", "100%"] and settings.target == "prod" and settings.canary == "canary"
