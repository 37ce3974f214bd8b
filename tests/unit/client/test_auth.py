"""Authentication: refresh on 401 and ahead of expiry, MFA, login keys, lazy login, token store."""

import datetime

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import MemoryTokenStore, Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AuthenticationError,
    MfaRequiredError,
)
from client_helpers import ACCESS, BASE, FAR, REFRESH, body_of, resource

ONE = {"data": resource()}
MFA_403 = {
    "errors": [
        {
            "status": "403",
            "code": "PX200",
            "title": "Multi-Factor Authentication Required",
            "detail": "Send the one-time password",
            "meta": {"login_token": "login-token-secret", "expires_at": FAR},
        }
    ]
}


def soon(seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


class RecordingStore(MemoryTokenStore):
    def __init__(self, tokens=None):
        super().__init__(tokens)
        self.saved = []

    def save(self, tokens):
        super().save(tokens)
        self.saved.append(tokens)


def test_401_refresh_then_success(rsps, make_client):
    store = RecordingStore()
    client = make_client(token_store=store)
    rsps.get(BASE + "/products/p1", status=401, json={"errors": [{"title": "Unauthorized", "detail": "expired"}]})
    rsps.post(BASE + "/auth/token", json={"access_token": "fresh-access", "expires_in": 3600, "expires_at": FAR})
    rsps.get(BASE + "/products/p1", json=ONE)
    assert client.products.get("p1")["id"] == "p1"
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer " + ACCESS
    assert body_of(rsps.calls[1]) == {"token": REFRESH}
    assert rsps.calls[2].request.headers["Authorization"] == "Bearer fresh-access"
    assert store.saved[-1].access_token == "fresh-access"
    assert store.saved[-1].refresh_token == REFRESH


def test_second_401_is_raised(rsps, client):
    rsps.get(BASE + "/products/p1", status=401)
    rsps.post(BASE + "/auth/token", json={"access_token": "fresh", "expires_at": FAR})
    rsps.get(BASE + "/products/p1", status=401)
    with pytest.raises(AuthenticationError):
        client.products.get("p1")


def test_refresh_ahead_of_expiry(rsps, make_client):
    client = make_client(tokens=Tokens(ACCESS, soon(60), REFRESH))
    rsps.post(BASE + "/auth/token", json={"access_token": "ahead", "expires_in": 3600, "expires_at": FAR})
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer ahead"


def test_no_refresh_when_plenty_left(rsps, make_client):
    client = make_client(tokens=Tokens(ACCESS, soon(600), REFRESH))
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert len(rsps.calls) == 1


def test_expired_token_with_login_key_exchanges_the_key(rsps, make_client):
    client = make_client(tokens=Tokens(ACCESS, soon(-10), None, "0123456789abcdef"))
    rsps.post(BASE + "/auth/token", json={"access_token": "from-key", "expires_at": FAR})
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert body_of(rsps.calls[0]) == {"key": "0123456789abcdef"}
    assert client.tokens.login_key == "0123456789abcdef"


def test_refresh_404_says_log_in_again(rsps, make_client):
    client = make_client(tokens=Tokens(ACCESS, soon(-10), REFRESH))
    rsps.post(BASE + "/auth/token", status=404, json={"errors": [{"title": "Not Found", "detail": "x"}]})
    with pytest.raises(AuthenticationError) as caught:
        client.products.get("p1")
    assert "log in again" in str(caught.value)


def test_mfa_with_otp_callback(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth", status=403, json=MFA_403)
    rsps.post(BASE + "/auth", json={"access_token": "mfa-access", "expires_at": FAR, "refresh_token": "mfa-refresh"})
    tokens = client.login("mfa", "mfa-password", otp_callback=lambda: "123456")
    assert body_of(rsps.calls[1]) == {"login_token": "login-token-secret"}
    assert rsps.calls[1].request.headers["X-Electricimp-OTP-Token"] == "123456"
    assert tokens.access_token == "mfa-access"


def test_mfa_with_otp_argument(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth", status=403, json=MFA_403)
    rsps.post(BASE + "/auth", json={"access_token": "mfa-access", "expires_at": FAR})
    client.login("mfa", "mfa-password", otp="654321")
    assert rsps.calls[1].request.headers["X-Electricimp-OTP-Token"] == "654321"


def test_mfa_required_without_otp(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth", status=403, json=MFA_403)
    with pytest.raises(MfaRequiredError) as caught:
        client.login("mfa", "mfa-password")
    error = caught.value
    assert error.login_token == "login-token-secret"
    assert error.code == "PX200"
    for text in (str(error), repr(error), repr(error.to_dict()), error.describe()):
        assert "login-token-secret" not in text
        assert "mfa-password" not in text


def test_lazy_login_with_credentials(rsps, make_client):
    client = make_client(tokens=None)
    client.set_credentials(user="demo", password="demo-password")
    rsps.post(BASE + "/auth", json={"access_token": "lazy", "expires_at": FAR, "refresh_token": "r"})
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert body_of(rsps.calls[0]) == {"id": "demo", "password": "demo-password"}
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer lazy"


def test_lazy_login_with_login_key(rsps, make_client):
    client = make_client(tokens=None)
    client.set_credentials(login_key="0123456789abcdef")
    rsps.post(BASE + "/auth/token", json={"access_token": "k", "expires_at": FAR})
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert body_of(rsps.calls[0]) == {"key": "0123456789abcdef"}


def test_no_credentials_fails_without_a_request(rsps, make_client):
    client = make_client(tokens=None)
    with pytest.raises(AuthenticationError) as caught:
        client.products.get("p1")
    assert "Not logged in" in str(caught.value)


def test_tokens_loaded_from_store(rsps, make_client):
    store = MemoryTokenStore(Tokens("stored-access", FAR, None))
    client = make_client(tokens=None, token_store=store)
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer stored-access"


def test_tokens_round_trip_and_repr():
    tokens = Tokens("secret-access", FAR, "secret-refresh", "secret-key")
    assert Tokens.from_dict(tokens.to_dict()) == tokens
    assert "secret" not in repr(tokens)
    assert tokens.expires_in() > 3600
