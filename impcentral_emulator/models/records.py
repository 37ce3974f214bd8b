"""Constructors for stored records; only the models call them."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from .. import ids
from ..auth import hash_password
from ..store import Record
from .grouptypes import group_type

IMP_TYPES = ("imp001", "imp002", "imp003", "imp004m", "imp005", "imp006", "imp007")


def code_sha(device_code: str, agent_code: str) -> str:
    return hashlib.sha256((device_code + "\x00" + agent_code).encode()).hexdigest()


def _stamped(record: Record) -> Record:
    now = ids.iso_timestamp()
    record.setdefault("created_at", now)
    record.setdefault("updated_at", now)
    return record


def account(
    username: str,
    password: str,
    email: str,
    *,
    production: bool = False,
    otp: str | None = None,
    ident: str | None = None,
    rng: random.Random | None = None,
) -> Record:
    return _stamped(
        {
            "id": ident or ids.entity_id(rng),
            "username": username,
            "email": email,
            "password_hash": hash_password(password),
            "production": production,
            "otp": otp,
            "collaborates_on": [],
        }
    )


def product(owner_id: str, creator_id: str, name: str, description: str | None, *, rng=None, ident=None) -> Record:
    return _stamped(
        {
            "id": ident or ids.entity_id(rng),
            "name": name,
            "description": description,
            "owner_id": owner_id,
            "creator_id": creator_id,
        }
    )


def devicegroup(prod: Record, creator_id: str, kind: str, name: str, rng=None, **attrs: Any) -> Record:
    blessable = group_type(kind).blessed_into
    record = {
        "id": attrs.pop("ident", None) or ids.entity_id(rng),
        "type": kind,
        "name": name,
        "description": attrs.get("description"),
        "region": attrs.get("region"),
        "load_code_after_blessing": attrs.get("load_code_after_blessing", True) if blessable else None,
        "env_vars": attrs.get("env_vars") or {},
        "product_id": prod["id"],
        "owner_id": prod["owner_id"],
        "creator_id": creator_id,
        "current_deployment_id": None,
        "min_supported_deployment_id": None,
        "production_target_id": attrs.get("production_target_id"),
        "dut_target_id": attrs.get("dut_target_id"),
    }
    return _stamped(record)


def device(owner_id: str, rng: random.Random | None = None, **attrs: Any) -> Record:
    r = rng or random.SystemRandom()
    now = ids.iso_timestamp()
    online = bool(attrs.get("online", True))
    return {
        "id": attrs.get("id") or ids.device_id(rng),
        "name": attrs.get("name"),
        "mac_address": (attrs.get("mac_address") or ids.mac_address(rng)).lower(),
        "agent_id": attrs.get("agent_id") or ids.agent_id(rng),
        "imp_type": attrs.get("imp_type") or "imp004m",
        "ip_address": attrs.get("ip_address") or f"192.168.{r.randint(0, 9)}.{r.randint(2, 250)}",
        "free_memory": attrs.get("free_memory", r.randint(60_000, 180_000)),
        "rssi": attrs.get("rssi", r.randint(-80, -40)),
        "swversion": attrs.get("swversion") or "ba2e7c2 - release-43.12 - Tue Feb 14 10:21:08 2023 - production",
        "plan_id": attrs.get("plan_id") or "",
        "online": online,
        "device_state_changed_at": now,
        "agent_running": False,
        "agent_state_changed_at": None,
        "last_enrolled_at": None,
        "owner_id": owner_id,
        "devicegroup_id": None,
        "product_id": None,
        "running_deployment_id": None,
        "unbond_key": attrs.get("unbond_key") or ids.secret_hex(32, rng),
        "created_at": now,
    }


def deployment(group: Record, creator_id: str, attrs: dict[str, Any], rng=None, ident=None) -> Record:
    device_code = attrs.get("device_code") or ""
    agent_code = attrs.get("agent_code") or ""
    flagged = bool(attrs.get("flagged", False))
    return _stamped(
        {
            "id": ident or ids.entity_id(rng),
            "device_code": device_code,
            "agent_code": agent_code,
            "description": attrs.get("description"),
            "origin": attrs.get("origin"),
            "flagged": flagged,
            "flagger_id": creator_id if flagged else None,
            "tags": list(attrs.get("tags") or []),
            "sha": code_sha(device_code, agent_code),
            "devicegroup_id": group["id"],
            "product_id": group["product_id"],
            "owner_id": group["owner_id"],
            "creator_id": creator_id,
        }
    )


def webhook(group: Record, creator_id: str, url: str, event: str, content_type: str, *, rng=None) -> Record:
    return _stamped(
        {
            "id": ids.entity_id(rng),
            "url": url,
            "event": event,
            "content_type": content_type,
            "devicegroup_id": group["id"],
            "owner_id": group["owner_id"],
            "creator_id": creator_id,
        }
    )
