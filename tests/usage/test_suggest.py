"""Answers that learn from searches: evidence, suggested questions through review, missing answers."""

import pytest
from click.testing import CliRunner

from kb_app.content import frontmatter
from kb_app.usage import suggest
from kb_app.cli import cli
from kb_app.exceptions import EntryNotFound, KbError, PermissionDenied

from ..review_helpers import PASSWORD, make_users

ENTRY = "sscard-reissue"  # city-hrss, public, questions as a flow list
PHRASING = "社保卡被偷了怎么重新办"


def found(kb, query, entry=ENTRY, times=3, audience="public", user=None):
    """``times`` searches that opened ``entry`` and were confirmed (a helpful vote, or an agent's adoption)."""
    for _ in range(times):
        sid = kb.feedback.log_search(query, audience, 3, username=user)
        if audience == "public":
            kb.feedback.log_open(entry, sid)
            kb.feedback.vote(entry, True, search_id=sid)
        else:
            kb.feedback.log_use(entry, sid, user)


def tasks(kb, unit="city-hrss"):
    return [t for t in kb.feedback.list_tasks(unit, state=None) if t.kind == suggest.KIND]


def test_evidence_needs_an_open_followed_by_a_helpful_vote_or_an_adoption(kb):
    sid = kb.feedback.log_search(PHRASING, "public", 3)
    kb.feedback.log_open(ENTRY, sid)
    kb.feedback.vote(ENTRY, False, search_id=sid)  # not helpful
    sid = kb.feedback.log_search(PHRASING, "public", 3)
    kb.feedback.log_open(ENTRY, sid)
    kb.feedback.vote(ENTRY, True)  # helpful, but not tied to the search
    sid = kb.feedback.log_search(PHRASING, "public", 3)
    kb.feedback.log_open("residence-permit-apply", sid)
    kb.feedback.vote(ENTRY, True, search_id=sid)  # the search opened another entry: not linked
    assert suggest.evidence(kb) == []
    found(kb, PHRASING + "？", times=1)
    found(kb, PHRASING, times=1, audience="agent", user="zuoxi01")
    (row,) = suggest.evidence(kb)
    assert (row["entry"], row["evidence"], row["helpful"], row["adopted"]) == (ENTRY, 2, 1, 1)


def test_one_agent_adopting_one_answer_again_and_again_is_one_piece_of_evidence(kb):
    """Four adoptions of one answer for one phrasing by one agent within minutes count once, as a public
    session's votes do; the task says from how many agents and sessions its evidence came."""
    found(kb, PHRASING, times=4, audience="agent", user="zuoxi01")
    (row,) = suggest.evidence(kb)
    assert (row["evidence"], row["adopted"], row["agents"], row["sessions"]) == (1, 1, 1, 0)
    assert suggest.open_tasks(kb) == []
    found(kb, PHRASING, times=2, audience="agent", user="zuoxi02")
    found(kb, PHRASING, times=1)
    (row,) = suggest.evidence(kb)
    assert (row["evidence"], row["adopted"], row["helpful"], row["agents"], row["sessions"]) == (3, 2, 1, 2, 1)
    suggest.open_tasks(kb)
    (task,) = tasks(kb)
    assert "（公众评价 1 次、坐席采用 2 次，来自 2 名坐席、1 个公众会话）" in task.detail


def test_repeated_evidence_becomes_a_task_for_the_owning_unit(kb):
    found(kb, PHRASING, times=2)
    assert suggest.open_tasks(kb) == []
    found(kb, PHRASING, times=1)
    new = kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    assert task.id in new and task.entry == ENTRY and task.title == f"建议新增问法“{PHRASING}”：社会保障卡丢了怎么补办"
    assert suggest.task_suggestion(task) == {"phrasing": PHRASING, "field": "questions", "evidence": 3, "helpful": 3,
                                             "adopted": 0, "agents": 0, "sessions": 3, "field_label": "常见问法"}
    assert kb.feedback.generate_tasks() == []  # idempotent


@pytest.mark.parametrize("query", ["社保卡丢了怎么办", "社保卡丢了，怎么办？", "社会保障卡丢了怎么补办", "补卡",
                                   "社保卡号13812345678丢了怎么办",
                                   # the title in other words of its synonym groups, which search treats alike
                                   "社保卡丢了怎么补办"])
def test_no_suggestion_for_known_short_or_personal_phrasings(kb, query):
    found(kb, query)
    assert suggest.suggestions(kb) == []


def test_synonym_reading_writes_each_synonym_as_its_groups_first_term():
    read = suggest.synonym_reading([["社会保障卡", "社保卡"], ["主管部门", "谁管", "归谁管"], ["热线", "热线"]])
    assert read("社保卡丢了归谁管") == "社会保障卡丢了主管部门"
    assert read("社保卡被偷了怎么重新办") == "社会保障卡被偷了怎么重新办" and read("补卡") == "补卡"
    assert suggest.synonym_reading([])("社保卡") == "社保卡"
    # A first term holding another term of its group stays whole, so both read alike.
    hotline = suggest.synonym_reading([["市民服务热线", "12345热线", "热线"]])
    assert hotline("市民服务热线怎么打") == hotline("热线怎么打") == hotline("12345热线怎么打") == "市民服务热线怎么打"


def test_a_greeting_is_no_part_of_a_suggested_phrasing(kb):
    """您好，请问 … is evidence for the matter it opens, and the phrasing offered is the matter alone."""
    found(kb, "您好，请问" + PHRASING, times=2)
    found(kb, PHRASING, times=1)
    (s,) = suggest.suggestions(kb)
    assert (s.phrasing, s.evidence) == (PHRASING, 3)


