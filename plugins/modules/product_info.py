#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT).
# MIT is compatible with the GNU General Public License version 3 that ansible-core is released under.

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
  description: The products, as M(electricimp.impcentral.product) returns one.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "4e264cef-3316-cdfa-7f39-7a5d458994b3", "name": "Thermostat"}]
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.ansible_glue import ImpCentralModule, flatten  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            name=dict(type="str"),
            owner=dict(type="str"),
        )
    )
    module.run(gather)


def gather(m: ImpCentralModule) -> None:
    p = m.params
    if p["name"]:
        name = "{%s}{%s}" % (p["owner"], p["name"]) if p["owner"] else p["name"]
        items = m.client.identify.find("product", name)
    else:
        owner = m.one("account", p["owner"])["id"] if p["owner"] else None
        items = m.client.products.list(owner=owner)
    m.result["products"] = [flatten(item) for item in items]


if __name__ == "__main__":
    main()
