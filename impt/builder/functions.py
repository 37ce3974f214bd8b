"""Builder's built-in functions and filters: escape, base64, min, max, abs and the `S` string namespace.

`defined()` is a special form of the evaluator and `include()` needs the machine, so both live there.
The `S` functions follow the JavaScript string methods they are named after.
"""

from __future__ import annotations

import base64 as _base64
from typing import Any

from impt.builder.expressions import ExpressionError, to_number, to_string

_ESCAPED = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'", '"': '\\"'}


def escape(value: Any) -> str:
    """The value as text safe inside a quoted Squirrel string."""
    return "".join(_ESCAPED.get(char, char) for char in to_string(value))


def base64(value: Any) -> str:
    return _base64.b64encode(to_string(value).encode("utf-8")).decode("ascii")


def _numbers(values: tuple) -> list:
    if len(values) == 1 and isinstance(values[0], list):
        values = tuple(values[0])
    if not values:
        raise ExpressionError("a list of numbers is expected")
    return [to_number(value) for value in values]


def minimum(*values: Any) -> Any:
    return min(_numbers(values))


def maximum(*values: Any) -> Any:
    return max(_numbers(values))


def absolute(value: Any) -> Any:
    return abs(to_number(value))


def _index(value: Any, default: int) -> int:
    if value is None:
        return default
    return int(to_number(value))


def _substr(text: str, start: Any = None, length: Any = None) -> str:
    begin = _index(start, 0)
    if begin < 0:
        begin = max(0, len(text) + begin)
    count = len(text) - begin if length is None else _index(length, 0)
    return text[begin : begin + max(0, count)]


def _substring(text: str, start: Any = None, end: Any = None) -> str:
    a = min(max(_index(start, 0), 0), len(text))
    b = min(max(_index(end, len(text)), 0), len(text))
    return text[min(a, b) : max(a, b)]


def _split(text: str, separator: Any = None, limit: Any = None) -> list:
    if separator is None:
        parts = [text]
    elif separator == "":
        parts = list(text)
    else:
        parts = text.split(to_string(separator))
    return parts if limit is None else parts[: _index(limit, len(parts))]


def _string_function(function: Any) -> Any:
    def call(value: Any = None, *args: Any) -> Any:
        return function(to_string(value), *args)

    return call


STRING_FUNCTIONS = {
    name: _string_function(function)
    for name, function in {
        "concat": lambda text, *more: text + "".join(to_string(item) for item in more),
        "endsWith": lambda text, end, length=None: text[: _index(length, len(text))].endswith(to_string(end)),
        "includes": lambda text, part, start=None: to_string(part) in text[_index(start, 0) :],
        "repeat": lambda text, count=0: text * _index(count, 0),
        "split": _split,
        "startsWith": lambda text, start, at=None: text[_index(at, 0) :].startswith(to_string(start)),
        "substr": _substr,
        "substring": _substring,
        "toLowerCase": lambda text: text.lower(),
        "toUpperCase": lambda text: text.upper(),
        "trim": lambda text: text.strip(),
        "trimLeft": lambda text: text.lstrip(),
        "trimRight": lambda text: text.rstrip(),
    }.items()
}

FUNCTIONS = {
    "escape": escape,
    "base64": base64,
    "min": minimum,
    "max": maximum,
    "abs": absolute,
    "S": STRING_FUNCTIONS,
}
