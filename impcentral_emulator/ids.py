"""Identifier and secret formats of impCentral (spec §1.5), so clients' format checks pass.

Every generator takes an optional `random.Random`: seeds pass a seeded one so the demo
fixture has the same ids after every reset; at run time the module-level SystemRandom is used.
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timezone

_system = random.SystemRandom()
_AGENT_ALPHABET = string.ascii_letters + string.digits + "_-"
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "+/"


def _hex(n: int, rng: random.Random | None) -> str:
    r = rng or _system
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def entity_id(rng: random.Random | None = None) -> str:
    """Account/product/group/deployment id: 8-4-4-4-12 hex, deliberately not RFC-4122 valid."""
    h = _hex(32, rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def device_id(rng: random.Random | None = None) -> str:
    return _hex(16, rng)


def mac_address(rng: random.Random | None = None) -> str:
    # 0c:2a:69 is the Electric Imp OUI seen in real samples.
    return "0c:2a:69:" + ":".join(_hex(2, rng) for _ in range(3))


def agent_id(rng: random.Random | None = None) -> str:
    r = rng or _system
    return "".join(r.choice(_AGENT_ALPHABET) for _ in range(12))


def login_key_id(rng: random.Random | None = None) -> str:
    return _hex(16, rng)


def refresh_token(rng: random.Random | None = None) -> str:
    return _hex(64, rng)


def access_token() -> str:
    """Opaque, long and base64-like; clients must not parse it."""
    return "".join(_system.choice(_TOKEN_ALPHABET) for _ in range(108)) + "=="


def secret_hex(n: int = 32, rng: random.Random | None = None) -> str:
    return _hex(n, rng)


def iso_timestamp(when: datetime | None = None) -> str:
    """UTC, milliseconds, `Z` suffix: `2018-07-22T11:27:49.633Z`."""
    when = when or datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def iso_from_epoch(seconds: float) -> str:
    return iso_timestamp(datetime.fromtimestamp(seconds, timezone.utc))
