"""Read replicas: signed notifications, a clone that follows the primary's main, serving while it is down."""

import dataclasses
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from kb_app import load_settings, open_kb
from kb_app.content import frontmatter
from kb_app.web import follow, server
from kb_app.web.follow import Mirror, Replica
from kb_app.web.keys import LOOKUP_TTL
from kb_app.web.openapi import SPEC

from kb_app.review import reverify

from ..browser import free_port, stop_process_group
from ..conftest import PROJECT, commit_all
from ..review.test_reverify import publish_all, regulation_cr
from ..review_helpers import make_users
from .conftest import TODAY, bearer, kb_with, site

SECRET = "shared-secret-for-tests"


def add_entry(root, entry_id, title, question):
    meta = {"id": entry_id, "kind": "policy", "title": title, "unit": "city-hrss", "audience": "public",
            "category": ["就业"], "questions": [question]}
    path = root / f"entries/policy/city-hrss/{entry_id}.md"
    path.write_text(frontmatter.dump(meta, f"{title}的办理方法：带身份证到窗口办理。\n"), encoding="utf-8")
    return commit_all(root, f"add {entry_id}")


def signed(body: dict, secret=SECRET, age=0):
    data = json.dumps(body).encode()
    headers = follow.signed_headers(secret, data)
    if age:
        headers[follow.TIMESTAMP_HEADER] = str(int(headers[follow.TIMESTAMP_HEADER]) - age)
        headers[follow.SIGNATURE_HEADER] = follow.sign(secret, headers[follow.TIMESTAMP_HEADER], data)
    return data, headers


def test_signatures():
    data, headers = signed({"commit": "abc"})
    assert follow.verify(SECRET, headers, data)
    assert not follow.verify("other-secret", headers, data)
    assert not follow.verify(SECRET, headers, data + b" ")
    assert not follow.verify("", headers, data)
    _, old = signed({"commit": "abc"}, age=follow.MAX_SKEW + 5)
    assert not follow.verify(SECRET, old, data)
    assert not follow.verify(SECRET, {}, data)


@pytest.fixture
def replica_kb(web_kb, tmp_path):
    """A replica of the sample (its clone and index under tmp_path/replica)."""
    data = tmp_path / "replica"
    kb = open_kb(load_settings(root=data / "repo", data_dir=data, follow=str(web_kb.settings.root),
                               hook_secret=SECRET, today=TODAY))
    server.prepare(kb, echo=lambda m: None)
    return kb


def test_mirror_clones_and_fetches(web_kb, replica_kb):
    mirror = Mirror(str(web_kb.settings.root), replica_kb.settings.root)
    assert mirror.head() == web_kb.store.head() and not (replica_kb.settings.root / "entries").exists()
    old = mirror.head()
    new = add_entry(web_kb.settings.root, "replica-check", "副本同步检查事项", "副本同步怎么查")
    assert mirror.sync() == {"old": old, "new": new, "error": None}
    assert mirror.head() == new and mirror.sync() == {"old": new, "new": new, "error": None}
    assert mirror.status()["commit"] == new and mirror.status()["error"] is None


def test_notified_replica_serves_the_publication(web_kb, replica_kb, make_client):
    client = make_client(replica_kb, Replica(replica_kb))
    query = {"q": "灵活就业人员社保补贴申领"}
    assert all(h["id"] != "flexible-subsidy" for h in client.get("/api/v1/search",
                                                                 params=query).json()["hits"])
    new = add_entry(web_kb.settings.root, "flexible-subsidy", "灵活就业人员社保补贴申领", "灵活就业社保补贴怎么领")
    data, headers = signed({"commit": new})
    r = client.post("/api/v1/hooks/published", content=data, headers=headers)
    assert r.status_code == 200 and r.json()["commit"] == new
    hits = client.get("/api/v1/search", params=query).json()["hits"]
    assert hits[0]["id"] == "flexible-subsidy"
    assert client.get("/api/v1/health").json()["indexed_commit"] == new


