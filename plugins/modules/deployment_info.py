#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT).
# MIT is compatible with the GNU General Public License version 3 that ansible-core is released under.

from __future__ import annotations

DOCUMENTATION = r"""
module: deployment_info
short_description: List impCentral deployments
version_added: 1.0.0
description:
  - Lists deployments (builds), either the ones an identifier names or those matching the filters.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  deployment:
    description:
      - Deployment identifier (id, sha, tag or origin).
    type: str
  device_group:
    description:
      - Only deployments of this device group.
    type: str
  product:
    description:
      - Only deployments of this product.
    type: str
  sha:
    description:
      - Only deployments of this code SHA.
    type: str
  tags:
    description:
      - Only deployments carrying all these tags.
    type: list
    elements: str
  flagged:
    description:
      - Only flagged (V(true)) or unflagged (V(false)) deployments.
    type: bool
  include_code:
    description:
      - Return C(device_code) and C(agent_code). Lists leave them out unless this is set.
    type: bool
    default: false
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: The release build
  electricimp.impcentral.deployment_info:
    deployment: v2.1
  register: release
"""

RETURN = r"""
deployments:
  description: The deployments, as M(electricimp.impcentral.deployment) returns one.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.ansible_glue import ImpCentralModule, flatten  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            deployment=dict(type="str"),
            device_group=dict(type="str"),
            product=dict(type="str"),
            sha=dict(type="str"),
            tags=dict(type="list", elements="str"),
            flagged=dict(type="bool"),
            include_code=dict(type="bool", default=False),
        )
    )
    module.run(gather)


def gather(m: ImpCentralModule) -> None:
    p = m.params
    if p["deployment"]:
        items = m.client.identify.find("deployment", p["deployment"])
    else:
        group = m.one("device_group", p["device_group"])["id"] if p["device_group"] else None
        product = m.one("product", p["product"])["id"] if p["product"] else None
        items = m.client.deployments.list(
            device_group=group,
            product=product,
            sha=p["sha"],
            flagged=p["flagged"],
            tags=",".join(p["tags"]) if p["tags"] else None,
        )
    out = []
    for found in items:
        item = found
        if p["include_code"] and "device_code" not in (item.get("attributes") or {}):
            item = m.client.deployments.get(item["id"])
        view = flatten(item)
        if not p["include_code"]:
            view.pop("device_code", None)
            view.pop("agent_code", None)
        out.append(view)
    m.result["deployments"] = out


if __name__ == "__main__":
    main()
