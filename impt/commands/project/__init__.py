"""`impt project ...`: link the current directory's source files to a Device Group via `.impt.project`."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    api_dg_type,
    rel_id,
    type_name,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    plan_config_entities_delete,
)

from impt import dg_rules as rules
from impt import options as o
from impt.config_files import PROJECT_LABEL, project_data, write_project
from impt.context import Context, auth_block
from impt.deleter import confirm_delete, execute
from impt.display import full_group_details
from impt.errors import ImptError, NotFoundError, UsageError
from impt.files import PROJECT_FILE, remove_file, write_atomically
from impt.prompt import confirm
from impt.resolve import catalog, find_one, getter, project_dg

LINKABLE_TYPES = (api_dg_type("development"), api_dg_type("pre-factory"))
_NOT_FOUND = f"{PROJECT_LABEL} File is not found in the current directory."


def _confirm_overwrite(ctx: Context) -> None:
    if (ctx.cwd / PROJECT_FILE).exists():
        message = "The current directory already contains Project File. It will be overwritten."
        confirm(ctx.out, ctx.terminal, bool(ctx.args.confirmed), [message])


def _check_source_dirs(ctx: Context, *names: str) -> None:
    """Before the first request: a source file name in a directory that does not exist is refused."""
    for name in names:
        if not ctx.path(name).parent.is_dir():
            raise ImptError(f'File error: {name}: the directory "{ctx.path(name).parent}" does not exist.')


def _create_source_files(ctx: Context, device_file: str, agent_file: str) -> None:
    """Empty source files for names that do not exist yet (impt's project defaults)."""
    for label, name in (("Device", device_file), ("Agent", agent_file)):
        path = ctx.path(name)
        if not path.exists():
            write_atomically(path, "", mode=0o644)
            ctx.out.info(f'{label} source file "{name}" is created successfully.')


def _show(ctx: Context, project: dict, group: dict, *, full: bool = False) -> None:
    entry = catalog(ctx).entry("device_group", group, info=True)["Device Group"]
    if full:
        client = ctx.client
        groups = client.device_groups.list(product=rel_id(group, "product"))
        devices = client.devices.list(device_group=group["id"])
        entry.update(full_group_details(group, groups, devices, client.webhooks.list(device_group=group["id"])))
    block = {"Device file": project.get("deviceFile"), "Agent file": project.get("agentFile"), "Device Group": entry}
    shown: dict = {"Project": block}
    if full:
        shown["Auth"] = auth_block(ctx)
    ctx.out.data(shown)


def _find_or_create(ctx: Context, kind: str, value: str, create: bool, make) -> dict:
    """An existing entity, or (with the --create-* flag) a new one named by the value."""
    try:
        return find_one(ctx, kind, value)
    except NotFoundError as exc:
        if exc.details or not create:
            raise
    created = make()
    label = "Product" if kind == "product" else "Device Group"
    ctx.out.info(f'{label} "{value}" is created successfully.')
    catalog(ctx).remember(kind, [created])
    return created


def _check_existing_targets(ctx: Context, dg_type: str) -> None:
    """Targets to be found rather than created are checked before anything is created."""
    args = ctx.args
    flags = (("production_target", "create_target"), ("dut_target", "create_dut"))
    pending = [relation for relation, flag in flags if not getattr(args, flag)]
    if not pending:
        return
    try:
        product_id: str | None = find_one(ctx, "product", args.product)["id"]
    except NotFoundError as exc:
        if exc.details or not args.create_product:
            raise
        product_id = None  # the Product is still to be created: no group of it can exist yet
    for relation in pending:
        rules.resolve_target(ctx, dg_type, relation, product_id)


def create(ctx: Context) -> None:
    args = ctx.args
    for option in ("target", "dut"):
        if bool(args.pre_factory) != (getattr(args, option) is not None):
            raise UsageError(f'Options "--pre-factory" and "--{option}" must be specified together.')
    _check_source_dirs(ctx, args.device_file, args.agent_file)
    _confirm_overwrite(ctx)
    client = ctx.client
    dg_type = api_dg_type("pre-factory" if args.pre_factory else "development")
    if args.pre_factory:
        _check_existing_targets(ctx, dg_type)
    product = _find_or_create(
        ctx, "product", args.product, bool(args.create_product), lambda: client.products.create(args.product)
    )
    if args.pre_factory:
        for option, flag, target_type in (
            ("target", "create_target", "pre-production"),
            ("dut", "create_dut", "pre-dut"),
        ):
            name = getattr(args, option)
            if not getattr(args, flag):
                continue  # resolve_targets reports a missing target with its role, as `dg create` does
            _find_or_create(
                ctx,
                "device_group",
                name,
                True,
                lambda n=name, t=target_type: client.device_groups.create(api_dg_type(t), n, product["id"]),
            )
    targets = rules.resolve_targets(ctx, dg_type, product["id"], creating=True)
    group = client.device_groups.create(
        dg_type,
        args.name,
        product["id"],
        description=args.descr,
        production_target=targets.get("production_target"),
        dut_target=targets.get("dut_target"),
    )
    ctx.out.info(f'Device Group "{args.name}" is created successfully.')
    catalog(ctx).remember("device_group", [group])
    _link(ctx, group, args.device_file, args.agent_file, "Project is created successfully.")


def _link(ctx: Context, group: dict, device_file: str, agent_file: str, message: str) -> None:
    _create_source_files(ctx, device_file, agent_file)
    project = project_data(group["id"], device_file, agent_file)
    write_project(ctx.cwd, project)
    ctx.out.info(message)
    _show(ctx, project, group)


def link(ctx: Context) -> None:
    args = ctx.args
    _check_source_dirs(ctx, args.device_file, args.agent_file)
    group = find_one(ctx, "device_group", args.dg)
    if group["type"] not in LINKABLE_TYPES:
        raise ImptError(
            f'Project can not be linked to Device Group of the type "{type_name(group)}". '
            'Only "development" or "pre-factory" Device Groups are allowed.'
        )
    _confirm_overwrite(ctx)
    _link(ctx, group, args.device_file, args.agent_file, "Project is linked successfully.")


def _existing_project(ctx: Context) -> dict:
    if ctx.project is None:
        raise ImptError(_NOT_FOUND)
    return ctx.project


def info(ctx: Context) -> None:
    project = _existing_project(ctx)
    _show(ctx, project, project_dg(ctx), full=bool(ctx.args.full))


def update(ctx: Context) -> None:
    """Everything that can fail locally happens before the Device Group changes, so no half-applied update."""
    args = ctx.args
    project = dict(_existing_project(ctx))
    group = project_dg(ctx)
    targets = rules.resolve_targets(ctx, group["type"], rel_id(group, "product") or "", creating=False)
    for key, value in (("deviceFile", args.device_file), ("agentFile", args.agent_file)):
        if value is not None:
            project[key] = value
    _check_source_dirs(ctx, project["deviceFile"], project["agentFile"])
    _create_source_files(ctx, project["deviceFile"], project["agentFile"])
    changes = {"name": args.name, "description": args.descr, **targets}
    if any(value is not None for value in changes.values()):
        group = ctx.client.device_groups.update(group["id"], group["type"], **changes) or group
        catalog(ctx).remember("device_group", [group])
    write_project(ctx.cwd, project)
    ctx.out.info("Project is updated successfully.")
    _show(ctx, project, group)


def _project_to_delete(ctx: Context) -> dict | None:
    """The Project file's content; a corrupted file reads as empty, so it can still be deleted."""
    try:
        return ctx.project
    except ImptError:
        if ctx.args.entities or ctx.args.files or ctx.args.all:
            ctx.out.info(
                f"{PROJECT_LABEL} File is corrupted: the Device Group and source files it references can not "
                "be determined and are not deleted."
            )
        return {}


def delete(ctx: Context) -> None:
    args = ctx.args
    project = _project_to_delete(ctx)
    if project is None:
        ctx.out.info("There is no Project File in the current directory.")
        return
    group = None
    if (args.entities or args.all) and "deviceGroupId" in project:
        group = catalog(ctx).get("device_group", project["deviceGroupId"])
    plan = plan_config_entities_delete(ctx.client, group, with_targets=True, get_product=getter(ctx, "product"))
    files, outside = [], []
    if args.files or args.all:
        names = [project.get("deviceFile"), project.get("agentFile")]
        existing = [n for n in dict.fromkeys(names) if isinstance(n, str) and n and ctx.path(n).is_file()]
        files = [n for n in existing if _inside_project(ctx, n)]
        outside = [n for n in existing if n not in files]
    extra = []
    if outside:
        extra += [
            f"Device/agent source files outside the Project directory are not deleted: {', '.join(outside)}",
            "",
        ]
    if files:
        extra += ["The following files will be deleted:", f"Device/agent source files: {', '.join(files)}", ""]
    extra.append(f"{PROJECT_LABEL} File in the current directory will be deleted.")
    confirm_delete(ctx, plan, extra)
    execute(ctx, plan)
    removed = [n for n in files if remove_file(ctx.path(n))]
    if removed:
        ctx.out.info(f"Device/agent source files {', '.join(removed)} are deleted successfully.")
    if outside:
        ctx.out.info(f"Device/agent source files {', '.join(outside)} are outside the Project directory: left.")
    remove_file(ctx.cwd / PROJECT_FILE)
    ctx.out.info("Project is deleted successfully.")


def _inside_project(ctx: Context, name: str) -> bool:
    """Whether ``name`` is a file in the Project's directory tree: a project file naming `/etc/x` or `../y`
    (or a path through a symlinked directory leading out) must never make `--files` delete it."""
    root = ctx.cwd.resolve()
    parent = ctx.path(name).parent.resolve()
    return parent == root or root in parent.parents


_DEVICE_FILE = o.Option("device-file", "x", o.STRING, "The device source file.", "device_file", default="device.nut")
_AGENT_FILE = o.Option("agent-file", "y", o.STRING, "The agent source file.", "agent_file", default="agent.nut")
_DESCR = o.descr_option("device_group_description", "An optional description of the Device Group.")
_DUT = o.identifier("dut", "u", "dg", "The DUT target Device Group (pre-factory only).")
_TARGET = o.identifier("target", "t", "dg", "The production target Device Group (pre-factory only).")

COMMANDS = (
    o.Command(
        "project",
        "create",
        "Creates a new Device Group and a new Project file.",
        "Creates a Device Group (development, or pre-factory with --pre-factory) in the Product and links the "
        "current directory to it in .impt.project; missing source files are created empty. Asks before "
        "overwriting a Project file unless --confirmed.",
        (
            o.identifier("product", "p", "product", "A Product identifier.", o.YES),
            o.flag("create-product", "c", "Creates the Product (named by --product) if it does not exist."),
            o.text("name", "n", "device_group_name", "The new Device Group's name.", required=o.YES),
            _DESCR,
            _DEVICE_FILE,
            _AGENT_FILE,
            o.flag("pre-factory", "f", "Creates a pre-factory Device Group (needs --target and --dut)."),
            _DUT,
            o.flag("create-dut", "w", "Creates the DUT target (named by --dut) if it does not exist."),
            _TARGET,
            o.flag("create-target", "r", "Creates the production target (named by --target) if it does not exist."),
            o.confirmed(),
        ),
        create,
    ),
    o.Command(
        "project",
        "delete",
        "Deletes the Project file and related entities.",
        "Deletes .impt.project; with --entities also the Device Group with its builds, its targets no other "
        "group uses and the Product when it would be empty; with --files the source files. Asks unless "
        "--confirmed.",
        (
            o.flag("entities", "e", "Also deletes the Device Group, its builds, unused targets and empty Product."),
            o.flag("files", "f", "Also deletes the device and agent source files."),
            o.flag("all", "a", "Includes --entities and --files."),
            o.confirmed(),
        ),
        delete,
    ),
    o.Command(
        "project",
        "info",
        "Displays information about the project.",
        "Displays the Project's source files and Device Group; --full adds the Device Group's details and the "
        "authentication status.",
        (o.flag("full", "u", "Also shows the Device Group in full and the authentication status."),),
        info,
    ),
    o.Command(
        "project",
        "link",
        "Creates a new Project file and links it to the specified Device Group.",
        "Links the current directory to an existing development or pre-factory Device Group in .impt.project; "
        "missing source files are created empty. Asks before overwriting unless --confirmed.",
        (o.dg(required=o.YES), _DEVICE_FILE, _AGENT_FILE, o.confirmed()),
        link,
    ),
    o.Command(
        "project",
        "update",
        "Updates the Project settings and/or related Device Group attributes.",
        "Updates the Project's source file names and/or the Device Group's name, description and targets.",
        (
            o.text("name", "n", "device_group_name", "The Device Group's new name."),
            _DESCR,
            o.text("device-file", "x", "device_file", "A new device source file name (created if missing)."),
            o.text("agent-file", "y", "agent_file", "A new agent source file name (created if missing)."),
            _DUT,
            _TARGET,
        ),
        update,
    ),
)
