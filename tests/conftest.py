"""Shared fixtures: one impCentral emulator per test session (contract: docs/dev/testing.md).

Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`) each worker is a session of its own, so
each has its own emulator. A file's tests stay on one worker (its module fixtures and any order among
its tests hold); a suite whose files share something expensive or on disk names one `xdist_group`
for all of them (tests/packaging: the built wheel and tarball).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_process import TIME_SCALE, EmulatorHandle, start_emulator  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "xdist_per_test: the file's tests share nothing but the per-worker emulator (reset before each): "
        "pytest-xdist may run them on different workers",
    )


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test without an `xdist_group` is grouped with its file (or, marked `xdist_per_test`, is a
    group of its own): `--dist loadgroup` is then `--dist loadfile` with room for groups that span files
    and for long files whose tests are independent."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        own = item.get_closest_marker("xdist_per_test") is not None
        item.add_marker(pytest.mark.xdist_group(item.nodeid if own else item.nodeid.split("::", 1)[0]))


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
