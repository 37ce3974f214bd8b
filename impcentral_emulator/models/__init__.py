"""The emulator's model layer: the state and every rule of impCentral, as moto's `models.py` does.

Routes (`routes/`, `admin.py`) translate HTTP into calls on these models and their results or
`ApiError`s back into JSON:API; seeds call the same methods. Only the models write to the
store. One `Models` per emulator:

| model | owns |
|---|---|
| `accounts` | accounts, logins, MFA, access/refresh tokens, login keys |
| `products` | products |
| `devicegroups` | device groups (`grouptypes.py`: the one table of the seven types) |
| `devices` | devices, assignment rules, restarts, blessing, BlinkUp, on/offline, logging |
| `deployments` | deployments |
| `webhooks` | webhooks and firing them |
| `logs` | device log history and log streams |
| `agent_data` | what agents keep with `server.save` |

`events` is the observer interface (`events.py`) the device simulator and the device runtime
subscribe to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..store import Store
from .accounts import Accounts
from .agentdata import AgentData
from .deployments import Deployments, bracket_errors
from .devicegroups import DeviceGroups
from .devices import Devices
from .events import Events, Observer
from .logs import LogHub
from .products import Products
from .webhooks import Webhooks

if TYPE_CHECKING:
    from ..config import EmulatorConfig


class Delivery:
    """Where fired webhooks go (the emulator plugs in its HTTP dispatcher)."""

    def deliver(self, hook: dict[str, Any], payload: dict[str, Any]) -> None:
        """Schedule one POST of `payload` to the webhook's URL."""


CompileCheck = Callable[[str, str], list[dict[str, Any]]]


class Models:
    """`compile_check(device_code, agent_code)` lists CX005 items: Squirrel's compiler when code
    runs, bracket balance with `--exec off`."""

    def __init__(
        self,
        store: Store,
        config: EmulatorConfig,
        delivery: Delivery | None = None,
        compile_check: CompileCheck | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.delivery = delivery or Delivery()
        self.compile_check: CompileCheck = compile_check or bracket_errors
        self.events = Events()
        self.logs = LogHub(store, self.events, config.stream_device_limit)
        self.accounts = Accounts(self)
        self.products = Products(self)
        self.devicegroups = DeviceGroups(self)
        self.devices = Devices(self)
        self.deployments = Deployments(self)
        self.webhooks = Webhooks(self)
        self.agent_data = AgentData(self)

    def commit(self) -> None:
        self.store.commit()

    def clear(self) -> None:
        """Forget every entity, stream and MFA challenge (reset, before the seed is loaded again)."""
        self.logs.close_all()
        self.store.clear()
        self.accounts.mfa_challenges.clear()


__all__ = ["Delivery", "Events", "Models", "Observer"]
