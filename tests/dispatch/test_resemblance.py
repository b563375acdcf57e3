"""Calls that resemble past emergencies (kb_app.dispatch.resemblance): the second reading of the recogniser."""

import datetime as dt
import json
from collections import Counter

from kb_app.content.model import Snapshot
from kb_app.dispatch import resemblance
from kb_app.dispatch.assistant import dispatch, public_alarm, recogniser
from kb_app.dispatch.emergency import SUSPECTED, Recogniser
from kb_app.dispatch.resemblance import CallExamples, from_config, runs

from .test_emergency import CONFIG, RULES

EXAMPLES = [
    ("有人在车棚剪电动车的锁，正在往外推", "110"),
    ("两个人拿着钳子在剪自行车锁", "110"),
    ("我妈一边脸麻了，说话含糊", "120"),
    ("老伴半边身子麻了，说话含含糊糊", "120"),
    ("电动车的锁坏了，去哪修", "none"),
    ("自行车停车棚太小了", "none"),
    ("说话声音太大吵到邻居", "none"),
]


def test_runs_are_characters_and_pairs_and_triples_without_punctuation():
    assert runs("剪锁，快！") == {"剪", "锁", "快", "剪锁", "锁快", "剪锁快"}
    assert runs(" ，。") == set()


def test_a_call_resembles_the_line_of_its_like(monkeypatch):
    monkeypatch.setattr(resemblance, "THRESHOLD", 0.85)     # seven examples make no certainty
    monkeypatch.setattr(resemblance, "MIN_RUNS", 0)
    examples = CallExamples(EXAMPLES)
    line, p = examples.resembles("有人拿钳子在剪车棚里电动车的锁")
    assert line == "110" and p >= resemblance.THRESHOLD
    assert examples.resembles("我爸一边脸麻了，说话含含糊糊")[0] == "120"
    assert examples.resembles("自行车停车棚能不能扩建") is None
    p = examples.probabilities("一边脸麻了")
    assert abs(sum(p.values()) - 1) < 1e-9 and max(p, key=p.get) == "120"


def test_no_examples_of_either_kind_tell_nothing():
    assert not CallExamples([])
    assert not CallExamples([("有人剪锁", "110")])          # no ordinary call to compare with
    assert not CallExamples([], ["社保卡怎么补办"])
    assert CallExamples([("有人剪锁", "110")], ["社保卡怎么补办"])
    assert CallExamples([]).probabilities("有人剪锁") == {} and CallExamples([]).resembles("有人剪锁") is None


def test_a_long_ordinary_call_is_not_learnt_from():
    """A long story of an accident that ends in a question carries the emergency's words: counted without the
    words around them, it would teach that they are ordinary."""
    story = ("上个月我们楼下着了一次火，消防车来了很快就扑灭了，没人受伤，但是现在楼道里全是黑的，墙皮都掉了，"
             "物业说不归他们管，我想问问这个到底谁负责粉刷")
    assert len(story) > resemblance.LONG_ORDINARY
    examples = CallExamples([("楼下着火了，楼道里全是烟", "119"), (story, "none")], ["社保卡怎么补办"])
    assert examples.calls == {"119": 1, "none": 1}                   # the question, not the story
    assert examples.counts["none"] == Counter(runs("社保卡怎么补办"))


def test_a_long_complaint_is_not_made_certain_by_its_length():
    """The fit is averaged over a call's runs: many ordinary words do not add up to certainty."""
    examples = CallExamples(EXAMPLES)
    short = examples.probabilities("车棚太小")["none"]
    long = examples.probabilities("车棚太小" * 1 + "，停车的地方不够，自行车停车棚应该扩建一下，说话声音也太大")["none"]
    assert short > 0.5 and long > 0.5


def test_a_few_words_are_little_evidence(monkeypatch):
    """A call of a few characters is read as if it had MIN_RUNS runs: it leans less far from the prior."""
    examples = CallExamples(EXAMPLES)
    monkeypatch.setattr(resemblance, "MIN_RUNS", 0)
    sure = examples.probabilities("脸麻了")["120"]
    monkeypatch.setattr(resemblance, "MIN_RUNS", 40)
    assert examples.probabilities("脸麻了")["120"] < sure


def test_unreadable_examples_are_skipped():
    examples = from_config({"examples": [{"text": "有人在剪锁", "line": "110"}, {"text": ""}, {"line": "120"}, "x",
                                         {"text": "锁坏了", "line": None}, {"text": 5, "line": "119"}]})
    assert dict(examples.calls) == {"110": 1, "none": 1}
    assert not from_config(None) and not from_config({"examples": "x"})


