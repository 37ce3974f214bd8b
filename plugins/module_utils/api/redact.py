"""Hide secrets before anything leaves the client as a debug event or an error text.

Secrets are hidden three ways: by header name, by JSON key, by URL path shape (a login key's id
is the credential itself), and by value: every secret the client has handled is remembered so
it can be replaced wherever it turns up in a string.
"""

import re
from typing import Any, Iterable

HIDDEN = "[hidden]"

SECRET_HEADERS = frozenset(
    {"authorization", "x-electricimp-password", "x-electricimp-key", "x-electricimp-otp-token", "proxy-authorization"}
)
SECRET_KEYS = frozenset({"password", "token", "key", "login_token", "access_token", "refresh_token", "otp"})
# Resource types whose id is a credential.
SECRET_ID_TYPES = frozenset({"login_key", "refresh_token"})
_SECRET_PATH_RE = re.compile(r"(/accounts/[^/?#]+/(?:login_keys|refresh_tokens)/)([^/?#]+)")
_URL_USERINFO_RE = re.compile(r"(://)[^/@\s]+@")
_MIN_SECRET_LENGTH = 4


class Redactor:
    """Remembers secret values and scrubs them from headers, bodies, URLs and text."""

    def __init__(self) -> None:
        self._secrets: set = set()

    def remember(self, *values: Any) -> None:
        """Add secret values (ignores empty and very short ones that would mangle ordinary text)."""
        for value in values:
            if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
                self._secrets.add(value)

    def text(self, value: str) -> str:
        """Replace every remembered secret inside a string."""
        if not isinstance(value, str):
            return value
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, HIDDEN)
        return value

    def url(self, url: str) -> str:
        """Hide credential ids in paths, user:password@ in URLs and remembered secrets."""
        if not url:
            return url
        url = _SECRET_PATH_RE.sub(lambda m: m.group(1) + HIDDEN, url)
        url = _URL_USERINFO_RE.sub(r"\1" + HIDDEN + "@", url)
        return self.text(url)

    def headers(self, headers: Any) -> dict:
        """A copy of the headers with secret ones hidden."""
        if not headers:
            return {}
        return {k: (HIDDEN if k.lower() in SECRET_HEADERS else self.text(str(v))) for k, v in dict(headers).items()}

    def body(self, body: Any) -> Any:
        """A deep copy of a JSON value with secret keys and credential ids hidden."""
        if isinstance(body, dict):
            hide_id = body.get("type") in SECRET_ID_TYPES
            out = {}
            for k, v in body.items():
                if k in SECRET_KEYS and v is not None:
                    out[k] = HIDDEN
                elif hide_id and k == "id":
                    out[k] = HIDDEN
                elif k in ("self", "next", "prev", "first", "last", "url") and isinstance(v, str):
                    out[k] = self.url(v)
                else:
                    out[k] = self.body(v)
            return out
        if isinstance(body, list):
            return [self.body(v) for v in body]
        if isinstance(body, str):
            return self.text(body)
        return body

    def remember_credential_ids(self, items: Iterable) -> None:
        """Remember ids of login keys / refresh tokens found in an API answer."""
        for item in items:
            if isinstance(item, dict) and item.get("type") in SECRET_ID_TYPES:
                self.remember(item.get("id"))
