"""Builder's expression language: parse once, evaluate against a scope, with JavaScript-like values.

Builder evaluates its expressions as JavaScript would (it is a Node tool), so `+` joins strings, `/`
divides as floats, `==` compares loosely and `&&`/`||` return an operand. Values are Python `None`,
`bool`, `int`/`float`, `str`, `list` and `dict`; functions are Python callables or macros.
"""

from __future__ import annotations

import math
import re
from typing import Any

UNDEFINED = object()  # a name that no scope defines; shows as null


class ExpressionError(Exception):
    """A syntax or evaluation error inside one expression; the machine adds file, line and directive."""


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>//.*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()\[\]|=])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def tokenize(text: str) -> list[tuple[str, Any]]:
    """The tokens of one expression; a `//` comment ends it."""
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(f'unexpected character "{text[position]}"')
        position = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "comment":
            break
        if kind == "space":
            continue
        if kind == "number":
            number = float(value)
            tokens.append(("num", int(number) if number.is_integer() and "e" not in value.lower() else number))
        elif kind == "string":
            tokens.append(("str", _unquote(value[1:-1])))
        elif kind == "name":
            tokens.append(("name", value))
        else:
            tokens.append(("op", value))
    tokens.append(("end", None))
    return tokens


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


# ---- parsing: nodes are tuples ("kind", ...) ----

