"""Paging: the pages of a search, of any size, put together are the list one large request gives."""

import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kb_app import load_settings, open_kb
from kb_app.search.scorer import best_first

from ..conftest import TODAY

#: As many results as the API gives at once (kb_app.web.api.MAX_LIMIT).
FULL = 50
#: Questions of the sample with more results than the first reranked (投诉 and 办理 lost two answers
#: to pages of 10 and 7 and repeated two others; the best match of 过年期间工单怎么算时限 has expired),
#: and two whose results tie on the first page (路灯不亮, 楼道堆物).
QUESTIONS = ["投诉", "办理", "热线", "工单", "承办单位", "过年期间工单怎么算时限", "物业服务不到位怎么投诉",
             "打12345要准备什么", "热力公司不给解决去哪投诉", "路灯不亮", "楼道堆物、焚烧和火灾隐患"]
WORDS = ["投诉", "办理", "热线", "工单", "补贴", "供暖", "社保卡", "医保", "低保", "养老金", "调整", "2025年",
         "怎么", "不满意", "时限", "条例", "物业", "停水", "路灯", "承办单位", "延期", "街道"]


@pytest.fixture(scope="module")
def paged_kb(sample_template, built_index, tmp_path_factory):
    """The sample knowledge base with its index, shared by the tests of this module (they only read)."""
    tmp = tmp_path_factory.mktemp("paging")
    shutil.copytree(sample_template, tmp / "kb", symlinks=True)
    kb = open_kb(load_settings(root=tmp / "kb", data_dir=tmp / "data", today=TODAY))
    shutil.copytree(built_index, kb.settings.index_dir)
    return kb


def paged(search, size: int, total: int) -> list:
    """The ids of the first FULL results asked ``size`` at a time; ``search(limit, offset)`` gives one page's."""
    out = []
    for offset in range(0, min(total, FULL), size):
        out += search(min(size, FULL - offset), offset)
    return out


def assert_pages_make_the_list(kb, question: str, audience: str, size: int, **filters):
    whole = kb.search(question, audience=audience, limit=FULL, **filters)
    full = [h.id for h in whole.hits]
    got = paged(lambda limit, offset: [h.id for h in kb.search(question, audience=audience, limit=limit,
                                                                offset=offset, **filters).hits],
                size, whole.total)
    assert len(full) == min(whole.total, FULL) and len(set(full)) == len(full)
    assert got == full, (question, audience, size)


@pytest.mark.parametrize("audience", ["public", "agent"])
@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("size", [1, 7, 10, 13])
def test_pages_of_any_size_make_the_full_list(paged_kb, question, audience, size):
    assert paged_kb.search(question, audience=audience).total >= 10
    assert_pages_make_the_list(paged_kb, question, audience, size)


def test_the_first_page_is_the_start_of_a_larger_one(paged_kb):
    """What an answer citing an article moves, and what an expired answer yields to, stays on the page
    it was on: 投诉 no longer puts an answer on the seventh place of 50 that no page of 10 shows."""
    for audience in ("public", "agent"):
        for question in QUESTIONS:
            first = [h.id for h in paged_kb.search(question, audience=audience, limit=10).hits]
            assert [h.id for h in paged_kb.search(question, audience=audience, limit=FULL).hits][:10] == first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), audience=st.sampled_from(["public", "agent"]),
       size=st.integers(min_value=1, max_value=25), kind=st.sampled_from([None, "policy", "article"]))
def test_any_question_pages_into_the_full_list(paged_kb, words, audience, size, kind):
    assert_pages_make_the_list(paged_kb, "".join(words), audience, size, kind=kind)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=3000), seed=st.integers(min_value=0, max_value=2**32 - 1),
       levels=st.integers(min_value=1, max_value=6), k=st.integers(min_value=1, max_value=120))
def test_the_best_are_chosen_from_ties_by_document_number(n, seed, levels, k):
    """Scores of a few values, as an index of many documents gives for a question of one or two words:
    the best ``k`` are the first ``k`` of all, whatever ``k``."""
    scores = np.random.default_rng(seed).integers(0, levels + 1, n).astype(np.float32)
    k = min(k, n)
    expected = np.lexsort((np.arange(n), -scores))[:k].tolist()
    assert best_first(scores, k).tolist() == expected
