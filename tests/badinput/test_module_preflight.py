"""Playbook mistakes fail with a clear message before any write (most before any request): a list where a
string is expected, a restart with no target, device-group options the type cannot have, an MFA account
without otp, a delete the API would refuse (the message says to use force), credentials from the task
winning over the environment, and a failed login naming where its credentials came from."""

from __future__ import annotations

import pytest
from relsuite import WRITE_METHODS, patch_module_exits, run_module


@pytest.fixture
def modules(monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    for name in ("IMPT_ENDPOINT", "IMPT_LOGINKEY", "IMPT_USER", "IMPT_PASSWORD", "IMPT_AUTH_FILE_PATH"):
        monkeypatch.delenv(name, raising=False)


def _run(emulator, module, user="demo", password="demo-password", **args):
    connection = {"endpoint": emulator.base_url}
    if user:
        connection.update(username=user, password=password)
    return run_module(module, {**args, **connection})


def _writes(emulator) -> list:
    return [r for r in emulator.requests() if r["method"] in WRITE_METHODS and not r["path"].startswith("/v5/auth")]


@pytest.mark.parametrize(
    ("module", "args", "expected"),
    [
        ("product", {"name": ["a", "b"]}, "name must be a single string, not a list."),
        ("product", {"name": "P", "description": {"a": 1}}, "description must be a single string, not a dictionary."),
        ("device_group", {"name": ["g"], "product": "P"}, "name must be a single string, not a list."),
        ("restart", {}, "Nothing to restart: give devices or device_groups"),
        ("restart", {"devices": [], "device_groups": []}, "Nothing to restart"),
        (
            "device_group",
            {"name": "g", "product": "P", "type": "development", "production_target": "t"},
            "production_target applies to factory and pre-factory device groups only, not to a development group.",
        ),
        (
            "device_group",
            {"name": "g", "product": "P", "type": "factory", "region": "eu"},
            "region applies to production and pre-production device groups only, not to a factory group.",
        ),
    ],
)
def test_refused_before_any_request(module, args, expected, modules, emulator):
    emulator.clear_requests()
    result = _run(emulator, module, **args)
    assert result["failed"] is True and expected in result["msg"], result
    assert emulator.requests() == []


def test_options_the_existing_groups_type_cannot_have_are_refused_before_any_write(modules, emulator):
    assert not _run(emulator, "product", name="Preflight").get("failed")
    assert not _run(emulator, "device_group", name="Dev", product="Preflight").get("failed")
    emulator.clear_requests()
    result = _run(emulator, "device_group", name="Dev", product="Preflight", load_code_after_blessing=True)
    assert result["failed"] is True and "not to a development group" in result["msg"], result
    assert _writes(emulator) == []


def test_mfa_without_otp_says_to_give_otp(modules, emulator):
    result = _run(emulator, "product_info", user="mfa", password="mfa-password")
    assert result["failed"] is True
    assert result["msg"].startswith("The account uses multi-factor authentication: give otp"), result["msg"]
    assert _run(emulator, "product_info", user="mfa", password="mfa-password", otp="123456").get("failed") is None


def test_refused_device_delete_mentions_force(modules, emulator):
    device = emulator.add_device()["id"]
    assert not _run(emulator, "product", name="Preflight").get("failed")
    assert not _run(emulator, "device_group", name="Dev", product="Preflight").get("failed")
    assert not _run(emulator, "device", device=device, device_group="Dev").get("failed")
    emulator.clear_requests()
    result = _run(emulator, "device", device=device, state="absent")
    assert result["failed"] is True and "use force" in result["msg"], result
    assert _writes(emulator) == []
    assert not _run(emulator, "device", device=device, state="absent", force=True).get("failed")


def test_task_credentials_win_over_the_environment(modules, emulator, monkeypatch):
    monkeypatch.setenv("IMPT_LOGINKEY", "0123456789abcdef")
    result = _run(emulator, "account_info")
    assert not result.get("failed"), result
    logins = [r["path"] for r in emulator.requests() if r["path"].startswith("/v5/auth")]
    assert "/v5/auth" in logins and "/v5/auth/token" not in logins


def test_failed_login_names_where_the_credentials_came_from(modules, emulator, monkeypatch):
    monkeypatch.setenv("IMPT_LOGINKEY", "0123456789abcdef")
    from_env = _run(emulator, "account_info", user=None)
    assert from_env["failed"] is True and "the IMPT_LOGINKEY environment variable" in from_env["msg"], from_env
    assert "0123456789abcdef" not in str(from_env)
    from_task = _run(emulator, "account_info", password="wrong")
    assert from_task["failed"] is True and "the username/password option" in from_task["msg"], from_task
