"""One worker's VMs run in this process: the imp's root table, isolation, the imp API's values."""

from __future__ import annotations

import mmap

import pytest

from impcentral_emulator.runtime import imp_platform
from impcentral_emulator.runtime.imp_api import KEPT_STDLIB, MATH_NAMES, WAKEREASONS
from impcentral_emulator.runtime.limits import Limits
from impcentral_emulator.runtime.platform_api import ROOT_AGENT, ROOT_DEVICE
from impcentral_emulator.runtime.worker import PROGRESS, Worker

HOST_FUNCTIONS = [
    "system",
    "file",
    "dofile",
    "loadfile",
    "writeclosuretofile",
    "remove",
    "rename",
    "getenv",
    "stdin",
    "stdout",
    "stderr",
    "print",
    "printf",
    "error",
    "seterrorhandler",
    "setdebughook",
    "enabledebuginfo",
    "getstackinfos",
    "srand",
    "stream",
    "_h",
]
FACTS = {
    "device_id": "dev1",
    "agent_id": "agent1",
    "mac": "0c2a69000001",
    "imp_type": "imp005",
    "software_version": "43.1.0",
    "agent_url_base": "http://127.0.0.1:9999/agents/",
    "wake_reason": 0,
}


class Vm:
    """Boot code in a worker and run further events at a fixed time."""

    def __init__(self, role: str = "device", now: float = 1_767_225_600.5) -> None:
        self.worker = Worker(Limits(cpu_seconds=5.0, memory_bytes=64 * 1024 * 1024))
        self.progress = mmap.mmap(-1, PROGRESS.size)
        self.role = role
        self.now = now
        self.seq = 0

    def event(self, op: str, payload: object) -> list:
        self.seq += 1
        vm_id = ("d:" if self.role == "device" else "a:") + "dev1"
        return self.worker.run_batch([(self.seq, vm_id, op, payload, self.now)], self.progress)

    def boot(self, code: str, **extra: object) -> list:
        return self.event("boot", {"role": self.role, "facts": FACTS, "code": code, **extra})

    def logs(self, code: str) -> list[str]:
        return [data[1] if kind == "log" else ("ERROR", data) for _, kind, data in self.boot(code)]


@pytest.fixture
def device() -> Vm:
    return Vm("device")


@pytest.fixture
def agent() -> Vm:
    return Vm("agent")


def test_the_device_root_table_is_the_imps(device):
    code = "local names = []; foreach (k, v in getroottable()) names.append(k); names.sort(); server.log(names.len());"
    code += "foreach (n in names) server.log(n);"
    names = device.logs(code)[1:]
    expected = {*KEPT_STDLIB, *WAKEREASONS, *ROOT_DEVICE, *imp_platform.DEVICE_CONSTANTS}
    expected |= {"server", "imp", "hardware", "agent", "math", "time", "date"}
    assert set(names) == expected


def test_the_agent_root_table_is_the_agents(agent):
    code = "foreach (k, v in getroottable()) server.log(k);"
    expected = {*KEPT_STDLIB, *WAKEREASONS, *ROOT_AGENT, *imp_platform.AGENT_CONSTANTS}
    expected |= {"server", "imp", "device", "http", "math", "time", "date"}
    assert set(agent.logs(code)) == expected


def test_maths_live_in_the_math_table_not_at_the_root(device):
    code = "local m = []; foreach (k, v in math) m.append(k); m.sort(); foreach (k in m) server.log(k);"
    code += 'server.log(math.fabs(-2.5) + " " + math.floor(math.PI) + " " + (math.rand() <= math.RAND_MAX));'
    code += 'server.log(("sqrt" in getroottable()) + " " + ("fabs" in getroottable()));'
    lines = device.logs(code)
    assert lines[:-2] == sorted(MATH_NAMES)
    assert lines[-2:] == ["2.5 3 true", "false false"]


@pytest.mark.parametrize("name", HOST_FUNCTIONS)
def test_a_host_function_is_absent_and_cannot_be_recovered(device, name):
    probe = f"""
    local found = [];
    function look(where, f) {{ try {{ if (f() != null) found.append(where); }} catch (e) {{}} }}
    look("root", @() getroottable().rawin("{name}") ? 1 : null);
    look("global", @() ::{name});
    look("compilestring", @() compilestring("return ::{name};")());
    look("const table", @() getconsttable().rawin("{name}") ? 1 : null);
    local saved = getroottable();
    setroottable({{}});
    look("fresh root", @() getroottable().rawin("{name}") ? 1 : null);
    setroottable(saved);
    look("root delegate", @() getroottable().getdelegate().rawget("{name}"));
    look("table delegate", @() {{}}.getdelegate().rawget("{name}"));
    look("blob class", @() blob.rawget("{name}"));
    look("blob base", @() blob.getbase().rawget("{name}"));
    look("blob instance", @() blob(1).getclass().rawget("{name}"));
    server.log(found.len() == 0 ? "absent" : "found in " + found.reduce(@(a, b) a + ", " + b));
    """
    assert device.logs(probe) == ["absent"]


