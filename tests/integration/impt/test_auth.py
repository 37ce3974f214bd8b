"""Login/logout/info and the Command Execution Context with real auth files."""

import json
import stat


def test_login_writes_auth_file(impt):
    text = (impt.cwd / ".impt.auth").read_text()
    data = json.loads(text)
    assert list(data)[:3] == ["endpoint", "accessToken", "expiresAt"] and not text.endswith("\n")
    assert "password" not in text and "demo-password" not in text
    assert stat.S_IMODE((impt.cwd / ".impt.auth").stat().st_mode) == 0o600


def test_login_existing_file_needs_confirmation(impt):
    args = ("auth", "login", "--local", "--endpoint", impt.base_url, "-u", "demo", "-w", "demo-password")
    assert impt(*args).code == 2
    assert "The Local Auth File already exists. It will be overwritten." in impt(*args, stdin="y\n").out


def test_login_failures(impt):
    assert impt("auth", "login", "-u", "demo", "-k", "key").lines[0] == (
        'Error: Options "--user" and "--lk" are mutually exclusive.'
    )
    assert (
        impt("auth", "login", "-w", "x").lines[0] == 'Error: Options "--pwd" and "--user" must be specified together.'
    )
    bad = impt("auth", "login", "--endpoint", impt.base_url, "-u", "demo", "-w", "wrong", "-q")
    assert bad.code == 3 and not (impt.home / ".impt.auth").exists()
    assert impt("auth", "login", "--endpoint", impt.base_url, "-u", "demo", "-q").code == 2  # no terminal to ask


def test_mfa_prompts_for_otp(impt):
    base = ("auth", "login", "--endpoint", impt.base_url, "-u", "mfa", "-w", "mfa-password", "-q")
    assert impt(*base, stdin="123456\n").code == 0
    assert impt(*base).code != 0


def test_temp_login_has_no_refresh_data(impt):
    impt.ok("auth", "login", "--endpoint", impt.base_url, "-u", "demo", "-w", "demo-password", "--temp", "-q")
    data = json.loads((impt.home / ".impt.auth").read_text())
    assert "refreshToken" not in data and "loginKey" not in data


def test_info_and_logout(impt):
    info = impt.ok("auth", "info")
    assert info.lines[:2] == ["Auth: ", "  Auth type:                 Local Auth file"]
    data = impt.ok("auth", "info", "-z", "json").json["Auth"]
    assert data["Username"] == "demo" and data["Access token auto refresh"] is True
    assert impt.ok("auth", "logout", "--local").lines[0] == "Local logout is successful."
    assert impt("auth", "logout", "--local").lines[0] == "Error: Local Auth File is not found."
    assert impt("auth", "info").lines[0] == "Error: You are not logged in."


