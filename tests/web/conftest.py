"""Fixtures of the public tier's tests: the sample, indexed, behind the ASGI app."""

import shutil

import pytest
from starlette.testclient import TestClient

from kb_app import load_settings, open_kb
from kb_app.web.app import create_app

from ..conftest import TODAY


@pytest.fixture
def web_kb(kb, built_index):
    """The sample knowledge base with its index in place."""
    shutil.copytree(built_index, kb.settings.index_dir)
    return kb


def kb_with(kb, **settings):
    """The same knowledge base opened with other settings."""
    values = {"root": kb.settings.root, "data_dir": kb.settings.data_path, "today": kb.settings.today,
              **settings}
    return open_kb(load_settings(**values))


@pytest.fixture
def make_client():
    """``make_client(kb)``: a test client of the app over a knowledge base (closed at the end);
    ``address`` is the client's (TestClient's own, ``testclient``, by default)."""
    clients = []

    def make(kb, replica=None, address="testclient"):
        client = TestClient(create_app(kb, replica), client=(address, 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(web_kb, make_client):
    return make_client(web_kb)


@pytest.fixture
def frozen_buckets(monkeypatch):
    """Rate-limit buckets that do not refill while a test counts requests, however slow the machine."""
    from kb_app.web import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_000.0)


@pytest.fixture
def agent_key(web_kb):
    return web_kb.api_keys.add("call-center", "agent")


@pytest.fixture
def partner_key(web_kb):
    return web_kb.api_keys.add("city-portal", "partner")


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def site(client):
    return client.app.state.site


__all__ = ["TODAY", "bearer", "kb_with", "site"]
