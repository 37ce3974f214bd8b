"""Accounts in the runtime host (issue 22): separate worker processes, per-account verdicts, the limits."""

from __future__ import annotations

import asyncio

from impcentral_emulator.runtime import DeviceFacts, Limits


def owned(n: int, account: str) -> DeviceFacts:
    return DeviceFacts(
        f"dev{n}", f"agent{n}", "0c2a69000001", "imp005", "43.1.0", "http://127.0.0.1:9/agents", 0, account
    )


def test_accounts_never_share_a_worker_and_a_crash_reboots_only_its_own_account(run):
    async def scenario(h):
        h.host.start(owned(1, "victim"), 'server.log("victim up");', "")
        h.host.start(owned(2, "attacker"), 'server.log("neighbour up");', "")
        await h.host.idle()
        state = h.host.state()
        pids = {account: set(s["worker_pids"]) for account, s in state.items()}
        h.host.start(owned(3, "attacker"), "while (true) {}", "")
        await h.host.idle()
        await h.advance(0.5)
        return pids, h.events, h.host.state()

    pids, events, state = run(scenario, Limits(cpu_seconds=0.3, restart_backoff=100))
    assert not pids["victim"] & pids["attacker"]
    assert events.messages(device_id="dev1") == ["victim up"]  # never restarted
    assert events.messages("server.log", device_id="dev2") == ["neighbour up", "neighbour up"]
    assert events.messages("server.error", device_id="dev3") == [
        "ERROR: watchdog: the code ran for more than 0.3 s of CPU time"
    ]
    assert state["attacker"]["worker_crashes"] == 1
    assert state["attacker"]["last_crash"] == "watchdog: the code ran for more than 0.3 s of CPU time"
    assert state["victim"]["worker_crashes"] == 0


def test_a_broken_account_stops_no_other_and_reset_clears_it(run, monkeypatch):
    async def scenario(h):
        with monkeypatch.context() as patch:
            patch.setattr("sys.executable", "/bin/false")  # this account's workers cannot start
            h.host.start(owned(1, "bad"), 'server.log("never");', "")
        for _ in range(200):
            if h.host.state()["bad"]["broken"]:
                break
            await asyncio.sleep(0.01)
        h.host.start(owned(2, "good"), 'server.log("good up");', "")
        await h.host.idle()
        during = h.host.state()
        h.host.stop_all()  # what POST /_emulator/reset does
        h.host.start(owned(1, "bad"), 'server.log("bad up");', "")
        await h.host.idle()
        return during, h.host.state(), h.events

    during, after, events = run(scenario)
    assert during["bad"]["broken"] == "a Squirrel worker process stopped before running any code (exit status 1)"
    assert during["good"]["broken"] is None
    assert events.messages(device_id="dev2") == ["good up"]
    assert after["bad"]["broken"] is None
    assert events.messages("server.log", device_id="dev1") == ["bad up"]


def test_a_timer_flood_is_held_to_the_budget_and_pending_timers_are_capped(run):
    code = """
    local made = 0, refused = 0, fired = 0, told = false;
    function flood() {
        fired++;
        if (!told && hardware.millis() >= 1000) {
            told = true;
            server.log("fired " + fired + " made " + made + " refused " + (refused > 0));
        }
        for (local i = 0; i < 4; i++) if (imp.wakeup(0, flood) != null) made++; else refused++;
    }
    flood();
    """

    async def scenario(h):
        await h.start(code)
        await h.advance(1.5)
        return h.events.messages("server.log")

    limits = Limits(timer_fires_per_second=50, account_fires_per_second=1000, timers_per_vm=100)
    (line,) = run(scenario, limits)
    fired = int(line.split()[1])
    assert 90 <= fired <= 110  # the burst (50), then 50 a second for the first second
    assert line.endswith("refused true")  # past 100 pending, imp.wakeup returns null


def test_messages_past_the_rate_are_an_error_for_the_sender(run):
    device = """
    local sent = 0;
    try { for (local i = 0; i < 1000; i++) { agent.send("m", i); sent++; } } catch (e) { server.log(sent + ": " + e); }
    """

    async def scenario(h):
        await h.start(device, 'local n = 0; device.on("m", function(v) { n++; });')
        return h.events.messages("server.log")

    assert run(scenario, Limits(messages_per_second=10, message_burst=20)) == [
        "20: agent.send: too many messages (more than 10 a second)"
    ]


def test_a_value_too_large_or_too_deep_is_refused_before_it_leaves_the_vm(run):
    device = """
    local big = "x"; while (big.len() < 70000) big += big;
    try { agent.send("big", big); } catch (e) { server.log(e); }
    local deep = []; for (local i = 0; i < 40; i++) deep = [deep];
    try { agent.send("deep", deep); } catch (e) { server.log(e); }
    local cyclic = {}; cyclic.self <- cyclic;
    try { agent.send("cyclic", cyclic); } catch (e) { server.log(e); }
    server.log("still running");
    """

    async def scenario(h):
        await h.start(device, "")
        return h.events.messages("server.log")

    assert run(scenario) == [
        "agent.send: the value is larger than 65536 bytes",
        "agent.send: the value is nested more than 32 levels deep",
        "agent.send: the value is nested more than 32 levels deep",
        "still running",
    ]


def test_agent_url_requests_past_the_rate_or_size_are_refused_before_the_agent(run):
    agent = 'local n = 0; http.onrequest(function(q, r) { n++; r.send(200, "n " + n); });'

    async def scenario(h):
        await h.start("", agent)
        big = await h.host.http_request("agent1", "POST", "/", {}, {}, b"x" * 2048)
        answers = await asyncio.gather(*(h.host.http_request("agent1", "GET", "/", {}, {}, b"") for _ in range(8)))
        return big, answers

    big, answers = run(scenario, Limits(http_body_bytes=1024, http_requests_per_second=1, http_request_burst=5))
    assert big.status == 413
    assert [a.status for a in answers] == [200] * 5 + [429] * 3
    assert answers[-1].headers["Retry-After"] == "1"
    assert sorted(a.body for a in answers[:5]) == [b"n 1", b"n 2", b"n 3", b"n 4", b"n 5"]
