"""`pip install <wheel>` in a venv with nothing but pip gives impt, the emulator and the collection."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from ansible.release import __version__ as ANSIBLE_CORE
from built import VERSION, clean_env, role_readme_links, run

# The suite's session fixtures build the wheel and the tarball: one xdist worker builds them once.
pytestmark = pytest.mark.xdist_group("packaging")

PLAYBOOK = """\
- name: One task from the installed collection
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: A product
      electricimp.impcentral.product:
        name: Wheel Check
        description: made by a playbook from the wheel
"""


def test_wheel_in_an_empty_venv_runs_impt_the_emulator_and_the_collection(wheel, own_emulator, tmp_path: Path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    bin_dir = venv / "bin"
    # ansible-core only for the playbook half: impt and the emulator need nothing but the wheel.
    run(
        bin_dir / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
        f"ansible-core=={ANSIBLE_CORE}",
    )
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home)
    site = Path(
        run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    )
    collection = site / "ansible_collections" / "electricimp" / "impcentral"
    assert (collection / "meta" / "runtime.yml").is_file()
    assert not collection.is_symlink()

    assert run(bin_dir / "impt", "--version", env=env, cwd=home).stdout.strip() == "2.6.1"

    emulator = own_emulator(bin_dir, home)
    run(
        bin_dir / "impt",
        "auth",
        "login",
        "--endpoint",
        emulator.base_url,
        "--user",
        "demo",
        "--pwd",
        "demo-password",
        "-q",
        env=env,
        cwd=home,
    )
    run(bin_dir / "impt", "product", "create", "--name", "From The Wheel", env=env, cwd=home)
    listing = run(bin_dir / "impt", "product", "list", "-z", "json", env=env, cwd=home).stdout
    assert "From The Wheel" in {product["Product"]["name"] for product in json.loads(listing)}

    doc = run(bin_dir / "ansible-doc", "electricimp.impcentral.product", env=env, cwd=home).stdout
    assert str(collection / "plugins" / "modules" / "product.py") in doc

    (home / "site.yml").write_text(PLAYBOOK)
    play_env = dict(
        env,
        IMPT_ENDPOINT=emulator.base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",  # noqa: S106 - the emulator's demo seed account
        ANSIBLE_PYTHON_INTERPRETER=str(bin_dir / "python"),
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
    )
    played = run(bin_dir / "ansible-playbook", "site.yml", env=play_env, cwd=home).stdout
    assert "changed=1" in played
    listing = run(bin_dir / "impt", "product", "list", "-z", "json", env=env, cwd=home).stdout
    assert "Wheel Check" in {product["Product"]["name"] for product in json.loads(listing)}


def test_wheel_holds_the_collection_console_and_emulator_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"electricimp_impcentral-{VERSION}.dist-info/METADATA").decode()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"ansible_collections", "impt", "impcentral_emulator", f"electricimp_impcentral-{VERSION}.dist-info"}
    collection = "ansible_collections/electricimp/impcentral/"
    assert {name[len(collection) :].split("/", 1)[0] for name in names if name.startswith(collection)} == {
        "plugins",
        "roles",
        "playbooks",
        "meta",
        "docs",
        "galaxy.yml",
        "README-collection.md",
        "LICENSE",
        "CHANGELOG.rst",
    }
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc") or "/tests/" in name]
    # Only the user guides (docs/docsite), and every local file the roles' READMEs link to.
    assert {name.split("/", 5)[4] for name in names if name.startswith(f"{collection}docs/")} == {"docsite"}
    links = role_readme_links()
    assert "docs/docsite/rst/roles.rst" in links
    assert {collection + link for link in links} <= set(names)
    assert "License-Expression: GPL-3.0-or-later" in metadata
