import dataclasses
import datetime as dt
import re

import pytest

from kb_app import load_settings, open_kb
from kb_app.accounts.auth import User
from kb_app.exceptions import AlreadyVoted, EntryNotFound, KbError, PermissionDenied
from kb_app.usage.suggest import missing_answers
from kb_app.usage.tasks import TaskError
from kb_app.content.frontmatter import dump

from ..conftest import TODAY, commit_all

ENTRY = "residence-permit-apply"  # city-public-security
EDITOR = User("ps-editor", "公安编辑", "unit_editor", "city-public-security")
OTHER = User("hrss-editor", "人社编辑", "unit_editor", "city-hrss")
CENTER = User("center", "中心校核", "center_reviewer", "hotline-center")

PII = ["13800138000", "138 0013 8000", "11010519491231002X", "6222020200001234567", "zhang.san@example.com",
       "010-12345678"]


def rows(kb, table):
    db = kb.db()
    try:
        return list(db[table].rows)
    finally:
        db.conn.close()


def test_search_log_is_masked_and_public_rows_are_anonymous(kb):
    pk = kb.feedback.log_search("居住证 我电话13800138000", "public", 0, username="someone", role="agent")
    kb.feedback.log_search("居住证", "agent", 3, username="agent1", role="agent")
    public, agent = rows(kb, "search_log")
    assert public["id"] == pk
    assert public["query"] == "居住证 我电话[手机号]"
    assert (public["username"], public["role"], public["hits"]) == (None, "public", 0)
    assert (agent["username"], agent["role"]) == ("agent1", "agent")
    assert public["at"].startswith("2026-11-22T")


def test_opening_a_result(kb):
    pk = kb.feedback.log_search("居住证", "public", 2)
    assert kb.feedback.log_open(ENTRY, pk) == pk
    row = rows(kb, "search_log")[0]
    assert (row["opened"], row["unit"]) == (ENTRY, "city-public-security")
    other = kb.feedback.log_open(ENTRY)  # opened without a search: a row of its own
    assert other != pk and rows(kb, "search_log")[1]["hits"] is None


def test_an_entry_opened_again_from_the_same_search_is_recorded_once(kb):
    pk = kb.feedback.log_search("居住证", "agent", 2, username="agent1", role="agent")
    kb.feedback.log_use(ENTRY, pk, "agent1")  # adopted on the console, then opened
    assert kb.feedback.log_open(ENTRY, pk, "agent", "agent1", "agent") == pk
    assert len(rows(kb, "search_log")) == 1
    other = kb.feedback.log_open("sscard-reissue", pk, "agent", "agent1", "agent")  # a second result
    search, opened = rows(kb, "search_log")
    assert opened["id"] == other and (opened["query"], opened["opened"], opened["hits"]) == ("居住证", "sscard-reissue", None)
    assert (search["opened"], search["used"]) == (ENTRY, 1)


def test_bad_audience(kb):
    with pytest.raises(KbError) as e:
        kb.feedback.log_search("x", "everyone", 0)
    assert str(e.value) == "受众“everyone”无效：应为 public（公众）、agent（坐席）或 staff（工作人员）。"


def test_no_unmasked_value_reaches_the_database(kb):
    text = "，".join(PII)
    kb.feedback.log_search(f"查询{text}", "public", 0)
    pk = kb.feedback.log_search(f"查询{text}", "agent", 1, username="agent1")
    kb.feedback.log_open(ENTRY, pk)
    kb.feedback.vote(ENTRY, False, "public", username="someone")
    kb.feedback.report_error(ENTRY, f"电话不对，应该是{text}", "public")
    kb.feedback.report_error(ENTRY, f"身份证{PII[2]}", "agent", username="agent1")
    kb.feedback.assign_query(f"无结果{text}", "city-hrss", CENTER, note=f"联系{PII[0]}")
    task = kb.feedback.list_tasks("city-public-security")[0]
    kb.feedback.dismiss(task.id, f"已电话联系{PII[0]}核实", EDITOR)
    db = kb.db()
    try:
        dumped = [str(v) for table in ("search_log", "votes", "reports", "tasks") for row in db[table].rows
                  for v in row.values() if v is not None]
    finally:
        db.conn.close()
    joined = "\n".join(dumped)
    digits = re.sub(r"\D", "", joined)
    for value in PII:
        assert value not in joined
        if len(re.sub(r"\D", "", value)) >= 10:
            assert re.sub(r"\D", "", value)[:10] not in digits
    assert "[手机号]" in joined and "[身份证号]" in joined and "[邮箱]" in joined and "[银行卡号]" in joined


def test_public_votes_and_reports_are_anonymous(kb):
    kb.feedback.vote(ENTRY, True, "public", username="someone")
    kb.feedback.report_error(ENTRY, "材料清单过时了", "public", username="someone")
    assert rows(kb, "votes")[0]["username"] is None
    assert rows(kb, "reports")[0]["username"] is None
    assert rows(kb, "votes")[0]["unit"] == "city-public-security"


