"""The console's misses and false alarms as example calls for the emergency recogniser (kb_app.usage.calls)."""

import dataclasses

import pytest
import yaml

from kb_app import open_kb
from kb_app.content.validate import validate
from kb_app.review.changes import describe_all
from kb_app.dispatch.assistant import recogniser
from kb_app.exceptions import KbError, PermissionDenied
from kb_app.usage.calls import PATH, known_texts, with_examples

from ..review_helpers import make_users

MISSED = "楼下那辆面包车里一直有人拍窗户，电话13812345678"
FALSE_ALARM = "小区健身器材的铁管掉了，孩子差点被砸到"


def on(kb, day):
    return open_kb(dataclasses.replace(kb.settings, today=day))


def logged(kb):
    day = on(kb, "2026-11-20")
    log = day.feedback.log_outcome
    log(MISSED, "transfer", line="110")                                                  # nothing flagged
    log(MISSED, "transfer", line="110")                                                  # the same call again
    log("有人在小区里打架了", "transfer", line="110", urgency="emergency")                 # flagged: nothing to learn
    log(FALSE_ALARM, "dispatch", entry="street-light-out", line="119", urgency="dismissed")
    log("路灯坏了", "dispatch", entry="street-light-out")
    return day


def test_misses_and_false_alarms_not_yet_known_are_learnable(kb):
    day = logged(kb)
    assert day.learnable_calls() == [
        {"text": "楼下那辆面包车里一直有人拍窗户，电话[手机号]", "line": "110", "kind": "missed"},
        {"text": FALSE_ALARM, "line": "none", "kind": "false_alarm"}]
    assert day.learnable_calls(end=on(kb, "2026-11-19").today()) == []


def test_a_proposal_is_reviewed_then_the_recogniser_knows_the_calls(kb):
    users = make_users(kb)
    day = logged(kb)
    with pytest.raises(PermissionDenied, match="只有热线中心"):
        day.propose_call_examples(users["agent"])
    before = kb.store.read(PATH)
    learnt = recogniser(day.snapshot())
    assert learnt.recognise(MISSED) is None                                    # the miss: no event word, no resemblance
    p_missed, p_alarm = learnt.examples.probabilities(MISSED)["110"], learnt.examples.probabilities(FALSE_ALARM)["none"]
    cr = day.propose_call_examples(users["center"])
    assert cr.state == "in_review" and cr.title == "来电示例：补充 2 条（漏报 1、误报 1）"
    after = kb.store.read(PATH, cr.head)
    assert after.startswith(before) and after.splitlines()[len(before.splitlines()):] == [
        '  - {text: "楼下那辆面包车里一直有人拍窗户，电话[手机号]", line: "110"}',
        f'  - {{text: "{FALSE_ALARM}", line: "none"}}']
    with pytest.raises(KbError, match=f"变更请求 #{cr.id}"):
        day.propose_call_examples(users["center"])
    assert day.pending_call_examples().id == cr.id
    [view] = [v for v in describe_all(day, cr, day.review.files(cr)) if v.path == PATH]
    assert (view.kind_label, view.title) == ("配置", "来电示例（紧急情况识别）")       # the reviewer's words
    # … and the calls added, one a row, with the line in words (none: no emergency), not the YAML.
    assert view.items == [{"变化": "新增", "来电人的原话": "楼下那辆面包车里一直有人拍窗户，电话[手机号]", "应当": "转接 110"},
                          {"变化": "新增", "来电人的原话": FALSE_ALARM, "应当": "不是紧急情况"}]
    assert "楼下那辆面包车里一直有人拍窗户电话手机号" not in known_texts(kb.snapshot().config("intake_examples"))  # not before review
    assert set(kb.review.status(cr).required) == {"center", "legal"}
    kb.review.approve(users["legal"], cr.id)
    cr = kb.review.approve(users["center2"], cr.id)
    assert cr.state == "published"
    snap = day.snapshot()
    assert known_texts(snap.config("intake_examples")) >= {"楼下那辆面包车里一直有人拍窗户电话手机号"}
    assert day.learnable_calls() == []
    with pytest.raises(KbError, match="没有可以补充的来电"):
        day.propose_call_examples(users["center"])
    assert not [p for p in validate(snap) if p.path == PATH]
    learnt = recogniser(snap)
    assert learnt.examples.probabilities(MISSED)["110"] > p_missed
    assert learnt.examples.probabilities(FALSE_ALARM)["none"] > p_alarm


def test_examples_are_appended_or_the_file_is_written_anew():
    rows = [{"text": "有人 在剪锁", "line": "110"}]
    assert with_examples("examples:\n  - {text: 甲, line: none}\n", rows) == \
        'examples:\n  - {text: 甲, line: none}\n  - {text: "有人 在剪锁", line: "110"}\n'
    for text in (None, "", "examples: []\n", "# 注释\nexamples:\n  - {text: 甲, line: none}\nother: 1\n", "5\n"):
        data = yaml.safe_load(with_examples(text, rows))
        assert data["examples"][-1] == {"text": "有人 在剪锁", "line": "110"}, text
    assert yaml.safe_load(with_examples('examples:\n  - {text: "说\\"好\\"", line: none}\n',
                                        [{"text": '他说"快来"', "line": "110"}]))["examples"][1]["text"] == '他说"快来"'


def test_example_rows_of_a_change():
    from kb_app.review.changes import example_rows

    old = 'examples:\n  - {text: "有人晕倒了", line: "120"}\n  - {text: "路灯不亮", line: "none"}\n'
    new = 'examples:\n  - {text: "有人晕倒了", line: "120"}\n  - {text: "家里着火了", line: "119"}\n'
    assert example_rows(old, new) == [{"变化": "新增", "来电人的原话": "家里着火了", "应当": "转接 119"},
                                      {"变化": "删除", "来电人的原话": "路灯不亮", "应当": "不是紧急情况"}]
    assert example_rows(None, new)[0]["来电人的原话"] == "有人晕倒了"                  # a new file: every call
    assert example_rows(old, "examples: [") == []                                # unreadable: the source view shows it
