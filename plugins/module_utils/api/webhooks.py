"""Webhooks (``/webhooks``)."""

from typing import Any, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import WEBHOOK_MIMES
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.natural import find_natural
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.refs import device_group_ref


def _mime(content_type: Optional[str]) -> Optional[str]:
    """MIME type; the short impt names ``json`` / ``urlencoded`` are accepted too."""
    if content_type is None:
        return None
    return WEBHOOK_MIMES.get(content_type, content_type)


class Webhooks:
    """Wire calls for webhooks."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def list(self, device_group: Any = None) -> list:
        """Webhooks, optionally of the given Device Group id(s)."""
        return self.transport.list_all("/webhooks", {"filter[devicegroup.id]": device_group})

    def get(self, webhook_id: str) -> dict:
        """One webhook."""
        return self.transport.get_data(f"/webhooks/{seg(webhook_id)}")

    def create(self, device_group: Any, url: str, event: str, content_type: str) -> dict:
        """A new webhook on ``device_group`` (a ref; a bare id costs one GET for its type)."""
        dg_ref = device_group_ref(self.transport, device_group)
        attributes = {"url": url, "event": event, "content_type": _mime(content_type)}
        body = {"data": {"type": "webhook", "attributes": attributes, "relationships": {"devicegroup": dg_ref}}}
        return self.transport.create("/webhooks", body, lambda: self._same(dg_ref["id"], event, url))

    def _same(self, dg_id: str, event: str, url: str) -> Optional[dict]:
        """A webhook of the group for the same event and URL (the natural key of a webhook)."""
        return find_natural(self.transport, "webhook", dg_id, event=event, url=url)

    def update(self, webhook_id: str, url: Optional[str] = None, content_type: Optional[str] = None) -> dict:
        """Change the URL and/or content type (the event cannot change)."""
        attributes: dict = {}
        if url is not None:
            attributes["url"] = url
        if content_type is not None:
            attributes["content_type"] = _mime(content_type)
        body = {"data": {"type": "webhook", "id": webhook_id, "attributes": attributes}}
        return self.transport.call("PATCH", f"/webhooks/{seg(webhook_id)}", body=body)["data"]

    def delete(self, webhook_id: str) -> None:
        """Delete a webhook."""
        self.transport.call("DELETE", f"/webhooks/{seg(webhook_id)}")