_BINARY = [
    ("||",),
    ("&&",),
    ("==", "!=", "===", "!=="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
]
_CONSTANTS = {"true": True, "false": False, "null": None}


class Parser:
    """A recursive-descent parser over the token list; `parse` wants the whole input to be one expression."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def parse(self) -> tuple:
        node = self.filtered()
        if self.peek() != ("end", None):
            raise ExpressionError(f'unexpected "{self.peek()[1]}"')
        return node

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, Any]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, op: str) -> bool:
        if self.peek() == ("op", op):
            self.index += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            found = self.peek()[1]
            raise ExpressionError(
                f'expected "{op}"' + (f' but found "{found}"' if found is not None else " at the end")
            )

    def filtered(self) -> tuple:
        """`value | filter`: the lowest precedence, left to right."""
        node = self.conditional()
        while self.accept("|"):
            node = ("call", self.postfix(), [node])
        return node

    def conditional(self) -> tuple:
        node = self.binary(0)
        if self.accept("?"):
            consequent = self.conditional()
            self.expect(":")
            node = ("cond", node, consequent, self.conditional())
        return node

    def binary(self, level: int) -> tuple:
        if level == len(_BINARY):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _BINARY[level]:
            op = self.take()[1]
            node = ("binary", op, node, self.binary(level + 1))
        return node

    def unary(self) -> tuple:
        for op in ("!", "-", "+"):
            if self.accept(op):
                return ("unary", op, self.unary())
        return self.postfix()

    def postfix(self) -> tuple:
        node = self.primary()
        while True:
            if self.accept("."):
                kind, name = self.take()
                if kind != "name":
                    raise ExpressionError('expected a member name after "."')
                node = ("member", node, ("lit", name))
            elif self.accept("["):
                node = ("member", node, self.filtered())
                self.expect("]")
            elif self.accept("("):
                node = ("call", node, self.arguments(")"))
            else:
                return node

    def arguments(self, closing: str) -> list:
        items: list = []
        if self.accept(closing):
            return items
        while True:
            items.append(self.filtered())
            if self.accept(closing):
                return items
            self.expect(",")

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind in ("num", "str"):
            return ("lit", value)
        if kind == "name":
            return ("lit", _CONSTANTS[value]) if value in _CONSTANTS else ("name", value)
        if (kind, value) == ("op", "("):
            node = self.filtered()
            self.expect(")")
            return node
        if (kind, value) == ("op", "["):
            return ("array", self.arguments("]"))
        if kind == "end":
            raise ExpressionError("the expression ends too early")
        raise ExpressionError(f'unexpected "{value}"')


def parse(text: str) -> tuple:
    """The syntax tree of one expression, or ExpressionError."""
    if not text.strip():
        raise ExpressionError("an expression is expected")
    return Parser(text).parse()


# ---- evaluation ----


class Scope:
    """What names mean while evaluating: the machine implements `lookup` and the calls that need it."""

    def lookup(self, name: str) -> Any:  # pragma: no cover - the machine overrides it
        return UNDEFINED

    def call_macro(self, macro: Any, args: list) -> str:  # pragma: no cover - the machine overrides it
        raise ExpressionError("macros are not available here")

    def is_macro(self, value: Any) -> bool:
        return False


def evaluate(node: tuple, scope: Scope) -> Any:
    """The value of a parsed expression; an undefined name evaluates as null."""
    value = _evaluate(node, scope)
    return None if value is UNDEFINED else value


def _evaluate(node: tuple, scope: Scope) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "name":
        return scope.lookup(node[1])
    if kind == "array":
        return [evaluate(item, scope) for item in node[1]]
    if kind == "member":
        return member(evaluate(node[1], scope), evaluate(node[2], scope))
    if kind == "cond":
        return evaluate(node[2] if truthy(evaluate(node[1], scope)) else node[3], scope)
    if kind == "unary":
        operand = evaluate(node[2], scope)
        if node[1] == "!":
            return not truthy(operand)
        number = to_number(operand)
        return -number if node[1] == "-" else number
    if kind == "binary":
        return _binary(node, scope)
    if kind == "call":
        return _call(node, scope)
    raise ExpressionError(f"unknown expression node {kind}")  # pragma: no cover


def _binary(node: tuple, scope: Scope) -> Any:
    op = node[1]
    left = evaluate(node[2], scope)
    if op == "&&":
        return evaluate(node[3], scope) if truthy(left) else left
    if op == "||":
        return left if truthy(left) else evaluate(node[3], scope)
    right = evaluate(node[3], scope)
    if op in ("==", "!="):
        return loose_equal(left, right) == (op == "==")
    if op in ("===", "!=="):
        return (type(left) is type(right) and left == right or _both_numbers(left, right) and left == right) == (
            op == "==="
        )
    if op in ("<", ">", "<=", ">="):
        if isinstance(left, str) and isinstance(right, str):
            a, b = left, right
        else:
            a, b = to_number(left), to_number(right)
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op == "+" and (isinstance(left, (str, list, dict)) or isinstance(right, (str, list, dict))):
        return to_string(left) + to_string(right)
    a, b = to_number(left), to_number(right)
    if op == "+":
        return _tidy(a + b)
    if op == "-":
        return _tidy(a - b)
    if op == "*":
        return _tidy(a * b)
    if b == 0:
        raise ExpressionError("division by zero")
    if op == "/":
        return _tidy(a / b)
    return _tidy(math.fmod(a, b))


def _call(node: tuple, scope: Scope) -> Any:
    callee_node, argument_nodes = node[1], node[2]
    if callee_node == ("name", "defined"):
        return _defined(argument_nodes, scope)
    callee = evaluate(callee_node, scope)
    args = [evaluate(argument, scope) for argument in argument_nodes]
    if scope.is_macro(callee):
        return scope.call_macro(callee, args)
    if callable(callee):
        try:
            return callee(*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError) as exc:
            raise ExpressionError(f"{_describe(callee_node)}: {exc}") from None
    raise ExpressionError(f"{_describe(callee_node)} is not a function")


def _defined(argument_nodes: list, scope: Scope) -> bool:
    """`defined(name)` or `defined("name")`: the name itself is checked, not its value."""
    if len(argument_nodes) != 1:
        raise ExpressionError("defined() takes one variable name")
    argument = argument_nodes[0]
    if argument[0] == "name":
        name = argument[1]
    elif argument[0] == "lit" and isinstance(argument[1], str):
        name = argument[1]
    else:
        return evaluate(argument, scope) is not None
    return scope.lookup(name) is not UNDEFINED


def _describe(node: tuple) -> str:
    if node[0] == "name":
        return node[1]
    if node[0] == "member" and node[2][0] == "lit":
        return f"{_describe(node[1])}.{node[2][1]}"
    return "the value"


def member(target: Any, key: Any) -> Any:
    """`target.key` / `target[key]`; a missing member is null, as in JavaScript."""
    if isinstance(target, dict):
        return target.get(key if isinstance(key, str) else to_string(key), UNDEFINED)
    if isinstance(target, (list, str)):
        if key == "length":
            return len(target)
        if isinstance(key, (int, float)) and not isinstance(key, bool) and float(key).is_integer():
            index = int(key)
            return target[index] if 0 <= index < len(target) else UNDEFINED
        return UNDEFINED
    if target is None or target is UNDEFINED:
        raise ExpressionError(f'cannot read member "{to_string(key)}" of null')
    return UNDEFINED


# ---- JavaScript-like conversions ----


def truthy(value: Any) -> bool:
    if value is None or value is UNDEFINED:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, (bool, int, float, str)):
        return bool(value)
    return True


def to_number(value: Any) -> int | float:
    if value is None or value is UNDEFINED:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        try:
            return _tidy(float(text))
        except ValueError:
            return math.nan
    return math.nan


def _tidy(number: float) -> int | float:
    """Integral results stay integers, so `10 / 2` prints as `5` as JavaScript prints it."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e21:
        return int(number)
    return number


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))


def loose_equal(a: Any, b: Any) -> bool:
    """JavaScript's `==` for the values Builder has."""
    if a is UNDEFINED:
        a = None
    if b is UNDEFINED:
        b = None
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return a is b
    return to_number(a) == to_number(b)


def to_string(value: Any) -> str:
    """How a value appears in the output (JavaScript's `String(value)`)."""
    if value is None or value is UNDEFINED:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, list):
        return ",".join("" if item is None else to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, str):
        return value
    return str(value)


def _number_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text
