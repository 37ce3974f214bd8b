"""Every delete a front end offers, built once: which entities go, what is unassigned or unflagged first.

Each builder reads what its preflight needs (at most a few listings, whatever the size) and returns a
``plans.DeletePlan``; front ends only render the plan (impt's dialog, a module's ``deleted``) and run it with
``plan.execute()``, which refuses before the first write and treats an entity already gone as done.

| builder | used by |
|---|---|
| ``plan_device_group_delete`` | ``impt dg delete``, ``device_group`` module |
| ``plan_product_delete`` | ``impt product delete``, ``product`` module |
| ``plan_deployment_delete`` (force unflags) | ``impt build delete``, ``deployment`` module |
| ``plan_zombie_builds_delete`` | ``impt build cleanup`` |
| ``plan_old_builds_cleanup`` | ``impt dg builds`` |
| ``plan_device_remove`` | ``impt device remove``, ``device`` module |
| ``plan_webhook_delete`` | ``impt webhook delete``, ``webhook`` module |
| ``plan_login_key_delete`` | ``impt loginkey delete``, ``login_key`` module |
| ``plan_config_entities_delete`` | ``impt project delete``, ``impt test delete`` |
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import NotFoundError
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    TARGET_RELATIONS,
    attr,
    rel_id,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import DeletePlan

ASSIGNED_DEVICE = "assigned_device"  # refusal code: removing a device still in a group, without force


def plan_device_group_delete(
    client: Any,
    group: dict,
    *,
    force: bool = False,
    builds: bool = False,
    unbond_key: Optional[str] = None,
    shown: Optional[str] = None,
    siblings: Optional[list] = None,
    plan: Optional[DeletePlan] = None,
) -> DeletePlan:
    """A group's delete: with ``force`` its devices are unassigned and its flagged deployments unflagged;
    with ``builds`` its deployments are deleted too (the API takes them along with the group).
    ``siblings``: the groups of its product when the caller has read them already."""
    plan = plan or DeletePlan(unbond_key=unbond_key)
    state = plan.state
    product_id = rel_id(group, "product")
    if siblings is None:
        siblings = client.device_groups.list(product=product_id) if product_id else []
    state.add_groups(siblings)
    state.add_groups([group])
    state.add_devices(client.devices.list(device_group=group["id"]), group["id"])
    state.add_deployments(client.deployments.list(device_group=group["id"], flagged=None if builds else True))
    add_device_group(plan, group, force=force, builds=builds, shown=shown)
    return plan


def add_device_group(
    plan: DeletePlan, group: dict, *, force: bool, builds: bool = False, shown: Optional[str] = None
) -> None:
    """Collect one group whose devices and deployments are in ``plan.state`` already."""
    plan.delete("device_group", group, shown)
    if force:
        for device in plan.state.devices_of(group["id"]):
            plan.unassign_device(device, group["id"])
        for dep in plan.state.deployments_of(group["id"]):
            plan.unflag_build(dep)
    if builds:
        for dep in plan.state.deployments_of(group["id"]):
            plan.delete("deployment", dep)


def plan_product_delete(
    client: Any,
    product: dict,
    *,
    force: bool = False,
    builds: bool = False,
    unbond_key: Optional[str] = None,
    shown: Optional[str] = None,
) -> DeletePlan:
    """impt's product delete: with ``force`` every group goes (devices unassigned, flagged deployments
    unflagged); with ``builds`` every deployment of the product too (zombies included). At most three reads."""
    plan = DeletePlan(unbond_key=unbond_key)
    state = plan.state
    state.add_groups(client.device_groups.list(product=product["id"]))
    if force and state.groups:
        state.add_devices(
            [d for d in client.devices.list(product=product["id"]) if rel_id(d, "devicegroup") in state.groups]
        )
    if builds or (force and state.groups):
        state.add_deployments(client.deployments.list(product=product["id"], flagged=None if builds else True))
    state.complete_deployments = builds
    plan.delete("product", product, shown)
    if force:
        for group in list(state.groups.values()):
            add_device_group(plan, group, force=True)
    if builds:
        for deps in list(state.deployments.values()):
            for dep in deps.values():
                plan.delete("deployment", dep)
                if force:
                    plan.unflag_build(dep)
    return plan


def plan_deployment_delete(build: dict, *, force: bool = False, shown: Optional[str] = None) -> DeletePlan:
    """One deployment. The API refuses to delete a flagged one (400 CX004): ``force`` unflags it first, else the
    preflight refuses before anything is sent."""
    plan = DeletePlan()
    plan.delete("deployment", build, shown)
    if force:
        plan.unflag_build(build)
    return plan


def plan_zombie_builds_delete(client: Any, *, product: Optional[str] = None, unflag: bool = False) -> DeletePlan:
    """The deployments whose Device Group is gone (of ``product``, or all); flagged ones only with ``unflag``,
    which unflags them first. One listing. An empty plan: there is nothing to delete."""
    plan = DeletePlan()
    for build in client.deployments.list(product=product, flagged=None if unflag else False):
        if not rel_id(build, "devicegroup"):
            plan.delete("deployment", build)
            plan.unflag_build(build)
    return plan


@dataclass
class BuildsCleanup:
    """What ``plan_old_builds_cleanup`` chose: the plan, the builds it unflags and the builds it deletes."""

    plan: DeletePlan
    unflagged: list = field(default_factory=list)
    removable: list = field(default_factory=list)


def plan_old_builds_cleanup(
    client: Any,
    group: dict,
    *,
    unflag: bool = False,
    unflag_old: bool = False,
    remove: bool = False,
    get_build: Optional[Callable[[str], Optional[dict]]] = None,
) -> BuildsCleanup:
    """A group's builds: ``unflag`` unflags every flagged one, ``unflag_old`` those older than the group's
    min_supported_deployment, ``remove`` deletes the unflagged (or now unflagged) ones older than it.
    ``get_build(id)`` reads the minimum (default: one GET)."""
    plan = DeletePlan()
    result = BuildsCleanup(plan)
    min_id = rel_id(group, "min_supported_deployment")
    minimum = None
    if min_id and ((unflag_old and not unflag) or remove):
        minimum = (get_build or client.deployments.get)(min_id)

    def older(build: dict) -> bool:
        return minimum is not None and attr(build, "created_at", "") < attr(minimum, "created_at", "")

    if unflag or unflag_old:
        flagged = client.deployments.list(device_group=group["id"], flagged=True)
        result.unflagged = flagged if unflag else [b for b in flagged if older(b)]
        for build in result.unflagged:
            plan.unflag_build(build)
    if remove:
        candidates = client.deployments.list(device_group=group["id"], flagged=False) + result.unflagged
        result.removable = [b for b in candidates if older(b)]
        for build in result.removable:
            plan.delete("deployment", build)
    return result


def plan_device_remove(
    device: dict, *, force: bool = False, unbond_key: Optional[str] = None, shown: Optional[str] = None
) -> DeletePlan:
    """Remove a device from the account. An assigned device is refused (code ``ASSIGNED_DEVICE``) unless
    ``force`` unassigns it first (a production group's devices need their ``unbond_key``)."""
    plan = DeletePlan(unbond_key=unbond_key)
    group_id = rel_id(device, "devicegroup")
    if group_id and not force:
        shown_device = shown or device["id"]
        reason = f'Device "{shown_device}" is assigned to Device Group "{group_id}"; use force to unassign it first.'
        plan.refuse(reason, ASSIGNED_DEVICE)
    if force and group_id:
        plan.unassign_device(device, group_id)
    plan.remove_device(device, shown)
    return plan


def plan_webhook_delete(hook: dict, *, shown: Optional[str] = None) -> DeletePlan:
    """One webhook; already gone (another client deleted it, or its group) is done."""
    plan = DeletePlan()
    plan.delete("webhook", hook, shown)
    return plan


def plan_login_key_delete(
    key: dict, *, password: Union[None, str, Callable[[], str]] = None, shown: Optional[str] = None
) -> DeletePlan:
    """One login key; the API wants the account password, given or asked (a callable) when the step runs."""
    plan = DeletePlan(password=password)
    plan.delete("login_key", key, shown)
    return plan


def plan_config_entities_delete(
    client: Any,
    group: Optional[dict],
    *,
    with_targets: bool,
    get_product: Optional[Callable[[str], Optional[dict]]] = None,
) -> DeletePlan:
    """What a project or test file made: its group with every build (unflagged first, devices unassigned),
    with ``with_targets`` the targets no other group uses, and the Product when nothing else would remain in
    it. ``get_product(id)`` reads the Product (default: one GET; None when it is gone)."""
    plan = DeletePlan()
    if group is None:
        return plan
    product_id = rel_id(group, "product")
    siblings = client.device_groups.list(product=product_id) if product_id else [group]
    doomed = [group]
    if with_targets:
        for relation in TARGET_RELATIONS:
            target_id = rel_id(group, relation)
            shared = any(g["id"] != group["id"] and rel_id(g, relation) == target_id for g in siblings)
            target = next((g for g in siblings if g["id"] == target_id), None)
            if target is not None and not shared:
                doomed.append(target)
    for doomed_group in doomed:
        plan_device_group_delete(client, doomed_group, force=True, builds=True, siblings=siblings, plan=plan)
    doomed_ids = {g["id"] for g in doomed}
    if product_id and all(g["id"] in doomed_ids for g in siblings):
        product = (get_product or _product_or_none(client))(product_id)
        if product is not None:
            plan.delete("product", product)
    return plan


def _product_or_none(client: Any) -> Callable[[str], Optional[dict]]:
    def get(product_id: str) -> Optional[dict]:
        try:
            return client.products.get(product_id)
        except NotFoundError:
            return None

    return get
