#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT).
# MIT is compatible with the GNU General Public License version 3 that ansible-core is released under.

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
  description: The devices, as M(electricimp.impcentral.device) returns one.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.ansible_glue import ImpCentralModule, flatten  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            device=dict(type="str"),
            device_group=dict(type="str"),
            product=dict(type="str"),
            unassigned=dict(type="bool", default=False),
        )
    )
    module.run(gather)


def gather(m: ImpCentralModule) -> None:
    p = m.params
    if p["device"]:
        items = m.client.identify.find("device", p["device"])
    else:
        group = m.one("device_group", p["device_group"])["id"] if p["device_group"] else None
        product = m.one("product", p["product"])["id"] if p["product"] else None
        items = m.client.devices.list(device_group=group, product=product, unassigned=p["unassigned"])
    m.result["devices"] = [flatten(item) for item in items]


if __name__ == "__main__":
    main()
