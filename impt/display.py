"""What impt shows of each entity: short (list) and info forms with related entities, per impt-behaviour §4.

Rendering fetches nothing: the entities shown beside the rendered one come in a `Related` snapshot that
`impt.related.Catalog` filled before (so one command's output is the last step of parse, resolve, act, render).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import WEBHOOK_MIME_NAMES
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    KIND_LABELS,
    attr,
    attributes,
    dg_type,
    kind_of,
    rel_id,
    rel_ref,
)

LABELS = KIND_LABELS  # `Device Group` for `device_group`: the shared words
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
OWNERSHIP_RELATIONS = ("owner", "creator")
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
GROUP_RELATIONS = (
    ("current_deployment", "Current Deployment"),
    ("min_supported_deployment", "Min supported Deployment"),
    ("production_target", "Production Target"),
    ("dut_target", "DUT Target"),
)
_MORE_DEVICES = 5


@dataclass(frozen=True)
class Related:
    """The entities a rendering may show beside the rendered ones, by (kind, id); None: it no longer exists."""

    entities: Mapping[tuple[str, str], dict | None] = field(default_factory=dict)
    me: str | None = None  # the current account's id, when an Owner or Creator could be shown

    def get(self, kind: str, entity_id: str) -> dict | None:
        """A related entity; a KeyError means the caller did not fetch what it renders (a bug)."""
        return self.entities[(kind, entity_id)]


def related_kind(ref: dict) -> str:
    """Entity kind a relationship points at (`production_devicegroup` → `device_group`)."""
    return kind_of(ref) or ref.get("type", "")


def attribute_value(kind: str, name: str, value: Any) -> Any:
    if kind == "webhook" and name == "content_type":
        return WEBHOOK_MIME_NAMES.get(value, "unknown")
    if value is None or value == []:  # impt 2.6 turns null and [] into "" but keeps `env_vars: {}`
        return ""
    return value


def dg_type_name(resource: dict) -> str:
    found = dg_type(resource)
    return found.name if found else "unknown"


def short(kind: str, resource: dict) -> dict[str, Any]:
    """id + the list attributes that have a value (impt 2.6 leaves out false ones too: `flagged: false`)."""
    shown: dict[str, Any] = {"id": resource.get("id")}
    for name in SHORT_ATTRIBUTES.get(kind, ()):
        value = dg_type_name(resource) if (kind == "device_group" and name == "type") else attr(resource, name)
        if value is not None and value is not False and value not in ("", []):
            shown[name] = value
    return shown


def full_attributes(kind: str, resource: dict) -> dict[str, Any]:
    """id + every attribute in the order the API sent them (empty ones shown empty)."""
    shown: dict[str, Any] = {"id": resource.get("id")}
    if kind == "device_group":
        shown["type"] = dg_type_name(resource)
    for name, value in attributes(resource).items():
        shown[name] = attribute_value(kind, name, value)
    return shown


def relation(resource: dict, name: str, related: Related, kind: str | None = None) -> dict | None:
    """Short form of a related entity, or a `type: unknown` stub when it does not exist."""
    ref = rel_ref(resource, name)
    if ref is None:
        return None
    kind = kind or related_kind(ref)
    if name in OWNERSHIP_RELATIONS and ref["id"] == related.me:
        return None
    target = related.get(kind, ref["id"])
    if target is None:
        return {"id": ref["id"], "type": "unknown"}
    return short(kind, target)


def entry(kind: str, resource: dict, related: Related, *, info: bool = False) -> dict[str, Any]:
    """`{"<Type>": {...}}` in list form, or info form with every attribute."""
    shown = full_attributes(kind, resource) if info else short(kind, resource)
    for name, label in (INFO_RELATIONS if info else LIST_RELATIONS).get(kind, ()):
        shown_related = relation(resource, name, related)
        if shown_related is not None:
            if info and kind == "device" and name == "devicegroup":
                group = related.get("device_group", shown_related["id"])
                current = relation(group, "current_deployment", related, "deployment") if group else None
                if current:
                    shown_related["Current Deployment"] = current
            shown[label] = shown_related
    return {LABELS[kind]: shown}


def entries(kind: str, resources: list[dict], related: Related) -> list[dict[str, Any]]:
    return [entry(kind, r, related) for r in resources]


def device_blocks(devices: list[dict]) -> list[Any]:
    """At most five devices, then `And N more Device(s).` (impt's printObjectInfo)."""
    blocks: list[Any] = [{"Device": short("device", d)} for d in devices[:_MORE_DEVICES]]
    if len(devices) > _MORE_DEVICES:
        blocks.append(f"And {len(devices) - _MORE_DEVICES} more Device(s).")
    return blocks


def full_group_details(
    group: dict, groups: list[dict], devices: list[dict], webhooks: list[dict], *, cut: bool = True
) -> dict:
    """The `--full` part of a Device Group: who targets it, its webhooks, its devices (five shown when
    ``cut``, the text modes' limit; json lists them all)."""
    details: dict[str, Any] = {}
    for name, label in (("production_target", "Production Target for"), ("dut_target", "DUT Target for")):
        sources = [g for g in groups if rel_id(g, name) == group["id"]]
        if sources:
            details[label] = [{"Device Group": short("device_group", g)} for g in sources]
    hooks = [w for w in webhooks if rel_id(w, "devicegroup") == group["id"]]
    if hooks:
        details["Webhooks"] = [{"Webhook": short("webhook", w)} for w in hooks]
    own = [d for d in devices if rel_id(d, "devicegroup") == group["id"]]
    if own:
        limit = _MORE_DEVICES if cut else len(own)
        shown: list[Any] = [{"Device": short("device", d)} for d in own[:limit]]
        if len(own) > limit:
            shown.append(f"... {len(own) - limit} more Device(s)")
        details["Devices"] = shown
    return details
