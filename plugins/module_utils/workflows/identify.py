"""Entity identification: turn what a user typed into entities, as impt does (seed 000, impt §5).

Per kind, attributes are tried in order and the first attribute with a match wins. Cost matters:
the by-id GET is skipped when the value cannot be an id of that kind, names are matched on one
listing narrowed by every server-side filter available, and list items are never re-fetched.
"""

from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.constants import (
    AGENT_ID_RE,
    DEVICE_ID_RE,
    ID_RE,
    LOGIN_KEY_RE,
    MAC_RE,
    SHA_RE,
    TAG_RE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    IdentificationError,
    InvalidIdentifierError,
    NotFoundError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.resources import attr, label, rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg

KINDS = ("account", "product", "device_group", "device", "deployment", "login_key", "webhook")
LABELS = {kind: label(kind) for kind in KINDS}
HIERARCHY_PARTS = {"product": 2, "device_group": 3}


def _lower(value: Any) -> str:
    return str(value or "").lower()


# impt's attribute order per kind (seed 000, impt-behaviour §5): the first attribute that matches wins.
ATTRIBUTE_ORDER: dict = {
    "account": (("id", None), ("email", None), ("username", None)),
    "product": (("id", None), ("name", None)),
    "device_group": (("id", None), ("name", None)),
    "device": (("id", None), ("mac_address", _lower), ("agent_id", None), ("name", None)),
    "deployment": (("id", None), ("sha", None), ("tags", "member"), ("origin", None)),
    "login_key": (("id", None),),
    "webhook": (("id", None),),
}


def _matches(item: dict, name: str, how: Any, text: str) -> bool:
    value = item.get("id") if name == "id" else attr(item, name)
    if how == "member":
        return isinstance(value, list) and text in value
    if callable(how):
        return value is not None and how(value) == how(text)
    return value is not None and str(value) == text


def match(kind: str, candidates: Iterable, identifier: Any) -> list:
    """The candidates ``identifier`` names, by impt's attribute order for ``kind``: every candidate matching
    the first attribute that matches anything (empty when none does)."""
    if kind not in ATTRIBUTE_ORDER:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
    items = list(candidates)
    text = str(identifier)
    for name, how in ATTRIBUTE_ORDER[kind]:
        found = [item for item in items if _matches(item, name, how, text)]
        if found:
            return found
    return []


# Natural keys: what makes an entity unique within its scope (the parent the API filters by).
NATURAL_KEYS: dict = {
    "product": ("/products", "filter[owner.id]", ("name",)),
    "device_group": ("/devicegroups", "filter[product.id]", ("name",)),
    "webhook": ("/webhooks", "filter[devicegroup.id]", ("event", "url")),
}


def natural_match(kind: str, candidates: Iterable, **key: Any) -> Optional[dict]:
    """The candidate whose natural-key attributes equal ``key`` (None when none does)."""
    names = NATURAL_KEYS[kind][2]
    if set(key) != set(names):
        raise ValueError(f"the natural key of a {kind} is {', '.join(names)}")
    return next((c for c in candidates if all(attr(c, n) == key[n] for n in names)), None)


def find_natural(transport: Any, kind: str, scope: str, **key: Any) -> Optional[dict]:
    """One listing, narrowed server-side to the scope: a product in an account, a group in a product,
    a webhook of a group by event and URL. Used by create-retry probes, modules, lookups and impt."""
    path, scope_filter, _names = NATURAL_KEYS[kind]
    return natural_match(kind, transport.list_all(path, {scope_filter: scope}), **key)


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

    def natural(self, kind: str, scope: str, **key: Any) -> Optional[dict]:
        """The entity with this natural key in ``scope`` (see ``find_natural``)."""
        return find_natural(self.transport, kind, scope, **key)

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
        return match("account", self.transport.list_all("/accounts"), text)

    def _find_product(self, text: str, owner: Optional[str] = None, **_: Any) -> list:
        if ID_RE.match(text):
            found = self._by_id(f"/products/{seg(text)}", (lambda p: rel_id(p, "owner") == owner) if owner else None)
            if found:
                return found
        return match("product", self.transport.list_all("/products", {"filter[owner.id]": owner}), text)

    def _find_device_group(self, text: str, product: Optional[str] = None, owner: Optional[str] = None) -> list:
        if ID_RE.match(text):
            found = self._by_id(
                f"/devicegroups/{seg(text)}", (lambda g: rel_id(g, "product") == product) if product else None
            )
            if found:
                return found
        groups = self.transport.list_all("/devicegroups", {"filter[product.id]": product, "filter[owner.id]": owner})
        return match("device_group", groups, text)

    def _find_device(self, text: str, **_: Any) -> list:
        looks_like_mac = bool(MAC_RE.match(text))
        if DEVICE_ID_RE.match(text) or looks_like_mac or AGENT_ID_RE.match(text):
            found = self._by_id(f"/devices/{seg(text.lower() if looks_like_mac else text)}")
            if found:
                return found
        return match("device", self.transport.list_all("/devices"), text)

    def _find_deployment(self, text: str, **_: Any) -> list:
        if ID_RE.match(text):
            found = self._by_id(f"/deployments/{seg(text)}")
            if found:
                return found
        if SHA_RE.match(text):
            found = self.transport.list_all("/deployments", {"filter[sha]": text})
            found = [d for d in found if attr(d, "sha") == text]
            if found:
                return found
        if TAG_RE.match(text):
            found = self.transport.list_all("/deployments", {"filter[tags]": text})
            found = [d for d in found if text in attr(d, "tags", [])]
            if found:
                return found
        return match("deployment", self.transport.list_all("/deployments"), text)

    def _find_login_key(self, text: str, **_: Any) -> list:
        if not LOGIN_KEY_RE.match(text):
            return []
        self.transport.redactor.remember(text)
        return self._by_id(f"/accounts/me/login_keys/{seg(text)}")

    def _find_webhook(self, text: str, **_: Any) -> list:
        return self._by_id(f"/webhooks/{seg(text)}")
