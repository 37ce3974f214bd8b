"""The fixture contract of docs/dev/testing.md works."""

import requests


def test_fixture_contract(emulator):
    assert emulator.base_url.endswith("/v5")
    assert emulator.root_url + "/v5" == emulator.base_url
    token = emulator.token()
    device = emulator.add_device(name="extra")
    assert device["type"] == "device" and device["attributes"]["name"] == "extra"
    response = requests.get(f"{emulator.base_url}/products", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    log = emulator.requests()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("POST", "/v5/auth", 200),
        ("GET", "/v5/products", 200),
    ]
    emulator.clear_requests()
    assert emulator.requests() == []
