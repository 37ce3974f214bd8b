"""`impt completion bash|zsh|fish`: shell completion generated from the option tables."""

from __future__ import annotations

from impt import commands
from impt.errors import EXIT_OK, UsageError
from impt.options import Command
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
            '    local cur="${COMP_WORDS[COMP_CWORD]}" opts=""',
            "    if [ $COMP_CWORD -eq 1 ]; then",
            f'        opts="{groups} --help --version"',
            "    elif [ $COMP_CWORD -eq 2 ]; then",
            '        case "${COMP_WORDS[1]}" in',
            *group_cases,
            '        completion) opts="bash zsh fish" ;;',
            "        esac",
            "    else",
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
                lines.append(f'complete -c impt -n "{condition}" -l {option.name} -s {option.alias} -d "{descr}"')
    return "\n".join(lines)


def run_completion(tokens: list[str], out: Output) -> int:
    """Print the script for the shell named by the first word."""
    if not tokens or tokens[0] in ("-h", "--help"):
        out.stdout.write("Usage: impt completion bash|zsh|fish\n")
        return EXIT_OK
    if tokens[0] not in SHELLS or len(tokens) > 1:
        raise UsageError(f'Unknown shell "{tokens[0]}". Choose one of: bash, zsh, fish.')
    writer = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[tokens[0]]
    out.stdout.write(writer(_tables()) + "\n")
    return EXIT_OK
