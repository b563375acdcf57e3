"""The public boundary holds for whatever is on main (reviewed or pushed by hand).

Named cases measured on the first round (a quoted date, a date nobody can read, an HTML comment, a
catalogue entry marked public), then a property over random front matter and bodies: no public
search hit and no public page ever shows an entry the public reader refuses, or any text of a
comment, an ``agent_notes`` field, an unknown field or an entry the public may not see.
"""

import datetime as dt
import itertools
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kb_app import health, init_repo, load_settings, open_kb, render
from kb_app.content.validate import validate
from kb_app.exceptions import EntryNotFound

from .conftest import TODAY

DAY = dt.date.fromisoformat(TODAY)
PAST, FUTURE = (DAY - dt.timedelta(days=40)).isoformat(), (DAY + dt.timedelta(days=40)).isoformat()


def policy(eid, title, body, extra="", unit="city-hrss", audience="public"):
    path = f"entries/policy/{unit}/{eid}.md"
    return path, (f"---\nid: {eid}\nkind: policy\ntitle: {title}\nquestions: [{title}怎么办]\nunit: {unit}\n"
                  f"audience: {audience}\ncategory: [社保]\nkeywords: [{title}]\n{extra}---\n{body}\n")


def publish(kb, *files, message="直接推送到主干"):
    """Put files on main the way a hand push or an imported repository would: no review."""
    kb.store.write_change("main", dict(files), message)


def public_ids(kb, query, prefix=""):
    return [h.id for h in kb.search(query, audience="public", limit=50).hits if h.id.startswith(prefix)]


def opens(reader, entry_id):
    try:
        reader.entry(entry_id)
        return True
    except EntryNotFound:
        return False


# -- the measured cases ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["'{d}'", '"{d}"'])
def test_quoted_dates_are_read_as_dates(kb, spelling):
    publish(kb,
            policy("quoted-expired", "蓝莓补贴旧规定", "蓝莓补贴按旧规定发放。", f"expires: {spelling.format(d=PAST)}\n"),
            policy("quoted-pending", "蓝莓补贴新规定", "蓝莓补贴按新规定发放。", f"effective: {spelling.format(d=FUTURE)}\n"),
            policy("quoted-in-force", "蓝莓补贴现行规定", "蓝莓补贴按现行规定发放。", f"expires: {spelling.format(d=FUTURE)}\n"))
    assert not [p for p in validate(kb.snapshot()) if p.path.startswith("entries/policy/city-hrss/quoted-")]
    assert public_ids(kb, "蓝莓补贴", "quoted-") == ["quoted-in-force"]
    reader = kb.reader()
    shown = [opens(reader, e) for e in ("quoted-expired", "quoted-pending", "quoted-in-force")]
    assert shown == [False, False, True]
    staff = kb.reader(staff=True)
    assert staff.status_marks(staff.entry("quoted-expired")) == ["已失效"]
    assert staff.status_marks(staff.entry("quoted-pending")) == ["未生效"]
    agent = {h.id: h.status for h in kb.search("蓝莓补贴", audience="agent").hits if h.id.startswith("quoted-")}
    assert agent == {"quoted-expired": "expired", "quoted-pending": "pending", "quoted-in-force": "in_force"}
    # the same reading in maintenance tasks: a quoted expiry within 30 days opens one
    soon = (DAY + dt.timedelta(days=10)).isoformat()
    publish(kb, policy("quoted-soon", "蓝莓补贴临时规定", "临时规定。", f"expires: '{soon}'\n"))
    assert any(t.kind == "expiring" and t.entry == "quoted-soon" for t in _tasks(kb))


def _tasks(kb):
    kb.feedback.generate_tasks()
    return kb.feedback.list_tasks("city-hrss", state=None)


