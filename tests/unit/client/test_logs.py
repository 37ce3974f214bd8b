"""Log streams: SSE parsing (text and json, multi-line data, comments) and follow() with reconnect."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.logs import (
    KEEPALIVE,
    Gap,
    LogLine,
    SseEvent,
    SseParser,
    StateChange,
    parse_log_event,
)
from client_helpers import BASE, query_of


def parse(*chunks):
    parser = SseParser()
    out = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    out.extend(parser.close())
    return [e for e in out if e is not KEEPALIVE]


def test_sse_fields_multiline_and_comments():
    events = parse(
        ": keep-alive\n",
        "event: state_change\r\ndata: opened\r\n\r\n",
        "id: 7\ndata: first line\ndata: second",
        " line\n\n",
        "data:no-space\n\n",
        "event: ping\n\n",
    )
    assert events == [
        SseEvent("state_change", "opened", None),
        SseEvent("message", "first line\nsecond line", "7"),
        SseEvent("message", "no-space", "7"),
        SseEvent("ping", "", "7"),
    ]


def test_sse_comment_yields_keepalive():
    parser = SseParser()
    assert list(parser.feed(":\n")) == [KEEPALIVE]


def test_text_format_lines():
    line = parse_log_event(
        SseEvent("message", "232390b030728cee 2017-05-19T17:28:19.095Z development server.log Connected to x y"),
        "text",
    )
    assert line == LogLine(
        "232390b030728cee", "2017-05-19T17:28:19.095Z", "development", "server.log", "Connected to x y"
    )
    assert parse_log_event(SseEvent("state_change", "opened"), "text") == StateChange("opened")
    assert parse_log_event(SseEvent("state_change", "abc subscribed"), "text") == StateChange("subscribed", "abc")


def test_json_format():
    data = '{"device_id":"d1","ts":"t","log_type":"production","type":"status","msg":"hi"}'
    assert parse_log_event(SseEvent("message", data), "json") == LogLine("d1", "t", "production", "status", "hi")
    change = parse_log_event(SseEvent("state_change", '{"state":"unsubscribed","device_id":"d1"}'), "json")
    assert change == StateChange("unsubscribed", "d1")


def sse(*events):
    return "".join(f"event: {name}\ndata: {data}\n\n" for name, data in events)


def line(device, ts, msg):
    return f'{{"device_id":"{device}","ts":"{ts}","log_type":"development","type":"server.log","msg":"{msg}"}}'


def test_follow_ends_on_closed_without_reopening(rsps, client, sleeps):
    """``closed`` means a newer stream of the account replaced this one: reopening would close that one."""
    rsps.post(BASE + "/logstream", status=201, json={"data": {"type": "logstream", "id": "s1", "attributes": {}}})
    rsps.get(
        BASE + "/logstream/s1",
        body=sse(("state_change", '{"state":"opened"}'), ("message", line("d1", "t-s1", "s1")))
        + sse(("state_change", '{"state":"closed"}')),
        content_type="text/event-stream",
    )
    rsps.put(BASE + "/logstream/s1/d1", status=204)
    rsps.put(BASE + "/logstream/s1/d2", status=204)
    seen = list(client.logs.follow(["d1", "d2"]))
    assert seen == [
        StateChange("opened"),
        LogLine("d1", "t-s1", "development", "server.log", "s1"),
        StateChange("closed"),
    ]
    assert [c.request.method for c in rsps.calls].count("POST") == 1
    puts = [c.request.url.split("/v5")[1] for c in rsps.calls if c.request.method == "PUT"]
    assert puts == ["/logstream/s1/d1", "/logstream/s1/d2"]
    gets = [c for c in rsps.calls if c.request.method == "GET"]
    assert all("Authorization" not in c.request.headers for c in gets)
    assert all(query_of(c) == {"format": "json"} for c in gets)


def test_follow_dropped_stream_text_format(rsps, client):
    rsps.post(BASE + "/logstream", status=201, json={"data": {"id": "s1"}})
    rsps.get(BASE + "/logstream/s1", body=sse(("message", "d1 t1 development status hello")))
    rsps.put(BASE + "/logstream/s1/d1", status=204)
    rsps.post(BASE + "/logstream", status=201, json={"data": {"id": "s2"}})
    rsps.get(BASE + "/logstream/s2", body=sse(("message", "d1 t2 development status again")))
    rsps.put(BASE + "/logstream/s2/d1", status=204)
    out = []
    for item in client.logs.follow("d1", format="text"):
        out.append(item)
        if len(out) == 3:
            break
    assert out[0].msg == "hello"
    assert out[1] == Gap("log stream ended", "t1")
    assert out[2].msg == "again"


def test_follow_without_reconnect_ends(rsps, client):
    rsps.post(BASE + "/logstream", status=201, json={"data": {"id": "s1"}})
    rsps.get(BASE + "/logstream/s1", body=sse(("state_change", "opened")))
    rsps.put(BASE + "/logstream/s1/d1", status=204)
    assert list(client.logs.follow(["d1"], format="text", reconnect=False)) == [StateChange("opened")]


def test_follow_refuses_too_many_devices_before_any_request(client):
    with pytest.raises(ValueError, match="at most 5"):
        client.logs.follow(["d1", "d2", "d3", "d4", "d5", "d6"])
