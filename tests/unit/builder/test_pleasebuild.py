"""`pleasebuild`, Builder 4.2.1's command line in Python: options as Builder's README and CLI define them.

Expected values: Builder's README ("Command Line Tool Installation", "Reproducible Artifacts", "Including
JavaScript Libraries") and, where named, Builder 4.2.1's own `pleasebuild` run on the same files.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import responses

from impt.builder import cli

ORACLE_CLI = Path(__file__).resolve().parents[2] / "builder_oracle" / "node_modules" / "Builder" / "src" / "cli.js"


def run(tmp_path: Path, monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "global.nut").write_text("const GLOBAL = @{LEVEL};\n")
    (tmp_path / "main.nut").write_text('@include "tests/global.nut";\nserver.log(@{__FILE__ + ":" + __LINE__});\n')
    return tmp_path


def test_trailing_semicolon_after_include_works(project, monkeypatch, capsys):
    """The issue's measured fact: `@include "tests/global.nut";` is valid Builder 4.2.1 input."""
    code, out, err = run(project, monkeypatch, capsys, "-DLEVEL", "3", "main.nut")
    assert (code, out, err) == (0, "const GLOBAL = 3;\nserver.log(main.nut:2);\n", "")


def test_same_command_line_as_builder_4_2_1(project, monkeypatch, capsys):
    """Builder 4.2.1's own pleasebuild on the same files and arguments prints the same."""
    node = shutil.which("node")
    if node is None or not ORACLE_CLI.is_file():
        pytest.fail("Builder 4.2.1 is not installed: run `make install` (needs Node.js >= 18 and npm)")
    for argv in (
        ["-l", "-DLEVEL", "7", "main.nut"],
        ["main.nut", "-DLEVEL"],
        ["-DLEVEL", "1", "--suppress-duplicate", "main.nut"],
    ):
        theirs = subprocess.run(
            [node, str(ORACLE_CLI), *argv], cwd=project, capture_output=True, text=True, check=False
        )
        code, out, _ = run(project, monkeypatch, capsys, *argv)
        assert (code, out) == (theirs.returncode, theirs.stdout), argv


def test_usage_and_errors_exit_1_with_one_line(project, monkeypatch, capsys):
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1 and out.startswith("Builder 4.2.1 CLI") and "<input_file>" in out
    (project / "bad.nut").write_text("ok\n@if 1\n")
    code, out, err = run(project, monkeypatch, capsys, "bad.nut")
    assert (code, out) == (1, "")
    assert err == "Builder: bad.nut:2: @if: Unclosed @if statement (opened at line 2; @end is missing)\n"
    code, out, err = run(project, monkeypatch, capsys, "--github-token")
    assert (code, err) == (1, "Expected argument value after --github-token\n")
    code, _, err = run(project, monkeypatch, capsys, "--cache-exclude-list", "nope.txt", "main.nut")
    assert (code, err) == (1, "nope.txt file does not exist\n")


def test_warnings_go_to_stderr(project, monkeypatch, capsys):
    (project / "w.nut").write_text('@warning "careful"\n@include "tests/global.nut"\n@include "tests/global.nut"\n')
    code, out, err = run(project, monkeypatch, capsys, "-DLEVEL", "1", "w.nut")
    assert code == 0 and out == "const GLOBAL = 1;\nconst GLOBAL = 1;\n"
    assert err.startswith("careful\nWarning: duplicated includes detected!")
    code, out, err = run(project, monkeypatch, capsys, "-DLEVEL", "1", "--suppress-duplicate-includes-warning", "w.nut")
    assert err == "careful\n"


def test_python_libraries(project, monkeypatch, capsys):
    """README "Including JavaScript Libraries", with Python files: `exports`, else the public functions."""
    (project / "libs").mkdir()
    (project / "libs" / "upper.py").write_text("def upper(s):\n    return str(s).upper()\n\ndef _hidden():\n    pass\n")
    (project / "one.py").write_text("exports = {'greeting': 'hello', 'twice': lambda x: x * 2}\n")
    (project / "lib.nut").write_text('@{upper("warning:")} @{greeting} @{twice(21)} @{defined(_hidden)}\n')
    code, out, err = run(project, monkeypatch, capsys, "--lib", "libs", "--libs", "one.py", "lib.nut")
    assert (code, out, err) == (0, "WARNING: hello 42 false\n", "")
    (project / "lib.js").write_text("module.exports = {};\n")
    code, _, err = run(project, monkeypatch, capsys, "--lib", "lib.js", "lib.nut")
    assert code == 1 and "pleasebuild libraries are Python files" in err
    code, _, err = run(project, monkeypatch, capsys, "--lib", "missing.py", "lib.nut")
    assert (code, err) == (1, 'lib path "missing.py" is not a file or directory\n')


