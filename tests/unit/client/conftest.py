"""Shared fixtures for the client's unit tests: a logged-in client and a strict ``responses`` mock."""

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from client_helpers import ACCESS, BASE, FAR, REFRESH


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def events():
    return []


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(events, sleeps):
    def build(**kwargs):
        tokens = kwargs.pop("tokens", Tokens(ACCESS, FAR, REFRESH))
        kwargs.setdefault("debug_hook", events.append)
        client = ImpCentralClient(BASE, **kwargs)
        client.transport.sleep = sleeps
        if tokens is not None:
            client.set_tokens(tokens)
        return client

    return build


@pytest.fixture
def client(make_client):
    return make_client()
