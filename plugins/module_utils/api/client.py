"""``ImpCentralClient``: the one impCentral API v5 client the console, modules and lookups share."""

from typing import Any, Callable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.accounts import (
    Accounts,
    LoginKeys,
    RefreshTokens,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import (
    Authenticator,
    MemoryTokenStore,
    Tokens,
    TokenStore,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import DEFAULT_ENDPOINT
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.deployments import Deployments
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.device_groups import DeviceGroups
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.devices import Devices
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import Transport
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.logs import Logs, LogStreams
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.products import Products
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.webhooks import Webhooks

__all__ = ["ImpCentralClient", "MemoryTokenStore", "TokenStore", "Tokens"]


class ImpCentralClient:
    """Facade: one transport, one token holder, one object per entity kind."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        token_store: Optional[TokenStore] = None,
        timeout: Any = (10.0, 60.0),
        validate_certs: bool = True,
        ca_bundle: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: int = 5,
        connect_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        overall_deadline: Optional[float] = None,
        overall_label: str = "task",
        debug_hook: Optional[Callable[[dict], None]] = None,
        user_agent: Optional[str] = None,
    ) -> None:
        self.transport = Transport(
            endpoint,
            timeout=timeout,
            validate_certs=validate_certs,
            ca_bundle=ca_bundle,
            proxy=proxy,
            max_retries=max_retries,
            connect_retries=connect_retries,
            deadline=deadline,
            overall_deadline=overall_deadline,
            overall_label=overall_label,
            debug_hook=debug_hook,
            user_agent=user_agent,
        )
        self.auth = Authenticator(self.transport, token_store)
        self.transport.auth = self.auth
        self.accounts = Accounts(self.transport)
        self.refresh_tokens = RefreshTokens(self.transport)
        self.login_keys = LoginKeys(self.transport)
        self.products = Products(self.transport, self.accounts.me)
        self.device_groups = DeviceGroups(self.transport)
        self.devices = Devices(self.transport)
        self.deployments = Deployments(self.transport)
        self.webhooks = Webhooks(self.transport)
        self.log_streams = LogStreams(self.transport)
        self.logs = Logs(self.transport, self.log_streams, self.devices)
        # Where the credentials came from (an option, the environment, an auth file), for login failures.
        self.credential_source: Optional[str] = None

    @property
    def endpoint(self) -> str:
        """The API base URL in use."""
        return self.transport.endpoint

    # -- authentication ----------------------------------------------------------------------

    def login(
        self,
        user: str,
        password: str,
        *,
        otp: Optional[str] = None,
        otp_callback: Optional[Callable[[], str]] = None,
    ) -> Tokens:
        """Password login; MFA via ``otp`` / ``otp_callback``, else ``MfaRequiredError``."""
        self.accounts.forget_me()
        return self.auth.login(user, password, otp=otp, otp_callback=otp_callback)

    def login_otp(self, login_token: str, otp: str) -> Tokens:
        """Second MFA step with the ``login_token`` of ``MfaRequiredError``."""
        self.accounts.forget_me()
        return self.auth.login_otp(login_token, otp)

    def login_with_key(self, login_key: str) -> Tokens:
        """Exchange a login key for an access token."""
        self.accounts.forget_me()
        return self.auth.login_with_key(login_key)

    def refresh(self) -> Tokens:
        """New access token now (refresh token, else login key, else stored credentials)."""
        return self.auth.refresh()

    def set_credentials(
        self,
        *,
        user: Optional[str] = None,
        password: Optional[str] = None,
        login_key: Optional[str] = None,
        otp_callback: Optional[Callable[[], str]] = None,
    ) -> None:
        """Credentials for a lazy login before the first authenticated call."""
        self.auth.set_credentials(user=user, password=password, login_key=login_key, otp_callback=otp_callback)

    @property
    def tokens(self) -> Optional[Tokens]:
        """Current tokens, if any."""
        return self.auth.tokens

    def set_tokens(self, tokens: Optional[Tokens]) -> None:
        """Use these tokens (e.g. read from an auth file)."""
        self.accounts.forget_me()
        self.auth.set_tokens(tokens)

    def close(self) -> None:
        """Release pooled connections."""
        self.transport.close()

    def __enter__(self) -> "ImpCentralClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ImpCentralClient({self.endpoint!r})"
