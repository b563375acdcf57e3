"""Markdown made safe to show, plain text to copy, and what a reader may open."""

import datetime as dt
import html
import re

import pytest
from hypothesis import example, given, settings, strategies as st

from kb_app import render
from kb_app.exceptions import EntryNotFound
from kb_app.search import analysis

from .conftest import commit_all

HOSTILE = """# 标题

<script>alert('s')</script>
<img src=x onerror="alert('i')">
[点我](javascript:alert(1)) [也点我](JaVaScRiPt:alert(2)) [数据](data:text/html;base64,PHNjcmlwdD4=)
<a href="javascript:alert('a')" onclick="alert('c')">原始链接</a>
<div style="position:fixed;top:0" onmouseover="alert('m')">原始 <b>HTML</b></div>
<iframe src="https://evil.example/"></iframe><svg onload="alert('v')"><circle r="1"/></svg>
<form action="https://evil.example/"><input name="p" value="x"><button>提交</button></form>
<style>body{display:none}</style>
[正常链接](https://www.beijing.gov.cn/) [邮件](mailto:a@example.cn) [条文](article?id=beijing-2021/11)
"""

ACTIVE = re.compile(r"<script|<style|<iframe|<svg|<form|<input|<button|<img|\son\w+\s*=|javascript:|data:|style=",
                    re.IGNORECASE)


def test_hostile_markdown_is_rendered_harmless():
    html = render.to_html(HOSTILE)
    assert ACTIVE.search(html) is None
    assert "alert" not in html and "evil" not in html
    assert '<a href="https://www.beijing.gov.cn/" rel="noopener noreferrer nofollow">正常链接</a>' in html
    assert '<a href="mailto:a@example.cn" rel="noopener noreferrer nofollow">邮件</a>' in html
    assert '<a href="article?id=beijing-2021/11" rel="noopener noreferrer nofollow">条文</a>' in html
    # The text of dropped links and allowed inline markup stays readable.
    assert '<a rel="noopener noreferrer nofollow">点我</a>' in html
    assert "原始 <b>HTML</b>" in html
    assert "<h1>标题</h1>" in html


def test_markdown_features_survive_sanitising():
    html = render.to_html("**粗体** *斜体*\n\n1. 一\n2. 二\n\n| 项 | 值 |\n|---|---|\n| 标准 | 1395元 |\n\n> 引用\n")
    for fragment in ("<strong>粗体</strong>", "<em>斜体</em>", "<ol>\n<li>一</li>", "<th>项</th>",
                     "<td>1395元</td>", "<blockquote>"):
        assert fragment in html


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("<>\"'=/ :;()[]!`*_-\n") + ["script", "onerror", "javascript", "img",
                                                                  "a href", "iframe", "style", "svg", "onload",
                                                                  "src", "x", "警告"]),
                max_size=40).map("".join))
def test_no_markup_soup_produces_active_content(text):
    html = render.to_html(text)
    assert re.search(r"<(script|style|iframe|svg|img|form|input)\b", html, re.IGNORECASE) is None
    assert re.search(r"<[^>]*\son\w+\s*=", html, re.IGNORECASE) is None
    assert re.search(r"href\s*=\s*\"?\s*javascript:", html, re.IGNORECASE) is None


def test_web_addresses_and_telephone_numbers_are_links():
    html = render.to_html("网址：https://www.example.gov.cn/jy/xqjy。请拨打12345热线，或致电 0000-68661234、"
                          "13812345678；也可以看[办事指南](https://a.gov.cn/x)。")
    assert ('<a href="https://www.example.gov.cn/jy/xqjy" rel="noopener noreferrer nofollow">'
            "https://www.example.gov.cn/jy/xqjy</a>。") in html        # the full stop is the sentence's
    for number in ("12345", "0000-68661234", "13812345678"):
        assert f'<a href="tel:{number}" class="tel">{number}</a>' in html
    assert html.count("https://a.gov.cn/x") == 1                      # a link stays one link
    assert '拨打了<a href="tel:12345" class="tel">12345</a>' in render.to_html("如果您已经拨打了12345，请保持电话畅通。")
    # Dates, amounts, document numbers and counts are no numbers to dial.
    plain = render.to_html("2026年12月1日起补贴12000元，京政办发〔2024〕12号，共110户")
    assert "<a" not in plain


def test_a_table_column_headed_as_telephone_numbers_is_links():
    html = render.to_html("| 情形 | 电话 | 人数 |\n|---|---|---|\n| 火灾、有人被困 | 119 | 120 |\n"
                          "| 治安 | **110** | 3 |\n| 交通事故 | 122或110 | 5 |\n\n"
                          "| 年份 | 金额 |\n|---|---|\n| 2024 | 120 |\n")
    for number in ("119", "110", "122"):
        assert f'<a href="tel:{number}" class="tel">{number}</a>' in html
    assert html.count("<a ") == 4                       # not the 人数 column, nor the second table


