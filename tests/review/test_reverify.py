"""When the rules change: a published regulation CR flags citing entries, units confirm, flags clear."""

import pytest

from kb_app.review import objection
from kb_app.review import reverify
from kb_app.exceptions import KbError, PermissionDenied

from ..review_helpers import make_users
from .test_impact import REG, amend, entry


def publish_all(kb, users, cr, *names):
    for name in names:
        cr = kb.review.approve(users[name], cr.id)
    assert cr.state == "published", (cr.state, kb.review.status(cr).missing)
    return cr


def regulation_cr(kb, users):
    text = kb.store.read(REG)
    return kb.review.create(users["center2"], "保定条例修正：新增第十三条、修改第十九条、删除第四十二条",
                            {REG: amend(text)}, submit=True)


def test_regulation_change_rewrites_renumbered_citations_in_the_same_cr(kb):
    users = make_users(kb)
    base = kb.snapshot()
    cr = regulation_cr(kb, users)
    head = kb.snapshot(cr.head)
    renumbered = [e for e in base.entry_list if any(r == "baoding-2022" and 13 <= n <= 41 and n != 19
                                                    for r, n in e.citations)]
    assert renumbered, "the sample cites renumbered Baoding articles"
    for e in renumbered:
        before = {(r, n) for r, n in e.citations if r == "baoding-2022"}
        after = {(r, n) for r, n in head.entries[e.id].citations if r == "baoding-2022"}
        expected = {(r, n + 1 if 13 <= n <= 41 else n) for r, n in before if n != 42}
        assert expected <= after, e.id
    assert reverify.pending_rewrites(kb, cr.base, cr.head) == {}


def test_the_same_cr_rewrites_deleted_citations_config_citations_and_the_questions(kb):
    from kb_app.content.validate import validate
    users = make_users(kb)
    kb.store.write_change("main", dict([entry("cites-forty-two", "city-hrss", [42, 5])]), "引用第四十二条的条目")
    base = kb.snapshot()
    cr = regulation_cr(kb, users)
    head = kb.snapshot(cr.head)
    changed = kb.store.changed_paths(cr.base, cr.head)
    assert {"regulations/time_limits.yaml", "regulations/intake_rules.yaml"} <= set(changed)
    assert all(t["basis"]["article"] == 20 for t in head.tiers.values())
    # The questions of old 19 are those of new 20; old 42's are gone.
    assert head.regulations["baoding-2022"].articles[20].questions == base.regulations["baoding-2022"].articles[19].questions
    citing_42 = [e.id for e in base.entry_list if ("baoding-2022", 42) in e.citations]
    assert citing_42, "the sample cites the deleted article"
    for eid in citing_42:
        assert ("baoding-2022", 42) not in head.entries[eid].citations
        assert any("原第四十二条（已删除）" in str(b.get("document")) for b in head.entries[eid].meta["basis"])
    assert {p.path for p in validate(head)} <= {p.path for p in validate(base)}
    assert reverify.pending_rewrites(kb, cr.base, cr.head) == {}
    assert kb.review.status(cr).required == ["center", "legal"]
    cr = publish_all(kb, users, cr, "center", "legal")
    assert set(citing_42) <= set(reverify.flags(kb))


def test_end_to_end_flag_task_confirm_clear(kb):
    users = make_users(kb)
    base = kb.snapshot()
    citing = sorted({e.id for e in base.entry_list if ("baoding-2022", 19) in e.citations or ("baoding-2022", 42) in e.citations})
    assert citing
    cr = regulation_cr(kb, users)
    publish_all(kb, users, cr, "center", "legal")
    flags = reverify.flags(kb)
    assert sorted(flags) == citing
    assert all(f.label == "依据已变更，待核" for f in flags.values())
    tasks = list(kb.db().query("select * from tasks where kind = 'basis_changed' and state = 'open'"))
    assert sorted(t["entry"] for t in tasks) == citing
    entry = next(e for e in kb.snapshot().policies() if e.id in citing)
    assert {t["unit"] for t in tasks if t["entry"] == entry.id} == {entry.unit}
    # The owning unit confirms the entry unchanged: a reviewed CR that records the check date.
    editor = kb.users.add("owner-editor", "单位编辑", "secret-pass-1", "unit_editor", entry.unit)
    reviewer = kb.users.add("owner-reviewer", "单位审核", "secret-pass-1", "unit_reviewer", entry.unit)
    confirm = reverify.confirm(kb, editor, [entry.id], "经核对，条例修改不影响本答复。")
    assert confirm.kind == "confirmation"
    status = kb.review.status(confirm)
    approvers = {"center": users["center"], f"unit:{entry.unit}": reviewer}
    for party in status.required:
        confirm = kb.review.approve(approvers[party], confirm.id)
    assert confirm.state == "published"
    assert entry.id not in reverify.flags(kb)
    assert kb.snapshot().entries[entry.id].checked == kb.today()
    closed = kb.db().execute("select state from tasks where kind = 'basis_changed' and entry = ?", [entry.id]).fetchone()[0]
    assert closed == "closed"
    assert len(reverify.flags(kb)) == len(citing) - 1
    assert kb.history(entry.id)[0].trailers["Change-Request"] == [str(confirm.id)]


