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
    assert using and {c.entry_id for c in impact.impacted if "时限档位“24小时”（24h）已变更" in c.reasons} == using
    # The others state the tier's figure (test_a_tier_change_marks_the_answers_stating_the_tier_…).
    assert all(c.reasons == ["答复写明的时限“24小时”（档位 24h）已变更"] for c in impact.impacted if c.entry_id not in using)


# -- deleted articles, regulations/*.yaml citations and the regulation's own questions (walk J D1, D4, D2) --

def test_a_citation_of_a_deleted_article_becomes_plain_text_and_never_points_to_its_successor(kb):
    from kb_app.content.validate import validate
    base = with_entries(kb.snapshot().files, dict([entry("cites-forty-two", "city-hrss", [42, 5])]))
    head = with_entries(base.files, {REG: amend(base.files[REG])})
    assert 42 in head.regulations["baoding-2022"].articles, "another article now has number 42"
    impact = analyse(base, head)
    path = "entries/policy/city-hrss/cites-forty-two.md"
    assert "cites-forty-two" in {c.entry_id for c in impact.impacted}
    meta, _, _ = frontmatter.parse(impact.rewrites[path])
    title = base.regulations["baoding-2022"].title
    assert meta["basis"][0] == {"document": f"{title} 原第四十二条（已删除）"}
    assert meta["basis"][1] == {"regulation": "baoding-2022", "article": 5}
    after = with_entries(head.files, {path: impact.rewrites[path]})
    assert ("baoding-2022", 42) not in after.entries["cites-forty-two"].citations
    assert not [p for p in validate(after) if p.path == path]


def test_config_citations_follow_renumbering_keeping_the_file(kb):
    base = kb.snapshot()
    head = with_entries(base.files, {REG: amend(base.files[REG])})
    impact = analyse(base, head)
    limits = "regulations/time_limits.yaml"
    text, new = base.files[limits], impact.rewrites[limits]
    assert new == text.replace("{regulation: baoding-2022, article: 19}", "{regulation: baoding-2022, article: 20}")
    after = with_entries(head.files, impact.rewrites)
    assert all(t["basis"] == {"regulation": "baoding-2022", "article": 20} for t in after.tiers.values())
    assert impact.tier_changes == [] and analyse(base, after).tier_changes == []
    intake = "regulations/intake_rules.yaml"
    old_cites = base.files[intake].count("{regulation: baoding-2022, article: 16}")
    assert old_cites and impact.rewrites[intake].count("{regulation: baoding-2022, article: 17}") >= old_cites
    assert "{regulation: beijing-2021, article: 11}" in impact.rewrites[intake]
    assert any("time_limits.yaml tiers[2h].basis" in c and "第十九条 → 第二十条" in c for c in impact.config_rewritten)


def test_a_config_citation_of_a_deleted_article_is_listed_not_repointed(kb):
    base = kb.snapshot()
    limits = "regulations/time_limits.yaml"
    text = base.files[limits].replace("article: 19}", "article: 42}", 1)
    base = with_entries(base.files, {limits: text})
    head = with_entries(base.files, {REG: amend(base.files[REG])})
    impact = analyse(base, head)
    assert "article: 42}" in impact.rewrites[limits] and "article: 43}" not in impact.rewrites[limits]
    assert impact.config_removed == [f"{limits} tiers[2h].basis：保定市接诉即办工作条例 第四十二条已删除，请改为现行条文"]
    assert "引用了已删除条文、需要人工改正的依据" in "\n".join(impact.summary_lines())


def test_an_entry_edited_in_the_change_that_still_cites_a_deleted_article_is_listed(kb):
    path, text = entry("cites-forty-two", "city-hrss", [42, 5])
    base = with_entries(kb.snapshot().files, {path: text})
    head = with_entries(base.files, {REG: amend(base.files[REG]), path: text.replace("正文", "改过的正文")})
    impact = analyse(base, head)
    assert impact.stale == [f"{path}：保定市接诉即办工作条例 第四十二条已删除（该条号现为另一条文），请改为现行条文或删去"]
    assert "引用了已删除条文、需要人工改正的依据" in "\n".join(impact.summary_lines())
    # Untouched by the author, it is rewritten instead, and nothing is listed.
    untouched = analyse(base, with_entries(base.files, {REG: amend(base.files[REG])}))
    assert untouched.stale == [] and path in untouched.rewrites


