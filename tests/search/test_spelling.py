"""Questions written with a character of the same sound (社宝卡 for 社保卡) are read as meant."""

import datetime as dt
import threading
import time

from kb_app.search import index as search_index
from kb_app.search.documents import snapshot_docs
from kb_app.search.spelling import Speller, visible_texts

from ..conftest import TODAY

DAY = dt.date.fromisoformat(TODAY)
WORDS = ["社会保障卡丢了怎么补办", "社保卡 社保 补办", "住房公积金怎么提取", "居住证如何申领", "低保申请条件"]


def test_a_misspelt_word_is_read_as_the_known_word_of_the_same_sound():
    speller = Speller(WORDS)
    assert speller.correct("社宝卡") == "社保卡"
    assert speller.correct("居住正怎么办") == "居住证怎么办"
    assert speller.correct("公鸡金怎么提取") == "公积金怎么提取"      # 公鸡 is a word, but not this one
    assert speller.correct("低包申请") == "低保申请"


def test_a_sound_goes_to_its_most_used_word_repeated_texts_counted():
    assert Speller(["公式"] * 4 + ["公示公示公示"]).correct("宫视") == "公式"
    assert Speller(["公式"] * 2 + ["公示公示公示"]).correct("宫视") == "公示"


def test_a_word_without_a_grammar_character_comes_first_for_its_sound():
    # 不办 (…为什么不办) is used more than 补办, but holds 不: it is a phrase, not a word misspelt.
    texts = ["这件事为什么不办", "派下去了为什么不办", "结婚证补办"]
    assert "不办" in Speller(texts).known
    assert Speller(texts).correct("结婚证补半") == "结婚证补办"


def test_a_callers_spelling_of_a_name_is_read_as_the_name():
    """暖器 is in a question written as a caller put it (半夜暖器不热了找谁), 暖气 in the answers' titles."""
    texts, names = ["半夜暖器不热了找谁", "暖气不热怎么报修"], ["暖气不热怎么报修"]
    assert Speller(texts, names).correct("暖器不热") == "暖气不热"
    assert Speller(texts).correct("暖器不热") is None                     # no names: every word used is right
    assert Speller(texts + ["电暖器"], names + ["电暖器"]).correct("暖器不热") is None  # a name's own word stays


def test_a_question_found_through_a_misspelt_word_is_corrected(kb, monkeypatch):
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 30)
    results = kb.search("暖器不热", audience="public")
    assert results.corrected == "暖气不热" and results.query == "暖器不热"
    assert results.hits[0].id == "heating-not-warm-repair"
    assert kb.search("暖气不热", audience="public").corrected == ""


def test_known_words_and_unknown_words_without_a_twin_stay():
    speller = Speller(WORDS)
    assert speller.correct("社会保障卡") is None       # 会保 sounds like nothing known, and is inside a word
    assert speller.correct("社保卡补办") is None
    assert speller.correct("火星移民") is None
    assert speller.correct("<b>x</b> 12345") is None


def test_a_question_written_right_is_not_rewritten(kb):
    """Only a stretch that is no known word, holds no grammar word and cuts through no word written
    right is read by its sound; these were all rewritten before (热线归谁管 → 热线归水管)."""
    speller = Speller(visible_texts(kb.snapshot(), "public", DAY))
    for question in ("热线归谁管", "早市堵路谁管", "办的美容卡想退钱商家不退", "路边停车多少钱一小时", "楼道里有燃气味",
                     "外地身份证能在这补吗", "租房能提公积金吗", "普通门诊医保报多少", "小区没按时供暖",
                     "东湖区加装电梯区里补多少钱", "回访时市民的评价要照实记吗"):
        assert speller.correct(question) is None, question
    assert speller.correct("医保报消") == "医保报销"          # not 医宝宝消: 保报 cuts through 医保
    assert speller.correct("结婚证补半") == "结婚证补办"
    assert speller.correct("养老金神么时候发") == "养老金什么时候发"


def test_a_phrase_of_a_pronoun_or_a_particle_is_no_misspelt_word(kb):
    """把我 sounds like 把握, 坐着 like 作者 and 打俺 like 答案: all are phrases written right."""
    speller = Speller(visible_texts(kb.snapshot(), "public", DAY) + ["把握", "作者", "答案"])
    for question in ("老板拖了我工资，还把我拉黑了", "车上还坐着人", "他们在打俺"):
        assert speller.correct(question) is None, question
    results = kb.search("老板拖了我工资，还把我拉黑了", audience="public")
    assert results.corrected == "" and results.hits[0].title == "单位拖欠工资怎么办"


