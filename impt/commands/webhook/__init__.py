"""`impt webhook ...`: webhooks of Device Groups (create, delete, info, list, update)."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import WEBHOOK_MIMES
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, attr, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_webhook_delete

from impt import options as o
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import short
from impt.resolve import catalog, dg_or_project, find_all, find_one, print_list, ref

EVENTS = ("blessing", "blinkup", "deployment")
MIMES = ("json", "urlencoded")


def create(ctx: Context) -> None:
    args = ctx.args
    group = dg_or_project(ctx, args.dg)
    hook = ctx.client.webhooks.create(ref(group), args.url, args.event, WEBHOOK_MIMES[args.mime])
    ctx.out.info(f'Webhook "{hook["id"]}" is created successfully.')
    ctx.out.data({"Webhook": short("webhook", hook)})


def delete(ctx: Context) -> None:
    args = ctx.args
    plan = plan_webhook_delete(find_one(ctx, "webhook", args.wh), shown=args.wh)
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def info(ctx: Context) -> None:
    hook = find_one(ctx, "webhook", ctx.args.wh)
    ctx.out.data(catalog(ctx).entry("webhook", hook, info=True))


def list_hooks(ctx: Context) -> None:
    args = ctx.args
    hooks: list[dict]
    if args.dg:
        groups = find_all(ctx, "device_group", args.dg)
        hooks = ctx.client.webhooks.list(device_group=[g["id"] for g in groups]) if groups else []
    else:
        hooks = ctx.client.webhooks.list()
    hooks = _filter_by_group(ctx, hooks)
    if args.url:
        hooks = [h for h in hooks if attr(h, "url") in args.url]
    if args.event:
        hooks = [h for h in hooks if attr(h, "event") in args.event]
    print_list(ctx, "webhook", "Webhook", hooks)


def _filter_by_group(ctx: Context, hooks: list[dict]) -> list[dict]:
    """--owner, --product, --dg-type are properties of the webhook's Device Group: checked client-side."""
    args = ctx.args
    if not (args.owner or args.product or args.dg_type):
        return hooks
    owners = {a["id"] for a in find_all(ctx, "account", args.owner)} if args.owner else None
    products = {p["id"] for p in find_all(ctx, "product", args.product)} if args.product else None
    types = {api_dg_type(t) for t in args.dg_type} if args.dg_type else None
    cat = catalog(ctx)
    cat.prefetch("device_group", {rel_id(h, "devicegroup") or "" for h in hooks})
    kept = []
    for hook in hooks:
        group = cat.get("device_group", rel_id(hook, "devicegroup") or "")
        if group is None:
            continue
        if owners is not None and rel_id(group, "owner") not in owners:
            continue
        if products is not None and rel_id(group, "product") not in products:
            continue
        if types is not None and group.get("type") not in types:
            continue
        kept.append(hook)
    return kept


def update(ctx: Context) -> None:
    args = ctx.args
    hook = find_one(ctx, "webhook", args.wh)
    if args.url is not None or args.mime is not None:  # impt 2.6: neither option changes nothing and succeeds
        mime = WEBHOOK_MIMES[args.mime] if args.mime else None
        ctx.client.webhooks.update(hook["id"], url=args.url, content_type=mime)
    ctx.out.info(f'Webhook "{args.wh}" is updated successfully.')


_WH = o.text("wh", "w", "webhook_id", "The webhook ID.", required=o.YES)
_URL = "target_url"

COMMANDS = (
    o.Command(
        "webhook",
        "create",
        "Creates a new webhook for the specified Device Group.",
        "Creates a new webhook for the specified Device Group.",
        (
            o.dg(),
            o.text("url", "u", _URL, "The webhook's target URL.", required=o.YES),
            o.Option("event", "e", o.STRING, "The triggering event.", "triggered_event", o.YES, choices=EVENTS),
            o.Option(
                "mime", "m", o.STRING, "The content type of the event data.", "content_type", o.YES, choices=MIMES
            ),
        ),
        create,
    ),
    o.Command(
        "webhook",
        "delete",
        "Deletes the specified webhook.",
        "Deletes the specified webhook. Asks unless --confirmed.",
        (_WH, o.confirmed()),
        delete,
    ),
    o.Command(
        "webhook",
        "info",
        "Displays information about the specified webhook.",
        "Displays information about the specified webhook.",
        (_WH,),
        info,
    ),
    o.Command(
        "webhook",
        "list",
        "Displays information about all or filtered webhooks.",
        "Displays the webhooks available to the current account. Repeated filter options are OR-ed, "
        "different options are AND-ed.",
        (
            o.owner_filter(),
            o.product_filter(),
            o.dg_filter(),
            o.dg_type_filter(),
            o.Option("url", "u", o.ARRAY, "Webhooks with the specified target URL only.", _URL),
            o.Option(
                "event", "e", o.ARRAY, "Webhooks for the specified event only.", "triggered_event", choices=EVENTS
            ),
        ),
        list_hooks,
    ),
    o.Command(
        "webhook",
        "update",
        "Updates the specified webhook.",
        "Updates the target URL and/or content type of the specified webhook.",
        (
            _WH,
            o.text("url", "u", _URL, "The webhook's new target URL."),
            o.Option("mime", "m", o.STRING, "The new content type of the event data.", "content_type", choices=MIMES),
        ),
        update,
    ),
)
