"""AppTest of the agent console: search over everything, internal notes, copy, reports, dispatch."""

import datetime as dt
import json

import pytest

from kb_app import render
from kb_app.labels import LEVEL_LABELS
from kb_app.review import reverify
from kb_app.review.impact import analyse
from kb_app.content.model import Snapshot

from ..review.test_impact import REG, amend
from ..ui_helpers import links, open_page, page_text, rows

AGENT_PAGE = "app_pages/agent.py"


@pytest.fixture
def agent(app_env):
    return app_env.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")


def console(user):
    at = open_page(AGENT_PAGE, user=user)
    assert at.title[0].value == "坐席工作台"
    return at


def search(at, query):
    at.text_input(key="agent_q").input(query).run()
    assert not at.exception
    return at


def dispatch(at, text):
    at.text_area(key="dispatch_text").input(text)
    at.button(key="dispatch_go").click().run()
    assert not at.exception
    return at


def choice_radio(at):
    """The 确认派单事项 radio of the request analysed last (its key changes with every request)."""
    [radio] = [r for r in at.radio if r.key.startswith("dispatch_choice_")]
    return radio


def manual_box(at):
    [box] = [b for b in at.selectbox if b.key.startswith("dispatch_manual_")]
    return box


def test_a_choice_made_for_one_request_does_not_carry_to_the_next(app_env, agent):
    at = dispatch(console(agent), "路口的路灯坏了好几天了，晚上黑乎乎的")
    choice_radio(at).set_value("__other__").run()
    # The whole catalogue to pick from, by name and keywords (the caller's words are searched too): no ids for the
    # agent to read past.
    snap = app_env.snapshot()
    assert sorted(o.split("　·　")[0] for o in manual_box(at).options) == sorted(e.title for e in snap.directory())
    assert "小区内部公共设施维修（新华街道）　·　小区设施损坏、小区健身器材、小区围墙、小区公共设施、物业不修" \
        in manual_box(at).options
    assert not any("-" in o or "__" in o for o in manual_box(at).options)
    at = dispatch(at, "楼道里有很大的煤气味")
    radio = choice_radio(at)
    assert radio.index == 0 and radio.value != "__other__"
    assert not [b for b in at.selectbox if b.key.startswith("dispatch_manual_")]


def test_a_districts_matter_for_a_caller_whose_district_is_unknown_is_not_chosen_for_the_agent(app_env, agent):
    at = dispatch(console(agent), "小区停车位被占了")
    assert "建议：直接答复，不必派单。" not in [s.value for s in at.success]
    assert "仅适用于东湖区：请先问清来电人所在的区" in page_text(at)
    assert "首选事项仅适用于东湖区：请先问清来电人所在的区，再选择派单事项。" in [c.value for c in at.caption]
    assert choice_radio(at).index is None
    at = dispatch(at, "东湖区小区停车位被占了")
    assert "建议：直接答复，不必派单。" in [s.value for s in at.success]


def test_another_streets_matter_first_is_not_chosen_for_the_agent(app_env, agent):
    """Only 新华街道's entry is about 小区健身器材 (none for 和平街道): it is first, said to be another street's, and
    nothing is chosen; a matter sharing a word with the call (预付卡退费纠纷 by 健身) is no longer first and chosen."""
    at = dispatch(console(agent), "东湖区和平街道小区健身器材坏了")
    assert choice_radio(at).index is None
    assert choice_radio(at).options[0].startswith("1. 小区内部公共设施维修（新华街道）")
    top = next(m.value for m in at.markdown if m.value.startswith("首选："))
    assert ":orange-badge[仅适用于东湖区新华街道，来电说的是东湖区和平街道]" in top  # why nothing is chosen stands out
    assert ("首选事项仅适用于东湖区新华街道，来电说的是东湖区和平街道：请按来电人所在地选择派单事项，"
            "或选“其他事项”从派单目录中查找。") in [c.value for c in at.caption]


def test_an_entry_of_another_place_is_said_to_be_one_when_chosen(app_env, agent):
    """Chosen from the candidates or picked from the catalogue, 新华街道's matter for a caller in 和平街道 is said to
    be another street's before it is dispatched; one that applies is not."""
    warned = "所选事项仅适用于东湖区新华街道，来电说的是东湖区和平街道：请确认来电人所在地后再派单。"
    at = dispatch(console(agent), "东湖区和平街道小区健身器材坏了")
    assert warned not in [w.value for w in at.warning]
    choice_radio(at).set_value("community-facilities-xinhua").run()
    assert warned in [w.value for w in at.warning]
    choice_radio(at).set_value("prepaid-card-dispute").run()
    assert warned not in [w.value for w in at.warning]
    choice_radio(at).set_value("__other__").run()
    manual_box(at).set_value("owners-committee-xinhua").run()
    assert warned in [w.value for w in at.warning]
    manual_box(at).set_value("street-light-out").run()
    assert not [w.value for w in at.warning if w.value.startswith("所选事项")]
    # Where the call does not say the street, what to ask is said once.
    at = dispatch(at, "小区健身器材坏了")
    choice_radio(at).set_value("community-facilities-xinhua").run()
    assert "所选事项仅适用于东湖区新华街道：请先问清来电人所在的街道（乡镇），再派单。" in [w.value for w in at.warning]


def test_console_is_not_open_to_the_public(app_env):
    at = open_page()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(AGENT_PAGE)
    assert "坐席工作台" not in page_text(at)


def test_console_is_not_open_to_unit_editors(app_env):
    editor = app_env.users.add("bianji01", "李编辑", "correct-horse-1", "unit_editor", "city-civil-affairs")
    at = open_page(user=editor)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(AGENT_PAGE)


@pytest.mark.parametrize("role", ["center_reviewer", "admin"])
def test_console_is_open_to_the_center_and_admins(app_env, role):
    user = app_env.users.add("zhongxin01", "赵校核", "correct-horse-1", role)
    console(user)


def test_agent_search_shows_internal_entries_marked_with_their_notes(app_env, agent):
    at = search(console(agent), "供暖高峰期 内部口径")
    found = [q for _l, p, q in links(at) if p == "entry"]
    assert "id=heating-peak-season-internal" in found
    assert any(":red-badge[内部]" in m.value for m in at.markdown)
    notes = app_env.entry("heating-peak-season-internal").agent_notes.splitlines()[0]
    warnings = [w.value for w in at.warning if w.value.startswith("**内部提示（仅坐席可见）**")]
    # The label the unit wrote before its note is said once, by the box.
    assert notes.startswith("内部提示：")
    assert any(render.markdown_literal(notes.removeprefix("内部提示：")) in w and w.count("内部提示") == 1
               for w in warnings)


def test_a_catalogue_entry_in_search_names_who_handles_it(app_env, agent):
    """The heating entry is kept by the hotline centre and handled by the heating company: the card says 主办."""
    at = search(console(agent), "暖气不热")
    captions = [c.value for c in at.caption]
    assert any(c.startswith("主办：示例市热力集团有限公司") for c in captions), captions
    assert not any(c.startswith("示例市12345市民服务热线中心 · 城乡建设") for c in captions)