def test_report_opens_a_task_due_in_working_days(kb):
    rid = kb.feedback.report_error(ENTRY, "办理地点已经搬迁", "agent", username="agent1")
    [task] = kb.feedback.list_tasks("city-public-security")
    assert (task.kind, task.kind_label, task.entry, task.source) == ("report", "纠错", ENTRY, f"report:{rid}")
    assert task.title == task.heading == "纠错：居住证如何申领"  # the kind is not said twice
    assert dataclasses.replace(task, title="居住证如何申领").heading == "［纠错］居住证如何申领"
    assert task.detail == "办理地点已经搬迁"
    # opened Sunday 2026-11-22; five working days: 11-23 … 11-27
    assert task.due == "2026-11-27" and not task.overdue and task.state_label == "待处理"
    assert kb.feedback.list_tasks("city-hrss") == []


def test_a_report_reading_as_an_emergency_is_kept_marked_for_those_who_read_it(kb):
    """The public site reads a report as it reads a search (kb.public_alarm): one that reads as an emergency is
    kept, masked as any, with what it reads as and the line the reporter was told, and its task says so."""
    text = "办不下来居住证我不想活了，今晚就从楼上跳下去，电话13800138000"
    alarm = kb.public_alarm(text)
    rid = kb.feedback.report_error(ENTRY, text, "public", alarm=alarm)
    ordinary = kb.feedback.report_error(ENTRY, "材料清单过时了", "public")
    marked, plain = rows(kb, "reports")
    assert (marked["id"], marked["alarm"], marked["alarm_line"]) == (rid, "有人要轻生", "110")
    assert "[手机号]" in marked["text"] and "13800138000" not in marked["text"]
    assert (plain["id"], plain["alarm"], plain["alarm_line"]) == (ordinary, None, None)
    titles = {t.source: t.title for t in kb.feedback.list_tasks("city-public-security")}
    assert titles == {f"report:{rid}": "纠错（读来像紧急情况：有人要轻生）：居住证如何申领",
                      f"report:{ordinary}": "纠错：居住证如何申领"}


def test_report_errors(kb):
    with pytest.raises(KbError) as e:
        kb.feedback.report_error(ENTRY, "  ")
    assert str(e.value) == "纠错内容不能为空：请写明哪里有误、正确的应当是什么。"
    with pytest.raises(EntryNotFound) as e:
        kb.feedback.report_error("no-such-entry", "错了")
    assert str(e.value) == "条目“no-such-entry”不存在：请检查编号，或刷新页面后重试。"


def test_overdue_tasks_are_marked(kb, tmp_path):
    kb.feedback.report_error(ENTRY, "电话号码变了", "agent")
    later = open_kb(dataclasses.replace(kb.settings, today="2026-11-30"))
    [task] = later.feedback.list_tasks("city-public-security")
    assert task.overdue and task.state_label == "已超期"
    assert [t.id for t in later.feedback.overdue()] == [task.id]
    assert kb.feedback.overdue() == []


def test_unhelpful_votes_open_one_task(kb):
    for _ in range(2):
        kb.feedback.vote(ENTRY, False)
    kb.feedback.vote(ENTRY, True)
    assert kb.feedback.list_tasks() == []
    kb.feedback.vote(ENTRY, False)  # the third "not helpful" (threshold 3)
    [task] = kb.feedback.list_tasks()
    assert (task.kind, task.unit, task.entry) == ("unhelpful", "city-public-security", ENTRY)
    assert task.detail == "自上次处理以来有 3 人评价“没有帮助”，请检查答复是否准确、清楚。"
    kb.feedback.vote(ENTRY, False)
    assert len(kb.feedback.list_tasks()) == 1
    kb.feedback.generate_tasks()
    assert [t.id for t in kb.feedback.list_tasks() if t.kind == "unhelpful"] == [task.id]


def test_dismiss(kb):
    kb.feedback.report_error(ENTRY, "我觉得不对", "public")
    [task] = kb.feedback.list_tasks()
    with pytest.raises(TaskError) as e:
        kb.feedback.dismiss(task.id, " ", EDITOR)
    assert str(e.value) == "驳回维护任务必须填写理由：请说明为什么不需要修改条目。"
    with pytest.raises(PermissionDenied) as e:
        kb.feedback.dismiss(task.id, "不需要", OTHER)
    assert str(e.value) == f"维护任务 #{task.id} 属于单位“示例市公安局”，只有该单位或热线中心可以处理。"
    done = kb.feedback.dismiss(task.id, "条目内容与现行规定一致", EDITOR)
    assert (done.state, done.state_label, done.closed_by, done.close_reason) == (
        "dismissed", "已驳回", "ps-editor", "条目内容与现行规定一致")
    assert rows(kb, "reports")[0]["state"] == "dismissed"
    assert kb.feedback.list_tasks() == []
    with pytest.raises(TaskError) as e:
        kb.feedback.dismiss(task.id, "再驳回", CENTER)
    assert str(e.value) == f"维护任务 #{task.id} 的状态是“已驳回”，只能驳回待处理的任务：请刷新任务列表。"
    with pytest.raises(TaskError) as e:
        kb.feedback.dismiss(9999, "x")
    assert str(e.value) == "维护任务 #9999 不存在：请刷新任务列表后重试。"


