"""impt's face of the shared delete plan (`plugins/module_utils/workflows/plans.py`): the confirmation dialog with impt
2.6's text (impt-behaviour §7) and one line per step the plan ran.

The plan itself (one read of the state, the preflight, the order, the 404 policy) is the workflow every front
end shares; here it is only rendered. Whatever the API would refuse fails as one line before the dialog.
"""

from __future__ import annotations

from typing import Any, Sequence

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import (
    ENTITY_ORDER,
    GONE,
    IMPLIED,
    DeletePlan,
    DeleteRefusedError,
    Outcome,
)

from impt.context import Context
from impt.display import LABELS, short
from impt.errors import ImptError
from impt.prompt import confirm


def summary(plan: DeletePlan) -> list[Any]:
    """The dialog's blocks: entities to delete, devices to unassign or remove, builds to unflag."""
    blocks: list[Any] = []
    listed = [(k, r) for k in ENTITY_ORDER for r, _ in plan.entities[k].values()]
    if listed:
        blocks += ["The following entities will be deleted:", *[{LABELS[k]: short(k, r)} for k, r in listed], ""]
    if plan.unassign:
        blocks += ["The following Devices will be unassigned from Device Groups:"]
        blocks += [{"Device": short("device", d)} for d, _group_id in plan.unassign.values()] + [""]
    if plan.remove:
        blocks += ["The following Devices will be removed from the account:"]
        blocks += [{"Device": short("device", d)} for d, _ in plan.remove.values()] + [""]
    if plan.unflag:
        blocks += [
            'The following Deployments are marked "flagged" to prevent deleting. '
            'They will be modified by setting "flagged" attribute to false:'
        ]
        blocks += [{"Deployment": short("deployment", b)} for b in plan.unflag.values()] + [""]
    return blocks


def check(plan: DeletePlan) -> None:
    """The preflight: every reason the API would refuse, as one line, before anything is asked or written."""
    reasons = plan.preflight()
    if reasons:
        raise ImptError(str(DeleteRefusedError(reasons)))


def confirm_delete(ctx: Context, plan: DeletePlan, extra: Sequence[Any] = ()) -> None:
    """Refuse what the API would refuse, then show the plan (and the files a command adds) and ask."""
    check(plan)
    confirm(ctx.out, ctx.terminal, bool(ctx.args.confirmed), summary(plan) + list(extra))


def execute(ctx: Context, plan: DeletePlan) -> None:
    """Run the plan's steps, printing impt's line for each (a step already done by someone else included)."""
    check(plan)
    try:
        plan.execute(ctx.client, on_step=lambda outcome: _report(ctx, outcome))
    except DeleteRefusedError as exc:  # the state changed between the preflight and the run
        raise ImptError(str(exc)) from None


def _report(ctx: Context, outcome: Outcome) -> None:
    step, gone = outcome.step, outcome.result == GONE
    if step.action == "unassign":
        for device in step.devices:
            state = "already unassigned" if gone else "unassigned successfully"
            ctx.out.info(f'Device "{device["id"]}" is {state}.')
    elif step.action == "unflag":
        state = "already deleted" if gone else "updated successfully"
        ctx.out.info(f'Deployment "{step.resource["id"]}" is {state}.')
    elif step.action == "remove":
        state = "already deleted" if gone else "removed successfully"
        ctx.out.info(f'Device "{step.shown}" is {state}.')
    else:
        # A group's deployments and webhooks went with the group (`implied`): no request was sent, and impt 2.6,
        # whose DELETE of them gets a 404, says they are already deleted.
        state = "already deleted" if gone or outcome.result == IMPLIED else "deleted successfully"
        ctx.out.info(f'{LABELS[step.kind]} "{step.shown}" is {state}.')
