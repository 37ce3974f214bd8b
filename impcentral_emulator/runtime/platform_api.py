"""The imp platform beyond the first subset: the semantics where Electric Imp's Squirrel differs.

Written from Electric Imp's API reference (developer.electricimp.com/api/...): root constants
(`RAND_MAX`, `ENVIRONMENT_*`, the server's connection, send-error and shutdown codes), a `bindenv`
that keeps its context object alive, `imp.environment()`, the device's connection API
(`server.connect/disconnect/isconnected/setsendtimeoutpolicy/...`), the imp's blob methods
(`writestring`, `readstring`, `tostring` giving the bytes) and `crypto`. `imp_api.prelude` splices
these snippets in; `host` answers their host operations in the worker. Kept apart from
`imp_api.py` so that the API's areas can grow side by side.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from typing import Any

from .capi import SquirrelError
from .values import quote, to_literal

# Root constants of both sides. RAND_MAX is the value `math.RAND_MAX` has (the C library's).
ENVIRONMENTS = {"ENVIRONMENT_CARD": 0, "ENVIRONMENT_MODULE": 1, "ENVIRONMENT_AGENT": 2}
COMMON_CONSTANTS: dict[str, int] = {"RAND_MAX": 2147483647, **ENVIRONMENTS}
# Device-only constants, values from the reference's tables (server.connect, server, setsendtimeoutpolicy,
# server.onshutdown pages).
DEVICE_CONSTANTS: dict[str, int] = {
    "SUSPEND_ON_ERROR": 0,
    "RETURN_ON_ERROR": 1,
    "RETURN_ON_ERROR_NO_DISCONNECT": 2,
    "WAIT_TIL_SENT": 0,
    "WAIT_FOR_ACK": 1,
    "NOT_CONNECTED": 0,
    "NO_WIFI": 1,
    "NO_LINK": 1,
    "NO_IP_ADDRESS": 2,
    "NOT_RESOLVED": 3,
    "NO_SERVER": 4,
    "SERVER_CONNECTED": 5,
    "NO_PROXY": 6,
    "NOT_AUTHORISED": 7,
    "SEND_ERROR_NOT_CONNECTED": 1,
    "SEND_ERROR_TIMEOUT": 2,
    "SEND_ERROR_DISCONNECTED": 3,
    "SEND_ERROR_WOULDBLOCK": 4,
    "SHUTDOWN_NEWSQUIRREL": 1,
    "SHUTDOWN_NEWFIRMWARE": 2,
    "SHUTDOWN_OTHER": 3,
}
CARD_IMPS = ("imp001", "imp002")  # imps on a card; every later imp is a module
WAKEREASON_SW_RESTART = 10
ROOT_DEVICE = ("crypto", "clock", *COMMON_CONSTANTS, *DEVICE_CONSTANTS)
ROOT_AGENT = ("crypto", "clock", "regexp2", *COMMON_CONSTANTS)
RE2_PATTERN = 256  # characters of a regexp2 expression (the reference's limit)
# Methods the prelude leaves in `_guards.function`, installed into the closures' default delegate.
DELEGATES = {"function": ["bindenv", "getinfos"]}
HASHES = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha512": "sha512"}
HMACS = {"hmacsha1": "sha1", "hmacsha256": "sha256", "hmacsha512": "sha512"}
CRYPTO_DEVICE = ("equals", "sha1", "sha256", "sha512", "hmacsha1", "hmacsha256", "hmacsha512")
CRYPTO_AGENT = ("equals", "md5", *CRYPTO_DEVICE[1:])


def constants_squirrel(role: str) -> str:
    """The root constants of `role` as Squirrel slots of the root table `R`."""
    values = {**COMMON_CONSTANTS, **(DEVICE_CONSTANTS if role == "device" else {})}
    return "".join(f"R.{name} <- {value};\n" for name, value in values.items())


def squirrel(role: str) -> str:
    """The snippets for `role`, run after `_COMMON` and the role's API (`imp`, `server`, `math` exist)."""
    crypto = CRYPTO_DEVICE if role == "device" else CRYPTO_AGENT
    members = "\n".join(f'    {name} = digest("{name}"),' for name in crypto if name != "equals")
    common = _COMMON.replace("%CRYPTO%", members).replace("%CONSTANTS%", constants_squirrel(role))
    common = common.replace("%WRAPPERS%", quote(_wrappers())).replace("%ARITY%", str(WRAPPED_ARITY))
    return common + (_DEVICE if role == "device" else _AGENT)