def test_a_date_nobody_can_read_keeps_the_entry_from_the_public(kb):
    path, text = policy("unreadable-expiry", "樱桃补贴怎么领", "樱桃补贴到街道领取。", "expires: 2020年1月1日\n")
    publish(kb, (path, text))
    # validation names file, line, field, value and an example
    (problem,) = [p for p in validate(kb.snapshot()) if p.path == path]
    assert (problem.line, problem.field) == (10, "expires")
    assert "“2020年1月1日”不是有效日期" in str(problem) and "例如“expires: 2026-01-01”" in str(problem)
    # not in the public index, not on public pages
    assert public_ids(kb, "樱桃补贴怎么领", "unreadable-") == []
    assert not opens(kb.reader(), "unreadable-expiry")
    # agents see it marked, with the problem
    assert "unreadable-expiry" in [h.id for h in kb.search("樱桃补贴", audience="agent").hits]
    staff = kb.reader(staff=True)
    entry = staff.entry("unreadable-expiry")
    assert staff.status_marks(entry) == ["格式错误"]
    assert staff.format_problems(entry) == ["expires：“2020年1月1日”不是有效日期（应按 YYYY-MM-DD 填写），公众看不到该条目"]
    # its unit gets a maintenance task, the center's health page lists the file
    tasks = [t for t in _tasks(kb) if t.kind == "invalid"]
    assert [(t.unit, t.entry, t.kind_label) for t in tasks] == [("city-hrss", "unreadable-expiry", "格式错误")]
    assert "在改正之前公众看不到该条目" in tasks[0].detail
    assert [f.message for f in health.report(kb.snapshot()) if f.kind == "invalid"] == [
        f"{path}：第 10 行 expires：“2020年1月1日”不是有效日期，在改正之前公众看不到该条目"]
    # fixed on main: the task closes itself, the entry is public again
    publish(kb, (path, text.replace("2020年1月1日", FUTURE)))
    assert not [t for t in _tasks(kb) if t.kind == "invalid" and t.state == "open"]
    assert public_ids(kb, "樱桃补贴怎么领", "unreadable-") == ["unreadable-expiry"]


def test_an_answer_of_an_abolished_unit_waits_for_the_unit_that_takes_it_on(kb):
    """A unit merged away (``active: false`` in units.yaml) answers for nothing any more, and its answers name
    an office citizens can no longer turn to: they leave the public at once, the center (nobody reads the
    abolished unit's inbox) gets the task of handing them on, and the unit that takes one on publishes it."""
    path, text = policy("prepaid-refund", "山竹预付卡退款", "山竹预付卡退款到原商务局窗口办理。", unit="city-former-commerce")
    publish(kb, (path, text))
    assert public_ids(kb, "山竹预付卡退款", "prepaid-refund") == [] and not opens(kb.reader(), "prepaid-refund")
    staff = kb.reader(staff=True)
    assert staff.status_marks(staff.entry("prepaid-refund")) == ["格式错误"]
    (problem,) = [p for p in validate(kb.snapshot()) if p.path == path]
    assert "单位“原示例市商务局”已撤销，在移交之前公众看不到该条目" in str(problem) and "city-market" in str(problem)
    kb.feedback.generate_tasks()
    center = [t for t in kb.feedback.list_tasks("hotline-center", state=None) if t.kind == "invalid"]
    assert [(t.entry, t.state) for t in center] == [("prepaid-refund", "open")]
    assert not kb.feedback.list_tasks("city-former-commerce", state=None)
    # handed on: the market regulator's answer now, in its folder
    moved = text.replace("city-former-commerce", "city-market").replace("原商务局", "市场监管局")
    kb.store.write_change("main", {path: None, path.replace("city-former-commerce", "city-market"): moved}, "移交")
    assert public_ids(kb, "山竹预付卡退款", "prepaid-refund") == ["prepaid-refund"]
    kb.feedback.generate_tasks()
    assert [t.state for t in kb.feedback.list_tasks("hotline-center", state=None) if t.kind == "invalid"] != ["open"]


def test_an_html_comment_never_reaches_public_search_or_pages(kb):
    body = ("山楂补贴到区人社服务大厅申请。\n<!-- 编者注：核桃口径暂未定稿，不要念给来电人 -->\n"
            "- 线上：登录政务服务网\n  <!-- 编者注：\n  - 核桃系统下月才上线 -->\n- 线下：到服务大厅")
    publish(kb, policy("with-comment", "山楂补贴怎么申请", body))
    assert public_ids(kb, "核桃口径暂未定稿", "with-") == [] and public_ids(kb, "核桃系统", "with-") == []
    (hit,) = [h for h in kb.search("山楂补贴", audience="public").hits if h.id == "with-comment"]
    assert "编者注" not in hit.snippet and "核桃" not in hit.snippet
    page = render.to_html(kb.reader().entry("with-comment").body)
    assert "编者注" not in page and "核桃" not in page
    assert page.count("<li>") == 2  # the list is still a list around the comment


