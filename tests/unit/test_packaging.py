"""The collection artifact and the execution-environment definition build as users will build them."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_galaxy_build_produces_a_valid_artifact(tmp_path: Path) -> None:
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    artifact = tmp_path / f"electricimp-impcentral-{galaxy['version']}.tar.gz"
    with tarfile.open(artifact) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert manifest["collection_info"]["namespace"] == "electricimp"
    assert manifest["collection_info"]["name"] == "impcentral"
    assert "meta/runtime.yml" in names
    assert "plugins/module_utils/client.py" in names
    assert not any(name.startswith((".venv", "impt/", "impcentral_emulator/", "bench/", ".git/")) for name in names)


def test_execution_environment_definition_builds_a_context(tmp_path: Path) -> None:
    context = tmp_path / "context"
    subprocess.run(
        [
            str(BIN / "ansible-builder"),
            "create",
            "-f",
            str(ROOT / "meta/execution-environment.yml"),
            "-c",
            str(context),
        ],
        check=True,
        capture_output=True,
    )
    assert (context / "Dockerfile").exists() or (context / "Containerfile").exists()
    assert "requests" in (context / "_build" / "requirements.txt").read_text()


def test_execution_environment_dependency_files_agree() -> None:
    """Introspection reads them from the collection root, `ansible-builder create` from meta/."""
    for name in ("requirements.txt", "bindep.txt"):
        assert (ROOT / name).read_text() == (ROOT / "meta" / name).read_text()


def test_one_version_everywhere() -> None:
    """The collection, the Python distribution and the User-Agent name the same release."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.constants import VERSION

    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    pyproject = next(
        line.split('"')[1] for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("version")
    )
    assert galaxy == pyproject == VERSION
