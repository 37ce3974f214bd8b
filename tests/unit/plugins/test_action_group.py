"""Every module is in the `impcentral` action group of meta/runtime.yml (so module_defaults reach it)."""

from __future__ import annotations

from check_action_group import mismatch


def test_every_module_is_in_the_action_group() -> None:
    missing, unknown = mismatch()
    assert not missing, f"modules missing from action_groups.impcentral in meta/runtime.yml: {missing}"
    assert not unknown, f"action_groups.impcentral names modules that do not exist: {unknown}"
