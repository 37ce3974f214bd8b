"""Builder's expression language: parsed as Builder 4.2.1's parser (jsep 0.3) reads it, evaluated by its rules.

The grammar is jsep's with `===`, `!==`, shifts, `&`, `^` and `~` removed: binary operators by precedence
`||` < `&&` < `|` (the filter) < `==` `!=` < `<` `>` `<=` `>=` < `+` `-` < `*` `/` `%`, then unary
`-` `!` `+`, member access, calls and `?:`. Separators `;` and `,` between top-level expressions are
skipped, so `"file.nut";` is one expression and `a; b` a compound that fails to evaluate. Literals that
are not identifiers or groups (`[1, 2]`, `"s"`, numbers) take no `.member`, `[index]` or call after them.

Evaluation (Builder's rules): both sides of `&&` and `||` are evaluated; `+x` is `x` unchanged; `/`
and `%` refuse a right-hand 0 (the number), not "0"; a member of a value that is false, or missing, is
an error; `defined(name)` takes an identifier and looks only at definitions, not the environment.
"""

from __future__ import annotations

from typing import Any

from impt.builder import jsvalues as js

_BINARY = {"||": 1, "&&": 2, "|": 3, "==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7}
_BINARY.update({"+": 9, "-": 9, "*": 10, "/": 10, "%": 10})
_UNARY = ("-", "!", "+")
_LITERALS = {"true": True, "false": False, "null": None}
_SPACES = " \t\n\r"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v"}


class ExpressionError(Exception):
    """A syntax or evaluation error inside one expression; the machine adds file, line and directive."""


def _identifier_start(char: str) -> bool:
    return char in "$_" or "a" <= char <= "z" or "A" <= char <= "Z" or (char >= "\x80" and char not in _BINARY)


def _identifier_part(char: str) -> bool:
    return _identifier_start(char) or "0" <= char <= "9"


class _Parser:
    """One pass over the text, as jsep reads it; nodes are tuples, a missing operand is False."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0

    def char(self, offset: int = 0) -> str:
        position = self.index + offset
        return self.text[position] if position < len(self.text) else ""

    def fail(self, message: str) -> None:
        raise ExpressionError(f"{message} at character {self.index}")

    def spaces(self) -> None:
        while self.char() and self.char() in _SPACES:
            self.index += 1

    def program(self) -> Any:
        nodes = []
        while self.index < len(self.text):
            if self.char() in ";,":
                self.index += 1
                continue
            node = self.expression()
            if node is not False:
                nodes.append(node)
            elif self.index < len(self.text):
                self.fail(f'Unexpected "{self.char()}"')
        return nodes[0] if len(nodes) == 1 else ("compound", nodes)

    def expression(self) -> Any:
        test = self.binary()
        self.spaces()
        if self.char() != "?":
            return test
        self.index += 1
        consequent = self.expression()
        if consequent is False:
            self.fail("Expected expression")
        self.spaces()
        if self.char() != ":":
            self.fail("Expected :")
        self.index += 1
        alternate = self.expression()
        if alternate is False:
            self.fail("Expected expression")
        return ("cond", test, consequent, alternate)

    def operator(self) -> str | None:
        self.spaces()
        for size in (2, 1):
            candidate = self.text[self.index : self.index + size]
            if len(candidate) == size and candidate in _BINARY:
                self.index += size
                return candidate
        return None

    def binary(self) -> Any:
        left = self.token()
        op = self.operator()
        if op is None:
            return left
        right = self.token()
        if right is False:
            self.fail(f"Expected expression after {op}")
        stack: list = [left, op, right]
        while True:
            op = self.operator()
            if op is None:
                break
            while len(stack) > 2 and _BINARY[op] <= _BINARY[stack[-2]]:
                right, previous, left = stack.pop(), stack.pop(), stack.pop()
                stack.append(("binary", previous, left, right))
            node = self.token()
            if node is False:
                self.fail(f"Expected expression after {op}")
            stack += [op, node]
        node = stack[-1]
        for position in range(len(stack) - 2, 0, -2):
            node = ("binary", stack[position], stack[position - 1], node)
        return node

    def token(self) -> Any:
        self.spaces()
        char = self.char()
        if char.isdigit() and char.isascii() or char == ".":
            return self.number()
        if char in ("'", '"'):
            return self.string()
        if char == "[":
            self.index += 1
            return ("array", self.arguments("]"))
        if char in _UNARY:
            self.index += 1
            return ("unary", char, self.token())
        if char and (_identifier_start(char) or char == "("):
            return self.variable()
        return False

    def number(self) -> tuple:
        start = self.index
        while self.char().isdigit() and self.char().isascii():
            self.index += 1
        if self.char() == ".":
            self.index += 1
            while self.char().isdigit() and self.char().isascii():
                self.index += 1
        if self.char() in ("e", "E"):
            self.index += 1
            if self.char() in ("+", "-"):
                self.index += 1
            while self.char().isdigit() and self.char().isascii():
                self.index += 1
            if not self.text[self.index - 1].isdigit():
                self.fail(f"Expected exponent ({self.text[start : self.index]}{self.char()})")
        raw = self.text[start : self.index]
        if self.char() and _identifier_start(self.char()):
            self.fail(f"Variable names cannot start with a number ({raw}{self.char()})")
        if self.char() == ".":
            self.fail("Unexpected period")
        try:
            return ("lit", float(raw))
        except ValueError:  # "." or ".e1": parseFloat gives NaN
            return ("lit", float("nan"))

    def string(self) -> tuple:
        quote = self.char()
        self.index += 1
        value = []
        while self.index < len(self.text):
            char = self.char()
            self.index += 1
            if char == quote:
                return ("lit", "".join(value))
            if char == "\\":
                escaped = self.char()
                self.index += 1
                value.append(_ESCAPES.get(escaped, escaped))
            else:
                value.append(char)
        self.fail(f'Unclosed quote after "{"".join(value)}"')
        return ("lit", "")  # pragma: no cover - fail raises

    def identifier(self) -> tuple:
        start = self.index
        if not (self.char() and _identifier_start(self.char())):
            self.fail(f"Unexpected {self.char()}")
        while self.char() and _identifier_part(self.char()):
            self.index += 1
        name = self.text[start : self.index]
        if name in _LITERALS:
            return ("lit", _LITERALS[name])
        if name == "this":
            return ("this",)
        return ("id", name)

    def arguments(self, closing: str) -> list:
        items: list = []
        separators = 0
        while self.index < len(self.text):
            self.spaces()
            char = self.char()
            if char == closing:
                self.index += 1
                if closing == ")" and separators and separators >= len(items):
                    self.fail(f"Unexpected token {closing}")
                return items
            if char == ",":
                self.index += 1
                separators += 1
                if separators != len(items):
                    if closing == ")":
                        self.fail("Unexpected token ,")
                    items += [None] * (separators - len(items))  # array holes
            else:
                node = self.expression()
                if node is False or node[0] == "compound":
                    self.fail("Expected comma")
                items.append(node)
        self.fail(f"Expected {closing}")
        return items  # pragma: no cover - fail raises

    def variable(self) -> Any:
        if self.char() == "(":
            self.index += 1
            node = self.expression()
            self.spaces()
            if self.char() != ")":
                self.fail("Unclosed (")
            self.index += 1
        else:
            node = self.identifier()
        self.spaces()
        while self.char() in (".", "[", "(") and self.char():
            char = self.char()
            self.index += 1
            if char == ".":
                self.spaces()
                node = ("member", node, self.identifier(), False)
            elif char == "[":
                node = ("member", node, self.expression(), True)
                self.spaces()
                if self.char() != "]":
                    self.fail("Unclosed [")
                self.index += 1
            else:
                node = ("call", node, self.arguments(")"))
            self.spaces()
        return node


def parse(text: str) -> Any:
    """The syntax tree of one directive's expression (may be a compound, which fails at evaluation)."""
    return _Parser(text).program()


def parses(text: str) -> bool:
    try:
        parse(text)
    except ExpressionError:
        return False
    return True


# ---- evaluation ----


class ContextFunction:
    """A Builder function that needs the caller's context (`include()`, macros used inline)."""

    def call(self, context: dict, args: list) -> Any:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def __call__(self, *args: Any) -> Any:  # a function value to JavaScript's typeof; called through `call`
        raise ExpressionError("this function needs Builder's context")


class Scope:
    """Where names come from: the context (definitions, built-ins, file variables, macro parameters and
    `loop`), then the `@set` globals (and macros), then the environment; anything else is null."""

    def __init__(self, context: dict, globals_: dict, environ: dict) -> None:
        self.context = context
        self.globals = globals_
        self.environ = environ


def evaluate(node: Any, scope: Scope) -> Any:
    if node is False or node is None:
        raise ExpressionError("Unknown node type")
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "id":
        return _name(node[1], scope)
    if kind == "binary":
        return _binary(node, scope)
    if kind == "unary":
        value = evaluate(node[2], scope)
        if node[1] == "!":
            return not js.truthy(value)
        return -js.to_number(value) if node[1] == "-" else value
    if kind == "cond":
        return evaluate(node[2] if js.truthy(evaluate(node[1], scope)) else node[3], scope)
    if kind == "array":
        return [evaluate(item, scope) for item in node[1]]
    if kind == "member":
        return _member(node, scope)
    if kind == "call":
        return _call(node, scope)
    if kind == "compound":
        raise ExpressionError("Syntax error")
    raise ExpressionError("`this` keyword is not supported")


def _name(name: str, scope: Scope) -> Any:
    """A function's name stands for the function (Builder resolves calls by name)."""
    if name == "defined":
        return name
    for table in (scope.context, scope.globals):
        if name in table:
            return name if js.is_function(table[name]) else table[name]
    return scope.environ.get(name)


def _binary(node: tuple, scope: Scope) -> Any:
    op, left_node, right_node = node[1], node[2], node[3]
    if left_node is False or right_node is False:
        raise ExpressionError(f'Syntax error in "{op}" operator')
    if op == "|":  # value | filter  ==  filter(value);  value | filter(a)  ==  filter(value, a)
        if right_node[0] == "call":
            return _call(("call", right_node[1], [left_node, *right_node[2]]), scope)
        return _call(("call", right_node, [left_node]), scope)
    left, right = evaluate(left_node, scope), evaluate(right_node, scope)
    if op == "||":
        return left if js.truthy(left) else right
    if op == "&&":
        return right if js.truthy(left) else left
    if op in ("==", "!="):
        return js.loosely_equal(left, right) == (op == "==")
    if op in ("<", ">", "<=", ">="):
        return js.compare(op, left, right)
    if op == "+":
        return js.add(left, right)
    if op in ("/", "%") and js.is_number(right) and right == 0:
        raise ExpressionError("Division by zero")
    return js.arithmetic(op, left, right)


def _member(node: tuple, scope: Scope) -> Any:
    target = evaluate(node[1], scope)
    if node[3]:
        key = evaluate(node[2], scope)
    else:
        key = node[2][1] if node[2][0] == "id" else js.UNDEFINED
    shown = js.to_string(key)
    if not js.truthy(target):
        raise ExpressionError(f'Owner of "{shown}" property is undefined')
    if not isinstance(target, (list, dict)):
        raise ExpressionError(f"Cannot use 'in' operator to search for '{shown}' in {js.to_string(target)}")
    if not js.has_property(target, js.property_key(key)):
        raise ExpressionError(f'Property "{shown}" is not defined')
    return js.get_property(target, js.property_key(key))


def _call(node: tuple, scope: Scope) -> Any:
    callee_node, argument_nodes = node[1], node[2]
    callee = evaluate(callee_node, scope)
    if isinstance(callee, str) and callee == "defined":
        if not argument_nodes or argument_nodes[0] is None:
            raise ExpressionError("Cannot read properties of undefined (reading 'type')")
        if argument_nodes[0][0] != "id":
            raise ExpressionError("defined() can only be called with an identifier as an argument")
        name = argument_nodes[0][1]
        return name in scope.context or name in scope.globals
    args = [evaluate(argument, scope) for argument in argument_nodes]
    key = js.to_string(callee) if not js.is_function(callee) else None
    if key is not None and js.is_function(scope.context.get(key)):
        function = scope.context[key]
    elif js.is_function(callee):
        function = callee
    elif key is not None and js.is_function(scope.globals.get(key)):
        function = scope.globals[key]
    elif callee_node[0] == "id":
        raise ExpressionError(f'Function "{callee_node[1]}" is not defined')
    elif isinstance(callee, str):
        raise ExpressionError(f'Function "{callee}" is not defined')
    else:
        raise ExpressionError("Can't call a non-callable expression")
    if isinstance(function, ContextFunction):
        return function.call(scope.context, args)
    try:
        return function(*args)
    except ExpressionError:
        raise
    except (TypeError, ValueError, ArithmeticError, KeyError, IndexError) as exc:
        raise ExpressionError(str(exc)) from None
