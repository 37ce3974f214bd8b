"""Small helpers to read what a mocked request carried."""

import json
from urllib.parse import parse_qsl, urlsplit

BASE = "http://api.test/v5"
ACCESS = "access-token-abcdef"
REFRESH = "refresh-token-0123456789"
FAR = "2099-01-01T00:00:00.000Z"


def path_of(call):
    return urlsplit(call.request.url).path


def query_of(call):
    return dict(parse_qsl(urlsplit(call.request.url).query, keep_blank_values=True))


def body_of(call):
    body = call.request.body
    if body is None or body == b"":
        return None
    return json.loads(body)


def resource(kind="product", rid="p1", **attributes):
    return {"type": kind, "id": rid, "attributes": attributes, "relationships": {}}
