"""Builder source text as a tree of directives and output, parsed as Builder 4.2.1 parses it.

A line whose first non-blank character is `@` followed by a directive name (and a non-word character)
is a directive; `@` followed by a blank is a comment; any other line, `@unknown ...` included, is output
whose `@{...}` parts are expressions. A directive's argument loses its `//` and `/* */` comments
(quoted text is kept), so `@include "x.nut"; // note` reads `"x.nut";`. Expressions of directives are
parsed when they run (an error in a branch that never runs is no error); inline `@{...}` expressions
must parse here. Blocks close with their own `@end...` or `@end`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from impt.builder.expressions import parses
from impt.builder.jsvalues import JS_SPACE

_WS = "[" + re.escape(JS_SPACE) + "]"
_DOT = r"[^\n\r\u2028\u2029]"
_NAMES = "include|set|if|else|elseif|endif|error|macro|endmacro|end|while|endwhile|repeat|endrepeat|warning"
_DIRECTIVE = re.compile(rf"^{_WS}*@({_NAMES})(?![A-Za-z0-9_])({_DOT}*?){_WS}*\Z")
_COMMENT = re.compile(rf"^{_WS}*@{_WS}")
_LINE = re.compile(rf"{_DOT}*(?:\r\n|\n)?")
_INLINE = re.compile(rf"@\{{{_DOT}*?\}}")
_SET = re.compile(rf"^([_$A-Za-z][_A-Za-z0-9]*){_WS}*(?:={_WS}*)?({_DOT}*?)\Z")
_WITH_ARGUMENT = {"include", "if", "elseif", "error", "warning", "macro", "while", "repeat"}
_CLOSERS = {"endif": ("if",), "endmacro": ("macro",), "endwhile": ("while",), "endrepeat": ("repeat",)}
_CLOSERS["end"] = ("if", "macro", "while", "repeat")


class SourceError(Exception):
    """A syntax error at `line` of the source, in `directive` (e.g. `@if`)."""

    def __init__(self, line: int, directive: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.directive = directive
        self.message = message


@dataclass
class Output:
    line: int
    text: str
    literal: bool  # False: `text` is an inline expression


@dataclass
class Statement:
    line: int
    name: str  # include, set, error, warning
    expr: str
    target: str = ""  # @set's variable
    once: bool = False  # @include once


@dataclass
class Conditional:
    line: int
    test: str
    consequent: list = field(default_factory=list)
    elseifs: list = field(default_factory=list)  # Conditional
    alternate: list | None = None


@dataclass
class Loop:
    line: int
    name: str  # while or repeat
    expr: str
    body: list = field(default_factory=list)


@dataclass
class Macro:
    line: int
    declaration: str
    body: list = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """The lines as Builder's pattern finds them: a lone CR (or U+2028/9) ends a line and is dropped."""
    lines, position = [], 0
    while True:
        match = _LINE.match(text, position)
        lines.append(match.group())
        if match.end() > position:
            position = match.end()
        elif position >= len(text):
            return lines[:-1]
        else:
            position += 1


def decomment(text: str) -> str:
    """A one-line directive argument without its comments; an unclosed quote or comment ends it there."""
    out: list[str] = []
    pending, blank, index = "", True, 0
    while index < len(text):
        char = text[index]
        escaped = index > 0 and text[index - 1] == "\\"
        if char == "/" and index < len(text) - 1 and not escaped:
            if text[index + 1] == "/":
                break
            if text[index + 1] == "*":
                end = text.find("*/", index + 2)
                if end < 0:
                    break
                pending = "" if blank else pending
                index = end + 2
                continue
        space = char in " \t"
        if not space:
            blank = False
            out.append(pending)
            pending = ""
        if blank and space:
            pending += char
        else:
            out.append(char)
        if char in "'\"`" and not escaped:
            close = _closing_quote(text, index)
            if close < 0:
                break
            out.append(text[index + 1 : close + 1])
            index = close
        index += 1
    return "".join(out)


def _closing_quote(text: str, start: int) -> int:
    close = start
    while True:
        close = text.find(text[start], close + 1)
        if close < 0:
            return -1
        before = close - 1
        while before >= 0 and text[before] == "\\":
            before -= 1
        if (close - before) % 2:
            return close


