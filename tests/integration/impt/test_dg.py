"""impt dg commands against the emulator."""

import json


def test_create_and_types(impt, product):
    result = impt.ok("dg", "create", "-n", "PROD1", "-p", "P1", "-y", "pre-production", "-r", "")
    assert result.lines[0] == 'Device Group "PROD1" is created successfully.'
    impt.ok("dg", "create", "-n", "DUT1", "-p", "P1", "-y", "pre-dut")
    data = impt.ok(
        "dg", "create", "-n", "FF1", "-p", "P1", "-y", "pre-factory", "-t", "PROD1", "-u", "DUT1", "-z", "json"
    )
    assert data.json["Device Group"]["type"] == "pre-factory"
    info = impt.ok("dg", "info", "-g", "FF1", "-z", "json").json["Device Group"]
    assert info["Production Target"]["name"] == "PROD1" and info["DUT Target"]["type"] == "pre-dut"


def test_create_failures(impt, product):
    assert impt("dg", "create", "-n", "X", "-p", "P1", "-y", "pre-factory").lines[0] == (
        'Error: Option "--dut" must be specified for Device Group of type "pre-factory".'
    )
    region = impt("dg", "create", "-n", "X", "-p", "P1", "-r", "eu")
    assert region.code == 2 and region.lines[0].startswith('Error: Invalid option "--region"')
    assert impt("dg", "create", "-n", "X", "-p", "nope").code == 4
    assert impt("dg", "create", "-n", "X", "-p", "P1", "-y", "bogus").code == 2
    assert impt("dg", "create", "-n", "X", "-p", "P1", "-e", "{bad").code == 2
    assert impt("dg", "create", "-n", "DG1", "-p", "P1", "-z", "json").code == 1
    no_project = impt("dg", "create", "-n", "X")
    assert no_project.lines[0] == "Error: No Product Identifier is specified."


def test_info_full_and_json(impt, product):
    result = impt.ok("dg", "info", "-g", "DG1", "--full")
    assert "  Current Deployment: " in result.lines and "  Devices: " in result.lines
    data = impt.ok("dg", "info", "-g", "{me}{P1}{DG1}", "-z", "json").json["Device Group"]
    assert data["id"] == product["dg"] and data["Product"]["name"] == "P1"
    assert impt("dg", "info", "-g", "nope", "-z", "json").json == {"Error": 'Device Group "nope" is not found.'}
    assert impt("dg", "info", "-g", "").code == 2


def test_list_filters(impt, product):
    impt.ok("dg", "create", "-n", "PROD1", "-p", "P1", "-y", "pre-production")
    assert impt.ok("dg", "list").lines[0] == "Device Group list (2 items):"
    by_type = impt.ok("dg", "list", "-y", "pre-production", "-y", "production", "-z", "json").json
    assert [g["Device Group"]["name"] for g in by_type] == ["PROD1"]
    assert impt.ok("dg", "list", "-p", "P1", "-y", "development", "-z", "json").json[0]["Device Group"]["name"] == "DG1"
    assert impt.ok("dg", "list", "-p", "nothing").lines[0] == "No Device Groups are found."


def test_update_and_min_supported(impt, product):
    impt.ok("dg", "update", "-g", "DG1", "-n", "DG9", "-s", "described")
    assert impt.ok("dg", "info", "-g", "DG9", "-z", "json").json["Device Group"]["description"] == "described"
    result = impt.ok("dg", "update", "-g", "DG9", "-m", product["build"])
    assert result.lines[:2] == [
        'Min supported Deployment for Device Group "DG9" is updated successfully.',
        'Device Group "DG9" is updated successfully.',
    ]
    lcab = impt("dg", "update", "-g", "DG9", "-l")
    assert lcab.code == 2 and "load-code-after-blessing" in lcab.lines[0]


def test_restart_unassign_reassign(impt, product):
    impt.ok("dg", "create", "-n", "DG2", "-p", "P1")
    restart = impt.ok("dg", "restart", "-g", "DG1")
    assert restart.lines[0] == 'Restart request for Devices assigned to Device Group "DG1" is successful:'
    moved = impt.ok("dg", "reassign", "--from", "DG1", "--to", "DG2", "-z", "json").json
    assert moved == {}  # the device list is info-level output
    assert impt.ok("device", "info", "-d", "sensor-1", "-z", "json").json["Device"]["Device Group"]["name"] == "DG2"
    assert impt.ok("dg", "restart", "-g", "DG1").lines[0] == 'Device Group "DG1" does not have assigned Devices.'
    result = impt.ok("dg", "unassign", "-g", "DG2")
    assert result.lines[0] == 'The following Devices are unassigned successfully from Device Group "DG2":'
    assert impt("dg", "reassign", "-f", "nope", "-t", "DG2").code == 4


