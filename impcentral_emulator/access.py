"""Who may see what: an account sees its own entities and those of accounts it collaborates on."""

from __future__ import annotations

from .errors import not_found
from .store import Record, Store


def visible_owner_ids(account: Record) -> set[str]:
    return {account["id"], *account.get("collaborates_on", [])}


def visible(store: Store, kind: str, account: Record) -> list[Record]:
    owners = visible_owner_ids(account)
    return [record for record in store.values(kind) if record["owner_id"] in owners]


def matching(records: list[Record], wanted: dict[str, str], fields: dict[str, str]) -> list[Record]:
    """The records whose ``fields[name]`` equals ``wanted[name]`` for every list filter given (``filter[name]``)."""
    for name, field in fields.items():
        if name in wanted:
            records = [r for r in records if r.get(field) == wanted[name]]
    return records


def get_visible(store: Store, kind: str, ident: str, account: Record, what: str) -> Record:
    """The record, or 404 when it does not exist or belongs to an account the caller cannot see."""
    record = store.get(kind, ident)
    if record is None or record["owner_id"] not in visible_owner_ids(account):
        raise not_found(what, ident)
    return record


def find_device(store: Store, ident: str, account: Record | None = None) -> Record | None:
    """A device by id, MAC address or agent id (agent ids only reach assigned devices)."""
    device = store.get("device", ident)
    if device is None:
        lowered = ident.lower()
        for candidate in store.values("device"):
            if candidate["mac_address"] == lowered or (
                candidate.get("devicegroup_id") and candidate.get("agent_id") == ident
            ):
                device = candidate
                break
    if device is None:
        return None
    if account is not None and device["owner_id"] not in visible_owner_ids(account):
        return None
    return device


def get_device(store: Store, ident: str, account: Record) -> Record:
    device = find_device(store, ident, account)
    if device is None:
        raise not_found("device", ident)
    return device
