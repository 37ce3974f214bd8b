"""Declarative option tables: one `Command` per impt command feeds the parser, help and completion."""

from __future__ import annotations

from typing import Any, Callable

STRING = "string"
FLAG = "flag"  # no value; an explicit "false" is rejected
BOOL = "bool"  # optional value: --flagged [true|false]
ARRAY = "array"  # repeatable string
NUMBER = "number"  # positive integer
OPT_STRING = "optstring"  # value optional: `--device-file` alone means "remove the setting" (value "")

YES = "yes"
PROJECT = "project"  # "Yes/Project": mandatory unless the project file supplies it

DG_TYPE_NAMES = ("development", "pre-factory", "pre-dut", "pre-production", "factory", "dut", "production")
OUTPUT_MODES = ("minimal", "json", "debug")


class Option:
    """One option of one command (plain class: dataclasses would cost `impt --help` ~10 ms of imports)."""

    __slots__ = ("alias", "choices", "default", "descr", "empty_ok", "kind", "name", "required", "usage", "value_name")

    def __init__(  # noqa: PLR0917 - positional columns keep the option tables readable
        self,
        name: str,
        alias: str,
        kind: str,
        descr: str,
        value_name: str = "",
        required: str = "",  # "", YES or PROJECT
        *,
        default: Any = None,
        choices: tuple[str, ...] = (),
        empty_ok: bool = False,
        usage: str = "",  # overrides the generated usage fragment
    ) -> None:
        self.name, self.alias, self.kind, self.descr = name, alias, kind, descr
        self.value_name, self.required, self.default = value_name, required, default
        self.choices, self.empty_ok, self.usage = choices, empty_ok, usage

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    def usage_fragment(self) -> str:
        if self.usage:
            return self.usage
        if self.kind == FLAG:
            text = f"--{self.name}"
        elif self.kind == BOOL:
            text = f"--{self.name} [true|false]"
        elif self.kind == OPT_STRING:
            text = f"--{self.name} [<{self.value_name}>]"
        else:
            text = f"--{self.name} <{self.value_name}>"
        return text if self.required == YES else f"[{text}]"


class Command:
    """One impt command: its help texts, its option table and the function that runs it."""

    def __init__(  # noqa: PLR0917 - positional columns keep the option tables readable
        self,
        group: str,
        name: str,
        descr: str,  # one line for group help
        long_descr: str,
        options: tuple[Option, ...],
        run: Callable[..., Any],
        *,
        usage: str = "",  # full usage override (auth login)
        needs_auth: bool = True,
    ) -> None:
        self.group, self.name, self.descr, self.long_descr = group, name, descr, long_descr
        self.options, self.run, self.usage, self.needs_auth = options, run, usage, needs_auth
        extra = () if any(o.name == "output" for o in options) else (OUTPUT,)
        self.all_options: tuple[Option, ...] = (*options, *extra, HELP)

    def usage_line(self) -> str:
        if self.usage:
            return f"Usage: impt {self.group} {self.name} {self.usage}"
        parts = [o.usage_fragment() for o in self.all_options]
        return f"Usage: impt {self.group} {self.name} " + " ".join(parts)


OUTPUT = Option("output", "z", STRING, "Adjusts the command's output.", "mode", choices=OUTPUT_MODES)
HELP = Option("help", "h", FLAG, "Displays description of the command. Ignores any other options.")

_YES_PROJECT = "If not specified, the {what} referenced by the Project file in the current directory is used."


def identifier(name: str, alias: str, entity: str, descr: str, required: str = "", *, kind: str = STRING) -> Option:
    """An option naming an entity by identifier (`<PRODUCT_IDENTIFIER>` etc.)."""
    value = {
        "account": "ACCOUNT_IDENTIFIER",
        "product": "PRODUCT_IDENTIFIER",
        "dg": "DEVICE_GROUP_IDENTIFIER",
        "device": "DEVICE_IDENTIFIER",
        "build": "BUILD_IDENTIFIER",
    }[entity]
    if required == PROJECT:
        what = {"product": "Product", "dg": "Device Group", "build": "most recent Deployment of the Device Group"}
        descr = f"{descr} {_YES_PROJECT.format(what=what.get(entity, entity))}"
    return Option(name, alias, kind, descr, value, required)


def product(required: str = PROJECT) -> Option:
    return identifier("product", "p", "product", "A Product identifier.", required)


def dg(required: str = PROJECT, descr: str = "A Device Group identifier.") -> Option:
    return identifier("dg", "g", "dg", descr, required)


def build(required: str = PROJECT) -> Option:
    return identifier("build", "b", "build", "A Build (Deployment) identifier.", required)


def device(required: str = YES) -> Option:
    return identifier("device", "d", "device", "A Device identifier.", required)


def confirmed() -> Option:
    return Option("confirmed", "q", FLAG, "Executes the operation without asking additional confirmation from user.")


def flag(name: str, alias: str, descr: str) -> Option:
    return Option(name, alias, FLAG, descr)


def text(name: str, alias: str, value_name: str, descr: str, *, required: str = "", empty_ok: bool = False) -> Option:
    return Option(name, alias, STRING, descr, value_name, required, empty_ok=empty_ok)


def descr_option(value_name: str, descr: str, required: str = "") -> Option:
    return Option("descr", "s", STRING, descr, value_name, required, empty_ok=True)


def owner_filter() -> Option:
    return identifier("owner", "o", "account", "Only entities owned by the specified Account(s).", kind=ARRAY)


def product_filter() -> Option:
    return identifier("product", "p", "product", "Only entities related to the specified Product(s).", kind=ARRAY)


def dg_filter() -> Option:
    return identifier("dg", "g", "dg", "Only entities related to the specified Device Group(s).", kind=ARRAY)


def dg_type_filter() -> Option:
    return Option(
        "dg-type",
        "y",
        ARRAY,
        "Only entities related to Device Groups of the specified type(s).",
        "device_group_type",
        choices=DG_TYPE_NAMES,
    )