@pytest.mark.parametrize("query", ["燃气泄漏", "家里煤气泄漏了", "我闻到家里有煤气味，怎么办"])
def test_an_urgent_search_names_the_answer_with_the_safety_steps(app_env, agent, query):
    """The catalogue's 燃气泄漏 ranks first, the answer with what to do second: the notice names the answer."""
    at = search(console(agent), query)
    [urgent] = [e.value for e in at.error if "这类情况需要立即处置" in e.value]
    assert "请先提醒来电人注意安全（见答复口径“闻到燃气味怎么办，燃气怎么报修”）" in urgent
    assert "下方答复口径" not in urgent


def test_a_misspelt_search_says_what_it_ran_instead(app_env, agent):
    at = search(console(agent), "社宝卡")
    assert [i.value for i in at.info] == ["已按“社保卡”查找（输入的是“社宝卡”，按同音字改正）。"]
    assert "id=sscard-reissue" in [q for _l, p, q in links(at) if p == "entry"]


def test_loosely_related_entries_are_marked_and_counted(app_env, agent):
    # The 社保卡 and 身份证 answers, and the catalogue's 医保报销和医保结算 (医保卡丢失补办); then what shares a word.
    at = search(console(agent), "社保卡丢了怎么补办")
    badges = [m.value for m in at.markdown if "gray-badge" in m.value]
    assert not any("关系较远" in b for b in badges[:3]) and all("关系较远" in b for b in badges[3:]) and badges[3:]
    assert any(c.value.startswith("共 ") and "（关系较近的 3 条）" in c.value for c in at.caption)


def test_a_search_nothing_answers_says_so_and_is_logged_as_weak(app_env, agent):
    at = search(console(agent), "护照怎么办理")
    [warning] = [w.value for w in at.warning if w.value.startswith("知识库里没有提到")]
    assert warning.startswith("知识库里没有提到“护照”：") and "缺失的答复" in warning
    [row] = rows(app_env, "search_log")
    assert row["weak"] == 1 and row["hits"] > 0
    at = search(console(agent), "低保怎么申请")
    assert not [w for w in at.warning if w.value.startswith("知识库里没有提到")]
    # Nothing found at all: the agent is told what is missing, not to try other words.
    at = search(console(agent), "护照")
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("知识库里没有提到“护照”，没有可用的答复口径") and "换个说法" not in warning


@pytest.mark.parametrize("query, entry_id, mark", [("最低工资标准 2027", "minimum-wage-2027", "未生效"),
                                                   ("2025年低保标准", "dibao-standard-2025", "已失效")])
def test_agent_search_marks_entries_not_in_force(app_env, agent, query, entry_id, mark):
    at = search(console(agent), query)
    labels = [q for _l, p, q in links(at) if p == "entry"]
    assert f"id={entry_id}" in labels
    i = labels.index(f"id={entry_id}")
    badges = [m.value for m in at.markdown if m.value.startswith(":gray-badge[")]
    assert f":red-badge[{mark}]" in badges[i]


def test_copy_the_answer(app_env, agent):
    at = search(console(agent), "低保怎么申请")
    codes = [c.value for c in at.code]
    assert render.answer_text(app_env.entry("dibao-apply")) in codes


def test_agent_reports_an_error(app_env, agent):
    at = search(console(agent), "低保怎么申请")
    at.text_area(key="agent_report_text_dibao-apply").input("低保标准已调整，来电人 13900001111 反映")
    at.button(key="agent_report_submit_dibao-apply").click().run()
    assert not at.exception
    assert "已提交纠错，已转给承办单位核实。" in [s.value for s in at.success]
    [report] = rows(app_env, "reports")
    assert (report["entry"], report["text"], report["audience"], report["username"]) == \
        ("dibao-apply", "低保标准已调整，来电人 [手机号] 反映", "agent", "zuoxi01")
    [task] = rows(app_env, "tasks")
    assert (task["unit"], task["kind"]) == ("city-civil-affairs", "report")


def test_agent_search_is_logged_with_the_agent(app_env, agent):
    search(console(agent), "低保怎么申请")
    [row] = rows(app_env, "search_log")
    assert (row["audience"], row["role"], row["username"]) == ("agent", "agent", "zuoxi01")


def accepted_at(at) -> dt.datetime:
    caption = next(c.value for c in at.caption if c.value.startswith("受理时间："))
    return dt.datetime.strptime(caption.removeprefix("受理时间："), "%Y-%m-%d %H:%M")


def test_dispatch_emergency_transfer(app_env, agent):
    at = dispatch(console(agent), "楼下有人打架，打起来了，快来人")
    [error] = [e.value for e in at.error]
    assert error.startswith("**紧急 · 打架斗殴** — 转接紧急专线")
    assert "转接：**110（报警服务台）**" in error and "话术：您反映的情况属于紧急警情，我现在为您转接110报警，请不要挂机。" in error
    assert "判断依据：识别到打架斗殴" in error


@pytest.mark.parametrize("text", ["有人在小区里打架了", "有人拿着刀在砍人，就在楼下"])
def test_no_dispatch_candidate_beside_a_transfer(app_env, agent, text):
    """A fight, a knife: the script and the line only — no 宠物扰民, no 道路坑洼 beside it."""
    at = dispatch(console(agent), text)
    assert "转接：**110（报警服务台）**" in at.error[0].value
    assert not at.table and not at.subheader
    assert not any(m.value.startswith("首选：") for m in at.markdown)
    assert "宠物扰民" not in page_text(at) and "道路坑洼" not in page_text(at)


def test_transfer_is_recorded(app_env, agent):
    at = dispatch(console(agent), "有人在小区里打架了")
    at.button(key="outcome_transfer").click().run()
    assert "已记录：转接（110）。" in [s.value for s in at.success]
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["line"], row["urgency"], row["username"]) == ("transfer", "110", "emergency", "zuoxi01")


def test_a_suspected_emergency_asks_the_agent_and_goes_on_when_it_is_none(app_env, agent):
    at = dispatch(console(agent), "楼下有人打架")
    error = at.error[0].value
    assert error.startswith("**疑似紧急 · 打架斗殴** — 请先向来电人确认是否正在发生；属实则立即转接")
    assert not at.table
    at.button(key="dispatch_not_emergency").click().run()
    assert not at.exception and not at.error
    assert any(c.value.startswith("坐席已确认不是紧急情况。") for c in at.caption)
    assert at.table


def test_a_question_about_compensation_is_no_alarm(app_env, agent):
    at = dispatch(console(agent), "交通事故的赔偿标准是多少")
    assert not at.error
    assert any(c.value.startswith("未按紧急处理：识别到交通事故") for c in at.caption)


