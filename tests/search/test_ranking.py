"""Ranking beyond the question's words: citations, intake rules, negation, and what a citizen sees first."""

import pytest
import yaml

from kb_app.search import analysis, citations, intent, query

from ..conftest import commit_all

ENTRY = """---
id: bluewhale-card
kind: policy
title: 蓝鲸卡的查询方式
questions: [蓝鲸卡在哪里查]
unit: hotline-center
audience: {audience}
regions: [全市]
{dates}
basis:
  - {{regulation: beijing-2021, article: 31}}
---
蓝鲸卡可以在知识库中查询。
"""


def ids(results):
    return [h.id for h in results.hits]


def add_entry(kb, audience="public", dates=""):
    path = kb.settings.root / "entries/policy/hotline-center/bluewhale-card.md"
    path.write_text(ENTRY.format(audience=audience, dates=dates), encoding="utf-8")
    commit_all(kb.settings.root, "蓝鲸卡")


def test_an_article_is_found_through_the_entry_that_cites_it(kb):
    """No article says 蓝鲸卡; the answer citing 第三十一条 brings it to the question."""
    assert ids(kb.search("蓝鲸卡", kind="article")) == []
    assert ids(kb.search("蓝鲸卡在哪里查", kind="article")) == []
    add_entry(kb)
    assert ids(kb.search("蓝鲸卡", kind="article"))[:1] == ["beijing-2021/31"]
    assert ids(kb.search("蓝鲸卡在哪里查", kind="article"))[:1] == ["beijing-2021/31"]
    found = ids(kb.search("蓝鲸卡在哪里查"))
    assert found[0] == "bluewhale-card" and "beijing-2021/31" in found


@pytest.mark.parametrize("audience,dates", [("internal", ""), ("public", "effective: 2099-01-01")])
def test_entries_a_citizen_cannot_see_lend_nothing_to_public_results(kb, audience, dates):
    add_entry(kb, audience, dates)
    assert ids(kb.search("蓝鲸卡", kind="article")) == []
    assert ids(kb.search("蓝鲸卡在哪里查", kind="article")) == []
    assert "beijing-2021/31" in ids(kb.search("蓝鲸卡在哪里查", audience="agent", kind="article"))


def test_the_citing_entry_goes_first_only_when_it_matches_nearly_as_well():
    article = {"id": "r/1", "kind": "article"}
    good = {"id": "e", "kind": "policy", "cites": "r/2,r/1"}
    weak = {"id": "w", "kind": "policy", "cites": "r/1"}
    other = {"id": "o", "kind": "policy", "cites": ""}
    assert [f["id"] for f, _s in citations.citing_first([(article, 1.0), (other, 0.9), (good, 0.6)])] == ["e", "r/1", "o"]
    assert [f["id"] for f, _s in citations.citing_first([(article, 1.0), (weak, 0.3)])] == ["r/1", "w"]


def test_one_question_like_the_callers_beats_many_that_share_a_word_each(monkeypatch):
    """The re-ranking adds the best match with any single one of a document's own questions: an
    article asked about in the caller's words goes before one whose long list of questions (as use
    makes them) shares the question's words only scattered over several."""
    scattered = {"id": "r/17", "title": "第十七条", "text": "热线 管理 部门",
                 "questions": "几个部门都说不归自己管，热线怎么定谁来办？\n管理盲区没人管的事最后谁负责？\n热线 派单"}
    asked = {"id": "r/5", "title": "第五条", "text": "热线 管理 部门",
             "questions": "热线谁管\n12345 归哪个部门管"}
    ranked = [(scattered, 1.0), (asked, 0.97)]
    assert [f["id"] for f, _s in query.rerank("热线归谁管", ranked)] == ["r/5", "r/17"]
    assert query.best_question(analysis.phrasing_bigrams("热线归谁管"), asked["questions"]) == pytest.approx(2 / 5)  # 热线 谁管 of 5 pairs
    assert query.best_question(analysis.phrasing_bigrams("热线归谁管"), "") == 0.0
    monkeypatch.setattr(query, "QUESTION_WEIGHT", 0.0)
    assert [f["id"] for f, _s in query.rerank("热线归谁管", ranked)] == ["r/17", "r/5"]


def test_intake_rules_name_the_articles_of_a_situation(kb):
    rules = yaml.safe_load((kb.settings.root / "regulations/intake_rules.yaml").read_text(encoding="utf-8"))
    reader = intent.RuleReader(rules)
    assert reader.articles_for("楼下有人持刀砍人能打热线吗")[:2] == ["beijing-2021/11", "baoding-2022/16"]
    assert "baoding-2022/12" in reader.articles_for("法院已经判决的事还能找热线吗")
    assert reader.articles_for("社保卡怎么补办") == []
    assert intent.RuleReader(None).articles_for("有人持刀砍人") == []


