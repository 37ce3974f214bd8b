"""Retries: 429 for any method, 5xx and lost connections only for requests safe to repeat, deadline."""

import pytest
import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import BACKOFF_BASE
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import (
    CONNECT_RETRIES,
    STREAM_READ_TIMEOUT,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    DeadlineExceededError,
    RateLimitError,
    ServerError,
    TransportError,
)
from client_helpers import BASE, resource
from urllib3.exceptions import ProtocolError

ONE = {"data": resource()}
REFUSED = requests.exceptions.ConnectionError("HTTPConnectionPool: Max retries exceeded (Connection refused)")
RESET = requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


def test_429_then_success_honours_rate_limit_reset(rsps, client, sleeps):
    rsps.get(BASE + "/products/p1", status=429, headers={"X-RateLimit-Reset": "2"}, json={"errors": []})
    rsps.get(BASE + "/products/p1", json=ONE)
    assert client.products.get("p1")["id"] == "p1"
    assert sleeps == [2.0]


def test_429_zero_reset_waits_a_little(rsps, client, sleeps):
    rsps.get(BASE + "/products/p1", status=429, headers={"X-RateLimit-Reset": "0"})
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert sleeps == [0.05]


def test_429_on_create_is_retried(rsps, client, sleeps):
    rsps.post(BASE + "/products", status=429, headers={"X-RateLimit-Reset": "1"})
    rsps.post(BASE + "/products", json=ONE, status=201)
    client.products.create("P")
    assert len(rsps.calls) == 2


def test_429_gives_up_after_max_retries(rsps, make_client, sleeps):
    client = make_client(max_retries=2)
    for _ in range(3):
        rsps.get(BASE + "/products/p1", status=429, headers={"X-RateLimit-Reset": "1"})
    with pytest.raises(RateLimitError):
        client.products.get("p1")
    assert len(sleeps) == 2


def test_503_backoff_then_success_for_get(rsps, client, sleeps):
    rsps.get(BASE + "/products/p1", status=503)
    rsps.get(BASE + "/products/p1", status=502)
    rsps.get(BASE + "/products/p1", json=ONE)
    assert client.products.get("p1")["id"] == "p1"
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0  # full jitter under the exponential cap


def test_create_on_503_looks_before_resending_and_finds_it(rsps, client, sleeps):
    """The 503 may have come after the product was made: a list by name finds it, no second POST."""
    rsps.post(BASE + "/products", status=503)
    rsps.get(BASE + "/accounts/me", json={"data": resource("account", "me1")})
    rsps.get(BASE + "/products", json={"data": [resource(name="Other", rid="p0"), resource(name="P")], "links": {}})
    assert client.products.create("P")["id"] == "p1"
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "GET"]
    assert "filter%5Bowner.id%5D=me1" in rsps.calls[2].request.url
    assert sleeps == []


def test_create_on_503_resent_when_nothing_was_made(rsps, client, sleeps):
    rsps.post(BASE + "/devicegroups", status=503)
    rsps.get(BASE + "/devicegroups", json={"data": [], "links": {}})
    rsps.post(BASE + "/devicegroups", json={"data": resource("development_devicegroup", "g1", name="G")}, status=201)
    assert client.device_groups.create("development", "G", "p1")["id"] == "g1"
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "POST"]
    assert "filter%5Bproduct.id%5D=p1" in rsps.calls[1].request.url
    assert len(sleeps) == 1


def test_create_without_a_natural_key_is_not_resent(rsps, client):
    """A login key has no natural key to look for, so an ambiguous failure is reported, not retried."""
    rsps.post(BASE + "/accounts/me/login_keys", status=503)
    with pytest.raises(ServerError):
        client.login_keys.create("pw", description="ci")
    assert len(rsps.calls) == 1


def test_relationship_post_and_restart_are_repeated_on_503(rsps, client):
    rsps.post(BASE + "/devicegroups/g1/relationships/devices", status=503)
    rsps.post(BASE + "/devicegroups/g1/relationships/devices", status=204)
    rsps.post(BASE + "/devices/d1/restart", status=504)
    rsps.post(BASE + "/devices/d1/restart", status=204)
    client.device_groups.add_devices("g1", ["d1"])
    client.devices.restart("d1")


