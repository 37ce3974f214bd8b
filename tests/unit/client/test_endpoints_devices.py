"""The request shape of every endpoint of spec §15, continued: devices, deployments, webhooks, log streams."""

import pytest
from client_helpers import BASE, check_request_shape, resource

DG = {"type": "development_devicegroup", "id": "g1"}
LIST = {"page[number]": "1", "page[size]": "100"}


def one(data=None):
    return {"data": data or resource()}


def many(*items):
    return {"data": list(items), "links": {}}


# (name, call, method, path, query, body, extra headers, status, answer)
CASES = [
    (
        "23 devices.list",
        lambda c: c.devices.list(
            owner="a1", product="p1", device_group="g1", device_group_owner="a2", device_group_type="production"
        ),
        "GET",
        "/devices",
        {
            **LIST,
            "filter[owner.id]": "a1",
            "filter[product.id]": "p1",
            "filter[devicegroup.id]": "g1",
            "filter[devicegroup.owner.id]": "a2",
            "filter[devicegroup.type]": "production_devicegroup",
        },
        None,
        {},
        200,
        many(),
    ),
    (
        "23 devices.list unassigned",
        lambda c: c.devices.list(unassigned=True),
        "GET",
        "/devices",
        {**LIST, "filter[devicegroup.owner.id]": "null"},
        None,
        {},
        200,
        many(),
    ),
    ("24 devices.get", lambda c: c.devices.get("dev1"), "GET", "/devices/dev1", {}, None, {}, 200, one()),
    (
        "24 devices.get by MAC",
        lambda c: c.devices.get("0c:2a:69:05:0d:62"),
        "GET",
        "/devices/0c:2a:69:05:0d:62",
        {},
        None,
        {},
        200,
        one(),
    ),
    (
        "24 devices.update",
        lambda c: c.devices.update("dev1", "kitchen"),
        "PATCH",
        "/devices/dev1",
        {},
        {"data": {"type": "device", "id": "dev1", "attributes": {"name": "kitchen"}}},
        {},
        200,
        one(),
    ),
    ("24 devices.delete", lambda c: c.devices.delete("dev1"), "DELETE", "/devices/dev1", {}, None, {}, 204, None),
    (
        "25 devices.restart",
        lambda c: c.devices.restart("dev1"),
        "POST",
        "/devices/dev1/restart",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "26 devices.restart conditional",
        lambda c: c.devices.restart("dev1", conditional=True),
        "POST",
        "/devices/dev1/conditional_restart",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "27 devices.logs",
        lambda c: c.devices.logs("dev1", page_number=3, page_size=5),
        "GET",
        "/devices/dev1/logs",
        {"page[number]": "3", "page[size]": "5"},
        None,
        {},
        200,
        {"data": [{"ts": "t", "type": "status", "msg": "m"}], "links": {}},
    ),
    (
        "28 devices.history",
        lambda c: c.devices.history("dev1"),
        "GET",
        "/devices/dev1/history",
        LIST,
        None,
        {},
        200,
        many(),
    ),
    (
        "29 deployments.list",
        lambda c: c.deployments.list(
            owner="a1",
            creator="a2",
            product="p1",
            device_group="g1",
            sha="s",
            flagged=True,
            flagger="a3",
            tags="t1,t2",
        ),
        "GET",
        "/deployments",
        {
            **LIST,
            "filter[owner.id]": "a1",
            "filter[creator.id]": "a2",
            "filter[product.id]": "p1",
            "filter[devicegroup.id]": "g1",
            "filter[sha]": "s",
            "filter[flagged]": "true",
            "filter[flagger.id]": "a3",
            "filter[tags]": "t1,t2",
        },
        None,
        {},
        200,
        many(),
    ),
    (
        "29 deployments.list flagged any",
        lambda c: c.deployments.list(flagged="any"),
        "GET",
        "/deployments",
        {**LIST, "filter[flagged]": "any"},
        None,
        {},
        200,
        many(),
    ),
    (
        "30 deployments.create",
        lambda c: c.deployments.create(
            DG, device_code="d", agent_code="a", description="x", origin="o", flagged=True, tags=["t"]
        ),
        "POST",
        "/deployments",
        {},
        {
            "data": {
                "type": "deployment",
                "attributes": {
                    "device_code": "d",
                    "agent_code": "a",
                    "description": "x",
                    "origin": "o",
                    "flagged": True,
                    "tags": ["t"],
                },
                "relationships": {"devicegroup": DG},
            }
        },
        {},
        201,
        one(),
    ),
    (
        "30 deployments.create empty code",
        lambda c: c.deployments.create(DG),
        "POST",
        "/deployments",
        {},
        {
            "data": {
                "type": "deployment",
                "attributes": {"device_code": "", "agent_code": ""},
                "relationships": {"devicegroup": DG},
            }
        },
        {},
        201,
        one(),
    ),
    ("31 deployments.get", lambda c: c.deployments.get("d1"), "GET", "/deployments/d1", {}, None, {}, 200, one()),
    (
        "31 deployments.update",
        lambda c: c.deployments.update("d1", flagged=False, tags=["a", "b"]),
        "PATCH",
        "/deployments/d1",
        {},
        {"data": {"type": "deployment", "id": "d1", "attributes": {"flagged": False, "tags": ["a", "b"]}}},
        {},
        200,
        one(),
    ),
    (
        "31 deployments.delete",
        lambda c: c.deployments.delete("d1"),
        "DELETE",
        "/deployments/d1",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "32 webhooks.list",
        lambda c: c.webhooks.list(device_group="g1"),
        "GET",
        "/webhooks",
        {**LIST, "filter[devicegroup.id]": "g1"},
        None,
        {},
        200,
        many(),
    ),
    (
        "33 webhooks.create",
        lambda c: c.webhooks.create(DG, "https://h.test/x", "deployment", "application/json"),
        "POST",
        "/webhooks",
        {},
        {
            "data": {
                "type": "webhook",
                "attributes": {"url": "https://h.test/x", "event": "deployment", "content_type": "application/json"},
                "relationships": {"devicegroup": DG},
            }
        },
        {},
        201,
        one(),
    ),
    ("34 webhooks.get", lambda c: c.webhooks.get("w1"), "GET", "/webhooks/w1", {}, None, {}, 200, one()),
    (
        "34 webhooks.update",
        lambda c: c.webhooks.update("w1", content_type="urlencoded"),
        "PATCH",
        "/webhooks/w1",
        {},
        {
            "data": {
                "type": "webhook",
                "id": "w1",
                "attributes": {"content_type": "application/x-www-form-urlencoded"},
            }
        },
        {},
        200,
        one(),
    ),
    ("34 webhooks.delete", lambda c: c.webhooks.delete("w1"), "DELETE", "/webhooks/w1", {}, None, {}, 204, None),
    (
        "35 log_streams.create",
        lambda c: c.log_streams.create(),
        "POST",
        "/logstream",
        {},
        None,
        {},
        201,
        {"data": {"type": "logstream", "id": "s1", "attributes": {"url": BASE + "/logstream/s1"}}},
    ),
    (
        "37 log_streams.add_device",
        lambda c: c.log_streams.add_device("s1", "dev1"),
        "PUT",
        "/logstream/s1/dev1",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "38 log_streams.remove_device",
        lambda c: c.log_streams.remove_device("s1", "dev1"),
        "DELETE",
        "/logstream/s1/dev1",
        {},
        None,
        {},
        204,
        None,
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "headers", "status", "answer"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_endpoint_request_shape(rsps, client, call, method, path, query, body, headers, status, answer):
    check_request_shape(rsps, client, call, method, path, query, body, headers, status, answer)
