"""What the models tell the rest of the emulator: a small observer interface.

The device simulator (and, later, the Squirrel device runtime) subscribe here instead of being
called from HTTP handlers, so a device behaves the same whether it moved through `/v5`, the
admin API or a blessing. Observers implement the methods they care about (`Observer` gives
no-op defaults). Events are raised after the model changed the record and before the request
commits; `validate_deployment` is raised before anything is stored and may refuse with an
`ApiError` (the runtime compiles there and answers CX005).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ..store import Record


class Observer:
    """Every event with a no-op default: subclass and override what you need."""

    # devices
    def device_online(self, device: Record, online: bool) -> None:
        """The device connected (`online` True) or disconnected."""

    def device_assigned(self, device: Record, group: Record) -> None:
        """The device entered (or was assigned again to) the group; it loads the group's code."""

    def device_unassigned(self, device: Record, group: Record) -> None:
        """The device left the group (unassign, delete); its code stops."""

    def device_restarted(self, device: Record, group: Record) -> None:
        """A restart or conditional restart chose this device: it reloads the group's code."""

    def device_logged(self, device: Record, entry: Record) -> None:
        """A log line was appended to the device's history (and pushed to its streams)."""

    # deployments
    def validate_deployment(self, group: Record, device_code: str, agent_code: str) -> None:
        """Before a deployment is stored: raise an ApiError (CX005) to refuse the code."""

    def deployment_created(self, deployment: Record, group: Record) -> None:
        """A deployment was stored; it is now the group's current deployment."""

    def current_deployment_changed(self, group: Record, deployment: Record | None) -> None:
        """The group's current deployment is now `deployment`."""


class Events:
    """The observers of one emulator; `muted()` silences them (a seed describes a state, not history)."""

    def __init__(self) -> None:
        self.observers: list[Observer] = []
        self._muted = 0

    def subscribe(self, observer: Observer) -> None:
        self.observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        if observer in self.observers:
            self.observers.remove(observer)

    def emit(self, event: str, *args: Any) -> None:
        if self._muted:
            return
        for observer in self.observers:
            getattr(observer, event)(*args)

    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1
