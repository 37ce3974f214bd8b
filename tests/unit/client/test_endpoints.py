"""The request shape of every endpoint of spec §15 (method, path, query, headers, JSON body): auth, accounts,
login keys, products, Device Groups. Devices, deployments, webhooks, log streams: test_endpoints_devices.py."""

import pytest
from client_helpers import BASE, FAR, body_of, check_request_shape, query_of, resource

JSONAPI = "application/vnd.api+json"
DG = {"type": "development_devicegroup", "id": "g1"}
LIST = {"page[number]": "1", "page[size]": "100"}


def one(data=None):
    return {"data": data or resource()}


def many(*items):
    return {"data": list(items), "links": {}}


# (name, call, method, path, query, body, extra headers, status, answer)
CASES = [
    ("3 accounts.list", lambda c: c.accounts.list(), "GET", "/accounts", LIST, None, {}, 200, many()),
    ("4 accounts.get", lambda c: c.accounts.get("a1"), "GET", "/accounts/a1", {}, None, {}, 200, one()),
    ("4 accounts.me", lambda c: c.accounts.me(), "GET", "/accounts/me", {}, None, {}, 200, one()),
    (
        "5 refresh_tokens.list",
        lambda c: c.refresh_tokens.list(),
        "GET",
        "/accounts/me/refresh_tokens",
        LIST,
        None,
        {},
        200,
        many(),
    ),
    (
        "6 refresh_tokens.delete",
        lambda c: c.refresh_tokens.delete("rt1"),
        "DELETE",
        "/accounts/me/refresh_tokens/rt1",
        {},
        None,
        {},
        204,
        None,
    ),
    ("7 login_keys.list", lambda c: c.login_keys.list(), "GET", "/accounts/me/login_keys", LIST, None, {}, 200, many()),
    (
        "8 login_keys.create",
        lambda c: c.login_keys.create("pw-secret", description="ci"),
        "POST",
        "/accounts/me/login_keys",
        {},
        {"data": {"type": "login_key", "attributes": {"description": "ci"}}},
        {"X-Electricimp-Password": "pw-secret"},
        201,
        one(resource("login_key", "0123456789abcdef")),
    ),
    (
        "8 login_keys.create without description",
        lambda c: c.login_keys.create("pw-secret"),
        "POST",
        "/accounts/me/login_keys",
        {},
        {"data": {"type": "login_key", "attributes": {}}},
        {"X-Electricimp-Password": "pw-secret"},
        201,
        one(resource("login_key", "0123456789abcdef")),
    ),
    (
        "9 login_keys.get",
        lambda c: c.login_keys.get("0123456789abcdef"),
        "GET",
        "/accounts/me/login_keys/0123456789abcdef",
        {},
        None,
        {},
        200,
        one(),
    ),
    (
        "10 login_keys.update",
        lambda c: c.login_keys.update("0123456789abcdef", "pw-secret", "new"),
        "PATCH",
        "/accounts/me/login_keys/0123456789abcdef",
        {},
        {"data": {"type": "login_key", "id": "0123456789abcdef", "attributes": {"description": "new"}}},
        {"X-Electricimp-Password": "pw-secret"},
        200,
        one(),
    ),
    (
        "11 login_keys.delete",
        lambda c: c.login_keys.delete("0123456789abcdef", "pw-secret"),
        "DELETE",
        "/accounts/me/login_keys/0123456789abcdef",
        {},
        None,
        {"X-Electricimp-Password": "pw-secret"},
        204,
        None,
    ),
    ("12 products.list", lambda c: c.products.list(), "GET", "/products", LIST, None, {}, 200, many()),
    (
        "12 products.list owner",
        lambda c: c.products.list(owner="a1"),
        "GET",
        "/products",
        {**LIST, "filter[owner.id]": "a1"},
        None,
        {},
        200,
        many(),
    ),
    (
        "13 products.create",
        lambda c: c.products.create("P", description="d", owner="a2"),
        "POST",
        "/products",
        {},
        {
            "data": {
                "type": "product",
                "attributes": {"name": "P", "description": "d"},
                "relationships": {"owner": {"type": "account", "id": "a2"}},
            }
        },
        {},
        201,
        one(),
    ),
    (
        "13 products.create minimal",
        lambda c: c.products.create("P"),
        "POST",
        "/products",
        {},
        {"data": {"type": "product", "attributes": {"name": "P"}}},
        {},
        201,
        one(),
    ),
    ("14 products.get", lambda c: c.products.get("p1"), "GET", "/products/p1", {}, None, {}, 200, one()),
    (
        "14 products.update",
        lambda c: c.products.update("p1", description="x"),
        "PATCH",
        "/products/p1",
        {},
        {"data": {"type": "product", "id": "p1", "attributes": {"description": "x"}}},
        {},
        200,
        one(),
    ),
    ("14 products.delete", lambda c: c.products.delete("p1"), "DELETE", "/products/p1", {}, None, {}, 204, None),
    (
        "15 device_groups.list",
        lambda c: c.device_groups.list(owner="a1", product="p1", type="development"),
        "GET",
        "/devicegroups",
        {**LIST, "filter[owner.id]": "a1", "filter[product.id]": "p1", "filter[type]": "development_devicegroup"},
        None,
        {},
        200,
        many(),
    ),
    (
        "16 device_groups.create",
        lambda c: c.device_groups.create(
            "pre_factoryfixture_devicegroup",
            "F",
            "p1",
            description="d",
            env_vars={"A": 1},
            production_target={"type": "pre_production_devicegroup", "id": "g2"},
            dut_target={"type": "pre_dut_devicegroup", "id": "g3"},
        ),
        "POST",
        "/devicegroups",
        {},
        {
            "data": {
                "type": "pre_factoryfixture_devicegroup",
                "attributes": {"name": "F", "description": "d", "env_vars": {"A": 1}},
                "relationships": {
                    "product": {"type": "product", "id": "p1"},
                    "production_target": {"type": "pre_production_devicegroup", "id": "g2"},
                    "dut_target": {"type": "pre_dut_devicegroup", "id": "g3"},
                },
            }
        },
        {},
        201,
        one(),
    ),
    (
        "16 device_groups.create production",
        lambda c: c.device_groups.create(
            "production_devicegroup", "P", "p1", region="eu", load_code_after_blessing=False
        ),
        "POST",
        "/devicegroups",
        {},
        {
            "data": {
                "type": "production_devicegroup",
                "attributes": {"name": "P", "region": "eu", "load_code_after_blessing": False},
                "relationships": {"product": {"type": "product", "id": "p1"}},
            }
        },
        {},
        201,
        one(),
    ),
    ("17 device_groups.get", lambda c: c.device_groups.get("g1"), "GET", "/devicegroups/g1", {}, None, {}, 200, one()),
    (
        "17 device_groups.update",
        lambda c: c.device_groups.update("g1", "development_devicegroup", name="N"),
        "PATCH",
        "/devicegroups/g1",
        {},
        {"data": {"type": "development_devicegroup", "id": "g1", "attributes": {"name": "N"}}},
        {},
        200,
        one(),
    ),
    (
        "17 device_groups.update targets",
        lambda c: c.device_groups.update(
            "g1", "factoryfixture_devicegroup", production_target={"type": "production_devicegroup", "id": "g5"}
        ),
        "PATCH",
        "/devicegroups/g1",
        {},
        {
            "data": {
                "type": "factoryfixture_devicegroup",
                "id": "g1",
                "attributes": {},
                "relationships": {"production_target": {"type": "production_devicegroup", "id": "g5"}},
            }
        },
        {},
        200,
        one(),
    ),
    (
        "17 device_groups.delete",
        lambda c: c.device_groups.delete("g1"),
        "DELETE",
        "/devicegroups/g1",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "18 device_groups.restart",
        lambda c: c.device_groups.restart("g1"),
        "POST",
        "/devicegroups/g1/restart",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "19 device_groups.restart conditional",
        lambda c: c.device_groups.restart("g1", conditional=True),
        "POST",
        "/devicegroups/g1/conditional_restart",
        {},
        None,
        {},
        204,
        None,
    ),
    (
        "20 set_min_supported_deployment",
        lambda c: c.device_groups.set_min_supported_deployment("g1", "d1"),
        "PUT",
        "/devicegroups/g1/relationships/min_supported_deployment",
        {},
        {"data": {"type": "deployment", "id": "d1"}},
        {},
        204,
        None,
    ),
    (
        "21 add_devices",
        lambda c: c.device_groups.add_devices("g1", ["dev1", "0c:2a:69:05:0d:62"]),
        "POST",
        "/devicegroups/g1/relationships/devices",
        {},
        {"data": [{"type": "device", "id": "dev1"}, {"type": "device", "id": "0c:2a:69:05:0d:62"}]},
        {},
        204,
        None,
    ),
    (
        "22 remove_devices with unbond key",
        lambda c: c.device_groups.remove_devices("g1", ["dev1"], unbond_key="unbond-secret"),
        "DELETE",
        "/devicegroups/g1/relationships/devices",
        {},
        {"data": [{"type": "device", "id": "dev1"}]},
        {"X-Electricimp-Key": "unbond-secret"},
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


def test_1_auth_password_login(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(
        BASE + "/auth",
        json={"access_token": "new-access", "expires_in": 3600, "expires_at": FAR, "refresh_token": "new-refresh"},
    )
    tokens = client.login("demo", "demo-password")
    sent = rsps.calls[0].request
    assert body_of(rsps.calls[0]) == {"id": "demo", "password": "demo-password"}
    assert sent.headers["Content-Type"] == "application/json"
    assert "Authorization" not in sent.headers
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("new-access", "new-refresh", FAR)
    assert client.tokens is tokens


def test_1_auth_otp_step(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth", json={"access_token": "a2", "expires_at": FAR, "refresh_token": "r2"})
    client.login_otp("login-token-xyz", "123456")
    sent = rsps.calls[0].request
    assert body_of(rsps.calls[0]) == {"login_token": "login-token-xyz"}
    assert sent.headers["X-Electricimp-OTP-Token"] == "123456"
    assert "Authorization" not in sent.headers


def test_2_auth_token_login_key(rsps, make_client):
    client = make_client(tokens=None)
    rsps.post(BASE + "/auth/token", json={"access_token": "a3", "expires_in": 3600, "expires_at": FAR})
    tokens = client.login_with_key("0123456789abcdef")
    assert body_of(rsps.calls[0]) == {"key": "0123456789abcdef"}
    assert rsps.calls[0].request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in rsps.calls[0].request.headers
    assert tokens.login_key == "0123456789abcdef"
    assert tokens.refresh_token is None


def test_2_auth_token_refresh_keeps_refresh_token(rsps, client):
    rsps.post(BASE + "/auth/token", json={"access_token": "a4", "expires_in": 3600, "expires_at": FAR})
    tokens = client.refresh()
    assert body_of(rsps.calls[0]) == {"token": "refresh-token-0123456789"}
    assert tokens.access_token == "a4"
    assert tokens.refresh_token == "refresh-token-0123456789"


def test_36_log_stream_get_carries_no_token(rsps, client):
    rsps.get(
        BASE + "/logstream/s1",
        body="event: state_change\ndata: opened\n\n",
        content_type="text/event-stream",
    )
    events = list(client.log_streams.open("s1", format="text"))
    sent = rsps.calls[0].request
    assert query_of(rsps.calls[0]) == {"format": "text"}
    assert "Authorization" not in sent.headers
    assert [(e.event, e.data) for e in events] == [("state_change", "opened")]


def test_devices_iter_logs_follows_pages(rsps, client):
    rsps.get(
        BASE + "/devices/dev1/logs",
        json={"data": [{"msg": "1"}, {"msg": "2"}], "links": {"next": BASE + "/devices/dev1/logs?page[number]=2"}},
    )
    rsps.get(BASE + "/devices/dev1/logs?page[number]=2", json={"data": [{"msg": "3"}], "links": {}})
    assert [e["msg"] for e in client.devices.iter_logs("dev1", page_size=2)] == ["1", "2", "3"]
    assert query_of(rsps.calls[0]) == {"page[number]": "1", "page[size]": "2"}


def test_create_with_bare_device_group_id_fetches_type(rsps, client):
    rsps.get(BASE + "/devicegroups/g9", json={"data": {"type": "production_devicegroup", "id": "g9"}})
    rsps.post(BASE + "/webhooks", json=one(), status=201)
    client.webhooks.create("g9", "https://h.test", "blessing", "json")
    assert body_of(rsps.calls[1])["data"]["relationships"]["devicegroup"] == {
        "type": "production_devicegroup",
        "id": "g9",
    }
    assert body_of(rsps.calls[1])["data"]["attributes"]["content_type"] == "application/json"
