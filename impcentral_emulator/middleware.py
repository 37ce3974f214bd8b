"""The one wrapper around every handler: faults, rate limit, auth, JSON errors, commit, request log.

Order for /v5: injected fault (decided first, so an injected error never performs the
operation) → rate limit → access token → handler → commit → response, or, for a write whose
answer is to be lost, a connection reset after the commit. Any failure becomes a
JSON `errors` body; an unexpected exception is a 500 JSON (a bug: printed to stderr).
"""

from __future__ import annotations

import asyncio
import hmac
import sys
import time
import traceback
from typing import Awaitable, Callable

from aiohttp import web

from .auth import bearer_token
from .context import emulator_of
from .errors import ApiError, http_status, unauthorized
from .jsonapi import API_CONTENT_TYPE, json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AUTH_PATHS = {"/v5/auth", "/v5/auth/token"}


def _is_public(request: web.Request) -> bool:
    path = request.path
    if path in AUTH_PATHS:
        return True
    return request.method == "GET" and path.startswith("/v5/logstream/") and path.count("/") == 3


def _content_type(request: web.Request) -> str:
    return "application/json" if request.path in AUTH_PATHS or not request.path.startswith("/v5") else API_CONTENT_TYPE


def _error_response(request: web.Request, error: ApiError) -> web.Response:
    return json_response(error.body(), error.status, _content_type(request), error.headers or None)


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    emu = emulator_of(request)
    try:
        return await handler(request)
    except ApiError as error:
        return _error_response(request, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = f"No route for {request.method} {request.path}." if exc.status in (404, 405) else None
        return _error_response(request, http_status(exc.status, detail))
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        print(f"impcentral-emulator: internal error on {request.method} {request.path}:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return _error_response(request, http_status(500, "The emulator failed unexpectedly; see its stderr."))
    finally:
        emu.models.commit()


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/v5/") and request.path != "/v5":
        if request.path.startswith("/_emulator"):
            return await _guarded(request, _admin_guard(handler))
        return await _guarded(request, handler)
    emu = emulator_of(request)
    started = time.perf_counter()
    status: int | None = None
    try:
        response = await _handle_v5(request, handler)
        status = response.status
        return response
    finally:
        emu.request_log.record(
            request.method,
            request.path,
            request.query_string,
            status,
            1000 * (time.perf_counter() - started),
            answer_lost=bool(request.get("answer_lost")),
        )


def _admin_guard(handler: Handler) -> Handler:
    """The admin API needs the admin token when one is set (always off loopback)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        expected = emulator_of(request).config.admin_token
        if expected is not None:
            given = bearer_token(request) or ""
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode()):
                raise unauthorized("The admin API needs 'Authorization: Bearer <admin token>' (printed at start).")
        return await handler(request)

    return guarded


async def _handle_v5(request: web.Request, handler: Handler) -> web.StreamResponse:
    emu = emulator_of(request)
    if emu.faults.active:
        if emu.faults.faults.latency_ms:
            await asyncio.sleep(emu.faults.faults.latency_ms / 1000)
        decision = emu.faults.decide()
        if decision == "reset":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=499)  # never reaches the client: the connection is gone
        if decision is not None:
            return _error_response(request, http_status(int(decision), "Injected fault (emulator)."))
    key = bearer_token(request) or f"ip:{request.remote}"
    try:
        headers = emu.rate_limiter.check(key)
    except ApiError as error:
        return _error_response(request, error)
    request["ratelimit_headers"] = headers

    async def authenticated(req: web.Request) -> web.StreamResponse:
        if not _is_public(req):
            req["account"] = emu.models.accounts.for_access_token(bearer_token(req))
        return await handler(req)

    response = await _guarded(request, authenticated)
    if emu.faults.active and emu.faults.lose_answer(request.method) and request.transport is not None:
        request["answer_lost"] = True  # committed by _guarded; the client never hears of it
        request.transport.abort()
        return response
    if headers and not response.prepared:
        response.headers.update(headers)
    return response