def test_a_consultation_is_answered_directly(app_env, agent):
    at = dispatch(console(agent), "退休金什么时候涨")
    assert at.info[0].value == "建议：直接答复（用下方答复口径）。（不属分类处置规则所列情形）"
    assert not [m for m in at.success if "分类处置规则" in m.value]  # information, no success
    assert at.subheader[0].value == "可直接答复的口径"
    assert "建议：直接答复，不必派单。" in [s.value for s in at.success]
    found = [q for _l, p, q in links(at) if p == "entry"]
    assert found[0] == "id=pension-adjustment-2026"
    assert render.answer_text(app_env.entry("pension-adjustment-2026")) in [c.value for c in at.code]
    # The catalogue stays at hand, but no dispatch is chosen for the agent beside the suggested answer.
    assert "派单目录参考（不能直接答复时）" in [h.value for h in at.subheader]
    assert any(m.value.startswith("如需派单，首选：") for m in at.markdown)
    assert choice_radio(at).value is None and at.button(key="outcome_dispatch").disabled
    at.button(key="outcome_answer_pension-adjustment-2026").click().run()
    assert "已记录：直接答复（2026年退休人员基本养老金调整）。" in [s.value for s in at.success]
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["entry"], row["suggested"], row["topic"]) == \
        ("direct_answer", "pension-adjustment-2026", "direct_answer", "社保")


def test_an_answer_not_in_force_says_it_cannot_be_read_to_the_caller(app_env, agent):
    """Last year's answer matched the request as well as this year's: no match figure beside it, but what
    it is good for — comparing, or, when the caller names its year, telling what it was."""
    at = dispatch(console(agent), "低保标准是多少")
    found = [q for _l, p, q in links(at) if p == "entry"]
    assert "id=dibao-standard-2025" in found
    captions = [c.value for c in at.caption if "市民政局" in c.value or "·" in c.value]
    assert any(c.endswith("· 已失效，只供对照，不能用来答复") for c in captions), captions
    assert not any("已失效" in c and "吻合" in c for c in captions)
    assert not [b for b in at.button if b.key == "outcome_answer_dibao-standard-2025"]
    at = dispatch(console(agent), "2025年低保标准是多少")
    captions = [c.value for c in at.caption if "·" in c.value]
    assert any(c.endswith("· 已失效，来电人问的正是这一条：可以告知，并说明已不再执行") for c in captions), captions
    assert not [b for b in at.button if b.key == "outcome_answer_dibao-standard-2025"]


def test_a_dispatch_is_recorded_with_its_entry(app_env, agent):
    at = dispatch(console(agent), "路口的路灯坏了好几天了，晚上黑乎乎的")
    choice_radio(at).set_value("street-light-out").run()
    at.button(key="outcome_dispatch").click().run()
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["entry"], row["suggested"]) == ("dispatch", "street-light-out", "dispatch")
    assert not any(b.key == "outcome_dispatch" for b in at.button)  # one outcome per request


def test_nothing_is_chosen_where_the_first_entrys_boundary_leaves_out_what_the_caller_names(app_env, agent):
    at = dispatch(console(agent), "小区路灯坏了一个星期了，晚上看不见路")
    top = next(m.value for m in at.markdown if m.value.startswith("首选："))
    assert ":orange-badge[职责边界不包括“小区内部路灯”" in top                     # its place is kept
    assert choice_radio(at).value is None and at.button(key="outcome_dispatch").disabled
    assert "首选事项的职责边界不包括“小区内部路灯”：请核对来电所说，再选择派单事项。" in [c.value for c in at.caption]
    choice_radio(at).set_value("street-light-out").run()                  # the agent may still choose it
    at.button(key="outcome_dispatch").click().run()
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["entry"]) == ("dispatch", "street-light-out")
    # A street's lamp is no 小区内部路灯: the first entry is chosen as before.
    at = dispatch(at, "路口的路灯坏了好几天了，晚上黑乎乎的")
    assert choice_radio(at).value == "street-light-out" and not at.button(key="outcome_dispatch").disabled


def test_an_emergency_the_console_did_not_flag_is_transferred_and_recorded_as_missed(app_env, agent):
    """The agent hears what the hints missed: a transfer from the fold under the analysis, once."""
    at = dispatch(console(agent), "路口的路灯坏了好几天了，晚上黑乎乎的")
    fold = next(e for e in at.expander if e.label == "来电人说的是正在发生的紧急情况？")
    assert [b.label for b in fold.button] == ["已转接 110", "已转接 119", "已转接 120", "已转接 122"]
    at.button(key="outcome_missed_120").click().run()
    assert "已记录：转接（120急救中心）。" in [s.value for s in at.success]
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["line"], row["urgency"], row["suggested"]) == ("transfer", "120", None, "dispatch")
    assert not [e for e in at.expander if e.label == "来电人说的是正在发生的紧急情况？"]   # one outcome per request
    # The call has left the hotline: no dispatch advice or candidate stays beside the record of the transfer.
    assert not [m for m in [*at.success, *at.info] if "分类处置规则" in m.value]
    assert not [b for b in at.button if b.key and b.key.startswith("dispatch_confirm")] and not at.radio
    assert app_env.stats.emergency_hints()[0]["missed"] == 1


def test_a_transfer_shown_has_no_fold_and_a_dismissed_hint_keeps_its_line(app_env, agent):
    at = dispatch(console(agent), "对门群租房里有人打架")
    assert not [e for e in at.expander if e.label == "来电人说的是正在发生的紧急情况？"]
    at.button(key="dispatch_not_emergency").click().run()
    # The first candidate, a street's matter (群租房（和平街道）), is not chosen for the agent while the
    # caller's district is unknown.
    radio = choice_radio(at)
    assert radio.value is None
    radio.set_value(at.session_state["dispatch_result"].candidates[0].entry_id).run()
    at.button(key="outcome_dispatch").click().run()
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["line"], row["urgency"]) == ("dispatch", "110", "dismissed")
    assert [r["line"] for r in app_env.stats.dismissed_hints()] == ["110"]


def test_a_first_candidate_matching_only_in_passing_is_said_and_not_chosen_for_the_agent(app_env, agent):
    at = dispatch(console(agent), "楼下有人打架")
    at.button(key="dispatch_not_emergency").click().run()
    note = "首选事项没有提到“打架”，与诉求只是字词相近：请按来电所说和职责边界判断承办单位。"
    assert note in [w.value for w in at.warning]
    assert "字词最接近：" in page_text(at) and "首选：" not in page_text(at)
    assert choice_radio(at).value is None
    assert "首选事项与诉求只是字词相近：请选择派单事项，或选“其他事项”从派单目录中查找。" in [c.value for c in at.caption]


