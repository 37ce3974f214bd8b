"""`impt dg builds`: unflag and/or remove a Device Group's old builds, then list its builds."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_old_builds_cleanup

from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.resolve import catalog, dg_or_project, getter, name_or_id


def manage_builds(ctx: Context) -> None:
    args = ctx.args
    client = ctx.client
    group = dg_or_project(ctx, args.dg)
    label = f'Device Group "{name_or_id(args.dg, group)}"'
    cleanup = plan_old_builds_cleanup(
        client,
        group,
        unflag=bool(args.unflag),
        unflag_old=bool(args.unflag_old),
        remove=bool(args.remove),
        get_build=getter(ctx, "deployment"),
    )
    if (args.unflag or args.unflag_old) and not cleanup.unflagged:
        ctx.out.info(f'No "flagged" Deployments are found for {label}.')
    if args.remove and not cleanup.removable:
        ctx.out.info(f"No Deployments that can be deleted are found for {label}.")
    if cleanup.removable:
        confirm_delete(ctx, cleanup.plan)
    execute(ctx, cleanup.plan)
    builds = client.deployments.list(device_group=group["id"])
    if builds:
        ctx.out.info(f"Deployment list ({len(builds)} items):")
    else:
        ctx.out.info("No Deployments are found.")
    ctx.out.data(catalog(ctx).entries("deployment", builds))
