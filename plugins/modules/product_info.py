#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: product_info
short_description: List impCentral products
version_added: 1.0.0
description:
  - Lists products, all of them or those an identifier names, optionally of one owner.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  name:
    description:
      - Product identifier (id, name or C({account}{product})). All products when omitted.
    type: str
  owner:
    description:
      - Only products of this account (id, email, username or V(me)).
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Every product of mine
  electricimp.impcentral.product_info:
    owner: me
  register: mine
"""

RETURN = r"""
products:
  description:
    - The products, as M(electricimp.impcentral.product) returns one.
    - Every attribute the API returned is included, server-managed ones too (only the diffs of the
      state modules leave those out).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "4e264cef-3316-cdfa-7f39-7a5d458994b3", "name": "Thermostat"}]
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


def main() -> None:
    run_info(
        dict(
            name=dict(type="str"),
            owner=dict(type="str"),
        ),
        "products",
        lambda m, ids: m.client.products.list(owner=ids["owner"]),
        identifier=("name", "product", scoped_name),
        refs={"owner": "account"},
    )


def scoped_name(p: dict) -> str:
    return "{%s}{%s}" % (p["owner"], p["name"]) if p["owner"] else p["name"]


if __name__ == "__main__":
    main()
