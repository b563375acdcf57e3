"""A change of the intake rules shows the reviewers the calls it reads otherwise (kb_app.review.intake_replay)."""

import datetime as dt

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.content.model import Snapshot
from kb_app.dispatch import assistant
from kb_app.kb import Kb
from kb_app.review import intake_replay

from ..review_helpers import PASSWORD, make_users

RULES = "regulations/intake_rules.yaml"
STREET_LIGHT = "路灯坏了好几天，能不能公开一下维修进度"
FACTORY_FIRE = "厂房失火了"
#: One word more for the information-disclosure rule (CR #4 of the tester's report).
OPENLY = ("      - 公开政府信息\n", "      - 公开政府信息\n      - 公开\n")
#: An event word of fires taken out.
NO_FIRE_WORD = (" 失火,", "")


@pytest.fixture
def users(kb, monkeypatch):
    monkeypatch.setattr(Kb, "reindex", lambda self, *a, **k: None)
    return make_users(kb)


def rules_changed(kb, users, edit, title="分类处置规则调整"):
    old, new = edit
    text = kb.store.read(RULES)
    assert old in text
    return kb.review.create(users["center2"], title, {RULES: text.replace(old, new, 1)}, submit=True)


def recorded_calls(kb):
    """Calls the console recorded: a street light dispatched, a fire transferred to 119 (both this month)."""
    kb.feedback.log_outcome(STREET_LIGHT, "dispatch", entry="street-light-out")
    kb.feedback.log_outcome(FACTORY_FIRE, "transfer", line="119")


def test_a_trigger_word_added_shows_the_ordinary_calls_it_takes_to_the_rule(kb, users):
    recorded_calls(kb)
    cr = rules_changed(kb, users, OPENLY)
    impact = kb.impact(cr)
    calls = impact.calls
    assert not calls.lost
    [shift] = calls.shifts
    assert (shift.before.kind, shift.after.kind, shift.after.rule) == ("ordinary", "rule", "information-disclosure")
    assert STREET_LIGHT in shift.examples and shift.count >= 2
    lines = impact.summary_lines()
    assert f"{shift.count} 条来电的分类会改变：" in lines
    assert f"  普通诉求（按派单目录派单） → 分类处置：政府信息公开申请：{shift.count} 条" in lines
    assert f"    例：{STREET_LIGHT}" in lines
    # the files changed by what reviewers call them, not by their paths
    assert "配置变化：分类处置规则" in lines and not any("regulations/" in line for line in lines)


def test_an_emergency_word_taken_out_shows_the_emergencies_lost_first(kb, users):
    recorded_calls(kb)
    cr = rules_changed(kb, users, NO_FIRE_WORD)
    calls = kb.impact(cr).calls
    assert calls.lost and calls.shifts[0].lost
    lost = next(s for s in calls.lost if FACTORY_FIRE in s.examples)
    assert (lost.before.kind, lost.before.line, lost.after.kind) == ("emergency", "119", "ordinary")
    lines = kb.impact(cr).summary_lines()
    assert lines[0] == f"{calls.lost_count} 条以往的紧急来电将不再提示为紧急（坐席不会先看到转接话术）："
    assert f"  紧急，转119（火灾和爆炸险情） → 普通诉求（按派单目录派单）：{lost.count} 条" in lines


def test_a_change_losing_emergencies_is_approved_only_knowingly(kb, users, monkeypatch):
    from kb_app.exceptions import ReviewStateError

    recorded_calls(kb)
    cr = rules_changed(kb, users, NO_FIRE_WORD)
    lost = kb.review.lost_emergencies(cr)
    assert lost == kb.impact(cr).calls.lost_count > 0
    with pytest.raises(ReviewStateError, match=f"会使 {lost} 条以往的紧急来电不再提示为紧急.*--accept-lost"):
        kb.review.approve(users["legal"], cr.id)
    assert not kb.review.status(kb.review.get(cr.id)).approvals
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    monkeypatch.setenv("KB_TODAY", kb.settings.today)
    where = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    refused = CliRunner().invoke(cli, ["cr", "approve", str(cr.id), "--as", "center", *where])
    assert refused.exit_code != 0 and f"会使 {lost} 条以往的紧急来电" in refused.output
    done = CliRunner().invoke(cli, ["cr", "approve", str(cr.id), "--as", "center", "--accept-lost", *where])
    assert done.exit_code == 0, done.output
    assert "center" in kb.review.status(kb.review.get(cr.id)).approvals
    # a change that loses none asks nothing more
    assert kb.review.lost_emergencies(rules_changed(kb, users, OPENLY, title="补充信息公开说法")) == 0


