"""Lay the collection out under ansible_collections/electricimp/impcentral/ in the wheel.

The repository root is the collection root, so the collection package maps to "." and its files
are listed here rather than found: only what the Galaxy artifact ships goes in (plugins, roles,
playbooks, meta, docs/docsite, galaxy.yml, the README, LICENSE, CHANGELOG.rst), never the root's own scripts
(setup.py, noxfile.py) or the tests. pyproject.toml holds the rest of the metadata.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_namespace_packages, find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COLLECTION = "ansible_collections.electricimp.impcentral"
# Top-level files of the collection; the wheel's copy needs the same ones as ansible-core reads from
# an installed artifact (galaxy.yml stands in for MANIFEST.json: `ansible-galaxy collection list`
# reads the version from it).
COLLECTION_FILES = ["galaxy.yml", "README-collection.md", "LICENSE", "CHANGELOG.rst"]
# docs/docsite: the user guides (RST, rendered by antsibull-docs), which the roles' READMEs link to.
COLLECTION_TREES = ["meta", "roles", "playbooks", "docs/docsite"]
# Non-Python files the console and the emulator read at run time (Squirrel sources, seeds, notes).
DATA_FILES = ["**/*.nut", "**/*.json", "**/*.yml", "**/*.yaml", "**/*.md", "**/*.txt"]


def collection_packages() -> list[str]:
    """The collection package and the Python folders under plugins/ (namespace packages: no __init__)."""
    found = find_namespace_packages(where=str(ROOT), include=["plugins", "plugins.*"], exclude=["*.__pycache__"])
    return [COLLECTION] + [f"{COLLECTION}.{name}" for name in found]


def collection_data() -> list[str]:
    """Every file of meta/, roles/, playbooks/ and docs/docsite/, relative to the collection root."""
    names = [name for name in COLLECTION_FILES if (ROOT / name).is_file()]
    for tree in COLLECTION_TREES:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                names.append(path.relative_to(ROOT).as_posix())
    return names


class BuildPy(build_py):
    """Ship no Python module from the repository root (setup.py, noxfile.py) inside the collection."""

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        if package == COLLECTION:
            return []
        return super().find_package_modules(package, package_dir)


setup(
    packages=find_packages(where=str(ROOT), include=["impt", "impt.*", "impcentral_emulator", "impcentral_emulator.*"])
    + collection_packages(),
    package_dir={COLLECTION: "."},
    package_data={COLLECTION: collection_data(), "impt": DATA_FILES, "impcentral_emulator": DATA_FILES},
    include_package_data=False,
    cmdclass={"build_py": BuildPy},
)
