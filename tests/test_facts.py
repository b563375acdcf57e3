"""Structured facts read against the answer's own text and against other answers (kb_app.facts)."""

import pytest

from kb_app import facts
from kb_app.content import frontmatter
from kb_app.content.model import Entry, Snapshot

SSCARD = "entries/policy/city-hrss/sscard-reissue.md"
GAS = "entries/policy/gas-group/gas-leak-emergency.md"


def entry(body: str, path="entries/policy/u/e.md", **fact_values) -> Entry:
    meta = {"id": path.rsplit("/", 1)[1][:-3], "kind": "policy", "title": "标题", "unit": "u", "audience": "public",
            "category": ["社保"], "facts": fact_values}
    return Entry.from_text(path, frontmatter.dump(meta, body))


@pytest.mark.parametrize("value, read", [
    ("免费", ("金额", {"0"})),
    ("每人每月1395元", ("金额", {"1395"})),
    ("0000-66551234", ("电话", {"0000-66551234"})),
    ("12345", ("电话", {"12345"})),
    ("2%", ("比例", {"2"})),
    ("1年", ("时间", {"1年"})),
    ("5个工作日", ("时间", {"5工作日"})),
    ("15天", ("时间", {"15日"})),
    ("11月15日至次年3月15日", None),               # two dates: no one value
    ("本市户籍老人", None),
])
def test_what_a_fact_holds(value, read):
    assert facts.reading(value) == read


@pytest.mark.parametrize("body, disagrees", [
    # the walk's case: the text changed to 20元, the fact still 免费
    ("4. **费用**：补换社保卡**收取工本费20元**。", True),
    ("4. **费用**：补换社保卡**免收工本费**。", False),
    ("4. **费用**：补换社保卡工本费**0元**。", False),
    # the fact named in passing, with a value of something else in the sentence
    ("不收工本费的情形以外，补办的交通费约20元。", False),
])
def test_a_fact_given_otherwise_in_the_text(body, disagrees):
    found = facts.in_text(entry(body, 补卡工本费="免费"))
    assert bool(found) == disagrees
    if disagrees:
        assert found[0].key == "补卡工本费" and "20元" in found[0].said


def test_what_another_fact_or_the_sentence_gives_is_no_disagreement():
    # 补领、换领工本费20元 is about the other fact, the longer end of whose name it uses
    body = "费用：补领、换领工本费20元；急需的，可以同时申领临时居民身份证，工本费10元。"
    assert facts.in_text(entry(body, 补领换领工本费="20元", 临时身份证工本费="10元")) == []
    # the sentence gives the fact's value in a clause after the one naming it
    body = "4. **取暖补贴**：采暖季用气补贴标准为每立方米1元，每户每个采暖季最高**1200元**。"
    assert facts.in_text(entry(body, 煤改气取暖补贴="每户每个采暖季最高1200元")) == []
    assert facts.in_text(entry("取暖补贴：每户每个采暖季最高1000元。", 煤改气取暖补贴="每户每个采暖季最高1200元"))


def test_numbers_are_compared_in_their_own_form():
    # 12345 beside the repair line is the hotline, not another repair line
    body = "热力集团报修电话占线：告知来电人已通过12345登记。"
    assert facts.in_text(entry(body, 供暖报修电话="0000-69611234")) == []
    assert facts.in_text(entry("供暖报修电话：0000-69615678。", 供暖报修电话="0000-69611234"))
    # a time in Chinese numerals is the same time
    assert facts.in_text(entry("劳动争议仲裁时效为一年。", 仲裁时效="1年")) == []
    assert facts.in_text(entry("劳动争议仲裁时效为两年。", 仲裁时效="1年"))


def test_other_answers_on_the_topic_giving_the_fact_otherwise(sample_root):
    snap = Snapshot.from_tree(sample_root)
    gas = snap.entry_by_path(GAS)
    theirs = {(d.key, d.said, d.other.id) for d in facts.in_others(snap, gas)}
    assert theirs == {("燃气报修电话", "0000-66515234", "nanhe-gas-safety-notice")}


def test_the_sample_answers_agree_with_their_own_text(sample_root):
    snap = Snapshot.from_tree(sample_root)
    assert [(e.id, d) for e in snap.policies() for d in facts.in_text(e)] == []


def test_a_draft_is_told_both(sample_root):
    snap = Snapshot.from_tree(sample_root)
    text = (sample_root / GAS).read_text(encoding="utf-8").replace('燃气报修电话: "0000-66551234"',
                                                                   '燃气报修电话: "0000-66557777"')
    said = [n.message for n in facts.draft_notices(snap, GAS, text)]
    assert any("“燃气报修电话：0000-66557777”与正文“4. 到室外报修" in m for m in said)
    assert any("与示例市燃气集团有限公司《燃气费怎么交，IC卡燃气表怎么充值》" in m and "的“0000-66551234”不一致" in m
               for m in said)
    # the answer as it is: only the conflict 目录健康 already reports
    assert [n.message for n in facts.draft_notices(snap, GAS, (sample_root / GAS).read_text(encoding="utf-8"))] == [
        "结构化事实“燃气报修电话：0000-66551234”与南河区人民政府《南河区农村\"煤改气\"用户燃气安全使用提示》的“0000-66515234”不一致"]


def test_answers_of_the_same_unit_are_to_be_changed_by_it(sample_root):
    snap = Snapshot.from_tree(sample_root)
    text = (sample_root / GAS).read_text(encoding="utf-8").replace('燃气报修电话: "0000-66551234"',
                                                                   '燃气报修电话: "0000-66557777"')
    notices = facts.draft_notices(snap, GAS, text)
    [same] = [n.fix for n in notices if "与示例市燃气集团" in n.message]
    [other] = [n.fix for n in notices if "与南河区人民政府" in n.message]
    assert same == "核实后统一说法；以本答复为准的，请一并修改这些答复"
    assert other == "与相关单位核实后统一说法；以本答复为准的，请对方单位一并修改"
