"""The one outbound policy (`models/outbound.py`): what webhooks and agents' requests may reach.

The rules are the emulator's (README "Agent HTTP and hardware", "Hostile input"): never the admin API,
link-local or cloud metadata; agents only allowed `HOST:PORT`s besides their own agent URLs.
"""

from __future__ import annotations

import pytest

from impcentral_emulator.__main__ import parse_args
from impcentral_emulator.models.outbound import OutboundPolicy, forbidden_target, parse_allowed


def test_allowed_targets_parse_host_port_pairs():
    assert parse_allowed(" 127.0.0.1:8080, [::1]:99 ,Example.COM.:443,") == frozenset(
        {("127.0.0.1", 8080), ("::1", 99), ("example.com", 443)}
    )
    for bad in ("127.0.0.1", "host:0", "host:70000", ":80", "host:x"):
        with pytest.raises(ValueError, match="is not HOST:PORT"):
            parse_allowed(bad)


def test_the_command_line_and_the_environment_set_the_allowed_targets(monkeypatch):
    assert parse_args(["--allow-outbound", "127.0.0.1:8080"]).allow_outbound == {("127.0.0.1", 8080)}
    monkeypatch.setenv("IMPCENTRAL_EMULATOR_ALLOW_OUTBOUND", "localhost:5000")
    assert parse_args([]).allow_outbound == {("localhost", 5000)}
    with pytest.raises(SystemExit):
        parse_args(["--allow-outbound", "nonsense"])


def test_an_agent_reaches_only_allowed_targets():
    policy = OutboundPolicy(parse_allowed("127.0.0.1:8080,api.example.com:443"))
    assert policy.agent_refusal("http://127.0.0.1:8080/x") is None
    assert policy.agent_refusal("https://api.example.com/v1") is None  # https defaults to 443
    assert "not an allowed target" in policy.agent_refusal("http://127.0.0.1:8081/")
    assert "not an allowed target" in policy.agent_refusal("http://api.example.com/")  # port 80
    assert "must start with http" in policy.agent_refusal("ftp://127.0.0.1:8080/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/_emulator/reset",
        "http://127.0.0.1:8080/agents/../_EMULATOR/faults",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]:8080/",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/",
        "http://100.100.100.200/",
    ],
)
def test_never_the_admin_api_link_local_or_metadata_even_when_allowed(url):
    allowed = parse_allowed("127.0.0.1:8080,169.254.169.254:80,[fe80::1]:8080,[::ffff:169.254.169.254]:80")
    allowed |= parse_allowed("metadata.google.internal:80,100.100.100.200:80")
    assert OutboundPolicy(allowed).agent_refusal(url).startswith("Agents cannot target")


def test_webhooks_share_the_forbidden_targets():
    assert forbidden_target("169.254.1.1") == "Webhooks cannot target link-local or cloud metadata addresses."
    assert (
        forbidden_target("localhost", "/_emulator") == "Webhooks cannot target the emulator's admin API (/_emulator)."
    )
    assert forbidden_target("127.0.0.1", "/hook") is None
    assert OutboundPolicy().resolved_refusal("169.254.169.254") is not None
