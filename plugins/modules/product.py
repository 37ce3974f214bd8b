#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: product
short_description: Create, update or delete an impCentral product
version_added: 1.0.0
description:
  - Makes sure a product with a given name exists with the given description, or does not exist.
  - The product is found by name (any identifier C(impt) accepts works, for example an id or C({account}{product})),
    restricted to O(owner) when given.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  name:
    description:
      - Product name (unique per owner account), or any product identifier.
      - A value in the hierarchical form C({account}{product}) or in the form of an id that matches no product
        fails the task; it is never taken as the name of a new product.
    type: str
    required: true
  description:
    description:
      - Product description. Left alone when not given.
    type: str
  owner:
    description:
      - Account (id, email, username or V(me)) that owns the product. Used to find it and to create it in a
        collaborator's account. Cannot change once created.
      - An unknown account fails the task before any write, in check mode too.
    type: str
  state:
    description:
      - V(present) creates or updates the product, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), first delete the product's device groups as C(impt product delete --force) does;
        devices are unassigned, flagged deployments unflagged, groups that target others deleted first.
      - Everything the API would refuse is found before the first write (check mode too); the task then
        fails with every reason and changes nothing.
    type: bool
    default: false
  builds:
    description:
      - With O(state=absent), also delete every deployment of the product, as C(impt product delete --builds) does.
      - The API deletes a group's deployments together with the group, so with O(force) only the deployments no
        deleted group takes along (zombies of groups deleted earlier) are deleted one by one, after the product.
    type: bool
    default: false
  unbond_key:
    description:
      - Unbond key needed to unassign devices from a V(production) group of the product with O(force).
      - Without it, a forced delete of a product with production devices fails before any write.
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Make sure the product exists
  electricimp.impcentral.product:
    name: Thermostat
    description: Smart thermostat, hardware rev B

- name: Delete the product with its device groups and deployments
  electricimp.impcentral.product:
    name: Thermostat
    state: absent
    force: true
    builds: true
    unbond_key: "{{ thermostat_unbond_key }}"  # production devices are unassigned first, which needs it
"""

RETURN = r"""
product:
  description:
    - The product after the task (predicted in check mode, where a new product has O(name) and a null C(id)).
    - Empty after deletion.
  returned: always
  type: dict
  contains:
    id:
      description: Product id.
      type: str
      sample: 4e264cef-3316-cdfa-7f39-7a5d458994b3
    name:
      description: Product name.
      type: str
      sample: Thermostat
    description:
      description: Product description.
      type: str
    owner:
      description: Id of the owner account.
      type: str
    creator:
      description: Id of the account that created it.
      type: str
    created_at:
      description: Creation time.
      type: str
    updated_at:
      description: Last change.
      type: str
deleted:
  description:
    - What a forced delete removed (or would remove in check mode); when a step fails, what was done before it.
  returned: when O(state=absent) and the product existed
  type: dict
  contains:
    device_groups:
      description: Ids of the deleted device groups.
      type: list
      elements: str
    devices_unassigned:
      description: Ids of the unassigned devices.
      type: list
      elements: str
    deployments_unflagged:
      description: Ids of the unflagged deployments.
      type: list
      elements: str
    deployments:
      description:
        - Ids of the deleted deployments (with O(builds)), those the group deletions take along included.
      type: list
      elements: str
reasons:
  description: Why the delete was refused before any write (the task fails and nothing changes).
  returned: when the preflight refused the delete
  type: list
  elements: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_product_delete  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            owner=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
            builds=dict(type="bool", default=False),
            unbond_key=dict(type="str", no_log=True),
        ),
        identifiers=("name", "owner"),
    )
    module.run(ensure_product)


def ensure_product(m: ImpCentralModule) -> None:
    p = m.params
    name = "{%s}{%s}" % (p["owner"], p["name"]) if p["owner"] else p["name"]
    current = m.find("product", name)

    def delete(cur):
        m.client.products.delete(cur["id"])

    if p["state"] == "absent" and current:
        plan = plan_product_delete(m.client, current, force=p["force"], builds=p["builds"], unbond_key=p["unbond_key"])
        delete = m.delete_with(plan)

    owner = None
    if p["state"] == "present" and current is None:
        # Checked with reads before any write, in check mode too: the real run would fail the same way.
        m.refuse_identifier_as_name("Product", p["name"], "product")
        owner = m.one("account", p["owner"])["id"] if p["owner"] else None

    def create():
        return m.client.products.create(p["name"], description=p["description"], owner=owner)

    def update(cur, changes):
        return m.client.products.update(cur["id"], **changes)

    m.ensure(
        "product",
        current,
        m.user_set("description"),
        state=p["state"],
        create=create,
        update=update,
        delete=delete,
        predicted={"name": p["name"], "type": "product"},
    )


if __name__ == "__main__":
    main()
