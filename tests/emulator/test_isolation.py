"""Two accounts on one emulator (issue 22): every attack of the issue, and the victim does not notice.

The victim (account `demo`) beats every 0.2 s and serves its agent URL; the attacker (account
`collab`, its own devices) runs each attack of the issue. For each: the attacker's code gets an error
or is throttled; the victim keeps beating (no restart, beats in sequence), its API and agent URL
answer, the emulator stays up and its memory stays under `MEMORY_BOUND_MIB`. The figures (latest
beat, worst API and agent answer, memory peak) are printed; the 100 ms targets are reported by
`bench/isolation_bench.py` (timing targets live in bench/, not in tests): here the bounds are the
loose ones a loaded 2-core machine keeps (`LATE_BOUND_MS`, `ANSWER_BOUND_MS`).
"""

from __future__ import annotations

import time

import pytest
import requests
from emulator_api import Api
from emulator_process import EmulatorHandle, start_emulator
from isolation import SECRET, Shared, wait_for

WINDOW = 2.5  # seconds each attack is watched
LATE_BOUND_MS = 1000.0
ANSWER_BOUND_MS = 2000.0
MEMORY_BOUND_MIB = 300.0  # impcentral_emulator/README.md, "Limits": the emulator process during these attacks
NESTED = 20_000


@pytest.fixture(scope="module")
def shared():
    process = start_emulator("--seed", "demo", "--rate-limit", "off", "--cpu-limit", "1")  # a quicker watchdog
    try:
        yield Shared(EmulatorHandle(process))
    finally:
        assert process.process.poll() is None, "the emulator died during the attacks"
        process.stop()


def unharmed(shared: Shared, watch, attack: str) -> None:
    figures = watch.figures
    print(figures.line(attack))
    assert shared.emu.process.process.poll() is None
    assert figures.restarted == []
    assert figures.beats >= watch.seconds / 0.2 / 2  # in sequence (above), and not stopped
    assert figures.worst_gap_ms < LATE_BOUND_MS
    assert figures.api_ms and figures.api_worst_ms < ANSWER_BOUND_MS
    assert figures.agent_statuses == {200}
    assert figures.agent_worst_ms < ANSWER_BOUND_MS
    assert figures.rss_peak_mib < MEMORY_BOUND_MIB
    assert all(not account["broken"] for account in shared.runtime()["accounts"].values())


def test_an_agent_cannot_read_past_its_strings_and_runs_in_another_process(shared):
    probe = """
    local refused = 0, matched = 0;
    for (local i = 0; i < 2000; i++) {
        try { if (regexp("[a-z0-9-]").search("abc", 1000 + i * 8) != null) matched++; } catch (e) { refused++; }
        try { if (regexp("[a-z]").capture("abc", -1 - i) != null) matched++; } catch (e) { refused++; }
    }
    server.log("probes refused " + refused + " matched " + matched);
    try { regexp("a").search("abc", 1000); } catch (e) { server.log("error: " + e); }
    """
    with shared.watch(WINDOW) as watch:
        attacker = shared.attacker_device("", probe)
        assert wait_for(lambda: any("probes" in m for m in shared.attacker_lines(attacker)), 20)
    lines = shared.attacker_lines(attacker, "agent.log")
    assert "probes refused 4000 matched 0" in lines
    assert "error: the start must be between 0 and 3" in lines
    assert not any(SECRET in line for line in shared.attacker_lines(attacker))
    accounts = shared.runtime()["accounts"]
    victim, attacker_account = (
        accounts[shared.victim_device["relationships"]["owner"]["id"]],
        accounts[attacker_id(shared)],
    )
    assert not set(victim["worker_pids"]) & set(attacker_account["worker_pids"])
    unharmed(shared, watch, "regexp offsets")


