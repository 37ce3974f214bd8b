"""Delete plans: read the state once, refuse before the first write, execute step by step.

A forced delete of a product or Device Group touches many entities. Built the naive way, it unassigns
devices and unflags deployments and only then learns from the API that the group is another group's
target. Here the plan is built from one read of the state, ``preflight()`` lists everything the API
would refuse (check mode reports the same), and ``execute()`` runs the steps in impt's fixed order
(impt-behaviour §7) with one 404 policy: a thing already gone is done, also when a step is retried
after a lost answer. ``outcomes`` record what was done, not what was planned.

The plan is renderer-neutral: impt shows it as its confirmation dialog, the modules as ``deleted``. The
builders, one per kind of delete, are in ``deletes.py``.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    BadRequestError,
    ImpCentralClientError,
    NotFoundError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    TARGET_RELATIONS,
    attr,
    dg_type,
    has_target,
    is_flagged,
    label,
    name_or_id,
    rel_id,
)

ENTITY_ORDER = ("product", "device_group", "device", "deployment", "login_key", "account", "webhook")
DELETE_ORDER = ("device_group", "product", "device", "deployment", "login_key", "account", "webhook")
GONE_WITH_GROUP = ("deployment", "webhook")  # the API deletes them together with their group
RELATION_WORDS = {"production_target": "production target", "dut_target": "DUT target"}

DONE, GONE, IMPLIED = "done", "gone", "implied"


# impCentral's own title and detail for the refusals whose wording is known (impcentral-api §13), which
# impt 2.6.1 users and their scripts see; the preflight shows them before its own explanation.
API_PRODUCT_HAS_GROUPS = "Dependent Devicegroups Exist: Cannot delete a product with associated devicegroups."
API_GROUP_HAS_FLAGGED = (
    "Flagged Deployments Exist: Cannot delete a devicegroup with flagged deployments; delete those first."
)
API_FLAGGED = (
    "Resource Flagged: You cannot delete flagged deployments; set the flagged attribute to false and try again."
)


class Refusal(str):
    """One reason of the preflight (our explanation) with impCentral's title and detail for it, if known."""

    api = ""

    def __new__(cls, text: str, api: str = "") -> "Refusal":
        refusal = super().__new__(cls, text)
        refusal.api = api
        return refusal


class DeleteRefusedError(ImpCentralClientError):
    """The preflight found writes the API would refuse; nothing was sent.

    The message gives impCentral's own words first (as impt 2.6.1 shows them), then ours."""

    def __init__(self, reasons: list) -> None:
        self.reasons = list(reasons)
        api = list(dict.fromkeys(getattr(reason, "api", "") for reason in self.reasons if getattr(reason, "api", "")))
        super().__init__(" ".join([*api, "Nothing was deleted: " + " ".join(self.reasons)]))


@dataclass
class State:
    """What the plan builder read, once: the groups of the products concerned, devices and deployments."""

    groups: dict = field(default_factory=dict)  # id -> group
    devices: dict = field(default_factory=dict)  # group id -> [devices]
    deployments: dict = field(default_factory=dict)  # group id (None: zombie) -> [deployments]
    complete_deployments: bool = False  # all deployments read, not only flagged ones

    def add_groups(self, groups: list) -> None:
        self.groups.update((g["id"], g) for g in groups)

    def add_devices(self, devices: list, group_id: Optional[str] = None) -> None:
        """Devices by group: ``group_id`` when they were listed by group, else their relationship."""
        for device in devices:
            self.devices.setdefault(group_id or rel_id(device, "devicegroup"), {})[device["id"]] = device

    def add_deployments(self, deployments: list) -> None:
        for dep in deployments:
            self.deployments.setdefault(rel_id(dep, "devicegroup"), {})[dep["id"]] = dep

    def devices_of(self, group_id: str) -> list:
        return list(self.devices.get(group_id, {}).values())

    def deployments_of(self, group_id: Optional[str]) -> list:
        return list(self.deployments.get(group_id, {}).values())


@dataclass(frozen=True)
class Step:
    """One write: ``unassign`` (devices from ``resource``, a group), ``unflag``, ``delete`` or ``remove``."""

    action: str
    kind: str
    resource: dict
    shown: str
    devices: tuple = ()


@dataclass(frozen=True)
class Outcome:
    """What a step did: ``done``, ``gone`` (already deleted: a 404) or ``implied`` (went with its group)."""

    step: Step
    result: str


