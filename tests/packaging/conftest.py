"""Fixtures for the packaging tests: a clean copy of the tree, the built artifacts, an emulator.

These tests build and install the project as users do, so they are slow (a fresh venv, pip
installs from the index or its cache): there are few of them, and each checks a whole path.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from built import BIN, ROOT, URL_LINE, VERSION, clean_env, run


@pytest.fixture(scope="session")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files git would check out (tracked and new, not ignored): what a clean clone builds."""
    names = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout.split("\0")
    tree = tmp_path_factory.mktemp("source") / "impcentral"
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    return tree


@pytest.fixture(scope="session")
def wheel(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "-w",
        out,
        ".",
        cwd=source_tree,
    )
    (built,) = out.glob("electricimp_impcentral-*.whl")
    return built


@pytest.fixture(scope="session")
def galaxy_artifact(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("galaxy")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", out, source_tree)
    return out / f"electricimp-impcentral-{VERSION}.tar.gz"


@dataclass
class Emulator:
    base_url: str
    process: subprocess.Popen


@pytest.fixture
def own_emulator() -> Iterator[Callable[[Path, Path], Emulator]]:
    """Start `<bin>/impcentral-emulator` from a given venv; stopped at the end of the test."""
    started: list[subprocess.Popen] = []

    def start(bin_dir: Path, home: Path) -> Emulator:
        process = subprocess.Popen(
            [str(bin_dir / "impcentral-emulator"), "--port", "0", "--seed", "demo", "--rate-limit", "off"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=clean_env(home),
        )
        started.append(process)
        line = process.stdout.readline()
        match = URL_LINE.search(line)
        assert match, f"the emulator printed {line!r} instead of its URL"
        return Emulator(match.group(1), process)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
