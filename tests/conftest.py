"""Shared fixtures: one impCentral emulator per test session (contract: docs/dev/testing.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_process import EmulatorProcess, start_emulator  # noqa: E402


class EmulatorHandle:
    """The running emulator as tests see it: URLs and helpers over its HTTP APIs."""

    def __init__(self, process: EmulatorProcess) -> None:
        self.process = process
        self.base_url = process.base_url
        self.root_url = process.root_url
        self.http = requests.Session()

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        """Call `/_emulator/<path>`; the parsed JSON answer (None when empty). Raises on 4xx/5xx."""
        url = f"{self.root_url}/_emulator/{path.lstrip('/')}"
        response = self.http.request(method, url, json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self.admin("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "requests")["data"]

    def clear_requests(self) -> None:
        self.admin("DELETE", "requests")

    def add_device(self, owner: str = "demo", **attrs: Any) -> dict[str, Any]:
        return self.admin("POST", "devices", {"owner": owner, **attrs})["data"]

    def token(self, user: str = "demo", password: str = "demo-password") -> str:
        response = self.http.post(f"{self.base_url}/auth", json={"id": user, "password": password}, timeout=10)
        response.raise_for_status()
        return response.json()["access_token"]


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHandle]:
    process = start_emulator("--seed", "demo", "--rate-limit", "off", "--keepalive", "0.5")
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
