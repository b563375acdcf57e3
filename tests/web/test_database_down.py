"""The public tier while the workflow database cannot be used (damaged, not writable, not creatable).

The citizen's reads need only the index and the repository: they are served. What needs the database fails
closed and says so in Chinese: a request with an API key (503, never the agent's content), a vote or a report
(“暂时无法记录”, the emergency box still shown), the search log (dropped, said once). /api/v1/health says it.
"""

import dataclasses
import errno
import logging
import re

import pytest
from click.testing import CliRunner

from kb_app import db as dbmod
from kb_app import open_kb
from kb_app.web import follow, server
from kb_app.web import site as site_module
from kb_app.web.follow import Replica

from ..conftest import commit_all
from ..review.test_reverify import publish_all, regulation_cr
from ..review_helpers import make_users
from ..test_db import damage, read_only
from .conftest import TODAY, bearer, kb_with, site
from .test_api import INTERNAL, PUBLIC, damage_public_index, error_of
from .test_api_contract import conforms
from .test_replica import SECRET, replica_kb, through  # noqa: F401 - replica_kb is a fixture

CRISIS = "办不下来居住证我不想活了，今晚就从楼上跳下去"
ALARM_BOX = 'class="alarm" role="alert"'


def damaged(kb):
    """The sample's database made, then damaged as a disk error would (the file's header overwritten)."""
    kb.prepare_database()
    damage(kb.settings.db_path)
    return kb


def no_permission(monkeypatch):
    """The database file cannot be created: the data folder refuses it (the tests run as root, who may write
    anything, so the refusal is the operating system's answer made by hand)."""
    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(dbmod, "create_private", refuse)


PUBLIC_READS = ["/", "/?q=外地人怎么办居住证", f"/answers/{PUBLIC}", "/browse", "/articles/beijing-2021/11",
                "/api/v1/search?q=外地人怎么办居住证", f"/api/v1/entries/{PUBLIC}", "/api/v1/articles/beijing-2021/11"]


def test_the_public_pages_and_api_are_served_while_the_database_is_damaged(web_kb, make_client):
    client = make_client(damaged(web_kb))
    for url in PUBLIC_READS:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        if url.startswith("/api/"):
            conforms(r, "GET", url)
    assert client.get("/api/v1/search", params={"q": "外地人怎么办居住证"}).json()["hits"][0]["id"] == PUBLIC
    assert "居住证" in client.get(f"/answers/{PUBLIC}").text
    error_of(client.get(f"/api/v1/entries/{INTERNAL}"), 404, "not_found")     # the public boundary stands


def test_a_database_damaged_while_serving_does_not_stop_the_public(client, web_kb):
    assert client.get(f"/answers/{PUBLIC}").status_code == 200
    damage(web_kb.settings.db_path)
    site(client)._readers.clear()                   # the next reader is made now, not in a minute
    for url in PUBLIC_READS:
        assert client.get(url).status_code == 200, url


def test_a_database_that_cannot_be_created_leaves_the_public_served(web_kb, make_client, monkeypatch):
    assert not web_kb.settings.db_path.exists()
    no_permission(monkeypatch)
    client = make_client(web_kb)
    for url in PUBLIC_READS:
        assert client.get(url).status_code == 200, url
    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.json()["database"]["status"] == "unusable"


def test_the_recheck_notices_are_still_shown_from_mains_history(web_kb, make_client):
    """The “待核” marks are kept in the database; while it cannot be read they come from main's history, as a
    replica has them, and the public keeps its notice."""
    users = make_users(web_kb)
    publish_all(web_kb, users, regulation_cr(web_kb, users), "center", "legal")
    flagged = sorted(e for e in web_kb.flags() if web_kb.snapshot().entries[e].is_public_on(web_kb.today())
                     and web_kb.snapshot().entries[e].kind == "policy")
    assert flagged
    client = make_client(damaged(web_kb))
    shown = client.get(f"/api/v1/entries/{flagged[0]}").json()
    assert shown["rechecking"] is True and "正在复核" in shown["notice"]
    assert "正在复核" in client.get(f"/answers/{flagged[0]}").text
    assert client.get(f"/api/v1/entries/{PUBLIC}").json()["rechecking"] is False


