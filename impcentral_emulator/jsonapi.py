"""The impCentral JSON:API dialect (spec §4, §11): documents, lists, links and body parsing.

Relationships are bare `{type, id}` and left out when unset; lists carry absolute links with
`next` only when another page exists. Bodies are parsed defensively: whatever a client sends,
the answer is a 400 with an `errors` body, never a crash.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Sequence
from urllib.parse import urlencode

from aiohttp import web

from .errors import ApiError, invalid

API_CONTENT_TYPE = "application/vnd.api+json"
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_JSON_DEPTH = 32

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_FILTER_KEY = re.compile(r"^filter\[(.+)\]$")


def api_base(request: web.Request) -> str:
    """Absolute `/v5` base as the client reached us (so links work behind `--port 0`)."""
    return f"{request.scheme}://{request.host}/v5"


def rel(kind: str, ident: str | None) -> dict[str, str] | None:
    return {"type": kind, "id": ident} if ident else None


def resource(  # noqa: PLR0917 (mirrors the document layout)
    base: str,
    kind: str,
    ident: str,
    collection: str,
    attributes: dict[str, Any],
    relationships: dict[str, dict[str, str] | None] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": kind,
        "id": ident,
        "links": {"self": f"{base}/{collection}/{ident}"},
        "attributes": attributes,
    }
    if relationships is not None:
        doc["relationships"] = {name: value for name, value in relationships.items() if value}
    return doc


def json_response(
    body: Any, status: int = 200, content_type: str = API_CONTENT_TYPE, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(body=_dumps(body).encode(), status=status, content_type=content_type, headers=headers)


def document(data: Any, status: int = 200) -> web.Response:
    return json_response({"data": data}, status)


def no_content() -> web.Response:
    return web.Response(status=204)


# -- lists ------------------------------------------------------------------------------
def page_params(request: web.Request) -> tuple[int, int]:
    number = _positive_int(request.query.get("page[number]"), 1, "page[number]")
    size = _positive_int(request.query.get("page[size]"), DEFAULT_PAGE_SIZE, "page[size]")
    return number, min(size, MAX_PAGE_SIZE)


def _positive_int(raw: str | None, default: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"The query parameter '{name}' must be a positive integer.", "VX004") from None
    if value < 1:
        raise invalid(f"The query parameter '{name}' must be a positive integer.", "VX004")
    return value


def filters(request: web.Request, allowed: Iterable[str]) -> dict[str, str]:
    """The `filter[...]` parameters of a list request; an unknown name is a 400 (spec §11)."""
    allowed_set = set(allowed)
    found: dict[str, str] = {}
    for key, value in request.query.items():
        match = _FILTER_KEY.match(key)
        if match is None:
            if key.startswith("filter"):
                raise invalid(f"The query parameter '{key}' is not a valid filter.", "VX003", "Invalid Filter")
            continue
        name = match.group(1)
        if name not in allowed_set:
            raise invalid(f"The filter '{name}' is not supported on this collection.", "VX003", "Invalid Filter")
        found[name] = value
    return found


def paged_list(request: web.Request, items: Sequence[Any], render: Any = None) -> web.Response:
    """One page of `items` (already filtered) with self/first/prev/next/last links."""
    start, size, links = _page(request, len(items))
    chunk = items[start : start + size]
    data = [render(item) for item in chunk] if render else list(chunk)
    return json_response({"data": data, "links": links})


async def streamed_list(request: web.Request, items: Sequence[Any], render: Any = None) -> web.StreamResponse:
    """`paged_list`, written item by item: a page of large items (log lines) is never built whole in memory,
    and the event loop serves other requests while a slow reader takes it."""
    start, size, links = _page(request, len(items))
    response = web.StreamResponse(
        headers={"Content-Type": API_CONTENT_TYPE, **request.get("ratelimit_headers", {})},
    )
    chunk = [items[i] for i in range(start, min(start + size, len(items)))]  # references, taken before any wait
    await response.prepare(request)
    await response.write(b'{"data":[')
    for n, item in enumerate(chunk):
        await response.write((b"," if n else b"") + _dumps(render(item) if render else item).encode())
    await response.write(b'],"links":' + _dumps(links).encode() + b"}")
    await response.write_eof()
    return response


def _page(request: web.Request, total: int) -> tuple[int, int, dict[str, str]]:
    """Where the requested page starts, its size, and its links."""
    number, size = page_params(request)
    start = (number - 1) * size
    last = max(1, -(-total // size))
    kept = [(k, v) for k, v in request.query.items() if not k.startswith("page[")]
    url = f"{api_base(request)}{request.path[3:]}"

    def link(page: int) -> str:
        query = urlencode([*kept, ("page[number]", str(page)), ("page[size]", str(size))], safe="[]")
        return f"{url}?{query}"

    links = {"self": link(number), "first": link(1), "last": link(last)}
    if number > 1:
        links["prev"] = link(min(number - 1, last))
    if start + size < total:
        links["next"] = link(number + 1)
    return start, size, links


# -- request bodies ---------------------------------------------------------------------
async def read_json(request: web.Request) -> Any:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise invalid("The request body is too large.", "VX011", "Request Too Large") from None
    if not raw.strip():
        raise invalid("The request body is empty; a JSON document is required.", "VX005", "Invalid JSON")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.", "VX005", "Invalid JSON") from None
    except RecursionError:
        raise _too_deep() from None
    _check_text(body)
    return body


def _too_deep() -> ApiError:
    return invalid(f"The request body is nested deeper than {MAX_JSON_DEPTH} levels.", "VX005", "Invalid JSON")


def _check_text(body: Any) -> None:
    """400 for nesting deeper than MAX_JSON_DEPTH or text that is not valid UTF-8 (a lone
    surrogate such as "\\ud800", which JSON escapes can carry): such text could be neither
    stored nor answered."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
            strings: Iterable[Any] = value.keys()
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
            continue
        else:
            strings = (value,)
        for text in strings:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise invalid(
                        "The request body holds text that is not valid UTF-8 (a lone surrogate).",
                        "VX013",
                        "Invalid Text",
                    ) from None