def test_replica_shows_the_recheck_notices_of_the_primary(web_kb, replica_kb, make_client):
    # The primary marks entries “待核” in its database when a rule change is published; the replica has
    # only the repository and replays its history to the same marks (without the units' tasks).
    client = make_client(replica_kb, Replica(replica_kb))
    users = make_users(web_kb)
    publish_all(web_kb, users, regulation_cr(web_kb, users), "center", "legal")
    primary = {e: f.commit for e, f in web_kb.flags().items()}
    public = sorted(e for e in primary if web_kb.snapshot().entries[e].is_public_on(web_kb.today()))
    assert public and not replica_kb.flags()
    data, headers = signed({"commit": web_kb.store.head()})
    assert client.post("/api/v1/hooks/published", content=data, headers=headers).status_code == 200
    assert {e: f.commit for e, f in replica_kb.flags().items()} == primary
    shown = client.get(f"/api/v1/entries/{public[0]}").json()
    assert shown["rechecking"] is True and "正在复核" in shown["notice"]
    assert "正在复核" in client.get(f"/answers/{public[0]}").text
    assert replica_kb.db()["tasks"].count_where("kind = 'basis_changed'") == 0
    # The owning unit confirms it unchanged on the primary: the mark goes on the replica too.
    entry = web_kb.snapshot().entries[public[0]]
    editor = web_kb.users.add("owner-editor", "单位编辑", "secret-pass-1", "unit_editor", entry.unit)
    reviewer = web_kb.users.add("owner-reviewer", "单位审核", "secret-pass-1", "unit_reviewer", entry.unit)
    confirmation = reverify.confirm(web_kb, editor, [entry.id], "经核对，条例修改不影响本答复。")
    approvers = {"center": users["center"], f"unit:{entry.unit}": reviewer}
    for party in web_kb.review.status(confirmation).required:
        confirmation = web_kb.review.approve(approvers[party], confirmation.id)
    assert confirmation.state == "published"
    assert entry.id not in web_kb.flags()
    data, headers = signed({"commit": web_kb.store.head()})
    assert client.post("/api/v1/hooks/published", content=data, headers=headers).status_code == 200
    assert {e: f.commit for e, f in replica_kb.flags().items()} == {e: f.commit for e, f in web_kb.flags().items()}
    assert client.get(f"/api/v1/entries/{entry.id}").json()["rechecking"] is False


def test_a_new_replica_starts_with_the_marks_of_the_history(web_kb, tmp_path):
    users = make_users(web_kb)
    publish_all(web_kb, users, regulation_cr(web_kb, users), "center", "legal")
    data = tmp_path / "late-replica"
    late = open_kb(load_settings(root=data / "repo", data_dir=data, follow=str(web_kb.settings.root),
                                 hook_secret=SECRET, today=TODAY))
    server.prepare(late, echo=lambda m: None)
    assert {e: f.commit for e, f in late.flags().items()} == {e: f.commit for e, f in web_kb.flags().items()}
    assert Mirror(str(web_kb.settings.root), late.settings.root).status()["flags_commit"] == web_kb.store.head()


