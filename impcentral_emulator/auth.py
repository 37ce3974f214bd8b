"""Credential helpers without state: password hashing and the bearer token of a request.

Tokens, logins and MFA challenges are the accounts model's (`models/accounts.py`).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from aiohttp import web

from .store import Record


def hash_password(password: str) -> str:
    return hashlib.sha256(("impcentral-emulator:" + password).encode()).hexdigest()


def password_matches(account: Record, password: Any) -> bool:
    return isinstance(password, str) and hmac.compare_digest(account["password_hash"], hash_password(password))


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