async def read_data(request: web.Request, expect_list: bool = False) -> Any:
    """The `data` member of a JSON:API body: an object (or a list when `expect_list`)."""
    body = await read_json(request)
    if not isinstance(body, dict) or "data" not in body:
        raise invalid("The request body must be a JSON object with a 'data' member.", "VX006", "Missing Data")
    data = body["data"]
    if expect_list:
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise invalid("'data' must be an array of resource identifiers.", "VX006", "Missing Data")
    elif not isinstance(data, dict):
        raise invalid("'data' must be a resource object.", "VX006", "Missing Data")
    return data


def attributes_of(data: dict[str, Any]) -> dict[str, Any]:
    attributes = data.get("attributes", {})
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise invalid("'data.attributes' must be an object.", "VX002", "Invalid Type")
    return attributes


def relationship_id(data: dict[str, Any], name: str, required: bool = False) -> str | None:
    """The id of a relationship given bare (`{type,id}`) or wrapped (`{data:{type,id}}`)."""
    relationships = data.get("relationships") or {}
    if not isinstance(relationships, dict):
        raise invalid("'data.relationships' must be an object.", "VX002", "Invalid Type")
    value = relationships.get(name)
    if isinstance(value, dict) and isinstance(value.get("data"), dict):
        value = value["data"]
    if value is None:
        if required:
            raise invalid(f"The relationship '{name}' is required.", "VX001", "Missing Relationship")
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
        raise invalid(f"The relationship '{name}' must be an object with a string 'id'.", "VX002", "Invalid Type")
    return value["id"]


def text_attr(
    attributes: dict[str, Any], name: str, max_len: int, min_len: int = 0, nullable: bool = False
) -> str | None:
    value = attributes.get(name)
    if value is None:
        if nullable:
            return None
        raise invalid(f"The attribute '{name}' is required.", "VX001", "Missing Attribute")
    if not isinstance(value, str):
        raise invalid(f"The attribute '{name}' must be a string.", "VX002", "Invalid Type")
    if not min_len <= len(value) <= max_len:
        raise invalid(f"The attribute '{name}' must be {min_len} to {max_len} characters long.", "VX007")
    return value


def bool_attr(attributes: dict[str, Any], name: str) -> bool:
    value = attributes.get(name)
    if not isinstance(value, bool):
        raise invalid(f"The attribute '{name}' must be a boolean.", "VX002", "Invalid Type")
    return value


def only_writable(attributes: dict[str, Any], writable: Iterable[str]) -> None:
    extra = sorted(set(attributes) - set(writable))
    if extra:
        raise invalid(f"The attribute '{extra[0]}' is not writable.", "VX008", "Read-only Attribute")


def check_type(data: dict[str, Any], expected: Iterable[str]) -> str:
    kind = data.get("type")
    expected = tuple(expected)
    if kind not in expected:
        raise invalid(f"'data.type' must be one of: {', '.join(expected)}.", "VX002", "Invalid Type")
    return kind


__all__ = ["ApiError"]
