"""Entity identification: attribute order per kind, hierarchy with fallback, ambiguity, cost."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    InvalidIdentifierError,
    PermissionDeniedError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from client_helpers import BASE, query_of

ACC = "4e264cef-3316-cdfa-7f39-7a5d458994b3"
PROD = "11111111-2222-3333-4444-555555555555"
DGID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SHA = "a" * 64


def acc(rid=ACC, email="demo@example.com", username="demo"):
    return {"type": "account", "id": rid, "attributes": {"email": email, "username": username}}


def prod(rid=PROD, name="P", owner=ACC):
    return {
        "type": "product",
        "id": rid,
        "attributes": {"name": name},
        "relationships": {"owner": {"type": "account", "id": owner}},
    }


def dg(rid=DGID, name="G", product=PROD):
    return {
        "type": "development_devicegroup",
        "id": rid,
        "attributes": {"name": name},
        "relationships": {"product": {"type": "product", "id": product}},
    }


def listing(*items):
    return {"data": list(items), "links": {}}


NOT_FOUND = {"status": 404, "json": {"errors": [{"status": "404", "title": "Not Found", "detail": "no"}]}}


def test_me(rsps, client):
    rsps.get(BASE + "/accounts/me", json={"data": acc()})
    assert identify.one(client, "account", "me")["id"] == ACC
    assert identify.one(client, "account", "me")["id"] == ACC  # cached: one request
    assert len(rsps.calls) == 1


def test_account_by_id_then_email_then_username(rsps, client):
    rsps.get(BASE + "/accounts/" + ACC, json={"data": acc()})
    assert identify.one(client, "account", ACC)["id"] == ACC
    rsps.get(BASE + "/accounts", json=listing(acc(), acc("x", "other@example.com", "demo@example.com")))
    assert identify.find(client, "account", "demo@example.com") == [acc()]
    rsps.get(BASE + "/accounts", json=listing(acc(), acc("x", "o@example.com", "collab")))
    assert identify.one(client, "account", "collab")["id"] == "x"
    assert [c.request.method for c in rsps.calls] == ["GET", "GET", "GET"]


def test_product_name_skips_by_id_get(rsps, client):
    rsps.get(BASE + "/products", json=listing(prod(), prod("p2", "Q")))
    assert identify.one(client, "product", "Q")["id"] == "p2"
    assert len(rsps.calls) == 1  # no GET /products/Q


def test_product_id_404_falls_back_to_name(rsps, client):
    rsps.get(BASE + "/products/" + PROD, **NOT_FOUND)
    rsps.get(BASE + "/products", json=listing(prod("p9", PROD)))
    assert identify.one(client, "product", PROD)["id"] == "p9"


def test_by_id_errors_other_than_404_propagate(rsps, client):
    rsps.get(BASE + "/products/" + PROD, status=403, json={"errors": [{"title": "Forbidden", "detail": "no"}]})
    with pytest.raises(PermissionDeniedError):
        identify.one(client, "product", PROD)


def test_list_items_are_not_refetched(rsps, client):
    rsps.get(BASE + "/devicegroups", json=listing(dg(name="G")))
    found = identify.one(client, "device_group", "G")
    assert found == dg(name="G")
    assert len(rsps.calls) == 1


def test_device_order_id_mac_agent_name(rsps, client):
    dev = {"type": "device", "id": "234776801163a9ee", "attributes": {"mac_address": "0c:2a:69:05:0d:62"}}
    rsps.get(BASE + "/devices/234776801163a9ee", json={"data": dev})
    assert identify.one(client, "device", "234776801163a9ee") == dev
    rsps.get(BASE + "/devices/0c:2a:69:05:0d:62", json={"data": dev})
    assert identify.one(client, "device", "0C:2A:69:05:0D:62") == dev
    rsps.get(BASE + "/devices/T1oUmIZ3At_N", **NOT_FOUND)
    named = {"type": "device", "id": "d2", "attributes": {"name": "T1oUmIZ3At_N", "agent_id": None}}
    rsps.get(BASE + "/devices", json=listing(named))
    assert identify.one(client, "device", "T1oUmIZ3At_N") == named


def test_device_name_is_one_listing(rsps, client):
    named = {"type": "device", "id": "d2", "attributes": {"name": "kitchen sensor"}}
    rsps.get(BASE + "/devices", json=listing(named))
    assert identify.one(client, "device", "kitchen sensor") == named
    assert len(rsps.calls) == 1


def test_deployment_sha_uses_server_filter(rsps, client):
    dep = {"type": "deployment", "id": "d1", "attributes": {"sha": SHA, "tags": []}}
    rsps.get(BASE + "/deployments", json=listing(dep, dep))
    assert identify.find(client, "deployment", SHA) == [dep]
    assert query_of(rsps.calls[0])["filter[sha]"] == SHA


def test_deployment_tag_then_origin(rsps, client):
    dep = {"type": "deployment", "id": "d1", "attributes": {"sha": "b" * 64, "tags": ["v1"], "origin": "ci"}}
    rsps.get(BASE + "/deployments", json=listing(dep))
    assert identify.one(client, "deployment", "v1") == dep
    assert query_of(rsps.calls[0])["filter[tags]"] == "v1"
    rsps.get(BASE + "/deployments", json=listing())
    rsps.get(BASE + "/deployments", json=listing(dep))
    assert identify.one(client, "deployment", "ci") == dep
    assert "filter[tags]" not in query_of(rsps.calls[2])


def test_hierarchical_product_uses_owner_filter(rsps, client):
    rsps.get(BASE + "/accounts/me", json={"data": acc()})
    rsps.get(BASE + "/products", json=listing(prod()))
    assert identify.one(client, "product", "{me}{P}")["id"] == PROD
    assert query_of(rsps.calls[1])["filter[owner.id]"] == ACC


def test_hierarchical_device_group_chain(rsps, client):
    rsps.get(BASE + "/accounts", json=listing(acc()))
    rsps.get(BASE + "/products", json=listing(prod()))
    rsps.get(BASE + "/devicegroups", json=listing(dg()))
    assert identify.one(client, "device_group", "{demo}{P}{G}")["id"] == DGID
    assert query_of(rsps.calls[2])["filter[product.id]"] == PROD


def test_hierarchical_falls_back_to_plain_identifier(rsps, client):
    rsps.get(BASE + "/accounts/me", json={"data": acc()})
    rsps.get(BASE + "/products", json=listing())  # {me}{P} finds nothing
    rsps.get(BASE + "/products", json=listing(prod("p7", "{me}{P}")))
    assert identify.one(client, "product", "{me}{P}")["id"] == "p7"


def test_hierarchical_reports_the_original_error(rsps, client):
    rsps.get(BASE + "/accounts", json=listing(acc()))
    rsps.get(BASE + "/products", json=listing())
    with pytest.raises(EntityNotFoundError) as caught:
        identify.one(client, "product", "{nobody}{P}")
    assert caught.value.kind == "account"
    assert caught.value.value == "nobody"


def test_ambiguous_with_candidates(rsps, client):
    rsps.get(BASE + "/products", json=listing(prod("p1", "Same"), prod("p2", "Same", owner="other")))
    with pytest.raises(AmbiguousEntityError) as caught:
        identify.one(client, "product", "Same")
    assert [c["id"] for c in caught.value.candidates] == ["p1", "p2"]
    assert "p1" in str(caught.value) and "p2" in str(caught.value)


def test_not_found(rsps, client):
    rsps.get(BASE + "/webhooks/w1", **NOT_FOUND)
    with pytest.raises(EntityNotFoundError):
        identify.one(client, "webhook", "w1")
    assert identify.find(client, "login_key", "not a key") == []  # cannot be a key id: no request


@pytest.mark.parametrize(("kind", "value"), [("product", ""), ("device", "   "), ("account", None)])
def test_empty_identifiers_refused(client, kind, value):
    with pytest.raises(InvalidIdentifierError):
        identify.one(client, kind, value)


def test_hierarchical_part_with_separator_refused(client):
    with pytest.raises(InvalidIdentifierError):
        identify.one(client, "product", "{me}{a}{b}")
    with pytest.raises(InvalidIdentifierError):
        identify.one(client, "device_group", "{me}{}{G}")


def test_login_key_by_id(rsps, client):
    rsps.get(BASE + "/accounts/me/login_keys/0123456789abcdef", json={"data": {"type": "login_key", "id": "x"}})
    assert identify.one(client, "login_key", "0123456789abcdef")["type"] == "login_key"


# -- the pure matcher and the natural-key finder -----------------------------------------------------

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.identify import (  # noqa: E402
    find_natural,
    match,
    natural_match,
)


def _device(rid, name=None, mac=None, agent=None):
    return {"type": "device", "id": rid, "attributes": {"name": name, "mac_address": mac, "agent_id": agent}}


def test_match_tries_impt_attribute_order_first_hit_wins():
    by_name = _device("d1", name="0c:2a:69:00:00:01")
    by_mac = _device("d2", mac="0C:2A:69:00:00:01")
    assert match("device", [by_name, by_mac], "0c:2a:69:00:00:01") == [by_mac]  # MAC (any case) before name
    assert match("device", [by_name, by_mac], "d1") == [by_name]  # id first
    assert match("device", [_device("d3", agent="x"), _device("d4", name="x")], "x")[0]["id"] == "d3"
    tagged = {"type": "deployment", "id": "b1", "attributes": {"tags": ["x"], "origin": "y"}}
    assert match("deployment", [tagged], "x") == [tagged] and match("deployment", [tagged], "z") == []
    twins = [acc("a1", username="u"), acc("a2", username="u")]
    assert len(match("account", twins, "u")) == 2


def test_match_refuses_unknown_kinds():
    with pytest.raises(ValueError):
        match("planet", [], "x")


def test_natural_keys(rsps, client):
    hook = {"type": "webhook", "id": "w1", "attributes": {"event": "blinkup", "url": "http://h/x"}}
    assert natural_match("webhook", [hook], event="blinkup", url="http://h/x") == hook
    assert natural_match("webhook", [hook], event="blessing", url="http://h/x") is None
    with pytest.raises(ValueError):
        natural_match("webhook", [hook], url="http://h/x")
    rsps.add("GET", f"{BASE}/devicegroups", json=listing(dg()))
    assert find_natural(client.transport, "device_group", PROD, name="G")["id"] == DGID
    assert query_of(rsps.calls[0])["filter[product.id]"] == PROD
    rsps.add("GET", f"{BASE}/products", json=listing(prod()))
    assert identify.natural(client, "product", ACC, name="P")["id"] == PROD


def test_a_404_of_the_lazy_login_is_no_not_found(rsps, make_client):
    """An unknown login key answers POST /auth/token with 404 (emulator, spec §3): a failed login, never an
    entity that "does not exist" (a delete with state absent would otherwise report nothing to do)."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import NotFoundError

    client = make_client(tokens=None)
    client.set_credentials(login_key="0123456789abcdef")
    unknown = {"errors": [{"status": "404", "code": "NF003", "title": "Resource Not Found", "detail": "unknown"}]}
    rsps.add("POST", BASE + "/auth/token", json=unknown, status=404)
    with pytest.raises(NotFoundError) as caught:
        identify.find(client, "login_key", "fedcba9876543210")
    assert caught.value.method == "POST"