def test_a_second_number_to_dial_after_a_linked_one_is_a_link_too():
    html = render.to_html("有人受伤请立即拨打119或120；交通事故拨打110、122。")
    for number in ("119", "120", "110", "122"):
        assert f'<a href="tel:{number}" class="tel">{number}</a>' in html
    assert '抢修电话或<a href="tel:119" class="tel">119</a>' in render.to_html("拨打燃气抢修电话或119。")
    # A date, an amount or a count after 或 is no number.
    for text in ("请拨打12345或2026年底前到窗口办理", "拨打12345或20次", "拨打12345或120.5元"):
        assert render.to_html(text).count("<a ") == 1, text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["https://", "http://", "x.cn", "/a?b=1&c=2", "tel:", "拨打", "热线", "12345",
                                 "0000-68661234", "13812345678", "或", "、", "120", "年", "|", "电话", "\n|---|\n", "。", "，", ")", "(", "\"", "'", "<", ">", "[链接](",
                                 "<a href=\"https://y.cn\">", "</a>", " ", "\n"]), max_size=20).map("".join))
@example("https://)")
def test_links_made_from_text_change_no_word_and_lead_nowhere_else(text):
    raw = render.sanitize(render.markup.to_raw_html(text))
    html = render.to_html(text)
    assert render.html_text(html) == render.html_text(raw)      # the reader sees the same words
    added = re.findall(r'href="([^"]*)"', html)
    for href in re.findall(r'href="([^"]*)"', raw):
        added.remove(href)
    for href in added:
        assert re.match(r"(https?://[^<>\"' ]+$|tel:[0-9\-]+$)", href), href


def test_plain_text_for_copying():
    text = render.to_text("**申请条件**：本市户籍。\n\n怎么申请：\n\n1. **提出申请**：向街道申请；\n2. 审核确认。\n\n"
                          "- 身份证\n- 户口簿\n\n<script>alert(1)</script>[官网](https://example.cn)")
    assert text == "申请条件：本市户籍。\n怎么申请：\n1. 提出申请：向街道申请；\n2. 审核确认。\n- 身份证\n- 户口簿\n官网"


def test_a_table_reads_as_prose_in_search_snippets_and_as_cells_when_copied():
    table = ("| 阶梯 | 户年用水量 |\n|---|---|\n| 第一阶梯 | 0–180 立方米 |\n| 第二阶梯 | 181–260 立方米 |\n\n"
             "超出部分按第三阶梯收费。")
    # The header introduces the rows; a row reads as a clause, the table as one sentence.
    assert render.page_text(table) == ("阶梯、户年用水量：\n第一阶梯，0–180 立方米；\n第二阶梯，181–260 立方米。\n"
                                       "超出部分按第三阶梯收费。")
    assert render.to_text(table) == ("阶梯 | 户年用水量\n第一阶梯 | 0–180 立方米\n第二阶梯 | 181–260 立方米\n"
                                     "超出部分按第三阶梯收费。")
    # A snippet shows line breaks as spaces: the rows still read apart.
    snippet = analysis.snippet(render.page_text(table), ["第一阶梯"])
    assert "户年用水量： 第一阶梯，0–180 立方米； 第二阶梯" in html.unescape(re.sub("<[^>]+>", "", snippet)).replace("\n", " ")


def test_a_table_without_a_header_row_reads_as_clauses():
    html_table = "<table><tr><td>A</td><td>1元</td></tr><tr><td>B</td><td>2元</td></tr></table><p>完。</p>"
    assert render.html_text(html_table, table=render.PROSE_TABLE) == "A，1元；\nB，2元。\n完。"
    assert render.html_text(html_table) == "A | 1元\nB | 2元\n完。"


def test_answer_text_starts_with_the_title(kb):
    entry = kb.entry("dibao-apply")
    text = render.answer_text(entry)
    assert text.startswith("最低生活保障（低保）怎么申请\n申请条件：共同生活的家庭成员持有本市户籍")
    assert "**" not in text and "内部提示" not in text


def test_snippet_html_keeps_only_mark_and_neutralises_markdown():
    out = render.snippet_html("<mark>低保</mark>标准 $5 与 $6 [x](javascript:alert(1)) &lt;b&gt; <b>粗</b><script>x</script>")
    assert out == ("<mark>低保</mark>标准 &#36;5 与 &#36;6 &#91;x&#93;&#40;javascript:alert&#40;1&#41;&#41; "
                   "&lt;b&gt; 粗")


def test_markdown_literal():
    assert render.markdown_literal("**不是粗体** <b>") == "&#42;&#42;不是粗体&#42;&#42; &lt;b&gt;"


# -- what a reader may open --------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", ["heating-peak-season-internal",  # internal
                                      "minimum-wage-2027",             # not yet effective
                                      "dibao-standard-2025",           # expired
                                      "bus-route",                     # directory entry (internal)
                                      "no-such-entry", "", "../../etc/passwd"])
def test_public_reader_sees_only_public_entries_in_force(kb, entry_id):
    with pytest.raises(EntryNotFound) as e:
        kb.reader().entry(entry_id)
    assert str(e.value) == "未找到该答复：它可能已下线、尚未生效或编号有误。请返回查询页重新搜索。"


