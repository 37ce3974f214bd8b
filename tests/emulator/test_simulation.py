"""Simulated devices: impUnit sessions (`--exec off`), factory blessing, BlinkUp and webhook delivery."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from emulator_api import SseReader

TEST_CODE = """
class MyTestCase extends ImpTestCase {
    function setUp() { return "ready"; }
    function testOne() { this.info("first info"); this.assertTrue(true); }
    function testTwo() { throw "broken on purpose"; }
    function helper() {}
}
class OtherCase extends ImpTestCase {
    function testThree() { this.assertEqual(1, 1); }
}
imp.wakeup(2, function() {
  local t = ImpUnitRunner();
  t.readableOutput = false;
  t.session = "toward-pound";
  t.timeout = 30;
  t.stopOnFailure = false;
  t.testClass = "";
  t.testCase = "";
  t.run();
});
"""


def impunit_messages(reader, device_id, log_kind, until="SESSION_RESULT"):
    statuses, messages = [], []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        event, data = reader.next_event()
        if event != "message":
            continue
        entry = json.loads(data)
        assert entry["device_id"] == device_id
        if entry["type"] == "status":
            statuses.append(entry["msg"])
        if entry["type"] == log_kind and "__IMPUNIT__" in entry["msg"]:
            messages.append(json.loads(entry["msg"]))
            if messages[-1]["type"] == until:
                break
    return statuses, messages


def test_agent_test_session_runs_impunit_protocol(literal_api):
    api = literal_api
    group = api.group(api.product())
    device = api.devices()[2]["id"]
    stream = api.ok("POST", "/logstream")
    reader = SseReader(stream["attributes"]["url"] + "?format=json")
    reader.next_event()
    api.call("PUT", f"/logstream/{stream['id']}/{device}")
    api.deploy(group, device_code="/* no device source */", agent_code=TEST_CODE)
    assert api.assign(group, device).status_code == 204
    statuses, messages = impunit_messages(reader, device, "agent.log")
    assert any("Agent restarted" in s for s in statuses)
    assert all(m["session"] == "toward-pound" for m in messages)
    assert [(m["type"], m["message"]) for m in messages] == [
        ("SESSION_START", ""),
        ("TEST_START", "MyTestCase::setUp()"),
        ("TEST_OK", None),
        ("TEST_START", "MyTestCase::testOne()"),
        ("INFO", {"message": "first info"}),
        ("TEST_OK", None),
        ("TEST_START", "MyTestCase::testTwo()"),
        ("TEST_FAIL", "broken on purpose"),
        ("TEST_START", "OtherCase::testThree()"),
        ("TEST_OK", None),
        ("SESSION_RESULT", {"tests": 3, "assertions": 2, "failures": 1}),
    ]
    reader.close()


def test_device_test_honours_test_class_and_case(literal_api):
    api = literal_api
    group = api.group(api.product())
    device = api.devices()[3]["id"]
    stream = api.ok("POST", "/logstream")
    reader = SseReader(stream["attributes"]["url"] + "?format=json")
    reader.next_event()
    api.call("PUT", f"/logstream/{stream['id']}/{device}")
    code = TEST_CODE.replace('t.testClass = ""', 't.testClass = "MyTestCase"').replace(
        't.testCase = ""', 't.testCase = "testOne"'
    )
    api.deploy(group, device_code=code)
    api.assign(group, device)
    _, messages = impunit_messages(reader, device, "server.log")
    assert [m["type"] for m in messages] == [
        "SESSION_START",
        "TEST_START",
        "TEST_OK",
        "TEST_START",
        "INFO",
        "TEST_OK",
        "SESSION_RESULT",
    ]
    assert messages[-1]["message"] == {"tests": 1, "assertions": 1, "failures": 0}
    reader.close()


class _Hooks(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body.decode()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    _Hooks.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Hooks.received
    server.shutdown()


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def webhook(api, group, url, event, content_type="application/json"):
    body = {
        "data": {
            "type": "webhook",
            "attributes": {"url": url, "event": event, "content_type": content_type},
            "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
        }
    }
    return api.call("POST", "/webhooks", body)


def test_webhook_rules(api, production_setup):
    development = api.group(production_setup["product"], "Dev")
    bad = webhook(api, development, "invalidurl", "deployment")
    assert bad.status_code == 400
    assert (bad.json()["errors"][0]["title"], bad.json()["errors"][0]["detail"]) == (
        "Invalid URL",
        "The provided URL is invalid.",
    )
    assert webhook(api, development, "http://example.com/x", "blessing").status_code == 400
    assert webhook(api, development, "http://example.com/x", "deployment", "text/plain").status_code == 400
    hook = webhook(api, production_setup["production"], "http://example.com/x", "blessing").json()["data"]
    assert hook["relationships"]["devicegroup"]["id"] == production_setup["production"]["id"]
    change = {"data": {"type": "webhook", "attributes": {"event": "blinkup"}}}
    assert api.call("PATCH", f"/webhooks/{hook['id']}", change).status_code == 400
    patch = {"data": {"type": "webhook", "attributes": {"url": "https://example.com/y"}}}
    assert api.ok("PATCH", f"/webhooks/{hook['id']}", patch)["attributes"]["url"] == "https://example.com/y"
    listed = api.ok("GET", f"/webhooks?filter[devicegroup.id]={production_setup['production']['id']}")
    assert [h["id"] for h in listed] == [hook["id"]]


def test_blessing_blinkup_and_deployment_webhooks_are_posted(api, emulator, production_setup, hook_server):
    url, received = hook_server
    production = production_setup["production"]
    assert webhook(api, production, f"{url}/bless", "blessing").status_code == 201
    assert webhook(api, production, f"{url}/blinkup", "blinkup", "application/x-www-form-urlencoded").status_code == 201
    assert webhook(api, production, f"{url}/deploy", "deployment").status_code == 201
    dut = api.devices()[4]
    emulator.admin("POST", f"devices/{dut['id']}/blinkup", {"fixture": production_setup["fixture"]["id"]})
    emulator.admin("POST", f"devices/{dut['id']}/bless", {"fixture": production_setup["fixture"]["id"]})
    assert api.ok("GET", f"/devices/{dut['id']}")["relationships"]["devicegroup"]["id"] == production["id"]
    emulator.admin("POST", f"devices/{dut['id']}/blinkup")
    deployment = api.deploy(production, 'server.log("app");')
    assert wait_for(lambda: len(received) == 3), received
    by_path = {path: (ctype, body) for path, ctype, body in received}
    assert json.loads(by_path["/bless"][1])["device_id"] == dut["id"]
    assert by_path["/blinkup"][0] == "application/x-www-form-urlencoded"
    assert parse_qs(by_path["/blinkup"][1])["device_id"] == [dut["id"]]
    assert json.loads(by_path["/deploy"][1])["deployment_id"] == deployment["id"]


def test_failed_webhook_delivery_is_not_fatal(api, emulator):
    group = api.group(api.product())
    assert webhook(api, group, "http://127.0.0.1:9/nowhere", "deployment").status_code == 201
    api.deploy(group, "x")
    assert wait_for(lambda: emulator.admin("GET", "webhooks")["data"][-1]["error"])
    assert api.get("/products").status_code == 200


def test_offline_and_online_devices_log_status(api, emulator):
    device = api.devices()[7]["id"]
    emulator.admin("PATCH", f"devices/{device}", {"online": False})
    assert api.ok("GET", f"/devices/{device}")["attributes"]["device_online"] is False
    emulator.admin("PATCH", f"devices/{device}", {"online": True})
    group = api.group(api.product())
    api.assign(group, device)
    assert wait_for(lambda: any(e["msg"] == "Device connected" for e in api.ok("GET", f"/devices/{device}/logs")))
    messages = [e["msg"] for e in api.ok("GET", f"/devices/{device}/logs")]
    assert "Device disconnected" in messages