def test_set_checked_keeps_the_file():
    text = "---\nid: a\ntitle: 标题  # 注释\n---\n正文\n"
    import datetime as dt
    once = reverify.set_checked(text, dt.date(2026, 11, 22))
    assert once == "---\nid: a\ntitle: 标题  # 注释\nchecked: 2026-11-22\n---\n正文\n"
    assert reverify.set_checked(once, dt.date(2026, 12, 1)).count("checked:") == 1


# -- objections -----------------------------------------------------------------------------------


def objection_setup(kb):
    users = make_users(kb)
    snap = kb.snapshot()
    entry = snap.entries["street-light-out"]  # city-urban-management leads, power-company assists
    assert entry.handler == "city-urban-management" and "district-xishan" not in entry.handler_units
    return users, entry, "district-xishan"


def test_objection_needs_center_and_the_proposed_unit(kb):
    users, entry, proposed = objection_setup(kb)
    cr = objection.file(kb, users["um-editor"], entry.id, "该事项属于区级市政设施养护职责，依据示例市城市管理职责分工。", proposed)
    status = kb.review.status(cr)
    assert {"center", f"unit:{proposed}", "unit:city-urban-management"} <= set(status.required)
    assert kb.snapshot(cr.head).entries[entry.id].handler == proposed


def test_objection_refused_by_the_proposed_unit_keeps_the_entry(kb):
    users, entry, proposed = objection_setup(kb)
    cr = objection.file(kb, users["um-editor"], entry.id, "该事项属于区级市政设施养护职责，依据示例市城市管理职责分工。", proposed)
    kb.review.approve(users["center"], cr.id)
    kb.review.reject(users["xs-reviewer"], cr.id, "该路段为市管道路，养护责任在市城管委，不同意改派。")
    assert kb.snapshot().entries[entry.id].handler == "city-urban-management"
    (record,) = objection.history(kb, entry.id)
    assert record["outcome"] == "异议不成立"
    assert "区级市政设施养护" in record["reasons"]
    assert any("不同意改派" in d["detail"] for d in record["decisions"])


def test_objection_accepted_reassigns_with_reasons_in_history(kb):
    users, entry, proposed = objection_setup(kb)
    power = kb.users.add("power-reviewer", "供电审核", "secret-pass-1", "unit_reviewer", "power-company")
    cr = objection.file(kb, users["um-editor"], entry.id, "该事项属于区级市政设施养护职责，依据示例市城市管理职责分工。", proposed)
    status = kb.review.status(cr)
    by_party = {"center": users["center"], "unit:city-urban-management": users["um-reviewer"],
                "unit:district-xishan": users["xs-reviewer"], "unit:power-company": power}
    for party in status.required:
        cr = kb.review.approve(by_party[party], cr.id)
    assert cr.state == "published"
    assert kb.snapshot().entries[entry.id].handler == proposed
    assert "异议理由" in kb.history(entry.id)[0].message
    assert objection.history(kb, entry.id)[0]["outcome"] == "异议成立，已改派"


def test_an_objection_may_keep_the_unit_as_co_handler_and_propose_the_boundary(kb):
    """应由西山区主办、城管委协办: the objecting unit stays on the matter, and its text says where each part goes."""
    users, entry, proposed = objection_setup(kb)
    boundary = entry.body.strip() + "\n\n区管道路的路灯由区政府负责；市管道路仍由城市管理委员会负责。"
    cr = objection.file(kb, users["um-editor"], entry.id, "区管道路的路灯养护属于区政府职责，依据区级道路养护分工。",
                        proposed, co_handle=True, boundary=boundary)
    head = kb.snapshot(cr.head).entries[entry.id]
    assert head.handler == proposed and head.co_handlers == ["city-urban-management", "power-company"]
    assert head.body.strip() == boundary
    assert cr.title.endswith("建议改由西山区人民政府主办、示例市城市管理委员会协办")
    assert "同时修改了职责边界（正文）" in cr.description and cr.data["co_handle"] and cr.data["boundary"]
    # without them, the unit leaves the matter and its text stays
    other = kb.snapshot().entries["heating-fee"]
    assert objection.reassign(kb.snapshot().files[other.path], other.handler, "city-market").count("city-market") == 1