def test_context_precedence(impt, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    impt.ok("auth", "login", "--endpoint", impt.base_url, "-u", "collab", "-w", "collab-password", "-q")
    (impt.cwd / ".impt.auth").rename(other / ".impt.auth")
    assert impt.ok("auth", "info", "-z", "json").json["Auth"]["Username"] == "collab"
    env = {"IMPT_AUTH_FILE_PATH": str(other)}
    assert impt.ok("auth", "info", "-z", "json", env=env).json["Auth"]["Auth type"] == f"Auth file path: {other}"
    env = {"IMPT_USER": "demo", "IMPT_PASSWORD": "demo-password", "IMPT_ENDPOINT": impt.base_url}
    data = impt.ok("auth", "info", "-z", "json", env=env).json["Auth"]
    assert data["Auth type"] == "Environment variables" and data["Username"] == "demo"
    assert impt.ok("product", "list", env=env).code == 0
    missing = impt("auth", "info", env={"IMPT_AUTH_FILE_PATH": str(tmp_path / "none")})
    assert missing.lines[0] == "Error: Auth File is not found."


def test_login_key_env_and_file(impt):
    key = impt.ok("loginkey", "create", "-w", "demo-password", "-z", "json").json["Login Key"]["id"]
    env = {"IMPT_LOGINKEY": key, "IMPT_ENDPOINT": impt.base_url}
    (impt.cwd / ".impt.auth").unlink()
    assert impt.ok("auth", "info", "-z", "json", env=env).json["Auth"]["Login method"] == "Login Key"
    impt.ok("auth", "login", "--local", "--endpoint", impt.base_url, "-k", key, "-q")
    assert json.loads((impt.cwd / ".impt.auth").read_text())["loginKey"] == key


def test_unknown_login_key_is_an_auth_failure(impt):
    """POST /auth/token answers 404 for an unknown key: exit 3 (authentication), not 4 (not found)."""
    (impt.cwd / ".impt.auth").unlink()
    failed = impt("product", "list", env={"IMPT_LOGINKEY": "no-such-key", "IMPT_ENDPOINT": impt.base_url})
    assert failed.code == 3 and failed.lines[0].startswith("Error: ") and "no-such-key" not in failed.out


def test_expired_token_is_refreshed_and_saved(impt):
    path = impt.cwd / ".impt.auth"
    data = json.loads(path.read_text())
    data["expiresAt"] = "2000-01-01T00:00:00.000Z"
    path.write_text(json.dumps(data, indent=2))
    impt.ok("product", "list")
    assert json.loads(path.read_text())["expiresAt"] != "2000-01-01T00:00:00.000Z"


def test_bad_refresh_token(impt):
    path = impt.cwd / ".impt.auth"
    data = json.loads(path.read_text())
    data.update(expiresAt="2000-01-01T00:00:00.000Z", refreshToken="invalid")
    path.write_text(json.dumps(data, indent=2))
    result = impt("product", "list")
    assert result.code == 3 and "Traceback" not in result.out
    assert result.lines[-2] == 'Please relogin using "impt auth login --local" command and then try again.'


def _break_refresh(impt) -> None:
    path = impt.cwd / ".impt.auth"
    data = json.loads(path.read_text())
    data.update(expiresAt="2000-01-01T00:00:00.000Z", refreshToken="invalid")
    path.write_text(json.dumps(data, indent=2))


def test_failed_refresh_json_is_one_error_document(impt):
    """json stdout is one parseable document: the error, not the partial Auth block and then the error."""
    ok = impt.ok("auth", "info", "-z", "json").json
    assert list(ok) == ["Auth"] and ok["Auth"]["Auth type"] == "Local Auth file" and ok["Auth"]["Username"]
    _break_refresh(impt)
    error = {"Error": "Impossible to refresh access token for the Local Auth File."}
    for argv in (("auth", "info"), ("product", "list")):
        result = impt(*argv, "-z", "json")
        assert result.code == 3 and json.loads(result.out) == error


def test_failed_refresh_minimal_has_no_relogin_hint(impt):
    _break_refresh(impt)
    assert impt("product", "list", "-z", "minimal").lines == [
        "Error: Impossible to refresh access token for the Local Auth File."
    ]
    info = impt("auth", "info", "-z", "minimal")
    assert info.code == 3 and info.lines[0] == "Auth: "
    assert info.lines[-1] == "Error: Impossible to refresh access token for the Local Auth File."
    text = impt("auth", "info")
    assert text.lines[-2:] == [
        'Please relogin using "impt auth login --local" command and then try again.',
        "IMPT COMMAND FAILS",
    ]


def test_debug_mode_hides_secrets(impt):
    result = impt.ok("product", "list", "-z", "debug")
    assert "Doing the request with options:" in result.out and "Response code: 200" in result.out
    token = json.loads((impt.cwd / ".impt.auth").read_text())["accessToken"]
    assert token not in result.out and "[hidden]" in result.out
    assert result.lines[-1] == "IMPT COMMAND SUCCEEDS"
    first = result.out.split("Doing the request with options:\n", 1)[1].split("\n\nResponse code:", 1)[0]
    request = json.loads(first)
    assert list(request) == ["url", "method", "headers", "json", "qs", "body"]
    assert request["qs"] == {"page[number]": "1", "page[size]": "100"}


def test_debug_mode_names_failed_responses(impt):
    failed = impt("product", "info", "-p", "00000000-0000-0000-0000-000000000000", "-z", "debug")
    assert failed.code == 4
    assert any(line.startswith("ERROR: HTTP/404: ") for line in failed.lines)
    assert "Traceback" not in failed.out + failed.err


def test_user_env_without_password_names_the_variable(impt):
    (impt.cwd / ".impt.auth").unlink()
    failed = impt("product", "list", env={"IMPT_USER": "demo", "IMPT_ENDPOINT": impt.base_url})
    assert failed.code != 0
    assert failed.lines[0].endswith("Use the IMPT_PASSWORD environment variable.")
