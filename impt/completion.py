"""`impt completion bash|zsh|fish`: shell completion generated from the option tables."""

from __future__ import annotations

from impt import commands
from impt.errors import EXIT_OK, UsageError
from impt.options import BOOL, FLAG, Command, Option
from impt.output import Output

SHELLS = ("bash", "zsh", "fish")
_AT_COMMAND = "test (count (commandline -opc)) -eq 2"


def _tables() -> dict[str, tuple[Command, ...]]:
    tables = {}
    for group in commands.available_groups():
        module = commands.load_group(group)
        if module is not None:
            tables[group] = module.COMMANDS
    return tables


def option_values(option: Option) -> tuple[str, ...] | None:
    """What may follow an option: its choices, `true false` for `[true|false]` options, () for a file name,
    None for free text."""
    if option.choices:
        return tuple(option.choices)
    if option.kind == BOOL:
        return ("true", "false")
    if option.kind != FLAG and (option.name.endswith(("-file", "-config")) or "file" in option.value_name):
        return ()
    return None


def _value_cases(tables: dict[str, tuple[Command, ...]]) -> list[str]:
    """bash `case` arms on "<group> <command> <previous word>": option values, or file names."""
    arms = []
    for group, group_commands in tables.items():
        for command in group_commands:
            for option in command.all_options:
                values = option_values(option)
                if values is None:
                    continue
                pattern = f'"{group} {command.name} --{option.name}"|"{group} {command.name} -{option.alias}"'
                reply = f'compgen -W "{" ".join(values)}" -- "$cur"' if values else 'compgen -f -- "$cur"'
                arms.append(f"            {pattern}) COMPREPLY=($({reply})); return ;;")
    return arms


def bash_script(tables: dict[str, tuple[Command, ...]]) -> str:
    cases = []
    for group, group_commands in tables.items():
        for command in group_commands:
            words = " ".join(f"--{o.name} -{o.alias}" for o in command.all_options)
            cases.append(f'        "{group} {command.name}") opts="{words}" ;;')
    group_cases = [f'        {g}) opts="{" ".join(c.name for c in cmds)}" ;;' for g, cmds in tables.items()]
    groups = " ".join([*tables, "completion"])
    return "\n".join(
        [
            "# bash completion for impt; load with: source <(impt completion bash)",
            "_impt() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" opts=""',
            "    if [ $COMP_CWORD -eq 1 ]; then",
            f'        opts="{groups} --help --version"',
            "    elif [ $COMP_CWORD -eq 2 ]; then",
            '        case "${COMP_WORDS[1]}" in',
            *group_cases,
            '        completion) opts="bash zsh fish" ;;',
            "        esac",
            "    else",
            '        case "${COMP_WORDS[1]} ${COMP_WORDS[2]} $prev" in',
            *_value_cases(tables),
            "        esac",
            '        case "${COMP_WORDS[1]} ${COMP_WORDS[2]}" in',
            *cases,
            "        esac",
            "    fi",
            '    COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
            "}",
            "complete -F _impt impt",
        ]
    )


def zsh_script(tables: dict[str, tuple[Command, ...]]) -> str:
    return "\n".join(
        [
            "#compdef impt",
            "# zsh completion for impt; load with: source <(impt completion zsh)",
            "autoload -U +X bashcompinit && bashcompinit",
            bash_script(tables),
        ]
    )


def fish_script(tables: dict[str, tuple[Command, ...]]) -> str:
    groups = " ".join([*tables, "completion"])
    lines = [
        "# fish completion for impt; load with: impt completion fish | source",
        "complete -c impt -f",
        f'complete -c impt -n "__fish_use_subcommand" -a "{groups}"',
    ]
    for group, group_commands in tables.items():
        names = " ".join(c.name for c in group_commands)
        lines.append(f'complete -c impt -n "__fish_seen_subcommand_from {group}; and {_AT_COMMAND}" -a "{names}"')
        for command in group_commands:
            condition = f"__fish_seen_subcommand_from {group}; and __fish_seen_subcommand_from {command.name}"
            for option in command.all_options:
                descr = option.descr.replace('"', "'")
                values = option_values(option)
                takes = "" if values is None else (f' -x -a "{" ".join(values)}"' if values else " -r -F")
                lines.append(
                    f'complete -c impt -n "{condition}" -l {option.name} -s {option.alias}{takes} -d "{descr}"'
                )
    return "\n".join(lines)


def run_completion(tokens: list[str], out: Output) -> int:
    """Print the script for the shell named by the first word."""
    if tokens and tokens[0] in ("-h", "--help"):
        out.stdout.write("Usage: impt completion bash|zsh|fish\n")
        return EXIT_OK
    if not tokens:
        out.dialog("Usage: impt completion bash|zsh|fish")
        raise UsageError("Please specify a shell: bash, zsh or fish.")
    if tokens[0] not in SHELLS or len(tokens) > 1:
        raise UsageError(f'Unknown shell "{tokens[0]}". Choose one of: bash, zsh, fish.')
    writer = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[tokens[0]]
    out.stdout.write(writer(_tables()) + "\n")
    return EXIT_OK
