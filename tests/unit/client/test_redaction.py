"""No secret reaches a debug event or an error message."""

import json

import pytest
import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    ImpCentralClientError,
    MfaRequiredError,
)
from client_helpers import ACCESS, BASE, FAR

SECRETS = [
    "user-password-1",
    "one-time-999",
    "login-token-abc",
    "access-1111aaaa",
    "refresh-2222bbbb",
    "fedcba9876543210",  # login key id
    "0123456789abcdef",  # a created login key id
    "unbond-key-33",
    "access-after-mfa",
    "access-key-exchange",
]


def assert_clean(things):
    text = json.dumps(things, default=str)
    for secret in SECRETS:
        assert secret not in text, secret


def test_debug_events_and_errors_hide_every_secret(rsps, make_client, events):
    client = make_client(tokens=None)
    mfa = {
        "errors": [
            {
                "status": "403",
                "code": "PX200",
                "title": "MFA",
                "detail": "otp needed",
                "meta": {"login_token": "login-token-abc"},
            }
        ]
    }
    rsps.post(BASE + "/auth", status=403, json=mfa)
    rsps.post(
        BASE + "/auth",
        json={"access_token": "access-after-mfa", "expires_at": FAR, "refresh_token": "refresh-2222bbbb"},
    )
    client.login("demo", "user-password-1", otp="one-time-999")

    rsps.post(BASE + "/auth/token", json={"access_token": "access-key-exchange", "expires_at": FAR})
    client.login_with_key("fedcba9876543210")

    rsps.post(
        BASE + "/accounts/me/login_keys",
        status=201,
        json={"data": {"type": "login_key", "id": "0123456789abcdef", "attributes": {"usages": 0}}},
    )
    created = client.login_keys.create("user-password-1", description="ci")
    assert created["id"] == "0123456789abcdef"  # the caller still gets the key

    rsps.get(
        BASE + "/accounts/me/login_keys",
        json={"data": [{"type": "login_key", "id": "fedcba9876543210", "attributes": {}}], "links": {}},
    )
    client.login_keys.list()

    rsps.patch(
        BASE + "/accounts/me/login_keys/fedcba9876543210",
        status=403,
        json={"errors": [{"title": "Invalid Password", "detail": "bad password user-password-1"}]},
    )
    errors = []
    with pytest.raises(ImpCentralClientError) as caught:
        client.login_keys.update("fedcba9876543210", "user-password-1", "x")
    errors.append(caught.value)

    rsps.delete(BASE + "/devicegroups/g1/relationships/devices", status=204)
    client.device_groups.remove_devices("g1", ["d1"], unbond_key="unbond-key-33")

    rsps.get(BASE + "/products", body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(ImpCentralClientError) as caught:
        make_client(max_retries=0).products.list()
    errors.append(caught.value)

    assert events, "the hook saw nothing"
    assert any(e.get("headers", {}).get("Authorization") == "[hidden]" for e in events)
    assert_clean(events)
    for error in errors:
        assert_clean([str(error), repr(error), getattr(error, "to_dict", dict)(), str(vars(error))])


def test_mfa_error_keeps_login_token_only_as_attribute(rsps, make_client, events):
    client = make_client(tokens=None)
    rsps.post(
        BASE + "/auth",
        status=403,
        json={"errors": [{"code": "PX200", "title": "t", "detail": "d", "meta": {"login_token": "login-token-abc"}}]},
    )
    with pytest.raises(MfaRequiredError) as caught:
        client.login("demo", "user-password-1")
    assert caught.value.login_token == "login-token-abc"
    assert_clean([str(caught.value), caught.value.to_dict(), caught.value.errors, events])


def test_user_id_is_not_hidden(rsps, make_client, events):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth", json={"access_token": "access-1111aaaa", "expires_at": FAR})
    client.login("visible-user", "user-password-1")
    assert events[0]["body"] == {"id": "visible-user", "password": "[hidden]"}
    assert events[1]["status"] == 200 and "elapsed" in events[1]


def test_netrc_credentials_never_replace_the_bearer_token(rsps, client, tmp_path, monkeypatch):
    """requests fills in ~/.netrc credentials when a request has no auth; ours must not."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.test login netrc-user password netrc-secret-1\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    rsps.get(BASE + "/products/p1", json={"data": {"type": "product", "id": "p1", "attributes": {}}})
    client.products.get("p1")
    sent = rsps.calls[0].request.headers["Authorization"]
    assert sent == "Bearer " + ACCESS and "netrc-secret-1" not in sent
