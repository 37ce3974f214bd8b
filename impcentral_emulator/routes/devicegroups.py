"""Device Groups (spec §6): HTTP ⇄ `models.devicegroups` (and `models.devices` for membership)."""

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
from ..models.devicegroups import TARGETS, check_env_vars
from ..models.grouptypes import GROUP_TYPE_NAMES
from ..store import Record
from .common import api_base, caller, models_of

routes = web.RouteTableDef()

CREATE_ATTRIBUTES = ("name", "description", "region", "load_code_after_blessing", "env_vars")


def _group(request: web.Request) -> Record:
    return models_of(request).devicegroups.get(caller(request), request.match_info["group_id"])


def _attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """The writable attributes that were given, typed (the model checks what they may be)."""
    values: dict[str, Any] = {}
    if "name" in attributes:
        values["name"] = text_attr(attributes, "name", 80, 1)
    if "description" in attributes:
        values["description"] = text_attr(attributes, "description", 255, nullable=True)
    if "region" in attributes:
        values["region"] = text_attr(attributes, "region", 100, nullable=True)
    if "load_code_after_blessing" in attributes:
        values["load_code_after_blessing"] = bool_attr(attributes, "load_code_after_blessing")
    if "env_vars" in attributes:
        values["env_vars"] = check_env_vars(attributes["env_vars"])
    return values


def _targets(data: dict[str, Any]) -> dict[str, str | None]:
    return {name: relationship_id(data, name) for name in TARGETS}


@routes.get("/v5/devicegroups")
async def list_groups(request: web.Request) -> web.Response:
    models = models_of(request)
    items = models.devicegroups.list(caller(request), filters(request, ("owner.id", "product.id", "type")))
    base, groups = api_base(request), models.devicegroups.find
    return paged_list(request, items, lambda g: render.devicegroup(base, groups, g))


@routes.post("/v5/devicegroups")
async def create_group(request: web.Request) -> web.Response:
    models, me = models_of(request), caller(request)
    data = await read_data(request)
    kind = check_type(data, GROUP_TYPE_NAMES)
    attributes = attributes_of(data)
    only_writable(attributes, CREATE_ATTRIBUTES)
    text_attr(attributes, "name", 80, 1)
    values = _attributes(attributes)
    values.setdefault("description", None)
    name = values.pop("name")
    product = models.products.get(me, relationship_id(data, "product", required=True) or "")
    group = models.devicegroups.create(me, product, kind, name, values, _targets(data))
    return document(render.devicegroup(api_base(request), models.devicegroups.find, group), 201)


@routes.get("/v5/devicegroups/{group_id}")
async def get_group(request: web.Request) -> web.Response:
    return document(render.devicegroup(api_base(request), models_of(request).devicegroups.find, _group(request)))


@routes.patch("/v5/devicegroups/{group_id}")
async def update_group(request: web.Request) -> web.Response:
    models = models_of(request)
    group = _group(request)
    data = await read_data(request)
    if data.get("type", group["type"]) != group["type"]:
        raise invalid("A Device Group's type cannot be changed; send its current type.", "VX002", "Invalid Type")
    if data.get("id", group["id"]) != group["id"]:
        raise invalid("'data.id' does not match the Device Group in the path.")
    attributes = attributes_of(data)
    only_writable(attributes, CREATE_ATTRIBUTES)
    group = models.devicegroups.update(caller(request), group, _attributes(attributes), _targets(data))
    return document(render.devicegroup(api_base(request), models.devicegroups.find, group))


@routes.delete("/v5/devicegroups/{group_id}")
async def delete_group(request: web.Request) -> web.Response:
    models_of(request).devicegroups.delete(_group(request))
    return no_content()


# -- restarts and min-supported -------------------------------------------------------------
@routes.post("/v5/devicegroups/{group_id}/restart")
async def restart_group(request: web.Request) -> web.Response:
    models_of(request).devicegroups.restart(_group(request))
    return no_content()


@routes.post("/v5/devicegroups/{group_id}/conditional_restart")
async def conditional_restart_group(request: web.Request) -> web.Response:
    models_of(request).devicegroups.conditional_restart(_group(request))
    return no_content()


@routes.put("/v5/devicegroups/{group_id}/relationships/min_supported_deployment")
async def set_min_supported(request: web.Request) -> web.Response:
    group = _group(request)
    data = await read_data(request)
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise invalid("'data.id' must be the id of a deployment.", "VX002", "Invalid Type")
    models_of(request).devicegroups.set_min_supported(caller(request), group, ident)
    return no_content()


# -- devices --------------------------------------------------------------------------------
async def _listed_devices(request: web.Request) -> list[str]:
    items = await read_data(request, expect_list=True)
    idents = []
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            raise invalid("Every item of 'data' needs a string 'id'.", "VX002", "Invalid Type")
        idents.append(item["id"])
    return idents


@routes.post("/v5/devicegroups/{group_id}/relationships/devices")
async def assign_devices(request: web.Request) -> web.Response:
    group = _group(request)
    models_of(request).devices.assign_many(caller(request), group, await _listed_devices(request))
    return no_content()


@routes.delete("/v5/devicegroups/{group_id}/relationships/devices")
async def unassign_devices(request: web.Request) -> web.Response:
    group = _group(request)
    idents = await _listed_devices(request)
    models_of(request).devices.unassign_many(caller(request), group, idents, request.headers.get("X-Electricimp-Key"))
    return no_content()
