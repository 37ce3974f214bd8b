"""The imp platform beyond the core language, in the prelude: agent HTTP, simulated hardware, sleep.

Written from Electric Imp's API reference (facts only). The Squirrel here runs inside the prelude
(`imp_api.prelude`) after `_COMMON`, so it uses its locals (`R`, `H`, `ret`, `packed`, `text`,
`needfunc`, `L`, `imp`, `blobclass`). `platform` is the table of entry points the worker calls:
`setup` (before a device's code: its pins, buses and `nv`), `pins` (inputs the admin API set),
`httpdone` (an answer to `sendasync`), `idle` (the `imp.onidle` callback).

Constant values are the emulator's own (code uses the names); the behaviour is the reference's.
"""

from __future__ import annotations

DEVICE_CONSTANTS = {
    # pin modes (pin.configure)
    "DIGITAL_IN": 1,
    "DIGITAL_IN_PULLUP": 2,
    "DIGITAL_IN_PULLDOWN": 3,
    "DIGITAL_IN_WAKEUP": 4,
    "DIGITAL_OUT": 5,
    "DIGITAL_OUT_OD": 6,
    "DIGITAL_OUT_OD_PULLUP": 7,
    "ANALOG_IN": 8,
    "ANALOG_OUT": 9,
    "PWM_OUT": 10,
    "PWM_OUT_STEPS": 11,
    "PULSE_COUNTER": 12,
    # I2C speeds (i2c.configure)
    "CLOCK_SPEED_10_KHZ": 10000,
    "CLOCK_SPEED_50_KHZ": 50000,
    "CLOCK_SPEED_100_KHZ": 100000,
    "CLOCK_SPEED_400_KHZ": 400000,
    # SPI flags (spi.configure)
    "CLOCK_IDLE_HIGH": 1,
    "CLOCK_IDLE_LOW": 0,
    "CLOCK_2ND_EDGE": 2,
    "MSB_FIRST": 0,
    "LSB_FIRST": 4,
    "NO_SCLK": 8,
    "NO_RX": 16,
    "NO_TX": 32,
    "USE_CS_L": 64,
    # spiflash.write flags
    "SPIFLASH_PREVERIFY": 1,
    "SPIFLASH_POSTVERIFY": 2,
}
AGENT_CONSTANTS = {"VALIDATE_USING_SYSTEM_CA_CERTS": 0, "VALIDATE_NONE": 1, "NO_TIMEOUT": -1}
# Bus names of the imp001-imp006 families; every emulated imp has them all, with nothing attached.
I2C_BUSES = ("i2c12", "i2c89", "i2cAB", "i2cFG", "i2cJK", "i2cKL", "i2cNP", "i2cPQ", "i2cXDE", "i2c0")
SPI_BUSES = ("spi189", "spi257", "spiBCAD", "spiEBCA", "spiLGDK", "spiPQRS", "spiAHSR", "spiXTUVW", "spi0")
HTTP_DEFAULT_TIMEOUT = 600.0  # seconds: sendasync's default (imp API reference)


def pin_names(imp_type: str) -> list[str]:
    """The pins of an imp type: digits on the imp001/imp002, letters on the later modules."""
    if imp_type in ("imp001", "imp002"):
        return [f"pin{n}" for n in (1, 2, 5, 7, 8, 9)] if imp_type == "imp001" else [f"pin{n}" for n in range(1, 10)]
    return [f"pin{c}" for c in "ABCDEFGHJKLMNPQRSTUVWXYZ"]


def constants(role: str) -> dict[str, int]:
    return DEVICE_CONSTANTS if role == "device" else AGENT_CONSTANTS