def test_status_of_hidden_samples(kb):
    snap, day = kb.snapshot(), kb.today()
    assert snap.entries["heating-peak-season-internal"].audience == "internal"
    assert snap.entries["minimum-wage-2027"].status(day) == "pending"
    assert snap.entries["dibao-standard-2025"].status(day) == "expired"


def test_staff_reader_sees_everything_with_marks(kb):
    reader = kb.reader(staff=True)
    # In force until 2026-12-20, within the 30 days of 即将到期 on the tests' day (2026-11-22).
    assert reader.status_marks(reader.entry("heating-peak-season-internal")) == ["内部", "即将到期（2026-12-20 止）"]
    assert reader.status_marks(reader.entry("minimum-wage-2027")) == ["未生效"]
    assert reader.status_marks(reader.entry("dibao-standard-2025")) == ["已失效"]
    assert reader.status_marks(reader.entry("dibao-apply")) == []


def test_basis_links_existing_articles_and_lists_documents(kb):
    reader = kb.reader()
    items = reader.basis(reader.entry("hotline-not-accepted"))
    linked = [(i.label, i.article_id) for i in items if i.article_id]
    assert ("北京市接诉即办工作条例 第十一条", "beijing-2021/11") in linked
    docs = reader.basis(reader.entry("dibao-apply"))
    assert [(i.label, i.article_id) for i in docs] == [("《社会救助暂行办法》", ""), ("示民发〔2025〕30号", "")]


def test_article_lookup_neighbours_and_citing(kb):
    reader = kb.reader()
    article = reader.article("beijing-2021/11")
    assert article.label == "第十一条"
    before, after = reader.neighbours(article)
    assert (before.id, after.id) == ("beijing-2021/10", "beijing-2021/12")
    public = {e.id for e in reader.citing(article)}
    staff = {e.id for e in kb.reader(staff=True).citing(article)}
    snap, day = kb.snapshot(), kb.today()
    expected = {e.id for e in snap.entry_list if ("beijing-2021", 11) in e.citations}
    assert staff == expected
    assert public == {i for i in expected if snap.entries[i].is_public_on(day)}
    assert "elevator-trapped" in staff - public  # an internal directory entry: agents only


@pytest.mark.parametrize("article_id", ["beijing-2021/999", "beijing-2021", "nope/1", "", "beijing-2021/十一"])
def test_unknown_article(kb, article_id):
    with pytest.raises(EntryNotFound) as e:
        kb.reader().article(article_id)
    assert str(e.value) == "未找到该条文：请检查地址中的编号（例如 beijing-2021/11），或返回查询页搜索。"


def test_last_checked_is_the_last_published_change_or_the_checked_field(kb, sample_root):
    reader = kb.reader()
    entry = reader.entry("dibao-apply")
    first = reader.last_checked(entry)
    assert first == kb.store.history(entry.path)[0].date.date()
    path = sample_root / entry.path
    path.write_text(path.read_text(encoding="utf-8").replace("review_by: 2026-12-15", "review_by: 2026-12-15\nchecked: 2026-03-01"),
                    encoding="utf-8")
    commit_all(sample_root, "核对低保")
    reader = kb.reader()
    assert reader.last_checked(reader.entry("dibao-apply")) == dt.date(2026, 3, 1)


def test_agent_notes_say_their_label_once():
    """The sample's notes begin 内部提示：; the box already says 内部提示（仅坐席可见）."""
    from kb_app.content.model import Entry

    entry = Entry.__new__(Entry)
    entry.meta = {"agent_notes": "内部提示：先核实身份。\n\n  内部提示: 再查进度 *加急*\n"}
    assert render.agent_notes_markdown(entry) == \
        "**内部提示（仅坐席可见）**\n\n先核实身份。\n\n" + "再查进度 " + render.markdown_literal("*加急*")
    entry.meta = {"agent_notes": "内部提示："}
    assert render.agent_notes_markdown(entry) == ""


def test_why_the_public_cannot_open_an_entry_is_said_for_each_case():
    from kb_app.content.model import Entry

    day = dt.date(2026, 11, 22)

    def entry(path="entries/policy/city-hrss/a-b.md", **meta):
        return Entry(path, {"id": "a-b", "kind": "policy", "unit": "city-hrss", "audience": "public", **meta})

    assert render.not_public_reason(entry(), day) is None
    assert render.not_public_reason(Entry("entries/directory/a-b.md", {"id": "a-b", "kind": "directory"}), day) \
        == "派单目录只供坐席和承办单位使用"
    assert render.not_public_reason(entry(audience="internal"), day) == "这是内部口径，只供坐席使用"
    assert render.not_public_reason(entry(effective=dt.date(2027, 1, 1)), day) == "未生效，2027年1月1日起公众才能看到"
    assert render.not_public_reason(entry(expires=dt.date(2026, 6, 30)), day) == "已失效（有效期至2026年6月30日）"
    assert render.not_public_reason(entry(expires="2026年6月30日"), day) == "格式错误，改正前不会公开"
