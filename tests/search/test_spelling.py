"""Questions written with a character of the same sound (社宝卡 for 社保卡) are read as meant."""

import datetime as dt

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


def test_known_words_and_unknown_words_without_a_twin_stay():
    speller = Speller(WORDS)
    assert speller.correct("社会保障卡") is None       # 会保 sounds like nothing known, and is inside a word
    assert speller.correct("社保卡补办") is None
    assert speller.correct("火星移民") is None
    assert speller.correct("<b>x</b> 12345") is None


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
