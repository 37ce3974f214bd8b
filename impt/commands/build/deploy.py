"""`impt build deploy` and `impt build run`: a new build from the source files, then (run) a restart."""

from __future__ import annotations

from impt.commands.build.sources import read_sources
from impt.context import Context
from impt.display import device_blocks, short
from impt.resolve import dg_or_project, name_or_id, ref


def deploy(ctx: Context) -> dict:
    args = ctx.args
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
    return group


def run(ctx: Context) -> None:
    group = deploy(ctx)
    args = ctx.args
    label = f'Device Group "{name_or_id(args.dg, group)}"'
    devices = ctx.client.devices.list(device_group=group["id"])
    if not devices:
        ctx.out.info(f"{label} does not have assigned Devices.")
        return
    ctx.client.device_groups.restart(group["id"], conditional=bool(args.conditional))
    kind = "Conditional restart" if args.conditional else "Restart"
    ctx.out.info(f"{kind} request for Devices assigned to {label} is successful:")
    ctx.out.object_info(device_blocks(devices))  # info-level, as in dg restart: json keeps one document
    if args.log:
        from impt.logstream import follow_logs

        follow_logs(ctx, [d["id"] for d in devices])
