"""Deployments (spec §8): sha over the code, flagged/current/min-supported protection, filters."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .. import errors, ids, records, render
from ..access import get_visible, visible
from ..errors import ApiError, constraint, error_item, invalid
from ..jsonapi import (
    attributes_of,
    bool_attr,
    check_type,
    document,
    filters,
    no_content,
    only_writable,
    paged_list,
    read_data,
    relationship_id,
    text_attr,
)
from ..squirrel_text import bracket_error
from ..store import Record
from .common import api_base, caller, emulator_of

routes = web.RouteTableDef()

MAX_CODE_BYTES = 4 * 1024 * 1024
TAG = re.compile(r"^[A-Za-z0-9_.*-]+$")
MAX_TAGS_LENGTH = 500
DEPLOYMENT_FILTERS = ("owner.id", "creator.id", "product.id", "devicegroup.id", "sha", "flagged", "flagger.id", "tags")


def _deployment(request: web.Request) -> Record:
    ident = request.match_info["deployment_id"]
    return get_visible(emulator_of(request).store, "deployment", ident, caller(request), "deployment")


def _code(attributes: dict[str, Any], name: str) -> str:
    value = attributes.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(f"The attribute '{name}' must be a string.", "VX002", "Invalid Type")
    if len(value.encode()) > MAX_CODE_BYTES:
        raise invalid(f"The attribute '{name}' is larger than 4 MiB.", "VX009", "Code Too Large")
    return value


def _tags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise invalid("The attribute 'tags' must be an array of strings.", "VX002", "Invalid Type")
    for tag in value:
        if not TAG.match(tag):
            raise invalid(f"The tag '{tag}' may contain only letters, digits and _ - * .")
    if sum(len(tag) for tag in value) > MAX_TAGS_LENGTH:
        raise invalid("All tags together must not exceed 500 characters.")
    return list(dict.fromkeys(value))


def _compile_errors(device_code: str, agent_code: str) -> None:
    problems = []
    for name, code in (("device_code", device_code), ("agent_code", agent_code)):
        found = bracket_error(code)
        if found:
            row, column, text = found
            problems.append({"file": name, "row": row, "column": column, "text": text, "type": "error"})
    if problems:
        item = error_item(400, "CX005", "Compilation Error", "The code failed to compile.", problems)
        raise ApiError(400, "CX005", "Compilation Error", "The code failed to compile.", items=[item])


@routes.get("/v5/deployments")
async def list_deployments(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    wanted = filters(request, DEPLOYMENT_FILTERS)
    items = visible(emu.store, "deployment", me)
    for name, field in (
        ("owner.id", "owner_id"),
        ("creator.id", "creator_id"),
        ("product.id", "product_id"),
        ("devicegroup.id", "devicegroup_id"),
        ("sha", "sha"),
        ("flagger.id", "flagger_id"),
    ):
        if name in wanted:
            items = [d for d in items if d.get(field) == wanted[name]]
    flagged = wanted.get("flagged", "any")
    if flagged not in ("true", "false", "any"):
        raise invalid("filter[flagged] must be true, false or any.", "VX003", "Invalid Filter")
    if flagged != "any":
        items = [d for d in items if d["flagged"] == (flagged == "true")]
    if wanted.get("tags"):
        required = {tag for tag in wanted["tags"].split(",") if tag}
        items = [d for d in items if required <= set(d.get("tags") or [])]
    base = api_base(request)
    return paged_list(request, items, lambda d: render.deployment(base, emu.store, d))


@routes.post("/v5/deployments")
async def create_deployment(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    data = await read_data(request)
    check_type(data, ("deployment",))
    attributes = attributes_of(data)
    only_writable(attributes, ("device_code", "agent_code", "description", "origin", "flagged", "tags"))
    values: dict[str, Any] = {
        "device_code": _code(attributes, "device_code"),
        "agent_code": _code(attributes, "agent_code"),
        "description": text_attr(attributes, "description", 255, nullable=True),
        "origin": text_attr(attributes, "origin", 255, nullable=True),
    }
    if "flagged" in attributes:
        values["flagged"] = bool_attr(attributes, "flagged")
    if "tags" in attributes:
        values["tags"] = _tags(attributes["tags"])
    group_id = relationship_id(data, "devicegroup", required=True)
    group = get_visible(emu.store, "devicegroup", group_id, me, "devicegroup")
    _compile_errors(values["device_code"], values["agent_code"])
    dep = emu.store.put("deployment", records.deployment(group, me["id"], values))
    group["current_deployment_id"] = dep["id"]
    group["updated_at"] = dep["created_at"]
    emu.store.put("devicegroup", group)
    emu.webhooks.fire(
        emu.store,
        group["id"],
        "deployment",
        {
            "deployment_id": dep["id"],
            "devicegroup_id": group["id"],
            "product_id": group["product_id"],
            "sha": dep["sha"],
            "created_at": dep["created_at"],
        },
    )
    return document(render.deployment(api_base(request), emu.store, dep), 201)


@routes.get("/v5/deployments/{deployment_id}")
async def get_deployment(request: web.Request) -> web.Response:
    return document(render.deployment(api_base(request), emulator_of(request).store, _deployment(request)))


@routes.patch("/v5/deployments/{deployment_id}")
async def update_deployment(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    dep = _deployment(request)
    data = await read_data(request)
    if data.get("type", "deployment") != "deployment":
        raise invalid("'data.type' must be 'deployment'.", "VX002", "Invalid Type")
    attributes = attributes_of(data)
    only_writable(attributes, ("description", "flagged", "tags"))
    if "description" in attributes:
        dep["description"] = text_attr(attributes, "description", 255, nullable=True)
    if "flagged" in attributes:
        dep["flagged"] = bool_attr(attributes, "flagged")
        dep["flagger_id"] = me["id"] if dep["flagged"] else None
    if "tags" in attributes:
        dep["tags"] = _tags(attributes["tags"])
    dep["updated_at"] = ids.iso_timestamp()
    emu.store.put("deployment", dep)
    return document(render.deployment(api_base(request), emu.store, dep))


@routes.delete("/v5/deployments/{deployment_id}")
async def delete_deployment(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    dep = _deployment(request)
    store = emu.store
    if dep["flagged"]:
        raise constraint("CX004", "Resource Flagged", errors.RESOURCE_FLAGGED)
    group = store.get("devicegroup", dep.get("devicegroup_id") or "")
    if group is not None:
        if group.get("current_deployment_id") == dep["id"]:
            raise constraint("CX006", "Current Deployment", "Cannot delete the current deployment of a devicegroup.")
        minimum = group.get("min_supported_deployment_id")
        if minimum and store.position("deployment", dep["id"]) >= store.position("deployment", minimum):
            raise constraint(
                "CX006",
                "Min Supported Deployment",
                "Cannot delete the min_supported_deployment of a devicegroup or a newer deployment.",
            )
    store.delete("deployment", dep["id"])
    return no_content()