DEVICE_PLATFORM = r"""
local INPUTS = {};
foreach (m in [R.DIGITAL_IN, R.DIGITAL_IN_PULLUP, R.DIGITAL_IN_PULLDOWN, R.DIGITAL_IN_WAKEUP, R.ANALOG_IN,
    R.PULSE_COUNTER]) INPUTS[m] <- true;
local MODES = clone INPUTS;
foreach (m in [R.DIGITAL_OUT, R.DIGITAL_OUT_OD, R.DIGITAL_OUT_OD_PULLUP, R.ANALOG_OUT, R.PWM_OUT, R.PWM_OUT_STEPS])
    MODES[m] <- true;
local WAKEUP = R.DIGITAL_IN_WAKEUP, PULLUP = R.DIGITAL_IN_PULLUP, ANALOG = R.ANALOG_IN;
local PWM = R.PWM_OUT, PWMSTEPS = R.PWM_OUT_STEPS;
local inputs = {};   // pin name -> level the admin API set
local pins = {};
local idlecb = null, idlequeued = false;

local Pin = class {
    _name = null; _mode = null; _value = 0; _cb = null;
    constructor(name) { _name = name; }
    function _level() {
        if (_name in inputs) {
            local v = inputs[_name];
            return _mode == ANALOG ? v : (v != 0 ? 1 : 0);
        }
        return _mode == PULLUP ? 1 : 0;
    }
    function configure(mode, ...) {
        if (typeof mode != "integer" || !(mode in MODES)) throw "pin.configure: unknown mode " + mode;
        _mode = mode;
        _cb = null;
        _value = 0;
        if (mode in INPUTS) {
            if (vargv.len() > 0) {
                local f = vargv[vargv.len() - 1];
                needfunc(f, "pin.configure");
                _cb = f;
            }
        } else if (mode == PWM || mode == PWMSTEPS) {
            if (vargv.len() > 1) _value = vargv[1];
        } else if (vargv.len() > 0) {
            _value = vargv[0];
        }
        return this;
    }
    function read() {
        if (_mode == null) throw "pin.read: " + _name + " is not configured";
        if (_mode in INPUTS) return _level();
        return _value;
    }
    function write(value) {
        if (_mode == null || _mode in INPUTS) throw "pin.write: " + _name + " is not configured as an output";
        local kind = typeof value;
        if (kind != "integer" && kind != "float") throw "pin.write: the value must be a number";
        _value = value;
    }
    function disable() { _mode = null; _cb = null; }
    function getname() { return _name; }
    function _changed(before) { if (_cb != null && _mode in INPUTS && _level() != before) _cb(); }
};

local I2C = class {
    _on = false; _err = 0;
    function configure(speed) {
        if (typeof speed != "integer") throw "i2c.configure: the speed must be an integer";
        _on = true;
    }
    function disable() { _on = false; }
    // Nothing is attached: no address is acknowledged (-9); an unconfigured bus is -13 (imp API reference).
    function read(address, subaddress, count) { _err = _on ? -9 : -13; return null; }
    function readerror() { return _err; }
    function write(address, data) { return _on ? -9 : -13; }
};

local SPI = class {
    _rate = 0;
    function configure(mode, kHz) {
        if (typeof mode != "integer") throw "spi.configure: the mode must be an integer";
        if (typeof kHz != "integer" && typeof kHz != "float") throw "spi.configure: the speed must be a number";
        _rate = kHz.tofloat();
        return _rate;
    }
    function disable() { _rate = 0; }
    function _on(what) { if (_rate == 0) throw "spi." + what + ": the bus is not configured"; }
    function write(data) { _on("write"); return data.len(); }
    // Nothing drives MISO: what comes back reads as 0xFF bytes.
    function _idle(n) { local b = blobclass(n); for (local i = 0; i < n; i++) b.writen(0xFF, 'b'); return b; }
    function _idletext(n) { local s = ""; for (local i = 0; i < n; i++) s += format("%c", 0xFF); return s; }
    function writeread(data) {
        _on("writeread");
        return typeof data == "string" ? _idletext(data.len()) : _idle(data.len());
    }
    function readblob(n) { _on("readblob"); return _idle(n); }
    function readstring(n) { _on("readstring"); return _idletext(n); }
    function chipselect(value = 1) { _on("chipselect"); }
};

local flashon = false;
local function flash(what) { if (!flashon) throw "spiflash." + what + ": the SPI flash is not enabled"; }
local spiflash = {
    enable = function() { flashon = true; },
    disable = function() { flashon = false; },
    size = function() { return H("flashsize"); },
    chipid = function() { flash("chipid"); return H("flashid"); },
    read = function(address, count) { flash("read"); return ret(H("flashread", address, count)); },
    readintoblob = function(address, target, count) {
        flash("readintoblob");
        target.writeblob(ret(H("flashread", address, count)));
    },
    write = function(address, data, flags = 0) {
        flash("write");
        if (typeof data == "string") data = mkblob(data);
        if (typeof data != "blob") throw "spiflash.write: the data must be a blob or a string";
        return ret(H("flashwrite", address, data, flags));
    },
    erasesector = function(address) { flash("erasesector"); ret(H("flasherase", address)); },
};

local function keepnv() {
    // Only a table named nv that can be packed is kept (the imp keeps what it can serialise).
    local found = "nv" in R ? R.nv : null;
    if (typeof found != "table") { H("nvsave", null, null); return; }
    local blobs = [];
    try {
        local packedtext = pack(found, {bytes = L.nv, depth = L.depth, what = "nv"}, blobs);
        H("nvsave", packedtext, blobs);
    } catch (e) {
        H("nvlost", text(e));
        H("nvsave", null, null);
    }
}

local function sleep(seconds) {
    if (typeof seconds != "integer" && typeof seconds != "float") throw "imp.deepsleepfor: the time must be a number";
    keepnv();
    local wakers = [];  // pins configured DIGITAL_IN_WAKEUP wake the device when driven high
    foreach (name, pin in pins) if (pin._mode == WAKEUP) wakers.append(name);
    ret(H("deepsleep", seconds.tofloat(), wakers));
    throw "the device is in deep sleep";
}
local function sleepuntil(hour, minute, second = 0, day = -1) {
    foreach (v in [hour, minute, second, day]) if (typeof v != "integer") throw "imp.deepsleepuntil: integers expected";
    return sleep(ret(H("secondsuntil", hour, minute, [second, day])));
}
imp.deepsleepfor <- sleep;
imp.deepsleepuntil <- sleepuntil;
imp.onidle <- function(callback) {
    needfunc(callback, "imp.onidle");
    idlecb = callback;
    if (callback != null && !idlequeued) { idlequeued = true; H("onidle"); }
};
R.server.sleepfor <- sleep;
R.server.sleepuntil <- sleepuntil;

local platform = {
    setup = function(literal) {
        local info = ret(literal);
        foreach (name in info.pins) { pins[name] <- Pin(name); R.hardware[name] <- pins[name]; }
        foreach (name in info.i2c) R.hardware[name] <- I2C();
        foreach (name in info.spi) R.hardware[name] <- SPI();
        foreach (k, v in info.inputs) inputs[k] <- v;
        if (info.flash > 0) R.hardware.spiflash <- spiflash;
        if (info.nv != null) R.nv <- info.nv;
    },
    pins = function(literal) {
        local changes = ret(literal);
        foreach (name, value in changes) {
            local pin = name in pins ? pins[name] : null;
            local before = pin != null && pin._mode != null ? pin._level() : null;
            inputs[name] <- value;
            if (before != null) pin._changed(before);
        }
    },
    idle = function() {
        idlequeued = false;
        local f = idlecb;
        idlecb = null;
        if (f != null) f();
    },
    nv = keepnv,
};
"""

