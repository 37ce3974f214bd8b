"""`impt dg builds`: unflag and/or remove a Device Group's old builds, then list its builds."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.resources import attr, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import DeletePlan

from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.resolve import catalog, dg_or_project, name_or_id


def _created(build: dict) -> str:
    return attr(build, "created_at", "")


def manage_builds(ctx: Context) -> None:
    args = ctx.args
    client = ctx.client
    group = dg_or_project(ctx, args.dg)
    label = f'Device Group "{name_or_id(args.dg, group)}"'
    min_id = rel_id(group, "min_supported_deployment")
    min_build = None
    if min_id and ((args.unflag_old and not args.unflag) or args.remove):
        min_build = catalog(ctx).get("deployment", min_id)

    def older(build: dict) -> bool:
        return min_build is not None and _created(build) < _created(min_build)

    plan = DeletePlan()
    unflagged_now: list[dict] = []
    if args.unflag or args.unflag_old:
        flagged = client.deployments.list(device_group=group["id"], flagged=True)
        chosen = flagged if args.unflag else [b for b in flagged if older(b)]
        if not chosen:
            ctx.out.info(f'No "flagged" Deployments are found for {label}.')
        for build in chosen:
            plan.unflag_build(build)
            unflagged_now.append(build)
    if args.remove:
        candidates = client.deployments.list(device_group=group["id"], flagged=False) + unflagged_now
        removable = [b for b in candidates if older(b)]
        if not removable:
            ctx.out.info(f"No Deployments that can be deleted are found for {label}.")
        for build in removable:
            plan.delete("deployment", build)
        if removable:
            confirm_delete(ctx, plan)
    execute(ctx, plan)
    builds = client.deployments.list(device_group=group["id"])
    if builds:
        ctx.out.info(f"Deployment list ({len(builds)} items):")
    else:
        ctx.out.info("No Deployments are found.")
    ctx.out.data(catalog(ctx).entries("deployment", builds))
