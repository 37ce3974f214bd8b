"""POST /auth (password, MFA second step) and POST /auth/token (refresh token or login key):
HTTP ⇄ `models.accounts`."""

from __future__ import annotations

from aiohttp import web

from ..errors import ApiError, invalid
from ..jsonapi import json_response, read_json
from .common import models_of

routes = web.RouteTableDef()


def _plain(body: dict) -> web.Response:
    return json_response(body, 200, "application/json")


@routes.post("/v5/auth")
async def login(request: web.Request) -> web.Response:
    accounts = models_of(request).accounts
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    if "login_token" in body:
        otp = request.headers.get("X-Electricimp-OTP-Token") or body.get("password")
        return _plain(accounts.second_factor(body.get("login_token"), otp))
    login_id, password = body.get("id"), body.get("password")
    if not isinstance(login_id, str) or not login_id:
        raise invalid("'id' (email or username) is required.", "VX001", "Missing Attribute")
    if not isinstance(password, str):
        raise invalid("'password' is required.", "VX001", "Missing Attribute")
    return _plain(accounts.login(login_id, password))


@routes.post("/v5/auth/token")
async def exchange_token(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict) or not (isinstance(body.get("token"), str) or isinstance(body.get("key"), str)):
        raise ApiError(
            401, "PX102", "Invalid Token Request", 'Send {"token": <refresh token>} or {"key": <login key>}.'
        )
    accounts = models_of(request).accounts
    if isinstance(body.get("token"), str):
        return _plain(accounts.exchange(refresh_token=body["token"]))
    return _plain(accounts.exchange(login_key=body["key"]))
