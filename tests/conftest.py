"""Shared fixtures: one impCentral emulator per test session (contract: docs/dev/testing.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_process import TIME_SCALE, EmulatorHandle, start_emulator  # noqa: E402


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHandle]:
    """One per process: under pytest-xdist, one per worker (each has its own session)."""
    process = start_emulator("--seed", "demo", "--rate-limit", "off", "--keepalive", "0.5", "--time-scale", TIME_SCALE)
    try:
        yield EmulatorHandle(process)
    finally:
        process.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    """The session emulator, back at the demo seed with an empty request log and no faults."""
    emulator_server.reset()
    emulator_server.admin("DELETE", "faults")
    emulator_server.clear_requests()
    return emulator_server