def test_hooks_refuse_bad_signatures(replica_kb, make_client, client):
    replica = make_client(replica_kb, Replica(replica_kb))
    data, headers = signed({"commit": "x"}, secret="wrong")
    assert replica.post("/api/v1/hooks/published", content=data,
                        headers=headers).json()["error"]["code"] == "bad_signature"
    data, headers = signed({"commit": "x"}, age=3600)
    assert replica.post("/api/v1/hooks/published", content=data, headers=headers).status_code == 403
    # The primary of the sample has no secret: it takes no messages at all.
    data, headers = signed({"events": []})
    r = client.post("/api/v1/hooks/logs", content=data, headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "hooks_disabled"
    r = client.post("/api/v1/hooks/published", content=data, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_a_replica"


def test_a_replica_forwards_its_search_log_to_the_primary_weak_searches_marked(web_kb, replica_kb, make_client):
    from .conftest import kb_with, site

    primary = make_client(kb_with(web_kb, hook_secret=SECRET))
    replica = make_client(replica_kb, Replica(replica_kb))
    replica.get("/", params={"q": "护照怎么办理"})
    replica.get("/", params={"q": "外地人怎么办居住证"})
    forwarded = []
    site(replica).events.sink = forwarded.extend  # what the replica would post
    site(replica).events.flush()
    assert [(e["query"], e.get("weak", False)) for e in forwarded] == [("护照怎么办理", True), ("外地人怎么办居住证", False)]
    data, headers = signed({"events": forwarded})
    r = primary.post("/api/v1/hooks/logs", content=data, headers=headers)
    assert r.status_code == 200 and r.json()["stored"] == 2
    logged = {row["query"]: row["weak"] for row in web_kb.db()["search_log"].rows}
    assert logged == {"护照怎么办理": 1, "外地人怎么办居住证": 0}


def test_replica_serves_while_the_primary_is_down(web_kb, replica_kb, make_client, tmp_path):
    client = make_client(replica_kb, Replica(replica_kb))
    served = replica_kb.store.head()
    add_entry(web_kb.settings.root, "while-down", "主节点停机期间的事项", "停机期间怎么办")
    web_kb.settings.root.rename(tmp_path / "primary-gone")
    data, headers = signed({})
    r = client.post("/api/v1/hooks/published", content=data, headers=headers)
    assert r.status_code == 502 and r.json()["error"]["code"] == "fetch_failed"
    assert client.get("/api/v1/search", params={"q": "居住证"}).status_code == 200
    assert client.get("/answers/residence-permit-apply").status_code == 200
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["role"] == "replica" and health["indexed_commit"] == served
    upstream = health["upstream"]
    assert upstream["reachable"] is False and upstream["commit"] == served
    assert upstream["summary"].startswith(f"主节点暂时无法访问，内容停在提交 {served[:10]}（")
    # Where the primary is and what git said are for the monitoring addresses only.
    assert "repository" not in upstream and "error" not in upstream
    assert str(tmp_path) not in json.dumps(health, ensure_ascii=False) and "fatal" not in json.dumps(health)
    monitor = make_client(replica_kb, Replica(replica_kb), address="127.0.0.1").get("/api/v1/health").json()
    assert monitor["upstream"]["error"] and monitor["upstream"]["repository"] == str(web_kb.settings.root)
    assert monitor["upstream"]["summary"] == upstream["summary"]


def test_a_proxy_left_out_of_trusted_proxies_is_no_monitor(web_kb, replica_kb, make_client, tmp_path, caplog):
    """nginx at 10.0.0.10 (inside the default metrics_from) relays every citizen; when the replica does
    not trust it, its address is theirs: they are not shown where the primary is and what git said, nor
    /metrics, and the log says once which setting to add. The monitor asking directly still is."""
    web_kb.settings.root.rename(tmp_path / "primary-gone")
    Replica(replica_kb).refresh()                   # a failed fetch: git's words in the status
    relayed = {"X-Forwarded-For": "203.0.113.7"}
    behind = make_client(replica_kb, Replica(replica_kb), address="10.0.0.10")
    with caplog.at_level("WARNING", logger="kb_app.web.site"):
        upstream = behind.get("/api/v1/health", headers=relayed).json()["upstream"]
        assert behind.get("/metrics", headers=relayed).status_code == 404
    assert "repository" not in upstream and "error" not in upstream
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "10.0.0.10" in warned[0] and "trusted_proxies" in warned[0]
    monitor = behind.get("/api/v1/health").json()["upstream"]
    assert monitor["repository"] and monitor["error"]
    assert behind.get("/metrics").status_code == 200
    # Behind a trusted proxy the address is the citizen's (uvicorn put it in place): no warning.
    caplog.clear()
    citizen = make_client(replica_kb, Replica(replica_kb), address="203.0.113.7")
    with caplog.at_level("WARNING", logger="kb_app.web.site"):
        assert "repository" not in citizen.get("/api/v1/health", headers={"X-Forwarded-For": "203.0.113.7"}
                                               ).json()["upstream"]
    assert not caplog.records


def test_replica_without_a_primary_refuses_feedback_clearly(replica_kb, make_client):
    client = make_client(replica_kb, Replica(replica_kb))
    vote = {"entry": "residence-permit-apply", "type": "vote", "helpful": True}
    r = client.post("/api/v1/feedback", json=vote)
    assert r.status_code == 503 and r.json()["error"]["code"] == "read_only"
    assert "只读" in r.json()["error"]["message"]
    page = client.get("/answers/residence-permit-apply")
    assert "只读镜像" in page.text and 'action="/feedback"' not in page.text


class Clock:
    """A replica's clock the test moves on (seconds)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def through(primary):
    """``follow.post_signed`` reaching an in-process primary (its test client) instead of the network."""
    def post(url, payload, secret, timeout, headers=None):
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        r = primary.post("/" + url.split("://", 1)[1].partition("/")[2], content=body,
                         headers={**follow.signed_headers(secret, body), **(headers or {})})
        return r.status_code, r.json()
    return post


def primary_down(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def forwarding(web_kb, replica_kb, make_client, monkeypatch):
    """(replica client, its clock, set_primary_up): a replica with --primary, whose calls reach the
    primary's app in this process while it is up."""
    primary = make_client(kb_with(web_kb, hook_secret=SECRET))
    kb = open_kb(dataclasses.replace(replica_kb.settings, primary_url="http://10.0.0.1:8080"))
    clock = Clock()

    def primary_up(up: bool):
        monkeypatch.setattr(follow, "post_signed", through(primary) if up else primary_down)

    primary_up(True)
    return make_client(kb, Replica(kb, clock)), clock, primary_up


AGENT_SEARCH = {"q": "供暖", "audience": "agent"}


def test_a_replica_answers_a_report_that_reads_as_an_emergency_with_the_line(web_kb, forwarding):
    """The replica reads the words on its own content, as its searches are read: the box (or ``emergency``)
    shows whether the primary keeps the report, marked, or cannot be reached."""
    replica, _clock, primary_up = forwarding
    crisis = {"entry": "residence-permit-apply", "type": "report", "text": "办不下来居住证我不想活了，今晚就从楼上跳下去"}
    searched = replica.get("/api/v1/search", params={"q": crisis["text"]}).json()["emergency"]
    sent = replica.post("/feedback", data=crisis, follow_redirects=False)
    assert sent.status_code == 303 and "alarm=" in sent.headers["location"]     # sent back, the page shown by a GET
    page = replica.get(sent.headers["location"].split("#")[0])
    assert page.status_code == 200 and 'class="alarm" role="alert"' in page.text and 'href="tel:110"' in page.text
    assert "已收到您的报告" in page.text
    r = replica.post("/api/v1/feedback", json=crisis)
    assert r.status_code == 201 and r.json()["emergency"] == searched
    # The same words from the same citizen (the address the replica passes on) the same day: kept once.
    assert [(row["alarm"], row["alarm_line"]) for row in web_kb.db()["reports"].rows] == [("有人要轻生", "110")]
    primary_up(False)
    page = replica.post("/feedback", data=crisis, follow_redirects=False)
    assert page.status_code == 503 and 'class="alarm" role="alert"' in page.text and 'href="tel:110"' in page.text
    assert "暂时无法连接主站点提交反馈" in page.text
    r = replica.post("/api/v1/feedback", json=crisis)
    assert r.status_code == 503 and r.json()["emergency"] == searched


def test_a_revoked_key_stops_working_on_a_replica_when_it_does_on_the_primary(web_kb, forwarding):
    replica, clock, _ = forwarding
    key = web_kb.api_keys.add("call-center", "agent")
    assert replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key)).status_code == 200
    web_kb.api_keys.revoke("call-center")
    clock.now += LOOKUP_TTL + 0.5          # the primary's own workers stop within LOOKUP_TTL: so does the replica
    r = replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key))
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_key"


