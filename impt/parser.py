"""A small parser for impt's option syntax: aliases, optional values, repeatable filters, impt's error texts.

argparse cannot express `--flagged [true|false]`, flags that reject `false`, or impt's exact messages.
"""

from __future__ import annotations

from typing import Any, Iterable

from impt.errors import UsageError
from impt.options import ARRAY, BOOL, FLAG, NUMBER, OPT_STRING, YES, Command, Option

_BOOL_WORDS = ("true", "false")


class Args:
    """Parsed option values by `dest` name; options not given are None (or their default, or [] for arrays)."""

    def __init__(self, values: dict[str, Any], given: set[str]) -> None:
        self.__dict__.update(values)
        self._given = given

    def given(self, name: str) -> bool:
        return name in self._given

    def __getattr__(self, name: str) -> Any:  # only called for unknown attributes
        return None


def wants_help(tokens: Iterable[str]) -> bool:
    """`--help` anywhere wins over every other option, valid or not."""
    for token in tokens:
        if token == "--":  # noqa: S105 - end of options, not a secret
            return False
        if token in ("--help", "-h", "-help"):
            return True
    return False


def peek_output(tokens: list[str]) -> str | None:
    """The requested output mode, found before full parsing so that usage errors render in that mode."""
    for index, token in enumerate(tokens):
        for prefix in ("--output=", "-output=", "-z="):
            if token.startswith(prefix):
                return token[len(prefix) :]
        if token in ("--output", "-output", "-z") and index + 1 < len(tokens):
            return tokens[index + 1]
    return None


def _looks_like_option(token: str) -> bool:
    if len(token) < 2 or not token.startswith("-"):
        return False
    return not token[1:].replace(".", "", 1).isdigit()


def _split(tokens: list[str], command: Command) -> tuple[list[tuple[Option, str | None, str]], list[str]]:
    """Tokens → (option, inline value or None, name as typed) occurrences and positional words."""
    by_name = {o.name: o for o in command.all_options}
    by_alias = {o.alias: o for o in command.all_options}
    found: list[tuple[Option, str | None, str]] = []
    positional: list[str] = []
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        if token == "--":  # noqa: S105 - end of options, not a secret
            positional.extend(queue)
            break
        single_dash_long = token.startswith("-") and not token.startswith("--") and len(token) > 2
        if single_dash_long and token[1:].partition("=")[0] in by_name:
            token = "-" + token  # yargs reads `-dg X`, `-device X` as the long option (the seed types them)
        if token.startswith("--") and len(token) > 2:
            name, eq, inline = token[2:].partition("=")
            option = by_name.get(name)
            if option is None:
                raise UsageError(f"Unknown argument: {name}")
            found.append((option, inline if eq else None, name))
            _take_value(option, inline if eq else None, queue, found)
        elif _looks_like_option(token):
            letters, eq, inline = token[1:].partition("=")
            for position, letter in enumerate(letters):
                option = by_alias.get(letter)
                if option is None:
                    raise UsageError(f"Unknown argument: {letter}")
                rest = letters[position + 1 :]
                if option.kind not in (FLAG, BOOL) and rest:
                    found.append((option, rest, letter))
                    break
                last = position == len(letters) - 1
                value = inline if (eq and last) else None
                found.append((option, value, letter))
                if last:
                    _take_value(option, value, queue, found)
        else:
            positional.append(token)
    return found, positional


def _take_value(option: Option, inline: str | None, queue: list[str], found: list) -> None:
    """Consume the next token as the value of the option just recorded in `found`, when it takes one."""
    if inline is not None:
        return
    if option.kind in (FLAG, BOOL):
        if queue and queue[0] in _BOOL_WORDS:
            found[-1] = (option, queue.pop(0), found[-1][2])
        return
    if option.kind == OPT_STRING and (not queue or _looks_like_option(queue[0])):
        return
    if not queue or _looks_like_option(queue[0]):
        raise UsageError(f"Not enough arguments following: {found[-1][2]}")  # named as typed: `g` or `dg`
    found[-1] = (option, queue.pop(0), found[-1][2])


def _invalid_value(option: Option, given: str) -> str:
    choices = ", ".join(f'"{c}"' for c in option.choices or ())
    return f'Invalid values: Argument: {option.name}, Given: "{given}", Choices: {choices}'


def _convert(option: Option, value: str | None) -> Any:
    if option.kind == FLAG:
        if value not in (None, "true"):
            raise UsageError(f'Option "--{option.name}" has incorrect value "{value}".')
        return True
    if option.kind == BOOL:
        if value not in (None, "true", "false"):
            raise UsageError(f'Option "--{option.name}" has incorrect value "{value}".')
        return value != "false"
    if option.kind == OPT_STRING:
        return value or ""
    assert value is not None
    if not value.strip() and not option.empty_ok:  # blank (`-n "   "`) is empty, as the modules have it
        raise UsageError(f'Option "--{option.name}" must not be empty.')
    if option.choices and value not in option.choices:
        raise UsageError(_invalid_value(option, value))
    if option.kind == NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f'Option "--{option.name}" must be a number.') from None
        if number <= 0 or not number.is_integer():
            raise UsageError(f'Option "--{option.name}" must have a positive integer value.')
        return int(number)
    return value


def check_encoding(tokens: list[str]) -> None:
    """Arguments that are not valid UTF-8 (lone surrogates from the OS) are refused before any request."""
    for token in tokens:
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:
            shown = token.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UsageError(f'Argument "{shown}" is not valid UTF-8.') from None


def parse(command: Command, tokens: list[str]) -> Args:
    """Parse the option tokens of one command; raises UsageError with impt's wording."""
    found, positional = _split(tokens, command)
    if positional:
        raise UsageError(f"Unknown arguments: {', '.join(positional)}.")
    values: dict[str, Any] = {}
    given: set[str] = set()
    for option, raw, _spelling in found:
        value = _convert(option, raw)
        if option.kind == ARRAY:
            values.setdefault(option.dest, []).append(value)
        elif option.dest in given and option.kind in (FLAG, BOOL):
            values[option.dest] = value  # yargs accepts a flag given twice (`-q ... -q`): the last one counts
        elif option.dest in given:
            raise UsageError(f'Option "--{option.name}" must not be specified multiple times.')
        else:
            values[option.dest] = value
        given.add(option.dest)
    for option in command.all_options:
        if option.dest in given:
            continue
        if option.required == YES:
            raise UsageError(f"Missing required argument: {option.name}")
        values[option.dest] = [] if option.kind == ARRAY and option.default is None else option.default
    return Args(values, given)