def test_suggestion_to_published_question(kb):
    users = make_users(kb)
    found(kb, PHRASING)
    kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    with pytest.raises(PermissionDenied):
        suggest.accept(kb, users["housing-editor"], task.id)
    before = kb.store.read(kb.entry(ENTRY).path)
    cr = suggest.accept(kb, users["hrss-editor"], task.id)
    assert cr.state == "in_review" and cr.title == "新增问法：社会保障卡丢了怎么补办"
    assert cr.data == {"suggestion": task.id, "phrasing": PHRASING}
    with pytest.raises(KbError, match=f"已为该建议发起变更请求 #{cr.id}"):
        suggest.accept(kb, users["hrss-editor"], task.id)
    after = kb.store.read(kb.entry(ENTRY).path, cr.head)
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("questions: [社保卡丢了怎么办, 社保卡补办要多久, 社保卡坏了能换吗, 社保卡在哪里补]",
                        f"questions: [社保卡丢了怎么办, 社保卡补办要多久, 社保卡坏了能换吗, 社保卡在哪里补, {PHRASING}]")]
    assert PHRASING not in kb.entry(ENTRY).questions  # nothing changes before review
    assert set(kb.review.status(cr).required) == {"unit:city-hrss", "center"}
    kb.review.approve(users["hrss-reviewer"], cr.id)
    cr = kb.review.approve(users["center"], cr.id)
    assert cr.state == "published"
    assert kb.entry(ENTRY).questions[-1] == PHRASING
    assert kb.feedback.task(task.id).state == "closed"
    assert kb.search(PHRASING, audience="public").hits[0].id == ENTRY
    assert suggest.suggestions(kb) == []


def test_accept_with_an_edited_phrasing_and_a_dismissed_suggestion_stays_dismissed(kb):
    users = make_users(kb)
    found(kb, PHRASING)
    kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    cr = suggest.accept(kb, users["hrss-editor"], task.id, "社保卡被偷了怎么补办")
    assert frontmatter.parse(kb.store.read(kb.entry(ENTRY).path, cr.head))[0]["questions"][-1] == "社保卡被偷了怎么补办"
    kb.review.withdraw(users["hrss-editor"], cr.id)
    kb.feedback.dismiss(task.id, "问法不规范", users["hrss-editor"])
    found(kb, PHRASING)
    assert kb.feedback.generate_tasks() == []
    with pytest.raises(KbError, match="已处理"):
        suggest.accept(kb, users["hrss-editor"], task.id)


@pytest.mark.parametrize("phrasing, why", [
    ("我叫张三电话13812345678失业金", "含有个人信息"), ("市民王建国反映社保卡丢了怎么补办", "含有个人信息"),
    ("社保卡丢了怎么补办，身份证号110101199003071234", "含有个人信息"), ("领钱", "有 2 个字"),
    ("社保卡补办（内部口径，不要告诉来电人）", "只给坐席看的话")])
def test_an_edited_phrasing_with_what_the_public_may_not_read_is_refused(kb, phrasing, why):
    """The phrasing box lets an editor tidy a caller's words, and editors paste real queries into it: what would be
    published as one of the answer's questions is checked as the answer is, and nothing is opened."""
    users = make_users(kb)
    found(kb, PHRASING)
    kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    with pytest.raises(KbError, match=why):
        suggest.accept(kb, users["hrss-editor"], task.id, phrasing)
    assert not kb.review.list()


def test_directory_entries_get_examples(kb):
    users = make_users(kb)
    found(kb, "路灯一闪一闪的找谁修", entry="street-light-out")
    kb.feedback.generate_tasks()
    (task,) = tasks(kb, "hotline-center")
    assert (suggest.task_suggestion(task)["field"], suggest.task_suggestion(task)["field_label"]) == ("examples", "市民的描述")
    cr = suggest.accept(kb, users["center"], task.id)
    examples = frontmatter.parse(kb.store.read(kb.entry("street-light-out").path, cr.head))[0]["examples"]
    assert examples[-1] == "路灯一闪一闪的找谁修"


ARTICLE = "beijing-2021/9"  # 诉求人的义务
ARTICLE_PHRASING = "打热线故意夸大事实会被追责吗"


def test_a_phrasing_that_finds_an_article_becomes_a_reviewed_common_question(kb):
    """Agents adopting an article and citizens voting it helpful: a task for the center, a change
    to the regulation's questions (one line), reviewed by the center and legal, then searchable."""
    users = make_users(kb)
    path = kb.snapshot().regulations["beijing-2021"].path
    for agent in ("agent", "zuoxi02"):  # two agents: one agent's repeated adoptions are one piece of evidence
        found(kb, ARTICLE_PHRASING, entry=ARTICLE, times=1, audience="agent", user=agent)
    kb.feedback.vote(ARTICLE, True, query=ARTICLE_PHRASING)
    kb.feedback.vote(ARTICLE, False, query=ARTICLE_PHRASING)     # not helpful: no evidence, and no task
    kb.feedback.generate_tasks()
    (task,) = tasks(kb, "hotline-center")
    assert (task.entry, task.title) == (ARTICLE, f"建议新增问法“{ARTICLE_PHRASING}”：北京市接诉即办工作条例 第九条")
    assert suggest.task_suggestion(task) == {"phrasing": ARTICLE_PHRASING, "field": "questions", "evidence": 3,
                                             "helpful": 1, "adopted": 2, "agents": 2, "sessions": 1,
                                             "field_label": "常见问法"}
    assert "regulations/texts/beijing-2021.md 的 questions" in task.detail
    with pytest.raises(PermissionDenied):
        suggest.accept(kb, users["hrss-editor"], task.id)
    before = kb.store.read(path)
    cr = suggest.accept(kb, users["center"], task.id)
    after = kb.store.read(path, cr.head)
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == [f"    - {ARTICLE_PHRASING}"] and len(after.splitlines()) == len(before.splitlines()) + 1
    assert after.splitlines().index(added[0]) < after.splitlines().index("  10:")  # under 第九条
    assert cr.title == "新增问法：北京市接诉即办工作条例 第九条"
    assert ARTICLE_PHRASING not in kb.snapshot().find_article(ARTICLE).questions
    assert set(kb.review.status(cr).required) == {"center", "legal"}
    kb.review.approve(users["legal"], cr.id)
    cr = kb.review.approve(users["center2"], cr.id)
    assert cr.state == "published"
    assert kb.snapshot().find_article(ARTICLE).questions[-1] == ARTICLE_PHRASING
    assert kb.feedback.task(task.id).state == "closed"
    assert kb.search(ARTICLE_PHRASING, audience="public", kind="article").hits[0].id == ARTICLE
    assert suggest.suggestions(kb) == []


