"""Command execution context: which auth applies (seed "Command Execution Context"), the lazy client, the project.

Order: ./.impt.auth, then $IMPT_AUTH_FILE_PATH/.impt.auth, then IMPT_LOGINKEY / IMPT_USER, then ~/.impt.auth.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr

from impt import IMPT_VERSION
from impt.errors import AuthError, ImptError, NotFoundError
from impt.files import AUTH_FILE, auth_file_store, read_auth_file, read_project
from impt.output import Output
from impt.parser import Args
from impt.prompt import Terminal, ask

DEFAULT_ENDPOINT = "https://api.electricimp.com/v5"
REFRESH_AHEAD = 180.0
# Dead and slow endpoints (docs/docsite/rst/guide.rst): environment variable -> (default, what it sets). A server that
# accepts and never answers fails a command within the deadline; a refused connection within about a second.
NETWORK_SETTINGS = {
    "IMPCENTRAL_CONNECT_TIMEOUT": 5.0,  # seconds for the connection to open
    "IMPCENTRAL_TIMEOUT": 30.0,  # read timeout: seconds for one answer once connected
    "IMPCENTRAL_DEADLINE": 40.0,  # seconds one request may take, every retry and wait included
    # seconds of API time a whole command may spend: every request, retry and retry wait (not prompts)
    "IMPCENTRAL_OVERALL_DEADLINE": 300.0,
}
DEFAULT_MAX_RETRIES = 5
# Commands whose job is to wait have their own timeouts (--timeout, --until, the test's own): no overall deadline.
WAITING_COMMANDS = frozenset({("log", "stream"), ("test", "run")})


def waits(group: str, name: str, args: Args) -> bool:
    """Whether a command follows logs or tests for as long as it is told to: exempt from the overall deadline."""
    return (group, name) in WAITING_COMMANDS or bool(args.log)


def network_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The client's timeouts, deadline and retry count from the environment; a bad value is one clear error."""
    values: dict[str, Any] = {}
    for name, default in NETWORK_SETTINGS.items():
        raw = env.get(name)
        values[name] = default if raw in (None, "") else _number(name, raw, positive=True)
    raw = env.get("IMPCENTRAL_MAX_RETRIES")
    retries = DEFAULT_MAX_RETRIES if raw in (None, "") else _number("IMPCENTRAL_MAX_RETRIES", raw, positive=False)
    if retries != int(retries):
        raise ImptError(f"IMPCENTRAL_MAX_RETRIES must be 0 or a positive whole number, not {raw!r}.")
    return {
        "timeout": (values["IMPCENTRAL_CONNECT_TIMEOUT"], values["IMPCENTRAL_TIMEOUT"]),
        "deadline": values["IMPCENTRAL_DEADLINE"],
        "overall_deadline": values["IMPCENTRAL_OVERALL_DEADLINE"],
        "max_retries": int(retries),
    }


def _number(name: str, raw: str, *, positive: bool) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and (value > 0 if positive else value >= 0)):
        wanted = "a number of seconds greater than 0" if positive else "0 or a positive whole number"
        raise ImptError(f"{name} must be {wanted}, not {raw!r}.")
    return value


@dataclass(frozen=True)
class AuthSource:
    kind: str  # local | path | env | global
    auth_type: str  # as `auth info` shows it
    file_label: str  # as error messages name the file
    path: Path | None = None

    @property
    def relogin(self) -> str:
        command = "impt auth login --local" if self.kind == "local" else "impt auth login"
        return f'Please relogin using "{command}" command and then try again.'


def find_auth_source(env: Mapping[str, str], cwd: Path, home: Path) -> AuthSource:
    """Apply the context rules; raises AuthError when nothing applies."""
    local = cwd / AUTH_FILE
    if local.exists():
        return AuthSource("local", "Local Auth file", "Local Auth File", local)
    directory = env.get("IMPT_AUTH_FILE_PATH")
    if directory:
        path = Path(directory) / AUTH_FILE
        if not path.exists():
            raise AuthError("Auth File is not found.")
        return AuthSource("path", f"Auth file path: {directory}", "Auth File", path)
    if env.get("IMPT_LOGINKEY") or env.get("IMPT_USER"):
        return AuthSource("env", "Environment variables", "Environment variables")
    global_file = home / AUTH_FILE
    if global_file.exists():
        return AuthSource("global", "Global Auth file", "Global Auth File", global_file)
    raise AuthError("You are not logged in.")