def test_no_reachable_native_function_is_a_host_function(device):
    """Walk everything reachable from the root and the const table; name every native function."""
    walk = """
    local seen = {}; local natives = {};
    function visit(v, depth) {
        if (depth > 6) return;
        local kind = typeof v;
        if (kind == "function") {
            local infos = v.getinfos();
            if (infos.native) natives[infos.name == null ? "?" : infos.name] <- true;
            return;
        }
        if (kind == "table" || kind == "class") {
            if (v in seen) return;
            seen[v] <- true;
            foreach (k, x in v) visit(x, depth + 1);
            if (kind == "table" && v.getdelegate() != null) visit(v.getdelegate(), depth + 1);
            if (kind == "class" && v.getbase() != null) visit(v.getbase(), depth + 1);
        }
    }
    visit(getroottable(), 0); visit(getconsttable(), 0); visit(blob(1).getclass(), 0);
    foreach (name, _ in natives) server.log(name);
    """
    natives = set(device.logs(walk))
    assert natives  # the walk does reach native functions (format, blob's methods ...)
    assert natives.isdisjoint([*HOST_FUNCTIONS, "clock"])  # the imp's clock() is the prelude's, not the native


def test_clock_is_the_vms_time_since_boot_not_the_processs(device):
    code = 'server.log(clock() + " " + clock.getinfos().native); imp.sleep(1.5); server.log(clock());'
    assert device.logs(code) == ["0 false", "1.5"]


def test_facts_and_time_of_the_device(device):
    code = """
    server.log(hardware.getdeviceid() + " " + imp.getmacaddress() + " " + imp.getsoftwareversion());
    server.log(imp.info().type + " " + hardware.wakereason() + " " + (hardware.wakereason() == WAKEREASON_POWER_ON));
    local d = date();
    server.log(time() + " " + d.year + "-" + (d.month + 1) + "-" + d.day + " " + d.hour + ":" + d.min + " " + d.wday);
    imp.sleep(1.5);
    server.log(time() + " " + hardware.millis());
    """
    assert device.logs(code) == [
        "dev1 0c2a69000001 43.1.0",
        "imp005 0 true",
        "1767225600 2026-1-1 0:0 4",
        "1767225602 1500",
    ]


def test_values_cross_as_squirrel_values_including_blobs(device):
    code = """
    local b = blob(3); b.writen(0, 'b'); b.writen(255, 'b'); b.writen(65, 'b');
    agent.send("all", {i = 1, f = 2.5, s = "é\\n", t = true, f2 = false, n = null, a = [1, [2]], b = b});
    agent.on("back", function(v) {
        server.log(typeof v.b + " " + v.b.len() + " " + v.b[1] + " " + typeof v.t + " " + v.s.len() + " " + v.a[1][0]);
    });
    """
    outputs = device.boot(code)
    sent = next(data for _, kind, data in outputs if kind == "send")
    assert sent == (
        "all",
        {"i": 1, "f": 2.5, "s": "é\n", "t": True, "f2": False, "n": None, "a": [1, [2]], "b": b"\0\xffA"},
    )
    assert device.event("message", ("back", sent[1])) == [("d:dev1", "log", (False, "blob 3 255 bool 3 2"))]


def test_sending_a_function_is_a_catchable_runtime_error(device):
    code = 'try { agent.send("f", {cb = function() {}}); } catch (e) { server.log("refused: " + e); }'
    assert device.logs(code) == [
        "refused: agent.send: a function cannot be sent"
        " (only null, bool, integer, float, string, blob, array and table)"
    ]


def test_json_and_url_helpers_of_the_agent(agent):
    code = r"""
    local v = http.jsondecode("{\"a\": [1, 2.5, true, null, \"x\"], \"b\": {\"c\": \"d\"}}");
    server.log(v.a.len() + " " + v.a[1] + " " + v.a[2] + " " + (v.a[3] == null) + " " + v.b.c);
    server.log(http.jsonencode({list = [1, "two"]}));
    server.log(http.urlencode({q = "a b&c"}));
    try { http.jsondecode("{nope"); } catch (e) { server.log("bad json"); }
    """
    assert agent.logs(code) == ["5 2.5 true true d", '{"list":[1,"two"]}', "q=a+b%26c", "bad json"]


def test_agent_url_and_persistence(agent):
    code = "server.log(http.agenturl()); server.log(server.load().k); server.save({k = 2});"
    outputs = agent.boot(code, saved={"k": 1})
    assert [d for _, kind, d in outputs if kind == "log"] == [
        (False, "http://127.0.0.1:9999/agents/agent1"),
        (False, "1"),
    ]
    assert ("a:dev1", "save", {"k": 2}) in outputs


def test_the_device_has_no_agent_only_api(device):
    assert device.logs("server.save({});")[0] == ("ERROR", ("the index 'save' does not exist", ["main:1"]))
    assert device.logs("http.agenturl();")[0] == ("ERROR", ("the index 'http' does not exist", ["main:1"]))


def test_a_request_without_a_running_agent_is_answered(agent):
    outputs = agent.event("request", (7, {"method": "GET", "path": "/", "query": {}, "headers": {}, "body": ""}))
    assert outputs == [("a:dev1", "respond", (7, 503, {}, b"agent not running"))]
