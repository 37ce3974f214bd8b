"""Our Builder against Builder 4.2.1 itself (the npm package `make install` puts in tests/builder_oracle).

Every case of differential_corpus.py runs through both as `pleasebuild` runs it; the expected output,
error location and warnings are Builder 4.2.1's, computed by one Node process for the whole corpus
(tests/builder_oracle/driver.js). Error wording is ours (`Builder: file:line: directive: why`, see
docs/docsite/rst/impt.rst), so an error is compared by its file and line.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from unit.builder.differential_corpus import CASES, Case

from impt.builder import Builder, BuilderError

ORACLE = Path(__file__).resolve().parents[2] / "builder_oracle"
INSTALL = (
    "Builder 4.2.1, the oracle of these tests, is not installed: run `make install` "
    f"(it runs `npm ci` in {ORACLE}; Node.js >= 18 and npm are needed)"
)
_LOCATION = re.compile(r"\(([^()]*):(\d+)\)")


def test_the_corpus_covers_every_readme_form():
    """The issue's floor: at least 300 cases, every group of Builder's README represented."""
    assert len(CASES) >= 300
    assert len({case.id for case in CASES}) == len(CASES)
    groups = {case.id.split(" ")[0] for case in CASES}
    wanted = {"literal", "operator", "unary", "precedence", "syntax", "member", "function", "filter", "variable"}
    assert groups >= wanted | {"comment", "directive", "macro", "error", "include", "line", "http"}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Every case laid out in its own folder, run through Builder 4.2.1 once; id -> (folder, result)."""
    node = shutil.which("node")
    if node is None or not (ORACLE / "node_modules" / "Builder" / "package.json").is_file():
        pytest.fail(INSTALL)
    version = json.loads((ORACLE / "node_modules" / "Builder" / "package.json").read_text())["version"]
    assert version == "4.2.1", INSTALL
    served = tmp_path_factory.mktemp("served")
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    root = tmp_path_factory.mktemp("cases")
    jobs, folders = [], {}
    for number, item in enumerate(CASES):
        folder = root / f"case{number}"
        for name, text in item.files.items():
            _write(folder / name, text.replace("{URL}", url))
        for name, text in item.http.items():
            _write(served / name, text.replace("{URL}", url))
        folders[item.id] = folder
        jobs.append(
            {
                "id": item.id,
                "dir": str(folder),
                "input": item.input,
                "defines": {k: v.replace("{URL}", url) for k, v in item.defines.items()},
                "env": item.env,
                "lineControl": item.line_control,
                "remoteRelative": item.remote_relative,
                "suppressDuplicates": item.suppress_duplicates,
            }
        )
    try:
        done = subprocess.run(
            [node, str(ORACLE / "driver.js")],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            cwd=ORACLE,
            timeout=300,
            check=False,
        )
    finally:
        pass
    if done.returncode != 0:
        server.shutdown()
        pytest.fail(f"Builder 4.2.1's driver failed ({done.returncode}): {done.stderr[-2000:]}")
    results = {result["id"]: result for result in json.loads(done.stdout)}
    yield {"url": url, "folders": folders, "results": results}
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def ours(item: Case, folder: Path, url: str) -> dict:
    """The case through our Builder, as pleasebuild runs it."""
    session = requests.Session()
    session.trust_env = False  # the local server, never a proxy
    builder = Builder(
        {k: v.replace("{URL}", url) for k, v in item.defines.items()},
        folder,
        environ=item.env,
        session=session,
        remote_relative_includes=item.remote_relative,
        warn_duplicates=not item.suppress_duplicates,
    )
    try:
        output, error = builder.include(item.input, line_control=item.line_control), None
    except BuilderError as exc:
        output, error = None, str(exc)
    warnings = [warning.text for warning in builder.build_warnings]
    return {"output": output, "error": error, "warnings": warnings}


@pytest.mark.parametrize("item", CASES, ids=[case.id for case in CASES])
def test_same_as_builder_4_2_1(item: Case, corpus):
    """Expected: Builder 4.2.1's output, error location and warnings for the same files and options."""
    theirs = corpus["results"][item.id]
    mine = ours(item, corpus["folders"][item.id], corpus["url"])
    assert mine["output"] == theirs["output"], f"Builder 4.2.1 failed with: {theirs['error']}"
    if theirs["error"] is None:
        assert mine["error"] is None
    else:
        assert mine["error"] is not None, f"Builder 4.2.1: {theirs['error']}"
        location = _LOCATION.search(theirs["error"])
        if location:  # Builder names the innermost file and line first; ours names the same
            file, line = Path(location.group(1)).name, location.group(2)
            assert re.match(rf"^Builder: (?:.*/)?{re.escape(file)}:{line}: ", mine["error"]), (
                f"Builder 4.2.1: {theirs['error']}\nours: {mine['error']}"
            )
    assert mine["warnings"] == theirs["warnings"]
