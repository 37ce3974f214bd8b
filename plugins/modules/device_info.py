#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device_info
short_description: List impCentral devices
version_added: 1.0.0
description:
  - Lists devices, all of them, one an identifier names, those of a device group or product, or the unassigned ones.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device:
    description:
      - Device identifier (id, MAC address, agent id or name).
    type: str
  device_group:
    description:
      - Only devices of this device group (id, name or C({account}{product}{group})).
    type: str
  product:
    description:
      - Only devices of this product.
      - Also the product in which O(device_group) is looked for, so a group name several products share names one
        group.
    type: str
  unassigned:
    description:
      - Only devices in no device group.
    type: bool
    default: false
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Devices of the development group
  electricimp.impcentral.device_info:
    device_group: Thermostat dev
  register: bench
"""

RETURN = r"""
devices:
  description:
    - The devices, as M(electricimp.impcentral.device) returns one.
    - Every attribute the API returned is included, server-managed ones too (only the diffs of the
      state modules leave those out).
  returned: always
  type: list
  elements: dict
  contains:
    device_state_changed_at:
      description: When the device last went online or offline (ISO 8601), as the API returned it.
      type: str
    agent_state_changed_at:
      description: When the agent last started or stopped (ISO 8601), as the API returned it.
      type: str
    last_enrolled_at:
      description: When the device was last enrolled (ISO 8601), as the API returned it.
      type: str
    device_online:
      description: Whether the device is online.
      type: bool
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.info import run_info  # noqa: E402


def main() -> None:
    run_info(
        dict(
            device=dict(type="str"),
            device_group=dict(type="str"),
            product=dict(type="str"),
            unassigned=dict(type="bool", default=False),
        ),
        "devices",
        lambda m, ids: m.client.devices.list(
            device_group=ids["device_group"], product=ids["product"], unassigned=m.params["unassigned"]
        ),
        identifier=("device", "device"),
        refs={"device_group": "device_group", "product": "product"},
        product_scope=True,
    )


if __name__ == "__main__":
    main()
