"""Accounts, login keys and refresh tokens (spec §2.5, §3): HTTP ⇄ `models.accounts`."""

from __future__ import annotations

from aiohttp import web

from .. import render
from ..errors import ApiError
from ..jsonapi import attributes_of, document, filters, no_content, only_writable, paged_list, read_data, text_attr
from .common import api_base, caller, models_of, require_password

routes = web.RouteTableDef()


@routes.get("/v5/accounts")
async def list_accounts(request: web.Request) -> web.Response:
    filters(request, ())
    base = api_base(request)
    return paged_list(request, models_of(request).accounts.visible(caller(request)), lambda a: render.account(base, a))


@routes.get("/v5/accounts/{account_id}")
async def get_account(request: web.Request) -> web.Response:
    account = models_of(request).accounts.get(caller(request), request.match_info["account_id"])
    return document(render.account(api_base(request), account))


def _own_account_path(request: web.Request) -> None:
    ident = request.match_info["account_id"]
    if ident not in ("me", caller(request)["id"]):
        raise ApiError(403, "PX001", "Invalid Permission", "Only your own account ('me') can be used here.")


# -- refresh tokens -------------------------------------------------------------------------
@routes.get("/v5/accounts/{account_id}/refresh_tokens")
async def list_refresh_tokens(request: web.Request) -> web.Response:
    _own_account_path(request)
    filters(request, ())
    base = api_base(request)
    items = models_of(request).accounts.refresh_tokens(caller(request))
    return paged_list(request, items, lambda t: render.refresh_token(base, t))


@routes.delete("/v5/accounts/{account_id}/refresh_tokens/{token_id}")
async def delete_refresh_token(request: web.Request) -> web.Response:
    _own_account_path(request)
    models_of(request).accounts.delete_refresh_token(caller(request), request.match_info["token_id"])
    return no_content()


# -- login keys -----------------------------------------------------------------------------
def _login_key(request: web.Request) -> dict:
    _own_account_path(request)
    return models_of(request).accounts.login_key(caller(request), request.match_info["key_id"])


@routes.get("/v5/accounts/{account_id}/login_keys")
async def list_login_keys(request: web.Request) -> web.Response:
    _own_account_path(request)
    filters(request, ())
    base = api_base(request)
    items = models_of(request).accounts.login_keys(caller(request))
    return paged_list(request, items, lambda k: render.login_key(base, k))


@routes.post("/v5/accounts/{account_id}/login_keys")
async def create_login_key(request: web.Request) -> web.Response:
    me = caller(request)
    _own_account_path(request)
    require_password(request, me)
    data = await read_data(request)
    attributes = attributes_of(data)
    only_writable(attributes, ("description",))
    description = text_attr(attributes, "description", 255, nullable=True)
    key = models_of(request).accounts.create_login_key(me, description)
    return document(render.login_key(api_base(request), key), 201)


@routes.get("/v5/accounts/{account_id}/login_keys/{key_id}")
async def get_login_key(request: web.Request) -> web.Response:
    return document(render.login_key(api_base(request), _login_key(request)))


@routes.patch("/v5/accounts/{account_id}/login_keys/{key_id}")
async def update_login_key(request: web.Request) -> web.Response:
    key = _login_key(request)
    require_password(request, caller(request))
    attributes = attributes_of(await read_data(request))
    only_writable(attributes, ("description",))
    if "description" in attributes:
        description = text_attr(attributes, "description", 255, nullable=True)
        key = models_of(request).accounts.update_login_key(key, description)
    return document(render.login_key(api_base(request), key))


@routes.delete("/v5/accounts/{account_id}/login_keys/{key_id}")
async def delete_login_key(request: web.Request) -> web.Response:
    key = _login_key(request)
    require_password(request, caller(request))
    models_of(request).accounts.delete_login_key(key)
    return no_content()
