"""`impt build deploy` and `impt build run`: a new build from the source files, then (run) a restart."""

from __future__ import annotations

from impt.commands.builds.sources import read_sources
from impt.context import Context
from impt.display import short
from impt.resolve import dg_or_project, name_or_id, ref
from impt.restart import restart_group


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
    restart_group(ctx, group, label, conditional=bool(args.conditional), log=bool(args.log))
