"""Products (spec §5): HTTP ⇄ `models.products`."""

from __future__ import annotations

from aiohttp import web

from .. import render
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
from .common import api_base, caller, models_of

routes = web.RouteTableDef()


@routes.get("/v5/products")
async def list_products(request: web.Request) -> web.Response:
    items = models_of(request).products.list(caller(request), filters(request, ("owner.id",)))
    base = api_base(request)
    return paged_list(request, items, lambda p: render.product(base, p))


@routes.post("/v5/products")
async def create_product(request: web.Request) -> web.Response:
    data = await read_data(request)
    check_type(data, ("product",))
    attributes = attributes_of(data)
    only_writable(attributes, ("name", "description"))
    name = text_attr(attributes, "name", 80, 1)
    description = text_attr(attributes, "description", 255, nullable=True)
    owner_id = relationship_id(data, "owner")
    prod = models_of(request).products.create(caller(request), name, description, owner_id)
    return document(render.product(api_base(request), prod), 201)


@routes.get("/v5/products/{product_id}")
async def get_product(request: web.Request) -> web.Response:
    prod = models_of(request).products.get(caller(request), request.match_info["product_id"])
    return document(render.product(api_base(request), prod))


@routes.patch("/v5/products/{product_id}")
async def update_product(request: web.Request) -> web.Response:
    products = models_of(request).products
    prod = products.get(caller(request), request.match_info["product_id"])
    data = await read_data(request)
    check_type(data, ("product",))
    attributes = attributes_of(data)
    only_writable(attributes, ("name", "description"))
    changes = {}
    if "name" in attributes:
        changes["name"] = text_attr(attributes, "name", 80, 1)
    if "description" in attributes:
        changes["description"] = text_attr(attributes, "description", 255, nullable=True)
    prod = products.update(prod, **changes)
    return document(render.product(api_base(request), prod))


@routes.delete("/v5/products/{product_id}")
async def delete_product(request: web.Request) -> web.Response:
    products = models_of(request).products
    products.delete(products.get(caller(request), request.match_info["product_id"]))
    return no_content()