def test_published_change_closes_the_entrys_tasks(kb):
    kb.feedback.report_error(ENTRY, "材料变了", "agent")
    kb.feedback.report_error("sscard-reissue", "地址变了", "agent")
    closed = kb.feedback.close_tasks_for_entries([ENTRY, "unrelated"], "0123456789abcdef")
    assert len(closed) == 1
    task = kb.feedback.task(closed[0])
    assert (task.state, task.entry, task.close_reason) == ("closed", ENTRY, "已由发布的变更（提交 0123456789）处理。")
    assert [t.entry for t in kb.feedback.list_tasks()] == ["sscard-reissue"]
    assert [r["state"] for r in rows(kb, "reports")] == ["closed", "open"]


def test_a_published_edit_closes_only_the_tasks_marked_as_resolved(kb):
    """Publishing a change to an entry leaves its other tasks open; only the marked ones close."""
    from ..review_helpers import make_users

    users = make_users(kb)
    kb.feedback.report_error(ENTRY, "材料变了", "agent")
    kb.feedback.report_error(ENTRY, "地址也变了", "public")
    marked, other = sorted(t.id for t in kb.feedback.list_tasks("city-public-security"))
    path = kb.snapshot().entries[ENTRY].path
    editor = kb.users.add("ps-editor2", "公安编辑", "secret-pass-1", "unit_editor", "city-public-security")
    reviewer = kb.users.add("ps-reviewer2", "公安审核", "secret-pass-1", "unit_reviewer", "city-public-security")
    cr = kb.review.create(editor, "更新材料", {path: kb.store.read(path) + "\n补充说明。\n"}, submit=True,
                          data={"resolves": [marked]})
    kb.review.approve(reviewer, cr.id)
    kb.review.approve(users["center"], cr.id)
    assert kb.review.get(cr.id).state == "published"
    assert [t.id for t in kb.feedback.list_tasks("city-public-security")] == [other]
    assert [r["state"] for r in rows(kb, "reports")] == ["closed", "open"]


def write_policy(root, unit, entry_id, **dates):
    meta = {"id": entry_id, "kind": "policy", "title": f"测试条目{entry_id}", "unit": unit, "audience": "public",
            **dates}
    path = root / "entries" / "policy" / unit / f"{entry_id}.md"
    path.write_text(dump(meta, "正文。"), encoding="utf-8")


def test_generate_tasks_is_idempotent(kb, sample_root):
    import datetime as dt

    write_policy(sample_root, "city-hrss", "t-expiring", expires=dt.date(2026, 12, 10))
    write_policy(sample_root, "city-hrss", "t-far", expires=dt.date(2027, 3, 1))
    write_policy(sample_root, "city-hrss", "t-review", review_by=dt.date(2026, 11, 1))
    write_policy(sample_root, "city-hrss", "t-review-later", review_by=dt.date(2026, 12, 1))
    commit_all(sample_root, "测试条目")
    new = kb.feedback.generate_tasks()
    assert new
    mine = {(t.entry, t.kind) for t in kb.feedback.list_tasks("city-hrss") if t.entry.startswith("t-")}
    assert mine == {("t-expiring", "expiring"), ("t-review", "review_due")}
    [exp] = [t for t in kb.feedback.list_tasks("city-hrss") if t.entry == "t-expiring"]
    assert exp.detail == "条目有效期至 2026-12-10，次日起公众看不到，请确认是否延续、更新或下线。"
    assert kb.feedback.generate_tasks() == []  # second run: nothing new
    kb.feedback.dismiss(exp.id, "到期后自动下线，无需延续", CENTER)
    assert kb.feedback.generate_tasks() == []  # a dismissed task is not reopened for the same cause


def test_assign_zero_result_query(kb):
    pk = kb.feedback.assign_query("灵活就业 社保补贴", "city-hrss", CENTER)
    task = kb.feedback.task(pk)
    assert (task.kind, task.unit, task.entry, task.title) == ("zero_result", "city-hrss", "", "缺失的答复：灵活就业 社保补贴")
    assert kb.feedback.assigned_queries() == {"灵活就业 社保补贴"}
    with pytest.raises(TaskError) as e:
        kb.feedback.assign_query("灵活就业 社保补贴", "city-hrss", CENTER)
    assert str(e.value) == "查询“灵活就业 社保补贴”已分派给该单位，无需重复分派。"
    with pytest.raises(TaskError) as e:
        kb.feedback.assign_query("x", "no-unit", CENTER)
    assert str(e.value) == "单位“no-unit”不在 regulations/units.yaml 中：请从单位名录中选择。"
    # a unit written by its name, its alias or a mistyped id: the id meant is named
    for written, meant in (("人社局", "city-hrss"), ("示例市公安局", "city-public-security"), ("city_HRSS", "city-hrss")):
        with pytest.raises(TaskError) as e:
            kb.feedback.assign_query("x", written, CENTER)
        assert f"是否是“{meant}”（{kb.snapshot().unit_name(meant)}）？" in str(e.value), written
    assert "是否是“city-hrss”" in kb.unknown_filter(unit="city-hrs")[1]
    assert kb.snapshot().unit_meant("city-former-commerce") == ""   # abolished: offered to nobody
    with pytest.raises(PermissionDenied) as e:
        kb.feedback.assign_query("x", "city-hrss", EDITOR)
    assert str(e.value) == "只有热线中心校核人员或管理员可以分派缺失的答复。"


