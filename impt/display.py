"""What impt shows of each entity: short (list) and info forms with related entities, per impt-behaviour §4.

A `Catalog` caches entities by id for one command, so each related entity is fetched at most once and
`GET /accounts/me` happens only when an Owner or Creator could be shown.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.constants import DG_TYPE_NAMES, WEBHOOK_MIME_NAMES

LABELS = {
    "account": "Account",
    "product": "Product",
    "device_group": "Device Group",
    "device": "Device",
    "deployment": "Deployment",
    "login_key": "Login Key",
    "webhook": "Webhook",
}
_CLIENT_ATTR = {
    "account": "accounts",
    "product": "products",
    "device_group": "device_groups",
    "device": "devices",
    "deployment": "deployments",
    "webhook": "webhooks",
}
SHORT_ATTRIBUTES = {
    "account": ("email", "username"),
    "product": ("name",),
    "device_group": ("type", "name"),
    "device": ("name", "mac_address", "agent_id", "device_online"),
    "deployment": ("sha", "tags", "origin", "flagged"),
    "login_key": ("description", "usages"),
    "webhook": ("event", "url"),
}
LIST_RELATIONS = {
    "product": (("owner", "Owner"),),
    "device_group": (("product", "Product"), ("owner", "Owner")),
    "device": (("devicegroup", "Device Group"), ("owner", "Owner")),
    "deployment": (("devicegroup", "Device Group"), ("owner", "Owner")),
    "webhook": (("devicegroup", "Device Group"), ("owner", "Owner")),
}
_OWNERSHIP = (("owner", "Owner"), ("creator", "Creator"))
INFO_RELATIONS = {
    "product": _OWNERSHIP,
    "device_group": (
        ("product", "Product"),
        ("current_deployment", "Current Deployment"),
        ("min_supported_deployment", "Min supported Deployment"),
        ("production_target", "Production Target"),
        ("dut_target", "DUT Target"),
        *_OWNERSHIP,
    ),
    "device": (("devicegroup", "Device Group"), ("product", "Product"), *_OWNERSHIP),
    "deployment": (("devicegroup", "Device Group"), ("product", "Product"), *_OWNERSHIP),
    "webhook": (("devicegroup", "Device Group"), ("product", "Product"), *_OWNERSHIP),
}


def kind_of(api_type: str) -> str:
    """Entity kind of a JSON:API type (`production_devicegroup` → `device_group`)."""
    if api_type.endswith("devicegroup"):
        return "device_group"
    return {"product": "product", "deployment": "deployment", "account": "account", "device": "device"}.get(
        api_type, api_type
    )


def related_id(resource: dict, name: str) -> str | None:
    ref = (resource.get("relationships") or {}).get(name)
    return ref.get("id") if isinstance(ref, dict) else None


def attribute_value(kind: str, name: str, value: Any) -> Any:
    if kind == "webhook" and name == "content_type":
        return WEBHOOK_MIME_NAMES.get(value, "unknown")
    if value is None or value in ([], {}):
        return ""
    return value


def dg_type_name(resource: dict) -> str:
    return DG_TYPE_NAMES.get(resource.get("type", ""), "unknown")


def short(kind: str, resource: dict) -> dict[str, Any]:
    """id + the list attributes that have a value."""
    shown: dict[str, Any] = {"id": resource.get("id")}
    attributes = resource.get("attributes") or {}
    for name in SHORT_ATTRIBUTES.get(kind, ()):
        value = dg_type_name(resource) if (kind == "device_group" and name == "type") else attributes.get(name)
        if value is not None and value not in ("", []):
            shown[name] = value
    return shown


def full_attributes(kind: str, resource: dict) -> dict[str, Any]:
    """id + every attribute in the order the API sent them (empty ones shown empty)."""
    shown: dict[str, Any] = {"id": resource.get("id")}
    if kind == "device_group":
        shown["type"] = dg_type_name(resource)
    for name, value in (resource.get("attributes") or {}).items():
        shown[name] = attribute_value(kind, name, value)
    return shown


class Catalog:
    """Entities seen or fetched during one command, by kind and id."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.known: dict[tuple[str, str], dict | None] = {}
        self._me: str | None = None
        self._listed: set[str] = set()

    def remember(self, kind: str, resources: list[dict]) -> None:
        for resource in resources:
            self.known[(kind, resource["id"])] = resource

    def get(self, kind: str, entity_id: str) -> dict | None:
        """The entity, fetched once; None when it no longer exists."""
        key = (kind, entity_id)
        if key not in self.known:
            if kind == "account" and entity_id == self.me_id():
                self.known[key] = self.client.accounts.me()
                return self.known[key]
            from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import NotFoundError

            try:
                self.known[key] = getattr(self.client, _CLIENT_ATTR[kind]).get(entity_id)
            except NotFoundError:
                self.known[key] = None
        return self.known[key]

    def prefetch(self, kind: str, ids: set[str]) -> None:
        """Several unknown ids of one kind: one list call is cheaper than one GET each."""
        missing = {i for i in ids if (kind, i) not in self.known}
        if len(missing) < 2 or kind in self._listed or kind not in ("product", "device_group"):
            return
        self._listed.add(kind)
        self.remember(kind, getattr(self.client, _CLIENT_ATTR[kind]).list())

    def me_id(self) -> str:
        if self._me is None:
            self._me = self.client.accounts.me()["id"]
        return self._me

    def relation(self, resource: dict, name: str, kind: str | None = None) -> dict | None:
        """Short form of a related entity, or a `type: unknown` stub when it does not exist."""
        ref = (resource.get("relationships") or {}).get(name)
        if not isinstance(ref, dict) or not ref.get("id"):
            return None
        kind = kind or kind_of(ref.get("type", ""))
        if name in ("owner", "creator") and ref["id"] == self.me_id():
            return None
        target = self.get(kind, ref["id"])
        if target is None:
            return {"id": ref["id"], "type": "unknown"}
        return short(kind, target)

    def entry(self, kind: str, resource: dict, *, info: bool = False) -> dict[str, Any]:
        """`{"<Type>": {...}}` in list form, or info form with every attribute."""
        shown = full_attributes(kind, resource) if info else short(kind, resource)
        relations = (INFO_RELATIONS if info else LIST_RELATIONS).get(kind, ())
        self._prefetch_relations([resource], relations)
        for name, label in relations:
            related = self.relation(resource, name)
            if related is not None:
                if info and kind == "device" and name == "devicegroup":
                    group = self.get("device_group", related["id"])
                    current = self.relation(group, "current_deployment", "deployment") if group else None
                    if current:
                        related["Current Deployment"] = current
                shown[label] = related
        return {LABELS[kind]: shown}

    def entries(self, kind: str, resources: list[dict]) -> list[dict[str, Any]]:
        self._prefetch_relations(resources, LIST_RELATIONS.get(kind, ()))
        return [self.entry(kind, r) for r in resources]

    def _prefetch_relations(self, resources: list[dict], relations: tuple) -> None:
        for name, _label in relations:
            if name in ("owner", "creator"):
                continue
            by_kind: dict[str, set[str]] = {}
            for resource in resources:
                ref = (resource.get("relationships") or {}).get(name)
                if isinstance(ref, dict) and ref.get("id"):
                    by_kind.setdefault(kind_of(ref.get("type", "")), set()).add(ref["id"])
            for kind, ids in by_kind.items():
                self.prefetch(kind, ids)