def test_a_replica_cut_off_from_its_primary_refuses_keys_after_a_short_grace(web_kb, forwarding):
    replica, clock, primary_up = forwarding
    key = web_kb.api_keys.add("call-center", "agent")
    assert replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key)).status_code == 200
    primary_up(False)
    clock.now += LOOKUP_TTL + follow.KEY_GRACE - 1         # a restart of the primary: the known answer stands
    assert replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key)).status_code == 200
    clock.now += 2                                          # then the replica fails closed
    for token in (key, "kb_" + "x" * 43):
        r = replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(token))
        assert r.status_code == 503 and r.headers["retry-after"] == "30"
        assert r.json()["error"] == {"code": "primary_unavailable", "message": (
            "暂时无法向主站点核验 API 密钥（主站点无法连接）：本站点暂停受理带密钥的请求，请稍后再试；"
            "不带密钥的公众查询不受影响。")}
    assert replica.get("/api/v1/search", params={"q": "供暖"}).status_code == 200
    assert replica.get("/answers/residence-permit-apply").status_code == 200
    primary_up(True)
    assert replica.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key)).status_code == 200


def test_a_primary_slow_to_check_a_key_holds_up_no_other_request(forwarding, monkeypatch):
    """A primary that takes its time (packets dropped, a stalled process) keeps only the keyed request
    waiting: the citizens the replica serves meanwhile are answered."""
    replica, _, _ = forwarding
    asked, release = threading.Event(), threading.Event()

    def stalled(*args, **kwargs):
        asked.set()
        release.wait()
        raise TimeoutError("timed out")

    monkeypatch.setattr(follow, "post_signed", stalled)
    answers = {}

    def ask(name, **kwargs):
        answers[name] = replica.get("/api/v1/search", **kwargs)

    keyed = threading.Thread(target=ask, args=("keyed",),
                             kwargs={"params": AGENT_SEARCH, "headers": bearer("kb_" + "x" * 43)})
    keyed.start()
    asked.wait()
    citizen = threading.Thread(target=ask, args=("citizen",), kwargs={"params": {"q": "供暖"}})
    citizen.start()
    citizen.join(60)                 # a guard against hanging the suite, not a measure of speed
    served_first = "citizen" in answers and "keyed" not in answers
    release.set()
    keyed.join()
    citizen.join()
    assert served_first
    assert answers["citizen"].status_code == 200 and answers["citizen"].json()["hits"]
    assert answers["keyed"].status_code == 503


