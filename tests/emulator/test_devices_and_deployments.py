"""Spec §7, §7.1, §8 and §9: devices, assignment rules, deployments and historical logs."""

import hashlib
import re
import time

from emulator_api import error_of


def test_demo_devices_and_formats(api):
    devices = api.devices()
    assert len(devices) == 8
    assert sorted(d["attributes"]["imp_type"] for d in devices).count("imp005") == 2
    for device in devices:
        attributes = device["attributes"]
        assert re.fullmatch(r"[0-9a-f]{16}", device["id"])
        assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", attributes["mac_address"])
        assert attributes["agent_id"] is None and attributes["device_online"] is True
        assert "devicegroup" not in device["relationships"]


def test_device_path_accepts_id_mac_and_agent_id(api):
    device = api.devices()[3]
    group = api.group(api.product())
    by_mac = api.ok("GET", f"/devices/{device['attributes']['mac_address']}")
    assert by_mac["id"] == device["id"]
    assert api.assign(group, device["attributes"]["mac_address"]).status_code == 204
    assigned = api.ok("GET", f"/devices/{device['id']}")
    agent = assigned["attributes"]["agent_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", agent)
    assert assigned["relationships"]["devicegroup"] == {"type": group["type"], "id": group["id"]}
    assert api.ok("GET", f"/devices/{agent}")["id"] == device["id"]
    assert api.get("/devices/0000000000000000").status_code == 404


def test_device_rename_delete_and_restart_rules(api):
    device = api.devices()[4]
    patch = {"data": {"type": "device", "id": device["id"], "attributes": {"name": "renamed"}}}
    assert api.ok("PATCH", f"/devices/{device['id']}", patch)["attributes"]["name"] == "renamed"
    readonly = {"data": {"type": "device", "attributes": {"imp_type": "imp001"}}}
    assert api.call("PATCH", f"/devices/{device['id']}", readonly).status_code == 400
    assert api.call("POST", f"/devices/{device['id']}/restart").status_code == 400
    group = api.group(api.product())
    api.assign(group, device["id"])
    assert api.call("POST", f"/devices/{device['id']}/restart").status_code == 204
    api.ok("DELETE", f"/devices/{device['id']}")
    assert api.get(f"/devices/{device['id']}").status_code == 404


def test_multi_device_assignment_partly_fails_with_404_items(api):
    group = api.group(api.product())
    good = api.devices()[2]["id"]
    response = api.assign(group, good, "nope-1", "nope-2")
    assert response.status_code == 400
    assert [e["status"] for e in response.json()["errors"]] == ["404", "404"]
    assert api.ok("GET", f"/devices/{good}")["relationships"]["devicegroup"]["id"] == group["id"]
    moved = api.group(api.product("Other"), "Other")
    assert api.assign(moved, good).status_code == 204
    assert api.unassign(group, good).status_code == 400


def test_assignment_rules_by_group_type(api, production_setup, emulator):
    production, dut = production_setup["production"], production_setup["dut"]
    device = api.devices()[5]
    refused = api.assign(production, device["id"])
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "CX007"
    assert api.assign(dut, device["id"]).status_code == 400
    emulator.admin("POST", f"devices/{device['id']}/blinkup", {"fixture": production_setup["fixture"]["id"]})
    emulator.admin("POST", f"devices/{device['id']}/bless", {"fixture": production_setup["fixture"]["id"]})
    sibling = api.group(production_setup["product"], "Prod2", "production_devicegroup")
    assert api.assign(sibling, device["id"]).status_code == 204
    development = api.group(production_setup["product"], "Dev")
    assert api.assign(development, device["id"]).status_code == 400
    imp001 = emulator.add_device(imp_type="imp001")
    assert api.assign(production_setup["factory"], imp001["id"]).status_code == 400


def test_production_unassign_needs_unbond_key(api, production_setup, emulator):
    device = api.devices()[6]
    emulator.admin("POST", f"devices/{device['id']}/blinkup", {"fixture": production_setup["fixture"]["id"]})
    emulator.admin("POST", f"devices/{device['id']}/bless", {"fixture": production_setup["fixture"]["id"]})
    production = production_setup["production"]
    no_key = api.unassign(production, device["id"])
    assert no_key.status_code == 403 and error_of(no_key)["code"].startswith("PX")
    emulator.admin("PATCH", f"devices/{device['id']}", {"unbond_key": "secret-key"})
    assert api.unassign(production, device["id"], unbond_key="secret-key").status_code == 204
    assert "devicegroup" not in api.ok("GET", f"/devices/{device['id']}")["relationships"]


def test_unassigned_filter_and_group_filters(api):
    group = api.group(api.product())
    device = api.devices()[0]["id"]
    api.assign(group, device)
    unassigned = api.ok("GET", "/devices?filter[devicegroup.owner.id]=null&page[size]=100")
    assert device not in [d["id"] for d in unassigned] and len(unassigned) == 7
    in_group = api.ok("GET", f"/devices?filter%5Bdevicegroup.id%5D={group['id']}")
    assert [d["id"] for d in in_group] == [device]
    assert api.ok("GET", "/devices?filter[devicegroup.type]=development_devicegroup")[0]["id"] == device