def test_votes_on_articles_open_no_unhelpful_task(kb):
    for _ in range(kb.settings.unhelpful_threshold + 1):
        kb.feedback.vote(ARTICLE, False)
    assert [t for t in kb.feedback.list_tasks(None, state=None) if t.entry == ARTICLE] == []
    with pytest.raises(EntryNotFound):
        kb.feedback.vote("beijing-2021/999", True)


REGULATION = "---\nid: x\ntitle: 条例\nquestions:  # 常见问法\n{questions}note: n\n---\n## 第一条\n正文\n"


@pytest.mark.parametrize("questions, number, expected", [
    ("  2:\n    - 甲\n  5:\n    - 乙\n", 2, "  2:\n    - 甲\n    - {v}\n  5:\n    - 乙\n"),
    ("  2:\n    - 甲\n\n  5:\n  - 乙\n", 5, "  2:\n    - 甲\n\n  5:\n  - 乙\n  - {v}\n"),
    ("  2:\n    - 甲\n  5:\n    - 乙\n", 3, "  2:\n    - 甲\n  3:\n    - {v}\n  5:\n    - 乙\n"),
    ("  2:\n    - 甲\n", 9, "  2:\n    - 甲\n  9:\n    - {v}\n"),
    ("  \"七\":\n    - 甲\n", 7, "  \"七\":\n    - 甲\n    - {v}\n"),
])
def test_add_article_question_keeps_the_rest_of_the_file(questions, number, expected):
    out = suggest.add_article_question(REGULATION.format(questions=questions), number, "新问法")
    assert out == REGULATION.format(questions=expected.format(v="新问法"))


def test_add_article_question_to_other_layouts():
    flow = "---\nid: x\ntitle: 条例\nquestions:\n  2: [甲, 乙]\n---\n正文\n"
    assert frontmatter.parse(suggest.add_article_question(flow, 2, "新：问法"))[0]["questions"] == {
        2: ["甲", "乙", "新：问法"]}
    none = "---\nid: x\ntitle: 条例\n---\n正文\n"
    assert suggest.add_article_question(none, 4, "新问法") == \
        "---\nid: x\ntitle: 条例\nquestions:\n  4:\n    - 新问法\n---\n正文\n"


TEXT = "---\nid: a\ntitle: 标题\n{lists}unit: u\n---\n正文\n"


@pytest.mark.parametrize("lists, expected", [
    ("questions: [一, 二]\n", "questions: [一, 二, {v}]\n"),
    ("questions: []\n", "questions: [{v}]\n"),
    ("questions:\n  - 一\n  - 二\n", "questions:\n  - 一\n  - 二\n  - {v}\n"),
    ("questions:\n- 一\n", "questions:\n- 一\n- {v}\n"),
    ("", "questions: [{v}]\n"),
])
def test_add_to_list_keeps_the_rest_of_the_file(lists, expected):
    text = TEXT.format(lists=lists)
    out = suggest.add_to_list(text, "questions", "新问法")
    if lists:
        assert out == TEXT.format(lists=expected.format(v="新问法"))
    else:
        assert out == "---\nid: a\ntitle: 标题\nquestions: [新问法]\nunit: u\n---\n正文\n"


@pytest.mark.parametrize("value", ["时间: 几点", "[急]停水", "a, b", "#1 楼", "'引号'", "yes"])
def test_add_to_list_quotes_what_yaml_would_misread(value):
    out = suggest.add_to_list(TEXT.format(lists="questions: [一]\n"), "questions", value)
    assert frontmatter.parse(out)[0]["questions"] == ["一", value]


def test_missing_answers_are_grouped_by_similarity(kb):
    for q, n in [("灵活就业社保补贴", 3), ("灵活就业人员社保补贴怎么领", 2), ("灵活就业社保补贴申请", 1), ("宠物狗办证", 2)]:
        for _ in range(n):
            kb.feedback.log_search(q, "public", 0)
    for _ in range(4):  # found results, but nobody opened one
        kb.feedback.log_search("公积金提取", "public", 5)
    found(kb, PHRASING)  # answered: not missing
    groups = suggest.missing_answers(kb)
    by_query = {g["query"]: g for g in groups}
    flexible = by_query["灵活就业社保补贴"]
    assert flexible["searches"] == 6 and flexible["phrasings"] == 3 and flexible["zero"] == 6
    assert flexible["examples"][0] == "灵活就业社保补贴" and "灵活就业人员社保补贴怎么领" in flexible["examples"]
    assert by_query["公积金提取"]["zero"] == 0 and by_query["公积金提取"]["success_rate"] == 0
    assert by_query["宠物狗办证"]["searches"] == 2
    assert PHRASING not in by_query
    # What lacks an answer most first: 公积金提取 found results and only was not opened.
    assert [g["query"] for g in groups] == ["灵活就业社保补贴", "宠物狗办证", "公积金提取"]
    users = make_users(kb)
    pk = suggest.assign_missing(kb, flexible, "city-hrss", users["center"])
    task = kb.feedback.task(pk)
    assert task.kind == "zero_result" and "同类查询共 6 次、3 种问法" in task.detail
    assert [g for g in suggest.missing_answers(kb) if g["query"] == "灵活就业社保补贴"][0]["assigned"]


