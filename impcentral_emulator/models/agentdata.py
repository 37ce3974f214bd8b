"""What agents keep with `server.save(table)`: one record per agent id, read back by `server.load()`.

Squirrel blobs arrive as `bytes`; the store holds JSON, so they are kept as `{"__blob__": base64}`.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Models

_BLOB = "__blob__"


class AgentData:
    def __init__(self, models: Models) -> None:
        self.store = models.store

    def save(self, agent_id: str, data: Any) -> None:
        """Replace what the agent saved (its `server.save` table)."""
        self.store.put("agent_data", {"id": agent_id, "data": _to_json(data)})

    def load(self, agent_id: str) -> Any:
        """What the agent saved last; `{}` when it never saved."""
        record = self.store.get("agent_data", agent_id)
        return _from_json(record["data"]) if record else {}

    def forget(self, agent_id: str) -> None:
        self.store.delete("agent_data", agent_id)


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BLOB: base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BLOB}:
            return base64.b64decode(value[_BLOB])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value
