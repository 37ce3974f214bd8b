"""The imp platform's semantics where they differ from desktop Squirrel (`runtime/platform_api.py`).

Expected values come from Electric Imp's API reference (constants, what sends return, wake reasons),
from the published digest test vectors (FIPS 180-2, RFC 4231) and from Squirrel 3's own behaviour.
"""

from __future__ import annotations

import gc
import mmap
from typing import Iterator

import pytest

from impcentral_emulator.runtime.limits import Limits
from impcentral_emulator.runtime.worker import PROGRESS, Worker

FACTS = {
    "device_id": "dev1",
    "agent_id": "agent1",
    "mac": "0c:2a:69:00:00:01",
    "imp_type": "imp001",
    "software_version": "43.1.0",
    "agent_url_base": "http://127.0.0.1:9999/agents",
    "wake_reason": 0,
}


class Vm:
    def __init__(self, role: str) -> None:
        self.worker = Worker(Limits(cpu_seconds=5.0, memory_bytes=64 * 1024 * 1024))
        self.progress = mmap.mmap(-1, PROGRESS.size)
        self.role = role
        self.seq = 0

    def boot(self, code: str) -> list:
        self.seq += 1
        vm_id = ("d:" if self.role == "device" else "a:") + "dev1"
        payload = {"role": self.role, "facts": FACTS, "code": code}
        return self.worker.run_batch([(self.seq, vm_id, "boot", payload, 1_796_652_928.0)], self.progress)

    def lines(self, code: str) -> list:
        return [data[1] if kind == "log" else (kind, data) for _, kind, data in self.boot(code)]

    def close(self) -> None:
        """Free the VMs now: the binding prints a line when a VM goes, which a later test may capture."""
        for vm in self.worker.vms.values():
            vm.close()
        self.worker.vms.clear()
        gc.collect()


@pytest.fixture
def device() -> Iterator[Vm]:
    vm = Vm("device")
    yield vm
    vm.close()


@pytest.fixture
def agent() -> Iterator[Vm]:
    vm = Vm("agent")
    yield vm
    vm.close()


def test_rand_max_is_a_root_constant_a_class_member_can_use(device):
    code = 'class A { m = RAND_MAX; } server.log(A().m + " " + (RAND_MAX == math.RAND_MAX));'
    assert device.lines(code) == ["2147483647 true"]


def test_bindenv_keeps_an_object_nothing_else_holds(device):
    # With Squirrel 3's weak binding the instance is freed at once and `_v` is not found.
    code = """
    class K { _v = 7; function get() { return _v; } }
    local f = K().get.bindenv(K());
    server.log(f());
    local g = (function(a, b) { return this.n + a + b; }).bindenv({n = 1});
    server.log(g(2, 3) + " " + g.getinfos().parameters.len() + " " + g.bindenv({n = 10})(2, 3));
    """
    assert device.lines(code) == ["7", "6 3 15"]


def test_an_error_in_a_bound_callback_keeps_its_frames(device):
    code = 'function boom() { throw "x"; }\nlocal f = boom.bindenv({});\nf();'
    assert device.lines(code) == [("error", ("x", ["boom:1", "main:3"]))]
    # default parameters: the wrapper calls through acall, a native boundary
    code = 'function boom(a, b = 1) { throw "z"; }\nlocal f = boom.bindenv({});\nf(1);'
    assert device.lines(code) == [("error", ("z", ["boom:1", "main:3"]))]


def test_environment_card_module_and_agent(device, agent):
    assert device.lines('server.log(imp.environment() + " " + ENVIRONMENT_CARD);') == ["0 0"]  # an imp001
    assert agent.lines('server.log(imp.environment() + " " + ENVIRONMENT_AGENT);') == ["2 2"]


def test_date_of_an_integer_time_is_exact_and_the_mac_has_no_separators(device):
    code = 'server.log(date(1796652929).time + " " + imp.getmacaddress());'
    assert device.lines(code) == ["1796652929 0c2a69000001"]


def test_blob_strings(device):
    code = r"""
    local b = blob();
    b.writestring("ab\x00c");
    b.seek(1);
    server.log(b.len() + " " + b.tostring().len() + " " + b.readstring(10).len() + " " + (b.eos() != 0));
    try { b.writestring(1); } catch (e) { server.log(e); }
    """
    assert device.lines(code) == ["4 4 3 true", "blob.writestring: the argument must be a string"]


def test_crypto_digests_are_blobs_with_the_published_values(agent):
    code = """
    function hex(b) { local s = ""; foreach (c in b) s += format("%02x", c); return s; }
    server.log(typeof crypto.sha256("abc") + " " + hex(crypto.sha256("abc")));
    server.log(hex(crypto.hmacsha256("what do ya want for nothing?", "Jefe")));
    server.log(crypto.equals("a", "a") + " " + crypto.equals("a", "b"));
    """
    assert agent.lines(code) == [
        "blob ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",  # FIPS 180-2
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",  # RFC 4231 test case 2
        "true false",
    ]


def test_return_on_error_refuses_sends_until_connect(device):
    code = """
    server.setsendtimeoutpolicy(RETURN_ON_ERROR, WAIT_TIL_SENT, 10);
    server.disconnect();
    local r = agent.send("x", 1);
    local l = server.log("dropped");
    server.connect();
    server.log(r + " " + l + " " + server.isconnected());
    """
    assert device.lines(code) == [("link", False), ("link", True), "1 1 true"]


def test_suspend_on_error_reconnects_to_send(device):
    code = 'server.disconnect(); local before = server.isconnected(); agent.send("x", 1);'
    code += 'server.log(before + " " + server.isconnected());'
    assert device.lines(code) == [("link", False), ("link", True), ("send", ("x", 1)), "false true"]


def test_restart_boots_the_device_with_the_software_restart_reason(run):
    async def scenario(h):
        await h.start(
            'server.log("woke " + hardware.wakereason()); if (hardware.wakereason() == 0) server.restart();',
            'device.ondisconnect(function() { server.log("gone"); });'
            ' device.onconnect(function() { server.log("back"); });',
        )
        await h.advance(2.5)
        return h.events

    events = run(scenario)
    lines = [(t, m) for _, t, m in events.lines]
    assert lines.count(("server.log", "woke 0")) == 1
    assert ("server.log", "woke 10") in lines
    assert events.connections == [("dev1", False), ("dev1", True)]  # after the 2 s restart back-off
    assert ("agent.log", "gone") in lines and ("agent.log", "back") in lines


def test_memory_free_is_the_allowance_less_the_growth(device):
    # The harness's allowance is 64 MiB (Vm above); nothing has grown before the first callback.
    assert device.lines("server.log(imp.getmemoryfree());") == [str(64 * 1024 * 1024)]


def test_regexp2_is_greedy_as_re2_and_refuses_long_expressions(agent, device):
    # The regexp reference page's example: (b+)(bbb) on "bbbbbbb" captures bbbb and bbb with regexp2.
    code = """
    foreach (p in regexp2("(b+)(bbb)").capture("bbbbbbb")) server.log(p.begin + "-" + p.end);
    local long = ""; for (local i = 0; i < 257; i++) long += "a";
    try { regexp2(long); } catch (e) { server.log(e); }
    """
    assert agent.lines(code) == ["0-7", "0-4", "4-7", "regexp2: the expression is longer than 256 characters"]
    assert device.lines('server.log("regexp2" in getroottable());') == ["false"]  # agent-only