def test_a_question_that_names_nothing_or_calls_for_a_transfer_or_a_report_is_no_missing_answer(kb):
    """我想问一下 or 您好 found nothing because they ask for nothing; 救命 and 楼上着火了 are answered by
    the transfer to 110 / 119: no answer is missing."""
    for q in ["我想问一下", "您好", "怎么办", "救命", "楼上着火了", "我想问一下护照", "我想问一下护照", "13912345678"]:
        kb.feedback.log_search(q, "public", 0)
    # A phone number alone is logged as [手机号]: it asks for nothing either.
    assert [(g["query"], g["searches"]) for g in suggest.missing_answers(kb)] == [("护照", 2)]
    # A matter to report is told to call 12345 (its notice answers it), whether or not a result is opened.
    for q in ["家里煤气泄漏了", "小区门口路灯不亮"] * suggest.LOW_SUCCESS_MIN:
        kb.feedback.log_search(q, "public", 3)
    kb.feedback.log_search("家里煤气泄漏了", "public", 0)
    assert [(g["query"], g["searches"]) for g in suggest.missing_answers(kb)] == [("护照", 2)]


def test_weak_searches_are_missing_answers_unless_their_results_are_opened(kb):
    for _ in range(2):
        kb.feedback.log_search("护照怎么办理", "public", 7, weak=True)
    for _ in range(2):  # weak, but what it found helped: not missing
        sid = kb.feedback.log_search("狂犬疫苗在哪打", "public", 4, weak=True)
        kb.feedback.log_open("vaccination-children", sid)
    kb.feedback.log_search("居住证怎么办", "public", 5)  # found, searched once: not missing
    kb.feedback.log_events([{"type": "search", "query": "签证怎么办理", "hits": 6, "weak": True}])
    # Opened, then voted not helpful (on the public site, the vote carries the query; an agent's, the search).
    kb.feedback.log_events([{"type": "search", "query": "狗证怎么办理", "hits": 5, "weak": True},
                            {"type": "open", "query": "狗证怎么办理", "entry": "driving-license-renewal"}])
    kb.feedback.vote("driving-license-renewal", False, query="狗证怎么办理")
    sid = kb.feedback.log_search("宽带坏了找谁", "agent", 3, username="agent", weak=True)
    kb.feedback.log_open("sscard-reissue", sid, audience="agent", username="agent")
    kb.feedback.vote("sscard-reissue", False, audience="agent", username="agent", search_id=sid)
    by_query = {g["query"]: g for g in suggest.missing_answers(kb)}
    assert by_query["护照怎么办理"]["weak"] == 2 and by_query["护照怎么办理"]["zero"] == 0
    assert by_query["签证怎么办理"]["weak"] == 1
    assert "狂犬疫苗在哪打" not in by_query and "居住证怎么办" not in by_query
    assert by_query["狗证怎么办理"]["success_rate"] == 0 and by_query["宽带坏了找谁"]["success_rate"] == 0


def test_missing_answers_naming_what_nothing_mentions_are_grouped_by_it(kb):
    for query, hits, weak in [("护照怎么办理", 7, True), ("护照怎么办理", 7, True), ("护照丢了怎么补办", 6, True),
                              ("护照", 0, False), ("狗证怎么办理", 5, True), ("狗证怎么办理", 5, True)]:
        kb.feedback.log_search(query, "public", hits, weak=weak)
    kb.feedback.log_search("我叫张三，护照过期了怎么换", "agent", 6, weak=True)  # the name is masked
    kb.feedback.log_search("灵活就业社保补贴", "public", 0)
    groups = suggest.missing_answers(kb)
    by_label = {g["label"]: g for g in groups}
    passport = by_label["护照"]
    # 护照怎么办理 says no more than 狗证怎么办理 does but 护照; the four say nothing else alike.
    assert passport["searches"] == 5 and passport["phrasings"] == 4 and passport["query"] == "护照怎么办理"
    assert set(passport["examples"]) == {"护照怎么办理", "护照丢了怎么补办", "护照", "我叫[姓名]，护照过期了怎么换"}
    assert by_label["狗证"]["searches"] == 2 and by_label["狗证"]["examples"] == ["狗证怎么办理"]
    assert passport["subject"] == "护照" and by_label["狗证"]["subject"] == "狗证"
    assert [g["subject"] for g in groups if g["query"] == "灵活就业社保补贴"] == [""]
    # The unit given the group is told what the knowledge base lacks.
    pk = suggest.assign_missing(kb, passport, "city-public-security", make_users(kb)["center"])
    assert "\n知识库里没有提到“护照”。同类查询共 5 次、4 种问法" in kb.feedback.task(pk).detail
    # The labels masking puts in place of personal details are no subject.
    assert kb.unknown_words("[账号]被冻结了") == ("冻结",)
    assert suggest.unknown_words(kb, "[账号]被冻结了") == ("冻结",)