class DeletePlan:
    """Entities to delete, devices to unassign or remove, flagged deployments to unflag; then the preflight."""

    def __init__(
        self,
        state: Optional[State] = None,
        *,
        unbond_key: Optional[str] = None,
        password: Union[None, str, Callable[[], str]] = None,
    ) -> None:
        self.state = state or State()
        self.unbond_key = unbond_key
        self.password = password  # login keys: the account password, or a callable asked when the step runs
        self.refused: set = set()  # codes of the front-end-visible refusals (see refuse())
        self.entities: dict = {kind: {} for kind in ENTITY_ORDER}
        self.unassign: dict = {}
        self.unflag: dict = {}
        self.remove: dict = {}
        self.reasons: list = []
        self.outcomes: list = []

    # -- collecting ------------------------------------------------------------------------------

    def delete(self, kind: str, resource: dict, shown: Optional[str] = None) -> None:
        self.entities[kind].setdefault(resource["id"], (resource, shown or resource["id"]))

    def unassign_device(self, device: dict, group_id: Optional[str] = None) -> None:
        """Unassign ``device`` from ``group_id`` (default: the group its relationship names)."""
        group_id = group_id or rel_id(device, "devicegroup")
        if group_id:
            self.unassign.setdefault(device["id"], (device, group_id))

    def unflag_build(self, build: dict) -> None:
        if is_flagged(build):
            self.unflag.setdefault(build["id"], build)

    def remove_device(self, device: dict, shown: Optional[str] = None) -> None:
        self.remove.setdefault(device["id"], (device, shown or device["id"]))

    def refuse(self, reason: str, code: Optional[str] = None) -> None:
        """A reason found while collecting that stops the plan; ``code`` lets a front end word it its own way."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        if code:
            self.refused.add(code)

    def deletes(self, kind: str) -> list:
        return [resource for resource, _shown in self.entities[kind].values()]

    def is_empty(self) -> bool:
        return not (any(self.entities.values()) or self.unassign or self.unflag or self.remove)

    # -- preflight -------------------------------------------------------------------------------

    def preflight(self) -> list:
        """Every reason the API would refuse a step of this plan, found from the state read (no request)."""
        reasons = list(self.reasons)
        doomed = set(self.entities["device_group"])
        for group in self.deletes("device_group"):
            reasons += self._group_refusals(group, doomed)
        for product in self.deletes("product"):
            kept = [g for g in self.state.groups.values() if rel_id(g, "product") == product["id"]]
            kept = [g for g in kept if g["id"] not in doomed]
            if kept:
                reasons.append(
                    Refusal(
                        f"{_named('product', product)} has Device Groups ({_names(kept)}); "
                        "use force to delete them too.",
                        API_PRODUCT_HAS_GROUPS,
                    )
                )
        for dep in self.deletes("deployment"):
            if is_flagged(dep) and dep["id"] not in self.unflag and rel_id(dep, "devicegroup") not in doomed:
                reasons.append(
                    Refusal(
                        f'Deployment "{dep["id"]}" is flagged; use force to unflag it before deleting it.', API_FLAGGED
                    )
                )
        for device, _shown in self.remove.values():
            group = self.state.groups.get(rel_id(device, "devicegroup") or "")
            kind = dg_type(group) if group else dg_type(_rel_type(device))
            if kind is not None and kind.production and device["id"] not in self.unassign:
                reasons.append(f'Device "{device["id"]}" is in a production Device Group and cannot be removed.')
        for group_id, devices in self._unassign_by_group().items():
            kind = dg_type(self.state.groups.get(group_id)) or dg_type(_rel_type(devices[0]))
            if kind is not None and kind.unbond_key and not self.unbond_key:
                reasons.append(
                    f'Device Group "{group_id}" is a production group: unassigning its devices '
                    f"({', '.join(d['id'] for d in devices)}) needs their unbond key."
                )
        return list(dict.fromkeys(reasons))

    def _group_refusals(self, group: dict, doomed: set) -> list:
        reasons = []
        for other in self.state.groups.values():
            if other["id"] in doomed:
                continue
            for relation in TARGET_RELATIONS:
                if rel_id(other, relation) == group["id"]:
                    reasons.append(
                        f"{_named('device_group', group)} is the {RELATION_WORDS[relation]} of "
                        f"{_named('device_group', other)}, which is not deleted."
                    )
        left = [d for d in self.state.devices_of(group["id"]) if d["id"] not in self.unassign]
        if left:
            reasons.append(
                f"{_named('device_group', group)} has {len(left)} device(s) ({', '.join(d['id'] for d in left)}); "
                "use force to unassign them."
            )
        flagged = [d for d in self.state.deployments_of(group["id"]) if is_flagged(d) and d["id"] not in self.unflag]
        if flagged:
            reasons.append(
                Refusal(
                    f"{_named('device_group', group)} has flagged deployments ({', '.join(d['id'] for d in flagged)}); "
                    "use force to unflag them.",
                    API_GROUP_HAS_FLAGGED,
                )
            )
        return reasons

    def check(self) -> None:
        """Raise ``DeleteRefusedError`` with every reason when the API would refuse part of the plan."""
        reasons = self.preflight()
        if reasons:
            raise DeleteRefusedError(reasons)

    # -- the steps -------------------------------------------------------------------------------

    def steps(self) -> list:
        """The writes in impt's order: unassign, unflag, delete (groups with targets first), remove."""
        steps = [
            Step("unassign", "device_group", self.state.groups.get(gid) or {"id": gid}, gid, tuple(devices))
            for gid, devices in self._unassign_by_group().items()
        ]
        steps += [Step("unflag", "deployment", b, b["id"]) for b in self.unflag.values()]
        for kind in DELETE_ORDER:
            items = list(self.entities[kind].values())
            if kind == "device_group":
                items.sort(key=lambda item: not has_target(item[0]))
            steps += [Step("delete", kind, resource, shown) for resource, shown in items]
        steps += [Step("remove", "device", device, shown) for device, shown in self.remove.values()]
        return steps

    def _unassign_by_group(self) -> dict:
        by_group: dict = {}
        for device, group_id in self.unassign.values():
            by_group.setdefault(group_id, []).append(device)
        return by_group

    def execute(self, client: Any, on_step: Optional[Callable[[Outcome], None]] = None) -> list:
        """Preflight, then run every step; ``outcomes`` (and ``on_step``) say what each step did."""
        self.check()
        deleted_groups: set = set()
        for step in self.steps():
            if step.action == "delete" and step.kind in GONE_WITH_GROUP:
                if rel_id(step.resource, "devicegroup") in deleted_groups:
                    self._record(Outcome(step, IMPLIED), on_step)
                    continue
            result = self._run(client, step)
            if step.action == "delete" and step.kind == "device_group":
                deleted_groups.add(step.resource["id"])
            self._record(Outcome(step, result), on_step)
        return list(self.outcomes)

    def _record(self, outcome: Outcome, on_step: Optional[Callable[[Outcome], None]]) -> None:
        self.outcomes.append(outcome)
        if on_step is not None:
            on_step(outcome)

    def _run(self, client: Any, step: Step) -> str:
        try:
            _write(client, step, self)
        except (NotFoundError, BadRequestError) as exc:
            if not is_gone(exc):
                raise
            return GONE
        return DONE

    # -- reporting -------------------------------------------------------------------------------

    def summary(self, done_only: bool = False) -> dict:
        """Ids by what happens to them: planned, or (``done_only``) what the executed steps did."""
        report: dict = {"device_groups": [], "devices_unassigned": [], "deployments_unflagged": [], "deployments": []}
        steps = [o.step for o in self.outcomes] if done_only else self.steps()
        for step in steps:
            if step.action == "unassign":
                report["devices_unassigned"] += [d["id"] for d in step.devices]
            elif step.action == "unflag":
                report["deployments_unflagged"].append(step.resource["id"])
            elif step.action == "delete" and step.kind == "device_group":
                report["device_groups"].append(step.resource["id"])
            elif step.action == "delete" and step.kind == "deployment":
                report["deployments"].append(step.resource["id"])
        return report


