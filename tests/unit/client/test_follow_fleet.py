"""The follower at fleet scale: history rounds paced to the rate share, and a stream taken by another client.

Device logs come over HTTP from a small fake log store (`responses` callbacks); time is a fake clock whose
``sleep`` moves it, so pacing is measured without waiting."""

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    TIMEOUT,
    Clock,
    Gap,
    LogFollower,
    LogLine,
    StateChange,
    Subscribed,
    Switched,
)
from client_helpers import BASE

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class FakeClock(Clock):
    def __init__(self):
        self.t = 0.0
        self.slept = 0.0

    def monotonic(self):
        return self.t

    def now(self):
        return START + timedelta(seconds=self.t)

    def sleep(self, seconds):
        self.t += max(0.0, seconds)
        self.slept += max(0.0, seconds)


class LogStore:
    """Per-device logs served newest first in pages, as ``GET /devices/{id}/logs`` does; records requests."""

    def __init__(self, rsps, clock):
        self.clock = clock
        self.logs = {}
        self.requests = []  # (monotonic time, device id, page)
        rsps.add_callback("GET", re.compile(rf"{BASE}/devices/([^/]+)/logs.*"), callback=self.serve)

    def log(self, device, msg, at=None):
        moment = START + timedelta(seconds=self.clock.t if at is None else at)
        ts = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.logs.setdefault(device, []).append({"ts": ts, "type": "server.log", "msg": msg})

    def serve(self, request):
        url = urlparse(request.url)
        device = url.path.split("/")[-2]
        query = parse_qs(url.query)
        number = int(query.get("page[number]", ["1"])[0])
        size = int(query.get("page[size]", ["20"])[0])
        self.requests.append((self.clock.t, device, number))
        newest_first = list(reversed(self.logs.get(device, [])))
        page = newest_first[(number - 1) * size : number * size]
        return 200, {}, json.dumps({"data": page, "links": {}})


class Script:
    """A scripted stream source: items in order, then it waits (moving the clock) or ends."""

    def __init__(self, clock, *items):
        self.clock, self.items = clock, list(items)
        self.opened, self.closed = [], False

    def __call__(self, client, ids):
        self.opened.append(ids)
        return self

    def next(self, timeout):
        if self.items:
            item = self.items.pop(0)
            return item() if callable(item) else item
        if timeout is None:
            return END
        self.clock.t += timeout
        return None

    def close(self):
        self.closed = True


def msgs(items):
    return [(i.device_id, i.msg) for i in items if isinstance(i, LogLine)]


def drain(follower, timeout=None):
    out = []
    while True:
        item = follower.next(timeout)
        out.append(item)
        if item in (END, TIMEOUT) or item is None:
            return out


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(rsps, clock):
    return LogStore(rsps, clock)


def test_more_devices_than_a_stream_holds_are_read_by_history_without_a_stream(client, clock, store):
    ids = [f"d{n:02}" for n in range(12)]
    for device in ids:
        store.log(device, "before since", at=-10)
        store.log(device, f"ready {device}", at=-1)
    script = Script(clock)
    follower = LogFollower(client, ids, since=START - timedelta(seconds=5), deadline=60, clock=clock, source=script)
    got = []
    while len(got) < 12:
        item = follower.next()
        assert isinstance(item, LogLine)
        got.append(item)
    assert sorted(msgs(got)) == [(d, f"ready {d}") for d in ids]  # all twelve; nothing older than since
    assert script.opened == [] and follower.mode == "history"
    assert follower.summary()["history_devices"] == ids and follower.summary()["stream_devices"] == []
    assert len(store.requests) == 12  # one page each: the page reached back past since


def test_history_rounds_stay_within_the_rate_share_and_report_each_line_once(client, clock, store):
    ids = [f"d{n}" for n in range(10)]
    follower = LogFollower(client, ids, deadline=30, rate=5, round_interval=1, clock=clock, source=Script(clock))
    assert follower.next(timeout=3) is None  # nothing new yet: the first rounds only read
    store.log("d3", "hello")
    store.log("d7", "world")
    items = drain(follower, timeout=5)
    assert sorted(msgs(items)) == [("d3", "hello"), ("d7", "world")]  # in the order the round reads them
    times = [t for t, _device, _page in store.requests]
    for first, later in zip(times, times[5:], strict=False):
        assert later - first >= 1.0 - 1e-9  # never more than 5 requests in any second
    assert drain(follower, timeout=5)[:-1] == []  # read again in later rounds: not reported twice
    assert follower.next() is TIMEOUT and clock.t == pytest.approx(30)


def test_history_pages_back_only_as_far_as_the_newest_line_seen(client, clock, store):
    for n in range(250):
        store.log("d1", f"old {n}", at=-100 + n * 0.1)
    ids = ["d1", "d2", "d3", "d4", "d5", "d6"]
    follower = LogFollower(
        client, ids, since=START - timedelta(seconds=200), deadline=10, clock=clock, source=Script(clock)
    )
    first = [follower.next() for _ in range(250)]
    assert [i.msg for i in first] == [f"old {n}" for n in range(250)]  # oldest first
    assert [page for _t, device, page in store.requests if device == "d1"] == [1, 2, 3]
    store.requests.clear()
    clock.t += 5
    store.log("d1", "new")
    assert msgs([follower.next()]) == [("d1", "new")]
    assert [page for _t, device, page in store.requests if device == "d1"] == [1]


def test_a_stream_taken_by_another_client_switches_to_history_once_and_loses_nothing(client, clock, store):
    ids = ["d1", "d2"]

    def taken_over():
        store.log("d1", "while switching")  # logged after the stream closed, before the history is read
        return StateChange("closed")

    script = Script(
        clock,
        StateChange("subscribed", "d1"),
        StateChange("subscribed", "d2"),
        LogLine("d1", "2026-01-01T00:00:00.000Z", None, "server.log", "streamed"),
        taken_over,
    )
    store.log("d1", "streamed", at=0)
    follower = LogFollower(client, ids, deadline=20, clock=clock, source=script)
    items = drain(follower, timeout=5)
    assert items[0] == Subscribed(("d1", "d2"), True)
    switched = [i for i in items if isinstance(i, Switched)]
    assert switched == [Switched("history", "the account's log stream was opened by another client", ("d1", "d2"))]
    assert msgs(items) == [("d1", "streamed"), ("d1", "while switching")]  # the streamed line is not doubled
    assert script.opened == [["d1", "d2"]] and script.closed  # never reopened
    assert follower.mode == "history" and follower.summary()["switch_reason"]
    store.log("d2", "later")
    assert msgs(drain(follower, timeout=5)) == [("d2", "later")]
    assert len(script.opened) == 1


def test_a_network_drop_still_reconnects_with_a_gap_and_stays_streaming(client, clock):
    gap = Gap("log stream ended", None)
    script = Script(
        clock, StateChange("subscribed", "d1"), gap, LogLine("d1", "2026-01-01T00:00:01.000Z", None, "status", "x")
    )
    follower = LogFollower(client, ["d1"], clock=clock, source=script)
    items = drain(follower)
    assert items == [
        Subscribed(("d1",), True),
        gap,
        LogLine("d1", "2026-01-01T00:00:01.000Z", None, "status", "x"),
        END,
    ]
    assert follower.mode == "stream" and follower.summary()["history_requests"] == 0


def test_rate_must_be_positive(client):
    with pytest.raises(ValueError, match="rate must be a positive number"):
        LogFollower(client, ["d1"], rate=0)
