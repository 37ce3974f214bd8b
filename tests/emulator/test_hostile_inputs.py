"""Hostile request bodies and admin calls: each is a 400 with a clear error, and nothing is stored."""

from __future__ import annotations

import requests
from emulator_api import error_of

PRODUCT = '{"data": {"type": "product", "attributes": {"name": "NAME"}}}'


def test_names_that_are_not_utf8_text_are_refused_and_not_stored(api, emulator):
    for name in (r"a\ud800b", r"bad\udcff\udcfename", r"\udfff"):
        response = api.session.post(api.base_url + "/products", data=PRODUCT.replace("NAME", name))
        assert response.status_code == 400, name
        assert "UTF-8" in error_of(response)["detail"]
    raw = api.session.post(api.base_url + "/products", data=PRODUCT.replace("NAME", "bad").encode() + b"\xff\xfe")
    assert raw.status_code == 400
    assert api.ok("GET", "/products") == []  # and the list still answers
    product = api.product("Good")
    patch = '{"data": {"type": "product", "attributes": {"name": "x\\ud800"}}}'
    assert api.session.patch(f"{api.base_url}/products/{product['id']}", data=patch).status_code == 400
    assert api.ok("GET", f"/products/{product['id']}")["attributes"]["name"] == "Good"


def test_admin_device_names_must_be_utf8_text(emulator):
    url = f"{emulator.root_url}/_emulator/devices"
    body = '{"owner": "demo", "name": "dev\\ud800"}'
    created = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert created.status_code == 400 and "UTF-8" in error_of(created)["detail"]
    device = emulator.add_device(name="plain")
    renamed = requests.patch(
        f"{url}/{device['id']}", data='{"name": "\\udc80"}', headers={"Content-Type": "application/json"}, timeout=10
    )
    assert renamed.status_code == 400
    assert emulator.admin("GET", f"devices/{device['id']}")["data"]["attributes"]["name"] == "plain"
    assert emulator.admin("GET", "state")["data"]["counts"]["device"] == 9


def test_deeply_nested_json_is_400(api, emulator):
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = api.session.post(api.base_url + "/products", data=body)
        assert response.status_code == 400 and "nested" in error_of(response)["detail"], depth
        admin = requests.post(f"{emulator.root_url}/_emulator/devices", data=body, timeout=10)
        assert admin.status_code == 400 and "nested" in error_of(admin)["detail"], depth
    shallow = {"data": {"type": "product", "attributes": {"name": "Shallow"}}}
    assert api.call("POST", "/products", shallow).status_code == 201


def test_admin_device_create_needs_an_owner(emulator):
    response = requests.post(f"{emulator.root_url}/_emulator/devices", json={"name": "orphan"}, timeout=10)
    assert response.status_code == 400 and "'owner'" in error_of(response)["detail"]
    assert emulator.admin("GET", "state")["data"]["counts"]["device"] == 8


def test_only_a_device_under_test_can_be_blessed(api, emulator, production_setup):
    fixture = production_setup["fixture"]["id"]
    unassigned = api.devices()[5]["id"]
    development = api.group(production_setup["product"], "Dev")
    in_development = api.devices()[6]["id"]
    assert api.assign(development, in_development).status_code == 204
    for device in (unassigned, in_development):
        response = requests.post(
            f"{emulator.root_url}/_emulator/devices/{device}/bless", json={"fixture": fixture}, timeout=10
        )
        assert response.status_code == 400 and "DUT" in error_of(response)["detail"]
    assert "devicegroup" not in api.ok("GET", f"/devices/{unassigned}")["relationships"]
    emulator.admin("POST", f"devices/{unassigned}/blinkup", {"fixture": fixture})
    dut = api.ok("GET", f"/devices/{unassigned}")["relationships"]["devicegroup"]["id"]
    assert dut == production_setup["dut"]["id"]
    emulator.admin("POST", f"devices/{unassigned}/bless", {"fixture": fixture})
    production = api.ok("GET", f"/devices/{unassigned}")["relationships"]["devicegroup"]["id"]
    assert production == production_setup["production"]["id"]