def test_connection_error_retried_for_get(rsps, client, sleeps):
    rsps.get(BASE + "/products/p1", body=RESET)
    rsps.get(BASE + "/products/p1", json=ONE)
    assert client.products.get("p1")["id"] == "p1"
    assert len(sleeps) == 1


def test_create_after_connection_reset_resent_when_nothing_was_made(rsps, client, sleeps):
    hook = {"data": resource("webhook", "w1", url="https://h.example/x", event="blessing")}
    rsps.post(BASE + "/webhooks", body=RESET)
    rsps.get(BASE + "/webhooks", json={"data": [], "links": {}})
    rsps.post(BASE + "/webhooks", json=hook, status=201)
    dg = {"type": "production_devicegroup", "id": "g1"}
    assert client.webhooks.create(dg, "https://h.example/x", "blessing", "json")["id"] == "w1"
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "POST"]


def test_deployment_after_read_timeout_found_as_the_groups_new_current_one(rsps, client):
    made = resource("deployment", "d9", device_code="dev", agent_code="", created_at="2999-01-01T00:00:00.000Z")
    rsps.post(BASE + "/deployments", body=requests.exceptions.ReadTimeout("read timed out"))
    group = resource("development_devicegroup", "g1")
    group["relationships"] = {"current_deployment": {"type": "deployment", "id": "d9"}}
    rsps.get(BASE + "/devicegroups/g1", json={"data": group})
    rsps.get(BASE + "/deployments/d9", json={"data": made})
    created = client.deployments.create({"type": "development_devicegroup", "id": "g1"}, device_code="dev")
    assert created["id"] == "d9"
    assert [c.request.method for c in rsps.calls] == ["POST", "GET", "GET"]


def test_an_older_deployment_with_the_same_code_is_not_taken_for_the_new_one(rsps, client):
    old = resource("deployment", "d1", device_code="dev", agent_code="", created_at="2020-01-01T00:00:00.000Z")
    group = resource("development_devicegroup", "g1")
    group["relationships"] = {"current_deployment": {"type": "deployment", "id": "d1"}}
    rsps.post(BASE + "/deployments", status=502)
    rsps.get(BASE + "/devicegroups/g1", json={"data": group})
    rsps.get(BASE + "/deployments/d1", json={"data": old})
    rsps.post(BASE + "/deployments", json={"data": resource("deployment", "d2")}, status=201)
    assert client.deployments.create({"type": "development_devicegroup", "id": "g1"}, device_code="dev")["id"] == "d2"


def test_create_resent_when_connection_was_refused(rsps, make_client):
    """A create that never reached the server is sent again (two such failures: a budget of 2 allows them)."""
    client = make_client(connect_retries=2)
    rsps.post(BASE + "/products", body=REFUSED)
    rsps.post(BASE + "/products", body=requests.exceptions.ConnectTimeout("connect timeout"))
    rsps.post(BASE + "/products", json=ONE, status=201)
    assert client.products.create("P")["id"] == "p1"


def test_max_retries_bounds_connection_retries(rsps, make_client, sleeps):
    client = make_client(max_retries=1)
    rsps.get(BASE + "/products/p1", body=REFUSED)
    rsps.get(BASE + "/products/p1", body=REFUSED)
    with pytest.raises(TransportError) as caught:
        client.products.get("p1")
    assert str(caught.value) == f"Cannot reach impCentral at {BASE}: connection refused"
    assert len(sleeps) == 1


def test_connect_retries_bound_only_requests_that_never_arrived(rsps, make_client, sleeps):
    """impt's setting: a refused connection is retried once; a reset one keeps the full budget."""
    client = make_client(max_retries=4, connect_retries=1)
    for _ in range(2):
        rsps.get(BASE + "/products/p1", body=REFUSED)
    with pytest.raises(TransportError, match="connection refused"):
        client.products.get("p1")
    assert len(sleeps) == 1
    for _ in range(4):
        rsps.get(BASE + "/products/p2", body=RESET)
    rsps.get(BASE + "/products/p2", json={"data": resource("product", "p2")})
    assert client.products.get("p2")["id"] == "p2"
    assert len(sleeps) == 5


def test_connect_retries_default_to_the_fail_fast_policy(make_client):
    """One policy for impt and the modules (constants.CONNECT_RETRIES, issue 25); a caller may still set its own."""
    assert CONNECT_RETRIES == 1
    assert make_client(max_retries=3).transport.connect_retries == CONNECT_RETRIES
    assert make_client(max_retries=3, connect_retries=7).transport.connect_retries == 7