def test_ignore_a_missing_answer_query(kb):
    """asdfghjkl calls for no answer: set aside with a reason, it is neither assigned nor anybody's open task."""
    from click.testing import CliRunner
    from kb_app.cli import cli

    task = kb.feedback.ignore_query("asdfghjkl", "无意义的输入", CENTER)
    assert (task.unit, task.state, task.close_reason) == ("hotline-center", "dismissed", "无意义的输入")
    assert kb.feedback.ignored_queries() == {"asdfghjkl"} and kb.feedback.assigned_queries() == set()
    with pytest.raises(TaskError) as e:
        kb.feedback.ignore_query("asdfghjkl", "无意义的输入", CENTER)
    assert str(e.value) == "查询“asdfghjkl”已经忽略过，无需重复操作。"
    with pytest.raises(TaskError) as e:
        kb.feedback.ignore_query("qwerty", " ", CENTER)
    assert str(e.value) == "忽略缺失的答复必须填写理由：请说明为什么不需要补充答复（如“无意义的输入”）。"
    with pytest.raises(PermissionDenied) as e:
        kb.feedback.ignore_query("qwerty", "无意义", EDITOR)
    assert str(e.value) == "只有热线中心校核人员或管理员可以忽略缺失的答复。"
    from ..review_helpers import PASSWORD

    kb.users.add("center", "中心校核", PASSWORD, "center_reviewer", None)
    kb.users.add("ps-editor", "公安编辑", PASSWORD, "unit_editor", "city-public-security")
    runner = CliRunner(env={"KB_TODAY": TODAY, "KB_PASSWORD": PASSWORD})
    args = ["task", "ignore", "qwerty", "--reason", "无意义的输入", "--root", str(kb.settings.root),
            "--data-dir", str(kb.settings.data_dir)]
    res = runner.invoke(cli, [*args, "--as", "ps-editor"])
    assert res.exit_code == 1 and "只有热线中心校核人员或管理员可以忽略缺失的答复" in res.output
    res = runner.invoke(cli, [*args, "--as", "center"])
    assert res.exit_code == 0, res.output
    assert res.output == "已忽略查询“qwerty”：同样的问法不再列入缺失的答复。\n"
    (ignored,) = [t for t in kb.feedback.list_tasks("hotline-center", state=None) if "qwerty" in t.title]
    assert ignored.closed_by == "center"
    assert kb.feedback.ignored_queries() == {"asdfghjkl", "qwerty"}


def test_task_due_date_when_the_calendar_lacks_the_year(sample_root, tmp_path):
    """Five working days from Monday 28 December run into 2027, which the calendar lacks: the task is due on a
    provisional date, counted as a dispatch's is (29, 30, 31 December, 1 January a fixed holiday, then 2 and 3
    January, a weekend counted: never later than the published arrangement will give), and says so."""
    kb = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d2", today="2026-12-28"))
    kb.feedback.report_error(ENTRY, "地址变了", "agent")
    [task] = kb.feedback.list_tasks()
    assert (task.due, task.due_provisional, task.due_label) == ("2027-01-03", True, "2027-01-03（暂定）")
    assert not task.overdue
    assert task.detail.splitlines()[1] == "期限暂定：2027年节假日安排尚未公布，暂按周末也上班推算，公布后期限可能推后、不会提前。"
    late = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d2", today="2027-01-04"))
    assert late.feedback.task(task.id).overdue                      # a provisional date comes due as any other


def test_task_due_workdays_setting(sample_root, tmp_path):
    kb = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d3", today=TODAY, task_due_workdays=2))
    kb.feedback.report_error(ENTRY, "地址变了", "agent")
    assert kb.feedback.list_tasks()[0].due == "2026-11-24"


def test_a_browser_session_votes_once_per_entry(kb):
    from kb_app.exceptions import AlreadyVoted

    kb.feedback.vote(ENTRY, True, voter="session-a")
    with pytest.raises(AlreadyVoted, match="您已经评价过这条答复"):
        kb.feedback.vote(ENTRY, False, voter="session-a")
    kb.feedback.vote(ENTRY, False, voter="session-b")
    kb.feedback.vote("sscard-reissue", False, voter="session-a")
    kb.feedback.vote(ENTRY, True)                     # a vote without a session (the CLI, old clients)
    votes = list(kb.db()["votes"].rows)
    assert [(v["entry"], v["helpful"]) for v in votes] == [(ENTRY, 1), (ENTRY, 0), ("sscard-reissue", 0),
                                                           (ENTRY, 1)]
    assert not any("session-" in str(v["voter"]) for v in votes)      # only digests of the keys are kept


