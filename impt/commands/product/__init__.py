"""`impt product ...`: create, delete, info, list, update Products."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_product_delete

from impt import options as o
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import GROUP_RELATIONS, full_group_details, relation, short
from impt.resolve import catalog, find_all, find_one, name_or_id, print_list, product_or_project


def create(ctx: Context) -> None:
    args = ctx.args
    owner = find_one(ctx, "account", args.owner)["id"] if args.owner is not None else None
    product = ctx.client.products.create(args.name, description=args.descr, owner=owner)
    ctx.out.info(f'Product "{args.name}" is created successfully.')
    ctx.out.data({"Product": short("product", product)})


def delete(ctx: Context) -> None:
    args = ctx.args
    product = product_or_project(ctx, args.product)
    plan = plan_product_delete(
        ctx.client, product, force=bool(args.force), builds=bool(args.builds), shown=name_or_id(args.product, product)
    )
    confirm_delete(ctx, plan)
    execute(ctx, plan)


def info(ctx: Context) -> None:
    args = ctx.args
    product = product_or_project(ctx, args.product)
    cat = catalog(ctx)
    entry = cat.entry("product", product, info=True)
    if args.full:
        groups = _full_groups(ctx, product)
        if groups:  # impt 2.6 leaves the key out when the Product has no Device Groups
            entry["Product"]["Device Groups"] = groups
    ctx.out.data(entry)


def _full_groups(ctx: Context, product: dict) -> list[dict]:
    """Every Device Group of the product with its targets, builds, webhooks and devices (few list calls)."""
    client = ctx.client
    cat = catalog(ctx)
    groups = client.device_groups.list(product=product["id"])
    cat.remember("device_group", groups)
    if not groups:
        return []
    devices = client.devices.list(product=product["id"])
    webhooks = client.webhooks.list()
    builds = client.deployments.list(product=product["id"])
    cat.remember("deployment", builds)
    names = tuple(name for name, _label in GROUP_RELATIONS)
    for group in groups:
        related = cat.prepare_relations(group, names)
    result = []
    for group in groups:
        entry = {"Device Group": short("device_group", group)}
        shown = entry["Device Group"]
        for name, label in GROUP_RELATIONS:
            target = relation(group, name, related)
            if target:
                shown[label] = target
        shown.update(full_group_details(group, groups, devices, webhooks, cut=not ctx.out.is_json))
        result.append(entry)
    return result


def list_products(ctx: Context) -> None:
    args = ctx.args
    client = ctx.client
    if args.owner:
        owners = find_all(ctx, "account", args.owner)
        products = client.products.list(owner=[a["id"] for a in owners]) if owners else []
    else:
        products = client.products.list()
    print_list(ctx, "product", "Product", products)


def update(ctx: Context) -> None:
    args = ctx.args
    product = product_or_project(ctx, args.product)
    ctx.client.products.update(product["id"], name=args.name, description=args.descr)
    ctx.out.info(f'Product "{name_or_id(args.product, product)}" is updated successfully.')


_OWNER = o.identifier(
    "owner", "o", "account", "The Product is created in the specified Account. Default: the current account."
)

COMMANDS = (
    o.Command(
        "product",
        "create",
        "Creates a new Product.",
        "Creates a new Product. Fails if a Product with the specified name already exists.",
        (
            o.text("name", "n", "product_name", "The Product's name, unique in the account.", required=o.YES),
            o.descr_option("product_description", "An optional description of the Product."),
            _OWNER,
        ),
        create,
    ),
    o.Command(
        "product",
        "delete",
        "Deletes the specified Product.",
        "Deletes the specified Product. Fails if the Product has Device Groups and --force is not given. "
        "Asks for confirmation unless --confirmed is given.",
        (
            o.product(),
            o.flag("builds", "b", "Also deletes all Deployments of the Product, including zombies."),
            o.flag("force", "f", "Deletes the Product's Device Groups as `impt dg delete --force` would."),
            o.confirmed(),
        ),
        delete,
    ),
    o.Command(
        "product",
        "info",
        "Displays information about the specified Product.",
        "Displays information about the specified Product.",
        (o.product(), o.flag("full", "u", "Also shows every Device Group of the Product with its devices.")),
        info,
    ),
    o.Command(
        "product",
        "list",
        "Displays information about all or filtered Products.",
        "Displays information about all Products available to the current account. Filter options may be "
        "repeated: the same option is OR-ed, different options are AND-ed.",
        (o.identifier("owner", "o", "account", "Products owned by the specified Account(s) only.", kind=o.ARRAY),),
        list_products,
    ),
    o.Command(
        "product",
        "update",
        "Updates the specified Product.",
        "Updates the name and/or description of the specified Product.",
        (
            o.product(),
            o.text("name", "n", "product_name", "The Product's new name."),
            o.descr_option("product_description", "The Product's new description."),
        ),
        update,
    ),
)
