"""Starting states: `demo`, `empty`, or a YAML/JSON file in the format documented in README.md.

Built-in seeds use a seeded random generator, so their ids are the same after every reset.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import records
from .assignment import assign

if TYPE_CHECKING:
    from .context import Emulator


class SeedError(ValueError):
    """A seed file that cannot be loaded; reported on stderr at start-up."""


ACCOUNTS = [
    {"username": "demo", "password": "demo-password", "email": "demo@example.com", "production": True},
    {
        "username": "collab",
        "password": "collab-password",
        "email": "collab@example.com",
        "collaborates_on": ["demo"],
    },
    {"username": "mfa", "password": "mfa-password", "email": "mfa@example.com", "otp": "123456"},
]

DEMO_DEVICES = [
    {"owner": "demo", "name": "fixture-1", "imp_type": "imp005"},
    {"owner": "demo", "name": "fixture-2", "imp_type": "imp005"},
    {"owner": "demo", "name": "sensor-1", "imp_type": "imp004m"},
    {"owner": "demo", "name": "sensor-2", "imp_type": "imp004m"},
    {"owner": "demo", "name": "sensor-3", "imp_type": "imp004m"},
    {"owner": "demo", "name": "tracker-1", "imp_type": "imp006"},
    {"owner": "demo", "name": "tracker-2", "imp_type": "imp006"},
    {"owner": "demo", "name": "tracker-3", "imp_type": "imp006"},
]

BUILTIN = {
    "empty": {"accounts": ACCOUNTS},
    "demo": {"accounts": ACCOUNTS, "devices": DEMO_DEVICES},
}


def read_seed(seed: str) -> dict[str, Any]:
    if seed in BUILTIN:
        return BUILTIN[seed]
    path = Path(seed)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {seed}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError(f"seed file {seed} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"seed file {seed} must hold a mapping with 'accounts', 'products', ...")
    return data


def load_seed(emu: Emulator, seed: str) -> None:
    """Populate an empty store from `seed` and commit."""
    data = read_seed(seed)
    try:
        rng = random.Random(f"seed:{seed}")  # noqa: S311 (stable ids, not secrets)
        _Loader(emu, rng).load(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SeedError(f"seed {seed} is not in the documented format ({type(exc).__name__}: {exc})") from None
    emu.store.commit()


class _Loader:
    def __init__(self, emu: Emulator, rng: random.Random) -> None:
        self.emu = emu
        self.store = emu.store
        self.rng = rng
        self.accounts: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}

    def load(self, data: dict[str, Any]) -> None:
        for spec in data.get("accounts") or []:
            acc = records.account(
                spec["username"],
                spec["password"],
                spec.get("email") or f"{spec['username']}@example.com",
                production=bool(spec.get("production", False)),
                otp=str(spec["otp"]) if spec.get("otp") else None,
                ident=spec.get("id"),
                rng=self.rng,
            )
            self.accounts[acc["username"]] = self.store.put("account", acc)
        for spec in data.get("accounts") or []:
            acc = self.accounts[spec["username"]]
            acc["collaborates_on"] = [self._account(name)["id"] for name in spec.get("collaborates_on") or []]
        for spec in data.get("products") or []:
            owner = self._account(spec["owner"])
            prod = records.product(
                owner["id"], owner["id"], spec["name"], spec.get("description"), rng=self.rng, ident=spec.get("id")
            )
            self.products[spec["name"]] = self.store.put("product", prod)
        for spec in data.get("devicegroups") or []:
            self._group(spec)
        for spec in data.get("deployments") or []:
            self._deployment(spec)
        for spec in data.get("webhooks") or []:
            group = self._group_ref(spec["devicegroup"])
            hook = records.webhook(
                group, group["creator_id"], spec["url"], spec["event"], _content_type(spec), rng=self.rng
            )
            self.store.put("webhook", hook)
        for spec in data.get("devices") or []:
            self._device(spec)

    def _account(self, ref: str) -> dict:
        for acc in self.accounts.values():
            if ref in (acc["username"], acc["id"], acc["email"]):
                return acc
        raise KeyError(f"unknown account '{ref}'")

    def _group(self, spec: dict[str, Any]) -> None:
        prod = self.products[spec["product"]]
        group_type = records.SHORT_GROUP_TYPES.get(spec.get("type", "development"), spec.get("type"))
        if group_type not in records.GROUP_TYPES:
            raise KeyError(f"unknown device group type '{spec.get('type')}'")
        attrs = {k: spec[k] for k in ("description", "region", "load_code_after_blessing", "env_vars") if k in spec}
        for target in ("production_target", "dut_target"):
            if spec.get(target):
                attrs[f"{target}_id"] = self._group_ref(spec[target], prod["name"])["id"]
        group = records.devicegroup(
            prod, prod["owner_id"], group_type, spec["name"], self.rng, ident=spec.get("id"), **attrs
        )
        self.groups[f"{prod['name']}/{spec['name']}"] = self.store.put("devicegroup", group)

    def _group_ref(self, ref: str, product_name: str | None = None) -> dict:
        if "/" in ref and ref in self.groups:
            return self.groups[ref]
        if product_name and f"{product_name}/{ref}" in self.groups:
            return self.groups[f"{product_name}/{ref}"]
        for key, group in self.groups.items():
            if key.split("/", 1)[1] == ref or group["id"] == ref:
                return group
        raise KeyError(f"unknown device group '{ref}'")

    def _deployment(self, spec: dict[str, Any]) -> None:
        group = self._group_ref(spec["devicegroup"])
        dep = records.deployment(group, group["creator_id"], spec, self.rng, spec.get("id"))
        self.store.put("deployment", dep)
        group["current_deployment_id"] = dep["id"]
        if spec.get("min_supported"):
            group["min_supported_deployment_id"] = dep["id"]
        self.store.put("devicegroup", group)

    def _device(self, spec: dict[str, Any]) -> None:
        owner = self._account(spec.get("owner", "demo"))
        attrs = {k: v for k, v in spec.items() if k not in ("owner", "devicegroup")}
        dev = self.store.put("device", records.device(owner["id"], self.rng, **attrs))
        if spec.get("devicegroup"):
            group = self._group_ref(spec["devicegroup"])
            assign(self.emu, dev, group, simulate=False)
            dev["running_deployment_id"] = group.get("current_deployment_id")


def _content_type(spec: dict[str, Any]) -> str:
    value = spec.get("content_type", "application/json")
    return {"json": "application/json", "urlencoded": "application/x-www-form-urlencoded"}.get(value, value)