def test_builds_and_delete(impt, product):
    impt.ok("build", "deploy", "-g", "DG1", "-s", "second")
    result = impt.ok("dg", "builds", "-g", "DG1", "--unflag", "-q")
    assert f'Deployment "{product["build"]}" is updated successfully.' in result.lines
    assert "Deployment list (2 items):" in result.lines
    refused = impt("dg", "delete", "-g", "DG1", "-q")
    assert refused.code == 1
    deleted = impt.ok("dg", "delete", "-g", "DG1", "-f", "-q")
    assert deleted.lines[-2] == 'Device Group "DG1" is deleted successfully.'
    assert impt("dg", "delete", "-g", "DG1", "-q", "-z", "json").json == {"Error": 'Device Group "DG1" is not found.'}


def test_project_file_fallback(impt, product):
    project = {"deviceGroupId": product["dg"], "deviceFile": "device.nut", "agentFile": "agent.nut"}
    (impt.cwd / ".impt.project").write_text(json.dumps(project, indent=2))
    assert impt.ok("dg", "info", "-z", "json").json["Device Group"]["name"] == "DG1"
    assert impt.ok("build", "info", "-z", "json").json["Deployment"]["id"] == product["build"]
    assert impt.ok("build", "deploy").lines[0].endswith("is created successfully.")
    (impt.cwd / ".impt.project").write_text('{"deviceGroupId": "00000000-0000-0000-0000-000000000000"}')
    gone = impt("dg", "info")
    assert gone.lines[0].endswith("saved in Project File, does not exist anymore.")


def _six_devices(impt, emulator) -> list[str]:
    """sensor-1 plus five new devices, all in DG1 (one more than impt shows in text)."""
    ids = [impt.ok("device", "info", "-d", "sensor-1", "-z", "json").json["Device"]["id"]]
    for n in range(5):
        device = emulator.add_device(name=f"extra-{n}")
        impt.ok("device", "assign", "-d", device["id"], "-g", "DG1")
        ids.append(device["id"])
    return ids


def test_restart_reassign_unassign_device_list_is_info_level(impt, emulator, product):
    _six_devices(impt, emulator)
    impt.ok("dg", "create", "-n", "DG2", "-p", "P1")
    for mode in ("json", "minimal"):
        restart = impt.ok("dg", "restart", "-g", "DG1", "-z", mode)
        assert (restart.json == {}) if mode == "json" else (restart.out == "")
    text = impt.ok("dg", "restart", "-g", "DG1")
    assert [line for line in text.lines if line == "Device: "] == ["Device: "] * 5
    assert text.lines[-2:] == ["And 1 more Device(s).", "IMPT COMMAND SUCCEEDS"]
    assert impt.ok("dg", "reassign", "--from", "DG1", "--to", "DG2", "-z", "json").json == {}
    assert impt.ok("dg", "reassign", "--from", "DG2", "--to", "DG1", "-z", "minimal").out == ""
    reassigned = impt.ok("dg", "reassign", "--from", "DG1", "--to", "DG2")
    assert reassigned.lines.count("Device: ") == 5 and "And 1 more Device(s)." in reassigned.lines
    unassigned = impt.ok("dg", "unassign", "-g", "DG2", "-z", "json")
    assert unassigned.json == {}
    devices = impt.ok("device", "list", "--assigned", "-z", "json").json
    assert devices == []


def test_unassign_minimal_and_text_show_five_devices_at_most(impt, emulator, product):
    ids = _six_devices(impt, emulator)
    assert impt.ok("dg", "unassign", "-g", "DG1", "-z", "minimal").out == ""
    assert impt.ok("device", "list", "--assigned", "-z", "json").json == []
    for device_id in ids:
        impt.ok("device", "assign", "-d", device_id, "-g", "DG1")
    text = impt.ok("dg", "unassign", "-g", "DG1")
    assert text.lines.count("Device: ") == 5 and text.lines[-2] == "And 1 more Device(s)."


def test_info_full_json_lists_every_device(impt, emulator, product):
    ids = _six_devices(impt, emulator)
    data = impt.ok("dg", "info", "-g", "DG1", "--full", "-z", "json").json["Device Group"]
    assert all(isinstance(item, dict) for item in data["Devices"])
    assert sorted(item["Device"]["id"] for item in data["Devices"]) == sorted(ids)
    text = impt.ok("dg", "info", "-g", "DG1", "--full")
    assert text.lines.count("    Device: ") == 5 and "    ... 1 more Device(s)" in text.lines


def test_create_fixture_group_checks_dut_then_target_before_any_request(impt, emulator, product):
    for dg_type in ("pre-factory", "factory"):
        for product_value in ("P1", "no-such-product"):
            emulator.clear_requests()
            neither = impt("dg", "create", "-n", "FF1", "-p", product_value, "-y", dg_type)
            assert neither.code == 2 and neither.lines == [
                f'Error: Option "--dut" must be specified for Device Group of type "{dg_type}".',
                "IMPT COMMAND FAILS",
            ]
            only_dut = impt("dg", "create", "-n", "FF1", "-p", product_value, "-y", dg_type, "-u", "x", "-z", "json")
            assert only_dut.code == 2 and only_dut.json == {
                "Error": f'Option "--target" must be specified for Device Group of type "{dg_type}".'
            }
            only_target = impt("dg", "create", "-n", "FF1", "-p", product_value, "-y", dg_type, "-t", "x")
            assert only_target.lines[0] == (
                f'Error: Option "--dut" must be specified for Device Group of type "{dg_type}".'
            )
            assert emulator.requests() == []


