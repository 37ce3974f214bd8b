"""`impt test ...`: the `.impt.test` configuration, GitHub credentials, and running the tests."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    plan_config_entities_delete,
)

from impt import options as o
from impt.config_files import (
    BUILDER_LABEL,
    DEFAULT_TEST_FILES,
    GITHUB_LABEL,
    TEST_FILE,
    TEST_LABEL,
    ordered_test_config,
    read_test_config,
    write_config,
)
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import full_group_details
from impt.errors import ImptError, UsageError
from impt.files import remove_dir, remove_file
from impt.prompt import ask, confirm
from impt.resolve import IMPOSSIBLE, catalog, find_one, getter

_CACHE_DIR, _DEBUG_DIR = ".builder-cache", ".build"


def _check_source(ctx: Context, option: str, name: str | None) -> None:
    if name and not ctx.path(name).is_file():
        label = "Device" if option == "device-file" else "Agent"
        raise ImptError(f'{label} file "{name}" is not found.')


def _note_missing_configs(ctx: Context, config: dict) -> None:
    for key, label in (("githubConfig", GITHUB_LABEL), ("builderConfig", BUILDER_LABEL)):
        if config.get(key) and not ctx.path(config[key]).exists():
            ctx.out.info(f"{label} File {config[key]} is not found.")


def _save(ctx: Context, config: dict, *, clear_cache: bool) -> None:
    if clear_cache:
        remove_dir(ctx.cwd / _CACHE_DIR)
    write_config(ctx.cwd / TEST_FILE, ordered_test_config(config))


def create(ctx: Context) -> None:
    args = ctx.args
    if (ctx.cwd / TEST_FILE).exists():
        message = f"The current directory already contains {TEST_LABEL} File. It will be overwritten."
        confirm(ctx.out, ctx.terminal, bool(args.confirmed), [message])
    group = find_one(ctx, "device_group", args.dg)
    _check_source(ctx, "device-file", args.device_file)
    _check_source(ctx, "agent-file", args.agent_file)
    config = {
        "deviceGroupId": group["id"],
        "timeout": args.timeout,
        "stopOnFail": bool(args.stop_on_fail),
        "allowDisconnect": bool(args.allow_disconnect),
        "builderCache": bool(args.builder_cache),
        "testFiles": list(args.test_file or DEFAULT_TEST_FILES),
        "deviceFile": args.device_file,
        "agentFile": args.agent_file,
        "githubConfig": args.github_config,
        "builderConfig": args.builder_config,
    }
    _note_missing_configs(ctx, config)
    _save(ctx, config, clear_cache=True)  # test create always starts without a cache (SEED, BEH §3)
    ctx.out.info(f"{TEST_LABEL} is created successfully.")
    _show(ctx, config, group)


def update(ctx: Context) -> None:
    args = ctx.args
    config = dict(read_test_config(ctx.cwd))
    group = find_one(ctx, "device_group", args.dg) if args.dg is not None else _config_group(ctx, config)
    config["deviceGroupId"] = group["id"]
    for option, key in (("device_file", "deviceFile"), ("agent_file", "agentFile")):
        value = getattr(args, option)
        if value is not None:
            _check_source(ctx, option.replace("_", "-"), value)
            config[key] = value
    for option, key in (("github_config", "githubConfig"), ("builder_config", "builderConfig")):
        if getattr(args, option) is not None:
            config[key] = getattr(args, option)
    for option, key in (
        ("timeout", "timeout"),
        ("stop_on_fail", "stopOnFail"),
        ("allow_disconnect", "allowDisconnect"),
        ("builder_cache", "builderCache"),
    ):
        if getattr(args, option) is not None:
            config[key] = getattr(args, option)
    if args.test_file:
        config["testFiles"] = list(args.test_file)
    _note_missing_configs(ctx, config)
    _save(ctx, config, clear_cache=args.builder_cache is False)
    ctx.out.info(f"{TEST_LABEL} is updated successfully.")
    _show(ctx, config, group)


def _config_group(ctx: Context, config: dict) -> dict:
    group = catalog(ctx).get("device_group", config["deviceGroupId"])
    if group is None:
        raise ImptError(
            f'Device Group "{config["deviceGroupId"]}", saved in {TEST_LABEL} File, does not exist anymore.',
            tail=[IMPOSSIBLE, f'Use "impt test delete" command to delete the outdated {TEST_LABEL}.'],
        )
    return group


def _show(ctx: Context, config: dict, group: dict) -> None:
    block: dict = {"Test files": config.get("testFiles") or DEFAULT_TEST_FILES}
    for key, label in (("deviceFile", "Device file"), ("agentFile", "Agent file")):
        if config.get(key):
            block[label] = config[key]
    block["Stop on failure"] = bool(config.get("stopOnFail"))
    block["Timeout"] = config.get("timeout", 30)
    block["Allow disconnect"] = bool(config.get("allowDisconnect"))
    block["Builder cache"] = bool(config.get("builderCache"))
    for key, label in (("githubConfig", "Github config"), ("builderConfig", "Builder config")):
        if config.get(key):
            block[label] = config[key]
    client = ctx.client
    entry = catalog(ctx).entry("device_group", group, info=True)["Device Group"]
    devices = client.devices.list(device_group=group["id"])
    webhooks = client.webhooks.list(device_group=group["id"])
    entry.update(full_group_details(group, [], devices, webhooks))
    block["Device Group"] = entry
    ctx.out.data({TEST_LABEL: block})


def info(ctx: Context) -> None:
    config = read_test_config(ctx.cwd)
    _show(ctx, config, _config_group(ctx, config))


def delete(ctx: Context) -> None:
    args = ctx.args
    path = ctx.cwd / TEST_FILE
    if not path.exists():
        ctx.out.info(f"There is no {TEST_LABEL} File in the current directory.")
        return
    config = _config_to_delete(ctx)
    group = None
    if (args.entities or args.all) and isinstance(config.get("deviceGroupId"), str):
        group = catalog(ctx).get("device_group", config["deviceGroupId"])
    plan = plan_config_entities_delete(ctx.client, group, with_targets=False, get_product=getter(ctx, "product"))
    configs = []
    for flag, key, label in (
        ("github_config", "githubConfig", GITHUB_LABEL),
        ("builder_config", "builderConfig", BUILDER_LABEL),
    ):
        name = config.get(key)
        if (getattr(args, flag) or args.all) and isinstance(name, str) and name and ctx.path(name).is_file():
            configs.append((label, name))
    dirs = [
        (what, d)
        for what, d in (("Builder cache", _CACHE_DIR), ("Debug mode temporary", _DEBUG_DIR))
        if (ctx.cwd / d).is_dir()
    ]
    extra = [f"{label} File {name} will be deleted." for label, name in configs]
    extra += [f"{what} {d} directory will be deleted." for what, d in dirs]
    extra.append(f"{TEST_LABEL} File in the current directory will be deleted.")
    confirm_delete(ctx, plan, extra)
    execute(ctx, plan)
    for what, directory in dirs:
        remove_dir(ctx.cwd / directory)
        ctx.out.info(f"{what} {directory} directory is deleted successfully.")
    for label, name in configs:
        remove_file(ctx.path(name))
        ctx.out.info(f"{label} is deleted successfully.")
    remove_file(path)
    ctx.out.info(f"{TEST_LABEL} is deleted successfully.")


def _config_to_delete(ctx: Context) -> dict:
    """The test configuration; a corrupted file reads as empty, so it can still be deleted."""
    try:
        return read_test_config(ctx.cwd)
    except ImptError:
        args = ctx.args
        if args.entities or args.github_config or args.builder_config or args.all:
            ctx.out.info(
                f"{TEST_LABEL} File is corrupted: the Device Group and configuration files it references can not "
                "be determined and are not deleted."
            )
        return {}


def github(ctx: Context) -> None:
    """Writes the credentials (mode 0600, atomically); they are never printed in any output mode."""
    args = ctx.args
    if args.pwd is not None and args.user is None:
        raise UsageError('Options "--pwd" and "--user" must be specified together.')
    path = ctx.path(args.github_config)
    if not path.parent.is_dir():  # impt 2.6 writes the file where it is named and never creates directories
        raise ImptError(f"File error: {path}: No such file or directory.")
    existed = path.exists()
    if existed:
        message = f"{GITHUB_LABEL} File {args.github_config} already exists. It will be overwritten."
        confirm(ctx.out, ctx.terminal, bool(args.confirmed), [message])
    user = args.user if args.user is not None else ask(ctx.out, ctx.terminal, "GitHub username", option="--user")
    token = args.pwd
    if token is None:
        token = ask(ctx.out, ctx.terminal, "GitHub password or personal access token", secret=True, option="--pwd")
    write_config(path, {"githubUser": user, "githubToken": token}, mode=0o600)
    ctx.out.info(f"{GITHUB_LABEL} is {'updated' if existed else 'created'} successfully.")


def run(ctx: Context) -> None:
    from impt.commands.test.runner import run_tests

    run_tests(ctx)


def _bool(name: str, alias: str, descr: str, default: bool | None) -> o.Option:
    return o.Option(name, alias, o.BOOL, descr, default=default)


_TEST_FILE_DESCR = "A test file name or glob (repeat for several; OR-ed)."


def _config_options(*, creating: bool) -> tuple[o.Option, ...]:
    file_kind = o.STRING if creating else o.OPT_STRING
    default = (lambda v: v) if creating else (lambda v: None)
    return (
        o.Option("device-file", "x", file_kind, "A device source file deployed with the tests.", "device_file"),
        o.Option("agent-file", "y", file_kind, "An agent source file deployed with the tests.", "agent_file"),
        o.Option("timeout", "t", o.NUMBER, "Seconds after which a test fails.", "timeout", default=default(30)),
        _bool("stop-on-fail", "s", "Stops testing after the first failure.", default(False)),
        _bool("allow-disconnect", "a", "Keeps a session alive when the device disconnects.", default(False)),
        _bool("builder-cache", "e", "Caches external libraries in .builder-cache.", default(False)),
        o.Option(
            "test-file",
            "f",
            o.ARRAY,
            _TEST_FILE_DESCR,
            "test_file_name_pattern",
            default=list(DEFAULT_TEST_FILES) if creating else None,
        ),
        o.Option(
            "github-config",
            "i",
            file_kind,
            "A GitHub credentials file (may not exist).",
            "github_credentials_file_name",
        ),
        o.Option("builder-config", "j", file_kind, "A Builder variables file (may not exist).", "builder_file_name"),
    )


COMMANDS = (
    o.Command(
        "test",
        "create",
        "Creates a test configuration file.",
        "Creates .impt.test in the current directory for running tests on the Device Group's devices. Asks "
        "before overwriting unless --confirmed.",
        (o.dg(required=o.YES), *_config_options(creating=True), o.confirmed()),
        create,
    ),
    o.Command(
        "test",
        "delete",
        "Deletes the test configuration file.",
        "Deletes .impt.test, .builder-cache and .build; optionally the GitHub credentials and Builder variables "
        "files and (--entities) the Device Group with its builds and the Product if it has no other group. "
        "Asks unless --confirmed.",
        (
            o.flag("github-config", "i", "Also deletes the GitHub credentials file."),
            o.flag("builder-config", "j", "Also deletes the Builder variables file."),
            o.flag("entities", "e", "Also deletes the Device Group, its builds and the Product if left empty."),
            o.flag("all", "a", "Includes --github-config, --builder-config and --entities."),
            o.confirmed(),
        ),
        delete,
    ),
    o.Command(
        "test",
        "github",
        "Creates or updates a GitHub credentials file.",
        "Writes a GitHub credentials file (mode 0600). Asks for missing values on a terminal and before "
        "overwriting unless --confirmed. The credentials are never printed.",
        (
            o.text("github-config", "i", "github_credentials_file_name", "The file to write.", required=o.YES),
            o.text("user", "u", "github_username", "A GitHub username."),
            o.text("pwd", "w", "github_password", "A GitHub password or personal access token (needs --user)."),
            o.confirmed(),
        ),
        github,
    ),
    o.Command(
        "test",
        "info",
        "Displays information about the test configuration.",
        "Displays the test configuration and its Device Group.",
        (),
        info,
    ),
    o.Command(
        "test",
        "run",
        "Runs the tests specified by the test configuration file.",
        "Deploys each selected test file with impt's test runner to the Device Group and reports the results "
        "it logs; exits non-zero when any test fails. --tests selects [testFile][:testCase][::testMethod] "
        "(testFile is a regular expression searched in the file path).",
        (
            o.text("tests", "t", "test_pattern", "Selects the tests to run.", empty_ok=True),
            o.flag("clear-cache", "e", "Clears the .builder-cache directory first."),
        ),
        run,
    ),
    o.Command(
        "test",
        "update",
        "Updates the test configuration file.",
        "Updates .impt.test: only the given options change; a file option without a value removes the "
        "setting; --test-file values replace the list.",
        (o.dg(required=""), *_config_options(creating=False)),
        update,
    ),
)
