"""`impt account ...`: show one account or every account the current one can reach."""

from __future__ import annotations

from impt import options as o
from impt.context import Context
from impt.resolve import catalog, find_one, print_list


def info(ctx: Context) -> None:
    account = find_one(ctx, "account", ctx.args.user)
    ctx.out.data(catalog(ctx).entry("account", account, info=True))


def list_accounts(ctx: Context) -> None:
    print_list(ctx, "account", "Account", ctx.client.accounts.list())


COMMANDS = (
    o.Command(
        "account",
        "info",
        "Displays information about the specified account.",
        "Displays information about the specified account (default: the current one).",
        (
            o.Option(
                "user",
                "u",
                o.STRING,
                "An Account identifier: me, id, email or username.",
                "ACCOUNT_IDENTIFIER",
                default="me",
            ),
        ),
        info,
    ),
    o.Command(
        "account",
        "list",
        "Displays information about all available accounts.",
        "Displays the current account and every account it collaborates on.",
        (),
        list_accounts,
    ),
)
