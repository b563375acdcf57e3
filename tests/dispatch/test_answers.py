"""Answers that settle a request (kb_app.dispatch.answers) and the outcomes recorded for the direct-answer rate."""

import datetime as dt

import pytest
from click.testing import CliRunner

from kb_app.dispatch.answers import content_words, coverage, is_question
from kb_app.cli import cli
from kb_app.exceptions import KbError

from ..conftest import TODAY
from ..usage.test_stats import on
from ..ui_helpers import rows

NOW = dt.datetime(2026, 11, 20, 16, 0)


@pytest.fixture
def indexed(kb, built_index):
    import shutil

    shutil.copytree(built_index, kb.settings.index_dir)
    return kb


def test_a_consultation_is_answered_before_it_is_dispatched(indexed):
    """退休金什么时候涨: the published 2026 adjustment settles it; no 5-day ticket is proposed first."""
    r = indexed.dispatch("退休金什么时候涨", now=NOW)
    first = r.answers[0]
    assert (first.entry_id, first.settles, first.status) == ("pension-adjustment-2026", True, "in_force")
    assert r.suggested_outcome == "direct_answer"
    assert r.candidates  # the catalogue is still there, after the answers
    # last year's answer covers the question as well, but has expired: it never settles
    old = next(a for a in r.answers if a.entry_id == "pension-adjustment-2025")
    assert old.status == "expired" and not old.settles
    data = r.to_dict()
    assert data["suggested_outcome"] == "direct_answer" and data["answers"][0]["entry"] == "pension-adjustment-2026"


@pytest.mark.parametrize("text,entry", [("外地人怎么办居住证", "residence-permit-apply"), ("低保怎么申请", "dibao-apply")])
def test_other_consultations(indexed, text, entry):
    r = indexed.dispatch(text, now=NOW)
    assert (r.answers[0].entry_id, r.suggested_outcome) == (entry, "direct_answer")


@pytest.mark.parametrize("text", ["小区门口的路灯坏了好几天了", "物业费涨价没有公示", "小区旁边工地半夜还在打桩"])
def test_complaints_are_dispatched(indexed, text):
    r = indexed.dispatch(text, now=NOW)
    assert r.suggested_outcome == "dispatch"
    assert not any(a.settles for a in r.answers)


@pytest.mark.parametrize("text, entry", [
    ("小区垃圾桶满了好几天没人清", "garbage-sorting"),      # its question says this, its text: 请拨打12345反映……派区环卫部门处理
    ("小区垃圾桶满了没人清怎么办", "garbage-sorting"),      # asked, and the sentence naming it says the same
    ("流动摊贩占道经营", "street-vending"),                  # 怎么反映：拨打12345……派城管执法部门处理
    ("路边停车收费有异议怎么办", "roadside-parking-fee")])  # 对收费有异议：……拨打12345反映，派交通部门核查
def test_an_answer_saying_the_hotline_dispatches_the_matter_settles_nothing(indexed, text, entry):
    """The caller is on the hotline already: what the answer tells them to report is dispatched, not read out."""
    r = indexed.dispatch(text, now=NOW)
    assert entry in [a.entry_id for a in r.answers]
    assert not next(a for a in r.answers if a.entry_id == entry).settles
    assert r.suggested_outcome == "dispatch"


@pytest.mark.parametrize("text, entry", [("垃圾怎么分类", "garbage-sorting"), ("大件垃圾怎么扔", "garbage-sorting"),
                                         ("路边停车怎么收费", "roadside-parking-fee")])
def test_a_question_the_answer_tells_is_still_settled_by_it(indexed, text, entry):
    r = indexed.dispatch(text, now=NOW)
    assert (r.answers[0].entry_id, r.answers[0].settles, r.suggested_outcome) == (entry, True, "direct_answer")


@pytest.mark.parametrize("text", ["小区门口路灯坏了，不知道归谁管", "小区门口路灯坏了"])
def test_an_answer_about_another_matter_is_not_offered_beside_the_dispatch(indexed, text):
    """小区门口 is in 占道经营's question 小区门口有人摆摊卖菜: it covered 58 % of the call, and was offered with a
    button to answer the caller with it, though the call names 路灯 (路灯不亮) and the answer does not."""
    r = indexed.dispatch(text, now=NOW)
    assert r.candidates[0].entry_id == "street-light-out" and r.suggested_outcome == "dispatch"
    assert [a.entry_id for a in r.answers] == []


