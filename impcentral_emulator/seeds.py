"""Starting states: `demo`, `empty`, or a YAML/JSON file in the format documented in README.md.

Built-in seeds use a seeded random generator, so their ids are the same after every reset.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ApiError
from .models.grouptypes import GROUP_TYPES, SHORT_GROUP_TYPES

if TYPE_CHECKING:
    from .models import Models


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

# A boot each demo device went through before the emulator started (seeded history): a client
# that reads the log right after a change finds lines already there and does not race the runtime.
DEMO_BOOT = [
    {"type": "status", "msg": "Device connected"},
    {"type": "status", "msg": "Device is not assigned to a Device Group: no code to run"},
]
DEMO_DEVICES = [
    {"owner": "demo", "name": name, "imp_type": imp_type, "logs": DEMO_BOOT}
    for name, imp_type in (
        ("fixture-1", "imp005"),
        ("fixture-2", "imp005"),
        ("sensor-1", "imp004m"),
        ("sensor-2", "imp004m"),
        ("sensor-3", "imp004m"),
        ("tracker-1", "imp006"),
        ("tracker-2", "imp006"),
        ("tracker-3", "imp006"),
    )
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


def load_seed(models: Models, seed: str) -> None:
    """Populate an empty store from `seed` through the models' rules, and commit."""
    data = read_seed(seed)
    try:
        rng = random.Random(f"seed:{seed}")  # noqa: S311 (stable ids, not secrets)
        with models.events.muted():
            _Loader(models, rng).load(data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise SeedError(f"seed {seed} is not in the documented format ({type(exc).__name__}: {exc})") from None
    except ApiError as exc:
        raise SeedError(f"seed {seed} breaks a rule of impCentral: {exc.detail}") from None
    models.commit()


class _Loader:
    """Turns the seed's sections into model calls, each by its owner account."""

    def __init__(self, models: Models, rng: random.Random) -> None:
        self.models = models
        self.rng = rng
        self.accounts: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}

    def load(self, data: dict[str, Any]) -> None:
        models = self.models
        for spec in data.get("accounts") or []:
            acc = models.accounts.create(
                spec["username"],
                spec["password"],
                spec.get("email") or f"{spec['username']}@example.com",
                production=bool(spec.get("production", False)),
                otp=str(spec["otp"]) if spec.get("otp") else None,
                ident=spec.get("id"),
                rng=self.rng,
            )
            self.accounts[acc["username"]] = acc
        for spec in data.get("accounts") or []:
            owners = [self._account(name)["id"] for name in spec.get("collaborates_on") or []]
            models.accounts.set_collaborations(self.accounts[spec["username"]], owners)
        for spec in data.get("products") or []:
            owner = self._account(spec["owner"])
            self.products[spec["name"]] = models.products.create(
                owner, spec["name"], spec.get("description"), ident=spec.get("id"), rng=self.rng
            )
        for spec in data.get("devicegroups") or []:
            self._group(spec)
        for spec in data.get("deployments") or []:
            self._deployment(spec)
        for spec in data.get("webhooks") or []:
            group = self._group_ref(spec["devicegroup"])
            owner = self._account(group["owner_id"])
            models.webhooks.create(owner, group, spec["url"], spec["event"], _content_type(spec), rng=self.rng)
        for spec in data.get("devices") or []:
            self._device(spec)

    def _account(self, ref: str) -> dict:
        for acc in self.accounts.values():
            if ref in (acc["username"], acc["id"], acc["email"]):
                return acc
        raise KeyError(f"unknown account '{ref}'")

    def _group(self, spec: dict[str, Any]) -> None:
        prod = self.products[spec["product"]]
        kind = SHORT_GROUP_TYPES.get(spec.get("type", "development"), spec.get("type"))
        if kind not in GROUP_TYPES:
            raise KeyError(f"unknown device group type '{spec.get('type')}'")
        attrs = {k: spec[k] for k in ("description", "region", "load_code_after_blessing", "env_vars") if k in spec}
        attrs.setdefault("description", None)
        targets = {
            name: self._group_ref(spec[name], prod["name"])["id"]
            for name in ("production_target", "dut_target")
            if spec.get(name)
        }
        owner = self._account(prod["owner_id"])
        group = self.models.devicegroups.create(
            owner, prod, kind, spec["name"], attrs, targets, ident=spec.get("id"), rng=self.rng
        )
        self.groups[f"{prod['name']}/{spec['name']}"] = group

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
        owner = self._account(group["owner_id"])
        values = {
            k: spec[k] for k in ("device_code", "agent_code", "description", "origin", "flagged", "tags") if k in spec
        }
        dep = self.models.deployments.create(owner, group, values, ident=spec.get("id"), rng=self.rng)
        if spec.get("min_supported"):
            self.models.devicegroups.set_min_supported(owner, group, dep["id"])

    def _device(self, spec: dict[str, Any]) -> None:
        owner = self._account(spec.get("owner", "demo"))
        attrs = {k: v for k, v in spec.items() if k not in ("owner", "devicegroup", "logs")}
        dev = self.models.devices.create(owner, attrs, self.rng)
        if spec.get("devicegroup"):
            self.models.devices.place(dev, self._group_ref(spec["devicegroup"]))
        lines = [(line.get("type", "server.log"), line["msg"]) for line in spec.get("logs") or []]
        if lines:
            self.models.devices.log_lines(dev, lines)


def _content_type(spec: dict[str, Any]) -> str:
    value = spec.get("content_type", "application/json")
    return {"json": "application/json", "urlencoded": "application/x-www-form-urlencoded"}.get(value, value)