def test_health_says_when_the_primarys_api_cannot_be_used(forwarding, make_client, caplog):
    """The primary's kb web stopped while its repository can still be fetched: the replica serves, and
    its health says that feedback and key checks do not work now (where and why: monitors only)."""
    replica, _clock, primary_up = forwarding
    kb = site(replica).kb
    assert site(replica).replica.check_primary() is True
    upstream = replica.get("/api/v1/health").json()["upstream"]
    assert upstream["api_reachable"] is True and upstream["summary"].startswith("正在跟随主节点，内容为提交 ")
    assert "评价" not in upstream["summary"]
    primary_up(False)
    said = []
    with caplog.at_level("WARNING", logger="kb_app.web.follow"):
        server.prepare(kb, echo=said.append)            # checked at start, said once in the log
        site(replica).replica.check_primary()
    assert said == [] and [r.getMessage() for r in caplog.records] == [
        "主节点的接口 http://10.0.0.1:8080 暂时无法使用（ConnectionRefusedError: [Errno 111] Connection refused）："
        "评价、纠错和 API 密钥核验暂不可用，每次轮询时重试；/api/v1/health 中同样写明"]
    r = replica.get("/api/v1/health")
    upstream = r.json()["upstream"]
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert upstream["reachable"] is True and upstream["api_reachable"] is False and upstream["api_checked"]
    assert upstream["summary"].startswith("正在跟随主节点，内容为提交 ")
    assert upstream["summary"].endswith("。主节点的接口暂时无法访问：评价、纠错和 API 密钥核验暂不可用，公众查询照常。")
    assert "api_error" not in upstream and "primary" not in upstream
    monitor = make_client(kb, Replica(kb), address="127.0.0.1").get("/api/v1/health").json()["upstream"]
    assert monitor["primary"] == "http://10.0.0.1:8080" and "ConnectionRefusedError" in monitor["api_error"]
    assert monitor["summary"] == upstream["summary"]
    assert set(monitor) <= set(SPEC["components"]["schemas"]["Upstream"]["properties"])   # all described
    primary_up(True)
    assert site(replica).replica.check_primary() is True
    assert replica.get("/api/v1/health").json()["upstream"]["api_reachable"] is True