def test_the_regulations_questions_move_with_their_articles(kb):
    base = kb.snapshot()
    head = with_entries(base.files, {REG: amend(base.files[REG])})
    impact = analyse(base, head)
    new_text = impact.rewrites[REG]
    # Only the keys change (and the deleted article's block goes); the articles' text is the amended one.
    assert frontmatter.parse(new_text)[1] == frontmatter.parse(head.files[REG])[1]
    old_reg = base.regulations["baoding-2022"]
    after = with_entries(head.files, {REG: new_text}).regulations["baoding-2022"]
    for n in range(13, 42):
        assert after.articles[n + 1].questions == old_reg.articles[n].questions, n
    for n in range(1, 13):
        assert after.articles[n].questions == old_reg.articles[n].questions
    assert after.articles[13].questions == ()  # the new article
    assert after.articles[43].questions == old_reg.articles[43].questions
    assert not set(old_reg.articles[42].questions) & {q for a in after.articles.values() for q in a.questions}
    lines = "\n".join(impact.summary_lines())
    assert "条例常见问法已随条号调整：保定市接诉即办工作条例 原第十三条 → 第十四条" in lines
    assert "已删除条文的常见问法已一并删除：保定市接诉即办工作条例 原第四十二条" in lines
    # Applied once: the block now differs from the old one, so nothing more is rewritten.
    again = analyse(base, with_entries(head.files, {REG: new_text}))
    assert REG not in again.rewrites
    assert again.questions_shifted == impact.questions_shifted and again.questions_dropped == impact.questions_dropped


def test_questions_the_author_changed_are_left_alone(kb):
    base = kb.snapshot()
    amended = amend(base.files[REG]).replace("questions:  # 各条的常见问法（检索用）\n  1:\n",
                                             "questions:  # 各条的常见问法（检索用）\n  1:\n    - 新问法\n", 1)
    head = with_entries(base.files, {REG: amended})
    impact = analyse(base, head)
    assert REG not in impact.rewrites and not impact.questions_shifted


# -- answers stating a changed time-limit tier (walk J D6) ----------------------------------------------

def test_a_tier_change_marks_the_answers_stating_the_tier_and_lists_those_only_mentioning_its_figure(kb):
    base = kb.snapshot()
    path = "regulations/time_limits.yaml"
    text = base.files[path].replace("amount: 3\n", "amount: 2\n", 1).replace("name: 3个工作日", "name: 2个工作日", 1)
    impact = analyse(base, Snapshot({**base.files, path: text}))
    reasons = {c.entry_id: c.reasons for c in impact.impacted}
    stated = "答复写明的时限“3个工作日”（档位 3wd）已变更"
    # The answer on time limits (its text, its facts and the tier's basis article), answers saying a work order
    # goes to a unit within 3 working days, and directory entries naming it for one of their cases.
    for eid in ("hotline-time-limits", "hotline-spring-festival-2026", "street-vending", "noise-construction-night",
                "medical-resident-contribution-2027"):
        assert reasons[eid] == [stated], eid
    # Directory entries using the tier keep their own reason, once.
    assert reasons["road-pothole"] == ["时限档位“3个工作日”（3wd）已变更"]
    # A certificate issued within 3 working days is not the hotline's time limit: listed, not marked.
    assert "xinhua-residence-certificate" not in reasons
    (mention,) = [m for m in impact.tier_mentions if "新华街道如何开具居住证明" in m]
    assert "新华街道如何开具居住证明（东湖区新华街道办事处）" in mention  # by title and the unit's name, no ids
    lines = impact.summary_lines()
    assert "提到原时限、但看不出是热线工单时限的条目（未标记待核，请核对）：" in lines
    assert any(line.startswith("  hotline-time-limits（示例市12345市民服务热线中心）：" + stated) for line in lines)


def test_what_states_a_tier():
    from kb_app.content.model import Entry
    from kb_app.review.impact import states_tier
    tier = {"id": "2h", "name": "2小时", "basis": {"regulation": "baoding-2022", "article": 19}}

    def said(body, basis=""):
        return states_tier(Entry.from_text("entries/policy/u/x.md", f"---\nid: x\ntitle: 标题\n{basis}---\n{body}\n"), tier)
    assert said("派供水集团抢修，2小时内到场。") == "states"
    assert said("工单时限2小时。") == "states"
    assert said("营业时间延长2小时。") == "mentions"
    assert said("营业时间延长2小时。", "basis:\n  - {regulation: baoding-2022, article: 19}\n") == "states"
    assert said("到派出所办理，等候约2小时。") == "mentions"
    assert said("时限12小时。") is None and said("没有提到。") is None
    assert states_tier(Entry.from_text("entries/policy/u/x.md", "---\nid: x\n---\n时限2小时\n"), {"id": "2h"}) is None
    tier = {"id": "24h", "name": "24小时", "basis": {"regulation": "baoding-2022", "article": 19}}
    cites = "basis:\n  - {regulation: baoding-2022, article: 19}\n"
    body = "热线和供热企业提供**7×24小时**服务，请拨打**24小时**报修电话。"
    assert states_tier(Entry.from_text("entries/policy/u/x.md", f"---\nid: x\n{cites}---\n{body}\n"), tier) is None
    body += "报修后热力企业在**24小时**内上门处理。"
    assert states_tier(Entry.from_text("entries/policy/u/x.md", f"---\nid: x\n{cites}---\n{body}\n"), tier) == "states"
