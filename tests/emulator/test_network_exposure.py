"""What the emulator exposes: webhook targets, the admin API off loopback, URLs, the request log."""

from __future__ import annotations

import requests
from emulator_api import error_of
from emulator_process import start_emulator


def _hook(api, group: dict, url: str) -> requests.Response:
    body = {
        "data": {
            "type": "webhook",
            "attributes": {"url": url, "event": "deployment", "content_type": "application/json"},
            "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
        }
    }
    return api.call("POST", "/webhooks", body)


def test_webhooks_cannot_target_the_admin_api_or_link_local_addresses(api, emulator):
    group = api.group(api.product())
    refused = [
        f"{emulator.root_url}/_emulator/reset",
        f"{emulator.root_url}/_EMULATOR/reset",
        f"{emulator.root_url}/v5/../_emulator/reset",
        f"{emulator.root_url}/%5Femulator/faults",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://100.100.100.200/latest/meta-data/",
    ]
    for url in refused:
        response = _hook(api, group, url)
        assert response.status_code == 400 and error_of(response)["code"] == "VX012", url
    assert api.ok("GET", "/webhooks") == []
    allowed = _hook(api, group, f"{emulator.root_url}/receiver")
    assert allowed.status_code == 201  # loopback receivers, as the demo uses, stay allowed
    patch = {"data": {"type": "webhook", "attributes": {"url": "http://169.254.169.254/"}}}
    hook = allowed.json()["data"]
    assert api.call("PATCH", f"/webhooks/{hook['id']}", patch).status_code == 400


def test_a_name_resolving_to_link_local_is_not_delivered(api, emulator):
    group = api.group(api.product())
    assert _hook(api, group, "http://2852039166/hook").status_code == 201  # 169.254.169.254 in decimal
    api.deploy(group, 'server.log("x");')
    for _ in range(100):
        deliveries = emulator.admin("GET", "webhooks")["data"]
        if deliveries and deliveries[0]["error"]:
            break
        requests.get(f"{emulator.root_url}/_emulator/state", timeout=10)
    assert deliveries[0]["status"] is None and "link-local" in deliveries[0]["error"]


def test_request_log_masks_login_key_ids(api, emulator):
    password = {"X-Electricimp-Password": "demo-password"}
    key = api.ok("POST", "/accounts/me/login_keys", {"data": {"type": "login_key"}}, headers=password)
    api.ok("GET", f"/accounts/me/login_keys/{key['id']}")
    api.ok("DELETE", f"/accounts/me/login_keys/{key['id']}", headers=password)
    paths = [entry["path"] for entry in emulator.requests()]
    assert not any(key["id"] in path for path in paths)
    assert "/v5/accounts/me/login_keys/[hidden]" in paths


def test_loopback_host_keeps_the_admin_api_open():
    with start_emulator("--host", "127.0.0.1", "--seed", "empty") as emu:
        assert requests.get(f"{emu.root_url}/_emulator/state", timeout=10).status_code == 200


def test_any_address_warns_and_guards_the_admin_api_with_a_token():
    token = "t" * 24
    with start_emulator("--host", "0.0.0.0", "--seed", "empty", "--admin-token", token) as emu:  # noqa: S104
        assert emu.base_url.startswith("http://0.0.0.0:")
        state = f"{emu.root_url}/_emulator/state"
        denied = requests.get(state, timeout=10)
        assert denied.status_code == 401 and "admin token" in error_of(denied)["detail"]
        wrong = requests.post(f"{emu.root_url}/_emulator/reset", headers={"Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401
        assert requests.get(state, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200
        login = requests.post(f"{emu.base_url}/auth", json={"id": "demo", "password": "demo-password"}, timeout=10)
        assert login.status_code == 200  # /v5 is unchanged


def test_ipv6_any_address_prints_a_usable_url(capfd):
    with start_emulator("--host", "::", "--seed", "empty") as emu:
        assert emu.base_url.startswith("http://[::]:") and emu.base_url.endswith("/v5")
        port = emu.base_url.rsplit(":", 1)[1].split("/")[0]
        assert requests.get(f"http://[::1]:{port}/_emulator/state", timeout=10).status_code == 401
    err = capfd.readouterr().err
    assert "warning: --host :: exposes" in err and "admin token: " in err