def test_reassign_adds_the_co_handlers_line_when_there_was_none():
    text = "---\nid: x\nhandler: a\nlevel: city\n---\n正文\n"
    assert objection.reassign(text, "a", "b", co_handle=True) == "---\nid: x\nhandler: b\nco_handlers: [a]\nlevel: city\n---\n正文\n"
    assert objection.reassign(text, "a", "b") == "---\nid: x\nhandler: b\nlevel: city\n---\n正文\n"
    assert objection.reassign(text, "a", "b", body="新正文\n").endswith("---\n新正文\n")


def test_only_the_handler_may_object(kb):
    users, entry, proposed = objection_setup(kb)
    with pytest.raises(PermissionDenied):
        objection.file(kb, users["hrss-editor"], entry.id, "这不是我们的事情，理由很充分很充分。", proposed)
    with pytest.raises(KbError, match="异议理由"):
        objection.file(kb, users["um-editor"], entry.id, "不是", proposed)


def test_rewritten_citations_are_covered_by_the_regulation_reviewers_but_hand_edits_are_not(kb):
    users = make_users(kb)
    cr = regulation_cr(kb, users)
    assert kb.review.status(cr).required == ["center", "legal"]
    rewritten = min(p for p in kb.store.changed_paths(cr.base, cr.head) if p.startswith("entries/"))
    entry = kb.snapshot(cr.head).entry_by_path(rewritten)
    text = kb.store.read(rewritten, cr.head)
    cr = kb.review.update(users["center2"], cr.id, {rewritten: text + "\n补充一句说明。\n"})
    units = entry.handler_units if entry.kind == "directory" else [entry.unit]
    assert set(kb.review.status(cr).required) == {"center", "legal"} | {f"unit:{u}" for u in units}


def test_a_unit_settles_a_recheck_with_a_reviewed_confirmation_never_by_dismissing_it(kb, monkeypatch):
    """驳回 closed the task and left the mark for good; the task page and kb task confirm start the reviewed
    confirmation instead, and its publication clears both."""
    from click.testing import CliRunner

    from kb_app.cli import cli
    from kb_app.usage.tasks import TaskError

    from ..review_helpers import PASSWORD

    users = make_users(kb)
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    rows = list(kb.db().query("select id, entry, unit from tasks where kind = 'basis_changed' and state = 'open' "
                              "order by id"))
    first, second = [r for r in rows if r["unit"] == rows[0]["unit"]][:2] if len(rows) > 1 else (rows[0], None)
    editor = kb.users.add("owner-editor", "单位编辑", PASSWORD, "unit_editor", first["unit"])
    with pytest.raises(TaskError, match=f"不能驳回.*kb task confirm {first['id']}"):
        kb.feedback.dismiss(first["id"], "无需修改", editor)
    assert first["entry"] in reverify.flags(kb)
    confirm = kb.confirm_unchanged(editor, first["id"], "已核对新条文，职责边界不变")
    assert confirm.kind == "confirmation" and confirm.state == "in_review"
    assert "已核对新条文" in confirm.description
    # Until it is reviewed and published, the mark and the task stay (test_end_to_end_flag_task_confirm_clear).
    assert first["entry"] in reverify.flags(kb) and kb.feedback.task(first["id"]).state == "open"
    # From the command line, and only for a task of this kind.
    monkeypatch.setattr(type(kb), "reindex", lambda self, *a, **k: None)
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    if second is not None:
        out = CliRunner().invoke(cli, ["task", "confirm", str(second["id"]), "--as", "owner-editor", "--note", "无需修改", *root])
        assert out.exit_code == 0 and "审核通过发布后，“依据已变更，待核”标记清除" in out.output, out.output
    with pytest.raises(KbError, match="确认无需修改只用于规定变更后的复核"):
        kb.confirm_unchanged(editor, kb.feedback.open_task(first["unit"], "stale", first["entry"], "到期复核"), "")