def test_an_answer_that_does_not_say_its_audience_is_not_public(kb):
    """audience is required: an answer without it (a line deleted by hand) was shown to everyone. It is now read as
    unreadable, like audience: publik: off the public index, pages and citing lists, marked for agents."""
    path, text = policy("no-audience", "银杏卡如何申领", "银杏卡到街道申领。", extra="basis:\n  - {regulation: beijing-2021, article: 11}\n")
    publish(kb, (path, text.replace("audience: public\n", "")))
    (problem,) = [p for p in validate(kb.snapshot()) if p.path == path]
    assert (problem.field, problem.message) == ("audience", "缺少必填字段，在改正之前公众看不到该条目")
    assert public_ids(kb, "银杏卡如何申领", "no-audience") == []
    assert not opens(kb.reader(), "no-audience")
    assert "no-audience" not in [e.id for e in kb.reader().citing(kb.reader().article("beijing-2021/11"))]
    staff = kb.reader(staff=True)
    entry = staff.entry("no-audience")
    assert staff.status_marks(entry) == ["格式错误", "内部"]
    assert staff.format_problems(entry) == ["audience：没有写受众（audience）（应为 public 或 internal），公众看不到该条目"]
    assert "no-audience" in [h.id for h in kb.search("银杏卡", audience="agent").hits]


def test_an_answer_in_another_units_folder_is_not_public(kb):
    """The folder names the unit that reviews an answer as its owner: city-hrss's answer put in the police's folder
    was never reviewed by city-hrss, and stays from the public until one of the two is corrected."""
    path, text = policy("wrong-folder", "桂花卡如何申领", "桂花卡到街道申领。", unit="city-hrss")
    path = path.replace("/city-hrss/", "/city-public-security/")
    publish(kb, (path, text))
    (problem,) = [p for p in validate(kb.snapshot()) if p.path == path]
    assert problem.field == "unit" and "在改正之前公众看不到该条目" in problem.message
    assert public_ids(kb, "桂花卡如何申领", "wrong-folder") == []
    assert not opens(kb.reader(), "wrong-folder")
    staff = kb.reader(staff=True)
    assert staff.status_marks(staff.entry("wrong-folder")) == ["格式错误"]
    assert staff.format_problems(staff.entry("wrong-folder")) == [
        "unit：所属单位“city-hrss”与所在目录“city-public-security”不一致"
        "（改为“city-public-security”，或由所属单位把文件移到自己的目录），公众看不到该条目"]


def test_a_catalogue_entry_marked_public_stays_staff_material(kb):
    path = "entries/directory/gas-leak.md"
    text = kb.store.read(path).replace("audience: internal", "audience: public")
    publish(kb, (path, text))
    problems = [p for p in validate(kb.snapshot()) if p.path == path]
    assert [p.field for p in problems] == ["audience"] and "派单目录条目是坐席内部材料" in problems[0].message
    for query in ("燃气泄漏", "家里厨房有很浓的煤气味", "燃气集团主办抢修", "坐席即时转接119"):
        assert all(h.kind != "directory" for h in kb.search(query, audience="public", limit=50).hits)
    reader = kb.reader()
    assert not opens(reader, "gas-leak")
    # agents see it marked, and why
    staff = kb.reader(staff=True)
    assert staff.status_marks(staff.entry("gas-leak")) == ["格式错误"]
    assert staff.format_problems(staff.entry("gas-leak")) == [
        "audience：派单目录条目写了 audience: public（派单目录只能是 internal，可删除这一行）"]
    article = reader.article("baoding-2022/19")
    assert "gas-leak" not in [e.id for e in reader.citing(article)]
    assert "gas-leak" in [e.id for e in kb.reader(staff=True).citing(article)]


