#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deployment
short_description: Deploy code to an impCentral device group, or update or delete a deployment
version_added: 1.0.0
description:
  - With code (O(device_code)/O(agent_code), O(device_file)/O(agent_file) or O(copy_from)), makes sure the
    device group's current deployment carries that code; a new deployment is created only when it does not.
    The comparison reads the group and its current deployment (two requests) and compares the code itself.
  - When the current deployment already has the code, differing O(description), O(tags) and O(flagged) are
    updated on it; a differing O(origin) (set at creation only) makes a new deployment.
  - With O(deployment) instead of code, updates that deployment's description, tags and flag, or deletes it.
  - Devices run new code after a restart; see M(electricimp.impcentral.restart).
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device_group:
    description:
      - Device group (id, name or C({account}{product}{group})) to deploy to. Required with code.
      - In check mode a group that does not exist yet (an earlier task of the play would create it), named by any
        identifier, is no error; a new deployment is predicted (RV(predicted)).
    type: str
  device_code:
    description:
      - Device code (Squirrel source). An empty string when neither this nor O(device_file) is given.
    type: str
  agent_code:
    description:
      - Agent code (Squirrel source). An empty string when neither this nor O(agent_file) is given.
    type: str
  device_file:
    description:
      - File holding the device code, read on the host that runs the module.
      - Only a regular file of at most 4 MiB (impCentral's limit) is read; anything else (a device, a FIFO,
        a directory, a larger file) fails the task before it is read.
    type: path
  agent_file:
    description:
      - File holding the agent code, read on the host that runs the module.
      - Only a regular file of at most 4 MiB is read, as for O(device_file).
    type: path
  copy_from:
    description:
      - Deploy the code of this existing deployment (id, sha, tag or origin), as C(impt build copy) does.
      - A sha, tag or origin that several deployments share is accepted when they all carry the same code (one
        sha); the newest (by C(created_at)) is copied. When their code differs the task fails and lists them.
    type: str
  deployment:
    description:
      - An existing deployment (id, sha, tag or origin) to update or delete, instead of deploying code.
      - An empty value fails the task before any request; it never falls back to deploying code.
    type: str
  description:
    description:
      - Deployment description.
    type: str
  origin:
    description:
      - Free-text origin of the code (for example a git commit). Set at creation only.
    type: str
  tags:
    description:
      - Tags of the deployment (letters, digits and C(_ - * .)). Compared as a set; replaces the tags when given.
    type: list
    elements: str
  flagged:
    description:
      - Flagged deployments cannot be deleted.
    type: bool
  state:
    description:
      - V(present) deploys or updates; V(absent) deletes the deployment named by O(deployment).
    type: str
    choices: [present, absent]
    default: present
  build_policy:
    description:
      - When the code goes to the device group.
      - V(enforce) makes the group's current deployment carry the code, creating a new deployment when it does not.
      - V(initial) deploys only to a group that runs no deployment yet; a group that runs one keeps it, whatever
        its code (RV(kept) is true, nothing is sent and the task is not changed). So a setup playbook re-run after
        a release (made with M(electricimp.impcentral.release_rollout), the C(release_promotion) role or another
        deployment) changes nothing, as C(factory_setup)'s C(factory_setup_application_build_policy=initial) does.
        When the running deployment already has the code, O(description), O(tags) and O(flagged) are updated on it
        as with V(enforce).
      - Only with code (O(device_code), O(device_file), O(copy_from)...), not with O(deployment).
    type: str
    choices: [enforce, initial]
    default: enforce
  force:
    description:
      - With O(state=absent), unflag a flagged deployment before deleting it.
      - Without it, deleting a flagged deployment fails before any write, in check mode too (the API refuses it).
    type: bool
    default: false
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Deploy firmware 2.1 to the development group
  electricimp.impcentral.deployment:
    device_group: Thermostat dev
    device_file: src/device.nut
    agent_file: src/agent.nut
    description: Firmware 2.1
    origin: "git:4f2a9c1"
    tags: [v2.1]