def attacker_id(shared: Shared) -> str:
    return shared.attacker.ok("GET", "/accounts/me")["id"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("local x = " + "(" * NESTED + "1" + ")" * NESTED + ";", "the code is nested more than 400 levels deep"),
        ("local x = " + "@() " * NESTED + "1;", "the code is nested more than 400 levels deep"),
        ("local x = " + "class extends " * NESTED + "y {};", "the code is nested more than 400 levels deep"),
    ],
    ids=["parentheses", "lambdas", "classes"],
)
def test_a_deployment_nested_to_crash_the_compiler_is_refused(shared, code, message):
    group = shared.attacker.group(shared.attacker_product, f"Deep {len(code)} {code[10]}")
    body = {
        "data": {
            "type": "deployment",
            "attributes": {"device_code": code, "agent_code": ""},
            "relationships": {"devicegroup": {"type": "development_devicegroup", "id": group["id"]}},
        }
    }
    with shared.watch(1.0) as watch:
        answer = shared.attacker.call("POST", "/deployments", body)
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["code"] == "CX005"
    assert error["meta"][0]["text"] == message
    unharmed(shared, watch, f"deep deployment ({code[10:14]}...)")


def test_values_an_imp_cannot_send_are_errors_in_the_senders_code_and_break_nothing(shared):
    device = """
    local t = {};
    t[function() {}] <- 1;
    try { agent.send("x", t); } catch (e) { server.log("refused: " + e); }
    agent.send("x", t);
    """
    agent = """
    local t = {};
    t[[1]] <- 1;
    try { server.save(t); } catch (e) { server.log("refused: " + e); }
    try { device.send("x", { f = function() {} }); } catch (e) { server.log("refused: " + e); }
    server.log("agent still up");
    """
    with shared.watch(WINDOW) as watch:
        attacker = shared.attacker_device(device, agent)
        assert wait_for(lambda: len(shared.attacker_lines(attacker, "server.error")) >= 2, 20)
    device_lines = shared.attacker_lines(attacker, "server.log")
    assert "refused: agent.send: a table key must be a string or an integer, not a function" in device_lines
    assert "ERROR: agent.send: a table key must be a string or an integer, not a function" in shared.attacker_lines(
        attacker, "server.error"
    )
    agent_lines = shared.attacker_lines(attacker, "agent.log")
    assert "refused: server.save: a table key must be a string or an integer, not a array" in agent_lines
    assert any(line.startswith("refused: device.send: a function cannot be sent") for line in agent_lines)
    assert "agent still up" in agent_lines
    unharmed(shared, watch, "unsendable values")


def test_natives_that_crashed_the_shared_worker_are_errors_or_stop_only_the_attacker(shared):
    device = """
    local deep = ""; for (local i = 0; i < 20000; i++) deep += "(";
    foreach (attack in [
        @() array(-1),
        @() blob(4).resize(-1),
        @() blob(4).readblob(-1),
        @() blob(4).seek(-100000000),
        @() compilestring("local x = " + deep),
        @() regexp(deep),
        @() [].resize(-1),
        @() newthread(@() 1).getstackinfos(-1),
    ]) {
        try { attack(); server.log("no error"); } catch (e) { server.log("error: " + e); }
    }
    local s = "x";
    imp.wakeup(0.5, function() { while (true) s += s; });  // then grow without bound: the worker dies
    """
    with shared.watch(WINDOW + 1) as watch:
        attacker = shared.attacker_device(device)
        assert wait_for(lambda: "ERROR: out of memory" in shared.attacker_lines(attacker, "server.error"), 20)
    lines = shared.attacker_lines(attacker, "server.log")[:8]
    assert lines == [
        "error: array: the size must be between 0 and 1048576",
        "error: the size must be between 0 and 16777216",
        "error: the size must be between 0 and 16777216",
        "error: the offset must be between -16777216 and 16777216",
        "error: compilestring: the source is nested more than 400 levels deep",
        "error: regexp: the pattern is nested more than 400 levels deep",
        "error: the size must be between 0 and 1048576",
        "error: the level must be between 0 and 2147483647",
    ]
    unharmed(shared, watch, "crashing natives and out of memory")