def test_the_sample_has_no_public_catalogue_entry(kb):
    assert [e.id for e in kb.snapshot().directory() if e.meta.get("audience") == "public"] == []
    assert not [p for p in validate(kb.snapshot()) if p.field == "audience"]


# -- the property ------------------------------------------------------------------------------

_SERIAL = itertools.count()
_CHARS = "璇玑珩瑜瑾琮璋琥珀瑛琨瑶璞琳瑙璐珂瑭琦璟"


def token() -> str:
    """A fresh word no other text contains (four rare characters)."""
    n, out = next(_SERIAL), ""
    for _ in range(3):
        n, r = divmod(n, len(_CHARS))
        out += _CHARS[r]
    return "秘" + out

#: How a date may be written: (spelling, readable?). ``{d}`` is the ISO date.
DATE_SPELLINGS = [("{d}", True), ("'{d}'", True), ('"{d}"', True), ("' {d} '", True),
                  ("{y}年{m}月{dd}日", False), ("{y}/{m:02d}/{dd:02d}", False), ("{d} 08:00:00", False),
                  ("{y}-{m}-{dd}", False), ("{y}{m:02d}{dd:02d}", False), ("[{d}]", False),
                  ("{y}-02-30", False), ("'{y}-13-01'", False)]
#: How an audience may be written: (spelling, what it reads as: public, internal or None for unreadable).
AUDIENCE_SPELLINGS = [("public", "public"), ("'public'", "public"), ("internal", "internal"),
                      ('"internal"', "internal"), ("Public", None), ("公开", None), ("[public]", None),
                      ("true", None), ("", None)]  # an answer that does not say its audience is not public


@st.composite
def front_matter_dates(draw):
    out = {}
    for field in ("effective", "expires"):
        if draw(st.booleans()):
            day = DAY + dt.timedelta(days=draw(st.sampled_from([-400, -30, -1, 0, 1, 30, 400])))
            spelling, readable = draw(st.sampled_from(DATE_SPELLINGS))
            text = spelling.format(d=day.isoformat(), y=day.year, m=day.month, dd=day.day)
            readable = readable or text == day.isoformat()  # 2026-11-21 unpadded is still 2026-11-21
            out[field] = (text, day if readable else None)
    return out


@st.composite
def bodies(draw, shown, hidden, linked):
    """A body mixing text a reader sees (``shown``), text no page may show (``hidden``: comments,
    scripts, forms ...) and link targets (``linked``: in a page's HTML, never in the index)."""
    parts = [f"{shown}的答复正文。"]
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(st.sampled_from([
            f"段落<!-- {hidden} -->继续。", f"\n<!-- 编者注：{hidden}\n不要念给来电人 -->\n",
            f"\n- 第一项\n  <!-- {hidden} -->\n- 第二项", f"\n1. 一\n   - 二<!--\n   - {hidden} -->",
            f"<script>alert('{hidden}')</script>", f"<style>.x{{content:'{hidden}'}}</style>",
            f"[链接](https://example.invalid/{linked})", f'<a href="/x?q={linked}" title="{linked}">链接</a>',
            f'<abbr title="{linked}">缩写</abbr>',

            f'<img src="x.png" alt="{hidden}">', f"<template>{hidden}</template>",
            f"<iframe>{hidden}</iframe>",
            f'<span title="{hidden}">说明</span>', f"<textarea>{hidden}</textarea>", "\n\n**加粗**与`代码`。",
        ])))
    if draw(st.booleans()):
        parts.append(f"\n结尾<!-- {hidden}")  # a comment nobody closed hides the rest
    return "".join(parts)


