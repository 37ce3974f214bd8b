"""Own emulator processes: persistence across restarts and kill -9, token expiry, rate limits."""

import signal
import time

import requests
from emulator_api import Api, error_of
from emulator_process import start_emulator


def login(base_url):
    response = requests.post(f"{base_url}/auth", json={"id": "demo", "password": "demo-password"})
    assert response.status_code == 200
    return Api(base_url, response.json()["access_token"])


def test_db_survives_sigterm_and_kill_9(tmp_path):
    db = str(tmp_path / "state.db")
    with start_emulator("--db", db, "--rate-limit", "off") as first:
        api = login(first.base_url)
        product = api.product("Persistent")
        group = api.group(product)
        api.deploy(group, 'server.log("x");')
        token = api.session.headers["Authorization"]
        assert first.stop() == 0  # SIGTERM: clean exit
    second = start_emulator("--db", db, "--rate-limit", "off")
    api = Api(second.base_url, "")
    api.session.headers["Authorization"] = token
    assert api.ok("GET", f"/products/{product['id']}")["attributes"]["name"] == "Persistent"
    written = [api.product(f"K{n}")["id"] for n in range(5)]
    second.stop(signal.SIGKILL)
    with start_emulator("--db", db, "--rate-limit", "off") as third:
        api = login(third.base_url)
        names = {p["attributes"]["name"] for p in api.ok("GET", "/products?page[size]=100")}
        assert names == {"Persistent", "K0", "K1", "K2", "K3", "K4"}
        assert api.ok("GET", f"/products/{written[-1]}")
        assert len(api.devices()) == 8


def test_access_tokens_expire_after_token_ttl():
    with start_emulator("--token-ttl", "1", "--rate-limit", "off") as emu:
        body = requests.post(f"{emu.base_url}/auth", json={"id": "demo", "password": "demo-password"}).json()
        assert body["expires_in"] == 1
        api = Api(emu.base_url, body["access_token"])
        assert api.get("/products").status_code == 200
        time.sleep(1.2)
        expired = api.get("/products")
        assert expired.status_code == 401 and error_of(expired)["status"] == "401"
        refreshed = requests.post(f"{emu.base_url}/auth/token", json={"token": body["refresh_token"]})
        assert Api(emu.base_url, refreshed.json()["access_token"]).get("/products").status_code == 200


def test_rate_limit_headers_and_429():
    with start_emulator("--rate-limit", "5", "--seed", "empty") as emu:
        api = login(emu.base_url)
        statuses = []
        while int(time.monotonic() % 1 * 1000) > 500:  # start early in a window
            time.sleep(0.01)
        for _ in range(7):
            response = api.get("/products")
            statuses.append(response.status_code)
            assert response.headers["X-RateLimit-Limit"] == "5"
            assert int(response.headers["X-RateLimit-Reset"]) >= 1
        assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
        limited = api.get("/products")
        assert limited.status_code == 429
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert error_of(limited)["status"] == "429"
        assert limited.headers["Content-Type"].startswith("application/vnd.api+json")
        time.sleep(1.05)
        assert api.get("/products").status_code == 200
        assert api.get("/devices").json()["data"] == []


def test_bad_seed_file_is_reported(tmp_path):
    bad = tmp_path / "seed.yaml"
    bad.write_text("- not a mapping\n")
    try:
        start_emulator("--seed", str(bad))
    except RuntimeError as exc:
        assert "did not start" in str(exc)
    else:
        raise AssertionError("the emulator started with a bad seed")


def test_seed_file_describes_a_whole_state(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        """
accounts:
  - {username: alice, password: pw, email: alice@example.com, production: true}
products:
  - {name: Thermo, owner: alice}
devicegroups:
  - {name: Prod, product: Thermo, type: production}
  - {name: DUT, product: Thermo, type: dut}
  - {name: Factory, product: Thermo, type: factory, production_target: Prod, dut_target: DUT}
deployments:
  - {devicegroup: Thermo/Prod, device_code: 'server.log("v1");', tags: [v1]}
devices:
  - {owner: alice, name: line-1, imp_type: imp005, devicegroup: Thermo/Factory}
webhooks:
  - {devicegroup: Prod, url: "http://127.0.0.1:9/hook", event: blessing, content_type: urlencoded}
"""
    )
    with start_emulator("--seed", str(seed), "--rate-limit", "off") as emu:
        response = requests.post(f"{emu.base_url}/auth", json={"id": "alice", "password": "pw"})
        api = Api(emu.base_url, response.json()["access_token"])
        groups = {g["attributes"]["name"]: g for g in api.ok("GET", "/devicegroups")}
        assert groups["Factory"]["relationships"]["production_target"]["id"] == groups["Prod"]["id"]
        assert "current_deployment" in groups["Prod"]["relationships"]
        assert api.devices()[0]["relationships"]["devicegroup"]["id"] == groups["Factory"]["id"]
        assert len(api.ok("GET", "/webhooks")) == 1