def test_contacts_kept_before_are_deleted_by_the_migration(tmp_path):
    import sqlite_utils

    from kb_app import db as kbdb

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    kbdb.migrations.apply(old, stop_before="m012_votes_per_session_no_contact")
    old["reports"].insert({"entry": "x", "text": "t", "contact": "[手机号]"})
    old.conn.close()
    db = kbdb.connect(path)
    assert [r["contact"] for r in db["reports"].rows] == [None]


def test_an_answer_naming_one_the_public_cannot_open_becomes_a_task_until_it_is_mended(kb, sample_root):
    kb.feedback.generate_tasks()
    tasks = {t.entry: t for t in kb.feedback.list_tasks(None, state=None) if t.kind == "reference"}
    assert set(tasks) == {"water-bill-payment", "medical-resident-contribution-2026"}
    water = tasks["water-bill-payment"]
    assert (water.unit, water.title, water.state) == ("water-group", "提到的答复打不开：水费怎么交，阶梯水价怎么算", "open")
    # said as the unit's editor sees it: the answer named by its title, no id, no line of the file
    assert "公众在本答复公开期间打不开：\n正文提到的“2027年居民阶梯水价调整”答复（即“2027年1月1日起居民阶梯水价调整”）2027-01-01 才生效" in water.detail
    assert "water-tiered-price-2027" not in water.detail and "第 35 行" not in water.detail
    assert kb.feedback.generate_tasks() == []                            # the same cause: no second task
    path = sample_root / "entries/policy/water-group/water-bill-payment.md"
    path.write_text(path.read_text(encoding="utf-8").replace("请查看\"2027年居民阶梯水价调整\"答复",
                                                             "届时请拨打12345咨询"), encoding="utf-8")
    commit_all(sample_root, "不再提到未生效的答复")
    kb.feedback.generate_tasks()
    water = kb.feedback.task(water.id)
    assert water.state == "closed"


def test_a_fact_two_units_give_differently_becomes_a_task_for_each_until_it_is_mended(kb, sample_root):
    """The sample's 南河区 notice gives the gas repair number as 0000-66515234, the gas group's answers
    0000-66551234: each unit is told once, and the tasks close when the numbers agree."""
    kb.feedback.generate_tasks()
    tasks = {t.unit: t for t in kb.feedback.list_tasks(None, state=None) if t.kind == "inconsistent_fact"}
    assert set(tasks) == {"district-nanhe", "gas-group"}
    nanhe = tasks["district-nanhe"]
    assert (nanhe.entry, nanhe.title) == ("nanhe-gas-safety-notice", "核对“燃气报修电话”：南河区农村\"煤改气\"用户燃气安全使用提示")
    assert nanhe.detail == ("各单位答复中的“燃气报修电话”（燃气）说法不一致，2 种说法分别见：南河区人民政府《南河区农村\"煤改气\""
                            "用户燃气安全使用提示》；示例市燃气集团有限公司《燃气费怎么交，IC卡燃气表怎么充值》、"
                            "示例市燃气集团有限公司《闻到燃气味怎么办，燃气怎么报修》、示例市燃气集团有限公司《燃气入户安检和燃气软管更换》。"
                            "请打开这些答复核对，与相关单位核实后改正说错的一方。")
    assert tasks["gas-group"].entry in {"gas-bill-payment", "gas-leak-emergency", "gas-safety-inspection"}
    assert kb.feedback.generate_tasks() == []                            # the same cause: no second task
    path = sample_root / "entries/policy/district-nanhe/nanhe-gas-safety-notice.md"
    path.write_text(path.read_text(encoding="utf-8").replace("66515234", "66551234"), encoding="utf-8")
    commit_all(sample_root, "改正燃气报修电话")
    kb.feedback.generate_tasks()
    assert {kb.feedback.task(t.id).state for t in tasks.values()} == {"closed"}


def test_refresh_generates_the_tasks_at_most_every_few_minutes_of_a_day(kb, sample_root):
    import datetime as dt

    assert kb.feedback.refresh()                      # the first look: the sample's tasks are opened
    write_policy(sample_root, "city-hrss", "t-expiring", expires=dt.date(2026, 12, 10))
    commit_all(sample_root, "测试条目")
    assert kb.feedback.refresh() is None              # fresh: nothing is generated again
    [new] = kb.feedback.refresh(max_age=0)            # stale: the new entry's task
    assert kb.feedback.task(new).entry == "t-expiring"


def calendar_tasks(kb):
    return [t for t in kb.feedback.list_tasks(state=None) if t.kind == "calendar"]