# `R` root, `H` host entry, `ret` its results, `mkblob` bytes to blob, `timers`/`imp` the prelude's.
_COMMON = r"""
%CONSTANTS%
// bindenv: the imp keeps the bound object alive (Electric Imp's libraries rely on it), where
// Squirrel 3 keeps only a weak reference. The bound closure is wrapped in one that holds the object;
// binding a wrapper again binds the original, and getinfos describes the original. Wrappers of up to
// %ARITY% plain parameters call the bound closure directly (no native frame in between, so an error
// keeps its frames); others go through acall.
local rawbind = (@() null).bindenv;
local rawinfos = (@() null).getinfos;
local BOUND = {};
local wrappers = compile(%WRAPPERS%, "<bindenv>")(BOUND);
local function makebound(f, env) {
    local bound = rawbind.acall([f, env]);
    local infos = rawinfos.acall([f]);
    local n = infos.native ? -1 : infos.parameters.len() - 1;
    if (!infos.native && !infos.varargs && infos.defparams.len() == 0 && n < wrappers.len()) {
        return wrappers[n](f, env, bound);
    }
    return wrappers[wrappers.len() - 1](f, env, bound);
}
local function original(f) {
    if (typeof f != "function") return f;
    local infos = rawinfos.acall([f]);
    if (infos.native || infos.src != "<bindenv>") return f;
    local args = [BOUND];
    for (local i = 1; i < infos.parameters.len(); i++) args.append(null);
    local found = f.acall(args);
    return typeof found == "array" ? found[0] : f;
}
R._guards["function"] <- {
    bindenv = function(env) {
        local kind = typeof env;
        if (kind != "table" && kind != "instance" && kind != "class" && kind != "array") {
            local plain = rawbind.acall([this, env]);  // Squirrel's own error for what cannot be bound
            return plain;
        }
        return makebound(original(this), env);
    },
    getinfos = function() {
        local infos = rawinfos.acall([original(this)]);
        return infos;
    },
};

// clock(): present on the imp (the reference advises date() or hardware.millis() instead); Squirrel's
// reads the worker process's CPU time, so here it is the VM's seconds since boot.
R.clock <- function() { return H("uptime"); };
imp.environment <- function() { return H("environment"); };
imp.getmemoryfree <- function() { return H("memoryfree"); };
R.math.srand <- function(seed) {};  // present on the imp, without effect: the generator is seeded at start

local B = R.blob;
local function bytesof(value, what) {
    local kind = typeof value;
    if (kind == "string") return value;
    if (kind == "blob") return H("slice", value, 0, value.len());
    throw what + ": the data must be a string or a blob";
}
B.rawset("tostring", function() { return H("slice", this, 0, this.len()); });
B.rawset("writestring", function(s) {
    if (typeof s != "string") throw "blob.writestring: the argument must be a string";
    foreach (c in s) this.writen(c, 'b');
});
B.rawset("readstring", function(n) {
    if (typeof n != "integer" || n < 0) throw "blob.readstring: the length must be a non-negative integer";
    local at = this.tell();
    local left = this.len() - at;
    if (n > left) n = left;
    local s = H("slice", this, at, n);
    this.seek(at + n);
    return s;
});

local function digest(name) {
    return function(data, key = null) {
        local args = [bytesof(data, "crypto." + name)];
        if (name.find("hmac") == 0) args.append(bytesof(key, "crypto." + name));
        return mkblob(H("crypto", name, args[0], args.len() > 1 ? args[1] : null));
    };
}
R.crypto <- {
    equals = function(a, b) {
        return H("equals", bytesof(a, "crypto.equals"), bytesof(b, "crypto.equals"));
    },
%CRYPTO%
};
"""

