"""The emulator corpus: malformed JSON, wrong types, huge bodies, unknown filters, bad ids, wrong methods and bad
query values all answer 4xx with a JSON `errors` list - never 500, never a non-JSON body."""

from __future__ import annotations

import pytest
import requests

JSON_API = "application/vnd.api+json"
BAD_ID = ["}{", "x" * 300, "00000000-0000-0000-0000-000000000000", "%00", "..%2F..", "💥"]
COLLECTIONS = ["products", "devicegroups", "devices", "deployments", "webhooks", "accounts", "logstream"]


def _cases() -> list[tuple[str, str, object, dict]]:
    cases: list[tuple[str, str, object, dict]] = []
    for body in (
        "{",
        "[]",
        "null",
        "1",
        '"x"',
        '{"data": 1}',
        '{"data": {"type": "bogus"}}',
        "\xff\xfe",
        "a" * 3_000_000,
    ):
        for path in ("products", "devicegroups", "deployments", "webhooks", "loginkeys"):
            cases.append(("POST", path, body, {}))
    for attrs in (
        {"name": 1},
        {"name": ""},
        {"name": None},
        {"name": ["x"]},
        {"name": "n" * 5000},
        {"description": {}},
    ):
        cases.append(("POST", "products", {"data": {"type": "product", "attributes": attrs}}, {}))
    for query in (
        "filter[bogus]=1",
        "page[size]=0",
        "page[size]=-1",
        "page[size]=abc",
        "page[number]=abc",
        "page[number]=0",
    ):
        for collection in ("products", "devicegroups", "devices", "deployments", "webhooks"):
            cases.append(("GET", f"{collection}?{query}", None, {}))
    for bad in BAD_ID:
        for collection in COLLECTIONS[:5]:
            cases.append(("GET", f"{collection}/{bad}", None, {}))
            cases.append(("PATCH", f"{collection}/{bad}", {"data": {"type": "x", "attributes": {}}}, {}))
            cases.append(("DELETE", f"{collection}/{bad}", None, {}))
    for method, path in (
        ("PUT", "products"),
        ("DELETE", "products"),
        ("PATCH", "devices"),
        ("POST", "accounts"),
        ("PUT", "devicegroups"),
        ("POST", "devices"),
        ("GET", "nosuch"),
        ("TRACE", "products"),
    ):
        cases.append((method, path, None, {}))
    cases.append(("GET", "products", None, {"Authorization": "Bearer }{"}))
    cases.append(("GET", "products", None, {"Authorization": "Basic abc"}))
    cases.append(("POST", "auth", '{"id": 1, "password": []}', {"no-auth": "1"}))
    cases.append(("POST", "auth/token", '{"key": {}}', {"no-auth": "1"}))
    return cases


CASES = _cases()


def test_corpus_is_substantial():
    assert len(CASES) >= 150


@pytest.fixture(scope="module")
def session(emulator_server):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {emulator_server.token()}"
    return http


@pytest.mark.parametrize("case", CASES, ids=[f"{m} {p[:40]}" for m, p, _, _ in CASES])
def test_emulator_answers_4xx_json(case, session, emulator_server, tried):
    tried["emulator corpus"] += 1
    method, path, body, headers = case
    headers = {"Content-Type": JSON_API, **headers}
    if headers.pop("no-auth", None):
        headers["Authorization"] = ""
    data = body if isinstance(body, str) or body is None else None
    answer = session.request(
        method,
        f"{emulator_server.base_url}/{path}",
        data=data.encode("utf-8", "surrogateescape") if isinstance(data, str) else None,
        json=None if data is not None else body,
        headers=headers,
        timeout=30,
    )
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    errors = answer.json()["errors"]
    assert isinstance(errors, list) and errors, answer.text[:300]


# Odd but valid: a page size over the cap is capped (README: cap 100), a filter value that matches nothing and
# an unknown type value list nothing, `sort` is ignored. Never a 500, always JSON.
TOLERATED = ["page[size]=100000", "filter[product.id]=}{", "filter[type]=bogus", "sort=bogus"]


@pytest.mark.parametrize("query", TOLERATED)
@pytest.mark.parametrize("collection", ["products", "devicegroups", "devices", "deployments", "webhooks"])
def test_emulator_tolerates_odd_queries(collection, query, session, emulator_server, tried):
    tried["emulator corpus"] += 1
    answer = session.get(f"{emulator_server.base_url}/{collection}?{query}", timeout=30)
    assert answer.status_code < 500, answer.text[:300]
    assert isinstance(answer.json().get("data", answer.json().get("errors")), list), answer.text[:300]
