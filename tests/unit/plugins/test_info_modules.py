"""The seven info modules: four read-only runs each (nothing changes, nothing is written); failures."""

from urllib.parse import parse_qsl, urlsplit

from imp_playback import (
    ACCOUNT,
    BASE,
    DEP,
    DEP2,
    DEV,
    DEV2,
    DG,
    DG2,
    GET,
    PRODUCT,
    Call,
    deployment,
    device,
    group,
    one,
    page,
    playback,
    product,
    resource,
)

OTHER_ACCOUNT = "aaaaaaaa-0000-0000-0000-000000000002"
OTHER_PRODUCT = "bbbbbbbb-0000-0000-0000-000000000002"
KEY = "0123456789abcdef"
KEY2 = "fedcba9876543210"
HOOK = "eeeeeeee-0000-0000-0000-000000000001"
HOOK2 = "eeeeeeee-0000-0000-0000-000000000002"


class Listing(Call):
    """A GET of a collection whose filters must be exactly these (paging aside): filter__owner__id=x is
    filter[owner.id]=x."""

    def __init__(self, path, body, **filters):
        super().__init__("GET", path, 200, body)
        self.filters = {f"filter[{k[8:].replace('__', '.')}]": v for k, v in filters.items()}

    def register(self, mock):
        def exact(request):
            got = {k: v for k, v in parse_qsl(urlsplit(request.url).query) if not k.startswith("page[")}
            return got == self.filters, f"filters {got} != {self.filters}"

        mock.add("GET", BASE + self.path, json=self.body, match=[exact])


def listing(path, *items, **filters):
    return Listing(path, page(*items), **filters)


def error(status, title):
    return {"errors": [{"status": str(status), "code": "PX100", "title": title, "detail": title + "."}]}


def four_reads(name, args, calls, repeat=None):
    """First run, repeat, check mode, check mode on the repeat: never changed, never a write, same answer."""
    repeat = calls if repeat is None else repeat
    assert not any(c.write for c in calls + repeat), "an info module must not write"
    results = [
        playback(name, args, calls),
        playback(name, args, repeat),
        playback(name, args, calls, check=True),
        playback(name, args, repeat, check=True),
    ]
    assert [r["changed"] for r in results] == [False] * 4
    assert all(r == results[0] for r in results), results
    return results[0]


def fails(name, args, calls):
    result = playback(name, args, calls, fails=True)
    assert result["changed"] is False
    return result


def account(rid=ACCOUNT, username="me", email="me@example.com"):
    return resource("account", rid, username=username, email=email)


def webhook(rid=HOOK, event="deployment", url="https://ci.example.com/hook", content_type="application/json"):
    rels = {"devicegroup": ("development_devicegroup", DG)}
    return resource("webhook", rid, rels, event=event, url=url, content_type=content_type)


def login_key(rid=KEY, description="ci"):
    return resource("login_key", rid, description=description)


def without_code(dep):
    dep = dict(dep, attributes=dict(dep["attributes"]))
    del dep["attributes"]["device_code"], dep["attributes"]["agent_code"]
    return dep


# -- account_info ----------------------------------------------------------------------------


def test_account_info(auth_file):
    calls = [
        GET("/accounts/me", one(account())),
        listing("/accounts", account(), account(OTHER_ACCOUNT, "boss", "boss@example.com")),
    ]
    result = four_reads("account_info", {"auth_file": auth_file}, calls)
    assert result["account"]["id"] == ACCOUNT and result["account"]["username"] == "me"
    assert [(a["id"], a["email"]) for a in result["accounts"]] == [
        (ACCOUNT, "me@example.com"),
        (OTHER_ACCOUNT, "boss@example.com"),
    ]


def test_account_info_unknown_account_fails(auth_file):
    result = fails("account_info", {"account": "nobody", "auth_file": auth_file}, [listing("/accounts", account())])
    assert result["msg"] == 'Account "nobody" is not found.'


# -- product_info ----------------------------------------------------------------------------


def test_product_info_all(auth_file):
    calls = [listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT))]
    result = four_reads("product_info", {"auth_file": auth_file}, calls)
    assert [(p["id"], p["name"], p["owner"]) for p in result["products"]] == [
        (PRODUCT, "Thermostat", ACCOUNT),
        (OTHER_PRODUCT, "Doorbell", ACCOUNT),
    ]


def test_product_info_of_an_owner(auth_file):
    calls = [GET("/accounts/me", one(account())), listing("/products", product(), filter__owner__id=ACCOUNT)]
    result = four_reads("product_info", {"owner": "me", "auth_file": auth_file}, calls)
    assert [p["name"] for p in result["products"]] == ["Thermostat"]


