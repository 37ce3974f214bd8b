"""Device Group rules impt checks before calling the API: type-restricted options and target groups."""

from __future__ import annotations

from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.resources import (
    DEVICE_GROUP_TYPES,
    api_dg_type,
    dg_type,
    rel_id,
)

from impt.context import Context
from impt.errors import NotFoundError, UsageError
from impt.resolve import find_one

# From the shared table of Device Group types: impt's option names for the target relations.
_OPTION_RELATION = {"target": "production_target", "dut": "dut_target"}
FIXTURE_TARGETS = {
    t.api: {option: t.targets[relation] for option, relation in _OPTION_RELATION.items()}
    for t in DEVICE_GROUP_TYPES
    if t.targets
}
PRODUCTION_TYPES = tuple(t.api for t in DEVICE_GROUP_TYPES if t.production)
TARGET_TYPES = tuple(dict.fromkeys(api for t in DEVICE_GROUP_TYPES for api in t.targets.values()))
_TARGET_LABEL = {"target": "Production Target", "dut": "DUT Target"}


def api_type(name: str) -> str:
    """The API type of an impt type name (the option's choices are the table's names)."""
    return api_dg_type(name)


def type_name(api: str) -> str:
    found = dg_type(api)
    return found.name if found else "unknown"


def check_option_for_type(option: str, dg_type: str, allowed: tuple[str, ...]) -> None:
    """`Invalid option "--region" for Device Group of the type "development". ...`"""
    if dg_type not in allowed:
        first, second = (type_name(t) for t in allowed)
        raise UsageError(
            f'Invalid option "--{option}" for Device Group of the type "{type_name(dg_type)}". '
            f'It may be specified for "{first}" or "{second}" Device Groups only.'
        )


def resolve_targets(ctx: Context, dg_type: str, product_id: str, *, creating: bool) -> dict[str, Any]:
    """`--target` / `--dut` → refs for the API, checked for type and product; mandatory on create."""
    result: dict[str, Any] = {}
    expected = FIXTURE_TARGETS.get(dg_type)
    for option, api_name in (("target", "production_target"), ("dut", "dut_target")):
        value = getattr(ctx.args, option)
        if value is None:
            if expected and creating:
                raise UsageError(
                    f'Option "--{option}" must be specified for Device Group of type "{type_name(dg_type)}".'
                )
            continue
        if not expected:
            check_option_for_type(option, dg_type, tuple(FIXTURE_TARGETS))
        target = resolve_target(ctx, dg_type, option, product_id)
        result[api_name] = {"type": target["type"], "id": target["id"]}
    return result


def resolve_target(ctx: Context, dg_type: str, option: str, product_id: str | None) -> dict[str, Any]:
    """The group named by `--target` or `--dut`, checked for type and Product (None: the Product is new)."""
    expected = FIXTURE_TARGETS[dg_type][option]
    value = getattr(ctx.args, option)
    label = f'{_TARGET_LABEL[option]} Device Group "{value}"'
    if product_id is None:
        raise NotFoundError(f"{label} is not found.")
    try:
        target = find_one(ctx, "device_group", value)
    except NotFoundError as exc:
        if exc.details:
            raise
        raise NotFoundError(f"{label} is not found.") from None
    if target["type"] != expected:
        raise UsageError(
            f'{label} is of the type "{type_name(target["type"])}" but must be of the type "{type_name(expected)}".'
        )
    if rel_id(target, "product") != product_id:
        raise UsageError(f"{_TARGET_LABEL[option]} Device Group must be from the same Product.")
    return target


def parse_env_vars(text: str | None) -> dict | None:
    if text is None:
        return None
    import json

    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageError(f'Option "--env-variable" must be a JSON object: {exc}.') from None
    if not isinstance(value, dict):
        raise UsageError('Option "--env-variable" must be a JSON object.')
    return value
