"""The login_key module: first run, repeat, check mode and its failures, at the HTTP level."""

import pytest
from imp_playback import (
    GET,
    POST,
    both_modes_fail,
    four_runs,
    one,
    page,
    playback,
    resource,
)

KEY = "7d8e6670aa285e9d"


def key(description="CI"):
    return resource("login_key", KEY, description=description, usages=0)


@pytest.mark.parametrize("args", [{"description": "", "state": "absent"}, {"description": None, "state": "absent"}])
def test_login_key_never_found_by_an_empty_or_missing_description(auth_file, args):
    # Not even the key list is read: a key created without a description must never match (and be deleted).
    for result in both_modes_fail("login_key", dict(args, password="pw", auth_file=auth_file), []):
        assert "key_id" in result["msg"]


def test_login_key_without_password_fails_in_check_mode_too(auth_file):
    calls = [GET("/accounts/me/login_keys", page())]
    for result in both_modes_fail("login_key", {"description": "CI", "auth_file": auth_file}, calls):
        assert "password" in result["msg"]


def test_login_key_created_once_and_id_returned_once(auth_file):
    args = {"description": "CI", "password": "pw", "auth_file": auth_file}
    first = [
        GET("/accounts/me/login_keys", page()),
        POST("/accounts/me/login_keys", one(key()), headers={"X-Electricimp-Password": "pw"}),
    ]
    results = four_runs("login_key", args, first, [GET("/accounts/me/login_keys", page(key()))])
    assert results[0]["key_id"] == KEY
    assert results[0]["login_key"]["id_hint"] == "…5e9d" and "id" not in results[0]["login_key"]
    assert "key_id" not in results[1] and results[2]["key_id"] is None
    assert KEY not in str(results[1])


def test_login_key_needs_password(auth_file):
    result = playback(
        "login_key", {"description": "CI", "auth_file": auth_file}, [GET("/accounts/me/login_keys", page())], fails=True
    )
    assert "password" in result["msg"]
