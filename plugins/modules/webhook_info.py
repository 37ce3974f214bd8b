#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: webhook_info
short_description: List impCentral webhooks
version_added: 1.0.0
description:
  - Lists webhooks, optionally of one device group, event or URL.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device_group:
    description:
      - Only webhooks of this device group.
    type: str
  event:
    description:
      - Only webhooks for this event.
    type: str
    choices: [blessing, blinkup, deployment]
  url:
    description:
      - Only webhooks posting to this URL.
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Webhooks of the production group
  electricimp.impcentral.webhook_info:
    device_group: Thermostat production
  register: hooks
"""

RETURN = r"""
webhooks:
  description:
    - The webhooks, as M(electricimp.impcentral.webhook) returns one.
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
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import WEBHOOK_MIME_NAMES  # noqa: E402


def main() -> None:
    run_info(
        dict(
            device_group=dict(type="str"),
            event=dict(type="str", choices=["blessing", "blinkup", "deployment"]),
            url=dict(type="str"),
        ),
        "webhooks",
        lambda m, ids: m.client.webhooks.list(device_group=ids["device_group"]),
        refs={"device_group": "device_group"},
        view=with_mime_name,
        match=("event", "url"),
        product_scope=True,
    )


def with_mime_name(_m, item: dict) -> dict:
    view = flatten(item)
    view["content_type"] = WEBHOOK_MIME_NAMES.get(view.get("content_type"), view.get("content_type"))
    return view


if __name__ == "__main__":
    main()