def test_queries_sharing_only_an_unknown_verb_stay_apart(kb):
    """[账号]被冻结了 (a bank account) and 水管冻结了怎么办 (a water pipe) share only 冻结, which nothing mentions: a verb
    said of what each names, no subject; 签证 (a verb to the segmenter) is what 签证怎么办理 and 办签证要什么材料 ask
    about, and joins them."""
    for query in ["[账号]被冻结了", "水管冻结了怎么办", "签证怎么办理", "办签证要什么材料"]:
        kb.feedback.log_search(query, "public", 4, weak=True)
    assert kb.unknown_words("[账号]被冻结了") == kb.unknown_words("水管冻结了怎么办") == ("冻结",)
    groups = suggest.missing_answers(kb)
    assert sorted(g["examples"] for g in groups) == [["[账号]被冻结了"], ["办签证要什么材料", "签证怎么办理"],
                                                     ["水管冻结了怎么办"]]
    assert [g["subject"] for g in groups if "签证怎么办理" in g["examples"]] == ["签证"]
    assert [g["subject"] for g in groups if "冻结" in g["query"]] == ["", ""]
    for word, text, subject in [("冻结", "水管冻结了怎么办", False), ("扣押", "车被扣押了怎么办", False),
                                ("拖欠", "老板拖欠工资", False), ("签证", "我想咨询一下签证", True),
                                ("拆迁", "拆迁补偿标准是多少", True), ("灵活", "灵活就业补贴在哪领", True),
                                ("护照", "我的护照丢了", True)]:
        assert suggest.names_subject(word, text) is subject, (word, text)


def test_missing_answers_naming_overlapping_words_are_one_subject(kb):
    # 宽带网速慢找谁 names 网速慢 (the longest of 网速, 网速慢), 网速太慢怎么投诉 names 网速: one subject.
    for query in ("宽带网速慢找谁", "网速太慢怎么投诉", "火星移民怎么报名"):
        kb.feedback.log_search(query, "public", 5, weak=True)
    by_label = {g["label"]: g for g in suggest.missing_answers(kb)}
    assert set(by_label["网速"]["examples"]) == {"宽带网速慢找谁", "网速太慢怎么投诉"}
    assert by_label["火星、移民"]["examples"] == ["火星移民怎么报名"]
    assert suggest._subjects([("宽带", "网速慢"), ("城关镇",)]) == ["宽带、网速慢", "城关镇"]


def test_cli_accept_and_missing_report(kb, monkeypatch):
    make_users(kb)
    found(kb, PHRASING)
    kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    kb.feedback.log_search("灵活就业社保补贴", "public", 0)
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    runner = CliRunner()
    args = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    res = runner.invoke(cli, ["task", "accept", str(task.id), "--as", "hrss-editor", *args])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("已发起变更请求 #1（审核中）：新增问法：社会保障卡丢了怎么补办")
    res = runner.invoke(cli, ["report", "missing", *args], env={"KB_TODAY": kb.settings.today})
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[:2] == ["缺失的答复：2026-10-24 至 2026-11-22，1 组，查询 1 次",
                                           "1. 灵活就业社保补贴：1 次，1 种问法，无结果 1 次，结果无关 0 次，打开结果 0%"]
    res = runner.invoke(cli, ["report", "missing", "--csv", *args], env={"KB_TODAY": kb.settings.today})
    assert res.output.splitlines()[0] == ("内容,知识库里没有提到,代表查询,查询次数,问法数,无结果次数,结果无关次数,同样没有答复的其他查询次数,"
                                          "打开结果比例,最近一次,示例,已分派")
    kb.feedback.log_search("护照怎么办理", "public", 7, weak=True)
    res = runner.invoke(cli, ["report", "missing", *args], env={"KB_TODAY": kb.settings.today})
    assert "护照怎么办理（知识库里没有提到“护照”）：1 次，1 种问法，无结果 0 次，结果无关 1 次" in res.output


def test_publishing_one_suggestion_leaves_the_others_of_the_entry_open(kb):
    users = make_users(kb)
    found(kb, PHRASING)
    found(kb, "社保卡消磁了怎么办")
    kb.feedback.generate_tasks()
    by_phrasing = {suggest.task_suggestion(t)["phrasing"]: t for t in tasks(kb)}
    first, second = by_phrasing[PHRASING], by_phrasing["社保卡消磁了怎么办"]
    report = kb.feedback.report_error(ENTRY, "补卡地址写错了", "agent")
    cr = suggest.accept(kb, users["hrss-editor"], first.id)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    assert kb.feedback.task(first.id).state == "closed"
    assert kb.feedback.task(second.id).state == "open"
    # The error report's task stays open: a publication closes only the tasks its change request resolves.
    kinds = sorted(t.kind for t in kb.feedback.list_tasks("city-hrss") if t.entry == ENTRY)
    assert kinds == ["report", suggest.KIND]
    assert report
    cr = suggest.accept(kb, users["hrss-editor"], second.id)
    assert frontmatter.parse(kb.store.read(kb.entry(ENTRY).path, cr.head))[0]["questions"][-2:] == [
        PHRASING, "社保卡消磁了怎么办"]


def test_missing_answers_are_not_grouped_or_labelled_by_masking_labels(kb):
    """[姓名] and [手机号] are what masking left of a caller's name and number: no word of a group's label,
    and nothing two queries share."""
    for q, n in [("灵活就业社保补贴", 2), ("灵活就业社保补贴申请", 1), ("我叫张三，电话13812345678，灵活就业社保补贴怎么领", 1),
                 ("我叫李四，电话13912345678，宠物狗办证", 1), ("宠物狗办证", 2)]:
        for _ in range(n):
            kb.feedback.log_search(q, "public", 0)
    groups = suggest.missing_answers(kb)
    for g in groups:
        assert not {"姓名", "手机号", "电话"} & set(g["label"].split("、")), g["label"]
    flexible = next(g for g in groups if g["query"] == "灵活就业社保补贴")
    assert "我叫[姓名]，电话[手机号]，灵活就业社保补贴怎么领" in flexible["examples"]
    assert not any("宠物狗办证" in e for e in flexible["examples"])


def cli_missing(kb, *more):
    args = ["report", "missing", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path), *more]
    res = CliRunner().invoke(cli, args, env={"KB_TODAY": kb.settings.today})
    assert res.exit_code == 0, res.output
    return res.output.splitlines()


