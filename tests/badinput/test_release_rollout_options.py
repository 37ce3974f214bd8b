"""Bad options of the release_rollout action fail with a message naming the option, before any request.

release_rollout is an action plugin (its module file is documentation only), so the modules corpus cannot run
it: the action runs here in-process, connected to the test emulator, and the emulator's request log must show
that nothing at all was sent. The first five values are issue 21's: they used to fail only after a device moved
(or, for ``.nan``, to hang)."""

from __future__ import annotations

import math
from unittest import mock

import pytest
from ansible_collections.electricimp.impcentral.plugins.action import release_rollout

CASES = [
    ({"search_regex": "("}, "search_regex is not a valid Python regular expression ('(')"),
    ({"fail_regex": "*x"}, "fail_regex is not a valid Python regular expression ('*x')"),
    ({"pause": math.inf}, "pause must be a number of seconds from 0, at most 86400 (a day); got inf."),
    ({"pause": 1e300}, "pause must be a number of seconds from 0, at most 86400 (a day); got 1e+300."),
    ({"verify_timeout": math.nan}, "verify_timeout must be a number of seconds above 0, at most 86400"),
    ({"verify_timeout": -1}, "verify_timeout must be a number of seconds above 0"),
    ({"history_rate": 0}, "history_rate must be a number of requests per second above 0, at most 40"),
    ({"history_rate": "inf"}, "history_rate must be a number of requests per second above 0, at most 40"),
    ({"waves": ["ten"]}, "waves must be counts"),
    ({"waves": [10, 5]}, "waves are cumulative and must grow: wave 2 (5)"),
    ({"waves": ["100%", 1]}, 'waves: wave 2 comes after "100%"'),
    ({"failure_threshold_percent": "nan"}, "failure_threshold_percent must be a number from 0 to 100"),
    ({"min_number_of_executed_things": 0}, "min_number_of_executed_things must be a whole number, 1 or more"),
    ({"search_regex": None, "fail_regex": None}, "search_regex or fail_regex must be given"),
]


def run_action(emulator, **changes) -> dict:
    args = dict(
        endpoint=emulator.base_url,
        username="demo",
        password="demo-password",
        token_cache=False,
        device_group="prod",
        canary_device_group="canary",
        search_regex="ready",
    )
    args.update(changes)
    task = mock.MagicMock()
    task.args = {k: v for k, v in args.items() if v is not None}
    task.async_val = 0
    task.check_mode = False
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = release_rollout.ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), None, mock.MagicMock())
    return action.run(task_vars={})


@pytest.mark.parametrize(("changes", "message"), CASES, ids=[repr(c) for c, _ in CASES])
def test_a_bad_option_fails_naming_it_before_any_request(emulator, tried, changes, message):
    tried["release_rollout options"] += 1
    emulator.clear_requests()
    result = run_action(emulator, **changes)
    assert result["failed"] and not result.get("changed") and not result.get("exception"), result
    assert result["msg"].startswith(message), result["msg"]
    assert emulator.requests() == []  # not even the login: nothing was sent
