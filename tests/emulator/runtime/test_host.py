"""The runtime host end to end: real worker processes, a hand-driven clock, the issue's done-when items."""

from __future__ import annotations

import asyncio
import json
import os

from impcentral_emulator.runtime import Limits
from impcentral_emulator.runtime.host import REBOOT_BATCH


def test_device_code_runs_and_logs_the_computed_line(run):
    async def scenario(h):
        await h.start('local v = 40 + 2; server.log("answer " + v);')
        return h.events.lines

    assert run(scenario) == [("dev1", "server.log", "answer 42")]


def test_device_and_agent_round_trip(run):
    device = """
    agent.on("pong", function(reply) { server.log("device got " + reply.n + " " + reply.b.len()); });
    local b = blob(2); b.writen(7, 'b'); b.writen(9, 'b');
    agent.send("ping", {n = 41, b = b, ok = true});
    """
    agent = """
    device.on("ping", function(msg) {
        server.log("agent got " + msg.n + " " + msg.b[1] + " " + msg.ok);
        device.send("pong", {n = msg.n + 1, b = msg.b});
    });
    """

    async def scenario(h):
        await h.start(device, agent)
        return h.events.lines

    assert run(scenario) == [
        ("dev1", "agent.log", "agent got 41 9 true"),
        ("dev1", "server.log", "device got 42 2"),
    ]


def test_http_request_reaches_the_agent_handler(run):
    agent = """
    http.onrequest(function(request, response) {
        response.header("Content-Type", "application/json");
        response.send(201, http.jsonencode({method = request.method, path = request.path,
            q = request.query.q, body = request.body, url = http.agenturl()}));
    });
    """

    async def scenario(h):
        await h.start("", agent)
        answer = await h.host.http_request("agent1", "post", "/things", {"q": "1"}, {"X-A": "b"}, b"hello")
        unknown = await h.host.http_request("nobody", "GET", "/", {}, {}, b"")
        return answer, unknown

    answer, unknown = run(scenario)
    assert answer.status == 201
    assert answer.headers == {"Content-Type": "application/json"}
    assert json.loads(answer.body) == {
        "method": "POST",
        "path": "/things",
        "q": "1",
        "body": "hello",
        "url": "http://127.0.0.1:9999/agents/agent1",
    }
    assert unknown.status == 404


def test_agent_without_handler_answers_404(run):
    async def scenario(h):
        await h.start("", 'server.log("no handler");')
        return await h.host.http_request("agent1", "GET", "/", {}, {}, b"")

    assert run(scenario).status == 404


def test_runtime_error_logs_the_stack_and_restarts_the_device_after_a_backoff(run):
    device = """server.log("boot " + hardware.wakereason());
function lookup(t) {
    return t.missing;
}
lookup({});
"""
    agent = 'local n = 0; device.onconnect(function() { n++; server.log("connects " + n); });'

    async def scenario(h):
        await h.start(device, agent)
        first = list(h.events.lines)
        await h.advance(1.0)
        before_backoff = list(h.events.lines)
        await h.advance(1.5)
        return first, before_backoff, h.events

    first, before_backoff, events = run(scenario)
    device_lines = [line for line in first if line[1].startswith("server.")]
    assert device_lines == [
        ("dev1", "server.log", "boot 0"),
        ("dev1", "server.error", "ERROR: the index 'missing' does not exist"),
        ("dev1", "server.error", "ERROR:   at lookup:3"),
        ("dev1", "server.error", "ERROR:   from main:5"),
    ]
    assert before_backoff == first
    # After the back-off the device runs again, woken by the error; the agent kept its state.
    later = events.lines[len(first) :]
    assert ("dev1", "server.log", "boot 5") in later
    assert events.messages("agent.log") == ["connects 1", "connects 2"]
    assert events.connections[:2] == [("dev1", False), ("dev1", True)]


def test_agent_error_is_logged_and_the_agent_keeps_running(run):
    agent = """
    local n = 0;
    device.on("tick", function(v) { n++; if (n == 1) throw "first tick fails"; server.log("tick " + n); });
    """
    device = 'agent.send("tick", 1); agent.send("tick", 2);'

    async def scenario(h):
        await h.start(device, agent)
        return h.events.lines, h.host.running("dev1")

    lines, running = run(scenario)
    assert lines == [
        ("dev1", "agent.error", "ERROR: first tick fails"),
        ("dev1", "agent.error", "ERROR:   at unknown:3"),
        ("dev1", "agent.log", "tick 2"),
    ]
    assert running == {"device": True, "agent": True}


def test_calling_outside_the_imp_api_is_a_runtime_error(run):
    async def scenario(h):
        await h.start('server.log("before"); imp.setpowersave(true);')
        return h.events.messages()

    assert run(scenario) == [
        "before",
        "ERROR: the index 'setpowersave' does not exist",
        "ERROR:   at main:1",
    ]


