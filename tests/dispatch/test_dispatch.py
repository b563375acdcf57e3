import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.dispatch.assistant import DirectoryIndex, directory_index, dispatch, match_rule, ordinary_requests
from kb_app.content.frontmatter import dump
from kb_app.content.model import Entry

from ..conftest import commit_all

NOW = dt.datetime(2026, 11, 20, 16, 0)  # a Friday

ENTRIES = {
    "night-construction": {
        "title": "夜间施工噪声扰民", "category": ["城乡建设", "施工噪声"], "keywords": ["夜间施工", "打桩", "工地噪声"],
        "examples": ["小区旁边工地半夜还在打桩，吵得睡不着"], "handler": "city-enforcement",
        "co_handlers": ["city-ecology", "city-housing"], "level": "city", "time_limit": "24h",
        "body": "22:00至次日6:00建筑施工噪声扰民，由城管执法部门主办。"},
    "water-cut": {
        "title": "突发停水", "category": ["公用事业", "供水"], "keywords": ["停水", "没水", "水压低"],
        "examples": ["家里突然没水了"], "handler": "water-group", "co_handlers": [], "level": "city",
        "time_limit": "2h", "body": "供水管网故障造成的停水，由供水集团主办。"},
    "property-fee": {
        "title": "物业费收费纠纷", "category": ["物业管理", "物业收费"], "keywords": ["物业费", "乱收费", "物业收费"],
        "examples": ["物业费涨价没有公示"], "handler": "city-housing", "co_handlers": ["district-donghu"],
        "level": "district", "time_limit": "5wd", "body": "物业服务收费标准、公示和欠缴纠纷。"},
}


@pytest.fixture
def dkb(kb, sample_root):
    """The sample knowledge base with a directory of exactly three known entries."""
    directory = sample_root / "entries" / "directory"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for entry_id, fields in ENTRIES.items():
        body = fields["body"]
        meta = {"id": entry_id, "kind": "directory", **{k: v for k, v in fields.items() if k != "body"},
                "audience": "internal", "unit": "hotline-center"}
        (directory / f"{entry_id}.md").write_text(dump(meta, body), encoding="utf-8")
    commit_all(sample_root, "三条派单目录")
    return kb


RULES = [
    {"id": "police", "action": "transfer", "transfer_to": "110", "triggers": ["有人打架", "抢劫"],
     "exclude": ["上个月"], "script": "请拨打110。"},
    {"id": "court", "action": "redirect", "triggers": ["起诉", "官司"], "exclude": ["法律援助"], "script": "请向法院了解。"},
    {"id": "fight-any", "action": "redirect", "triggers": ["打架"], "script": "其他。"},
]


@pytest.mark.parametrize("text,rule,trigger", [
    ("楼下有人打架了快来", "police", "有人打架"),
    ("楼下有 人 打 架", "police", "有人打架"),  # spaces in a transcript do not hide a trigger
    ("上个月有人打架，派出所没处理", "fight-any", "打架"),  # excluded from the first, caught by the third
    ("我要起诉物业，有人打架", "police", "有人打架"),  # first matching rule wins
    ("楼下有人在打架", "police", "有人打架"),  # words a caller puts between a trigger's characters
    ("有人正在那边打架", "fight-any", "打架"),  # …but not many of them
    ("打官司需要法律援助", None, None),
    ("小区路灯不亮", None, None),
])
def test_match_rule(text, rule, trigger):
    m = match_rule(text, RULES)
    assert (m.id if m else None) == rule
    assert (m.trigger if m else None) == trigger


def test_rules_from_the_sample_configuration(kb):
    snap = kb.snapshot()
    r = dispatch(snap, "有人持刀抢劫，就在楼下", NOW)
    assert r.rule.id == "emergency-police" and r.rule.transfer_to == "110"
    assert r.rule.script.startswith("您反映的情况属于紧急警情")
    assert dispatch(snap, "着火了，楼道起火", NOW).rule.transfer_to == "119"
    assert dispatch(snap, "劳动仲裁已经受理了，想问问进度", NOW).rule.id == "arbitration"
    assert dispatch(snap, "能不能告诉我举报人是谁", NOW).rule.action == "privacy"
    assert dispatch(snap, "楼下饭店油烟太大", NOW).rule is None  # 烟 alone is excluded from fire
    assert dispatch(snap, "有人在打架，还动了刀", NOW).rule.transfer_to == "110"
    assert dispatch(snap, "路口两辆车撞了", NOW).rule.transfer_to == "122"
    assert dispatch(snap, "帮我查一下我前妻的手机号", NOW).rule.action == "privacy"


def test_ranking_and_due_dates(dkb):
    r = dkb.dispatch("小区旁边工地半夜还在打桩，吵得睡不着", now=NOW)
    assert r.rule is None
    top = r.candidates[0]
    assert top.entry_id == "night-construction"
    assert top.handler == "city-enforcement" and top.handler_name == "示例市城市管理综合行政执法局"
    assert [u for u, _ in top.co_handlers] == ["city-ecology", "city-housing"]
    assert top.level == "city" and top.tier == "24h" and top.tier_name == "24小时"
    assert top.due.at == dt.datetime(2026, 11, 21, 16, 0) and top.due.clock
    assert not top.round_the_clock


