"""impt's printing of the shared log follower's items: a scripted stream and a fake clock, no real waits."""

import io
import json
import re
from types import SimpleNamespace

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.follow import END, Clock, Gap, LogLine, StateChange

from impt.errors import StreamTimeoutError
from impt.logstream import StreamOptions, follow_logs
from impt.output import Output


class FakeClock(Clock):
    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t


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


def test_more_devices_than_a_stream_holds_are_left_out_with_a_warning():
    clock = FakeClock()
    script = Script(clock, StateChange("closed"))
    ctx = _ctx()
    ids = [f"d{n}" for n in range(7)]
    follow_logs(ctx, ids, clock=clock, source=script)
    assert script.opened == [ids[:5]]
    shown = ctx.out.stdout.getvalue() + ctx.out.stderr.getvalue()
    assert "Warning: a log stream holds at most 5 devices; 2 more are not streamed: d5, d6." in shown
    assert shown.splitlines()[-1] == "The log stream is closed."


def test_timeout_is_the_followers_deadline_on_the_fake_clock():
    clock = FakeClock()
    script = Script(clock, StateChange("subscribed", "d1"), 2.0, _line("d1", "one"))
    ctx = _ctx("json")
    with pytest.raises(StreamTimeoutError, match=r"^The log stream timed out after 5 seconds\.$"):
        follow_logs(ctx, ["d1"], StreamOptions(timeout=5), clock=clock, source=script)
    assert clock.t == pytest.approx(5.0)
    assert json.loads(ctx.out.stdout.getvalue().splitlines()[-1])["msg"] == "one"
