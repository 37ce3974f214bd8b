"""References: ``{type, id}`` helpers (from resources) and the Device Group ref that needs the group's type."""

from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import as_ref, ref_id

__all__ = ["as_ref", "device_group_ref", "ref_id"]


def device_group_ref(transport: Any, value: Any) -> dict:
    """A Device Group ref; a bare id costs one GET because bodies need the group's API type."""
    if isinstance(value, dict) and value.get("type"):
        return {"type": value["type"], "id": value["id"]}
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg

    found = transport.get_data(f"/devicegroups/{seg(ref_id(value))}")
    return {"type": found["type"], "id": found["id"]}