def test_a_candidate_matched_by_little_of_the_request_is_left_out(kb):
    """路灯坏了 listed 宠物扰民 and 道路坑洼 at a twentieth of 路灯不亮's score: no candidates a person would pick."""
    ids = [c.entry_id for c in kb.dispatch("路灯坏了", now=NOW, answers=False).candidates]
    assert ids[:2] == ["street-light-out", "rural-street-light"]
    assert "pet-nuisance" not in ids and "road-pothole" not in ids
    scores = [c.score for c in kb.dispatch("楼上装修太吵了", now=NOW, answers=False).candidates]
    assert len(scores) >= 2 and min(scores) >= 0.2 * scores[0]


def test_working_day_due_and_round_the_clock(dkb):
    r = dkb.dispatch("物业费涨价了也没有公示", now=NOW)
    assert r.candidates[0].entry_id == "property-fee"
    assert r.candidates[0].due.at == dt.datetime(2026, 11, 27, 23, 59, 59)
    w = dkb.dispatch("家里停水了，一点水都没有", now=NOW)
    assert w.candidates[0].entry_id == "water-cut"
    assert w.candidates[0].round_the_clock  # handler water-group is a 7×24 unit
    assert w.round_the_clock == ["停水"]
    assert w.candidates[0].due.at == dt.datetime(2026, 11, 20, 18, 0)


def test_a_year_without_calendar_data_gives_the_agent_a_provisional_due_date(dkb):
    r = dkb.dispatch("物业费涨价了也没有公示", now=dt.datetime(2026, 12, 28, 9, 0))
    c = r.candidates[0]
    # 12-29, 12-30, 12-31, then 2027 counted day by day but for New Year's Day: 01-02, 01-03
    assert c.due.at == dt.datetime(2027, 1, 3, 23, 59, 59) and c.due.provisional == (2027,)
    assert c.due_error == ""
    assert c.due.label() == ("2027-01-03 23:59 前（5个工作日，暂定：2027年节假日安排尚未公布，暂按周末也上班推算，"
                             "公布后期限可能推后、不会提前）")
    # the instruction for administrators is not in what the agent (or a partner through the API) reads
    body = json.dumps(r.to_dict(), ensure_ascii=False)
    assert "calendar.yaml" not in body and "chinesecalendar" not in body
    assert r.to_dict()["candidates"][0]["due"]["provisional"] is True
    # clock tiers need no calendar
    w = dkb.dispatch("家里停水了", now=dt.datetime(2026, 12, 31, 23, 0))
    assert w.candidates[0].due.at == dt.datetime(2027, 1, 1, 1, 0)


def test_no_match_and_empty_text(dkb):
    assert dkb.dispatch("abc", now=NOW).candidates == []
    assert dkb.dispatch("", now=NOW).candidates == []
    assert dkb.dispatch("   ", now=NOW).rule is None


def test_synonyms_widen_the_query():
    entries = [Entry("entries/directory/a.md", {"id": "a", "kind": "directory", "title": "养老金领取"}, ""),
               Entry("entries/directory/b.md", {"id": "b", "kind": "directory", "title": "失业保险金申领"}, "")]
    assert DirectoryIndex(entries).rank("退休金") == []
    ranked = DirectoryIndex(entries, [["退休金", "养老金"]]).rank("退休金")
    assert [e.id for e, _ in ranked] == ["a"]


def test_to_dict_is_json(dkb):
    data = dkb.dispatch("有人打架，还有工地半夜打桩", now=NOW).to_dict()
    assert data["rule"]["id"] == "emergency-police"
    assert data["candidates"] == [] and data["candidates_withheld"] and data["urgent"]  # the script alone
    data = dkb.dispatch("有人打架，还有工地半夜打桩", now=NOW, not_emergency=True).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["candidates"][0]["entry"] == "night-construction"
    assert data["candidates"][0]["due"]["at"] == "2026-11-21T16:00:00"
    assert json.loads(text) == data


