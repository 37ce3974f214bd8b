"""Agents' own HTTP requests (`http.request` ... `sendasync`/`sendsync`), made on the host's event loop.

A worker never opens a socket: it hands the request to the host, which answers it here and sends the
response back as an event, so a slow server stalls no worker and no other account. Where a request
may go is the emulator's policy (`OutboundPolicy`, the same rules as webhooks); this emulator's own
agent URLs are answered in process. Failures are statuscodes below 100, libcurl's numbers, as the
imp API reference describes (`statuscode`: "HTTP status code (or libcurl error code)"; 3 for a malformed
URL and 6 for a name that does not resolve are its own examples).
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from .limits import Limits
    from .records import HttpAnswer

# libcurl error codes the emulator reports
CURLE_UNSUPPORTED_PROTOCOL = 1  # refused: the URL is not one this emulator may request
CURLE_URL_MALFORMAT = 3
CURLE_COULDNT_RESOLVE_HOST = 6
CURLE_COULDNT_CONNECT = 7
CURLE_FILESIZE_EXCEEDED = 63
CURLE_OPERATION_TIMEDOUT = 28
CURLE_RECV_ERROR = 56


class Policy(Protocol):
    """What the emulator allows (its `OutboundPolicy`); the runtime imports nothing of the emulator."""

    def agent_refusal(self, url: str) -> str | None: ...

    def resolved_refusal(self, address: str) -> str | None: ...


class OwnAgentsOnly:
    """Without a policy from the emulator: nothing but this emulator's agent URLs."""

    def agent_refusal(self, url: str) -> str | None:
        return "only this emulator's agent URLs may be requested"

    def resolved_refusal(self, address: str) -> str | None:
        return None


def failure(code: int, message: str) -> dict[str, Any]:
    """A response table for a request that got no HTTP answer."""
    return {"statuscode": code, "headers": {}, "rawheaders": [], "body": message}


def own_agent(url: str, base: str) -> tuple[str, str, dict[str, str]] | None:
    """(agent id, path after it, query) when `url` is one of this emulator's agent URLs."""
    base = base.rstrip("/")
    if not base or not url.startswith(base + "/"):
        return None
    parts = urlsplit(url)
    rest = parts.path[len(urlsplit(base).path) + 1 :]
    agent_id, _, path = rest.partition("/")
    return agent_id, "/" + path if path else "", dict(parse_qsl(parts.query, keep_blank_values=True))


def from_answer(answer: HttpAnswer) -> dict[str, Any]:
    """An in-process agent's answer as the response table (header names in lower case)."""
    headers = {k.lower(): v for k, v in answer.headers.items()}
    return {
        "statuscode": answer.status,
        "headers": headers,
        "rawheaders": [f"{k}: {v}" for k, v in answer.headers.items()],
        "body": answer.body.decode("utf-8", "surrogateescape"),
    }


async def fetch(spec: dict[str, Any], policy: Policy, limits: Limits, session: Any) -> dict[str, Any]:
    """Make the request with aiohttp after the policy allowed it; any failure is a libcurl statuscode."""
    import aiohttp

    url = spec["url"]
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return failure(CURLE_URL_MALFORMAT, f"the URL is malformed: {exc}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return failure(CURLE_URL_MALFORMAT, "the URL is malformed: it needs http: or https: and a host")
    refusal = policy.agent_refusal(url)
    if refusal:
        return failure(CURLE_UNSUPPORTED_PROTOCOL, refusal)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return failure(CURLE_COULDNT_RESOLVE_HOST, f"could not resolve {parts.hostname}: {exc}")
    for info in infos:
        refusal = policy.resolved_refusal(str(info[4][0]))
        if refusal:
            return failure(CURLE_UNSUPPORTED_PROTOCOL, refusal)
    ssl = False if spec.get("verify") == 1 else None  # VALIDATE_NONE
    try:
        request = session.request(
            spec["method"], url, headers=spec["headers"], data=spec["body"], allow_redirects=False, ssl=ssl
        )
        async with request as response:
            body = await response.content.read(limits.http_outbound_response_bytes + 1)
            if len(body) > limits.http_outbound_response_bytes:
                return failure(CURLE_FILESIZE_EXCEEDED, "the response is larger than the agent accepts")
            raw = [f"{k}: {v}" for k, v in response.headers.items()]
            headers: dict[str, str] = {}
            for k, v in response.headers.items():
                key = k.lower()
                headers[key] = f"{headers[key]}, {v}" if key in headers else v
            return {
                "statuscode": response.status,
                "headers": headers,
                "rawheaders": raw,
                "body": body.decode("utf-8", "surrogateescape"),
            }
    except aiohttp.ClientConnectorError as exc:
        return failure(CURLE_COULDNT_CONNECT, f"could not connect to {parts.hostname}:{port}: {exc.os_error}")
    except asyncio.TimeoutError:
        return failure(CURLE_OPERATION_TIMEDOUT, "the request timed out")
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return failure(CURLE_RECV_ERROR, f"{type(exc).__name__}: {exc}")
