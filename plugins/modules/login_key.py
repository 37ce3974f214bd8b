#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: login_key
short_description: Create, describe or delete an impCentral login key
version_added: 1.0.0
description:
  - Makes sure the account has a login key with a description, or does not have it.
  - The key is found by O(key_id) when given, else by its description. An empty O(key_id), or an empty
    description without O(key_id), fails the task before any request; it never matches a key without a description.
  - A change that needs O(password) fails without it in check mode too, before any request.
  - A login key's id is the credential itself. It is returned once, as RV(key_id), when the key is created;
    everywhere else only a hint of its last four characters (C(id_hint)) is returned. Set C(no_log) to V(true)
    on the task that registers the result, and keep the key in a vault.
  - Writes need the account password (O(password)), sent in the C(X-Electricimp-Password) header.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  description:
    description:
      - Description of the key; also how the key is found without O(key_id).
    type: str
  key_id:
    description:
      - Id of an existing key (the credential) to describe or delete.
    type: str
  state:
    description:
      - V(present) creates the key or updates its description, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: A login key for the CI system (made with the account's username and password)
  electricimp.impcentral.login_key:
    description: CI release job
    username: "{{ impcentral_username }}"
    password: "{{ impcentral_password }}"
  register: ci_key
  no_log: true

- name: Delete it
  electricimp.impcentral.login_key:
    description: CI release job
    username: "{{ impcentral_username }}"
    password: "{{ impcentral_password }}"
    state: absent
"""

RETURN = r"""
key_id:
  description: The id (credential) of a key created by this task. Null in check mode.
  returned: when a key is created
  type: str
login_key:
  description: The key after the task, without its id (predicted in check mode). Empty after deletion.
  returned: always
  type: dict
  contains:
    id_hint:
      description: The last four characters of the key id.
      type: str
      sample: "…5e9d"
    description:
      description: Description.
      type: str
    usages:
      description: How many times the key has been used.
      type: int
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule, blank  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_login_key_delete  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr  # noqa: E402


def main() -> None:
    module = ImpCentralModule(
        dict(
            description=dict(type="str"),
            key_id=dict(type="str", no_log=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_one_of=[("description", "key_id")],
        identifiers=("key_id",),
    )
    module.run(ensure_login_key)


def ensure_login_key(m: ImpCentralModule) -> None:
    p = m.params
    if p["key_id"] is None and (p["description"] is None or blank(p["description"])):
        # The description is the identifier here: an empty or missing one must never match (and delete)
        # a key created without a description.
        m.fail("Give key_id, or a description that is not empty, to find the login key.")
    keys = m.client.login_keys
    if p["key_id"] is not None:
        found = identify.find(m.client, "login_key", p["key_id"])  # a failed login is an error, not "no key"
        current = found[0] if found else None
    else:
        matches = [k for k in keys.list() if attr(k, "description") == p["description"]]
        if len(matches) > 1:
            m.fail('%d login keys have the description "%s"; give key_id.' % (len(matches), p["description"]))
        current = matches[0] if matches else None

    def password() -> str:
        if not p["password"]:
            m.fail("Changing login keys needs the account password: set password (or IMPT_PASSWORD).")
        return p["password"]

    def create():
        created = keys.create(password(), description=p["description"])
        m.result["key_id"] = created["id"]
        return created

    if p["state"] == "present" and current is None and p["key_id"] is not None:
        m.fail("Login key %s is not found; omit key_id to create a new key." % hint(p["key_id"]))
    delete = None
    if current and p["state"] == "absent":
        # The shared delete: a key already gone (deleted by another client meanwhile) is done.
        delete = m.delete_with(plan_login_key_delete(current, password=password), report=False)
    after = m.ensure(
        "login_key",
        current,
        m.user_set("description"),
        state=p["state"],
        create=create,
        update=lambda cur, ch: keys.update(cur["id"], password(), ch["description"]),
        delete=delete,
        predicted={"type": "login_key"},
        before_write=lambda _action: password(),
    )
    if p["state"] == "present" and current is None:
        m.result.setdefault("key_id", None)
    m.result["login_key"] = masked(after)
    if "diff" in m.result:
        m.result["diff"] = {side: masked(view) for side, view in m.result["diff"].items()}


def hint(key_id: str | None) -> str | None:
    return "…" + key_id[-4:] if key_id else None


def masked(view: dict) -> dict:
    """The key without its id (a credential): only the last four characters as id_hint."""
    if not view:
        return {}
    out = {k: v for k, v in view.items() if k != "id"}
    out["id_hint"] = hint(view.get("id"))
    return out


if __name__ == "__main__":
    main()