- name: Promote the tested build to production, flagged so nobody deletes it
  electricimp.impcentral.deployment:
    device_group: Thermostat production
    copy_from: v2.1
    flagged: true

- name: Give a new group its first build; re-running after a release leaves the released build running
  electricimp.impcentral.deployment:
    device_group: Thermostat dev
    device_file: src/device.nut
    agent_file: src/agent.nut
    build_policy: initial

- name: Delete an old build
  electricimp.impcentral.deployment:
    deployment: v1.9
    state: absent
    force: true
"""

RETURN = r"""
deployment:
  description:
    - The deployment after the task (predicted in check mode, where a new deployment has a null C(id) and C(sha)).
    - Empty after deletion.
  returned: always
  type: dict
  contains:
    id:
      description: Deployment id.
      type: str
    sha:
      description: SHA-256 of the code, computed by the server.
      type: str
    description:
      description: Description.
      type: str
    origin:
      description: Origin.
      type: str
    tags:
      description: Tags.
      type: list
      elements: str
    flagged:
      description: Whether the deployment is flagged.
      type: bool
    device_code:
      description: Device code.
      type: str
    agent_code:
      description: Agent code.
      type: str
    device_group:
      description:
        - Id of the device group (absent for a deployment whose group was deleted).
        - In check mode, the identifier given when the group does not exist yet.
      type: str
created:
  description: Whether a new deployment was (or in check mode would be) created.
  returned: always
  type: bool
