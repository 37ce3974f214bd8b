#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: restart
short_description: Restart impCentral devices or device groups
version_added: 1.0.0
description:
  - Restarts devices and every device of device groups, immediately or conditionally.
  - An action, not a state; the task reports C(changed) whenever a restart is sent (or would be, in check mode).
  - In check mode a device or device group that does not exist yet (an earlier task of the play would create it)
    is no error; the restart is predicted (C(changed), C(predicted)). Outside check mode it is an error.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  devices:
    description:
      - Devices (id, MAC address, agent id or name).
      - At least one device or device group must be given.
    type: list
    elements: str
    default: []
  device_groups:
    description:
      - Device groups (id, name or C({account}{product}{group})).
    type: list
    elements: str
    default: []
  conditional:
    description:
      - Send a conditional restart. Devices running the group's minimum supported deployment or newer are told
        new code is available (their code decides); older ones restart at once.
    type: bool
    default: false
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
notes:
  - In diff mode no diff is returned; there is no state to compare.
"""

EXAMPLES = r"""
- name: Run the new deployment on every device of the group
  electricimp.impcentral.restart:
    device_groups: [Thermostat dev]

- name: Let devices on a supported build choose when to update
  electricimp.impcentral.restart:
    device_groups: [Thermostat production]
    conditional: true
"""

RETURN = r"""
devices:
  description:
    - Ids of the devices restarted (or to be restarted in check mode).
    - In check mode, a device that does not exist yet is listed by the identifier given.
  returned: always
  type: list
  elements: str
device_groups:
  description:
    - Ids of the device groups restarted (or to be restarted in check mode).
    - In check mode, a group that does not exist yet (an earlier task would create it) is listed by the
      identifier given.
  returned: always
  type: list
  elements: str
predicted:
  description: Check mode only. True when a device or group does not exist yet and the restart is predicted
    as if an earlier task of the play created it (C(changed) is true; nothing is sent).
  returned: in check mode, when a device or group is not found
  type: bool
  sample: true
predicted_missing:
  description: Check mode only. The entities that do not exist yet.
  returned: in check mode, when a device or group is not found
  type: list
  elements: dict
  contains:
    kind:
      description: V(device) or V(device_group).
      type: str
    name:
      description: The identifier as given.
      type: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            devices=dict(type="list", elements="str", default=[]),
            device_groups=dict(type="list", elements="str", default=[]),
            conditional=dict(type="bool", default=False),
        ),
        required_one_of=[("devices", "device_groups")],
        identifiers=("devices", "device_groups"),
        product_scope=True,
    )
    if not module.params["devices"] and not module.params["device_groups"]:
        # Both default to []: required_one_of is met by the defaults, and restarting nothing is never meant.
        module.fail("Nothing to restart: give devices or device_groups (at least one, not empty).")
    module.run(restart)


def restart(m: ImpCentralModule) -> None:
    p = m.params
    devices = [resolve(m, "device", value) for value in p["devices"]]
    groups = [resolve(m, "device_group", value) for value in p["device_groups"]]
    for device_id in devices:
        m.write(m.client.devices.restart, device_id, conditional=p["conditional"])
    for group_id in groups:
        m.write(m.client.device_groups.restart, group_id, conditional=p["conditional"])
    m.result.update(devices=devices, device_groups=groups)


def resolve(m: ImpCentralModule, kind: str, value: str) -> str:
    """The entity's id; in check mode, the identifier itself for one an earlier task would create."""
    found = m.one_or_predicted(kind, value)
    return found["id"] if found else value


if __name__ == "__main__":
    main()
