"""`impt build ...`: builds (Deployments): cleanup, copy, delete, deploy, get, info, list, run, update."""

from __future__ import annotations

from impt import options as o
from impt.build_commands import cleanup, copy, delete, get, list_builds
from impt.context import Context
from impt.display import short
from impt.resolve import build_or_project, catalog, dg_or_project, name_or_id, ref
from impt.sources import read_sources


def full_build(ctx: Context, build: dict) -> dict:
    """The build with its code (list items come without it)."""
    if "device_code" in (build.get("attributes") or {}):
        return build
    full = ctx.client.deployments.get(build["id"])
    catalog(ctx).remember("deployment", [full])
    return full


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
    from impt.dg_rules import device_blocks

    ctx.out.object_info(device_blocks(devices))  # info-level, as in dg restart: json keeps one document
    if args.log:
        from impt.logstream import follow_logs

        follow_logs(ctx, [d["id"] for d in devices])


def info(ctx: Context) -> None:
    build = full_build(ctx, build_or_project(ctx, ctx.args.build))
    ctx.out.data(catalog(ctx).entry("deployment", build, info=True))


def update(ctx: Context) -> None:
    args = ctx.args
    build = build_or_project(ctx, args.build)
    tags = None
    if args.tag or args.remove_tag:
        current = list((build.get("attributes") or {}).get("tags") or [])
        added = [t for t in args.tag if t not in current]
        tags = [t for t in current + added if t not in args.remove_tag]
    # With nothing to change impt 2.6 still reports success; the request is simply not needed.
    if args.descr is not None or args.flagged is not None or tags is not None:
        ctx.client.deployments.update(build["id"], description=args.descr, flagged=args.flagged, tags=tags)
    ctx.out.info(f'Deployment "{name_or_id(args.build, build)}" is updated successfully.')


_DEVICE_FILE = o.text("device-file", "x", "device_file", "The device source file (default: the project's).")
_AGENT_FILE = o.text("agent-file", "y", "agent_file", "The agent source file (default: the project's).")
_DESCR = o.descr_option("build_description", "A description of the build (Deployment).")
_ORIGIN = o.text("origin", "o", "origin", "Where the code comes from, e.g. a repository URL.", empty_ok=True)
_TAG = o.Option("tag", "t", o.ARRAY, "A tag for the build; repeat for several.", "tag")
_FLAGGED = o.Option("flagged", "f", o.BOOL, "true (or no value): the build cannot be deleted until unflagged.")
_DEPLOY_OPTIONS = (o.dg(), _DEVICE_FILE, _AGENT_FILE, _DESCR, _ORIGIN, _TAG, _FLAGGED)

COMMANDS = (
    o.Command(
        "build",
        "cleanup",
        "Deletes builds which are not related to any Device Group.",
        "Deletes 'zombie' builds (Deployments without a Device Group), of one Product or of the whole "
        "account. Flagged ones are kept unless --unflag. Asks unless --confirmed.",
        (
            o.product(required=""),
            o.flag("unflag", "u", "Also deletes flagged zombie builds."),
            o.confirmed(),
        ),
        cleanup,
    ),
    o.Command(
        "build",
        "copy",
        "Copies the specified build to the specified Device Group.",
        "Creates a new build for the Device Group from the code of the specified build (--all: also its "
        "description, origin, tags and flagged).",
        (
            o.build(),
            o.dg(required=o.YES, descr="The Device Group the new build is created for."),
            o.flag("all", "a", "Copies all attributes of the build."),
        ),
        copy,
    ),
    o.Command(
        "build",
        "delete",
        "Deletes the specified build.",
        "Deletes the specified build. Fails for the Device Group's min supported build or newer, and "
        "for flagged builds unless --force. Asks unless --confirmed.",
        (o.build(required=o.YES), o.flag("force", "f", "Unflags the build first."), o.confirmed()),
        delete,
    ),
    o.Command(
        "build",
        "deploy",
        "Creates and deploys a build.",
        "Creates a build (Deployment) from the source files for the Device Group. Devices run it after a restart.",
        _DEPLOY_OPTIONS,
        deploy,
    ),
    o.Command(
        "build",
        "get",
        "Downloads the source files of the specified build.",
        "Downloads the source files of the build and shows it. Asks before overwriting unless --confirmed.",
        (
            o.build(),
            _DEVICE_FILE,
            _AGENT_FILE,
            o.flag("device-only", "i", "Downloads the device code only."),
            o.flag("agent-only", "j", "Downloads the agent code only."),
            o.confirmed(),
        ),
        get,
    ),
    o.Command(
        "build",
        "info",
        "Displays information about the specified build.",
        "Displays information about the specified build (Deployment), including its code.",
        (o.build(),),
        info,
    ),
    o.Command(
        "build",
        "list",
        "Displays information about all or filtered builds.",
        "Displays the builds available to the current account. Repeated filter options are OR-ed, "
        "different options are AND-ed.",
        (
            o.owner_filter(),
            o.product_filter(),
            o.dg_filter(),
            o.dg_type_filter(),
            o.Option("sha", "s", o.ARRAY, "Builds with the specified SHA only.", "deployment_sha"),
            o.Option("tag", "t", o.ARRAY, "Builds with the specified tag only.", "tag"),
            o.flag("flagged", "f", "Flagged builds only."),
            o.flag("unflagged", "u", "Unflagged builds only."),
            o.flag("non-zombie", "n", "Builds related to a Device Group only."),
            o.flag("zombie", "m", "Builds not related to any Device Group only."),
        ),
        list_builds,
    ),
    o.Command(
        "build",
        "run",
        "Creates, deploys and runs a build.",
        "Creates a build for the Device Group, restarts its devices and optionally streams their logs.",
        (
            *_DEPLOY_OPTIONS,
            o.flag("conditional", "c", "Triggers a conditional restart."),
            o.flag("log", "l", "Streams the devices' logs afterwards (Ctrl-C to stop)."),
        ),
        run,
    ),
    o.Command(
        "build",
        "update",
        "Updates the specified build.",
        "Updates the description, tags and/or flagged attribute of the specified build.",
        (
            o.build(),
            _DESCR,
            _TAG,
            o.Option("remove-tag", "r", o.ARRAY, "A tag to remove; repeat for several.", "tag"),
            _FLAGGED,
        ),
        update,
    ),
)
