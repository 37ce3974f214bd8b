"""Builder source text as a tree of directives and text lines, parsed before anything runs.

A line whose first non-blank character is `@` followed by a directive name is a directive, `@` followed
by a blank or the line's end is a comment; every other line is text whose `@{...}` parts are
expressions. Blocks (`@if`, `@while`, `@repeat`, `@macro`) close with their own `@end...` or `@end`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from impt.builder.expressions import ExpressionError, parse

_DIRECTIVE = re.compile(r"^[ \t]*@([A-Za-z_]\w*)(.*)$", re.DOTALL)
_COMMENT = re.compile(r"^[ \t]*@(?:[ \t].*)?$", re.DOTALL)
_MACRO = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*\((.*)\)\s*(?://.*)?$")
_SET = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*(?:=(?!=)\s*)?(.*)$", re.DOTALL)
_ENDINGS = {"if": "endif", "while": "endwhile", "repeat": "endrepeat", "macro": "endmacro"}
KNOWN = {"set", "include", "error", "warning", "if", "elseif", "else", "while", "repeat", "macro", "end"}
KNOWN |= set(_ENDINGS.values())


class SourceError(Exception):
    """A syntax error at `line` of the source, in `directive` (e.g. `@if`)."""

    def __init__(self, line: int, directive: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.directive = directive
        self.message = message


@dataclass
class Expr:
    text: str
    tree: tuple


@dataclass
class Text:
    line: int
    parts: list  # str and Expr, in order; the line's newline is the last str


@dataclass
class Statement:
    line: int
    name: str  # set, include, error, warning
    expr: Expr
    target: str = ""  # @set's variable
    once: bool = False  # @include once


@dataclass
class Branch:
    line: int
    condition: Expr | None  # None for @else
    body: list = field(default_factory=list)


@dataclass
class Block:
    line: int
    name: str  # if, while, repeat
    branches: list[Branch]


@dataclass
class Macro:
    line: int
    name: str
    params: list[tuple[str, Expr | None]]
    body: list
    origin: object = None  # the Source it was defined in, set by the machine


def expression(text: str, line: int, directive: str) -> Expr:
    try:
        return Expr(text.strip(), parse(text))
    except ExpressionError as exc:
        raise SourceError(line, directive, f'{exc} in "{text.strip()}"') from None


def parse_source(text: str) -> list:
    """The tree of a whole file; unbalanced blocks and bad expressions fail here, before any output."""
    root: list = []
    stack: list[tuple[object, list]] = []  # (open Block or Macro, its current body)
    body = root
    for number, raw in enumerate(text.splitlines(keepends=True), 1):
        content = raw.rstrip("\r\n")
        if _COMMENT.match(content):
            continue
        match = _DIRECTIVE.match(content)
        if not match or match.group(1) not in KNOWN:
            if match and not content.lstrip().startswith("@{"):
                raise SourceError(number, "@" + match.group(1), "unknown directive")
            body.append(Text(number, _inline(raw, number)))
            continue
        name, rest = match.group(1), match.group(2)
        directive = "@" + name
        if name in ("set", "include", "error", "warning"):
            body.append(_statement(number, name, rest))
        elif name in ("if", "while", "repeat"):
            block = Block(number, name, [Branch(number, expression(rest, number, directive))])
            body.append(block)
            stack.append((block, body))
            body = block.branches[0].body
        elif name == "macro":
            macro = _macro(number, rest)
            body.append(macro)
            stack.append((macro, body))
            body = macro.body
        elif name in ("elseif", "else"):
            block = stack[-1][0] if stack else None
            if not isinstance(block, Block) or block.name != "if" or block.branches[-1].condition is None:
                raise SourceError(number, directive, "without a matching @if")
            condition = expression(rest, number, directive) if name == "elseif" else None
            if name == "else" and _code(rest):
                raise SourceError(number, directive, f'unexpected "{rest.strip()}"')
            block.branches.append(Branch(number, condition))
            body = block.branches[-1].body
        else:  # an ending
            if not stack:
                raise SourceError(number, directive, "without an open block")
            opened = stack[-1][0]
            opened_name = opened.name if isinstance(opened, Block) else "macro"
            if name != "end" and _ENDINGS[opened_name] != name:
                raise SourceError(number, directive, f"closes @{opened_name} opened at line {opened.line}")
            body = stack.pop()[1]
    if stack:
        opened = stack[-1][0]
        opened_name = opened.name if isinstance(opened, Block) else "macro"
        raise SourceError(opened.line, "@" + opened_name, "is never closed (@end is missing)")
    return root


def _code(rest: str) -> str:
    """A directive's argument text without its `//` comment."""
    return re.sub(r"^\s*//.*$", "", rest).strip()


def _statement(number: int, name: str, rest: str) -> Statement:
    directive = "@" + name
    if name == "set":
        match = _SET.match(rest)
        if not match or not match.group(2).strip():
            raise SourceError(number, directive, "expects a variable name and a value")
        return Statement(number, name, expression(match.group(2), number, directive), target=match.group(1))
    once = False
    if name == "include":
        once_match = re.match(r"^\s+once\b(.*)$", rest, re.DOTALL)
        if once_match:
            once, rest = True, once_match.group(1)
    return Statement(number, name, expression(rest, number, directive), once=once)


def _macro(number: int, rest: str) -> Macro:
    match = _MACRO.match(rest)
    if not match:
        raise SourceError(number, "@macro", "expects a name and parameters, as in name(a, b = 1)")
    params: list[tuple[str, Expr | None]] = []
    for item in _split_params(match.group(2)):
        name, _, default = item.partition("=")
        if not re.fullmatch(r"\s*[A-Za-z_$][\w$]*\s*", name):
            raise SourceError(number, "@macro", f'bad parameter "{item.strip()}"')
        params.append((name.strip(), expression(default, number, "@macro") if default.strip() else None))
    return Macro(number, match.group(1), params, [])


def _split_params(text: str) -> list[str]:
    """Parameters split on top-level commas (a default may hold a call or a string with commas)."""
    items, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote and not current.endswith("\\") else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        items.append(current)
    return items


def _inline(raw: str, number: int) -> list:
    """A text line cut into literal text and `@{...}` expressions (braces inside strings do not count)."""
    parts: list = []
    position = 0
    while True:
        start = raw.find("@{", position)
        if start < 0:
            parts.append(raw[position:])
            return parts
        end = _closing_brace(raw, start + 2)
        if end < 0:
            raise SourceError(number, "@{...}", "is not closed with }")
        parts.append(raw[position:start])
        parts.append(expression(raw[start + 2 : end], number, "@{...}"))
        position = end + 1


def _closing_brace(text: str, position: int) -> int:
    depth, quote = 0, ""
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position
            depth -= 1
        position += 1
    return -1
