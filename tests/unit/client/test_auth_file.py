"""The auth file the console and the plugins share: layout, atomic private writes, what load() accepts."""

import json
import os
import stat

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth_file import (
    AuthFileError,
    AuthFileStore,
    read_auth_file,
    write_private_file,
)

TOKENS = Tokens(access_token="acc", expires_at="2030-01-01T00:00:00.000Z", refresh_token="ref", login_key="key")


def test_save_writes_impt_layout_privately(tmp_path):
    path = tmp_path / ".impt.auth"
    AuthFileStore(str(path), "http://e/v5").save(TOKENS)
    text = path.read_text()
    assert not text.endswith("\n") and text.startswith('{\n  "endpoint"')
    assert list(json.loads(text)) == ["endpoint", "accessToken", "expiresAt", "loginKey", "refreshToken"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == [".impt.auth"]


def test_keep_flags_leave_secrets_out(tmp_path):
    path = tmp_path / "cache.json"
    AuthFileStore(str(path), "http://e/v5", keep_login_key=False).save(TOKENS)
    assert "loginKey" not in json.loads(path.read_text())
    AuthFileStore(str(path), "http://e/v5", keep_login_key=False, keep_refresh_token=False).save(TOKENS)
    assert list(json.loads(path.read_text())) == ["endpoint", "accessToken", "expiresAt"]


def test_load_missing_other_endpoint_and_corrupted(tmp_path):
    path = tmp_path / ".impt.auth"
    assert AuthFileStore(str(path), "http://e/v5").load() is None
    AuthFileStore(str(path), "http://e/v5").save(TOKENS)
    assert AuthFileStore(str(path), "http://e/v5/").load() == TOKENS
    assert AuthFileStore(str(path), "http://other/v5").load() is None
    path.write_text('{"endpoint": "http://e/v5"}')
    with pytest.raises(AuthFileError) as raised:
        AuthFileStore(str(path), "http://e/v5").load()
    assert not raised.value.missing and "corrupted" in str(raised.value)
    with pytest.raises(AuthFileError) as raised:
        read_auth_file(str(tmp_path / "nope"))
    assert raised.value.missing


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / ".impt.auth"
    write_private_file(str(path), "old")

    def broken_replace(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_private_file(str(path), "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == [".impt.auth"]