def test_product_info_name_of_an_owner_is_hierarchical(auth_file):
    calls = [
        GET("/accounts/me", one(account())),
        listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT), filter__owner__id=ACCOUNT),
    ]
    result = four_reads("product_info", {"name": "Doorbell", "owner": "me", "auth_file": auth_file}, calls)
    assert [p["id"] for p in result["products"]] == [OTHER_PRODUCT]


def test_product_info_name_matching_nothing_is_an_empty_list(auth_file):
    result = four_reads("product_info", {"name": "Nope", "auth_file": auth_file}, [listing("/products", product())])
    assert result["products"] == []


def test_product_info_unknown_owner_fails(auth_file):
    result = fails("product_info", {"owner": "nobody", "auth_file": auth_file}, [listing("/accounts", account())])
    assert result["msg"] == 'Account "nobody" is not found.'


# -- device_group_info -----------------------------------------------------------------------


def test_device_group_info_filters_go_to_the_server(auth_file):
    args = {"product": "Thermostat", "type": ["production"], "auth_file": auth_file}
    calls = [
        listing("/products", product()),
        listing(
            "/devicegroups",
            group("prod", DG2, "production_devicegroup"),
            filter__product__id=PRODUCT,
            filter__type="production_devicegroup",
        ),
    ]
    result = four_reads("device_group_info", args, calls)
    assert [(g["id"], g["name"], g["type"], g["product"]) for g in result["device_groups"]] == [
        (DG2, "prod", "production", PRODUCT)
    ]


def test_device_group_info_name_narrowed_by_product_and_type(auth_file):
    args = {"name": "dev", "product": "Thermostat", "type": ["development"], "auth_file": auth_file}
    elsewhere = group("dev", "cccccccc-0000-0000-0000-000000000003")
    elsewhere["relationships"]["product"]["id"] = OTHER_PRODUCT
    calls = [
        listing("/products", product()),
        listing("/devicegroups", group(), group("dev", DG2, "production_devicegroup"), elsewhere),
    ]
    result = four_reads("device_group_info", args, calls)
    assert [g["id"] for g in result["device_groups"]] == [DG]
    assert result["device_groups"][0]["type"] == "development"


def test_device_group_info_unknown_product_fails(auth_file):
    args = {"product": "Nope", "auth_file": auth_file}
    result = fails("device_group_info", args, [listing("/products", product())])
    assert result["msg"] == 'Product "Nope" is not found.'


# -- device_info -----------------------------------------------------------------------------


def test_device_info_of_a_group(auth_file):
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/devices",
            device(dg=DG, name="bench-1"),
            device(DEV2, mac="0c:2a:69:05:0d:63", dg=DG),
            filter__devicegroup__id=DG,
        ),
    ]
    result = four_reads("device_info", {"device_group": DG, "auth_file": auth_file}, calls)
    assert [(d["id"], d["name"], d["device_group"]) for d in result["devices"]] == [
        (DEV, "bench-1", DG),
        (DEV2, None, DG),
    ]


def test_device_info_unassigned(auth_file):
    calls = [listing("/devices", device(), filter__devicegroup__owner__id="null")]
    result = four_reads("device_info", {"unassigned": True, "auth_file": auth_file}, calls)
    assert [d["id"] for d in result["devices"]] == [DEV]


def test_device_info_identifier_ignores_the_filters(auth_file):
    args = {"device": DEV, "device_group": "dev", "auth_file": auth_file}
    result = four_reads("device_info", args, [GET(f"/devices/{DEV}", one(device(name="bench-1")))])
    assert [(d["id"], d["mac_address"]) for d in result["devices"]] == [(DEV, "0c:2a:69:05:0d:62")]


def test_device_info_unknown_group_fails(auth_file):
    args = {"device_group": "missing", "auth_file": auth_file}
    result = fails("device_info", args, [listing("/devicegroups", group())])
    assert result["msg"] == 'Device Group "missing" is not found.'


# -- deployment_info -------------------------------------------------------------------------


def test_deployment_info_lists_without_code(auth_file):
    args = {"device_group": DG, "flagged": True, "tags": ["v2", "ci"], "auth_file": auth_file}
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/deployments",
            deployment(DEP, device_code="server.log(1)", flagged=True, tags=["v2", "ci"]),
            deployment(DEP2, flagged=True, tags=["v2", "ci", "old"]),
            filter__devicegroup__id=DG,
            filter__flagged="true",
            filter__tags="v2,ci",
        ),
    ]
    result = four_reads("deployment_info", args, calls)
    assert [(d["id"], d["flagged"], d["device_group"]) for d in result["deployments"]] == [
        (DEP, True, DG),
        (DEP2, True, DG),
    ]
    assert not any("device_code" in d or "agent_code" in d for d in result["deployments"])


