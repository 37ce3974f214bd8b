"""Values that cross between VMs, the host and the store: what may cross, and the one way each direction.

What crosses is what an imp can send (`agent.send`, `device.send`, `server.save`, `http.jsonencode`,
a request's table): null, bool, integer, float, string, blob, array, and table whose keys are
strings or integers; nested at most `Limits.value_depth` deep and at most a size budget in all
(strings and blobs count their length, everything else 8 bytes). A function, class, instance
other than a blob, weak reference, generator or thread, a table key of another type, a cycle or a
value over budget is refused *in the sender's VM* with a runtime error, before anything leaves it.

Out of a VM: the prelude's `pack` (`PACK_SQUIRREL`, below) writes the value as text and `unpack`
reads it into plain Python (None, bool, int, float, str, bytes for blobs, list, dict); the host
entry (`capi.bind_host`) carries the text and the blobs' bytes exactly. Strings come back as
`str` decoded with `surrogateescape`, so bytes that are not UTF-8 survive the round trip.

Into a VM: `to_literal` writes plain Python as Squirrel source that the prelude compiles (blobs are
`B("...")`). Integers outside the imp's 32 bits become floats, as Squirrel's own lexer would do.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

MAX_DEPTH = 32
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Unsendable(ValueError):
    """A value that cannot cross: the sender's code gets this message as a runtime error."""


# The writer, in Squirrel: `pack(value, limits, blobs)` returns the text `unpack` reads, or throws.
# Strings go in as their bytes (Squirrel strings are counted, so any bytes are fine); blobs are
# appended to `blobs` and referred to by position (the host entry reads their bytes).
PACK_SQUIRREL = r"""
local function pack(value, limits, blobs) {
    local left = limits.bytes, what = limits.what + ": ";
    local function spend(n) {
        left -= n;
        if (left < 0) throw what + "the value is larger than " + limits.bytes + " bytes";
    }
    local walk = null;
    walk = function(v, depth) {
        if (depth > limits.depth) throw what + "the value is nested more than " + limits.depth + " levels deep";
        local kind = typeof v;
        switch (kind) {
            case "null": spend(8); return "n";
            case "bool": spend(8); return v ? "T" : "F";
            case "integer": spend(8); return "i" + v + ";";
            case "float": spend(8); return "d" + format("%.9g", v) + ";";
            case "string": spend(v.len()); return "s" + v.len() + ":" + v;
            case "blob": spend(v.len()); blobs.append(v); return "b" + (blobs.len() - 1) + ";";
            case "array": {
                spend(8);
                local out = "a" + v.len() + ":";
                foreach (item in v) out += walk(item, depth + 1);
                return out;
            }
            case "table": {
                spend(8);
                local out = "t" + v.len() + ":";
                foreach (k, item in v) {
                    local kk = typeof k;
                    if (kk != "string" && kk != "integer") {
                        throw what + "a table key must be a string or an integer, not a " + kk;
                    }
                    out += walk(k, depth + 1) + walk(item, depth + 1);
                }
                return out;
            }
        }
        throw what + "a " + (kind == "instance" ? "class instance" : kind) + " cannot be sent "
            + "(only null, bool, integer, float, string, blob, array and table)";
    };
    return walk(value, 0);
}
"""

_NUMBER = re.compile(rb"[^;]*;")


def text_of(data: bytes) -> str:
    """A Squirrel string's bytes as Python text; bytes that are not UTF-8 kept (`surrogateescape`)."""
    return data.decode("utf-8", "surrogateescape")