def test_a_replica_whose_secret_the_primary_refuses_says_it_is_set_up_apart(web_kb, replica_kb, make_client,
                                                                             monkeypatch, caplog):
    """The primary answers but refuses the signature (two hook_secrets): no outage to wait out, a setting to mend."""
    primary = make_client(kb_with(web_kb, hook_secret=SECRET))
    kb = open_kb(dataclasses.replace(replica_kb.settings, primary_url="http://10.0.0.1:8080", hook_secret="another"))
    monkeypatch.setattr(follow, "post_signed", through(primary))
    replica = make_client(kb, Replica(kb))
    assert site(replica).replica.check_primary() is False
    upstream = replica.get("/api/v1/health").json()["upstream"]
    assert upstream["api_reachable"] is False
    assert upstream["summary"].endswith("。主节点拒绝了本副本的签名（两端的 hook_secret 不一致，或时钟相差太大）：评价、纠错和 "
                                        "API 密钥核验暂不可用，公众查询照常。请管理员核对两端的 hook_secret 和时钟。")


def test_the_follow_loop_checks_the_primarys_api_every_round():
    stop, rounds = threading.Event(), []

    class Following:
        mirror, primary = None, "http://10.0.0.1:8080"

        def refresh(self, serving):
            rounds.append("fetch")
            if rounds.count("fetch") == 2:
                stop.set()
            return {"error": None}

        def check_primary(self):
            rounds.append("api")

    follow.follow_loop(Following(), stop, 0)
    assert rounds == ["fetch", "api", "fetch", "api"]


def test_a_replica_given_its_primary_without_the_secret_says_so_and_offers_no_forms(web_kb, replica_kb,
                                                                                   make_client, forwarding):
    """Without hook_secret nothing the replica hands to its primary is signed: it says so at start, its
    pages offer no vote or report that could only fail, and a key is refused as unverifiable (not as bad)."""
    kb = open_kb(dataclasses.replace(replica_kb.settings, primary_url="http://10.0.0.1:8080", hook_secret=""))
    said = []
    server.prepare(kb, echo=said.append)
    assert said == ["警告：给了主站点 http://10.0.0.1:8080（--primary），但没有设置 hook_secret（kb.toml 中的 hook_secret "
                    "或环境变量 KB_HOOK_SECRET）：副本无法向主站点转交评价、纠错和检索日志，也无法核验 API 密钥，"
                    "页面上不显示评价和纠错表单，带密钥的请求被拒绝。请设置与主节点相同的 hook_secret 后重新启动。"]
    client = make_client(kb, Replica(kb))
    for page in ("/answers/residence-permit-apply", "/articles/beijing-2021/11"):
        text = client.get(page).text
        assert "只读镜像" in text and 'action="/feedback"' not in text, page
    r = client.post("/api/v1/feedback", json={"entry": "residence-permit-apply", "type": "vote", "helpful": True})
    assert r.status_code == 503 and r.json()["error"]["code"] == "read_only"
    key = web_kb.api_keys.add("call-center", "agent")
    r = client.get("/api/v1/search", params=AGENT_SEARCH, headers=bearer(key))
    assert r.status_code == 503 and r.json()["error"] == {
        "code": "read_only", "message": "本站点为只读镜像，无法核验 API 密钥：请改用主站点调用，或不带密钥调用公众接口。"}
    # With the secret (and its primary up) it has nothing to say, and its pages take feedback.
    with_secret, _clock, _up = forwarding
    server.prepare(site(with_secret).kb, echo=said.append)
    assert len(said) == 1
    assert 'action="/feedback"' in with_secret.get("/answers/residence-permit-apply").text


def test_publish_notifies_the_replicas(web_kb, monkeypatch, caplog):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, follow.verify(SECRET, self.headers, body), json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        kb = open_kb(load_settings(root=web_kb.settings.root, data_dir=web_kb.settings.data_path, today=TODAY,
                                   hook_secret=SECRET,
                                   replicas=f"http://127.0.0.1:{httpd.server_port}, http://127.0.0.1:9"))
        assert follow.notify_replicas in kb.review.hooks.on_publish
        outcome = follow.notify_replicas(kb, type("CR", (), {"id": 7})(), "c0ffee")
        assert outcome[f"http://127.0.0.1:{httpd.server_port}"] == "HTTP 200"
        assert outcome["http://127.0.0.1:9"].startswith("unreachable")
        assert "副本按 follow_interval 轮询" in caplog.text
        assert received == [("/api/v1/hooks/published", True, {**received[0][2], "commit": "c0ffee",
                                                               "change_request": 7})]
    finally:
        httpd.shutdown()
    assert follow.notify_replicas(web_kb, None, "c0ffee") == {}