def test_a_changed_answer_script_reads_no_call_otherwise(kb, users):
    old = "请您向制作或者保存该信息的行政机关提出"
    cr = rules_changed(kb, users, (old, "请向制作或者保存该信息的行政机关提出"), title="话术调整")
    impact = kb.impact(cr)
    assert impact.calls is None
    assert not any("来电" in line for line in impact.summary_lines())


def test_calls_older_than_ninety_days_are_not_replayed(kb, users):
    kb.feedback.log_outcome(STREET_LIGHT, "dispatch", entry="street-light-out")
    db = kb.db()
    old = (kb.today() - dt.timedelta(days=91)).isoformat() + "T09:00:00"
    db.execute("update request_outcomes set at = ?", [old])
    db.conn.commit()
    db.conn.close()
    assert STREET_LIGHT not in intake_replay.recent_calls(kb)
    cr = rules_changed(kb, users, OPENLY)
    assert all(STREET_LIGHT not in s.examples for s in kb.impact(cr).calls.shifts)


def test_the_shortcuts_give_what_reading_every_call_through_intake_gives(kb):
    """Only calls a changed word may be found in are read again by the recogniser, and with only the example calls
    changed, only calls in which no event word was judged: the result is the one of reading every call through
    both snapshots' ``intake``."""
    base = kb.snapshot()
    examples = "regulations/intake_examples.yaml"
    calls = intake_replay.example_calls(base)
    texts = [t for t in calls if "火" in t][:100] + calls[::200] + [
        FACTORY_FIRE, "仓库失火了，快来人", "cangku shihuo le kuai lai ren", "小区物业公开收支账目吗", "楼道的灯一闪一闪的",
        "仓库着了，烟很大", "仓库里着了"]
    lookalike = "".join('  - {text: "楼道的灯一闪一闪的", line: "110"}\n' for _ in range(200))
    for path, edit, mode in ((RULES, NO_FIRE_WORD, "words"), (RULES, OPENLY, "rules"),
                             (examples, ("examples:\n", "examples:\n" + lookalike), "examples"),
                             (RULES, ("  window: 10 ", "  window: 4 "), "all"),
                             (RULES, ("[[烟道, 油锅, 锅里, 房子, 仓库,", "[[烟道, 油锅, 锅里, 房子,"), "words")):
        files = dict(base.files)
        assert edit[0] in files[path]
        files[path] = files[path].replace(*edit, 1)
        before, after = Snapshot(dict(base.files)), Snapshot(files)
        got = intake_replay.replay(before, after, texts, shown=len(texts))
        expected = {}
        for text in texts:
            b, h = (intake_replay.outcome(*assistant.intake(s, text)[1:]) for s in (before, after))
            if b != h:
                expected.setdefault((b, h), []).append(text)
        assert expected and {(s.before, s.after): s.examples for s in got.shifts} == expected, mode
        assert got.mode == mode


def test_kb_cr_show_prints_the_calls_read_otherwise(kb, users, monkeypatch):
    recorded_calls(kb)
    cr = rules_changed(kb, users, OPENLY)
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    monkeypatch.setenv("KB_TODAY", kb.settings.today)        # the command reads the calls of the suite's clock
    out = CliRunner().invoke(cli, ["cr", "show", str(cr.id), "--root", str(kb.settings.root),
                                   "--data-dir", str(kb.settings.data_path)]).output
    assert "条来电的分类会改变：" in out and f"例：{STREET_LIGHT}" in out
    assert "分类处置：政府信息公开申请" in out and "regulations/intake_rules.yaml" not in out.split("条例与配置变更的影响")[1]


def test_the_configuration_changed_is_named_as_people_call_it(kb):
    from kb_app.review.impact import analyse

    base = kb.snapshot()
    files = dict(base.files)
    limits = "regulations/time_limits.yaml"
    files[limits] = files[limits].replace("amount: 3\n", "amount: 2\n", 1)
    files[RULES] = files[RULES].replace(*OPENLY, 1)
    impact = analyse(base, Snapshot(files))
    assert impact.config_line() == "配置变化：时限档位“3个工作日”、办理时限、分类处置规则"
    assert impact.config_line() in impact.summary_lines()


