"""Access tokens: login (password, MFA, login key), refresh, and where tokens are kept.

The console and the modules persist tokens through a ``TokenStore``; the client refreshes a token
that has less than three minutes left and once on a 401, then saves the new set.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Protocol

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import REFRESH_AHEAD_SECONDS
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AuthenticationError,
    MfaRequiredError,
    NotFoundError,
)


def parse_timestamp(value: Optional[str]) -> float:
    """Epoch seconds of an ISO-8601 timestamp (0 when missing or unreadable)."""
    if not value:
        return 0.0
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return 0.0
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


@dataclass
class Tokens:
    """One set of credentials the API handed out; ``repr`` never shows the secrets."""

    access_token: str
    expires_at: str
    refresh_token: Optional[str] = None
    login_key: Optional[str] = None
    _expires_epoch: float = field(default=0.0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._expires_epoch = parse_timestamp(self.expires_at)

    def expires_in(self) -> float:
        """Seconds until the access token expires (negative once expired)."""
        return self._expires_epoch - time.time()

    def to_dict(self) -> dict:
        """Plain dict for an auth file."""
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "refresh_token": self.refresh_token,
            "login_key": self.login_key,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Tokens":
        """Inverse of ``to_dict`` (unknown keys ignored)."""
        return cls(
            access_token=data["access_token"],
            expires_at=data.get("expires_at") or "",
            refresh_token=data.get("refresh_token"),
            login_key=data.get("login_key"),
        )

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token='[hidden]', expires_at={self.expires_at!r}, "
            f"refresh_token={'[hidden]' if self.refresh_token else None}, "
            f"login_key={'[hidden]' if self.login_key else None})"
        )


class TokenStore(Protocol):
    """Where the client keeps tokens between runs."""

    def load(self) -> Optional[Tokens]:
        """The saved tokens, or ``None``."""

    def save(self, tokens: Tokens) -> None:
        """Persist a new token set."""


class MemoryTokenStore:
    """Default store: lives as long as the client."""

    def __init__(self, tokens: Optional[Tokens] = None) -> None:
        self.tokens = tokens

    def load(self) -> Optional[Tokens]:
        """The tokens held in memory."""
        return self.tokens

    def save(self, tokens: Tokens) -> None:
        """Keep the new tokens."""
        self.tokens = tokens


def _tokens_from_answer(answer: Any, *, refresh_token: Optional[str] = None, login_key: Optional[str] = None) -> Tokens:
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise AuthenticationError("POST", "", 401, message="impCentral sent no access token")
    expires_at = answer.get("expires_at")
    if not expires_at:
        lifetime = float(answer.get("expires_in") or 3600)
        expires_at = datetime.fromtimestamp(time.time() + lifetime, timezone.utc).isoformat().replace("+00:00", "Z")
    return Tokens(
        access_token=answer["access_token"],
        expires_at=expires_at,
        refresh_token=answer.get("refresh_token") or refresh_token,
        login_key=login_key,
    )


class Authenticator:
    """Holds the tokens of one client; gives the transport a valid bearer token."""

    def __init__(self, transport: Any, token_store: Optional[TokenStore] = None) -> None:
        self.transport = transport
        self.redactor = transport.redactor
        self.store = token_store if token_store is not None else MemoryTokenStore()
        self._tokens: Optional[Tokens] = None
        self._loaded = False
        self._user: Optional[str] = None
        self._password: Optional[str] = None
        self._login_key: Optional[str] = None
        self._otp_callback: Optional[Callable[[], str]] = None

    # -- state -------------------------------------------------------------------------------

    @property
    def tokens(self) -> Optional[Tokens]:
        """Current tokens (loaded from the store on first use)."""
        if not self._loaded:
            self._loaded = True
            if self._tokens is None:
                stored = self.store.load()
                if stored is not None:
                    self._remember(stored)
                    self._tokens = stored
        return self._tokens

    def set_tokens(self, tokens: Optional[Tokens], save: bool = False) -> None:
        """Use these tokens from now on (optionally persisting them)."""
        self._loaded = True
        self._tokens = tokens
        if tokens is not None:
            self._remember(tokens)
            if save:
                self.store.save(tokens)

    def set_credentials(
        self,
        *,
        user: Optional[str] = None,
        password: Optional[str] = None,
        login_key: Optional[str] = None,
        otp_callback: Optional[Callable[[], str]] = None,
    ) -> None:
        """Credentials for a lazy login before the first authenticated call."""
        self._user, self._password, self._login_key = user, password, login_key
        self._otp_callback = otp_callback
        self.redactor.remember(password, login_key)

    def _remember(self, tokens: Tokens) -> None:
        self.redactor.remember(tokens.access_token, tokens.refresh_token, tokens.login_key)

    def _adopt(self, tokens: Tokens) -> Tokens:
        self.set_tokens(tokens, save=True)
        return tokens

    # -- wire calls --------------------------------------------------------------------------

    def login(
        self,
        user: str,
        password: str,
        *,
        otp: Optional[str] = None,
        otp_callback: Optional[Callable[[], str]] = None,
    ) -> Tokens:
        """``POST /auth`` with id and password; completes the MFA step when an OTP is available."""
        self.redactor.remember(password, otp)
        try:
            # A second login after a lost answer only makes one more token set: safe to repeat.
            body = {"id": user, "password": password}
            answer = self.transport.call("POST", "/auth", body=body, auth=False, repeatable=True)
        except MfaRequiredError as mfa:
            code = otp if otp is not None else (otp_callback() if otp_callback is not None else None)
            if not code:
                raise
            return self.login_otp(mfa.login_token, code)
        return self._adopt(_tokens_from_answer(answer))

    def login_otp(self, login_token: str, otp: str) -> Tokens:
        """Second MFA step: ``POST /auth {"login_token"}`` with ``X-Electricimp-OTP-Token``."""
        self.redactor.remember(login_token, otp)
        answer = self.transport.call(
            "POST",
            "/auth",
            body={"login_token": login_token},
            headers={"X-Electricimp-OTP-Token": str(otp)},
            auth=False,
        )
        return self._adopt(_tokens_from_answer(answer))

    def login_with_key(self, login_key: str) -> Tokens:
        """``POST /auth/token {"key"}``; the key is kept so it can be exchanged again later."""
        self.redactor.remember(login_key)
        answer = self.transport.call("POST", "/auth/token", body={"key": login_key}, auth=False, repeatable=True)
        return self._adopt(_tokens_from_answer(answer, login_key=login_key))

    def refresh(self) -> Tokens:
        """New access token: refresh token, else login key, else stored credentials."""
        current = self.tokens
        if current is not None and current.refresh_token:
            try:
                answer = self.transport.call(
                    "POST", "/auth/token", body={"token": current.refresh_token}, auth=False, repeatable=True
                )
                return self._adopt(
                    _tokens_from_answer(answer, refresh_token=current.refresh_token, login_key=current.login_key)
                )
            except (NotFoundError, AuthenticationError):
                if not (current.login_key or self._login_key or self._password):
                    raise AuthenticationError(
                        "POST",
                        self.transport.url_for("/auth/token"),
                        401,
                        message="Cannot refresh the access token; log in again.",
                    ) from None
        key = (current.login_key if current is not None else None) or self._login_key
        if key:
            return self.login_with_key(key)
        if self._user and self._password:
            return self.login(self._user, self._password, otp_callback=self._otp_callback)
        raise AuthenticationError(
            message="Access token is expired or missing and no information to refresh it is saved; log in again."
        )

    # -- used by the transport ---------------------------------------------------------------

    def can_refresh(self) -> bool:
        """Whether a 401 can be answered with a refresh."""
        current = self.tokens
        has_saved = current is not None and bool(current.refresh_token or current.login_key)
        return has_saved or bool(self._login_key or (self._user and self._password))

    def bearer(self) -> str:
        """A valid access token: logs in lazily and refreshes ahead of expiry."""
        current = self.tokens
        if current is None:
            if not self.can_refresh():
                raise AuthenticationError(message="Not logged in to impCentral: no access token and no credentials.")
            current = self.refresh()
        elif current.expires_in() < REFRESH_AHEAD_SECONDS and self.can_refresh():
            try:
                current = self.refresh()
            except AuthenticationError:
                if current.expires_in() <= 0:
                    raise
        return current.access_token

    def on_unauthorized(self) -> None:
        """A 401 on a resource call: refresh once."""
        self.refresh()
