"""Devices (``/devices``): listing, renaming, restarts, historical logs and history."""

from typing import Any, Iterator, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import PAGE_SIZE
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.device_groups import api_dg_type
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.refs import ref_id


class Devices:
    """Wire calls for devices; ``device`` is a device id, MAC address or agent id."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def list(  # noqa: PLR0917 - the contract's positional filter order
        self,
        owner: Any = None,
        product: Any = None,
        device_group: Any = None,
        device_group_owner: Any = None,
        device_group_type: Any = None,
        unassigned: bool = False,
    ) -> list:
        """Devices matching every filter given (several values of one filter are OR-ed)."""
        filters = {
            "filter[owner.id]": owner,
            "filter[product.id]": product,
            "filter[devicegroup.id]": device_group,
            "filter[devicegroup.owner.id]": "null" if unassigned else device_group_owner,
            "filter[devicegroup.type]": api_dg_type(device_group_type),
        }
        return self.transport.list_all("/devices", filters)

    def get(self, device: Any) -> dict:
        """One device."""
        return self.transport.get_data(f"/devices/{seg(ref_id(device))}")

    def update(self, device: Any, name: Optional[str]) -> dict:
        """Rename a device (``None`` clears the name)."""
        device_id = ref_id(device)
        body = {"data": {"type": "device", "id": device_id, "attributes": {"name": name}}}
        return self.transport.call("PATCH", f"/devices/{seg(device_id)}", body=body)["data"]

    def delete(self, device: Any) -> None:
        """Remove a device from the account."""
        self.transport.call("DELETE", f"/devices/{seg(ref_id(device))}")

    def restart(self, device: Any, conditional: bool = False) -> None:
        """Restart one device (it must be assigned)."""
        action = "conditional_restart" if conditional else "restart"
        self.transport.call("POST", f"/devices/{seg(ref_id(device))}/{action}", repeatable=True)

    def logs(self, device: Any, page_number: Optional[int] = None, page_size: Optional[int] = None) -> list:
        """One page of historical logs, newest first; entries are plain objects."""
        params = {}
        if page_number is not None:
            params["page[number]"] = str(int(page_number))
        if page_size is not None:
            params["page[size]"] = str(int(page_size))
        answer = self.transport.call("GET", f"/devices/{seg(ref_id(device))}/logs", params=params or None)
        return list((answer or {}).get("data") or [])

    def iter_logs(self, device: Any, page_size: int = PAGE_SIZE) -> Iterator:
        """Every historical log entry, newest first, page after page."""
        return self.transport.iter_pages(f"/devices/{seg(ref_id(device))}/logs", page_size=page_size)

    def history(self, device: Any) -> list:
        """Enrollment history entries."""
        return list(self.transport.iter_pages(f"/devices/{seg(ref_id(device))}/history"))
