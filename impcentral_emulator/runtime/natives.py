"""Guards for the Squirrel natives the binding gets wrong: proper Squirrel errors instead of crashes.

Squirrel's standard library trusts its arguments in places: `regexp.search("abc", 1000)` reads
outside the string (other VMs' memory, once), `array(-1)`, `blob(4).resize(-1)`, `readblob(-1)`,
`[].resize(2e9)` and `thread.getstackinfos(-1)` crash the process, and deeply nested source (for
`compilestring` or a `regexp` pattern) overflows the C stack. Each guard is a Squirrel closure that
checks the arguments, then calls the original native with them unchanged.

Where a guard goes depends on where Squirrel looks the native up:

* root functions (`array`, `compilestring`): replaced in the root table by the prelude; `escape`
  (which writes past its buffer for bytes over 0x7f) is done by the host instead;
* class members (`blob`, `regexp`): replaced with `rawset` on the class, before any instance
  exists (a class is locked once instantiated; instances made by natives share the class);
* methods of a type's default delegate (`[].resize`, a thread's `getstackinfos`): Squirrel code
  cannot reach those tables, so the prelude leaves the guards in `_guards` and the worker puts
  them into the delegates through the C API (`capi.install_delegate_guards`), then removes `_guards`.

To guard a new native: add its closure to `GUARDS_SQUIRREL` (with `checked(raw, check)` or by
hand), add a case to the fuzz corpus in `tests/emulator/natives_fuzz.py`, and run `make bench`'s long fuzz.
"""

from __future__ import annotations

import re

# `L` is the limits table, `H` the host entry, `R` the root table.
GUARDS_SQUIRREL = r"""
local function count(v, what, lo, hi) {
    local kind = typeof v;
    if (kind != "integer" && kind != "float") return v;  // the native reports the wrong type itself
    if (!(v >= lo && v <= hi)) throw what + " must be between " + lo + " and " + hi;  // NaN fails too
    return v.tointeger();
}
local function checked(raw, check) {
    return function(...) {
        local args = [this];
        args.extend(vargv);
        check(args);
        return raw.acall(args);
    };
}
local function nesting(source, kind) {
    local problem = H("nesting", source, kind);
    if (problem != null) throw problem;
}
local maxcells = L.memory / 16, maxbytes = L.memory;
local function cells(args) {
    if (args.len() > 1) args[1] = count(args[1], "the size", 0, maxcells);
}
local function bytes(args) {
    if (args.len() > 1) args[1] = count(args[1], "the size", 0, maxbytes);
}
local function start(args) {
    if (args.len() > 2 && typeof args[1] == "string") args[2] = count(args[2], "the start", 0, args[1].len());
}

local rawarray = R.array;
R.array <- function(size, ...) {
    local args = [this, count(size, "array: the size", 0, maxcells)];
    args.extend(vargv);
    return rawarray.acall(args);
};
local rawcompile = R.compilestring;
R.compilestring <- function(source, ...) {
    if (typeof source == "string") nesting(source, "source");
    local args = [this, source];
    args.extend(vargv);
    return rawcompile.acall(args);
};

R.escape <- function(text) {
    if (typeof text != "string") throw "escape: the argument must be a string";
    return H("escape", text);
};

local B = R.blob;
B.rawset("constructor", checked(B.constructor, bytes));
B.rawset("resize", checked(B.resize, bytes));
B.rawset("readblob", checked(B.readblob, bytes));
B.rawset("seek", checked(B.seek, function(args) {
    if (args.len() > 1) args[1] = count(args[1], "the offset", -maxbytes, maxbytes);
}));

local X = R.regexp;
X.rawset("constructor", checked(X.constructor, function(args) {
    if (args.len() > 1 && typeof args[1] == "string") nesting(args[1], "pattern");
}));
X.rawset("search", checked(X.search, start));
X.rawset("capture", checked(X.capture, start));

R._guards <- {
    array = { resize = checked([].resize, cells) },
    thread = { getstackinfos = checked(R.newthread(@() null).getstackinfos, function(args) {
        if (args.len() > 1) args[1] = count(args[1], "the level", 0, 2147483647);
    }) },
};
"""

