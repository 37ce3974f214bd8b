"""The account_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    ACCOUNT,
    GET,
    OTHER_ACCOUNT,
    account,
    fails,
    four_reads,
    listing,
    one,
)


def test_account_info(auth_file):
    calls = [
        GET("/accounts/me", one(account())),
        listing("/accounts", account(), account(OTHER_ACCOUNT, "boss", "boss@example.com")),
    ]
    result = four_reads("account_info", {"auth_file": auth_file}, calls)
    assert result["account"]["id"] == ACCOUNT and result["account"]["username"] == "me"
    assert [(a["id"], a["email"]) for a in result["accounts"]] == [
        (ACCOUNT, "me@example.com"),
        (OTHER_ACCOUNT, "boss@example.com"),
    ]


def test_account_info_unknown_account_fails(auth_file):
    result = fails("account_info", {"account": "nobody", "auth_file": auth_file}, [listing("/accounts", account())])
    assert result["msg"] == 'Account "nobody" is not found.'
