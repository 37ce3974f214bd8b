"""Small helpers every route module uses: the caller, the models, the link base, password checks."""

from __future__ import annotations

from aiohttp import web

from ..auth import password_matches
from ..context import Emulator, emulator_of
from ..errors import ApiError
from ..jsonapi import api_base
from ..models import Models
from ..store import Record

__all__ = ["Emulator", "api_base", "caller", "emulator_of", "models_of", "require_password"]


def caller(request: web.Request) -> Record:
    return request["account"]


def models_of(request: web.Request) -> Models:
    return emulator_of(request).models


def require_password(request: web.Request, account: Record) -> None:
    """Login-key writes need the account password in `X-Electricimp-Password` (spec §3.2)."""
    if not password_matches(account, request.headers.get("X-Electricimp-Password")):
        raise ApiError(
            403,
            "PX002",
            "Invalid Password",
            "The X-Electricimp-Password header is missing or does not match the account password.",
        )
