#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device_group
short_description: Create, update or delete an impCentral device group
version_added: 1.0.0
description:
  - Makes sure a device group exists in a product with the given type, description, targets,
    environment variables and minimum supported deployment, or does not exist.
  - The group is found by O(name) among the groups of O(product). Without O(product), O(name) may be any
    device group identifier (id, name, C({account}{product}{group})).
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  name:
    description:
      - Device group name (unique within the product), or any device group identifier when O(product) is not given.
      - A value in the hierarchical form C({account}{product}{group}) or in the form of an id that matches no group
        fails the task; it is never taken as the name of a new group.
    type: str
    required: true
  product:
    description:
      - Product (id, name or C({account}{product})) the group belongs to. Required to create the group; without
        it, a group that does not exist fails the task before any write, in check mode too.
    type: str
  type:
    description:
      - Device group type, in C(impt)'s words. Fixed once created; V(development) when creating without it.
      - V(factory) and V(pre-factory) groups need O(production_target) and O(dut_target).
    type: str
    choices: [development, pre-factory, pre-dut, pre-production, factory, dut, production]
  description:
    description:
      - Device group description.
    type: str
  production_target:
    description:
      - For V(factory)/V(pre-factory) groups, the V(production)/V(pre-production) group blessed devices go to.
      - A name is looked up in the same product first.
      - In check mode a target (or O(product)) that does not exist yet, because an earlier task of the play would
        create it, is no error; the group is predicted with the target's name in place of its id
        (RV(predicted)). Outside check mode it is an error.
    type: str
  dut_target:
    description:
      - For V(factory)/V(pre-factory) groups, the V(dut)/V(pre-dut) group of the devices under test.
    type: str
  load_code_after_blessing:
    description:
      - For V(production)/V(pre-production) groups, whether blessed devices load the code at once.
    type: bool
  region:
    description:
      - For V(production)/V(pre-production) groups, the region. Set at creation only; a different value on an
        existing group is an error.
    type: str
  env_vars:
    description:
      - Environment variables of the group (keys start with a letter; values are strings or numbers).
      - Replaces the whole set when given.
    type: dict
  min_supported_deployment:
    description:
      - Deployment (id, sha, tag or origin) that becomes the group's minimum supported deployment.
    type: str
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), first unassign the group's devices and unflag its flagged deployments,
        as C(impt dg delete --force) does.
      - Everything the API would refuse (the group is another group's target, production devices without
        O(unbond_key), devices or flagged deployments left without O(force)) is found before the first write,
        in check mode too; the task then fails with every reason and changes nothing.
    type: bool
    default: false
  unbond_key:
    description:
      - Unbond key needed to unassign devices from a V(production) group with O(force).
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Development group with environment variables
  electricimp.impcentral.device_group:
    name: Thermostat dev
    product: Thermostat
    type: development
    env_vars:
      REPORT_INTERVAL: 60

- name: Factory fixture group blessing into production
  electricimp.impcentral.device_group:
    name: Thermostat factory
    product: Thermostat
    type: factory
    production_target: Thermostat production
    dut_target: Thermostat DUT

- name: Remove the development group and everything that blocks it
  electricimp.impcentral.device_group:
    name: Thermostat dev
    product: Thermostat
    state: absent
    force: true
"""

RETURN = r"""
device_group:
  description:
    - The device group after the task (predicted in check mode; a new group has a null C(id)). Empty after deletion.
  returned: always
  type: dict
  contains:
    id:
      description: Device group id.
      type: str
    type:
      description: Device group type in C(impt)'s words.
      type: str
      sample: development
    name:
      description: Name.
      type: str
    description:
      description: Description.
      type: str
    region:
      description: Region (production types only).
      type: str
    load_code_after_blessing:
      description: Whether blessed devices load the code at once (production types only).
      type: bool
    env_vars:
      description: Environment variables.
      type: dict
    product:
      description: Product id (in check mode, the name given when the product does not exist yet).
      type: str
    production_target:
      description:
        - Id of the production target group (fixture types only).
        - In check mode, the name given when the target does not exist yet.
      type: str
    dut_target:
      description:
        - Id of the DUT target group (fixture types only).
        - In check mode, the name given when the target does not exist yet.
      type: str
    current_deployment:
      description: Id of the newest deployment, absent when none.
      type: str
    min_supported_deployment:
      description: Id of the minimum supported deployment, absent until set.
      type: str
deleted:
  description:
    - What the delete removed (or would remove in check mode); when a step fails, what was done before it.
  returned: when O(state=absent) and the group existed
  type: dict
  contains:
    device_groups:
      description: Ids of the deleted groups.
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
      description: Ids of deleted deployments (always empty here; the API deletes them with the group).
      type: list
      elements: str
reasons:
  description: Why the delete was refused before any write (the task fails and nothing changes).
  returned: when the preflight refused the delete
  type: list
  elements: str
predicted:
  description:
    - Check mode only. True when an entity the task refers to does not exist yet and the result is predicted
      as if an earlier task of the play created it (nothing is sent). Outside check mode a missing entity is an error.
  returned: in check mode, when a referenced entity is not found
  type: bool
  sample: true