def test_message_ping_pong_wakeup_floods_and_spinning_code_are_throttled(shared):
    device = """
    agent.on("p", function(v) {
        try { agent.send("p", v); agent.send("p", v); } catch (e) { server.error("throttled: " + e); }
    });
    agent.send("p", 1);
    local made = 0;
    function flood() {
        for (local i = 0; i < 4; i++) if (imp.wakeup(0, flood) != null) made++;
    }
    flood();
    imp.wakeup(1, function() { server.log("timers made " + made); while (true) {} });
    """
    agent = 'device.on("p", function(v) { device.send("p", v); device.send("p", v); });'
    with shared.watch(WINDOW + 2) as watch:
        attacker = shared.attacker_device(device, agent)
        assert wait_for(lambda: any("watchdog" in m for m in shared.attacker_lines(attacker, "server.error")), 20)
    errors = shared.attacker_lines(attacker, "server.error")
    assert any(m.startswith("throttled: agent.send: too many messages") for m in errors)
    assert any("watchdog: the code ran for more than 1 s of CPU time" in m for m in errors)
    unharmed(shared, watch, "ping-pong, wakeup flood, spin")


def test_log_floods_unread_streams_and_large_agent_bodies_stay_bounded(shared):
    device = """
    local big = "0123456789abcdef"; while (big.len() < 1048576) big += big;
    function flood() { server.log(big); imp.wakeup(0.01, flood); }
    flood();
    """
    agent = (
        'local n = 0; server.log("agent up"); http.onrequest(function(q, r) { r.send(200, "seen " + q.body.len()); });'
    )
    with shared.watch(WINDOW + 1) as watch:
        attacker = shared.attacker_device(device, agent)
        stream = shared.attacker.ok("POST", "/logstream")
        shared.attacker.call("PUT", f"/logstream/{stream['id']}/{attacker['id']}")  # opened, never read
        url = f"{shared.emu.root_url}/agents/{attacker['attributes']['agent_id']}"
        answers = []
        for size in (4 * 1024 * 1024, 11 * 1024 * 1024):
            started = time.perf_counter()
            answer = requests.post(url, data=b"x" * size, timeout=30)
            answers.append((answer.status_code, time.perf_counter() - started))
        time.sleep(1.5)
        started = time.perf_counter()
        page = shared.attacker.ok("GET", f"/devices/{attacker['id']}/logs?page[size]=100")
        page_seconds = time.perf_counter() - started
    print(f"agent bodies: {answers}; a 100-line page of 64 KiB lines: {page_seconds * 1000:.0f} ms")
    assert [status for status, _ in answers] == [413, 413]
    assert all(seconds < ANSWER_BOUND_MS / 1000 for _, seconds in answers)
    lines = [e["msg"] for e in page if e["type"] == "server.log"]
    assert lines and all(len(m.encode()) <= 64 * 1024 for m in lines)
    assert lines[0].endswith(" [truncated: the line had 1048576 bytes]")
    assert requests.post(url, data=b"small", timeout=30).text == "seen 5"
    assert shared.attacker_lines(attacker, "agent.log").count("agent up") == 1  # the agent did not restart
    unharmed(shared, watch, "log flood, unread stream, large agent bodies")


def test_a_db_restart_boots_agents_whatever_they_saved(tmp_path):
    """What an agent saved (here a table that looks like the store's own blob marker) boots again."""
    db = str(tmp_path / "state.db")
    agent = """
    server.log("loaded " + http.jsonencode(server.load()));
    server.save({ __blob__ = "!!not base64!!" });
    """
    with start_emulator("--seed", "demo", "--rate-limit", "off", "--db", db) as first:
        shared = Shared(EmulatorHandle(first))
        attacker = shared.attacker_device("", agent)
        assert wait_for(lambda: "loaded {}" in shared.attacker_lines(attacker), 20)
    with start_emulator("--seed", "demo", "--rate-limit", "off", "--db", db) as second:
        handle = EmulatorHandle(second)
        api = Api(handle.base_url, handle.token("collab", "collab-password"))

        def lines() -> list[str]:
            return [e["msg"] for e in api.ok("GET", f"/devices/{attacker['id']}/logs?page[size]=100")]

        assert wait_for(lambda: 'loaded {"__blob__":"!!not base64!!"}' in lines(), 20)
        state = handle.admin("GET", "runtime")["data"]
        assert state["broken"] is None
        assert state["agents_running"] >= 2
