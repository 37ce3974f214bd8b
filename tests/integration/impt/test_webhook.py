"""impt webhook commands against the emulator."""


def test_webhook_lifecycle(impt, product):
    created = impt.ok("webhook", "create", "-g", "DG1", "-u", "http://example.com/h", "-e", "deployment", "-m", "json")
    hook_id = created.lines[0].split('"')[1]
    assert impt("webhook", "create", "-g", "DG1", "-u", "x", "-e", "nope", "-m", "json").code == 2
    info = impt.ok("webhook", "info", "-w", hook_id, "-z", "json").json["Webhook"]
    assert info["content_type"] == "json" and info["Device Group"]["name"] == "DG1"
    assert impt.ok("webhook", "list", "-p", "P1", "-e", "deployment", "-z", "json").json[0]["Webhook"]["id"] == hook_id
    assert impt.ok("webhook", "list", "-y", "production").lines[0] == "No Webhooks are found."
    impt.ok("webhook", "update", "-w", hook_id, "-m", "urlencoded", "-u", "http://example.com/2")
    assert impt.ok("webhook", "info", "-w", hook_id, "-z", "json").json["Webhook"]["url"] == "http://example.com/2"
    # impt 2.6: neither --url nor --mime succeeds and changes nothing.
    assert impt.ok("webhook", "update", "-w", hook_id).lines[0] == f'Webhook "{hook_id}" is updated successfully.'
    assert impt.ok("webhook", "info", "-w", hook_id, "-z", "json").json["Webhook"]["url"] == "http://example.com/2"
    assert impt.ok("webhook", "delete", "-w", hook_id, "-q").lines[0] == f'Webhook "{hook_id}" is deleted successfully.'
    assert impt("webhook", "info", "-w", hook_id, "-z", "json").code == 4