predicted_missing:
  description: Check mode only. The referenced entities that do not exist yet.
  returned: in check mode, when a referenced entity is not found
  type: list
  elements: dict
  contains:
    kind:
      description: Entity kind, for example V(product) or V(device_group).
      type: str
    name:
      description: The identifier as given.
      type: str
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.identify import match  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import group_types  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_device_group_delete  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (  # noqa: E402
    DG_TYPES,
    api_dg_type,
    attr,
    dg_type,
    ref,
    rel_id,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (  # noqa: E402
    EntityNotFoundError,
)

DG_TYPE_CHOICES = list(DG_TYPES)
PATCHABLE = ("description", "load_code_after_blessing", "env_vars")


def main() -> None:
    module = ImpCentralModule(
        dict(
            name=dict(type="str", required=True),
            product=dict(type="str"),
            type=dict(type="str", choices=DG_TYPE_CHOICES),
            description=dict(type="str"),
            production_target=dict(type="str"),
            dut_target=dict(type="str"),
            load_code_after_blessing=dict(type="bool"),
            region=dict(type="str"),
            env_vars=dict(type="dict"),
            min_supported_deployment=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
            unbond_key=dict(type="str", no_log=True),
        ),
        identifiers=("name", "product", "production_target", "dut_target", "min_supported_deployment"),
    )
    if module.params["type"]:
        refuse_contradictions(module, module.params["type"])
    module.run(ensure_device_group)


def refuse_contradictions(m: ImpCentralModule, kind: str) -> None:
    """Fail, before any write, on options the group's type cannot have (the API would refuse them)."""
    p, group_type = m.params, dg_type(kind)
    if group_type is None or p["state"] == "absent":
        return
    given = [r for r in ("production_target", "dut_target") if p[r]]
    given += [o for o in ("region", "load_code_after_blessing") if p[o] is not None]
    for option in group_types.refused_options(group_type, given):
        allowed = " and ".join(t.label for t in reversed(group_types.types_allowing(option)))
        m.fail("%s applies to %s device groups only, not to a %s group." % (option, allowed, group_type.label))


def ensure_device_group(m: ImpCentralModule) -> None:
    p = m.params
    product, siblings, current = find_group(m)
    if p["state"] == "absent":
        delete = None
        if current:
            plan = plan_device_group_delete(
                m.client, current, force=p["force"], unbond_key=p["unbond_key"], siblings=siblings or None
            )
            delete = m.delete_with(plan)
        m.ensure("device_group", current, {}, state="absent", delete=delete)
        return

    if current is None:
        # Checked before any write, in check mode too: the real run would fail the same way.
        m.refuse_identifier_as_name("Device group", p["name"], "device_group")
        if product is None:
            m.fail('Device group "%s" does not exist; give product to create it.' % p["name"])
    kind = p["type"] or (current and current["type"]) or "development"
    refuse_contradictions(m, kind)
    if current and p["type"] and api_dg_type(p["type"]) != current["type"]:
        m.fail('Device group "%s" is of another type; a type cannot change. Delete and recreate it.' % p["name"])
    if current and p["region"] is not None and attr(current, "region") != p["region"]:
        m.fail('The region of device group "%s" is set at creation only.' % p["name"])
    targets = {t: target(m, p[t], product, siblings) for t in ("production_target", "dut_target") if p[t]}
    wanted = m.user_set(*PATCHABLE)
    # A target predicted in check mode (not created yet) has no id: the prediction carries its name.
    wanted.update({t: group["id"] or p[t] for t, group in targets.items()})
    if p["min_supported_deployment"]:
        wanted["min_supported_deployment"] = m.one("deployment", p["min_supported_deployment"])["id"]

    def create():
        refs = {t: ref(group) for t, group in targets.items()}
        created = m.client.device_groups.create(
            api_dg_type(kind),
            p["name"],
            product["id"],
            description=p["description"],
            region=p["region"],
            load_code_after_blessing=p["load_code_after_blessing"],
            env_vars=p["env_vars"],
            **refs,
        )
        if wanted.get("min_supported_deployment"):
            m.client.device_groups.set_min_supported_deployment(created["id"], wanted["min_supported_deployment"])
            return None
        return created

    def update(cur, changes):
        minimum = changes.get("min_supported_deployment")
        fields = {k: v for k, v in changes.items() if k in PATCHABLE}
        fields.update({t: ref(targets[t]) for t in targets if t in changes})
        updated = m.client.device_groups.update(cur["id"], cur["type"], **fields) if fields else None
        if minimum:
            m.client.device_groups.set_min_supported_deployment(cur["id"], minimum)
            return None
        return updated

    # A product predicted in check mode (not created yet) has no id: the prediction carries its name.
    predicted = {
        "name": p["name"],
        "type": kind,
        "product": product and (product["id"] or p["product"]),
        "region": p["region"],
    }
    m.ensure("device_group", current, wanted, create=create, update=update, predicted=predicted)


def find_group(m: ImpCentralModule):
    """(product, the product's groups, the group) by natural key: one product lookup, one listing."""
    p = m.params
    if not p["product"]:
        return None, [], m.find("device_group", p["name"])
    product = m.parent("product", p["product"])
    if product is None:
        return {"id": None}, [], None
    siblings = m.client.device_groups.list(product=product["id"])
    named = match("device_group", siblings, p["name"])
    return product, siblings, named[0] if named else None


def target(m: ImpCentralModule, value: str, product: dict | None, siblings: list) -> dict:
    """The target group: in the same product first, then any identifier. In check mode a target that does
    not exist yet in the group's product (an earlier task would create it) is predicted: ``{"id": None}``."""
    same_product = match("device_group", siblings, value)
    if len(same_product) == 1:
        return same_product[0]
    if not m.check_mode:
        return m.one("device_group", value)
    if product is not None and product["id"] is None:
        # The product itself is predicted, so are its groups: nothing to look up.
        m.predict_missing("device_group", value)
        return {"id": None}
    try:
        found = m.one("device_group", value)
    except EntityNotFoundError:
        found = None  # an ambiguous name fails check mode as it fails the real run
    if found is None or (product is not None and rel_id(found, "product") != product["id"]):
        m.predict_missing("device_group", value)
        return {"id": None}
    return found


if __name__ == "__main__":
    main()