def test_a_refused_connection_fails_after_one_short_retry_by_default(rsps, make_client, sleeps):
    """The default client (as a module builds it): two attempts, one backoff of at most BACKOFF_BASE seconds."""
    client = make_client(max_retries=5)
    for _ in range(2):
        rsps.get(BASE + "/products/p1", body=REFUSED)
    with pytest.raises(TransportError, match="connection refused"):
        client.products.get("p1")
    assert len(sleeps) == 1 and sleeps[0] <= BACKOFF_BASE


def test_deadline_exceeded_instead_of_waiting(rsps, make_client, sleeps):
    client = make_client(deadline=1.0)
    rsps.get(BASE + "/products/p1", status=429, headers={"X-RateLimit-Reset": "5"})
    with pytest.raises(DeadlineExceededError) as caught:
        client.products.get("p1")
    assert "deadline" in str(caught.value)
    assert sleeps == []


def test_deadline_clips_the_request_timeout(rsps, make_client):
    client = make_client(deadline=2.0, timeout=(10.0, 60.0))
    seen = {}
    original = client.transport.session.request

    def spy(*args, **kwargs):
        seen["timeout"] = kwargs["timeout"]
        return original(*args, **kwargs)

    client.transport.session.request = spy
    rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    assert seen["timeout"][0] <= 2.0 and seen["timeout"][1] <= 2.0


def test_real_refused_connection_message():
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

    client = ImpCentralClient("http://127.0.0.1:1/v5", max_retries=0)
    client.set_tokens(Tokens("tok-secret-value", "2099-01-01T00:00:00Z"))
    with pytest.raises(TransportError) as caught:
        client.products.list()
    assert str(caught.value) == "Cannot reach impCentral at http://127.0.0.1:1/v5: connection refused"
    assert "Traceback" not in str(caught.value)


def test_certificate_failure_is_reported_at_once(rsps, client, sleeps):
    """Waiting does not fix a certificate the endpoint does not match: no retry, a one-line reason."""
    rsps.get(BASE + "/products/p1", body=requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] bad"))
    with pytest.raises(TransportError) as caught:
        client.products.get("p1")
    assert str(caught.value) == f"Cannot reach impCentral at {BASE}: TLS certificate verification failed"
    assert len(rsps.calls) == 1 and sleeps == []


def test_lost_answers_to_a_create_are_retried_until_the_deadline_not_a_count(rsps, make_client, sleeps):
    """Half the answers lost makes six losses in a row common: with a deadline the count does not end it."""
    client = make_client(max_retries=2, deadline=600.0)
    for _ in range(8):
        rsps.post(BASE + "/devicegroups", body=RESET)
        rsps.get(BASE + "/devicegroups", json={"data": [], "links": {}})
    rsps.post(BASE + "/devicegroups", json={"data": resource("development_devicegroup", "g1", name="G")}, status=201)
    assert client.device_groups.create("development", "G", "p1")["id"] == "g1"
    assert len(sleeps) == 8


def test_lost_answers_to_a_delete_are_retried_until_the_deadline(rsps, make_client, sleeps):
    client = make_client(max_retries=2, deadline=600.0)
    for _ in range(7):
        rsps.delete(BASE + "/products/p1", body=RESET)
    rsps.delete(BASE + "/products/p1", status=204)
    client.products.delete("p1")
    assert len(sleeps) == 7


def test_without_a_deadline_lost_answers_keep_the_count(rsps, make_client, sleeps):
    client = make_client(max_retries=2)
    for _ in range(3):
        rsps.delete(BASE + "/products/p1", body=RESET)
    with pytest.raises(TransportError, match="connection reset"):
        client.products.delete("p1")
    assert len(sleeps) == 2


