"""The version matrix and the artifact check, on antsibull-nox (the community's nox harness).

`antsibull_nox.load_antsibull_nox_toml()` adds the sessions configured in antsibull-nox.toml:
`build-import-check` builds the Galaxy artifact with `ansible-galaxy collection build` (galaxy-importer:
see antsibull-nox.toml). The two version legs are this file's own sessions, registered beside it: each
installs the project from its wheel (as users do) with one ansible-core and the test tools, then runs
what can differ between ansible-core versions: the plugins' unit tests (modules, action, inventory
and lookup plugins against that ansible-core's APIs), one smoke play per plugin family through
ansible-playbook and ansible-inventory (SMOKE) and `ansible-test sanity` (tests/run_sanity.py).
antsibull-nox's own ansible-test sessions do not fit them (docs/dev/testing.md, "The version
matrix"). The rest of the suites do not touch ansible-core, or reach it only through those plugins:
`make test` runs them once, in the everyday `.venv` (ansible-core 2.19, the middle of the range).
`make matrix` or `.venv/bin/nox` runs the build-import check and both legs; `nox -s "tests-2.16"` one.

meta/runtime.yml (requires_ansible), pyproject.toml (requires-python, classifiers) and the README
state this range; tests/unit/test_packaging.py checks that they agree with LEGS.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import antsibull_nox
import nox

ROOT = Path(__file__).resolve().parent
# ansible-core release -> (exact pin, Python it runs on). 2.16 is the oldest in requires_ansible and
# runs on the oldest Python we support; 2.21 needs Python >= 3.12.
LEGS = {
    "2.16": ("2.16.19", "3.10"),
    "2.21": ("2.21.5", "3.13"),
}
# What each leg runs with pytest (docs/dev/testing.md, "The version matrix"):
SMOKE = [
    # Every module, action, inventory and lookup plugin against this ansible-core's module and plugin APIs.
    "tests/unit/plugins",
    # Resource modules (every one), info modules, lookups and the log_tail action in real plays, with
    # --check and --diff; the check-mode predictions of a whole line.
    "tests/integration/ansible/test_playbooks.py",
    # The inventory plugin through ansible-inventory.
    "tests/integration/ansible/test_inventory_devices.py::test_every_device_is_a_host_in_its_groups",
    # The release_rollout action through ansible-playbook, its task timeout included.
    "tests/integration/ansible/test_release_rollout_cancel.py::test_the_tasks_own_timeout_stops_the_rollout_between_two_writes",
]

nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


def _pyenv_pythons_on_path() -> None:
    """Put pyenv's interpreters (python3.10 ... python3.13) on PATH, where the machines keep them."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if versions.is_dir():
        bins = [str(path / "bin") for path in sorted(versions.iterdir(), reverse=True) if (path / "bin").is_dir()]
        os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


_pyenv_pythons_on_path()
antsibull_nox.load_antsibull_nox_toml()
# `make matrix` (a bare `nox`): the artifact first (a few seconds), then the legs.
nox.options.sessions = ["build-import-check", *(f"tests-{release}" for release in LEGS)]


def _clean_build_tree() -> None:
    """setuptools copies into build/lib and never deletes: a file removed from the tree would ship."""
    for path in ROOT.glob("build/lib*"):
        shutil.rmtree(path)
    for path in ROOT.glob("build/bdist*"):
        shutil.rmtree(path)


for _release, (_pin, _python) in LEGS.items():

    @nox.session(name=f"tests-{_release}", python=_python)
    def tests(session: nox.Session, pin: str = _pin) -> None:
        """The plugins' unit tests, a smoke play per plugin family and ansible-test sanity on one ansible-core."""
        _clean_build_tree()
        session.install("-r", "requirements-test.txt", f"ansible-core=={pin}", ".")
        # A reused venv already holds version X of the project: pip would keep it, not this tree.
        session.install("--no-deps", "--force-reinstall", ".")
        session.run("ansible", "--version")
        session.run("python", "-m", "pytest", "-n", "2", "--dist", "loadgroup", *SMOKE, *session.posargs)
        session.run("python", "tests/run_sanity.py")