def test_cli_dispatch(dkb, sample_root, tmp_path):
    runner = CliRunner()
    args = ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "data")]
    for limit in ("0", "-3", "21"):                # as many as the API allows, at least one
        assert runner.invoke(cli, [*args, "--limit", limit, "停水了"]).exit_code == 2
    res = runner.invoke(cli, [*args, "--json", "--now", "2026-11-20T16:00", "小区旁边工地半夜还在打桩"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["candidates"][0]["entry"] == "night-construction"
    assert data["candidates"][0]["due"]["at"] == "2026-11-21T16:00:00"
    res = runner.invoke(cli, [*args, "--now", "2026-11-20T16:00", "有人打架了"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "分类处置：打架斗殴（转接紧急专线 110，触发词“打架”）"      # the event, as the console says
    assert lines[1] == "紧急程度：紧急。识别到打架斗殴（“打架”），正在发生的迹象：“了”"
    assert lines[2].startswith("答复话术：您反映的情况属于紧急警情")
    assert lines[3:] == ["不列出派单目录：请按话术转接。"]
    # No event word, but like past calls to 120: no empty trigger, the resemblance instead.
    res = runner.invoke(cli, [*args, "--now", "2026-11-20T16:00", "我爷爷一边脸麻了，看东西重影，走路往一边偏"])
    lines = res.output.splitlines()
    assert lines[0] == "分类处置：急救（转接紧急专线 120，与以往紧急来电相似）"
    assert lines[1].startswith("紧急程度：疑似紧急，请向来电人确认是否正在发生。没有认出事件词，但与以往转120的紧急来电很相似，")
    res = runner.invoke(cli, [*args, "--now", "2026-11-20T16:00", "工地半夜打桩"])
    assert "1. 夜间施工噪声扰民 [night-construction]" in res.output
    assert "   主办：示例市城市管理综合行政执法局；协办：示例市生态环境局、示例市住房和城乡建设委员会；层级：市级" in res.output
    assert "   时限：2026-11-21 16:00 前（24小时，自然小时连续计算）" in res.output


# -- emergencies by meaning (issue: the six cases of the agent's test) ----------------------------


def test_a_fight_in_words_no_rule_names_goes_to_110_without_a_dispatch_candidate(kb, sample_root, tmp_path):
    r = kb.dispatch("有人在小区里打架了", now=NOW, answers=False)
    assert (r.rule.id, r.rule.transfer_to, r.urgency) == ("emergency-police", "110", "emergency")
    assert r.candidates_withheld and r.suggested_outcome == "transfer"
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "d"),
                                   "--now", "2026-11-20T16:00", "有人在小区里打架了"])
    assert res.exit_code == 0, res.output
    assert "宠物扰民" not in res.output and "不列出派单目录：请按话术转接。" in res.output


@pytest.mark.parametrize("text", ["交通事故的赔偿标准是多少", "我想咨询一下交通事故的处理流程", "去年出了车祸，现在对方还不赔钱"])
def test_questions_about_accidents_raise_no_122_alarm(kb, text):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.urgency == "" and not r.candidates_withheld
    assert r.rule is None or r.rule.action != "transfer"
    assert r.emergency.state == "dismissed" and r.emergency.line == "122" and r.emergency.reasons


def test_a_knife_fight_shows_the_script_and_no_candidate(kb):
    r = kb.dispatch("有人拿着刀在砍人，就在楼下", now=NOW, answers=False)
    assert (r.rule.transfer_to, r.urgency) == ("110", "emergency")
    assert r.candidates_withheld
    assert r.to_dict()["candidates_withheld"] is True


@pytest.mark.parametrize("text,line", [("着火了，楼道起火", "119"), ("我爸晕倒了", "120"), ("路口两辆车撞了", "122"),
                                       ("刚才一辆车把人撞了，流了很多血", "122")])
def test_each_line(kb, text, line):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert (r.rule.transfer_to, r.urgency) == (line, "emergency")


def test_a_collision_with_injuries_also_names_120(kb):
    r = kb.dispatch("刚才一辆车把人撞了，流了很多血", now=NOW, answers=False)
    assert r.emergency.also == ["120"]


def test_a_maybe_emergency_is_urgent_until_the_agent_confirms(kb):
    r = kb.dispatch("楼下有人打架", now=NOW, answers=False)
    assert (r.urgency, r.rule.transfer_to, r.candidates_withheld) == ("suspected", "110", True)
    assert r.emergency.explanation() == "识别到打架斗殴（“打架”），无法判断是否正在发生"
    confirmed = kb.dispatch("楼下有人打架", now=NOW, answers=False, not_emergency=True)
    assert confirmed.urgency == "" and confirmed.rule is None and not confirmed.candidates_withheld
    assert confirmed.confirmed_not_emergency and confirmed.candidates
    data = confirmed.to_dict()
    assert data["emergency"]["state"] == "suspected" and data["confirmed_not_emergency"] is True


def test_round_the_clock_and_two_hour_tiers_still_show_for_urgent_non_emergencies(dkb):
    r = dkb.dispatch("家里停水了，一点水都没有", now=NOW, answers=False)
    assert r.urgency == "" and not r.candidates_withheld
    assert r.round_the_clock == ["停水"] and r.candidates[0].tier == "2h" and r.candidates[0].round_the_clock


def test_the_other_rules_still_apply_next_to_a_dismissed_event(kb):
    r = kb.dispatch("去年有人打架，这个事我已经起诉到法院了", now=NOW, answers=False)
    assert r.rule.id == "litigation" and r.emergency.state == "dismissed"


def test_old_style_transfer_rules_with_triggers_only_fail_closed(kb):
    """A configuration without the emergency section: every trigger is a suspected emergency."""
    snap = kb.snapshot()
    rules = {"rules": [{"id": "police", "name": "警情", "action": "transfer", "transfer_to": "110",
                        "triggers": ["打架"], "script": "请拨打110。"}]}
    files = {**snap.files, "regulations/intake_rules.yaml": json.dumps(rules, ensure_ascii=False)}
    r = dispatch(type(snap)(files), "上个月有人打架了", NOW)
    assert (r.urgency, r.rule.id, r.rule.trigger) == ("suspected", "police", "打架")


def test_public_report_on_the_sample_sets(kb):
    """Words that report a matter are told where to report it; questions are not (the figures of
    REPORT_FLOOR: no regulation question, most of the catalogue's own examples)."""
    import yaml

    from kb_app.dispatch.assistant import public_report

    snap = kb.snapshot()
    data = Path(__file__).resolve().parent.parent / "data"
    questions = [q["q"] for name in ("regulation_questions", "regulation_questions_roles")
                 for q in yaml.safe_load((data / f"{name}.yaml").read_text(encoding="utf-8"))["questions"]]
    assert [q for q in questions if public_report(snap, q)] == []
    examples = [x for e in snap.directory() for x in e.examples]
    assert sum(bool(public_report(snap, x)) for x in examples) >= 0.6 * len(examples)
    assert not public_report(snap, "") and not public_report(snap, "电梯卡住了里面有人")     # the alarm says more


def test_a_matter_told_at_length_is_a_report_whatever_it_asks_at_the_end(kb):
    """A citizen pasting a paragraph about a barbecue restaurant (noise, fumes, told the shop and the community in
    vain) and asking at the end which department to go to is told to report it, as 楼下烧烤店太吵 is; a question
    told in a few clauses stays a question."""
    from kb_app.dispatch.assistant import TOLD_CLAUSES, public_report, told_at_length

    snap = kb.snapshot()
    told = ("我家楼下新开了一家烧烤店，每天晚上营业到凌晨两三点，客人喝酒划拳大声喧哗，油烟也直接往楼上飘，家里窗户都不敢开，"
            "老人孩子都睡不好觉，已经跟店家说过好几次了都没用，也打过电话给社区，社区说管不了，")
    for text in (told + "请问这种情况到底该找哪个部门，能不能让他们晚上早点关门，不要影响居民休息",
                 told + "该找哪个部门？", "楼下烧烤店太吵"):
        assert public_report(snap, text) == "report", text
    assert told_at_length("楼下烧烤店开到凌晨，油烟往楼上飘，请问找哪个部门") == ""
    assert public_report(snap, "楼下烧烤店开到凌晨，油烟往楼上飘，请问找哪个部门") == ""
    assert len(told_at_length(told + "请问找哪个部门").split("，")) >= TOLD_CLAUSES
    assert "请问" not in told_at_length(told + "请问找哪个部门")


def test_a_public_thing_gone_is_a_report_and_ones_own_is_not(kb):
    """井盖丢了 is reported as 井盖没了 is (the catalogue has 井盖缺失); 社保卡丢了 seeks 补办, though 社保 matches
    社保缴费 well, and 医保卡丢了 is no 医保卡刷不了."""
    from kb_app.dispatch.assistant import public_report

    snap = kb.snapshot()
    for text in ("井盖丢了", "小区井盖丢了", "路边井盖丢失了", "井盖不见了"):
        assert public_report(snap, text) == public_report(snap, "井盖没了") != "", text
    for text in ("社保卡丢了", "身份证丢了", "医保卡丢了", "钱包丢了"):
        assert public_report(snap, text) == "", text
    # A missing cover is a matter of the shortest time limit: asked what to do about, it stays urgent.
    assert public_report(snap, "井盖丢了怎么办") == public_report(snap, "井盖丢了") == "urgent"


def test_a_short_statement_the_catalogue_holds_wholly_is_a_report(kb):
    """水管爆了 scores below REPORT_FLOOR (two words) but is matched almost wholly by 水管爆裂."""
    from kb_app.dispatch.assistant import REPORT_FLOOR, REPORT_SHARE, directory_index, public_report

    snap = kb.snapshot()
    index = directory_index(snap)
    (entry, score), = index.rank("水管爆了", 1)
    assert entry.id == "water-pipe-burst" and score < REPORT_FLOOR
    assert REPORT_SHARE <= index.share("水管爆了", score) <= 1
    assert public_report(snap, "水管爆了") == "urgent" and public_report(snap, "水管漏水") == "urgent"
    assert public_report(snap, "楼道灯不亮") == "report"
    # Half of what it says is held by no entry that matches it: no report.
    (entry, score), = index.rank("投诉没人管", 1)
    assert index.share("投诉没人管", score) < REPORT_SHARE and public_report(snap, "投诉没人管") == ""
    assert index.share("啊啊啊", 0.0) == 0.0


def test_a_clause_that_says_the_matter_wholly_reports_it_in_a_longer_statement(kb):
    """水管爆了水漫出来了: what followed (水漫出来了) is held by no entry and halves the share of the whole,
    but its first clause says the matter wholly and the whole statement's best entry is the same;
    了 in a word (了解, 为了) divides nothing, and a question stays a question."""
    from kb_app.dispatch.assistant import clauses, directory_index, public_report

    snap = kb.snapshot()
    assert clauses("水管爆了水漫出来了", directory_index(snap).analyzer) == ["水管爆了", "水漫出来了"]
    assert clauses("为了孩子上学户口迁移了", directory_index(snap).analyzer) == ["为了孩子上学户口迁移了"]
    for text in ("水管爆了水漫出来了", "我家水管爆了水漫出来了"):
        assert public_report(snap, text) == "urgent"
        assert kb.dispatch(text, answers=False).urgent
    assert public_report(snap, "我想了解一下水管爆了怎么办") == ""
    assert public_report(snap, "水漫出来了") == ""


def test_where_it_happens_takes_nothing_from_a_report(kb):
    """厨房水管爆了 reports what 水管爆了 does: the catalogue holds 厨房 (油烟), which a burst pipe in a
    kitchen need not match."""
    from kb_app.dispatch.assistant import public_report

    snap = kb.snapshot()
    assert public_report(snap, "厨房水管爆了") == "urgent" and public_report(snap, "我家厨房水管爆了") == "urgent"
    assert public_report(snap, "厨房漏水") == "report"
    assert public_report(snap, "小区门口") == ""     # a place alone reports nothing
    assert public_report(snap, "厨房水管怎么防冻") == ""


def test_a_search_for_a_notice_reports_nothing_but_a_complaint_about_one_does(kb):
    """停水通知 looks up what was announced (no box: above all no urgent one); a statement that nothing was
    announced, or a description in clauses, reports the outage."""
    from kb_app.dispatch.assistant import NOTICE, public_report

    snap = kb.snapshot()
    for search in ("停水通知", "计划停水", "停水公告", "停电通知", "东湖区计划停电时间"):
        assert public_report(snap, search) == "", search
    for complaint in ("停水了也没通知", "小区停水没有提前通知", "家里突然没水了，也没看到停水通知",
                      "停水通知说中午来水，现在还没来", "停水了"):
        assert public_report(snap, complaint) == "urgent", complaint
    # 计划 is a notice only of work planned (计划停水, 计划检修), not in every phrase holding it.
    assert NOTICE.search("计划停电") and not NOTICE.search("计划生育罚款不合理")


def test_night_noise_and_heaps_are_reports(kb):
    """A statement of work or noise at night, or of things heaped up, says what is wrong."""
    from kb_app.dispatch.assistant import public_report

    snap = kb.snapshot()
    assert public_report(snap, "小区旁边工地半夜还在打桩") == "report"
    assert public_report(snap, "工地晚上十二点了还在施工，现在还在响") == "report"
    assert public_report(snap, "楼上天天半夜弹钢琴") == "report"
    assert public_report(snap, "门口堆满垃圾") == "report"
    assert public_report(snap, "夜间施工许可怎么办理") == ""


def test_past_orders_never_put_another_entry_before_an_urgent_one(kb):
    """A reranker (similar past orders) that puts the gas leak last: it is still proposed first."""
    snap = kb.snapshot()

    def reverse(index, text, limit):
        return [(e, s, "与 3 条历史工单相似", True) for e, s in reversed(index.rank(text, limit))]

    r = dispatch(snap, "家里煤气味很重", NOW, rerank=reverse)
    assert r.urgent and r.candidates[0].entry_id == "gas-leak" and r.candidates[0].tier_name == "2小时"
    ordinary = dispatch(snap, "小区门口路灯不亮", NOW, rerank=reverse)
    assert not ordinary.urgent and ordinary.candidates[0].entry_id != "street-light-out"


def test_an_urgent_matter_is_never_left_out_as_matching_too_little(kb):
    """Past orders may score the gas leak far below the rubbish the caller began with: candidates matching
    little are left out, the matter of the shortest time limit never."""
    snap = kb.snapshot()
    text = "小区垃圾好几天没人清运了，物业也不管，楼道里还闻到很浓的煤气味"

    def bury(index, text, limit):
        ranked = index.rank(text, limit)
        return [(e, 100.0, "", False) for e, _s in ranked if e.id != "gas-leak"] + \
            [(e, 1.0, "", False) for e, _s in ranked if e.id == "gas-leak"]

    r = dispatch(snap, text, NOW, rerank=bury)
    assert r.urgent and r.candidates[0].entry_id == "gas-leak"
    assert len(r.candidates) >= 2


def test_a_matter_of_the_shortest_time_limit_is_an_urgent_report(kb):
    """燃气异味 is handled within 2 hours (the shortest tier): the citizen is told to put safety first
    and call at once; 路灯不亮 (3 workdays) is an ordinary report."""
    from kb_app.dispatch.assistant import public_report

    snap = kb.snapshot()
    assert snap.entries["gas-leak"].time_limit == "2h" and snap.entries["street-light-out"].time_limit == "3wd"
    assert public_report(snap, "家里煤气味很重") == "urgent"
    assert public_report(snap, "家里水管爆了") == "urgent"
    assert public_report(snap, "小区门口路灯不亮") == "report"
    # A time limit that cannot be read counts as the shortest.
    gas = snap.entries["gas-leak"]
    files = {**snap.files, gas.path: snap.files[gas.path].replace("time_limit: 2h", "time_limit: 2小时")}
    assert public_report(type(snap)(files), "家里煤气味很重") == "urgent"
    files = {**snap.files, "regulations/time_limits.yaml": snap.files["regulations/time_limits.yaml"].replace(
        "amount: 2\n", "amount: 200\n").replace("amount: 24\n", "amount: 100\n")}
    assert public_report(type(snap)(files), "小区门口路灯不亮") == "urgent"  # 3 workdays is now the shortest


@pytest.mark.parametrize("words", ["救命", "救命啊 快来人"])
def test_a_cry_for_help_is_an_emergency(kb, words):
    r = dispatch(kb.snapshot(), words, NOW)
    assert r.urgency in ("emergency", "suspected") and r.rule.transfer_to == "110"
    assert dispatch(kb.snapshot(), "这是我的救命钱 老板一直拖欠工资", NOW).rule is None or \
        dispatch(kb.snapshot(), "这是我的救命钱 老板一直拖欠工资", NOW).rule.transfer_to != "110"


def test_an_urgent_report_carries_the_safety_steps_of_its_matter(kb):
    """A citizen reporting a gas leak is told what to do before calling (intake_rules.yaml urgent_advice,
    by catalogue entry); a matter without steps of its own gets none, an ordinary report none."""
    import types

    from kb_app.dispatch.assistant import public_report_advice, urgent_advice

    snap = kb.snapshot()
    kind, steps = public_report_advice(snap, "家里煤气泄漏了")
    assert kind == "urgent" and steps == snap.config("intake_rules")["urgent_advice"]["gas-leak"]
    assert "不要开关电灯和电器，不要点火，不要在屋里打电话" in steps
    kind, steps = public_report_advice(snap, "小区突然停水了")
    assert kind == "urgent" and steps[0].startswith("只有自己家没水的")
    bare = types.SimpleNamespace(config=lambda name, default=None: {"rules": []})     # no urgent_advice written
    assert urgent_advice(bare, snap.entries["water-outage"]) == []
    assert public_report_advice(snap, "楼道灯不亮") == ("report", [])
    assert public_report_advice(snap, "社保卡怎么补办") == ("", [])


@pytest.mark.parametrize("text, unmatched", [
    ("楼下有人打架", ("打架",)),        # 违法建设, through a 楼下 of its examples
    ("宽带坏了找谁", ("宽带",)),        # 路灯不亮, through 坏了
    ("我家猫跑丢了", ("猫",)),          # 违法停车, through nothing the caller names
    ("小区门口有条蛇", ("蛇",)),
    ("我想举报一个黑诊所", ("黑诊所",)),  # 违法建设, through a 举报 of its examples: a word any request says
    ("我要举报有人在小区里养鸡", ("养鸡",)),
])
def test_a_first_candidate_matching_only_in_passing_says_what_it_leaves_out(kb, text, unmatched):
    r = kb.dispatch(text, now=NOW, not_emergency=True, answers=False)
    assert r.candidates and r.unmatched == unmatched
    said = "、".join(f"“{w}”" for w in unmatched)
    assert r.passing_note == f"首选事项没有提到{said}，与诉求只是字词相近：请按来电所说和职责边界判断承办单位"
    assert r.to_dict()["unmatched"] == list(unmatched)


@pytest.mark.parametrize("text", ["家里停水了", "隔壁邻居装修太吵", "单位门口的路灯坏了", "共享单车把盲道堵了",
                                  "有人在小区里遛狗不牵绳", "噪音"])
def test_a_first_candidate_naming_what_the_caller_names_is_no_passing_match(kb, text):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.candidates and r.unmatched == () and r.passing_note == ""
    assert "unmatched" not in r.to_dict()


@pytest.mark.parametrize("text", ["你们12345到底管不管事，我都打了五次了还没人来修路灯", "还没人来修路灯",
                                  "路灯坏了一直没人管", "路灯不亮，打了好几次电话了"])
def test_what_is_said_of_the_handling_names_no_matter(kb, text):
    """还没人来修, 打了五次了, 到底管不管 say how the matter was (not) handled; many entries' examples say it too
    (暖气不热…还没人来修): the matter is what the caller names (路灯)."""
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.candidates[0].entry_id == "street-light-out" and not r.unmatched


VAGUE = ["我想反映个事，就是那个挺烦的", "喂，你好，我想反映个事", "我要投诉", "我想举报", "我有个问题想问一下",
         "你们管不管啊，太烦了", "那个事到现在还没人管", "我想咨询个政策", "有个事想问问你们", "我家这边有点问题",
         "真是受不了了，天天这样", "我要反映情况", "咨询一下", "我要投诉你们", "我的事情一直没人处理"]


@pytest.mark.parametrize("text", VAGUE)
def test_a_request_naming_no_matter_is_to_be_asked_about(kb, text):
    """我要投诉 went to 价格投诉 and 我家这边有点问题 to 义务教育入学, chosen for the agent."""
    r = kb.dispatch(text, now=NOW)
    assert r.vague and r.vague_note.startswith("没有听出来电反映的是什么事：请问清楚是什么事")
    assert r.suggested_outcome == "" and r.unmatched == ()
    assert not any(a.settles for a in r.answers)   # 我想举报 and 举报人信息保密吗 share only 举报
    assert r.to_dict()["vague"] is True and r.to_dict()["suggested_outcome"] == ""


@pytest.mark.parametrize("text", ["天天半夜有人吵", "楼上太吵了", "屋里太冷了", "好黑", "楼下好臭", "家里漏了", "停电了",
                                  "我要投诉物业", "我要举报违建", "我要投诉一个饭店", "垃圾没人管", "水管的问题",
                                  "出交通事故了", "烦死了，楼上天天装修", "上次打过电话了还没解决", "我想问下社保",
                                  "12345能管什么事", "有人偷东西"])
def test_a_request_naming_its_matter_however_briefly_is_not_vague(kb, text):
    r = kb.dispatch(text, now=NOW, not_emergency=True)
    assert not r.vague and "vague" not in r.to_dict()


def test_a_request_naming_no_matter_is_answered_when_an_answer_is_asked_so(kb):
    r = kb.dispatch("我上次反映的问题办得怎么样了", now=NOW)
    assert r.vague and r.suggested_outcome == "direct_answer"
    assert r.answers[0].entry_id == "hotline-progress-query" and r.answers[0].settles


def test_no_example_call_or_catalogue_example_is_vague(kb):
    snap = kb.snapshot()
    index = directory_index(snap)
    said = [x for e in snap.directory() for x in e.examples] + ordinary_requests(snap)
    said += [x["text"] for x in snap.config("intake_examples", {})["examples"]]
    assert len(said) > 1000
    assert [x for x in said if not index.names_matter(x)] == ["我上次反映的问题办得怎么样了"]


def test_a_vague_request_is_said_by_the_cli(kb, sample_root):
    out = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--now", "2026-11-20T16:00", "我要投诉"])
    assert out.exit_code == 0
    assert "注意：没有听出来电反映的是什么事" in out.output and "以下事项与诉求只是字词相近：" in out.output


@pytest.mark.parametrize("text, first, more", [
    ("喂你好，我们小区那个路灯坏了好几天了，还有就是楼下那个饭店油烟特别大", "restaurant-fumes",
     [("我们小区那个路灯坏了好几天了", "street-light-out")]),
    ("楼下饭店油烟特别大，另外我们小区那个路灯也坏了", "restaurant-fumes", [("我们小区那个路灯也坏了", "street-light-out")]),
])
def test_a_call_telling_another_matter_names_it_with_its_entry(kb, text, first, more):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.candidates[0].entry_id == first
    assert [(part, c.entry_id) for part, c in r.more] == more
    assert r.more_note.startswith(f"来电还反映了：“{more[0][0]}”（路灯不亮") and r.more_note.endswith("每件事请分别派单")
    assert r.to_dict()["more"][0]["candidate"]["entry"] == more[0][1]


def test_a_call_going_on_about_one_matter_tells_no_other(kb):
    snap = kb.snapshot()
    said = [x for e in snap.directory() for x in e.examples] + ordinary_requests(snap)
    assert [x for x in said if kb.dispatch(x, now=NOW, answers=False, not_emergency=True).more] == []
    r = kb.dispatch("楼下饭店油烟特别大，还有那个油烟味熏得我们开不了窗", now=NOW, answers=False)
    assert r.candidates[0].entry_id == "restaurant-fumes" and r.more == [] and "more" not in r.to_dict()
    # what it names is matched, not the words of any request: 想举报 is no 违法建设
    r = kb.dispatch("邻居家的鸡养在楼道里，臭死了，还有病死的鸡扔在那，想举报", now=NOW, answers=False)
    assert r.more == []


def test_no_example_of_the_catalogue_is_a_passing_match_for_its_own_entry(kb):
    snap = kb.snapshot()
    flagged = []
    for entry in snap.directory():
        for example in entry.examples:
            r = kb.dispatch(example, now=NOW, not_emergency=True, answers=False, history=False)
            if r.candidates and r.candidates[0].entry_id == entry.id and r.unmatched:
                flagged.append(example)
    assert not flagged


def test_a_passing_match_is_said_by_the_cli(kb, sample_root):
    out = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--not-emergency",
                                   "--now", "2026-11-20T16:00", "楼下有人打架"])
    assert out.exit_code == 0
    assert "注意：首选事项没有提到“打架”，与诉求只是字词相近：请按来电所说和职责边界判断承办单位。" in out.output


