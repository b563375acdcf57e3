"""Emergencies recognised by meaning (kb_app.dispatch.emergency) and the held-out targets of scripts/eval_intake.py."""

import datetime as dt
import functools
import re

import pytest

from kb_app.content.model import Snapshot
from kb_app.dispatch.emergency import DISMISSED, EMERGENCY, SUSPECTED, Recogniser

from ..conftest import load_script as load

CONFIG = {
    "window": 10,
    "now": {"strong": ["正在", "快来", "刚才"], "weak": ["了"]},
    "not_now": {"过去的事": ["上个月", "去年"], "赔偿和理赔": ["赔偿"]},
    "not_now_patterns": {"过去的事": [r"\d{1,2}月\d{1,2}日"]},
    "ignore": ["了解"],
    "negations": ["没有", "没"],
    "misheard": {"火": ["伙"]},
}
RULES = [
    {"id": "fire", "name": "火灾", "action": "transfer", "transfer_to": "119",
     "events": [{"name": "火情", "words": ["着火"]}]},
    {"id": "traffic", "name": "交通事故", "action": "transfer", "transfer_to": "122",
     "events": [{"name": "交通事故", "words": ["车祸"], "pairs": [[["车"], ["撞了"]]]}]},
    {"id": "police", "name": "警情", "action": "transfer", "transfer_to": "110",
     "events": [{"name": "打架斗殴", "words": ["打架"]},
                {"name": "人员走失", "words": ["走丢"], "pairs": [[["孩子"], ["不见了"]]], "exclude": ["狗"]}],
     "triggers": ["抢劫"], "exclude": ["派出所不作为"]},
    {"id": "medical", "name": "急救", "action": "transfer", "transfer_to": "120",
     "events": [{"name": "出血", "words": ["流血"]}]},
    {"id": "court", "name": "诉讼", "action": "redirect", "triggers": ["打架"]},
]


def recognise(text):
    return Recogniser(CONFIG, RULES).recognise(text)


@pytest.mark.parametrize("text,state,line", [
    ("有人打架了", EMERGENCY, "110"),
    ("有人正在打架", EMERGENCY, "110"),
    ("有人打架", SUSPECTED, "110"),  # no sign either way: the agent asks
    ("上个月有人打架", DISMISSED, "110"),
    ("去年有人打架，现在又打起来了", DISMISSED, "110"),  # 去年 is in 打架's clause, 现在 only next to it
    ("刚才楼下有人打架了，去年也有", EMERGENCY, "110"),  # and the other way round
    ("正在打架，赔偿", EMERGENCY, "110"),
    ("车祸的赔偿", DISMISSED, "122"),
    ("刚才车祸了，赔偿怎么算", EMERGENCY, "122"),  # 赔偿 is said next to it, the event's clause decides
    ("一辆车把人撞了", EMERGENCY, "122"),  # a pair
    ("孩子在商场不见了", EMERGENCY, "110"),
    ("我家狗走丢了", None, None),  # the group's exclude
    ("着伙了", SUSPECTED, "119"),  # misheard: suspected without a strong sign
    ("快来，着伙了", EMERGENCY, "119"),
    ("有人抢劫了", EMERGENCY, "110"),  # plain triggers of a transfer rule are an event group
    ("没有打架", None, None),  # negated
    ("5月12日有人打架了", DISMISSED, "110"),  # a date tells of the past; 了 is only weak
    ("刚才打架了，上个月也打过", EMERGENCY, "110"),
    ("上个月刚才有人打架", SUSPECTED, "110"),  # both in the same clause
    ("有人打架，派出所不作为", None, None),  # the rule's exclude
    ("我想了解打架", SUSPECTED, "110"),  # 了解 is no sign
    ("小区路灯坏了", None, None),
    ("孩子上个月不见了", DISMISSED, "110"),  # a not-now word between the two words of a pair
    ("车开过来没撞了", None, None),  # a negation before the second word of a pair
    ("去年冬天我们小区那条街上有人打架了", DISMISSED, "110"),  # anywhere in the event's clause, not only near
])
def test_states(text, state, line):
    f = recognise(text)
    assert (f.state if f else None, f.line if f else None) == (state, line)


@pytest.mark.parametrize("text,state", [
    ("我要自杀", EMERGENCY),
    ("我想自杀", EMERGENCY),
    ("他扬言要跳楼", EMERGENCY),
    ("我打算割腕", EMERGENCY),
    ("自杀", SUSPECTED),  # a word alone: the agent asks
    ("如果有人跟我说他想自杀，我应该怎么跟他说话才好？", DISMISSED),  # asked about, not said
    ("我弟弟上个月想自杀，现在好多了，想问问心理咨询在哪", DISMISSED),
])
def test_an_intent_to_take_ones_life_is_under_way(text, state):
    """Said as an intent (要, 想, 打算, 扬言), ending one's life is the danger now, as 不想活了 is."""
    from kb_app.dispatch.assistant import intake

    f = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert (f.state, f.line, f.event) == (state, "110", "有人要轻生")


@pytest.mark.parametrize("text,state,line", [
    ("🔥🔥🔥", SUSPECTED, "119"),  # a symbol says what, not that it is happening: asked about
    ("这个活动太🔥了", SUSPECTED, "119"),
    ("🔥快来", EMERGENCY, "119"),  # with a strong sign of now, as if written in words
    ("我家着火了🔥", EMERGENCY, "119"),
    ("😭😭", None, None),  # no symbol of an event
    ("车祸了🔥", EMERGENCY, "122"),  # what the words say comes before what a symbol adds
    ("wo jia zhao huo le", SUSPECTED, "119"),  # pinyin: read by sound, nothing of its context can be read
    ("da jia hao", None, None),  # five letters are as often another word (大家 beside 打架)
    ("hello", None, None),
    ("wo xiang wen yi xia", None, None),
])
def test_symbols_and_pinyin_are_read_as_the_words_they_stand_for(text, state, line):
    f = Recogniser({**CONFIG, "symbols": {"🔥": "着火"}}, RULES).recognise(text)
    assert (f.state if f else None, f.line if f else None) == (state, line)
    if f is not None and "a" <= text[0] <= "z":
        assert f.misheard and "按读音识别为" in f.explanation()


def test_priority_follows_the_rule_order_and_other_lines_are_named():
    f = recognise("车祸了，有人流血了")
    assert (f.line, f.also) == ("122", ["120"])
    f = recognise("有人打架了，流血了")
    assert (f.line, f.also) == ("110", ["120"])


def test_explanations_say_what_was_seen():
    assert recognise("上个月有人打架").explanation() == "识别到打架斗殴（“打架”）；但说的可能是过去的事（上个月）"
    assert recognise("着伙了").explanation() == "识别到火情（按读音识别为“着火”），正在发生的迹象：“了”"
    assert recognise("有人打架").explanation() == "识别到打架斗殴（“打架”），无法判断是否正在发生"


def test_signs_in_another_sentence_do_not_count():
    assert recognise("上个月有人打架。现在想问问结果").state == DISMISSED


def test_spaces_in_a_transcript_do_not_hide_an_event():
    assert recognise("有人 打 架 了").state == EMERGENCY


def test_a_pause_in_a_transcript_ends_the_clause():
    """A transcript marks its pauses with spaces: a not-now word after a pause is said next to the event,
    not of it (the emergency at the end of a complaint), as after a comma."""
    assert recognise("上个月就说过 刚才有人打架了").state == EMERGENCY
    assert recognise("上个月就说过，刚才有人打架了").state == EMERGENCY
    assert recognise("上个月就说过刚才有人打架了").state == SUSPECTED      # one clause: both kinds of sign
    assert recognise("上个月有人打架 现在想问问").state == DISMISSED


def test_a_not_now_word_inside_the_event_words_is_part_of_them():
    """好几天 tells of the past, but in 好几天没见人 it is the event itself; 跟着火似的 reaches past 着火 and counts."""
    rules = [{**RULES[2], "events": [{"name": "无人应答", "pairs": [[["好几天没见"], ["没人应"]]]}]},
             {**RULES[0], "events": [{"name": "火情", "words": ["着火"]}]}]
    config = {**CONFIG, "not_now": {"过去的事": ["好几天"], "比喻": ["跟着火似的"]}}
    r = Recogniser(config, rules)
    assert r.recognise("对门好几天没见人了，敲门没人应").state == EMERGENCY
    assert r.recognise("冒的烟跟着火似的").state == DISMISSED
    assert r.recognise("好几天了，刚才着火了").state == EMERGENCY      # said next to it: the event's clause decides


def test_a_misheard_character_inside_an_ignored_word_is_none():
    r = Recogniser({**CONFIG, "misheard": {"火": ["货"]}, "ignore": ["货车"]}, RULES)
    assert r.recognise("着货了").state == SUSPECTED
    assert r.recognise("大货车着货了") is not None and r.recognise("开着货车了") is None


def test_an_event_word_inside_a_longer_ignored_word_is_none():
    """A word that holds an event word and says something else (车站 holds the 车 of 车…撞了) is no event; an
    ignored word that is itself an event word (车 ignored as a misheard character's home) still is one."""
    r = Recogniser({**CONFIG, "ignore": ["车站", "着火点"]}, RULES)
    assert r.recognise("车站里有人撞了") is None and r.recognise("车站门口一辆车撞了人").line == "122"
    assert r.recognise("着火点在哪") is None and r.recognise("着火了").line == "119"
    assert Recogniser({**CONFIG, "ignore": ["车"]}, RULES).recognise("车撞了").line == "122"
    assert Recogniser(CONFIG, RULES).recognise("车站里有人撞了").line == "122"


def test_a_fallback_event_yields_to_another_lines_event():
    """A cry for help (快来人) is taken only when nothing else says which line: 快来人, 有人流血了 is 120."""
    rules = [*RULES[:2], {**RULES[2], "events": [*RULES[2]["events"],
                                                 {"name": "呼救", "words": ["快来人"], "fallback": True}]}, *RULES[3:]]
    r = Recogniser(CONFIG, rules)
    found = r.recognise("快来人，有人流血了")
    assert (found.line, found.event, found.also) == ("120", "出血", ["110"])
    assert r.recognise("快来人").line == "110"


def test_words_said_anywhere_of_the_whole_call():
    """Categories listed in ``anywhere`` count wherever they stand: 已经救出来了 is said of the whole call."""
    config = {**CONFIG, "not_now": {**CONFIG["not_now"], "已经过去": ["已经救出来了"]}, "anywhere": ["已经过去"]}
    assert Recogniser(config, RULES).recognise("有人流血了。后来已经救出来了").state == DISMISSED
    assert Recogniser(config, RULES).recognise("刚才有人流血了，已经救出来了").state == SUSPECTED  # near: still the call's
    assert Recogniser(CONFIG, RULES).recognise("有人流血了。后来已经救出来了").state == EMERGENCY
    assert Recogniser({**config, "anywhere": ["没有这类"]}, RULES).recognise("有人流血了。已经救出来了").state == EMERGENCY


def test_no_transfer_rules_no_finding():
    assert not Recogniser(CONFIG, [r for r in RULES if r["action"] != "transfer"])
    assert Recogniser(CONFIG, [RULES[-1]]).recognise("有人打架了") is None


def test_broken_configuration_is_read_without_failing():
    r = Recogniser({"window": "x", "now": [], "not_now_patterns": {"x": ["("]}, "misheard": "火"}, RULES)
    assert r.recognise("有人打架").state == SUSPECTED


def load_script():
    return load("eval_intake")


@functools.cache
def sample_classify():
    """The product's reading of a call on the sample rules (eval_intake.product), built once."""
    script = load_script()
    return script.product(Snapshot.from_tree(script.ROOT))


def sample_line(text: str) -> str:
    """The line the sample rules put first for a call ('none' for no emergency)."""
    return sample_classify()(text)[0]