# -- two real servers -------------------------------------------------------------------------------


def start(args, env, port, log):
    proc = subprocess.Popen([sys.executable, "-m", "kb_app", "web", *args, "--port", str(port), "--workers",
                             "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            cwd=PROJECT)
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    return proc
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"kb web on {port} did not start: {log.name}")
                time.sleep(0.3)
    except BaseException:
        stop(proc)  # never leave a server behind when the test cannot go on
        raise


def stop(proc):
    stop_process_group(proc, 20)


def get(url, key=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def wait_until(check, seconds):
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not true after {seconds} s")


def test_primary_and_replica_processes(web_kb, tmp_path):
    primary_port, replica_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    # No per-address limit: the test polls the replica every 0.1 s, which a slow machine stretches out.
    env.update(KB_TODAY=TODAY, KB_HOOK_SECRET=SECRET, KB_FOLLOW_INTERVAL="1", KB_WEB_RATE_ANONYMOUS="0",
               PYTHONPATH=str(PROJECT))
    primary_url, replica_url = f"http://127.0.0.1:{primary_port}", f"http://127.0.0.1:{replica_port}"
    root = web_kb.settings.root
    with open(tmp_path / "primary.log", "w") as plog, open(tmp_path / "replica.log", "w") as rlog:
        primary = start(["--root", str(root), "--data-dir", str(web_kb.settings.data_path)],
                        {**env, "KB_REPLICAS": replica_url}, primary_port, plog)
        replica = None
        try:
            replica = start(["--follow", str(root), "--data-dir", str(tmp_path / "replica"), "--primary",
                             primary_url],
                            env, replica_port, rlog)
            search = f"{replica_url}/api/v1/search?q=%E4%B8%B4%E6%97%B6%E6%95%91%E5%8A%A9%E7%94%B3%E8%AF%B7"

            def found(entry_id):
                return lambda: any(h["id"] == entry_id for h in get(search)["hits"])

            # Published and notified (the primary's publish hook): visible at once.
            commit = add_entry(root, "temp-relief", "临时救助申请", "临时救助怎么申请")
            follow.notify_replicas(open_kb(load_settings(root=root, data_dir=web_kb.settings.data_path,
                                                         today=TODAY,
                                                         hook_secret=SECRET, replicas=replica_url)), None,
                                                         commit)
            # (How soon is measured by scripts/bench_replica.py: a shared machine's test makes no timed claim.)
            wait_until(found("temp-relief"), 30)
            # Published without a notification: the replica's polling finds it.
            add_entry(root, "temp-relief-2", "临时救助申请（第二批）", "临时救助第二批怎么申请")
            wait_until(found("temp-relief-2"), 30)

            # Feedback, search logs and API keys go through the primary.
            request = urllib.request.Request(f"{replica_url}/api/v1/feedback", method="POST",
                                             data=json.dumps({"entry": "temp-relief", "type": "vote",
                                                              "helpful": True, "query": "临时救助申请"}).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 201
            assert [(v["entry"], v["query"]) for v in web_kb.db()["votes"].rows] == [("temp-relief", "临时救助申请")]
            wait_until(lambda: web_kb.db()["search_log"].count_where("query = ?", ["临时救助申请"]) > 0, 10)
            key = web_kb.api_keys.add("call-center", "agent")
            agent = get(f"{replica_url}/api/v1/search?q=%E4%BE%9B%E6%9A%96&audience=agent", key)
            assert agent["audience"] == "agent"

            # The primary goes away: the replica keeps serving what it has.
            stop(primary)
            shutil.move(root, tmp_path / "primary-gone")
            time.sleep(1.5)
            assert found("temp-relief-2")()
            health = get(f"{replica_url}/api/v1/health")
            assert health["status"] == "ok" and health["upstream"]["error"]
            assert get(f"{replica_url}/api/v1/search?q=%E4%BE%9B%E6%9A%96&audience=agent",
                       key)["audience"] == "agent"
        finally:
            for proc in (replica, primary):
                if proc is not None:
                    stop(proc)