def test_how_long_a_matter_has_gone_on_matches_no_entry(kb):
    """我们小区门口路灯坏了一个多星期了 went first to 村庄路灯不亮, whose example 村口的路灯坏了一个多月了 shares 一个多."""
    for text in ("我们小区门口路灯坏了一个多星期了，晚上黑乎乎的", "小区门口路灯坏了好几天了", "小区门口路灯坏了"):
        assert kb.dispatch(text, now=NOW, answers=False).candidates[0].entry_id == "street-light-out", text
    assert kb.dispatch("村口的路灯坏了一个多月了", now=NOW, answers=False).candidates[0].entry_id == "rural-street-light"


@pytest.mark.parametrize("text", ["帮我查一下我前妻现在住哪，把她电话给我", "能不能查一下那个人在哪上班", "告诉我对方的手机号"])
def test_asking_for_another_persons_address_or_phone_meets_the_privacy_rule(kb, text):
    """Callers ask for someone's whereabouts in many words: a request, a person and what about them in one
    sentence meet 个人隐私 with its script; catalogue entries sharing only words (停水 for 住哪) are not proposed."""
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.rule is not None and r.rule.id == "privacy" and "依法受到保护" in r.rule.script
    assert not any(c.entry_id == "water-outage" for c in r.candidates)


