"""The numpy BM25F scorer against Whoosh's own ``scoring.BM25F`` on the same index.

The scorer reads Whoosh's postings and field lengths itself, so nothing but this comparison shows
that it computes Whoosh's model. There are two deliberate differences (see kb_app.search.scorer):

* the idf: with Whoosh's BM25F given BM25's idf, both agree on every matched document and its score
  for the terms of any one field, hence on the order; with Whoosh's stock idf, each term's score
  differs exactly by the ratio of the two idfs, which keeps the order of one-term questions and
  changes that of some longer ones;
* a character pair asked in the title and in the body saturates once (``documents.STREAMS``), where
  Whoosh sums a score per field: the whole question is held to a plain reference of that model
  computed posting by posting through Whoosh's reader.

The index is the sample after an incremental update (several segments, deleted documents), and the
questions are the sample's own questions and examples, the regulation questions, and generated ones.
"""

import collections
import math
import random

import pytest
import yaml
from whoosh import query as Q, scoring
from whoosh.searching import Searcher

from kb_app import load_settings, open_kb
from kb_app.search.documents import STREAMS
from kb_app.search.query import build_query
from kb_app.search.scorer import BM25_B, BM25_K1, MIN_RELATIVE_SCORE, Scorer, bm25_idf

from ..conftest import PROJECT, TODAY

#: Scores closer than this (relative) are ties: float32 sums may order them either way.
TIE = 1e-5
GENERATED = 200


class WhooshBm25Idf(scoring.BM25F):
    """Whoosh's BM25F with BM25's idf, the one kb_app's scorer uses."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return bm25_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


@pytest.fixture(scope="module")
def sample_kb(sample_template, tmp_path_factory):
    """The sample indexed, then three answers changed and one deleted on main, updated incrementally."""
    import shutil

    root = tmp_path_factory.mktemp("differential") / "kb"
    shutil.copytree(sample_template, root, symlinks=True)
    kb = open_kb(load_settings(root=root, data_dir=root.parent / "data", today=TODAY))
    kb.reindex()
    policies = [e for e in kb.snapshot().entry_list if e.kind == "policy"]
    changes = {e.path: kb.store.read(e.path).replace(e.title, e.title + "（修订）", 1) for e in policies[:3]}
    changes[policies[3].path] = None
    kb.store.write_change("main", changes, "修订三条，删除一条")
    assert kb.reindex()["mode"] == "incremental"
    return kb


def questions(kb) -> list[str]:
    """The sample's questions, the regulation questions, and generated questions."""
    snap = kb.snapshot()
    out = [q for e in snap.entry_list for q in e.questions]
    regs = yaml.safe_load((PROJECT / "tests/data/regulation_questions.yaml").read_text(encoding="utf-8"))
    out += [item["q"] for item in regs["questions"]]
    rng = random.Random(12345)
    texts = [e.title + e.body for e in snap.entry_list] + [a.text for a in snap.articles()]
    words = [w for e in snap.entry_list for w in e.keywords]
    for i in range(GENERATED):
        if i % 2:
            text = rng.choice(texts).replace("\n", "")
            start = rng.randrange(max(1, len(text) - 12))
            out.append(text[start:start + rng.randint(2, 12)])
        else:
            out.append(" ".join(rng.sample(words, rng.randint(1, 3))))
    return list(dict.fromkeys(q for q in out if q.strip()))


def whoosh_scores(reader, weighting, terms) -> dict[int, float]:
    """Whoosh's own scores (deleted documents left out) of the OR of the weighted terms."""
    searcher = Searcher(reader, weighting=weighting, closereader=False)
    query = Q.Or([Q.Term(f, t, boost=b) for f, t, b in terms])
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}


def our_scores(scorer, terms) -> dict[int, float]:
    scores = scorer.scores(terms)
    scores[scorer.deleted] = 0
    return {int(d): float(scores[d]) for d in scores.nonzero()[0]}


def reference_scores(searcher, terms) -> dict[int, float]:
    """BM25F with BM25's idf and the title's and body's pairs saturating together, posting by posting
    through Whoosh's reader (which skips deleted documents)."""
    reader, n = searcher.reader(), searcher.reader().doc_count_all()
    streams = collections.defaultdict(list)
    for field, token, boost in terms:
        streams[(STREAMS.get(field, field), token)].append((field, boost))
    out = collections.defaultdict(float)
    for (_stream, token), fields in streams.items():
        top = max(boost for _f, boost in fields)
        idf = min(bm25_idf(n, reader.doc_frequency(field, token)) for field, _b in fields)
        together = collections.defaultdict(float)
        for field, boost in fields:
            if (field, token) not in reader:
                continue
            avgfl = searcher.avg_field_length(field) or 1.0
            m = reader.postings(field, token)
            while m.is_active():
                length = reader.doc_field_length(m.id(), field)
                together[m.id()] += (boost / top) * m.weight() / ((1 - BM25_B) + BM25_B * length / avgfl)
                m.next()
        for doc, tf in together.items():
            out[doc] += top * idf * tf * (BM25_K1 + 1) / (tf + BM25_K1)
    return dict(out)


