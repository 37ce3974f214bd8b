"""impt's words for the shared Device Group type rules (plugins/module_utils/workflows/group_types.py):
type-restricted options and target groups, checked before calling the API."""

from __future__ import annotations

from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import type_name
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import group_types

from impt.context import Context
from impt.errors import NotFoundError, UsageError
from impt.resolve import find_one

# impt's option names for the type-restricted attributes.
OPTION_NAMES = {
    "region": "region",
    "load_code_after_blessing": "load-code-after-blessing",
    "production_target": "target",
    "dut_target": "dut",
}
_TARGET_LABEL = {"production_target": "Production Target", "dut_target": "DUT Target"}


def check_options_for_type(dg_type: str, given: list[str]) -> None:
    """`Invalid option "--region" for Device Group of the type "development". ...` for the first option
    (attribute names) that the type refuses."""
    for option in group_types.refused_options(dg_type, given):
        first, second = (t.name for t in group_types.types_allowing(option))
        raise UsageError(
            f'Invalid option "--{OPTION_NAMES[option]}" for Device Group of the type "{type_name(dg_type)}". '
            f'It may be specified for "{first}" or "{second}" Device Groups only.'
        )


def require_targets(ctx: Context, dg_type: str, order: tuple[str, ...] = ("production_target", "dut_target")) -> None:
    """`Option "--dut" must be specified for Device Group of type "factory".`: a fixture group's targets on create."""
    needed = group_types.required_targets(dg_type)
    for relation in order:
        if relation in needed and getattr(ctx.args, OPTION_NAMES[relation]) is None:
            raise UsageError(
                f'Option "--{OPTION_NAMES[relation]}" must be specified for Device Group of type '
                f'"{type_name(dg_type)}".'
            )


def resolve_targets(ctx: Context, dg_type: str, product_id: str, *, creating: bool) -> dict[str, Any]:
    """`--target` / `--dut` -> refs for the API, checked for type and product; mandatory on create."""
    result: dict[str, Any] = {}
    for relation in ("production_target", "dut_target"):
        if getattr(ctx.args, OPTION_NAMES[relation]) is None:
            if creating:
                require_targets(ctx, dg_type, (relation,))
            continue
        check_options_for_type(dg_type, [relation])
        target = resolve_target(ctx, dg_type, relation, product_id)
        result[relation] = {"type": target["type"], "id": target["id"]}
    return result


def resolve_target(ctx: Context, dg_type: str, relation: str, product_id: str | None) -> dict[str, Any]:
    """The group named by `--target` or `--dut`, checked for type and Product (None: the Product is new)."""
    value = getattr(ctx.args, OPTION_NAMES[relation])
    label = f'{_TARGET_LABEL[relation]} Device Group "{value}"'
    if product_id is None:
        raise NotFoundError(f"{label} is not found.")
    try:
        target = find_one(ctx, "device_group", value)
    except NotFoundError as exc:
        if exc.details:
            raise
        raise NotFoundError(f"{label} is not found.") from None
    problem = group_types.target_problem(dg_type, relation, target, product_id)
    if problem == "type":
        wanted = group_types.target_type(dg_type, relation)
        raise UsageError(
            f'{label} is of the type "{type_name(target)}" but must be of the type "{wanted.name}".'  # type: ignore[union-attr]
        )
    if problem == "product":
        raise UsageError(f"{_TARGET_LABEL[relation]} Device Group must be from the same Product.")
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
