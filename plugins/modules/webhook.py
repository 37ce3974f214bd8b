#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: webhook
short_description: Create, update or delete an impCentral webhook
version_added: 1.0.0
description:
  - Makes sure a device group has one webhook for an event and URL, with the given content type, or has none.
  - The webhook is found by (O(device_group), O(event), O(url)); only its content type can change.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device_group:
    description:
      - Device group (id, name or C({account}{product}{group})).
    type: str
    required: true
  event:
    description:
      - The event that fires the webhook. V(blessing) and V(blinkup) suit production and pre-production groups.
    type: str
    required: true
    choices: [blessing, blinkup, deployment]
  url:
    description:
      - The URL the webhook posts to.
    type: str
    required: true
  content_type:
    description:
      - Body format of the POST. V(json) when creating without it.
    type: str
    choices: [json, urlencoded]
  state:
    description:
      - V(present) creates or updates the webhook, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Tell the MES about every blessed device
  electricimp.impcentral.webhook:
    device_group: Thermostat production
    event: blessing
    url: https://mes.example.com/impcentral/blessing
    content_type: json

- name: Stop it
  electricimp.impcentral.webhook:
    device_group: Thermostat production
    event: blessing
    url: https://mes.example.com/impcentral/blessing
    state: absent
"""

RETURN = r"""
webhook:
  description: The webhook after the task (predicted in check mode, with a null C(id)). Empty after deletion.
  returned: always
  type: dict
  contains:
    id:
      description: Webhook id.
      type: str
    url:
      description: URL.
      type: str
    event:
      description: Event.
      type: str
    content_type:
      description: C(json) or C(urlencoded).
      type: str
    device_group:
      description: Id of the device group.
      type: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import (  # noqa: E402
    WEBHOOK_MIME_NAMES,
    WEBHOOK_MIMES,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_webhook_delete  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.identify import natural_key  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr, attributes, ref  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            device_group=dict(type="str", required=True),
            event=dict(type="str", required=True, choices=["blessing", "blinkup", "deployment"]),
            url=dict(type="str", required=True),
            content_type=dict(type="str", choices=["json", "urlencoded"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        identifiers=("device_group", "url"),
        product_scope=True,
    )
    module.run(ensure_webhook)


def ensure_webhook(m: ImpCentralModule) -> None:
    p = m.params
    client = m.client
    group = m.parent("device_group", p["device_group"]) or {"id": None, "type": None}
    hooks = [
        h
        for h in (client.webhooks.list(device_group=group["id"]) if group["id"] else [])
        if all(attr(h, key) == p[key] for key in natural_key("webhook"))
    ]
    if len(hooks) > 1:
        m.fail(
            'Device group "%s" has %d webhooks for %s to %s; delete the extra ones.'
            % (p["device_group"], len(hooks), p["event"], p["url"]),
            webhooks=[h["id"] for h in hooks],
        )
    current = with_short_type(hooks[0]) if hooks else None
    wanted = m.user_set("content_type")

    def create():
        mime = WEBHOOK_MIMES[p["content_type"] or "json"]
        return with_short_type(client.webhooks.create(ref(group), p["url"], p["event"], mime))

    def update(cur, changes):
        return with_short_type(client.webhooks.update(cur["id"], content_type=WEBHOOK_MIMES[changes["content_type"]]))

    predicted = {
        "type": "webhook",
        "url": p["url"],
        "event": p["event"],
        "device_group": group["id"],
        "content_type": p["content_type"] or "json",
    }
    # The shared delete: a webhook already gone (another client, or its group deleted) is done.
    delete = m.delete_with(plan_webhook_delete(current), report=False) if current and p["state"] == "absent" else None
    m.ensure(
        "webhook", current, wanted, state=p["state"], create=create, update=update, delete=delete, predicted=predicted
    )


def with_short_type(hook: dict | None) -> dict | None:
    """The webhook with its content type in the module's words (json, urlencoded)."""
    if not hook:
        return hook
    attrs = dict(attributes(hook))
    attrs["content_type"] = WEBHOOK_MIME_NAMES.get(attrs.get("content_type"), attrs.get("content_type"))
    return dict(hook, attributes=attrs)


if __name__ == "__main__":
    main()
