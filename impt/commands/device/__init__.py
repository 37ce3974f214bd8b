"""`impt device ...`: assign, info, list, remove, restart, unassign, update devices."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, attr, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    ASSIGNED_DEVICE,
    plan_device_remove,
)

from impt import options as o
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.errors import ImptError
from impt.prompt import confirm
from impt.resolve import catalog, dg_or_project, find_all, find_one, name_or_id, print_list


def assign(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device)
    group = dg_or_project(ctx, args.dg)
    device_label = f'Device "{args.device}"'
    group_label = f'Device Group "{name_or_id(args.dg, group)}"'
    current = rel_id(device, "devicegroup")
    if current == group["id"]:
        ctx.out.info(f"{device_label} is already assigned to {group_label}.")
        return
    if current:
        message = f"{device_label} is assigned to another Device Group. It will be reassigned to {group_label}."
        confirm(ctx.out, ctx.terminal, bool(args.confirmed), [message])
    ctx.client.device_groups.add_devices(group["id"], [device["id"]])
    ctx.out.info(f"{device_label} is assigned successfully to {group_label}.")


def info(ctx: Context) -> None:
    device = find_one(ctx, "device", ctx.args.device)
    ctx.out.data(catalog(ctx).entry("device", device, info=True))


def list_devices(ctx: Context) -> None:
    args = ctx.args
    filters: dict = {}
    if args.owner:
        filters["owner"] = [a["id"] for a in find_all(ctx, "account", args.owner)]
    if args.product:
        filters["product"] = [p["id"] for p in find_all(ctx, "product", args.product)]
    if args.dg:
        filters["device_group"] = [g["id"] for g in find_all(ctx, "device_group", args.dg)]
    if args.dg_type:
        filters["device_group_type"] = [api_dg_type(t) for t in args.dg_type]
    if any(not values for values in filters.values()):
        devices: list[dict] = []
    else:
        only_unassigned = bool(args.unassigned) and not args.assigned
        devices = ctx.client.devices.list(**filters, unassigned=only_unassigned)
    if args.assigned and not args.unassigned:
        devices = [d for d in devices if rel_id(d, "devicegroup")]
    if args.unassigned and not args.assigned:
        devices = [d for d in devices if not rel_id(d, "devicegroup")]
    if args.online != args.offline:
        devices = [d for d in devices if bool(attr(d, "device_online")) == bool(args.online)]
    print_list(ctx, "device", "Device", devices)


def remove(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device)
    plan = plan_device_remove(device, force=bool(args.force), shown=args.device)
    if ASSIGNED_DEVICE in plan.refused:  # seed 000's words for the shared refusal
        raise ImptError(
            f'Device "{args.device}" is assigned to a Device Group. '
            'Use "--force" to unassign it first, or "impt device unassign".'
        )
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def restart(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device)
    ctx.client.devices.restart(device["id"], conditional=bool(args.conditional))
    kind = "Conditional restart" if args.conditional else "Restart"
    ctx.out.info(f'{kind} request for Device "{args.device}" is successful.')
    if args.log:
        from impt.logstream import follow_logs

        follow_logs(ctx, [device["id"]])


def unassign(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device)
    group_id = rel_id(device, "devicegroup")
    if not group_id:
        ctx.out.info(f'Device "{args.device}" is already unassigned.')
        return
    ctx.client.device_groups.remove_devices(group_id, [device["id"]], unbond_key=args.unbond)
    ctx.out.info(f'Device "{args.device}" is unassigned successfully.')


def update(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device)
    ctx.client.devices.update(device["id"], args.name)
    ctx.out.info(f'Device "{args.device}" is updated successfully.')


COMMANDS = (
    o.Command(
        "device",
        "assign",
        "Assigns the specified device to the Device Group.",
        "Assigns the device to the Device Group; asks before moving a device assigned elsewhere.",
        (o.device(), o.dg(), o.confirmed()),
        assign,
    ),
    o.Command(
        "device",
        "info",
        "Displays information about the specified device.",
        "Displays information about the specified device.",
        (o.device(),),
        info,
    ),
    o.Command(
        "device",
        "list",
        "Displays information about all or filtered devices.",
        "Displays the devices available to the current account. Repeated filter options are OR-ed, "
        "different options are AND-ed.",
        (
            o.owner_filter(),
            o.product_filter(),
            o.dg_filter(),
            o.dg_type_filter(),
            o.flag("unassigned", "u", "Unassigned devices only."),
            o.flag("assigned", "a", "Assigned devices only."),
            o.flag("online", "n", "Devices in online state only."),
            o.flag("offline", "f", "Devices in offline state only."),
        ),
        list_devices,
    ),
    o.Command(
        "device",
        "remove",
        "Removes the specified Device from the current account.",
        "Removes the device from the account; --force unassigns it first. Asks unless --confirmed.",
        (o.device(), o.flag("force", "f", "Unassigns the device first."), o.confirmed()),
        remove,
    ),
    o.Command(
        "device",
        "restart",
        "Reboots the specified device.",
        "Reboots the specified device and optionally streams its logs.",
        (
            o.device(),
            o.flag("conditional", "c", "Triggers a conditional restart."),
            o.flag("log", "l", "Streams the device's logs afterwards (Ctrl-C to stop)."),
        ),
        restart,
    ),
    o.Command(
        "device",
        "unassign",
        "Unassigns the specified device.",
        "Unassigns the specified device. Does nothing if it is already unassigned.",
        (o.device(), o.text("unbond", "u", "unbond_key", "The unbond key (production Device Groups).", empty_ok=True)),
        unassign,
    ),
    o.Command(
        "device",
        "update",
        "Updates the name of the specified device.",
        "Updates the name of the specified device.",
        (o.device(), o.text("name", "n", "device_name", "The device's new name.", required=o.YES)),
        update,
    ),
)
