"""Spec §12: log streams over real SSE connections (text and json formats)."""

import json

import pytest
import requests
from emulator_api import SseReader, error_of


def open_stream(api, fmt=None):
    created = api.ok("POST", "/logstream")
    assert created["type"] == "logstream"
    assert created["attributes"]["url"] == f"{api.base_url}/logstream/{created['id']}"
    url = created["attributes"]["url"] + (f"?format={fmt}" if fmt else "")
    return created["id"], SseReader(url)


def test_text_stream_subscribe_message_and_no_auth(api, emulator):
    stream_id, reader = open_stream(api)
    assert reader.response.headers["Content-Type"].startswith("text/event-stream")
    assert reader.next_event() == ("state_change", "opened")
    device = api.devices()[0]
    assert api.call("PUT", f"/logstream/{stream_id}/{device['attributes']['mac_address']}").status_code == 204
    assert reader.next_event() == ("state_change", f"{device['id']} subscribed")
    emulator.admin("POST", f"devices/{device['id']}/logs", {"type": "server.log", "msg": "hello world"})
    event, data = reader.next_event()
    assert event == "message"
    device_id, ts, log_type, kind, msg = data.split(" ", 4)
    assert (device_id, log_type, kind, msg) == (device["id"], "development", "server.log", "hello world")
    assert ts.endswith("Z")
    assert api.call("DELETE", f"/logstream/{stream_id}/{device['id']}").status_code == 204
    assert reader.next_event() == ("state_change", f"{device['id']} unsubscribed")
    reader.close()


def test_json_stream_and_keepalive_comments(api, emulator):
    stream_id, reader = open_stream(api, "json")
    assert json.loads(reader.next_event()[1]) == {"state": "opened"}
    device = api.devices()[1]["id"]
    api.call("PUT", f"/logstream/{stream_id}/{device}")
    assert json.loads(reader.next_event()[1]) == {"state": "subscribed", "device_id": device}
    assert reader.next() == (":", "keep-alive")  # the session emulator runs with --keepalive 0.5
    emulator.admin("POST", f"devices/{device}/logs", {"type": "status", "msg": "multi\nline"})
    event, data = reader.next_event()
    message = json.loads(data)
    assert event == "message"
    assert {k: message[k] for k in ("device_id", "log_type", "type")} == {
        "device_id": device,
        "log_type": "development",
        "type": "status",
    }
    reader.close()


def test_new_stream_closes_the_old_one(api):
    old_id, old = open_stream(api, "json")
    assert json.loads(old.next_event()[1])["state"] == "opened"
    new_id, new = open_stream(api, "json")
    assert old.next_event() == ("state_change", json.dumps({"state": "closed"}, separators=(",", ":")))
    with pytest.raises(StopIteration):
        old.next()
    assert api.call("PUT", f"/logstream/{old_id}/{api.devices()[0]['id']}").status_code == 404
    assert requests.get(f"{api.base_url}/logstream/{old_id}").status_code == 404
    assert json.loads(new.next_event()[1])["state"] == "opened"
    new.close()


def test_device_limit_drops_the_oldest(api):
    stream_id, reader = open_stream(api)
    reader.next_event()
    devices = [d["id"] for d in api.devices()[:6]]
    for device in devices:
        api.call("PUT", f"/logstream/{stream_id}/{device}")
    events = [reader.next_event()[1] for _ in range(7)]
    assert events[:5] == [f"{d} subscribed" for d in devices[:5]]
    assert events[5:] == [f"{devices[0]} unsubscribed", f"{devices[5]} subscribed"]
    reader.close()


def test_stream_errors(api):
    assert requests.get(f"{api.base_url}/logstream/unknown").status_code == 404
    stream_id, reader = open_stream(api)
    response = api.call("PUT", f"/logstream/{stream_id}/nope")
    assert response.status_code == 404 and error_of(response)["status"] == "404"
    reader.close()
