"""Deployments (spec §8): code checks, sha, tags, flagged/current/min-supported protection.

Creating one makes it its group's current deployment and fires the group's `deployment`
webhooks; observers can refuse the code first (`validate_deployment`).
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any

from .. import errors, ids
from ..access import get_visible, matching, visible
from ..errors import ApiError, constraint, error_item, invalid
from ..squirrel_text import bracket_error
from ..store import Record
from . import records

if TYPE_CHECKING:
    from . import Models

MAX_CODE_BYTES = 4 * 1024 * 1024
TAG = re.compile(r"^[A-Za-z0-9_.*-]+$")
MAX_TAGS_LENGTH = 500
LIST_FIELDS = {
    "owner.id": "owner_id",
    "creator.id": "creator_id",
    "product.id": "product_id",
    "devicegroup.id": "devicegroup_id",
    "sha": "sha",
    "flagger.id": "flagger_id",
}


class Deployments:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.store = models.store

    def get(self, caller: Record, ident: str) -> Record:
        return get_visible(self.store, "deployment", ident, caller, "deployment")

    def list(self, caller: Record, wanted: dict[str, str]) -> list[Record]:
        """``GET /deployments``: what the caller sees, by every filter of spec §8 (``tags`` is an AND)."""
        items = matching(visible(self.store, "deployment", caller), wanted, LIST_FIELDS)
        flagged = wanted.get("flagged", "any")
        if flagged not in ("true", "false", "any"):
            raise invalid("filter[flagged] must be true, false or any.", "VX003", "Invalid Filter")
        if flagged != "any":
            items = [d for d in items if d["flagged"] == (flagged == "true")]
        if wanted.get("tags"):
            required = {tag for tag in wanted["tags"].split(",") if tag}
            items = [d for d in items if required <= set(d.get("tags") or [])]
        return items

    def create(
        self,
        caller: Record,
        group: Record,
        values: dict[str, Any],
        *,
        ident: str | None = None,
        rng: random.Random | None = None,
        compiled: list[dict[str, Any]] | None = None,
    ) -> Record:
        """`values`: device_code, agent_code, description, origin, flagged, tags. `compiled`: the CX005
        items of the code when the caller compiled it already (in the owner's worker), else the check runs."""
        device_code, agent_code = values.get("device_code") or "", values.get("agent_code") or ""
        check_code_size("device_code", device_code)
        check_code_size("agent_code", agent_code)
        if "tags" in values:
            values["tags"] = check_tags(values["tags"])
        if compiled is None:
            compiled = self.models.compile_check(device_code, agent_code)
        refuse_uncompilable(compiled)
        self.models.events.emit("validate_deployment", group, device_code, agent_code)
        if ident and self.store.get("deployment", ident):
            raise errors.duplicate(f"A deployment with id '{ident}' already exists.")
        dep = self.store.put("deployment", records.deployment(group, caller["id"], values, rng, ident))
        self.models.devicegroups.set_current(group, dep)
        self.models.events.emit("deployment_created", dep, group)
        payload = {
            "deployment_id": dep["id"],
            "devicegroup_id": group["id"],
            "product_id": group["product_id"],
            "sha": dep["sha"],
            "created_at": dep["created_at"],
        }
        self.models.webhooks.fire(group["id"], "deployment", payload)
        return dep

    def update(self, caller: Record, dep: Record, **changes: Any) -> Record:
        """`changes`: description, flagged, tags."""
        if "description" in changes:
            dep["description"] = changes["description"]
        if "flagged" in changes:
            dep["flagged"] = bool(changes["flagged"])
            dep["flagger_id"] = caller["id"] if dep["flagged"] else None
        if "tags" in changes:
            dep["tags"] = check_tags(changes["tags"])
        dep["updated_at"] = ids.iso_timestamp()
        return self.store.put("deployment", dep)

    def make_zombie(self, dep: Record, group: Record, previous_current: str | None) -> None:
        """Seeds only: a build whose group is gone (impCentral keeps such builds; impt calls them zombies)."""
        dep["devicegroup_id"] = None
        self.store.put("deployment", dep)
        group["current_deployment_id"] = previous_current
        self.store.put("devicegroup", group)

    def delete(self, dep: Record) -> None:
        store = self.store
        if dep["flagged"]:
            raise constraint("CX004", "Resource Flagged", errors.RESOURCE_FLAGGED)
        group = store.get("devicegroup", dep.get("devicegroup_id") or "")
        if group is not None:
            if group.get("current_deployment_id") == dep["id"]:
                raise constraint(
                    "CX006", "Current Deployment", "Cannot delete the current deployment of a devicegroup."
                )
            minimum = group.get("min_supported_deployment_id")
            if minimum and store.position("deployment", dep["id"]) >= store.position("deployment", minimum):
                raise constraint(
                    "CX006",
                    "Min Supported Deployment",
                    "Cannot delete the min_supported_deployment of a devicegroup or a newer deployment.",
                )
        store.delete("deployment", dep["id"])


def check_code_size(name: str, code: str) -> None:
    if len(code.encode()) > MAX_CODE_BYTES:
        raise invalid(f"The attribute '{name}' is larger than 4 MiB.", "VX009", "Code Too Large")


def check_tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise invalid("The attribute 'tags' must be an array of strings.", "VX002", "Invalid Type")
    for tag in value:
        if not TAG.match(tag):
            raise invalid(f"The tag '{tag}' may contain only letters, digits and _ - * .")
    if sum(len(tag) for tag in value) > MAX_TAGS_LENGTH:
        raise invalid("All tags together must not exceed 500 characters.")
    return list(dict.fromkeys(value))


def bracket_errors(device_code: str, agent_code: str) -> list[dict[str, Any]]:
    """The compile check without Squirrel (`--exec off`): bracket balance, in CX005 `meta` items."""
    problems = []
    for name, code in (("device_code", device_code), ("agent_code", agent_code)):
        found = bracket_error(code)
        if found:
            row, column, text = found
            problems.append({"file": name, "row": row, "column": column, "text": text, "type": "error"})
    return problems


def refuse_uncompilable(problems: list[dict[str, Any]]) -> None:
    """400 CX005 whose one error item carries `problems` (`{file, row, column, text, type}`) as `meta`."""
    if problems:
        item = error_item(400, "CX005", "Compilation Error", "The code failed to compile.", problems)
        raise ApiError(400, "CX005", "Compilation Error", "The code failed to compile.", items=[item])
