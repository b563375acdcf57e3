"""AppTest of the public pages: the search landing page, the answer page and the article page."""

import re

import pytest

from .conftest import commit_all
from .ui_helpers import links, open_page, page_text, rows

NOT_FOUND = "未找到该答复：它可能已下线、尚未生效或编号有误。请返回查询页重新搜索。"


# -- the landing page ------------------------------------------------------------------------


def test_landing_page_needs_no_login(app_env):
    at = open_page()
    assert at.title[0].value == "12345 政策问答自助查询"
    assert at.text_input(key="q").label == "您想问什么？"
    assert at.info[0].value == "在上面输入问题，按回车查询。也可以先选择主题缩小范围。"


def test_query_from_the_address(app_env):
    at = open_page(q="外地人怎么办居住证")
    assert at.text_input(key="q").value == "外地人怎么办居住证"
    assert ("居住证如何申领", "answer", "id=residence-permit-apply") in links(at)


def test_colloquial_query_finds_the_answer_with_highlight_and_unit(app_env):
    at = open_page()
    at.text_input(key="q").input("外地人怎么办居住证").run()
    assert not at.exception
    found = links(at)
    assert found[0] == ("居住证如何申领", "answer", "id=residence-permit-apply")
    snippets = [m.value for m in at.markdown if "<mark>" in m.value]
    assert snippets and "<mark>居住证</mark>" in snippets[0]
    assert at.caption[1].value.startswith("找到 ") and at.caption[1].value.endswith(" 条相关结果")
    assert at.caption[2].value == "答复单位：示例市公安局 · 户籍 · 居住证"


def test_search_is_logged_once_and_anonymously(app_env):
    at = open_page()
    at.text_input(key="q").input("低保 13812345678").run()
    at.run()  # a rerun is not a new search
    logged = rows(app_env, "search_log")
    assert len(logged) == 1
    assert logged[0]["query"] == "低保 [手机号]"
    assert (logged[0]["audience"], logged[0]["role"], logged[0]["username"]) == ("public", "public", None)
    assert logged[0]["hits"] > 0


def test_topic_filter_narrows_results(app_env):
    at = open_page()
    assert "民政" in at.selectbox(key="topic").options
    at.text_input(key="q").input("申请").run()
    everything = {q for _l, _p, q in links(at)}
    at.selectbox(key="topic").select("民政").run()
    assert not at.exception
    filtered = [q.removeprefix("id=") for _l, p, q in links(at) if p == "answer"]
    snap = app_env.snapshot()
    assert filtered and all("民政" in snap.entries[i].category for i in filtered)
    assert {f"id={i}" for i in filtered} != everything


def test_public_results_hold_no_internal_or_out_of_force_entries(app_env):
    at = open_page()
    snap, day = app_env.snapshot(), app_env.today()
    for query in ("供暖高峰期", "最低工资", "低保标准", "燃气泄漏", "派单异议"):
        at.text_input(key="q").input(query).run()
        for _label, page, q in links(at):
            if page == "answer":
                assert snap.entries[q.removeprefix("id=")].is_public_on(day), (query, q)
        assert "内部提示" not in page_text(at)


def test_zero_result_query(app_env):
    at = open_page()
    at.text_input(key="q").input("qqqzzzxxx").run()
    assert at.warning[0].value == "没有找到相关答复。请换个说法再试（比如用更简短的词），或拨打 12345 热线咨询。"
    assert rows(app_env, "search_log")[0]["hits"] == 0


def test_hostile_query_does_not_break_the_page(app_env):
    at = open_page()
    at.text_input(key="q").input('"<script>alert(1)</script> AND OR (( [x](javascript:1) *:* $$').run()
    assert not at.exception and not at.error
    assert "<script>" not in page_text(at)


def test_more_results(app_env):
    at = open_page()
    at.text_input(key="q").input("办理").run()
    first = len([p for p in links(at) if p[1] in ("answer", "article")])
    assert first == 10
    at.button(key="more").click().run()
    assert len([p for p in links(at) if p[1] in ("answer", "article")]) == 20


# -- the answer page -------------------------------------------------------------------------


def test_answer_page_shows_body_basis_and_checked_date(app_env):
    at = open_page("app_pages/answer.py", id="hotline-not-accepted")
    entry = app_env.entry("hotline-not-accepted")
    assert at.title[0].value == entry.title
    assert "<p>" in at.get("html")[0].proto.body
    assert ("北京市接诉即办工作条例 第十一条", "article", "id=beijing-2021/11") in links(at)
    checked = app_env.store.history(entry.path)[0].date
    assert f"最近核对：{checked:%Y年%m月%d日}" in [c.value for c in at.caption]
    assert at.button(key="vote_yes") and at.button(key="vote_no")


def test_answer_page_lists_documents_as_text_and_hides_agent_notes(app_env):
    at = open_page("app_pages/answer.py", id="dibao-apply")
    text = page_text(at)
    assert "- 示民发〔2025〕30号" in text and "- 《社会救助暂行办法》" in text
    assert "内部提示" not in text and "急难" not in text


@pytest.mark.parametrize("entry_id", ["heating-peak-season-internal", "minimum-wage-2027", "dibao-standard-2025",
                                      "elevator-trapped", "no-such-entry", ""])
def test_answer_page_hides_what_the_public_may_not_see(app_env, entry_id):
    at = open_page("app_pages/answer.py", id=entry_id)
    assert [e.value for e in at.error] == [NOT_FOUND]
    assert not at.title and not at.get("html")
    assert ("返回查询", "", "") in links(at)  # the landing page is the root
    assert not rows(app_env, "search_log")


