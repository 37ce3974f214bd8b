"""Device Groups (``/devicegroups``), their restarts and relationships."""

from typing import Any, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.natural import find_natural
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, as_ref, ref_id

__all__ = ["DeviceGroups", "api_dg_type"]


def _device_refs(device_ids: Iterable) -> list:
    if isinstance(device_ids, (str, dict)):
        device_ids = [device_ids]
    return [{"type": "device", "id": ref_id(d)} for d in device_ids]


class DeviceGroups:
    """Wire calls for Device Groups."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def list(self, owner: Any = None, product: Any = None, type: Any = None) -> list:  # noqa: A002 - contract name
        """Device Groups filtered by owner id(s), product id(s) and API type(s)."""
        filters = {"filter[owner.id]": owner, "filter[product.id]": product, "filter[type]": api_dg_type(type)}
        return self.transport.list_all("/devicegroups", filters)

    def get(self, dg_id: str) -> dict:
        """One Device Group."""
        return self.transport.get_data(f"/devicegroups/{seg(dg_id)}")

    def create(
        self,
        type: str,  # noqa: A002 - contract name
        name: str,
        product: Any,
        *,
        description: Optional[str] = None,
        region: Optional[str] = None,
        production_target: Any = None,
        dut_target: Any = None,
        load_code_after_blessing: Optional[bool] = None,
        env_vars: Optional[dict] = None,
    ) -> dict:
        """A new Device Group in ``product``; fixture types need both targets."""
        attributes: dict = {"name": name}
        for key, value in (
            ("description", description),
            ("region", region),
            ("load_code_after_blessing", load_code_after_blessing),
            ("env_vars", env_vars),
        ):
            if value is not None:
                attributes[key] = value
        relationships: dict = {"product": as_ref(product, "product")}
        if production_target is not None:
            relationships["production_target"] = as_ref(production_target, "production_devicegroup")
        if dut_target is not None:
            relationships["dut_target"] = as_ref(dut_target, "dut_devicegroup")
        body = {"data": {"type": api_dg_type(type), "attributes": attributes, "relationships": relationships}}
        product_id = relationships["product"]["id"]
        return self.transport.create("/devicegroups", body, lambda: self._named(name, product_id))

    def _named(self, name: str, product_id: str) -> Optional[dict]:
        """The group called ``name`` in the product: group names are unique within a product."""
        return find_natural(self.transport, "device_group", product_id, name=name)

    def update(
        self,
        dg_id: str,
        type: str,  # noqa: A002 - contract name
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        load_code_after_blessing: Optional[bool] = None,
        env_vars: Optional[dict] = None,
        production_target: Any = None,
        dut_target: Any = None,
    ) -> dict:
        """Change only the given fields; ``type`` must be the group's current API type."""
        attributes: dict = {}
        for key, value in (
            ("name", name),
            ("description", description),
            ("load_code_after_blessing", load_code_after_blessing),
            ("env_vars", env_vars),
        ):
            if value is not None:
                attributes[key] = value
        data: dict = {"type": api_dg_type(type), "id": dg_id, "attributes": attributes}
        relationships: dict = {}
        if production_target is not None:
            relationships["production_target"] = as_ref(production_target, "production_devicegroup")
        if dut_target is not None:
            relationships["dut_target"] = as_ref(dut_target, "dut_devicegroup")
        if relationships:
            data["relationships"] = relationships
        return self.transport.call("PATCH", f"/devicegroups/{seg(dg_id)}", body={"data": data})["data"]

    def delete(self, dg_id: str) -> None:
        """Delete a Device Group."""
        self.transport.call("DELETE", f"/devicegroups/{seg(dg_id)}")

    def restart(self, dg_id: str, conditional: bool = False) -> None:
        """Restart every device of the group (conditional: only those the min-supported rule selects)."""
        action = "conditional_restart" if conditional else "restart"
        self.transport.call("POST", f"/devicegroups/{seg(dg_id)}/{action}", repeatable=True)

    def set_min_supported_deployment(self, dg_id: str, deployment_id: Any) -> Optional[dict]:
        """Set the oldest deployment devices may keep running."""
        body = {"data": {"type": "deployment", "id": ref_id(deployment_id)}}
        answer = self.transport.call(
            "PUT", f"/devicegroups/{seg(dg_id)}/relationships/min_supported_deployment", body=body
        )
        return answer.get("data") if isinstance(answer, dict) else None

    def add_devices(self, dg_id: str, device_ids: Iterable) -> None:
        """Assign (or move) devices to the group in one request."""
        body = {"data": _device_refs(device_ids)}
        self.transport.call("POST", f"/devicegroups/{seg(dg_id)}/relationships/devices", body=body, repeatable=True)

    def remove_devices(self, dg_id: str, device_ids: Iterable, unbond_key: Optional[str] = None) -> None:
        """Unassign devices in one request; production groups need the unbond key."""
        headers = None
        if unbond_key:
            self.transport.redactor.remember(unbond_key)
            headers = {"X-Electricimp-Key": unbond_key}
        body = {"data": _device_refs(device_ids)}
        self.transport.call("DELETE", f"/devicegroups/{seg(dg_id)}/relationships/devices", body=body, headers=headers)
