"""log_tail: back-fill order, `since`, check mode (no stream), the deadline, regexes, option checks.

The client is real and answers come from `responses` (HTTP level); the stream is a scripted source and the
clock a fake one, both injected through the shared LogFollower: no test waits in real time.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.action import log_tail
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.logs import Gap, LogLine, StateChange
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import EntityNotFoundError
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import END, Clock

BASE = "http://api.test/v5"
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


class FakeClock(Clock):
    """Monotonic time moves only when the scripted stream is waited on."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.wall = datetime(2026, 11, 23, 0, 36, tzinfo=timezone.utc)

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


class Stream:
    """The stream source: scripted items, then waits that advance the fake clock (None) or END."""

    def __init__(self, clock: FakeClock, items=(), end: bool = False) -> None:
        self.clock = clock
        self.items = list(items)
        self.end = end
        self.opened: list = []
        self.closed = False

    def __call__(self, client, device_ids):
        self.opened.append(list(device_ids))
        return self

    def next(self, timeout):
        if self.items:
            return self.items.pop(0)
        if self.end or timeout is None:
            return END
        self.clock.t += timeout
        return None

    def close(self) -> None:
        self.closed = True


class Api:
    """impCentral at the HTTP level: devices, groups (name -> member ids) and history per device.

    ``history`` maps a device to its entries, or to a function of the read count for history that changes."""

    def __init__(self, history=None, groups=None) -> None:
        self.history = HISTORY if history is None else history
        self.groups = groups or {}
        self.reads: list = []

    def install(self, mock_api: responses.RequestsMock) -> None:
        mock_api.add_callback("GET", re.compile(rf"{BASE}/devices/[^/]+/logs.*"), callback=self.logs)
        mock_api.add_callback("GET", re.compile(rf"{BASE}/devices(\?.*)?$"), callback=self.devices)
        mock_api.add_callback("GET", re.compile(rf"{BASE}/devicegroups(\?.*)?$"), callback=self.device_groups)

    def logs(self, request):
        device = urlsplit(request.url).path.split("/")[-2]
        self.reads.append(device)
        entries = self.history.get(device, [])
        if callable(entries):
            entries = entries(self.reads.count(device))
        return 200, {}, json.dumps({"data": entries, "links": {}})

    def devices(self, request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        group = query.get("filter[devicegroup.id]")
        ids = self.groups.get(group, []) if group else sorted(self.history)
        return 200, {}, json.dumps({"data": [_resource("device", d) for d in ids], "links": {}})

    def device_groups(self, request):
        items = [_resource("development_devicegroup", name, name=name) for name in self.groups]
        return 200, {}, json.dumps({"data": items, "links": {}})


def _resource(kind, rid, **attributes):
    return {"type": kind, "id": rid, "attributes": attributes, "relationships": {}}


def client() -> ImpCentralClient:
    found = ImpCentralClient(BASE, max_retries=0)
    found.set_tokens(
        Tokens(access_token="t", expires_at="2099-01-01T00:00:00.000Z", refresh_token=None, login_key=None)
    )
    return found


def options(**args):
    full = dict(
        devices=["d1"],
        device_groups=[],
        search_regex=None,
        fail_regex=None,
        wait_timeout=5,
        lines=None,
        duration=None,
        since=None,
    )
    full.update(args)
    return full


def tail(api=None, items=(), check_mode=False, stream=None, clock=None, **args):
    api = api or Api()
    clock = clock or FakeClock()
    stream = stream or Stream(clock, items)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock_api:
        api.install(mock_api)
        waiting = log_tail.Tail(options(**args), check_mode=check_mode, clock=clock, source=stream)
        waiting.run(client())
    result = waiting.report()
    result["_opened"] = stream.opened
    return result


def msgs(result):
    return [line["msg"] for line in result["lines"]]


def line(msg, ts="2026-11-23T00:40:00.000Z"):
    return LogLine("d1", ts, "development", "server.log", msg)


SUBSCRIBED = StateChange("subscribed", "d1")


# -- 1. back-fill order ----------------------------------------------------------------------------


def test_backfill_reverses_the_api_order_for_lines_of_one_millisecond():
    result = tail(check_mode=True, since="2026-11-23T00:35:30Z", lines=3)
    assert msgs(result) == ["L1", "L2", "L3"]
    assert not result.get("failed") and not result["stream_opened"]


def test_search_regex_matches_the_oldest_backfilled_line_first():
    result = tail(since="2026-11-23T00:35:30Z", search_regex=r"^L(\d)")
    assert result["matched"] and result["match_groups"] == ["1"]
    assert msgs(result) == ["L1"] and result["_opened"] == []  # the history ended the wait: no stream


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


def test_since_in_seconds_ago_counts_from_the_clock():
    clock = FakeClock()
    recent = (clock.wall - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    old = (clock.wall - timedelta(seconds=100)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    api = Api(history={"d1": [{"ts": recent, "type": "server.log", "msg": "recent"}, {"ts": old, "msg": "old"}]})
    assert msgs(tail(api, clock=clock, since="60", duration=0)) == ["recent"]
    assert msgs(tail(api, clock=clock, since="120.5", duration=0)) == ["old", "recent"]
    assert msgs(tail(api, clock=clock, since=60, duration=0)) == ["recent"]


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
    api = Api()
    assert msgs(tail(api, items=[line("live")], since="", lines=1)) == ["live"] and api.reads == []


# -- 3. check mode -----------------------------------------------------------------------------------


def test_check_mode_opens_no_stream_and_says_so():
    result = tail(items=[line("firmware 2.1 ready")], check_mode=True, since=TS, search_regex="firmware")
    assert result["_opened"] == []
    assert result["skipped"] and not result.get("failed") and not result["stream_opened"]
    assert "log stream was not opened" in result["msg"]
    assert msgs(result) == ["L1", "L2", "L3"]  # the historical logs were read


def test_check_mode_without_since_reads_nothing():
    api = Api()
    result = tail(api, items=[line("x")], check_mode=True, search_regex="x")
    assert result["_opened"] == [] and api.reads == []
    assert result["skipped"] and "without since" in result["msg"]


def test_check_mode_result_when_the_backfill_ends_the_wait():
    result = tail(check_mode=True, since="2026-11-23T00:35:30Z", search_regex=r"^L(\d)")
    assert result["matched"] and result["match_groups"] == ["1"] and not result.get("skipped")
    result = tail(check_mode=True, since="2026-11-23T00:35:30Z", fail_regex="L2")
    assert result["failed"] and "fail_regex" in result["msg"] and result["_opened"] == []


def test_check_mode_predicts_entities_an_earlier_task_would_create():
    api = Api(groups={"empty-group": []})
    result = tail(api, check_mode=True, devices=["new-device"], device_groups=["new-group", "empty-group"])
    assert result["skipped"] and not result.get("failed") and result["_opened"] == []
    assert result["predicted_missing"] == [
        {"kind": "device", "name": "new-device"},
        {"kind": "device_group", "name": "new-group"},
        {"kind": "device_group", "name": "empty-group"},
    ]
    with pytest.raises(EntityNotFoundError):
        tail(api, devices=["new-device"])


def test_without_check_mode_the_stream_is_opened():
    result = tail(items=[SUBSCRIBED, line("firmware 2.1 ready")], since=TS, search_regex="firmware")
    assert result["matched"] and result["stream_opened"] and result["_opened"] == [["d1"]]


def test_action_plugin_passes_check_mode_to_the_tail(monkeypatch):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock_api:
        Api().install(mock_api)
        monkeypatch.setattr(log_tail, "connect", lambda args, user_agent=None, *, waits: client() if waits else None)
        result = run_action({"devices": ["d1"], "search_regex": "firmware", "since": "60"}, check_mode=True)
    assert result["skipped"] and not result.get("failed") and not result["stream_opened"]


# -- 4. the deadline, regexes and limits ---------------------------------------------------------------


def test_matches_with_groups_and_reports_gaps():
    items = [SUBSCRIBED, line("hello"), Gap("log stream ended", "x"), line("firmware 2.1 ready")]
    result = tail(items=items, search_regex=r"firmware (\d+\.\d+) ready", since="2026-11-23T00:35:30Z")
    assert result["matched"] and result["match_groups"] == ["2.1"] and not result.get("failed")
    assert msgs(result) == ["L1", "L2", "L3", "hello", "firmware 2.1 ready"]
    assert result["gaps"] == [{"reason": "log stream ended", "since": "x"}]


def test_fail_regex_and_timeout_keep_lines():
    result = tail(items=[line("ok"), line("ERROR boom")], search_regex="ready", fail_regex="ERROR")
    assert result["failed"] and "fail_regex" in result["msg"] and len(result["lines"]) == 2
    result = tail(items=[line("ok")], search_regex="ready", wait_timeout=0.3)
    assert result["failed"] and result["msg"].startswith("Timed out after 0.3 seconds")
    assert result["lines"][0]["msg"] == "ok" and result["elapsed"] == 0.3


def test_duration_ends_the_wait_without_failing():
    result = tail(items=[line("a")], duration=2, wait_timeout=10)
    assert not result.get("failed") and msgs(result) == ["a"] and result["elapsed"] == 2


def test_lines_limit_without_regex():
    result = tail(items=[line("a"), line("b"), line("c")], lines=2)
    assert not result.get("failed") and len(result["lines"]) == 2


def test_lines_limit_with_an_unmatched_search_regex_fails():
    result = tail(items=[line("a"), line("b")], search_regex="ready", lines=2)
    assert result["failed"] and result["msg"].startswith("Stopped after 2 lines waiting for /ready/")


def test_a_group_of_eight_devices_is_read_from_the_history_and_says_so():
    ids = [f"g{n}" for n in range(8)]
    ready = {"ts": "2026-11-23T00:35:50.000Z", "type": "server.log", "msg": "firmware 2.1 ready"}
    history = {d: [] for d in ids}
    history["g6"] = [ready]
    result = tail(
        Api(history=history, groups={"fleet": ids}),
        devices=[],
        device_groups=["fleet"],
        since="2026-11-23T00:35:00Z",
        search_regex="firmware 2.1 ready",
        history_rate=4,
    )
    assert result["matched"] and result["devices"] == ids and result["_opened"] == []
    assert result["mode"] == "history" and result["history_devices"] == ids and result["stream_devices"] == []
    assert result["history_requests"] == 7  # g0..g6, one page each, then the match ended the wait


def test_a_stream_taken_by_another_client_is_read_from_the_history_with_a_warning():
    later = {"ts": "2026-11-23T00:40:05.000Z", "type": "server.log", "msg": "ready"}
    api = Api(history={"d1": lambda reads: [later] if reads > 0 else []})
    items = [SUBSCRIBED, line("before"), StateChange("closed")]
    result = tail(api, items=items, search_regex="^ready$", wait_timeout=30)
    assert result["matched"] and msgs(result) == ["before", "ready"]
    assert result["mode"] == "history" and result["_opened"] == [["d1"]]
    assert result["warnings"] == [
        "Reading the logs from the device history from now on: the account's log stream was opened by another client."
    ]


def test_history_rate_must_be_above_zero():
    with pytest.raises(log_tail.OptionError, match="history_rate must be a number of requests per second"):
        log_tail.check_options(options(history_rate=0))


def test_line_logged_between_history_and_subscription_is_not_lost():
    """The first history read misses L4, logged before the stream subscribes and so never streamed: the
    second read after the subscription finds it; L3 streamed again is not taken twice."""
    late = {"ts": "2026-11-23T00:35:40.000Z", "type": "server.log", "msg": "L4"}
    api = Api(history={"d1": lambda reads: ([late] if reads > 1 else []) + HISTORY["d1"]})
    result = tail(api, items=[SUBSCRIBED, line("L3", TS)], since="2026-11-23T00:35:00Z", search_regex="^L4$")
    assert result["matched"] and api.reads == ["d1", "d1"]
    assert msgs(result) == ["Device connected", "L1", "L2", "L3", "L4"]


def test_a_gap_is_filled_from_the_history():
    """Lines logged while the stream was being re-created come from the history, once each."""
    lost = {"ts": "2026-11-23T00:40:01.000Z", "type": "server.log", "msg": "while reconnecting"}
    api = Api(history={"d1": lambda reads: ([lost] if reads > 2 else []) + HISTORY["d1"]})
    gap = Gap("log stream ended", "2026-11-23T00:40:00.000Z")
    items = [SUBSCRIBED, line("before"), gap, line("after", "2026-11-23T00:40:02.000Z")]
    result = tail(api, items=items, since="2026-11-23T00:35:30Z", search_regex="^after$")
    assert msgs(result) == ["L1", "L2", "L3", "before", "while reconnecting", "after"]


# -- 5. option checks ----------------------------------------------------------------------------------


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
        ({"wait_timeout": "abc"}, r"^wait_timeout must be a number of seconds, zero or more; got 'abc'\.$"),
        ({"wait_timeout": 5, "timeout": 0}, r"^timeout must be a number of seconds greater than 0, not 0\.$"),
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
    waiting = log_tail.Tail(options(wait_timeout="2.5", duration="1", lines="3"))
    assert waiting.args["wait_timeout"] == 2.5 and waiting.args["duration"] == 1.0 and waiting.args["lines"] == 3


# -- 6. nothing to follow ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [{"devices": []}, {"devices": [], "device_groups": []}, {"device_groups": []}, {}])
def test_no_devices_and_no_device_groups(monkeypatch, args):
    monkeypatch.setattr(log_tail, "connect", mock.Mock(side_effect=AssertionError("connected")))
    result = run_action(args)
    assert result["failed"] and result["msg"].startswith("devices or device_groups must be given")


def test_device_groups_without_devices_are_named():
    api = Api(groups={"g1": [], "g2": []})
    with pytest.raises(ValueError, match=r"^No device to follow: the device groups g1, g2 have no devices\.$"):
        tail(api, devices=[], device_groups=["g1", "g2"])
    with pytest.raises(ValueError, match=r"^No device to follow: the device group g1 has no devices\.$"):
        tail(api, devices=[], device_groups=["g1"])


def test_device_group_members_are_followed():
    api = Api(groups={"g1": ["d1", "d2"]})
    result = tail(api, items=[line("x")], devices=[], device_groups=["g1"], lines=1)
    assert result["devices"] == ["d1", "d2"] and result["_opened"] == [["d1", "d2"]]


# -- 7. one meaning per option name: timeout is the HTTP timeout, wait_timeout the wait (issue 25) ------------


class FakeTask:
    """What own_options() reads of a task: its data as written, its collections and its module_defaults."""

    def __init__(self, args, module_defaults=()):
        self.ds = {"name": "wait", "electricimp.impcentral.log_tail": dict(args)}
        self.collections = []
        self.module_defaults = list(module_defaults)

    def get_ds(self):
        return self.ds


GROUP_DEFAULTS = {"group/electricimp.impcentral.impcentral": {"timeout": 5, "username": "demo"}}


def test_a_group_default_timeout_is_the_http_timeout_only():
    """module_defaults for the action group with timeout: 5 (merged into the args) leave the wait at 300 s."""
    task = FakeTask({"devices": ["d1"]}, [GROUP_DEFAULTS])
    args, deprecated = log_tail.split_timeouts({"devices": ["d1"], "timeout": 5}, log_tail.own_options(task))
    assert (args["timeout"], args["wait_timeout"], deprecated) == (5, log_tail.WAIT_TIMEOUT, False)
    assert log_tail.WAIT_TIMEOUT == 300.0  # the documented default of wait_timeout
    waiting = log_tail.Tail(options(**{k: args[k] for k in ("timeout", "wait_timeout")}))
    assert waiting.deadline - waiting.started == pytest.approx(300.0)  # clock values: float arithmetic


def test_timeout_on_the_task_keeps_its_old_meaning_deprecated():
    task = FakeTask({"devices": ["d1"], "timeout": 30}, [GROUP_DEFAULTS])
    args, deprecated = log_tail.split_timeouts({"devices": ["d1"], "timeout": 30}, log_tail.own_options(task))
    assert (args["timeout"], args["wait_timeout"], deprecated) == (30.0, 30.0, True)
    by_name = FakeTask({"devices": ["d1"]}, [{"electricimp.impcentral.log_tail": {"timeout": 30}}])
    assert log_tail.split_timeouts({"timeout": 30}, log_tail.own_options(by_name))[1] is True


def test_wait_timeout_and_timeout_each_keep_their_own_meaning():
    task = FakeTask({"devices": ["d1"], "timeout": 7, "wait_timeout": 90})
    args, deprecated = log_tail.split_timeouts({"timeout": 7, "wait_timeout": 90}, log_tail.own_options(task))
    assert (args["timeout"], args["wait_timeout"], deprecated) == (7, 90, False)
    args, deprecated = log_tail.split_timeouts({}, log_tail.own_options(FakeTask({})))
    assert (args["timeout"], args["wait_timeout"], deprecated) == (log_tail.HTTP_TIMEOUT, 300.0, False)


def test_the_deprecation_names_the_removal_version(monkeypatch):
    monkeypatch.setattr(log_tail, "connect", mock.Mock(side_effect=ValueError("stop here")))
    monkeypatch.setattr(log_tail, "requests_missing", lambda: False)
    result = run_action({"devices": ["d1"], "timeout": 12})
    assert result["deprecations"] == [
        {"msg": log_tail.TIMEOUT_DEPRECATION, "version": "2.0.0", "collection_name": "electricimp.impcentral"}
    ]
    assert "Use wait_timeout for the wait" in log_tail.TIMEOUT_DEPRECATION


def test_product_scopes_the_device_group_names_only(monkeypatch):
    """Issue 25: log_tail's product option reaches the identification of device groups, not of devices."""
    seen = []
    monkeypatch.setattr(
        log_tail.identify, "one", lambda client, kind, value, product=None: seen.append((kind, value, product)) or {}
    )
    waiting = log_tail.Tail(options(device_groups=["Fleet dev"], product="Fleet"))
    waiting.lookup(None, "device_group", "Fleet dev")
    waiting.lookup(None, "device", "d1")
    assert seen == [("device_group", "Fleet dev", "Fleet"), ("device", "d1", None)]


def test_an_ambiguous_group_fails_in_both_modes_with_the_ways_to_choose(monkeypatch):
    twins = [_resource("development_devicegroup", "g1", name="Twin"), _resource("development_devicegroup", "g2")]
    error = log_tail.identify.ambiguous("device_group", "Twin", twins)
    monkeypatch.setattr(log_tail.identify, "one", mock.Mock(side_effect=error))
    monkeypatch.setattr(log_tail, "connect", mock.Mock(return_value="client"))
    monkeypatch.setattr(log_tail, "requests_missing", lambda: False)
    words = mock.Mock(return_value="Multiple Device Groups ... Choose one with the product option ...")
    monkeypatch.setattr(log_tail.identify, "how_to_choose", words)
    for check_mode in (False, True):
        result = run_action({"device_groups": ["Twin"], "wait_timeout": 1}, check_mode=check_mode)
        assert result["failed"] is True and result["msg"] == words.return_value
    assert words.call_args.args == ("client", error, "device_groups")
