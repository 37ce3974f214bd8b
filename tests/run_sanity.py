"""Run `ansible-test sanity` on a copy of the collection placed under ansible_collections/.

ansible-test needs the collection at .../ansible_collections/<namespace>/<name>, so the tracked
files are copied to build/sanity/. Some sanity tests build a private venv and fetch a pip bootstrap
script from the internet; CI machines here reach only the package registries, so a small local
bootstrap that runs the pip bundled with Python's ensurepip is put in ansible-test's cache first.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "build" / "sanity" / "ansible_collections" / "electricimp" / "impcentral"
PIP_BOOTSTRAP = """\
import ensurepip, glob, os, sys
wheel = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))[-1]
sys.path.insert(0, wheel)
from pip._internal.cli.main import main
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade"] + args))
"""
SKIPPED = ["pslint"]  # PowerShell: the collection has none.
# Sanity covers the collection as it ships (see galaxy.yml build_ignore); the console, the emulator,
# the benchmarks and the pytest suites are checked by ruff and pytest instead.
NOT_COLLECTION = (
    ".ci/",
    "bench/",
    "scripts/",
    "impt/",
    "impcentral_emulator/",
    "tests/",
    "Makefile",
    "pyproject.toml",
    "setup.py",
    "noxfile.py",
    ".importlinter",
)
KEPT = ("tests/config.yml",)


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    names = [name for name in out.decode().split("\0") if name]
    return [name for name in names if name in KEPT or not name.startswith(NOT_COLLECTION)]


def copy_tree() -> None:
    if DEST.exists():
        shutil.rmtree(DEST)
    for name in tracked_files():
        source = ROOT / name
        if not source.is_file():
            continue
        target = DEST / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q", "."], cwd=DEST, check=True)
    subprocess.run(["git", "add", "-A"], cwd=DEST, check=True)


def bootstrap_pip_versions() -> set[str]:
    """The pip versions whose bootstrap script this ansible-test fetches (it differs by release)."""
    versions = {"24.2", "24.0", "23.1"}
    spec = importlib.util.find_spec("ansible_test")
    if spec and spec.origin:
        source = Path(spec.origin).parent / "_internal" / "python_requirements.py"
        if source.is_file():
            versions.update(re.findall(r"pip='([\d.]+)'", source.read_text()))
    return versions


def install_pip_bootstrap() -> None:
    cache = Path.home() / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    for version in bootstrap_pip_versions():
        path = cache / f"get_pip_{version.replace('.', '_')}.py"
        path.write_text(PIP_BOOTSTRAP)


def main() -> int:
    copy_tree()
    install_pip_bootstrap()
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    command = [
        str(venv_bin / "ansible-test"),
        "sanity",
        "--color",
        "no",
        "--python-interpreter",
        sys.executable,
        "--python",
        f"{sys.version_info.major}.{sys.version_info.minor}",
        *[arg for test in SKIPPED for arg in ("--skip-test", test)],
        *sys.argv[1:],
    ]
    return subprocess.run(command, cwd=DEST, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
