"""Builder's built-in functions: escape, base64, abs, min, max and the `S` string functions.

Each behaves as Builder 4.2.1's does in Node: JavaScript argument rules (a missing argument is
`undefined`, extra ones are ignored) and the JavaScript string methods the `S` functions are named
after. `defined()` is a special form of the evaluator and `include()` needs the machine, so both live there.
"""

from __future__ import annotations

import base64 as _base64
import math
from typing import Any, Callable

from impt.builder import jsvalues as js
from impt.builder.expressions import ExpressionError

_ESCAPED = {'"': '\\"', "'": "\\'", "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MAX_STRING = 2**29 - 24  # V8's longest string


def escape(value: Any = js.UNDEFINED, *_: Any) -> str:
    """The value as text safe inside a quoted Squirrel string."""
    return "".join(_ESCAPED.get(char, char) for char in js.to_string(value))


def base64(value: Any = js.UNDEFINED, *_: Any) -> str:
    return _base64.b64encode(js.to_string(value).encode("utf-8", "replace")).decode("ascii")


def _math(name: str, pick: Callable[[list[float]], float]) -> Callable[..., float]:
    def function(*args: Any) -> float:
        if not args:
            raise ExpressionError(f"Wrong number of arguments for {name}()")
        numbers = [js.to_number(arg) for arg in args]
        return math.nan if any(math.isnan(n) for n in numbers) else pick(numbers)

    return function


# ---- S: the JavaScript string methods, the string first ----


def _clamp(value: Any, default: float, size: int) -> int:
    number = default if value is js.UNDEFINED else js.to_integer(value)
    return int(min(max(number, 0), size))


def _repeat(text: str, count: Any = js.UNDEFINED, *_: Any) -> str:
    times = js.to_integer(count)
    if times < 0 or math.isinf(times):
        raise ExpressionError(f"Invalid count value: {js.to_string(js.to_number(count))}")
    if len(text) * times > _MAX_STRING:
        raise ExpressionError("Invalid string length")
    return text * int(times)


def _split(text: str, separator: Any = js.UNDEFINED, limit: Any = js.UNDEFINED, *_: Any) -> list:
    if limit is js.UNDEFINED:
        most = 2**32 - 1
    else:
        number = js.to_number(limit)
        most = 0 if math.isnan(number) or math.isinf(number) else int(math.trunc(number)) % 2**32
    if most == 0:
        return []
    if separator is js.UNDEFINED:
        return [text]
    mark = js.to_string(separator)
    if not mark:
        return list(text[:most])
    if not text:
        return [text]
    return text.split(mark)[:most]


def _substr(text: str, start: Any = js.UNDEFINED, length: Any = js.UNDEFINED, *_: Any) -> str:
    size = len(text)
    begin = js.to_integer(start)
    begin = max(size + begin, 0) if begin < 0 else min(begin, size)
    count = size if length is js.UNDEFINED else min(max(js.to_integer(length), 0), size)
    return text[int(begin) : int(min(begin + count, size))]


def _substring(text: str, start: Any = js.UNDEFINED, end: Any = js.UNDEFINED, *_: Any) -> str:
    a = _clamp(start, 0, len(text))
    b = _clamp(end, len(text), len(text))
    return text[min(a, b) : max(a, b)]


_METHODS: dict[str, Callable[..., Any]] = {
    "concat": lambda text, *more: text + "".join(js.to_string(item) for item in more),
    "endsWith": lambda text, end=js.UNDEFINED, at=js.UNDEFINED, *_: text[: _clamp(at, len(text), len(text))].endswith(
        js.to_string(end)
    ),
    "includes": lambda text, part=js.UNDEFINED, at=js.UNDEFINED, *_: (
        js.to_string(part) in text[_clamp(at, 0, len(text)) :]
    ),
    "repeat": _repeat,
    "split": _split,
    "startsWith": lambda text, start=js.UNDEFINED, at=js.UNDEFINED, *_: text[_clamp(at, 0, len(text)) :].startswith(
        js.to_string(start)
    ),
    "substr": _substr,
    "substring": _substring,
    "toLowerCase": lambda text, *_: text.lower(),
    "toUpperCase": lambda text, *_: text.upper(),
    "trim": lambda text, *_: text.strip(js.JS_SPACE),
    "trimLeft": lambda text, *_: text.lstrip(js.JS_SPACE),
    "trimRight": lambda text, *_: text.rstrip(js.JS_SPACE),
}


def _string_function(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def function(*args: Any) -> Any:
        if not args:
            raise ExpressionError(f"Missing string as required first argument in {name}()")
        if args[0] is None or args[0] is js.UNDEFINED:
            raise ExpressionError(f"Cannot read properties of {js.to_string(args[0])} (reading 'toString')")
        return method(js.to_string(args[0]), *args[1:])

    return function


STRING_FUNCTIONS = {name: _string_function(name, method) for name, method in _METHODS.items()}

FUNCTIONS: dict[str, Any] = {
    "base64": base64,
    "escape": escape,
    "S": STRING_FUNCTIONS,
    "abs": _math("abs", lambda numbers: abs(numbers[0])),
    "min": _math("min", min),
    "max": _math("max", max),
}
