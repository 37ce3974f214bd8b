"""The entry point without a server: help, version, usage errors, exit codes, no tracebacks."""

import io
import json
import subprocess

import pytest

from impt.main import main


def run(*argv, env=None, cwd=None):
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(list(argv), env=env or {"HOME": str(cwd or "/nonexistent")}, cwd=cwd, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def test_top_help_lists_groups_and_exit_codes():
    code, out, _ = run("--help")
    assert code == 0
    assert out.startswith("Usage: impt <command> [options]")
    assert "impt product" in out and "Exit codes:" in out and "IMPT COMMAND" not in out


def test_group_and_command_help():
    code, out, _ = run("product", "-h")
    assert code == 0 and "Usage: impt product <command> [options]" in out and "Product manipulation commands." in out
    code, out, _ = run("dg", "info", "--bogus", "--help")
    assert code == 0 and out.startswith("Usage: impt dg info [--dg <DEVICE_GROUP_IDENTIFIER>]")


def test_version():
    assert run("-v")[1].strip() == "2.6.1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("nope",), "Error: Unknown argument: nope"),
        (("product", "create"), "Error: Missing required argument: name"),
        (("product", "create", "-n", "P", "--x"), "Error: Unknown argument: x"),
        (("dg", "create", "-n", "X", "-y", "bogus"), 'Error: Invalid values: Argument: dg-type, Given: "bogus"'),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(argv, message):
    code, out, _ = run(*argv)
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith(message) and lines[-1] == "IMPT COMMAND FAILS" and len(lines) == 2


@pytest.mark.parametrize(
    ("argv", "usage"), [((), "Usage: impt <command>"), (("product",), "Usage: impt product <command>")]
)
def test_a_level_without_command_prints_its_usage_then_fails(argv, usage):
    code, out, _ = run(*argv)
    lines = out.splitlines()
    assert code == 2 and usage in lines[0]
    assert lines[-2:] == ["Error: Please specify a valid command.", "IMPT COMMAND FAILS"]


def test_usage_error_in_json_mode():
    code, out, _ = run("product", "create", "-z", "json")
    assert code == 2 and json.loads(out) == {"Error": "Missing required argument: name"}


def test_not_logged_in(tmp_path):
    code, out, _ = run("product", "list", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert code == 3 and out.splitlines() == ["Error: You are not logged in.", "IMPT COMMAND FAILS"]


def test_broken_auth_file(tmp_path):
    (tmp_path / ".impt.auth").write_text("garbage")
    code, out, _ = run("product", "list", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert code == 3 and out.splitlines()[0] == "Error: Local Auth File is corrupted."


def test_expired_token_without_refresh(tmp_path):
    auth = {"endpoint": "http://127.0.0.1:9/v5", "accessToken": "a", "expiresAt": "2000-01-01T00:00:00Z"}
    (tmp_path / ".impt.auth").write_text(json.dumps(auth))
    code, out, _ = run("product", "list", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert code == 3
    assert out.splitlines()[:2] == [
        "Error: Access token is expired for the Local Auth File. "
        "Information required to refresh access token is not saved.",
        'Please relogin using "impt auth login --local" command and then try again.',
    ]


def test_unreachable_endpoint(tmp_path):
    auth = {"endpoint": "http://127.0.0.1:9/v5", "accessToken": "a", "expiresAt": "2100-01-01T00:00:00Z"}
    (tmp_path / ".impt.auth").write_text(json.dumps(auth))
    code, out, _ = run("product", "list", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert code == 5 and "Access to impCentral failed or timed out." in out and "Traceback" not in out


def test_unreachable_endpoint_is_tried_twice_not_through_the_backoff(tmp_path):
    """A person at a terminal hears of a refused endpoint at once (one retry, not ~10 s of backoff)."""
    auth = {"endpoint": "http://127.0.0.1:9/v5", "accessToken": "a", "expiresAt": "2100-01-01T00:00:00Z"}
    (tmp_path / ".impt.auth").write_text(json.dumps(auth))
    code, out, err = run("product", "list", "-z", "debug", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert code == 5 and "Traceback" not in out + err
    assert out.count('"url": "http://127.0.0.1:9/v5/products"') == 2
    assert out.count("ERROR: GET http://127.0.0.1:9/v5/products: connection refused") == 2


def test_completion_scripts():
    for shell in ("bash", "zsh", "fish"):
        code, out, _ = run("completion", shell)
        assert code == 0 and "impt" in out and "load-code-after-blessing" in out
    assert run("completion", "tcsh")[0] == 2


def test_completion_without_a_shell_is_a_usage_error():
    code, out, _ = run("completion")
    assert code == 2 and out.splitlines()[-2:] == [
        "Error: Please specify a shell: bash, zsh or fish.",
        "IMPT COMMAND FAILS",
    ]


def test_completion_offers_option_values_and_file_names(tmp_path):
    script = run("completion", "bash")[1]
    (tmp_path / "device.nut").write_text("")

    def complete(*words):
        line = " ".join(f'"{w}"' for w in words)
        probe = (
            f'source /dev/stdin <<< "$SCRIPT"; COMP_WORDS=(impt {line}); COMP_CWORD={len(words)}; _impt; '
            'echo "${COMPREPLY[@]}"'
        )
        bash = ["/bin/bash", "-c", probe]
        done = subprocess.run(bash, check=False, env={"SCRIPT": script}, cwd=tmp_path, capture_output=True, text=True)  # noqa: S603
        return done.stdout.split()

    assert complete("dg", "create", "-y", "pre-") == ["pre-factory", "pre-dut", "pre-production"]
    assert complete("product", "list", "-z", "") == ["minimal", "json", "debug"]
    assert complete("build", "deploy", "--flagged", "") == ["true", "false"]
    assert complete("build", "deploy", "-x", "dev") == ["device.nut"]
    assert complete("dg", "info", "--f") == ["--full"]
    fish = run("completion", "fish")[1]
    assert "-l device-file -s x -r -F" in fish and '-l output -s z -x -a "minimal json debug"' in fish


def test_confirmation_without_terminal_names_confirmed(tmp_path):
    (tmp_path / ".impt.auth").write_text("{}")
    stdout = io.StringIO()
    home = tmp_path / "h"
    home.mkdir()
    (home / ".impt.auth").write_text("{}")
    code = main(
        ["auth", "login", "--user", "u", "--pwd", "p"],
        env={"HOME": str(home)},
        cwd=tmp_path,
        stdout=stdout,
        stderr=io.StringIO(),
        stdin=io.StringIO(""),
    )
    assert code == 2 and "--confirmed" in stdout.getvalue().splitlines()[0]
