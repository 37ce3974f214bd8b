"""Deployments (spec §8): HTTP ⇄ `models.deployments`, and the list filters."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import render
from ..errors import invalid
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
from ..models.deployments import check_code_size, check_tags
from ..store import Record
from .common import api_base, caller, emulator_of, models_of

routes = web.RouteTableDef()

DEPLOYMENT_FILTERS = ("owner.id", "creator.id", "product.id", "devicegroup.id", "sha", "flagged", "flagger.id", "tags")


def _deployment(request: web.Request) -> Record:
    return models_of(request).deployments.get(caller(request), request.match_info["deployment_id"])


def _code(attributes: dict[str, Any], name: str) -> str:
    value = attributes.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(f"The attribute '{name}' must be a string.", "VX002", "Invalid Type")
    check_code_size(name, value)
    return value


@routes.get("/v5/deployments")
async def list_deployments(request: web.Request) -> web.Response:
    models = models_of(request)
    items = models.deployments.list(caller(request), filters(request, DEPLOYMENT_FILTERS))
    base, groups = api_base(request), models.devicegroups.find
    return paged_list(request, items, lambda d: render.deployment(base, groups, d))


@routes.post("/v5/deployments")
async def create_deployment(request: web.Request) -> web.Response:
    models, me = models_of(request), caller(request)
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
        values["tags"] = check_tags(attributes["tags"])
    group = models.devicegroups.get(me, relationship_id(data, "devicegroup", required=True) or "")
    compiled = await emulator_of(request).compile_errors(group["owner_id"], values["device_code"], values["agent_code"])
    dep = models.deployments.create(me, group, values, compiled=compiled)
    return document(render.deployment(api_base(request), models.devicegroups.find, dep), 201)


@routes.get("/v5/deployments/{deployment_id}")
async def get_deployment(request: web.Request) -> web.Response:
    return document(render.deployment(api_base(request), models_of(request).devicegroups.find, _deployment(request)))


@routes.patch("/v5/deployments/{deployment_id}")
async def update_deployment(request: web.Request) -> web.Response:
    models = models_of(request)
    dep = _deployment(request)
    data = await read_data(request)
    if data.get("type", "deployment") != "deployment":
        raise invalid("'data.type' must be 'deployment'.", "VX002", "Invalid Type")
    attributes = attributes_of(data)
    only_writable(attributes, ("description", "flagged", "tags"))
    changes: dict[str, Any] = {}
    if "description" in attributes:
        changes["description"] = text_attr(attributes, "description", 255, nullable=True)
    if "flagged" in attributes:
        changes["flagged"] = bool_attr(attributes, "flagged")
    if "tags" in attributes:
        changes["tags"] = check_tags(attributes["tags"])
    dep = models.deployments.update(caller(request), dep, **changes)
    return document(render.deployment(api_base(request), models.devicegroups.find, dep))


@routes.delete("/v5/deployments/{deployment_id}")
async def delete_deployment(request: web.Request) -> web.Response:
    models_of(request).deployments.delete(_deployment(request))
    return no_content()
