"""Release metadata agrees with itself: one version, one supported range, one set of requirements.

Building and installing the artifacts is tested in tests/packaging/ (slow); these read files only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def pyproject_value(key: str) -> str:
    """A top-level string of [project] (read by pattern: tomllib is missing on Python 3.10)."""
    match = re.search(rf'^{key} = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert match, key
    return match.group(1)


def matrix_legs() -> dict[str, tuple[str, str]]:
    """noxfile.LEGS, read without importing nox (the matrix legs do not install it)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "LEGS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("noxfile.py defines no LEGS")


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_one_version_everywhere() -> None:
    """The collection, the Python distribution, the User-Agent, the changelog and the EE agree."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import VERSION

    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    changelog = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())
    latest = max(changelog["releases"], key=as_tuple)
    assert galaxy == pyproject_value("version") == VERSION == latest
    assert f"\nv{latest}\n" in (ROOT / "CHANGELOG.rst").read_text()
    ee = (ROOT / "meta" / "execution-environment.yml").read_text()
    assert set(re.findall(r"electricimp-impcentral-([\d.]+)\.tar\.gz", ee)) == {galaxy}


def test_supported_range_is_the_tested_range() -> None:
    """requires_ansible, requires-python and the classifiers claim what the matrix legs run."""
    legs = matrix_legs()
    oldest_core = min(legs, key=as_tuple)
    newest_core = max(legs, key=as_tuple)
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == f">={oldest_core}.0"
    pythons = sorted((python for _, python in legs.values()), key=as_tuple)
    assert pyproject_value("requires-python") == f">={pythons[0]}"
    text = (ROOT / "pyproject.toml").read_text()
    low, high = as_tuple(pythons[0])[1], as_tuple(pythons[-1])[1]
    claimed = set(re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text))
    assert claimed == {f"3.{minor}" for minor in range(low, high + 1)}
    newest_minor = as_tuple(newest_core)[1]
    assert f'"ansible-core>=2.{as_tuple(oldest_core)[1]},<2.{newest_minor + 1}"' in text
    readme = (ROOT / "README-collection.md").read_text()
    for pin, python in legs.values():
        assert f"{pin} on Python {python}" in readme


def test_execution_environment_dependency_files_agree() -> None:
    """Introspection reads them from the collection root, `ansible-builder create` from meta/."""
    for name in ("requirements.txt", "bindep.txt"):
        assert (ROOT / name).read_text() == (ROOT / "meta" / name).read_text()


def test_wheel_and_collection_requirements_agree() -> None:
    """What the collection asks of the controller is also a dependency of the wheel."""
    requirements = [
        line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines() if line and line[0] != "#"
    ]
    dependencies = (ROOT / "pyproject.toml").read_text()
    for requirement in requirements:
        assert f'"{requirement}"' in dependencies


def test_role_readmes_link_to_files_both_artifacts_ship() -> None:
    """Every local link of roles/*/README.md resolves, is kept by galaxy.yml's build_ignore and is in the wheel's
    data (setup.py's COLLECTION_TREES); tests/packaging/ checks the same in the built artifacts."""
    from fnmatch import fnmatch

    links = set()
    for readme in sorted((ROOT / "roles").glob("*/README.md")):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme.read_text()):
            if "://" not in target:
                links.add((readme.parent / target).resolve().relative_to(ROOT))
    assert Path("docs/docsite/rst/roles.rst") in links
    ignored = yaml.safe_load((ROOT / "galaxy.yml").read_text())["build_ignore"]
    tree = ast.parse((ROOT / "setup.py").read_text())
    trees = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "COLLECTION_TREES" for t in node.targets)
    )
    for link in links:
        assert (ROOT / link).is_file(), link
        # ansible-galaxy matches each directory and file path (relative to the root) against the patterns.
        for path in [*reversed(link.parents[:-1]), link]:
            assert not any(fnmatch(path.as_posix(), pattern) for pattern in ignored), (link, path)
        assert any(link.as_posix().startswith(top + "/") for top in trees), link
