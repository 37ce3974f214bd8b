"""Device Group type rules: which options a type takes, which targets it needs and what they must be.

The table of the seven types (impt names, API types, labels, target types, production flags) is
``common/resources.DEVICE_GROUP_TYPES``; the rules every front end checks before a write are read from it here,
once. impt (``impt dg create/update``, ``impt project create``) and the ``device_group`` module word the
refusals their own way; which option a type refuses, and why, is decided only here.
"""

from typing import Any, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    DEVICE_GROUP_TYPES,
    TARGET_RELATIONS,
    DeviceGroupType,
    dg_type,
    rel_id,
)

# What an option needs of the group's type: production types (region, load_code_after_blessing) or
# fixture types, the ones with targets (production_target, dut_target).
_NEEDS = {
    "region": "production",
    "load_code_after_blessing": "production",
    "production_target": "targets",
    "dut_target": "targets",
}
FIXTURE_TYPES = tuple(t for t in DEVICE_GROUP_TYPES if t.targets)
PRODUCTION_TYPES = tuple(t for t in DEVICE_GROUP_TYPES if t.production)
# The API types a fixture group's targets can be: groups of these types may be pointed at by other groups.
TARGET_TYPES = tuple(dict.fromkeys(api for t in FIXTURE_TYPES for api in t.targets.values()))


def types_allowing(option: str) -> tuple:
    """The types that take ``option`` (``region``, ``load_code_after_blessing``, ``production_target``,
    ``dut_target``), in the table's order."""
    return FIXTURE_TYPES if _NEEDS[option] == "targets" else PRODUCTION_TYPES


def allows(kind: Any, option: str) -> bool:
    """Whether a group of ``kind`` (a type, its API or impt name, or a group) takes ``option``."""
    found = kind if isinstance(kind, DeviceGroupType) else dg_type(kind)
    return found is not None and found in types_allowing(option)


def refused_options(kind: Any, given: Iterable[str]) -> list:
    """The options among ``given`` a group of ``kind`` cannot take, in the order given (unknown kinds: none)."""
    found = kind if isinstance(kind, DeviceGroupType) else dg_type(kind)
    if found is None:
        return []
    return [option for option in given if option in _NEEDS and not allows(found, option)]


def required_targets(kind: Any) -> tuple:
    """The target relations a group of ``kind`` must have when it is created (fixture types: both)."""
    found = kind if isinstance(kind, DeviceGroupType) else dg_type(kind)
    return tuple(r for r in TARGET_RELATIONS if found is not None and r in found.targets)


def target_type(kind: Any, relation: str) -> Optional[DeviceGroupType]:
    """The type the ``relation`` target of a group of ``kind`` must be (None: the type has no such target)."""
    found = kind if isinstance(kind, DeviceGroupType) else dg_type(kind)
    return dg_type(found.targets.get(relation)) if found is not None else None


def target_problem(kind: Any, relation: str, target: dict, product_id: Optional[str]) -> Optional[str]:
    """Why ``target`` cannot be the ``relation`` target of a group of ``kind`` in ``product_id``: ``"type"``
    (another type than the rule wants) or ``"product"`` (another Product); None when it can."""
    wanted = target_type(kind, relation)
    if wanted is not None and target.get("type") != wanted.api:
        return "type"
    if rel_id(target, "product") != product_id:
        return "product"
    return None
