"""Lists: links.next pagination, OR-ed multi-value filters, de-duplication."""

from client_helpers import BASE, query_of, resource


def test_follows_links_next_as_given_with_auth(rsps, client):
    rsps.get(
        BASE + "/products",
        json={
            "data": [resource(rid="p1")],
            "links": {"next": BASE + "/products?page%5Bnumber%5D=2&page%5Bsize%5D=100"},
        },
    )
    rsps.get(
        BASE + "/products",
        json={"data": [resource(rid="p2"), resource(rid="p1")], "links": {}},
    )
    items = client.products.list()
    assert [p["id"] for p in items] == ["p1", "p2"]
    assert query_of(rsps.calls[1]) == {"page[number]": "2", "page[size]": "100"}
    assert rsps.calls[1].request.headers["Authorization"].startswith("Bearer ")


def test_next_link_on_another_origin_stays_on_our_endpoint(rsps, client):
    rsps.get(
        BASE + "/products",
        json={"data": [resource(rid="p1")], "links": {"next": "https://public.example/v5/products?page[number]=2"}},
    )
    rsps.get(BASE + "/products", json={"data": [resource(rid="p2")]})
    assert [p["id"] for p in client.products.list()] == ["p1", "p2"]
    assert rsps.calls[1].request.url.startswith(BASE + "/products")


def test_multi_value_filter_one_request_per_value_merged_and_deduplicated(rsps, client):
    rsps.get(BASE + "/products", json={"data": [resource(rid="p1"), resource(rid="p2")], "links": {}})
    rsps.get(BASE + "/products", json={"data": [resource(rid="p2"), resource(rid="p3")], "links": {}})
    items = client.products.list(owner=["a1", "a2"])
    assert [p["id"] for p in items] == ["p1", "p2", "p3"]
    assert [query_of(c)["filter[owner.id]"] for c in rsps.calls] == ["a1", "a2"]


def test_cartesian_product_of_filters(rsps, client):
    for _ in range(4):
        rsps.get(BASE + "/devicegroups", json={"data": [], "links": {}})
    client.device_groups.list(product=["p1", "p2"], type=["development", "production_devicegroup"])
    combos = [(query_of(c)["filter[product.id]"], query_of(c)["filter[type]"]) for c in rsps.calls]
    assert combos == [
        ("p1", "development_devicegroup"),
        ("p1", "production_devicegroup"),
        ("p2", "development_devicegroup"),
        ("p2", "production_devicegroup"),
    ]


def test_tags_list_is_or_and_comma_string_is_and(rsps, client):
    rsps.get(BASE + "/deployments", json={"data": [resource("deployment", "d1")], "links": {}})
    rsps.get(BASE + "/deployments", json={"data": [resource("deployment", "d2")], "links": {}})
    rsps.get(BASE + "/deployments", json={"data": [], "links": {}})
    assert [d["id"] for d in client.deployments.list(tags=["a", "b"])] == ["d1", "d2"]
    client.deployments.list(tags="a,b")
    assert [query_of(c)["filter[tags]"] for c in rsps.calls] == ["a", "b", "a,b"]


def test_empty_filter_list_means_no_filter(rsps, client):
    rsps.get(BASE + "/products", json={"data": [], "links": {}})
    client.products.list(owner=[])
    assert "filter[owner.id]" not in query_of(rsps.calls[0])


def test_repeated_next_link_stops(rsps, client):
    nxt = BASE + "/products?page[number]=2"
    rsps.get(BASE + "/products", json={"data": [resource(rid="p1")], "links": {"next": nxt}})
    rsps.get(BASE + "/products", json={"data": [resource(rid="p2")], "links": {"next": nxt}})
    assert [p["id"] for p in client.products.list()] == ["p1", "p2"]
