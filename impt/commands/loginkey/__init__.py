"""`impt loginkey ...`: login keys of the current account (changes need the account password)."""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_login_key_delete

from impt import options as o
from impt.context import Context
from impt.deleter import confirm_delete, execute
from impt.display import short
from impt.prompt import ask
from impt.resolve import catalog, find_one, print_list


def _password(ctx: Context) -> str:
    if ctx.args.pwd is not None:
        return ctx.args.pwd
    return ask(ctx.out, ctx.terminal, "password", secret=True, option="--pwd")


def create(ctx: Context) -> None:
    key = ctx.client.login_keys.create(_password(ctx), description=ctx.args.descr)
    ctx.out.info(f'Login Key "{key["id"]}" is created successfully.')
    ctx.out.data({"Login Key": short("login_key", key)})


def delete(ctx: Context) -> None:
    args = ctx.args
    plan = plan_login_key_delete(find_one(ctx, "login_key", args.lk), password=lambda: _password(ctx), shown=args.lk)
    confirm_delete(ctx, plan)
    execute(ctx, plan)  # the password is asked after the dialog, as impt 2.6 does


def info(ctx: Context) -> None:
    key = find_one(ctx, "login_key", ctx.args.lk)
    ctx.out.data(catalog(ctx).entry("login_key", key, info=True))


def list_keys(ctx: Context) -> None:
    print_list(ctx, "login_key", "Login Key", ctx.client.login_keys.list())


def update(ctx: Context) -> None:
    args = ctx.args
    key = find_one(ctx, "login_key", args.lk)
    ctx.client.login_keys.update(key["id"], _password(ctx), args.descr)
    ctx.out.info(f'Login Key "{args.lk}" is updated successfully.')


_LK = o.text("lk", "k", "login_key_id", "The login key ID.", required=o.YES)
_PWD = o.text("pwd", "w", "password", "The account password (asked for when omitted).", empty_ok=True)

COMMANDS = (
    o.Command(
        "loginkey",
        "create",
        "Creates a new login key.",
        "Creates a new login key for the current account.",
        (_PWD, o.descr_option("login_key_description", "An optional description of the login key.")),
        create,
    ),
    o.Command(
        "loginkey",
        "delete",
        "Deletes the specified login key.",
        "Deletes the specified login key. Asks unless --confirmed.",
        (_LK, _PWD, o.confirmed()),
        delete,
    ),
    o.Command(
        "loginkey",
        "info",
        "Displays information about the specified login key.",
        "Displays information about the specified login key.",
        (_LK,),
        info,
    ),
    o.Command(
        "loginkey",
        "list",
        "Displays information about all login keys.",
        "Displays the login keys of the current account.",
        (),
        list_keys,
    ),
    o.Command(
        "loginkey",
        "update",
        "Updates the specified login key's description.",
        "Updates the description of the specified login key.",
        (_LK, _PWD, o.descr_option("login_key_description", "The login key's new description.", required=o.YES)),
        update,
    ),
)
