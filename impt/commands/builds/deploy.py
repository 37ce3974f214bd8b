"""`impt build deploy` and `impt build run`: a new build from the source files, then (run) a restart."""

from __future__ import annotations

from impt.commands.builds.sources import read_sources
from impt.context import Context
from impt.display import short
from impt.resolve import dg_or_project, name_or_id, ref
from impt.restart import restart_group


def deploy(ctx: Context, *, files_first: bool = False) -> tuple[dict, dict]:
    """Create the build; `build run` reads the files before looking up the group, as impt 2.6 does."""
    args = ctx.args
    if files_first:
        device_code, agent_code = read_sources(ctx)
        group = dg_or_project(ctx, args.dg)
    else:
        group = dg_or_project(ctx, args.dg)
        device_code, agent_code = read_sources(ctx)
    build = ctx.client.deployments.create(
        ref(group),
        device_code=device_code,
        agent_code=agent_code,
        description=args.descr,
        origin=args.origin,
        flagged=args.flagged,
        tags=args.tag or None,
    )
    ctx.out.info(f'Deployment "{build["id"]}" is created successfully.')
    ctx.out.data({"Deployment": short("deployment", build)})
    return group, build


def run(ctx: Context) -> None:
    """impt 2.6.1 (spec section 10): the new build becomes the group's min supported deployment and its
    description the group's, then the devices restart."""
    group, build = deploy(ctx, files_first=True)
    args = ctx.args
    ctx.client.device_groups.set_min_supported_deployment(group["id"], build["id"])
    if args.descr is not None:
        ctx.client.device_groups.update(group["id"], group["type"], description=args.descr)
    label = f'Device Group "{name_or_id(args.dg, group)}"'
    devices = restart_group(ctx, group, label, conditional=bool(args.conditional))
    if args.log and devices:
        from impt.logstream import follow_logs

        ctx.out.info(f'Deployment "{build["id"]}" is run successfully.')
        follow_logs(ctx, [d["id"] for d in devices])