def test_an_answer_about_the_matter_the_call_names_is_still_offered(indexed):
    r = indexed.dispatch("家里暖气片不热，供暖公司说要排查，等了一个礼拜也没人上门。", now=NOW)
    assert r.candidates[0].entry_id == "heating-not-warm"
    assert [(a.entry_id, a.settles) for a in r.answers] == [("heating-not-warm-repair", False)]


@pytest.mark.parametrize("text", ["我家猫跑丢了", "我家狗跑丢了"])
def test_an_answer_must_hold_what_the_request_names_in_one_character(indexed, text):
    """猫 is one character: an answer about 我家楼顶漏水 held every word of two characters (我家), and
    was offered as settling the call."""
    r = indexed.dispatch(text, now=NOW)
    assert r.answers == [] and r.suggested_outcome != "direct_answer"
    assert content_words(text)[-1] in "猫狗"


def test_no_answer_is_listed_beside_a_transfer_script(indexed):
    """我家着火了 is transferred to 119: as no catalogue entry is given beside the script, no policy answer is either
    (one about 楼顶漏水 shares its words 我家), in the result as in ``kb dispatch --json`` and the API."""
    r = indexed.dispatch("我家着火了", now=NOW)
    assert r.candidates_withheld and r.answers == []
    assert r.to_dict()["answers"] == [] and r.to_dict()["suggested_outcome"] == "transfer"


def test_the_safety_advice_for_an_urgent_matter_said_at_the_end_of_a_complaint(indexed):
    """The console tells the agent to read the safety advice below: it must be there, though the rest of
    the call is about rubbish and no answer covers the whole of it."""
    text = ("我们小区的垃圾已经好几天没人清运了，臭气熏天，物业也不管，我打了好几次电话都没用。"
            "今天下楼的时候还闻到很浓的煤气味，好像是302家里传出来的")
    r = indexed.dispatch(text, now=NOW)
    assert r.urgent and r.candidates[0].entry_id == "gas-leak" and r.suggested_outcome == "dispatch"
    assert r.urgent_text == "今天下楼的时候还闻到很浓的煤气味"
    assert r.answers and r.answers[0].entry_id == "gas-leak-emergency"
    # A request that is all about the matter keeps its own answers.
    assert indexed.dispatch("家里煤气味很重", now=NOW).answers[0].entry_id == "gas-leak-emergency"


def test_an_urgent_matter_no_answer_names_gets_its_own_safety_steps_not_another_matters_answer(indexed):
    """马路上的井盖丢了: 停水、水管漏水's question 马路上水管爆了 shares 马路上, and was listed as the answer whose safety
    advice to read; it says nothing of 井盖. The steps intake_rules.yaml gives for a missing cover are read instead."""
    r = indexed.dispatch("马路上的井盖丢了", now=NOW)
    assert r.urgent and r.candidates[0].entry_id == "manhole-cover"
    assert "water-repair" not in [a.entry_id for a in r.answers]
    assert r.urgent_advice and "井" in r.urgent_steps and "见下方答复口径" not in r.urgent_steps


@pytest.mark.parametrize("text", ["家里煤气味很重", "水管爆了"])
def test_a_matter_of_the_shortest_time_limit_is_dispatched_though_an_answer_covers_it(indexed, sample_root, text):
    """The answer's safety advice is read, and the matter is dispatched at once (2 hours), never only answered."""
    r = indexed.dispatch(text, now=NOW)
    assert r.urgent and r.suggested_outcome == "dispatch"
    assert r.candidates[0].tier_name == "2小时"
    assert r.to_dict()["urgent"] is True
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(indexed.settings.data_path),
                                   "--now", "2026-11-20T16:00", text])
    assert res.exit_code == 0, res.output
    # The answer with the safety steps is listed below, and said to be.
    assert res.output.splitlines()[1] == \
        f"需要立即处置：{r.candidates[0].title}（2小时）；先提醒来电人注意安全（见下方答复口径），再立即派单。"
    assert "建议直接答复" not in res.output


