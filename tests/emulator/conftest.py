"""Fixtures for the emulator's behaviour tests."""

from __future__ import annotations

import pytest
import requests
from emulator_api import Api
from emulator_process import start_emulator


@pytest.fixture
def api(emulator) -> Api:
    return Api(emulator.base_url, emulator.token())


@pytest.fixture
def collab_api(emulator) -> Api:
    return Api(emulator.base_url, emulator.token("collab", "collab-password"))


@pytest.fixture
def production_setup(api: Api) -> dict:
    """A product with production, DUT and factory groups, and a fixture device assigned."""
    product = api.product("Factory product")
    production = api.group(product, "Prod", "production_devicegroup")
    dut = api.group(product, "DUT", "dut_devicegroup")
    factory = api.group(product, "Factory", "factoryfixture_devicegroup", production_target=production, dut_target=dut)
    fixture = next(d for d in api.devices() if d["attributes"]["imp_type"] == "imp005")
    assert api.assign(factory, fixture["id"]).status_code == 204
    return {"product": product, "production": production, "dut": dut, "factory": factory, "fixture": fixture}


@pytest.fixture(scope="module")
def literal_emulator():
    """An emulator with `--exec off`: devices log the literal lines of their code (today's simulator)."""
    process = start_emulator("--seed", "demo", "--rate-limit", "off", "--exec", "off")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def literal_api(literal_emulator) -> Api:
    requests.post(f"{literal_emulator.root_url}/_emulator/reset", timeout=10).raise_for_status()
    token = requests.post(
        f"{literal_emulator.base_url}/auth", json={"id": "demo", "password": "demo-password"}, timeout=10
    ).json()["access_token"]
    return Api(literal_emulator.base_url, token)
