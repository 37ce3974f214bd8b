"""The conformance suite: our own impUnit files (`squirrel/`, one per API area) run by `impt test run`
against the session emulator, as an Electric Imp developer would run them.

Sources of the expected values: the files' own assertions (each names its source); the names they
must exercise: every implemented or simulated row of the table "The imp API, name by name" in
impcentral_emulator/README.md.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from pathlib import Path

from impt.main import main

SUITE = Path(__file__).with_name("squirrel")
README = Path(__file__).resolve().parents[2] / "impcentral_emulator" / "README.md"
CLASSES = ("blob", "regexp", "regexp2")  # members of these are called on instances: `b.writestring(...)`


def impt(work: Path, home: Path, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    env = {"HOME": str(home), "NO_COLOR": "1"}
    code = main(list(argv), env=env, cwd=work, stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue() + err.getvalue()


def suite_files() -> list[Path]:
    return sorted(p for p in SUITE.rglob("*.nut"))


def count_test_methods() -> int:
    return sum(len(re.findall(r"^\s+function test\w*\(", p.read_text(), re.M)) for p in SUITE.glob("*.test.nut"))


def test_the_suite_passes_against_the_emulator(emulator, tmp_path):
    work, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    shutil.copytree(SUITE, work / "tests")
    steps = [
        ("auth", "login", "--local", "--endpoint", emulator.base_url, "--user", "demo", "--pwd", "demo-password", "-q"),
        ("product", "create", "-n", "Conformance"),
        ("dg", "create", "-n", "ConformanceDG", "-p", "Conformance"),
        ("device", "assign", "-d", "sensor-1", "-g", "ConformanceDG"),
        # -a: the server and messaging files drop the device's connection on purpose
        ("test", "create", "-g", "ConformanceDG", "-t", "10", "-a", "-q"),
    ]
    for argv in steps:
        code, output = impt(work, home, *argv)
        assert code == 0, output
    code, output = impt(work, home, "test", "run", "-z", "json")
    assert code == 0, output
    summary = json.loads(output)["Test Summary"]
    assert (summary["Tests"], summary["Failures"], summary["Result"]) == (count_test_methods(), [], "succeeded")


def documented_names() -> set[str]:
    """Every name the README's table marks implemented or simulated (either side)."""
    section = README.read_text(encoding="utf-8").split("## The imp API, name by name", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and cells[2].split()[0] in ("implemented", "simulated"):
            names.update(re.findall(r"`([^`]+)`", cells[0]))
    return names


def exercised(name: str, text: str) -> bool:
    if "." not in name:
        return re.search(rf"(?<![\w.]){re.escape(name)}\b", text) is not None
    owner, member = name.split(".", 1)
    return name in text or (owner in CLASSES and f".{member}(" in text)


def test_the_suite_exercises_every_implemented_and_simulated_name():
    text = "\n".join(p.read_text() for p in suite_files())
    names = documented_names()
    assert len(names) > 100
    assert sorted(n for n in names if not exercised(n, text)) == []


def test_the_docs_show_the_pledge_test_as_it_is():
    """The testing guide quotes the Pledge test: the quoted method is the file's, word for word."""
    doc = (README.parents[1] / "docs" / "docsite" / "rst" / "testing-with-impt.rst").read_text(encoding="utf-8")
    section = doc.split("Which imp APIs the emulator simulates, and how far\n", 1)[1]
    block = re.match(r"\n*((?:   [^\n]*\n|\n)*)", section.split(".. code:: text\n", 1)[1]).group(1)
    quoted = textwrap.dedent(block).strip("\n") + "\n"
    source = (SUITE / "pledge.device.test.nut").read_text(encoding="utf-8")
    method = quoted[quoted.index("    function ") : quoted.rindex("    }\n") + len("    }\n")]
    assert quoted.startswith('@include "lib/pledge.nut"\n') and source.count('@include "lib/pledge.nut"\n') == 1
    assert method in source
