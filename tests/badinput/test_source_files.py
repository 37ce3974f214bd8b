"""The deployment module reads device_file/agent_file only when they are regular files of at most 4 MiB
(checked on the opened file, before reading), and names a compile error (CX005) by file:row:column."""

from __future__ import annotations

import os

import pytest
from relsuite import patch_module_exits, run_module


@pytest.fixture
def modules(monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("IMPT_ENDPOINT", "IMPT_LOGINKEY", "IMPT_USER", "IMPT_PASSWORD", "IMPT_AUTH_FILE_PATH"):
        monkeypatch.delenv(name, raising=False)


def _deploy(emulator, **args):
    connection = {"endpoint": emulator.base_url, "username": "demo", "password": "demo-password"}
    return run_module("deployment", {**args, **connection})


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "directory", "too large"])
def test_source_file_that_is_not_a_small_regular_file_is_refused_before_reading(kind, modules, emulator, tmp_path):
    path = {"/dev/zero": "/dev/zero", "fifo": str(tmp_path / "f.nut"), "directory": str(tmp_path)}.get(kind)
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "too large":
        path = str(tmp_path / "big.nut")
        with open(path, "wb") as handle:
            handle.truncate(4 * 1024 * 1024 + 1)
    emulator.clear_requests()
    result = _deploy(emulator, device_group="no-such-group", device_file=path)
    assert result["failed"] is True
    expected = "4194304 bytes" if kind == "too large" else "not a regular file"
    assert result["msg"].startswith(f"Cannot read device_file {path}") and expected in result["msg"], result
    assert emulator.requests() == []


def test_compile_error_names_file_row_column_and_text(modules, emulator, tmp_path):
    assert _deploy_group(emulator)
    source = tmp_path / "device.nut"
    source.write_text("function f() {\n  server.log(1);\n")
    result = _deploy(emulator, device_group="Source files", device_file=str(source), agent_code="")
    assert result["failed"] is True and result.get("code") == "CX005", result
    assert f"{source}:" in result["msg"] and "does not compile" in result["msg"], result["msg"]
    item = result["meta"][0]
    assert f"{source}:{item['row']}:{item['column']}: " in result["msg"]
    assert item["text"] in result["msg"]


def _deploy_group(emulator) -> bool:
    connection = {"endpoint": emulator.base_url, "username": "demo", "password": "demo-password"}
    run_module("product", {"name": "Source files product", **connection})
    result = run_module("device_group", {"name": "Source files", "product": "Source files product", **connection})
    return not result.get("failed")
