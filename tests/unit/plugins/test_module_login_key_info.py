"""The login_key_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from urllib.parse import urlsplit

from imp_playback import (
    Call,
    error,
    fails,
    four_reads,
    listing,
    resource,
)

KEY = "0123456789abcdef"


KEY2 = "fedcba9876543210"


def login_key(rid=KEY, description="ci"):
    return resource("login_key", rid, description=description)


def test_login_key_info_hides_the_ids(auth_file):
    calls = [listing("/accounts/me/login_keys", login_key(), login_key(KEY2, "laptop"))]
    result = four_reads("login_key_info", {"auth_file": auth_file}, calls)
    assert result["login_keys"] == [
        {
            "type": "login_key",
            "description": "ci",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
            "id_hint": "…cdef",
        },
        {
            "type": "login_key",
            "description": "laptop",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
            "id_hint": "…3210",
        },
    ]


def test_login_key_info_with_ids(auth_file):
    calls = [listing("/accounts/me/login_keys", login_key())]
    result = four_reads("login_key_info", {"include_key_ids": True, "auth_file": auth_file}, calls)
    assert [(k["id"], k["id_hint"]) for k in result["login_keys"]] == [(KEY, "…cdef")]


def test_login_key_info_api_error_reaches_fail_json(auth_file):
    calls = [Call("GET", "/accounts/me/login_keys", 403, error(403, "Forbidden"))]
    result = fails("login_key_info", {"auth_file": auth_file}, calls)
    assert result["method"] == "GET" and result["status"] == 403
    assert urlsplit(result["url"]).path == "/v5/accounts/me/login_keys"
    assert "Forbidden" in result["msg"]
