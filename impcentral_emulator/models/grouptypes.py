"""The seven Device Group types and their rules, in one table (spec §6, §7.1, §10)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupType:
    name: str  # the API's resource type
    short: str  # the seed file's name for it
    needs_production_rights: bool
    blessed_into: bool  # entered by blessing; region, load_code_after_blessing, blessing/blinkup webhooks
    dut: bool  # entered only through factory BlinkUp
    unbond_key: bool  # leaving needs the device's unbond key
    production_logs: bool  # its devices log with log_type "production"
    fixture_targets: tuple[str, str] | None = None  # (production_target type, dut_target type)

    @property
    def is_fixture(self) -> bool:
        return self.fixture_targets is not None


_TABLE = (
    GroupType("development_devicegroup", "development", False, False, False, False, False),
    GroupType(
        "pre_factoryfixture_devicegroup",
        "pre-factory",
        True,
        False,
        False,
        False,
        False,
        ("pre_production_devicegroup", "pre_dut_devicegroup"),
    ),
    GroupType("pre_production_devicegroup", "pre-production", True, True, False, False, False),
    GroupType("pre_dut_devicegroup", "pre-dut", True, False, True, False, False),
    GroupType(
        "factoryfixture_devicegroup",
        "factory",
        True,
        False,
        False,
        False,
        True,
        ("production_devicegroup", "dut_devicegroup"),
    ),
    GroupType("production_devicegroup", "production", True, True, False, True, True),
    GroupType("dut_devicegroup", "dut", True, False, True, False, True),
)

GROUP_TYPES: dict[str, GroupType] = {t.name: t for t in _TABLE}
GROUP_TYPE_NAMES = tuple(GROUP_TYPES)
SHORT_GROUP_TYPES = {t.short: t.name for t in _TABLE}
DEVELOPMENT_TYPE = "development_devicegroup"


def group_type(name: str) -> GroupType:
    return GROUP_TYPES[name]


def of(group: dict | None) -> GroupType | None:
    """The type entry of a stored group (None for no group)."""
    return GROUP_TYPES[group["type"]] if group else None
