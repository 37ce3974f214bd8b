#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device_group_devices
short_description: Manage the set of devices in an impCentral device group, in bulk
version_added: 1.0.0
description:
  - Adds devices to a device group (moving them from other groups), removes them, or with O(exclusive=true)
    makes the group hold exactly the listed devices.
  - Costs one listing of the group and, when a listed device is not in it yet, one listing of the account's
    devices, then at most one C(POST) with every device to add and one C(DELETE) with every device to remove,
    whatever the number of devices.
  - Every device is resolved to its id (as C(impt) does, by id, MAC address, agent id, then name) before any write;
    a device that is not found, or a name several devices share, fails the task with nothing changed.
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
      - Devices (id, MAC address, agent id or name). An empty value is refused before any request.
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
  - electricimp.impcentral.product_scope
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
  description:
    - Ids of the devices added (or to be added in check mode), whatever identifier was given.
    - When the task fails after adding devices (for example the removal is refused), the devices it did add.
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

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.identify import match as identify_match  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            device_group=dict(type="str", required=True),
            devices=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            exclusive=dict(type="bool", default=False),
            unbond_key=dict(type="str", no_log=True),
        ),
        identifiers=("device_group", "devices"),
        product_scope=True,
    )
    module.run(ensure_members)


def ensure_members(m: ImpCentralModule) -> None:
    p = m.params
    client = m.client
    group = m.parent("device_group", p["device_group"]) or {"id": None}
    members = client.devices.list(device_group=group["id"]) if group["id"] else []
    wanted_in, wanted_out = [], []
    for value in dict.fromkeys(p["devices"]):
        member = match(members, value)
        if member is None:
            wanted_out.append(value)
        elif member not in wanted_in:
            wanted_in.append(member)

    to_add, to_remove = [], []
    if p["state"] == "present":
        # Every device to add is resolved before any write: an unknown one fails the task with nothing moved.
        to_add = [d for d in resolve(m, wanted_out) if d not in wanted_in]
        if p["exclusive"]:
            keep = set(wanted_in)
            to_remove = [d["id"] for d in members if d["id"] not in keep]
    else:
        to_remove = wanted_in
    # Filled as each write is done, so a failure (a refused unbond key, ...) still says what was changed.
    m.result.update(device_group=group["id"], added=[], removed=[])
    if to_add:
        m.write(client.device_groups.add_devices, group["id"], to_add)
        m.result["added"] = to_add
    if to_remove:
        m.write(client.device_groups.remove_devices, group["id"], to_remove, unbond_key=p["unbond_key"])
        m.result["removed"] = to_remove

    before = [d["id"] for d in members]
    after = [d for d in before if d not in set(to_remove)] + to_add
    m.result.update(device_group=group["id"], added=to_add, removed=to_remove, devices=after)
    m.set_diff({"devices": sorted(before)}, {"devices": sorted(after)})


def named(devices: list, value: str) -> list:
    """Ids of the ``devices`` that ``value`` names, as impt identifies a device (the shared matcher)."""
    return [d["id"] for d in identify_match("device", devices, value)]


def match(devices: list, value: str) -> str | None:
    """The id of the one group member ``value`` names; None when none (or several) do."""
    found = named(devices, value)
    return found[0] if len(found) == 1 else None


def resolve(m: ImpCentralModule, values: list) -> list:
    """The ids of the devices ``values`` name, with one listing of the account's devices (none when there is
    nothing to resolve). A value that names no device, or several, fails the task before any write."""
    if not values:
        return []
    devices = m.client.devices.list()
    out = []
    for value in values:
        ids = named(devices, value)
        if len(ids) != 1:
            problem = "matches %d devices (%s); use an id" % (len(ids), ", ".join(ids)) if ids else "is not found"
            m.fail('Device "%s" %s. Nothing was changed.' % (value, problem))
        if ids[0] not in out:
            out.append(ids[0])
    return out


if __name__ == "__main__":
    main()