kept:
  description:
    - With O(build_policy=initial), true when the group already ran another deployment, which it keeps (RV(deployment)
      is that deployment, without its code).
  returned: always
  type: bool
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

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import BadRequestError  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_deployment_delete  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (  # noqa: E402
    attr,
    attributes,
    flatten,
    ref,
    rel_id,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.source_files import (  # noqa: E402
    SourceFileError,
    compile_error_lines,
    read_source_file,
)

EDITABLE = ("description", "tags", "flagged")


def main() -> None:
    module = ImpCentralModule(
        dict(
            device_group=dict(type="str"),
            device_code=dict(type="str"),
            agent_code=dict(type="str"),
            device_file=dict(type="path"),
            agent_file=dict(type="path"),
            copy_from=dict(type="str"),
            deployment=dict(type="str"),
            description=dict(type="str"),
            origin=dict(type="str"),
            tags=dict(type="list", elements="str"),
            flagged=dict(type="bool"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
            build_policy=dict(type="str", default="enforce", choices=["enforce", "initial"]),
        ),
        mutually_exclusive=[
            ("device_code", "device_file"),
            ("agent_code", "agent_file"),
            ("copy_from", "device_code"),
            ("copy_from", "device_file"),
            ("copy_from", "agent_code"),
            ("copy_from", "agent_file"),
            ("deployment", "device_code"),
            ("deployment", "device_file"),
            ("deployment", "agent_code"),
            ("deployment", "agent_file"),
            ("deployment", "copy_from"),
        ],
        required_one_of=[("device_group", "deployment")],
        required_if=[("state", "absent", ("deployment",))],
        identifiers=("device_group", "copy_from", "deployment"),
        product_scope=True,
    )
    module.run(ensure_deployment)


def ensure_deployment(m: ImpCentralModule) -> None:
    p = m.params
    m.result["created"] = False
    m.result["kept"] = False
    if p["deployment"] is not None:
        if p["build_policy"] != "enforce":
            m.fail("build_policy applies to deploying code to a device group, not to deployment %s." % p["deployment"])
        current = m.find("deployment", p["deployment"])
        if current is None and p["state"] == "present":
            m.fail('Deployment "%s" is not found.' % p["deployment"])
        m.ensure(
            "deployment",
            current,
            m.user_set(*EDITABLE),
            state=p["state"],
            update=update(m),
            delete=m.delete_with(plan_deployment_delete(current, force=p["force"]), report=False)
            if current and p["state"] == "absent"
            else None,
        )
        return

    code = wanted_code(m)
    # In check mode a group that does not exist yet (by any identifier) is predicted: a new deployment.
    group = m.one_or_predicted("device_group", p["device_group"]) or {"id": None, "type": None}
    current_id = rel_id(group, "current_deployment")
    current = m.client.deployments.get(current_id) if current_id else None
    attrs = attributes(current)
    same_code = current is not None and all(attrs.get(k, "") == v for k, v in code.items())
    if same_code and (p["origin"] is None or attrs.get("origin") == p["origin"]):
        m.ensure("deployment", current, m.user_set(*EDITABLE), update=update(m))
        return
    if current is not None and p["build_policy"] == "initial":
        # The group runs a build already (a release, most likely): it keeps it, and nothing changes.
        m.result.update(kept=True, deployment=_candidate(current))
        return

    def create():
        try:
            return m.client.deployments.create(
                ref(group),
                description=p["description"],
                origin=p["origin"],
                flagged=p["flagged"],
                tags=p["tags"],
                **code,
            )
        except BadRequestError as exc:
            if exc.code != "CX005":
                raise
            files = {"%s_code" % part: p["%s_file" % part] for part in ("device", "agent") if p["%s_file" % part]}
            details = {k: v for k, v in exc.to_dict().items() if k not in ("msg", "changed", "failed")}
            m.fail(compile_error_message(exc, files), **details)

    predicted = dict(
        code, type="deployment", sha=None, device_group=group["id"] or p["device_group"], origin=p["origin"]
    )
    after = m.ensure("deployment", None, m.user_set(*EDITABLE), create=create, predicted=predicted)
    m.result["created"] = True
    m.set_diff(_code_view(flatten(current)), _code_view(after))


def compile_error_message(exc: BadRequestError, files: dict | None = None) -> str:
    """CX005: where the code fails, ``file:row:column: type: text`` per item of the error's ``meta`` (the
    user's file names where the code came from files), then the API's error with method, URL and status."""
    places = compile_error_lines(exc.meta, files)
    return "The code does not compile: %s (%s)" % ("; ".join(places), exc.describe()) if places else exc.describe()


def wanted_code(m: ImpCentralModule) -> dict:
    """The code to deploy: given inline, read from files, or copied from another deployment."""
    p = m.params
    if p["copy_from"]:
        source = copy_source(m, p["copy_from"])
        if "device_code" not in attributes(source):
            source = m.client.deployments.get(source["id"])
        return {"device_code": attr(source, "device_code", ""), "agent_code": attr(source, "agent_code", "")}
    code = {}
    for part in ("device", "agent"):
        text, path = p["%s_code" % part], p["%s_file" % part]
        if path:
            try:
                text = read_source_file(path)
            except SourceFileError as exc:
                m.fail("Cannot read %s_file %s." % (part, exc))
        code["%s_code" % part] = text or ""
    return code


def copy_source(m: ImpCentralModule, value: str) -> dict:
    """The deployment ``copy_from`` names. Several matches (a sha or tag shared by builds) are fine when they
    all carry the same code (one sha): the newest is used. Different code fails, listing the candidates."""
    matches = identify.find(m.client, "deployment", value)
    if not matches:
        m.fail('Deployment "%s" is not found.' % value)
    shas = {attr(d, "sha") for d in matches}
    if len(matches) > 1 and (len(shas) != 1 or None in shas):
        m.fail(
            'Deployment "%s" matches %d deployments with different code: %s. Use an id.'
            % (value, len(matches), ", ".join(d["id"] for d in matches)),
            candidates=[_candidate(d) for d in matches],
        )
    return max(matches, key=lambda d: (attr(d, "created_at", ""), d["id"]))


def _candidate(dep: dict) -> dict:
    """A deployment without its code (a candidate listed in a failure, a build a group keeps)."""
    view = flatten(dep)
    view.pop("device_code", None)
    view.pop("agent_code", None)
    return view


def _code_view(view: dict | None) -> dict:
    keys = ("id", "sha", "description", "origin", "tags", "flagged", "device_code", "agent_code")
    return {k: (view or {}).get(k) for k in keys if k in (view or {})}


def update(m: ImpCentralModule):
    def run(cur, changes):
        return m.client.deployments.update(cur["id"], **changes)

    return run


if __name__ == "__main__":
    main()
