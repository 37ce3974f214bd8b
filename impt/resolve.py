"""Entity identification with impt's messages, and the "Yes/Project" fallbacks to the project file.

Which entity an identifier names is the shared workflow's answer (plugins/module_utils/workflows/identify.py:
impt's attribute order and the `{account}{product}{dg}` grammar); here only its errors become impt's lines and
the project file fills in what the user left out.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify

from impt.context import Context
from impt.display import LABELS
from impt.errors import ImptError, NotFoundError, UsageError
from impt.related import Catalog

IMPOSSIBLE = "Impossible to execute the command."
_LISTED_KINDS = ("device", "device_group", "product", "deployment", "account")


def catalog(ctx: Context) -> Catalog:
    """One Catalog per command run, so every lookup shares the cache."""
    existing = getattr(ctx, "_catalog", None)
    if existing is None:
        existing = Catalog(ctx.client)
        ctx._catalog = existing  # type: ignore[attr-defined]
    return existing


def _invalid(kind: str, value: str, exc: Any) -> ImptError:
    """impt 2.6's line for an identifier the shared grammar refuses: an empty `{account}{product}[{dg}]` part is
    `No <Part> Identifier is specified.`; more parts than the entity has is simply not found."""
    if exc.reason == "empty_part":
        return UsageError(f"No {LABELS[exc.part]} Identifier is specified.")
    if exc.reason == "extra_part":
        return NotFoundError(f'{LABELS[kind]} "{value}" is not found.')
    return UsageError(str(exc))


def find_one(ctx: Context, kind: str, value: str) -> dict:
    """Exactly one entity for what the user typed, else `<Type> "<value>" is not found.` / multiple-match error."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common import errors as client

    try:
        resource = identify.one(ctx.client, kind, value)
    except client.InvalidIdentifierError as exc:
        raise _invalid(kind, value, exc) from None
    except client.EntityNotFoundError as exc:
        # For `{account}{product}{dg}` the client names the part that failed, as impt 2.6 does.
        raise NotFoundError(str(exc)) from None
    except client.AmbiguousEntityError as exc:
        candidates = list(exc.candidates or [])
        cat = catalog(ctx)
        cat.remember(kind, candidates)
        details = cat.entries(kind, candidates) if kind in _LISTED_KINDS else []
        raise NotFoundError(
            f'Multiple {LABELS[kind]}s "{value}" are found:', details=details, tail=[IMPOSSIBLE]
        ) from None
    catalog(ctx).remember(kind, [resource])
    return resource


def find_all(ctx: Context, kind: str, values: list[str]) -> list[dict]:
    """Every entity matching any of the values (list filters: no ambiguity error, nothing found is fine)."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common import errors as client

    found: dict[str, dict] = {}
    for value in values:
        try:
            matches = identify.find(ctx.client, kind, value)
        except client.EntityNotFoundError:
            continue
        except client.InvalidIdentifierError as exc:
            error = _invalid(kind, value, exc)
            if isinstance(error, NotFoundError):
                continue
            raise error from None
        for match in matches:
            found.setdefault(match["id"], match)
    catalog(ctx).remember(kind, list(found.values()))
    return list(found.values())


def getter(ctx: Context, kind: str) -> Callable[[str], dict | None]:
    """`catalog(ctx).get` for one kind: what a shared workflow calls to read an entity this command may have seen."""
    return lambda entity_id: catalog(ctx).get(kind, entity_id)


def project_dg(ctx: Context, entity: str = "Device Group") -> dict:
    """The Device Group saved in the project file (must still exist)."""
    dg_id = ctx.project_dg_id(entity)
    group = catalog(ctx).get("device_group", dg_id)
    if group is None:
        raise ImptError(
            f'Device Group "{dg_id}", saved in Project File, does not exist anymore.',
            tail=[IMPOSSIBLE, 'Use "impt project delete" command to delete the outdated Project.'],
        )
    return group


def dg_or_project(ctx: Context, value: str | None) -> dict:
    return find_one(ctx, "device_group", value) if value is not None else project_dg(ctx)


def product_or_project(ctx: Context, value: str | None) -> dict:
    if value is not None:
        return find_one(ctx, "product", value)
    group = project_dg(ctx, "Product")
    product = catalog(ctx).get("product", rel_id(group, "product") or "")
    if product is None:
        raise NotFoundError("No Product Identifier is specified.")
    return product


def build_or_project(ctx: Context, value: str | None) -> dict:
    if value is not None:
        return find_one(ctx, "deployment", value)
    group = project_dg(ctx, "Deployment")
    build_id = rel_id(group, "current_deployment")
    build = catalog(ctx).get("deployment", build_id) if build_id else None
    if build is None:
        raise NotFoundError("No Deployment Identifier is specified.")
    return build


def print_list(ctx: Context, kind: str, label: str, resources: list[dict]) -> None:
    """`<Type> list (n items):` or `No <Type>s are found.`, then the list blocks."""
    if resources:
        ctx.out.info(f"{label} list ({len(resources)} items):")
    else:
        ctx.out.info(f"No {label}s are found.")
    ctx.out.data(catalog(ctx).entries(kind, resources))


def ref(resource: dict) -> dict[str, Any]:
    return {"type": resource["type"], "id": resource["id"]}


def name_or_id(value: str | None, resource: dict) -> str:
    """impt names an entity by what the user typed, or by id when it came from the project or a list."""
    return value if value is not None else resource["id"]
