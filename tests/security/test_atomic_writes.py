"""Auth, project, test-config and credential files are written atomically: when the final rename fails
(a crash mid-write), the old file is intact and no temp file is left beside it."""

from __future__ import annotations

import os

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api import auth_file
from relsuite import Impt


def _crash_on_replace(monkeypatch) -> None:
    def replace(src, dst, *args, **kwargs):
        raise OSError(28, "No space left on device (simulated crash)")

    monkeypatch.setattr(os, "replace", replace)


def _only(directory, name: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if name.strip(".") in p.name)


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        (".impt.auth", ["auth", "login", "--local", "--user", "demo", "--pwd", "demo-password", "-q"]),
        ("gh.json", ["test", "github", "--github-config", "gh.json", "--user", "u", "--pwd", "new-token", "-q"]),
    ],
)
def test_console_file_survives_crash(name, argv, emulator, tmp_path, monkeypatch):
    impt = Impt(tmp_path, tmp_path, emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    if name == "gh.json":
        impt.ok("test", "github", "--github-config", "gh.json", "--user", "u", "--pwd", "old-token", "-q")
    old = (tmp_path / name).read_text()
    _crash_on_replace(monkeypatch)
    if "--endpoint" not in argv and argv[0] == "auth":
        argv = [*argv, "--endpoint", emulator.base_url]
    result = impt(*argv)
    assert result.code != 0, result.text
    assert "Traceback" not in result.text, result.text
    assert (tmp_path / name).read_text() == old
    assert _only(tmp_path, name) == [name], list(tmp_path.iterdir())


def test_module_auth_file_survives_crash(tmp_path, monkeypatch):
    path = tmp_path / "auth.json"
    auth_file.write_private_file(str(path), '{"old": true}')
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    _crash_on_replace(monkeypatch)
    with pytest.raises(OSError):
        auth_file.write_private_file(str(path), '{"new": true}')
    assert path.read_text() == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["auth.json"]