def test_deployment_info_tag_with_code_fetches_it(auth_file):
    args = {"deployment": "v2.1", "product": "Thermostat", "include_code": True, "auth_file": auth_file}
    full = deployment(DEP, device_code="server.log(1)", agent_code="// agent", tags=["v2.1"])
    calls = [
        listing("/deployments", without_code(full), filter__tags="v2.1"),
        GET(f"/deployments/{DEP}", one(full)),
    ]
    result = four_reads("deployment_info", args, calls)
    assert [(d["id"], d["tags"], d["device_code"], d["agent_code"]) for d in result["deployments"]] == [
        (DEP, ["v2.1"], "server.log(1)", "// agent")
    ]


def test_deployment_info_api_error_reaches_fail_json(auth_file):
    calls = [Call("GET", "/deployments", 403, error(403, "Forbidden"))]
    result = fails("deployment_info", {"auth_file": auth_file}, calls)
    assert result["method"] == "GET" and result["status"] == 403
    assert urlsplit(result["url"]).path == "/v5/deployments"
    assert "Forbidden" in result["msg"] and "GET" in result["msg"] and "403" in result["msg"]


# -- webhook_info ----------------------------------------------------------------------------


def test_webhook_info_filters_event_and_url(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "https://ci.example.com/hook", "auth_file": auth_file}
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/webhooks",
            webhook(),
            webhook(HOOK2, event="blessing"),
            webhook("eeeeeeee-0000-0000-0000-000000000003", url="https://elsewhere.example.com/"),
            filter__devicegroup__id=DG,
        ),
    ]
    result = four_reads("webhook_info", args, calls)
    assert [(w["id"], w["event"], w["url"], w["content_type"], w["device_group"]) for w in result["webhooks"]] == [
        (HOOK, "deployment", "https://ci.example.com/hook", "json", DG)
    ]


def test_webhook_info_all(auth_file):
    calls = [listing("/webhooks", webhook(), webhook(HOOK2, event="blessing", content_type="text/plain"))]
    result = four_reads("webhook_info", {"auth_file": auth_file}, calls)
    assert [(w["id"], w["content_type"]) for w in result["webhooks"]] == [(HOOK, "json"), (HOOK2, "text/plain")]


def test_webhook_info_unknown_group_fails(auth_file):
    args = {"device_group": "missing", "auth_file": auth_file}
    result = fails("webhook_info", args, [listing("/devicegroups", group())])
    assert result["msg"] == 'Device Group "missing" is not found.'


# -- login_key_info --------------------------------------------------------------------------


def test_login_key_info_hides_the_ids(auth_file):
    calls = [listing("/accounts/me/login_keys", login_key(), login_key(KEY2, "laptop"))]
    result = four_reads("login_key_info", {"auth_file": auth_file}, calls)
    assert result["login_keys"] == [
        {
            "type": "login_key",
            "description": "ci",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
            "id_hint": "…cdef",
        },
        {
            "type": "login_key",
            "description": "laptop",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
            "id_hint": "…3210",
        },
    ]


def test_login_key_info_with_ids(auth_file):
    calls = [listing("/accounts/me/login_keys", login_key())]
    result = four_reads("login_key_info", {"include_key_ids": True, "auth_file": auth_file}, calls)
    assert [(k["id"], k["id_hint"]) for k in result["login_keys"]] == [(KEY, "…cdef")]


def test_login_key_info_api_error_reaches_fail_json(auth_file):
    calls = [Call("GET", "/accounts/me/login_keys", 403, error(403, "Forbidden"))]
    result = fails("login_key_info", {"auth_file": auth_file}, calls)
    assert result["method"] == "GET" and result["status"] == 403
    assert urlsplit(result["url"]).path == "/v5/accounts/me/login_keys"
    assert "Forbidden" in result["msg"]


# -- every attribute the API returned, timestamps included (only diffs drop server-managed noise) -------


def test_info_modules_return_every_attribute_with_the_timestamps(auth_file):
    created, updated = "2025-03-04T05:06:07.000Z", "2025-06-07T08:09:10.000Z"
    stamps = {"created_at": created, "updated_at": updated}
    dep = without_code(deployment(DEP, flagged=True, tags=["v2"], **stamps))
    dg = group("prod", DG2, "production_devicegroup", region="eu", load_code_after_blessing=True, **stamps)
    dev = device(dg=DG, name="bench-1")
    dev["attributes"].update(stamps, swversion="43.12", imp_type="imp005", rssi=-70, free_memory=105856)
    cases = [
        ("deployment_info", "deployments", dep, listing("/deployments", dep)),
        ("device_group_info", "device_groups", dg, listing("/devicegroups", dg)),
        ("device_info", "devices", dev, listing("/devices", dev)),
    ]
    for name, key, raw, call in cases:
        view = four_reads(name, {"auth_file": auth_file}, [call])[key][0]
        assert view["created_at"] == created and view["updated_at"] == updated, name
        assert {k: view[k] for k in raw["attributes"]} == raw["attributes"], name
