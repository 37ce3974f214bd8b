"""Just enough Squirrel lexing to read code without running it: string literals and braces.

Used to find `server.log("...")` lines a simulated device prints and the impUnit test classes
it "runs". Only literal strings are understood; nothing is evaluated.
"""

from __future__ import annotations

import json
import re

_STRING = r'"((?:[^"\\\n]|\\.)*)"'
SERVER_LOG = re.compile(r"\bserver\.log\s*\(\s*" + _STRING + r"\s*\)")
SERVER_ERROR = re.compile(r"\bserver\.error\s*\(\s*" + _STRING + r"\s*\)")


def unescape(literal: str) -> str:
    """Contents of a Squirrel double-quoted literal (its escapes match JSON's closely enough)."""
    try:
        return json.loads(f'"{literal}"')
    except ValueError:
        return literal


def log_literals(code: str, pattern: re.Pattern[str] = SERVER_LOG) -> list[str]:
    return [unescape(m.group(1)) for m in pattern.finditer(code)]


def matching_brace(code: str, open_at: int) -> int:
    """Index of the `}` closing the `{` at `open_at`, skipping strings and comments (-1 if none)."""
    depth = 0
    i, n = open_at, len(code)
    while i < n:
        ch = code[i]
        if ch in "\"'":
            i = _skip_quoted(code, i, ch)
            continue
        if ch == "@" and i + 1 < n and code[i + 1] == '"':
            end = code.find('"', i + 2)
            i = n if end < 0 else end + 1
            continue
        if code.startswith("//", i) or ch == "#":
            end = code.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _skip_quoted(code: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(code):
        if code[i] == "\\":
            i += 2
            continue
        if code[i] == quote or code[i] == "\n":
            return i + 1
        i += 1
    return i


_PAIRS = {")": "(", "]": "[", "}": "{"}


def bracket_error(code: str) -> tuple[int, int, str] | None:
    """(row, column, message) of the first unbalanced bracket, or None: the emulator's whole
    "compiler", enough to exercise clients' CX005 handling."""
    stack: list[tuple[str, int]] = []
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch in "\"'":
            i = _skip_quoted(code, i, ch)
            continue
        if ch == "@" and i + 1 < n and code[i + 1] == '"':
            end = code.find('"', i + 2)
            i = n if end < 0 else end + 1
            continue
        if code.startswith("//", i) or ch == "#":
            end = code.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if ch in "([{":
            stack.append((ch, i))
        elif ch in _PAIRS:
            if not stack or stack[-1][0] != _PAIRS[ch]:
                return (*_row_column(code, i), f"unexpected '{ch}'")
            stack.pop()
        i += 1
    if stack:
        opener, at = stack[-1]
        return (*_row_column(code, at), f"'{opener}' is never closed")
    return None


def _row_column(code: str, index: int) -> tuple[int, int]:
    row = code.count("\n", 0, index) + 1
    return row, index - (code.rfind("\n", 0, index) + 1) + 1