def test_a_call_naming_no_matter_asks_the_agent_to_find_out_what_it_is(app_env, agent):
    at = dispatch(console(agent), "我想反映个事，就是那个挺烦的")
    assert "没有听出来电反映的是什么事：请问清楚是什么事、在哪里、从什么时候开始，补充到诉求内容后重新分析。" in [
        w.value for w in at.warning]
    assert "建议：派单" not in page_text(at) and "首选：" not in page_text(at) and "建议派单" not in page_text(at)
    assert "派单目录参考（问清是什么事后再选）" in [h.value for h in at.subheader]
    assert "字词最接近：" in page_text(at)
    assert choice_radio(at).value is None
    assert "诉求没有说是什么事，以上事项只是字词相近：问清后重新分析，或选择派单事项。" in [c.value for c in at.caption]
    # Told what it is about, the same call is matched on it.
    at = dispatch(at, "我想反映个事，就是那个挺烦的，楼上天天半夜装修")
    assert not any("没有听出" in w.value for w in at.warning)
    assert "首选：" in page_text(at)


def test_a_call_asking_one_thing_and_reporting_another_says_so(app_env, agent):
    at = dispatch(console(agent), "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办")
    note = "来电说了不止一件事：所问的可按下方答复口径答复；“我们小区门口路灯坏了”请派单。（不属分类处置规则所列情形）"
    assert note in [i.value for i in at.info]
    assert "可直接答复来电所问；来电说的另一件事请在下方派单。" in [s.value for s in at.success]
    assert at.session_state["dispatch_result"].candidates[0].entry_id == "street-light-out"
    assert "首选：" in page_text(at) and choice_radio(at).value == "street-light-out"


def test_a_call_asking_one_thing_and_reporting_another_records_an_answer_and_an_order(app_env, agent):
    at = dispatch(console(agent), "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办")
    [answer] = [b for b in at.button if b.key.startswith("outcome_answer_")]
    answer.click().run()
    # Answering what was asked leaves the other matter to dispatch, chosen already.
    assert choice_radio(at).value == "street-light-out"
    at.button(key="outcome_dispatch_1").click().run()
    assert not at.exception
    rows_ = selected(app_env, "select outcome, entry, text, matter, call from request_outcomes order by id")
    assert [(r[0], r[3], r[2]) for r in rows_] == [
        ("direct_answer", 0, "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办"),
        ("dispatch", 1, "我们小区门口路灯坏了")]
    assert rows_[0][1] == answer.key.removeprefix("outcome_answer_") and rows_[1][1] == "street-light-out"
    assert rows_[0][4] == rows_[1][4]                         # one call
    assert [(r["text"], r["entry"]) for r in rows(app_env, "dispatch_history")] == [
        ("我们小区门口路灯坏了", "street-light-out")]         # learnt from in the matter's own words
    assert not [b for b in at.button if b.key.startswith("outcome_")]


def test_a_call_telling_two_matters_offers_an_order_for_each(app_env, agent):
    at = dispatch(console(agent), "喂你好，我们小区那个路灯坏了好几天了，还有就是楼下那个饭店油烟特别大")
    [note] = [w.value for w in at.warning if w.value.startswith("来电还反映了")]
    assert "“我们小区那个路灯坏了好几天了”（路灯不亮" in note and note.endswith("每件事请分别派单。")
    first, other = [r for r in at.radio if r.key.startswith("dispatch_choice_")]
    assert first.value == "restaurant-fumes"
    assert other.options[0].startswith("1. 路灯不亮") and "来电反映的另一件事" in page_text(at)
    other.set_value("street-light-out").run()
    at.button(key="outcome_dispatch_1").click().run()
    # The first matter is still to dispatch; the other is recorded and says so.
    assert [r.key for r in at.radio if r.key.startswith("dispatch_choice_")] == [first.key]
    at.button(key="outcome_dispatch").click().run()
    assert not at.exception
    rows_ = selected(app_env, "select outcome, entry, text, matter from request_outcomes order by id")
    assert [(r[0], r[1], r[3]) for r in rows_] == [("dispatch", "street-light-out", 1),
                                                   ("dispatch", "restaurant-fumes", 0)]
    assert rows_[0][2] == "我们小区那个路灯坏了好几天了"
    assert sum("已记录：派单" in s.value for s in at.success) == 2


def test_dispatch_of_a_gas_smell_asking_what_to_do_now_is_urgent(app_env, agent):
    """怎么办 at the end asks for help with the smell, now: no consultation to answer and close."""
    at = dispatch(console(agent), "我家厨房有很大的煤气味，现在怎么办")
    [urgent] = [e.value for e in at.error]
    assert urgent.startswith("**需要立即处置：燃气泄漏（2小时）**。")
    # an answer's safety steps are read out, open; answering is no outcome for it: the order is made
    assert at.expander and any(e.label == "答复文本" and e.proto.expanded for e in at.expander)
    assert not [b for b in at.button if b.key.startswith("outcome_answer_")]
    assert "需要立即处置的事项不能只答复：口述安全提示后，请在下方派单。" in [c.value for c in at.caption]


def test_an_urgent_matter_without_an_answer_refers_to_none(app_env, agent):
    """井盖没了 with no answer listed: the red notice says the matter's own safety steps, not 见下方答复口径; with the
    gas answer listed it refers to it."""
    at = dispatch(console(agent), "我家孩子学校门口那个井盖没了 好几天了 怕娃掉进去")
    [urgent] = [e.value for e in at.error]
    assert urgent.startswith("**需要立即处置：井盖缺失、破损（2小时）**。先提醒来电人注意安全：远离井口"), urgent
    assert "见下方" not in urgent and urgent.endswith("再立即派单。")
    at = dispatch(at, "我家厨房有很大的煤气味，现在怎么办")
    [urgent] = [e.value for e in at.error]
    assert urgent.endswith("先提醒来电人注意安全（见下方答复口径），再立即派单。")


def test_dispatch_says_it_read_a_misspelt_word_as_search_does(app_env, agent):
    """社宝卡: 派单助手 reads 社保卡 as the search tab does, says so, and suggests the answer, not a vaccination order."""
    at = dispatch(console(agent), "我的社宝卡丢了咋补")
    assert any(i.value.startswith("已按“我的社保卡丢了咋补”分析（输入的是“我的社宝卡丢了咋补”") for i in at.info)
    assert not any("预防接种" in w.value for w in at.warning)
    assert any("建议：" in i.value for i in at.info)


def test_dispatch_redirect_rule_is_a_warning_with_the_script(app_env, agent):
    at = dispatch(console(agent), "这个事我已经起诉到法院了")
    assert not at.error
    rule = next(w.value for w in at.warning if w.value.startswith("**"))
    assert "告知其他渠道" in rule and "话术：" in rule


