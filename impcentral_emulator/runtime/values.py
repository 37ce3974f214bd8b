"""Values crossing between VMs and the host: Squirrel objects to plain Python and back.

Plain Python values (None, bool, int, float, str, bytes for blobs, list, dict) are what travels
between processes; inside a VM they are rebuilt from a Squirrel literal (`to_literal`), because
the binding hands Python lists and dicts to Squirrel as opaque userdata and booleans as integers.
"""

from __future__ import annotations

import math
from typing import Any, Callable

MAX_DEPTH = 32


class Unsendable(ValueError):
    """A value that cannot leave its VM (a function, a class, an instance that is not a blob)."""


def to_python(value: Any, blobarray: Callable[[Any], Any], depth: int = 0) -> Any:
    """A Squirrel value as plain Python; `blobarray` turns a blob instance into its bytes (or None)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > MAX_DEPTH:
        raise Unsendable("the value is nested too deeply")
    kind = type(value).__name__
    if kind == "SQTable":
        return {key: to_python(value[key], blobarray, depth + 1) for key in value.keys()}
    if kind == "SQArray":
        return [to_python(item, blobarray, depth + 1) for item in value]
    if kind == "SQInstance":
        octets = blobarray(value)
        if octets is not None:
            return bytes(b & 0xFF for b in octets)
        raise Unsendable("an instance cannot be sent (only tables, arrays, strings, numbers, bools, null, blobs)")
    raise Unsendable(f"a {_KIND_NAMES.get(kind, kind)} cannot be sent")


_KIND_NAMES = {"SQClosure": "function", "SQNativeClosure": "function", "SQClass": "class"}


def to_literal(value: Any) -> str:
    """Squirrel source that evaluates to `value`; blobs are `B("...")`, rebuilt by the prelude."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(max(-(2**63), min(2**63 - 1, value)))
    if isinstance(value, float):
        if math.isnan(value):
            return "(0.0/0.0)"
        if math.isinf(value):
            return "(1.0/0.0)" if value > 0 else "(-1.0/0.0)"
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, str):
        return _quote(value.encode())
    if isinstance(value, (bytes, bytearray)):
        return f"B({_quote(bytes(value))})"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"[{to_literal(k)}]={to_literal(v)}" for k, v in value.items()) + "}"
    raise Unsendable(f"a {type(value).__name__} cannot become a Squirrel value")


def _quote(octets: bytes) -> str:
    out = ['"']
    for b in octets:
        if 0x20 <= b < 0x7F and b not in (0x22, 0x5C):
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    out.append('"')
    return "".join(out)


def to_json_ready(value: Any) -> Any:
    """`value` as JSON would carry it, as `http.jsonencode` does: blobs become strings."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, list):
        return [to_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json_ready(v) for k, v in value.items()}
    return value