def test_a_create_and_its_probes_share_one_deadline(rsps, make_client, monkeypatch):
    """The probe after a lost answer gets what is left of the create's deadline, not a fresh one."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api import transport

    now = [1000.0]
    monkeypatch.setattr(transport.time, "monotonic", lambda: now[0])
    client = make_client(deadline=10.0)
    client.transport.sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
    seen = []
    original = client.transport.session.request

    def spy(*args, **kwargs):
        seen.append(kwargs["timeout"])
        now[0] += 4.0  # each request takes 4 s
        return original(*args, **kwargs)

    client.transport.session.request = spy
    rsps.post(BASE + "/devicegroups", body=RESET)
    rsps.get(BASE + "/devicegroups", json={"data": [], "links": {}})
    with pytest.raises(DeadlineExceededError, match="10 s deadline"):
        client.device_groups.create("development", "G", "p1")
    assert seen[0][1] == 10.0 and seen[1][1] <= 6.0


def _slow_clock(client, monkeypatch, per_request: float) -> tuple:
    """An injected clock where every request takes ``per_request`` seconds and a sleep takes what it asks."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api import transport

    now = [1000.0]
    monkeypatch.setattr(transport.time, "monotonic", lambda: now[0])
    client.transport.sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
    timeouts = []
    original = client.transport.session.request

    def slow(*args, **kwargs):
        timeouts.append(kwargs["timeout"])
        now[0] += min(per_request, kwargs["timeout"][1])  # a slow answer, or the read timeout first
        return original(*args, **kwargs)

    client.transport.session.request = slow
    return timeouts, now


def test_a_command_of_several_slow_answers_fails_at_its_overall_deadline(rsps, make_client, monkeypatch):
    """Each request answers within its own deadline; together they pass the command's and the next one stops."""
    client = make_client(deadline=10.0, overall_deadline=20.0, overall_label="command")
    timeouts, _now = _slow_clock(client, monkeypatch, 6.0)
    for number in range(1, 4):
        rsps.get(BASE + f"/products/p{number}", json=ONE)
    for number in range(1, 4):
        client.products.get(f"p{number}")  # 18 s spent: each answered in 6 s, inside its own 10 s
    rsps.get(BASE + "/products/p4", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(DeadlineExceededError) as caught:
        client.products.get("p4")
    message = str(caught.value)
    assert "GET " + BASE + "/products/p4" in message
    assert "the command's overall deadline of 20 s" in message and "\n" not in message
    assert "no answer before the read timeout" in message
    assert timeouts[3][1] == pytest.approx(2.0)  # the last request only got what was left of the 20 s


def test_the_overall_deadline_counts_retry_waits(rsps, make_client, monkeypatch):
    client = make_client(deadline=100.0, overall_deadline=3.0, max_retries=50)
    _slow_clock(client, monkeypatch, 1.0)
    monkeypatch.setattr(client.transport, "_backoff", lambda attempt: 1.5)
    for _ in range(2):
        rsps.get(BASE + "/products/p1", status=503)
    with pytest.raises(DeadlineExceededError, match="task's overall deadline of 3 s"):
        client.products.get("p1")
    assert len(rsps.calls) == 2  # 1 s + 1.5 s wait + 1 s, then a 1.5 s wait would pass 3 s


def test_time_between_requests_is_not_counted(rsps, make_client, monkeypatch):
    """A prompt or a follower's poll interval between requests does not use up the overall deadline."""
    client = make_client(deadline=10.0, overall_deadline=5.0)
    _timeouts, now = _slow_clock(client, monkeypatch, 2.0)
    for _ in range(2):
        rsps.get(BASE + "/products/p1", json=ONE)
    client.products.get("p1")
    now[0] += 3600.0  # an hour at a prompt
    client.products.get("p1")
    assert client.transport.overall_remaining() == pytest.approx(1.0)


def test_without_an_overall_deadline_nothing_is_capped(rsps, make_client, monkeypatch):
    client = make_client(deadline=10.0)
    _slow_clock(client, monkeypatch, 9.0)
    for _ in range(5):
        rsps.get(BASE + "/products/p1", json=ONE)
    for _ in range(5):
        client.products.get("p1")
    assert client.transport.overall_remaining() == float("inf")


def test_a_stream_reads_at_least_the_keep_alive_floor(make_client):
    """A short read timeout (timeout: 5 in module_defaults) stays for answers; a log stream idles between
    impCentral's 15 s keep-alives, so it reads at least STREAM_READ_TIMEOUT (45 s) between events."""
    transport = make_client(timeout=(2.0, 5.0)).transport
    url = BASE + "/logstream/s1"
    assert transport._timeout(None, "GET", url) == (2.0, 5.0)
    assert transport._timeout(None, "GET", url, stream=True) == (2.0, STREAM_READ_TIMEOUT) == (2.0, 45.0)
    assert make_client(timeout=(2.0, 90.0)).transport._timeout(None, "GET", url, stream=True) == (2.0, 90.0)