def is_gone(exc: Exception) -> bool:
    """The one 404 policy: a 404, or a 400 whose errors are all 404s (a multi-device unassign)."""
    if isinstance(exc, NotFoundError):
        return True
    errors = getattr(exc, "errors", None) or []
    return isinstance(exc, BadRequestError) and bool(errors) and all(_status(e) == "404" for e in errors)


def _status(error: Any) -> str:
    return str(error.get("status")) if isinstance(error, dict) else ""


def _write(client: Any, step: Step, plan: DeletePlan) -> None:
    if step.action == "unassign":
        kind = dg_type(step.resource) or dg_type(_rel_type(step.devices[0]))
        key = plan.unbond_key if kind is not None and kind.unbond_key else None
        client.device_groups.remove_devices(step.resource["id"], [d["id"] for d in step.devices], unbond_key=key)
    elif step.action == "unflag":
        client.deployments.update(step.resource["id"], flagged=False)
    elif step.action == "remove":
        client.devices.delete(step.resource["id"])
    elif step.kind == "login_key":
        password = plan.password() if callable(plan.password) else plan.password
        client.login_keys.delete(step.resource["id"], password)
    else:
        api = {
            "device_group": client.device_groups,
            "product": client.products,
            "device": client.devices,
            "deployment": client.deployments,
            "webhook": client.webhooks,
        }[step.kind]
        api.delete(step.resource["id"])


def _rel_type(resource: dict) -> Optional[str]:
    found = ((resource or {}).get("relationships") or {}).get("devicegroup")
    return found.get("type") if isinstance(found, dict) else None


def _named(kind: str, resource: dict) -> str:
    shown = attr(resource, "name")
    return f'{label(kind)} "{shown}" ({resource["id"]})' if shown else f'{label(kind)} "{resource["id"]}"'


def _names(groups: list) -> str:
    return ", ".join(str(name_or_id(g)) for g in groups)