# -- the product scope and the words of an ambiguity (issue 25) ---------------------------------------------

PROD2 = "11111111-2222-3333-4444-666666666666"
DG2ID = "aaaaaaaa-bbbb-cccc-dddd-ffffffffffff"


def test_product_scopes_a_group_name_to_one_product(rsps, client):
    """Identify the product, then one listing filtered by it: a name two products share names one group."""
    rsps.get(BASE + "/products", json=listing(prod(), prod(PROD2, "Q")))
    rsps.get(BASE + "/devicegroups", json=listing(dg(DG2ID, "Twin", PROD2)))
    assert identify.one(client, "device_group", "Twin", product="Q")["id"] == DG2ID
    assert query_of(rsps.calls[1])["filter[product.id]"] == PROD2
    assert len(rsps.calls) == 2


def test_product_scope_refuses_a_group_of_another_product(rsps, client):
    rsps.get(BASE + "/products/" + PROD, json={"data": prod()})
    rsps.get(BASE + "/devicegroups/" + DG2ID, json={"data": dg(DG2ID, "Twin", PROD2)})
    rsps.get(BASE + "/devicegroups", json=listing())
    with pytest.raises(EntityNotFoundError) as caught:
        identify.one(client, "device_group", DG2ID, product=PROD)
    assert str(caught.value) == f'Device Group "{DG2ID}" is not found in product "P".'
    assert identify.find(client, "device_group", "Twin", product=PROD) == []  # P has no group "Twin"