def test_held_out_targets():
    """On phrasings not tuned on: >= 95 % of emergencies on the right line, <= 5 % false alarms."""
    script = load_script()
    results = script.evaluate()
    held = results["product"]["holdout"]
    assert held["emergencies"] >= 40 and held["others"] >= 40
    # measured: right line 100 % (93 % confirmed, the rest suspected), false alarms 4.7 %
    assert held["right"] >= 0.95, held["misses"]
    assert held["false_alarms"] <= 0.05, held["alarms"]
    tune = results["product"]["tune"]
    assert tune["right"] >= 0.95 and tune["false_alarms"] <= 0.05
    sizes = [len(script.items(p)) for p in script.SETS.values()]
    assert sum(sizes) >= 100
    # The second held-out set (its misses were read since, so it is no longer blind): measured right line
    # 95.0 %, false alarms 1.2 %. The third, by a writer who had seen neither the rules nor the sets and never
    # read while tuning, is short of the targets: measured right line 85.2 % (62.5 % with the rules before the
    # tuning sets 2 to 6), false alarms 5.6 % (6.9 % before). These floors keep both from sliding back.
    second = results["product"]["holdout 2"]
    assert second["emergencies"] >= 80 and second["others"] >= 80
    assert second["right"] >= 0.90, second["misses"]
    assert second["false_alarms"] <= 0.05, second["alarms"]
    # The fourth, written the same way by another writer as a year of calls picked one per everyday situation,
    # read once before any change made for it: right line 79.0 %, false alarms 13.3 %. With calls read by
    # their resemblance to past ones (kb_app.dispatch.resemblance) as well: third 93.2 %, fourth 84.0 %, the
    # false alarms of both unchanged; with the calls dealt with no longer alarmed, the fourth's 11.7 %. With the
    # ninth and tenth sets among the example calls, one more of the third is below the threshold (92.0 %); with
    # the threshold chosen again on the ten tuning sets (0.95), third 93.2 %, fourth 88.0 %, fifth 94.0 %; with the
    # eleventh and twelfth sets' words and calls, fourth 90.0 %, fifth 95.0 %; with the thirteenth and fourteenth
    # (regional speech; a quality inspector's false alarms), third 94.3 % with false alarms 4.2 %, fourth 88.0 %;
    # with the fifteenth and sixteenth (minimal pairs; callers who do not sound urgent), third 93.2 %, fourth 88.0 %
    # with false alarms 10.0 %, fifth 96.0 %; the seventeenth (a supervisor's hesitation calls), read once before
    # anything was learnt from it, 90.0 % with false alarms 10.0 %, like the fourth; the eighteenth (the aftermath
    # of an incident), 77.5 % with false alarms 7.5 %; the nineteenth (calls from places of work), 81.9 % with 3.8 %;
    # with the eighteenth's words and calls, fourth 89.0 %; with the nineteenth's calls too, 88.0 % again (one call
    # near the threshold of resemblance); the other held-out figures as they were. With a sign of now after the
    # words that a matter was dealt with counted only for an event told after them, the fourth's false alarms 8.3 %.
    # The twentieth to twenty-second (a home's day and night; a drill against over-alarming; passers-by), read
    # once first: 91.2 % with 7.5 %, 78.0 % with 6.4 %, 89.4 % with 2.5 %; with their words, an ellipsis read as a
    # turn and 火车/火锅 no longer excluding a fire, third 94.3 %, fourth 89.0 %; with their calls too, 88.0 %.
    # The twenty-third and twenty-fourth (a quality inspector's year; a re-certification exam of hard calls), read
    # once first: 90.7 % with 6.0 %, 85.7 % with 13.0 %; with their words, the fifth's false alarms 5.0 %. The
    # twenty-fifth and twenty-sixth (people calling on the job about others; long calls), first 90.7 % with 8.0 %,
    # 75.0 % with 22.0 %; with a story of the past read as such in every clause when the call asks about something
    # after it, and long ordinary calls no longer learnt from by resemblance: second 100 % with 0.0 %, fourth 91.0 %
    # with 6.7 %. The twenty-seventh and twenty-eighth (two matters in one call; questions), first 87.1 % with 6.0 %,
    # 89.3 % with 7.0 %; with their words and calls, fourth 90.0 % (one call near the threshold of resemblance),
    # fifth 97.0 %. The twenty-ninth to thirty-first (corrections and second thoughts; the hardest days of the year;
    # the old, the very young and those calling for them), first 82.1 % with 25.0 %, 80.7 % with 4.0 %, 91.4 % with
    # 3.0 %; with what the caller took back read as such (以为…原来, 说错了, 不是…是) and their words and calls, third
    # 95.5 % with 4.2 %, fourth 91.0 % with 6.7 %; second 98.8 % and fifth 96.0 % (one call each). The thirty-second
    # to thirty-fourth (family and neighbours; machines and vehicles; lives with an illness or a disability), first
    # 88.6 % with 1.0 %, 80.7 % with 1.0 %, 82.1 % with 5.0 %; with their words and calls, third 96.6 %, fourth 89.0 %.
    # With the threshold of resemblance chosen again by --leave-out on the thirty-four sets (0.93), second 100 %,
    # third 98.9 %, fourth 94.0 %, fifth 98.0 %, the false alarms of all unchanged. The thirty-fifth to thirty-seventh
    # (upset callers in words of danger; children and schools; the city's streets), first 90.0 % with 10.0 %, 92.5 %
    # with 1.7 %, 85.8 % with 0.8 %; with their words and calls, fourth 93.0 %, fifth 99.0 %. The thirty-eighth to
    # fortieth (crime and money; nature and animals; typed messages), first 81.7 % with 10.8 %, 88.3 % with 4.2 %,
    # 94.2 % with 5.8 %; with a fraud or a theft yielding to a danger to someone's body, and their words and calls,
    # every held-out figure as it was. The forty-first to forty-third (minds in crisis; getting around the city; winter
    # in old housing), first 84.2 % with 10.0 %, 88.3 % with 6.7 %, 85.8 % with 5.0 %; with 有人要轻生 yielding too,
    # and their words and calls, third 98.9 % with 2.8 %, the others as they were. The forty-fourth to fifty-first
    # (another inspector's year; long calls; shops and services; villages; festivals; calls passed on or in imperfect
    # Chinese; a third inspector's year; long calls told as stories), first 95.0 % with 3.3 %, 94.2 % with 15.0 %,
    # 95.0 % with 2.5 %, 91.7 % with 2.5 %, 95.8 % with 0.8 %, 87.5 % with 6.7 %, 90.8 % with 5.0 %, 91.7 % with
    # 15.0 %; with a story told as seen elsewhere read as such and their words and calls, third's false alarms 1.4 %.
    # The fifty-second (an outside tester's emergencies said plainly), read once first: 25.0 % with 0.0 %; with words
    # for minds in crisis and violence and a habit said again now (no example calls), 58.9 % with 0.0 %, every held-out
    # figure as it was. The fifty-third (a quality team's month of calls in every register), read once first: 87.4 % with
    # 5.0 %; with its words (no example calls), 97.5 % with 0.8 %. The fifty-fourth (villages, mountains and rivers,
    # weather, workplaces, highways, callers who cannot speak freely), read once first: 93.3 % with 4.2 %; with its
    # words (a call for help in code, Minnan and tone-marked pinyin, a quoted echo answered no), 98.3 % with 1.7 %.
    third = results["product"]["holdout 3"]
    assert third["emergencies"] >= 80 and third["others"] >= 70
    assert third["right"] >= 0.97
    assert third["false_alarms"] <= 0.05
    fourth = results["product"]["holdout 4"]
    assert fourth["emergencies"] >= 100 and fourth["others"] >= 60
    # 95.0 % with the fifty-second set's dangers said plainly (carbon monoxide, power lines down, falls …)
    assert fourth["right"] >= 0.95
    assert fourth["false_alarms"] <= 0.07
    # The fifth, a trainer's exam by another such writer, read once before anything of the ninth and tenth sets
    # was learnt: right line 93.0 %, false alarms 10.0 %; with the calls dealt with (已经处置) no longer alarmed,
    # 93.0 % and 6.7 %.
    fifth = results["product"]["holdout 5"]
    assert fifth["emergencies"] >= 100 and fifth["others"] >= 60
    assert fifth["right"] >= 0.96
    assert fifth["false_alarms"] <= 0.05
    # The sixth, a night-shift supervisor's log by another such writer, read once after the fifty-one tuning sets:
    # right line 96.7 %, false alarms 2.5 % (the same with the rules and code before the forty-eighth to fifty-first);
    # 97.5 % with the fifty-third set's words.
    sixth = results["product"]["holdout 6"]
    assert sixth["emergencies"] >= 120 and sixth["others"] >= 120
    assert sixth["right"] >= 0.97
    assert sixth["false_alarms"] <= 0.03
    # The seventh, written blind in every register callers use (plain pleas, dialect, homophones, traditional
    # characters, emoji, English), read once on the rules before the fifty-second set: right line 90.0 %, false
    # alarms 1.2 %; with traditional characters read as simplified, 91.0 %; with the fifty-second set's crisis,
    # violence and dangers said plainly, symbols, pinyin and English, 93.0 % with false alarms 2.5 %; with the
    # fifty-third set's words (gas said heavy, a lift or a beating in English, a goodbye posted before a bridge), 94.0 %;
    # false alarms 1.2 % with the fifty-fourth's.
    seventh = results["product"]["holdout 7"]
    assert seventh["emergencies"] >= 100 and seventh["others"] >= 80
    assert seventh["right"] >= 0.94
    assert seventh["false_alarms"] <= 0.03
    for name in (f"tune {n}" for n in range(2, 55)):
        assert results["product"][name]["right"] >= 0.90 and results["product"][name]["false_alarms"] <= 0.12


def test_reading_by_resemblance_on_calls_it_did_not_learn_from():
    """Each tuning set read with examples learnt from the others: more emergencies on the right line, hardly more
    false alarms; the catalogue's ordinary examples hardly alarmed (measured with fifty-one sets: 86.4 % -> 96.5 %,
    2.0 % -> 2.0 %; 7 -> 9 of 165)."""
    result = load_script().leave_out()
    sets = result["sets"]
    assert set(sets) == {"tune", *(f"tune {n}" for n in range(2, 55))}
    mean = {k: {m: sum(r[k][m] for r in sets.values()) / len(sets) for m in ("right", "false_alarms")}
            for k in ("without", "with")}
    assert mean["with"]["right"] >= mean["without"]["right"] + 0.01
    assert mean["with"]["false_alarms"] <= mean["without"]["false_alarms"] + 0.005
    assert all(r["with"]["right"] >= r["without"]["right"] for r in sets.values())
    catalogue = result["catalogue"]
    assert catalogue["examples"] >= 150 and catalogue["with"] <= catalogue["without"] + 3


def test_the_sets_do_not_share_phrasings():
    script = load_script()
    texts = {name: {i["text"] for i in script.items(p)} for name, p in script.SETS.items()}
    assert set(texts) >= {"tune", "tune 2", "tune 3", "tune 4", "tune 5", "tune 6", "holdout", "holdout 2", "holdout 3",
                          "holdout 4"}
    names = list(texts)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not texts[a] & texts[b] - {"退休金什么时候涨"}, (a, b)


def test_script_prints_every_set_and_which_targets_are_short(capsys):
    load_script().main([])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["set", "emerg.", "others", "right", "line", "confirmed", "false", "alarms"]
    sets = [re.match(r"product\s+(.+?)\s{3,}\d", line).group(1) for line in out[1:] if line.startswith("product")]
    script = load_script()
    assert sets == [*script.SETS, *(["appeals"] if script.APPEALS.exists() else [])]
    assert out[-1].startswith("held-out targets (right line >= 95%, false alarms <= 5%): NOT met (holdout 4: right line")
    # the others meet them
    assert all(f"{s}:" not in out[-1] for s in ("holdout", "holdout 2", "holdout 3", "holdout 5", "holdout 6"))


#: Ordinary requests that share a word with an emergency (written to check the words added from the
#: tuning sets 2 to 6: 下不来了 of an approval, 塞进 of a leaflet, 手…卡住了 of a phone, 腿断了 of a chair).
ORDINARY = [
    "我的补贴一直下不来了",
    "审批下不来了怎么办",
    "老人腿脚不利索 想申请居家养老服务",
    "排队排得满头大汗 窗口还不开",
    "差点撞上 吓出一身冷汗",
    "孩子流口水是不是缺什么",
    "孩子老是想睡 上课没精神",
    "压力大得透不过气 想咨询心理热线",
    "每天忙得喘不过来气",
    "家里暖气不热 冻得打哆嗦",
    "暖气不热 身上冰凉 供暖公司不管",
    "在饭店吃完饭上吐下泻 要投诉饭店",
    "眼皮一抽一抽的 挂哪个科",
    "眼皮跳得厉害",
    "请问屋里有人住吗",
    "窗口工作人员把我往后排",
    "小广告塞进门缝里 太烦了",
    "要求把流浪狗关起来",
    "物业不让出租房子",
    "物业不让走这个门",
    "路边有废弃针头 没人清理",
    "车堵在门口出不去",
    "车堵着门 挪车电话打不通",
    "烟感滴滴滴地响 怎么关",
    "他说要跳槽 单位不放人怎么办",
    "陌生男子打电话推销保险",
    "学校把手机收了 合理吗",
    "楼上经常往下扔垃圾",
    "楼上有人往下扔烟头",
    "高空抛物怎么处罚",
    "房子地基往下沉 墙裂了",
    "外卖小哥电动车逆行",
    "快速路行人怎么过街 能不能建天桥",
    "钥匙插进了锁眼拔不出来",
    "冰箱门打不开了 售后不来",
    "后备箱打不开 修车厂在哪",
    "环境卫生太差 卡口也没人管",
    "自来水管道里的水出不来",
    "工地塔吊好几天不动了",
    "高压锅一直喷气正常吗",
    "眼药水进眼睛里有点疼",
    "吃了降压药还是头晕 想问医保",
    "喝了一瓶水还是渴",
    "噪音吵得我都头晕",
    "抽查农药残留去哪里",
    "买蘑菇花了五十块",
    "过敏性鼻炎 呼吸不畅 想问医保",
    "椅子腿断了 家具店不给退",
    "桌子腿断了找谁修",
    "我的手机卡住了",
    "手机卡在开机画面",
    "水龙头卡住了关不上",
    "腰疼得动不了 想挂号",
    "电线被打断了 停电了",
]


def test_ordinary_requests_that_share_an_emergency_word_raise_no_alarm():
    classify = load_script().product(Snapshot.from_tree(load_script().ROOT))
    alarms = [(text, classify(text)) for text in ORDINARY if classify(text)[0] != "none"]
    assert not alarms


def test_another_right_line_counts(tmp_path):
    script = load_script()
    path = tmp_path / "set.yaml"
    path.write_text('items:\n  - {text: "车把人撞了，人躺地上", line: "122", also: ["120"]}\n'
                    '  - {text: "有人晕倒了", line: "120"}\n', encoding="utf-8")
    rows = script.items(path)
    assert rows[0]["lines"] == ["122", "120"] and rows[1]["lines"] == ["120"]
    assert script.score(lambda text: ("120", "emergency"), rows)["right"] == 1.0
    assert script.score(lambda text: ("122", "emergency"), rows)["right"] == 0.5