def test_the_recogniser_suspects_a_call_without_event_words_that_resembles_emergencies(monkeypatch):
    monkeypatch.setattr(resemblance, "THRESHOLD", 0.85)
    monkeypatch.setattr(resemblance, "MIN_RUNS", 0)
    rec = Recogniser(CONFIG, RULES, CallExamples(EXAMPLES))
    finding = rec.recognise("有人拿钳子在剪车棚里电动车的锁")
    assert (finding.state, finding.line, finding.rule_id) == (SUSPECTED, "110", "police")
    assert finding.alarm and finding.resemblance >= resemblance.THRESHOLD and finding.word == ""
    assert "与以往转110的紧急来电很相似" in finding.explanation() and "无法判断是否正在发生" in finding.explanation()
    assert json.dumps(finding.to_dict(), ensure_ascii=False)
    # Without examples, or with a not-now word anywhere in the call, nothing is suspected.
    assert Recogniser(CONFIG, RULES).recognise("有人拿钳子在剪车棚里电动车的锁") is None
    assert rec.recognise("上个月有人拿钳子在剪车棚里电动车的锁") is None
    assert rec.recognise("有人拿钳子在剪车棚里电动车的锁，要赔偿") is None
    # … unless a sign says it is going on now all the same (the past told as how it began).
    again = rec.recognise("上个月丢过一辆，刚才又有人拿钳子在剪车棚里电动车的锁")
    assert again is not None and (again.state, again.line) == (SUSPECTED, "110")
    # The agent is told it is alike, not a figure that reads as certainty.
    assert "%" not in finding.explanation()
    # An event word decides as before: the examples are not read.
    assert rec.recognise("刚才有人打架").state == "emergency"
    # A line with no transfer rule is never suggested.
    assert Recogniser(CONFIG, RULES[:2], CallExamples(EXAMPLES)).recognise("有人拿钳子在剪车棚里电动车的锁") is None


def test_the_sample_suspects_described_emergencies_and_leaves_ordinary_requests(kb):
    snap = kb.snapshot()
    assert "intake_examples" in snap.configs and len(snap.config("intake_examples")["examples"]) >= 1500
    finding = recogniser(snap).recognise("我爷爷一边脸麻了，看东西重影，走路往一边偏")
    assert (finding.state, finding.line) == (SUSPECTED, "120") and finding.resemblance
    r = dispatch(snap, "楼下有个人拿钳子在剪自行车的锁，已经推走两辆了", dt.datetime(2026, 11, 20, 16, 0))
    assert (r.urgency, r.rule.transfer_to) == ("suspected", "110")
    assert public_alarm(snap, "我爷爷一边脸麻了，看东西重影，走路往一边偏")["line"] == "120"
    for text in ("顶楼一下雨就往屋里漏水", "小区门口路灯不亮", "上个月有人剪了我电动车的锁", "社保卡丢了怎么补办"):
        assert recogniser(snap).recognise(text) is None, text
    # Without the examples file the sample reads by its event words alone.
    files = {k: v for k, v in snap.files.items() if k != "regulations/intake_examples.yaml"}
    assert recogniser(Snapshot(files)).recognise("我爷爷一边脸麻了，看东西重影，走路往一边偏") is None


def test_validation_names_the_examples_that_cannot_be_read(kb):
    from kb_app.content.validate import validate

    snap = kb.snapshot()
    bad = "examples:\n  - {text: 有人在剪锁, line: \"110\"}\n  - {text: 有人晕倒, line: \"911\"}\n  - {line: \"120\"}\n"
    problems = validate(Snapshot({**snap.files, "regulations/intake_examples.yaml": bad}))
    found = [(p.line, p.field, p.message) for p in problems if p.path == "regulations/intake_examples.yaml"]
    assert [(line, field) for line, field, _ in found] == [(3, "line"), (4, "text")]
    assert "911" in found[0][2]
    wrong = validate(Snapshot({**snap.files, "regulations/intake_examples.yaml": "examples: 5\n"}))
    assert any(p.path == "regulations/intake_examples.yaml" and p.field == "examples" for p in wrong)
    assert not [p for p in validate(snap) if p.path == "regulations/intake_examples.yaml"]


def test_example_calls_are_counted_once_per_set_of_texts():
    """Every publication makes a new snapshot; the same example calls are not counted again for it."""
    config = {"examples": [{"text": t, "line": line} for t, line in EXAMPLES]}
    first = from_config(config, ["社保卡丢了怎么补办"])
    assert from_config(config, ["社保卡丢了怎么补办"]) is first
    assert from_config(config, ["社保卡丢了怎么补办", "路灯不亮"]) is not first
    more = {"examples": [*config["examples"], {"text": "有人在楼道里放火", "line": "119"}]}
    assert from_config(more, ["社保卡丢了怎么补办"]) is not first
    assert from_config(more, ["社保卡丢了怎么补办"]).calls["119"] == first.calls["119"] + 1
