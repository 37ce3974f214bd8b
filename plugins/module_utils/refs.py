"""Helpers for the ``{type, id}`` references that relationships and bodies use."""

from typing import Any


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


def device_group_ref(transport: Any, value: Any) -> dict:
    """A Device Group ref; a bare id costs one GET because bodies need the group's API type."""
    if isinstance(value, dict) and value.get("type"):
        return {"type": value["type"], "id": value["id"]}
    from ansible_collections.electricimp.impcentral.plugins.module_utils.transport import seg

    found = transport.get_data(f"/devicegroups/{seg(ref_id(value))}")
    return {"type": found["type"], "id": found["id"]}