def test_dispatch_candidates_with_clock_hour_due_and_7x24_flag(app_env, agent):
    at = dispatch(console(agent), "楼道里有很大的煤气味")
    # A matter of the shortest time limit: to be handled at once, not a transfer.
    [urgent] = [e.value for e in at.error]
    assert urgent.startswith("**需要立即处置：燃气泄漏（2小时）**。") and "转接" not in urgent
    assert at.info[0].value == "涉及 7×24 小时服务领域（煤气味）：随时受理，立即派单。"
    table = at.table[0].value
    # No past orders: nothing to say why a candidate ranks, so no 参考 column.
    assert list(table.columns) == ["事项", "主办单位", "时限", "办结期限", "7×24", "协办单位"]
    gas = table[table["事项"] == app_env.entry("gas-leak").title].iloc[0]
    snap = app_env.snapshot()
    entry = app_env.entry("gas-leak")
    # The level goes with the unit: a column of its own wrapped one character a line.
    assert gas["主办单位"] == f"{snap.unit_name(entry.handler)}（{LEVEL_LABELS[entry.level]}）"
    assert gas["协办单位"] == ("、".join(snap.unit_name(u) for u in entry.co_handlers) or "—")
    assert (gas["时限"], gas["7×24"]) == ("2小时", "是")
    # Two clock hours from the moment the request was taken.
    taken = accepted_at(at)
    due = dt.datetime.strptime(f"{taken.year}-{gas['办结期限']}", "%Y-%m-%d %H:%M")   # this year's: no year shown
    assert due - taken == dt.timedelta(hours=2)
    top = next(m.value for m in at.markdown if m.value.startswith("首选："))
    assert top.startswith(f"首选：**{entry.title}** → 主办 **{snap.unit_name(entry.handler)}**")
    assert f"办结期限：**{due:%Y-%m-%d %H:%M} 前（2小时，自然小时连续计算）**" in top and ":red-badge[7×24 随时派单]" in top
    assert ":orange-badge[2小时]" in top


def test_the_first_matters_dispatch_points_are_read_where_the_order_is_written(app_env, agent):
    """暖气不热 with 老人孩子都冻得不行: 工单首句注明“重点人群” is among the matter's 派单要点, which the agent reads
    beside the suggestion, not only on the matter's page."""
    at = dispatch(console(agent), "家里暖气一点都不热，屋里才十五度，老人孩子都冻得不行")
    entry = app_env.entry("heating-not-warm")
    assert next(m.value for m in at.markdown if m.value.startswith("首选：")).startswith(f"首选：**{entry.title}**")
    [points] = [e for e in at.expander if e.label == f"“{entry.title}”的职责边界和派单要点"]
    shown = " ".join(h.proto.body for h in points.get("html"))
    assert "派单要点" in shown and "重点人群" in shown
    # the matter's internal notes too
    text = app_env.store.read(entry.path).replace("time_limit: 24h\n", "time_limit: 24h\nagent_notes: 内部提示：热力集团调度直线 0000-69619001\n", 1)
    app_env.store.write_change("main", {entry.path: text}, "派单目录内部提示")
    at = dispatch(console(agent), "家里暖气一点都不热，屋里才十五度，老人孩子都冻得不行")
    assert any("热力集团调度直线 0000-69619001" in w.value for w in at.warning)


def test_dispatch_working_day_due(app_env, agent):
    at = dispatch(console(agent), "路口的路灯坏了好几天了，晚上黑乎乎的")
    table = at.table[0].value
    light = table[table["事项"] == app_env.entry("street-light-out").title].iloc[0]
    # 2026-11-22 is a Sunday: three working days are Monday 23 to Wednesday 25 November.
    assert (light["时限"], light["办结期限"]) == ("3个工作日", "11-25 23:59")
    # Nothing says why the city's matter ranks (no past orders); the village's says where it applies.
    notes = dict(zip(table["事项"], table["参考"]))
    assert notes[app_env.entry("rural-street-light").title] == "仅适用于南河区柳庄镇：请先问清来电人所在的街道（乡镇）"
    assert notes[app_env.entry("street-light-out").title] in ("", "—")