def test_what_a_rules_together_except_says_is_read_out_of_the_sentence_first():
    rule = {"id": "privacy", "action": "privacy", "together": [[["帮我查"], ["他", "她"], ["住哪", "电话"]]],
            "together_except": ["电话打不通"]}
    assert match_rule("帮我查一下他的电话", [rule]).trigger == "帮我查…他…电话"
    assert match_rule("他电话打不通，帮我查一下怎么办", [rule]) is None
    assert match_rule("他电话一直打不通，帮我查一下怎么办", [rule]) is None   # as callers say it
    assert match_rule("她电话打不通，帮我查一下她住哪", [rule]).trigger == "帮我查…她…住哪"


@pytest.mark.parametrize("text", ["他电话打不通，帮我查一下怎么办", "他手机一直关机，帮我查查是怎么回事"])
def test_a_phone_nobody_answers_is_no_request_for_a_number(kb, text):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.rule is None or r.rule.id != "privacy"


@pytest.mark.parametrize("text", ["请告诉我燃气公司的电话", "帮我查一下社保局的电话"])
def test_asking_for_a_services_phone_is_no_privacy_request(kb, text):
    r = kb.dispatch(text, now=NOW, answers=False)
    assert r.rule is None or r.rule.id != "privacy"


# -- a transfer named by what happened; the sample catalogue's sewer and compound entries ------------------------


