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


def check_request_shape(rsps, client, call, method, path, query, body, headers, status, answer):  # noqa: PLR0913
    """One endpoint case of spec §15: exactly one request with this method, path, query, body and headers."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import VERSION

    if answer is None:
        rsps.add(method, BASE + path, status=status)
    else:
        rsps.add(method, BASE + path, json=answer, status=status)
    result = call(client)
    assert len(rsps.calls) == 1
    sent = rsps.calls[0]
    assert sent.request.method == method
    assert path_of(sent) == "/v5" + path
    assert query_of(sent) == query
    assert body_of(sent) == body
    assert sent.request.headers["Content-Type"] == "application/vnd.api+json"
    assert sent.request.headers["Authorization"] == "Bearer " + ACCESS
    assert sent.request.headers["User-Agent"].startswith(f"electricimp-impcentral/{VERSION} python-requests/")
    for name, value in headers.items():
        assert sent.request.headers[name] == value
    if answer is not None and isinstance(answer.get("data"), (dict, list)):
        assert result == answer["data"]