# -- kept in the data directory ---------------------------------------------------------------------


def forget_in_memory():
    """What a restart of the staff app forgets."""
    intake_replay._CACHE.clear()
    intake_replay._READINGS.clear()


def test_a_change_shown_once_is_shown_after_a_restart_without_reading_calls_again(kb, users, monkeypatch):
    recorded_calls(kb)
    cr = rules_changed(kb, users, OPENLY)
    first = kb.impact(cr).calls
    assert (kb.settings.data_path / intake_replay.KEPT_FILE).is_file()
    forget_in_memory()
    replayed = []
    real_replay = intake_replay.replay
    monkeypatch.setattr(intake_replay, "replay", lambda *a, **k: replayed.append(1) or real_replay(*a, **k))
    assert kb.impact(cr).calls == first and not replayed
    # what other code kept is not used: it might read calls otherwise
    forget_in_memory()
    monkeypatch.setattr(intake_replay, "code_digest", lambda: "other-code")
    again = kb.impact(cr).calls
    assert again.shifts == first.shifts and replayed == [1]


def test_the_readings_of_calls_are_kept_and_give_what_reading_them_again_gives(kb, tmp_path, monkeypatch):
    from kb_app.dispatch.emergency import Recogniser

    base = kb.snapshot()
    calls = intake_replay.example_calls(base)
    texts = [t for t in calls if "火" in t][:60] + calls[::400] + [FACTORY_FIRE, "楼道的灯一闪一闪的"]
    examples = "regulations/intake_examples.yaml"
    lookalike = "".join('  - {text: "楼道的灯一闪一闪的", line: "110"}\n' for _ in range(200))
    for path, edit in ((examples, ("examples:\n", "examples:\n" + lookalike)), (RULES, ("  window: 10 ", "  window: 4 "))):
        files = dict(base.files)
        files[path] = files[path].replace(*edit, 1)
        before, after = Snapshot(dict(base.files)), Snapshot(files)
        forget_in_memory()
        fresh = intake_replay.replay(before, after, texts, shown=len(texts))
        forget_in_memory()
        kept = intake_replay.Kept(tmp_path / path.split("/")[-1])
        first = intake_replay.replay(Snapshot(dict(before.files)), Snapshot(dict(after.files)), texts,
                                     shown=len(texts), kept=kept)
        forget_in_memory()
        read = []
        real = Recogniser.recognise
        monkeypatch.setattr(Recogniser, "recognise", lambda self, text: read.append(text) or real(self, text))
        again = intake_replay.replay(Snapshot(dict(before.files)), Snapshot(dict(after.files)), texts,
                                     shown=len(texts), kept=kept)
        monkeypatch.setattr(Recogniser, "recognise", real)
        assert fresh.shifts and first.shifts == fresh.shifts == again.shifts, first.mode
        assert not read, first.mode


def test_a_finding_kept_on_disk_reads_back_as_it_was():
    from kb_app.dispatch.emergency import Finding

    finding = Finding("emergency", "medical", "120", "急症", "晕倒", signs=["现在"], reasons=["可能是过去的事"],
                      also=["110"], misheard=True, channel="120急救", fallback=True, yields=True, intended=True,
                      beside=("self-harm", "轻生"), resemblance=0.25, weak_signs=True)
    assert intake_replay._finding(intake_replay._finding_text(finding)) == finding
    assert intake_replay._finding(intake_replay._finding_text(None)) is None


def test_a_damaged_file_of_readings_costs_a_reading_not_the_review_page(kb, users, caplog):
    recorded_calls(kb)
    kb.settings.data_path.mkdir(parents=True, exist_ok=True)
    (kb.settings.data_path / intake_replay.KEPT_FILE).write_bytes(b"not a database" * 100)
    cr = rules_changed(kb, users, OPENLY)
    forget_in_memory()
    calls = kb.impact(cr).calls
    assert calls.shifts and STREET_LIGHT in calls.shifts[0].examples
    assert "来电重放的缓存" in caplog.text
