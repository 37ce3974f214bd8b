"""impt product create/info/list/update/delete against the emulator."""


def test_create_default_and_json(impt):
    result = impt.ok("product", "create", "-n", "P1", "-s", "First product")
    assert result.lines[0] == 'Product "P1" is created successfully.'
    assert result.lines[1] == "Product: " and result.lines[-1] == "IMPT COMMAND SUCCEEDS"
    data = impt.ok("product", "create", "-n", "P2", "-z", "json").json
    assert set(data["Product"]) == {"id", "name"} and data["Product"]["name"] == "P2"


def test_create_duplicate_fails(impt):
    impt.ok("product", "create", "-n", "P1")
    result = impt("product", "create", "-n", "P1")
    assert result.code == 1 and result.lines[0].startswith("Error: ") and result.lines[-1] == "IMPT COMMAND FAILS"
    assert "Error" in impt("product", "create", "-n", "P1", "-z", "json").json


def test_info_and_not_found(impt, product):
    result = impt.ok("product", "info", "-p", "P1")
    assert "  description: First" in result.lines
    data = impt.ok("product", "info", "-p", "P1", "-z", "json").json["Product"]
    assert data["id"] == product["product"] and "Owner" not in data
    missing = impt("product", "info", "-p", "nope")
    assert missing.code == 4 and missing.lines == ['Error: Product "nope" is not found.', "IMPT COMMAND FAILS"]
    assert impt("product", "info", "-p", "nope", "-z", "json").json == {"Error": 'Product "nope" is not found.'}


def test_info_full(impt, product):
    data = impt.ok("product", "info", "-p", "P1", "--full", "-z", "json").json["Product"]
    group = data["Device Groups"][0]["Device Group"]
    assert group["name"] == "DG1" and group["Devices"][0]["Device"]["name"] == "sensor-1"
    assert group["Current Deployment"]["id"] == product["build"]


def test_list_and_owner_filter(impt, product):
    result = impt.ok("product", "list")
    assert result.lines[0] == "Product list (1 items):"
    assert impt.ok("product", "list", "-o", "me", "-z", "json").json[0]["Product"]["name"] == "P1"
    assert impt.ok("product", "list", "-o", "collab", "-z", "json").json == []
    assert impt.ok("product", "list", "-o", "nobody@example.com").lines[0] == "No Products are found."


def test_update(impt, product):
    assert impt.ok("product", "update", "-p", "P1", "-n", "P9", "-s", "").lines[0] == (
        'Product "P1" is updated successfully.'
    )
    assert impt.ok("product", "info", "-p", "P9", "-z", "json").json["Product"]["description"] == ""
    assert impt("product", "update", "-p", "P1", "-n", "x").code == 4


def test_delete_needs_force_then_cascades(impt, product, emulator):
    emulator.clear_requests()
    refused = impt("product", "delete", "-p", "P1", "-q")
    # impCentral's title and detail first (impcentral-api §13, what impt 2.6.1 shows; issue 23), then ours
    assert refused.code == 1 and refused.lines[0] == (
        "Error: Dependent Devicegroups Exist: Cannot delete a product with associated devicegroups. "
        f'Nothing was deleted: Product "P1" ({product["product"]}) has Device Groups (DG1); use force to delete '
        "them too."
    )
    assert not [r for r in emulator.requests() if r["method"] != "GET"]  # refused before any write
    emulator.clear_requests()
    result = impt.ok("product", "delete", "-p", "P1", "--force", "--builds", "-q")
    assert 'Device "' in result.lines[0] and "is unassigned successfully." in result.lines[0]
    assert f'Deployment "{product["build"]}" is updated successfully.' in result.lines
    assert result.lines.index('Product "P1" is deleted successfully.') > result.lines.index(
        f'Device Group "{product["dg"]}" is deleted successfully.'
    )
    # The group's deployments go with the group (impCentral does that): no DELETE is wasted on them, and
    # the line is impt 2.6's (whose DELETE gets a 404), never "deleted successfully" for an unsent request.
    assert f'Deployment "{product["build"]}" is already deleted.' in result.lines
    assert not any("Deployment" in line and "deleted successfully" in line for line in result.lines)
    deletes = [r["path"] for r in emulator.requests() if r["method"] == "DELETE"]
    assert not any(path.startswith("/v5/deployments/") for path in deletes)
    assert impt.ok("product", "list", "-z", "json").json == []


def test_delete_confirmation(impt, product):
    no_tty = impt("product", "delete", "-p", "P1", "-f")
    assert no_tty.code == 2 and "--confirmed" in no_tty.lines[0]
    canceled = impt("product", "delete", "-p", "P1", "-f", stdin="n\n")
    assert "The following entities will be deleted:" in canceled.out
    assert "Are you sure you want to continue?" in canceled.out
    assert canceled.code == 1 and canceled.lines[-2:] == ["Operation is canceled.", "IMPT COMMAND FAILS"]
    accepted = impt("product", "delete", "-p", "P1", "-f", "-b", stdin="maybe\ny\n")
    assert accepted.code == 0 and "Invalid value!" in accepted.out


def test_delete_json_mode_keeps_stdout_clean(impt, product):
    result = impt("product", "delete", "-p", "P1", "-f", "-b", "-z", "json", stdin="y\n")
    assert result.code == 0 and result.json == {}
    assert "Are you sure" in result.err