def test_a_question_sharing_only_asking_words_with_a_document_finds_nothing(kb):
    """市民从哪里查接诉即办工作情况 shares 在哪里查 with the question, and nothing it names."""
    assert ids(kb.search("蓝鲸卡在哪里查", audience="agent")) == []
    assert kb.search("蓝鲸卡在哪里查").total == 0
    assert ids(kb.search("社保卡在哪里补办"))[0] == "sscard-reissue"
    assert ids(kb.search("在哪里查", kind="article"))  # asks only: matched as before


def test_a_situation_finds_the_article_that_governs_it(kb):
    top = ids(kb.search("楼下有人持刀砍人能打热线吗", kind="article", limit=3))
    assert {"beijing-2021/11", "baoding-2022/16"} & set(top[:2]), top


def test_a_situation_finds_the_answer_written_for_it_first(kb, monkeypatch):
    """楼上着火了 shares 楼上 with 房屋漏水; the intake rules read a fire (emergency-fire, citing
    beijing-2021/11 and baoding-2022/16), and the answer citing all of that basis is the one written
    for it: it goes first for the agent as for the citizen."""
    rules = yaml.safe_load((kb.settings.root / "regulations/intake_rules.yaml").read_text(encoding="utf-8"))
    assert intent.RuleReader(rules).bases_for("楼上着火了") == [("beijing-2021/11", "baoding-2022/16")]
    for audience in ("agent", "public"):
        assert ids(kb.search("楼上着火了", audience=audience))[0] == "hotline-emergency-transfer", audience
    assert ids(kb.search("我家楼上着火了", audience="agent"))[0] == "hotline-emergency-transfer"
    assert intent.RuleReader(rules).bases_for("社保卡怎么补办") == []
    # One article alone is cited by answers about any matter: no entry shares in a rule citing only it.
    monkeypatch.setattr(intent, "ENTRY_BASIS", 3)
    assert ids(kb.search("他家楼上着火了", audience="agent"))[0] != "hotline-emergency-transfer"


@pytest.mark.parametrize("question, answer", [
    ("办得不好我能投诉吗", "hotline-unsatisfied-result"),
    ("打了12345没人管怎么办", "hotline-first-responsibility"),
])
def test_a_citizens_plain_words_for_a_poor_handling_find_the_answer_about_it(kb, question, answer):
    """办得不好 is 不满意 and 没人管 is 推诿 in the answers' words (synonyms.yaml): the answer written
    for it is among the first results, where only articles on 督办 and 派单 came before."""
    assert answer in ids(kb.search(question, audience="public"))[:4]


def test_plain_and_formal_negation_meet():
    assert intent.negation_groups("哪些事热线不受理") == [["不受理", "不予受理"]]
    assert intent.negation_groups("为什么不予登记") == [["不予登记", "不登记"]]
    assert intent.negation_groups("不不受理") == []
    assert intent.negation_groups("热线受理哪些事") == []


def test_cited_articles_are_stored_with_the_entry(kb):
    kb.reindex()
    stored = {f["id"]: f.get("cites") for f in kb.index._searchers["public"].all_stored_fields()}
    assert stored["hotline-not-accepted"] == "beijing-2021/11,baoding-2022/12,baoding-2022/16"
    assert not stored["beijing-2021/11"]


@pytest.mark.parametrize("audience", ["public", "agent"])
def test_a_question_naming_a_city_finds_that_citys_regulation_first(kb, audience):
    """Both regulations end with when they took effect; the question's place decides which."""
    def top(q, n=1):
        return ids(kb.search(q, audience=audience, kind="article", limit=n))
    assert top("保定的条例什么时候开始施行") == ["baoding-2022/43"]
    assert top("北京市的条例什么时候开始施行") == ["beijing-2021/38"]
    assert set(top("北京和保定的条例分别什么时候开始施行", 2)) == {"baoding-2022/43", "beijing-2021/38"}


def test_what_shares_a_word_or_two_is_marked_loosely_related(kb):
    """社保卡丢了怎么补办: the 社保卡 and 身份证 answers are close; the rest share 怎么 or 丢了 at most."""
    results = kb.search("社保卡丢了怎么补办")
    assert ids(results)[:2] == ["sscard-reissue", "id-card-reissue"]
    assert [h.loose for h in results.hits] == [False, False] + [True] * (len(results.hits) - 2)
    assert results.close == 2 and results.total > 2
    assert [h.get("loose", False) for h in results.as_dict()["hits"]] == [h.loose for h in results.hits]
    assert [h.loose for h in kb.search("社保卡丢了怎么补办", offset=2).hits] == [True] * (results.total - 2)
    # One matter asked plainly: nothing loose.
    one = kb.search("失业金怎么领")
    assert one.close == one.total and not any(h.loose for h in one.hits)