@pytest.mark.parametrize("text,line", [
    ("楼道里有烟", "119"),  # smoke without 冒烟
    ("配电箱冒火花了，还有一股烧焦的味道", "119"),
    ("孩子被反锁在车里了，车里很热", "119"),
    ("老人吃东西噎住了，脸憋得通红", "120"),
    ("我正跟一个说是公安局的人打电话，他让我把钱转到安全账户", "110"),
    ("燃气表没气了怎么办", "none"),  # 没气了 of a meter, not of a person
    ("这个停车费简直是抢钱，一小时二十块", "none"),
    ("开车被人别了一下，没撞上，能举报吗", "none"),
    ("井盖没了，刚才有个孩子差点掉下去", "120"),  # a near miss: suspected, the agent asks
    # ordinary requests sharing a word of a pair: a smell, a stuck thing, medicine, an unanswered manager
    ("这家饭店味道不好，好多人都拉肚子了", "none"),
    ("水费的发票一直出不来", "none"),
    ("电动车卡在车棚门口动不了", "none"),
    ("我儿子吃了好多药也不见好，想问医保能不能报", "none"),
    ("物业经理喊不应，电话也不接", "none"),
    ("快递被人翻得乱七八糟", "none"),
    ("我被打了，对方还在我家门口", "110"),
    ("晚上总被打扰，睡不好", "none"),
    # 以后 of what just happened is no worry about the future (以后会不会着火 is).
    ("喝了那个药以后一直喘不上来", "120"),
    ("吃完饭以后一直喘不上来", "120"),
    ("以后楼道会不会着火", "none"),
    ("楼道堆杂物，怕以后着火", "none"),
    ("这里以后着火了谁负责", "none"),
    ("交通事故私了以后对方又反悔了", "none"),
    # A worry (怕有孩子…) and a figure of speech (急得…冒烟) from the seventh set's false alarms; 平时 stays
    # no sign of the past (平时好好的，刚才突然倒了 is how emergencies are told).
    ("河边护栏坏了，怕有孩子掉下去", "none"),
    ("热线半天打不通，急得我都要冒烟了", "none"),
    ("我爸平时好好的，刚才突然倒了叫不醒", "120"),
    # A stroke sign a user's walk through the console found unflagged.
    ("我爸嘴角往下耷拉", "120"),
    ("上个月我爸嘴角歪过一次，现在去哪复查", "none"),
    # From the eighth set: a caller who plays it down (可能没什么事) is not telling of the past; 在网上 is
    # where a fraud happens, not a rumour; a headache with vomiting, gas smelt with dizziness, an animal or
    # a broken-down car on an expressway (122, not 119) …
    ("可能没什么事，我妈刚才说头特别疼，然后吐了", "120"),
    ("他在网上被人拉去刷单，现在还在往外转钱", "110"),
    ("厨房一股臭鸡蛋味，我头有点晕", "119"),
    ("快速路上有只大狗跑来跑去，车都在急刹", "122"),
    ("车在高速匝道上抛锚了，孩子还在车里", "122"),
    ("问他家在哪他说不清，老大爷一直在路口转", "110"),
    # … and what it is not: a pet hurt, an accident the police are already handling, a start, a stroke
    # that is no lost old man, gas poisoning (120 before 119), a parcel not tracked online.
    ("我家猫被车撞了流了好多血，附近哪有宠物医院", "none"),
    ("路上看见一起车祸，交警已经在处理了，我能去做证人吗", "none"),
    ("刚才楼下放鞭炮，吓我一跳，还以为是爆炸", "none"),
    ("老爷子说话说不清楚，半边身子动不了", "120"),
    ("我们全家都头疼恶心，可能是煤气中毒", "120"),
    ("快递在网上根本无法跟踪，邮局也不管", "none"),
    # From the ninth and tenth sets: what was dealt with (车已经到了, 已经扑灭) outranks a sign said before it,
    # not one said after; 现在想问 is no sign; a call that merely reported to the police (报警了) is past.
    ("刚才有人晕倒，已经打了120，车已经到了，我想说那个路口该装个灯", "none"),
    ("厨房刚才着火了，保安已经扑灭了，现在想问物业管不管", "none"),
    ("消防已经到了，可是火还在烧，楼上还有人", "119"),
    # … nor an event told after them: it is happening since (车已经到了，可是人快不行了).
    ("刚才有人晕倒，已经打了120，车已经到了，可是人快不行了", "120"),
    ("我昨天报警说车被偷了，警察两个小时才到，我要投诉", "none"),
    # A cry for help yields to another line's event, even one only suspected (着伙 heard for 着火).
    ("楼上着伙了 有人趴在窗户上喊救命", "119"),
    # An animal is not a person; gas growing stronger, a fit that will not stop, a child in traffic are now.
    ("我家的羊让车撞死了，司机跑了，能帮着查吗", "none"),
    ("河里有只狗掉进水里了一直扑腾", "none"),
    ("上午就闻到煤气味，现在越来越大，整层楼都是", "119"),
    ("我老公有癫痫，今天抽了快十分钟了还没停", "120"),
    ("一个小孩刚才跑上马路了，就在车流里头", "122"),
    # From the eleventh and twelfth sets (agents' summaries; a year of local news): a stranger at an old woman's
    # door, a call for cash about a son's accident (police, not traffic), a grandson not home, a child swimming
    # out of sight (119 before a missing child), a wasps' nest (119; a person stung is 120), a car lying across
    # a lane on ice (not a fire: 横着了 holds 着了), a stove left on behind a locked door; and what is no alarm:
    # a car abandoned for months, an online purchase that was a fraud, the caller at the door gone.
    ("来电人称其母亲独居，有个自称医保局的人上门，人还坐在她家里", "110"),
    ("来电人称有人打电话说是其儿子，撞了人要私了，让送5万现金到路口，来电人已经取好钱在等", "110"),
    ("称其孙子今天放学没回家，电话手表关机，家里人都在找", "110"),
    ("水库里有个娃游泳游到中间就不见了 他几个伙伴在岸上哭", "119"),
    ("单元门口有个马蜂窝，已经蛰了两个人，蜂子还在门口飞", "119"),
    ("我婆婆被马蜂蛰了 现在满脸肿 头晕得站不住", "120"),
    ("桥面结冰了 我车滑到对面车道横着了 后面的车看不见我", "122"),
    ("我出门忘关火了 灶上炖着汤 钥匙锁屋里了 家里还有个瘫在床上的老人", "119"),
    ("小区门口一辆僵尸车停了半年，轮胎都瘪了，要求拖走", "none"),
    ("在网上买东西被骗了200元，对方已拉黑，咨询怎么追回", "none"),
    ("刚才有人自称消防员上门检查灭火器，要收费，人已经走了，怀疑是骗子", "none"),
    # From the thirteenth and fourteenth sets (regional speech; a quality inspector's false alarms): a lost old man
    # in Wu speech, a drunk husband at the bathroom door (110: the family hiding is not people trapped), 抢截 heard
    # for 抢劫, a note saying 不活了, a wild boar among cars (119, no crash), a tree blown onto a car with someone
    # inside (119 before 122); and no alarm for a smoke alarm's false alarm, 急出心脏病, a shop named 爆炸烧烤,
    # a child's game on the phone, a scam stopped in time, a son who is fine at work, a cat poisoned, a first-aid
    # course, a minor scrape the police are handling.
    ("侬好 楼下有个老伯伯 穿睡衣 问伊住啥地方伊讲勿清爽 一直在马路边转 冷得发抖", "110"),
    ("我老公喝醉了拿菜刀 说要跟我同归于尽 我跟孩子躲卫生间了 门反锁着 他在外头砍门", "110"),
    ("中不中啊 俺刚被人抢截了 就在这地下通道 他有刀 人往公园那边跑了", "110"),
    ("额娃十三岁 跟额吵了一架 留了个纸条说不活了 人跑出去了 电话不接", "110"),
    ("我们小区进了只野猪 在撞人家的车 它往人堆里冲", "119"),
    ("刚才大风把大树吹倒了压在一辆车上，车里还有人出不来", "119"),
    ("么子味道咯 楼道里全是烧焦的味 烟雾报警器一直在叫 看不到是哪家着的", "119"),
    ("吓得我心脏都要跳出来 我家烟雾报警器半夜乱叫 是误报 想找人修", "none"),
    ("你们这个审批慢得要命，我都快急出心脏病了，营业执照到底什么时候能下来", "none"),
    ("楼下新开了家「爆炸烧烤」，晚上营业到三点，吵得不行", "none"),
    ("刚才我家小孩拿我手机乱拨打了你们电话说着火了，他在玩消防员游戏，不好意思，家里没事", "none"),
    ("社区能不能组织一次防诈骗讲座，我妈老接到说她儿子出车祸要汇钱的电话，都被我拦下了", "none"),
    ("我接到电话说我儿子被绑架了要我转钱，我打给儿子他好好地在上班，想举报这个诈骗号码", "none"),
    ("我家猫吃了老鼠药送宠物医院抢救过来了，小区乱投鼠药的事谁管", "none"),
    ("我想问下考急救员证在哪考，我是健身教练，单位要求持证", "none"),
    ("刚才小刮蹭已经打了122，交警在现场处理了，我顺便问问车辆年检在哪儿办", "none"),
    # … and what these words must not hide: 刚才还好好的 is how a sudden illness is told.
    ("他脸发紫了 叫不行 刚才还好好的在吃饭", "120"),
    # Someone who cannot get out is trapped (the public site said nothing to 车里还有人出不来); a car is not someone.
    ("车里还有人出不来", "119"),
    ("停车场出口太窄，车出不来", "none"),
    # From the fifteenth and sixteenth sets (minimal pairs; callers who do not sound urgent): theft of building
    # steel, a polite 请问 before a rear-end hit-and-run (请问 asks nothing about rules), a snake coiled at a school
    # gate, a man locked in a garage with the engine running, a driver too drunk to drive on the main road (122);
    # and no alarm for what happens every time (每次下大雨), an exhaust's black smoke, a pharmacy's sleeping pills,
    # a scrape owned up to (我留了电话), a hydrant locked away, a battery set down outside (放着了 is no fire).
    ("工地晚上有人开着货车来偷钢筋 正在装车 我是看门的 就我一个人", "110"),
    ("请问我在路口等红灯被追尾了，后车司机下来看了一眼就开车跑了，我脖子有点疼", "122"),
    ("您好，小学门口的花坛边上盘着一条蛇，挺粗的，一会儿孩子们就放学了", "119"),
    ("打扰了，我老公在车库里，卷帘门坏了把他关里面了，车还发动着开空调，他说有点晕", "119"),
    ("我是代驾，客户喝多了非要自己开，把我赶下车了，现在他开着车上主路了", "122"),
    # A child held at home for days is held still (好几天了 is how long, not when); two cars scraping at a dead
    # junction is a crash; a man who shut himself in is no one held.
    ("刚才开门的是个小女孩，她说被关在家里好几天了，大人不让她出门，她小声让我帮她报警", "110"),
    ("路口红绿灯全灭了，现在早高峰，车都挤一块了，已经有两辆蹭了", "122"),
    ("他把自己关在屋里好几天不出来，打游戏", "none"),
    # A fire that is out ends the fire, not the burn it left (the event outlasts 火已经灭了); it still ends a fire.
    ("俺爹烧秸秆 被火燎了 脸和手烫得起大泡 火已经灭了", "120"),
    ("孩子被开水烫伤了，火已经关了，起了好大的泡", "120"),
    ("炒菜着火了，火灭了，没人受伤", "none"),
    ("锅里的油着了，我把火灭了，手烫伤了，已经送医院了", "none"),
    ("每次下大雨这个桥洞底下就积水 车都过不去 排水能不能改改", "none"),
    ("这路公交车太旧了 发动机老冒黑烟 污染空气 什么时候换新车", "none"),
    ("我奶奶老失眠 医院开安眠药一次只给几片 能不能多开一点", "none"),
    ("没什么大事 就是刚才倒车不小心蹭了路边一辆车 车主不在 我留了电话 这样可以吗", "none"),
    ("我想问问，我们小区消防拴都被锁起来了，万一着火怎么办，这个归哪个部门管", "none"),
    ("你好，我电动车电池鼓包了，已经拿到外面空地上放着了，没冒烟，这种电池怎么处理", "none"),
    ("上午就有人在医院闹事，到现在还不走，刚才把护士推倒了。", "110"),
    # From the seventeenth set (a supervisor's hesitation calls): a scam that calls it 洗钱, a relative "in a crash"
    # who needs money sent (110, not 122), a carer slapping an old man, a child whose mouth is held shut, a gambling
    # fight whose table is overturned (no one trapped), cargo fallen on the car behind (no break-in); someone gone
    # since last night and not back is missing still (昨天 says when they left, not that they were found) …
    ("我婆婆刚才来电话说有个警察说她洗钱了，让她赶紧去银行把钱转走", "110"),
    ("刚有个陌生号码说我老公出车祸了，让我马上把钱打过去", "110"),
    ("养老院的护工正在扇我爸耳光，我在窗外看见的", "110"),
    ("商场门口一个男的抱着个小女孩往外走，一直捂着她的嘴，孩子在蹬腿", "110"),
    ("村里赌钱的打起来了，桌子都掀了，有人拿起了板凳", "110"),
    ("货车上掉下来的钢管砸到我前面那辆车了，玻璃全碎了", "122"),
    ("我儿子十四岁昨天下午出去玩，到现在还没回家，电话也打不通", "110"),
    # … and no alarm for someone found again, a parrot's cry, a threat said in jest (开玩笑的, wherever it stands;
    # not 不是开玩笑), dust like smoke (跟着火冒烟似的), a judgment unpaid to this day, a settlement gone back on,
    # or one who fainted once and is fine now; 现在好了 said of what went wrong is no recovery.
    ("前天孩子在商场走丢了，保安帮着找回来了，我想给保安送面锦旗", "none"),
    ("对门养的鹦鹉一大早就在阳台上喊救命救命", "none"),
    ("我弟在电话里说要拿刀砍死我 他是开玩笑的 我就跟你们说一声", "none"),
    ("我不是开玩笑，楼下有个人拿着刀在砍人", "110"),
    ("楼上装修砸墙，灰大得跟着火冒烟似的", "none"),
    ("前年出的车祸官司判了，对方到现在还不给钱", "none"),
    ("上周两车刮蹭当时私了了，现在对方反悔又找我要钱", "none"),
    ("老人前天晕倒过一次，现在没事了，想问社区有没有上门体检", "none"),
    ("物业说了多少回都不管，现在好了，楼道的杂物着了，烟都上来了", "119"),
    # Dealt with on the spot, then asked about something else: a lid put on (就灭了), smoke gone, helped up with
    # the family there, settled between the two — but not when the trouble goes on after it.
    ("刚才厨房油锅起火了 我拿锅盖一盖就灭了 没人受伤 想问问灭火毯在哪买", "none"),
    ("刚才一个大爷在公交站摔倒了 大家已经扶起来了 家里人也到了 我想说站台那块砖是松的", "none"),
    ("刚才两辆电动车在菜场门口撞了一下 已经私了了 就是那个路口太乱了能不能管管", "none"),
    ("刚才楼下有人烧纸冒了好多烟 现在烟都散了 想问小区里能不能烧纸", "none"),
    ("刚才一个老人在小区里摔倒了 大家已经扶起来了 可他还是喘不上气 快来人", "120"),
    # From the eighteenth set (the aftermath: danger back after it seemed over, or over for good): a man beating his
    # wife again, a doctor attacked, a crowbar at the doors, a child pulled into a car, money asked for a grandchild
    # "in trouble", someone pinned under a collapse, a child pulled out who has not woken, a heart slowing, a man
    # lying in the road, a car left across it; and no alarm for a fight broken up, a lost child home, a faint over.
    ("警察走了以后他又回来了 现在在打他老婆 孩子一直在哭", "110"),
    ("医院急诊室有个家属冲进来打医生 护士拉不住", "110"),
    ("我外婆说有人打电话讲我出事了要钱 她这会儿已经在去银行的路上了", "110"),
    ("仓库的货架倒了 下面压着一个人 喊他没反应", "119"),
    ("孩子从泳池里捞上来了 到现在还没醒", "120"),
    ("我爸说胸口闷 心跳越来越慢 手脚冰凉", "120"),
    ("那个骑电瓶车的大爷又躺马路上了 车来车往的", "122"),
    ("刚才两个醉汉在烧烤摊打架 老板劝开了人都走了 我想投诉烧烤摊占道", "none"),
    ("前天走丢的那个小孩已经回家了 寻人的帖子怎么删", "none"),
    ("刚才我妈低血糖晕了一下 不用派人了 现在已经坐起来了", "none"),
    # Found once and lost again: the finding is said of the first time. Brought home is found.
    ("上午孩子走丢过一次找到了 下午在公园孩子又不见了 穿蓝衣服", "110"),
    ("孩子在超市走丢了 刚才已经找到了 谢谢你们", "none"),
    ("我奶奶昨天走丢被派出所送回来了 想问防走失手环哪里领", "none"),
    # From the nineteenth set (calls from places of work): a crowbar pointed, a silo smouldering, a passenger lift
    # with people in it, blood spurting past a tourniquet (勒着 is no threat there), a driver asleep at the wheel, a
    # nail gun (no gun); and someone pulled out of the fumes is out of the smoke, not out of danger (the 120
    # events outlast 拖出来了).
    ("停车场有个人拿着撬棍指着我 让我把车钥匙给他", "110"),
    ("饲料厂的筒仓着了 里面闷着烧 工人都撤出来了", "119"),
    ("写字楼的客梯困人了 里面有个老人说心慌", "119"),
    ("工地一个人被切割机划到腿 血是喷出来的 用衣服勒着也止不住", "120"),
    ("前面那辆车一会快一会慢 压着线走 司机好像睡着了", "122"),
    ("我们在装修 有个工人用钉枪打到手了 钉子穿过去了 一直流血", "120"),
    ("烧炭的屋里一个老人晕过去了 我们已经把他拖出来了 还是叫不醒", "120"),
    ("地下室的水泵房有人触电晕倒了 已经拉出来了", "120"),
    # A sign of now after the words that it was dealt with tells of an event only when one is told after them:
    # 现在堵得厉害 after 交警已经到了 is about the traffic; 火还在烧 after 消防已经到了 is the fire.
    ("刚才那边两车追尾了 交警已经到了 就是现在那个路口堵得厉害 能不能派人疏导", "none"),
    ("刚才有人晕倒了 救护车已经到了 现在正在抬人 我想问问要不要我留个电话作证", "none"),
    ("消防已经到了 可是火还在烧 现在烧到二楼了", "119"),
    ("我爸刚才抽过去一次 以为没事了 现在又在抽", "120"),
    # An ellipsis is a turn: the topic before it (燃气费) does not exclude the event after it, a time still counts.
    ("我想问一下燃气费怎么交……等等，厨房里煤气味越来越浓了", "119"),
    ("昨天晚上……楼下有人打架", "none"),    # Twentieth to twenty-second tuning sets: a home's day, a drill against over-alarming, passers-by.
    ("我奶奶一个人住，打了一天电话没人接", "110"),
    ("我儿子在河边溺水了，已经捞出来了，不喘气", "120"),
    ("我老公说他刚才在路上撞倒了一个人，现在吓坏了", "122"),
    ("我在景区遇到冒充工作人员的在收钱，现在人还在门口", "110"),
    ("电梯坏了，里面关着两个人，已经二十分钟了", "119"),
    ("楼下那条大狗正在咬一个老人，没人敢上前", "119"),
    ("公园里一群猴子在抓人，有个小孩被抓伤了", "119"),
    ("老街那堵围墙在往外倒，下面有小孩在玩", "119"),
    ("商场门口的广告牌一边已经脱落了，在那晃", "119"),
    ("路口的路灯杆被撞歪了，斜在马路上", "122"),
    ("骑电动车的小伙子自己摔了，下巴磕了个大口子，血一直往外冒", "120"),
    ("杀鸡的时候刀把手砍了个口子，血止不住", "120"),
    ("有人打电话说我老公出车祸了，要我马上转三万，现在还在打", "110"),
    ("我爸被刷单骗了一千，已经报过警了，他现在很后悔", "none"),
    ("锅里的油起火了，我赶紧用锅盖盖灭了，现在想问灶台坏了谁修", "none"),
    ("想表扬一下120的医生，他们几分钟就到了", "none"),
    ("楼道里堆的纸箱迟早要着火，谁来清理", "none"),
    ("早高峰公交挤得要命，喘不过气", "none"),
    ("接到电话说我儿子出车祸要钱，我一听就是骗子，直接挂了", "none"),
    ("烟感报警器一直在叫，没有冒烟，是不是没电了", "none"),
    ("切菜的时候手上烫了个小水泡，已经抹了烫伤膏", "none"),
    ("小区车库老有人堵我的车，物业不管", "none"),
    ("被我家孩子气晕了，不是真晕，想问托管班", "none"),
    ("景区人多得要爆炸了，建议限流", "none"),
    ("大树倒了砸在车上，车里还坐着人", "119"),
    ("我奶奶一个人住，电话没人接，我从窗户看见她躺在地上", "120"),
    ("火车站旁边的仓库着火了，火越来越大", "119"),
    # Twenty-third and twenty-fourth: a quality inspector's year, a re-certification exam of hard calls.
    ("对门大爷好几天没出门了，今天听见他在里面哼哼", "120"),
    ("有几个人在小区车棚里拆电瓶，已经拆了好几个", "110"),
    ("村里一头牛受惊了，把人顶翻了，还在街上跑", "119"),
    ("同学被高年级扒了衣服拍视频，到现在还没放人", "110"),
    ("有两三岁的小孩自己在走，周围没有大人，旁边就是马路", "110"),
    ("后山的土一直往下溜，已经冲倒一堵墙", "119"),
    ("老屋的后墙一直往外鼓，还在掉砖头", "119"),
    ("大树被台风刮得根都翻起来了，斜着靠在楼上", "119"),
    ("暖气管爆了，热水往外喷，屋里全是蒸汽", "119"),
    ("路口的红绿灯全灭了，车都挤在一起，差点撞上", "122"),
    ("有个穿假警服的人在车站拉旅客去巷子里", "110"),
    ("收废品的把门口的小孩抱上三轮车骑走了", "110"),
    ("女儿晚上去同学家，到现在还联系不上", "110"),
    ("野猪冲进村了，已经拱倒一个人", "119"),
    ("有人打电话说我儿子打伤人被扣了，要交保证金，我正在转", "110"),
    ("有人在群里说今晚带刀来找人算账", "110"),
    ("救命啊，这个月电费被扣了两遍", "none"),
    ("我老婆生孩子大出血，好在抢救过来了，想问生育津贴", "none"),
    ("刚才路口出了车祸，交警和救护车都到了，我想提个建议", "none"),
    ("我妈说被车撞了，结果是超市购物车，人没事", "none"),
    ("我打了120，救护车一个小时才来，我要投诉", "none"),
    ("早上有辆车撞了护栏，车已经拖走了，护栏什么时候修", "none"),
    ("我儿子被电动车撞了，擦破点皮，对方也赔了钱", "none"),
    ("闻到烧焦味，原来是我的粥糊了", "none"),
    ("我说要杀了他是气话，就想问怎么调解", "none"),
    ("排队排了两个小时，热得我都要晕倒了", "none"),
    ("外卖晚了一个小时，骑手说前面有车祸绕路了", "none"),
    ("孩子暑假一个人在家，社区有没有托管班", "none"),
    # Twenty-fifth and twenty-sixth: people who call on the job about others; long calls. A story of the past
    # that the call then asks about is of the past in every clause, until a word of now (今天又冒烟了).
    ("上个月有人在这骑车摔了，骨折了，坑到现在还在，我想问问什么时候修", "none"),
    ("上个月做过手术，伤口裂开了，血止不住", "120"),
    ("上个月着过一次火，今天又冒烟了，我想问问怎么办", "119"),
    ("去年我家孩子被狗咬了，咬了个大口子，那家人一直不赔，我想问问找谁", "none"),
    ("保安报一下，门口有个大爷从电动车上歪下来倒了，人不动了", "120"),
    ("小区健身器材那有个老人摔了，腿扭成很奇怪的角度", "120"),
    ("班主任，学生放学没到家，已经两个小时了", "110"),
    ("宿舍里违规电器把插座烧着了，满屋子烟", "119"),
    ("乘客说她被拉进传销关在一个小区里出不来", "110"),
    ("网格员报一下，有一户在聚众赌博，门口有人放哨", "110"),
    ("公交车上有个乘客要抢方向盘", "110"),
    ("井盖被偷了，快车道上一个大坑", "122"),
    ("老房子的墙裂了大缝，在往外歪", "119"),
    ("物业客服，业主的狗咬了快递员，双方在协商，想问问赔偿标准", "none"),
    ("乘客落下的包里有把刀，已经交到车队了，要不要交派出所", "none"),
    ("楼上吵架砸东西，我们上门劝过了，要不要备案", "none"),
    ("快递被掉包了，这算诈骗吗", "none"),
    ("店门口几乎每周都有人打架，能不能加强巡逻", "none"),
    ("酒店要装人脸识别，归哪个部门管", "none"),
    ("下坡刹车突然软了，车速降不下来", "122"),
    ("过山车开到最高处突然停了，一直没动", "119"),
    ("停车场有人在划车，已经划了好几辆", "110"),
    # Twenty-seventh and twenty-eighth: two matters in one call (哎呀 turns it like an ellipsis); questions asked
    # from inside a danger, and about dangers in general.
    ("有人用我的卡在外地取钱，现在还在取", "110"),
    ("奶奶被卖药的关在会场里，逼她交钱", "110"),
    ("河水漫上来了，老人在楼上下不来", "119"),
    ("商场的吊顶在往下垂，下面全是人", "119"),
    ("老婆头痛得像要炸开，接着就吐了", "120"),
    ("厨房煤气味越来越重，头都有点晕", "119"),
    ("地铁口往下灌水，有人被冲倒了", "119"),
    ("我妈突然说看不见东西了", "120"),
    ("卡里的钱正在一笔一笔被转走", "110"),
    ("塔吊晃得很厉害，随时要倒，下面有工人", "119"),
    ("我想问一下燃气费，哎呀厨房里一股很大的煤气味，头都晕了", "119"),
    ("孩子偷吃了十几片降压药，药是医院开的", "120"),
    ("被蜜蜂蜇了一般怎么处理，我们下礼拜去露营", "none"),
    ("我女儿被狗咬过，已经打完针了，狗主人不给医药费", "none"),
    ("员工下班被车撞了，人也出院了，想问算不算工伤", "none"),
    ("烟雾报警器一直响，没有烟，是不是坏了", "none"),
    # What the caller took back (以为…原来, 说错了, 不是…是, the agent's echo answered no), and what it is not.
    ("我以为邻居家着火了，过去一看是在院子里烧秸秆，已经烧完了", "none"),
    ("还以为有人在楼下打架，原来是两口子在吵嘴，没动手", "none"),
    ("以为孩子在睡觉，结果怎么叫都叫不醒，嘴唇发紫", "120"),
    ("刚才说仓库着火了，说错了，是仓库的灯坏了在闪", "none"),
    ("不是我家着火，是小区广告牌的灯坏了老闪", "none"),
    ("不是前几天，是刚刚，两辆车在桥上撞了，有人卡在车里", "122"),
    ("我以为他喝醉了，其实是脑梗，现在半边身子动不了", "120"),
    ("感觉不对劲，我爸说话含糊，嘴也歪了", "120"),
    ("我没说错，就是着火了，三楼在冒烟", "119"),
    ("您是说有人晕倒了？不是，我是想问社区医院几点开门", "none"),
    ("我当成是有人落水了，其实是个塑料模特漂在河里", "none"),
    ("以为是地震了，后来才知道是隔壁拆墙，震得灯都晃", "none"),
    ("有人从我家阳台翻进去了，现在还在屋里", "110"),
    ("地下室进水了，水到腰了，我们家老人还在下面", "119"),
    ("老伴手术的刀口在往外渗血，纱布都湿透了", "120"),
    ("刚扑灭的柴火堆现在又着了，风一吹越来越大", "119"),
    ("我家小孩喝了防冻液，嘴里一股甜味，在哭", "120"),
    ("有人打电话说我儿子被抓了，让交保释金，我妈正要去银行", "110"),
    ("我爸突然说话含糊，一边脸都耷拉下来了", "120"),
    ("孩子吃果冻呛进气管了，脸憋得通红", "120"),
    ("旁边那辆货车在高速上倒车，后面车都急刹", "122"),
    ("大巴司机一直在玩手机，车还在高速上跑", "122"),
    ("工头把我们关在板房里，门从外面锁了", "110"),
    ("对门屋里的煤气味门缝里都能闻到，敲门没人应", "119"),
    ("您问是不是以前的事？不是，就刚才，两帮人在饭店门口打起来了，有人拿酒瓶子砸", "110"),
    ("防冻液一般多少钱一桶，冬天要不要换", "none"),
    ("一个大爷在超市门口倒了一直抽，嘴里吐白沫", "120"),
    ("半夜有两个人在小区配电房外面剪电缆，还在剪", "110"),
    ("厨房的燃气报警器响个不停，我闻着也有点味", "119"),
    ("我孙子刚来电话说在外地撞了人要私了，叫我马上送现金过去", "110"),
    ("上个月我儿子撞了人，双方私了，现金已经给了，现在对方又反悔", "none"),
    ("以为有人在撬门，原来是邻居自己忘带钥匙在开锁", "none"),
    ("刚才说小区里有孩子走丢了，后来问清楚了，是跟奶奶去超市了", "none"),
    ("孩子的手机掉水里了，能不能找人帮忙捞上来", "none"),
    ("打人的到现在也没赔钱，去年判的，怎么申请强制执行", "none"),
    ("以为他只是呛了一口，结果整个人沉下去了，没上来", "119"),
    ("瘫痪在床的老爷子屋里冒烟了，喊他没动静", "119"),
    ("护理院的三楼着火了，好多卧床的老人还在里面", "119"),
    ("有个老太太在快车道上慢慢走，车一辆接一辆", "122"),
    ("一个小孩在主干道上窜来窜去追皮球", "122"),
    ("我家孩子爬到窗户外面的空调外机上站着，那是五楼", "119"),
    ("冲床把师傅的手压住了，机器卡死了拿不出来", "119"),
    ("商场扶梯突然倒着往下滑，上面好多人", "119"),
    ("锅炉的安全阀在尖叫，压力表指针一直往上", "119"),
    ("她前夫冲进学校把孩子强行抱走了，说要一起死", "110"),
    ("有人冒充燃气公司进来查表，现在在我家到处翻抽屉", "110"),
    ("对方冒充医保局，正让我妈去银行转账", "110"),
    ("女儿刚发来告别短信，说对不起我们，电话关机了", "110"),
    ("孙子摔倒了，胳膊弯得不正常，一直哭", "120"),
    ("我老伴血糖太低，人迷糊了，出一身汗", "120"),
    ("孩子生在家里了，脐带还没剪，我们不知道怎么办", "120"),
    ("燃气热水器那有股很冲的煤气味，阀门关了还是有味", "119"),
    ("收到短信说医保卡被冻结了，我没点链接，能举报吗", "none"),
    ("我爸中风后偏瘫，能不能申请长期护理险", "none"),
    ("我儿子癫痫控制得很好，两年没发作了，能上体育课吗", "none"),
    ("邻居两口子打架的事已经调解完了，就想问问以后怎么办", "none"),
    ("我拄拐走路，小区台阶太高，能不能修个坡道", "none"),
    ("电焊车间烟很大，长期干会不会得病", "none"),
    ("半夜店里不应该有人，可里面有手电光在晃", "110"),
    ("我爸有老年痴呆，早上出去买菜，到现在三个多小时了，手机也没带", "110"),
    ("我家老人有点老年痴呆，想问社区有没有日间照料", "none"),
    ("楼顶的广告牌被风吹得掉下来一半，吊在楼边上，下面是小学门口", "119"),
    ("家里的摩托车被偷了，前天的事，派出所说在查，想问多久有结果", "none"),
    ("我爸在小区门口被车撞了，那是去年的事情，对方一直不赔", "none"),
    ("厨房着火了，刚才的事，现在火还在烧", "119"),
    ("我女儿放学没回来，刚才有个陌生号码说孩子在他那儿，让我马上打十万过去，急死人了", "110"),
    ("物业费的事拖了半年了，真是急死人了，到底谁来管", "none"),
    ("这笔钱是等着救命的，医保报销到底什么时候下来", "none"),
    ("电费涨成这样，跟抢钱一样", "none"),
    ("小区门口有人装了地锁，车都停不进去", "none"),
    ("孩子的电话手表在学校弄丢了，能帮忙找找吗", "none"),
    ("工地塔吊被风吹歪了，随时要倒下来，下面是菜市场", "119"),
    ("路边那根电线杆漏电，刚才有东西碰上去就倒了，地上全是积水", "119"),
    ("前面路口红绿灯全黑了，车和行人挤成一团", "122"),
    ("家长群里有人冒充班主任收书本费，好几个家长在往二维码上转钱", "110"),
    ("一个货车把楼外的燃气立管撞断了，一直在往外冒气", "119"),
    ("他们把我弟关在仓库里不让出来，说要还了钱才放人", "110"),
    ("楼上煤气味特别大，燃气公司来修好了，现在没味了，维修费谁出", "none"),
    ("燃气报警器响了一下就停了，我查了没味，是不是坏了", "none"),
    # A fraud or a theft beside a danger to someone's body (yields), and the words of crime, nature and typed messages.
    ("我爸知道养老钱被骗光了，一下子瘫在沙发上叫不醒", "120"),
    ("店里刚被偷了，老板追出去摔了一跤，脑袋磕破了，淌血", "120"),
    ("有人把我的车玻璃砸了，人还没走，在里面翻东西", "110"),
    ("贼从我家阳台翻出去的时候把窗帘点着了，屋里全是烟", "119"),
    ("他喝完酒非要开车，已经开上路了", "122"),
    ("有人塞纸条给我，说不给钱不然就对我孩子下手", "110"),
    ("隔壁屋里灯黑着，可是有手电筒的光在里面晃", "110"),
    ("楼道里煤气味很重，还有人站在那抽烟", "119"),
    ("对方说是快递理赔，一直在催我转钱，电话还没挂", "110"),
    ("小偷早走了，警也报了，想问问门锁坏了谁来换", "none"),
    ("那个骗子把我的钱骗走了，都半年了，警察还没抓到人", "none"),
    ("电动车在楼下被偷了，都两个月了", "none"),
    ("网上说的那种投资我怕被骗，想问问合不合法", "none"),
    ("刚才打电话说有人落水，是我看错了，是块泡沫板", "none"),
    ("公园湖边有人支着网捕鸟，网上挂了好几只，人还在", "110"),
    ("我家孩子被狗咬了，血没止住，一直往下滴", "120"),
    ("有头牛跑上了车道，车都在急刹", "122"),
    ("前夫说不开门就泼汽油，人还在门口", "110"),
    ("有人在群里说要报复社会，刀已经买好了", "110"),
    ("一个人在家，有人拿钥匙在试着开门", "110"),
    ("同事突然倒在工位上，好像没气了", "120"),
    ("抢了好几天号都抢不到，医院挂号太难了", "none"),
    ("楼上装修电钻声跟爆炸一样，吵死了", "none"),
    ("高速收费站排了好长的队，收费员态度还差", "none"),
    ("刚看新闻说有人在取款机上装东西偷密码，怎么防", "none"),
    # Minds in crisis, getting around the city, winter in old housing.
    ("我妹妹给我留言说以后让我照顾好爸妈，现在电话关机了", "110"),
    ("我爸说药已经攒够了，今晚我就走，让我们别找他", "110"),
    ("他在朋友圈发了张割腕的照片，配文再见，人联系不上", "110"),
    ("我老公喝了半瓶农药，说不想活了，现在嘴里吐白沫", "120"),
    ("女儿吃了一把药，心跳快得要炸了，浑身发抖", "120"),
    ("一个醉汉爬到广告牌的铁架子上，下不来了", "119"),
    ("他把燃气管拔了，说要一起炸掉，屋里全是味", "119"),
    ("我哥犯病了，把厨房的刀带走了，说要去找人算账", "110"),
    ("我儿子犯病跑出去了，在商场门口跟丢了", "110"),
    ("我就是嘴上说说不想活了，其实是想问公积金怎么提", "none"),
    ("我在写小说，想问问有人跳楼的话警察多久到", "none"),
    ("楼下大爷天天喝酒骂人，也不打人，就是吵", "none"),
    ("孩子刚才砸东西，现在已经冷静了，想问哪里有心理咨询", "none"),
    ("滴滴司机行程结束了还不开车门，让我再付两百", "110"),
    ("出租车司机一边开车一边刷视频，开得飞快", "122"),
    ("快速路中间掉了一个床垫，车都在急刹", "122"),
    ("有人在共享单车上贴了假的二维码，还在接着贴", "110"),
    ("我喝了陌生人递的水，现在头晕想睡", "120"),
    ("高速上的事故已经清理好了，想问多久能通", "none"),
    ("闯红灯是给救护车让道，能申诉吗", "none"),
    ("邻居老人屋里烧着炭盆，早上叫他醒不过来", "120"),
    ("男的拿着火钩子在打他老婆，她一直在喊", "110"),
    ("电热毯有股焦味，我拔了插头看了没烧坏，还能用吗", "none"),
    ("小区锅炉今年烧得一点都不热，能不能催一下", "none"),
    ("燃气软管裂了，阀门已经关了，闻不到味，想约人来换", "none"),
    ("我在院里劈柴砍到脚了，血止不住", "120"),
    ("屋檐的冰凌晃晃悠悠快掉了，下面是人行道", "119"),
    ("地下室水漫进来了，已经到膝盖，门推不开", "119"),
    ("姥爷暖气不热，今天喘不上气，嘴唇发紫", "120"),
    ("初中生被几个人按在厕所里，现在还在踹他", "110"),
    ("工人干着活突然栽倒了，叫不答应", "120"),
    ("桥边躺着个老人，身上冰凉，就剩一口气了", "120"),
    ("包工头把我们从外面锁上了出不去，手机也快没电了", "110"),
    ("后厨的瓶装气在漏，满屋都是味", "119"),
    ("楼下饭馆那边飘来浓浓的燃气味，整条街都闻得到", "119"),
    ("门口有个喝醉的人正要开车走，谁也拦不住", "122"),
    ("物业把消防通道锁起来了，说是防小偷，这合规吗", "none"),
    ("想问问看到有人晕倒，是先打120还是先做按压", "none"),
    ("饭店里用明火炉灶有什么要求", "none"),
    ("我叔气得倒在地上，嘴歪了，半边身子动不了", "120"),
    ("孩子烧得抽过去了，眼珠往上翻", "120"),
    ("村医说病人血压测不到了，要马上往县里送", "120"),
    ("山洪把路冲垮了，对面十来个人过不来", "119"),
    ("他拿着农药瓶在乡政府门口坐着，说不解决就喝", "110"),
    ("两口子拿着钢叉堵在我家门口要打人", "110"),
    ("邻居家狗把我家羊咬死了，这个怎么赔", "none"),
    ("肚子疼得直不起腰，一个人在家下不了楼", "120"),
    ("刷手机看到外地有个小区燃气爆炸，我们这老管子有没有改造计划", "none"),
    ("厂里欠薪，工友说要拿刀去找老板，被我劝住了，想问仲裁怎么申请", "none"),
    ("电影院消防警报响了，结果是误报，我要投诉影院", "none"),
    ("楼上装修吵得我头晕，感觉自己要晕倒了，装修时间有规定吗", "none"),
    ("我儿子想当消防员，救火救人，今年招不招", "none"),
    ("我老婆打完针嗓子发紧，喘不上气，她以前从没这样过", "120"),
    ("我爸以前在家晕倒过，那次送去医院没查出来，这种情况能办慢病吗", "none"),
    # holidays and calls passed on by others, in words of their own
    ("我婆婆在厨房里忽然背过去了，我们掐人中她也不醒", "120"),
    ("排队等了半天，我爸站着站着就迷糊了，问他话答不上来了", "120"),
    ("我妈说她心口疼得厉害，一直冒虚汗，人都坐不住了", "120"),
    ("我姥爷今天一早说话大舌头，端碗都拿不稳东西了", "120"),
    ("my father，chest，很痛，坐在地上起不来", "120"),
    ("我同事在礁石上拍照被浪卷走了，看不见人了", "119"),
    ("help！fire！厨房里全是火", "119"),
    ("屋里全是燃气味，我们都不敢开灯，孩子说头疼", "119"),
    ("门外那个人手里拎着铁棍，一直在踹我家的门", "110"),
    ("有两个男的硬要进来，我关门他们用脚抵住门不让关", "110"),
    ("隧道中间有车停着，没有灯，后面的车嗖嗖地过", "122"),
    ("前面大车上的货掉了一箱一箱在快车道上，车都在躲", "122"),
    ("我表哥转来一条老新闻，说咱们这化工厂爆炸了，这种谣言怎么举报", "none"),
    ("我外婆的老年卡丢了，补办要带什么", "none"),
    ("小区这个井盖晃得厉害，早晚得出事，赶紧派人修一下", "none"),
    ("群里有人转外省那个商场着火的视频，我们这边商场消防检查过没有", "none"),
    # a year of everyday calls, and long calls told as stories
    ("我家燃气灶关了火还是呼呼地响，满屋子味儿", "119"),
    ("我姑娘说有人不让她走，让我救她，电话就断了", "110"),
    ("院里那堵老墙塌了，一面墙塌了压着人，还有人被堵在里面", "119"),
    ("他在河中间一沉一浮的，喊都喊不出来", "119"),
    ("有个男的正顺着水管爬人家窗户，往屋里钻", "110"),
    ("我开着车呢 前面大车上的冰板子飞下来 砸我挡风玻璃上了", "122"),
    ("你好 我在快手上刷到有人发视频 说我们县城那个十字路口出了车祸 就想问问现在那条路能走吗", "none"),
    ("我外甥女被狗咬了 是上礼拜的事 疫苗也打了 现在想问问狗主人不赔钱找谁", "none"),
    ("那个工厂里有个工人手卷进机器了 现在拉出来了 一直在流血", "120"),
    ("前几天楼里着火 消防员把我家门撬开了 现在门坏了这个谁来赔", "none"),
    ("广场上在拍电影 又是爆炸又是冒烟的 这个有没有报备", "none"),
    ("网上说刷单返佣金 我转了一万了 他还让我接着转", "110"),
    ("我们这条路晚上总有人飙车 前几个月还有一辆撞到电线杆上了 能不能装个测速", "none"),
    ("楼下那家老吵架 这个不是现在啊 现在挺安静的 我就想问家暴邻居能不能反映", "none"),
    # a place named after vehicles is no vehicle (the 公交 of 公交站台, the 车 of 停车场)
    ("公交站台有个老人摔倒了起不来", "120"),
    ("停车场里有个大爷摔倒了，起不来了", "120"),
    ("公交站那里一辆电动车把人撞倒了", "122"),
    # a wish to die said without the words 不想活、自杀
    ("我活着也没啥意思了，药我都攒好了，就是想跟人说说话", "110"),
    ("我这个人活着就是拖累家里，等会儿我就去江边，这事跟谁都别说", "110"),
    ("人要是走了，养老金账户里的钱家里人能领吗，反正我也不打算活过今晚了", "110"),
    ("有人在桥上往下看，站了很久，说家里人都不要他了", "110"),
    ("如果一个人割了腕，血一直止不住，要怎么办", "120"),
    ("小区里有个疯子追着人砍", "110"),
    ("我刚才回家一开门看见我爸倒在厨房地上，叫他也不答应", "120"),
    ("老家的房子，我妈一个人住，刚才打电话说屋里有烧焦的味道，然后电话就断了", "119"),
    ("食堂吃完饭，班里十几个孩子上吐下泻", "120"),
    ("我们这个老楼的阳台整个掉下来了，底下有没有人不知道", "119"),
    ("孩子发烧抽筋了", "120"),
    ("我阿妈跌倒咗，起唔到身，头度流紧血", "120"),
    # someone down a manhole is for 119 to bring up, not a traffic accident
    ("小区门口井盖没了，刚才有个骑电动车的掉进去了，人还在下面", "119"),
    # someone in a lift named half a sentence before (里面 is the lift): 119, with 110 beside it for 被关在
    ("喂，12345吗，我们小区电梯坏了三天没人修，今天我邻居王大爷被关在里面一个多钟头了还没人来", "119"),
    ("我家电梯老出毛病，物业也不管，我妈刚才又被困在里面了", "119"),
    ("小区电梯天天坏，上回有人困在里面，这次修好了没有", "none"),
    ("电梯年检过期了，物业说修好了，万一有人困在里面谁负责", "none"),
    ("电梯坏了好几天了，我妈腿脚不好，天天关在家里面出不来", "none"),
    # a word of a rule in a request about something else
    ("我家孩子在学校打架被记过了，能撤销吗", "none"),
    ("救命啊，我的社保卡密码忘了，怎么重置", "none"),
    ("我爸电话一直打不通，不知道人在哪", "110"),
    ("这个包裹下落不明，快递公司不管", "none"),
    # typed in traditional characters (or 著 for 着), read as simplified
    ("我家著火了", "119"),
    ("電梯裡關著人出不來", "119"),
    ("孩子不見了", "110"),
    ("著名景区门票怎么预约", "none"),
    # in English (a foreigner typing), read as suspected: nothing says it is happening now
    ("someone is trying to kill me", "110"),
    ("my father collapsed and is not breathing", "120"),
    ("I smell gas in the kitchen", "119"),
    ("how do I apply for a residence permit", "none"),
    # said indirectly: the end of one's life, pills taken, a line in a puddle, a house about to fall
    ("活着太累了，我想结束这一切", "110"),
    ("我不想再醒来了", "110"),
    ("我已经把药都吞下去了，跟家人说声对不起", "120"),
    ("电线杆倒了，电线搭在水坑里", "119"),
    ("房子裂开了，感觉要塌", "119"),
    ("这老房子早晚要塌", "none"),
    ("我爸妈在屋里烧炭取暖，俩人都迷糊了叫不太醒", "120"),
    # a leg or an arm that will not move now (a stroke, the spine) goes to 120; a table's leg, or legs
    # that have long been weak, do not
    ("我的腿动不了了", "120"),
    ("我妈腿突然动不了了", "120"),
    ("我爸下半身没知觉了", "120"),
    ("我胳膊抬不起来了", "120"),
    ("桌子腿动不了了", "none"),
    ("我腿脚不好动不了，能上门办社保吗", "none"),
    # blood sugar falling, sight going, breath not coming, a bone in the throat, a head cut open
    ("我爸血糖低得厉害在发抖", "120"),
    ("我突然看不清东西了", "120"),
    ("我呼吸不过来了", "120"),
    ("孩子鱼刺卡喉咙了", "120"),
    ("孩子头磕破了", "120"),
    ("血糖低怎么办理慢病", "none"),
    ("最近老是看不清东西了想配眼镜", "none"),
    # a finger in a mincer, dentures swallowed, pills taken too many, a fall down the stairs, a sudden pain,
    # a child caught in a lift's door; asking about pills or false teeth is no alarm
    ("孩子手指被绞肉机绞了", "120"),
    ("我家老人吞了假牙", "120"),
    ("我妈吃药过量了", "120"),
    ("孩子摔下楼梯了不哭了", "120"),
    ("突然一阵剧烈腹痛", "120"),
    ("孩子被电梯门夹住了", "119"),
    ("降压药吃多了有什么副作用", "none"),
    ("假牙掉了去哪补", "none"),
])
def test_the_sample_rules(text, line):
    assert sample_line(text) == line


