"""JavaScript's value rules, as Builder 4.2.1 (a Node tool) applies them to its expressions.

Values are Python `None` (null), `UNDEFINED`, `bool`, numbers (`float`; `int` from JSON is read as one),
`str`, `list` (arrays), `dict` (objects) and callables (functions). Conversions follow ECMAScript's
ToString, ToNumber, ToPrimitive, `==` and the relational operators for exactly these types.
"""

from __future__ import annotations

import math
import re
from typing import Any


class _Undefined:
    """JavaScript's `undefined`: what a missing function argument is; prints as "undefined"."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()

# ECMAScript's WhiteSpace and LineTerminator code points (what trim() and Number("  1 ") skip).
JS_SPACE = "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z")
_RADIX = {"x": 16, "o": 8, "b": 2}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_function(value: Any) -> bool:
    return callable(value) and not isinstance(value, (str, list, dict, type))


def truthy(value: Any) -> bool:
    if value is None or value is UNDEFINED:
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def to_primitive(value: Any) -> Any:
    """Arrays and objects as their string form (what `+`, `==` and `<` compare); primitives unchanged."""
    if isinstance(value, (list, dict)) or is_function(value):
        return to_string(value)
    return value


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return _string_to_number(value)
    return to_number(to_primitive(value))


def _string_to_number(text: str) -> float:
    text = text.strip(JS_SPACE)
    if not text:
        return 0.0
    if _DECIMAL.match(text):
        return float(text.replace("Infinity", "inf"))
    if len(text) > 2 and text[0] == "0" and text[1].lower() in _RADIX:
        try:
            return float(int(text[2:], _RADIX[text[1].lower()]))
        except ValueError:
            return math.nan
    return math.nan


def to_integer(value: Any) -> float:
    """ToIntegerOrInfinity: NaN is 0, fractions are cut toward zero."""
    number = to_number(value)
    if math.isnan(number):
        return 0.0
    if math.isinf(number):
        return number
    return float(math.trunc(number))


def to_string(value: Any) -> str:
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None or item is UNDEFINED else to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return "function () { [native code] }"


def number_to_string(number: float) -> str:
    """Number::toString: the shortest digits that read back, in plain form from 1e-7 to 1e21."""
    if math.isnan(number):
        return "NaN"
    if number == 0:
        return "0"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))  # value = 0.digits * 10**point
    digits = digits.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        power = point - 1
        text = digits[0] + ("." + digits[1:] if count > 1 else "") + ("e+" if power >= 0 else "e-") + str(abs(power))
    return sign + text


def strictly_equal(left: Any, right: Any) -> bool:
    if is_number(left) and is_number(right):
        return float(left) == float(right)
    if isinstance(left, (list, dict)) or isinstance(right, (list, dict)) or is_function(left):
        return left is right
    return type(left) is type(right) and left == right


def loosely_equal(left: Any, right: Any) -> bool:
    """The `==` operator."""
    nullish = (None, UNDEFINED)
    if left in nullish or right in nullish:
        return left in nullish and right in nullish
    if _kind(left) == _kind(right):
        return strictly_equal(left, right)
    if isinstance(left, bool):
        return loosely_equal(to_number(left), right)
    if isinstance(right, bool):
        return loosely_equal(left, to_number(right))
    if is_number(left) and isinstance(right, str):
        return float(left) == to_number(right)
    if isinstance(left, str) and is_number(right):
        return to_number(left) == float(right)
    if _kind(left) == "object":
        return loosely_equal(to_primitive(left), right)
    if _kind(right) == "object":
        return loosely_equal(left, to_primitive(right))
    return False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def compare(op: str, left: Any, right: Any) -> bool:
    """`<`, `>`, `<=`, `>=`: strings by code unit, anything else as numbers (NaN compares false)."""
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left
        b: Any = right
    else:
        a, b = to_number(left), to_number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def add(left: Any, right: Any) -> Any:
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_string(left) + to_string(right)
    return to_number(left) + to_number(right)


def arithmetic(op: str, left: Any, right: Any) -> float:
    """`-`, `*`, `/` and `%` on numbers, with IEEE results where Python would raise."""
    a, b = to_number(left), to_number(right)
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or b == 0:
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def property_key(value: Any) -> str:
    return to_string(value)


def has_property(target: Any, key: str) -> bool:
    """JavaScript's `key in target` for arrays and objects (own data only)."""
    if isinstance(target, list):
        if key == "length":
            return True
        return key.isdigit() and (key == "0" or not key.startswith("0")) and int(key) < len(target)
    return key in target


def get_property(target: Any, key: str) -> Any:
    if isinstance(target, list):
        return float(len(target)) if key == "length" else target[int(key)]
    return target[key]