def test_directives_are_saved_and_reused(project, monkeypatch, capsys):
    """README "Builder Variables: Directives": saved -D definitions merge under new ones."""
    code, _, _ = run(project, monkeypatch, capsys, "-DLEVEL", "4", "-DOTHER", "x", "--save-directives", "main.nut")
    assert code == 0 and json.loads((project / "directives.json").read_text()) == {"LEVEL": "4", "OTHER": "x"}
    code, out, _ = run(project, monkeypatch, capsys, "--use-directives", "directives.json", "main.nut")
    assert out.startswith("const GLOBAL = 4;")
    code, out, _ = run(project, monkeypatch, capsys, "--use-directives", "-DLEVEL", "9", "main.nut")
    assert out.startswith("const GLOBAL = 9;")
    (project / "bad.json").write_text("[1]")
    code, _, err = run(project, monkeypatch, capsys, "--use-directives", "bad.json", "main.nut")
    assert code == 1 and err.startswith("The directives JSON file 'bad.json' cannot be used")


def _github_body(text: str, sha: str) -> dict:
    return {"content": base64.b64encode(text.encode()).decode(), "encoding": "base64", "sha": sha}


@responses.activate
def test_dependencies_pin_github_files_by_blob(project, monkeypatch, capsys):
    """README "Repository Files: Dependencies": saved blob SHAs are read back instead of the branch head."""
    responses.get("https://api.github.com/repos/o/r/contents/a.nut", json=_github_body("head\n", "abc123"))
    responses.get("https://api.github.com/repos/o/r/git/blobs/abc123", json=_github_body("pinned\n", "abc123"))
    (project / "gh.nut").write_text('@include "github:o/r/a.nut"\n')
    code, out, _ = run(project, monkeypatch, capsys, "--save-dependencies", "deps.json", "gh.nut")
    assert (code, out) == (0, "head\n")
    assert json.loads((project / "deps.json").read_text()) == [["github:o/r/a.nut", "abc123"]]
    code, out, _ = run(project, monkeypatch, capsys, "--use-dependencies", "deps.json", "gh.nut")
    assert (code, out) == (0, "pinned\n")
    code, _, err = run(project, monkeypatch, capsys, "--use-dependencies", "gone.json", "gh.nut")
    assert (code, err) == (1, "The dependencies JSON file 'gone.json' does not exist\n")


@responses.activate
def test_cache_and_clear_cache(project, monkeypatch, capsys):
    """README "Caching Remote Files": --cache keeps remote files in .builder-cache; --clear-cache empties it."""
    responses.get("https://example.com/lib.nut", body="remote\n")
    (project / "r.nut").write_text('@include "https://example.com/lib.nut"\n')
    for _ in range(2):
        assert run(project, monkeypatch, capsys, "--cache", "r.nut")[:2] == (0, "remote\n")
    assert len(responses.calls) == 1 and (project / ".builder-cache").is_dir()
    assert run(project, monkeypatch, capsys, "-c", "--clear-cache", "r.nut")[:2] == (0, "remote\n")
    assert len(responses.calls) == 2
    (project / "excluded.txt").write_text("https://example.com/*\n")
    run(project, monkeypatch, capsys, "--clear-cache", "--cache", "--cache-exclude-list", "excluded.txt", "r.nut")
    run(project, monkeypatch, capsys, "--cache", "--cache-exclude-list", "excluded.txt", "r.nut")
    assert len(responses.calls) == 4


def test_arguments_are_read_as_builder_reads_them():
    """Builder 4.2.1's cli.js: -D takes the next word (none: null), the last other word is the input."""
    args = cli.parse_arguments(["-DA", "1", "x.nut", "--use-remote-relative-includes", "y.nut", "-DB"])
    assert (args.defines, args.input, args.remote_relative) == ({"A": "1", "B": None}, "y.nut", True)
    args = cli.parse_arguments(["--save-dependencies", "main.nut"])
    assert (args.save_dependencies, args.input) == ("dependencies.json", "main.nut")
    args = cli.parse_arguments(["--save-directives", "d.json", "main.nut"])
    assert (args.save_directives, args.input) == ("d.json", "main.nut")