def test_killing_oneself_said_in_english_is_a_crisis_not_a_threat():
    script = load_script()
    snap = Snapshot.from_tree(script.ROOT)
    from kb_app.dispatch.assistant import intake

    assert intake(snap, "I am going to kill myself")[1].event == "有人要轻生"
    assert intake(snap, "someone is trying to kill me")[1].event == "人身安全受到威胁"


def test_a_fraud_or_a_theft_yields_to_a_danger_to_someones_body():
    """Two lines' events recognised as surely: an event of property (a fraud, a theft) yields to another line's
    event named by a word of its own, and stays among the lines the agent is shown; not to two words found near
    each other, which say less."""
    from kb_app.dispatch.assistant import recogniser

    recognise = recogniser(Snapshot.from_tree(load_script().ROOT)).recognise
    collapsed = recognise("我爸刚知道被骗了十几万，一下子倒在地上，叫不醒了")
    assert (collapsed.line, collapsed.event, collapsed.also) == ("120", "昏迷晕倒", ["110"])
    burning = recognise("小偷进屋翻了一圈，走的时候把卧室点着了，现在烟从门缝里往外冒")
    assert (burning.line, burning.also) == ("119", ["110"])
    smashed = recognise("有人把我的车玻璃砸了，人还没走")            # 人 … 砸了 is no injury named
    assert smashed.line == "110"
    poisoned = recognise("我丈夫刚才喝了一大口柴油，说不想活了，现在咳得厉害，喘不过气来")
    assert (poisoned.line, poisoned.also) == ("120", ["110"])        # the poison first, the intent beside it
    fight = recognise("有人在楼下打架，一个人倒在地上了")             # violence yields to nothing
    assert fight.line == "110" and "120" in fight.also


