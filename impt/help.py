"""Help texts generated from the option tables (top level, group, command)."""

from __future__ import annotations

import textwrap

from impt.errors import EXIT_CODES
from impt.options import ARRAY, BOOL, FLAG, NUMBER, PROJECT, YES, Command, Option

_WIDTH = 80


def _columns(rows: list[tuple[str, str]], indent: int = 2) -> list[str]:
    width = max((len(left) for left, _ in rows), default=0) + 2
    lines = []
    for left, right in rows:
        wrapped = textwrap.wrap(right, _WIDTH - indent - width) or [""]
        lines.append(" " * indent + left.ljust(width) + wrapped[0])
        lines.extend(" " * (indent + width) + more for more in wrapped[1:])
    return lines


def top_help(groups: dict[str, str]) -> str:
    rows = [(f"impt {name}", descr) for name, descr in groups.items()]
    rows.append(("impt completion", "Prints a shell completion script: impt completion bash|zsh|fish."))
    lines = ["Usage: impt <command> [options]", "", "Commands:", *_columns(rows), "", "Options:"]
    lines += _columns([("--version, -v", "Displays the version of impt."), ("--help, -h", _HELP_DESCR)])
    lines += ["", "Exit codes:", *_columns([(str(code), text) for code, text in EXIT_CODES])]
    lines += ["", "Environment: IMPT_AUTH_FILE_PATH, IMPT_LOGINKEY, IMPT_USER, IMPT_PASSWORD, IMPT_ENDPOINT, NO_COLOR."]
    return "\n".join(lines)


_HELP_DESCR = "Displays description of the command. Ignores any other options."


def group_help(group: str, descr: str, commands: tuple[Command, ...]) -> str:
    rows = [(f"impt {group} {c.name}", c.descr) for c in commands]
    lines = [f"Usage: impt {group} <command> [options]", "", descr, "", "Commands:", *_columns(rows), "", "Options:"]
    lines += _columns([("--help, -h", _HELP_DESCR)])
    return "\n".join(lines)


def _option_tags(option: Option) -> str:
    kind = {FLAG: "boolean", BOOL: "boolean", ARRAY: "array", NUMBER: "number"}.get(option.kind, "string")
    tags = [f"[{kind}]"]
    if option.required == YES:
        tags.append("[required]")
    if option.required == PROJECT:
        tags.append("[required or from the Project file]")
    if option.default is not None:
        tags.append(
            f'[default: "{option.default}"]' if isinstance(option.default, str) else f"[default: {option.default}]"
        )
    if option.choices:
        tags.append("[choices: " + ", ".join(f'"{c}"' for c in option.choices) + "]")
    return " ".join(tags)


def command_help(command: Command) -> str:
    lines = [command.usage_line(), "", *textwrap.wrap(command.long_descr, _WIDTH), "", "Options:"]
    rows = [(f"--{o.name}, -{o.alias}", f"{o.descr} {_option_tags(o)}") for o in command.all_options]
    lines += _columns(rows)
    return "\n".join(lines)
