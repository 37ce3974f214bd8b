"""Where the emulator's code may send HTTP: one policy for webhooks and for agents' `http.request`.

Never, whoever asks: the emulator's own admin API (any host: a request must not reset or rewire the
emulator), link-local addresses and cloud-metadata services (names and addresses). Webhooks may
otherwise go anywhere an impCentral webhook could (loopback receivers included: the demo and the
tests listen there). Agents reach their own emulator's agent URLs always (answered in process,
no socket) and any other `HOST:PORT` only when the operator allows it (`--allow-outbound` or
`IMPCENTRAL_EMULATOR_ALLOW_OUTBOUND`): code under test must not probe the machine's network.
"""

from __future__ import annotations

import ipaddress
import posixpath
from urllib.parse import unquote, urlsplit

ADMIN_PREFIX = "/_emulator"
METADATA_HOSTS = {
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
}
METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
ENV_ALLOW = "IMPCENTRAL_EMULATOR_ALLOW_OUTBOUND"


def forbidden_target(host: str, path: str = "/", who: str = "Webhooks") -> str | None:
    """Why nothing may be sent to `host` + `path`, or None: the admin API, link-local, metadata."""
    clean = posixpath.normpath("/" + unquote(path or "/").lstrip("/")).lower()
    if clean == ADMIN_PREFIX or clean.startswith(ADMIN_PREFIX + "/"):
        return f"{who} cannot target the emulator's admin API ({ADMIN_PREFIX})."
    name = host.lower().rstrip(".").strip("[]")
    if name in METADATA_HOSTS:
        return f"{who} cannot target a cloud metadata service."
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    if address.is_link_local or address in METADATA_ADDRESSES:
        return f"{who} cannot target link-local or cloud metadata addresses."
    return None


def parse_allowed(text: str | None) -> frozenset[tuple[str, int]]:
    """`HOST:PORT,HOST:PORT` (IPv6 in brackets) as a set; ValueError names the entry that is not."""
    found: set[tuple[str, int]] = set()
    for raw in (text or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        host, sep, port = entry.rpartition(":")
        host = host.strip("[]").lower().rstrip(".")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:  # noqa: PLR2004 - TCP ports
            raise ValueError(f"'{entry}' is not HOST:PORT")
        found.add((host, int(port)))
    return frozenset(found)


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


class OutboundPolicy:
    """The agent side of the policy: `agent_refusal(url)` is None when an agent may request `url`."""

    def __init__(self, allowed: frozenset[tuple[str, int]] = frozenset(), own_agents: str = "") -> None:
        self.allowed = allowed
        self.own_agents = own_agents  # `http://HOST:PORT/agents` of this emulator (set once listening)

    def is_own_agent(self, url: str) -> bool:
        """The URL is one of this emulator's agent URLs (answered in process)."""
        base = self.own_agents.rstrip("/")
        return bool(base) and (url == base or url.startswith(base + "/"))

    def agent_refusal(self, url: str) -> str | None:
        """Why an agent may not request `url` (one line), or None."""
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            return "the URL is not valid"
        if parts.scheme not in ("http", "https") or not host:
            return "the URL must start with http: or https: and name a host"
        refusal = forbidden_target(host, parts.path, "Agents")
        if refusal:
            return refusal
        if self.is_own_agent(url):
            return None
        if (host.lower().rstrip("."), _port(parts.scheme, port)) in self.allowed:
            return None
        return (
            f"{host}:{_port(parts.scheme, port)} is not an allowed target (the emulator reaches only its own "
            f"agent URLs unless started with --allow-outbound HOST:PORT or {ENV_ALLOW})"
        )

    def resolved_refusal(self, address: str) -> str | None:
        """Refuse at connection time too: a name may resolve to a link-local or metadata address."""
        return forbidden_target(address, "/", "Agents")