@pytest.mark.parametrize("text", ["我闻到家里有煤气味，怎么办", "我家厨房有很大的煤气味，现在怎么办", "闻到燃气味怎么办",
                                  "闻到煤气味应该打什么电话", "水管爆了怎么办", "半夜闻到煤气味，怎么办"])
def test_asking_what_to_do_now_keeps_an_urgent_matter_urgent(indexed, text):
    """Asking what to do (怎么办, whom to call) about a matter of the shortest time limit asks for help with
    something happening: the safety advice is read first and the matter dispatched at once (when in doubt,
    urgent); the answer is still offered for its advice."""
    r = indexed.dispatch(text, now=NOW)
    assert r.urgent and r.suggested_outcome == "dispatch"
    assert r.candidates[0].tier_name == "2小时"


@pytest.mark.parametrize("text, answer", [
    ("你好不好意思打扰了，我就是想问一下，我家厨房好像有点煤气味，还挺大的，我现在在家，要不要紧啊", "gas-leak-emergency"),
    ("不好意思打扰一下，我想咨询一下，家里有股煤气味，严不严重", "gas-leak-emergency"),
    ("喂，我家厨房水管爆了，水哗哗往外冒，地上全是水，楼下要淹了", "water-repair"),
])
def test_a_matter_told_calmly_or_politely_is_still_urgent_with_its_safety_answer(indexed, text, answer):
    """Asked politely whether it is serious (我就是想问一下 … 要不要紧啊), a smell of gas at home now is the urgent
    2-hour matter with the answer whose safety steps are read out; a burst pipe whose water gushes (哗哗往外冒) is
    the same, not a wound to put through to 120."""
    r = indexed.dispatch(text, now=NOW)
    assert not r.candidates_withheld and r.urgent and r.suggested_outcome == "dispatch", r.emergency
    assert r.candidates[0].tier_name == "2小时"
    assert r.answers and r.answers[0].entry_id == answer


@pytest.mark.parametrize("text, tier", [
    ("家里水管爆了，不知道找谁", "2小时"),
    ("我闻到小区里有股煤气味，挺冲的，不知道哪里来的", "2小时"),
    ("我家厨房有煤气味，不知道怎么回事", "2小时"),
    ("我闻到楼道里有煤气味，不知道是谁家的", "2小时"),
    ("小区门口路灯坏了，不知道归谁管", "3个工作日"),
])
def test_not_knowing_what_it_is_or_whom_to_call_is_part_of_telling_the_matter(indexed, text, tier):
    """不知道怎么回事、哪里来的、是谁家的 tell the matter; 不知道找谁、归谁管 ask what to do about it. Neither is a
    question of its own: a gas smell or a burst pipe stays urgent, and no answer is settled on 知道 (打12345会不会
    被对方知道是我举报的)."""
    r = indexed.dispatch(text, now=NOW)
    assert r.suggested_outcome == "dispatch" and not r.rest and r.urgent == (tier == "2小时"), (r.rest, r.answers)
    assert r.candidates[0].tier_name == tier
    assert "hotline-privacy" not in [a.entry_id for a in r.answers]


def test_not_knowing_how_to_do_something_still_asks_it(indexed):
    for text, answer in [("我不知道社保卡丢了怎么补办", "sscard-reissue"), ("我想知道失业金怎么领", "unemployment-insurance-claim")]:
        r = indexed.dispatch(text, now=NOW)
        assert r.suggested_outcome == "direct_answer" and r.answers[0].entry_id == answer, text


@pytest.mark.parametrize("text", ["燃气费怎么交", "燃气灶坏了找谁修", "我想了解一下水管爆了怎么办", "路灯坏了，怎么办",
                                  "半夜燃气报修打什么电话"])
def test_a_consultation_about_the_same_matters_is_not_urgent(indexed, text):
    """A question of its own (了解, 找谁修, a fee) is a consultation, and a matter of a longer time limit stays as
    it was, whatever is asked after it; so is a number asked for with only when it is wanted (半夜燃气报修)."""
    assert not indexed.dispatch(text, now=NOW).urgent