def test_a_transfer_is_named_by_the_event_the_console_the_command_and_the_result_alike(kb, sample_root, tmp_path):
    """有人掉水里了 goes to 119 by the fire rule, but is no fire: the rule's name shown is the event's; a fall that
    bleeds is an injury (出血和外伤, with its own safety steps), not a faint (起不来了 of 昏迷晕倒)."""
    from kb_app.dispatch.assistant import safety_advice

    water = kb.dispatch("有人在河边钓鱼，好像掉水里了", now=NOW, answers=False)
    assert (water.rule.id, water.rule.transfer_to, water.urgency) == ("emergency-fire", "119", "emergency")
    assert water.rule.name == water.emergency.event == "落水和冰面"
    assert water.to_dict()["rule"]["name"] == "落水和冰面" and "不要贸然下水" in water.rule.script
    fall = kb.dispatch("我婆婆在家摔了一跤，起不来了，头上还在流血", now=NOW, answers=False)
    assert (fall.rule.id, fall.rule.transfer_to, fall.urgency) == ("emergency-medical", "120", "emergency")
    assert fall.rule.name == fall.emergency.event == "出血和外伤"
    assert safety_advice(kb.snapshot(), fall.emergency)[:2] == ["有伤口流血的，用干净的布用力按住伤口止血",
                                                               "摔倒、坠落后起不来的，不要急着扶起或搬动，注意保暖"]
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "d"),
                                   "--now", "2026-11-20T16:00", "有人在河边钓鱼，好像掉水里了"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == "分类处置：落水和冰面（转接紧急专线 119，触发词“掉水里”）"