def test_a_citing_entry_stays_with_the_article_it_goes_before():
    """An entry put just before the article it cites may score a little less; it is no looser than it."""
    ranked = [({"id": "a"}, 1.0), ({"id": "entry"}, 0.15), ({"id": "article"}, 0.3), ({"id": "b"}, 0.15),
              ({"id": "c"}, 0.1)]
    assert query.loosely_related(ranked) == [False, False, False, True, True]
    assert query.loosely_related([]) == []


def test_a_question_found_is_shown_as_a_sentence_before_search_words():
    """Of an article's questions naming 解决不了, the one written as a sentence is shown; words typed into a search box
    (部门 解决不了 上报) only where no sentence names as much, as the words they are."""
    fields = {"title": "第二十三条", "text": "条文内容。",
              "questions": "部门 解决不了 上报\n单位自己解决不了的问题找谁协调"}
    snippet = query._snippet(fields, ["解决不了"])
    assert snippet.startswith("相关问题：“单位自己<mark>解决不了</mark>的问题找谁协调”")
    fields["questions"] = "部门 解决不了 上报"
    assert query._snippet(fields, ["解决不了"]).startswith("相关词语：部门、<mark>解决不了</mark>、上报　")


def test_how_many_are_close_is_unknown_when_more_than_the_reranked_may_be(kb):
    """热线 matches most documents about as well: the count of close ones would be a guess."""
    results = kb.search("热线", limit=5)
    assert results.total > query.RERANK_DEPTH and results.close is None
    assert not any(h.loose for h in results.hits)


def test_a_result_found_by_one_of_its_questions_shows_that_question(kb):
    """路灯坏了: no article says it, but their questions do; the question found goes first in the excerpt."""
    hits = kb.search("路灯坏了").hits
    article = next(h for h in hits if h.kind == "article")
    question = article.snippet.split("　")[0]
    # 路灯坏了 is a word of the dispatch catalogue's only: the public's reading knows 路灯.
    assert question.startswith("相关问题：“") and question.endswith("”") and "<mark>路灯</mark>坏了" in question
    # Found by its own text: the excerpt is the text's.
    answer = next(h for h in hits if h.id == "hotline-time-limits")
    assert not answer.snippet.startswith("相关问题") and "<mark>路灯</mark>" in answer.snippet
    assert not any(h.snippet.startswith("相关问题") for h in kb.search("社保卡丢了怎么补办").hits[:2])


@pytest.mark.parametrize("question, first", [
    ("东湖区新华小区暖气温度不够", "heating-not-warm-repair"),
    ("西山区暖气不热屋里才16度", "heating-not-warm-repair"),
    ("东湖区停车难", "donghu-community-parking"),
    ("西山区小学入学划片", "xishan-school-zoning-2026"),
    ("新华街道居住证明", "xinhua-residence-certificate"),
])
def test_where_the_asker_lives_chooses_among_answers_about_the_matter(kb, question, first):
    """A district or street named says which answer about the matter applies, not what the matter is: an
    answer for 东湖区 about parking or a water cut in 新华街道 does not come before the one about cold
    radiators. Agents see the catalogue's entry for the matter too."""
    assert ids(kb.search(question))[0] == first
    topic = first.split("-")[0]
    assert ids(kb.search(question, audience="agent"))[0].startswith(topic)
    assert query.named_places(analysis.normalize(question), kb.snapshot())


@pytest.mark.parametrize("dates, retired", [("expires: 2026-01-31", True), ("effective: 2099-01-01", False), ("", False)])
def test_a_citizen_asking_about_an_answer_that_expired_is_told_it_did(kb, dates, retired):
    """Nothing in force mentions 蓝鲸卡 once its answer expired: the citizen hears that the answer about it
    ended, not only that the knowledge base never spoke of it; an answer not yet in force is no answer that
    ended, and one in force is found."""
    add_entry(kb, "public", dates)
    found = kb.search("蓝鲸卡怎么补办")
    assert bool(found.retired) == retired and set(found.retired) <= set(found.unknown)
    assert (found.as_dict()["retired"] == list(found.unknown)) if retired else "retired" not in found.as_dict()
    assert kb.search("蓝鲸卡怎么补办", audience="agent").retired == ()
