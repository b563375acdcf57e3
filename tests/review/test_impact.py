"""Regulation change impact on the real Baoding text: insert after 第十二条, reword 第十九条, delete 第四十二条."""

import re

from kb_app.content import frontmatter
from kb_app.review.impact import analyse, citing_entries, compare_articles, rewrite_citations
from kb_app.content.model import Snapshot
from kb_app.content.numerals import from_int, to_int

REG = "regulations/texts/baoding-2022.md"
HEADING = re.compile(r"^## 第(.+)条$", re.M)


def amend(text):
    """Insert a new article after 12, reword 19, delete 42, renumbering the headings."""
    parts = re.split(r"(?=^## 第.+条$)|(?=^# )", text, flags=re.M)
    out, number = [], 0
    for part in parts:
        m = HEADING.match(part)
        if not m:
            out.append(part)
            continue
        old = to_int(m.group(1))
        body = part[m.end():]
        if old == 42:
            continue
        if old == 19:
            body = body.replace("原则上实行2小时、24小时、3个工作日和5个工作日四级处置模式", "实行2小时、12小时、24小时和3个工作日四级处置模式")
        number += 1
        out.append(f"## 第{from_int(number)}条{body}")
        if old == 12:
            number += 1
            out.append(f"## 第{from_int(number)}条\n\n热线工作机构应当建立诉求分类标准，定期向社会公布。\n\n")
    return "".join(out)


def with_entries(snap_files, extra):
    files = dict(snap_files)
    files.update(extra)
    return Snapshot(files)


def entry(eid, unit, cites):
    basis = "\n".join(f"  - {{regulation: baoding-2022, article: {n}}}" for n in cites)
    return (f"entries/policy/{unit}/{eid}.md",
            f"---\nid: {eid}\nkind: policy\ntitle: {eid}\nunit: {unit}\naudience: public\nbasis:\n{basis}\n"
            f"  - {{document: \"示政办发〔2024〕1号\"}}\n---\n正文\n")


def test_article_changes_are_named_exactly(kb):
    base = kb.snapshot()
    new_text = amend(base.files[REG])
    head = with_entries(base.files, {REG: new_text})
    changes = compare_articles(base.regulations["baoding-2022"], head.regulations["baoding-2022"])
    by_status = {}
    for c in changes:
        by_status.setdefault(c.status, []).append((c.old, c.new))
    assert by_status["added"] == [(None, 13)]
    assert by_status["changed"] == [(19, 20)]
    assert by_status["removed"] == [(42, None)]
    # Old 43 keeps its number: one article inserted before it, one deleted.
    assert by_status["unchanged"] == [(n, n) for n in range(1, 13)] + [(43, 43)]
    assert by_status["renumbered"] == [(n, n + 1) for n in range(13, 42) if n != 19]
    assert len(head.regulations["baoding-2022"].articles) == len(base.regulations["baoding-2022"].articles)


def test_impacted_entries_are_exactly_those_citing_19_and_42(kb):
    base_files = dict(kb.snapshot().files)
    extra = dict([entry("cites-nineteen", "hotline-center", [19]), entry("cites-forty-two", "city-hrss", [42]),
                  entry("cites-twenty", "hotline-center", [20, 5]), entry("cites-five", "city-hrss", [5])])
    base = with_entries(base_files, extra)
    head = with_entries(base.files, {REG: amend(base.files[REG])})
    impact = analyse(base, head)
    expected = {e.id for e in citing_entries(base, "baoding-2022", 19) + citing_entries(base, "baoding-2022", 42)}
    assert {"cites-nineteen", "cites-forty-two"} <= expected
    assert {c.entry_id for c in impact.impacted} == expected
    renumbered = {c.entry_id for c in impact.renumbered}
    assert "cites-twenty" in renumbered and "cites-five" not in renumbered
    assert not renumbered & expected
    # Renumbered-only citations now carry the new numbers; the unchanged one is left alone.
    meta, _, _ = frontmatter.parse(impact.rewrites["entries/policy/hotline-center/cites-twenty.md"])
    assert meta["basis"][:2] == [{"regulation": "baoding-2022", "article": 21}, {"regulation": "baoding-2022", "article": 5}]
    # The reworded article moved to 20: its citation follows it, and the entry is still flagged.
    meta, _, _ = frontmatter.parse(impact.rewrites["entries/policy/hotline-center/cites-nineteen.md"])
    assert meta["basis"][0]["article"] == 20
    assert "entries/policy/hotline-center/cites-five.md" not in impact.rewrites
    lines = "\n".join(impact.summary_lines())
    assert "新增第十三条" in lines and "删除原第四十二条" in lines and "修改：原第十九条 → 现第二十条" in lines


def test_rewrite_keeps_formatting_and_comments():
    text = ("---\nid: x  # 编号\nbasis:\n  - regulation: baoding-2022   # 保定\n    article: 20\n"
            "  - {regulation: beijing-2021, article: 20}\n---\n正文 article: 20\n")
    out = rewrite_citations(text, {("baoding-2022", 20): 21})
    assert out == text.replace("    article: 20\n", "    article: 21\n")


def test_unchanged_regulation_has_no_impact(kb):
    base = kb.snapshot()
    assert analyse(base, base).empty


def test_a_changed_time_limit_tier_flags_the_directory_entries_using_it(kb):
    base = kb.snapshot()
    path = "regulations/time_limits.yaml"
    text = base.files[path]
    head = Snapshot({**base.files, path: text.replace("amount: 24\n", "amount: 12\n", 1)})
    assert head.tiers["24h"]["amount"] == 12
    impact = analyse(base, head)
    assert impact.tier_changes == ["24h"] and impact.config_changes == [path]
    using = {e.id for e in base.directory() if e.time_limit == "24h"}
    assert using and {c.entry_id for c in impact.impacted} == using
    assert all("时限档位 24h 已变更" in c.reasons for c in impact.impacted)
