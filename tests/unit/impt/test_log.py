"""`impt log get`'s pages above impCentral's 100-entry limit, against the HTTP API (`responses`)."""

import json
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

from impt.commands.log import _LogPages

BASE = "http://api.test/v5"


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _pages(api, total: int, size: int) -> tuple[_LogPages, list[tuple[int, int]]]:
    """A device with `total` entries, newest first, served in pages of at most 100 like impCentral."""
    entries = [{"ts": "t", "type": "server.log", "msg": str(i)} for i in range(total - 1, -1, -1)]
    calls: list[tuple[int, int]] = []

    def serve(request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        number, asked = int(query["page[number]"]), int(query["page[size]"])
        calls.append((number, asked))
        page = min(asked, 100)
        return 200, {"Content-Type": "application/vnd.api+json"}, _json(entries[(number - 1) * page : number * page])

    api.reset()  # one device per scenario
    api.add_callback(responses.GET, f"{BASE}/devices/dev/logs", callback=serve)
    client = ImpCentralClient(BASE)
    client.set_tokens(Tokens("access", "2099-01-01T00:00:00.000Z"))
    return _LogPages(SimpleNamespace(client=client), "dev", size), calls


def _json(data: list) -> str:
    return json.dumps({"data": data, "links": {}})


def test_log_pages_above_the_api_limit(api):
    pages, calls = _pages(api, 152, 120)
    assert [e["msg"] for e in pages.page(1)] == [str(i) for i in range(151, 31, -1)]
    assert [e["msg"] for e in pages.page(2)] == [str(i) for i in range(31, -1, -1)]
    assert calls == [(1, 100), (2, 100)]  # each API page fetched once
    pages, calls = _pages(api, 500, 250)
    assert [e["msg"] for e in pages.page(2)] == [str(i) for i in range(249, -1, -1)]
    assert calls == [(3, 100), (4, 100), (5, 100)]
    pages, calls = _pages(api, 152, 20)
    assert len(pages.page(8)) == 12 and calls == [(8, 20)]