_DEVICE = r"""
// The device's connection: the emulator's link never fails by itself, the code can drop it.
local link = {up = true, policy = R.SUSPEND_ON_ERROR, wait = R.WAIT_TIL_SENT, timeout = 30.0,
              unexpected = null, shutdown = null, pending = null};
local function connected(what) {
    if (link.up) return true;
    if (link.policy == R.SUSPEND_ON_ERROR) {  // the imp reconnects before it goes on
        link.up = true;
        H("link", true);
        return true;
    }
    return false;
}
local rawsend = R.agent.send;
R.agent.send = function(name, data) {
    if (!connected("agent.send")) return R.SEND_ERROR_NOT_CONNECTED;
    return rawsend(name, data);
};
local rawlog = R.server.log, rawerror = R.server.error;
R.server.log = function(message) {
    if (!connected("server.log")) return R.SEND_ERROR_NOT_CONNECTED;
    return rawlog(message);
};
R.server.error = function(message) {
    if (!connected("server.error")) return R.SEND_ERROR_NOT_CONNECTED;
    return rawerror(message);
};
imp.rssi <- function() { return -50; };  // a steady signal: the emulator has no radio
R.server.isconnected <- function() { return link.up; };
R.server.disconnect <- function() {
    if (link.up) { link.up = false; H("link", false); }
};
R.server.connect <- function(callback = null, timeout = 60) {
    needfunc(callback, "server.connect");
    if (typeof timeout != "integer" && typeof timeout != "float") throw "server.connect: the timeout must be a number";
    local was = link.up;
    link.up = true;
    if (!was) H("link", true);
    if (link.policy == R.SUSPEND_ON_ERROR || callback == null) return;  // synchronous: done now
    link.pending = callback;
    imp.wakeup(0, function() {
        local cb = link.pending;
        link.pending = null;
        if (cb != null) cb(link.up ? R.SERVER_CONNECTED : R.NOT_CONNECTED);
    });
};
R.server.setsendtimeoutpolicy <- function(policy, wait, timeout) {
    if (policy != R.SUSPEND_ON_ERROR && policy != R.RETURN_ON_ERROR && policy != R.RETURN_ON_ERROR_NO_DISCONNECT)
        throw "server.setsendtimeoutpolicy: unknown error policy " + policy;
    if (wait != R.WAIT_TIL_SENT && wait != R.WAIT_FOR_ACK)
        throw "server.setsendtimeoutpolicy: unknown wait policy " + wait;
    if ((typeof timeout != "integer" && typeof timeout != "float") || timeout < 0)
        throw "server.setsendtimeoutpolicy: the timeout must be a number of seconds";
    link.policy = policy; link.wait = wait; link.timeout = timeout.tofloat();
};
R.server.onunexpecteddisconnect <- function(callback) {
    needfunc(callback, "server.onunexpecteddisconnect");
    link.unexpected = callback;
};
R.server.onshutdown <- function(callback) {
    needfunc(callback, "server.onshutdown");
    link.shutdown = callback;
};
R.server.flush <- function(timeout) {
    if (typeof timeout != "integer" && typeof timeout != "float") throw "server.flush: the timeout must be a number";
    return link.up;  // nothing waits in a send buffer here
};
R.server.restart <- function() {
    H("restart");
    throw "server.restart: the device restarts";
};
"""

_AGENT = r"""
// regexp2: the agent's RE2-based regular expressions, answered by the host (Python's `re`, with RE2's
// escapes translated); a pattern is at most 256 characters, as the reference says.
R.regexp2 <- class {
    _pattern = null;
    constructor(pattern) {
        if (typeof pattern != "string") throw "regexp2: the expression must be a string";
        ret(H("re2", "compile", pattern));
        _pattern = pattern;
    }
    function match(subject) {
        return ret(H("re2", "match", _pattern, [text(subject), 0]));
    }
    function search(subject, start = 0) {
        if (typeof start != "integer") throw "regexp2.search: the start must be an integer";
        return ret(H("re2", "search", _pattern, [text(subject), start]));
    }
    function capture(subject, start = 0) {
        if (typeof start != "integer") throw "regexp2.capture: the start must be an integer";
        return ret(H("re2", "capture", _pattern, [text(subject), start]));
    }
};
"""


WRAPPED_ARITY = 8


