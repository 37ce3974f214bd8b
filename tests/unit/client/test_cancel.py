"""Stopping cleanly (module_utils/cancel.py): a cancelled token lets the request on the wire finish and starts no
other (nor a retry); impt's Ctrl-C waits for a write's answer; signals and the parent's death cancel.

HTTP is played by ``responses`` (strict: a request that should not be sent fails the test)."""

import os
import signal

import pytest
import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import cancel
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.cancel import (
    CancellableClock,
    Cancelled,
    CancelToken,
    DeferredInterrupt,
    cancel_on_signals,
    watching_parent,
)
from client_helpers import BASE, resource
from urllib3.exceptions import ProtocolError

GROUP = BASE + "/devicegroups/g1"
MOVE = GROUP + "/relationships/devices"
RESET = requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


def test_a_cancelled_token_stops_the_next_request_and_keeps_the_first_reason(rsps, client):
    token = CancelToken()
    token.guard(client.transport)
    rsps.post(MOVE, status=204, headers={"Date": "Mon, 23 Nov 2026 10:00:07 GMT"})
    client.device_groups.add_devices("g1", ["d1"])
    assert client.transport.server_date == "Mon, 23 Nov 2026 10:00:07 GMT"  # the server's clock, for windows
    token.cancel("terminated (SIGTERM)")
    token.cancel("the controller went away")
    with pytest.raises(Cancelled, match=r"^terminated \(SIGTERM\)$"):
        client.devices.restart("d1")  # no request: responses would fail on an unexpected one
    assert len(rsps.calls) == 1


def test_a_write_on_the_wire_finishes_and_its_retry_does_not_start_once_cancelled(rsps, client):
    token = CancelToken()
    token.guard(client.transport)

    def answer(_request):
        token.cancel("interrupted (SIGINT)")  # the signal arrives while the move is on the wire
        return (204, {}, "")

    rsps.add_callback("POST", MOVE, callback=answer)
    client.device_groups.add_devices("g1", ["d1"])  # its answer is read
    rsps.post(GROUP + "/restart", body=RESET)
    token2 = CancelToken()
    token2.guard(client.transport)
    client.transport.sleep = lambda _seconds: token2.cancel("the task's timeout passed (SIGALRM)")
    with pytest.raises(Cancelled):
        client.device_groups.restart("g1")  # the lost answer would be retried: cancelled during the back-off
    assert [c.request.method for c in rsps.calls] == ["POST", "POST"]


def test_sleeps_end_when_cancelled():
    token = CancelToken()
    token.cancel("x")
    CancellableClock(token).sleep(3600)  # returns at once
    token.sleep(3600)
    assert token.cancelled


def test_ctrl_c_outside_a_write_stops_at_once():
    guard = DeferredInterrupt()
    with pytest.raises(KeyboardInterrupt):
        guard.on_signal(signal.SIGINT, None)


def test_ctrl_c_during_a_write_waits_for_its_answer_and_stops_before_the_next_request(rsps, client):
    notes = []
    guard = DeferredInterrupt(notes.append)
    client.transport.guard = guard

    def answer(_request):
        guard.on_signal(signal.SIGINT, None)  # Ctrl-C while the write is on the wire: no exception here
        return (204, {}, "")

    rsps.add_callback("POST", MOVE, callback=answer)
    client.device_groups.add_devices("g1", ["d1"])
    assert notes == ["Stopping after the current request has its answer."] and guard.writing == 0
    with pytest.raises(KeyboardInterrupt):
        client.devices.get("d2")  # never sent
    assert len(rsps.calls) == 1
    assert not guard.pending  # raised once


def test_a_lost_answer_is_resolved_before_ctrl_c_takes_effect(rsps, client, sleeps):
    guard = DeferredInterrupt()
    client.transport.guard = guard
    client.transport.deadline = 30  # a repeatable write whose answer was lost is retried until it converges

    def lost(_request):
        guard.on_signal(signal.SIGINT, None)
        raise RESET

    rsps.add_callback("POST", MOVE, callback=lost)
    rsps.post(MOVE, status=204)  # the retry resolves the lost answer
    client.device_groups.add_devices("g1", ["d1"])
    assert len(rsps.calls) == 2 and guard.pending
    with pytest.raises(KeyboardInterrupt):
        client.products.get("p1")


def test_a_create_and_its_probe_after_a_lost_answer_are_one_write(rsps, client, sleeps):
    guard = DeferredInterrupt()
    client.transport.guard = guard

    def lost(_request):
        guard.on_signal(signal.SIGINT, None)
        raise RESET

    rsps.add_callback("POST", BASE + "/products", callback=lost)
    rsps.get(BASE + "/accounts/me", json={"data": resource("account", "me1")})
    rsps.get(BASE + "/products", json={"data": [resource("product", "p1", name="P")], "links": {}})
    assert client.products.create("P")["id"] == "p1"  # the probe (a read) ran: it belongs to the write
    with pytest.raises(KeyboardInterrupt):
        client.products.get("p1")


def test_signals_cancel_inside_and_the_old_handlers_come_back():
    token = CancelToken()
    before = signal.getsignal(signal.SIGTERM)
    with cancel_on_signals(token, (signal.SIGTERM,)):
        os.kill(os.getpid(), signal.SIGTERM)
    assert token.reason == "terminated (SIGTERM)"
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_parents_death_cancels(monkeypatch):
    token = CancelToken()
    parent = os.getppid()
    with watching_parent(token, interval=0.01):
        monkeypatch.setattr(cancel.os, "getppid", lambda: 1)  # re-parented: ansible-playbook was killed
        token.sleep(5)  # returns as soon as the watcher cancels
        assert token.cancelled
    assert token.reason == f"the controller (ansible-playbook, pid {parent}) went away"
