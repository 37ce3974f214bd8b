#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device
short_description: Name, assign, unassign or remove an impCentral device
version_added: 1.0.0
description:
  - Sets a device's name and the device group it is assigned to (a device in another group is moved),
    unassigns it, or removes it from the account.
  - Devices join an account through BlinkUp, so this module never creates one.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device:
    description:
      - The device (id, MAC address, agent id or name).
    type: str
    required: true
  name:
    description:
      - Device name. An empty name is refused (before any request).
    type: str
  device_group:
    description:
      - Device group (id, name or C({account}{product}{group})) the device must be assigned to.
    type: str
  state:
    description:
      - V(present) names and assigns the device; V(unassigned) takes it out of its group;
        V(absent) removes it from the account.
    type: str
    choices: [present, unassigned, absent]
    default: present
  force:
    description:
      - With O(state=absent), unassign the device first, as C(impt device remove --force) does.
    type: bool
    default: false
  unbond_key:
    description:
      - Unbond key, needed to unassign a device from a V(production) device group.
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Name the bench device and put it in the development group
  electricimp.impcentral.device:
    device: 0c:2a:69:05:0d:62
    name: bench-1
    device_group: Thermostat dev

- name: Take the device out of its group
  electricimp.impcentral.device:
    device: bench-1
    state: unassigned
"""

RETURN = r"""
device:
  description: The device after the task (predicted in check mode). Empty after removal.
  returned: always
  type: dict
  contains:
    id:
      description: Device id.
      type: str
      sample: 234776801163a9ee
    name:
      description: Device name (may be null).
      type: str
    mac_address:
      description: MAC address.
      type: str
    agent_id:
      description: Agent id (null when unassigned).
      type: str
    device_group:
      description: Id of the device group, absent when unassigned.
      type: str
    device_online:
      description: Whether the device is connected.
      type: bool
    swversion:
      description: Firmware version string.
      type: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_device_remove  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            device=dict(type="str", required=True),
            name=dict(type="str"),
            device_group=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "unassigned", "absent"]),
            force=dict(type="bool", default=False),
            unbond_key=dict(type="str", no_log=True),
        ),
        identifiers=("device", "name", "device_group"),
        product_scope=True,
    )
    module.run(ensure_device)


def ensure_device(m: ImpCentralModule) -> None:
    p = m.params
    current = m.find("device", p["device"])
    if current is None and p["state"] != "absent":
        m.fail('Device "%s" is not found. Devices join an account through BlinkUp.' % p["device"])
    client = m.client
    group_now = flatten(current).get("device_group")

    def unassign(cur):
        client.device_groups.remove_devices(group_now, [cur["id"]], unbond_key=p["unbond_key"])

    if p["state"] == "absent":
        # The shared removal: an assigned device is refused before any write unless force unassigns it first
        # (with the unbond key in a production group); a device already gone is done.
        delete = None
        if current:
            plan = plan_device_remove(current, force=p["force"], unbond_key=p["unbond_key"], shown=p["device"])
            delete = m.delete_with(plan, report=False)
        m.ensure("device", current, {}, state="absent", delete=delete)
        return

    wanted = m.user_set("name")
    if p["state"] == "unassigned":
        if group_now:
            m.write(unassign, current)
        before = flatten(current)
        after = {k: v for k, v in before.items() if k != "device_group"}
        m.result["device"] = after
        m.set_diff(before, after)
        return
    if p["device_group"]:
        wanted["device_group"] = (m.parent("device_group", p["device_group"]) or {"id": "(new group)"})["id"]

    def update(cur, changes):
        updated = client.devices.update(cur["id"], changes["name"]) if "name" in changes else None
        if "device_group" in changes:
            client.device_groups.add_devices(changes["device_group"], [cur["id"]])
            return None
        return updated

    m.ensure("device", current, wanted, update=update)


if __name__ == "__main__":
    main()