def parse_source(text: str) -> list:
    """The tree of a whole file; block structure and inline expressions fail here, before any output."""
    root: list = []
    stack: list[tuple[object, str]] = []  # open blocks with their state: if, elseif, else, macro, while, repeat
    last = 0
    for number, raw in enumerate(split_lines(text), 1):
        tokens = _tokens(raw, number)
        if tokens:
            last = number
        for token in tokens:
            _place(token, root, stack, number)
    if stack:
        kind = "if" if stack[-1][1] in ("if", "elseif", "else") else stack[-1][1]
        opened = stack[-1][0].line
        raise SourceError(last, "@" + kind, f"Unclosed @{kind} statement (opened at line {opened}; @end is missing)")
    return root


def _tokens(raw: str, number: int) -> list:
    match = _DIRECTIVE.match(raw)
    if match:
        return [_directive(match.group(1), decomment(match.group(2).strip(JS_SPACE)), number)]
    if _COMMENT.match(raw):
        return []
    return _output(raw, number)


def _directive(name: str, arg: str, number: int) -> tuple:
    directive = "@" + name
    if name == "include":
        once = re.match(r"once(?![A-Za-z0-9_])", arg) is not None
        if once:
            arg = arg[5:].strip(JS_SPACE)
        if not arg:
            raise SourceError(number, directive, f"Syntax error in @{name}")
        return (name, Statement(number, name, arg, once=once))
    if name == "set":
        match = _SET.match(arg)
        if not match or not match.group(2):
            raise SourceError(number, directive, "Syntax error in @set")
        return (name, Statement(number, name, match.group(2), target=match.group(1)))
    if (name in _WITH_ARGUMENT) != bool(arg):
        raise SourceError(number, directive, f"Syntax error in @{name}")
    return (name, arg)


def _output(raw: str, number: int) -> list:
    """Literal text and `@{...}` expressions; an `@{` with no `}` after it on the line is text."""
    tokens: list = []
    while True:
        match = _INLINE.search(raw)
        if not match:
            break
        start = match.start() + 2
        end = _expression_end(raw, start)
        if end < 0:
            raise SourceError(number, "@{...}", "Syntax error in the inline instruction")
        if match.start() > 0:
            tokens.append(("output", Output(number, raw[: match.start()], True)))
        tokens.append(("output", Output(number, raw[start:end], False)))
        raw = raw[end + 1 :]
    if raw:
        tokens.append(("output", Output(number, raw, True)))
    return tokens


def _expression_end(raw: str, start: int) -> int:
    """Where the expression after `@{` ends: the `}` after the one text that parses (at most one can)."""
    end = raw.find("}", start)
    while end >= 0:
        if parses(raw[start:end]):
            return end
        end = raw.find("}", end + 1)
    return -1


def _place(token: tuple, root: list, stack: list, number: int) -> None:
    kind, value = token
    state = stack[-1][1] if stack else ""
    if kind in ("else", "elseif"):
        if state not in ("if", "elseif", "else"):
            raise SourceError(number, "@" + kind, f"Unexpected @{kind}")
        block = stack[-1][0]
        if state == "else":
            message = "Multiple @else statements" if kind == "else" else "@elseif after @else"
            message += " are not allowed" if kind == "else" else " is not allowed"
            raise SourceError(number, "@" + kind, message)
        if kind == "else":
            block.alternate = []
        else:
            block.elseifs.append(Conditional(number, value))
        stack[-1] = (block, kind)
        return
    if kind in _CLOSERS:
        opened = "if" if state in ("elseif", "else") else state
        if opened not in _CLOSERS[kind]:
            raise SourceError(number, "@" + kind, f"Unexpected @{kind}")
        stack.pop()
        return
    node = value if kind in ("output", "include", "set") else _node(kind, value, number)
    _body(root, stack).append(node)
    if isinstance(node, (Conditional, Loop, Macro)):
        stack.append((node, kind))


def _node(kind: str, value: str, number: int) -> object:
    if kind == "if":
        return Conditional(number, value)
    if kind in ("while", "repeat"):
        return Loop(number, kind, value)
    if kind == "macro":
        return Macro(number, value)
    return Statement(number, kind, value)  # error, warning


def _body(root: list, stack: list) -> list:
    if not stack:
        return root
    block, state = stack[-1]
    if state == "if":
        return block.consequent
    if state == "elseif":
        return block.elseifs[-1].consequent
    if state == "else":
        return block.alternate
    return block.body