def test_infinite_loop_is_stopped_by_the_watchdog_while_the_event_loop_keeps_answering(run):
    async def scenario(h):
        loop = asyncio.get_running_loop()
        gaps: list[float] = []

        async def ticker() -> None:
            last = loop.time()
            while True:
                await asyncio.sleep(0.01)
                gaps.append(loop.time() - last)
                last = loop.time()

        task = asyncio.create_task(ticker())
        await h.start('server.log("spinning"); while (true) {}', 'server.log("agent up");')
        await h.advance(2.5)
        task.cancel()
        return h.events, max(gaps), h.host.running("dev1")

    events, worst_gap, running = run(scenario, Limits(cpu_seconds=0.3, restart_backoff=2.0))
    messages = events.messages()
    watchdog = "ERROR: watchdog: the code ran for more than 0.3 s of CPU time"
    assert messages[:3] == ["agent up", "spinning", watchdog] or messages[:3] == ["spinning", "agent up", watchdog]
    # Restarted after the back-off, and stopped again: the agent booted once and kept running.
    assert messages.count("spinning") == 2
    assert messages.count(watchdog) == 2
    assert messages.count("agent up") == 1
    assert events.connections[:2] == [("dev1", False), ("dev1", True)]
    assert running["agent"]
    assert worst_gap < 0.1


def test_unbounded_growth_within_one_callback_is_stopped(run):
    async def scenario(h):
        await h.start('server.log("growing"); local a = []; while (true) a.append(array(4096, 1));')
        return h.events.messages()

    messages = run(scenario, Limits(cpu_seconds=5.0, memory_bytes=8 * 1024 * 1024))
    assert messages == ["growing", "ERROR: out of memory"]


def test_growth_across_callbacks_is_stopped_at_the_vm_budget(run):
    device = """
    local keep = [];
    function grow() { keep.append(array(65536, 1)); server.log("size " + keep.len()); imp.wakeup(1, grow); }
    grow();
    """

    async def scenario(h):
        await h.start(device)
        await h.advance(40)
        return h.events.messages()

    messages = run(scenario, Limits(memory_bytes=8 * 1024 * 1024, restart_backoff=100))
    assert "ERROR: out of memory" in messages
    sizes = [int(m.split()[1]) for m in messages[: messages.index("ERROR: out of memory")]]
    assert 4 <= sizes[-1] <= 30  # 1 MB a tick (16-byte slots) against an 8 MB budget


def test_timers_follow_the_injected_clock_and_can_be_cancelled(run):
    device = """
    local start = time();
    imp.wakeup(2, function() { server.log("two " + (time() - start) + " " + hardware.millis()); });
    local h = imp.wakeup(3, function() { server.log("never"); });
    imp.wakeup(1.5, function() { imp.cancelwakeup(h); server.log("cancelled"); });
    """

    async def scenario(h):
        await h.start(device)
        await h.advance(1.0)
        quiet = list(h.events.messages())
        await h.advance(5.0)
        return quiet, h.events.messages()

    quiet, messages = run(scenario)
    assert quiet == []
    assert messages == ["cancelled", "two 2 2000"]


def test_server_save_is_persisted_and_loaded_by_the_next_agent(run):
    agent = """
    local data = server.load();
    local boots = ("boots" in data) ? data.boots + 1 : 1;
    server.save({boots = boots, blob = blob(3)});
    server.log("boots " + boots);
    """

    async def scenario(h):
        await h.start("", agent)
        await h.start("", agent)
        return h.events.messages(), h.events.saved

    messages, saved = run(scenario)
    assert messages == ["boots 1", "boots 2"]
    assert saved == {"agent1": {"boots": 2, "blob": b"\x00\x00\x00"}}


def test_disconnect_stops_the_device_and_the_agent_hears_it(run):
    device = 'imp.wakeup(1, function() { server.log("device tick"); });'
    agent = """
    device.ondisconnect(function() { server.log("gone " + device.isconnected()); device.send("lost", 1); });
    """

    async def scenario(h):
        await h.start(device, agent)
        h.host.disconnect("dev1")
        await h.host.idle()
        await h.advance(2)
        return h.events.messages(), h.host.running("dev1")

    messages, running = run(scenario)
    assert messages == ["gone false"]
    assert running == {"device": False, "agent": True}


def test_stop_all_leaves_nothing_running(run):
    device = 'function tick() { server.log("tick"); imp.wakeup(1, tick); } tick();'

    async def scenario(h):
        for n in (1, 2, 3):
            await h.start(device, 'server.log("agent");', n=n)
        h.host.stop_all()
        await h.host.idle()
        before = len(h.events.lines)
        await h.advance(3)
        return before, len(h.events.lines), [h.host.running(f"dev{n}") for n in (1, 2, 3)]

    before, after, running = run(scenario)
    assert before == after == 6
    assert running == [{"device": False, "agent": False}] * 3


def test_restart_with_new_code_replaces_the_running_code(run):
    async def scenario(h):
        await h.start('imp.wakeup(1, function() { server.log("old timer"); }); server.log("v1");')
        await h.start('server.log("v2");', restart_agent=False)
        await h.advance(2)
        return h.events.messages()

    assert run(scenario) == ["v1", "v2"]