def test_a_missing_calendar_year_gives_the_agent_a_provisional_due_date(app_env, agent, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2031-03-03")  # a Monday of a year the calendar has no data for
    at = dispatch(console(agent), "小区门口的路灯坏了好几天了")
    assert "办结期限暂定：2031年节假日安排尚未公布，暂按周末也上班推算，公布后期限可能推后、不会提前。" in [
        i.value for i in at.info]
    light = at.table[0].value.iloc[0]
    assert light["办结期限"] == "03-06 23:59（暂定）"
    assert "办结期限：**2031-03-06 23:59 前（3个工作日，暂定）**" in page_text(at)
    # what to add to calendar.yaml is for the administrators (kb doctor, the center's task), not the agent
    assert "calendar.yaml" not in page_text(at) and not any("工作日历" in w.value for w in at.warning)


def test_confirming_a_dispatch_records_it_and_history_explains_the_ranking(app_env, agent):
    lines = [json.dumps({"text": t, "entry": "street-light-out"}, ensure_ascii=False)
             for t in ("小区路灯坏了晚上很黑", "楼下路灯不亮好几天", "路灯一直闪，晚上看不清路")]
    app_env.dispatch_history.import_lines(lines)
    at = dispatch(console(agent), "我们家门口马路上的路灯坏了，晚上黑乎乎的")
    light = at.table[0].value.iloc[0]
    assert light["事项"] == app_env.entry("street-light-out").title
    assert light["参考"].startswith("与 ") and light["参考"].endswith(" 条历史工单相似")
    # Why it ranks comes right after when it is due, before the lists of co-handlers.
    assert list(at.table[0].value.columns)[:5] == ["事项", "主办单位", "时限", "办结期限", "参考"]
    top = next(m.value for m in at.markdown if m.value.startswith("首选："))
    assert f":gray-badge[{light['参考']}]" in top
    choice_radio(at).set_value("street-light-out")
    at.button(key="outcome_dispatch").click().run()
    assert not at.exception
    title = app_env.entry("street-light-out").title
    assert at.success[-1].value == f"已记录：派单（{title}），并记入派单历史（今后相似诉求的派单会参考它）。"
    [outcome] = rows(app_env, "request_outcomes")
    assert (outcome["outcome"], outcome["entry"]) == ("dispatch", "street-light-out")
    (row, *_imported) = app_env.dispatch_history.recent()
    assert (row["entry"], row["source"], row["rank"], row["username"]) == ("street-light-out", "console", 1, "zuoxi01")
    assert row["text"] == "我们家门口马路上的路灯坏了，晚上黑乎乎的"


def pick_by_hand(at, entry_id):
    """派单 to an entry picked under 其他事项."""
    choice_radio(at).set_value("__other__").run()
    manual_box(at).set_value(entry_id).run()
    at.button(key="outcome_dispatch").click().run()
    assert not at.exception
    return at


def test_confirming_an_entry_picked_by_hand(app_env, agent):
    pick_by_hand(dispatch(console(agent), "楼道里有很大的煤气味"), "water-outage")
    (row,) = app_env.dispatch_history.recent()
    [outcome] = rows(app_env, "request_outcomes")
    assert (outcome["outcome"], outcome["entry"]) == ("dispatch", "water-outage")
    assert (row["entry"], row["source"], row["rank"]) == ("water-outage", "manual", None)


def test_an_entry_picked_by_hand_stays_a_hand_pick_when_it_is_among_the_candidates(app_env, agent):
    at = dispatch(console(agent), "我们家门口马路上的路灯坏了，晚上黑乎乎的")
    first = at.session_state["dispatch_result"].candidates[0].entry_id   # proposed, yet picked under 其他事项
    pick_by_hand(at, first)
    (row,) = app_env.dispatch_history.recent()
    assert (row["entry"], row["source"], row["rank"]) == (first, "manual", None)


def test_a_dispatch_is_taken_back_within_the_call(app_env, agent):
    at = dispatch(console(agent), "我们家门口马路上的路灯坏了，晚上黑乎乎的")
    first = at.session_state["dispatch_result"].candidates[0]
    at.button(key="outcome_dispatch").click().run()
    assert not at.exception and at.success[-1].value.startswith("已记录：派单")
    assert len(app_env.dispatch_history.recent()) == 1 and len(rows(app_env, "request_outcomes")) == 1
    at.button(key="dispatch_withdraw_0").click().run()
    assert not at.exception
    assert app_env.dispatch_history.recent() == [] and rows(app_env, "request_outcomes") == []
    assert f"已撤销派单（{first.title}）：派单记录和派单历史中的这一条已删除，请重新选择派单事项。" in [i.value for i in at.info]
    assert not [s for s in at.success if s.value.startswith("已记录：派单")]
    # The matter is dispatched again, to the entry it belongs to; nothing to take back is offered for another call.
    pick_by_hand(at, "water-outage")
    (row,) = app_env.dispatch_history.recent()
    [outcome] = rows(app_env, "request_outcomes")
    assert (row["entry"], row["source"], outcome["entry"]) == ("water-outage", "manual", "water-outage")
    assert not [i for i in at.info if i.value.startswith("已撤销派单")]
    at = dispatch(at, "楼上漏水到我家了")
    assert not [b for b in at.button if (b.key or "").startswith("dispatch_withdraw_")]


def test_agent_adopts_an_answer_for_the_call(app_env, agent):
    at = search(console(agent), "社保卡丢了")
    # On the card itself, not folded away with the text to copy.
    folded = {b.key for e in at.expander for b in e.button}
    assert "agent_adopt_sscard-reissue" not in folded and "agent_report_submit_sscard-reissue" in folded
    # Only an answer in force is one to give: not last year's pension rise, nor a catalogue entry.
    offered = {b.key.removeprefix("agent_adopt_") for b in at.button if (b.key or "").startswith("agent_adopt_")}
    snap, day = app_env.snapshot(), app_env.today()
    assert offered and all(snap.entries[e].kind == "policy" and snap.entries[e].status(day) == "in_force"
                           for e in offered)
    shown = {b.key.removeprefix("agent_report_submit_") for b in at.button
             if (b.key or "").startswith("agent_report_submit_")}
    assert shown - offered, "the results hold entries that are no answer to give"
    at.button(key="agent_adopt_sscard-reissue").click().run()
    assert not at.exception
    assert any(c.value.startswith("已记为采用此答复。本次来电计为直接答复") for c in at.caption)
    db = app_env.db()
    row = db.execute("select query, opened, used from search_log order by id desc limit 1").fetchone()
    db.conn.close()
    assert tuple(row) == ("社保卡丢了", "sscard-reissue", 1)


def call_outcomes(app_env):
    return selected(app_env, "select outcome, entry, text, call is not null from request_outcomes order by id")


def test_an_answer_taken_or_copied_from_the_search_answers_the_call_once(app_env, agent):
    at = search(console(agent), "社保卡丢了")
    at.button(key="agent_adopt_sscard-reissue").click().run()
    at.session_state["agent_copy_sscard-reissue"] = True  # 复制答复 opened to copy it into the work order
    at.run()
    assert not at.exception
    assert call_outcomes(app_env) == [("direct_answer", "sscard-reissue", "社保卡丢了", 1)]
    [day] = app_env.stats.direct_answers_per_day()
    assert (day["requests"], day["direct"]) == (1, 1)
    # The next caller's question, copied from the search: a call of its own.
    at = search(at, "居住证怎么办理")
    at.session_state["agent_copy_residence-permit-apply"] = True
    at.run()
    assert [row[:2] for row in call_outcomes(app_env)] == [("direct_answer", "sscard-reissue"),
                                                         ("direct_answer", "residence-permit-apply")]


def test_a_catalogue_entry_found_offers_its_boundary_to_copy_not_an_answer(app_env, agent):
    at = search(console(agent), "路灯不亮")
    labels = [e.label for e in at.expander]
    assert "复制职责边界" in labels
    # Opening it answers no call: a catalogue entry is no answer to read out.
    at.session_state["agent_copy_street-light-out"] = True
    at.run()
    assert not at.exception
    assert call_outcomes(app_env) == []
    at = search(at, "社保卡丢了")
    assert "复制答复" in [e.label for e in at.expander]


def test_a_call_answered_from_the_search_and_then_dispatched_counts_as_dispatched(app_env, agent):
    at = search(console(agent), "路灯坏了好几天了")
    answer = next(b.key for b in at.button if (b.key or "").startswith("agent_adopt_"))
    at.button(key=answer).click().run()
    at = dispatch(at, "路灯坏了好几天了")
    assert "本次来电已在检索中记为直接答复；如仍需派单，派单后改按派单计，不重复计数。" in [c.value for c in at.caption]
    choice_radio(at).set_value("street-light-out").run()
    at.button(key="outcome_dispatch").click().run()
    assert not at.exception
    assert [row[:2] for row in call_outcomes(app_env)] == [("dispatch", "street-light-out")]
    # Taken back: the call is answered again, with the answer taken from the search.
    at.button(key="dispatch_withdraw_0").click().run()
    assert not at.exception
    assert [row[:2] for row in call_outcomes(app_env)] == [("direct_answer", answer.removeprefix("agent_adopt_"))]
    assert any(i.value.endswith("本次来电恢复为派单前的直接答复；如仍需派单，请重新选择派单事项。") for i in at.info)
    assert "本次来电已在检索中记为直接答复；如仍需派单，派单后改按派单计，不重复计数。" in [c.value for c in at.caption]


def test_agent_adopts_an_article_for_the_call(app_env, agent):
    at = search(console(agent), "打热线骂接线员会怎么样")
    keys = [b.key for b in at.button if (b.key or "").startswith("agent_adopt_beijing-2021/")]
    assert keys, "an article found has its own adopt button"
    at.button(key=keys[0]).click().run()
    assert not at.exception
    assert "已记为采用此条文。" in [c.value for c in at.caption]
    db = app_env.db()
    row = db.execute("select query, opened, unit, used from search_log order by id desc limit 1").fetchone()
    db.conn.close()
    assert tuple(row) == ("打热线骂接线员会怎么样", keys[0].removeprefix("agent_adopt_"), "hotline-center", 1)


def open_from_console(at, page, doc_id):
    """Follow a result of the console's last search to its page, in the same session."""
    at.switch_page(page)
    at.query_params["id"] = doc_id
    at.run()
    assert not at.exception, at.exception
    return at


def selected(app_env, sql):
    db = app_env.db()
    got = [tuple(r) for r in db.execute(sql)]
    db.conn.close()
    return got


def opened_rows(app_env):
    return selected(app_env, "select query, opened, unit from search_log order by id")


def test_an_article_opened_from_a_search_answers_it_once(app_env, agent):
    at = search(console(agent), "打热线骂接线员会怎么样")
    article = next(b.key.removeprefix("agent_adopt_") for b in at.button
                   if (b.key or "").startswith("agent_adopt_beijing-2021/"))
    open_from_console(at, "app_pages/article.py", article)
    open_from_console(at, "app_pages/article.py", article)  # read again: still one open
    assert opened_rows(app_env) == [("打热线骂接线员会怎么样", article, "hotline-center")]
    at = search(open_from_console(at, AGENT_PAGE, ""), "辱骂接线员")
    open_from_console(at, "app_pages/article.py", article)  # the next search's open counts for it
    assert opened_rows(app_env)[-1] == ("辱骂接线员", article, "hotline-center")


def test_an_answer_opened_from_a_search_is_recorded_on_it(app_env, agent):
    at = search(console(agent), "社保卡丢了")
    open_from_console(at, "app_pages/entry.py", "sscard-reissue")
    assert opened_rows(app_env) == [("社保卡丢了", "sscard-reissue", "city-hrss")]


def test_dispatch_needs_text(app_env, agent):
    at = console(agent)
    at.button(key="dispatch_go").click().run()
    assert [w.value for w in at.warning] == ["请先输入来电人的诉求。"]


def test_agent_opens_an_internal_answer_with_marks_notes_and_copy(app_env, agent):
    at = open_page("app_pages/entry.py", user=agent, id="heating-peak-season-internal")
    entry = app_env.entry("heating-peak-season-internal")
    assert at.title[0].value == entry.title
    assert ":gray-badge[答复口径] :red-badge[内部] :orange-badge[即将到期（2026-12-20 止）]" in [m.value for m in at.markdown]
    assert any(w.value.startswith("**内部提示（仅坐席可见）**") for w in at.warning)
    assert render.answer_text(entry) in [c.value for c in at.code]
    assert not any("/answers/" in p for _l, p, _q in links(at)), links(at)  # the public cannot open it
    assert "公众网站上看不到本条目：这是内部口径，只供坐席使用。" in [c.value for c in at.caption]


def test_a_catalogue_entry_shows_who_handles_it_and_the_time_limit(app_env, agent):
    """派单目录 opened by staff: the units, level and time limit (with the matters of its tier) as the console
    proposes them, how callers put it, the maintaining unit by its role, and no answer text to copy."""
    at = open_page("app_pages/entry.py", user=agent, id="social-insurance-payment")
    snap = app_env.snapshot()
    entry = snap.entries["social-insurance-payment"]
    tier = snap.tiers[entry.time_limit]
    captions, text = [c.value for c in at.caption], page_text(at)
    assert f"维护单位：{snap.unit_name('hotline-center')}" in captions[0] and "答复单位" not in text
    assert f"**主办**：{snap.unit_name('city-hrss')}" in text
    assert f"**协办**：{snap.unit_name('city-taxation')}" in text
    assert "**层级**：市级" in text and f"**办理时限**：{tier['name']}" in text
    assert f"{tier['name']}适用于：{tier['description']}" in captions
    assert all(x in text for x in entry.examples) and "city-hrss" not in text
    assert "公众网站上看不到本条目：派单目录只供坐席和承办单位使用。" in captions
    assert not at.code and "复制答复文本" not in [e.label for e in at.expander]


def test_staff_pages_link_the_public_rendering_of_a_public_answer_in_force(app_env, agent):
    at = open_page("app_pages/entry.py", user=agent, id="residence-permit-apply")
    assert ("在公众网站上查看（市民看到的样子）", "http://127.0.0.1:8080/answers/residence-permit-apply", "") \
        in links(at)
    at = search(console(agent), "居住证")
    public = [p for _l, p, _q in links(at) if p.startswith("http://127.0.0.1:8080/answers/")]
    snap, day = app_env.snapshot(), app_env.today()
    assert "http://127.0.0.1:8080/answers/residence-permit-apply" in public
    assert all(snap.entries[p.rsplit("/", 1)[1]].is_public_on(day) for p in public)


def test_agent_sees_every_entry_citing_an_article(app_env, agent):
    at = open_page("app_pages/article.py", user=agent, id="beijing-2021/11")
    assert at.subheader[0].value == "引用本条的条目"
    found = {label: q for label, p, q in links(at) if p == "entry"}
    assert found["派单目录 · 电梯故障困人（内部）"] == "id=elevator-trapped"
    assert "id=hotline-not-accepted" in found.values()


def test_entries_awaiting_recheck_are_marked_in_the_console_and_on_the_answer(app_env, agent):
    """A published regulation change flags the entries citing the changed article, for agents to see."""
    kb = app_env
    base = kb.snapshot()
    impact = analyse(base, Snapshot({**base.files, REG: amend(base.files[REG])}))
    reverify.flag_entries(kb, impact, base.commit)
    flagged = next(c for c in impact.impacted if c.kind == "policy" and base.entries[c.entry_id].is_public_on(kb.today()))
    at = search(console(agent), base.entries[flagged.entry_id].title)
    assert "依据已变更，待核" in page_text(at)
    at = open_page("app_pages/entry.py", user=agent, id=flagged.entry_id)
    assert any("依据已变更，待核" in w.value for w in at.warning)


@pytest.mark.parametrize("query, said", [
    ("楼上着火了", "**正在发生的紧急情况（火情）：立即转接 119（火警）"),
    ("电梯卡住了里面有人", "**正在发生的紧急情况（坍塌和被困）：立即转接 119（抢险救援）"),
    # Nothing says it is happening now: asked first, as 派单助手 says it.
    ("家里着火怎么办", "**可能是正在发生的紧急情况（火情）：请先向来电人确认，属实立即转接 119（火警）")])
def test_a_search_that_may_be_an_emergency_says_so_before_any_result(app_env, agent, query, said):
    at = search(console(agent), query)
    [alarm] = [e.value for e in at.error if "紧急情况" in e.value]
    assert alarm.startswith(said)
    [transfer] = [e.value for e in at.error if "转接：" in e.value]
    assert transfer.startswith("**疑似紧急") == said.startswith("**可能是")


def test_the_words_searched_go_on_to_the_dispatch_assistant_an_emergency_analysed(app_env, agent):
    at = search(console(agent), "我爸被骗了十几万，现在倒在地上叫不醒")
    [alarm] = [e.value for e in at.error if "紧急情况" in e.value]
    assert "立即转接 120" in alarm and "来电人的话已填入并分析好" in alarm
    assert at.text_area(key="dispatch_text").value == "我爸被骗了十几万，现在倒在地上叫不醒"
    [transfer] = [e.value for e in at.error if e.value.startswith("**紧急 · 昏迷晕倒**")]
    assert "转接：**120（急救中心）**" in transfer and "同时需要：110" in transfer
    assert "同时需要 110" in alarm
    # Put through to the other line first: recorded with that line; the first line is still there to record.
    at.button(key="outcome_transfer_110").click().run()
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["line"]) == ("transfer", "110")
    assert at.button(key="outcome_transfer").label == "也已转接 120"
    assert not [b for b in at.button if b.key in ("outcome_transfer_110", "dispatch_not_emergency")]
    at.button(key="outcome_transfer").click().run()
    assert [r["line"] for r in rows(app_env, "request_outcomes")] == ["110", "120"]
    assert "已记录：转接（110、120）。" in [m.value for m in at.success]
    assert not [b for b in at.button if (b.key or "").startswith("outcome_transfer")]
    # An ordinary search is handed over unanalysed; what the agent wrote there is not overwritten.
    at = search(console(agent), "社保卡丢了怎么补办")
    assert at.text_area(key="dispatch_text").value == "社保卡丢了怎么补办" and not at.error
    at.text_area(key="dispatch_text").input("社保卡丢了，补办要带什么")
    at.button(key="dispatch_go").click().run()
    search(at, "居住证怎么办")
    assert at.text_area(key="dispatch_text").value == "社保卡丢了，补办要带什么"