def test_vote_is_recorded_once(app_env):
    at = open_page("app_pages/answer.py", id="residence-permit-apply")
    at.button(key="vote_no").click().run()
    assert not at.exception
    assert at.success[0].value == "感谢您的反馈！"
    with pytest.raises(KeyError):
        at.button(key="vote_no")
    votes = rows(app_env, "votes")
    assert [(v["entry"], v["helpful"], v["audience"], v["username"]) for v in votes] == \
        [("residence-permit-apply", 0, "public", None)]
    opened = rows(app_env, "search_log")
    assert [(r["opened"], r["audience"]) for r in opened] == [("residence-permit-apply", "public")]


def test_error_report_is_masked_and_becomes_a_task(app_env):
    at = open_page("app_pages/answer.py", id="residence-permit-apply")
    at.text_area(key="report_text").input("照片要求变了，请打我电话 13812345678 核实")
    with pytest.raises(KeyError):
        at.text_input(key="report_contact")              # no contact is asked for (README, privacy)
    at.button(key="report_submit").click().run()
    assert not at.exception
    assert at.success[0].value == "已收到您的报告，承办单位会尽快核实更正。谢谢！"
    [report] = rows(app_env, "reports")
    assert report["text"] == "照片要求变了，请打我电话 [手机号] 核实"
    assert (report["contact"], report["unit"], report["audience"], report["username"]) == \
        (None, "city-public-security", "public", None)
    [task] = rows(app_env, "tasks")
    assert (task["unit"], task["kind"], task["entry"]) == ("city-public-security", "report", "residence-permit-apply")


def test_empty_error_report_is_refused(app_env):
    at = open_page("app_pages/answer.py", id="residence-permit-apply")
    at.button(key="report_submit").click().run()
    assert [e.value for e in at.error] == ["纠错内容不能为空：请写明哪里有误、正确的应当是什么。"]
    assert not rows(app_env, "reports")


HOSTILE = """---
id: hostile-answer
kind: policy
title: 含有危险标记的答复
unit: city-civil-affairs
audience: public
category: [民政]
regions: [全市]
keywords: [测试]
basis:
  - {regulation: beijing-2021, article: 31}
---
正文开始。

<script>alert('script')</script>
<img src="x" onerror="alert('img')">
[点这里](javascript:alert('link'))
<div style="position:fixed;inset:0" onclick="alert('div')">原始 HTML <b>粗体</b></div>
<iframe src="https://evil.example/"></iframe>
<form action="https://evil.example/"><input name="pw"></form>

正文结束。
"""


def test_hostile_answer_is_rendered_harmless(app_env, sample_root):
    (sample_root / "entries/policy/city-civil-affairs/hostile-answer.md").write_text(HOSTILE, encoding="utf-8")
    commit_all(sample_root, "hostile")
    at = open_page("app_pages/answer.py", id="hostile-answer")
    assert at.title[0].value == "含有危险标记的答复"
    body = at.get("html")[0].proto.body
    assert "正文开始" in body and "正文结束" in body and "原始 HTML <b>粗体</b>" in body
    active = re.compile(r"<script|<img|<iframe|<form|<input|\son\w+\s*=|javascript:|style=|alert", re.I)
    assert active.search(body) is None
    assert active.search(page_text(at)) is None


# -- the article page -----------------------------------------------------------------------


def test_article_page_shows_text_neighbours_and_public_citing_answers(app_env):
    at = open_page("app_pages/article.py", id="beijing-2021/11")
    assert at.title[0].value == "北京市接诉即办工作条例 第十一条"
    article = app_env.snapshot().article("beijing-2021", 11)
    assert article.text.splitlines()[0][:20] in at.get("html")[0].proto.body
    found = links(at)
    assert ("上一条：第十条", "article", "id=beijing-2021/10") in found
    assert ("下一条：第十二条", "article", "id=beijing-2021/12") in found
    answers = {q for _l, p, q in found if p == "answer"}
    assert "id=hotline-not-accepted" in answers
    assert "id=elevator-trapped" not in answers  # an internal directory entry
    assert at.subheader[0].value == "引用本条的答复"


def test_unknown_article(app_env):
    at = open_page("app_pages/article.py", id="beijing-2021/999")
    assert [e.value for e in at.error] == ["未找到该条文：请检查地址中的编号（例如 beijing-2021/11），或返回查询页搜索。"]


def test_article_hit_links_to_the_article_page(app_env):
    at = open_page()
    at.text_input(key="q").input("接诉即办条例 第十一条 派单").run()
    assert any(p == "article" and q.startswith("id=beijing-2021/") for _l, p, q in links(at))


def test_staff_vote_once_per_sign_in_session(app_env):
    """Two tabs of one signed-in browser share the session: the second vote is refused, and says so."""
    staff = app_env.users.add("hrss-editor", "李编辑", "pw-correct-horse-1", "unit_editor", "city-hrss")
    token = app_env.sessions.start(staff)
    first = open_page("app_pages/answer.py", session_token=token, id="residence-permit-apply")
    first.button(key="vote_yes").click().run()
    assert first.success[0].value == "感谢您的反馈！"
    second = open_page("app_pages/answer.py", session_token=token, id="residence-permit-apply")
    second.button(key="vote_no").click().run()
    assert second.success[0].value == "您已经评价过这条答复，每次访问只计一次。谢谢！"
    assert [(v["entry"], v["helpful"]) for v in rows(app_env, "votes")] == [("residence-permit-apply", 1)]
    other = open_page("app_pages/answer.py", session_token=app_env.sessions.start(staff),
                      id="residence-permit-apply")
    other.button(key="vote_no").click().run()                # a new sign-in is a new session
    assert len(rows(app_env, "votes")) == 2