def test_a_blocked_sewer_is_an_ordinary_dispatch_to_the_drainage_company(kb):
    sewer = kb.dispatch("俺们那旮旯的下水道堵了，臭得不行", now=NOW, answers=False)
    first = sewer.candidates[0]
    assert (first.entry_id, first.handler, first.tier) == ("drainage-blockage", "drainage-group", "24h")
    assert first.handler_name == "示例市排水集团有限责任公司" and not sewer.urgent and not sewer.urgency
    burst = kb.dispatch("马路上水管爆了，水冒得老高", now=NOW, answers=False)
    assert burst.candidates[0].entry_id == "water-pipe-burst" and burst.urgent and burst.candidates[0].tier == "2h"


def test_a_street_light_inside_a_compound_has_the_street_offices_entry(kb):
    """路灯不亮 leaves out 小区内部路灯 (派所在街道协调): the street's entry is among the candidates, first where the
    request is in its street, after the citywide entry with the agent asked where when no place is named."""
    inside = kb.dispatch("小区里的路灯坏了一个星期了", now=NOW, answers=False)
    ids = [c.entry_id for c in inside.candidates]
    assert ids[0] == "street-light-out" and inside.candidates[0].left_out == "小区内部路灯"
    street = inside.candidates[ids.index("community-facilities-xinhua")]
    assert street.handler == "street-donghu-xinhua" and street.region_note == "仅适用于东湖区新华街道：请先问清来电人所在的街道（乡镇）"
    there = kb.dispatch("我住新华街道，小区里的路灯坏了", now=NOW, answers=False)
    assert there.candidates[0].entry_id == "community-facilities-xinhua" and not there.candidates[0].region_note
    assert there.candidates[1].entry_id == "street-light-out"