AGENT_PLATFORM = r"""
local httpwait = {};
local Request = class {
    _m = null; _u = null; _h = null; _b = null; _id = null; _verify = 0;
    constructor(m, u, h, b) { _m = m; _u = u; _h = h; _b = b; }
    function _spec(timeout, sync) {
        return {method = _m, url = _u, headers = _h, body = _b, timeout = timeout, verify = _verify, sync = sync};
    }
    function sendasync(done, streaming = null, timeout = 600.0) {
        needfunc(done, "httprequest.sendasync");
        needfunc(streaming, "httprequest.sendasync");
        if (_id != null) throw "httprequest.sendasync: the request was sent already";
        if (typeof timeout != "integer" && typeof timeout != "float")
            throw "httprequest.sendasync: the timeout must be a number";
        _id = packed("httpsend", "httprequest.sendasync", _spec(timeout.tofloat(), false), L.response);
        httpwait[_id] <- [done, streaming];
        return this;
    }
    function sendsync() {
        if (_id != null) throw "httprequest.sendsync: the request was sent already";
        _id = -1;
        return packed("httpsend", "httprequest.sendsync", _spec(600.0, true), L.response);
    }
    function cancel() {
        if (_id != null && _id in httpwait) { delete httpwait[_id]; H("httpcancel", _id); }
    }
    function setvalidation(v) { _verify = v; return this; }
};
local function request(method, url, headers = null, body = "") {
    if (typeof method != "string") throw "http.request: the method must be a string";
    if (typeof url != "string" || !(url.find("http:") == 0 || url.find("https:") == 0))
        throw "http.request: the URL must start with http: or https:";
    if (headers == null) headers = {};
    if (typeof headers != "table") throw "http.request: the headers must be a table";
    if (body == null) body = "";
    if (typeof body != "string" && typeof body != "blob") throw "http.request: the body must be a string or a blob";
    return Request(method.toupper(), url, headers, body);
}
R.http.request <- request;
R.http.get <- function(url, headers = null) { return request("GET", url, headers, ""); };
R.http.httpdelete <- function(url, headers = null) { return request("DELETE", url, headers, ""); };
R.http.post <- function(url, headers, body) { return request("POST", url, headers, body); };
R.http.put <- function(url, headers, body) { return request("PUT", url, headers, body); };

local platform = {
    httpdone = function(id, literal) {
        if (!(id in httpwait)) return;
        local callbacks = httpwait[id];
        delete httpwait[id];
        local response = ret(literal);
        if (callbacks[1] != null && response.body.len() > 0) {
            callbacks[1](response.body);
            response.body = "";
        }
        callbacks[0](response);
    },
};
"""