def test_queries_about_one_thing_nothing_mentions_are_one_group_in_whatever_words(kb):
    """养狗要办证吗, 宠物狗办证 and 狗证怎么办理 ask about one thing (dogs' licences) in words that share no word:
    one group, so that the center assigns it once. 狗, which few entries mention, joins them; 签证 shares
    only 证 with 狗证, a character many entries use (身份证, 居住证): apart."""
    for query, hits, weak, n in [("养狗要办证吗", 39, True, 3), ("宠物狗办证", 0, False, 2), ("狗证怎么办理", 5, True, 2),
                                 ("签证怎么办理", 5, True, 1), ("护照怎么办理", 7, True, 2)]:
        for _ in range(n):
            kb.feedback.log_search(query, "public", hits, weak=weak)
    groups = suggest.missing_answers(kb)
    (dogs,) = [g for g in groups if any("狗" in q for q in g["examples"])]
    assert dogs["examples"] == ["养狗要办证吗", "宠物狗办证", "狗证怎么办理"]
    assert (dogs["searches"], dogs["phrasings"], dogs["query"]) == (7, 3, "养狗要办证吗")
    assert dogs["subject"] == dogs["label"] == "宠物狗、狗证"
    assert {g["label"]: g["examples"] for g in groups if g is not dogs} == {
        "护照": ["护照怎么办理"], "签证": ["签证怎么办理"]}
    # 养狗要办证吗 names nothing the knowledge base lacks by itself; its group says what it lacks.
    assert "1. 养狗要办证吗（知识库里没有提到“宠物狗、狗证”）：7 次，3 种问法，无结果 2 次，结果无关 5 次，打开结果 0%" \
        in cli_missing(kb)
    assert suggest._subjects([("宠物狗",), ("狗证",), (), ()], ["宠物狗办证", "狗证怎么办理", "养狗要办证吗", "办证"],
                             frozenset("狗")) == ["宠物狗、狗证", "宠物狗、狗证", "宠物狗、狗证", None]


def test_the_cli_leaves_out_the_groups_given_to_a_unit_as_the_page_does(kb):
    """The maintenance page stops offering a group once it is assigned; kb report missing agrees, saying how
    many it left out, and lists them marked 已分派 only when asked (--assigned)."""
    for query, n in [("灵活就业社保补贴", 2), ("灵活就业人员社保补贴怎么领", 1), ("公积金断缴影响贷款吗", 1)]:
        for _ in range(n):
            kb.feedback.log_search(query, "public", 0)
    flexible = next(g for g in suggest.missing_answers(kb) if g["query"] == "灵活就业社保补贴")
    suggest.assign_missing(kb, flexible, "city-hrss", make_users(kb)["center"])
    page = [g["query"] for g in kb.missing_answers(assigned=False)]
    lines = cli_missing(kb)
    assert page == ["公积金断缴影响贷款吗"] and [line for line in lines if line[:2] == "1."] == [
        "1. 公积金断缴影响贷款吗：1 次，1 种问法，无结果 1 次，结果无关 0 次，打开结果 0%"]
    assert lines[:3] == ["缺失的答复：2026-10-24 至 2026-11-22，1 组，查询 1 次",
                         "  另有 3 次没有结果或结果无关的查询未列入：3 次所在的组已分派给单位。",
                         "  已分派给单位的 1 组未列出（--assigned 一并列出）。"]
    lines = cli_missing(kb, "--assigned")
    assert lines[0] == "缺失的答复：2026-10-24 至 2026-11-22，2 组，查询 4 次"
    assert "1. 灵活就业社保补贴（已分派）：3 次，2 种问法，无结果 3 次，结果无关 0 次，打开结果 0%" in lines


def test_what_the_missing_answers_leave_out_is_said_and_a_matter_to_report_with_nothing_related_is_in(kb):
    """Of ten searches that found nothing or nothing related, 您好我想问一下 asks nothing (left out, and the
    header says so); 出租车拒载投诉 is a matter to report, but nothing found was about it: no answer says what
    becomes of a taxi that refuses a fare, so it is a missing answer like the others."""
    for query, hits, weak in [("灵活就业社保补贴", 0, False), ("灵活就业社保补贴", 0, False), ("护照怎么办理", 7, True),
                              ("护照怎么办理", 7, True), ("火星移民怎么报名", 5, True), ("宽带网速慢找谁", 5, True),
                              ("出租车拒载投诉", 79, True), ("出租车拒载投诉", 79, True), ("您好我想问一下", 0, False),
                              ("您好我想问一下", 0, False)]:
        kb.feedback.log_search(query, "public", hits, weak=weak)
    assert "出租车拒载投诉" in {g["query"] for g in suggest.missing_answers(kb)}
    report = kb.missing_report()
    assert sum(g["zero"] + g["weak"] for g in report.groups) == 8
    assert report.left_out == {"vague": 2, "alarm": 0, "answered": 0, "report": 0, "ignored": 0, "assigned": 0,
                               "beyond": 0}
    assert cli_missing(kb)[:2] == ["缺失的答复：2026-10-24 至 2026-11-22，5 组，查询 8 次",
                                   "  另有 2 次没有结果或结果无关的查询未列入：2 次没有说具体的事（如“您好我想问一下”）。"]
    # Nothing is dropped unsaid: with what was left out, the groups hold every search the usage report lists.
    kb.feedback.log_open("sscard-reissue", kb.feedback.log_search("居住证到期", "public", 0))  # found nothing, then did
    kb.feedback.log_search("居住证到期", "public", 3)
    report = kb.missing_report()
    summary = kb.stats.summary()
    assert sum(g["zero"] + g["weak"] for g in report.groups) + sum(report.left_out.values()) == summary.zero + summary.weak
    assert report.left_out["answered"] == 1


