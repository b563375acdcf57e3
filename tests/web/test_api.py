"""The JSON API's contract: every endpoint, every error, caching headers and conditional GET."""

import datetime as dt
import json
import os
import time

import pytest
from markupsafe import escape

from kb_app.content import frontmatter
from kb_app.exceptions import ConfigError
from kb_app.web import site as site_module
from kb_app.web.app import ROUTES
from kb_app.web.openapi import PUBLIC_SPEC, SPEC

from ..conftest import commit_all
from .conftest import TODAY, bearer, kb_with, site

INTERNAL = "heating-peak-season-internal"
EXPIRED = "dibao-standard-2025"
PENDING = "minimum-wage-2027"
DIRECTORY = "bus-route"
PUBLIC = "residence-permit-apply"


def error_of(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), "message in Chinese"
    return body["error"]["message"]


# -- search -------------------------------------------------------------------------------------


def test_search_returns_public_hits_with_links(client, web_kb):
    r = client.get("/api/v1/search", params={"q": "外地人怎么办居住证", "limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "外地人怎么办居住证" and body["audience"] == "public"
    assert body["commit"] == web_kb.store.head() and body["total"] >= 1 and len(body["hits"]) <= 3
    top = body["hits"][0]
    assert top["id"] == PUBLIC and top["url"] == f"/answers/{PUBLIC}" and top["unit_name"] == "示例市公安局"
    assert set(top) >= {"id", "kind", "title", "unit", "unit_name", "score", "snippet", "url"}
    assert "status" not in top and "marks" not in top
    assert "<mark>" in top["snippet"]


def test_search_articles_link_to_article_pages(client):
    body = client.get("/api/v1/search", params={"q": "接诉即办 即时答复", "kind": "article"}).json()
    assert body["hits"] and all(h["kind"] == "article" for h in body["hits"])
    reg, n = body["hits"][0]["id"].split("/")
    assert body["hits"][0]["url"] == f"/articles/{reg}/{n}"


def test_search_paging_and_filters(client):
    first = client.get("/api/v1/search", params={"q": "补贴", "limit": 2}).json()
    second = client.get("/api/v1/search", params={"q": "补贴", "limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] > 4
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    units = {h["unit"] for h in first["hits"] + second["hits"]}
    unit = sorted(units)[0]
    by_unit = client.get("/api/v1/search", params={"q": "补贴", "unit": unit}).json()
    assert by_unit["hits"] and all(h["unit"] == unit for h in by_unit["hits"])


@pytest.mark.parametrize("params, code", [
    ({}, "missing_query"),
    ({"q": ""}, "missing_query"),
    ({"q": "   \t"}, "missing_query"),
    ({"q": "居住证" * 100}, "query_too_long"),
    ({"q": "x", "limit": "0"}, "invalid_parameter"),
    ({"q": "x", "limit": "51"}, "invalid_parameter"),
    ({"q": "x", "limit": "ten"}, "invalid_parameter"),
    ({"q": "x", "offset": "-1"}, "invalid_parameter"),
    ({"q": "x", "kind": "regulation"}, "invalid_parameter"),
    ({"q": "x", "kind": "directory"}, "invalid_parameter"),
    ({"q": "x", "audience": "staff"}, "invalid_parameter"),
    ({"q": "x", "unit": "u" * 101}, "invalid_parameter"),
])
def test_search_parameter_errors(client, params, code):
    error_of(client.get("/api/v1/search", params=params), 400, code)


def test_a_parameter_given_twice_is_refused_not_half_read(client):
    """q=社保卡&q=医保卡 searched 医保卡 alone, and said nothing."""
    error = error_of(client.get("/api/v1/search?q=社保卡&q=医保卡"), 400, "invalid_parameter")
    assert "参数 q 无效：只能给一次（现在给了 2 次）" in error and "空格" in error
    assert "参数 limit 无效：只能给一次" in error_of(client.get("/api/v1/search?q=社保卡&limit=5&limit=6"), 400,
                                                "invalid_parameter")


def test_topics_list_the_public_answers_in_force_as_the_site_does(client, web_kb):
    body = client.get("/api/v1/topics").json()
    listed = [a for t in body["topics"] for a in t["answers"]]
    assert body["total"] == len(listed) == sum(t["count"] for t in body["topics"]) > 20
    snap = web_kb.snapshot()
    assert all(snap.entries[a["id"]].audience == "public" and snap.entries[a["id"]].kind == "policy" for a in listed)
    assert "heating-peak-season-internal" not in {a["id"] for a in listed}        # internal
    assert "dibao-standard-2025" not in {a["id"] for a in listed}                 # expired
    assert "minimum-wage-2027" not in {a["id"] for a in listed}                   # not yet in force
    page = client.get("/browse").text
    assert all(a["url"] in page and str(escape(a["title"])) in page for a in listed)
    first = listed[0]
    assert first["url"] == f"/answers/{first['id']}" and first["unit_name"]


HOSTILE = ["AND OR (", "*:*", "title:居住证", '"""', "\\", "(((((", "NOT", "居住证 AND", "\x00\x01\x02\x7f",
           "<script>alert(1)</script>", "'; drop table search_log; --", "😀🏠", "ｑｕｅｒｙ　全角", "%", "%%%25",
           "a" * 5000, "居" * 200, "居" * 201, "\u202e\u200b\ufeff", "\r\n\r\nHTTP/1.1 200 OK", "?" * 50]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_fail(client, q):
    for path in ("/api/v1/search", "/"):
        r = client.get(path, params={"q": q})
        assert r.status_code in (200, 400), (q, r.status_code, r.text[:200])
        if path.startswith("/api") and r.status_code == 400:
            assert r.json()["error"]["code"] in {"missing_query", "query_too_long"}
        if path == "/":
            assert "<script>alert" not in r.text


def test_lone_surrogate_and_bad_percent_encoding(client):
    for raw in ("/api/v1/search?q=%ED%A0%80", "/api/v1/search?q=%FF%FE", "/api/v1/search?q=%",
                "/?q=%ED%A0%80"):
        assert client.get(raw).status_code in (200, 400)


def test_agent_search_needs_an_agent_key(client, partner_key, agent_key):
    params = {"q": "供暖初期话务高峰", "audience": "agent"}
    r = client.get("/api/v1/search", params=params)
    error_of(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    error_of(client.get("/api/v1/search", params=params, headers=bearer(partner_key)), 403, "forbidden")
    r = client.get("/api/v1/search", params=params, headers=bearer(agent_key))
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-cache"
    hit = next(h for h in r.json()["hits"] if h["id"] == INTERNAL)
    assert hit["marks"] == ["内部", "即将到期（2026-12-20 止）"] and hit["audience"] == "internal" \
        and hit["status"] == "in_force"
    expired = client.get("/api/v1/search", params={"q": "2025年城乡最低生活保障标准", "audience": "agent"},
                         headers=bearer(agent_key)).json()
    assert "已失效" in next(h for h in expired["hits"] if h["id"] == EXPIRED)["marks"]


def test_public_search_with_a_partner_key_is_public(client, partner_key):
    r = client.get("/api/v1/search", params={"q": "供暖初期话务高峰"}, headers=bearer(partner_key))
    assert r.status_code == 200 and INTERNAL not in r.text


@pytest.mark.parametrize("header", ["Bearer kb_not-a-real-key-000000000000000000000000", "Bearer ",
                                    "Basic dXNlcjpwYXNz",
                                    "kb_abc", "Bearer " + "x" * 300])
def test_bad_authorization_is_refused_not_ignored(client, header):
    r = client.get("/api/v1/search", params={"q": "居住证"}, headers={"Authorization": header})
    assert r.status_code == 401 and r.json()["error"]["code"] in {"unauthorized", "invalid_key"}


# -- entries and articles -------------------------------------------------------------------------


def test_last_checked_is_the_hotlines_day_of_the_publication(client, web_kb, monkeypatch):
    """A server set to UTC writes commits at +0000: published at 23:47 UTC on 5 December, the answer
    was checked on 6 December in Beijing (the settings' timezone), on the page and in the API."""
    path = web_kb.settings.root / "entries/policy/city-public-security" / f"{PUBLIC}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n核对后补充：办理进度可拨打 12345 查询。\n", encoding="utf-8")
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(name, "2026-12-05T23:47:00+00:00")
    commit_all(web_kb.settings.root, "核对居住证答复")
    assert client.get(f"/api/v1/entries/{PUBLIC}").json()["last_checked"] == "2026-12-06"
    assert "最近核对：2026年12月6日" in client.get(f"/answers/{PUBLIC}").text


def test_entry_public_rendering(client, web_kb):
    r = client.get(f"/api/v1/entries/{PUBLIC}")
    assert r.status_code == 200
    body = r.json()
    assert body["title"] == "居住证如何申领" and body["unit_name"] == "示例市公安局"
    assert body["html"].startswith("<") and "<script" not in body["html"]
    assert body["last_checked"] == TODAY and body["commit"] == web_kb.store.head()
    assert body["basis"] and all(b["label"] for b in body["basis"])
    cited = client.get("/api/v1/entries/heating-not-warm-repair").json()
    linked = [b for b in cited["basis"] if b["article"]]
    assert linked and linked[0]["url"] == "/articles/" + linked[0]["article"]
    for staff_only in ("agent_notes", "marks", "status", "text", "audience"):
        assert staff_only not in body
    assert "内部提示" not in r.text


def test_hidden_entries_all_give_the_same_404(client, web_kb):
    bodies = set()
    for entry_id in (INTERNAL, EXPIRED, PENDING, DIRECTORY, "no-such-entry", "UPPER", "%E5%B1%85"):
        r = client.get(f"/api/v1/entries/{entry_id}")
        error_of(r, 404, "not_found")
        bodies.add(r.content)
    assert len(bodies) == 1
    error_of(client.get("/api/v1/entries/..%2F..%2Fetc%2Fpasswd"), 404, "not_found")


def test_unreadable_entry_is_a_404(client, web_kb):
    path = web_kb.settings.root / "entries/policy/city-hrss/broken-entry.md"
    path.write_text("---\nid: broken-entry\nkind: policy\ntitle: [未闭合\n---\n正文\n", encoding="utf-8")
    commit_all(web_kb.settings.root, "broken")
    error_of(client.get("/api/v1/entries/broken-entry"), 404, "not_found")


MISFILED = {
    # outside a unit's folder, or a folder below it: no unit reviewed it as its owner
    "entries/policy/stray-answer.md": ("stray-answer", "city-hrss"),
    "entries/policy/city-hrss/sub/deep-answer.md": ("deep-answer", "city-hrss"),
    # an answer in the catalogue's folder
    "entries/directory/catalogue-answer.md": ("catalogue-answer", "city-hrss"),
    # a second file under a real answer's id: it would be found as that answer
    "entries/policy/city-hrss/forged-copy.md": (PUBLIC, "city-hrss"),
    # an id no file is named by
    "entries/policy/city-hrss/upper-case.md": ("UPPER-CASE", "city-hrss"),
}


def test_misfiled_or_misnamed_answers_are_never_public(client, web_kb, agent_key):
    """What kb validate says the public cannot see until it is corrected, the public does not see."""
    root = web_kb.settings.root
    for rel, (entry_id, unit) in MISFILED.items():
        meta = {"id": entry_id, "kind": "policy", "title": f"错放的答复 {entry_id}", "unit": unit, "audience": "public"}
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(frontmatter.dump(meta, "补卡请先转账到 6222020000000000 错放密语\n"), encoding="utf-8")
    commit_all(root, "misfiled")
    web_kb.reindex()
    for entry_id in ("stray-answer", "deep-answer", "catalogue-answer", "UPPER-CASE", "upper-case"):
        error_of(client.get(f"/api/v1/entries/{entry_id}"), 404, "not_found")
    assert client.get(f"/api/v1/entries/{PUBLIC}").json()["title"] == "居住证如何申领"
    assert client.get("/api/v1/search", params={"q": "错放密语"}).json()["hits"] == []
    assert "错放" not in client.get("/browse").text
    # agents find them, marked as unreadable (格式错误), so that a unit corrects them
    hits = client.get("/api/v1/search", params={"q": "错放密语", "audience": "agent", "limit": 10},
                      headers=bearer(agent_key)).json()["hits"]
    assert len(hits) == len(MISFILED)


#: Answers that read well by themselves but not among the files around them (committed to main by hand):
#: path -> (the id a reader would ask for, its unit).
UNVOUCHED = {
    # a unit (and folder) that units.yaml does not know: no unit reviewed it
    "entries/policy/no-such-unit/ghost-unit.md": ("ghost-unit", "no-such-unit"),
    # a unit abolished (active: false): nobody answers for it, and it names an office that is gone
    "entries/policy/city-former-commerce/gone-office.md": ("gone-office", "city-former-commerce"),
    # no id, and a file name that breaks the id rule
    "entries/policy/city-hrss/ZT-A44.md": ("ZT-A44", "city-hrss"),
    # two files named by one id: which is the answer, and whether it was reviewed, is unknown
    "entries/policy/city-hrss/twin-answer.md": ("twin-answer", "city-hrss"),
    "entries/policy/city-public-security/twin-answer.md": ("twin-answer", "city-public-security"),
    # a second file named by a real answer's id: neither is public until one is removed
    f"entries/policy/city-hrss/{PUBLIC}.md": (PUBLIC, "city-hrss"),
}


def test_answers_the_files_around_them_make_unreadable_are_never_public(client, web_kb, agent_key):
    """An unregistered unit, an id no file may have, an id two files are named by: hidden everywhere the
    public looks (page, API, search, /browse), shown to agents as 格式错误 with how to fix it."""
    root = web_kb.settings.root
    for rel, (entry_id, unit) in UNVOUCHED.items():
        meta = {"kind": "policy", "title": f"无主的答复 {entry_id}", "unit": unit, "audience": "public",
                "category": ["无主专题"]}
        meta = meta if entry_id == "ZT-A44" else {"id": entry_id, **meta}
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(frontmatter.dump(meta, "无主密语，请到窗口办理。\n"), encoding="utf-8")
    commit_all(root, "unvouched")
    web_kb.reindex()  # incremental: the index follows main as the web does
    for entry_id in ("ghost-unit", "gone-office", "ZT-A44", "zt-a44", "twin-answer", PUBLIC):
        error_of(client.get(f"/api/v1/entries/{entry_id}"), 404, "not_found")
        assert client.get(f"/answers/{entry_id}").status_code == 404
    for query in ("无主密语", "居住证如何申领"):
        assert [h["id"] for h in client.get("/api/v1/search", params={"q": query, "limit": 50}).json()["hits"]
                if h["id"] in {i for i, _u in UNVOUCHED.values()}] == []
    browse = client.get("/browse").text
    assert "无主" not in browse and f"/answers/{PUBLIC}" not in browse
    # the public may not filter by a topic only such answers have: it would tell that they exist
    error_of(client.get("/api/v1/search", params={"q": "无主密语", "category": "无主专题"}), 400, "invalid_parameter")
    # agents find every file, marked, and the unit learns how to fix it
    hits = client.get("/api/v1/search", params={"q": "无主密语", "audience": "agent", "limit": 20},
                      headers=bearer(agent_key)).json()["hits"]
    assert len([h for h in hits if "无主" in h["title"]]) == len(UNVOUCHED)
    assert all(h["marks"][:1] == ["格式错误"] for h in hits if "无主" in h["title"])
    staff = web_kb.reader(staff=True)
    assert staff.format_problems(staff.entry("ghost-unit")) == [
        "unit：单位“no-such-unit”未在 regulations/units.yaml 中登记"
        "（在 regulations/units.yaml 中登记该单位，或由登记的单位把答复移到自己的目录），公众看不到该条目"]
    assert staff.format_problems(staff.entry("gone-office")) == [
        "unit：单位“原示例市商务局”已撤销（units.yaml 中 active: false）（由承接其职责的单位接手：把 unit 改为该单位"
        "并把文件移到它的目录 entries/policy/<单位>/，或删除该答复），公众看不到该条目"]
    assert staff.format_problems(staff.entry("twin-answer")) == [
        "id：编号“twin-answer”与 entries/policy/city-public-security/twin-answer.md 重复"
        "（一个编号只能有一个文件：删除多余的一份，或改用新的编号并同时修改文件名），公众看不到该条目"]
    assert staff.format_problems(staff.entry("ZT-A44")) == [
        "id：没有写编号（id），文件名“ZT-A44”也不是有效的编号（编号与文件名相同，只用小写字母、数字和连字符，如“zt-a44”），"
        "公众看不到该条目"]
    # removed the copy: the real answer is public again
    (root / f"entries/policy/city-hrss/{PUBLIC}.md").unlink()
    commit_all(root, "copy removed")
    assert client.get(f"/api/v1/entries/{PUBLIC}").json()["title"] == "居住证如何申领"
    assert PUBLIC in [h["id"] for h in client.get("/api/v1/search", params={"q": "居住证如何申领"}).json()["hits"]]
    assert f"/answers/{PUBLIC}" in client.get("/browse").text


def test_a_file_that_is_not_utf8_is_never_shown(client, web_kb):
    path = web_kb.settings.root / "entries/policy/city-hrss/gbk-answer.md"
    head = "---\nid: gbk-answer\nkind: policy\ntitle: gbk-answer\nunit: city-hrss\naudience: public\n---\n"
    path.write_bytes(head.encode("ascii") + "国标码正文".encode("gbk") + b"\n")
    commit_all(web_kb.settings.root, "gbk")
    web_kb.reindex()
    error_of(client.get("/api/v1/entries/gbk-answer"), 404, "not_found")
    assert client.get("/api/v1/search", params={"q": "gbk-answer"}).json()["hits"] == []
    assert "gbk-answer" not in client.get("/browse").text


def test_agent_key_sees_notes_and_status(client, agent_key):
    r = client.get(f"/api/v1/entries/{INTERNAL}", headers=bearer(agent_key))
    assert r.status_code == 200
    body = r.json()
    assert body["marks"] == ["内部", "即将到期（2026-12-20 止）"] and body["agent_notes"].startswith("内部提示") and body["text"]
    assert client.get(f"/api/v1/entries/{PENDING}", headers=bearer(agent_key)).json()["marks"] == ["未生效"]
    assert client.get(f"/api/v1/entries/{DIRECTORY}", headers=bearer(agent_key)).json()["kind"] == "directory"


def test_article(client):
    r = client.get("/api/v1/articles/beijing-2021/11")
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == "第十一条" and body["regulation_title"] == "北京市接诉即办工作条例"
    assert body["previous"]["id"] == "beijing-2021/10" and body["next"]["url"] == "/articles/beijing-2021/12"
    assert body["html"] and body["cited_by"]
    assert all(c["url"].startswith("/answers/") for c in body["cited_by"])


def test_article_citing_entries_respect_the_audience(client, web_kb, agent_key):
    snap = web_kb.snapshot()
    day = dt.date.fromisoformat(TODAY)
    cited = {}
    for e in snap.entry_list:
        for reg, n in e.citations:
            cited.setdefault(f"{reg}/{n}", []).append(e)
    article_id, entries = max(cited.items(), key=lambda kv: sum(not e.is_public_on(day) for e in kv[1]))
    assert any(not e.is_public_on(day) for e in entries)
    public = {c["id"] for c in client.get(f"/api/v1/articles/{article_id}").json()["cited_by"]}
    assert public == {e.id for e in entries if e.is_public_on(day) and e.kind == "policy"}
    agent = {c["id"] for c in client.get(f"/api/v1/articles/{article_id}",
                                         headers=bearer(agent_key)).json()["cited_by"]}
    assert agent == {e.id for e in entries}


@pytest.mark.parametrize("path", ["/api/v1/articles/beijing-2021/999", "/api/v1/articles/beijing-2021/abc",
                                  "/api/v1/articles/nowhere/1", "/api/v1/articles/BEIJING-2021/1"])
def test_missing_articles(client, path):
    error_of(client.get(path), 404, "not_found")


# -- dispatch ---------------------------------------------------------------------------------------


def test_dispatch_equals_the_command(client, web_kb, agent_key):
    text = "小区旁边工地半夜还在打桩，吵得睡不着"
    r = client.post("/api/v1/dispatch", json={"text": text, "now": "2026-11-20T16:00"},
                    headers=bearer(agent_key))
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(web_kb.dispatch(text, now=dt.datetime(2026, 11, 20,
                                                                                   16)).to_dict()))
    assert r.json()["candidates"]


def test_an_emergency_comes_back_urgent_with_the_script_and_no_candidate(client, agent_key):
    """An agent system reading ``urgent`` and ``candidates`` shows a fire as urgent with nothing to
    dispatch; once the agent confirms it is none (``not_emergency``), the candidates come."""
    key = bearer(agent_key)
    fire = client.post("/api/v1/dispatch", json={"text": "家里着火了"}, headers=key).json()
    assert fire["urgent"] is True and fire["urgency"] == "emergency" and fire["candidates_withheld"] is True
    assert fire["candidates"] == [] and fire["rule"]["transfer_to"] == "119"
    assert fire["suggested_outcome"] == "transfer"
    fight = client.post("/api/v1/dispatch", json={"text": "楼下有人打架"}, headers=key).json()
    assert fight["urgency"] == "suspected" and fight["urgent"] is True and fight["candidates"] == []
    confirmed = client.post("/api/v1/dispatch", json={"text": "楼下有人打架", "not_emergency": True},
                            headers=key).json()
    assert confirmed["confirmed_not_emergency"] is True and confirmed["candidates"]
    assert not confirmed["candidates_withheld"] and confirmed["urgent"] is False
    error_of(client.post("/api/v1/dispatch", json={"text": "楼下有人打架", "not_emergency": "yes"}, headers=key),
             400, "invalid_parameter")


def test_a_moment_with_a_time_zone_is_read_as_local_time(client, agent_key, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        key, text = bearer(agent_key), "小区旁边工地半夜还在打桩，吵得睡不着"
        local = client.post("/api/v1/dispatch", json={"text": text, "now": "2026-11-20T16:00"}, headers=key).json()
        for moment in ("2026-11-20T08:00Z", "2026-11-20T16:00+08:00"):
            zoned = client.post("/api/v1/dispatch", json={"text": text, "now": moment}, headers=key).json()
            assert zoned["now"] == "2026-11-20T16:00:00"
            assert zoned["candidates"][0]["due"] == local["candidates"][0]["due"]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_dispatch_result_is_described_field_by_field(client, agent_key):
    """Every field the API answers is in the OpenAPI description, and nothing described is missing."""
    result = client.post("/api/v1/dispatch", json={"text": "小区旁边工地半夜还在打桩"}, headers=bearer(agent_key)).json()
    schemas = SPEC["components"]["schemas"]
    # unmatched only when the first candidate matches in passing, corrected only for a call with a misspelt word;
    # pending_unavailable only on a replica cut off from its primary, and an answer's pending only while it is being
    # corrected or reported wrong; vague only for a call naming no matter
    assert set(result) == set(schemas["DispatchResult"]["properties"]) - {"unmatched", "corrected", "pending_unavailable",
                                                                          "vague", "rest", "more"}
    vague = client.post("/api/v1/dispatch", json={"text": "我要投诉"}, headers=bearer(agent_key)).json()
    assert vague["vague"] is True and vague["suggested_outcome"] == ""
    assert set(vague) == set(schemas["DispatchResult"]["properties"]) - {"unmatched", "corrected", "pending_unavailable",
                                                                         "rest", "more"}
    two = client.post("/api/v1/dispatch", json={"text": "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办"},
                      headers=bearer(agent_key)).json()
    assert two["rest"] == "我们小区门口路灯坏了" and two["suggested_outcome"] == "dispatch"
    assert set(two) == set(schemas["DispatchResult"]["properties"]) - {"unmatched", "corrected", "pending_unavailable",
                                                                       "vague", "more"}
    more = client.post("/api/v1/dispatch", json={"text": "喂你好，我们小区那个路灯坏了好几天了，还有就是楼下那个饭店油烟特别大"},
                       headers=bearer(agent_key)).json()
    assert [(m["text"], m["candidate"]["entry"]) for m in more["more"]] == [("我们小区那个路灯坏了好几天了", "street-light-out")]
    passing = client.post("/api/v1/dispatch", json={"text": "宽带坏了找谁"}, headers=bearer(agent_key)).json()
    assert passing["unmatched"] == ["宽带"]
    # vague, rest and more only for a call naming no matter, one answered in part, or one telling another matter
    sometimes = {"vague", "rest", "more"}
    assert set(passing) == set(schemas["DispatchResult"]["properties"]) - {"corrected", "pending_unavailable", *sometimes}
    misspelt = client.post("/api/v1/dispatch", json={"text": "我的社宝卡丢了咋补"}, headers=bearer(agent_key)).json()
    assert misspelt["corrected"] == "我的社保卡丢了咋补" and misspelt["text"] == "我的社宝卡丢了咋补"
    assert set(misspelt) == set(schemas["DispatchResult"]["properties"]) - {"unmatched", "pending_unavailable", *sometimes}
    # region_note only when a candidate or answer is for another district than the caller's
    assert set(result["candidates"][0]) == set(schemas["Candidate"]["properties"]) - {"region_note"}
    assert set(result["candidates"][0]["due"]) == set(schemas["Due"]["properties"])
    rule = client.post("/api/v1/dispatch", json={"text": "家里着火了"}, headers=bearer(agent_key)).json()["rule"]
    assert set(rule) == set(schemas["Rule"]["properties"])
    district = client.post("/api/v1/dispatch", json={"text": "小区停车位被占了"}, headers=bearer(agent_key)).json()
    assert district["candidates"][0]["region_note"] == "仅适用于东湖区：请先问清来电人所在的区"
    assert set(district["candidates"][0]) == set(schemas["Candidate"]["properties"])
    answer = next(a for a in district["answers"] if "region_note" in a)
    assert set(answer) == set(schemas["DispatchResult"]["properties"]["answers"]["items"]["properties"]) - {"pending"}


def test_a_transfer_comes_back_named_by_its_event(client, agent_key):
    """A drowning goes to 119 by the fire rule: ``rule.name`` is what happened, as the console and the command say."""
    water = client.post("/api/v1/dispatch", json={"text": "有人在河边钓鱼，好像掉水里了"}, headers=bearer(agent_key)).json()
    assert (water["rule"]["id"], water["rule"]["transfer_to"]) == ("emergency-fire", "119")
    assert water["rule"]["name"] == water["emergency"]["event"] == "落水和冰面"


def test_dispatch_errors(client, agent_key, partner_key):
    error_of(client.post("/api/v1/dispatch", json={"text": "停水"}), 401, "unauthorized")
    error_of(client.post("/api/v1/dispatch", json={"text": "停水"}, headers=bearer(partner_key)), 403,
             "forbidden")
    key = bearer(agent_key)
    error_of(client.post("/api/v1/dispatch", json={}, headers=key), 400, "missing_text")
    error_of(client.post("/api/v1/dispatch", json={"text": "  "}, headers=key), 400, "missing_text")
    error_of(client.post("/api/v1/dispatch", json={"text": "停" * 2001}, headers=key), 400, "text_too_long")
    error_of(client.post("/api/v1/dispatch", json={"text": "停水", "now": "明天"}, headers=key), 400,
             "invalid_parameter")
    error_of(client.post("/api/v1/dispatch", json={"text": "停水", "limit": 0}, headers=key), 400,
             "invalid_parameter")
    error_of(client.post("/api/v1/dispatch", json=["停水"], headers=key), 400, "invalid_json")
    error_of(client.post("/api/v1/dispatch", content=b"{not json",
                         headers={**key, "Content-Type": "application/json"}),
             400, "invalid_json")
    error_of(client.post("/api/v1/dispatch", content="text=停水",
                         headers={**key, "Content-Type": "text/plain"}),
             415, "unsupported_media_type")
    error_of(client.post("/api/v1/dispatch", json={"text": "停" * 20000}, headers=key), 413,
             "payload_too_large")
    error_of(client.get("/api/v1/dispatch", headers=key), 405, "method_not_allowed")


# -- feedback ---------------------------------------------------------------------------------------


def rows(kb, table):
    return list(kb.db()[table].rows)


def test_vote_and_report_are_stored_masked_and_anonymous(client, web_kb):
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": False})
    assert r.status_code == 201 and r.json() == {"status": "received", "type": "vote", "entry": PUBLIC}
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": "电话13812345678打不通",
                                              "contact": "13912345678"})
    assert r.status_code == 201
    vote, = rows(web_kb, "votes")
    assert (vote["entry"], vote["helpful"], vote["audience"], vote["username"]) == (PUBLIC, 0, "public", None)
    report, = rows(web_kb, "reports")
    assert "13812345678" not in report["text"] and "[手机号]" in report["text"]
    assert report["contact"] is None and "13912345678" not in str(report)    # no contact is kept
    assert any(t["kind"] == "report" and t["entry"] == PUBLIC for t in rows(web_kb, "tasks"))


def test_a_report_that_reads_as_an_emergency_comes_back_with_the_line_a_search_gives(client, web_kb):
    """A platform shows its user what the site shows: ``emergency``, of the same shape as a search's; kept or not."""
    crisis = "办不下来居住证我不想活了，今晚就从楼上跳下去"
    searched = client.get("/api/v1/search", params={"q": crisis}).json()["emergency"]
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": crisis})
    assert r.status_code == 201
    assert r.json() == {"status": "received", "type": "report", "entry": PUBLIC, "emergency": searched}
    assert searched["line"] == "110" and searched["answers"] is False
    # ... as the description says, for the receipt, the error and the search alike
    schemas = SPEC["components"]["schemas"]
    assert set(schemas["Emergency"]["required"]) == set(searched) == set(schemas["Emergency"]["properties"])
    for schema in (schemas["FeedbackReceipt"], schemas["Error"], schemas["SearchResults"]):
        assert schema["properties"]["emergency"]["$ref"] == "#/components/schemas/Emergency"
    report, = rows(web_kb, "reports")
    assert (report["alarm"], report["alarm_line"]) == ("有人要轻生", "110")
    plain = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": "材料清单已经变了"})
    assert plain.json() == {"status": "received", "type": "report", "entry": PUBLIC}
    vote = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": False, "text": crisis})
    assert "emergency" not in vote.json()
    # A report refused is read all the same: the line beside the error.
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": crisis + "。" * 2000})
    assert r.status_code == 400 and r.json()["error"]["code"] == "text_too_long" and r.json()["emergency"] == searched
    r = client.post("/api/v1/feedback", json={"entry": "no-such-answer", "type": "report", "text": crisis})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found" and r.json()["emergency"] == searched
    assert "emergency" not in client.post("/api/v1/feedback", json={"entry": "no-such-answer", "type": "report",
                                                                     "text": "电话变了"}).json()


def test_one_vote_per_answer_per_browser_session(client, web_kb, make_client):
    vote = {"entry": PUBLIC, "type": "vote", "helpful": True}
    first = client.post("/api/v1/feedback", json=vote)
    assert first.status_code == 201
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("kb_voter=") and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "max-age" not in cookie.lower() and "expires" not in cookie.lower()  # gone with the browser
    error_of(client.post("/api/v1/feedback", json=dict(vote, helpful=False)), 409, "already_voted")
    form = client.post("/api/v1/feedback", data={**vote, "helpful": "true"}, follow_redirects=False)
    assert form.headers["location"] == f"/answers/{PUBLIC}?feedback=voted#feedback"
    assert "您已经评价过这条答复" in client.get(form.headers["location"].split("#")[0]).text
    # Another answer, and another browser (elsewhere), may vote; a key chosen in the body counts for nothing.
    assert client.post("/api/v1/feedback", json=dict(vote, entry="sscard-reissue")).status_code == 201
    token = client.cookies["kb_voter"]
    elsewhere = make_client(web_kb, address="198.51.100.2")
    assert elsewhere.post("/api/v1/feedback", json=dict(vote, voter=token)).status_code == 201
    stored = rows(web_kb, "votes")
    assert [(v["entry"], v["helpful"]) for v in stored] == [(PUBLIC, 1), ("sscard-reissue", 1), (PUBLIC, 1)]
    assert len({v["voter"] for v in stored}) == 2 and all(token not in str(v) for v in stored)  # digests only


def test_a_platform_passes_on_its_users_votes_each_once(client, web_kb, partner_key, frozen_buckets):
    """A partner forwarding its users' votes names each by its own id (``voter``): a user votes once per
    answer and has a citizen's allowance; the ids are kept as digests under the key's name; a server
    gets no cookie. Without an id the key has one allowance."""
    key, vote = bearer(partner_key), {"entry": PUBLIC, "type": "vote", "helpful": True}
    for i in range(14):                                                  # more users than one allowance
        r = client.post("/api/v1/feedback", json=dict(vote, voter=f"user-{i}"), headers=key)
        assert r.status_code == 201 and "set-cookie" not in r.headers, (i, r.text)
    error_of(client.post("/api/v1/feedback", json=dict(vote, voter="user-3"), headers=key), 409, "already_voted")
    stored = rows(web_kb, "votes")
    assert len(stored) == 14 and len({v["voter"] for v in stored}) == 14
    assert not any("user-" in str(v) for v in stored)
    error_of(client.post("/api/v1/feedback", json=dict(vote, voter=""), headers=key), 400, "invalid_parameter")
    error_of(client.post("/api/v1/feedback", json=dict(vote, voter=["x"]), headers=key), 400, "invalid_parameter")
    codes = [client.post("/api/v1/feedback", json=dict(vote, entry="sscard-reissue"), headers=key).status_code
             for _ in range(12)]
    assert codes[0] == 201 and codes[-1] == 429                          # one allowance for the key
    assert client.cookies.get("kb_voter") is None


def test_no_voting_cookie_starts_with_a_refused_vote(client):
    r = client.post("/api/v1/feedback", json={"entry": "no-such-answer", "type": "vote", "helpful": True})
    assert r.status_code == 404 and "set-cookie" not in r.headers
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote"})
    assert r.status_code == 400 and "set-cookie" not in r.headers


def test_feedback_errors(client, web_kb):
    message = error_of(client.post("/api/v1/feedback", json={"type": "vote", "helpful": True}), 400, "invalid_parameter")
    assert message == "参数 entry 无效：请给出要评价或纠错的答复编号（字段 entry）。"

    def chunks():                                            # no Content-Length said beforehand
        yield b"entry=x&type=report&text=" + b"a" * 200_000

    error_of(client.post("/api/v1/feedback", content=chunks(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"}), 413, "payload_too_large")
    error_of(client.post("/api/v1/feedback", json={"entry": INTERNAL, "type": "vote", "helpful": True}), 404,
             "not_found")
    error_of(client.post("/api/v1/feedback", json={"entry": DIRECTORY, "type": "vote", "helpful": True}),
             404, "not_found")
    error_of(client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "like"}), 400,
             "invalid_parameter")
    error_of(client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote"}), 400,
             "invalid_parameter")
    error_of(client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "report", "text": " "}), 400,
             "missing_text")
    error_of(client.post("/api/v1/feedback", content=b"x", headers={"Content-Type": "text/plain"}), 415,
             "unsupported_media_type")
    assert rows(web_kb, "votes") == [] and rows(web_kb, "reports") == []


def test_feedback_forms_redirect_back_to_the_answer(client, web_kb):
    r = client.post("/api/v1/feedback", data={"entry": PUBLIC, "type": "vote", "helpful": "true"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/answers/{PUBLIC}?feedback=thanks#feedback"
    r = client.post("/api/v1/feedback", data={"entry": PUBLIC, "type": "report", "text": ""},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?feedback=invalid#feedback")
    page = client.get(r.headers["location"].split("#")[0])
    assert "提交未成功" in page.text
    assert rows(web_kb, "votes")[0]["helpful"] == 1


def test_dropping_the_cookie_adds_no_vote_from_the_same_address(web_kb, make_client):
    """A script that drops ``kb_voter`` votes once per answer per day from its address, through the API or the
    site's form; the same report from it is kept once, with one task. Another address still counts."""
    client = make_client(kb_with(web_kb, web_rate_feedback=100), address="203.0.113.7")
    vote = {"entry": PUBLIC, "type": "vote", "helpful": False}
    for _ in range(3):
        client.cookies.clear()
        r = client.post("/api/v1/feedback", json=vote)
        assert r.status_code == 201 and r.json()["status"] == "received"
        client.cookies.clear()
        form = client.post("/feedback", data={**vote, "helpful": "false"}, follow_redirects=False)
        assert form.headers["location"] == f"/answers/{PUBLIC}?feedback=unhelpful#feedback"
    assert len(rows(web_kb, "votes")) == 1
    report = {"entry": PUBLIC, "type": "report", "text": "罚款金额写错了，应该是500元"}
    for _ in range(3):
        assert client.post("/api/v1/feedback", json=report).status_code == 201
        assert client.post("/feedback", data=report, follow_redirects=False).status_code == 303
    assert len(rows(web_kb, "reports")) == 1
    web_kb.feedback.generate_tasks()
    assert [t.kind for t in web_kb.feedback.list_tasks("city-public-security")] == ["report"]
    assert "203.0.113.7" not in json.dumps(rows(web_kb, "votes") + rows(web_kb, "reports"))
    other = make_client(web_kb, address="198.51.100.2")
    assert other.post("/api/v1/feedback", json=vote).status_code == 201
    assert len(rows(web_kb, "votes")) == 2


def test_a_platform_is_not_counted_by_its_address(client, web_kb, partner_key):
    """A keyed platform's server passes on many people's votes from one address: they are told apart by ``voter``,
    never held back by the address."""
    vote = {"entry": PUBLIC, "type": "vote", "helpful": False}
    for i in range(3):
        assert client.post("/api/v1/feedback", json=dict(vote, voter=f"user-{i}"),
                           headers=bearer(partner_key)).status_code == 201
    assert client.post("/api/v1/feedback", json=vote).status_code == 201      # a citizen at the same address
    assert len(rows(web_kb, "votes")) == 4


def test_feedback_from_another_site_is_refused(client, web_kb):
    """A page of another site cannot make its visitors' browsers vote or report: a foreign ``Origin`` (or, without
    one, ``Referer``) is refused, a page for the site's form and JSON for the API, and nothing is kept. Posts from the
    site itself, or with neither header (servers, old browsers, privacy settings), are taken."""
    vote = {"entry": PUBLIC, "type": "vote", "helpful": "false"}
    report = {"entry": PUBLIC, "type": "report", "text": "罚款金额写错了，应该是500元"}
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page?x=1"},
                    {"Origin": "null"}, {"Origin": "http://testserver.evil.example"},
                    {"Origin": "https://evil.example", "Referer": f"http://testserver/answers/{PUBLIC}"}):
        said = "从来源不明的页面发来的" if headers.get("Origin") == "null" else "从其他网站（"
        for data in (vote, report):
            page = client.post("/feedback", data=data, headers=headers, follow_redirects=False)
            assert page.status_code == 403 and page.headers["content-type"].startswith("text/html"), headers
            assert said in page.text and "请直接打开本站的答复页" in page.text
            message = error_of(client.post("/api/v1/feedback", json={**data, "helpful": False}, headers=headers),
                               403, "cross_site")
            assert said in message and "页面的页面" not in message
    page = client.post("/feedback", data=vote, headers={"Referer": "https://evil.example/page?x=1"})
    assert "https://evil.example/page" in page.text and "x=1" not in page.text
    assert rows(web_kb, "votes") == [] and rows(web_kb, "reports") == []
    assert client.cookies.get("kb_voter") is None
    same = client.post("/feedback", data=vote, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303
    client.cookies.clear()
    referred = client.post("/feedback", data=report, follow_redirects=False,
                           headers={"Referer": f"http://testserver/answers/{PUBLIC}?q=%E5%B1%85"})
    assert referred.status_code == 303
    assert client.post("/api/v1/feedback", json={**report, "text": "材料变了"}).status_code == 201   # no header
    # Behind a proxy that rewrites Host, the host it was asked for (X-Forwarded-Host) is the site's; so is public_url.
    proxied = client.post("/api/v1/feedback", json={**report, "text": "地址变了"},
                          headers={"Host": "127.0.0.1:8080", "X-Forwarded-Host": "kb.example.gov.cn",
                                   "Origin": "https://kb.example.gov.cn"})
    assert proxied.status_code == 201
    assert len(rows(web_kb, "votes")) == 1 and len(rows(web_kb, "reports")) == 3


def test_the_public_address_setting_is_the_sites_own_origin(web_kb, make_client):
    client = make_client(kb_with(web_kb, public_url="https://12345.example.gov.cn/"))
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": True},
                    headers={"Host": "10.0.0.1:8080", "Origin": "https://12345.example.gov.cn"})
    assert r.status_code == 201


def test_helpful_is_a_json_boolean_and_voter_at_most_100_characters(client, web_kb, partner_key):
    vote = {"entry": PUBLIC, "type": "vote"}
    for value in ("yes", "no", "false", "true"):
        message = error_of(client.post("/api/v1/feedback", json=dict(vote, helpful=value)), 400, "invalid_parameter")
        assert "JSON 布尔值" in message and f"“{value}”" in message
    for value in (0, 1, None, [True]):
        error_of(client.post("/api/v1/feedback", json=dict(vote, helpful=value)), 400, "invalid_parameter")
    for headers in ({}, bearer(partner_key)):
        message = error_of(client.post("/api/v1/feedback", json=dict(vote, helpful=True, voter="u" * 101),
                                       headers=headers), 400, "invalid_parameter")
        assert "100" in message
        error_of(client.get("/api/v1/search", params={"q": "居住证", "voter": "u" * 101}, headers=headers),
                 400, "invalid_parameter")
    assert rows(web_kb, "votes") == []
    assert client.post("/api/v1/feedback", json=dict(vote, helpful=True, voter="u" * 100),
                       headers=bearer(partner_key)).status_code == 201


def test_the_api_description_says_what_an_integrator_trips_over():
    """What a caller needs before finding it out: directory needs an agent key, shared caches may lag 30 s,
    helpful is a boolean, voter at most 100 characters, a foreign origin is refused."""
    search = SPEC["paths"]["/api/v1/search"]["get"]
    kind = next(p for p in search["parameters"] if p["name"] == "kind")
    assert "directory" in kind["schema"]["enum"] and "坐席密钥" in kind["description"]
    cache = search["responses"]["200"]["headers"]["Cache-Control"]["description"]
    assert "max-age=30" in cache and "30 秒" in cache
    feedback = SPEC["paths"]["/api/v1/feedback"]["post"]
    request = SPEC["components"]["schemas"]["FeedbackRequest"]["properties"]
    assert request["helpful"]["type"] == "boolean" and "字符串" in request["helpful"]["description"]
    assert request["voter"]["maxLength"] == 100 and "cross_site" in feedback["responses"]["403"]["description"]


def test_feedback_is_rate_limited(web_kb, make_client, frozen_buckets):
    client = make_client(kb_with(web_kb, web_rate_feedback=1))
    vote = {"entry": PUBLIC, "type": "vote", "helpful": True}
    statuses = []
    for _ in range(12):
        client.cookies.clear()                    # each a new browser session, which may vote once
        statuses.append(client.post("/api/v1/feedback", json=vote).status_code)
    assert statuses[:10] == [201] * 10 and statuses[-1] == 429
    client.cookies.clear()
    r = client.post("/api/v1/feedback", json=vote)
    error_of(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1
    form = client.post("/api/v1/feedback", data={**vote, "helpful": "true"}, follow_redirects=False)
    assert form.headers["location"].endswith("?feedback=limited#feedback")


def test_a_search_refused_whose_words_read_as_an_emergency_still_carries_the_line(web_kb, make_client,
                                                                                  frozen_buckets):
    """A partner's app passing on a long, distressed message, or a burst from one address during an incident:
    the error says what is wrong, and ``emergency`` says what to call."""
    client = make_client(kb_with(web_kb, web_rate_anonymous=1))
    long = "物业费的事想问问，" * 22 + "对了，我妈刚才在厨房倒在地上了，叫不醒。"
    r = client.get("/api/v1/search", params={"q": long})
    assert r.status_code == 400 and r.json()["error"]["code"] == "query_too_long"
    assert r.json()["emergency"]["line"] == "120"
    error_of(client.get("/api/v1/search", params={"q": "居住证" * 100}), 400, "query_too_long")
    statuses = []
    for _ in range(12):
        r = client.get("/api/v1/search", params={"q": "楼下着火了快来人"})
        statuses.append(r.status_code)
    assert 429 in statuses
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert r.json()["emergency"]["line"] == "119"
    error_of(client.get("/api/v1/search", params={"q": "居住证"}), 429, "rate_limited")


# -- health, metrics, OpenAPI -------------------------------------------------------------------------


def test_health(client, web_kb):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"role": "primary", "status": "ok", "commit": web_kb.store.head(),
                        "indexed_commit": web_kb.store.head(), "today": TODAY, "database": {"status": "ok"}}


def test_health_is_503_while_the_index_cannot_serve(client, web_kb, monkeypatch):
    from kb_app.exceptions import KbError

    def broken():
        raise KbError("索引损坏")

    monkeypatch.setattr(web_kb.index, "ensure_current", broken)
    r = client.get("/api/v1/health")
    assert r.status_code == 503 and r.json()["status"] == "unavailable" and r.headers["retry-after"]
    error_of(client.get("/api/v1/search", params={"q": "居住证"}), 503, "unavailable")
    assert client.get("/", params={"q": "居住证"}).status_code == 503


def damage_public_index(kb):
    """Overwrite the tag of every posting list in the public index's segment, as a disk might: the
    index still opens (its directory reads), and a search reading postings fails."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    [segment] = (kb.settings.index_dir / kb.index.read_state()["gen"] / "public").glob("*.seg")
    data = segment.read_bytes()
    assert WHOOSH3_HEADER_MAGIC in data
    with open(segment, "r+b") as fh:  # in place: a worker's open file sees it too
        fh.write(data.replace(WHOOSH3_HEADER_MAGIC, b"\0" * len(WHOOSH3_HEADER_MAGIC)))


def unavailable(response):
    assert response.status_code == 503 and response.headers["retry-after"], response.text
    return response


def test_a_damaged_index_met_at_start_answers_503_until_it_is_rebuilt(web_kb, make_client):
    damage_public_index(web_kb)
    client = make_client(web_kb)                    # warming up meets the damage
    health = unavailable(client.get("/api/v1/health")).json()
    assert health["status"] == "unavailable" and health["error"]["code"] == "unavailable"
    message = error_of(unavailable(client.get("/api/v1/search", params={"q": "12345"})), 503, "unavailable")
    assert message == site_module.UNAVAILABLE
    page = unavailable(client.get("/", params={"q": "12345"}))
    assert page.headers["content-type"].startswith("text/html") and "暂时无法访问" in page.text
    assert site_module.UNAVAILABLE in page.text
    assert "kb_index_up 0" in make_client(web_kb, address="127.0.0.1").get("/metrics").text
    # Rebuilt by another process (kb index --rebuild): the worker opens the new index.
    kb_with(web_kb).reindex(rebuild=True)
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/api/v1/search", params={"q": "12345"}).json()["total"] > 0
    assert client.get("/", params={"q": "12345"}).status_code == 200


def test_a_damaged_index_met_by_a_request_takes_the_node_out(client, web_kb):
    assert client.get("/api/v1/health").status_code == 200
    damage_public_index(web_kb)
    error_of(unavailable(client.get("/api/v1/search", params={"q": "外地人怎么办居住证"})), 503, "unavailable")
    assert unavailable(client.get("/api/v1/health")).json()["status"] == "unavailable"
    assert client.get(f"/answers/{PUBLIC}").status_code == 200    # what needs no search is still served
    web_kb.reindex(rebuild=True)
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/search", params={"q": "外地人怎么办居住证"}).json()["hits"][0]["id"] == PUBLIC


def public_segment(kb):
    [segment] = (kb.settings.index_dir / kb.index.read_state()["gen"] / "public").glob("*.seg")
    return segment


def test_every_worker_says_a_damaged_index_cannot_serve_before_a_search_reads_it(web_kb, make_client):
    """Each worker of kb web has the index open: one that had not yet read the damaged file said 200
    while another said 503, and a load balancer's verdict on the node flapped between them."""
    workers = [make_client(kb_with(web_kb)) for _ in range(2)]
    assert [w.get("/api/v1/health").status_code for w in workers] == [200, 200]
    os.truncate(public_segment(web_kb), 1000)       # cut short, as a full disk or a bad copy leaves it
    for worker in workers:
        assert unavailable(worker.get("/api/v1/health")).json()["status"] == "unavailable"
    kb_with(web_kb).reindex(rebuild=True)
    assert [w.get("/api/v1/health").status_code for w in workers] == [200, 200]
    for worker in workers:
        assert worker.get("/api/v1/search", params={"q": "外地人怎么办居住证"}).json()["hits"][0]["id"] == PUBLIC


def test_a_damaged_index_is_said_once_in_the_log_not_at_every_health_check(client, web_kb, caplog):
    """A load balancer asks every few seconds: the log says the node is out once, and again when it changes."""
    os.truncate(public_segment(web_kb), 1000)
    with caplog.at_level("WARNING", logger="kb_app.web.site"):
        for _ in range(3):
            unavailable(client.get("/api/v1/health"))
    told = [r.getMessage() for r in caplog.records if r.name == "kb_app.web.site"]
    assert len(told) == 1 and told[0].startswith("检索索引暂时无法提供服务，/api/v1/health 答复 503：")


def test_damage_one_worker_meets_searching_takes_the_node_out_in_every_worker(web_kb, make_client):
    first, second = (make_client(kb_with(web_kb)) for _ in range(2))
    assert first.get("/api/v1/health").status_code == second.get("/api/v1/health").status_code == 200
    damage_public_index(web_kb)                     # the files still open: only reading postings fails
    error_of(unavailable(first.get("/api/v1/search", params={"q": "外地人怎么办居住证"})), 503, "unavailable")
    assert unavailable(second.get("/api/v1/health")).json()["status"] == "unavailable"
    kb_with(web_kb).reindex(rebuild=True)
    assert first.get("/api/v1/health").status_code == second.get("/api/v1/health").status_code == 200


def test_the_health_check_opens_the_index_afresh_only_when_its_files_change(client, web_kb, monkeypatch):
    from kb_app.search import index as index_module

    opened = []
    open_index = index_module.open_index
    monkeypatch.setattr(index_module, "open_index", lambda path: opened.append(path) or open_index(path))
    for _ in range(3):
        assert client.get("/api/v1/health").status_code == 200
    assert len(opened) == 2                         # the public and the agent index, once
    os.utime(public_segment(web_kb), ns=(1, 1))     # another time on a file: opened again
    assert client.get("/api/v1/health").status_code == 200
    assert len(opened) == 4


def test_health_refuses_a_bad_key_like_every_endpoint(client, web_kb):
    key = web_kb.api_keys.add("portal", "partner")
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/health", headers=bearer(key)).status_code == 200
    for header in ("Bearer kb_not-a-real-key-000000000000000000000000", "Basic dXNlcjpwYXNz"):
        r = client.get("/api/v1/health", headers={"Authorization": header})
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    web_kb.api_keys.revoke("portal")
    site(client).kb.api_keys._seen.clear()
    error_of(client.get("/api/v1/health", headers=bearer(key)), 401, "invalid_key")


@pytest.fixture
def monitoring(web_kb, make_client):
    """A client on this machine, where the monitoring system reads the metrics."""
    return make_client(web_kb, address="127.0.0.1")


def test_metrics_are_for_the_monitoring_systems_addresses_only(web_kb, make_client):
    for address in ("127.0.0.1", "10.2.3.4", "192.168.1.20", "::1"):
        assert make_client(web_kb, address=address).get("/metrics").status_code == 200, address
    for address in ("203.0.113.9", "8.8.8.8", "testclient"):
        error_of(make_client(web_kb, address=address).get("/metrics"), 404, "not_found")
    assert make_client(kb_with(web_kb, metrics_from="*"), address="203.0.113.9").get("/metrics").status_code == 200
    assert make_client(kb_with(web_kb, metrics_from="203.0.113.0/24"),
                       address="203.0.113.9").get("/metrics").status_code == 200
    with pytest.raises(ConfigError, match="metrics_from 中的“内网”不是网络地址"):
        make_client(kb_with(web_kb, metrics_from="10.0.0.0/8,内网"))


def test_metrics(monitoring):
    client = monitoring
    client.get("/api/v1/search", params={"q": "居住证"})
    client.get("/api/v1/search", params={"q": "居住证"})
    client.get("/api/v1/entries/nope")
    text = client.get("/metrics").text
    assert 'kb_http_requests_total{route="/api/v1/search",method="GET",status="200"} 2' in text
    assert 'kb_http_requests_total{route="/api/v1/entries/{entry_id}",method="GET",status="404"} 1' in text
    assert 'kb_http_request_duration_seconds_bucket{route="/api/v1/search",le="+Inf"} 2' in text
    assert 'kb_cache_requests_total{cache="api-search-public",result="hit"} 1' in text
    assert 'kb_cache_requests_total{cache="api-search-public",result="miss"} 1' in text
    assert "kb_index_commit_age_seconds " in text and "kb_index_up 1" in text


def test_metrics_add_up_the_workers(monitoring, web_kb):
    client = monitoring
    other = site(client).metrics.__class__(site(client).metrics.dir)
    other.pid = 1  # the init process: always alive, never this worker
    other.observe("/api/v1/search", "GET", 200, 0.004)
    other.dump()
    client.get("/api/v1/search", params={"q": "居住证"})
    text = client.get("/metrics").text
    assert 'kb_http_requests_total{route="/api/v1/search",method="GET",status="200"} 2' in text
    (site(client).metrics.dir / "1.json").unlink()


def test_openapi_documents_every_api_route(client):
    """The description covers every route; what is served leaves out the internal ones (the replicas' signed
    hooks, the monitoring endpoint), which partners do not call and docs/deploy.md describes."""
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.json() == json.loads(json.dumps(PUBLIC_SPEC))
    assert not [p for p in r.json()["paths"] if p.startswith("/api/v1/hooks") or p == "/metrics"]
    assert "/api/v1/search" in r.json()["paths"] and "/api/v1/dispatch" in r.json()["paths"]
    assert SPEC["openapi"].startswith("3.1")
    served = {route.path.replace("{entry_id}", "{id}") for route in ROUTES
              if route.path.startswith("/api") or route.path == "/metrics"}
    assert served == set(SPEC["paths"])
    for path, methods in SPEC["paths"].items():
        route = next(r for r in ROUTES if r.path.replace("{entry_id}", "{id}") == path)
        assert {m.upper() for m in methods} <= route.methods


def test_openapi_has_an_etag_and_answers_a_conditional_get(client):
    r = client.get("/api/openapi.json")
    etag = r.headers["etag"]
    assert etag.startswith('"') and "ETag" in r.headers["access-control-expose-headers"]
    again = client.get("/api/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/api/openapi.json", headers={"If-None-Match": '"other"'}).status_code == 200
    assert "304" in r.json()["paths"]["/api/openapi.json"]["get"]["responses"]


def test_unknown_paths_and_methods(client):
    error_of(client.get("/api/v2/search"), 404, "not_found")
    error_of(client.delete("/api/v1/search"), 405, "method_not_allowed")


# -- caching ------------------------------------------------------------------------------------------


def test_etag_and_conditional_get(client):
    r = client.get("/api/v1/search", params={"q": "居住证"})
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, max-age=30" and r.headers["vary"] == "Authorization"
    again = client.get("/api/v1/search", params={"q": "居住证"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/api/v1/search", params={"q": "居住证"},
                      headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/api/v1/search", params={"q": "居住证", "limit": 5}).headers["etag"] != etag
    page = client.get(f"/answers/{PUBLIC}")
    assert client.get(f"/answers/{PUBLIC}",
                      headers={"If-None-Match": page.headers["etag"]}).status_code == 304


def test_etag_changes_with_the_day(web_kb, make_client):
    today = make_client(web_kb).get("/api/v1/entries/" + PUBLIC).headers["etag"]
    later = make_client(kb_with(web_kb, today="2026-11-23"))
    tomorrow = later.get("/api/v1/entries/" + PUBLIC).headers["etag"]
    assert today != tomorrow


def test_a_change_on_main_is_served_at_once(client, web_kb):
    before = client.get(f"/api/v1/entries/{PUBLIC}")
    path = web_kb.settings.root / "entries/policy/city-public-security/residence-permit-apply.md"
    meta, body, _ = frontmatter.parse(path.read_text(encoding="utf-8"))
    meta["title"] = "居住证怎样申领（新版）"
    path.write_text(frontmatter.dump(meta, body), encoding="utf-8")
    new_commit = commit_all(web_kb.settings.root, "retitle")
    after = client.get(f"/api/v1/entries/{PUBLIC}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["title"] == "居住证怎样申领（新版）"
    assert after.json()["commit"] == new_commit and after.headers["etag"] != before.headers["etag"]
    hits = client.get("/api/v1/search", params={"q": "居住证怎样申领新版"}).json()["hits"]
    assert hits[0]["title"] == "居住证怎样申领（新版）"


# -- statistics ---------------------------------------------------------------------------------------


def test_a_citizen_repeating_a_search_or_an_open_is_logged_once(client, web_kb, partner_key):
    """A reload, the back button or a search pressed twice is one search of one citizen (the statistics
    and the missing answers count people asking, not pages served); after REPEAT_SECONDS it counts again.
    So is the keyless API's same question from one address (a script polling it would make it the most
    asked), and a key's: a monitor or cache warmer is no hot issue. A platform that names its users (voter)
    has each of them counted, since a key serves many people."""
    now = [1000.0]
    events = site(client).events
    events.clock = lambda: now[0]
    for _ in range(3):
        client.get("/", params={"q": "护照怎么办理"})
        client.get(f"/answers/{PUBLIC}", params={"q": "居住证"})
    client.get("/", params={"q": "护照怎么办理", "topic": "户籍"})       # the same question, narrowed
    client.get("/", params={"q": "暖气不热"})
    client.get("/api/v1/search", params={"q": "护照怎么办理"})
    client.get("/api/v1/search", params={"q": "护照怎么办理"})
    for _ in range(2):
        client.get("/api/v1/search", params={"q": "社保卡补办"}, headers=bearer(partner_key))
        client.get(f"/api/v1/entries/{PUBLIC}", params={"q": "社保卡补办"}, headers=bearer(partner_key))
    for user in ("user-1", "user-2", "user-1"):
        client.get("/api/v1/search", params={"q": "社保卡补办", "voter": user}, headers=bearer(partner_key))
    now[0] += site_module.REPEAT_SECONDS + 1
    client.get("/", params={"q": "护照怎么办理"})
    client.get(f"/answers/{PUBLIC}", params={"q": "居住证"})
    events.flush()
    logged = rows(web_kb, "search_log")
    searched = [r["query"] for r in logged if r["hits"] is not None]
    assert searched.count("护照怎么办理") == 2 + 1 and searched.count("暖气不热") == 1    # pages, and the API once
    assert searched.count("社保卡补办") == 1 + 2                    # the key once, and each user it names
    assert [r["query"] for r in logged if r["opened"] == PUBLIC] == ["居住证", "社保卡补办", "居住证"]
    assert all(r["asker"] is None for r in logged if r["hits"] is not None and r["query"] != "社保卡补办")


def test_repeats_are_told_apart_by_address_and_by_what_was_asked():
    from kb_app.web.site import EventLog

    stored = []
    log = EventLog(stored.extend, clock=lambda: 0.0)
    search = {"type": "search", "at": "2026-11-30T09:00:00", "query": "居住证", "hits": 3, "audience": "public"}
    for who in ("10.0.0.1", "10.0.0.1", "10.0.0.2", None, None):
        log.add(dict(search), who)
    log.add({**search, "query": "暖气不热"}, "10.0.0.1")
    log.add({"type": "open", "at": search["at"], "entry": "x", "query": "居住证", "audience": "public"}, "10.0.0.1")
    log.flush()
    assert [(e["type"], e["query"]) for e in stored] == [("search", "居住证")] * 4 + [("search", "暖气不热"),
                                                                                  ("open", "居住证")]


def test_a_log_that_cannot_be_written_is_said_once_and_kept_until_it_can(caplog):
    """A replica whose primary is down retries every second: the log says so once, without a traceback,
    and once more when the events are written."""
    from kb_app.web.site import EventLog

    down, stored = [True], []

    def sink(events):
        if down[0]:
            raise ConnectionRefusedError("连接被拒绝")
        stored.extend(events)

    log = EventLog(sink)
    log.add({"type": "search", "query": "居住证", "hits": 3})
    with caplog.at_level("WARNING", logger="kb_app.web.site"):
        assert [log.flush() for _ in range(5)] == [0] * 5
        down[0] = False
        assert log.flush() == 1
    assert [r.getMessage()[:11] for r in caplog.records] == ["检索日志暂时无法写入（", "检索日志恢复写入：1 "]
    assert not any(r.exc_info for r in caplog.records) and [e["query"] for e in stored] == ["居住证"]


def test_searches_and_opens_are_logged_masked_without_address(client, web_kb):
    client.get("/api/v1/search", params={"q": "我的手机13812345678 居住证"})
    client.get("/api/v1/search", params={"q": "我的手机13812345678 居住证"})
    client.get("/api/v1/search", params={"q": "居住证", "offset": 10})
    client.get("/", params={"q": "暖气不热"})
    client.get("/", params={"q": "暖气不热", "page": 2})
    client.get(f"/answers/{PUBLIC}")
    client.head("/api/v1/search", params={"q": "链接检查"})              # a link checker or a monitor
    client.head("/", params={"q": "链接检查"})
    client.head(f"/answers/{PUBLIC}")
    site(client).events.flush()
    logged = rows(web_kb, "search_log")
    searches = [r for r in logged if r["query"]]
    assert [r["query"] for r in searches] == ["我的手机[手机号] 居住证", "暖气不热"]   # the repeat from one address once
    assert all(r["audience"] == "public" and r["role"] == "public" and r["username"] is None for r in logged)
    assert searches[0]["hits"] >= 1
    opened = [r for r in logged if r["opened"]]
    assert [(r["opened"], r["unit"]) for r in opened] == [(PUBLIC, "city-public-security")]
    columns = set(web_kb.db()["search_log"].columns_dict)
    assert not {"address", "ip", "client"} & columns
    assert all(r["asker"] is None for r in logged)  # a key's or a platform user's digest, never an address
    assert web_kb.stats is not None


def test_an_answer_opened_from_the_results_counts_as_a_success_of_its_query(web_kb, make_client):
    """The site logs a search and the answer opened from it apart; the open carries the query (masked),
    is no search itself, and a query whose answers are opened is not a missing answer."""
    from kb_app.usage import suggest

    for n in range(3):                                  # three citizens
        client = make_client(web_kb, address=f"10.0.0.{n + 1}")
        client.get("/", params={"q": "居住证到期了 电话13812345678"})
        client.get(f"/answers/{PUBLIC}", params={"q": "居住证到期了 电话13812345678"})
        client.get("/", params={"q": "外地人怎么办居住证"})
        site(client).events.flush()
    opened = [r for r in rows(web_kb, "search_log") if r["opened"]]
    assert [(r["opened"], r["query"], r["hits"]) for r in opened] == [(PUBLIC, "居住证到期了 电话[手机号]", None)] * 3
    top = {r["query"]: (r["searches"], r["opened"]) for r in web_kb.stats.top_queries()}
    assert top == {"居住证到期了 电话[手机号]": (3, 3), "外地人怎么办居住证": (3, 0)}
    missing = {g["query"]: g for g in suggest.missing_answers(web_kb)}
    assert list(missing) == ["外地人怎么办居住证"] and missing["外地人怎么办居住证"]["success_rate"] == 0


def test_answers_opened_from_the_public_sites_and_the_apis_results_count_under_their_searches(web_kb, make_client):
    """A citizen's search and the answer opened from its results, on the site and through the API (which
    passes the question as ``q``), are rows of their own: hot issues count each search under the answer
    opened from it, in the topic's 涉及事项 and in 按事项."""
    for n in range(4):
        client = make_client(web_kb, address=f"10.0.1.{n + 1}")
        client.get("/", params={"q": "社保卡丢了怎么补办"})
        client.get("/answers/sscard-reissue", params={"q": "社保卡丢了怎么补办"})
        site(client).events.flush()
    portal = make_client(web_kb)
    portal.get("/api/v1/search", params={"q": "社保卡丢了怎么补办"})
    assert portal.get("/api/v1/entries/sscard-reissue", params={"q": "社保卡丢了怎么补办"}).status_code == 200
    site(portal).events.flush()
    opened = [r for r in rows(web_kb, "search_log") if r["opened"]]
    assert [(r["query"], r["hits"]) for r in opened] == [("社保卡丢了怎么补办", None)] * 5
    r = web_kb.hot.report()
    (topic,) = r.topics
    assert topic["current"] == 5 and [(e["entry"], e["requests"]) for e in topic["entries"]] == [("sscard-reissue", 5)]
    assert [(row["entry"], row["current"]) for row in r.by_entry] == [("sscard-reissue", 5)]


def test_a_portals_page_may_read_the_public_api_from_the_browser_and_nothing_else(client, agent_key):
    """CORS for the anonymous reads (any origin, no credentials, no header of the page's own, so never
    an API key from a browser); dispatch, feedback and the site's pages stay same-origin."""
    origin = {"Origin": "https://portal.example.gov.cn"}
    for path in ("/api/v1/search?q=居住证", "/api/v1/entries/residence-permit-apply", "/api/v1/health",
                 "/api/v1/articles/beijing-2021/11", "/api/openapi.json"):
        r = client.get(path, headers=origin)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*", path
        assert r.headers["access-control-expose-headers"] == "ETag, X-Kb-Commit, Retry-After"
        assert "access-control-allow-credentials" not in r.headers
    pre = client.options("/api/v1/search?q=x", headers={**origin, "Access-Control-Request-Method": "GET",
                                                        "Access-Control-Request-Headers": "authorization"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "access-control-allow-headers" not in pre.headers          # an Authorization header is not allowed
    for r in (client.post("/api/v1/dispatch", json={"text": "停水"}, headers={**origin, **bearer(agent_key)}),
              client.get("/", params={"q": "居住证"}, headers=origin)):
        assert "access-control-allow-origin" not in r.headers
    assert client.options("/api/v1/dispatch", headers=origin).status_code == 405


def test_the_api_docs_say_keys_are_for_servers_as_the_preflight_does(client):
    """Partners' keys are server-side secrets and agent keys never reach a browser: the description
    (/api/openapi.json and /api/docs) says so, and a preflight asking to send Authorization from a page
    of another site, on any path open to browsers, is not allowed to."""
    from kb_app.web.app import CORS_PATHS
    from kb_app.web.openapi import BROWSER_CALLS, KEYS_SERVER_SIDE

    spec = client.get("/api/openapi.json").json()
    assert KEYS_SERVER_SIDE in spec["info"]["description"] and BROWSER_CALLS in spec["info"]["description"]
    assert KEYS_SERVER_SIDE in spec["components"]["securitySchemes"]["bearer"]["description"]
    docs = client.get("/api/docs").text
    assert KEYS_SERVER_SIDE in docs and BROWSER_CALLS in docs
    asking = {"Origin": "https://portal.example.gov.cn", "Access-Control-Request-Method": "GET",
              "Access-Control-Request-Headers": "Authorization"}
    for path in CORS_PATHS:
        pre = client.options(path + ("x" if path.endswith("/") else ""), headers=asking)
        assert pre.status_code == 204 and pre.headers["access-control-allow-methods"] == "GET, HEAD", path
        assert "access-control-allow-headers" not in pre.headers, path


def test_an_unknown_unit_or_region_is_refused_not_read_as_no_result_or_the_whole_city(client):
    message = error_of(client.get("/api/v1/search", params={"q": "居住证", "region": "火星区"}), 400, "invalid_parameter")
    assert message.startswith("参数 region 无效：没有“火星区”这个区域：可用 ") and "东湖区" in message
    message = error_of(client.get("/api/v1/search", params={"q": "居住证", "unit": "nope"}), 400, "invalid_parameter")
    assert "没有编号为“nope”的承办单位" in message
    for params in ({"region": "东湖区"}, {"region": "全市"}, {"unit": "city-hrss"}):
        assert client.get("/api/v1/search", params={"q": "居住证", **params}).status_code == 200, params


def test_an_unknown_category_is_refused_as_an_unknown_unit_is(client, agent_key):
    """A mistyped topic would read as no answer on it; the public is told of the topics of public
    answers only (a category of internal entries and of the dispatch catalogue is the agents')."""
    message = error_of(client.get("/api/v1/search", params={"q": "居住证", "category": "户藉"}), 400,
                       "invalid_parameter")
    assert message.startswith("参数 category 无效：没有“户藉”这个主题：") and "category 字段" in message
    for category in ("户籍", "其他"):
        assert client.get("/api/v1/search", params={"q": "居住证", "category": category}).status_code == 200
    assert client.get("/api/v1/search", params={"q": "居住证", "category": "户籍"}).json()["hits"]
    error_of(client.get("/api/v1/search", params={"q": "供暖", "category": "坐席口径"}), 400, "invalid_parameter")
    agent = client.get("/api/v1/search", params={"q": "供暖", "category": "坐席口径", "audience": "agent"},
                       headers=bearer(agent_key))
    assert agent.status_code == 200 and agent.json()["hits"]
    # The pages keep their own way: the search runs over all topics and says so.
    assert client.get("/", params={"q": "居住证", "topic": "户藉"}).status_code == 200


def test_an_unknown_unit_is_told_where_the_api_gives_unit_ids_not_a_file_of_the_repository(client):
    """A partner system cannot open units.yaml: the message points at the unit field of the API's own results,
    whose ids the filter takes."""
    message = error_of(client.get("/api/v1/search", params={"q": "居住证", "unit": "foo"}), 400, "invalid_parameter")
    assert "units.yaml" not in message and "regulations/" not in message
    assert "unit 字段" in message
    unit = client.get("/api/v1/search", params={"q": "居住证"}).json()["hits"][0]["unit"]
    assert client.get("/api/v1/search", params={"q": "居住证", "unit": unit}).json()["hits"]


def test_the_description_is_also_a_page_for_people(client):
    """/api/docs: every operation of the OpenAPI description with its parameters, body and responses,
    and every structure, in the site's look; the API's 404 points there."""
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    text = r.text
    for path, methods in PUBLIC_SPEC["paths"].items():
        for method in methods:
            assert f"<code>{method.upper()} {path}</code>" in text, path
    assert "/api/v1/hooks" not in text and "/metrics" not in text
    for name in SPEC["components"]["schemas"]:
        assert f'id="schema-{name}"' in text
    assert "<code>not_emergency</code>" in text and '<a href="#schema-DispatchRequest">' in text
    assert "需要密钥（Authorization: Bearer &lt;密钥&gt;）" in text and "Content-Security-Policy".lower() in r.headers
    message = error_of(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert message == "没有这个接口：请检查地址，全部接口见 /api/docs。"
    assert error_of(client.get("/api"), 404, "not_found") == message
    assert "回到首页" in client.get("/nothing-here").text                     # the site's own words stay


def test_a_trailing_slash_goes_to_the_address_without_it_whatever_host_is_claimed(client):
    for path, target in (("/api/v1/health/", "/api/v1/health"), ("/browse/", "/browse"),
                         ("/api/v1/search/?q=居住证", "/api/v1/search?q=%E5%B1%85%E4%BD%8F%E8%AF%81")):
        r = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == target, (path, r.headers.get("location"))
    assert client.get("/api/v1/health/").status_code == 200                   # followed, it answers
    r = client.post("/api/v1/feedback/", json={}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/api/v1/feedback"