def test_deployment_sha_current_and_filters(api):
    group = api.group(api.product())
    first = api.deploy(group, "dev", "agent", tags=["v1", "rc"], origin="ci", description="one")
    expected = hashlib.sha256(b"dev\x00agent").hexdigest()
    assert first["attributes"]["sha"] == expected
    assert first["relationships"]["devicegroup"] == {"type": group["type"], "id": group["id"]}
    second = api.deploy(group, "dev", "agent")
    assert second["attributes"]["sha"] == expected
    current = api.ok("GET", f"/devicegroups/{group['id']}")["relationships"]["current_deployment"]
    assert current == {"type": "deployment", "id": second["id"]}
    assert [d["id"] for d in api.ok("GET", "/deployments?filter[tags]=rc,v1")] == [first["id"]]
    assert len(api.ok("GET", f"/deployments?filter[sha]={expected}")) == 2
    assert api.get("/deployments?filter[flagged]=maybe").status_code == 400
    readonly = {"data": {"type": "deployment", "attributes": {"origin": "x"}}}
    assert api.call("PATCH", f"/deployments/{first['id']}", readonly).status_code == 400
    bad_tag = {"data": {"type": "deployment", "attributes": {"tags": ["no spaces"]}}}
    assert api.call("PATCH", f"/deployments/{first['id']}", bad_tag).status_code == 400


def test_deployment_delete_rules(api):
    group = api.group(api.product())
    old, mid, new = (api.deploy(group, f"// code {n}") for n in range(3))
    assert api.call("DELETE", f"/deployments/{new['id']}").status_code == 400
    api.ok("PATCH", f"/deployments/{old['id']}", {"data": {"type": "deployment", "attributes": {"flagged": True}}})
    flagged = api.call("DELETE", f"/deployments/{old['id']}")
    assert (error_of(flagged)["title"], error_of(flagged)["detail"]) == (
        "Resource Flagged",
        "You cannot delete flagged deployments; set the flagged attribute to false and try again.",
    )
    min_body = {"data": {"type": "deployment", "id": mid["id"]}}
    assert (
        api.call("PUT", f"/devicegroups/{group['id']}/relationships/min_supported_deployment", min_body).status_code
        == 204
    )
    relationships = api.ok("GET", f"/devicegroups/{group['id']}")["relationships"]
    assert relationships["min_supported_deployment"] == {"type": "deployment", "id": mid["id"]}
    assert api.call("DELETE", f"/deployments/{mid['id']}").status_code == 400
    older = {"data": {"type": "deployment", "id": old["id"]}}
    assert (
        api.call("PUT", f"/devicegroups/{group['id']}/relationships/min_supported_deployment", older).status_code == 400
    )
    api.ok("PATCH", f"/deployments/{old['id']}", {"data": {"type": "deployment", "attributes": {"flagged": False}}})
    api.ok("DELETE", f"/deployments/{old['id']}")
    assert api.call("DELETE", f"/deployments/{old['id']}").status_code == 404


def test_compile_error_is_cx005_with_locations(api):
    group = api.group(api.product())
    body = {
        "data": {
            "type": "deployment",
            "attributes": {"device_code": 'function f() {\n  server.log("}");\n', "agent_code": ""},
            "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
        }
    }
    response = api.call("POST", "/deployments", body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "CX005"
    # Squirrel's compiler finds the unclosed function at the end of the code (row 3).
    assert error["meta"] == [
        {"file": "device_code", "row": 3, "column": 1, "text": "expression expected", "type": "error"}
    ]


def test_historical_logs_newest_first_with_pages(api, emulator):
    device = api.devices()[1]["id"]
    emulator.admin("POST", f"devices/{device}/logs", {"lines": [f"message {n}" for n in range(1, 21)]})
    page = api.get(f"/devices/{device}/logs?page[number]=3&page[size]=5").json()
    assert [e["msg"] for e in page["data"]] == [f"message {n}" for n in range(10, 5, -1)]
    assert set(page["data"][0]) == {"ts", "type", "msg"}
    assert "next" in page["links"] and page["links"]["next"].startswith(emulator.base_url)
    last = api.get(f"/devices/{device}/logs?page[number]=5&page[size]=5").json()
    # after the 20 lines: the seeded boot, oldest last
    assert [e["msg"] for e in last["data"]][-1] == "Device connected"
    assert "next" not in last["links"]


def test_log_history_keeps_last_thousand(api, emulator):
    device = api.devices()[1]["id"]
    emulator.admin("POST", f"devices/{device}/logs", {"lines": [str(n) for n in range(1100)]})
    entries = []
    url = f"/devices/{device}/logs?page[size]=100"
    while url:
        body = api.get(url.replace(emulator.base_url, "")).json()
        entries += body["data"]
        url = body["links"].get("next")
    assert len(entries) == 1000 and entries[0]["msg"] == "1099"


def test_assignment_makes_the_device_log_its_code(api):
    group = api.group(api.product())
    api.deploy(group, 'server.log("device says \\"hi\\"");', 'server.log("agent up");')
    device = api.devices()[2]["id"]
    api.assign(group, device)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        # past the seeded history (a boot before the emulator started)
        logs = [(e["type"], e["msg"]) for e in reversed(api.ok("GET", f"/devices/{device}/logs"))][2:]
        if {("server.log", 'device says "hi"'), ("agent.log", "agent up")} <= set(logs):
            break
        time.sleep(0.05)
    assert logs[0] == ("status", "Device connected")
    assert re.fullmatch(r"Downloading new code; \d+\.\d\d% program storage used", logs[1][1])
    assert logs[2] == ("status", "Agent restarted: reload.")
    # the device and its agent run in two processes: their lines interleave either way
    assert sorted(logs[3:]) == [("agent.log", "agent up"), ("server.log", 'device says "hi"')]