def _wrappers() -> str:
    """Squirrel source returning `[make0, ..., make8, makevarargs]`: each `make(f, env, bound)` returns a
    closure of that many parameters that holds `env` and calls `bound`; called with `this == BOUND` it
    returns `[f, env]` instead."""
    makers = []
    for n in range(WRAPPED_ARITY + 1):
        params = ", ".join(f"p{i}" for i in range(n))
        makers.append(
            f"function(f, env, bound) {{ return function({params}) {{"
            f" if (this == BOUND) return [f, env]; return bound({params}); }}; }}"
        )
    makers.append(
        "function(f, env, bound) { return function(...) {"
        " if (this == BOUND) return [f, env]; vargv.insert(0, null); local r = bound.acall(vargv); return r; }; }"
    )
    return "local BOUND = vargv[0]; return [" + ", ".join(makers) + "];"


def host(vm: Any, op: str, a: Any, b: Any, c: Any) -> Any:  # noqa: PLR0911 - one case per operation
    """The platform's host operations (`_h(op, a, b, c)`); None if `op` is not one of them.

    Strings and blobs arrive as bytes (`capi.read`). Returns what `bind_host` pushes, or raises
    `SquirrelError` for the caller's error."""
    if op == "slice":
        data = _bytes(a, "blob")
        if not isinstance(b, int) or not isinstance(c, int) or b < 0 or c < 0:
            raise SquirrelError("blob: the position and length must be non-negative integers")
        return data[b : b + c]
    if op == "crypto":
        name = _bytes(a, "crypto").decode("ascii", "replace")
        data = _bytes(b, f"crypto.{name}")
        if name in HASHES:
            return hashlib.new(HASHES[name], data).digest()
        if name in HMACS:
            return hmac.new(_bytes(c, f"crypto.{name}"), data, HMACS[name]).digest()
        raise SquirrelError(f"crypto: no function {name}")
    if op == "equals":
        return hmac.compare_digest(_bytes(a, "crypto.equals"), _bytes(b, "crypto.equals"))
    if op == "environment":
        if vm.role == "agent":
            return ENVIRONMENTS["ENVIRONMENT_AGENT"]
        card = vm.facts.get("imp_type") in CARD_IMPS
        return ENVIRONMENTS["ENVIRONMENT_CARD" if card else "ENVIRONMENT_MODULE"]
    if op == "re2":
        return _re2(_bytes(a, "regexp2").decode("ascii", "replace"), _bytes(b, "regexp2"), c)
    if op == "uptime":
        return vm.clock() - vm.booted_at
    if op == "memoryfree":  # what the VM may still grow by before `out of memory`
        return max(0, vm.worker.limits.memory_bytes - vm.memory)
    if op == "link":
        vm.worker.out.append((vm.vm_id, "link", bool(a)))
        return None
    if op == "restart":
        vm.restarting = True
        vm.worker.out.append((vm.vm_id, "restart", WAKEREASON_SW_RESTART))
        return None
    return NotImplemented


@functools.lru_cache(maxsize=64)
def _compiled(pattern: bytes) -> re.Pattern[bytes]:
    """A regexp2 expression compiled for Python's `re`: RE2's `\\z` (end of text) is `re`'s `\\Z`."""
    return re.compile(re.sub(rb"(?<!\\)((?:\\\\)*)\\z", rb"\1\\Z", pattern))


def _re2(op: str, pattern: bytes, args: Any) -> str:
    """`regexp2`: compile, match (the whole string), search and capture from a byte offset."""
    if len(pattern) > RE2_PATTERN:
        return f"!regexp2: the expression is longer than {RE2_PATTERN} characters"
    try:
        compiled = _compiled(pattern)
    except re.error as exc:
        return f"!regexp2: {exc}"
    if op == "compile":
        return "=null"
    subject, start = (args + [b"", 0])[:2] if isinstance(args, list) else (b"", 0)
    if not isinstance(subject, bytes) or not isinstance(start, int) or not 0 <= start <= len(subject):
        return f"!regexp2.{op}: the start must be within the string"
    if op == "match":
        return "=" + to_literal(compiled.fullmatch(subject) is not None)
    found = compiled.search(subject, start)
    if found is None:
        return "=null"
    if op == "search":
        return "=" + to_literal({"begin": found.start(), "end": found.end()})
    spans = [found.span(group) for group in range(compiled.groups + 1)]
    return "=" + to_literal([{"begin": begin, "end": end} for begin, end in spans])


def _bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise SquirrelError(f"{what}: expected a string or a blob")
    return value
