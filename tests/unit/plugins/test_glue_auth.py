"""glue_auth.connect: an impt auth file reused and written back, a password login cached between tasks."""

import json
import os
import stat

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth_file import AuthFileStore
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import ConnectionOptionError, connect
from imp_playback import BASE, both_modes_fail, page
from responses import registries


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


@pytest.mark.parametrize(
    "option, value", [("timeout", -1), ("timeout", 0), ("timeout", float("nan")), ("max_retries", -1)]
)
def test_bad_connection_options_fail_with_a_clear_message(auth_file, option, value):
    args = {"name": "Thermostat", option: value, "auth_file": auth_file}
    for result in both_modes_fail("product", args, []):
        assert result["msg"].startswith(option + " must be"), result["msg"]


def test_connect_refuses_a_negative_timeout():
    with pytest.raises(ConnectionOptionError, match="timeout"):
        connect({"timeout": -1, "login_key": "k"})
    with pytest.raises(ConnectionOptionError, match="max_retries"):
        connect({"max_retries": -2, "login_key": "k"})


def test_missing_auth_file_is_named(tmp_path):
    missing = str(tmp_path / "nonexistent")
    for result in both_modes_fail("product", {"name": "Thermostat", "auth_file": missing}, []):
        assert result["msg"].startswith(f"Auth file {missing} does not exist."), result["msg"]
        assert "401" not in result["msg"]


def test_auth_file_of_another_endpoint_is_named(auth_file):
    args = {"name": "Thermostat", "auth_file": auth_file, "endpoint": "https://other.test/v5"}
    for result in both_modes_fail("product", args, []):
        assert result["msg"].startswith(f"Auth file {auth_file} holds a login for https://api.test/v5"), result
        assert "https://other.test/v5" in result["msg"]


def test_no_credentials_at_all_has_no_empty_request_in_the_message():
    for result in both_modes_fail("product", {"name": "Thermostat"}, []):
        assert "( " not in result["msg"] and "-> 401" not in result["msg"], result["msg"]
