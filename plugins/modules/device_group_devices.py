#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT).
# MIT is compatible with the GNU General Public License version 3 that ansible-core is released under.

from __future__ import annotations

DOCUMENTATION = r"""
module: device_group_devices
short_description: Manage the set of devices in an impCentral device group, in bulk
version_added: 1.0.0
description:
  - Adds devices to a device group (moving them from other groups), removes them, or with O(exclusive=true)
    makes the group hold exactly the listed devices.
  - Costs one listing of the group, then at most one C(POST) with every device to add and one C(DELETE) with
    every device to remove, whatever the number of devices.
  - Ids, MAC addresses and agent ids are sent as they are; names are resolved with one listing of the account's devices.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device_group:
    description:
      - Device group (id, name or C({account}{product}{group})).
    type: str
    required: true
  devices:
    description:
      - Devices (id, MAC address, agent id or name).
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) makes sure the devices are in the group, V(absent) that they are not.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also remove every device not listed in O(devices).
    type: bool
    default: false
  unbond_key:
    description:
      - Unbond key, needed to remove devices from a V(production) device group.
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Exactly these bench devices in the development group
  electricimp.impcentral.device_group_devices:
    device_group: Thermostat dev
    devices:
      - 234776801163a9ee
      - 0c:2a:69:05:0d:62
    exclusive: true

- name: Take one device out
  electricimp.impcentral.device_group_devices:
    device_group: Thermostat dev
    devices: [234776801163a9ee]
    state: absent
"""

RETURN = r"""
added:
  description: Devices added (or to be added in check mode), as given when they were not in the group.
  returned: always
  type: list
  elements: str
removed:
  description: Ids of the devices removed (or to be removed in check mode).
  returned: always
  type: list
  elements: str
devices:
  description: Ids of the devices in the group after the task (predicted in check mode).
  returned: always
  type: list
  elements: str
device_group:
  description: Id of the device group.
  returned: always
  type: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.constants import (  # noqa: E402
    AGENT_ID_RE,
    DEVICE_ID_RE,
    MAC_RE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.ansible_glue import ImpCentralModule  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            device_group=dict(type="str", required=True),
            devices=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            exclusive=dict(type="bool", default=False),
            unbond_key=dict(type="str", no_log=True),
        )
    )
    module.run(ensure_members)


def ensure_members(m: ImpCentralModule) -> None:
    p = m.params
    client = m.client
    group = m.parent("device_group", p["device_group"]) or {"id": None}
    members = client.devices.list(device_group=group["id"]) if group["id"] else []
    index = {}
    for device in members:
        attrs = device.get("attributes") or {}
        for key in (device["id"], attrs.get("mac_address"), attrs.get("agent_id"), attrs.get("name")):
            if key:
                index.setdefault(str(key).lower(), device["id"])
    wanted_in, wanted_out = [], []
    for value in dict.fromkeys(p["devices"]):
        member = index.get(value.lower())
        (wanted_in if member else wanted_out).append(member or value)

    to_add, to_remove = [], []
    if p["state"] == "present":
        to_add = resolve(m, wanted_out)
        if p["exclusive"]:
            keep = set(wanted_in)
            to_remove = [d["id"] for d in members if d["id"] not in keep]
    else:
        to_remove = wanted_in
    if to_add:
        m.write(client.device_groups.add_devices, group["id"], to_add)
    if to_remove:
        m.write(client.device_groups.remove_devices, group["id"], to_remove, unbond_key=p["unbond_key"])

    before = [d["id"] for d in members]
    after = [d for d in before if d not in set(to_remove)] + to_add
    m.result.update(device_group=group["id"], added=to_add, removed=to_remove, devices=after)
    m.set_diff({"devices": sorted(before)}, {"devices": sorted(after)})


def resolve(m: ImpCentralModule, values: list) -> list:
    """Ids, MACs and agent ids go to the API as they are; names cost one listing of all devices."""
    names = [v for v in values if not (DEVICE_ID_RE.match(v) or MAC_RE.match(v) or AGENT_ID_RE.match(v))]
    if not names:
        return list(values)
    by_name: dict = {}
    for device in m.client.devices.list():
        by_name.setdefault((device.get("attributes") or {}).get("name"), []).append(device["id"])
    out = []
    for value in values:
        if value not in names:
            out.append(value)
            continue
        ids = by_name.get(value, [])
        if len(ids) != 1:
            problem = "matches %d devices; use an id" % len(ids) if ids else "is not found"
            m.fail('Device "%s" %s.' % (value, problem))
        out.append(ids[0])
    return out


if __name__ == "__main__":
    main()
