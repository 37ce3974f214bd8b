"""Fault injection, the request log, and malformed requests that must never crash the server."""

import requests
from emulator_api import error_of


def test_injected_status_does_not_perform_the_operation(api, emulator):
    emulator.admin("PUT", "faults", {"status_rates": {"503": 1.0}, "seed": 1})
    response = api.call("POST", "/products", {"data": {"type": "product", "attributes": {"name": "Never"}}})
    assert response.status_code == 503 and error_of(response)["status"] == "503"
    requests.post(f"{emulator.root_url}/_emulator/devices", json={"owner": "demo"}).raise_for_status()
    emulator.admin("DELETE", "faults")
    assert api.ok("GET", "/products") == []


def test_injected_resets_and_seeded_rates(api, emulator):
    emulator.admin("PUT", "faults", {"reset_rate": 1.0})
    try:
        api.get("/products")
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("expected a connection reset")
    emulator.admin("PUT", "faults", {"status_rates": {"429": 0.5}, "seed": 7})
    first = [api.get("/products").status_code for _ in range(20)]
    emulator.admin("PUT", "faults", {"status_rates": {"429": 0.5}, "seed": 7})
    second = [api.get("/products").status_code for _ in range(20)]
    assert first == second and {200, 429} == set(first)


def test_bad_fault_settings_are_400(emulator):
    for body in ({"status_rates": {"200": 0.5}}, {"reset_rate": 2}, {"nope": 1}):
        response = requests.put(f"{emulator.root_url}/_emulator/faults", json=body)
        assert response.status_code == 400 and "errors" in response.json()


def test_drop_streams_aborts_live_connections(api, emulator):
    from emulator_api import SseReader

    stream = api.ok("POST", "/logstream")
    reader = SseReader(stream["attributes"]["url"])
    reader.next_event()
    result = emulator.admin("PUT", "faults", {"drop_streams": True})
    assert result["meta"]["streams_dropped"] == 1
    try:
        while True:
            reader.next()
    except (StopIteration, requests.exceptions.ChunkedEncodingError, requests.ConnectionError):
        pass
    again = SseReader(stream["attributes"]["url"])
    assert again.next_event() == ("state_change", "opened")
    again.close()


def test_request_log_has_no_secrets_and_skips_admin(api, emulator):
    emulator.clear_requests()
    api.get("/products?filter[owner.id]=x")
    emulator.admin("GET", "state")
    log = emulator.requests()
    assert [(r["method"], r["path"], r["query"], r["status"]) for r in log] == [
        ("GET", "/v5/products", "filter[owner.id]=x", 200)
    ]
    assert set(log[0]) == {"method", "path", "query", "status", "time", "duration_ms"}


def test_malformed_requests_get_400_json(api):
    cases = [
        ("POST", "/products", "not json"),
        ("POST", "/products", "[]"),
        ("POST", "/products", '{"data": []}'),
        ("POST", "/products", '{"data": {"type": "product", "attributes": {"name": 5}}}'),
        ("POST", "/products", '{"data": {"type": "product", "attributes": "x"}}'),
        ("POST", "/devicegroups", '{"data": {"type": "development_devicegroup", "attributes": {"name": "x"}}}'),
        ("POST", "/devicegroups", '{"data": {"type": "nonsense", "attributes": {"name": "x"}}}'),
        ("POST", "/deployments", '{"data": {"type": "deployment", "attributes": {"device_code": 1}}}'),
        ("POST", "/devicegroups/x/relationships/devices", '{"data": {"id": 1}}'),
        ("GET", "/products?page[size]=zero", None),
        ("GET", "/products?page[number]=-1", None),
        ("POST", "/auth", "{"),
    ]
    for method, path, body in cases:
        response = api.session.request(method, api.base_url + path, data=body)
        assert response.status_code in (400, 404), (path, body, response.status_code)
        assert "errors" in response.json(), (path, body)
    huge = api.session.post(api.base_url + "/products", data=b"{" + b" " * (13 * 1024 * 1024) + b"}")
    assert huge.status_code == 400 and "errors" in huge.json()


def test_page_size_capped_and_links_absolute(api):
    for n in range(3):
        api.product(f"P{n}")
    page = api.get("/products?page%5Bsize%5D=2&page%5Bnumber%5D=1").json()
    assert len(page["data"]) == 2
    assert page["links"]["next"].startswith(api.base_url + "/products?")
    second = api.get(page["links"]["next"].replace(api.base_url, "")).json()
    assert len(second["data"]) == 1 and "next" not in second["links"]
    capped = api.get("/products?page[size]=1000").json()
    assert "page[size]=100" in capped["links"]["self"]


def test_unknown_route_and_method_are_json(api, emulator):
    assert error_of(api.get("/nowhere"))["status"] == "404"
    assert error_of(api.call("PUT", "/products"))["status"] == "405"
    assert requests.get(f"{emulator.root_url}/_emulator/nowhere").json()["errors"]


def test_lost_answer_applies_the_write_then_resets(api, emulator):
    emulator.admin("PUT", "faults", {"lost_answer_rate": 1.0, "seed": 1})
    try:
        api.call("POST", "/products", {"data": {"type": "product", "attributes": {"name": "Applied"}}})
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("expected the answer to be lost")
    assert [p["attributes"]["name"] for p in api.ok("GET", "/products")] == ["Applied"]  # reads are answered
    emulator.admin("DELETE", "faults")
    writes = [e for e in emulator.requests() if e["method"] == "POST" and e["path"] == "/v5/products"]
    assert [(e["path"], e["status"], e.get("answer_lost")) for e in writes] == [("/v5/products", 201, True)]


def test_lost_answers_are_seeded_and_settable(api, emulator):
    def run(prefix: str) -> list[bool]:
        emulator.admin("PUT", "faults", {"lost_answer_rate": 0.5, "seed": 11})
        lost = []
        for n in range(12):
            try:
                api.call("POST", "/products", {"data": {"type": "product", "attributes": {"name": f"{prefix}{n}"}}})
                lost.append(False)
            except requests.ConnectionError:
                lost.append(True)
        emulator.admin("DELETE", "faults")
        names = {p["attributes"]["name"] for p in api.ok("GET", "/products?page[size]=100")}
        assert {f"{prefix}{n}" for n in range(12)} <= names  # every write took effect
        return lost

    first = run("A")
    assert first == run("B") and set(first) == {True, False}
    assert emulator.admin("GET", "faults")["data"]["lost_answer_rate"] == 0
    response = requests.put(f"{emulator.root_url}/_emulator/faults", json={"lost_answer_rate": 1.5})
    assert response.status_code == 400 and "lost_answer_rate" in error_of(response)["detail"]
