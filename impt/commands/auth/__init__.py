"""`impt auth ...`: log in (global or local auth file), log out, show the applicable authentication."""

from __future__ import annotations

from pathlib import Path

from impt import options as o
from impt.context import DEFAULT_ENDPOINT, Context, auth_block
from impt.errors import ImptError, UsageError
from impt.files import AUTH_FILE, auth_file_text, write_atomically
from impt.prompt import ask, confirm


def _target(ctx: Context) -> tuple[Path, str]:
    if ctx.args.local:
        return ctx.cwd / AUTH_FILE, "Local"
    return ctx.home / AUTH_FILE, "Global"


def login(ctx: Context) -> None:
    args = ctx.args
    if args.user is not None and args.lk is not None:
        raise UsageError('Options "--user" and "--lk" are mutually exclusive.')
    if args.pwd is not None and args.user is None:
        raise UsageError('Options "--pwd" and "--user" must be specified together.')
    path, scope = _target(ctx)
    if path.exists():
        confirm(
            ctx.out,
            ctx.terminal,
            bool(args.confirmed),
            [f"The {scope} Auth File already exists. It will be overwritten."],
        )
    user, login_key = args.user, args.lk
    if user is None and login_key is None:
        user, login_key = _choose_method(ctx)
    client = ctx.new_client(args.endpoint)
    if login_key is not None:
        tokens = client.login_with_key(login_key)
    else:
        password = args.pwd
        if password is None:
            password = ask(ctx.out, ctx.terminal, "password", secret=True, option="--pwd")
        tokens = client.login(user, password, otp_callback=ctx.ask_otp)
    write_atomically(path, auth_file_text(args.endpoint, tokens, temp=bool(args.temp)))
    ctx.out.info(f"{scope} login is successful.")


def _choose_method(ctx: Context) -> tuple[str | None, str | None]:
    if not ctx.terminal.interactive:
        raise UsageError('Either "--user" or "--lk" option must be specified (no terminal to ask).')
    ctx.out.dialog("Choose authentication method:")
    ctx.out.dialog("  (1) User/Password")
    ctx.out.dialog("  (2) Login Key")
    while True:
        choice = ctx.terminal.read_line("Enter 1 or 2: ", ctx.out.dialog_stream).strip()
        if choice == "1":
            return ask(ctx.out, ctx.terminal, "username or email address"), None
        if choice == "2":
            return None, ask(ctx.out, ctx.terminal, "login key", secret=True)
        ctx.out.dialog("Invalid value!")


def logout(ctx: Context) -> None:
    path, scope = _target(ctx)
    if not path.exists():
        raise ImptError(f"{scope} Auth File is not found.")
    path.unlink()
    ctx.out.info(f"{scope} logout is successful.")


def info(ctx: Context) -> None:
    try:
        block = auth_block(ctx)
    except Exception as exc:
        partial = getattr(exc, "partial_auth_block", None)
        # json mode: stdout carries one document, the `{"Error": ...}` one.
        if partial is not None and not ctx.out.is_json:
            ctx.out.data({"Auth": partial})
        raise
    ctx.out.data({"Auth": block})


_LOCAL = o.flag("local", "l", "Acts on the local auth file (current directory) instead of the global one.")

COMMANDS = (
    o.Command(
        "auth",
        "info",
        "Displays the status and the details of the authentication applicable to the current directory.",
        "Displays the status and the details of the authentication applicable to the current directory, "
        "determined by the Command Execution Context rules.",
        (),
        info,
        needs_auth=False,
    ),
    o.Command(
        "auth",
        "login",
        "Creates the global or local auth file.",
        "Logs in with a user and password or a login key and saves the access token in the global or "
        "(--local) the local auth file. Asks before overwriting it unless --confirmed.",
        (
            _LOCAL,
            o.Option(
                "endpoint", "e", o.STRING, "The impCentral API base URL.", "endpoint_url", default=DEFAULT_ENDPOINT
            ),
            o.text("user", "u", "user_id", "The account identifier: a username or an email address."),
            o.text("pwd", "w", "password", "The account password (asked for when omitted).", empty_ok=True),
            o.text("lk", "k", "login_key_id", "A login key of the account."),
            o.flag("temp", "t", "Does not save what is needed to refresh the access token."),
            o.confirmed(),
        ),
        login,
        usage="[--local] [--endpoint <endpoint_url>] [--user <user_id> [--pwd <password>] | --lk <login_key_id>] "
        "[--temp] [--confirmed] [--output <mode>] [--help]",
        needs_auth=False,
    ),
    o.Command(
        "auth",
        "logout",
        "Deletes the global or local auth file.",
        "Deletes the global or (--local) the local auth file.",
        (_LOCAL,),
        logout,
        needs_auth=False,
    ),
)
