"""The product_info module: first run, repeat, check mode and its failures, at the HTTP level."""

import socket
import time

from ansible_collections.electricimp.impcentral.plugins.module_utils.api import transport
from imp_playback import (
    ACCOUNT,
    GET,
    OTHER_PRODUCT,
    PRODUCT,
    account,
    fails,
    four_reads,
    listing,
    one,
    product,
    run_module,
)


def test_product_info_all(auth_file):
    calls = [listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT))]
    result = four_reads("product_info", {"auth_file": auth_file}, calls)
    assert [(p["id"], p["name"], p["owner"]) for p in result["products"]] == [
        (PRODUCT, "Thermostat", ACCOUNT),
        (OTHER_PRODUCT, "Doorbell", ACCOUNT),
    ]


def test_product_info_of_an_owner(auth_file):
    calls = [GET("/accounts/me", one(account())), listing("/products", product(), filter__owner__id=ACCOUNT)]
    result = four_reads("product_info", {"owner": "me", "auth_file": auth_file}, calls)
    assert [p["name"] for p in result["products"]] == ["Thermostat"]


def test_product_info_name_of_an_owner_is_hierarchical(auth_file):
    calls = [
        GET("/accounts/me", one(account())),
        listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT), filter__owner__id=ACCOUNT),
    ]
    result = four_reads("product_info", {"name": "Doorbell", "owner": "me", "auth_file": auth_file}, calls)
    assert [p["id"] for p in result["products"]] == [OTHER_PRODUCT]


def test_product_info_name_matching_nothing_is_an_empty_list(auth_file):
    result = four_reads("product_info", {"name": "Nope", "auth_file": auth_file}, [listing("/products", product())])
    assert result["products"] == []


def test_product_info_unknown_owner_fails(auth_file):
    result = fails("product_info", {"owner": "nobody", "auth_file": auth_file}, [listing("/accounts", account())])
    assert result["msg"] == 'Account "nobody" is not found.'


def test_a_refused_connection_fails_the_task_within_two_seconds(monkeypatch):
    """Issue 25: a module against a closed port fails at once (constants.CONNECT_RETRIES: one retry), not after
    the whole backoff. The backoff is taken at its worst (jitter = its upper bound) and counted, not slept."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: the connection is refused
    sleeps: list = []
    monkeypatch.setattr(transport.time, "sleep", sleeps.append)
    monkeypatch.setattr(transport.random, "uniform", lambda low, high: high)
    started = time.monotonic()
    result = run_module("product_info", {"endpoint": f"http://127.0.0.1:{port}/v5", "login_key": "k" * 16})
    spent = time.monotonic() - started + sum(sleeps)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Cannot reach impCentral at http://127.0.0.1:{port}/v5: connection refused")
    assert (result["method"], result["url"]) == ("POST", f"http://127.0.0.1:{port}/v5/auth/token")
    assert sleeps == [transport.BACKOFF_BASE]  # one retry after the first refusal, then the failure
    assert spent <= 2.0