def test_a_request_in_another_word_for_the_same_thing_is_answered(indexed):
    """煤气费怎么交 is answered as 燃气费怎么交 is (synonyms.yaml: 燃气、天然气、煤气), not sent to 燃气泄漏 alone."""
    for text in ("煤气费怎么交", "燃气费怎么交"):
        r = indexed.dispatch(text, now=NOW)
        assert r.answers[0].entry_id == "gas-bill-payment" and r.suggested_outcome == "direct_answer", text


def test_internal_answers_are_offered_to_agents(indexed):
    r = indexed.dispatch("供暖高峰期内部口径怎么答复", now=NOW)
    assert any(a.entry_id == "heating-peak-season-internal" and a.audience == "internal" for a in r.answers)


def test_coverage_and_questions():
    assert set(content_words("退休金什么时候涨")) == {"退休金", "退休"}
    # greetings, asking words and words of time and linking carry none of a request's content
    assert content_words("我想问下那个失业金咋个领嘛，我上个月遭公司辞退了") == ["失业", "公司", "辞退"]
    assert content_words("我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办") == [
        "小区", "门口", "路灯", "社保", "社保卡", "补办"]
    assert coverage("退休金什么时候涨", "今年退休金什么时候补发 涨工资") == 1.0
    assert coverage("养老金", "退休金", [["退休金", "养老金"]]) == 1.0
    # a synonym inside a word of the request: 煤气费 against an answer that says 燃气费
    assert coverage("煤气费怎么交", "燃气费怎么交", [["燃气", "天然气", "煤气"]]) == 1.0
    assert coverage("煤气费怎么交", "燃气费怎么交") < 1.0
    assert coverage("怎么", "退休金") == 0.0  # only stop words: nothing to cover
    assert is_question("退休金什么时候涨") and not is_question("路灯坏了")


def test_cli_shows_the_answer_before_the_catalogue(indexed, sample_root, tmp_path):
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(indexed.settings.data_path),
                                   "--now", "2026-11-20T16:00", "退休金什么时候涨"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1] == ("建议直接答复：2026年退休人员基本养老金调整 [pension-adjustment-2026]"
                        "（公开，示例市人力资源和社会保障局，覆盖 100%）")
    assert lines.index(next(x for x in lines if x.startswith("1. "))) > 1


def test_a_call_asking_one_thing_and_reporting_another_answers_the_one_and_dispatches_the_other(indexed, sample_root):
    """The 社保卡 answer (a direct answer on its own) was not listed, and 社保缴费 came first for the lamp."""
    r = indexed.dispatch("我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办", now=NOW)
    assert r.answers[0].entry_id == "sscard-reissue" and r.answers[0].settles
    assert r.rest == "我们小区门口路灯坏了" and r.candidates[0].entry_id == "street-light-out"
    assert r.suggested_outcome == "dispatch" and r.to_dict()["rest"] == "我们小区门口路灯坏了"
    assert r.rest_note == "来电说了不止一件事：所问的可按下方答复口径答复；“我们小区门口路灯坏了”请派单"
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(indexed.settings.data_path),
                                   "--now", "2026-11-20T16:00", "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办"])
    # what it tells besides may be wrong at length: 公司还欠我两个月工资没发 after 失业金怎么领
    other = indexed.dispatch("失业金怎么领，我是被辞退的，公司还欠我两个月工资没发", now=NOW)
    assert other.answers[0].entry_id == "unemployment-insurance-claim" and other.candidates[0].entry_id == "wage-arrears"
    assert other.rest == "我是被辞退的，公司还欠我两个月工资没发"
    assert f"注意：{r.rest_note}。" in res.output and "答复所问：社会保障卡丢了怎么补办" in res.output


