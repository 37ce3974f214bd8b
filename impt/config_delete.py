"""What `project delete --entities` and `test delete --entities` remove (impt-behaviour §7)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.resources import TARGET_RELATIONS, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import (
    DeletePlan,
    plan_device_group_delete,
)

from impt.context import Context
from impt.resolve import catalog


def collect_group(ctx: Context, plan: DeletePlan, group: dict, *, with_targets: bool) -> None:
    """The group with its builds (unflagged first, devices unassigned), targets no other group uses, the
    Product when nothing else would remain in it. Each group is added by the shared plan builder, so the
    preflight sees what it reads."""
    client = ctx.client
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
        product = catalog(ctx).get("product", product_id)
        if product is not None:
            plan.delete("product", product)


def remove_file(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def remove_dir(path: Path) -> bool:
    if not path.is_dir():
        return False
    shutil.rmtree(path)
    return True