def test_a_story_of_the_past_or_of_elsewhere_that_the_call_asks_about_is_not_happening_now():
    """Long calls told with pauses: the frame a story is told in (上礼拜, 快手上刷到有人发视频 说……) is said of the
    event it frames when the call goes on to ask about something; a fraud's bait is no such frame; and what was
    dealt with for one line (拉出来了) does not hold for another's event told after it (一直在流血)."""
    from kb_app.dispatch.assistant import recogniser

    recognise = recogniser(Snapshot.from_tree(load_script().ROOT)).recognise
    video = recognise("你好 我在快手上刷到有人发视频 说我们县城那个十字路口出了车祸 就想问问现在那条路能走吗")
    assert video.state == "dismissed" and video.reasons[0] == "传闻和报道（发视频）"
    bait = recognise("网上说刷单返佣金 我转了一万了 他还让我接着转")
    assert (bait.line, bait.state) == ("110", "emergency")
    bitten = recognise("我外甥女被狗咬了 是上礼拜的事 疫苗也打了 现在想问问狗主人不赔钱找谁")
    assert bitten.state == "dismissed" and "过去的事（上礼拜）" in bitten.reasons
    hand = recognise("那个工厂里有个工人手卷进机器了 现在拉出来了 一直在流血")
    assert (hand.line, hand.state) == ("120", "emergency")