@pytest.mark.parametrize("text, answered", [
    # what the call tells besides its questions is their setting: the answers hold it
    ("我家孩子今年上小学，我们没有本地户口，听说要居住证，居住证怎么办，小学怎么报名",
     {"residence-permit-apply", "primary-school-enrollment"}),
    ("我上个月被公司辞退了，失业金怎么领", {"unemployment-insurance-claim"}),
    ("我想问下那个失业金咋个领嘛，我上个月遭公司辞退了", {"unemployment-insurance-claim"}),
    ("我想问一下公积金怎么提取 买房子用的", {"housing-fund-withdrawal"}),
    ("我想问问居住证怎么办，我是外地来打工的", {"residence-permit-apply"}),
])
def test_a_call_telling_the_setting_of_its_questions_is_answered(indexed, text, answered):
    r = indexed.dispatch(text, now=NOW)
    assert r.suggested_outcome == "direct_answer" and r.rest == "" and "rest" not in r.to_dict()
    assert answered <= {a.entry_id for a in r.answers if a.settles}


def test_cli_says_to_read_out_only_the_first_answer_as_the_console_does(indexed, sample_root):
    """停水了: the answer to read out (its safety advice, the matter is urgent) is the first; a planned
    outage's notice and an internal instruction that also cover it are related, not read out."""
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(indexed.settings.data_path),
                                   "--now", "2026-11-20T16:00", "停水了"])
    assert res.exit_code == 0, res.output
    answers = [x for x in res.output.splitlines() if x.startswith(("先口述", "建议直接答复", "相关答复"))]
    assert len(answers) > 1 and answers[0].startswith("先口述其中的安全提示：")
    assert all(x.startswith("相关答复：") for x in answers[1:])
    assert not any("内部" in x for x in answers if not x.startswith("相关答复："))


# -- outcomes and the direct-answer rate -------------------------------------------------------------


def test_outcomes_are_recorded_masked(kb):
    kb.feedback.log_outcome("退休金什么时候涨，我电话13900001111", "direct_answer", entry="pension-adjustment-2026",
                            suggested="direct_answer", username="zuoxi01", role="agent")
    kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out", suggested="dispatch")
    kb.feedback.log_outcome("有人打架了", "transfer", line="110", suggested="transfer", urgency="emergency")
    first, second, third = rows(kb, "request_outcomes")
    assert first["text"] == "退休金什么时候涨，我电话[手机号]"
    assert (first["topic"], first["unit"], first["username"]) == ("社保", "city-hrss", "zuoxi01")
    street = kb.entry("street-light-out")
    assert (second["topic"], second["unit"]) == (street.category[0], street.handler)
    assert (third["outcome"], third["line"], third["topic"], third["entry"]) == ("transfer", "110", "紧急转接", None)


@pytest.mark.parametrize("args,message", [
    (("", "dispatch"), "诉求内容为空：请先输入来电人的诉求，再记录处理结果。"),
    (("x", "answer"), "处理结果“answer”无效：应为 direct_answer（直接答复）、dispatch（派单）或 transfer（转接）。"),
    (("x", "transfer"), "记录转接时缺少专线号码：请写明转接到 110、119、120 还是 122。"),
    (("x", "direct_answer", "street-light-out"), "答复口径“street-light-out”不存在：请从派单助手列出的答复口径中选择。"),
    (("x", "dispatch", "nothing"), "派单目录条目“nothing”不存在：请从派单助手列出的派单目录条目中选择。"),
])
def test_bad_outcomes(kb, args, message):
    with pytest.raises(KbError) as err:
        kb.feedback.log_outcome(*args)
    assert str(err.value) == message


@pytest.fixture
def settled(kb):
    d1, d2 = on(kb, "2026-11-01"), on(kb, "2026-11-02")
    d1.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    d1.feedback.log_outcome("社保卡丢了怎么补", "direct_answer", entry="sscard-reissue")
    d1.feedback.log_outcome("有人打架了", "transfer", line="110")
    d2.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out")
    return kb