def inversions(ours: dict[int, float], reference: dict[int, float]) -> list[tuple[int, int]]:
    """Neighbours in our order of which the reference puts the second clearly ahead (by more than TIE):
    none when both order alike but for ties. (Grouping ties on each side and comparing the groups is not
    it: two scores TIE apart are one group in float32 and two in float64.)"""
    order = sorted(ours, key=lambda d: -ours[d])
    return [(a, b) for a, b in zip(order, order[1:]) if reference[b] > reference[a] * (1 + TIE)]


def ranking(scores: dict[int, float]) -> list[set]:
    """Documents best first, ties (scores within TIE of the group's first) grouped into sets."""
    groups, last = [], None
    for doc, score in sorted(scores.items(), key=lambda x: -x[1]):
        if last is None or score < last * (1 - TIE):
            groups.append(set())
            last = score
        groups[-1].add(doc)
    return groups


def by_field(terms) -> dict[str, list]:
    out = collections.defaultdict(list)
    for term in terms:
        out[term[0]].append(term)
    return out


@pytest.fixture(scope="module")
def runs(sample_kb):
    """Per audience: the scorer and, per question, its terms, our scores and the reference's."""
    out = {}
    for audience in ("public", "agent"):
        searcher = sample_kb.index.searcher(audience)
        scorer = Scorer(searcher)
        ana, groups = sample_kb.index.analyzer(), sample_kb.snapshot().synonym_groups
        rows = []
        for text in questions(sample_kb):
            terms = build_query(text, searcher, ana, groups)[0]
            if terms:
                rows.append((text, terms, our_scores(scorer, terms), reference_scores(searcher, terms)))
        out[audience] = scorer, rows
    return out


def test_the_comparison_is_on_several_segments_deleted_documents_and_hundreds_of_questions(runs):
    for scorer, rows in runs.values():
        assert len(scorer.leaves) > 1 and scorer.deleted.any()
        assert sum(1 for row in rows if row[3]) > 400
        # and the title's and the body's pairs of a question meet in the same documents
        assert sum(1 for _t, terms, *_ in rows if {"hb", "bb"} <= {f for f, _tok, _b in terms}) > 400


@pytest.mark.parametrize("audience", ["public", "agent"])
def test_the_terms_of_each_field_score_as_whoosh_bm25f_with_bm25_idf(runs, audience):
    weighting = WhooshBm25Idf(B=BM25_B, K1=BM25_K1)
    scorer, rows = runs[audience]
    for text, terms, _ours, _reference in rows[::3]:
        for field, field_terms in by_field(terms).items():
            ours = our_scores(scorer, field_terms)
            theirs = whoosh_scores(scorer.searcher.reader(), weighting, field_terms)
            assert ours.keys() == theirs.keys(), (text, field)
            for doc, score in theirs.items():
                assert ours[doc] == pytest.approx(score, rel=TIE), (text, field, doc)


@pytest.mark.parametrize("audience", ["public", "agent"])
def test_same_documents_scores_and_order_as_the_reference(runs, audience):
    for text, _terms, ours, reference in runs[audience][1]:
        assert ours.keys() == reference.keys(), text
        for doc, score in reference.items():
            assert ours[doc] == pytest.approx(score, rel=TIE), (text, doc)
        assert inversions(ours, reference) == [], text


def test_a_pair_in_the_title_and_the_body_saturates_once(runs):
    """Where a document holds a pair in both fields, it scores under Whoosh's sum of one score per field."""
    weighting = WhooshBm25Idf(B=BM25_B, K1=BM25_K1)
    scorer, rows = runs["agent"]
    reader, lower = scorer.searcher.reader(), 0
    for text, terms, _ours, _reference in rows[::2]:
        pairs = by_field(terms)
        for title in pairs.get("hb", []):
            body = [t for t in pairs.get("bb", []) if t[1] == title[1]]
            if not body:
                continue
            in_title, in_body = (whoosh_scores(reader, weighting, [t]) for t in (title, body[0]))
            summed = whoosh_scores(reader, weighting, [title, body[0]])
            together = our_scores(scorer, [title, body[0]])
            assert together.keys() == summed.keys(), (text, title)
            for doc in in_title.keys() & in_body.keys():
                assert together[doc] < summed[doc] * (1 - TIE), (text, title, doc)
                lower += 1
    assert lower > 100


