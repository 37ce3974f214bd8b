"""Rendering fetches nothing: `related.Catalog` fetches what `display` shows first, once, in impt's order."""

from urllib.parse import urlsplit

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

from impt import display
from impt.related import Catalog

BASE = "http://api.test/v5"
ME = {"type": "account", "id": "me", "attributes": {"username": "demo", "email": "demo@example.com"}}


def _group(gid, name):
    return {"type": "development_devicegroup", "id": gid, "attributes": {"name": name}, "relationships": {}}


def _device(did, gid, owner="me"):
    return {
        "type": "device",
        "id": did,
        "attributes": {"name": did, "device_online": True},
        "relationships": {
            "devicegroup": {"type": "development_devicegroup", "id": gid},
            "owner": {"type": "account", "id": owner},
        },
    }


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def catalog():
    client = ImpCentralClient(BASE)
    client.set_tokens(Tokens("access", "2099-01-01T00:00:00.000Z"))
    return Catalog(client)


def _paths(api):
    return [urlsplit(call.request.url).path for call in api.calls]


def test_a_list_fetches_its_related_groups_in_one_listing_then_renders_without_requests(api, catalog):
    api.get(f"{BASE}/devicegroups", json={"data": [_group("g1", "G1"), _group("g2", "G2")], "links": {}})
    api.get(f"{BASE}/accounts/me", json={"data": ME})
    devices = [_device("d1", "g1"), _device("d2", "g2")]
    related = catalog.prepare("device", devices)
    assert _paths(api) == ["/v5/devicegroups", "/v5/accounts/me"]
    rendered = display.entries("device", devices, related)  # strict mock: any request here would fail
    assert rendered[1] == {
        "Device": {
            "id": "d2",
            "name": "d2",
            "device_online": True,
            "Device Group": {"id": "g2", "type": "development", "name": "G2"},
        }
    }
    assert "Owner" not in rendered[0]["Device"]  # the caller's own account is not shown
    assert len(api.calls) == 2


def test_a_related_entity_that_is_gone_renders_as_unknown(api, catalog):
    api.get(f"{BASE}/devicegroups/g9", status=404, json={"errors": [{"status": "404", "title": "Not Found"}]})
    api.get(f"{BASE}/accounts/me", json={"data": ME})
    device = _device("d1", "g9")
    shown = catalog.entry("device", device)
    assert shown["Device"]["Device Group"] == {"id": "g9", "type": "unknown"}


def test_rendering_what_was_not_fetched_is_a_bug_not_a_request():
    with pytest.raises(KeyError):
        display.entry("device", _device("d1", "g1", owner="someone"), display.Related({}, "me"))


def test_short_forms_leave_out_false_and_empty_values_info_keeps_them():
    build = {"type": "deployment", "id": "b1", "attributes": {"sha": "s", "tags": [], "origin": "", "flagged": False}}
    assert display.short("deployment", build) == {"id": "b1", "sha": "s"}
    group = {"type": "development_devicegroup", "id": "g1", "attributes": {"name": "G", "env_vars": {}, "x": None}}
    shown = display.full_attributes("device_group", group)
    assert shown["env_vars"] == {} and shown["x"] == ""
