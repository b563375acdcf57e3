"""Diffs for reviewers: changes marked inside lines, character by character; answers rendered; files named."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_app.review.changes import describe, problem_text
from kb_app.choices import Choices
from kb_app.review.records import FileChange
from kb_app.ui.diff import _rows, char_segments, marked_sources, rendered_side_by_side, side_by_side

from ..review_helpers import HRSS


@pytest.mark.parametrize("old, new, left, right", [
    ("携带本人身份证", "携带本人有效身份证", [(False, "携带本人"), (False, "身份证")],
     [(False, "携带本人"), (True, "有效"), (False, "身份证")]),
    ("办理时间为10个工作日", "办理时间为5个工作日", [(False, "办理时间为"), (True, "10"), (False, "个工作日")],
     [(False, "办理时间为"), (True, "5"), (False, "个工作日")]),
    # an insertion that could sit in two places is put where it ends at punctuation
    ("身份证件，到", "身份证件原件，到", [(False, "身份证件"), (False, "，到")],
     [(False, "身份证件"), (True, "原件"), (False, "，到")]),
    # a run of one unchanged character between changes is folded into them
    ("甲乙丙丁", "戊乙己丁", [(True, "甲乙丙"), (False, "丁")], [(True, "戊乙己"), (False, "丁")]),
    # lines with little in common are a deletion and an insertion
    ("今天天气很好", "请携带身份证原件", [(True, "今天天气很好")], [(True, "请携带身份证原件")]),
])
def test_char_segments(old, new, left, right):
    assert char_segments(old, new) == (left, right)


def test_marks_stay_inside_list_items():
    old = "说明：\n\n- 线上：邮寄到家；\n- 线下：到银行网点办理。\n"
    new = "说明：\n\n- 线上：邮寄到家；\n- 线下：到任一银行网点办理。\n- 代办：家属可代办。\n"
    marked_old, marked_new, changed = marked_sources(old, new)
    assert changed == 2
    html = rendered_side_by_side(old, new)
    assert "<li>线下：到<ins>任一</ins>银行网点办理。</li>" in html
    assert "<li><ins>代办：家属可代办。</ins></li>" in html
    assert "<li>线上：邮寄到家；</li>" in html and html.count("<ins>") == 2 and "<del>" not in html


def test_an_item_inserted_in_a_numbered_list_leaves_the_next_item_unmarked():
    old = "步骤：\n\n4. **费用**：免收工本费。\n5. **代办**：行动不便的，可以由家属代办。\n\n补卡期间可用电子社保卡。\n"
    new = old.replace("5. **代办**", "5. **咨询**：可拨打12333咨询办理进度。\n6. **代办**")
    html = rendered_side_by_side(old, new)
    assert "<del>" not in html and html.count("<ins>") == 1
    assert "<ins>咨询</ins>" in html or "<ins><strong>咨询</strong>" in html
    source = side_by_side(old, new)
    # the renumbered item sits beside itself, its number alone marked
    assert '<span class="cx">5</span>. **代办**' in source and '<span class="cx">6</span>. **代办**' in source
    assert '<td class="del"><span class="cx">5. **代办**' not in source


@given(st.lists(st.sampled_from(["甲乙丙丁", "甲乙丙戊", "1. 费用：免收", "2. 费用：免收工本费", "", "代办：家属", "无关的一行"]),
                max_size=8),
       st.lists(st.sampled_from(["甲乙丙丁", "甲乙丙己", "1. 费用：免收", "3. 费用：收取工本费", "", "咨询：12333", "代办：家属"]),
                max_size=8))
def test_every_line_of_both_versions_is_shown_once_in_order(old, new):
    rows = [r for r in _rows(old, new, None)]
    assert [i for i, _j, _c in rows if i is not None] == list(range(len(old)))
    assert [j for _i, j, _c in rows if j is not None] == list(range(len(new)))
    assert all(c or old[i] == new[j] for i, j, c in rows)


def test_rendered_diff_is_sanitised():
    html = rendered_side_by_side("正文", "正文<script>alert(1)</script><img src=x onerror=alert(1)>")
    assert "<script" not in html and "onerror" not in html and "\ue000" not in html


def test_source_diff_marks_characters_and_escapes():
    html = side_by_side("a\n<b>旧</b>\nc", "a\n<b>新</b>\nc")
    assert '<span class="cx">旧</span>' in html and '<span class="cx">新</span>' in html and "&lt;b&gt;" in html


def test_a_question_added_to_one_article_shows_that_article_only(kb):
    from kb_app.usage.suggest import add_article_question

    path = "regulations/texts/beijing-2021.md"
    old = kb.store.read(path)
    new = add_article_question(old, 9, "打热线故意夸大事实会被追责吗")
    view = describe(FileChange(path, "M", old, new, old), Choices.from_snapshot(kb.snapshot()), dt.date(2026, 11, 22))
    [row] = view.fields
    assert row["字段"] == "常见问法 · 第九条"
    assert row["修改后"] == row["修改前"] + "、打热线故意夸大事实会被追责吗"
    assert "北京为什么要制定接诉即办条例" not in row["修改前"]  # article 1's questions are not repeated


def test_a_file_as_a_reviewer_reads_it(kb):
    old = kb.store.read(HRSS)
    new = old.replace("review_by: 2027-06-30", "review_by: 2027-12-31")
    new = new.replace("  - {document: \"示人社发〔2025〕31号\"}",
                      "  - {document: \"示人社发〔2025〕31号\"}\n  - {regulation: beijing-2021, article: 31}")
    choices = Choices.from_snapshot(kb.snapshot())
    view = describe(FileChange(HRSS, "M", old, new, old), choices, dt.date(2026, 11, 22))
    assert view.heading == "修改答复口径：社会保障卡丢了怎么补办 · 示例市人力资源和社会保障局"
    assert view.fields == [
        {"字段": "复核日期", "修改前": "2027-06-30", "修改后": "2027-12-31"},
        {"字段": "政策依据", "修改前": "文件：示人社发〔2025〕31号",
         "修改后": "文件：示人社发〔2025〕31号；《北京市接诉即办工作条例》第三十一条"}]
    assert not view.body_changed and view.answer_id == "sscard-reissue"
    retired = old.replace("effective: 2026-01-01", "effective: 2026-01-01\nexpires: 2026-11-21")
    assert describe(FileChange(HRSS, "M", old, retired, old), choices, dt.date(2026, 11, 22)).action == "停用"
    last_day = old.replace("effective: 2026-01-01", "effective: 2026-01-01\nexpires: 2026-11-22")  # public today still
    assert describe(FileChange(HRSS, "M", old, last_day, old), choices, dt.date(2026, 11, 22)).action == "修改"
    gone = describe(FileChange(HRSS, "D", old, None, old), choices, dt.date(2026, 11, 22))
    assert gone.heading.startswith("删除答复口径：社会保障卡丢了怎么补办") and gone.answer_id is None
    config = describe(FileChange("regulations/time_limits.yaml", "M", "a: 1\n", "a: 2\n", "a: 1\n"), choices,
                      dt.date(2026, 11, 22))
    assert (config.heading, config.has_body) == ("修改配置：办理时限", False)
    problem = f"{HRSS}:4: 字段 title：缺少必填字段。修改方法：在前置信息中填写 title。"
    assert problem_text(problem, [view]) == "“社会保障卡丢了怎么补办”第 4 行，标题：缺少必填字段。修改方法：在前置信息中填写 title。"


def test_a_tier_redefined_on_main_is_shown_as_it_will_go_live(kb, monkeypatch):
    """A request moves a matter to 3wd; meanwhile main makes 3wd two working days. Reviewers read what will go live
    (2个工作日), and are told that the tier changed under the request."""
    from kb_app.review.changes import describe_all, tiers_moved

    from ..conftest import commit_all
    from ..review_helpers import ROAD, add_directory_entry, edited, quiet_users

    users = quiet_users(kb, monkeypatch)
    add_directory_entry(kb)
    cr = kb.review.create(users["um-editor"], "时限改为3个工作日", {ROAD: edited(kb, ROAD, time_limit="3wd")})
    limits = kb.settings.root / "regulations" / "time_limits.yaml"
    limits.write_text(limits.read_text(encoding="utf-8").replace("name: 3个工作日\n    amount: 3",
                                                                 "name: 2个工作日\n    amount: 2"), encoding="utf-8")
    commit_all(kb.settings.root, "3wd 改为两个工作日")
    views = describe_all(kb, cr, kb.review.files(cr, kb.store.head()))
    [row] = [r for r in views[0].fields if r["字段"] == "办理时限"]
    assert (row["修改前"], row["修改后"]) == ("5个工作日", "2个工作日")
    [note] = tiers_moved(kb, cr, views)
    assert note.startswith("时限档位“3个工作日”在本变更发起后已在主干上改为“2个工作日”：本变更发布后按现行规定办理")
    # Which matters belong to a tier (its description) sets no time limit: nothing to tell.
    kb.review.withdraw(users["um-editor"], cr.id, "")
    quiet = kb.review.create(users["um-editor"], "时限改为3wd", {ROAD: edited(kb, ROAD, time_limit="3wd")})
    text = limits.read_text(encoding="utf-8")
    limits.write_text(text.replace("description: 一般求助", "description: 一般的求助"), encoding="utf-8")
    commit_all(kb.settings.root, "改写档位说明")
    assert tiers_moved(kb, quiet, describe_all(kb, quiet, kb.review.files(quiet, kb.store.head()))) == []


def test_names_as_published_are_the_requests_where_it_changed_them_and_mains_elsewhere():
    base = Choices({"a": "甲", "b": "乙", "c": "丙"}, {}, {"3wd": "3个工作日", "5wd": "5个工作日"}, {}, {})
    own = Choices({"a": "甲局", "b": "乙", "d": "丁"}, {}, {"3wd": "3个工作日", "5wd": "5个工作日"}, {}, {})
    main = Choices({"a": "甲", "b": "乙办", "c": "丙", "e": "戊"}, {}, {"3wd": "2个工作日", "5wd": "5个工作日"}, {}, {})
    merged = own.as_published(base, main)
    # renamed and added by the request, renamed and added on main, taken out by the request
    assert merged.units == {"a": "甲局", "b": "乙办", "d": "丁", "e": "戊"}
    assert merged.tiers == {"3wd": "2个工作日", "5wd": "5个工作日"}


def test_a_side_with_no_version_says_why_under_a_plain_heading():
    added = rendered_side_by_side(None, "新答复。")
    assert '<div class="cap">修改前</div><p class="none">新增条目，无现行版本</p>' in added
    assert "现行版本）" not in added and "新增或已删除" not in added
    deleted = rendered_side_by_side("旧答复。", None, "修改前（发布前的版本）", "修改后（已发布）")
    assert '<div class="cap">修改后</div><p class="none">删除条目，发布后不再有这一条目</p>' in deleted
    assert '<div class="cap">修改前（发布前的版本）</div>' in deleted


def test_a_change_to_the_time_limits_reads_in_words_tier_by_tier(sample_root):
    from kb_app.review.changes import limit_rows

    old = (sample_root / "regulations" / "time_limits.yaml").read_text(encoding="utf-8")
    new = (old.replace("amount: 3\n", "amount: 2\n", 1).replace("name: 3个工作日", "name: 2个工作日", 1)
           .replace("default_tier: 5wd", "default_tier: 3wd").replace("    - 停水\n", "    - 断水\n"))
    assert limit_rows(old, new) == [
        {"字段": "时限档位“3个工作日” · 名称", "修改前": "3个工作日", "修改后": "2个工作日"},
        {"字段": "时限档位“3个工作日” · 时限", "修改前": "3个工作日", "修改后": "2个工作日"},
        {"字段": "未写时限的条目采用", "修改前": "5个工作日", "修改后": "2个工作日"},
        {"字段": "7×24小时服务的关键词（删除的、新增的）", "修改前": "停水", "修改后": "断水"}]
    assert limit_rows(old, old) == [] and limit_rows(old, "tiers: [") == []