def test_top_is_the_best_of_the_reference_order_above_a_share_of_the_best(runs):
    scorer, rows = runs["agent"]
    for text, terms, _ours, theirs in rows:
        top, total = scorer.top(terms, 10)
        best = max(theirs.values(), default=0.0)
        cut = best * MIN_RELATIVE_SCORE
        kept = sorted((s for s in theirs.values() if s >= cut * (1 + TIE)), reverse=True)
        assert len(kept) <= total <= sum(1 for s in theirs.values() if s >= cut * (1 - TIE)), text
        assert [s for _d, s in top] == pytest.approx(kept[:10], rel=TIE), text
        assert all(theirs[d] == pytest.approx(s, rel=TIE) for d, s in top), text


def test_with_whoosh_stock_idf_each_term_differs_by_the_idf_ratio_only(runs):
    """Stock BM25F: log(N / (df + 1)) + 1. One-term scores differ by the idf ratio; some orders change."""
    stock = scoring.BM25F(B=BM25_B, K1=BM25_K1)
    scorer, rows = runs["agent"]
    reader, n = scorer.searcher.reader(), scorer.n_all
    reordered = 0
    for i, (text, terms, ours, _reference) in enumerate(rows):
        theirs = whoosh_scores(reader, stock, terms)
        assert ours.keys() == theirs.keys(), text
        reordered += ranking(ours)[:3] != ranking(theirs)[:3]
        if i % 5:
            continue
        field, token, boost = terms[0]
        df = scorer.searcher.doc_frequency(field, token)
        ratio = (math.log(n / (df + 1)) + 1) / bm25_idf(n, df)
        one = our_scores(scorer, [(field, token, boost)])
        for doc, score in whoosh_scores(reader, stock, [(field, token, boost)]).items():
            assert score == pytest.approx(one[doc] * ratio, rel=TIE), (text, token, doc)
    assert reordered > 0


def assert_bulk_postings_equal_whooshs_matcher(reader) -> int:
    """Every term of every field of every segment read both ways; how many terms were compared."""
    from kb_app.search import whoosh_compat

    checked = 0
    for leaf, _base in reader.leaf_readers():
        deleted = whoosh_compat.deleted_docs(leaf)
        for field in [f for f in leaf.schema.names() if leaf.schema[f].scorable]:
            for term in leaf.lexicon(field):
                got = whoosh_compat.term_postings(leaf, field, term.decode("utf-8"))
                m = leaf.postings(field, term)
                ids, weights = [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    m.next()
                assert got is not None, (field, term)
                live = [i for i, d in enumerate(got[0]) if d not in deleted]  # Whoosh skips deleted ones
                assert [int(got[0][i]) for i in live] == ids, (field, term)
                assert [round(float(got[1][i]), 4) for i in live] == [round(w, 4) for w in weights], (field, term)
                checked += 1
    return checked


@pytest.mark.parametrize("audience", ["public", "agent"])
def test_postings_read_in_bulk_equal_whooshs_matcher_for_every_term(sample_kb, audience):
    # whoosh_compat.term_postings decodes a posting list from one read of its extent; Whoosh's own
    # matcher, posting by posting, is the reference — every term of every field of every segment.
    from kb_app.search import whoosh_compat

    reader = sample_kb.index.searcher(audience).reader()
    assert assert_bulk_postings_equal_whooshs_matcher(reader) > 5_000
    assert any(whoosh_compat.deleted_docs(leaf) for leaf, _ in reader.leaf_readers())
    assert whoosh_compat.term_postings(next(iter(reader.leaf_readers()))[0], "title", "不存在的词语") is None


def test_posting_lists_of_many_blocks_are_read_whole(kb, monkeypatch):
    # The sample has fewer documents than a block holds: small blocks make its common terms span many.
    from kb_app.search import whoosh_compat

    monkeypatch.setattr(whoosh_compat, "POSTING_BLOCK", 4)
    kb.reindex(rebuild=True)
    reader = kb.index.searcher("agent").reader()
    leaf = next(iter(reader.leaf_readers()))[0]
    info = leaf._terms.term_info("bb", "热线".encode())
    assert info.doc_frequency() > 12 and not info.is_inlined()  # four blocks or more
    assert assert_bulk_postings_equal_whooshs_matcher(reader) > 5_000
