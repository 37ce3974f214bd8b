"""Accounts and credentials (spec §2, §3): logins, MFA, access/refresh tokens, login keys.

Access tokens expire after `token_ttl` seconds; an account keeps at most five refresh tokens
(the oldest is evicted on the sixth login) and ten login keys.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from .. import ids
from ..access import visible_owner_ids
from ..auth import password_matches
from ..errors import ApiError, constraint, not_found, unauthorized
from ..store import Record
from . import records

if TYPE_CHECKING:
    from . import Models

MAX_REFRESH_TOKENS = 5
MAX_LOGIN_KEYS = 10
MFA_CHALLENGE_SECONDS = 300


class Accounts:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.store = models.store
        self.mfa_challenges: dict[str, tuple[str, float]] = {}  # login_token -> (account id, expiry)

    # -- accounts ------------------------------------------------------------------------
    def create(self, username: str, password: str, email: str, **options: Any) -> Record:
        """A new account (seeds); `options`: production, otp, ident, rng."""
        if not username or not isinstance(username, str) or not isinstance(password, str):
            raise ValueError("an account needs a username and a password")
        if self.find(username) or self.find(email):
            raise ValueError(f"the account '{username}' already exists")
        return self.store.put("account", records.account(username, password, email, **options))

    def set_collaborations(self, account: Record, owner_ids: list[str]) -> None:
        account["collaborates_on"] = list(owner_ids)
        self.store.put("account", account)

    def find(self, ref: str) -> Record | None:
        """An account by id, username or email."""
        account = self.store.get("account", ref)
        if account is not None:
            return account
        return next((a for a in self.store.values("account") if ref in (a["username"], a["email"])), None)

    def visible(self, caller: Record) -> list[Record]:
        """``GET /accounts``: the caller's account and those it collaborates on."""
        owners = visible_owner_ids(caller)
        return [a for a in self.store.values("account") if a["id"] in owners]

    def get(self, caller: Record, ident: str) -> Record:
        """``GET /accounts/{id}`` (``me``: the caller): 404 when unknown, 403 when the caller does not collaborate."""
        account = caller if ident == "me" else self.store.get("account", ident)
        if account is None:
            raise not_found("account", ident)
        if account["id"] not in visible_owner_ids(caller):
            raise ApiError(403, "PX001", "Invalid Permission", "You do not collaborate on this account.")
        return account

    # -- logging in ----------------------------------------------------------------------
    def login(self, login_id: str, password: str) -> dict[str, Any]:
        """Tokens for a password login, or 403 PX200 with a login_token when MFA is on."""
        account = next((a for a in self.store.values("account") if login_id in (a["email"], a["username"])), None)
        if account is None or not password_matches(account, password):
            raise ApiError(401, "PX101", "Invalid Credentials", "The email/username or password is incorrect.")
        if account.get("otp"):
            token = ids.secret_hex(32)
            expires = time.time() + MFA_CHALLENGE_SECONDS
            self.mfa_challenges[token] = (account["id"], expires)
            raise ApiError(
                403,
                "PX200",
                "Multi-Factor Authentication Required",
                "Send the login_token with a one-time password in the X-Electricimp-OTP-Token header.",
                meta={"login_token": token, "expires_at": ids.iso_from_epoch(expires)},
            )
        return self._login_result(account)

    def second_factor(self, login_token: Any, otp: Any) -> dict[str, Any]:
        challenge = self.mfa_challenges.get(login_token) if isinstance(login_token, str) else None
        if challenge is None or challenge[1] < time.time():
            raise ApiError(401, "PX201", "Invalid Login Token", "The login_token is unknown or has expired.")
        account = self.store.get("account", challenge[0])
        if account is None or not isinstance(otp, str) or otp != account.get("otp"):
            raise ApiError(401, "PX202", "Invalid One-Time Password", "The one-time password is incorrect.")
        del self.mfa_challenges[login_token]
        return self._login_result(account)

    def exchange(self, refresh_token: str | None = None, login_key: str | None = None) -> dict[str, Any]:
        """An access token for a refresh token or a login key (`/auth/token`)."""
        if refresh_token is not None:
            record = self.store.get("refresh_token", refresh_token)
            if record is None:
                raise ApiError(404, "NF003", "Resource Not Found", "The refresh token is unknown or was deleted.")
            record["last_used_at"] = ids.iso_timestamp()
            self.store.put("refresh_token", record)
        else:
            record = self.store.get("login_key", login_key or "")
            if record is None:
                raise ApiError(404, "NF003", "Resource Not Found", "The login key is unknown or was deleted.")
            record["usages"] += 1
            self.store.put("login_key", record)
        account = self.store.get("account", record["account_id"])
        if account is None:
            raise not_found("account", record["account_id"])
        return self._access_token(account)

    def for_access_token(self, token: str | None) -> Record:
        """The caller's account, or 401 for a missing, unknown or expired access token."""
        if token is None:
            raise unauthorized("An 'Authorization: Bearer <access token>' header is required.")
        record = self.store.get("access_token", token)
        if record is None or record["expires"] <= time.time():
            raise unauthorized("The access token is invalid or has expired.")
        account = self.store.get("account", record["account_id"])
        if account is None:
            raise unauthorized("The access token is invalid or has expired.")
        return account

    def _login_result(self, account: Record) -> dict[str, Any]:
        result = self._access_token(account)
        result["refresh_token"] = self._refresh_token(account)
        return result

    def _access_token(self, account: Record) -> dict[str, Any]:
        ttl = self.models.config.token_ttl
        token = ids.access_token()
        expires = time.time() + ttl
        self.store.put("access_token", {"id": token, "account_id": account["id"], "expires": expires})
        self._forget_expired()
        return {"access_token": token, "expires_in": ttl, "expires_at": ids.iso_from_epoch(expires)}

    def _refresh_token(self, account: Record) -> str:
        mine = [t for t in self.store.values("refresh_token") if t["account_id"] == account["id"]]
        for old in mine[: max(0, len(mine) - MAX_REFRESH_TOKENS + 1)]:
            self.store.delete("refresh_token", old["id"])
        token = ids.refresh_token()
        self.store.put("refresh_token", {"id": token, "account_id": account["id"], "created_at": ids.iso_timestamp()})
        return token

    def _forget_expired(self) -> None:
        """Drop expired access tokens now and then so a long run does not grow without bound."""
        table = self.store.tables["access_token"]
        if len(table) % 256:
            return
        now = time.time()
        for token in [t for t, r in table.items() if r["expires"] <= now]:
            self.store.delete("access_token", token)

    # -- refresh tokens and login keys ---------------------------------------------------
    def refresh_tokens(self, account: Record) -> list[Record]:
        return [t for t in self.store.values("refresh_token") if t["account_id"] == account["id"]]

    def login_keys(self, account: Record) -> list[Record]:
        return [k for k in self.store.values("login_key") if k["account_id"] == account["id"]]

    def delete_refresh_token(self, account: Record, token_id: str) -> None:
        token = self.store.get("refresh_token", token_id)
        if token is None or token["account_id"] != account["id"]:
            raise ApiError(404, "NF001", "Resource Not Found", "The requested refresh token was not found.")
        self.store.delete("refresh_token", token["id"])

    def login_key(self, account: Record, key_id: str) -> Record:
        key = self.store.get("login_key", key_id)
        if key is None or key["account_id"] != account["id"]:
            raise not_found("login key", key_id)
        return key

    def create_login_key(self, account: Record, description: str | None, rng: random.Random | None = None) -> Record:
        if sum(1 for k in self.store.values("login_key") if k["account_id"] == account["id"]) >= MAX_LOGIN_KEYS:
            raise constraint(
                "CX009", "Account Limit Reached", f"An account can have at most {MAX_LOGIN_KEYS} login keys."
            )
        now = ids.iso_timestamp()
        key = {
            "id": ids.login_key_id(rng),
            "account_id": account["id"],
            "description": description,
            "usages": 0,
            "created_at": now,
            "updated_at": now,
        }
        return self.store.put("login_key", key)

    def update_login_key(self, key: Record, description: str | None) -> Record:
        key["description"] = description
        key["updated_at"] = ids.iso_timestamp()
        return self.store.put("login_key", key)

    def delete_login_key(self, key: Record) -> None:
        self.store.delete("login_key", key["id"])
