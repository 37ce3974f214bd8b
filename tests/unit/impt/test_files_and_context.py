"""Auth file format, atomic writes, context precedence and the project file."""

import json
import os
import stat

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens

from impt.context import find_auth_source
from impt.errors import AuthError, ImptError
from impt.files import auth_file_store, auth_file_text, read_auth_file, read_project, write_atomically


def tokens(access_token="acc", refresh_token="ref", login_key=None):
    """The client's own token record, as a login would hand it to the auth file store."""
    return Tokens(access_token, "2030-01-01T00:00:00.000Z", refresh_token, login_key)


def test_auth_file_layout():
    text = auth_file_text("http://e/v5", tokens())
    assert not text.endswith("\n")
    assert list(json.loads(text)) == ["endpoint", "accessToken", "expiresAt", "refreshToken"]
    assert text.startswith('{\n  "endpoint"')
    assert "refreshToken" not in auth_file_text("http://e/v5", tokens(), temp=True)


def test_atomic_write_mode_and_no_leftovers(tmp_path):
    target = tmp_path / ".impt.auth"
    write_atomically(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == [".impt.auth"]


def test_broken_and_incomplete_auth_files(tmp_path):
    path = tmp_path / ".impt.auth"
    path.write_text("{not json")
    with pytest.raises(AuthError, match="Local Auth File is corrupted."):
        read_auth_file(path, "Local Auth File")
    path.write_text('{"endpoint": "x"}')
    with pytest.raises(AuthError, match="corrupted"):
        read_auth_file(path, "Local Auth File")


def test_store_writes_back_refreshed_tokens(tmp_path):
    path = tmp_path / ".impt.auth"
    data = {"endpoint": "http://e/v5", "accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z", "refreshToken": "r"}
    store = auth_file_store(path, "http://e/v5", data)
    store.save(tokens(access_token="new", refresh_token="r"))
    saved = json.loads(path.read_text())
    assert saved["accessToken"] == "new" and saved["refreshToken"] == "r"


def test_a_temp_login_stays_temporary(tmp_path):
    """`auth login --temp` saved neither key nor refresh token; a later save must not add them."""
    path = tmp_path / ".impt.auth"
    data = {"endpoint": "http://e/v5", "accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z"}
    auth_file_store(path, "http://e/v5", data).save(tokens(access_token="new", refresh_token="r", login_key="k"))
    assert list(json.loads(path.read_text())) == ["endpoint", "accessToken", "expiresAt"]


def write_auth(directory):
    (directory / ".impt.auth").write_text('{"accessToken": "a", "expiresAt": "x"}')


def test_context_precedence(tmp_path):
    cwd, home, other = tmp_path / "cwd", tmp_path / "home", tmp_path / "other"
    for d in (cwd, home, other):
        d.mkdir()
    with pytest.raises(AuthError, match="You are not logged in."):
        find_auth_source({}, cwd, home)
    write_auth(home)
    assert find_auth_source({}, cwd, home).kind == "global"
    assert find_auth_source({"IMPT_USER": "u"}, cwd, home).kind == "env"
    assert find_auth_source({"IMPT_LOGINKEY": "k"}, cwd, home).auth_type == "Environment variables"
    with pytest.raises(AuthError, match="Auth File is not found."):
        find_auth_source({"IMPT_AUTH_FILE_PATH": str(other), "IMPT_USER": "u"}, cwd, home)
    write_auth(other)
    assert find_auth_source({"IMPT_AUTH_FILE_PATH": str(other)}, cwd, home).auth_type == f"Auth file path: {other}"
    write_auth(cwd)
    assert find_auth_source({"IMPT_AUTH_FILE_PATH": str(other)}, cwd, home).kind == "local"


def test_project_file(tmp_path):
    assert read_project(tmp_path) is None
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g", "deviceFile": "d.nut"}')
    assert read_project(tmp_path)["deviceGroupId"] == "g"
    (tmp_path / ".impt.project").write_text("[]")
    with pytest.raises(ImptError, match="Project File is corrupted."):
        read_project(tmp_path)


def test_project_file_names_default(tmp_path):
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g"}')
    assert read_project(tmp_path) == {"deviceGroupId": "g", "deviceFile": "device.nut", "agentFile": "agent.nut"}
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g", "deviceFile": "d.nut", "agentFile": ""}')
    assert read_project(tmp_path)["deviceFile"] == "d.nut" and read_project(tmp_path)["agentFile"] == ""
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g", "deviceFile": 5}')
    with pytest.raises(ImptError, match="Project File is corrupted."):
        read_project(tmp_path)


def test_atomic_write_error_names_the_target(tmp_path):
    target = tmp_path / "adir"
    target.mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_atomically(target, "x")
    assert caught.value.filename == str(target)
    assert os.listdir(tmp_path) == ["adir"] and os.listdir(target) == []
    write_atomically(tmp_path / "f", "text")
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == 0o600 and (tmp_path / "f").read_text() == "text"
