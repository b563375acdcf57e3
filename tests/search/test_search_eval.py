"""Relevance on real questions, with thresholds a little below what the product reaches.

The NCP evaluation imports 599 documents and runs 300 questions (about a minute on 2 cores).
"""

import pytest

from scripts import eval_search

pytestmark = pytest.mark.slow


def test_ncp_dev_beats_both_baselines():
    r = eval_search.eval_ncp()
    kb, fts, whoosh = r["kb_app"], r["fts5_trigram"], r["whoosh_default"]
    assert kb["n"] == 300
    assert kb["recall@5"] >= 0.92 and kb["mrr@10"] >= 0.83, kb  # measured 0.933, 0.845 (0.930, 0.836 with pairs scored field by field)
    for name in ("recall@5", "mrr@10"):
        assert kb[name] > fts[name] and kb[name] > whoosh[name], (name, r)
    # measured with a reprint of the gold notice counting: 0.847, 0.947, 0.888. A reprint scores exactly as its
    # notice and the two go in index order (MRR@10 above was 0.847 when argpartition put ties in an order of its own).
    reprints = r["kb_app, reprints"]
    assert reprints["n"] == 300 and reprints["recall@1"] > kb["recall@1"] and reprints["mrr@10"] > kb["mrr@10"]


def test_a_reprint_of_the_gold_document_counts_only_in_its_own_row():
    body = "关于阶段性减免企业社会保险费的通知，各省、自治区、直辖市人民政府：为支持企业复工复产，现就阶段性减免企业社会保险费有关问题通知如下。"
    docs = [{"docid": "a", "text": body}, {"docid": "b", "text": "转载：" + body},
            {"docid": "c", "text": "重庆市税务局关于延长申报纳税期限的公告，纳税人可以在二月二十四日前申报。"}]
    ranked = [["b", "c", "a"], ["c", "a"]]
    gold = [{"a"}, {"c"}]
    found = eval_search.reprints_of_gold(ranked, gold, docs)
    assert found == [{"a", "b"}, {"c"}]
    assert eval_search.metrics(ranked, gold)["recall@1"] == 0.5
    assert eval_search.metrics(ranked, found)["recall@1"] == 1.0


def test_regulation_questions():
    items = eval_search.regulation_questions()
    assert len(items) >= 40
    assert all(i["articles"] and all("/" in a for a in i["articles"]) for i in items)
    r = eval_search.eval_regulations(systems=("kb_app",))["kb_app"]
    assert r["recall@1"] >= THRESHOLDS["recall@1"] and r["recall@5"] >= THRESHOLDS["recall@5"], r


THRESHOLDS = {"recall@1": 0.93, "recall@5": 0.97}


def test_held_out_regulation_questions_are_reported_apart():
    """The second set is never tuned on; the floor records what it measured, it is not a target."""
    items = eval_search.regulation_questions(eval_search.CALLERS)
    assert len(items) >= 80
    assert not {i["q"] for i in items} & {i["q"] for i in eval_search.regulation_questions()}
    r = eval_search.eval_regulations(systems=("kb_app",), path=eval_search.CALLERS)["kb_app"]
    # measured: Recall@1 0.924, Recall@5 0.989, MRR@10 0.946 (0.913, 0.989, 0.941 with pairs scored field
    # by field) with the articles' 1,580 common questions (before the 475 written blind at the moment of
    # need and as stories and fragments: 0.880, 0.957; with 676: 0.848, 0.967; without any 0.533, 0.750;
    # before citations and intake rules 0.457, 0.620)
    assert r["n"] == len(items) and r["recall@1"] >= 0.88 and r["recall@5"] >= 0.96, r


def test_questions_from_the_roles_that_ask_them():
    items = eval_search.regulation_questions(eval_search.ROLES)
    assert len(items) >= 100
    assert not {i["q"] for i in items} & {i["q"] for i in eval_search.regulation_questions(eval_search.CALLERS)}
    r = eval_search.eval_regulations(systems=("kb_app",), path=eval_search.ROLES)["kb_app"]
    # measured: Recall@1 0.887, Recall@5 0.986, MRR@10 0.927 (0.859, 0.986, 0.914 with pairs scored field by field)
    assert r["recall@1"] >= 0.83 and r["recall@5"] >= 0.95, r


def test_questions_written_by_the_vocabulary_gap():
    """Written blind, in words the articles do not use; measured before it was tuned on (0.836 / 0.961)."""
    items = eval_search.regulation_questions(eval_search.GAP)
    assert len(items) >= 100
    held_out = {i["q"] for i in eval_search.regulation_questions(eval_search.CALLERS)}
    assert not {i["q"] for i in items} & held_out
    r = eval_search.eval_regulations(systems=("kb_app",), path=eval_search.GAP)["kb_app"]
    # measured: Recall@1 0.867, Recall@5 0.992, MRR@10 0.924 (with the synonyms it brought: 存档 ↔ 归档 …)
    assert r["recall@1"] >= 0.84 and r["recall@5"] >= 0.96, r


def test_a_fifth_set_written_after_the_call_is_reported_apart():
    """Written blind and never tuned on, like the second; read once when it was added (0.920 / 0.990)."""
    items = eval_search.regulation_questions(eval_search.AFTER)
    assert len(items) >= 80
    others = {i["q"] for path in (eval_search.QUESTIONS, eval_search.CALLERS, eval_search.ROLES, eval_search.GAP)
              for i in eval_search.regulation_questions(path)}
    assert not {i["q"] for i in items} & others
    r = eval_search.eval_regulations(systems=("kb_app",), path=eval_search.AFTER)["kb_app"]
    # measured: Recall@1 0.940, Recall@5 0.990, MRR@10 0.960 (0.920 / 0.990 / 0.950 with pairs scored field by
    # field; FTS5 trigram 0.830 / 0.950 / 0.878)
    assert r["n"] == len(items) and r["recall@1"] >= 0.88 and r["recall@5"] >= 0.96, r
