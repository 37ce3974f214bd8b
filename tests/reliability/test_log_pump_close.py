"""LogPump.close() ends its reader thread at once, not at the stream's next keep-alive.

The emulator here sends keep-alives every 30 s (impCentral: 15 s), so a reader that only looks at its
stop flag between events would still be blocked when the test checks.
"""

from __future__ import annotations

import time

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.logs import LogPump, StateChange
from emulator_process import start_emulator


@pytest.fixture
def quiet_emulator():
    process = start_emulator("--seed", "demo", "--rate-limit", "off", "--keepalive", "30")
    try:
        yield process
    finally:
        process.stop()


def test_close_ends_a_blocked_reader_at_once(quiet_emulator):
    client = ImpCentralClient(quiet_emulator.base_url)
    client.login("demo", "demo-password")
    device = client.devices.list()[0]
    pump = LogPump(client, [device["id"]])
    deadline = time.monotonic() + 10
    first = None
    while first is None and time.monotonic() < deadline:
        first = pump.next(0.5)
    assert isinstance(first, StateChange)  # the stream is open and subscribed; the reader now waits in recv
    time.sleep(0.3)
    started = time.monotonic()
    pump.close()
    assert pump.join(5), "the reader thread is still blocked on the stream"
    assert time.monotonic() - started < 2
    client.close()
