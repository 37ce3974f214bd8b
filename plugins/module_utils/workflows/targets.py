"""Targets: the devices a user names with devices and device groups, as one ordered list of device ids.

``impt log stream`` (and ``--log`` of the restart commands), the ``log_tail`` action and anything else that
acts on "these devices and the devices of these groups" share this: every identifier is resolved before the
first listing (a typo fails before any other request), then one listing per group, ids de-duplicated in order.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify

Finder = Callable[[str, str], Optional[dict]]


@dataclass
class Targets:
    """``device_ids`` in the order named; ``empty_groups`` the groups that have no device; ``missing`` the
    ``(kind, value)`` pairs the finder returned None for (check mode: an earlier task would create them)."""

    device_ids: list = field(default_factory=list)
    empty_groups: list = field(default_factory=list)
    missing: list = field(default_factory=list)


def device_targets(
    client: Any, devices: Iterable = (), groups: Iterable = (), *, find: Optional[Finder] = None
) -> Targets:
    """Device ids of ``devices`` and of the members of ``groups``. Each item is an identifier, or a resource a
    front end resolved already (a project's group). ``find(kind, value)`` resolves identifiers with the front
    end's errors (default ``identify.one``); returning None notes the value as missing."""
    lookup = find or (lambda kind, value: identify.one(client, kind, value))
    out = Targets()

    def resolve(kind: str, value: Any) -> Optional[dict]:
        if isinstance(value, dict):
            return value
        found = lookup(kind, value)
        if found is None:
            out.missing.append((kind, value))
        return found

    named = [resolve("device", value) for value in devices]
    resolved = [(value, resolve("device_group", value)) for value in groups]
    ids = [device["id"] for device in named if device is not None]
    for value, group in resolved:
        if group is None:
            continue
        members = [device["id"] for device in client.devices.list(device_group=group["id"])]
        if not members:
            out.empty_groups.append(value if not isinstance(value, dict) else group["id"])
        ids += members
    out.device_ids = list(dict.fromkeys(ids))
    return out
