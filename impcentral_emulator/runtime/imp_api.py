"""The imp's Squirrel root table, built inside each VM before the user's code runs.

`prelude(role)` runs first in a fresh `squirrel.SQVM` with one raw host entry `_h(op, ...)` bound
in the root table (`capi.bind_host`). It captures what it needs in local variables, guards the natives
(`natives.GUARDS_SQUIRREL`), builds the imp API tables (`server`, `imp`, `hardware`, `agent` /
`device`, `http`, `math`), then deletes everything else from the root table (host functions, the
maths at the root, `_h` itself). Callbacks the user registers live in the prelude's locals, out of
reach of user code. It returns a table of entry points the worker calls: boot, fire, message,
request, connect.

Host functions never raise into Squirrel; they return `"!message"` for an error, `"=literal"` for
a structured value (decoded here with `compilestring`) or `":text"` for a string, and `ret` turns
those into Squirrel values and errors. Strings reach the host as their bytes; tables, arrays and
blobs only through `pack` (`values.PACK_SQUIRREL`), which refuses what an imp cannot send.
"""

from __future__ import annotations

from . import platform_api
from .imp_platform import AGENT_PLATFORM, DEVICE_PLATFORM, constants
from .natives import GUARDS_SQUIRREL
from .values import PACK_SQUIRREL

# Names the imp keeps from Squirrel's standard library; everything else the desktop build
# registers is removed. `math` holds the maths functions instead of the root table.
KEPT_STDLIB = (
    "array assert callee compilestring getroottable setroottable getconsttable setconsttable type newthread "
    "format split strip lstrip rstrip regexp escape startswith endswith blob "
    "_version_ _versionnumber_ _intsize_ _floatsize_ _charsize_"
).split()
MATH_NAMES = (
    "abs acos asin atan atan2 ceil cos exp fabs floor log log10 pow rand srand sin sqrt tan PI RAND_MAX"
).split()
API_DEVICE = ("server", "imp", "hardware", "agent", "math", "time", "date")
API_AGENT = ("server", "imp", "device", "http", "math", "time", "date")
WAKEREASONS = {
    "WAKEREASON_POWER_ON": 0,
    "WAKEREASON_TIMER": 1,
    "WAKEREASON_SW_RESET": 2,
    "WAKEREASON_PIN": 3,
    "WAKEREASON_NEW_SQUIRREL": 4,
    "WAKEREASON_SQUIRREL_ERROR": 5,
    "WAKEREASON_NEW_FIRMWARE": 6,
    "WAKEREASON_SNOOZE": 7,
    "WAKEREASON_HW_RESET": 8,
    "WAKEREASON_BLINKUP": 9,
    "WAKEREASON_SW_RESTART": 10,
}


def prelude(role: str) -> str:
    """The Squirrel source that turns a desktop VM into an imp device or agent VM."""
    platform = platform_api.ROOT_DEVICE if role == "device" else platform_api.ROOT_AGENT
    platform_constants = constants(role)
    api = API_DEVICE if role == "device" else API_AGENT
    names = (*KEPT_STDLIB, *api, *WAKEREASONS, *platform, *platform_constants, "_guards")
    keep = ", ".join(f'"{name}"' for name in names)
    maths = "\n".join(f"    {name} = R.{name}," for name in MATH_NAMES)
    consts = "\n".join(f"R.{name} <- {value};" for name, value in {**WAKEREASONS, **platform_constants}.items())
    role_api = _DEVICE_API if role == "device" else _AGENT_API
    common = _COMMON.replace("%MATHS%", maths).replace("%CONSTS%", consts)
    platform_snippets = platform_api.squirrel(role) + (DEVICE_PLATFORM if role == "device" else AGENT_PLATFORM)
    entry = _ENTRY_POINTS.replace("%KEEP%", keep)
    return _HEAD + PACK_SQUIRREL + GUARDS_SQUIRREL + common + role_api + platform_snippets + entry


_HEAD = r"""
local R = getroottable();
local H = R._h;
local compile = R.compilestring;
local stackinfo = R.getstackinfos;
local blobclass = R.blob;
local srand = R.srand;
local format = R.format;
local timers = {};
local handlers = {};
local hooks = {request = null, connect = null, disconnect = null};

local function mkblob(s) {
    local b = blobclass(s.len());
    foreach (c in s) b.writen(c, 'b');
    return b;
}
local literalenv = { B = mkblob };
local function ret(r) {
    if (typeof r != "string" || r.len() == 0) return r;
    local tag = r[0];
    if (tag == '!') throw r.slice(1);
    if (tag == '=') return compile("return " + r.slice(1) + ";", "value").call(literalenv);
    return r.slice(1);
}
local L = ret(H("limits"));
local function text(v) { return typeof v == "string" ? v : "" + v; }
local function needfunc(f, what) {
    local kind = typeof f;
    if (kind != "function" && kind != "native function" && f != null) throw what + ": the callback must be a function";
}
"""