def test_an_emergency_that_nothing_mentions_is_not_called_a_missing_answer(app_env, agent):
    at = search(console(agent), "救命")
    [alarm] = [e.value for e in at.error if "紧急情况" in e.value]
    assert "110" in alarm
    assert not [w for w in at.warning if "缺失的答复" in w.value]


def test_an_ordinary_search_raises_no_alarm(app_env, agent):
    at = search(console(agent), "社保卡丢了怎么办")
    assert not [e for e in at.error if "紧急情况" in e.value]
    assert not at.error


def test_a_search_reporting_a_gas_smell_says_it_is_to_be_handled_at_once(app_env, agent):
    """家里煤气味很重 is no transfer (no 110/119 rule), but a matter of the shortest time limit."""
    at = search(console(agent), "家里煤气味很重")
    urgent, analysed = [e.value for e in at.error]
    assert urgent.startswith("**这类情况需要立即处置") and "派单助手" in urgent
    assert analysed.startswith("**需要立即处置：燃气泄漏（2小时）**。")  # waiting in 派单助手, analysed
    assert not search(console(agent), "燃气灶打不着火找谁").error   # a question about a repair


def test_a_gas_smell_is_dispatched_after_the_safety_advice_not_only_answered(app_env, agent):
    """The answer 闻到燃气味怎么办 covers 家里煤气味很重 wholly, but a gas leak is dispatched within 2 hours."""
    at = dispatch(console(agent), "家里煤气味很重")
    [urgent] = [e.value for e in at.error]
    assert urgent.startswith("**需要立即处置：燃气泄漏（2小时）**。")
    assert "先向来电人口述这条答复的安全提示，再立即派单。" in [w.value for w in at.warning]
    assert "建议：直接答复，不必派单。" not in [s.value for s in at.success]
    assert choice_radio(at).value == "gas-leak"
    at.button(key="outcome_dispatch").click().run()
    [row] = rows(app_env, "request_outcomes")
    assert (row["outcome"], row["entry"], row["suggested"]) == ("dispatch", "gas-leak", "dispatch")