def test_what_the_caller_took_back_is_said_as_the_reason():
    from kb_app.dispatch.assistant import intake

    snap = Snapshot.from_tree(load_script().ROOT)
    _, finding, _ = intake(snap, "刚才以为有人在楼道里晕倒了，原来是个醉汉在睡觉，能不能让救助站来看看")
    assert finding.state == DISMISSED and finding.reasons == ["误会和更正（以为…原来）"]
    # What follows the correction is read on its own.
    _, finding, _ = intake(snap, "以为他睡着了，结果怎么也叫不醒")
    assert finding.alarm and finding.line == "120"


def test_a_call_not_urgent_says_why_before_the_words_of_now_it_outweighed():
    from kb_app.dispatch.assistant import intake

    snap = Snapshot.from_tree(load_script().ROOT)
    _, finding, _ = intake(snap, "刚才有人晕倒，已经打了120，车已经到了，我想说那个路口该装个灯")
    assert finding.state == DISMISSED and finding.signs
    said = finding.explanation()
    assert "；但说的可能是已经处置（车已经到了）；" in said and said.endswith("不足以说明正在发生")
    assert "正在发生的迹象" not in said
    # Words read both as past and as dealt with are said once.
    _, both, _ = intake(snap, "刚才路口两辆车撞了，交警已经到了，我就想问问保险怎么理赔")
    assert both.state == DISMISSED and both.explanation().count("交警已经到了") == 1
    # A weak sign (了) outweighed is not worth naming: the reason alone is said.
    _, past, _ = intake(snap, "昨天有人打架了")
    assert past.state == DISMISSED and past.signs == ["了"]
    assert past.explanation() == "识别到打架斗殴（“打架”）；但说的可能是过去的事（昨天）"


def test_a_cry_for_help_alone_is_asked_about():
    """快来人啊 says someone is in trouble, not what: the transfer script comes first and the agent asks (疑似紧急);
    with an event told beside it, the event decides."""
    from kb_app.dispatch.assistant import intake

    snap = Snapshot.from_tree(load_script().ROOT)
    _, alone, _ = intake(snap, "快来人啊，小区电梯又坏了，老人上不去楼")
    assert (alone.line, alone.state, alone.event) == ("110", SUSPECTED, "呼救")
    assert alone.explanation().endswith("没有听出是什么事，请问清楚")
    _, told, _ = intake(snap, "快来人啊 我爸倒在地上了")
    assert (told.line, told.state) == ("120", EMERGENCY)


def test_a_sign_inside_a_longer_one_is_said_once():
    finding = Recogniser(CONFIG | {"now": {"strong": ["刚才", "刚"], "weak": ["了"]}}, RULES).recognise("刚才着火了")
    assert finding.signs == ["刚才"] and "“刚”" not in finding.explanation()


def test_an_event_may_have_the_agents_words_of_its_own():
    """落水 is read with its own script (不要贸然下水), not the fire rule's (不要乘坐电梯); 着火 with the rule's."""
    from kb_app.dispatch.assistant import intake

    snap = Snapshot.from_tree(load_script().ROOT)
    drowning, finding, _ = intake(snap, "河里有个小孩在扑腾，快来人")
    assert finding.event == "落水和冰面" and "不要贸然下水" in drowning.script and "电梯" not in drowning.script
    fire, _, _ = intake(snap, "楼下着火了，好大的烟")
    assert fire.id == drowning.id and "不要乘坐电梯" in fire.script
    # A tree on a car with someone inside was read the fire rule's words (撤离…不要乘坐电梯), a confused old man
    # shaking with cold the police rule's (远离危险): both have their own now.
    trapped, finding, _ = intake(snap, "刚才大风把大树吹倒了压在一辆车上，车里还有人出不来")
    assert (trapped.transfer_to, finding.event) == ("119", "坍塌和被困") and "火灾" not in trapped.script
    assert "不要贸然进入" in trapped.script and "120" in trapped.script
    lost, finding, _ = intake(snap, "侬好 楼下有个老伯伯 穿睡衣 问伊住啥地方伊讲勿清爽 一直在马路边转 冷得发抖")
    assert (lost.transfer_to, finding.event) == ("110", "人员走失") and "远离危险" not in lost.script
    assert "陪在他身边" in lost.script and "保暖" in lost.script
    # Someone who says they want to die is spoken to first, and given the crisis line beside 110.
    crisis, finding, _ = intake(snap, "我想自杀，活着没意思")
    assert (crisis.transfer_to, finding.event) == ("110", "有人要轻生")
    assert crisis.script.startswith("我在听") and "12356心理援助热线" in crisis.script and "远离危险" not in crisis.script


def test_the_sample_rules_name_the_event_and_the_signs_that_decided():
    from kb_app.dispatch.assistant import recogniser

    recognise = recogniser(Snapshot.from_tree(load_script().ROOT)).recognise
    # The 着 of 着火 is its verb, no sign that it goes on: 着火 and 起火 alone are both only suspected.
    for text in ("家里着火怎么办", "着火", "楼下起火"):
        found = recognise(text)
        assert (found.state, found.signs) == ("suspected", []), text
    fire = recognise("楼下着火了有人被困")
    assert (fire.state, fire.signs) == ("emergency", ["了"])
    drowning = recognise("孩子掉河里了")
    # someone in the water is rescued by 119 (抢险救援) and cared for by 120: both lines, never 出血和外伤
    assert (drowning.line, drowning.event, drowning.also) == ("119", "落水和冰面", ["120"])
    assert recognise("家里厨房着火了，快来人").explanation() == "识别到火情（“着火”），正在发生的迹象：“快来”、“来人”"


