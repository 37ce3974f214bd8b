"""Products (spec §5): unique names per owner, deletion blocked by Device Groups."""

from __future__ import annotations

from aiohttp import web

from .. import errors, ids, records, render
from ..access import get_visible, visible, visible_owner_ids
from ..errors import duplicate, not_found
from ..jsonapi import (
    attributes_of,
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
from .common import api_base, caller, emulator_of

routes = web.RouteTableDef()


def _check_unique(emu, owner_id: str, name: str, except_id: str | None = None) -> None:
    for prod in emu.store.values("product"):
        if prod["owner_id"] == owner_id and prod["name"] == name and prod["id"] != except_id:
            raise duplicate(errors.DUPLICATE_PRODUCT)


@routes.get("/v5/products")
async def list_products(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    wanted = filters(request, ("owner.id",))
    items = visible(emu.store, "product", me)
    if "owner.id" in wanted:
        items = [p for p in items if p["owner_id"] == wanted["owner.id"]]
    base = api_base(request)
    return paged_list(request, items, lambda p: render.product(base, p))


@routes.post("/v5/products")
async def create_product(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    data = await read_data(request)
    check_type(data, ("product",))
    attributes = attributes_of(data)
    only_writable(attributes, ("name", "description"))
    name = text_attr(attributes, "name", 80, 1)
    description = text_attr(attributes, "description", 255, nullable=True)
    owner_id = relationship_id(data, "owner") or me["id"]
    if owner_id not in visible_owner_ids(me):
        raise not_found("account", owner_id)
    _check_unique(emu, owner_id, name)
    prod = emu.store.put("product", records.product(owner_id, me["id"], name, description))
    return document(render.product(api_base(request), prod), 201)


@routes.get("/v5/products/{product_id}")
async def get_product(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    prod = get_visible(emu.store, "product", request.match_info["product_id"], caller(request), "product")
    return document(render.product(api_base(request), prod))


@routes.patch("/v5/products/{product_id}")
async def update_product(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    prod = get_visible(emu.store, "product", request.match_info["product_id"], caller(request), "product")
    data = await read_data(request)
    check_type(data, ("product",))
    attributes = attributes_of(data)
    only_writable(attributes, ("name", "description"))
    if "name" in attributes:
        name = text_attr(attributes, "name", 80, 1)
        _check_unique(emu, prod["owner_id"], name, prod["id"])
        prod["name"] = name
    if "description" in attributes:
        prod["description"] = text_attr(attributes, "description", 255, nullable=True)
    prod["updated_at"] = ids.iso_timestamp()
    emu.store.put("product", prod)
    return document(render.product(api_base(request), prod))


@routes.delete("/v5/products/{product_id}")
async def delete_product(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    prod = get_visible(emu.store, "product", request.match_info["product_id"], caller(request), "product")
    if any(g["product_id"] == prod["id"] for g in emu.store.values("devicegroup")):
        raise errors.constraint("CX002", "Dependent Devicegroups Exist", errors.DEPENDENT_DEVICEGROUPS)
    emu.store.delete("product", prod["id"])
    return no_content()
