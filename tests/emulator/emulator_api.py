"""An authenticated impCentral client over plain `requests`, for the emulator's behaviour tests."""

from __future__ import annotations

from typing import Any

import requests

JSON_API = "application/vnd.api+json"


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": JSON_API})

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base_url + path, json=body, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, status: int | None = None, **kwargs: Any) -> Any:
        response = self.call(method, path, body, **kwargs)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        assert response.status_code == expected, response.text
        return response.json()["data"] if response.content else None

    def me(self) -> dict:
        return self.ok("GET", "/accounts/me")

    def product(self, name: str = "P1", **attributes: Any) -> dict:
        body = {"data": {"type": "product", "attributes": {"name": name, **attributes}}}
        return self.ok("POST", "/products", body)

    def group(self, product: dict, name: str = "DG1", kind: str = "development_devicegroup", **extra: Any) -> dict:
        relationships = {"product": {"type": "product", "id": product["id"]}}
        for target in ("production_target", "dut_target"):
            if target in extra:
                value = extra.pop(target)
                relationships[target] = {"type": value["type"], "id": value["id"]}
        body = {"data": {"type": kind, "attributes": {"name": name, **extra}, "relationships": relationships}}
        return self.ok("POST", "/devicegroups", body)

    def deploy(self, group: dict, device_code: str = "", agent_code: str = "", **attributes: Any) -> dict:
        body = {
            "data": {
                "type": "deployment",
                "attributes": {"device_code": device_code, "agent_code": agent_code, **attributes},
                "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
            }
        }
        return self.ok("POST", "/deployments", body)

    def assign(self, group: dict, *device_ids: str) -> requests.Response:
        body = {"data": [{"type": "device", "id": ident} for ident in device_ids]}
        return self.call("POST", f"/devicegroups/{group['id']}/relationships/devices", body)

    def unassign(self, group: dict, *device_ids: str, unbond_key: str | None = None) -> requests.Response:
        body = {"data": [{"type": "device", "id": ident} for ident in device_ids]}
        headers = {"X-Electricimp-Key": unbond_key} if unbond_key else {}
        return self.call("DELETE", f"/devicegroups/{group['id']}/relationships/devices", body, headers=headers)

    def devices(self) -> list[dict]:
        return self.ok("GET", "/devices?page[size]=100")


def error_of(response: requests.Response) -> dict:
    body = response.json()
    assert set(body) == {"errors"}, body
    return body["errors"][0]


class SseReader:
    """Reads a real SSE response event by event: ("message"|"state_change", data) or (":", comment)."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.response = requests.get(url, stream=True, timeout=timeout)
        self._chunks = self.response.iter_content(chunk_size=None, decode_unicode=True)
        self._buffer = ""

    def next(self) -> tuple[str, str]:
        while "\n\n" not in self._buffer:
            self._buffer += next(self._chunks)
        block, self._buffer = self._buffer.split("\n\n", 1)
        if block.startswith(":"):
            return ":", block[1:].strip()
        event, data = "message", []
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
        return event, "\n".join(data)

    def next_event(self) -> tuple[str, str]:
        """The next event, skipping keep-alive comments."""
        while True:
            event = self.next()
            if event[0] != ":":
                return event

    def close(self) -> None:
        self.response.close()