def test_info_full_json_lists_every_device_of_a_group(impt, emulator, product):
    ids = [impt.ok("device", "info", "-d", "sensor-1", "-z", "json").json["Device"]["id"]]
    for n in range(6):
        device = emulator.add_device(name=f"extra-{n}")
        impt.ok("device", "assign", "-d", device["id"], "-g", "DG1")
        ids.append(device["id"])
    data = impt.ok("product", "info", "-p", "P1", "--full", "-z", "json").json["Product"]
    devices = data["Device Groups"][0]["Device Group"]["Devices"]
    assert all(isinstance(item, dict) for item in devices)
    assert sorted(item["Device"]["id"] for item in devices) == sorted(ids)
    text = impt.ok("product", "info", "-p", "P1", "--full")
    assert text.lines.count("        Device: ") == 5 and "        ... 2 more Device(s)" in text.lines


def test_info_full_without_device_groups_has_no_device_groups_key(impt):
    impt.ok("product", "create", "-n", "Empty")
    data = impt.ok("product", "info", "-p", "Empty", "--full", "-z", "json").json["Product"]
    assert data["name"] == "Empty" and "Device Groups" not in data
    for mode in ((), ("-z", "minimal")):
        text = impt.ok("product", "info", "-p", "Empty", "--full", *mode)
        assert not any(line.strip().startswith("Device Groups:") for line in text.lines)
        assert text.lines[0] == "Product: " and text.lines[5].startswith("  updated_at:")


def test_force_delete_converges_when_answers_are_lost(impt, emulator, product):
    """`product delete --force --builds -q` with half the write answers dropped after the write is applied."""
    impt.ok("dg", "create", "-n", "DG2", "-p", "P1")
    for group in ("DG1", "DG2"):
        impt.ok("build", "deploy", "-g", group, "-f", "-s", f"flagged in {group}")
        impt.ok("device", "assign", "-d", emulator.add_device(name=f"lost-{group}")["id"], "-g", group)
    impt.ok("build", "deploy", "-g", "DG2", "-s", "plain")
    devices = [d["Device"]["id"] for d in impt.ok("device", "list", "-p", "P1", "-z", "json").json]
    emulator.clear_requests()
    emulator.admin("PUT", "faults", {"lost_answer_rate": 0.5, "seed": 5})
    result = impt("product", "delete", "-p", "P1", "--force", "--builds", "-q")
    emulator.admin("DELETE", "faults")
    assert result.code == 0, result.out + result.err
    assert any(r.get("answer_lost") for r in emulator.requests())
    # A write whose answer was lost is retried; its 404 reads as impt's "already deleted/unassigned".
    assert result.lines[-1] == "IMPT COMMAND SUCCEEDS"
    assert {'Product "P1" is deleted successfully.', 'Product "P1" is already deleted.'} & set(result.lines)
    assert not any(line.startswith("Error") for line in result.lines)
    assert impt.ok("product", "list", "-z", "json").json == []
    assert impt.ok("dg", "list", "-z", "json").json == []
    assert impt.ok("build", "list", "-z", "json").json == []
    listed = [d["Device"]["id"] for d in impt.ok("device", "list", "-z", "json").json]
    assert len(listed) == len(set(listed)) and set(devices) <= set(listed)
    assert all("Device Group" not in d["Device"] for d in impt.ok("device", "list", "-z", "json").json)


def test_delete_builds_takes_the_zombies_and_never_claims_unsent_deletes(zimpt):
    assert {b["Deployment"]["id"] for b in zimpt.ok("build", "list", "--zombie", "-z", "json").json} == {
        "build-zombie-1",
        "build-zombie-2",
    }
    result = zimpt.ok("product", "delete", "-p", "P1", "--force", "--builds", "-q")
    assert 'Deployment "build-zombie-1" is deleted successfully.' in result.lines
    assert 'Deployment "build-zombie-2" is updated successfully.' in result.lines  # unflagged first
    assert 'Deployment "build-zombie-2" is deleted successfully.' in result.lines
    assert 'Deployment "build-dg1-1" is already deleted.' in result.lines  # went with its group
    assert zimpt.ok("build", "list", "-z", "json").json == []


def test_control_characters_are_escaped_in_text_raw_in_json(zimpt):
    names = [p["Product"]["name"] for p in zimpt.ok("product", "list", "-z", "json").json]
    assert "Bell\x07\x1b[31mRed" in names
    for mode in ((), ("-z", "minimal")):
        text = zimpt.ok("product", "list", *mode).out
        assert "\x1b" not in text and "\x07" not in text
        assert "Bell\\x07\\x1b[31mRed" in text
    device = zimpt.ok("device", "info", "-d", "dev-tty").out
    assert "\x1b" not in device and "tty\\x1b]0;owned\\x07" in device


def test_short_forms_leave_out_false_values(zimpt):
    builds = {b["Deployment"]["id"]: b["Deployment"] for b in zimpt.ok("build", "list", "-z", "json").json}
    assert builds["build-dg1-1"]["flagged"] is True
    assert "flagged" not in builds["build-prod-1"]
    devices = {d["Device"]["id"]: d["Device"] for d in zimpt.ok("device", "list", "-z", "json").json}
    assert "device_online" not in devices["dev-tty"] and devices["dev-sensor-1"]["device_online"] is True
    assert not any(line.strip() == "flagged: false" for line in zimpt.ok("build", "list").lines)