def test_only_a_query_among_the_missing_answers_is_assigned(kb):
    """kb task assign takes a query of the missing answers (any of its group's): one nobody asked, or one
    whose searches found answers, is refused in Chinese, naming the closest groups, and no task is made."""
    for query in ("灵活就业社保补贴", "灵活就业社保补贴", "灵活就业人员社保补贴怎么领", "护照怎么办理"):
        kb.feedback.log_search(query, "public", 0)
    users = make_users(kb)
    runner = CliRunner(env={"KB_TODAY": kb.settings.today, "KB_PASSWORD": PASSWORD})
    args = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path), "--as", "center"]
    res = runner.invoke(cli, ["task", "assign", *args[:-2], "灵活就业人员社保补贴怎么领", "--unit", "city-hrss"])
    assert res.exit_code == 2 and "--as" in res.output
    res = runner.invoke(cli, ["task", "assign", *args[:-1], "hrss-editor", "灵活就业人员社保补贴怎么领", "--unit", "city-hrss"])
    assert res.exit_code == 1 and "只有热线中心校核人员或管理员可以分派缺失的答复" in res.output
    res = runner.invoke(cli, ["task", "assign", *args, "不存在的查询xyz", "--unit", "city-public-security"])
    assert res.exit_code == 1
    assert res.output == ("错误：“不存在的查询xyz”不在 2026-10-24 至 2026-11-22 缺失的答复中（没有人这样查询过，或查询找到了答复），"
                          "也与其中任何一组都不相近：请用 kb report missing 查看可以分派的查询。\n")
    res = runner.invoke(cli, ["task", "assign", *args, "灵活就业社保补贴申领", "--unit", "city-hrss"])
    assert res.exit_code == 1 and "最接近的是 “灵活就业社保补贴”（3 次）：请按 kb report missing 列出的查询分派。" in res.output
    assert not [t for t in kb.feedback.list_tasks(None) if t.kind == "zero_result"]
    res = runner.invoke(cli, ["task", "assign", *args, "灵活就业人员社保补贴怎么领", "--unit", "city-hrss"])
    assert res.exit_code == 0 and res.output.startswith("已分派给示例市人力资源和社会保障局：维护任务 #")
    (task,) = [t for t in kb.feedback.list_tasks("city-hrss") if t.kind == "zero_result"]
    assert task.title == "缺失的答复：灵活就业社保补贴" and "同类查询共 3 次、2 种问法" in task.detail
    assert task.detail.endswith("\n分派人：张校核（center）")
    kb.feedback.ignore_query("护照怎么办理", "不属于本市", users["center"])
    res = runner.invoke(cli, ["task", "assign", *args, "护照怎么办理", "--unit", "city-public-security"])
    assert res.exit_code == 1 and "已被忽略" in res.output


def test_cli_accept_names_a_colleagues_open_request_on_the_entry(kb, monkeypatch):
    from ..review_helpers import HRSS, edited

    users = make_users(kb)
    found(kb, PHRASING)
    kb.feedback.generate_tasks()
    (task,) = tasks(kb)
    other = kb.review.create(users["center"], "更正补卡工本费", {HRSS: edited(kb, HRSS, "\n工本费 20 元。\n")})
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    args = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    res = CliRunner().invoke(cli, ["task", "accept", str(task.id), "--as", "hrss-editor", *args])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[1:] == [
        f"注意：条目 {HRSS} 已在变更请求 #{other.id}“更正补卡工本费”（张校核，草稿）中修改。其中一个发布后，"
        "其余的会“有冲突”，要按发布后的版本更新、重新审核：请先与对方沟通。"]


def test_the_missing_answers_name_a_group_by_a_query_without_masking_labels_and_count_every_search(kb):
    """A group is named by a query a reader can quote (护照怎么办理), not by the one masking left [姓名] and
    [身份证号] in, even when that one sorts first; and the searches in groups past the limit are said left out,
    so that listed and left out make the usage report's count."""
    for query in ["我叫张三身份证110101199003074514想办护照", "护照怎么办理", "护照丢了怎么补办", "火星移民怎么报名",
                  "宽带网速慢找谁"]:
        kb.feedback.log_search(query, "public", 7, weak=True)
    (passport,) = [g for g in suggest.missing_answers(kb) if g["subject"] == "护照"]
    assert passport["query"] == "护照丢了怎么补办" and passport["examples"][-1] == "我叫[姓名]身份证[身份证号]想办护照"
    report = kb.missing_report(limit=1)
    summary = kb.stats.summary()
    assert report.left_out["beyond"] == 2
    assert sum(g["zero"] + g["weak"] for g in report.groups) + sum(report.left_out.values()) == summary.zero + summary.weak
    assert "2 次所在的组排在列出的组之后" in report.left_out_text()


#: Searches the knowledge base answers (暖气不热怎么报修 first) that also name where or who: a street of
#: units.yaml (whose only public answer naming it has expired by then), a caller's name, a plate, a WeChat
#: ID (信号 is no word of 微信号), a house number (号院 of 8号院).
WHERE_OR_WHO = ["东湖区和平街道暖气不热", "来电人王建国称暖气不热", "暖气不热 微信号wxid_abc123",
                "暖气不热，车牌京A12345的车", "和平里8号院3单元502暖气不热"]


def test_where_or_who_a_query_names_does_not_make_its_answer_unrelated(sample_root, tmp_path):
    """A query whose first answer is right is no missing answer because it also names a place, a person, a
    plate or a WeChat ID that nothing in the knowledge base mentions: that is not what it asks about."""
    from kb_app import load_settings, open_kb
    from kb_app.privacy import mask

    kb = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "later", today="2026-12-07"))
    for query in WHERE_OR_WHO:
        found = kb.search(query, audience="public")
        assert found.hits[0].title == "暖气不热怎么报修", query
        assert (found.weak, found.unknown) == (False, ()), query
        kb.feedback.log_search(query, "public", found.total, weak=found.weak)
        assert suggest.unknown_words(kb, mask(query)) == (), query  # as the missing answers read it, logged
    found = kb.search("东湖区和平街道护照怎么办理", audience="public")
    assert found.weak and found.unknown == ("护照",)
    assert suggest.missing_answers(kb) == []