def test_a_request_drafted_before_the_rule_changed_does_not_clear_the_mark(kb):
    """Published after the rule change, a request written before it was checked against the old rule: the
    mark and the task stay (the history replay agrees); one written after the change clears them."""
    users = make_users(kb)
    base = kb.snapshot()
    entry = base.entries["hotline-knowledge-base"]
    assert ("baoding-2022", 7) in entry.citations
    editor = kb.users.add("owner-editor", "单位编辑", "secret-pass-1", "unit_editor", entry.unit)
    reviewer = kb.users.add("owner-reviewer", "单位审核", "secret-pass-1", "unit_reviewer", entry.unit)
    text = base.files[entry.path]
    old = kb.review.create(editor, "补一句", {entry.path: text + "\n补充一句。\n"}, submit=True)
    regulation = kb.store.read(REG).replace("## 第七条\n\n", "## 第七条\n\n（修正）知识库应当每季度复核一次。", 1)
    assert regulation != kb.store.read(REG)
    publish_all(kb, users, kb.review.create(users["center2"], "保定条例修正第七条", {REG: regulation}, submit=True),
                "center", "legal")
    assert entry.id in reverify.flags(kb)

    def publish(cr):
        approvers = {"center": users["center"], f"unit:{entry.unit}": reviewer}
        for party in kb.review.status(cr).required:
            cr = kb.review.approve(approvers[party], cr.id)
        return cr

    from click.testing import CliRunner

    from kb_app.cli import cli

    shown = CliRunner().invoke(cli, ["search", "--audience", "agent", entry.title, "--root", str(kb.settings.root),
                                     "--data-dir", str(kb.settings.data_path)]).output
    assert next(line for line in shown.splitlines() if f"\t{entry.id}\t" in line).endswith("有效、依据已变更，待核、修改审核中 #1")
    # Its reviewers are told, on the page and by kb cr show.
    assert list(kb.rechecks_written_before(kb.review.get(old.id))) == [entry.id]
    shown = CliRunner().invoke(cli, ["cr", "show", str(old.id), "--root", str(kb.settings.root),
                                     "--data-dir", str(kb.settings.data_path)]).output
    assert f"  注意：“{entry.title}”的依据在本变更请求写成之后有了变更（保定市接诉即办工作条例 第七条内容已修改）" in shown, shown
    assert publish(old).state == "published"
    assert entry.id in reverify.flags(kb)
    assert [t.state for t in kb.feedback.open_tasks_of([entry.id], kinds=("basis_changed",))] == ["open"]
    assert set(reverify.flags_from_history(kb)) == set(reverify.flags(kb))
    confirmation = reverify.confirm(kb, editor, [entry.id])
    assert kb.rechecks_written_before(confirmation) == {}
    assert publish(confirmation).state == "published"
    assert entry.id not in reverify.flags(kb)
    assert set(reverify.flags_from_history(kb)) == set(reverify.flags(kb))


def test_a_second_rule_change_adds_its_reason_to_the_mark():
    from kb_app.review.impact import Reason, merged, reasons_from_text, render
    article, tier = Reason("changed", "baoding-2022", 19, 19), Reason("tier", tier="3wd")
    assert render(merged([article], [tier])) == "baoding-2022 第十九条内容已修改；时限档位 3wd 已变更"
    assert merged([tier], [tier]) == [tier]
    assert render(merged([], [article, tier]), {"baoding-2022": "保定市接诉即办工作条例"}) == \
        "保定市接诉即办工作条例 第十九条内容已修改；时限档位 3wd 已变更"
    # A mark written before its reasons were kept by reference is read back from its text.
    legacy = "beijing-2021 第十六条内容已修改（现为第十七条）；beijing-2021 第十八条已删除；时限档位 3wd 已变更；别的说明"
    assert reasons_from_text(legacy) == [Reason("changed", "beijing-2021", 16, 17), Reason("removed", "beijing-2021", 18),
                                         tier, Reason("text", text_="别的说明")]
    assert render(reasons_from_text(legacy)) == legacy


def test_agents_see_no_correction_under_way_on_answers_whose_citations_a_regulation_change_renumbers(kb):
    """While the amendment is reviewed, an answer whose only change in it is the rewritten article number says
    the same as before: no 修改审核中 for agents; editing it still warns that the request changes its file."""
    users = make_users(kb)
    base = kb.snapshot()
    cr = regulation_cr(kb, users)
    head = kb.snapshot(cr.head)
    renumbered = [e.id for e in base.entry_list if e.path in reverify.rewritten_only(base, head)]
    assert renumbered
    marks = kb.pending()
    assert not [e for e in renumbered if marks.get(e)]
    path = base.entries[renumbered[0]].path
    assert [c.cr for c in kb.under_way([path])[path]] == [cr.id]


# -- a later amendment renumbering the articles a mark names (walk J D12, D13.5, D13.7) ----------------