def test_a_watchdog_trip_reboots_the_other_devices_of_its_worker_and_quarantines_the_culprit(run):
    steady = 'server.log("steady up");'

    async def scenario(h):
        await h.start(steady, n=2)
        await h.start("while (true) {}", n=1)
        await h.advance(2.5)
        return h.events.messages(device_id="dev2"), h.events.messages(device_id="dev1")

    steady_lines, looping = run(scenario, Limits(cpu_seconds=0.3, restart_backoff=2.0))
    # dev2 shared the worker, so it booted again, saying why; dev1's second trip (in quarantine) did not touch it.
    assert steady_lines == [
        "steady up",
        "Code restarted: other code of this account stopped the worker process they shared"
        " (more than 0.3 s of CPU time)",
        "steady up",
    ]
    assert looping.count("ERROR: watchdog: the code ran for more than 0.3 s of CPU time") == 2


def test_timers_of_replaced_code_never_fire_into_the_new_code(run):
    old = 'server.log("old"); imp.wakeup(1, function() { server.log("old timer"); });'
    new = 'local t0 = time(); imp.wakeup(5, function() { server.log("new timer after " + (time() - t0)); });'

    async def scenario(h):
        h.host.start(h.facts(), old, "")
        h.host.start(h.facts(), new, "", restart_agent=False)
        await h.host.idle()
        await h.advance(6)
        return h.events.messages()

    assert run(scenario) == ["old", "new timer after 5"]


def test_an_agent_may_answer_a_request_later_from_another_callback(run):
    agent = """
    local waiting = null;
    http.onrequest(function(request, response) { waiting = response; device.send("ask", request.query.n); });
    device.on("answer", function(v) { waiting.send(200, "device says " + v); });
    """
    device = 'agent.on("ask", function(n) { agent.send("answer", n.tointeger() * 2); });'

    async def scenario(h):
        await h.start(device, agent)
        return await h.host.http_request("agent1", "GET", "/", {"n": "21"}, {}, b"")

    answer = run(scenario)
    assert (answer.status, answer.body) == (200, b"device says 42")


def test_a_request_the_handler_never_answers_times_out_on_the_clock(run):
    agent = 'http.onrequest(function(request, response) { server.log("ignored"); });'

    async def scenario(h):
        await h.start("", agent)
        pending = asyncio.ensure_future(h.host.http_request("agent1", "GET", "/", {}, {}, b""))
        await h.host.idle()
        early = pending.done()
        await h.advance(31)
        return early, await pending

    early, answer = run(scenario)
    assert not early
    assert answer.status == 504


def test_an_agent_that_loops_is_stopped_and_restarted_while_its_device_keeps_running(run):
    agent = 'server.log("agent up"); device.on("spin", function(v) { while (true) {} });'
    device = 'server.log("device up"); agent.send("spin", 1);'

    async def scenario(h):
        await h.start(device, agent)
        first = (h.events.messages("agent.log"), h.events.messages("agent.error"), h.host.running("dev1"))
        await h.advance(2.5)
        return first, h.events.messages("agent.log"), h.events.messages("server.log")

    first, agent_lines, device_lines = run(scenario, Limits(cpu_seconds=0.3, restart_backoff=2.0))
    assert first == (
        ["agent up"],
        ["ERROR: watchdog: the code ran for more than 0.3 s of CPU time"],
        {"device": True, "agent": False},
    )
    assert agent_lines == ["agent up", "agent up"]
    assert device_lines == ["device up"]


def test_a_worker_that_cannot_start_stops_execution_with_one_status_line(run, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/nonexistent")
    monkeypatch.setattr("sys.executable", "/bin/false")

    async def scenario(h):
        h.host.start(h.facts(), 'server.log("never");', "")
        for _ in range(200):
            if h.host.broken:
                break
            await asyncio.sleep(0.01)
        h.host.start(h.facts(2), 'server.log("never");', "")
        await h.host.idle()
        return h.host.broken, h.events.lines

    broken, lines = run(scenario)
    assert broken == "a Squirrel worker process stopped before running any code (exit status 1)"
    assert ("dev2", "status", f"Code not run: {broken}") in lines
    assert not any(message == "never" for _, _, message in lines)


def test_every_survivor_of_a_killed_worker_boots_again_once_even_past_one_reboot_batch(run):
    survivors = REBOOT_BATCH * 2 + 3

    async def scenario(h):
        for n in range(2, survivors + 2):
            h.host.start(h.facts(n), 'server.log("steady up");', "")
        await h.host.idle()
        await h.start("while (true) {}", n=1)
        await h.host.idle()
        return [h.events.messages("server.log", device_id=f"dev{n}") for n in range(2, survivors + 2)]

    lines = run(scenario, Limits(cpu_seconds=0.3, restart_backoff=100))
    assert lines == [["steady up", "steady up"]] * survivors


def test_workers_run_below_the_event_loop_priority(run):
    async def scenario(h):
        await h.start('server.log("up");', 'server.log("up");')  # each worker has run its first batch
        return [_nice(pid) - os.nice(0) for pid in h.host.worker_pids()]

    assert run(scenario, Limits(worker_nice=7)) == [7, 7]


def _nice(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])
