"""What agents keep with `server.save(table)`: one record per agent id, read back by `server.load()`.

The values are the runtime's plain values; `runtime.values.to_stored`/`from_stored` is their one
JSON form (blobs as base64), so whatever an agent saved reads back as itself, and nothing the store
holds can stop an agent from booting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..runtime.values import from_stored, to_stored

if TYPE_CHECKING:
    from . import Models


class AgentData:
    def __init__(self, models: Models) -> None:
        self.store = models.store

    def save(self, agent_id: str, data: Any) -> None:
        """Replace what the agent saved (its `server.save` table)."""
        self.store.put("agent_data", {"id": agent_id, "data": to_stored(data)})

    def load(self, agent_id: str) -> Any:
        """What the agent saved last; `{}` when it never saved."""
        record = self.store.get("agent_data", agent_id)
        data = from_stored(record["data"]) if record else {}
        return data if isinstance(data, dict) else {}

    def forget(self, agent_id: str) -> None:
        self.store.delete("agent_data", agent_id)
