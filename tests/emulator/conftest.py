"""Fixtures for the emulator's behaviour tests."""

from __future__ import annotations

import pytest
from emulator_api import Api


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