def test_direct_answer_rate_per_day_and_topic(settled):
    start = dt.date(2026, 11, 1)
    assert settled.stats.direct_answers_per_day(start) == [
        # the call transferred to an emergency line is no request the hotline could answer: 2 of 2
        {"day": "2026-11-01", "requests": 2, "direct": 2, "dispatched": 0, "transferred": 1, "rate": 1.0},
        {"day": "2026-11-02", "requests": 1, "direct": 0, "dispatched": 1, "transferred": 0, "rate": 0.0}]
    topics = settled.stats.direct_answers_by_topic(start)
    assert topics[0] == {"topic": "社保", "requests": 2, "direct": 2, "dispatched": 0, "transferred": 0, "rate": 1.0}
    assert {t["topic"] for t in topics} == {"社保", "紧急转接", settled.entry("street-light-out").category[0]}
    s = settled.stats.summary(start)
    assert (s.requests, s.direct, s.transferred, s.direct_rate) == (3, 2, 1, 0.667)
    assert s.requests == sum(t["direct"] + t["dispatched"] for t in topics)       # the figures add up
    hrss = settled.stats.direct_answers_per_day(start, unit="city-hrss")
    assert [(r["requests"], r["direct"]) for r in hrss] == [(2, 2)]


def test_report_shows_the_direct_answer_rate(settled, sample_root, tmp_path):
    runner = CliRunner(env={"KB_TODAY": TODAY})
    args = ["report", "--root", str(sample_root), "--data-dir", str(tmp_path / "data"), "--from", "2026-11-01"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    # 受理诉求 = 直接答复 + 派单, and the rate is the one over the other: 2 / 3, the transfer shown apart
    assert ["  受理诉求（直接答复 + 派单）：3", "  直接答复 / 派单：2 / 1", "  转接紧急专线（不计入受理诉求）：1",
            "  直接答复率：66.7%"] == [line for line in lines if "受理" in line or "直接答复" in line][:4]
    i = lines.index("每日直接答复率")
    assert lines[i + 1:i + 3] == ["  日期\t受理诉求（直接答复+派单）\t直接答复\t派单\t直接答复率\t转接紧急专线（不计入受理）",
                                  "  2026-11-01\t2\t2\t0\t1.0\t1"]
    assert "各主题直接答复率" in lines
    res = runner.invoke(cli, [*args, "--csv"])
    assert "# 每日直接答复率\n统计期,承办单位,日期,受理诉求（直接答复+派单）,直接答复,派单,直接答复率,转接紧急专线（不计入受理）\n" \
        in res.output
    assert ",全部单位,2026-11-01,2,2,0,1.0,1\n" in res.output


def test_a_districts_answer_and_matter_wait_for_the_callers_district(indexed):
    """东湖区's parking rules are no answer for a caller whose district is unknown (asked first) or another
    (left out, and its catalogue matter proposed after those that apply); for 东湖区 they settle it."""
    unknown = indexed.dispatch("小区停车位被占了", now=NOW)
    parking = next(a for a in unknown.answers if a.entry_id == "donghu-community-parking")
    assert not parking.settles and parking.region_note == "仅适用于东湖区：请先问清来电人所在的区"
    assert unknown.suggested_outcome != "direct_answer"
    first = unknown.candidates[0]
    assert first.entry_id == "parking-community" and first.region_note == parking.region_note
    assert first.note.startswith("仅适用于东湖区") and first.to_dict()["region_note"] == parking.region_note
    elsewhere = indexed.dispatch("西山区小区停车位被占了", now=NOW)
    assert "donghu-community-parking" not in [a.entry_id for a in elsewhere.answers]
    # 西山区 alone does not make 西山区's school zoning an answer.
    assert "xishan-school-zoning-2026" not in [a.entry_id for a in elsewhere.answers]
    fees = indexed.dispatch("西山区小区里车乱停，外面的车都开进来停，停车收费不合理", now=NOW)
    notes = {c.entry_id: c.region_note for c in fees.candidates}
    assert notes["parking-community"] == "仅适用于东湖区，来电说的是西山区"
    # Those that apply match far less (物业费收费 by 收费, ELSEWHERE_SHARE): 东湖区's matter first, said to be 东湖区's.
    assert list(notes)[0] == "parking-community" and not any(list(notes.values())[1:])
    donghu = indexed.dispatch("东湖区小区停车位被占了", now=NOW)
    assert donghu.answers[0].entry_id == "donghu-community-parking" and donghu.answers[0].settles
    assert donghu.answers[0].region_note == "" and "region_note" not in donghu.answers[0].to_dict()
    assert donghu.candidates[0].entry_id == "parking-community" and donghu.candidates[0].region_note == ""


@pytest.mark.parametrize("regions,region,note", [
    (["全市"], "", ""), ([], "西山区", ""), (["东湖区"], "东湖区", ""), (["东湖区", "全市"], "", ""),
    (["东湖区"], "", "仅适用于东湖区：请先问清来电人所在的区"),
    (["东湖区", "南河区"], "西山区", "仅适用于东湖区、南河区，来电说的是西山区"),
])
def test_scope_note(kb, regions, region, note):
    from kb_app.dispatch.regions import Location, scope

    assert scope(kb.snapshot(), regions, Location(region)).note == note


@pytest.mark.parametrize("text", ["小区门口井盖没了 有个小孩差点掉下去", "路边的井盖没了，很危险"])
def test_a_missing_manhole_cover_is_dispatched_at_once(indexed, text):
    """An open manhole is a danger to anyone passing: 2 hours (time_limits.yaml names 井盖缺失 as 2小时), with
    steps to keep people away; a loose cover that only rattles is an ordinary road repair."""
    r = indexed.dispatch(text, now=NOW)
    assert r.urgent and r.candidates[0].entry_id == "manhole-cover" and r.candidates[0].tier_name == "2小时"
    assert not indexed.dispatch("井盖松了，车一压就咣当响", now=NOW).urgent


@pytest.mark.parametrize("text,entry", [
    ("师傅我社保卡丢了，得去哪补啊，要花钱不", "sscard-reissue"),
    ("我社保卡丢了，去哪补，要钱不", "sscard-reissue"),
    ("社保卡丢了补办收费吗", "sscard-reissue"),
    ("我身份证丢了，去哪补啊，要花钱不", "id-card-reissue"),
])
def test_asking_what_it_costs_or_where_to_go_keeps_the_answer(indexed, text, entry):
    """要花钱不、去哪 ask what the answer tells (费用：免收工本费, 办理地点), not another matter: the answer still
    settles the call, and no word of them is what the first candidate leaves out."""
    r = indexed.dispatch(text, now=NOW)
    assert (r.answers[0].entry_id, r.answers[0].settles, r.suggested_outcome) == (entry, True, "direct_answer")
    assert not {"花钱", "要钱", "收费"} & set(r.unmatched)


@pytest.mark.parametrize("said,asked", [
    ("我社保卡丢了，去哪补", "，要花钱不"), ("我身份证丢了，去哪补啊", "，要花钱不"), ("社保卡丢了补办", "收费吗"),
    ("小区门口路灯坏了", "，多久能修好"), ("暖气不热", "，打哪个电话"), ("居住证怎么办", "，要带什么材料"),
])
def test_words_asking_an_aspect_choose_no_catalogue_entry(indexed, said, asked):
    """The catalogue is matched on what the call is about: asking the cost, the time, the number or the papers
    of it moves no candidate (要花钱不 put 社保缴费 first for a lost ID card)."""
    def ranked(text):
        return [c.entry_id for c in indexed.dispatch(text, now=NOW, answers=False).candidates]

    assert ranked(said + asked) == ranked(said)


def test_the_words_asking_an_aspect_are_no_content_words():
    assert content_words("师傅我社保卡丢了，得去哪补啊，要花钱不") == ["师傅", "社保", "社保卡"]
    # ... where they ask: 乱收费 and 骚扰电话 name the matter
    assert "收费" in content_words("停车场乱收费") and "电话" in content_words("骚扰电话怎么投诉")


def test_a_misspelt_word_is_read_as_the_agents_search_reads_it(indexed):
    """社宝卡: the search corrects it to 社保卡 and finds the answer; the assistant reads the call so too, says so,
    and offers no vaccination order for a lost card."""
    said = "我的社宝卡丢了咋补"
    assert indexed.search(said, audience="agent").corrected == "我的社保卡丢了咋补"
    r = indexed.dispatch(said, now=NOW)
    assert r.text == said and r.corrected == "我的社保卡丢了咋补" and r.read == r.corrected
    assert (r.answers[0].entry_id, r.suggested_outcome) == ("sscard-reissue", "direct_answer")
    assert "vaccination" not in " ".join(c.entry_id for c in r.candidates[:1]) and not r.unmatched
    assert r.to_dict()["corrected"] == "我的社保卡丢了咋补" and r.to_dict()["text"] == said
    assert r.corrected_note.startswith("已按“我的社保卡丢了咋补”分析") and "社宝卡" in r.corrected_note
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(indexed.settings.root), "--data-dir",
                                   str(indexed.settings.data_path), "--now", "2026-11-20T16:00", said])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("已按“我的社保卡丢了咋补”分析（输入的是“我的社宝卡丢了咋补”")
    plain = indexed.dispatch("我的社保卡丢了咋补", now=NOW)
    assert plain.corrected == "" and "corrected" not in plain.to_dict() and plain.corrected_note == ""


