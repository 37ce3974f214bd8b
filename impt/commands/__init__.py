"""Command groups: one package per group (`impt/commands/<group>/`), each exposing `COMMANDS` (a tuple of
`impt.options.Command`), with the helpers only that group uses beside it.

A group exists when its package exists, so new groups plug in by adding a folder here and a line below.
Descriptions live here so `impt --help` lists groups without importing any of them.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

GROUP_DESCRIPTIONS = {
    "account": "Account information commands.",
    "auth": "Authentication commands.",
    "build": "Build manipulation commands.",
    "completion": "Shell completion scripts (bash, zsh, fish).",
    "device": "Device manipulation commands.",
    "dg": "Device Group manipulation commands.",
    "log": "Logs manipulation commands.",
    "loginkey": "Login Key manipulation commands.",
    "product": "Product manipulation commands.",
    "project": "Project manipulation commands.",
    "test": "Test manipulation commands.",
    "webhook": "Webhook manipulation commands.",
}
_HIDDEN_GROUPS = {"completion"}  # a command of its own, not a group of commands
# A folder named `build/` is taken for build output by git, ruff and packaging tools: the build group lives in
# `builds/`. Every other group's package is named after the group.
_PACKAGES = {"build": "builds"}


def package_of(group: str) -> str:
    """The package (folder) of a group under impt/commands/."""
    return _PACKAGES.get(group, group)


def available_groups() -> list[str]:
    """Groups whose package is installed, in help order."""
    here = os.path.dirname(__file__)
    present = {name for name in os.listdir(here) if os.path.isfile(os.path.join(here, name, "__init__.py"))}
    return [g for g in GROUP_DESCRIPTIONS if package_of(g) in present and g not in _HIDDEN_GROUPS]


def load_group(name: str) -> ModuleType | None:
    """Import one group's package; None for an unknown group."""
    if name not in available_groups():
        return None
    return importlib.import_module(f"impt.commands.{package_of(name)}")