def test_a_year_the_calendar_lacks_becomes_one_task_for_the_hotline_center_weeks_ahead(sample_root, tmp_path):
    kb = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d", today="2026-12-05"))
    kb.feedback.generate_tasks()
    [task] = calendar_tasks(kb)
    assert (task.unit, task.entry, task.heading) == ("hotline-center", "", "工作日历缺少年份：2027 年")
    assert task.detail.startswith("工作日历缺少 2027 年的数据（regulations/calendar.yaml 和 chinesecalendar 包都没有）："
                                  "还有 27 天进入 2027 年")
    assert "在 regulations/calendar.yaml 的 years 下增加“2027:”" in task.detail
    assert "如“- {date: 2027-MM-DD, name: 节日名称}”" in task.detail
    assert kb.feedback.generate_tasks() == []                            # once, not on every run
    later = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d", today="2026-12-20"))
    later.feedback.generate_tasks()                                      # later, with fewer days left
    assert len(calendar_tasks(later)) == 1
    path = sample_root / "regulations" / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  2027:\n    holidays: []\n    workdays: []\n", encoding="utf-8")
    commit_all(sample_root, "增加 2027 年（测试用的空数据）")
    later.feedback.generate_tasks()
    [task] = calendar_tasks(later)
    assert task.state == "closed" and task.close_reason == "工作日历已有该年的数据。"


def test_no_calendar_task_while_the_next_year_is_far(sample_root, tmp_path):
    kb = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d", today="2026-06-01"))
    kb.feedback.generate_tasks()
    assert calendar_tasks(kb) == []


def test_tasks_opened_while_the_calendar_lacked_a_year_get_their_due_date_once_it_has_it(sample_root, tmp_path):
    """Five working days from 28 December reach into 2027: no due date then; once 2027 is in the calendar
    the next run gives it, counted from the day the task was opened."""
    late = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "d", today="2026-12-28"))
    late.feedback.report_error("residence-permit-apply", "办理地点搬迁了", "agent")
    [task_id] = [t.id for t in late.feedback.list_tasks("city-public-security") if t.kind == "report"]
    assert late.feedback.task(task_id).due_label == "2027-01-03（暂定）"
    path = sample_root / "regulations" / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  2027:\n    holidays: [{date: 2027-01-01, name: 元旦}]\n"
                    "    workdays: []\n", encoding="utf-8")
    commit_all(sample_root, "增加 2027 年（测试用）")
    late.feedback.generate_tasks()
    # 29、30、31 December, then 4 and 5 January (1 January a holiday, 2 and 3 a weekend): final now.
    task = late.feedback.task(task_id)
    assert (task.due, task.due_provisional, task.due_label) == ("2027-01-05", False, "2027-01-05")


# -- request outcomes of a call -----------------------------------------------------------------------


def outcomes(kb):
    return [(r["outcome"], r["entry"]) for r in rows(kb, "request_outcomes")]


def test_an_answer_taken_for_a_call_counts_it_answered_directly_once(kb):
    pk = kb.feedback.log_search("社保卡丢了怎么补办", "agent", 3, username="agent1", role="agent")
    first = kb.feedback.answered("sscard-reissue", "社保卡丢了怎么补办", "call-1", pk, "agent1", "agent")
    # Taken again (采用此答复, then 复制答复), and another answer for the same call: still one direct answer.
    assert kb.feedback.answered("sscard-reissue", "社保卡丢了怎么补办", "call-1", pk, "agent1", "agent") == first
    assert kb.feedback.answered(ENTRY, "社保卡丢了怎么补办", "call-1", None, "agent1", "agent") == first
    assert outcomes(kb) == [("direct_answer", "sscard-reissue")]
    [search] = rows(kb, "search_log")
    assert (search["opened"], search["used"]) == ("sscard-reissue", 1)  # evidence for the suggested phrasings
    [day] = kb.stats.direct_answers_per_day()
    assert (day["requests"], day["direct"], day["rate"]) == (1, 1, 1.0)
    kb.feedback.answered(ENTRY, "居住证怎么办", "call-2", None, "agent1", "agent")  # the next call counts again
    assert outcomes(kb) == [("direct_answer", "sscard-reissue"), ("direct_answer", ENTRY)]


def test_a_call_answered_and_then_dispatched_ends_dispatched(kb):
    kb.feedback.answered("sscard-reissue", "路灯坏了", "call-1", None, "agent1", "agent")
    kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", username="agent1", call="call-1")
    assert outcomes(kb) == [("dispatch", "street-light-out")]
    # An answer taken after the dispatch leaves the call dispatched.
    kb.feedback.answered("sscard-reissue", "路灯坏了", "call-1", None, "agent1", "agent")
    assert outcomes(kb) == [("dispatch", "street-light-out")]
    [day] = kb.stats.direct_answers_per_day()
    assert (day["requests"], day["direct"], day["dispatched"]) == (1, 0, 1)