def insert_after(text, after):
    """A new article after ``after``, the later headings renumbered."""
    import re

    from kb_app.content.numerals import from_int, to_int

    def heading(m):
        n = to_int(m.group(1))
        new = f"## 第{from_int(n + 1)}条" if n > after else m.group(0)
        if n == after:
            new += "\n\n热线工作机构应当公开诉求办理进度，方便诉求人查询。\n\n## 第" + from_int(after + 1) + "条"
        return new
    return re.sub(r"^## 第(.+)条$", heading, text, flags=re.M)


def test_marks_and_tasks_follow_a_later_renumbering_and_name_the_regulation_by_title(kb):
    from .test_impact import entry as entry_file
    users = make_users(kb)
    kb.store.write_change("main", dict([entry_file("cites-forty-two", "city-hrss", [42, 5])]), "引用第四十二条的条目")
    title = kb.snapshot().regulations["baoding-2022"].title
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")   # reword 19 (now 20), delete 42
    marks = reverify.flags(kb)
    assert marks["road-pothole"].detail == f"{title} 第十九条内容已修改（现为第二十条）"
    assert marks["cites-forty-two"].detail == f"{title} 第四十二条已删除"
    (task,) = kb.feedback.open_tasks_of(["road-pothole"], kinds=("basis_changed",))
    assert task.detail.startswith(f"{title} 第十九条内容已修改（现为第二十条）。请核对答复内容")
    assert "baoding-2022" not in task.detail
    # A second amendment inserts an article after 第五条: what was 20 is 21, and the deleted 42 stays deleted.
    text = insert_after(kb.store.read(REG), 5)
    publish_all(kb, users, kb.review.create(users["center2"], "保定条例修正：第五条后新增一条", {REG: text}, submit=True),
                "center", "legal")
    snap = kb.snapshot()
    assert ("baoding-2022", 21) in snap.entries["road-pothole"].citations
    marks = reverify.flags(kb)
    assert marks["road-pothole"].detail == f"{title} 第十九条内容已修改（现为第二十一条）"
    assert marks["cites-forty-two"].detail == f"{title} 第四十二条已删除"
    assert not [c for c in snap.entries["cites-forty-two"].citations if c[1] > 40]
    assert kb.feedback.task(task.id).detail.startswith(f"{title} 第十九条内容已修改（现为第二十一条）。请核对答复内容")
    # The history replay (kb doctor, read replicas) says the same.
    replay = reverify.flags_from_history(kb)
    assert {e: f["detail"] for e, f in replay.items()} == {e: f.detail for e, f in marks.items()}


def test_a_second_rule_change_extends_the_open_recheck_task_instead_of_opening_another(kb):
    users = make_users(kb)
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    (task,) = kb.feedback.open_tasks_of(["road-pothole"], kinds=("basis_changed",))
    with kb.db_transaction() as db:   # opened on an earlier day: its due date is earlier than a new task's
        db["tasks"].update(task.id, {"due": "2026-11-20"})
    path = "regulations/time_limits.yaml"
    limits = kb.store.read(path).replace("amount: 3\n", "amount: 2\n", 1)
    cr = publish_all(kb, users, kb.review.create(users["center2"], "一般诉求改为2个工作日", {path: limits}, submit=True),
                     "center", "legal")
    assert "road-pothole" in reverify.flags(kb)
    assert reverify.flags(kb)["road-pothole"].detail.endswith("；时限档位“3个工作日”（3wd）已变更")
    (again,) = kb.feedback.open_tasks_of(["road-pothole"], kinds=("basis_changed",))
    assert again.id == task.id and again.due == "2026-11-20" and again.overdue
    assert "第十九条内容已修改" in again.detail and "时限档位“3个工作日”（3wd）已变更" in again.detail
    # The public answer stating the tier is marked too (walk J D6), and kb cr show said it would be.
    assert reverify.flags(kb)["hotline-time-limits"].detail.endswith("答复写明的时限“3个工作日”（档位 3wd）已变更")
    assert kb.feedback.open_tasks_of(["hotline-time-limits"], kinds=("basis_changed",))
    shown = "\n".join(kb.impact(kb.review.get(cr.id)).summary_lines())
    assert "hotline-time-limits（示例市12345市民服务热线中心）：答复写明的时限“3个工作日”（档位 3wd）已变更" in shown
    # An entry the first change did not touch gets its own task from the second.
    fresh = [e.id for e in kb.snapshot().directory() if e.time_limit == "3wd" and e.id != "road-pothole"]
    assert fresh and all(t.source == f"cr:{cr.id}" for t in kb.feedback.open_tasks_of(fresh, kinds=("basis_changed",)))