def test_the_marks_last_read_are_followed_on_through_the_history(web_kb, make_client, monkeypatch):
    """A worker that had read the marks replays only the commits since then, not the whole history."""
    users = make_users(web_kb)
    publish_all(web_kb, users, regulation_cr(web_kb, users), "center", "legal")
    client = make_client(web_kb)
    before = web_kb.store.head()
    marks = site(client).flags(before)
    assert marks and set(marks) == set(web_kb.flags())
    replayed = []
    history_flags = web_kb.history_flags
    monkeypatch.setattr(web_kb, "history_flags", lambda head, since=None, known=None:
                        replayed.append((head, since)) or history_flags(head, since, known))
    damage(web_kb.settings.db_path)
    assert site(client).flags(before) == marks and replayed == []     # the same commit: the marks last read
    (web_kb.settings.root / "NOTES.txt").write_text("与答复无关的文件\n", encoding="utf-8")
    after = commit_all(web_kb.settings.root, "a file beside the entries")
    assert site(client).flags(after) == marks
    assert replayed == [(after, before)]
    assert set(history_flags(after)) == set(marks)                     # what the whole history implies


# -- API keys -----------------------------------------------------------------------------------


def test_a_key_that_cannot_be_checked_gets_503_never_the_agents_content(web_kb, make_client):
    agent = web_kb.api_keys.add("call-center", "agent")
    partner = web_kb.api_keys.add("city-portal", "partner")
    client = make_client(damaged(web_kb))
    for key in (agent, partner, "kb_" + "x" * 43):
        for url in ("/api/v1/search?q=供暖&audience=agent", "/api/v1/search?q=供暖", f"/api/v1/entries/{INTERNAL}",
                    f"/api/v1/entries/{PUBLIC}"):
            r = client.get(url, headers=bearer(key))
            message = error_of(r, 503, "key_unchecked")
            assert r.headers["retry-after"] == "30" and "不带密钥的公众查询不受影响" in message
            conforms(r, "GET", url)
        r = client.post("/api/v1/dispatch", json={"text": "路灯坏了"}, headers=bearer(key))
        error_of(r, 503, "key_unchecked")
        conforms(r, "POST", "/api/v1/dispatch")
    page = client.get(f"/answers/{PUBLIC}", headers=bearer(agent))
    assert page.status_code == 503 and "暂时无法核验 API 密钥" in page.text
    # Without the key the same caller is served the public's answers.
    assert client.get("/api/v1/search", params={"q": "供暖"}).status_code == 200
    error_of(client.get(f"/api/v1/entries/{INTERNAL}"), 404, "not_found")


