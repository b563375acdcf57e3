"""Property: any query string is answered, and public answers never carry internal content."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kb_app import init_repo, load_settings, open_kb

from ..conftest import TODAY, commit_all

SECRET_NOTE = "机密备注紫罗兰七号"
INTERNAL_TITLE = "内部专用青龙口径"

PUBLIC_WITH_NOTES = f"""---
id: public-with-notes
kind: policy
title: 供暖费退费怎么办理
questions: [暖气不热能退费吗]
unit: heat-group
audience: public
category: [供暖]
regions: [全市]
keywords: [供暖费, 退费]
agent_notes: |
  {SECRET_NOTE}：退费争议一律转热力集团客服主管。
---
供暖期室温不达标的，可以按天数申请退还相应的供暖费。
"""

INTERNAL_ENTRY = f"""---
id: internal-only
kind: policy
title: {INTERNAL_TITLE}
questions: [供暖费退费内部怎么处理]
unit: heat-group
audience: internal
category: [供暖]
regions: [全市]
keywords: [供暖费, 退费, 内部]
---
内部处理流程：供暖费退费先核实测温记录，青龙口径仅限坐席。
"""

WORDS = ["供暖", "退费", "暖气", "内部", "青龙", "口径", "紫罗兰", "机密", "备注", "七号", "主管", "失业金", "AND", "OR",
         "(", ")", '"', "*", ":", "🙂", " ", "、", "〔2024〕", "\x00"]


@pytest.fixture(scope="module")
def both_kb(tmp_path_factory):
    """A knowledge base whose indexes hold a public entry with agent notes and an internal entry."""
    tmp = tmp_path_factory.mktemp("props")
    root = init_repo(tmp / "kb")
    (root / "entries/policy/heat-group/public-with-notes.md").write_text(PUBLIC_WITH_NOTES, encoding="utf-8")
    (root / "entries/policy/heat-group/internal-only.md").write_text(INTERNAL_ENTRY, encoding="utf-8")
    commit_all(root, "加入内部内容")
    kb = open_kb(load_settings(root=root, data_dir=tmp / "data", today=TODAY))
    kb.reindex(rebuild=True)
    assert "internal-only" in [h.id for h in kb.search(INTERNAL_TITLE, audience="agent").hits]
    assert "public-with-notes" in [h.id for h in kb.search(SECRET_NOTE, audience="agent").hits]
    return kb


queries = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=12).map("".join),
    st.lists(st.sampled_from([SECRET_NOTE, INTERNAL_TITLE, "内部处理流程", "退费争议", "客服主管"] + WORDS), max_size=4).map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, limit=st.integers(min_value=1, max_value=60))
def test_random_queries_never_fail_and_never_leak(both_kb, query, limit):
    public = both_kb.search(query, audience="public", limit=limit)
    for hit in public.hits:
        assert hit.id != "internal-only" and hit.audience == "public"
        for text in (hit.snippet, hit.title):
            assert SECRET_NOTE not in text and "客服主管" not in text and "青龙" not in text
    agent = both_kb.search(query, audience="agent", limit=limit)
    assert len(agent.hits) <= limit and len(public.hits) <= limit


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_weak_results_name_words_of_the_question_only(both_kb, query):
    from kb_app.search.analysis import normalize

    for audience in ("public", "agent"):
        results = both_kb.search(query, audience=audience)
        assert not results.weak or (results.hits and results.unknown)
        assert all(word in normalize(results.corrected or query) for word in results.unknown)
