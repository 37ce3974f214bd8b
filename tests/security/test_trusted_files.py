"""Files the tools trust (auth, project, test files, the modules' token cache) are refused, with one line
naming the file and why, when another user owns them or group/others can write them (the ssh rule).

Ownership is checked against ``file_trust.current_uid``, replaced here so the rule is testable as root."""

from __future__ import annotations

import json
import os

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api import file_trust
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect, token_cache_path
from relsuite import Impt, assert_clear_failure, error_lines


def _someone_else(monkeypatch) -> None:
    monkeypatch.setattr(file_trust, "current_uid", lambda: os.stat("/").st_uid + 4242)


def _auth_file(path, base_url: str) -> None:
    path.write_text(json.dumps({"endpoint": base_url, "accessToken": "t", "expiresAt": "2999-01-01T00:00:00Z"}))


@pytest.mark.parametrize("cause", ["group-writable", "other-writable", "other owner"])
def test_impt_refuses_untrusted_local_auth_file(cause, emulator, tmp_path, monkeypatch):
    auth = tmp_path / ".impt.auth"
    _auth_file(auth, emulator.base_url)
    auth.chmod({"group-writable": 0o620, "other-writable": 0o602, "other owner": 0o600}[cause])
    if cause == "other owner":
        _someone_else(monkeypatch)
    emulator.clear_requests()
    result = Impt(tmp_path, tmp_path, emulator.base_url)("product", "list")
    assert_clear_failure(result, cause)
    line = error_lines(result.text)[0]
    assert str(auth) in line
    assert ("another user" if cause == "other owner" else "group or others can write") in line
    assert emulator.requests() == []


@pytest.mark.parametrize(("name", "argv"), [(".impt.project", ["project", "info"]), (".impt.test", ["test", "info"])])
def test_impt_refuses_writable_project_and_test_files(name, argv, emulator, tmp_path):
    impt = Impt(tmp_path, tmp_path, emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    content = {"deviceGroupId": "00000000-0000-0000-0000-000000000000", "deviceFile": "d.nut", "agentFile": "a.nut"}
    (tmp_path / name).write_text(json.dumps(content))
    (tmp_path / name).chmod(0o666)
    result = impt(*argv)
    assert_clear_failure(result, name)
    assert str(tmp_path / name) in error_lines(result.text)[0]


def test_impt_accepts_own_private_files(emulator, tmp_path):
    impt = Impt(tmp_path, tmp_path, emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    assert oct((tmp_path / ".impt.auth").stat().st_mode & 0o777) == "0o600"
    impt.ok("product", "list")


def test_module_refuses_untrusted_auth_file(emulator, tmp_path, monkeypatch):
    auth = tmp_path / "auth.json"
    _auth_file(auth, emulator.base_url)
    auth.chmod(0o666)
    with pytest.raises(file_trust.UntrustedFileError, match="group or others can write"):
        connect({"auth_file": str(auth), "endpoint": emulator.base_url})
    auth.chmod(0o600)
    _someone_else(monkeypatch)
    with pytest.raises(file_trust.UntrustedFileError, match="owned by another user"):
        connect({"auth_file": str(auth), "endpoint": emulator.base_url})


def test_module_refuses_token_cache_directory_of_another_user(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    options = {"endpoint": emulator.base_url, "username": "demo", "password": "demo-password"}
    cache = os.path.dirname(token_cache_path(emulator.base_url, "demo", "demo-password", None))
    os.makedirs(cache, mode=0o700)
    connect(options)  # own directory: fine
    os.chmod(cache, 0o777)
    with pytest.raises(file_trust.UntrustedFileError, match=cache):
        connect(options)
    os.chmod(cache, 0o700)
    _someone_else(monkeypatch)
    with pytest.raises(file_trust.UntrustedFileError, match="owned by another user"):
        connect(options)
