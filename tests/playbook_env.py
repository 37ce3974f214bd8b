"""The environment of an ``ansible-playbook`` run against an emulator, for the tests that start real processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def playbook_env(base_url: str, tmp_path: Path) -> dict:
    """The demo account on ``base_url``, this interpreter, no colour or localhost warnings, a private cache."""
    return dict(
        os.environ,
        IMPT_ENDPOINT=base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        NO_PROXY="127.0.0.1,localhost",
    )
