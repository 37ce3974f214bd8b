"""The module corpus: wrong types, unknown choices, empty and `}{` identifiers end `failed` with a message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue import auth as glue_auth
from relsuite import patch_module_exits, run_module

CASES = yaml.safe_load((Path(__file__).resolve().parent / "corpus" / "modules.yml").read_text(encoding="utf-8"))


class NoWaitClient(ImpCentralClient):
    """The modules' client with its retry waits recorded instead of slept (an unreachable endpoint is
    retried with backoff: about 8 s of real sleeping otherwise)."""

    waits: list = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.transport.sleep = NoWaitClient.waits.append


@pytest.fixture
def module_env(monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setattr(glue_auth, "ImpCentralClient", NoWaitClient)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("IMPT_ENDPOINT", "IMPT_LOGINKEY", "IMPT_USER", "IMPT_PASSWORD", "IMPT_AUTH_FILE_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken-auth.json"
    broken.write_text('{"endpoint": 1, "accessToken": ', encoding="utf-8")
    fifo, big = tmp_path / "fifo.nut", tmp_path / "big.nut"
    os.mkfifo(fifo)
    with open(big, "wb") as handle:
        handle.truncate(4 * 1024 * 1024 + 1)
    return {"BROKEN_AUTH_FILE": str(broken), "FIFO": str(fifo), "BIG_FILE": str(big)}


def test_corpus_covers_every_module():
    modules = {p.stem for p in (Path(__file__).resolve().parents[2] / "plugins" / "modules").glob("*.py")}
    assert {c["module"] for c in CASES} == modules - {"__init__", "log_tail", "release_rollout"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['module']}-{i}" for i, c in enumerate(CASES)])
def test_module_fails_cleanly(case, emulator, module_env, tried):
    tried["module corpus"] += 1
    substitutions = {"EMULATOR": emulator.base_url, **module_env}
    connection = case.get("connection", {"endpoint": "EMULATOR", "username": "demo", "password": "demo-password"})
    connection = {key: substitutions.get(value, value) for key, value in connection.items()}
    args = {
        key: substitutions.get(value, value) if isinstance(value, str) else value for key, value in case["args"].items()
    }
    result = run_module(case["module"], {**args, **connection})
    assert result.get("failed") is True, f"{case}: {result}"
    assert isinstance(result.get("msg"), str) and result["msg"].strip(), result
    assert "Traceback" not in result["msg"], result
    assert "exception" not in result, result
