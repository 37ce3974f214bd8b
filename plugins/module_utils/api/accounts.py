"""Accounts, refresh tokens and login keys (``/accounts``)."""

from typing import Any, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg


class Accounts:
    """``GET /accounts`` and ``GET /accounts/{id}``; ``me()`` is fetched once per client."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self._me: Optional[dict] = None

    def list(self) -> list:
        """The caller's account and every account it collaborates on."""
        return self.transport.list_all("/accounts")

    def get(self, account_id: str = "me") -> dict:
        """One account; ``me`` is the caller."""
        if account_id == "me":
            return self.me()
        return self.transport.get_data(f"/accounts/{seg(account_id)}")

    def me(self) -> dict:
        """The caller's account, cached for the client's life."""
        if self._me is None:
            self._me = self.transport.get_data("/accounts/me")
        return self._me

    def cached_me(self) -> Optional[dict]:
        """The cached account, without a request."""
        return self._me

    def forget_me(self) -> None:
        """Drop the cached account (after logging in as someone else)."""
        self._me = None


class RefreshTokens:
    """The caller's refresh tokens; ids are credentials, so they are hidden in debug output."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def list(self) -> list:
        """Every refresh token of the caller."""
        items = self.transport.list_all("/accounts/me/refresh_tokens")
        self.transport.redactor.remember_credential_ids(items)
        return items

    def delete(self, token_id: str) -> None:
        """Revoke one refresh token (access tokens already issued stay valid)."""
        self.transport.redactor.remember(token_id)
        self.transport.call("DELETE", f"/accounts/me/refresh_tokens/{seg(token_id)}")


class LoginKeys:
    """Login keys; every write needs the account password in ``X-Electricimp-Password``."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def _password_header(self, password: str) -> dict:
        self.transport.redactor.remember(password)
        return {"X-Electricimp-Password": password}

    def list(self) -> list:
        """Every login key of the caller."""
        items = self.transport.list_all("/accounts/me/login_keys")
        self.transport.redactor.remember_credential_ids(items)
        return items

    def get(self, key_id: str) -> dict:
        """One login key."""
        self.transport.redactor.remember(key_id)
        return self.transport.get_data(f"/accounts/me/login_keys/{seg(key_id)}")

    def create(self, password: str, description: Optional[str] = None) -> dict:
        """A new login key; its ``id`` is the credential."""
        attributes = {} if description is None else {"description": description}
        answer = self.transport.call(
            "POST",
            "/accounts/me/login_keys",
            body={"data": {"type": "login_key", "attributes": attributes}},
            headers=self._password_header(password),
        )
        data = (answer or {}).get("data") or {}
        self.transport.redactor.remember(data.get("id"))
        return data

    def update(self, key_id: str, password: str, description: Optional[str]) -> dict:
        """Change the description (the only writable attribute)."""
        self.transport.redactor.remember(key_id)
        answer = self.transport.call(
            "PATCH",
            f"/accounts/me/login_keys/{seg(key_id)}",
            body={"data": {"type": "login_key", "id": key_id, "attributes": {"description": description}}},
            headers=self._password_header(password),
        )
        return (answer or {}).get("data")

    def delete(self, key_id: str, password: str) -> None:
        """Delete a login key."""
        self.transport.redactor.remember(key_id)
        self.transport.call("DELETE", f"/accounts/me/login_keys/{seg(key_id)}", headers=self._password_header(password))
