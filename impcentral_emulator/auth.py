"""Credentials: password checks, access/refresh tokens, MFA challenges (spec §2).

Access tokens expire after `token_ttl` seconds; an account keeps at most five refresh tokens
(the oldest is evicted on the sixth login).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from aiohttp import web

from . import ids
from .errors import unauthorized
from .store import Record, Store

MAX_REFRESH_TOKENS = 5
MFA_CHALLENGE_SECONDS = 300


def hash_password(password: str) -> str:
    return hashlib.sha256(("impcentral-emulator:" + password).encode()).hexdigest()


def password_matches(account: Record, password: Any) -> bool:
    return isinstance(password, str) and hmac.compare_digest(account["password_hash"], hash_password(password))


def find_account_by_login(store: Store, login: str) -> Record | None:
    for account in store.values("account"):
        if login in (account["email"], account["username"]):
            return account
    return None


def issue_access_token(store: Store, account: Record, ttl: int) -> dict[str, Any]:
    token = ids.access_token()
    expires = time.time() + ttl
    store.put("access_token", {"id": token, "account_id": account["id"], "expires": expires})
    _forget_expired(store)
    return {"access_token": token, "expires_in": ttl, "expires_at": ids.iso_from_epoch(expires)}


def issue_refresh_token(store: Store, account: Record) -> str:
    mine = [t for t in store.values("refresh_token") if t["account_id"] == account["id"]]
    for old in mine[: max(0, len(mine) - MAX_REFRESH_TOKENS + 1)]:
        store.delete("refresh_token", old["id"])
    token = ids.refresh_token()
    store.put("refresh_token", {"id": token, "account_id": account["id"], "created_at": ids.iso_timestamp()})
    return token


def login_result(store: Store, account: Record, ttl: int) -> dict[str, Any]:
    result = issue_access_token(store, account, ttl)
    result["refresh_token"] = issue_refresh_token(store, account)
    return result


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def account_for_request(store: Store, request: web.Request) -> Record:
    """The caller's account, or 401 for a missing, unknown or expired access token."""
    token = bearer_token(request)
    if token is None:
        raise unauthorized("An 'Authorization: Bearer <access token>' header is required.")
    record = store.get("access_token", token)
    if record is None or record["expires"] <= time.time():
        raise unauthorized("The access token is invalid or has expired.")
    account = store.get("account", record["account_id"])
    if account is None:
        raise unauthorized("The access token is invalid or has expired.")
    return account


def _forget_expired(store: Store) -> None:
    """Drop expired access tokens now and then so a long run does not grow without bound."""
    table = store.tables["access_token"]
    if len(table) % 256:
        return
    now = time.time()
    for token in [t for t, r in table.items() if r["expires"] <= now]:
        store.delete("access_token", token)