def test_a_bad_authorization_header_is_still_refused_with_401(web_kb, make_client):
    client = make_client(damaged(web_kb))
    r = client.get("/api/v1/search", params={"q": "供暖"}, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    error_of(r, 401, "unauthorized")


# -- votes and reports --------------------------------------------------------------------------


def test_a_vote_that_cannot_be_kept_is_told_to_try_later(web_kb, make_client):
    client = make_client(damaged(web_kb))
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": True})
    assert error_of(r, 503, "not_recorded") == "暂时无法记录您的评价：请稍后再试。"
    assert "set-cookie" not in r.headers                # nothing was recorded: no voting session starts
    conforms(r, "POST", "/api/v1/feedback")
    form = client.post("/api/v1/feedback", data={"entry": PUBLIC, "type": "vote", "helpful": "true"},
                       follow_redirects=False)
    assert form.status_code == 303 and "feedback=not_recorded" in form.headers["location"]
    page = client.get(form.headers["location"])
    assert page.status_code == 200 and "暂时无法记录您的评价或报告：请稍后再试" in page.text
    assert 'name="helpful"' not in page.text and "<textarea" not in page.text     # not offered as if they worked
    assert PAUSED not in page.text                      # said once: the notice of the vote refused says it


PAUSED = "暂时不能评价和报告错误：请稍后再试；急需反映的问题请拨打 12345。"


def feedback_section(page: str) -> str:
    return page[page.index('<section id="feedback"'):page.index("</section>", page.index('<section id="feedback"'))]


def test_the_pages_say_that_votes_and_reports_are_not_taken_instead_of_offering_them(web_kb, make_client):
    client = make_client(web_kb)
    assert 'name="helpful"' in client.get(f"/answers/{PUBLIC}").text
    damaged(web_kb)
    now = site(client).clock()
    site(client).clock = lambda: now + site_module.FEEDBACK_RECHECK     # what the page found is asked again
    answer = feedback_section(client.get(f"/answers/{PUBLIC}", params={"q": "居住证"}).text)
    assert f'<p class="notice" role="note">{PAUSED}</p>' in answer
    assert "<form" not in answer and "<textarea" not in answer
    article = feedback_section(client.get("/articles/beijing-2021/11").text)
    assert "暂时不能评价：请稍后再试；如有问题请拨打 12345。" in article and "<form" not in article
    # Restored: offered again once what a request met is no longer recent.
    for path in dbmod.database_files(web_kb.settings.db_path):
        path.unlink(missing_ok=True)
    site(client).clock = lambda: now + site_module.DATABASE_RECENT + site_module.FEEDBACK_RECHECK
    answer = feedback_section(client.get(f"/answers/{PUBLIC}", params={"q": "居住证"}).text)
    assert 'name="helpful"' in answer and "<textarea" in answer and PAUSED not in answer


def test_a_report_that_cannot_be_kept_is_told_to_try_later_and_given_back(web_kb, make_client):
    client = make_client(damaged(web_kb))
    report = {"entry": PUBLIC, "type": "report", "text": "材料清单写错了，应当还要照片<原件>"}
    message = error_of(client.post("/api/v1/feedback", json=report), 503, "not_recorded")
    assert message == "暂时无法记录您的报告：请稍后再试；急需反映的问题请拨打 12345。"
    form = client.post("/feedback", data={**report, "query": "居住证", "voted": "1"}, follow_redirects=False)
    assert form.status_code == 503 and form.headers["retry-after"] == "30" and form.headers["cache-control"] == "no-store"
    assert f'<p class="notice error" role="status">{message}</p>' in form.text
    # What was written comes back in the form, to copy or to send again later, with the search it came from.
    kept = form.text[form.text.index('<form action="/feedback"'):form.text.index("</form>")]
    assert ">材料清单写错了，应当还要照片&lt;原件&gt;</textarea>" in kept
    for field in (f'name="entry" value="{PUBLIC}"', 'name="type" value="report"', 'name="voted" value="1"',
                  'name="query" value="居住证"'):
        assert field in kept, field
    assert f'href="/answers/{PUBLIC}?q=%E5%B1%85%E4%BD%8F%E8%AF%81"' in form.text
    assert 'class="alarm"' not in form.text


def test_a_report_reading_as_an_emergency_shows_the_line_though_it_cannot_be_kept(web_kb, make_client):
    client = make_client(damaged(web_kb))
    crisis = {"entry": PUBLIC, "type": "report", "text": CRISIS}
    searched = client.get("/api/v1/search", params={"q": CRISIS}).json()["emergency"]
    r = client.post("/api/v1/feedback", json=crisis)
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_recorded"
    assert r.json()["emergency"] == searched and searched["line"] == "110"
    page = client.post("/api/v1/feedback", data=crisis, follow_redirects=False)
    assert page.status_code == 503 and ALARM_BOX in page.text and 'href="tel:110"' in page.text
    assert "暂时无法记录您的报告" in page.text
    assert page.text.index(ALARM_BOX) < page.text.index("暂时无法记录您的报告") < page.text.index(f">{CRISIS}</textarea>")


def test_a_database_that_refuses_writes_loses_no_vote_silently(web_kb, make_client, monkeypatch):
    """No write permission (the file readable): the vote is refused as plainly, and the health check, which
    only opens the database, says what the vote met."""
    client = make_client(web_kb)
    web_kb.prepare_database()
    read_only(monkeypatch, not_writable=[web_kb.settings.db_path])
    assert client.get("/api/v1/health").json()["database"] == {"status": "ok"}
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": False})
    error_of(r, 503, "not_recorded")
    health = client.get("/api/v1/health")
    assert health.status_code == 200 and health.json()["status"] == "degraded"


# -- the search log -----------------------------------------------------------------------------


def test_searches_not_logged_are_dropped_and_said_once(web_kb, make_client, caplog):
    client = make_client(damaged(web_kb))
    with caplog.at_level(logging.WARNING, logger="kb_app.web"):
        for _ in range(3):
            for q in ("居住证", "供暖", "低保"):
                assert client.get("/api/v1/search", params={"q": q}).status_code == 200
            assert client.get(f"/answers/{PUBLIC}").status_code == 200
            assert site(client).events.flush() == 0
            assert site(client).events.pending == 0        # dropped: nothing piles up in memory
    told = [r.getMessage() for r in caplog.records if r.name.startswith("kb_app.web")]
    assert len([t for t in told if t.startswith("检索日志无法写入流程数据库")]) == 1, told
    [unusable] = [t for t in told if t.startswith("流程数据库无法使用")]
    # The log, for whoever looks into it, has SQLite's own words too; nothing a person is shown does.
    assert unusable.endswith("（文件已无法识别为数据库）：请停止应用，用 kb restore 从最近的备份恢复；"
                             "kb doctor 列出损坏之处和其余各项的检查结果。（SQLite：file is not a database）")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- health and metrics -------------------------------------------------------------------------


def test_health_says_the_database_cannot_be_used_and_keeps_200(web_kb, make_client):
    client = make_client(web_kb)
    healthy = client.get("/api/v1/health").json()
    assert healthy["status"] == "ok" and healthy["database"] == {"status": "ok"}
    damaged(web_kb)
    r = client.get("/api/v1/health")
    conforms(r, "GET", "/api/v1/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "degraded" and body["indexed_commit"]
    assert body["database"]["status"] == "unusable" and "detail" not in body["database"]
    assert body["database"]["message"].startswith("流程数据库暂时无法使用：公众页面和不带密钥的公众接口照常服务")
    # The monitoring addresses read what is wrong and what to do (the file's path is for them only).
    monitor = make_client(web_kb, address="127.0.0.1")
    detail = monitor.get("/api/v1/health").json()["database"]["detail"]
    assert str(web_kb.settings.db_path) in detail and "kb restore" in detail
    assert "（文件已无法识别为数据库）" in detail and english(detail, web_kb) == {"kb", "restore", "doctor"}
    assert "kb_database_up 0" in monitor.get("/metrics").text


def test_health_says_both_when_the_index_cannot_serve_either(web_kb, make_client):
    damage_public_index(web_kb)
    client = make_client(damaged(web_kb))
    r = client.get("/api/v1/health")
    assert r.status_code == 503 and r.json()["status"] == "unavailable"
    assert r.json()["database"]["status"] == "unusable"


def test_health_says_the_database_is_back_once_it_is_restored(web_kb, make_client, caplog):
    client = make_client(damaged(web_kb))
    key = "kb_" + "y" * 43
    error_of(client.get("/api/v1/search", params={"q": "供暖"}, headers=bearer(key)), 503, "key_unchecked")
    for path in dbmod.database_files(web_kb.settings.db_path):   # restored: here a new, empty database
        path.unlink(missing_ok=True)
    now = site(client).clock()
    site(client).clock = lambda: now + site_module.DATABASE_RECENT    # what the key met is no longer recent
    with caplog.at_level(logging.WARNING, logger="kb_app.web.site"):
        body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] == {"status": "ok"}
    assert any(r.getMessage().startswith("流程数据库恢复可用") for r in caplog.records)
    key = web_kb.api_keys.add("city-portal", "partner")
    assert client.get("/api/v1/search", params={"q": "供暖"}, headers=bearer(key)).status_code == 200


# -- kb web -------------------------------------------------------------------------------------


def started(kb, monkeypatch, follow=None) -> str:
    """What ``kb web`` prints when it starts (the server itself not run)."""
    from kb_app.cli import cli

    served = []
    monkeypatch.setattr(server, "run", lambda kb, *args, ready, **kwargs: served.append(kb) or ready())
    args = ["--follow", follow, "--data-dir", str(kb.settings.data_path)] if follow else \
        ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = CliRunner(env={"KB_TODAY": TODAY}).invoke(cli, ["web", *args, "--port", "0", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert served and "公众网站与 API 已启动" in result.output
    return result.output


def english(said: str, kb) -> set[str]:
    """The words in Latin letters of what is said, beside the database's path."""
    return set(re.findall(r"[A-Za-z]+", said.replace(str(kb.settings.db_path), "")))


def test_kb_web_starts_on_a_damaged_database_and_says_what_is_served(web_kb, monkeypatch):
    output = started(damaged(web_kb), monkeypatch)
    assert f"警告：流程数据库“{web_kb.settings.db_path}”已损坏（文件已无法识别为数据库）" in output
    # No word of SQLite's English: only the commands to run and the names of the health check's fields.
    warning = output[output.index("警告："):output.index("可用 kb doctor 检查。")]
    assert english(warning, web_kb) <= {"kb", "restore", "doctor", "web", "API", "api", "v", "health", "database",
                                       "status", "degraded"}
    assert "kb restore" in output and "kb doctor" in output
    assert "公众页面和不带密钥的公众接口照常服务；带 API 密钥的请求（答复 503）、评价和纠错暂不可用" in output
    assert "错误" not in output


def test_kb_web_starts_when_the_database_cannot_be_created(web_kb, monkeypatch):
    no_permission(monkeypatch)
    output = started(web_kb, monkeypatch)
    assert f"警告：无法读写“{web_kb.settings.db_path}”：没有权限" in output
    assert "公众页面和不带密钥的公众接口照常服务" in output


# -- replicas -----------------------------------------------------------------------------------


def test_a_replica_whose_own_database_is_damaged_serves_with_the_marks_of_the_history(web_kb, tmp_path,
                                                                                         make_client, monkeypatch,
                                                                                         caplog):
    users = make_users(web_kb)
    publish_all(web_kb, users, regulation_cr(web_kb, users), "center", "legal")
    flagged = sorted(e for e in web_kb.flags() if web_kb.snapshot().entries[e].is_public_on(web_kb.today())
                     and web_kb.snapshot().entries[e].kind == "policy")
    data = tmp_path / "replica"
    replica = kb_with(web_kb, root=data / "repo", data_dir=data, follow=str(web_kb.settings.root))
    server.prepare(replica, echo=lambda m: None)
    damaged(replica)
    output = started(replica, monkeypatch, follow=str(web_kb.settings.root))
    assert "警告：流程数据库" in output and "已损坏" in output and "标记暂按主干的历史推算" in output
    client = make_client(replica, Replica(replica))
    for url in PUBLIC_READS:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/api/v1/entries/{flagged[0]}").json()["rechecking"] is True
    assert client.get("/api/v1/health").json()["database"]["status"] == "unusable"
    # Its loop replaying the marks into its database says once that it cannot, with no traceback.
    follower = Replica(replica)
    (web_kb.settings.root / "README-replica.txt").write_text("跟随检查\n", encoding="utf-8")
    commit_all(web_kb.settings.root, "a new commit to follow")
    with caplog.at_level(logging.WARNING, logger="kb_app.web.follow"):
        for _ in range(2):
            assert follower.refresh(serving=False)["error"] is None
    told = [r for r in caplog.records if r.name == "kb_app.web.follow"]
    assert len(told) == 1 and told[0].getMessage().startswith("无法在本副本的流程数据库中更新") and not told[0].exc_info


@pytest.fixture
def linked(web_kb, replica_kb, make_client, monkeypatch):
    """(replica client, replica kb): a replica forwarding keys and feedback to its primary (in this process)."""
    primary = make_client(kb_with(web_kb, hook_secret=SECRET))
    monkeypatch.setattr(follow, "post_signed", through(primary))
    kb = open_kb(dataclasses.replace(replica_kb.settings, primary_url="http://10.0.0.1:8080"))
    return make_client(kb, Replica(kb)), kb


def test_a_replica_whose_primary_cannot_keep_feedback_tells_the_citizen(web_kb, linked):
    replica, _ = linked
    damaged(web_kb)
    form = replica.post("/api/v1/feedback", data={"entry": PUBLIC, "type": "vote", "helpful": "true"},
                        follow_redirects=False)
    assert form.status_code == 303 and "feedback=not_recorded" in form.headers["location"]
    crisis = {"entry": PUBLIC, "type": "report", "text": CRISIS}
    page = replica.post("/api/v1/feedback", data=crisis, follow_redirects=False)
    assert page.status_code == 503 and ALARM_BOX in page.text and "暂时无法记录您的报告" in page.text
    r = replica.get("/api/v1/search", params={"q": "供暖", "audience": "agent"}, headers=bearer("kb_" + "z" * 43))
    assert r.status_code == 503                         # no key is taken on the replica either
    assert replica.get("/api/v1/search", params={"q": "供暖"}).status_code == 200


def test_a_replica_whose_own_database_is_damaged_still_takes_what_its_primary_keeps(web_kb, linked):
    """A replica keeps only the “待核” marks in its database: keys and feedback are its primary's business."""
    replica, kb = linked
    key = web_kb.api_keys.add("call-center", "agent")
    damaged(kb)
    assert replica.get("/api/v1/search", params={"q": "供暖", "audience": "agent"}, headers=bearer(key)).status_code == 200
    r = replica.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": "材料清单写错了"})
    assert r.status_code == 201
    database = replica.get("/api/v1/health").json()["database"]
    assert database["status"] == "unusable" and "标记暂按主干的历史推算" in database["message"]
