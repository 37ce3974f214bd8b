# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""release_rollout: the staged waves of release_promotion, run on the controller.

The decisions (plan, verdicts, abort, resume) live in module_utils/workflows/rollout.py; this plugin checks the
options, connects, and turns the outcome into a result. In check mode only the plan is made (reads only).
"""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.errors import ImpCentralClientError
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    HISTORY_RATE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect, requests_missing
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import CONNECTION_ARGSPEC
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (
    AbortCriteria,
    RolloutError,
    RolloutSettings,
    parse_waves,
    run_rollout,
)

ARGSPEC = dict(
    CONNECTION_ARGSPEC,
    device_group=dict(type="str", required=True),
    canary_device_group=dict(type="str", required=True),
    waves=dict(type="list", elements="raw", default=[1]),
    search_regex=dict(type="str"),
    fail_regex=dict(type="str"),
    verify_timeout=dict(type="float", default=60),
    pause=dict(type="float", default=0),
    restart=dict(type="str", default="conditional", choices=["conditional", "immediate", "none"]),
    rollback=dict(type="bool", default=True),
    failure_threshold_percent=dict(type="float", default=0),
    min_number_of_executed_things=dict(type="int", default=1),
    history_rate=dict(type="float", default=HISTORY_RATE),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGSPEC)[1]
        try:
            settings = settings_from(args)
        except RolloutError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        if requests_missing():
            result.update(failed=True, changed=False, msg=missing_required_lib("requests"))
            return result
        try:
            client = connect(args, user_agent="ansible-release_rollout", waits=True)
            result.update(run_rollout(client, settings, check_mode=bool(self._task.check_mode)))
        except ImpCentralClientError as exc:
            result.update(failed=True, changed=False, msg=exc.describe() if hasattr(exc, "describe") else str(exc))
        return result


def settings_from(args: dict) -> RolloutSettings:
    """The options as rollout settings; ``RolloutError`` names the option at fault."""
    parse_waves(args["waves"])
    for name in ("verify_timeout", "pause", "history_rate"):
        if args[name] is None or args[name] < 0 or (name == "history_rate" and args[name] == 0):
            raise RolloutError("%s must be a positive number; got %r." % (name, args[name]))
    if not args.get("search_regex") and not args.get("fail_regex"):
        raise RolloutError("search_regex or fail_regex must be given: a wave cannot be verified without one.")
    return RolloutSettings(
        target=args["device_group"],
        canary=args["canary_device_group"],
        waves=list(args["waves"]),
        search_regex=args.get("search_regex"),
        fail_regex=args.get("fail_regex"),
        timeout=args["verify_timeout"],
        pause=args["pause"],
        restart=args["restart"],
        rollback=args["rollback"],
        criteria=AbortCriteria(args["failure_threshold_percent"], args["min_number_of_executed_things"]),
        history_rate=args["history_rate"],
    )
