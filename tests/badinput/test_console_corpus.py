"""The console corpus: every bad input ends in exactly one `Error:` line, a non-zero exit code, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from relsuite import assert_clear_failure

CASES = yaml.safe_load((Path(__file__).resolve().parent / "corpus" / "console.yml").read_text(encoding="utf-8"))


def _case_id(case: dict) -> str:
    return " ".join(case["argv"])[:60].encode("ascii", "backslashreplace").decode()


def test_corpus_is_substantial():
    assert len(CASES) >= 80
    assert len({json.dumps(c, sort_keys=True) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_console_rejects_bad_input(case, impt_in, tried):
    tried["console corpus"] += 1
    if case.get("logged_out"):
        (impt_in.cwd / ".impt.auth").unlink()
    for argv in case.get("setup", []):
        impt_in.ok(*argv)
    for name, text in case.get("files", {}).items():
        (impt_in.cwd / name).write_text(text, encoding="utf-8")
    for name, mode in case.get("modes", {}).items():
        (impt_in.cwd / name).chmod(int(mode, 8))
    result = impt_in(*case["argv"], env=case.get("env"))
    assert_clear_failure(result, case["argv"])
    if "code" in case:
        assert result.code == case["code"], f"expected {case['code']}\n{result.text}"