def _writes(emulator) -> list:
    return [(r["method"], r["path"]) for r in emulator.requests() if r["method"] not in ("GET", "HEAD")]


def test_force_delete_of_a_target_group_fails_before_any_write(impt, emulator, product):
    """A production group that a factory group targets: nothing is unassigned, unflagged or deleted."""
    prod = impt.ok("dg", "create", "-n", "PROD", "-p", "P1", "-y", "production", "-z", "json").json["Device Group"]
    impt.ok("dg", "create", "-n", "DUT", "-p", "P1", "-y", "dut")
    factory = impt.ok(
        "dg", "create", "-n", "FF", "-p", "P1", "-y", "factory", "-t", "PROD", "-u", "DUT", "-z", "json"
    ).json["Device Group"]
    build = impt.ok("build", "deploy", "-g", "PROD", "-f", "-z", "json").json["Deployment"]["id"]
    emulator.clear_requests()
    refused = impt("dg", "delete", "-g", "PROD", "--force", "-q")
    assert refused.code == 1
    assert refused.lines == [
        f'Error: Nothing was deleted: Device Group "PROD" ({prod["id"]}) is the production target of '
        f'Device Group "FF" ({factory["id"]}), which is not deleted.',
        "IMPT COMMAND FAILS",
    ]
    assert _writes(emulator) == []
    assert impt("dg", "delete", "-g", "PROD", "--force").lines[0] == refused.lines[0]  # before the dialog too
    as_json = impt("dg", "delete", "-g", "PROD", "--force", "-q", "-z", "json")
    assert as_json.code == 1 and as_json.json == {"Error": refused.lines[0].removeprefix("Error: ")}
    assert _writes(emulator) == []
    assert impt.ok("build", "info", "-b", build, "-z", "json").json["Deployment"]["flagged"] is True


def test_force_delete_converges_when_answers_are_lost(impt, emulator, product):
    """Half the answers to writes are dropped after the write is applied: one run still ends clean."""
    impt.ok("build", "deploy", "-g", "DG1", "-f", "-s", "second flagged")
    for n in range(3):
        impt.ok("device", "assign", "-d", emulator.add_device(name=f"lost-{n}")["id"], "-g", "DG1")
    devices = [d["Device"]["id"] for d in impt.ok("device", "list", "-g", "DG1", "-z", "json").json]
    emulator.clear_requests()
    emulator.admin("PUT", "faults", {"lost_answer_rate": 0.5, "seed": 3})
    result = impt("dg", "delete", "-g", "DG1", "--force", "-q")
    emulator.admin("DELETE", "faults")
    assert result.code == 0, result.out + result.err
    assert any(r.get("answer_lost") for r in emulator.requests())
    # A write whose answer was lost is retried; its 404 reads as impt's "already deleted/unassigned".
    assert result.lines[-1] == "IMPT COMMAND SUCCEEDS"
    assert result.lines[-2] in ('Device Group "DG1" is deleted successfully.', 'Device Group "DG1" is already deleted.')
    assert not any(line.startswith("Error") for line in result.lines)
    assert impt.ok("dg", "list", "-p", "P1").lines[0] == "No Device Groups are found."
    assert impt.ok("build", "list", "-p", "P1").lines[0] == "No Deployments are found."
    for device in devices:  # unassigned, still in the account, once
        assert "Device Group" not in impt.ok("device", "info", "-d", device, "-z", "json").json["Device"]
    listed = [d["Device"]["id"] for d in impt.ok("device", "list", "-z", "json").json]
    assert len(listed) == len(set(listed)) and set(devices) <= set(listed)


def test_env_vars_empty_is_an_empty_object(impt, product):
    group = impt.ok("dg", "info", "-g", "DG1", "-z", "json").json["Device Group"]
    assert group["env_vars"] == {}


def test_single_dash_long_options_as_the_production_guide_types_them(impt, product):
    assert impt.ok("dg", "info", "-dg", "DG1", "-z", "json").json["Device Group"]["id"] == product["dg"]
    assert impt.ok("dg", "list", "-product", "P1", "-output", "json").json[0]["Device Group"]["name"] == "DG1"
    missing = impt("dg", "info", "-g")
    assert missing.code == 2 and missing.lines[0] == "Error: Not enough arguments following: g"
    assert impt("dg", "info", "--dg").lines[0] == "Error: Not enough arguments following: dg"
    assert impt("dg", "info", "-g", "DG1", "-z").lines[0] == "Error: Not enough arguments following: z"
    assert impt.ok("dg", "info", "-g", "DG1", "--full", "-z", "json", "--full").json["Device Group"]["name"] == "DG1"


def test_blank_name_is_refused_before_any_request(impt, product, emulator):
    emulator.clear_requests()
    blank = impt("dg", "create", "-n", "   ", "-p", "P1")
    assert blank.code == 2 and blank.lines[0] == 'Error: Option "--name" must not be empty.'
    assert emulator.requests() == []
