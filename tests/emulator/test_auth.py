"""Spec §2 and §3: logins, MFA, token exchange, refresh tokens and login keys."""

import re

import requests
from emulator_api import Api, error_of


def login(emulator, user="demo", password="demo-password", **kwargs):
    return requests.post(f"{emulator.base_url}/auth", json={"id": user, "password": password}, **kwargs)


def test_password_login_returns_plain_json_tokens(emulator):
    response = login(emulator)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "expires_at", "refresh_token"}
    assert body["expires_in"] == 3600
    assert re.fullmatch(r"[0-9a-f]{64}", body["refresh_token"])
    assert re.fullmatch(r"[A-Za-z0-9+/=]{100,}", body["access_token"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["expires_at"])


def test_login_by_email_and_wrong_password(emulator):
    assert login(emulator, "demo@example.com").status_code == 200
    response = login(emulator, "demo", "nope")
    assert response.status_code == 401
    assert error_of(response)["status"] == "401"


def test_empty_login_id_is_400(emulator):
    assert login(emulator, "").status_code == 400


def test_mfa_flow_with_otp_header_and_legacy_body(emulator):
    first = login(emulator, "mfa", "mfa-password")
    assert first.status_code == 403
    error = error_of(first)
    assert error["status"] == "403" and error["code"] == "PX200"
    assert set(error["meta"]) == {"login_token", "expires_at"}
    bad = requests.post(
        f"{emulator.base_url}/auth",
        json={"login_token": error["meta"]["login_token"]},
        headers={"X-Electricimp-OTP-Token": "000000"},
    )
    assert bad.status_code == 401
    good = requests.post(
        f"{emulator.base_url}/auth",
        json={"login_token": error["meta"]["login_token"]},
        headers={"X-Electricimp-OTP-Token": "123456"},
    )
    assert good.status_code == 200 and "refresh_token" in good.json()
    token = error_of(login(emulator, "mfa", "mfa-password"))["meta"]["login_token"]
    legacy = requests.post(f"{emulator.base_url}/auth", json={"login_token": token, "password": "123456"})
    assert legacy.status_code == 200


def test_refresh_token_exchange_gives_no_new_refresh_token(emulator):
    refresh = login(emulator).json()["refresh_token"]
    response = requests.post(f"{emulator.base_url}/auth/token", json={"token": refresh})
    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "expires_in", "expires_at"}
    api = Api(emulator.base_url, response.json()["access_token"])
    assert api.me()["attributes"]["username"] == "demo"


def test_unknown_refresh_token_or_login_key_is_404(emulator):
    for body in ({"token": "0" * 64}, {"key": "0123456789abcdef"}):
        response = requests.post(f"{emulator.base_url}/auth/token", json=body)
        assert response.status_code == 404
        assert error_of(response)["status"] == "404"


def test_resource_endpoints_need_a_valid_token(emulator):
    assert requests.get(f"{emulator.base_url}/products").status_code == 401
    bad = requests.get(f"{emulator.base_url}/products", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert error_of(bad)["status"] == "401"


def test_at_most_five_refresh_tokens_oldest_evicted(emulator, api):
    tokens = [login(emulator).json()["refresh_token"] for _ in range(6)]
    listed = {t["id"] for t in api.ok("GET", "/accounts/me/refresh_tokens")}
    assert len(listed) == 5
    assert tokens[0] not in listed and tokens[-1] in listed
    assert requests.post(f"{emulator.base_url}/auth/token", json={"token": tokens[0]}).status_code == 404


def test_deleted_refresh_token_unusable_but_access_token_stays(emulator):
    body = login(emulator).json()
    api = Api(emulator.base_url, body["access_token"])
    api.ok("DELETE", f"/accounts/me/refresh_tokens/{body['refresh_token']}")
    assert requests.post(f"{emulator.base_url}/auth/token", json={"token": body["refresh_token"]}).status_code == 404
    assert api.get("/accounts/me").status_code == 200


def test_login_key_writes_need_the_password(api):
    body = {"data": {"type": "login_key", "attributes": {"description": "ci"}}}
    missing = api.call("POST", "/accounts/me/login_keys", body)
    assert missing.status_code == 403 and error_of(missing)["code"] == "PX002"
    wrong = api.call("POST", "/accounts/me/login_keys", body, headers={"X-Electricimp-Password": "x"})
    assert wrong.status_code == 403 and error_of(wrong)["code"] == "PX002"


def test_login_key_lifecycle_and_exchange(emulator, api):
    pw = {"X-Electricimp-Password": "demo-password"}
    body = {"data": {"type": "login_key", "attributes": {}}}
    key = api.ok("POST", "/accounts/me/login_keys", body, headers=pw)
    assert re.fullmatch(r"[0-9a-f]{16}", key["id"])
    assert key["attributes"]["usages"] == 0
    exchanged = requests.post(f"{emulator.base_url}/auth/token", json={"key": key["id"]})
    assert exchanged.status_code == 200 and "refresh_token" not in exchanged.json()
    assert api.ok("GET", f"/accounts/me/login_keys/{key['id']}")["attributes"]["usages"] == 1
    patch = {"data": {"type": "login_key", "id": key["id"], "attributes": {"description": "renamed"}}}
    assert api.ok("PATCH", f"/accounts/me/login_keys/{key['id']}", patch, headers=pw)["attributes"] == {
        **key["attributes"],
        "description": "renamed",
        "usages": 1,
        "updated_at": api.ok("GET", f"/accounts/me/login_keys/{key['id']}")["attributes"]["updated_at"],
    }
    api.ok("DELETE", f"/accounts/me/login_keys/{key['id']}", headers=pw)
    assert api.call("DELETE", f"/accounts/me/login_keys/{key['id']}", headers=pw).status_code == 404


def test_login_key_limit_is_ten(api):
    pw = {"X-Electricimp-Password": "demo-password"}
    body = {"data": {"type": "login_key", "attributes": {}}}
    for _ in range(10):
        api.ok("POST", "/accounts/me/login_keys", body, headers=pw)
    response = api.call("POST", "/accounts/me/login_keys", body, headers=pw)
    assert response.status_code == 400
    assert error_of(response)["title"] == "Account Limit Reached"
    page = api.get("/accounts/me/login_keys?page[size]=1").json()
    assert len(page["data"]) == 1 and "next" in page["links"]


def test_accounts_list_own_and_collaborated(api, collab_api):
    assert [a["attributes"]["username"] for a in api.ok("GET", "/accounts")] == ["demo"]
    names = sorted(a["attributes"]["username"] for a in collab_api.ok("GET", "/accounts"))
    assert names == ["collab", "demo"]
    demo_id = api.me()["id"]
    assert collab_api.ok("GET", f"/accounts/{demo_id}")["attributes"]["email"] == "demo@example.com"
    collab_id = collab_api.me()["id"]
    assert api.get(f"/accounts/{collab_id}").status_code == 403
    assert api.get("/accounts/wrong-id").status_code == 404
    assert api.get("/accounts?filter[owner.id]=x").status_code == 400
