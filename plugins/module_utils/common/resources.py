"""Resource helpers: the one place that reads JSON:API resources (attributes, relationships, refs, types).

Front ends (impt, modules, lookups, the action plugin) read entities through these functions instead of
poking at ``resource["attributes"]`` themselves, so a change in the wire shape is made once. The table of
Device Group types (API names, impt names, labels and target rules) lives here too.
"""

from dataclasses import dataclass, field
from typing import Any, Optional

KIND_LABELS = {
    "account": "Account",
    "product": "Product",
    "device_group": "Device Group",
    "device": "Device",
    "deployment": "Deployment",
    "login_key": "Login Key",
    "webhook": "Webhook",
}
KIND_OF_TYPE = {"account": "account", "product": "product", "device": "device", "deployment": "deployment"}
KIND_OF_TYPE.update({"login_key": "login_key", "loginkey": "login_key", "webhook": "webhook"})
TARGET_RELATIONS = ("production_target", "dut_target")


@dataclass(frozen=True)
class DeviceGroupType:
    """One of the seven Device Group types and the rules impCentral applies to it."""

    name: str  # impt's name, also the modules' choice
    api: str  # the JSON:API ``type``
    label: str  # for messages
    targets: dict = field(default_factory=dict)  # relation -> API type it must point at (fixture types)
    production: bool = False  # region and load_code_after_blessing allowed
    unbond_key: bool = False  # removing its devices needs the device's unbond key


DEVICE_GROUP_TYPES = (
    DeviceGroupType("development", "development_devicegroup", "development"),
    DeviceGroupType(
        "pre-factory",
        "pre_factoryfixture_devicegroup",
        "pre-factory",
        {"production_target": "pre_production_devicegroup", "dut_target": "pre_dut_devicegroup"},
    ),
    DeviceGroupType("pre-dut", "pre_dut_devicegroup", "pre-DUT"),
    DeviceGroupType("pre-production", "pre_production_devicegroup", "pre-production", production=True),
    DeviceGroupType(
        "factory",
        "factoryfixture_devicegroup",
        "factory",
        {"production_target": "production_devicegroup", "dut_target": "dut_devicegroup"},
    ),
    DeviceGroupType("dut", "dut_devicegroup", "DUT"),
    DeviceGroupType("production", "production_devicegroup", "production", production=True, unbond_key=True),
)
DG_TYPES = {t.name: t.api for t in DEVICE_GROUP_TYPES}
DG_TYPE_NAMES = {t.api: t.name for t in DEVICE_GROUP_TYPES}
_BY_ANY_NAME = {**{t.name: t for t in DEVICE_GROUP_TYPES}, **{t.api: t for t in DEVICE_GROUP_TYPES}}
for _t in DEVICE_GROUP_TYPES:
    KIND_OF_TYPE[_t.api] = "device_group"


def dg_type(value: Any) -> Optional[DeviceGroupType]:
    """The type of a Device Group resource, or of an API / impt type name; None when unknown."""
    if isinstance(value, dict):
        value = value.get("type")
    return _BY_ANY_NAME.get(value) if isinstance(value, str) else None


def api_dg_type(value: Any) -> Any:
    """API type string(s); impt names (``development``...) are accepted, unknown values pass unchanged."""
    if isinstance(value, (list, tuple)):
        return [api_dg_type(v) for v in value]
    found = dg_type(value) if isinstance(value, str) else None
    return found.api if found else value


def type_name(value: Any) -> str:
    """impt's name of a Device Group type (``production``...), the type itself for other resources."""
    found = dg_type(value)
    if found:
        return found.name
    return value.get("type") if isinstance(value, dict) else str(value)


def kind_of(resource: Any) -> Optional[str]:
    """The entity kind (``device_group``...) of a resource or a JSON:API type."""
    text = resource.get("type") if isinstance(resource, dict) else resource
    return KIND_OF_TYPE.get(text) if isinstance(text, str) else None


def label(kind: str) -> str:
    """``Device Group`` for ``device_group``: the word impt and the modules' messages use."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").title())


def attributes(resource: Optional[dict]) -> dict:
    """The resource's attributes (empty for None or a bare ref)."""
    found = (resource or {}).get("attributes")
    return found if isinstance(found, dict) else {}


def attr(resource: Optional[dict], name: str, default: Any = None) -> Any:
    """One attribute; ``default`` when the API left it out or sent null."""
    value = attributes(resource).get(name)
    return default if value is None else value


def relationships(resource: Optional[dict]) -> dict:
    found = (resource or {}).get("relationships")
    return found if isinstance(found, dict) else {}


def rel_ref(resource: Optional[dict], name: str) -> Optional[dict]:
    """The ``{type, id}`` a relationship points at (either the bare form or ``{"data": {...}}``)."""
    found = relationships(resource).get(name)
    if isinstance(found, dict) and "data" in found:
        found = found["data"]
    return found if isinstance(found, dict) and found.get("id") else None


def rel_id(resource: Optional[dict], name: str) -> Optional[str]:
    """The id a relationship points at, None when absent."""
    found = rel_ref(resource, name)
    return str(found["id"]) if found else None


def ref(resource: dict) -> dict:
    """``{type, id}`` of a full resource: what request bodies and relationships take."""
    return {"type": resource["type"], "id": resource["id"]}


def as_ref(value: Any, default_type: str) -> dict:
    """``{"type", "id"}`` from a ref, a full resource, or a bare id."""
    if isinstance(value, dict):
        return {"type": value.get("type") or default_type, "id": value["id"]}
    return {"type": default_type, "id": str(value)}


def ref_id(value: Any) -> str:
    """The id of a ref, resource or bare id."""
    if isinstance(value, dict):
        return str(value["id"])
    return str(value)


def targets(group: Optional[dict]) -> dict:
    """``{relation: group id}`` of the targets a (fixture) Device Group points at."""
    return {name: rel_id(group, name) for name in TARGET_RELATIONS if rel_id(group, name)}


def has_target(group: Optional[dict]) -> bool:
    return bool(targets(group))


def is_flagged(deployment: Optional[dict]) -> bool:
    return bool(attr(deployment, "flagged"))


def is_zombie(deployment: Optional[dict]) -> bool:
    """A deployment whose Device Group is gone (older accounts keep them)."""
    return rel_id(deployment, "devicegroup") is None


def name_or_id(resource: Optional[dict]) -> Optional[str]:
    found = attr(resource, "name")
    return found if found else (resource or {}).get("id")


RENAMED_RELATIONSHIPS = {"devicegroup": "device_group"}


def flatten(resource: Optional[dict]) -> dict:
    """A resource as one flat dict: id, type (impt's name for groups), every attribute, relationship ids."""
    if not resource:
        return {}
    kind = resource.get("type")
    out = {"id": resource.get("id"), "type": DG_TYPE_NAMES.get(kind, kind)}
    out.update(attributes(resource))
    for name in relationships(resource):
        out[RENAMED_RELATIONSHIPS.get(name, name)] = rel_id(resource, name)
    return out