def test_a_dispatch_withdrawn_leaves_the_call_answered_as_before(kb):
    """撤销本次派单 of a call answered from the search: the call counts as answered with that answer again, as it
    was before the dispatch (its time, words and agent), not as never settled; one not answered before is not
    settled at all."""
    agent = kb.users.add("agent1", "王坐席", "correct-horse-1", "agent")
    kb.feedback.answered("sscard-reissue", "社保卡丢了怎么补办", "call-1", None, "agent1", "agent")
    [before] = rows(kb, "request_outcomes")
    history_id = kb.dispatch_history.confirm(agent, "路灯坏了", "street-light-out", 1)
    outcome_id = kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", username="agent1",
                                         role="agent", call="call-1")
    assert outcome_id == before["id"] and outcomes(kb) == [("dispatch", "street-light-out")]
    assert kb.withdraw_dispatch(agent, history_id, outcome_id)["outcome"] == "direct_answer"
    assert rows(kb, "request_outcomes") == [before]
    [day] = kb.stats.direct_answers_per_day()
    assert (day["requests"], day["direct"], day["dispatched"]) == (1, 1, 0)
    # Dispatched again and taken back again: still the answer; a call dispatched only leaves nothing.
    history_id = kb.dispatch_history.confirm(agent, "路灯坏了", "street-light-out", 1)
    kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", username="agent1", call="call-1")
    assert kb.withdraw_dispatch(agent, history_id, outcome_id)["outcome"] == "direct_answer"
    assert rows(kb, "request_outcomes") == [before]
    history_id = kb.dispatch_history.confirm(agent, "路灯坏了", "street-light-out", 1)
    other = kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", username="agent1", call="call-2")
    assert kb.withdraw_dispatch(agent, history_id, other)["outcome"] is None
    assert rows(kb, "request_outcomes") == [before]


def test_each_matter_of_a_call_is_settled_on_its_own(kb):
    """路灯坏了，另外社保卡丢了咋补办: the question answered (the call's first matter) and the rest dispatched (the
    second) are one answer and one order; a matter taken again still counts once."""
    call = "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办"
    kb.feedback.answered("sscard-reissue", call, "call-1", None, "agent1", "agent")
    kb.feedback.log_outcome("我们小区门口路灯坏了", "dispatch", entry="street-light-out", call="call-1", matter=1)
    kb.feedback.log_outcome("我们小区门口路灯坏了", "dispatch", entry="street-light-out", call="call-1", matter=1)
    assert [(r["outcome"], r["entry"], r["matter"]) for r in rows(kb, "request_outcomes")] == [
        ("direct_answer", "sscard-reissue", 0), ("dispatch", "street-light-out", 1)]
    [day] = kb.stats.direct_answers_per_day()
    assert (day["requests"], day["direct"], day["dispatched"]) == (2, 1, 1)
    for bad in (-1, "1", True):
        with pytest.raises(KbError, match="事项序号"):
            kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", call="call-1", matter=bad)


def test_transfers_of_a_call_are_each_recorded_and_outcomes_without_a_call_as_before(kb):
    kb.feedback.log_outcome("有人打架还有人受伤了", "transfer", line="110", call="call-1")
    kb.feedback.log_outcome("有人打架还有人受伤了", "transfer", line="120", call="call-1")
    kb.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    kb.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    assert [r["line"] for r in rows(kb, "request_outcomes")][:2] == ["110", "120"]
    assert len(rows(kb, "request_outcomes")) == 4


def test_an_answer_for_a_call_needs_the_call(kb):
    with pytest.raises(KbError, match="来电标识"):
        kb.feedback.answered("sscard-reissue", "社保卡丢了", "", None, "agent1", "agent")
    with pytest.raises(EntryNotFound):
        kb.feedback.answered("street-light-out", "路灯坏了", "call-1", None, "agent1", "agent")  # no answer to give


# -- repeats of one asker ------------------------------------------------------------------------------


def keyed_search(at, query="失业金多少天内申请", asker="key:partner", hits=0, weak=False):
    return {"type": "search", "at": at, "query": query, "hits": hits, "audience": "public", "asker": asker,
            **({"weak": True} if weak else {})}


def test_an_asker_polling_a_search_counts_once_in_the_statistics(kb):
    """A partner's system polling a question (110 times in 30 s, as a publication-timing script did) is one
    request: not the month's top query, hot issue or missing answer."""
    day = TODAY
    polls = [keyed_search(f"{day}T10:00:{s % 60:02d}") for s in range(110)]
    opens = [{"type": "open", "at": f"{day}T10:00:{s:02d}", "entry": ENTRY, "query": "失业金多少天内申请",
              "audience": "public", "asker": "key:partner"} for s in range(5)]
    assert kb.feedback.log_events(polls[:60] + opens) == 2
    assert kb.feedback.log_events(polls[60:]) == 0                       # the next batch: still the same request
    for user in ("p-1", "p-2", "p-1"):                                 # people a platform names: each counts
        kb.feedback.log_events([keyed_search(f"{day}T10:01:00", asker=user)])
    kb.feedback.log_events([keyed_search(f"{day}T10:11:00")])          # minutes later: asked again
    kb.feedback.log_events([keyed_search(f"{day}T10:11:30", query="社保卡网上补办多久寄到")])  # another question
    kb.feedback.log_events([{**keyed_search(f"{day}T10:12:00"), "asker": None}] * 2)  # no asker named
    date = dt.date.fromisoformat(TODAY)
    top = {r["query"]: r["searches"] for r in kb.stats.top_queries(date, date)}
    assert top == {"失业金多少天内申请": 1 + 2 + 1 + 2, "社保卡网上补办多久寄到": 1}
    missing = {q: g["searches"] for g in missing_answers(kb, date, date) for q in g["queries"]}
    assert missing["失业金多少天内申请"] == 6
    assert kb.hot.report(date, date).totals["searches"] == 7


