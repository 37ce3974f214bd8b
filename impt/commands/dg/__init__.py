"""`impt dg ...`: Device Group commands (builds, create, delete, info, list, reassign, restart, unassign, update)."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, attr, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import group_types
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_device_group_delete

from impt import dg_rules as rules
from impt import options as o
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import device_blocks, full_group_details, short
from impt.errors import ImptError
from impt.resolve import catalog, dg_or_project, find_all, find_one, name_or_id, print_list, product_or_project
from impt.restart import assigned_devices, restart_group


def _label(value: str | None, group: dict) -> str:
    return f'Device Group "{name_or_id(value, group)}"'


def create(ctx: Context) -> None:
    args = ctx.args
    dg_type = api_dg_type(args.dg_type)
    rules.require_targets(ctx, dg_type, ("dut_target", "production_target"))  # impt 2.6 checks --dut first
    if args.region is not None:
        rules.check_options_for_type(dg_type, ["region"])
    env_vars = rules.parse_env_vars(args.env_variable)
    product = product_or_project(ctx, args.product)
    targets = rules.resolve_targets(ctx, dg_type, product["id"], creating=True)
    group = ctx.client.device_groups.create(
        dg_type,
        args.name,
        product["id"],
        description=args.descr,
        region=args.region,
        production_target=targets.get("production_target"),
        dut_target=targets.get("dut_target"),
        env_vars=env_vars,
    )
    ctx.out.info(f'Device Group "{args.name}" is created successfully.')
    ctx.out.data({"Device Group": short("device_group", group)})


def delete(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    plan = plan_device_group_delete(ctx.client, group, force=bool(args.force), shown=name_or_id(args.dg, group))
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def info(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    entry = catalog(ctx).entry("device_group", group, info=True)
    if args.full:
        client = ctx.client
        targeted = group["type"] in group_types.TARGET_TYPES
        groups = client.device_groups.list(product=rel_id(group, "product")) if targeted else []
        devices = client.devices.list(device_group=group["id"])
        webhooks = client.webhooks.list(device_group=group["id"])
        details = full_group_details(group, groups, devices, webhooks, cut=not ctx.out.is_json)
        entry["Device Group"].update(details)
    ctx.out.data(entry)


def list_groups(ctx: Context) -> None:
    args = ctx.args
    filters: dict = {}
    if args.owner:
        filters["owner"] = [a["id"] for a in find_all(ctx, "account", args.owner)]
    if args.product:
        filters["product"] = [p["id"] for p in find_all(ctx, "product", args.product)]
    if args.dg_type:
        filters["type"] = [api_dg_type(t) for t in args.dg_type]
    empty_filter = any(not values for values in filters.values())
    groups = [] if empty_filter else ctx.client.device_groups.list(**filters)
    print_list(ctx, "device_group", "Device Group", groups)


def reassign(ctx: Context) -> None:
    args = ctx.args
    source_value = getattr(args, "from")
    source = find_one(ctx, "device_group", source_value)
    target = dg_or_project(ctx, args.to)
    devices = assigned_devices(ctx, source, _label(source_value, source))
    if not devices:
        return
    ctx.client.device_groups.add_devices(target["id"], [d["id"] for d in devices])
    ctx.out.info(
        f"The following Devices assigned to {_label(source_value, source)} "
        f"are reassigned successfully to {_label(args.to, target)}:"
    )
    ctx.out.object_info(device_blocks(devices))


def restart(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    restart_group(ctx, group, _label(args.dg, group), conditional=bool(args.conditional), log=bool(args.log))


def unassign(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    devices = assigned_devices(ctx, group, _label(args.dg, group))
    if not devices:
        return
    ctx.client.device_groups.remove_devices(group["id"], [d["id"] for d in devices], unbond_key=args.unbond)
    ctx.out.info(f"The following Devices are unassigned successfully from {_label(args.dg, group)}:")
    ctx.out.object_info(device_blocks(devices))


def update(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    dg_type = group["type"]
    if args.load_code_after_blessing is not None:
        rules.check_options_for_type(dg_type, ["load_code_after_blessing"])
    env_vars = rules.parse_env_vars(args.env_variable)
    targets = rules.resolve_targets(ctx, dg_type, rel_id(group, "product") or "", creating=False)
    if args.min_supported_deployment is not None:
        _set_min_supported(ctx, group, args.min_supported_deployment)
    changes = {
        "name": args.name,
        "description": args.descr,
        "load_code_after_blessing": args.load_code_after_blessing,
        "env_vars": env_vars,
        **targets,
    }
    if any(value is not None for value in changes.values()):
        ctx.client.device_groups.update(group["id"], dg_type, **changes)
    ctx.out.info(f"{_label(args.dg, group)} is updated successfully.")


def _set_min_supported(ctx: Context, group: dict, value: str) -> None:
    build = find_one(ctx, "deployment", value)
    if rel_id(build, "devicegroup") != group["id"]:
        raise ImptError(
            f'Deployment "{value}" does not belong to {_label(ctx.args.dg, group)}. '
            "Impossible to set it as Min supported Deployment."
        )
    current_id = rel_id(group, "min_supported_deployment")
    current = catalog(ctx).get("deployment", current_id) if current_id else None
    if current is not None and _created(build) < _created(current):
        raise ImptError(
            "Min supported Deployment cannot be set to an earlier Deployment than the current Min supported Deployment."
        )
    ctx.client.device_groups.set_min_supported_deployment(group["id"], build["id"])
    ctx.out.info(f"Min supported Deployment for {_label(ctx.args.dg, group)} is updated successfully.")


def _created(build: dict) -> str:
    return attr(build, "created_at", "")


def builds(ctx: Context) -> None:
    from impt.commands.dg.builds import manage_builds

    manage_builds(ctx)


_DG_NAME = o.text("name", "n", "device_group_name", "The Device Group's name, unique within the Product.")
_TARGET = o.identifier("target", "t", "dg", "The production target Device Group (pre-factory and factory only).")
_DUT = o.identifier("dut", "u", "dg", "The DUT target Device Group (pre-factory and factory only).")
_ENV = o.Option(
    "env-variable", "e", o.STRING, "Environment variables as a JSON object.", "json", usage="[--env-variable]"
)
_DESCR = o.descr_option("device_group_description", "An optional description of the Device Group.")

COMMANDS = (
    o.Command(
        "dg",
        "builds",
        "Updates/deletes builds of the specified Device Group.",
        "Unflags and/or deletes builds (Deployments) of the Device Group, then lists its Deployments. "
        "Asks for confirmation before deleting unless --confirmed is given.",
        (
            o.dg(),
            o.flag("unflag", "u", "Sets flagged to false for all the Device Group's Deployments."),
            o.flag("unflag-old", "o", "Sets flagged to false for Deployments older than min_supported_deployment."),
            o.flag("remove", "r", "Deletes unflagged Deployments older than min_supported_deployment."),
            o.confirmed(),
        ),
        builds,
    ),
    o.Command(
        "dg",
        "create",
        "Creates a new Device Group for the specified Product.",
        "Creates a new Device Group for the specified Product. Fails if a Device Group with the name exists.",
        (
            o.Option(_DG_NAME.name, "n", o.STRING, _DG_NAME.descr, "device_group_name", o.YES),
            o.Option(
                "dg-type",
                "y",
                o.STRING,
                "The Device Group's type.",
                "device_group_type",
                default="development",
                choices=o.DG_TYPE_NAMES,
            ),
            o.product(),
            _DESCR,
            _DUT,
            _TARGET,
            o.text("region", "r", "region_name", "A region (pre-production and production only).", empty_ok=True),
            o.OUTPUT,
            _ENV,
        ),
        create,
    ),
    o.Command(
        "dg",
        "delete",
        "Deletes the specified Device Group.",
        "Deletes the specified Device Group. With --force, unassigns its devices and unflags its "
        "Deployments first. Asks for confirmation unless --confirmed is given.",
        (o.dg(), o.flag("force", "f", "Unassigns the devices and unflags the Deployments first."), o.confirmed()),
        delete,
    ),
    o.Command(
        "dg",
        "info",
        "Displays information about the specified Device Group.",
        "Displays information about the specified Device Group.",
        (o.dg(), o.flag("full", "u", "Also shows the devices, webhooks and groups targeting it.")),
        info,
    ),
    o.Command(
        "dg",
        "list",
        "Displays information about all or filtered Device Groups.",
        "Displays the Device Groups available to the current account. Repeated filter options are OR-ed, "
        "different options are AND-ed.",
        (o.owner_filter(), o.product_filter(), o.dg_type_filter()),
        list_groups,
    ),
    o.Command(
        "dg",
        "reassign",
        "Reassigns all of the devices from one Device Group to another.",
        "Reassigns all of the devices from one Device Group to another.",
        (
            o.identifier("from", "f", "dg", "The origin Device Group.", o.YES),
            o.identifier("to", "t", "dg", "The destination Device Group.", o.PROJECT),
        ),
        reassign,
    ),
    o.Command(
        "dg",
        "restart",
        "Reboots all of the devices assigned to the specified Device Group.",
        "Reboots all of the devices assigned to the Device Group and optionally streams their logs.",
        (
            o.dg(),
            o.flag("conditional", "c", "Triggers a conditional restart."),
            o.flag("log", "l", "Streams the devices' logs afterwards (Ctrl-C to stop)."),
        ),
        restart,
    ),
    o.Command(
        "dg",
        "unassign",
        "Unassigns all of the devices from the specified Device Group.",
        "Unassigns all of the devices from the specified Device Group.",
        (o.dg(), o.text("unbond", "u", "unbond_key", "The unbond key (production Device Groups).", empty_ok=True)),
        unassign,
    ),
    o.Command(
        "dg",
        "update",
        "Updates the specified Device Group.",
        "Updates the specified Device Group.",
        (
            o.dg(),
            o.text("name", "n", "device_group_name", "The Device Group's new name."),
            _DESCR,
            _DUT,
            _TARGET,
            o.Option(
                "load-code-after-blessing",
                "l",
                o.BOOL,
                "Load production code right after blessing ((pre-)production only).",
            ),
            o.identifier("min-supported-deployment", "m", "build", "The new min_supported_deployment."),
            o.OUTPUT,
            _ENV,
        ),
        update,
    ),
)
