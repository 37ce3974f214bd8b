#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

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
      - Also the product in which O(device_group) is looked for, so a group name several products share names one
        group.
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
  description:
    - The deployments, as M(electricimp.impcentral.deployment) returns one.
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
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attributes, flatten  # noqa: E402


def main() -> None:
    run_info(
        dict(
            deployment=dict(type="str"),
            device_group=dict(type="str"),
            product=dict(type="str"),
            sha=dict(type="str"),
            tags=dict(type="list", elements="str"),
            flagged=dict(type="bool"),
            include_code=dict(type="bool", default=False),
        ),
        "deployments",
        lambda m, ids: m.client.deployments.list(
            device_group=ids["device_group"],
            product=ids["product"],
            sha=m.params["sha"],
            flagged=m.params["flagged"],
            tags=",".join(m.params["tags"]) if m.params["tags"] else None,
        ),
        identifier=("deployment", "deployment"),
        refs={"device_group": "device_group", "product": "product"},
        view=with_or_without_code,
        product_scope=True,
    )


def with_or_without_code(m, item: dict) -> dict:
    """Lists leave the code out: fetch it when wanted, drop it when not."""
    if m.params["include_code"] and "device_code" not in attributes(item):
        item = m.client.deployments.get(item["id"])
    view = flatten(item)
    if not m.params["include_code"]:
        view.pop("device_code", None)
        view.pop("agent_code", None)
    return view


if __name__ == "__main__":
    main()