GUARDED_DELEGATES = {"array": ["resize"], "thread": ["getstackinfos"]}


# -- how deeply source nests -------------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    (?P<skip>//[^\n]*|\#[^\n]*|/\*.*?(?:\*/|\Z)|@"(?:[^"]|"")*(?:"|\Z)|"(?:\\.|[^"\\])*(?:"|\Z)|'(?:\\.|[^'\\])*(?:'|\Z))
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<chain><-|[-+*/%]?=(?!=)|[?:@]|\b(?:function|class|extends)\b)
    |(?P<prefix>\+\+|--|[-!~+]|\b(?:typeof|clone|delete|resume)\b)
    |(?P<statement>\b(?:if|else|while|for|foreach|do|try|catch|switch|return|throw|yield)\b)
    |(?P<end>[;,])
    |(?P<operand>[A-Za-z_0-9.]+)
    |(?P<other>==|!=|<=|>=|&&|\|\||<<|>>)
    """,
    re.VERBOSE | re.DOTALL,
)
_PATTERN_OPEN = re.compile(r"\\.|[(\[]|[)\]]", re.DOTALL)


def source_nesting(source: str) -> int:
    """How deep Squirrel's compiler recurses for `source`, estimated from above: open brackets, plus
    prefix operators in a row, plus statements nested without braces, plus the right-recursive
    constructs of a statement (assignments, `?:`, lambdas, `function`, `class ... extends`), counted
    per bracket level so that a comma inside a parameter list does not hide an outer chain. Cheap;
    real code stays far below `Limits.source_nesting` (rarely over 30)."""
    depth = run = statements = worst = chained = 0
    chains = [0]  # right-recursive constructs open at each bracket level; `chained` is their sum
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            run = 0
            if match.group(0) == "{":
                statements = 0
            chains.append(0)
        elif kind == "close":
            depth = max(0, depth - 1)
            run = statements = 0
            if len(chains) > 1:
                chained -= chains.pop()
        elif kind == "chain":
            chains[-1] += 1
            chained += 1
        elif kind == "prefix":
            run += 1
        elif kind == "statement":
            statements += 1
        elif kind == "end":
            run = statements = 0
            chained -= chains[-1]
            chains[-1] = 0
        elif kind == "operand":
            run = 0
        worst = max(worst, depth + run + statements + chained)
    return worst


def pattern_nesting(pattern: str) -> int:
    """How deeply a `regexp` pattern nests its groups and classes (escapes skipped)."""
    depth = worst = 0
    for match in _PATTERN_OPEN.finditer(pattern):
        bracket = match.group(0)
        if bracket in "([":
            depth += 1
            worst = max(worst, depth)
        elif bracket in ")]":
            depth = max(0, depth - 1)
    return worst


def nesting_problem(text: str, kind: str, limit: int) -> str | None:
    """The error for `compilestring` source (`kind` "source"), deployed code ("code") or a `regexp`
    pattern ("pattern") nested past `limit`, else None."""
    if kind == "pattern":
        if pattern_nesting(text) > limit:
            return f"regexp: the pattern is nested more than {limit} levels deep"
        return None
    if source_nesting(text) > limit:
        what = "compilestring: the source" if kind == "source" else "the code"
        return f"{what} is nested more than {limit} levels deep"
    return None


def escape(data: bytes) -> bytes:
    """Squirrel's `escape`, without its overflow: printable ASCII as is, quotes and backslash escaped,
    NUL as `\\0`, any other byte as `\\xNN`."""
    out = bytearray()
    for b in data:
        if b == 0:
            out += b"\\0"
        elif b in b"\"'\\":
            out += b"\\" + bytes([b])
        elif 0x20 <= b < 0x7F:
            out.append(b)
        else:
            out += b"\\x%02x" % b
    return bytes(out)
