"""Devices and agents that run their Squirrel (issue 13): the done-when behaviours through the emulator's API."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from emulator_api import Api

from impt.main import main as impt_main

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "plugins" / "modules"))
ROUND_TRIP_DEVICE = """
agent.on("pong", function(v) { server.log("pong " + v.n); });
agent.send("ping", { "n": 41 });
"""
ROUND_TRIP_AGENT = """
device.on("ping", function(v) { server.log("ping " + v.n); device.send("pong", { "n": v.n + 1 }); });
http.onrequest(function(request, response) {
    response.header("Content-Type", "application/json");
    response.send(200, http.jsonencode({ "path": request.path, "q": request.query.a, "saved": server.load() }));
});
server.save({ "boots": 1 });
"""


def code_lines(api, device: str, timeout: float = 8.0, until=None) -> list[tuple[str, str]]:
    """The device's log (oldest first) once `until(lines)` holds (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [(e["type"], e["msg"]) for e in reversed(api.ok("GET", f"/devices/{device}/logs?page[size]=100"))]
        if until is None or until(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def assigned_device(api, device_code: str, agent_code: str = "", index: int = 2) -> dict:
    group = api.group(api.product())
    api.deploy(group, device_code, agent_code)
    device = api.devices()[index]
    assert api.assign(group, device["id"]).status_code == 204
    return api.ok("GET", f"/devices/{device['id']}")


def test_the_device_evaluates_its_code(api):
    device = assigned_device(api, 'local v = 40 + 2; server.log("answer " + v);')
    lines = code_lines(api, device["id"], until=lambda ls: ("server.log", "answer 42") in ls)
    assert ("server.log", "answer 42") in lines
    assert lines.index(("status", "Agent restarted: reload.")) < lines.index(("server.log", "answer 42"))


def test_device_and_agent_round_trip_and_the_agent_url(api, emulator):
    device = assigned_device(api, ROUND_TRIP_DEVICE, ROUND_TRIP_AGENT)
    lines = code_lines(api, device["id"], until=lambda ls: ("server.log", "pong 42") in ls)
    assert ("agent.log", "ping 41") in lines
    assert ("server.log", "pong 42") in lines
    agent_id = device["attributes"]["agent_id"]
    answer = requests.post(f"{emulator.root_url}/agents/{agent_id}/some/path?a=b", data="x", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == {"path": "/some/path", "q": "b", "saved": {"boots": 1}}
    assert requests.get(f"{emulator.root_url}/agents/nosuchagent1/", timeout=10).status_code == 404


def test_a_compile_error_is_refused_with_its_place_and_nothing_is_stored(api):
    group = api.group(api.product())
    code = 'server.log("a");\nlocal x = {;\n'
    response = api.call(
        "POST",
        "/deployments",
        {
            "data": {
                "type": "deployment",
                "attributes": {"device_code": "", "agent_code": code},
                "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
            }
        },
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "CX005"
    assert error["meta"] == [
        {"file": "agent_code", "row": 2, "column": 12, "text": "expected 'IDENTIFIER'", "type": "error"}
    ]
    assert api.ok("GET", f"/deployments?filter[devicegroup.id]={group['id']}") == []


def test_impt_shows_where_the_code_fails(api, emulator, tmp_path):
    api.group(api.product(), "RuntimeDG")
    (tmp_path / "bad.nut").write_text('server.log("a");\nlocal x = {;\n')
    env = {"HOME": str(tmp_path), "NO_COLOR": "1"}

    def impt(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = impt_main(list(argv), env=env, cwd=tmp_path, stdout=out, stderr=io.StringIO(), stdin=io.StringIO(""))
        return code, out.getvalue()

    login = ("auth", "login", "--local", "--endpoint", emulator.base_url, "--user", "demo", "--pwd", "demo-password")
    assert impt(*login, "-q")[0] == 0
    for command in ("deploy", "run"):
        code, out = impt("build", command, "-g", "RuntimeDG", "-x", "bad.nut", "-z", "minimal")
        assert code == 1
        assert out.splitlines() == [
            "Error: Compilation Error: The code failed to compile.",
            "device_code error (line 2, column 12): expected 'IDENTIFIER'",
        ]


def test_the_deployment_module_names_file_row_column_and_text(api):
    import deployment  # plugins/modules/deployment.py
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import BadRequestError

    group = api.group(api.product())
    url = f"{api.base_url}/deployments"
    body = {
        "data": {
            "type": "deployment",
            "attributes": {"device_code": "function f() {\n", "agent_code": ""},
            "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
        }
    }
    answer = api.call("POST", "/deployments", body)
    error = BadRequestError("POST", url, answer.status_code, answer.json()["errors"])
    message = deployment.compile_error_message(error)
    assert message.startswith("The code does not compile: device_code:2:1: ")
    assert "expression expected" in message
    assert message.endswith(f"(Compilation Error: The code failed to compile. (POST {url} -> 400))")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ('server.log("up");\nlocal t = {};\nserver.log(t.missing);\n', "ERROR: the index 'missing' does not exist"),
        ('server.log("up");\nwhile (true) {}\n', "ERROR: watchdog: the code ran for more than 2 s of CPU time"),
    ],
    ids=["runtime-error", "infinite-loop"],
)
def test_a_failing_device_logs_the_error_and_restarts_while_the_api_answers(api, code, error):
    device = assigned_device(api, code)

    def restarted(lines):
        return lines.count(("server.log", "up")) >= 2

    answers = []
    deadline = time.monotonic() + 20
    while not restarted(code_lines(api, device["id"])) and time.monotonic() < deadline:
        answers.append(api.call("GET", "/products").status_code)
    lines = code_lines(api, device["id"])
    assert restarted(lines), lines
    assert set(answers) == {200}
    first_error = lines.index(("server.error", error))
    if "index" in error:
        assert lines[first_error + 1] == ("server.error", "ERROR:   at main:3")
    after = lines[first_error + 1 :]
    assert ("status", "Device disconnected") in after
    assert after.index(("status", "Device disconnected")) < after.index(("status", "Device connected"))


def test_a_broken_release_candidate_crashes_for_real(api):
    broken = (REPO / "playbooks" / "files" / "meter-2.0-broken.device.nut").read_text()
    device = assigned_device(api, broken)
    lines = code_lines(api, device["id"], until=lambda ls: any(t == "server.error" for t, _ in ls))
    assert ("server.error", "ERROR: the index 'calibration' does not exist") in lines
    assert not any("crashed" in msg for _, msg in lines)


def test_the_meter_firmware_runs_and_reports_readings(api):
    files = REPO / "playbooks" / "files"
    device_code = (files / "meter-2.0.device.nut").read_text()
    device = assigned_device(api, device_code, (files / "meter.agent.nut").read_text())
    lines = code_lines(
        api, device["id"], until=lambda ls: ("server.log", "Connected Meter 400 firmware 2.0 ready") in ls
    )
    assert ("server.log", "Connected Meter 400 firmware 2.0 ready") in lines
    assert not any(t.endswith(".error") for t, _ in lines)


def test_reset_stops_the_code(api, emulator):
    device = assigned_device(api, 'function tick() { server.log("tick"); imp.wakeup(0.2, tick); } tick();')
    code_lines(api, device["id"], until=lambda ls: ("server.log", "tick") in ls)
    emulator.reset()
    time.sleep(0.5)  # a tick every 0.2 s would have logged by now
    fresh = Api(emulator.base_url, emulator.token())
    logs = fresh.ok("GET", f"/devices/{device['id']}/logs")
    assert [e["msg"] for e in logs] == ["Device is not assigned to a Device Group: no code to run", "Device connected"]


def test_without_squirrel_the_emulator_starts_with_one_line_saying_why(tmp_path):
    (tmp_path / "squirrel.py").write_text('raise ImportError("no wheel for this platform")\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("IMPCENTRAL_EMULATOR_EXEC", None)
    command = [sys.executable, "-m", "impcentral_emulator", "--port", "0", "--seed", "empty"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        banner = process.stdout.readline()
        assert banner.startswith("impCentral emulator listening on http://127.0.0.1:")
        root = banner.split()[-1][: -len("/v5")]
        assert requests.get(f"{root}/_emulator/runtime", timeout=10).json() == {"data": {"exec": False}}
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert err.splitlines() == [
        "impcentral-emulator: Squirrel execution is off: the squirrel-lang extension cannot be imported "
        "(no wheel for this platform)"
    ]


def test_the_devices_clock_runs_at_the_emulators_time_scale(api):
    """The session emulator runs with `--time-scale` (emulator_process.TIME_SCALE = 10): a 12 s wakeup measures
    12 s on the device's clock (and hardware.millis()) and arrives within the 8 s `code_lines` waits."""
    code = (
        "local t0 = time(); local m0 = hardware.millis();\n"
        'imp.wakeup(12, function() { server.log("slept " + (time() - t0) + " " + (hardware.millis() - m0)); });\n'
    )
    device = assigned_device(api, code)
    lines = code_lines(api, device["id"], until=lambda ls: any(m.startswith("slept ") for _, m in ls))
    (line,) = [m for t, m in lines if t == "server.log" and m.startswith("slept ")]
    seconds, millis = (int(x) for x in line.split()[1:])
    assert 11 <= seconds <= 13, line  # time() has whole seconds
    assert 12_000 <= millis < 13_000, line


def test_the_admin_api_drives_input_pins_of_the_running_code(api, emulator):
    code = """
    hardware.pinA.configure(DIGITAL_IN, function() { server.log("pinA " + hardware.pinA.read()); });
    server.log("ready " + hardware.pinA.read());
    """
    device = assigned_device(api, code)
    code_lines(api, device["id"], until=lambda ls: ("server.log", "ready 0") in ls)
    answer = requests.put(f"{emulator.root_url}/_emulator/devices/{device['id']}/pins", json={"pinA": 1}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["data"] == {"device_id": device["id"], "inputs": {"pinA": 1}}
    lines = code_lines(api, device["id"], until=lambda ls: ("server.log", "pinA 1") in ls)
    assert ("server.log", "pinA 1") in lines
    refused = requests.put(f"{emulator.root_url}/_emulator/devices/{device['id']}/pins", json={"x": "1"}, timeout=10)
    assert refused.status_code == 400


def test_an_agent_requests_its_own_url_and_nothing_else_without_allow_outbound(api):
    agent = """
    http.onrequest(function(req, res) { res.send(200, "hello " + req.path); });
    http.get(http.agenturl() + "/me").sendasync(function(r) { server.log("own " + r.statuscode + " " + r.body); });
    http.get("http://127.0.0.1:9/").sendasync(function(r) { server.log("other " + r.statuscode); });
    """
    device = assigned_device(api, "", agent)
    done = {("agent.log", "own 200 hello /me"), ("agent.log", "other 1")}
    lines = code_lines(api, device["id"], until=lambda ls: done <= set(ls))
    assert done <= set(lines)


def test_allow_outbound_lets_an_agent_reach_a_loopback_service():
    import http.server
    import threading

    from emulator_process import EmulatorHandle, running_emulator

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = f"hi {self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = service.server_address[1]
    threading.Thread(target=service.serve_forever, daemon=True).start()
    try:
        with running_emulator("--seed", "demo", "--rate-limit", "off", "--allow-outbound", f"127.0.0.1:{port}") as p:
            handle = EmulatorHandle(p)
            api = Api(handle.base_url, handle.token())
            agent = f'http.get("http://127.0.0.1:{port}/x").sendasync(@(r) server.log(r.statuscode + " " + r.body));'
            device = assigned_device(api, "", agent)
            lines = code_lines(api, device["id"], until=lambda ls: ("agent.log", "200 hi /x") in ls)
            assert ("agent.log", "200 hi /x") in lines
    finally:
        service.shutdown()
