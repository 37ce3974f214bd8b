"""API errors as values: one exception type that renders the spec §13 body.

Titles and details that real clients match on (spec §13) are kept word for word here, in
one place, so a route never spells them itself.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

DUPLICATE_PRODUCT = "Products must have unique names."
DUPLICATE_DEVICEGROUP = "Devicegroups must have unique names."
DEPENDENT_DEVICEGROUPS = "Cannot delete a product with associated devicegroups."
FLAGGED_DEPLOYMENTS_EXIST = "Cannot delete a devicegroup with flagged deployments; delete those first."
RESOURCE_FLAGGED = "You cannot delete flagged deployments; set the flagged attribute to false and try again."
INVALID_URL = "The provided URL is invalid."


class ApiError(Exception):
    """An answer other than success; `items` carries several error objects (multi-device ops)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        meta: Any = None,
        items: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {title}: {detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.meta = meta
        self.items = items
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        if self.items is not None:
            return {"errors": self.items}
        return {"errors": [error_item(self.status, self.code, self.title, self.detail, self.meta)]}


def error_item(status: int, code: str, title: str, detail: str, meta: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {"status": str(status), "code": code, "title": title, "detail": detail}
    if meta is not None:
        item["meta"] = meta
    return item


def invalid(detail: str, code: str = "VX001", title: str = "Invalid Request") -> ApiError:
    return ApiError(400, code, title, detail)


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "NF001", "Resource Not Found", f"The requested {what} '{ident}' was not found.")


def duplicate(detail: str) -> ApiError:
    return ApiError(409, "CX001", "Duplicate Resource", detail)


def constraint(code: str, title: str, detail: str) -> ApiError:
    return ApiError(400, code, title, detail)


def permission(detail: str) -> ApiError:
    return ApiError(403, "PX001", "Invalid Permission", detail)


def unauthorized(detail: str = "The access token is missing, invalid or expired.") -> ApiError:
    return ApiError(401, "PX100", "Unauthorized", detail)


def http_status(status: int, detail: str | None = None) -> ApiError:
    """A generic error for a bare HTTP status (unknown route, injected fault, ...)."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    code = {404: "NF002", 405: "VX010", 429: "XX429", 413: "VX011"}.get(status, f"XX{status}")
    return ApiError(status, code, phrase, detail or phrase + ".")
