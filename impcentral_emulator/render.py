"""Internal records → impCentral JSON:API resources (spec §3–§10), one function per entity."""

from __future__ import annotations

from typing import Any, Callable

from .jsonapi import rel, resource
from .models.grouptypes import GROUP_TYPES
from .store import Record

# The group a relationship points at, by id (None: gone or no id): `models.devicegroups.find`.
GroupLookup = Callable[[str | None], Record | None]


def account(base: str, acc: Record) -> dict[str, Any]:
    return resource(
        base,
        "account",
        acc["id"],
        "accounts",
        {"username": acc["username"], "email": acc["email"], "created_at": acc["created_at"]},
        {},
    )


def login_key(base: str, key: Record) -> dict[str, Any]:
    doc = resource(
        base,
        "login_key",
        key["id"],
        "accounts/me/login_keys",
        {
            "description": key["description"],
            "usages": key["usages"],
            "created_at": key["created_at"],
            "updated_at": key["updated_at"],
        },
        {"owner": rel("account", key["account_id"])},
    )
    return doc


def refresh_token(base: str, token: Record) -> dict[str, Any]:
    return resource(
        base,
        "refresh_token",
        token["id"],
        "accounts/me/refresh_tokens",
        {"created_at": token["created_at"], "last_used_at": token.get("last_used_at")},
        {"owner": rel("account", token["account_id"])},
    )


def product(base: str, prod: Record) -> dict[str, Any]:
    return resource(
        base,
        "product",
        prod["id"],
        "products",
        {
            "name": prod["name"],
            "description": prod["description"],
            "created_at": prod["created_at"],
            "updated_at": prod["updated_at"],
        },
        {"owner": rel("account", prod["owner_id"]), "creator": rel("account", prod["creator_id"])},
    )


def _group_rel(groups: GroupLookup, group_id: str | None) -> dict[str, str] | None:
    group = groups(group_id)
    return rel(group["type"], group["id"]) if group else None


def devicegroup(base: str, groups: GroupLookup, group: Record) -> dict[str, Any]:
    relationships = {
        "product": rel("product", group["product_id"]),
        "owner": rel("account", group["owner_id"]),
        "creator": rel("account", group["creator_id"]),
        "current_deployment": rel("deployment", group.get("current_deployment_id")),
        "min_supported_deployment": rel("deployment", group.get("min_supported_deployment_id")),
    }
    if GROUP_TYPES[group["type"]].is_fixture:
        relationships["production_target"] = _group_rel(groups, group.get("production_target_id"))
        relationships["dut_target"] = _group_rel(groups, group.get("dut_target_id"))
    return resource(
        base,
        group["type"],
        group["id"],
        "devicegroups",
        {
            "name": group["name"],
            "description": group["description"],
            "region": group.get("region"),
            "load_code_after_blessing": group.get("load_code_after_blessing"),
            "env_vars": group.get("env_vars") or {},
            "created_at": group["created_at"],
            "updated_at": group["updated_at"],
        },
        relationships,
    )


def device(base: str, groups: GroupLookup, dev: Record) -> dict[str, Any]:
    assigned = dev.get("devicegroup_id") is not None
    agent = dev.get("agent_id") if assigned else None
    return resource(
        base,
        "device",
        dev["id"],
        "devices",
        {
            "name": dev.get("name"),
            "agent_id": agent,
            "agent_url": f"https://agent.electricimp.com/{agent}" if agent else None,
            "device_online": dev["online"],
            "device_state_changed_at": dev["device_state_changed_at"],
            "agent_running": bool(agent) and dev.get("agent_running", False),
            "agent_state_changed_at": dev.get("agent_state_changed_at"),
            "last_enrolled_at": dev.get("last_enrolled_at"),
            "imp_type": dev["imp_type"],
            "ip_address": dev.get("ip_address"),
            "mac_address": dev["mac_address"],
            "free_memory": dev.get("free_memory"),
            "rssi": dev.get("rssi"),
            "swversion": dev.get("swversion"),
            "plan_id": dev.get("plan_id"),
        },
        {
            "devicegroup": _group_rel(groups, dev.get("devicegroup_id")),
            "owner": rel("account", dev["owner_id"]),
            "product": rel("product", dev.get("product_id")) if assigned else None,
        },
    )


def deployment(base: str, groups: GroupLookup, dep: Record) -> dict[str, Any]:
    return resource(
        base,
        "deployment",
        dep["id"],
        "deployments",
        {
            "device_code": dep["device_code"],
            "agent_code": dep["agent_code"],
            "description": dep.get("description"),
            "origin": dep.get("origin"),
            "flagged": dep["flagged"],
            "tags": list(dep.get("tags") or []),
            "sha": dep["sha"],
            "created_at": dep["created_at"],
            "updated_at": dep["updated_at"],
        },
        {
            "devicegroup": _group_rel(groups, dep.get("devicegroup_id")),
            "product": rel("product", dep["product_id"]),
            "owner": rel("account", dep["owner_id"]),
            "creator": rel("account", dep["creator_id"]),
            "flagger": rel("account", dep.get("flagger_id")),
        },
    )


def webhook(base: str, groups: GroupLookup, hook: Record) -> dict[str, Any]:
    return resource(
        base,
        "webhook",
        hook["id"],
        "webhooks",
        {
            "url": hook["url"],
            "event": hook["event"],
            "content_type": hook["content_type"],
            "created_at": hook["created_at"],
            "updated_at": hook["updated_at"],
        },
        {"devicegroup": _group_rel(groups, hook["devicegroup_id"])},
    )
