"""Agents see on the API that an answer is being corrected or was reported wrong; the public sees nothing of it."""

import pytest

from kb_app.web import follow

from ..review_helpers import correction, quiet_users
from .conftest import bearer
from .test_replica import AGENT_SEARCH, forwarding, replica_kb  # noqa: F401 - fixtures

ENTRY = "sscard-reissue"
QUERY = {"q": "社保卡丢了怎么补办"}


@pytest.fixture
def users(web_kb, monkeypatch):
    return quiet_users(web_kb, monkeypatch)


def agent_hit(client, key):
    body = client.get("/api/v1/search", params={**QUERY, "audience": "agent"}, headers=bearer(key)).json()
    assert "pending_unavailable" not in body
    return next(h for h in body["hits"] if h["id"] == ENTRY)


def test_an_agent_sees_a_correction_under_review_until_it_is_withdrawn(client, web_kb, users, agent_key):
    assert agent_hit(client, agent_key)["marks"] == [] and "pending" not in agent_hit(client, agent_key)
    before = client.get(f"/api/v1/entries/{ENTRY}", headers=bearer(agent_key))
    cr = correction(web_kb, users)
    hit = agent_hit(client, agent_key)                  # the cached response is not served: what is pending keys it
    assert hit["marks"] == [f"修改审核中 #{cr.id}"] and hit["status_label"] == "有效"
    assert hit["pending"] == {"change_requests": [{"id": cr.id, "title": "更正补卡工本费", "state": "in_review",
                                                   "state_label": "审核中", "change": "M", "change_label": "修改"}],
                              "reports": {"open": 0, "since": None}}
    r = client.get(f"/api/v1/entries/{ENTRY}", headers={**bearer(agent_key), "If-None-Match": before.headers["etag"]})
    assert r.status_code == 200 and r.json()["marks"] == [f"修改审核中 #{cr.id}"]
    web_kb.review.withdraw(users["hrss-editor"], cr.id)
    assert agent_hit(client, agent_key)["marks"] == []
    assert "pending" not in client.get(f"/api/v1/entries/{ENTRY}", headers=bearer(agent_key)).json()


def test_an_agent_sees_open_error_reports(client, web_kb, agent_key):
    assert client.post("/api/v1/feedback", json={"entry": ENTRY, "type": "report",
                                                 "text": "工本费写错了"}).status_code == 201
    body = client.get(f"/api/v1/entries/{ENTRY}", headers=bearer(agent_key)).json()
    assert body["marks"] == ["有纠错待处理 1 条"]
    assert body["pending"] == {"change_requests": [], "reports": {"open": 1, "since": "2026-11-22"}}
    assert agent_hit(client, agent_key)["marks"] == ["有纠错待处理 1 条"]
    answers = client.post("/api/v1/dispatch", json={"text": QUERY["q"]}, headers=bearer(agent_key)).json()["answers"]
    assert next(a for a in answers if a["entry"] == ENTRY)["pending"] == body["pending"]


def test_the_public_sees_nothing_of_it(client, web_kb, users, agent_key):
    reads = [("/api/v1/search", QUERY), (f"/api/v1/entries/{ENTRY}", None), ("/", QUERY), (f"/answers/{ENTRY}", None),
             ("/browse", None)]
    before = [client.get(url, params=params) for url, params in reads]
    correction(web_kb, users)
    web_kb.feedback.report_error(ENTRY, "工本费写错了")
    after = [client.get(url, params=params) for url, params in reads]
    assert [r.content for r in after] == [r.content for r in before]
    assert [r.headers.get("etag") for r in after] == [r.headers.get("etag") for r in before]
    for r in after:
        assert "审核中" not in r.text and "纠错待处理" not in r.text and "pending" not in r.text


def test_a_replica_marks_what_its_primary_has_pending_and_says_when_it_cannot_learn_it(web_kb, forwarding):
    replica, clock, primary_up = forwarding
    key = web_kb.api_keys.add("call-center", "agent")
    web_kb.feedback.report_error(ENTRY, "工本费写错了")
    body = replica.get(f"/api/v1/entries/{ENTRY}", headers=bearer(key)).json()
    assert body["marks"] == ["有纠错待处理 1 条"] and "pending_unavailable" not in body
    assert replica.get("/api/v1/entries/" + ENTRY).json().get("marks") is None     # the public: nothing
    primary_up(False)
    clock.now += follow.PENDING_TTL + 1                  # a short outage: the last answer stands
    assert replica.get(f"/api/v1/entries/{ENTRY}", headers=bearer(key)).json()["marks"] == ["有纠错待处理 1 条"]
    clock.now += follow.KEY_GRACE                         # longer: unknown, and said (the key's grace is longer)
    body = replica.get(f"/api/v1/entries/{ENTRY}", headers=bearer(key)).json()
    assert body["marks"] == [] and body["pending_unavailable"].startswith("暂时无法从主节点取得修改审核和纠错的情况")
    search = replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key)).json()
    assert search["pending_unavailable"] == body["pending_unavailable"]
