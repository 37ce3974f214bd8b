"""The Galaxy artifact: only what runs from it, installable with ansible-galaxy, and it runs."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest
from built import BIN, ROOT, VERSION, clean_env, role_readme_links, run

# The suite's session fixtures build the wheel and the tarball: one xdist worker builds them once.
pytestmark = pytest.mark.xdist_group("packaging")

# Everything the artifact may hold at its top level; anything new must be added here on purpose.
SHIPPED = {
    "MANIFEST.json",
    "FILES.json",
    "README-collection.md",
    # Galaxy's importer takes the collection's page from README.md at the root (galaxy-importer
    # utils/markup.py _find_readme) and refuses an artifact without one: the project's README ships too.
    "README.md",
    "LICENSE",
    "CHANGELOG.rst",
    "changelogs",
    "meta",
    "plugins",
    "roles",
    "playbooks",
    "docs",
    "requirements.txt",
    "bindep.txt",
}
CACHES = (".hypothesis", "__pycache__", ".pytest_cache", ".ruff_cache", ".nox", ".ansible", ".molecule", ".mypy_cache")
PLAYBOOK = """\
- name: One task from the installed artifact
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: A product
      electricimp.impcentral.product:
        name: Galaxy Check
"""


def test_artifact_ships_no_cache_and_nothing_that_cannot_run_from_it(source_tree: Path, tmp_path: Path):
    # Caches left in the working tree (as pytest, hypothesis and nox leave them) stay out.
    for cache in CACHES:
        (source_tree / cache / "x").mkdir(parents=True, exist_ok=True)
        (source_tree / cache / "x" / "data").write_text("cache")
        (source_tree / "plugins" / "modules" / cache).mkdir(exist_ok=True)
        (source_tree / "plugins" / "modules" / cache / "data").write_text("cache")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path, source_tree)
    with tarfile.open(tmp_path / f"electricimp-impcentral-{VERSION}.tar.gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        readme = tar.extractfile("README-collection.md").read().decode()
    assert {name.split("/", 1)[0] for name in names} == SHIPPED
    assert not [name for name in names if any(part in CACHES or part.endswith(".pyc") for part in name.split("/"))]
    assert not [name for name in names if name.startswith("playbooks/demo") or name.startswith("changelogs/fragments")]
    # The docs that ship are the user guides under docs/docsite, which the roles' READMEs link to.
    assert {name.split("/", 2)[1] for name in names if name.startswith("docs/")} == {"docsite"}
    links = role_readme_links()
    assert "docs/docsite/rst/roles.rst" in links
    assert links <= set(names), links - set(names)
    assert manifest["collection_info"]["readme"] == "README-collection.md"
    assert manifest["collection_info"]["license"] == ["GPL-3.0-or-later"]
    # The artifact's README is for people installing it, not for contributors.
    assert "ansible-galaxy collection install electricimp.impcentral" in readme
    assert "pip install electricimp-impcentral" in readme
    assert "make install" not in readme and ".venv/bin" not in readme


def test_artifact_installed_with_ansible_galaxy_documents_and_runs_a_playbook(galaxy_artifact, emulator, tmp_path):
    collections = tmp_path / "collections"
    home = tmp_path / "home"
    home.mkdir()
    # Only the installed artifact: not the development tree linked into this venv's site-packages.
    env = clean_env(home, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    run(BIN / "ansible-galaxy", "collection", "install", galaxy_artifact, "-p", collections, env=env, cwd=home)
    installed = collections / "ansible_collections" / "electricimp" / "impcentral"
    assert json.loads((installed / "MANIFEST.json").read_text())["collection_info"]["version"] == VERSION

    doc = run(BIN / "ansible-doc", "electricimp.impcentral.product", env=env, cwd=home).stdout
    assert str(installed / "plugins" / "modules" / "product.py") in doc
    roles = run(BIN / "ansible-doc", "-t", "role", "-l", "electricimp.impcentral", env=env, cwd=home).stdout
    assert "factory_setup" in roles and "release_promotion" in roles

    (home / "site.yml").write_text(PLAYBOOK)
    play_env = dict(
        env,
        IMPT_ENDPOINT=emulator.base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",  # noqa: S106 - the emulator's demo seed account
        ANSIBLE_PYTHON_INTERPRETER=str(BIN / "python"),
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
    )
    assert "changed=1" in run(BIN / "ansible-playbook", "site.yml", env=play_env, cwd=home).stdout
    assert ROOT not in installed.resolve().parents


def test_execution_environment_installs_the_built_artifact(galaxy_artifact, tmp_path: Path):
    """`ansible-builder create` makes a context whose galaxy step installs the artifact `make dist` built."""
    project = tmp_path / "project"
    (project / "meta").mkdir(parents=True)
    for name in ("execution-environment.yml", "requirements.txt", "bindep.txt"):
        (project / "meta" / name).write_text((ROOT / "meta" / name).read_text())
    (project / "dist").mkdir()
    (project / "dist" / galaxy_artifact.name).write_bytes(galaxy_artifact.read_bytes())
    context = tmp_path / "context"
    run(BIN / "ansible-builder", "create", "-f", project / "meta" / "execution-environment.yml", "-c", context)
    build = context / "_build"
    assert "requests" in (build / "requirements.txt").read_text()
    assert (build / "collections" / galaxy_artifact.name).read_bytes() == galaxy_artifact.read_bytes()
    # The image's galaxy stage runs in /build with _build/ copied there: the same install, here.
    requirements = (build / "requirements.yml").read_text().replace("/build/", f"{build}/")
    (build / "requirements.yml").write_text(requirements)
    run(
        BIN / "ansible-galaxy",
        "collection",
        "install",
        "-r",
        build / "requirements.yml",
        "-p",
        tmp_path / "ee",
        cwd=build,
        env=clean_env(tmp_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"),
    )
    assert (tmp_path / "ee" / "ansible_collections" / "electricimp" / "impcentral" / "MANIFEST.json").is_file()
