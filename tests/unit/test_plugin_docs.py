"""The plugins' own documentation agrees with the collection it ships in.

Read from the sources (the DOCUMENTATION string of every plugin), as ansible-doc and antsibull-docs
read it: a `version_added` later than the collection's version claims a release that does not exist.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# The collection's version and its released versions: galaxy.yml and the changelog are the sources.
COLLECTION_VERSION = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
RELEASES = set(yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())["releases"])
PLUGINS = sorted(
    path
    for path in (ROOT / "plugins").glob("*/*.py")
    if path.parent.name not in ("module_utils", "plugin_utils", "doc_fragments", "action")
)


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(version).split("."))


def documentation(path: Path) -> dict:
    """The plugin's DOCUMENTATION, parsed without importing the plugin."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError(f"{path} has no DOCUMENTATION")


def versions_added(doc: dict, where: str) -> Iterator[tuple[str, str]]:
    """(place, version_added) for the plugin and every option and sub-option that says one."""
    if "version_added" in doc:
        yield where, doc["version_added"]
    for name, option in (doc.get("options") or {}).items():
        yield from versions_added(option, f"{where}.{name}")
        for sub_name, sub in (option.get("suboptions") or {}).items():
            yield from versions_added(sub, f"{where}.{name}.{sub_name}")


def test_every_plugin_is_found() -> None:
    # The action plugin release_rollout has its docs in plugins/modules/; 17 modules, 5 lookups, 1 inventory.
    assert len(PLUGINS) == 23, [p.name for p in PLUGINS]


@pytest.mark.parametrize("path", PLUGINS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_version_added_names_a_version_of_this_collection(path: Path) -> None:
    doc = documentation(path)
    assert "version_added" in doc, "antsibull-docs lists a plugin without version_added as 'historical'"
    for place, version in versions_added(doc, path.stem):
        assert isinstance(version, str), f"{place}: version_added {version!r} must be a quoted string"
        assert as_tuple(version) <= as_tuple(COLLECTION_VERSION), (
            f"{place}: version_added {version} is later than the collection's {COLLECTION_VERSION} (galaxy.yml)"
        )
        assert version in RELEASES | {COLLECTION_VERSION}, f"{place}: {version} is not a release of the collection"
