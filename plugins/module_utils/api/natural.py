"""Natural keys: what makes an entity unique within its scope, and the one listing that finds it.

The create-retry probes (a create whose answer was lost) and the front ends' "does it exist yet?" look
entities up the same way: one listing narrowed server-side to the scope, then the key compared.
"""

from typing import Any, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr

# kind -> (collection path, the scope's filter, the attributes that are unique within the scope)
NATURAL_KEYS: dict = {
    "product": ("/products", "filter[owner.id]", ("name",)),
    "device_group": ("/devicegroups", "filter[product.id]", ("name",)),
    "webhook": ("/webhooks", "filter[devicegroup.id]", ("event", "url")),
}


def natural_key(kind: str) -> tuple:
    """The attribute names of ``kind``'s natural key (``("event", "url")`` for a webhook)."""
    return NATURAL_KEYS[kind][2]


def natural_match(kind: str, candidates: Iterable, **key: Any) -> Optional[dict]:
    """The candidate whose natural-key attributes equal ``key`` (None when none does)."""
    names = natural_key(kind)
    if set(key) != set(names):
        raise ValueError(f"the natural key of a {kind} is {', '.join(names)}")
    return next((c for c in candidates if all(attr(c, n) == key[n] for n in names)), None)


def find_natural(transport: Any, kind: str, scope: str, **key: Any) -> Optional[dict]:
    """One listing, narrowed server-side to the scope: a product in an account, a group in a product,
    a webhook of a group by event and URL."""
    path, scope_filter, _names = NATURAL_KEYS[kind]
    return natural_match(kind, transport.list_all(path, {scope_filter: scope}), **key)