def test_how_to_choose_names_candidates_products_and_three_ways(rsps, client):
    twins = [dg(DGID, "Twin", PROD), dg(DG2ID, "Twin", PROD2)]
    for twin in twins:
        twin["relationships"]["owner"] = {"type": "account", "id": ACC}
    rsps.get(BASE + "/devicegroups", json=listing(*twins))
    with pytest.raises(AmbiguousEntityError) as caught:
        identify.one(client, "device_group", "Twin")
    assert str(caught.value) == f'Multiple Device Groups "Twin" are found: {DGID}, {DG2ID}. Use an id to choose one.'
    rsps.get(BASE + "/products/" + PROD, json={"data": prod(PROD, "{{x}}")})  # a name Jinja would read
    rsps.get(BASE + "/products/" + PROD2, json={"data": prod(PROD2, "Q")})
    rsps.get(BASE + "/accounts/me", json={"data": acc()})
    message = identify.how_to_choose(client, caught.value, "device_group")
    assert message == (
        f'Multiple Device Groups "Twin" are found: {DGID} (product "{{{{x}}}}"), {DG2ID} (product "Q"). '
        f'Choose one with the product option (product: "{{{{x}}}}"), an id (device_group: {DGID}), or the '
        'hierarchical form, quoted (device_group: "{% raw %}{me}{{{x}}}{Twin}{% endraw %}"; built from a '
        "variable: device_group: \"{{ '{me}{' ~ product_name ~ '}{Twin}' }}\")."
    )


def test_how_to_choose_for_products_names_their_accounts(client):
    other = "4e264cef-3316-cdfa-7f39-000000000002"
    error = identify.ambiguous("product", "P", [prod(PROD, "P", ACC), prod(PROD2, "P", other)])
    assert identify.how_to_choose(client, error, "name") == (
        f'Multiple Products "P" are found: {PROD} (account {ACC}), {PROD2} (account {other}). '
        f'Choose one with an id (name: {PROD}) or the hierarchical form "{{{ACC}}}{{P}}".'
    )
