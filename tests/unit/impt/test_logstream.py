"""impt's printing of the shared log follower's items: a scripted stream and a fake clock, no real waits."""

import io
import json
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    Clock,
    Gap,
    LogLine,
    StateChange,
)

from impt.errors import StreamTimeoutError
from impt.logstream import StreamOptions, follow_logs
from impt.output import Output

BASE = "http://api.test/v5"


class FakeClock(Clock):
    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t

    def now(self):
        return datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=self.t)

    def sleep(self, seconds):
        self.t += max(0.0, seconds)


class Script:
    """The stream: items in order; a float is a pause (the clock moves); then it waits until the timeout."""

    def __init__(self, clock, *items):
        self.clock, self.items, self.opened, self.closed = clock, list(items), [], False

    def __call__(self, client, ids):
        self.opened.append(list(ids))
        return self

    def next(self, timeout):
        while self.items:
            item = self.items.pop(0)
            if not isinstance(item, float):
                return item
            self.clock.t += item
        if timeout is None:
            return END
        self.clock.t += timeout
        return None

    def close(self):
        self.closed = True


def _ctx(mode=None):
    out = Output(mode, io.StringIO(), io.StringIO())
    return SimpleNamespace(client=object(), out=out)


def _line(device, msg, ts="2026-01-01T00:00:00.000Z"):
    return LogLine(device, ts, "development", "server.log", msg)


def test_lines_gaps_and_until():
    clock = FakeClock()
    script = Script(
        clock,
        StateChange("subscribed", "d1"),
        _line("d1", "booting"),
        Gap("stream dropped", "2026-01-01T00:00:00.000Z"),
        _line("d1", "ready: 42"),
        _line("d1", "never printed"),
    )
    ctx = _ctx()
    follow_logs(ctx, ["d1"], StreamOptions(until=re.compile(r"ready")), clock=clock, source=script)
    lines = ctx.out.stdout.getvalue().splitlines()
    assert lines[-3:] == [
        "[d1] 2026-01-01T00:00:00.000Z [server.log] booting",
        "--- The log stream was lost and is reconnected: lines after 2026-01-01T00:00:00.000Z may be missing "
        "(stream dropped) ---",
        "[d1] 2026-01-01T00:00:00.000Z [server.log] ready: 42",
    ]
    assert "Log stream for Device(s) d1 is opened." in ctx.out.stdout.getvalue() + ctx.out.stderr.getvalue()
    assert script.closed


def _history_client(api, clock, logs):
    """A client whose ``GET /devices/{id}/logs`` serves ``logs[id]`` (newest first) over HTTP."""

    def serve(request):
        device = urlsplit(request.url).path.split("/")[-2]
        query = dict(parse_qsl(urlsplit(request.url).query))
        if query.get("page[number]", "1") != "1":
            return 200, {}, json.dumps({"data": [], "links": {}})
        return 200, {}, json.dumps({"data": list(reversed(logs.get(device, []))), "links": {}})

    api.add_callback(responses.GET, re.compile(rf"{BASE}/devices/[^/]+/logs.*"), callback=serve)
    client = ImpCentralClient(BASE)
    client.set_tokens(Tokens("access", "2099-01-01T00:00:00.000Z"))
    return client


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_twelve_devices_are_all_shown_read_from_their_history(api):
    clock = FakeClock()
    ids = [f"d{n:02}" for n in range(12)]
    logs = {
        d: [{"ts": "2026-01-01T00:00:01.000Z", "log_type": "development", "type": "status", "msg": f"hi {d}"}]
        for d in ids
    }
    ctx = _ctx()
    ctx.client = _history_client(api, clock, logs)
    script = Script(clock)
    until = re.compile(r"hi d11")
    follow_logs(ctx, ids, StreamOptions(until=until, timeout=60), clock=clock, source=script)
    shown = ctx.out.stdout.getvalue()
    assert [f"[{d}] 2026-01-01T00:00:01.000Z [status] hi {d}" for d in ids] == [
        line for line in shown.splitlines() if line.startswith("[")
    ]
    assert script.opened == []  # no stream: another client's stream stays open
    assert "the logs of all 12 devices are read from their history" in shown + ctx.out.stderr.getvalue()


def test_a_stream_taken_by_another_client_prints_one_warning_and_is_not_reopened(api):
    clock = FakeClock()
    ctx = _ctx()
    ctx.client = _history_client(
        api, clock, {"d1": [{"ts": "2026-01-01T00:00:02.000Z", "type": "status", "msg": "after"}]}
    )
    script = Script(clock, StateChange("subscribed", "d1"), _line("d1", "before"), StateChange("closed"))
    follow_logs(ctx, ["d1"], StreamOptions(until=re.compile("after"), timeout=30), clock=clock, source=script)
    shown = ctx.out.stdout.getvalue() + ctx.out.stderr.getvalue()
    assert shown.count("Warning: the account's log stream was opened by another client") == 1
    assert "[d1] 2026-01-01T00:00:02.000Z [status] after" in shown
    assert script.opened == [["d1"]] and script.closed


def test_json_lines_carry_log_type_and_timeout_counts_from_the_command_start():
    clock = FakeClock()
    clock.t = 3.0  # the set-up (device look-ups) took 3 s of the 5
    script = Script(clock, StateChange("subscribed", "d1"), _line("d1", "one"))
    ctx = _ctx("json")
    with pytest.raises(StreamTimeoutError):
        follow_logs(ctx, ["d1"], StreamOptions(timeout=5, started=0.0), clock=clock, source=script)
    assert clock.t == pytest.approx(5.0)
    assert json.loads(ctx.out.stdout.getvalue().splitlines()[-1]) == {
        "device_id": "d1",
        "ts": "2026-01-01T00:00:00.000Z",
        "log_type": "development",
        "type": "server.log",
        "msg": "one",
    }


def test_with_timeout_or_until_success_is_not_announced_before_the_end():
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"))
    ctx = _ctx()
    with pytest.raises(StreamTimeoutError):
        follow_logs(ctx, ["d1"], StreamOptions(timeout=2), clock=clock, source=script)
    assert "IMPT COMMAND SUCCEEDS" not in ctx.out.stdout.getvalue()


def test_timeout_is_the_followers_deadline_on_the_fake_clock():
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"), 2.0, _line("d1", "one"))
    ctx = _ctx("json")
    with pytest.raises(StreamTimeoutError, match=r"^The log stream timed out after 5 seconds\.$"):
        follow_logs(ctx, ["d1"], StreamOptions(timeout=5), clock=clock, source=script)
    assert clock.t == pytest.approx(5.0)
    assert json.loads(ctx.out.stdout.getvalue().splitlines()[-1])["msg"] == "one"
