"""Webhook delivery: real HTTP POSTs in the background (spec §10); failures are reported, never fatal.

The webhooks model decides what fires; this is only the transport.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import deque
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp

from . import ids
from .models import Delivery
from .models.outbound import forbidden_target
from .store import Record

DELIVERY_TIMEOUT_SECONDS = 5


class WebhookDispatcher(Delivery):
    def __init__(self) -> None:
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=1000)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver(self, hook: Record, payload: dict[str, Any]) -> None:
        """Schedule the POST (nothing is delivered while a seed loads before the server runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._deliver(dict(hook), payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: Record, payload: dict[str, Any]) -> None:
        if hook["content_type"] == "application/json":
            body = json.dumps(payload).encode()
        else:
            body = urlencode({k: "" if v is None else v for k, v in payload.items()}).encode()
        record: dict[str, Any] = {
            "webhook_id": hook["id"],
            "url": hook["url"],
            "event": hook["event"],
            "content_type": hook["content_type"],
            "payload": payload,
            "time": ids.iso_timestamp(),
            "status": None,
            "error": None,
        }
        self.deliveries.append(record)
        try:
            await _check_resolved(hook["url"])
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS))
            headers = {"Content-Type": hook["content_type"], "User-Agent": "impcentral-emulator-webhooks"}
            post = self._session.post(hook["url"], data=body, headers=headers, allow_redirects=False)
            async with post as response:
                record["status"] = response.status
                await response.read()
            if record["status"] >= 400:
                record["error"] = f"HTTP {record['status']}"
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
        if record["error"]:
            print(
                f"impcentral-emulator: {hook['event']} webhook to {hook['url']} failed: {record['error']}",
                file=sys.stderr,
                flush=True,
            )

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()


async def _check_resolved(url: str) -> None:
    """Refuse at delivery time too: a name (or a numeric form such as 2852039166) may resolve
    to a link-local or metadata address that the URL check could not see."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    for info in infos:
        refusal = forbidden_target(str(info[4][0]))
        if refusal:
            raise ValueError(refusal)