def test_how_long_someone_has_not_been_seen_is_no_story_of_the_past():
    """好几天没出门 says a state that goes on (the 好几天 runs into the event's words 几天没出门); with 敲门没人应 and
    a smell it is someone who may be in danger: asked about with 110's script of its own, never dismissed as past."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    text = "隔壁老人好几天没出门了 敲门没人应 有股怪味"
    rule, finding, _ = intake(snap, text)
    assert (finding.line, finding.state, finding.event) == ("110", SUSPECTED, "独居的人联系不上")
    assert "过去的事" not in finding.explanation() and "不要自己破门" in rule.script
    assert "不要自己破门进去，等民警到场处置" in public_alarm(snap, text)["advice"]
    # A time of the past said of the event is still the past; a worry run into its words is still a worry.
    assert intake(snap, "上个月有人打架")[1].state == DISMISSED
    assert not intake(snap, "河边的护栏断了一截 晚上黑乎乎的 怕有人掉下去 谁来修")[1].alarm


@pytest.mark.parametrize("text", ["我老公两天没回家了，电话也不接", "我男朋友失联三天了", "我妹妹一夜没回家，手机一直关机"])
def test_a_grown_relative_gone_for_days_is_missing(text):
    """A husband, a sister … not home for nights or out of reach is a missing person for 110; how long it has lasted
    (三天了) says it still goes on, not that it is past."""
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert (finding.line, finding.event, finding.alarm) == ("110", "人员走失", True), text


@pytest.mark.parametrize("text", ["我老公今晚加班没回家，想问问公积金怎么提", "我哥哥在外地打工，过年没回来，想问下社保怎么转",
                                  "我媳妇回娘家了，电话也不接", "上个月我老公两天没回家，后来找到了，想问问怎么离婚"])
def test_a_relative_away_for_a_reason_is_no_alarm(text):
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert finding is None or not finding.alarm, text


@pytest.mark.parametrize("text", ["孩子被锁在车里了，天很热", "孩子被锁车里"])
def test_a_child_locked_in_a_car_has_its_own_steps(text):
    """119 is right, and what to do is the car's (stay by it, the plate, a window away from the child), not a lift's
    or a collapsed building's."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    rule, finding, _ = intake(snap, text)
    assert (rule.transfer_to, finding.event) == ("119", "被锁车内")
    assert "车牌" in rule.script and "电梯" not in rule.script and "倒塌" not in rule.script
    advice = public_alarm(snap, text)["advice"]
    assert advice[0].startswith("守在车旁") and not any("电梯" in a or "坍塌" in a for a in advice)
    # A car key locked in with no one inside is no one trapped.
    assert not intake(snap, "我把车钥匙锁车里了，车里没人，能帮我找个开锁的吗")[1]


def test_someone_saying_they_will_take_pills_gets_the_self_harm_handling():
    """要吃安眠药 says what someone means to do: 有人要轻生 does not yield to it, so the agent reads the crisis
    script (12356) with 120 beside; pills already taken go to 120 first, the crisis script and steps after its own."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    threat, finding, _ = intake(snap, "她说要吃安眠药 不活了")
    assert (threat.transfer_to, finding.event) == ("110", "有人要轻生") and "12356" in threat.script
    assert public_alarm(snap, "她说要吃安眠药 不活了")["answers"] is False
    taken, finding, _ = intake(snap, "他吃了一整瓶安眠药，说不想活了")
    assert (taken.transfer_to, finding.also) == ("120", ["110"])
    assert taken.script.startswith("您反映的情况需要医疗急救") and "12356" in taken.script
    alarm = public_alarm(snap, "他吃了一整瓶安眠药，说不想活了")
    assert alarm["advice"][0].startswith("吃错药") and any("12356" in a for a in alarm["advice"])
    assert alarm["answers"] is False


def test_a_near_miss_names_no_injury():
    """孩子差点掉下去 tells of no fall: the reason says so without claiming a fall into the manhole was recognised."""
    from kb_app.dispatch.assistant import intake

    _, finding, _ = intake(Snapshot.from_tree(load_script().ROOT), "小区门口井盖没了 有个小孩差点掉下去")
    assert finding.state == DISMISSED
    assert finding.explanation() == "提到“井盖…掉下去”，没有按坍塌和被困处理：说的可能是没有发生（差点）"


LONG_STORY = ("我想问一下，我们小区的物业公司一直不作为，楼道里的灯坏了半年了没人修，垃圾也堆着没人清理，物业费倒是每年都在涨，"
              "业主群里大家意见都很大，我们想问问能不能换物业，要走什么程序")


def test_an_urgent_matter_told_at_the_end_of_a_long_call_is_dispatched_at_once():
    """A gas smell told after a long story about the management company: the story ranks 物业 first for the whole
    text, but the clause that tells the smell makes the call urgent, 燃气泄漏 first. Told as the past, it does not."""
    from kb_app.dispatch.assistant import dispatch

    snap = Snapshot.from_tree(load_script().ROOT)
    now = dt.datetime(2026, 12, 6, 10, 0)
    r = dispatch(snap, LONG_STORY + "，另外我还想说一下，刚才我回家的时候发现楼道里有很大的煤气味，现在还在", now)
    assert r.urgent and r.candidates[0].entry_id == "gas-leak"
    assert "煤气味" in r.urgent_text
    r = dispatch(snap, LONG_STORY + "，上个月楼道里还有煤气味，物业也没来看", now)
    assert not r.urgent and r.candidates[0].entry_id != "gas-leak"


#: Someone saying plainly that they mean to end their life, in the many ways people say it.
CRISIS_SAID_PLAINLY = [
    "我想死", "我真的想死了", "活不下去了", "我不如死了算了", "我准备今晚结束自己", "我要结束自己的生命", "我活够了",
    "我老婆说要带着孩子一起去死", "要是再不解决我就死给你们看", "拆迁款一直不给，我今天就去政府门口点了自己",
    "我在江边，不想回去了", "我把煤气打开了，门窗都关上了", "我想自杀", "我一直想轻生", "我在桥上，想跳江", "我割腕了",
    "他说要一死了之", "我想自我了断", "我儿子在房间里自残", "我们都快活不下去了，我今天就去政府门口点了自己",
]


@pytest.mark.parametrize("text", CRISIS_SAID_PLAINLY)
def test_someone_saying_plainly_they_want_to_die_is_put_through_with_the_crisis_words(text):
    """我想死, 活不下去了, 死给你们看 …: 110 with the crisis wording (12356), as 我不想活了 was; a complaint about a
    livelihood said beside a threat does not hide it."""
    from kb_app.dispatch.assistant import intake

    rule, finding, _ = intake(Snapshot.from_tree(load_script().ROOT), text)
    assert finding.alarm and (rule.transfer_to, finding.event) == ("110", "有人要轻生"), text
    assert "12356" in rule.script


@pytest.mark.parametrize("text", [
    "燃气费怎么交，想死的心都有了，网上一直交不上", "今天热死了，小区能不能多洒点水", "考试考砸了，我都要气死了", "这个视频笑死我了",
    "我想问一下死亡证明怎么开", "老人去世了，丧葬补助怎么领", "单位拖欠工资三个月了，我都快活不下去了", "上班累得想死，加班费怎么算",
    "我想死你们了，过年回来看你们", "你去死吧，他就这么骂我，这算不算侮辱", "我不想死在医院里，想问问居家安宁疗护怎么申请",
])
def test_death_said_as_a_figure_of_speech_or_a_matter_raises_no_crisis_alarm(text):
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert finding is None or not finding.alarm, text


@pytest.mark.parametrize("text", ["我带着汽油去信访局", "上访没人管，我带了汽油去区政府", "我带着汽油去信访局，今天就要个说法"])
def test_a_threat_with_petrol_outranks_the_petition_channel(text):
    """A threat to set oneself or others on fire is put through to 110, never told to keep to the petition channel."""
    from kb_app.dispatch.assistant import intake

    rule, finding, other = intake(Snapshot.from_tree(load_script().ROOT), text)
    assert finding.alarm and rule.transfer_to == "110", text
    assert "信访渠道" not in rule.script
    # the petition rule is still what a plain petition is told
    rule, finding, _ = intake(Snapshot.from_tree(load_script().ROOT), "信访局的答复我不满意，还能再去信访吗")
    assert rule.id == "petition" and not (finding and finding.alarm)


HABITUAL = {**CONFIG, "now": {"strong": ["现在", "刚才"], "weak": ["了"]},
            "not_now": {**CONFIG["not_now"], "经常发生": ["经常", "天天"], "规定和办理": ["想问问"]}}


@pytest.mark.parametrize("text,state", [
    ("他经常打架，刚才又打了", SUSPECTED),              # a now-clause next to it says it again (又)
    ("楼下天天打架，现在打人的还没走", SUSPECTED),      # … or speaks of the same event (打)
    ("刚才楼下那两个人经常打架", SUSPECTED),            # a strong sign in its own clause
    ("他经常打架了", DISMISSED),                        # a habit and no now: a complaint
    ("他经常打架，现在想问问怎么办", DISMISSED),        # the now-clause asks about it
    ("他经常打架，现在天气冷", DISMISSED),              # the now-clause speaks of something else
])
def test_what_happens_often_and_now_again_is_not_dismissed(text, state):
    f = Recogniser(HABITUAL, RULES).recognise(text)
    assert (f.state, f.line) == (state, "110"), text


@pytest.mark.parametrize("text", ["我老公经常打我，刚才又打了，我现在躲在邻居家", "我邻居家天天打孩子，现在孩子在惨叫",
                                  "他三天两头打老婆，刚才又打起来了", "我老公经常打我，我现在躲在邻居家",
                                  "他经常打我，我刚跑出来了，现在不敢回家"])
def test_habitual_violence_happening_now_is_put_through_to_110(text):
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert finding.alarm and finding.line == "110", text


@pytest.mark.parametrize("text", ["邻居家经常吵架", "我老公天天打游戏不管孩子", "楼下经常有人打架，想问问能不能装个监控",
                                  "隔壁天天打孩子，现在想问问怎么举报", "以前他经常打我，我那时候躲在邻居家",
                                  "我家猫经常躲在床底下，现在想问问怎么办"])
def test_a_habit_with_no_now_raises_no_alarm(text):
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert finding is None or not finding.alarm, text


def test_what_was_done_for_some_leaves_the_others_event_as_it_is():
    """已经有几个送医院了 tells of a few: the others are still vomiting, so the event is not dealt with; words of what
    was dealt with said of all of them still are."""
    config = {**CONFIG, "not_now": {**CONFIG["not_now"], "已经过去": ["送医院了"]}, "anywhere": ["已经过去"],
              "handled": ["送医院了"], "partial": ["有几个"]}
    rules = [{"id": "medical", "name": "急救", "action": "transfer", "transfer_to": "120",
              "events": [{"name": "中毒", "pairs": [[["好多孩子"], ["呕吐"]]]}]}]
    recognise = Recogniser(config, rules).recognise
    assert recognise("好多孩子呕吐了，已经有几个送医院了").alarm
    assert recognise("好多孩子呕吐了，已经都送医院了").state == DISMISSED
    from kb_app.dispatch.assistant import intake

    snap = Snapshot.from_tree(load_script().ROOT)
    school = intake(snap, "学校食堂吃完饭，好多孩子肚子疼呕吐，已经有几个送医院了")[1]
    assert school.alarm and school.line == "120"
    assert not intake(snap, "学校食堂好多孩子呕吐，现在都送医院了，想问问食堂归谁管")[1].alarm


@pytest.mark.parametrize("text,line", [
    ("我老公喝醉了掐我脖子", "110"), ("他勒住我的脖子不放", "110"), ("我家孩子被人抱走了", "110"), ("有人拿枪", "110"),
    ("楼下有个人拿着枪在晃", "110"),
    ("客人吃饭噎住了，两只手掐着自己脖子，脸憋得通红", "120"),  # the sign of choking, not strangling
    ("孩子拿着水枪在小区里玩，能管管吗", "none"),
])
def test_strangling_a_child_taken_and_a_gun(text, line):
    assert sample_line(text) == line


@pytest.mark.parametrize("text,line", [
    # carbon monoxide: people unwell, or its alarm going off
    ("家里人都头晕，可能是一氧化碳", "120"),
    ("我爸用燃气热水器洗澡，出来说头晕恶心", "120"),
    ("一氧化碳报警器一直在响，孩子说头疼", "119"),
    # gas smelt but not named: rotten eggs indoors is asked about; the sewer, rubbish or tap water is not gas
    ("家里有股臭鸡蛋味", "119"),
    ("楼道里一股臭鸡蛋的味，越来越浓", "119"),
    ("下水道一股臭鸡蛋味，好几天了", "none"),
    ("自来水有股臭鸡蛋味", "none"),
    # a power line down on the ground, in the water, or electricity in a puddle
    ("高压线断了垂到路上，有人差点碰到", "119"),
    ("小区门口的电线被大风刮断了，掉在马路上", "119"),
    ("路边电线杆倒了，电线拖在水里", "119"),
    ("暴雨后路灯杆漏电，积水里带电", "119"),
    ("大货车把路边的电线杆撞倒了，电线掉在地上", "122"),  # a crash is the traffic police's
    ("电线杆上的广告太多了，能不能清理一下", "none"),
    ("楼道里的电线乱拉乱接，想反映一下安全隐患", "none"),
    ("网线断了掉在地上，宽带用不了", "none"),
    ("小区里的高压线掉下来了，搭在车上", "119"),
    # a building that moves, leans or sinks, or that its people dare not go back into
    ("墙上裂了好大的缝，楼在晃", "119"),
    ("小区地面突然下沉了，楼歪了", "119"),
    ("楼体开裂了，墙皮一直往下掉，住户都不敢回家", "119"),
    ("楼上装修，震得楼都在晃", "none"),
    ("风太大了，感觉楼都在晃", "none"),  # a tall building swaying in the wind
    ("我们楼是危房，楼体开裂，大家都不敢住了，什么时候改造", "none"),
    ("墙皮脱落了，物业一直不修", "none"),
    ("我家墙上有裂缝，想申请危房鉴定", "none"),
    # someone inside a lift that stopped
    ("电梯停了，我在里面", "119"),
    ("电梯突然不动了，我们三个人在里面", "119"),
    ("电梯又坏了，物业不修", "none"),
    ("电梯停了一上午，人在里面等了好久才出来，物业太差了", "none"),
    # many taken ill after one meal; a child sick without stopping
    ("我们公司食堂中午吃了以后二十多个人拉肚子", "120"),
    ("学校食堂吃完饭，好多孩子肚子疼呕吐，已经有几个送医院了", "120"),  # a few sent, the others still sick
    ("孩子在学校吃了午饭回来一直吐", "120"),
    ("食堂饭菜太难吃了，想投诉一下", "none"),
    ("这家饭店味道不好，好多人都拉肚子了", "none"),
    # someone old, alone, not answering; someone old, alone and freezing
    ("我奶奶一个人在家，电话一直没人接，敲门也不应", "110"),
    ("老太太冻得发抖，家里暖气停了三天，她一个人住", "120"),
    ("我家老头都冻病了，发烧", "120"),
    ("暖气不热，家里才16度", "none"),
    ("家里暖气不热，屋里才十二度，老人冻得直哆嗦，热力公司电话一直打不通", "none"),
    ("物业电话一直没人接，我一个人住", "none"),
    ("我一个人在家，快递员敲门不开", "none"),
    # someone in the river is asked about; someone swimming or fishing there is not
    ("有人在河里", "119"),
    ("有人在河里钓鱼", "none"),
    # someone down a well is brought up by 119, cared for by 120
    ("孩子掉到井里了", "119"),
    ("井盖没了，刚才一个老人掉下去了", "119"),
])
def test_dangers_said_plainly(text, line):
    assert sample_line(text) == line


def test_a_danger_has_its_own_name_steps_and_other_lines():
    """A fall is no bleeding, a power line down has its own steps, and someone down a well is 119's with 120 beside."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    assert intake(snap, "我妈在家摔倒了起不来")[1].event == "摔伤和坠落"
    rule, finding, _ = intake(snap, "路边电线杆倒了，电线拖在水里")
    assert (rule.transfer_to, finding.event, finding.channel) == ("119", "电线断落", "119抢险救援")
    assert "10米" in rule.script and public_alarm(snap, "电线被风刮断掉在地上了")["advice"][0].startswith("远离断落的电线")
    well = intake(snap, "老人掉进井里了")[1]
    assert (well.line, well.also) == ("119", ["120"])
    # a second group of an event's name is the same event: its steps are the first group's
    rule, finding, _ = intake(snap, "家里有股臭鸡蛋味")
    assert (finding.event, finding.state) == ("燃气泄漏", SUSPECTED) and "不要开关电灯" in rule.script
    assert "不要贸然下水" in intake(snap, "有人在河里")[0].script


