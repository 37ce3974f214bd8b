"""`impt build` commands on existing builds: cleanup, copy, delete, get, info, list, update."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    api_dg_type,
    attr,
    attributes,
    rel_id,
    rel_ref,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    plan_deployment_delete,
    plan_zombie_builds_delete,
)

from impt.commands.builds.sources import target_files
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import short
from impt.errors import ImptError
from impt.files import write_atomically
from impt.prompt import confirm
from impt.resolve import build_or_project, catalog, find_all, find_one, name_or_id, print_list, ref


def full_build(ctx: Context, build: dict) -> dict:
    """The build with its code (list items come without it)."""
    if "device_code" in attributes(build):
        return build
    full = ctx.client.deployments.get(build["id"])
    catalog(ctx).remember("deployment", [full])
    return full


def cleanup(ctx: Context) -> None:
    args = ctx.args
    product_id = find_one(ctx, "product", args.product)["id"] if args.product is not None else None
    plan = plan_zombie_builds_delete(ctx.client, product=product_id, unflag=bool(args.unflag))
    if plan.is_empty():
        ctx.out.info("No Deployments are found.")
        return
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def copy(ctx: Context) -> None:
    args = ctx.args
    source = full_build(ctx, build_or_project(ctx, args.build))
    group = find_one(ctx, "device_group", args.dg)
    code = attributes(source)
    extra = {}
    if args.all:
        extra = {
            "description": code.get("description"),
            "origin": code.get("origin"),
            "tags": code.get("tags") or None,
            "flagged": code.get("flagged"),
        }
    created = ctx.client.deployments.create(
        ref(group),
        device_code=code.get("device_code") or "",
        agent_code=code.get("agent_code") or "",
        **extra,
    )
    ctx.out.info(f'Deployment "{created["id"]}" is created successfully.')
    ctx.out.info(
        f'Deployment "{name_or_id(args.build, source)}" is copied successfully to Deployment "{created["id"]}".'
    )
    if ctx.out.is_json:  # impt 2.6.1 prints `{}`; the new id is given to scripts (docs/docsite/rst/impt.rst)
        ctx.out.data({"Deployment": short("deployment", created)})


def delete(ctx: Context) -> None:
    args = ctx.args
    build = find_one(ctx, "deployment", args.build)
    group_id = rel_id(build, "devicegroup")
    group = catalog(ctx).get("device_group", group_id) if group_id else None
    min_id = rel_id(group, "min_supported_deployment") if group else None
    if min_id:
        minimum = catalog(ctx).get("deployment", min_id)
        created = attr(build, "created_at", "")
        if minimum is not None and created >= attr(minimum, "created_at", ""):
            raise ImptError(
                f'Impossible to delete Deployment "{args.build}". '
                f'It is the Min supported Deployment or newer for Device Group "{group_id}".'
            )
    plan = plan_deployment_delete(build, force=bool(args.force), shown=args.build)
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def get(ctx: Context) -> None:
    args = ctx.args
    build = full_build(ctx, build_or_project(ctx, args.build))
    files = target_files(ctx)
    existing = [name for _, name in files if ctx.path(name).exists()]
    if existing:
        message = f"Source file(s) {', '.join(existing)} already exist. They will be overwritten."
        confirm(ctx.out, ctx.terminal, bool(args.confirmed), [message])
    code = attributes(build)
    for which, name in files:
        write_atomically(ctx.path(name), code.get(f"{which}_code") or "", mode=0o644)
    ctx.out.info(f'Deployment "{name_or_id(args.build, build)}" source file(s) are downloaded successfully.')
    ctx.out.data(catalog(ctx).entry("deployment", build, info=True))


def list_builds(ctx: Context) -> None:
    args = ctx.args
    filters: dict = {}
    for option, kind, key in (
        ("owner", "account", "owner"),
        ("product", "product", "product"),
        ("dg", "device_group", "device_group"),
    ):
        values = getattr(args, option)
        if values:
            filters[key] = [e["id"] for e in find_all(ctx, kind, values)]
    if args.sha:
        filters["sha"] = args.sha
    if args.tag:
        filters["tags"] = args.tag
    if args.flagged != args.unflagged:
        filters["flagged"] = bool(args.flagged)
    builds = [] if any(v == [] for v in filters.values()) else ctx.client.deployments.list(**filters)
    if args.dg_type:
        types = {api_dg_type(t) for t in args.dg_type}
        builds = [b for b in builds if (rel_ref(b, "devicegroup") or {}).get("type") in types]
    if args.zombie != args.non_zombie:
        builds = [b for b in builds if bool(rel_id(b, "devicegroup")) == bool(args.non_zombie)]
    print_list(ctx, "deployment", "Deployment", builds)


def info(ctx: Context) -> None:
    build = full_build(ctx, build_or_project(ctx, ctx.args.build))
    ctx.out.data(catalog(ctx).entry("deployment", build, info=True))


def update(ctx: Context) -> None:
    args = ctx.args
    build = build_or_project(ctx, args.build)
    tags = None
    if args.tag or args.remove_tag:
        current = list(attr(build, "tags", []))
        added = [t for t in args.tag if t not in current]
        tags = [t for t in current + added if t not in args.remove_tag]
    # With nothing to change impt 2.6 still reports success; the request is simply not needed.
    if args.descr is not None or args.flagged is not None or tags is not None:
        ctx.client.deployments.update(build["id"], description=args.descr, flagged=args.flagged, tags=tags)
    ctx.out.info(f'Deployment "{name_or_id(args.build, build)}" is updated successfully.')