_COMMON = r"""
R.seterrorhandler(function(e) {
    local frames = [];
    for (local level = 2; ; level++) {
        local s = stackinfo(level);
        if (s == null) break;
        if (s.src == "device_code" || s.src == "agent_code") frames.append(s.func + ":" + s.line);
    }
    local joined = "";
    foreach (frame in frames) joined += frame + "\n";
    local message = "";
    try { message = text(e); } catch (inner) { message = "(an error that cannot be shown as text)"; }
    H("error", message, joined);
});

R.math <- {
%MATHS%
};
%CONSTS%
R.time <- function() { return H("time"); };
R.date <- function(t = null, kind = 'l') {
    if (t != null && typeof t != "integer" && typeof t != "float") throw "date: the time must be a number";
    return ret(H("date", t));  // an integer stays one: a 32-bit float cannot hold today's time to the second
};

local function log(message, iserror) {
    local s = text(message);
    local full = s.len();
    if (full > L.line) s = s.slice(0, L.line);
    H("log", s, iserror, full);
    return 0;
}
local imp = {
    wakeup = function(seconds, callback) {
        needfunc(callback, "imp.wakeup");
        if (typeof seconds != "integer" && typeof seconds != "float") throw "imp.wakeup: seconds must be a number";
        local handle = H("wakeup", seconds.tofloat());
        if (handle == null) return null;  // as many timers pending as the VM may hold
        timers[handle] <- callback;
        return handle;
    },
    cancelwakeup = function(handle) {
        if (handle in timers) { delete timers[handle]; H("cancel", handle); }
    },
};
R.server <- {
    log = function(message) { return log(message, 0); },
    error = function(message) { return log(message, 1); },
};
local function packed(op, what, value, budget, extra = null) {
    local blobs = [];
    local text = pack(value, {bytes = budget, depth = L.depth, what = what}, blobs);
    return ret(H(op, text, blobs, extra));
}
local function send(what, name, data) {
    packed("send", what, data, L.message, text(name));
    return 0;
}
"""

_DEVICE_API = r"""
imp.sleep <- function(seconds) { ret(H("sleep", seconds.tofloat())); };
imp.getmacaddress <- function() { return H("mac"); };
imp.getsoftwareversion <- function() { return H("swversion"); };
imp.info <- function() { return ret(H("info")); };
R.imp <- imp;
R.hardware <- {
    millis = function() { return H("millis"); },
    micros = function() { return H("micros"); },
    getdeviceid = function() { return H("deviceid"); },
    wakereason = function() { return H("wakereason"); },
    voltage = function() { return 3.3; },  // the supply voltage: an emulated imp runs on a steady 3.3 V
};
R.agent <- {
    send = function(name, data) { return send("agent.send", name, data); },
    on = function(name, callback) { needfunc(callback, "agent.on"); handlers[text(name)] <- callback; },
};
"""

_AGENT_API = r"""
R.imp <- imp;
R.server.save <- function(data) {
    if (typeof data != "table") throw "server.save: the argument must be a table";
    packed("save", "server.save", data, L.save);
    return 0;
};
R.server.load <- function() { return ret(H("load")); };
R.device <- {
    send = function(name, data) { return send("device.send", name, data); },
    on = function(name, callback) { needfunc(callback, "device.on"); handlers[text(name)] <- callback; },
    isconnected = function() { return H("isconnected") == 1; },
    onconnect = function(callback) { needfunc(callback, "device.onconnect"); hooks.connect = callback; },
    ondisconnect = function(callback) { needfunc(callback, "device.ondisconnect"); hooks.disconnect = callback; },
};
R.http <- {
    agenturl = function() { return ret(H("agenturl")); },
    onrequest = function(callback) { needfunc(callback, "http.onrequest"); hooks.request = callback; },
    jsonencode = function(value) { return packed("jsonencode", "http.jsonencode", value, L.memory); },
    jsondecode = function(json) { return ret(H("jsondecode", text(json))); },
    urlencode = function(table) {
        if (typeof table != "table") throw "http.urlencode: the argument must be a table";
        return packed("urlencode", "http.urlencode", table, L.memory);
    },
};
"""

_ENTRY_POINTS = r"""
local keep = {};
foreach (name in [%KEEP%]) keep[name] <- true;
local doomed = [];
foreach (name, value in R) if (!(name in keep)) doomed.append(name);
foreach (name in doomed) delete R[name];

local function respond(id) {
    return {
        header = function(name, value) { H("header", id, text(name), text(value)); },
        send = function(status, body) {
            if (typeof status != "integer") throw "response.send: the status must be an integer";
            if (typeof body != "blob") body = text(body);
            if (body.len() > L.response) throw "response.send: the body is larger than " + L.response + " bytes";
            ret(H("respond", id, status, body));
        },
    };
}

return {
    boot = function(code, name, seed) {
        srand(seed);
        nesting(code, "code");
        local main = rawbind.acall([compile(code, name), R]);  // the root table lives as long as the VM
        main();
    },
    fire = function(handle) {
        if (!(handle in timers)) return;
        local callback = timers[handle];
        delete timers[handle];
        callback();
    },
    message = function(literal) {
        local m = ret(literal);
        if (m[0] in handlers) handlers[m[0]](m[1]);
    },
    request = function(id, literal) {
        if (hooks.request == null) return false;
        hooks.request(ret(literal), respond(id));
        return true;
    },
    connect = function(online) {
        local hook = online ? hooks.connect : hooks.disconnect;
        if (hook != null) hook();
    },
    platform = platform,
};
"""