@pytest.mark.parametrize("text", ["我老公打我", "孩子他爸正在打孩子", "我被家暴了，现在在邻居家", "我老公喝醉了掐我脖子"])
def test_violence_at_home_is_named_as_such_with_its_own_advice(text):
    """Someone of the family hitting: 家庭暴力, not a street fight, and the advice is to get somewhere safe with
    the children, not to note the other's number plate."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    finding = intake(snap, text)[1]
    assert (finding.line, finding.event, finding.alarm) == ("110", "家庭暴力", True), text
    advice = public_alarm(snap, text)["advice"]
    assert advice[0].startswith("先到安全的地方") and not any("车牌" in a for a in advice), advice


@pytest.mark.parametrize("text", ["我老公天天打游戏不管孩子", "我妈打电话说腿疼"])
def test_family_words_beside_other_verbs_are_no_violence(text):
    from kb_app.dispatch.assistant import intake

    finding = intake(Snapshot.from_tree(load_script().ROOT), text)[1]
    assert finding is None or finding.event != "家庭暴力", text


@pytest.mark.parametrize("text", ["社保卡被偷了去哪里重新办", "身份证被偷了怎么补办"])
def test_asking_how_to_replace_what_was_stolen_raises_no_alarm(text):
    """去哪里重新办 asks how to get something done, as 怎么补办 does: the public sees the answers, not a 110 box."""
    assert sample_line(text) == "none", text


def test_a_theft_asked_about_but_said_as_just_now_is_still_asked_about():
    """A sign of now (了) beside the question: the agent is asked to make sure, not told it is going on."""
    assert sample_classify()("我的车被偷了，去哪里办挂失") == ("110", "suspected")


@pytest.mark.parametrize("text,state", [
    ("楼上装修电钻吵了一上午，刚才我家天花板掉下来一大块", EMERGENCY),
    ("楼上在装修，电钻声吵了一上午，刚才我家天花板掉下来一大块，差点砸到孩子", EMERGENCY),
    ("去年天花板掉下来一大块，物业一直不修", DISMISSED),
])
def test_a_fallen_ceiling_is_a_danger_whatever_shook_it(text, state):
    """A renovation's drilling earlier in the call leaves a ceiling that fell in a danger: the words that
    say a building only shakes from it (装修, 电钻, 震得) are no reason against a ceiling on the floor."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    finding = intake(snap, text)[1]
    assert (finding.state, finding.line, finding.event) == (state, "119", "天花板坍塌")
    if state == EMERGENCY:
        assert public_alarm(snap, text)["advice"][0].startswith("马上离开塌落的房间")
    # A building said to shake from the drilling stays no emergency.
    assert not intake(snap, "楼上装修电钻一直响，震得我家楼都在晃")[0]


@pytest.mark.parametrize("text,line", [
    ("zháo huǒ le! Xīnhuá lù 23 hào sān lóu", "119"),  # pinyin with its tone marks
    ("“您是说现在有人被困在电梯里吗？”“没有没有，人早就出来了，我就想问电梯维保该找谁”", None),  # a quoted echo answered no
    ("刚才那个电话是我家孩子乱打的，说什么着火了，没有的事", None),
    ("有個男的在公車上偷摸女學生，被人發現以後還動手打人，公車現在停在中山路站", "110"),  # 以后还 of what followed, not of later
    ("他以后还会打我吗", None),
])
def test_how_a_call_is_written_or_taken_back(text, line):
    from kb_app.dispatch.assistant import intake

    rule = intake(Snapshot.from_tree(load_script().ROOT), text)[0]
    assert (rule.transfer_to if rule else None) == line


def test_a_call_for_help_in_code_is_answered_with_yes_or_no_questions():
    """点外卖 with 他就在我旁边，不能多说: the agent asks what 是 or 不是 answers; a citizen is told of 12110 by text."""
    from kb_app.dispatch.assistant import intake, public_alarm

    snap = Snapshot.from_tree(load_script().ROOT)
    text = "你好我点个外卖，要一份麻辣烫，送到幸福里6栋402，对对越快越好，他就在我旁边，不能多说"
    rule, finding, _ = intake(snap, text)
    assert (rule.transfer_to, finding.state, finding.event) == ("110", EMERGENCY, "不便明说的求助")
    assert "“是”或者“不是”" in rule.script
    alarm = public_alarm(snap, text)
    assert "12110" in alarm["advice"][0] and alarm["answers"] is False


@pytest.mark.parametrize("text,line", [
    ("气死我了，楼下有人拿刀砍人，快来", "110"),  # a figure of speech says nothing of the clause after it
    ("吵死了，隔壁着火了，烟都冒出来了", "119"),
    ("我都要疯了，孩子不见了，商场里找了一圈", "110"),
    ("他说要杀了我，不是气话，他拿着刀在门口", "110"),
    ("热得我都要晕倒了", None),  # in its own clause it is still a figure
    ("救命啊 我们学校食堂的饭难吃到离谱 简直是谋杀味蕾", None),  # a cry alone takes the call's tone
    ("我说要跳楼那是气话，想问问失业金", None),  # said not to be meant, of the whole call
    ("开个玩笑，我家着火了", None),
])
def test_a_figure_of_speech_is_of_its_own_clause(text, line):
    from kb_app.dispatch.assistant import intake

    rule = intake(Snapshot.from_tree(load_script().ROOT), text)[0]
    assert (rule.transfer_to if rule else None) == line


@pytest.mark.parametrize("text", [
    "喂，我家厨房水管爆了，水哗哗往外冒，地上全是水，楼下要淹了",
    "水管爆了 水哗哗往外冒",
    "暖气片漏水了，水滋滋往外喷",
    "暖气片往外喷水了",
    "暖气管漏了，往外喷蒸汽",
    "暖气阀门坏了，热水往外冒",
    "水管爆了，哗哗往外冒",
    # Nor a call like past emergencies: what spurts was read, and it is water.
    "水龙头坏了关不上，水哗哗往外冒",
])
def test_water_spurting_from_a_pipe_is_no_bleeding_gas_or_collapse(text):
    """What spurts is water (水哗哗往外冒, 暖气片往外喷): a burst pipe or a leaking radiator, an urgent repair to
    dispatch, not a wound for 120 nor people trapped or gas for 119."""
    from kb_app.dispatch.assistant import intake

    rule, finding, _ = intake(Snapshot.from_tree(load_script().ROOT), text)
    assert rule is None and (finding is None or not finding.alarm), (text, finding and finding.explanation())


@pytest.mark.parametrize("text,state", [
    ("他摔了一跤，头上的血一直往外冒", EMERGENCY),
    ("切到手了，哗哗往外冒，止不住", EMERGENCY),
    ("他头上破了个大口子，哗哗往外冒血", EMERGENCY),
    ("水管爆了，我爸去关阀门摔倒了，头上血哗哗往外冒", EMERGENCY),  # the water is in another clause
    ("血哗哗往外冒", SUSPECTED),
])
def test_blood_spurting_stays_an_emergency_beside_water(text, state):
    from kb_app.dispatch.assistant import intake

    rule, finding, _ = intake(Snapshot.from_tree(load_script().ROOT), text)
    assert (finding.line, finding.state) == ("120", state), finding.explanation()


@pytest.mark.parametrize("text,line", [
    ("暖气管子爆了，滚烫的水往外喷，屋里全是蒸汽，我婆婆在里屋出不来", "119"),  # trapped: the water says nothing of it
    ("家里进水了，水都到腰了，老人出不来", "119"),
    ("羊水破了，哗哗往外流，快来人", "120"),
])
def test_a_leak_beside_people_trapped_or_a_birth_is_still_an_emergency(text, line):
    assert sample_line(text) == line


def test_a_fire_one_could_not_escape_is_asked_about_not_put_through():
    """着火了都跑不出去 is what would follow a fire (a complaint about a blocked stairway) or a fire happening: the
    agent asks (suspected), never dismissed; a fire told with its own clause stays an emergency."""
    classify = sample_classify()
    assert classify("楼道里堆满了杂物，着火了都跑不出去") == ("119", SUSPECTED)
    assert classify("楼道里堆满了杂物，万一着火了都跑不出去")[0] == "none"     # said as a worry
    for text in ("楼道着火了，我们跑不出去", "楼道里堆满了杂物，着火了，跑不出去", "着火了，大家都跑不出去了"):
        assert classify(text) == ("119", EMERGENCY), text



def test_a_pair_naming_the_event_beside_a_word_of_the_same_line_still_outranks_an_event_that_yields():
    """被骗了，摔了一跤，起不来了: the fall is named by a pair (摔了一跤…起不来, listed first), the danger by the word
    起不来了 of the same line as well, so the fraud yields to it as it would to the word alone; a pair alone does not
    make it yield (人 … 砸了)."""
    rules = [{"id": "police", "name": "警情", "action": "transfer", "transfer_to": "110",
              "events": [{"name": "诈骗", "words": ["被骗"], "yields": True}]},
             {"id": "medical", "name": "急救", "action": "transfer", "transfer_to": "120",
              "events": [{"name": "摔伤和坠落", "pairs": [[["摔了一跤"], ["起不来"]]]},
                         {"name": "昏迷晕倒", "words": ["起不来了"]}]}]
    recognise = Recogniser(CONFIG, rules).recognise
    both = recognise("我妈刚被骗了钱，摔了一跤，起不来了")
    assert (both.line, both.event, both.also, both.beside) == ("120", "摔伤和坠落", ["110"], ("police", "诈骗"))
    paired = recognise("我妈刚被骗了钱，摔了一跤，起不来")                  # no word of 120 said
    assert (paired.line, paired.event, paired.also) == ("110", "诈骗", ["120"])


@pytest.mark.parametrize("text, event", [
    ("我婆婆在家摔了一跤，起不来了，头上还在流血", "出血和外伤"),
    ("我妈在家摔了一跤，起不来了", "摔伤和坠落"),
    ("扫雪扫着扫着，我老公说胸口疼，满头大汗，坐地上起不来了。", "心脑、呼吸和抽搐急症"),
    ("我奶奶突然起不来了", "昏迷晕倒"),                                   # said alone, as before
])
def test_the_samples_fall_is_a_fall_and_not_a_faint(text, event):
    """起不来了 alone says little of what happened: a fall, bleeding or chest pain told with it name the event."""
    from kb_app.dispatch.assistant import recogniser

    found = recogniser(Snapshot.from_tree(load_script().ROOT)).recognise(text)
    assert (found.line, found.event, found.state) == ("120", event, EMERGENCY)
    if "骗" not in text:
        assert found.also == []


def test_the_samples_fraud_beside_a_fall_goes_to_120_first():
    from kb_app.dispatch.assistant import recogniser

    found = recogniser(Snapshot.from_tree(load_script().ROOT)).recognise("我妈刚知道被骗了三万，一着急摔了一跤，起不来了")
    assert (found.line, found.event, found.also) == ("120", "摔伤和坠落", ["110"])
