"""impt account commands against the emulator."""


def test_account_info_and_list(impt):
    me = impt.ok("account", "info").lines
    assert me[0] == "Account: " and any(line.endswith("demo") for line in me)
    assert impt.ok("account", "info", "-u", "demo@example.com", "-z", "json").json["Account"]["username"] == "demo"
    accounts = impt.ok("account", "list", "-z", "json").json
    assert "demo" in {a["Account"]["username"] for a in accounts}
    assert impt.ok("account", "list").lines[0].startswith("Account list (")
    assert impt("account", "info", "-u", "nobody").code == 4
