"""The log follower: history then stream without loss or doubles, Subscribed, gaps, deadline, device limit.

History comes over HTTP (`responses`); the stream is a scripted source and time a fake clock."""

import json
import re
from datetime import datetime, timezone

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    TIMEOUT,
    Clock,
    DeviceLimitError,
    Gap,
    LogFollower,
    LogLine,
    StateChange,
    Subscribed,
    line_dict,
    parse_iso_timestamp,
)
from client_helpers import BASE


class FakeClock(Clock):
    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t

    def now(self):
        return datetime(2026, 1, 1, tzinfo=timezone.utc)


class Script:
    """Stream items in order; an empty script waits (advancing the clock) or ends."""

    def __init__(self, clock, *items, end=False):
        self.clock, self.items, self.end = clock, list(items), end
        self.opened, self.closed = [], False

    def __call__(self, client, ids):
        self.opened.append(ids)
        return self

    def next(self, timeout):
        if self.items:
            item = self.items.pop(0)
            if isinstance(item, float):  # a pause in the script: a wait shorter than it times out
                if timeout is not None and item > timeout:
                    self.clock.t += timeout
                    self.items.insert(0, item - timeout)
                    return None
                self.clock.t += item
                return self.next(timeout)
            return item
        if self.end or timeout is None:
            return END
        self.clock.t += timeout
        return None

    def close(self):
        self.closed = True


def line(msg, ts="2026-01-01T00:00:05.000Z", device="d1"):
    return LogLine(device, ts, "development", "server.log", msg)


def history(rsps, device, *entries):
    rsps.add("GET", re.compile(rf"{BASE}/devices/{device}/logs.*"), json={"data": list(entries), "links": {}})


def drain(follower, timeout=None):
    out = []
    while True:
        item = follower.next(timeout)
        if item in (END, TIMEOUT) or item is None:
            out.append(item)
            return out
        out.append(item)


SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_stream_only_passes_items_through_and_announces_subscription(client):
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"), line("a"), end=True)
    follower = LogFollower(client, ["d1", "d1"], clock=clock, source=script)
    assert drain(follower) == [Subscribed(("d1",), True), line("a"), END]
    assert script.opened == [["d1"]]


def test_subscription_wait_runs_out_then_streams_anyway(client):
    clock = FakeClock()
    script = Script(clock, line("early"), 20.0, line("late"), end=True)
    follower = LogFollower(client, ["d1", "d2"], clock=clock, source=script, subscribe_wait=10)
    assert drain(follower) == [line("early"), Subscribed(("d1", "d2"), False), line("late"), END]


def test_history_first_then_the_second_read_catches_the_line_logged_in_between(rsps, client):
    clock = FakeClock()
    entry = {"ts": "2026-01-01T00:00:01.000Z", "type": "server.log", "msg": "old"}
    late = {"ts": "2026-01-01T00:00:03.000Z", "type": "server.log", "msg": "between"}
    history(rsps, "d1", entry)
    history(rsps, "d1", late, entry)
    script = Script(clock, StateChange("subscribed", "d1"), line("between", "2026-01-01T00:00:03.000Z"), end=True)
    follower = LogFollower(client, ["d1"], since=SINCE, clock=clock, source=script)
    items = drain(follower)
    assert [i.msg for i in items if isinstance(i, LogLine)] == ["old", "between"]  # streamed again: not doubled
    assert items[1] == Subscribed(("d1",), True)


def test_a_gap_is_filled_from_the_history_once(rsps, client):
    clock = FakeClock()
    history(rsps, "d1")
    history(rsps, "d1")
    lost = {"ts": "2026-01-01T00:00:06.000Z", "type": "server.log", "msg": "lost"}
    history(rsps, "d1", lost)
    gap = Gap("log stream ended", "2026-01-01T00:00:05.000Z")
    script = Script(clock, StateChange("subscribed", "d1"), line("a"), gap, line("lost", lost["ts"]), end=True)
    items = drain(LogFollower(client, ["d1"], since=SINCE, clock=clock, source=script))
    from_history = LogLine("d1", lost["ts"], None, "server.log", "lost")  # the streamed copy is dropped
    assert items == [Subscribed(("d1",), True), line("a"), gap, from_history, END]


def test_history_only_opens_no_stream(rsps, client):
    clock = FakeClock()
    history(rsps, "d1", {"ts": "2025-12-31T23:59:59.000Z", "msg": "too old"}, {"ts": "bad", "msg": "no time"})
    script = Script(clock)
    follower = LogFollower(client, ["d1"], since=SINCE, stream=False, clock=clock, source=script)
    assert drain(follower) == [END] and script.opened == [] and not follower.stream_opened


def test_deadline_and_extend_use_the_clock(client):
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"), line("a"))
    follower = LogFollower(client, ["d1"], deadline=30, clock=clock, source=script)
    assert follower.next() == Subscribed(("d1",), True)
    assert follower.next() == line("a")
    assert follower.next(timeout=5) is None and follower.remaining() == 25
    follower.extend(60)
    assert follower.remaining() == 60
    assert follower.next() is TIMEOUT and clock.t == 65


def test_device_limit_fails_truncates_or_reads_history(client):
    ids = [f"d{n}" for n in range(7)]
    with pytest.raises(DeviceLimitError, match=r"at most 5 devices at once; 7 given"):
        LogFollower(client, ids, over_limit="fail")
    assert LogFollower(client, ids).summary()["history_devices"] == ids  # the default: read by history
    follower = LogFollower(client, ids, over_limit="truncate")
    assert follower.device_ids == ids[:5] and follower.left_out == ["d5", "d6"]


def test_close_stops_the_source(client):
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"))
    with LogFollower(client, ["d1"], clock=clock, source=script) as follower:
        follower.next()
    assert script.closed and follower.next() is END


def test_line_dict_and_time_stamps():
    assert json.dumps(line_dict(line("x")))
    assert parse_iso_timestamp("2026-01-01T02:00:00+02:00") == SINCE
    assert parse_iso_timestamp("not a time") is None
