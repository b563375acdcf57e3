"""Round-trip front-matter edits: what changes is the changed field, nothing else."""

import datetime as dt
import difflib
from unittest import mock
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_app.content import frontmatter
from kb_app.content import yamledit
from kb_app.content.yamledit import DELETE, same, update

REGULATIONS = ["beijing-2021", "baoding-2022"]
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "entries").rglob("*.md"))
HAND = """---
id: road-works   # 编号，与文件名相同
kind: policy
title: "道路施工"
# 常见问法：市民的说法
questions: [路挖了多久修好, 施工噪音]
category:
- 城市管理
-   道路
basis:
  - {regulation: beijing-2021, article: 11}   # 派单
  - regulation: baoding-2022
    article: 19
facts:
  电话: "12345"
agent_notes: |
  第一行
  第二行

review_by: 2027-06-30
---
正文
"""


def changed_lines(a: str, b: str) -> list[str]:
    return [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), n=0, lineterm="")
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


@pytest.mark.parametrize("changes, diff", [
    ({"title": "道路施工与修复"}, ['-title: "道路施工"', '+title: "道路施工与修复"']),
    ({"questions": ["路挖了多久修好", "施工噪音太大"]},
     ["-questions: [路挖了多久修好, 施工噪音]", "+questions: [路挖了多久修好, 施工噪音太大]"]),
    ({"category": ["城市管理", "桥梁"]}, ["--   道路", "+-   桥梁"]),
    ({"category": ["城市管理", "道路", "桥梁"]}, ["+- 桥梁"]),
    ({"basis": [{"regulation": "beijing-2021", "article": 12},
                {"regulation": "baoding-2022", "article": 19}]},
     ["-  - {regulation: beijing-2021, article: 11}   # 派单",
      "+  - {regulation: beijing-2021, article: 12}   # 派单"]),
    ({"basis": [{"regulation": "beijing-2021", "article": 11},
                {"regulation": "baoding-2022", "article": 20}]},
     ["-    article: 19", "+    article: 20"]),
    ({"facts": {"电话": "12345", "地址": "人民路1号"}}, ["+  地址: 人民路1号"]),
    ({"agent_notes": "第一行\n第二行改了\n"}, ["-  第二行", "+  第二行改了"]),
    ({"agent_notes": DELETE}, ["-agent_notes: |", "-  第一行", "-  第二行"]),
    ({"questions": DELETE}, ["-# 常见问法：市民的说法", "-questions: [路挖了多久修好, 施工噪音]"]),
    ({"review_by": dt.date(2027, 12, 31)}, ["-review_by: 2027-06-30", "+review_by: 2027-12-31"]),
    ({"checked": dt.date(2026, 11, 22)}, ["+checked: 2026-11-22"]),
])
def test_only_the_changed_field_changes(changes, diff):
    out = update(HAND, changes)
    assert changed_lines(HAND, out) == diff
    meta = frontmatter.parse(HAND)[0]
    for key, value in changes.items():
        meta.pop(key) if value is DELETE else meta.__setitem__(key, value)
    assert same(frontmatter.parse(out)[0], meta)


def test_a_new_field_goes_where_the_order_puts_it():
    out = update(HAND, {"expires": dt.date(2027, 1, 1), "unit": "city-housing"},
                 order=["id", "kind", "title", "questions", "unit", "category", "expires", "review_by"])
    lines = out.splitlines()
    assert lines.index("unit: city-housing") == lines.index("questions: [路挖了多久修好, 施工噪音]") + 1
    assert lines.index("expires: 2027-01-01") == lines.index("-   道路") + 1


def test_the_body_and_nothing_else():
    out = update(HAND, {}, body="新正文\n")
    assert out == HAND.replace("---\n正文\n", "---\n新正文\n")
    assert update(HAND, {"title": "道路施工"}) == HAND  # same value: byte for byte the same file


def test_crlf_bom_and_empty_front_matter():
    assert update("\ufeff---\r\nid: a\r\n---\r\nx\r\n", {"title": "标题"}) == "---\nid: a\ntitle: 标题\n---\nx\n"
    assert update("---\n---\n正文\n", {"id": "a", "kind": "policy"}) == "---\nid: a\nkind: policy\n---\n正文\n"


@pytest.mark.parametrize("value", ["  缩进开头\n第二行\n", "结尾没有换行\n第二行", "多个换行\n\n\n", "含 # 号: 和冒号",
                                   "'引号'", "yes", "12345", ""])
def test_awkward_strings_round_trip(value):
    for field in ("agent_notes", "title"):
        out = update(HAND, {field: value})
        assert frontmatter.parse(out)[0][field] == value


fields = st.sampled_from(["title", "questions", "keywords", "category", "agent_notes", "effective", "basis",
                          "facts", "regions", "new_field"])
text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
               min_size=1, max_size=12)
values = st.one_of(text, st.lists(text, max_size=4), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
                   st.lists(st.fixed_dictionaries({"regulation": st.sampled_from(REGULATIONS),
                                                   "article": st.integers(1, 60)}), max_size=3),
                   st.dictionaries(text, text, max_size=3), st.just(DELETE))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.dictionaries(fields, values, max_size=3))
def test_any_change_to_any_sample_file(path, changes):
    """The result reads back as intended, and every field not changed keeps its lines (no fallback)."""
    original = path.read_text(encoding="utf-8")
    meta = frontmatter.parse(original)[0]
    with mock.patch.object(yamledit, "_written_whole", side_effect=AssertionError("written out whole")):
        out = update(original, changes)
    expected = dict(meta)
    for key, value in changes.items():
        expected.pop(key, None) if value is DELETE else expected.__setitem__(key, value)
    assert same(frontmatter.parse(out)[0], expected)
    assert frontmatter.split(out)[1] == frontmatter.split(original)[1]
    raw = frontmatter.split(original)[0]
    for key, line in frontmatter.parse(original)[2].items():
        if key not in changes:
            assert raw.splitlines()[line - 2] in out.splitlines(), key
