"""The imp's Squirrel root table, built inside each VM before the user's code runs.

`PRELUDE` runs first in a fresh `squirrel.SQVM` with one raw host entry `_h(op, a, b, c)` bound
in the root table. It captures what it needs in local variables, builds the imp API tables
(`server`, `imp`, `hardware`, `agent` / `device`, `http`, `math`), then deletes everything else
from the root table (host functions, the maths at the root, `_h` itself). Callbacks the user
registers live in the prelude's locals, out of reach of user code. It returns a table of entry
points the worker calls: boot, fire, message, request, connect, blobarray.

Host functions never raise into Squirrel (a Python exception would unwind through the VM); they
return `"!message"` for an error, `"=literal"` for a structured value (decoded here with
`compilestring`) or `":text"` for a string, and the wrappers below turn those into Squirrel
values and errors.
"""

from __future__ import annotations

# Names the imp keeps from Squirrel's standard library; everything else the desktop build
# registers is removed. `math` holds the maths functions instead of the root table.
KEPT_STDLIB = (
    "array assert callee compilestring getroottable setroottable getconsttable setconsttable type newthread "
    "format split strip lstrip rstrip regexp escape startswith endswith blob "
    "_version_ _versionnumber_ _intsize_ _floatsize_ _charsize_"
).split()
MATH_NAMES = "abs acos asin atan atan2 ceil cos exp fabs floor log log10 pow rand sin sqrt tan PI RAND_MAX".split()
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
    keep = ", ".join(f'"{name}"' for name in (*KEPT_STDLIB, *(API_DEVICE if role == "device" else API_AGENT)))
    keep += ", " + ", ".join(f'"{name}"' for name in WAKEREASONS)
    maths = "\n".join(f"    {name} = R.{name}," for name in MATH_NAMES)
    consts = "\n".join(f"R.{name} <- {value};" for name, value in WAKEREASONS.items())
    role_api = _DEVICE_API if role == "device" else _AGENT_API
    return _COMMON.format(maths=maths, consts=consts) + role_api + _ENTRY_POINTS.replace("%KEEP%", keep)


_COMMON = r"""
local R = getroottable();
local H = R._h;
local compile = R.compilestring;
local stackinfo = R.getstackinfos;
local blobclass = R.blob;
local srand = R.srand;
local timers = {{}};
local handlers = {{}};
local hooks = {{request = null, connect = null, disconnect = null}};
local responses = {{}};

local function mkblob(s) {{
    local b = blobclass(s.len());
    foreach (c in s) b.writen(c, 'b');
    return b;
}}
local literalenv = {{ B = mkblob }};
local function ret(r) {{
    if (typeof r != "string" || r.len() == 0) return r;
    local tag = r[0];
    if (tag == '!') throw r.slice(1);
    if (tag == '=') return compile("return " + r.slice(1) + ";", "value").call(literalenv);
    return r.slice(1);
}}
local function text(v) {{ return typeof v == "string" ? v : "" + v; }}
local function needfunc(f, what) {{
    local kind = typeof f;
    if (kind != "function" && kind != "native function" && f != null) throw what + ": the callback must be a function";
}}

R.seterrorhandler(function(e) {{
    local frames = [];
    for (local level = 2; ; level++) {{
        local s = stackinfo(level);
        if (s == null) break;
        if (s.src == "device_code" || s.src == "agent_code") frames.append(s.func + ":" + s.line);
    }}
    local joined = "";
    foreach (frame in frames) joined += frame + "\n";
    H("error", text(e), joined, null);
}});

R.math <- {{
{maths}
}};
{consts}
R.time <- function() {{ return H("time", null, null, null); }};
R.date <- function(t = null, kind = 'l') {{ return ret(H("date", t, kind.tochar(), null)); }};

local imp = {{
    wakeup = function(seconds, callback) {{
        needfunc(callback, "imp.wakeup");
        if (typeof seconds != "integer" && typeof seconds != "float") throw "imp.wakeup: seconds must be a number";
        local handle = ret(H("wakeup", seconds.tofloat(), null, null));
        timers[handle] <- callback;
        return handle;
    }},
    cancelwakeup = function(handle) {{
        if (handle in timers) {{ delete timers[handle]; H("cancel", handle, null, null); }}
    }},
}};
R.server <- {{
    log = function(message) {{ H("log", text(message), 0, null); }},
    error = function(message) {{ H("log", text(message), 1, null); }},
}};
"""

_DEVICE_API = r"""
imp.sleep <- function(seconds) { ret(H("sleep", seconds.tofloat(), null, null)); };
imp.getmacaddress <- function() { return H("mac", null, null, null); };
imp.getsoftwareversion <- function() { return H("swversion", null, null, null); };
imp.info <- function() { return ret(H("info", null, null, null)); };
R.imp <- imp;
R.hardware <- {
    millis = function() { return H("millis", null, null, null); },
    micros = function() { return H("micros", null, null, null); },
    getdeviceid = function() { return H("deviceid", null, null, null); },
    wakereason = function() { return H("wakereason", null, null, null); },
    voltage = function() { return 3.3; },  // the supply voltage: an emulated imp runs on a steady 3.3 V
};
R.agent <- {
    send = function(name, data) { ret(H("send", text(name), data, null)); return 0; },
    on = function(name, callback) { needfunc(callback, "agent.on"); handlers[text(name)] <- callback; },
};
"""

_AGENT_API = r"""
R.imp <- imp;
R.server.save <- function(data) {
    if (typeof data != "table") throw "server.save: the argument must be a table";
    ret(H("save", data, null, null));
    return 0;
};
R.server.load <- function() { return ret(H("load", null, null, null)); };
R.device <- {
    send = function(name, data) { ret(H("send", text(name), data, null)); return 0; },
    on = function(name, callback) { needfunc(callback, "device.on"); handlers[text(name)] <- callback; },
    isconnected = function() { return H("isconnected", null, null, null) == 1; },
    onconnect = function(callback) { needfunc(callback, "device.onconnect"); hooks.connect = callback; },
    ondisconnect = function(callback) { needfunc(callback, "device.ondisconnect"); hooks.disconnect = callback; },
};
R.http <- {
    agenturl = function() { return H("agenturl", null, null, null); },
    onrequest = function(callback) { needfunc(callback, "http.onrequest"); hooks.request = callback; },
    jsonencode = function(value) { return ret(H("jsonencode", value, null, null)); },
    jsondecode = function(json) { return ret(H("jsondecode", text(json), null, null)); },
    urlencode = function(table) {
        if (typeof table != "table") throw "http.urlencode: the argument must be a table";
        return ret(H("urlencode", table, null, null));
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
            ret(H("respond", id, status, typeof body == "blob" ? body : text(body)));
        },
    };
}

return {
    boot = function(code, name, seed) { srand(seed); local main = compile(code, name).bindenv(R); main(); },
    fire = function(handle) {
        if (!(handle in timers)) return;
        local callback = timers[handle];
        delete timers[handle];
        callback();
    },
    message = function(name, literal) {
        if (name in handlers) handlers[name](ret(literal));
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
    blobarray = function(value) {
        if (typeof value != "blob") return null;
        local out = array(value.len());
        for (local i = 0; i < value.len(); i++) out[i] = value[i];
        return out;
    },
};
"""