class Context:
    """Everything a command needs: parsed args, output, terminal, environment, and the client on first use."""

    def __init__(
        self,
        args: Args,
        out: Output,
        terminal: Terminal,
        *,
        env: Mapping[str, str],
        cwd: Path,
        home: Path,
        waits: bool = False,
        interrupts: Any = None,
    ) -> None:
        self.args = args
        self.waits = waits
        # cancel.DeferredInterrupt: a Ctrl-C during a write waits for its answer (set on every client's transport).
        self.interrupts = interrupts
        self.out = out
        self.terminal = terminal
        self.env = env
        self.cwd = cwd
        self.home = home
        self._client: Any = None
        self._project: Any = False
        self.auth_source: AuthSource | None = None

    def path(self, name: str) -> Path:
        """A user-given file name, relative to the command's working directory."""
        return self.cwd / Path(name).expanduser()

    @property
    def project(self) -> dict[str, Any] | None:
        if self._project is False:
            self._project = read_project(self.cwd)
        return self._project

    def project_dg_id(self, entity: str) -> str:
        """The project's Device Group id, for a "Yes/Project" option the user left out."""
        project = self.project
        if project is None:
            raise NotFoundError(f"No {entity} Identifier is specified.")
        return project["deviceGroupId"]

    def new_client(self, endpoint: str, token_store: Any = None) -> Any:
        from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

        hook = self._debug_event if self.out.mode == "debug" else None
        settings = network_settings(self.env)
        if self.waits:
            settings["overall_deadline"] = None
        client = ImpCentralClient(
            endpoint,
            token_store=token_store,
            **settings,
            overall_label="command",
            debug_hook=hook,
            user_agent=f"impt/{IMPT_VERSION}",
        )
        client.transport.guard = self.interrupts
        return client

    @property
    def client(self) -> Any:
        """The authenticated client for the applicable context (built once)."""
        if self._client is None:
            self._client = self._authenticated_client()
        return self._client

    def _authenticated_client(self) -> Any:
        source = find_auth_source(self.env, self.cwd, self.home)
        self.auth_source = source
        if source.kind == "env":
            client = self.new_client(self.env.get("IMPT_ENDPOINT") or DEFAULT_ENDPOINT)
            login_key = self.env.get("IMPT_LOGINKEY")
            if login_key:
                client.set_credentials(login_key=login_key, otp_callback=self.ask_otp)
            else:
                password = self.env.get("IMPT_PASSWORD")
                if password is None:
                    password = ask(self.out, self.terminal, "password", secret=True, option="IMPT_PASSWORD")
                client.set_credentials(user=self.env["IMPT_USER"], password=password, otp_callback=self.ask_otp)
            return client
        assert source.path is not None
        data = read_auth_file(source.path, source.file_label)
        store = auth_file_store(source.path, data.get("endpoint") or DEFAULT_ENDPOINT, data)
        tokens = store.load()
        if tokens.expires_in() < REFRESH_AHEAD and not tokens.refresh_token and not tokens.login_key:
            raise AuthError(
                f"Access token is expired for the {source.file_label}. "
                "Information required to refresh access token is not saved.",
                tail=[source.relogin],
            )
        return self.new_client(store.endpoint, token_store=store)

    def ask_otp(self) -> str:
        return ask(self.out, self.terminal, "one-time password", secret=True)

    def _debug_event(self, event: dict) -> None:
        """Print each request and response the client reports; the client has already hidden the secrets."""
        write = self.out.debug
        kind = event.get("event")
        if kind == "request":
            # impt 2.6's key names and order (without its Node library's own settings).
            shown = {
                "url": event.get("url"),
                "method": event.get("method"),
                "headers": event.get("headers"),
                "json": True,
                "qs": event.get("params") or None,
                "body": event.get("body"),
            }
            write("Doing the request with options:")
            write(json.dumps(shown, indent=2, default=str))
        elif kind == "response":
            status = event.get("status")
            body = event.get("body")
            write("")
            write(f"Response code: {status}")
            write(f"Response headers: {json.dumps(dict(event.get('headers') or {}), indent=2, default=str)}")
            write(f"Response body: {json.dumps(body, indent=2, default=str)}")
            if isinstance(status, int) and status >= 400:
                write(f"ERROR: HTTP/{status}: {_error_text(body)}")
        else:
            write(f"ERROR: {event.get('method')} {event.get('url')}: {event.get('error')}")


def auth_block(ctx: Context) -> dict:
    """The `Auth` block of `auth info` (also shown by `project info --full`)."""
    block, fetch_account = _auth_settings(ctx)
    if fetch_account:
        try:
            me = ctx.client.accounts.me()
        except (ImptError, Exception) as exc:
            exc.partial_auth_block = block  # type: ignore[attr-defined]
            raise
        block["Username"] = attr(me, "username")
        block["Email"] = attr(me, "email")
        block["Account id"] = me.get("id")
    return block


def _auth_settings(ctx: Context) -> tuple[dict, bool]:
    source = find_auth_source(ctx.env, ctx.cwd, ctx.home)
    block: dict = {"Auth type": source.auth_type}
    fetch_account = True
    if source.path is None:
        block["impCentral API endpoint"] = ctx.env.get("IMPT_ENDPOINT") or DEFAULT_ENDPOINT
        block["Access token auto refresh"] = True
        block["Login method"] = "Login Key" if ctx.env.get("IMPT_LOGINKEY") else "User/Password"
    else:
        data = read_auth_file(source.path, source.file_label)
        block["impCentral API endpoint"] = data.get("endpoint") or DEFAULT_ENDPOINT
        refresh = bool(data.get("loginKey") or data.get("refreshToken"))
        block["Access token auto refresh"] = refresh
        if refresh:
            block["Login method"] = "Login Key" if data.get("loginKey") else "User/Password"
        else:
            remaining = _expires_in(data.get("expiresAt", ""))
            block["Access token"] = "expired" if remaining <= 0 else f"expires in {int(remaining // 60)} minutes"
            fetch_account = remaining > 0
    return block, fetch_account


def _expires_in(expires_at: str) -> float:
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        raise AuthError("Auth File is corrupted.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() - datetime.now(timezone.utc).timestamp()


def _error_text(body: Any) -> str:
    """`title: detail` of each JSON:API error in a failed response, else the body as it came."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors:
        texts = []
        for error in errors:
            if isinstance(error, dict):
                title, detail = error.get("title"), error.get("detail")
                texts.append(": ".join(str(t) for t in (title, detail) if t))
        if any(texts):
            return "; ".join(t for t in texts if t)
    return json.dumps(body, default=str) if not isinstance(body, str) else body
