"""Entity identification: turn what a user typed into entities, as impt does (seed 000, impt §5).

Per kind, attributes are tried in order and the first attribute with a match wins. Cost matters:
the by-id GET is skipped when the value cannot be an id of that kind, names are matched on one
listing narrowed by every server-side filter available, and list items are never re-fetched.
"""

from typing import Any, Callable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.constants import (
    AGENT_ID_RE,
    DEVICE_ID_RE,
    ID_RE,
    LOGIN_KEY_RE,
    MAC_RE,
    SHA_RE,
    TAG_RE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    IdentificationError,
    InvalidIdentifierError,
    NotFoundError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.transport import seg

KINDS = ("account", "product", "device_group", "device", "deployment", "login_key", "webhook")
LABELS = {
    "account": "Account",
    "product": "Product",
    "device_group": "Device Group",
    "device": "Device",
    "deployment": "Deployment",
    "login_key": "Login Key",
    "webhook": "Webhook",
}
HIERARCHY_PARTS = {"product": 2, "device_group": 3}


def _attr(item: dict, name: str) -> Any:
    return (item.get("attributes") or {}).get(name)


def _rel_id(item: dict, name: str) -> Optional[str]:
    rel = (item.get("relationships") or {}).get(name)
    return rel.get("id") if isinstance(rel, dict) else None


def _first_match(items: list, tests: list) -> list:
    """Matches of the first test (attribute) that matches anything."""
    for test in tests:
        found = [item for item in items if test(item)]
        if found:
            return found
    return []


class Identifier:
    """``find(kind, value)`` and ``one(kind, value)`` over one client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.transport = client.transport

    # -- public ------------------------------------------------------------------------------

    def find(self, kind: str, value: Any) -> list:
        """Every entity matching the first attribute that matches (empty list when none)."""
        text = self._check(kind, value)
        parts = self._hierarchy(kind, text)
        if parts is None:
            return self._plain(kind, text)
        try:
            return [self._resolve_chain(kind, parts, text)]
        except (IdentificationError, NotFoundError):
            found = self._plain(kind, text)
            if found:
                return found
            return []

    def one(self, kind: str, value: Any) -> dict:
        """Exactly one entity, else ``EntityNotFoundError`` / ``AmbiguousEntityError``."""
        text = self._check(kind, value)
        parts = self._hierarchy(kind, text)
        if parts is None:
            return self._exactly_one(kind, text, self._plain(kind, text))
        try:
            return self._resolve_chain(kind, parts, text)
        except (IdentificationError, NotFoundError) as original:
            found = self._plain(kind, text)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return self._exactly_one(kind, text, found)
            raise original

    # -- checks ------------------------------------------------------------------------------

    def _check(self, kind: str, value: Any) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidIdentifierError(f"{LABELS[kind]} identifier must not be empty.", kind, value)
        return str(value)

    def _hierarchy(self, kind: str, text: str) -> Optional[list]:
        """The parts of ``{a}{b}[{c}]`` when the kind supports it, else ``None``."""
        expected = HIERARCHY_PARTS.get(kind)
        if expected is None or not (text.startswith("{") and text.endswith("}")) or "}{" not in text:
            return None
        parts = text[1:-1].split("}{")
        if len(parts) < expected:
            return None
        if len(parts) > expected:
            raise InvalidIdentifierError(
                f'Invalid {LABELS[kind]} identifier "{text}": '
                'a part of a hierarchical identifier must not contain "}{".',
                kind,
                text,
            )
        if any(not p.strip() for p in parts):
            raise InvalidIdentifierError(
                f'Invalid {LABELS[kind]} identifier "{text}": a part of a hierarchical identifier must not be empty.',
                kind,
                text,
            )
        return parts

    def _exactly_one(self, kind: str, text: str, found: list) -> dict:
        if not found:
            raise EntityNotFoundError(f'{LABELS[kind]} "{text}" is not found.', kind, text)
        if len(found) > 1:
            ids = ", ".join(str(item.get("id")) for item in found)
            raise AmbiguousEntityError(
                f'Multiple {LABELS[kind]}s "{text}" are found: {ids}. Use an id to choose one.',
                kind,
                text,
                found,
            )
        return found[0]

    # -- hierarchical ------------------------------------------------------------------------

    def _resolve_chain(self, kind: str, parts: list, text: str) -> dict:
        account = self._exactly_one("account", parts[0], self._plain("account", parts[0]))
        product = self._exactly_one("product", parts[1], self._plain("product", parts[1], owner=account.get("id")))
        if kind == "product":
            return product
        return self._exactly_one(
            "device_group", parts[2], self._plain("device_group", parts[2], product=product.get("id"))
        )

    # -- plain values ------------------------------------------------------------------------

    def _plain(self, kind: str, text: str, owner: Optional[str] = None, product: Optional[str] = None) -> list:
        return getattr(self, f"_find_{kind}")(text, owner=owner, product=product)

    def _by_id(self, path: str, accept: Optional[Callable[[dict], bool]] = None) -> list:
        """GET by id: a 404 means "try the next attribute"; other errors propagate."""
        try:
            item = self.transport.get_data(path)
        except NotFoundError:
            return []
        if not item or (accept is not None and not accept(item)):
            return []
        return [item]

    def _find_account(self, text: str, **_: Any) -> list:
        if text == "me":
            return [self.client.accounts.me()]
        if ID_RE.match(text):
            me = self.client.accounts.cached_me()
            if me is not None and me.get("id") == text:
                return [me]
            found = self._by_id(f"/accounts/{seg(text)}")
            if found:
                return found
        accounts = self.transport.list_all("/accounts")
        return _first_match(
            accounts,
            [
                lambda a: a.get("id") == text,
                lambda a: _attr(a, "email") == text,
                lambda a: _attr(a, "username") == text,
            ],
        )

    def _find_product(self, text: str, owner: Optional[str] = None, **_: Any) -> list:
        if ID_RE.match(text):
            found = self._by_id(f"/products/{seg(text)}", (lambda p: _rel_id(p, "owner") == owner) if owner else None)
            if found:
                return found
        products = self.transport.list_all("/products", {"filter[owner.id]": owner})
        return [p for p in products if _attr(p, "name") == text]

    def _find_device_group(self, text: str, product: Optional[str] = None, owner: Optional[str] = None) -> list:
        if ID_RE.match(text):
            found = self._by_id(
                f"/devicegroups/{seg(text)}", (lambda g: _rel_id(g, "product") == product) if product else None
            )
            if found:
                return found
        groups = self.transport.list_all("/devicegroups", {"filter[product.id]": product, "filter[owner.id]": owner})
        return [g for g in groups if _attr(g, "name") == text]

    def _find_device(self, text: str, **_: Any) -> list:
        lowered = text.lower()
        looks_like_mac = bool(MAC_RE.match(text))
        if DEVICE_ID_RE.match(text) or looks_like_mac or AGENT_ID_RE.match(text):
            found = self._by_id(f"/devices/{seg(lowered if looks_like_mac else text)}")
            if found:
                return found
        devices = self.transport.list_all("/devices")
        return _first_match(
            devices,
            [
                lambda d: d.get("id") == text,
                lambda d: str(_attr(d, "mac_address") or "").lower() == lowered,
                lambda d: _attr(d, "agent_id") == text,
                lambda d: _attr(d, "name") == text,
            ],
        )

    def _find_deployment(self, text: str, **_: Any) -> list:
        if ID_RE.match(text):
            found = self._by_id(f"/deployments/{seg(text)}")
            if found:
                return found
        if SHA_RE.match(text):
            found = self.transport.list_all("/deployments", {"filter[sha]": text})
            found = [d for d in found if _attr(d, "sha") == text]
            if found:
                return found
        if TAG_RE.match(text):
            found = self.transport.list_all("/deployments", {"filter[tags]": text})
            found = [d for d in found if text in (_attr(d, "tags") or [])]
            if found:
                return found
        deployments = self.transport.list_all("/deployments")
        return [d for d in deployments if _attr(d, "origin") == text]

    def _find_login_key(self, text: str, **_: Any) -> list:
        if not LOGIN_KEY_RE.match(text):
            return []
        self.transport.redactor.remember(text)
        return self._by_id(f"/accounts/me/login_keys/{seg(text)}")

    def _find_webhook(self, text: str, **_: Any) -> list:
        return self._by_id(f"/webhooks/{seg(text)}")
