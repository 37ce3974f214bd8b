"""Lookups (identification, return/expect_one/on_missing, unsafe), log_tail (deadline, regexes), token reuse."""

import importlib
import json
import os
import stat

import pytest
import responses
from ansible.errors import AnsibleLookupError
from ansible_collections.electricimp.impcentral.plugins.action import log_tail
from ansible_collections.electricimp.impcentral.plugins.module_utils.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.auth_file import AuthFileStore
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue_auth import connect
from ansible_collections.electricimp.impcentral.plugins.module_utils.logs import Gap, LogLine
from imp_playback import BASE, DG, PRODUCT, group, one, page, product
from responses import registries
from test_log_tail import options


def lookup(name, terms, auth_file, **kwargs):
    """Run a lookup with its options given directly (the option plumbing itself is exercised by the
    integration playbooks; here an in-process plugin loader would disturb the module imports)."""
    plugin = importlib.import_module(f"ansible_collections.electricimp.impcentral.plugins.lookup.{name}").LookupModule()
    options = {"auth_file": auth_file, "return": "id", "expect_one": True, "on_missing": "error", "token_cache": True}
    options.update(kwargs)
    plugin.set_options = lambda var_options=None, direct=None: None
    plugin.get_option = options.get
    return plugin.run(terms)


def test_product_lookup_by_name_returns_unsafe_id(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        result = lookup("product", ["Thermostat"], auth_file)
    assert result == [PRODUCT]


def test_device_group_lookup_hierarchical_entity(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/accounts/me", json=one({"type": "account", "id": "acc", "attributes": {}}))
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        result = lookup("device_group", ["{me}{Thermostat}{dev}"], auth_file, **{"return": "entity"})
    assert result[0]["id"] == DG and result[0]["type"] == "development"


def test_bad_connection_options_are_lookup_errors(tmp_path):
    """A missing auth file or an impossible timeout is an AnsibleLookupError, not an unhandled exception."""
    with pytest.raises(AnsibleLookupError, match="Product lookup failed: .*does not exist"):
        lookup("product", ["P"], str(tmp_path / "missing.auth"))
    with pytest.raises(AnsibleLookupError, match="Product lookup failed: .*timeout"):
        lookup("product", ["P"], str(tmp_path / "missing.auth"), timeout=-1)


def test_on_missing(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page())
        mock.add("GET", f"{BASE}/products", json=page())
        assert lookup("product", ["nope"], auth_file, on_missing="skip") == []
        with pytest.raises(AnsibleLookupError, match='Product "nope" is not found'):
            lookup("product", ["nope"], auth_file)


def test_expect_one(auth_file):
    twins = page(product(), product(rid="bbbbbbbb-0000-0000-0000-000000000002"))
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=twins)
        mock.add("GET", f"{BASE}/products", json=twins)
        with pytest.raises(AnsibleLookupError, match="matches 2"):
            lookup("product", ["Thermostat"], auth_file)
        assert len(lookup("product", ["Thermostat"], auth_file, expect_one=False)) == 2


class FakeLogs:
    def __init__(self, items):
        self.items = items

    def follow(self, devices, stop=None):
        yield from self.items
        stop.wait(30)


class FakeClient:
    def __init__(self, items):
        self.logs = FakeLogs(items)
        self.identify = self
        self.devices = self

    def one(self, kind, value):
        return {"id": value}

    def iter_logs(self, device):
        return iter(
            [
                {"ts": "2026-01-01T00:00:02.000Z", "type": "server.log", "msg": "booting"},
                {"ts": "2025-01-01T00:00:00.000Z", "type": "server.log", "msg": "too old"},
            ]
        )


def tail(items, **args):
    waiting = log_tail.Tail(options(**args))
    waiting.run(FakeClient(items))
    return waiting.report()


def line(msg):
    return LogLine("d1", "2026-01-01T00:00:03.000Z", "development", "server.log", msg)


def test_log_tail_matches_with_groups_and_reports_gaps():
    result = tail(
        [line("hello"), Gap("log stream ended", "x"), line("firmware 2.1 ready")],
        search_regex=r"firmware (\d+\.\d+) ready",
        since="2026-01-01T00:00:00Z",
    )
    assert result["matched"] and result["match_groups"] == ["2.1"] and not result.get("failed")
    assert [x["msg"] for x in result["lines"]] == ["booting", "hello", "firmware 2.1 ready"]
    assert result["gaps"] == [{"reason": "log stream ended", "since": "x"}]


def test_log_tail_fail_regex_and_timeout_keep_lines():
    result = tail([line("ok"), line("ERROR boom")], search_regex="ready", fail_regex="ERROR")
    assert result["failed"] and "fail_regex" in result["msg"] and len(result["lines"]) == 2
    result = tail([line("ok")], search_regex="ready", timeout=0.3)
    assert result["failed"] and "Timed out" in result["msg"] and result["lines"][0]["msg"] == "ok"
    assert 0.3 <= result["elapsed"] < 2


def test_log_tail_lines_limit_without_regex():
    result = tail([line("a"), line("b"), line("c")], lines=2)
    assert not result.get("failed") and len(result["lines"]) == 2


def test_auth_file_is_reused_and_written_back_0600(tmp_path):
    path = tmp_path / ".impt.auth"
    path.write_text(
        json.dumps(
            {"endpoint": BASE, "accessToken": "old", "expiresAt": "2099-01-01T00:00:00.000Z", "refreshToken": "r" * 64}
        )
    )
    client = connect({"auth_file": str(path)})
    assert client.endpoint == BASE and client.tokens.access_token == "old"
    AuthFileStore(str(path), BASE).save(
        Tokens(access_token="new", expires_at="2099-01-02T00:00:00.000Z", refresh_token="r" * 64, login_key=None)
    )
    saved = path.read_text()
    assert json.loads(saved) == {
        "endpoint": BASE,
        "accessToken": "new",
        "expiresAt": "2099-01-02T00:00:00.000Z",
        "refreshToken": "r" * 64,
    }
    assert saved.startswith('{\n  "endpoint"') and not saved.endswith("\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_password_login_is_cached_between_tasks(tmp_path):
    options = {"endpoint": BASE, "username": "demo", "password": "pw"}
    answer = {
        "access_token": "tok",
        "expires_in": 3600,
        "expires_at": "2099-01-01T00:00:00.000Z",
        "refresh_token": "r" * 64,
    }
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("POST", f"{BASE}/auth", json=answer)
        mock.add("GET", f"{BASE}/products", json=page())
        mock.add("GET", f"{BASE}/products", json=page())
        connect(options).products.list()
        connect(options).products.list()  # second "task": no login
    files = list((tmp_path / "cache" / "electricimp.impcentral").iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert "pw" not in files[0].name and "demo" not in files[0].read_text()
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("POST", f"{BASE}/auth", json=answer)
        mock.add("GET", f"{BASE}/products", json=page())
        connect(dict(options, password="other")).products.list()  # other password: cache miss