def test_the_intake_rules_and_the_emergency_recogniser_read_the_callers_own_words_and_the_corrected_ones(indexed, monkeypatch):
    """A correction is for the catalogue and the answers; what may be an emergency (and any other intake rule, and an
    urgent matter reported) is read as the caller said it — and as corrected too, the more careful reading kept."""
    from kb_app.dispatch import assistant

    read = []
    for name in ("intake", "reported"):
        monkeypatch.setattr(assistant, name, lambda snap, text, _f=getattr(assistant, name): read.append(text) or _f(snap, text))
    said = "我的社宝卡丢了咋补"
    r = indexed.dispatch(said, now=NOW)
    assert r.corrected and r.rule is None and not r.urgent
    assert read[0] == said and set(read) == {said, r.corrected}
    assert "是否紧急按原话和改正后的话都判断" in r.corrected_note


def test_a_gas_smell_misheard_is_as_urgent_as_one_heard_right(indexed):
    """楼道里有很大的煤汽味: the search reads 煤气味, and so does the check for what must be handled at once."""
    said = "楼道里有很大的煤汽味"
    r = indexed.dispatch(said, now=NOW)
    assert r.corrected == "楼道里有很大的煤气味"
    right = indexed.dispatch("楼道里有很大的煤气味", now=NOW)
    assert right.urgent and r.urgent and r.candidates[0].entry_id == right.candidates[0].entry_id == "gas-leak"
    assert r.urgent_text == right.urgent_text