def unpack(data: bytes, blobs: list[bytes] | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """Plain Python from `pack`'s text and blobs; malformed input is `Unsendable`, never another exception."""
    try:
        value, end = _read(data, 0, blobs or [], 0, max_depth)
    except (IndexError, ValueError, TypeError, RecursionError) as exc:
        raise Unsendable(f"the value could not be read ({exc})") from None
    if end != len(data):
        raise Unsendable("the value could not be read (trailing bytes)")
    return value


def _read(data: bytes, at: int, blobs: list[bytes], depth: int, max_depth: int) -> tuple[Any, int]:  # noqa: PLR0911
    if depth > max_depth:
        raise Unsendable(f"the value is nested more than {max_depth} levels deep")
    tag = data[at : at + 1]
    at += 1
    if tag == b"n":
        return None, at
    if tag in (b"T", b"F"):
        return tag == b"T", at
    if tag in (b"i", b"d", b"b"):
        match = _NUMBER.match(data, at)
        if match is None:
            raise ValueError("unterminated number")
        number = match.group(0)[:-1].decode("ascii")
        if tag == b"b":
            return bytes(blobs[int(number)]), match.end()
        return (int(number) if tag == b"i" else float(number)), match.end()
    colon = data.index(b":", at)
    size = int(data[at:colon])
    at = colon + 1
    if tag == b"s":
        return text_of(data[at : at + size]), at + size
    if tag == b"a":
        items = []
        for _ in range(size):
            item, at = _read(data, at, blobs, depth + 1, max_depth)
            items.append(item)
        return items, at
    if tag == b"t":
        table: dict[Any, Any] = {}
        for _ in range(size):
            key, at = _read(data, at, blobs, depth + 1, max_depth)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise Unsendable("a table key must be a string or an integer")
            table[key], at = _read(data, at, blobs, depth + 1, max_depth)
        return table, at
    raise ValueError(f"unknown tag {tag!r}")


def check_plain(value: Any, max_depth: int = MAX_DEPTH, depth: int = 0) -> None:
    """Raise `Unsendable` unless `value` is plain (what `unpack` returns and `to_literal` takes)."""
    if depth > max_depth:
        raise Unsendable(f"the value is nested more than {max_depth} levels deep")
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return
    if isinstance(value, list):
        for item in value:
            check_plain(item, max_depth, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise Unsendable("a table key must be a string or an integer")
            check_plain(item, max_depth, depth + 1)
        return
    raise Unsendable(f"a {type(value).__name__} cannot become a Squirrel value")


def to_literal(value: Any) -> str:  # noqa: PLR0911 - one case per kind
    """Squirrel source that evaluates to the plain `value`; blobs are `B("...")`, rebuilt by the prelude."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value) if INT_MIN <= value <= INT_MAX else _float(float(value))
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (bytes, bytearray)):
        return f"B({quote_bytes(bytes(value))})"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"[{to_literal(k)}]={to_literal(v)}" for k, v in value.items()) + "}"
    raise Unsendable(f"a {type(value).__name__} cannot become a Squirrel value")


def _float(value: float) -> str:
    if math.isnan(value):
        return "(0.0/0.0)"
    if math.isinf(value):
        return "(1.0/0.0)" if value > 0 else "(-1.0/0.0)"
    text = repr(value)
    return text if ("." in text or "e" in text) else text + ".0"


def quote(text: str) -> str:
    """A Squirrel string literal of `text`: printable text as is, other bytes as `\\xNN` (no NUL reaches the VM)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or ch in '"\\':
            out.append(f"\\x{code:02x}")
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x80:
            out.append(ch)
        else:
            out.append("".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass")))
    out.append('"')
    return "".join(out)


def quote_bytes(data: bytes) -> str:
    """A Squirrel string literal holding exactly `data`."""
    out = ['"']
    for b in data:
        out.append(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02x}")
    out.append('"')
    return "".join(out)


# -- the store ------------------------------------------------------------------------------------
# The store holds JSON: a blob is `{"__blob__": base64}`, and a table that would read as one of these
# markers is wrapped in `{"__table__": {...}}`, so every plain value reads back as itself.
_BLOB, _TABLE = "__blob__", "__table__"


def to_stored(value: Any) -> Any:
    """A plain value (what `unpack` gives) as JSON for the store (`server.save`); keys become strings."""
    if isinstance(value, (bytes, bytearray)):
        return {_BLOB: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        table = {str(k): to_stored(v) for k, v in value.items()}
        return {_TABLE: table} if set(table) in ({_BLOB}, {_TABLE}) else table
    if isinstance(value, (list, tuple)):
        return [to_stored(v) for v in value]
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def from_stored(value: Any) -> Any:
    """The plain value `to_stored` wrote; anything else found in the store is kept as far as it is plain."""
    if isinstance(value, dict):
        if set(value) == {_BLOB} and isinstance(value[_BLOB], str):
            try:
                return base64.b64decode(value[_BLOB], validate=True)
            except ValueError:
                return value[_BLOB]
        if set(value) == {_TABLE} and isinstance(value[_TABLE], dict):
            value = value[_TABLE]
        return {str(k): from_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_stored(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else None


def to_json_ready(value: Any) -> Any:
    """`value` as JSON would carry it, as `http.jsonencode` does: blobs become strings."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, list):
        return [to_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json_ready(v) for k, v in value.items()}
    return value