def test_a_noun_with_a_verb_said_of_it_is_no_misspelt_word(kb, monkeypatch):
    """腿动 sounds like 推动, a word of the regulations, but is 腿 and what it does; 事去 sounds like 市区. A word whose
    typo keeps such a noun (报 of 医保报消) is still read as meant."""
    speller = Speller(visible_texts(kb.snapshot(), "public", DAY) + ["推动", "市区"])
    for question in ("我的腿动不了了", "腿动不了", "我腿动不了", "脚动不了", "我的车动不了了",
                     "承办单位自己搞不定的事去哪里协调"):
        assert speller.correct(question) is None, question
    assert speller.correct("医保报消") == "医保报销"
    assert speller.correct("社宝卡") == "社保卡" and speller.correct("居住正") == "居住证"
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 30)
    assert kb.search("我的腿动不了了", audience="public").corrected == ""
    assert kb.search("半夜暖器不热了", audience="public").corrected == "半夜暖气不热了"


def test_a_question_with_results_is_read_otherwise_only_where_nothing_mentions_what_it_wrote(kb, monkeypatch):
    """A stretch read otherwise must lie in a word nothing mentions (社宝卡) or be a callers' spelling of a name (暖器);
    the correction keeps the question's own punctuation."""
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 30)
    results = kb.search("社宝卡，丢了咋补", audience="public")
    assert results.corrected == "社保卡，丢了咋补"
    assert kb.search("医保报消", audience="agent").corrected == "医保报销"
    assert kb.search("暖器不热", audience="public").corrected == "暖气不热"
    # Every stretch a question with results has otherwise is a word something mentions: nothing is read otherwise.
    question = "油烟呛死人"
    assert kb.search(question, audience="public").total and kb.search(question, audience="public").corrected == ""


def test_the_publics_words_are_only_those_of_what_the_public_may_find(kb):
    snap = kb.snapshot()
    docs = snapshot_docs(snap)
    internal = next(d for d in docs if d.id == "heating-peak-season-internal")
    assert "话务高峰" in internal.keywords
    public, agent = Speller(visible_texts(snap, "public", DAY)), Speller(visible_texts(snap, "agent", DAY))
    # Only the internal answer says 话务: staff get the correction, the public never sees the word.
    assert agent.correct("话物高峰") == "话务高峰"
    assert "话务" not in (public.correct("话物高峰") or "")
    # An answer not yet in force lends no word either.
    pending = next(d for d in docs if d.effective and dt.date.fromisoformat(d.effective) > DAY)
    assert pending.title not in visible_texts(snap, "public", DAY)
    assert pending.title in visible_texts(snap, "public", dt.date.fromisoformat(pending.effective))


def test_a_search_that_finds_nothing_runs_the_corrected_question_and_says_so(kb):
    for audience in ("public", "agent"):
        results = kb.search("社宝卡", audience=audience)
        assert results.query == "社宝卡" and results.corrected == "社保卡"
        assert "sscard-reissue" in [h.id for h in results.hits][:3]
        assert results.as_dict()["corrected"] == "社保卡"
    # A question with results is run as written; one without a twin still finds nothing.
    assert kb.search("社保卡").corrected == ""
    nothing = kb.search("火星移民")
    assert nothing.total == 0 and nothing.corrected == "" and "corrected" not in nothing.as_dict()
    # Staff asking about an internal matter get it; the public get nothing that names it.
    assert kb.search("话物", audience="agent").corrected == "话务"
    assert "话务" not in kb.search("话物", audience="public").corrected


def test_no_search_waits_for_a_speller_being_built(kb, monkeypatch):
    """The words of a new commit are read in a thread of their own: other questions go on meanwhile,
    and one that found nothing waits at most SPELLER_WAIT, then stands uncorrected."""
    release, started = threading.Event(), threading.Event()
    real = search_index.Speller

    def slow(*texts):
        started.set()
        release.wait()  # no timed waits: they never return under libfaketime (see SearchIndex._speller)
        return real(*texts)

    monkeypatch.setattr(search_index, "Speller", slow)
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 0.05)
    kb.search("社保卡")  # the index is built and current
    waiting = kb.search("社宝卡")
    assert waiting.total == 0 and waiting.corrected == "" and waiting.provisional
    while not started.is_set():
        time.sleep(0.01)
    # The index's lock is free while the speller is read: a question that finds something is answered.
    assert kb.search("社保卡").total > 0
    release.set()
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 30)
    assert kb.search("社宝卡").corrected == "社保卡"


def test_a_speller_that_cannot_be_built_is_no_correction_and_is_tried_again(kb, monkeypatch):
    real, calls = search_index.Speller, []

    def failing_once(*texts):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("读取失败")
        return real(*texts)

    monkeypatch.setattr(search_index, "Speller", failing_once)
    first = kb.search("社宝卡")
    assert first.total == 0 and first.corrected == ""
    assert kb.search("社宝卡").corrected == "社保卡" and len(calls) == 2