def test_a_correction_carries_over_to_the_whole_of_a_long_call():
    from kb_app.search.spelling import carry_over

    assert carry_over("社宝卡丢了", "社保卡丢了", "社宝卡丢了，我跟你说社宝卡是去年办的") == "社保卡丢了，我跟你说社保卡是去年办的"
    assert carry_over("社宝卡丢了", "社宝卡丢了", "社宝卡丢了") == ""
    # the word corrected, not each of its characters wherever it is
    assert carry_over("社宝卡丢了", "社保卡丢了", "我家宝宝的社宝卡丢了") == "我家宝宝的社保卡丢了"


def test_an_urgent_matter_without_an_answer_names_its_own_safety_steps(indexed, sample_root):
    """井盖没了 … 怕娃掉进去: no answer is listed, so none is referred to; the steps intake_rules.yaml gives for the
    matter (urgent_advice) are said instead, in the command as in the console."""
    text = "我家孩子学校门口那个井盖没了 好几天了 怕娃掉进去"
    r = indexed.dispatch(text, now=NOW)
    assert r.urgent and r.candidates[0].entry_id == "manhole-cover" and r.answers == []
    assert "见下方" not in r.urgent_steps
    assert r.urgent_steps.startswith("先提醒来电人注意安全：远离井口") and r.urgent_steps.endswith("再立即派单。")
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(indexed.settings.data_path),
                                   "--now", "2026-11-20T16:00", text])
    assert res.exit_code == 0, res.output
    assert f"需要立即处置：{r.candidates[0].title}（2小时）；{r.urgent_steps}" in res.output.splitlines()
    # Without steps for the matter, only the reminder and the order.
    r.urgent_advice = []
    assert r.urgent_steps == "先提醒来电人注意安全，再立即派单。"
