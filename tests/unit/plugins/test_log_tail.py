"""log_tail: back-fill order, `since` parsing, check mode (no stream), option checks, no-device messages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from ansible_collections.electricimp.impcentral.plugins.action import log_tail
from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import EntityNotFoundError
from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import LogLine

TS = "2026-11-23T00:35:30.123Z"  # L1, L2 and L3 were logged in this millisecond
HISTORY = {
    # newest first, as the API pages them
    "d1": [
        {"ts": TS, "type": "server.log", "msg": "L3"},
        {"ts": TS, "type": "server.log", "msg": "L2"},
        {"ts": TS, "type": "server.log", "msg": "L1"},
        {"ts": "2026-11-23T00:35:29.000Z", "type": "status", "msg": "Device connected"},
        {"ts": "2026-11-22T00:00:00.000Z", "type": "server.log", "msg": "yesterday"},
    ],
    "d2": [
        {"ts": "2026-11-23T00:35:31.000Z", "type": "server.log", "msg": "d2 later"},
        {"ts": "2026-11-23T00:35:30.000Z", "type": "server.log", "msg": "d2 earlier"},
    ],
}


class FakeLogs:
    def __init__(self, items):
        self.items = items
        self.followed = []

    def follow(self, devices, stop=None):
        self.followed.append(list(devices))
        yield from self.items
        stop.wait(30)


class FakeClient:
    """identify.one, devices.list/iter_logs and logs.follow; ``missing`` names are not found."""

    def __init__(self, items=(), history=None, groups=None, missing=()):
        self.logs = FakeLogs(list(items))
        self.identify = self
        self.devices = self
        self.history = HISTORY if history is None else history
        self.groups = groups or {}
        self.missing = set(missing)
        self.reads = []

    def one(self, kind, value):
        if value in self.missing:
            raise EntityNotFoundError(f"{kind} {value} is not found", kind, value)
        return {"id": value}

    def list(self, device_group=None):
        return [{"id": d} for d in self.groups.get(device_group, [])]

    def iter_logs(self, device):
        self.reads.append(device)
        return iter(self.history.get(device, []))


def options(**args):
    full = dict(
        devices=["d1"],
        device_groups=[],
        search_regex=None,
        fail_regex=None,
        timeout=5,
        lines=None,
        duration=None,
        since=None,
    )
    full.update(args)
    return full


def tail(client=None, check_mode=False, **args):
    client = client or FakeClient()
    waiting = log_tail.Tail(options(**args), check_mode=check_mode)
    waiting.run(client)
    return waiting.report()


def msgs(result):
    return [line["msg"] for line in result["lines"]]


def line(msg):
    return LogLine("d1", "2026-11-23T00:40:00.000Z", "development", "server.log", msg)


# -- 1. back-fill order ----------------------------------------------------------------------------


def test_backfill_reverses_the_api_order_for_lines_of_one_millisecond():
    result = tail(since="2026-11-23T00:35:30Z", lines=3)
    assert msgs(result) == ["L1", "L2", "L3"]
    assert not result.get("failed") and not result["stream_opened"]


def test_search_regex_matches_the_oldest_backfilled_line_first():
    result = tail(since="2026-11-23T00:35:30Z", search_regex=r"^L(\d)")
    assert result["matched"] and result["match_groups"] == ["1"]
    assert msgs(result) == ["L1"]


def test_backfill_merges_devices_by_time_keeping_each_devices_order():
    result = tail(devices=["d1", "d2"], since="2026-11-23T00:35:29Z", duration=0)
    assert msgs(result) == ["Device connected", "d2 earlier", "L1", "L2", "L3", "d2 later"]
    assert [line["device_id"] for line in result["lines"]][:2] == ["d1", "d2"]


# -- 2. since ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "since",
    [
        "2026-11-23T00:35:30Z",
        "2026-11-23T02:35:30+02:00",
        "2026-11-23T02:35:30+0200",
        "2026-11-22T19:35:30-05:00",
        "2026-11-23T00:35:30",  # no offset: UTC
        "2026-11-23 00:35:30.000z",
    ],
)
def test_since_is_compared_as_a_point_in_time_whatever_the_offset(since):
    result = tail(since=since, duration=0)
    assert msgs(result) == ["L1", "L2", "L3"], since


def test_since_in_seconds_ago():
    now = datetime.now(timezone.utc)
    recent = (now - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    old = (now - timedelta(seconds=100)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    history = {
        "d1": [{"ts": recent, "type": "server.log", "msg": "recent"}, {"ts": old, "type": "server.log", "msg": "old"}]
    }
    assert msgs(tail(FakeClient(history=history), since="60", duration=0)) == ["recent"]
    assert msgs(tail(FakeClient(history=history), since="120.5", duration=0)) == ["old", "recent"]
    assert msgs(tail(FakeClient(history=history), since=60, duration=0)) == ["recent"]


@pytest.mark.parametrize(
    "since",
    ["yesterday", "-5", "1e3", "inf", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T00:00:00+25:00"],
)
def test_since_that_is_neither_seconds_nor_iso_8601_is_refused(since):
    with pytest.raises(
        log_tail.OptionError, match=rf"^since must be a number of seconds ago .*got '{re.escape(since)}'"
    ):
        tail(since=since)


def test_empty_since_means_no_backfill():
    client = FakeClient(items=[line("live")])
    assert msgs(tail(client, since="", lines=1)) == ["live"] and client.reads == []


# -- 3. check mode -----------------------------------------------------------------------------------


def test_check_mode_opens_no_stream_and_says_so():
    client = FakeClient(items=[line("firmware 2.1 ready")])
    result = tail(client, check_mode=True, since="2026-11-23T00:35:30Z", search_regex="firmware")
    assert client.logs.followed == []
    assert result["skipped"] and not result.get("failed") and not result["stream_opened"]
    assert "log stream was not opened" in result["msg"]
    assert msgs(result) == ["L1", "L2", "L3"]  # the historical logs were read


def test_check_mode_without_since_reads_nothing():
    client = FakeClient(items=[line("x")])
    result = tail(client, check_mode=True, search_regex="x")
    assert client.logs.followed == [] and client.reads == []
    assert result["skipped"] and "without since" in result["msg"]


def test_check_mode_result_when_the_backfill_ends_the_wait():
    client = FakeClient()
    result = tail(client, check_mode=True, since="2026-11-23T00:35:30Z", search_regex=r"^L(\d)")
    assert result["matched"] and result["match_groups"] == ["1"] and not result.get("skipped")
    result = tail(client, check_mode=True, since="2026-11-23T00:35:30Z", fail_regex="L2")
    assert result["failed"] and "fail_regex" in result["msg"]
    assert client.logs.followed == []


def test_check_mode_predicts_entities_an_earlier_task_would_create():
    client = FakeClient(missing={"new-device", "new-group"}, groups={"empty-group": []})
    result = tail(client, check_mode=True, devices=["new-device"], device_groups=["new-group", "empty-group"])
    assert result["skipped"] and not result.get("failed") and client.logs.followed == []
    assert result["predicted_missing"] == [
        {"kind": "device", "name": "new-device"},
        {"kind": "device_group", "name": "new-group"},
        {"kind": "device_group", "name": "empty-group"},
    ]
    with pytest.raises(EntityNotFoundError):
        tail(client, devices=["new-device"])


def test_without_check_mode_the_stream_is_opened():
    client = FakeClient(items=[line("firmware 2.1 ready")])
    result = tail(client, since="2026-11-23T00:35:30Z", search_regex="firmware")
    assert result["matched"] and result["stream_opened"] and client.logs.followed == [["d1"]]


def test_action_plugin_passes_check_mode_to_the_tail(monkeypatch):
    client = FakeClient(items=[line("firmware 2.1 ready")])
    monkeypatch.setattr(log_tail, "connect", lambda args, user_agent=None: client)
    result = run_action({"devices": ["d1"], "search_regex": "firmware", "since": "60"}, check_mode=True)
    assert result["skipped"] and not result.get("failed") and client.logs.followed == []


# -- 4. option checks ----------------------------------------------------------------------------------


def run_action(args, check_mode=False):
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = log_tail.ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), None, mock.MagicMock())
    return action.run(task_vars={})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"search_regex": "(["}, r"^search_regex is not a valid Python regular expression \('\(\['\)"),
        ({"fail_regex": "a)"}, r"^fail_regex is not a valid Python regular expression"),
        ({"lines": -1}, r"^lines must be a whole number, one or more; got -1\.$"),
        ({"lines": 0}, r"^lines must be a whole number, one or more; got 0\.$"),
        ({"lines": "abc"}, r"^lines must be a whole number, one or more; got 'abc'\.$"),
        ({"lines": 2.5}, r"^lines must be a whole number"),
        ({"lines": True}, r"^lines must be a whole number"),
        ({"duration": -5}, r"^duration must be a number of seconds, zero or more; got -5\.$"),
        ({"duration": "nan"}, r"^duration must be a number of seconds"),
        ({"timeout": "abc"}, r"^timeout must be a number of seconds, zero or more; got 'abc'\.$"),
        ({"timeout": "inf"}, r"^timeout must be a number of seconds"),
        ({"timeout": -1}, r"^timeout must be a number of seconds"),
        ({"since": "yesterday"}, r"^since must be a number of seconds ago"),
    ],
)
def test_bad_options_fail_cleanly_naming_the_option(monkeypatch, args, message):
    monkeypatch.setattr(log_tail, "connect", mock.Mock(side_effect=AssertionError("connected")))
    result = run_action(dict({"devices": ["d1"]}, **args))
    assert result["failed"] and not result.get("exception")
    assert re.search(message, result["msg"]), result["msg"]
    assert "class" not in result["msg"]


def test_numbers_given_as_strings_are_accepted():
    waiting = log_tail.Tail(options(timeout="2.5", duration="1", lines="3"))
    assert waiting.args["timeout"] == 2.5 and waiting.args["duration"] == 1.0 and waiting.args["lines"] == 3


def test_lines_limit_with_an_unmatched_search_regex_fails():
    result = tail(FakeClient(items=[line("a"), line("b")]), search_regex="ready", lines=2)
    assert result["failed"] and result["msg"].startswith("Stopped after 2 lines waiting for /ready/")


# -- 5. nothing to follow ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [{"devices": []}, {"devices": [], "device_groups": []}, {"device_groups": []}, {}])
def test_no_devices_and_no_device_groups(monkeypatch, args):
    monkeypatch.setattr(log_tail, "connect", mock.Mock(side_effect=AssertionError("connected")))
    result = run_action(args)
    assert result["failed"] and result["msg"].startswith("devices or device_groups must be given")


def test_device_groups_without_devices_are_named():
    client = FakeClient(groups={"g1": [], "g2": []})
    with pytest.raises(ValueError, match=r"^No device to follow: the device groups g1, g2 have no devices\.$"):
        tail(client, devices=[], device_groups=["g1", "g2"])
    with pytest.raises(ValueError, match=r"^No device to follow: the device group g1 has no devices\.$"):
        tail(client, devices=[], device_groups=["g1"])


class GapClient(FakeClient):
    """The first history read misses L4, which is logged before the stream subscribes and so is never
    streamed: only a second read after the subscription finds it."""

    def iter_logs(self, device):
        self.reads.append(device)
        late = [{"ts": "2026-11-23T00:35:40.000Z", "type": "server.log", "msg": "L4"}] if len(self.reads) > 1 else []
        return iter(late + HISTORY[device])


def test_line_logged_between_history_and_subscription_is_not_lost():
    from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import StateChange

    streamed_twice = LogLine("d1", TS, "development", "server.log", "L3")
    client = GapClient(items=[StateChange("subscribed", "d1"), streamed_twice])
    result = tail(client, since="2026-11-23T00:35:00Z", search_regex="^L4$")
    assert result["matched"] and client.reads == ["d1", "d1"]
    assert msgs(result) == ["Device connected", "L1", "L2", "L3", "L4"]  # L3 streamed again is not taken twice