def test_the_dispatch_card_names_the_event_and_its_line(app_env, agent):
    at = dispatch(console(agent), "电梯卡住了里面有人")
    card = next(e.value for e in at.error if "转接" in e.value)
    assert card.startswith("**紧急 · 坍塌和被困**") and "转接：**119（抢险救援）**" in card


def test_a_place_named_neither_chooses_a_local_matter_nor_lists_other_places_co_handlers(app_env, agent):
    """清水街道 says where the caller lives: the neighbours' party is 社会生活噪声, chosen for the agent, with
    清水街道 the only street beside the police; no other district's street is a co-handler."""
    at = dispatch(console(agent), "楼上邻居半夜蹦迪，吵得睡不着，我住西山区清水街道")
    noise = app_env.entry("noise-social-life")
    assert choice_radio(at).value == "noise-social-life"
    top = next(m.value for m in at.markdown if m.value.startswith("首选："))
    assert top.startswith(f"首选：**{render.markdown_literal(noise.title)}**")
    assert "协办 西山区清水街道办事处\n\n" in top
    table = at.table[0].value
    assert table[table["事项"] == render.markdown_literal(noise.title)].iloc[0]["协办单位"] == "西山区清水街道办事处"
    assert "和平街道" not in page_text(at) and "柳庄镇" not in page_text(at)


def test_an_answer_with_a_change_scheduled_is_given_as_in_force_with_the_new_version_beside_it(app_env, agent):
    from ..conftest import commit_all

    on = app_env.today() + dt.timedelta(days=3)
    path = app_env.settings.root / "entries/policy/city-hrss/sscard-reissue.md"
    text = path.read_text(encoding="utf-8").replace("effective: 2026-01-01", f"effective: {on.isoformat()}")
    path.write_text(text.replace("补换社保卡**免收工本费**", "补换社保卡收取工本费**20元**"), encoding="utf-8")
    commit_all(app_env.settings.root, "社保卡补办收费")
    at = search(console(agent), "社保卡丢了怎么补办")
    labels = [q for _l, p, q in links(at) if p == "entry"]
    badges = [m.value for m in at.markdown if m.value.startswith(":gray-badge[")]
    assert labels.count("id=sscard-reissue") == 1 and "未生效" not in badges[labels.index("id=sscard-reissue")]
    copied = [c.value for c in at.code if c.value.startswith("社会保障卡丢了怎么补办")]
    assert "免收工本费" in copied[0]
    assert f"新版本 {on.isoformat()} 起生效（未生效），此前仍按上面的答复" in [e.label for e in at.expander]


def test_the_candidates_headings_stay_on_one_line(app_env, agent):
    """办结期限 beside the sidebar at 1280 px is one heading, not 办结期 over 限: the candidates' table keeps its
    headings on one line and wraps its cells instead."""
    at = dispatch(console(agent), "路口的路灯坏了好几天了，晚上黑乎乎的")
    styles = [h.proto.body for h in at.get("html")]
    assert ("<style>.st-key-dispatch_candidates th,.st-key-dispatch_candidates th *{white-space:nowrap !important}"
            "</style>") in styles
    assert "办结期限" in at.table[0].value.columns