def test_masking_labels_and_places_join_no_group_of_missing_answers(kb):
    """高铁票退票手续费 and a query about 失业金 share nothing but the 手 of the label [手机号]; queries at one
    street share nothing but the street: none of them is in another's group, or names it."""
    for query, n in [("高铁票退票手续费", 1), ("我叫[姓名] 电话[手机号] 失业金", 3),
                     ("东湖区和平街道护照怎么办理", 2), ("东湖区和平街道签证怎么办理", 1)]:
        for _ in range(n):
            kb.feedback.log_search(query, "public", 4, weak=True)
    groups = {g["label"]: g["examples"] for g in suggest.missing_answers(kb)}
    assert groups["手续费、退票、高铁"] == ["高铁票退票手续费"]
    assert groups["护照"] == ["东湖区和平街道护照怎么办理"] and groups["签证"] == ["东湖区和平街道签证怎么办理"]
    assert not any("失业金" in e for label, examples in groups.items() if label != "失业金" for e in examples)


def test_missing_answers_are_labelled_by_words_people_use(kb):
    """Not by a piece of a word (分钱 of 一分钱), a sound (咚咚) or the doing glued to the matter (办狗证)."""
    for query in ["我在工地干了半年，老板到现在一分钱工资都没给，人也找不着了", "我们楼上天天晚上咚咚咚的，还有那个声音，吵得没法睡",
                  "我想问一下我家狗要打狂犬疫苗，去哪打，要办狗证吗"] * 3:
        kb.feedback.log_search(query, "public", 0)
    assert {(g["label"], g["searches"]) for g in suggest.missing_answers(kb)} == \
        {("老板、工地、工资", 3), ("声音", 3), ("狗证", 3)}


def test_queries_about_what_a_missing_answer_names_join_its_group_though_their_results_shared_other_words(kb):
    """灵活就业社保补贴怎么申请 found 高龄老人津贴 and 加装电梯补贴 through 补贴、申请: not judged unrelated, and asked
    twice, under the three times a query counts alone. Nothing the public may find speaks of 灵活就业, as for
    灵活就业补贴在哪领, whose results were unrelated: one gap, counted whole, and the unit told every phrasing."""
    for query, hits, weak, n in [("灵活就业补贴在哪领", 10, True, 2), ("灵活就业社保补贴怎么申请", 10, False, 2),
                                 ("灵活就业人员社保补贴标准", 10, False, 1), ("灵活就业人员社保补贴标准", 10, True, 1),
                                 ("社会保障卡怎么补办", 6, False, 2)]:      # nobody opened it either: no gap
        for _ in range(n):
            kb.feedback.log_search(query, "public", hits, weak=weak)
    report = kb.missing_report()
    (flexible,) = report.groups
    assert (flexible["query"], flexible["searches"], flexible["phrasings"]) == ("灵活就业补贴在哪领", 6, 3)
    assert (flexible["weak"], flexible["kin"], flexible["lacking"]) == (3, 3, 6)
    assert flexible["examples"] == ["灵活就业补贴在哪领", "灵活就业人员社保补贴标准", "灵活就业社保补贴怎么申请"]
    # The search of 灵活就业人员社保补贴标准 judged unrelated is the group's, not said to have found an answer.
    assert report.left_out["answered"] == 0
    summary = kb.stats.summary()
    assert sum(g["zero"] + g["weak"] for g in report.groups) + sum(report.left_out.values()) == summary.zero + summary.weak
    assert "1. 灵活就业补贴在哪领：6 次，3 种问法，无结果 0 次，结果无关 3 次，另有 3 次问同样没有答复的事（结果只和部分词语有关），" \
           "打开结果 0%" in cli_missing(kb)
    pk = suggest.assign_query(kb, "灵活就业社保补贴怎么申请", "city-hrss", make_users(kb)["center"])
    assert "同类查询共 6 次、3 种问法，例如：灵活就业人员社保补贴标准；灵活就业社保补贴怎么申请。" in kb.feedback.task(pk).detail


def test_groups_lacking_an_answer_come_before_those_whose_results_were_only_seldom_opened(kb):
    """公积金提取 found its answer first each time; nobody clicked through. Searched more often than 护照怎么办理,
    it is still listed after it, under a word that its answer may be there already."""
    for _ in range(6):
        kb.feedback.log_search("公积金提取", "public", 5)
    for _ in range(2):
        kb.feedback.log_search("护照怎么办理", "public", 7, weak=True)
    kb.feedback.log_search("宠物狗办证", "public", 0)
    groups = suggest.missing_answers(kb)
    assert [(g["query"], g["lacking"]) for g in groups] == [("护照怎么办理", 2), ("宠物狗办证", 1), ("公积金提取", 0)]
    lines = cli_missing(kb)
    assert lines[lines.index(suggest.LOW_CLICK_NOTE) + 1].startswith("3. 公积金提取：6 次")


def test_a_word_the_segmenter_cut_across_a_word_of_an_answer_is_read_as_that_word(kb):
    """房东扣押金不退找谁 is cut 扣押 + 金; an answer (the agents' 群租房 entry) speaks of 押金: nothing is unknown,
    and the query joins the other 押金 queries instead of a group of its own about 扣押."""
    assert kb.unknown_words("房东扣押金不退找谁") == ()
    assert kb.unknown_words("房东不退押金怎么办") == ()
    for query in ["房东不退押金可以打12345吗", "房东不退押金怎么办", "房东押金不还", "押金不退找谁", "房东扣押金不退找谁"]:
        kb.feedback.log_search(query, "public", 6, weak=True)
    assert [g["searches"] for g in suggest.missing_answers(kb)] == [5]
