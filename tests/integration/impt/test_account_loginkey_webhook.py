"""impt account, loginkey and webhook commands against the emulator."""


def test_account_info_and_list(impt):
    me = impt.ok("account", "info").lines
    assert me[0] == "Account: " and any(line.endswith("demo") for line in me)
    assert impt.ok("account", "info", "-u", "demo@example.com", "-z", "json").json["Account"]["username"] == "demo"
    accounts = impt.ok("account", "list", "-z", "json").json
    assert "demo" in {a["Account"]["username"] for a in accounts}
    assert impt.ok("account", "list").lines[0].startswith("Account list (")
    assert impt("account", "info", "-u", "nobody").code == 4


def test_loginkey_lifecycle(impt):
    created = impt.ok("loginkey", "create", "-w", "demo-password", "-s", "my key")
    assert created.lines[0].startswith('Login Key "') and created.lines[0].endswith('" is created successfully.')
    key = impt.ok("loginkey", "list", "-z", "json").json[0]["Login Key"]
    assert key["description"] == "my key"
    assert impt.ok("loginkey", "info", "-k", key["id"], "-z", "json").json["Login Key"]["id"] == key["id"]
    assert impt.ok("loginkey", "update", "-k", key["id"], "-w", "demo-password", "-s", "renamed").lines[0] == (
        f'Login Key "{key["id"]}" is updated successfully.'
    )
    assert impt("loginkey", "update", "-k", key["id"], "-w", "demo-password").code == 2
    assert impt("loginkey", "delete", "-k", key["id"], "-w", "wrong", "-q").code != 0
    assert impt("loginkey", "create").code == 2  # password needed, no terminal: a usage error
    assert impt.ok("loginkey", "delete", "-k", key["id"], "-w", "demo-password", "-q").lines[0] == (
        f'Login Key "{key["id"]}" is deleted successfully.'
    )
    assert impt("loginkey", "info", "-k", key["id"]).code == 4


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
    assert impt("webhook", "update", "-w", hook_id).code == 1
    assert impt.ok("webhook", "delete", "-w", hook_id, "-q").lines[0] == f'Webhook "{hook_id}" is deleted successfully.'
    assert impt("webhook", "info", "-w", hook_id, "-z", "json").code == 4
