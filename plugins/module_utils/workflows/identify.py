"""Entity identification: turn what a user typed into entities, as impt does (seed 000, impt §5).

The one home of the identification rules every front end shares: impt's attribute order per kind (the first
attribute with a match wins) and the ``{account}{product}[{device group}]`` hierarchy grammar. Cost matters:
the by-id GET is skipped when the value cannot be an id of that kind, names are matched on one listing
narrowed by every server-side filter available, and list items are never re-fetched. Requests go through
the client's entity calls; no URL is written here.

``find(client, kind, value)`` / ``one(client, kind, value)`` / ``natural(client, kind, scope, **key)``;
``product=`` scopes a Device Group name to one product; ``how_to_choose()`` words an ambiguity for a task.
"""

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import (
    AGENT_ID_RE,
    DEVICE_ID_RE,
    ID_RE,
    LOGIN_KEY_RE,
    MAC_RE,
    SHA_RE,
    TAG_RE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    IdentificationError,
    InvalidIdentifierError,
    NotFoundError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.natural import (
    NATURAL_KEYS,
    find_natural,
    natural_key,
    natural_match,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr, label, rel_id

__all__ = [
    "ATTRIBUTE_ORDER",
    "KINDS",
    "NATURAL_KEYS",
    "Hierarchy",
    "find",
    "ambiguous",
    "hierarchy",
    "how_to_choose",
    "match",
    "natural",
    "natural_key",
    "natural_match",
    "one",
]

KINDS = ("account", "product", "device_group", "device", "deployment", "login_key", "webhook")
LABELS = {kind: label(kind) for kind in KINDS}
# The parts of a hierarchical identifier, outermost first: the kinds that accept the form and what they name.
HIERARCHY_PARTS = {"product": ("account", "product"), "device_group": ("account", "product", "device_group")}


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
    the first attribute that matches anything (empty when none does). Pure: no request."""
    if kind not in ATTRIBUTE_ORDER:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
    items = list(candidates)
    text = str(identifier)
    for name, how in ATTRIBUTE_ORDER[kind]:
        found = [item for item in items if _matches(item, name, how, text)]
        if found:
            return found
    return []


# -- the hierarchy grammar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """``{a}{b}[{c}]`` read for ``kind``: its ``parts`` and the kinds they name (outermost first)."""

    kind: str
    text: str
    parts: tuple
    kinds: tuple


def hierarchy(kind: str, text: str) -> Optional[Hierarchy]:
    """The hierarchical form of ``text`` for ``kind``, None when ``text`` is a plain value (also when it has
    fewer parts than ``kind`` needs: it is then a plain name). ``InvalidIdentifierError`` when it has more
    parts (``reason="extra_part"``) or an empty part (``reason="empty_part"``, ``part``: the kind it names)."""
    kinds = HIERARCHY_PARTS.get(kind)
    if kinds is None or not (text.startswith("{") and text.endswith("}")) or "}{" not in text:
        return None
    parts = text[1:-1].split("}{")
    if len(parts) < len(kinds):
        return None
    if len(parts) > len(kinds):
        raise InvalidIdentifierError(
            f'Invalid {LABELS[kind]} identifier "{text}": a part of a hierarchical identifier must not contain "}}{{".',
            kind,
            text,
            reason="extra_part",
        )
    for part, part_kind in zip(parts, kinds, strict=True):
        if not part.strip():
            raise InvalidIdentifierError(
                f'Invalid {LABELS[kind]} identifier "{text}": a part of a hierarchical identifier must not be empty.',
                kind,
                text,
                reason="empty_part",
                part=part_kind,
            )
    return Hierarchy(kind, text, tuple(parts), kinds)


def _check(kind: str, value: Any) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidIdentifierError(f"{LABELS[kind]} identifier must not be empty.", kind, value, reason="empty")
    return str(value)


# -- the public entry points -------------------------------------------------------------------------


def find(client: Any, kind: str, value: Any, *, product: Any = None) -> list:
    """Every entity matching the first attribute that matches (empty list when none). ``product`` (any product
    identifier; device groups only) keeps the groups of that product: an unknown product is not found."""
    text = _check(kind, value)
    if product is not None and kind == "device_group":
        scope = one(client, "product", product)
        return [g for g in _scoped_groups(client, text, scope) if rel_id(g, "product") == scope.get("id")]
    form = hierarchy(kind, text)
    if form is None:
        return _plain(client, kind, text)
    try:
        return [_resolve_chain(client, form)]
    except (IdentificationError, NotFoundError):
        return _plain(client, kind, text)


def one(client: Any, kind: str, value: Any, *, product: Any = None) -> dict:
    """Exactly one entity, else ``EntityNotFoundError`` / ``AmbiguousEntityError``. ``product`` (device groups
    only, any product identifier) looks for the group in that product alone, as ``{account}{product}{group}``
    does, and is itself identified first (an unknown or ambiguous product is that error)."""
    text = _check(kind, value)
    if product is not None and kind == "device_group":
        scope = one(client, "product", product)
        found = [g for g in _scoped_groups(client, text, scope) if rel_id(g, "product") == scope.get("id")]
        if not found:
            raise EntityNotFoundError(
                f'{LABELS[kind]} "{text}" is not found in product "{attr(scope, "name") or scope.get("id")}".',
                kind,
                text,
            )
        return _exactly_one(kind, text, found)
    form = hierarchy(kind, text)
    if form is None:
        return _exactly_one(kind, text, _plain(client, kind, text))
    try:
        return _resolve_chain(client, form)
    except (IdentificationError, NotFoundError) as original:
        found = _plain(client, kind, text)
        if found:
            return _exactly_one(kind, text, found)
        raise original


def _scoped_groups(client: Any, text: str, product: dict) -> list:
    """The groups ``text`` names inside ``product``: a hierarchical form is resolved as usual (and must lie in
    the product), a plain value is matched among the product's groups only."""
    form = hierarchy("device_group", text)
    if form is not None:
        try:
            return [_resolve_chain(client, form)]
        except (IdentificationError, NotFoundError):
            pass
    return _find_device_group(client, text, product=product.get("id"))


def how_to_choose(client: Any, error: AmbiguousEntityError, option: str = "", *, product_option: bool = True) -> str:
    """The message for a task that named several entities: each candidate (id, and for a Device Group its
    product) and how to name one, by ``option``: the ``product`` option, an id, or the hierarchical form
    written so YAML and Jinja keep it as it is (quoted; ``{% raw %}`` when a name holds ``{{``, ``{%`` or
    ``{#``). ``product_option``: whether the task has a ``product`` option that scopes the name. Reads the
    candidates' products (one request each) only for Device Groups."""
    kind, text, found = error.kind, str(error.value), list(error.candidates)
    ids = [str(item.get("id")) for item in found]
    key = option or kind
    if kind != "device_group":
        listed = ", ".join(ids)
        form = ""
        if kind == "product":  # one account has one product of a name: the candidates are in different accounts
            listed = ", ".join("%s (account %s)" % (pid, rel_id(p, "owner")) for pid, p in zip(ids, found, strict=True))
            form = " or the hierarchical form %s" % _jinja_safe("{%s}{%s}" % (rel_id(found[0], "owner"), text))
        return f'Multiple {LABELS[kind]}s "{text}" are found: {listed}. Choose one with an id ({key}: {ids[0]}){form}.'
    products = _product_names(client, found)
    listed = ", ".join(
        '%s (product "%s")' % (gid, products.get(rel_id(item, "product") or "", rel_id(item, "product")))
        for gid, item in zip(ids, found, strict=True)
    )
    first = found[0]
    product = products.get(rel_id(first, "product") or "", rel_id(first, "product"))
    account = _account(client, first)
    braces = "{%s}{%s}{%s}" % (account, product, text)
    template = "\"{{ '{%s}{' ~ product_name ~ '}{%s}' }}\"" % (account, text.replace("'", "\\'"))
    by_product = f"the product option (product: {json.dumps(product)}), " if product_option else ""
    return (
        f'Multiple {LABELS[kind]}s "{text}" are found: {listed}. Choose one with {by_product}an id '
        f"({key}: {ids[0]}), or the hierarchical form, quoted ({key}: {_jinja_safe(braces)}; built from a "
        f"variable: {key}: {template})."
    )


def _account(client: Any, item: dict) -> str:
    """How the hierarchical form names the account of ``item``: ``me`` for one's own (one request when the
    account was not read yet), else its id."""
    owner = rel_id(item, "owner")
    if owner is None:
        return "me"
    me = client.accounts.cached_me() or client.accounts.me()
    return "me" if owner == me.get("id") else owner


def _product_names(client: Any, groups: list) -> dict:
    names: dict = {}
    for pid in dict.fromkeys(rel_id(g, "product") for g in groups):
        if pid:
            try:
                names[pid] = attr(client.products.get(pid), "name") or pid
            except NotFoundError:
                names[pid] = pid
    return names


def _jinja_safe(text: str) -> str:
    """``text`` as a YAML string Jinja leaves alone: quoted, and wrapped in ``{% raw %}`` only when it would
    start a Jinja block (single braces, as in ``{me}{P}{G}``, are no template)."""
    if any(mark in text for mark in ("{{", "{%", "{#")):
        text = "{%% raw %%}%s{%% endraw %%}" % text
    return json.dumps(text)


def natural(client: Any, kind: str, scope: str, **key: Any) -> Optional[dict]:
    """The entity with this natural key in ``scope``: a product by name in an account, a group by name in
    a product, a webhook of a group by event and URL (one listing)."""
    return find_natural(client.transport, kind, scope, **key)


def _exactly_one(kind: str, text: str, found: list) -> dict:
    if not found:
        raise EntityNotFoundError(f'{LABELS[kind]} "{text}" is not found.', kind, text)
    if len(found) > 1:
        raise ambiguous(kind, text, found)
    return found[0]


def ambiguous(kind: str, text: str, found: list) -> AmbiguousEntityError:
    """The error for several matches: impt's words and the candidates' ids."""
    ids = ", ".join(str(item.get("id")) for item in found)
    return AmbiguousEntityError(
        f'Multiple {LABELS[kind]}s "{text}" are found: {ids}. Use an id to choose one.', kind, text, found
    )


def _resolve_chain(client: Any, form: Hierarchy) -> dict:
    """Each part inside the one before it: the account, its product, the product's group."""
    scope: dict = {}
    found: dict = {}
    for part, kind in zip(form.parts, form.kinds, strict=True):
        found = _exactly_one(kind, part, _plain(client, kind, part, **scope))
        scope = {"owner": found.get("id")} if kind == "account" else {"product": found.get("id")}
    return found


# -- plain values: one finder per kind -----------------------------------------------------------------


def _plain(client: Any, kind: str, text: str, owner: Optional[str] = None, product: Optional[str] = None) -> list:
    return _FINDERS[kind](client, text, owner=owner, product=product)


def _by_id(get: Callable[[str], dict], value: str, accept: Optional[Callable[[dict], bool]] = None) -> list:
    """GET by id: a 404 means "try the next attribute"; other errors propagate, also a 404 of the lazy login
    before the GET (an unknown login key is a failed login, never "no such entity")."""
    try:
        item = get(value)
    except NotFoundError as exc:
        if exc.method != "GET":
            raise
        return []
    if not item or (accept is not None and not accept(item)):
        return []
    return [item]


def _find_account(client: Any, text: str, **_: Any) -> list:
    if text == "me":
        return [client.accounts.me()]
    if ID_RE.match(text):
        me = client.accounts.cached_me()
        if me is not None and me.get("id") == text:
            return [me]
        found = _by_id(client.accounts.get, text)
        if found:
            return found
    return match("account", client.accounts.list(), text)


def _find_product(client: Any, text: str, owner: Optional[str] = None, **_: Any) -> list:
    if ID_RE.match(text):
        found = _by_id(client.products.get, text, (lambda p: rel_id(p, "owner") == owner) if owner else None)
        if found:
            return found
    return match("product", client.products.list(owner=owner), text)


def _find_device_group(client: Any, text: str, product: Optional[str] = None, owner: Optional[str] = None) -> list:
    if ID_RE.match(text):
        in_product = (lambda g: rel_id(g, "product") == product) if product else None
        found = _by_id(client.device_groups.get, text, in_product)
        if found:
            return found
    return match("device_group", client.device_groups.list(owner=owner, product=product), text)


def _find_device(client: Any, text: str, **_: Any) -> list:
    looks_like_mac = bool(MAC_RE.match(text))
    if DEVICE_ID_RE.match(text) or looks_like_mac or AGENT_ID_RE.match(text):
        found = _by_id(client.devices.get, text.lower() if looks_like_mac else text)
        if found:
            return found
    return match("device", client.devices.list(), text)


def _find_deployment(client: Any, text: str, **_: Any) -> list:
    if ID_RE.match(text):
        found = _by_id(client.deployments.get, text)
        if found:
            return found
    if SHA_RE.match(text):
        found = [d for d in client.deployments.list(sha=text) if attr(d, "sha") == text]
        if found:
            return found
    if TAG_RE.match(text):
        found = [d for d in client.deployments.list(tags=text) if text in attr(d, "tags", [])]
        if found:
            return found
    return match("deployment", client.deployments.list(), text)


def _find_login_key(client: Any, text: str, **_: Any) -> list:
    if not LOGIN_KEY_RE.match(text):
        return []
    return _by_id(client.login_keys.get, text)


def _find_webhook(client: Any, text: str, **_: Any) -> list:
    return _by_id(client.webhooks.get, text)


_FINDERS = {
    "account": _find_account,
    "product": _find_product,
    "device_group": _find_device_group,
    "device": _find_device,
    "deployment": _find_deployment,
    "login_key": _find_login_key,
    "webhook": _find_webhook,
}
