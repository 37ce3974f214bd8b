"""glue_auth.connect: an impt auth file reused and written back, a password login cached between tasks."""

import json
import os
import stat

import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.auth_file import AuthFileStore
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue_auth import connect
from imp_playback import BASE, page
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