@st.composite
def entries(draw):
    """One entry file and what the public may see of it, decided from how it was written."""
    eid = f"prop-{next(_SERIAL)}"
    shown, hidden, linked, notes, unknown = token(), token(), token(), token(), token()
    kind = draw(st.sampled_from(["policy", "policy", "policy", "directory"]))
    audience, reads_as = draw(st.sampled_from(AUDIENCE_SPELLINGS))
    # The folder a policy answer is in names the unit that reviewed it: another unit's answer there is not public,
    # nor is an answer of a unit units.yaml does not know.
    folder = draw(st.sampled_from(["city-hrss", "city-hrss", "city-hrss", "no-such-unit"]))
    unit = draw(st.sampled_from([folder, folder, folder, "city-public-security"]))
    # The id is the file's name (written or not); a name that breaks the id rule is no id.
    name = draw(st.sampled_from([eid, eid, eid, eid.upper()]))
    written = draw(st.sampled_from([True, True, False]))
    # A second file named by the id (in another unit's folder): which one is the answer is unknown.
    twin = kind == "policy" and draw(st.sampled_from([False, False, False, True]))
    dates = draw(front_matter_dates())
    lines = ["---", *([f"id: {eid}"] if written else []), f"kind: {kind}", f"title: {shown}问题",
             f"questions: [{shown}怎么办]", f"unit: {unit}", f"keywords: [{shown}]", f"agent_notes: {notes}内部提示",
             "basis:", "  - {regulation: beijing-2021, article: 31}"]
    if audience:
        lines.append(f"audience: {audience}")
    if draw(st.booleans()):
        lines.append(f"remark: {unknown}未知字段")
    if kind == "directory":
        lines += ["handler: city-hrss", "level: city", "time_limit: 5wd", f"examples: [{shown}的例子]"]
    for field, (text, _day) in dates.items():
        lines.append(f"{field}: {text}")
    lines += ["---", draw(bodies(shown, hidden, linked)), ""]
    text = "\n".join(lines)
    files = [(f"entries/policy/{folder}/{name}.md" if kind == "policy" else f"entries/directory/{name}.md", text)]
    if twin:
        files.append((f"entries/policy/city-public-security/{name}.md",
                      text.replace(f"unit: {unit}", "unit: city-public-security")))
    readable = all(day is not None for _text, day in dates.values())
    eff, exp = (dates.get(f, (None, None))[1] for f in ("effective", "expires"))
    # DESIGN.md: hidden from the public before effective and after expires (both days are public)
    in_force = readable and (eff is None or eff <= DAY) and (exp is None or DAY <= exp)
    public = (kind == "policy" and reads_as == "public" and unit == folder == "city-hrss" and name == eid
              and not twin and in_force)
    secrets = [hidden, notes, unknown] + ([] if public else [shown, linked])
    return dict(id=eid if written else name, files=files, text=text, public=public, shown=shown, secrets=secrets,
                linked=linked)


@pytest.fixture(scope="module")
def prop_kb(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("boundary")
    kb = open_kb(load_settings(root=init_repo(tmp / "kb"), data_dir=tmp / "data", today=TODAY))
    kb.reindex()
    return kb


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(batch=st.lists(entries(), min_size=1, max_size=5))
def test_no_public_hit_or_page_shows_what_the_public_may_not_see(prop_kb, batch):
    kb = prop_kb
    # Whoosh names new segments with the random module, which Hypothesis seeds alike for every
    # example; without fresh state two examples' segments would get the same name.
    random.seed(os.urandom(16))
    publish(kb, *(file for e in batch for file in e["files"]), message="随机内容")
    reader = kb.reader()
    allowed = {e["id"] for e in batch if e["public"]}
    secrets = [s for e in batch for s in (*e["secrets"], e["linked"])]
    queries = [q for e in batch for q in (e["shown"], f"{e['shown']}怎么办", *e["secrets"])]
    for query in queries:
        for hit in kb.search(query, audience="public", limit=50).hits:
            if hit.id in {e["id"] for e in batch}:
                assert hit.id in allowed, (hit.id, query)
            assert opens(reader, hit.id) or hit.kind == "article"
            assert not any(s in hit.snippet or s in hit.title for s in secrets), (hit.snippet, secrets)
    for e in batch:
        assert opens(reader, e["id"]) == e["public"], e["text"]
        if e["public"]:
            entry = reader.entry(e["id"])
            page, text = render.to_html(entry.body), render.page_text(entry.body)
            leaked = [s for s in e["secrets"] if s in page or s in text or s in entry.title]
            assert not leaked, (page, e["text"])
            assert e["shown"] in text and e["linked"] not in text
    article = reader.article("beijing-2021/31")
    assert {x.id for x in reader.citing(article)} & {e["id"] for e in batch} == allowed
