"""impt loginkey commands against the emulator."""


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
