# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""release_rollout: the staged waves of release_promotion, run on the controller.

The decisions (options, plan, evidence, abort, resume) live in module_utils/workflows (rollout*.py, cancel.py);
this plugin connects, shows the progress as it happens, and stops cleanly when the job is cancelled: ansible-core's
worker calls ``setsid()``, so it neither gets the terminal's Ctrl-C nor dies with a killed ``ansible-playbook``.
It watches its parent process and takes SIGINT, SIGTERM and the task timeout's SIGALRM itself: the request on the
wire finishes, no other starts.
"""

from __future__ import annotations

import signal

from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AmbiguousEntityError,
    ImpCentralClientError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect, requests_missing
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import CONNECTION_ARGSPEC
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.cancel import (
    CancellableClock,
    CancelToken,
    cancel_on_signals,
    watching_parent,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import HISTORY_RATE
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import EMPTY_REPORT, run_rollout
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_plan import (
    RolloutError,
    settings_from_options,
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
    product=dict(type="str"),
)
# SIGALRM is how ansible-core ends a task at its ``timeout``: a cancel too, not an exception mid-request.
CANCEL_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)

display = Display()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGSPEC)[1]
        try:
            settings = settings_from_options(args)
        except RolloutError as exc:
            result.update(EMPTY_REPORT, failed=True, changed=False, msg=str(exc))
            return result
        if requests_missing():
            result.update(failed=True, changed=False, msg=missing_required_lib("requests"))
            return result
        token = CancelToken()
        with cancel_on_signals(token, CANCEL_SIGNALS), watching_parent(token):
            client = None
            try:
                client = connect(args, user_agent="ansible-release_rollout", waits=True)
                token.guard(client.transport)
                result.update(
                    run_rollout(
                        client,
                        settings,
                        check_mode=bool(self._task.check_mode),
                        clock=CancellableClock(token),
                        progress=display.display,
                    )
                )
            except ImpCentralClientError as exc:
                message = exc.describe() if hasattr(exc, "describe") else str(exc)
                if isinstance(exc, AmbiguousEntityError) and client is not None:
                    option = "canary_device_group" if exc.value == args["canary_device_group"] else "device_group"
                    message = ambiguity(client, exc, option)
                result.update(EMPTY_REPORT, failed=True, changed=False, msg=message)
        return result


def ambiguity(client, exc: AmbiguousEntityError, option: str) -> str:
    """The candidates and how to choose one; the client's own message if the products cannot be read."""
    try:
        return identify.how_to_choose(client, exc, option)
    except ImpCentralClientError:
        return str(exc)