def test_who_asked_is_kept_only_while_a_repeat_can_be_recognised(kb):
    day = TODAY
    kb.feedback.log_events([keyed_search(f"{day}T09:00:00")])
    assert rows(kb, "search_log")[0]["asker"] not in (None, "key:partner")   # a digest, never the key's name
    kb.feedback.log_events([keyed_search(f"{day}T09:30:00", query="社保卡补办")])
    first, second = rows(kb, "search_log")
    assert first["asker"] is None and second["asker"] is not None


def test_an_agent_searching_again_during_the_call_is_one_request(kb):
    first = kb.feedback.log_search("居住证", "agent", 3, username="agent1", role="agent", asker="call:1")
    assert kb.feedback.log_search("居住证", "agent", 3, username="agent1", role="agent", asker="call:1") == first
    other = kb.feedback.log_search("居住证", "agent", 3, username="agent1", role="agent", asker="call:2")
    assert other != first and len(rows(kb, "search_log")) == 2       # the next caller asking the same counts


def test_one_address_votes_once_per_answer_per_day(kb):
    """A script dropping its session cookie votes again and again from one address: one vote a day counts. The
    address is kept as a digest of it and the day, cleared the next day; other addresses (a NAT's other citizens
    on other answers, or anyone elsewhere) are not held back."""
    first = kb.feedback.vote(ENTRY, False, voter="session-1", address="203.0.113.7")
    for i in range(2, 6):                                             # a new session each time
        assert kb.feedback.vote(ENTRY, i % 2 == 0, voter=f"session-{i}", address="203.0.113.7") == first
    assert kb.feedback.list_tasks("city-public-security") == []       # no 多次无帮助 from one address
    kb.feedback.vote("sscard-reissue", True, voter="session-1", address="203.0.113.7")     # another answer
    kb.feedback.vote(ENTRY, False, voter="session-9", address="198.51.100.2")              # another address
    stored = rows(kb, "votes")
    assert [(v["entry"], v["helpful"]) for v in stored] == [(ENTRY, 0), ("sscard-reissue", 1), (ENTRY, 0)]
    assert all(v["address"] and "203.0.113" not in str(v) and "198.51" not in str(v) for v in stored)
    with pytest.raises(AlreadyVoted):                                 # the same session: refused as before
        kb.feedback.vote(ENTRY, True, voter="session-1", address="198.51.100.2")
    tomorrow = open_kb(load_settings(root=kb.settings.root, data_dir=kb.settings.data_path, today="2026-11-23"))
    assert tomorrow.feedback.vote(ENTRY, False, voter="session-10", address="203.0.113.7") != first
    assert [v["address"] is None for v in rows(kb, "votes")] == [True, True, True, False]  # yesterday's forgotten


def test_the_address_digest_is_keyed_with_a_secret_kept_beside_the_database(kb, tmp_path):
    """Trying every IPv4 address of a day against a copy of the database (a backup holds only the database) finds
    none: the digest is keyed with the data directory's own key, made on first use, readable by its owner only."""
    import stat

    from kb_app.usage import feedback

    kb.feedback.vote(ENTRY, False, voter="session-1", address="203.0.113.7")
    stored = rows(kb, "votes")[0]["address"]
    day = kb.today()
    assert stored != feedback.address_digest("203.0.113.7", day)           # the unkeyed digest anyone can make
    key_file = kb.settings.data_path / feedback.ADDRESS_KEY
    assert stored == feedback.address_digest("203.0.113.7", day, key_file.read_bytes())
    assert len(key_file.read_bytes()) == 32 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other-data"
    assert feedback.address_key(other) != key_file.read_bytes()            # each data directory its own
    assert feedback.address_key(other) == (other / feedback.ADDRESS_KEY).read_bytes()
    assert [p.name for p in other.iterdir()] == [feedback.ADDRESS_KEY]     # nothing left of writing it


def test_the_same_report_from_one_address_is_kept_once_a_day(kb):
    rid = kb.feedback.report_error(ENTRY, "罚款金额写错了，应该是500元", "public", address="203.0.113.7")
    for _ in range(3):
        assert kb.feedback.report_error(ENTRY, " 罚款金额写错了，应该是500元 ", "public", address="203.0.113.7") == rid
    other = kb.feedback.report_error(ENTRY, "办理地点已经搬迁", "public", address="203.0.113.7")   # other words
    elsewhere = kb.feedback.report_error(ENTRY, "罚款金额写错了，应该是500元", "public", address="198.51.100.2")
    agent = kb.feedback.report_error(ENTRY, "罚款金额写错了，应该是500元", "agent", username="agent1")
    assert len({rid, other, elsewhere, agent}) == 4 and len(rows(kb, "reports")) == 4
    assert len(kb.feedback.list_tasks("city-public-security")) == 4
    assert not any("203.0.113" in str(r) for r in rows(kb, "reports"))
