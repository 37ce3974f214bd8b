#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device_group_info
short_description: List impCentral device groups
version_added: 1.0.0
description:
  - Lists device groups, all of them or those an identifier names, optionally of one product and types.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  name:
    description:
      - Device group identifier (id, name or C({account}{product}{group})).
    type: str
  product:
    description:
      - Only groups of this product (id, name or C({account}{product})).
    type: str
  type:
    description:
      - Only groups of these types.
    type: list
    elements: str
    choices: [development, pre-factory, pre-dut, pre-production, factory, dut, production]
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Production groups of the product
  electricimp.impcentral.device_group_info:
    product: Thermostat
    type: [production]
  register: production_groups
"""

RETURN = r"""
device_groups:
  description:
    - The device groups, as M(electricimp.impcentral.device_group) returns one (C(type) in C(impt)'s words).
    - Every attribute the API returned is included, server-managed ones too (only the diffs of the
      state modules leave those out).
  returned: always
  type: list
  elements: dict
  contains:
    created_at:
      description: When it was created (ISO 8601), as the API returned it.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
    updated_at:
      description: When it last changed (ISO 8601), as the API returned it.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.info import run_info  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, rel_id  # noqa: E402


def main() -> None:
    run_info(
        dict(
            name=dict(type="str"),
            product=dict(type="str"),
            type=dict(
                type="list",
                elements="str",
                choices=["development", "pre-factory", "pre-dut", "pre-production", "factory", "dut", "production"],
            ),
        ),
        "device_groups",
        lambda m, ids: m.client.device_groups.list(product=ids["product"], type=api_types(m.params) or None),
        identifier=("name", "device_group"),
        refs={"product": "product"},
        narrow=of_product_and_types,
    )


def api_types(p: dict) -> list:
    return [api_dg_type(t) for t in p["type"] or []]


def of_product_and_types(m, ids: dict, group: dict) -> bool:
    product_ok = not ids["product"] or rel_id(group, "product") == ids["product"]
    return product_ok and (not m.params["type"] or group["type"] in api_types(m.params))


if __name__ == "__main__":
    main()
