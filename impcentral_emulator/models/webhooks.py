"""Webhooks (spec §10): target URL rules, event/group-type rules; `event` is fixed for life.

The targets nothing may reach are in `outbound.py`, shared with agents' `http.request`.

`fire` hands matching webhooks to the delivery transport (`webhook_delivery.py`).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import errors, ids
from ..access import get_visible, matching, visible
from ..errors import invalid
from ..store import Record
from . import records
from .grouptypes import group_type
from .outbound import forbidden_target

if TYPE_CHECKING:
    from . import Models

EVENTS = ("blessing", "blinkup", "deployment")
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")


class Webhooks:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.store = models.store

    def get(self, caller: Record, ident: str) -> Record:
        return get_visible(self.store, "webhook", ident, caller, "webhook")

    def list(self, caller: Record, wanted: dict[str, str]) -> list[Record]:
        """``GET /webhooks``: what the caller sees, by ``filter[devicegroup.id]``."""
        return matching(visible(self.store, "webhook", caller), wanted, {"devicegroup.id": "devicegroup_id"})

    def create(  # noqa: PLR0913 (the webhook's fields)
        self,
        caller: Record,
        group: Record,
        url: Any,
        event: Any,
        content_type: Any = "application/json",
        *,
        rng: random.Random | None = None,
    ) -> Record:
        url, event, content_type = self.check_fields(url, event, content_type)
        if event != "deployment" and not group_type(group["type"]).blessed_into:
            raise invalid(f"'{event}' webhooks exist only on production and pre-production Device Groups.")
        return self.store.put("webhook", records.webhook(group, caller["id"], url, event, content_type, rng=rng))

    def update(self, hook: Record, **changes: Any) -> Record:
        """`changes`: url, content_type, event (which must stay the same)."""
        if "event" in changes and changes["event"] != hook["event"]:
            raise invalid("The attribute 'event' cannot be changed.", "VX008", "Read-only Attribute")
        if "url" in changes:
            hook["url"] = self.check_url(changes["url"])
        if "content_type" in changes:
            hook["content_type"] = _choice(changes["content_type"], CONTENT_TYPES, "content_type")
        hook["updated_at"] = ids.iso_timestamp()
        return self.store.put("webhook", hook)

    def delete(self, hook: Record) -> None:
        self.store.delete("webhook", hook["id"])

    def delete_of_group(self, group: Record) -> None:
        for hook in [h for h in self.store.values("webhook") if h["devicegroup_id"] == group["id"]]:
            self.store.delete("webhook", hook["id"])

    def fire(self, group_id: str, event: str, payload: dict[str, Any]) -> int:
        """Deliver `payload` to every `event` webhook of the group in the background; how many."""
        hooks = [h for h in self.store.values("webhook") if h["devicegroup_id"] == group_id and h["event"] == event]
        for hook in hooks:
            self.models.delivery.deliver(hook, payload)
        return len(hooks)

    @classmethod
    def check_fields(cls, url: Any, event: Any, content_type: Any) -> tuple[str, str, str]:
        """The fields of a new webhook, checked in the API's order."""
        return cls.check_url(url), _choice(event, EVENTS, "event"), _choice(content_type, CONTENT_TYPES, "content_type")

    @staticmethod
    def check_url(value: Any) -> str:
        try:
            parts = urlsplit(value) if isinstance(value, str) else None
            host = parts.hostname if parts is not None else None
        except ValueError:
            parts = host = None
        if parts is None or parts.scheme not in ("http", "https") or not host or len(value) > 2048:
            raise invalid(errors.INVALID_URL, "VX012", "Invalid URL")
        refusal = forbidden_target(host, parts.path)
        if refusal:
            raise invalid(f"{errors.INVALID_URL} {refusal}", "VX012", "Invalid URL")
        return value


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise invalid(f"The attribute '{name}' must be one of: {', '.join(allowed)}.")
    return value
