"""POST /auth (password, MFA second step) and POST /auth/token (refresh token or login key)."""

from __future__ import annotations

import time

from aiohttp import web

from .. import ids
from ..auth import MFA_CHALLENGE_SECONDS, find_account_by_login, issue_access_token, login_result, password_matches
from ..errors import ApiError, invalid, not_found
from ..jsonapi import json_response, read_json
from .common import emulator_of

routes = web.RouteTableDef()


def _plain(body: dict) -> web.Response:
    return json_response(body, 200, "application/json")


@routes.post("/v5/auth")
async def login(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    if "login_token" in body:
        return _plain(_second_factor(request, body))
    login_id, password = body.get("id"), body.get("password")
    if not isinstance(login_id, str) or not login_id:
        raise invalid("'id' (email or username) is required.", "VX001", "Missing Attribute")
    if not isinstance(password, str):
        raise invalid("'password' is required.", "VX001", "Missing Attribute")
    account = find_account_by_login(emu.store, login_id)
    if account is None or not password_matches(account, password):
        raise ApiError(401, "PX101", "Invalid Credentials", "The email/username or password is incorrect.")
    if account.get("otp"):
        token = ids.secret_hex(32)
        expires = time.time() + MFA_CHALLENGE_SECONDS
        emu.mfa_challenges[token] = (account["id"], expires)
        raise ApiError(
            403,
            "PX200",
            "Multi-Factor Authentication Required",
            "Send the login_token with a one-time password in the X-Electricimp-OTP-Token header.",
            meta={"login_token": token, "expires_at": ids.iso_from_epoch(expires)},
        )
    return _plain(login_result(emu.store, account, emu.config.token_ttl))


def _second_factor(request: web.Request, body: dict) -> dict:
    emu = emulator_of(request)
    token = body.get("login_token")
    challenge = emu.mfa_challenges.get(token) if isinstance(token, str) else None
    if challenge is None or challenge[1] < time.time():
        raise ApiError(401, "PX201", "Invalid Login Token", "The login_token is unknown or has expired.")
    otp = request.headers.get("X-Electricimp-OTP-Token") or body.get("password")
    account = emu.store.get("account", challenge[0])
    if account is None or not isinstance(otp, str) or otp != account.get("otp"):
        raise ApiError(401, "PX202", "Invalid One-Time Password", "The one-time password is incorrect.")
    del emu.mfa_challenges[token]
    return login_result(emu.store, account, emu.config.token_ttl)


@routes.post("/v5/auth/token")
async def exchange_token(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    body = await read_json(request)
    if not isinstance(body, dict) or not (isinstance(body.get("token"), str) or isinstance(body.get("key"), str)):
        raise ApiError(
            401, "PX102", "Invalid Token Request", 'Send {"token": <refresh token>} or {"key": <login key>}.'
        )
    if isinstance(body.get("token"), str):
        record = emu.store.get("refresh_token", body["token"])
        if record is None:
            raise ApiError(404, "NF003", "Resource Not Found", "The refresh token is unknown or was deleted.")
        record["last_used_at"] = ids.iso_timestamp()
        emu.store.put("refresh_token", record)
    else:
        record = emu.store.get("login_key", body["key"])
        if record is None:
            raise ApiError(404, "NF003", "Resource Not Found", "The login key is unknown or was deleted.")
        record["usages"] += 1
        emu.store.put("login_key", record)
    account = emu.store.get("account", record["account_id"])
    if account is None:
        raise not_found("account", record["account_id"])
    return _plain(issue_access_token(emu.store, account, emu.config.token_ttl))
