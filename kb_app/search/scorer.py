"""BM25F scoring of a query's weighted terms over one searcher's segments, in bulk with numpy.

Whoosh evaluates a query posting by posting in Python; a question of twenty terms over 50,000
documents then takes a good part of a second. The postings are read here block by block into numpy
arrays (see ``whoosh_compat.term_postings``) and scored with BM25F in bulk, over the same files.

The model is Whoosh's ``scoring.BM25F`` (same B, K1, field lengths and average field lengths) with
two deliberate differences. The idf: ``log(1 + (N - df + .5) / (df + .5))`` (BM25's own), under which
a term found in most documents counts for little, where Whoosh uses ``log(N / (df + 1)) + 1``. And a
character pair asked in the title and in the body is one term whose frequencies are summed before
they saturate (``documents.STREAMS``), where Whoosh sums one score per field.
``tests/search/test_scorer_differential.py`` holds the scorer to Whoosh field by field, and to a plain
reference of the whole model.
"""

from __future__ import annotations

import math
from typing import Callable, Hashable

import numpy as np
from whoosh import scoring

from ..cache import LruCache
from . import whoosh_compat
from .documents import STREAMS

BM25_B = 0.75
BM25_K1 = 1.2
#: Documents scoring below this fraction of the best match are not results (see Scorer.top): on
#: the sample, "社保卡丢了怎么办" matched 72 of 77 public answers through 怎么/办 alone and now 11;
#: NCP dev Recall@5 is unchanged (0.927) and MRR@10 moves by 0.001.
MIN_RELATIVE_SCORE = 0.05
#: Document masks (filters, documents not in force on a day) kept per scorer.
MASKS_KEPT = 64
#: Stored fields of documents kept per scorer (those that rank first come back query after query).
STORED_KEPT = 2048
#: Document frequencies kept per scorer: a question never asked before brings some thirty new
#: terms, and at 100,000 the cache alone was ~25 MB of every web worker; a miss costs ~20 µs.
DF_KEPT = 20_000


def weighting():
    """The Whoosh weighting of the searchers (used by Whoosh itself; kb_app scores with Scorer)."""
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


def bm25_idf(n: int, df: int) -> float:
    """BM25's idf of a term found in ``df`` of ``n`` documents."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def lengths_cache() -> LruCache:
    """A cache of field lengths by (segment, field), shared by the scorers of refreshed searchers."""
    return LruCache(1024, sizeof=lambda a: a.nbytes, maxcost=512 * 2**20)


#: Decoded postings kept per process, in bytes. Whoosh reads a posting list block by block (a
#: pickled header and a compressed array each); at 50,000 entries that was 60 % of an unseen
#: question's time, and questions share most of their words and character pairs. With blocks of
#: 1,024 an unseen question takes p50 5.5 / 5.9 / 6.3 ms with 64 / 48 / 32 MB; 40 MB keeps a web
#: worker at 50,000 entries under 400 MB.
POSTINGS_BYTES = 40 * 2**20


def postings_cache() -> LruCache:
    """A cache of (docnums, weights) by (segment, field, token), shared like the field lengths."""
    return LruCache(200_000, sizeof=lambda got: 64 + (got[0].nbytes + got[1].nbytes if got else 0),
                    maxcost=POSTINGS_BYTES)


class Scorer:
    """BM25F over one searcher's segments with numpy; caches field lengths and masks per reader."""

    def __init__(self, searcher, lengths: LruCache | None = None, postings: LruCache | None = None):
        self.searcher = searcher
        self.leaves = [(leaf, base) for leaf, base in searcher.reader().leaf_readers()]
        self.n_all = searcher.reader().doc_count_all()
        # Field lengths never change within a segment: shared across refreshed searchers.
        self._lengths = lengths if lengths is not None else lengths_cache()
        # Postings never change within a segment either (deleted documents are masked per searcher).
        self._postings = postings if postings is not None else postings_cache()
        self._avg: dict = {}
        self._masks = LruCache(MASKS_KEPT)
        # Per searcher: how many documents hold a term, and the stored fields of the documents that
        # rank first (read again for every question they answer).
        self._df = LruCache(DF_KEPT)
        self._stored = LruCache(STORED_KEPT)
        self.deleted = np.zeros(self.n_all, dtype=bool)
        for leaf, base in self.leaves:
            deleted = whoosh_compat.deleted_docs(leaf)
            if deleted:
                self.deleted[base + np.fromiter(deleted, dtype=np.int64)] = True

    def lengths(self, leaf, field) -> np.ndarray:
        """The length of ``field`` in every document of one segment."""
        key = (whoosh_compat.segment_key(leaf), field)
        return self._lengths.get_or_build(key, lambda: whoosh_compat.field_lengths(leaf, field))

    def postings(self, leaf, field: str, token: str):
        """(docnums as int32, weights) of a term in one segment, or None when it is not there."""
        def read():
            got = whoosh_compat.term_postings(leaf, field, token)
            if got is None:
                return None
            ids, weights = got[0].astype(np.int32), got[1]
            ids.flags.writeable = weights.flags.writeable = False  # shared: never changed in place
            return ids, weights
        return self._postings.get_or_build((whoosh_compat.segment_key(leaf), field, token), read)

    def characters(self, leaf, fields) -> np.ndarray:
        """The distinct characters of the terms of ``fields`` in one segment, as sorted code points."""
        key = (whoosh_compat.segment_key(leaf), "characters", tuple(fields))
        return self._lengths.get_or_build(key, lambda: whoosh_compat.term_characters(leaf, fields))

    def mask(self, key: Hashable, build: Callable[[], np.ndarray]) -> np.ndarray:
        """A boolean array over the documents, built once per scorer and ``key``."""
        return self._masks.get_or_build(key, build)

    def docset(self, key, query) -> np.ndarray:
        """A boolean array of the documents matching a (filter) query, cached."""
        def build():
            arr = np.zeros(self.n_all, dtype=bool)
            for d in self.searcher.docs_for_query(query):
                arr[d] = True
            return arr
        return self.mask(key, build)

    def scores(self, terms) -> np.ndarray:
        """The BM25F score of every document for weighted terms ``(field, token, boost)``.

        A token asked in several fields of one stream (``documents.STREAMS``: the title's and the
        body's character pairs) is one term: its frequency in each field, normalised by that field's length and
        weighted by the field's share of the highest boost, is summed before it saturates, and the sum
        is scored with the highest boost and the idf of the field where it is most common. A token in
        one field alone scores exactly as in Whoosh's ``BM25F``.
        """
        out = np.zeros(self.n_all, dtype=np.float32)
        streams: dict = {}
        for field, token, boost in terms:
            streams.setdefault((STREAMS.get(field, field), token), []).append((field, boost))
        together = None  # one scratch array for the streams of several fields, emptied after each
        for (_stream, token), fields in streams.items():
            top = max(boost for _f, boost in fields)
            idf = min(self.idf(field, token) for field, _b in fields)
            if len(fields) == 1:
                for ids, tf, norm in self._frequencies(fields[0][0], token):
                    out[ids] += top * idf * (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * norm)
                continue
            if together is None:
                together = np.zeros(self.n_all, dtype=np.float32)
            found = []
            for field, boost in fields:
                for ids, tf, norm in self._frequencies(field, token):
                    together[ids] += (boost / top) * tf / norm
                    found.append(ids)
            if found:
                ids = np.unique(np.concatenate(found))
                t = together[ids]
                out[ids] += top * idf * (t * (BM25_K1 + 1)) / (t + BM25_K1)
                together[ids] = 0
        return out

    def _frequencies(self, field: str, token: str):
        """Per segment holding the term: (document numbers, term frequencies, length normalisation)."""
        if field not in self._avg:
            self._avg[field] = self.searcher.avg_field_length(field) or 1.0
        avgfl = self._avg[field]
        for leaf, base in self.leaves:
            got = self.postings(leaf, field, token)
            if got is None:
                continue
            ids, tf = got
            yield ids + base, tf, (1 - BM25_B) + BM25_B * self.lengths(leaf, field)[ids] / avgfl

    def idf(self, field: str, token: str) -> float:
        """The idf of a term over all documents of the searcher (deleted ones included, as Whoosh counts)."""
        return bm25_idf(self.n_all, self.doc_frequency(field, token))

    def doc_frequency(self, field: str, token: str) -> int:
        """How many documents of the searcher hold the term (as Whoosh counts: deleted ones included)."""
        return self._df.get_or_build((field, token), lambda: self.searcher.doc_frequency(field, token))

    def stored_fields(self, docnum: int) -> dict:
        """The stored fields of a document (shared: treat as read-only)."""
        return self._stored.get_or_build(docnum, lambda: self.searcher.stored_fields(docnum))

    def top(self, terms, limit: int, exclude: np.ndarray | None = None, include: np.ndarray | None = None,
            adjust=None, weak=None, weigh=None):
        """(docnum, score) of the best ``limit`` documents, and how many matched.

        Documents matching none of ``terms`` but the ``weak`` ones (a subset) do not match.
        ``adjust(scorer, scores)`` may change the scores of the documents that may be shown, in place,
        before ``include`` narrows them (see citations.propagate); ``weigh(scorer, scores)`` may scale
        those of the documents that match, in place, before the best are chosen (see query.yield_expired).
        """
        if weak:
            weak = set(weak)
            scores = self.scores([t for t in terms if t not in weak])
            named = scores > 0
            scores += self.scores([t for t in terms if t in weak])
            scores[~named] = 0
        else:
            scores = self.scores(terms)
        scores[self.deleted] = 0
        if exclude is not None:
            scores[exclude] = 0
        if adjust is not None:
            adjust(self, scores)
            scores[self.deleted] = 0
            if exclude is not None:
                scores[exclude] = 0
        if include is not None:
            scores[~include] = 0
        best = float(scores.max()) if len(scores) else 0.0
        # A match on one common character pair ("怎么") is not a result a person wants to page through.
        scores[scores < best * MIN_RELATIVE_SCORE] = 0
        total = int(np.count_nonzero(scores))
        if total == 0 or limit <= 0:
            return [], total
        if weigh is not None:
            weigh(self, scores)
        return [(int(d), float(scores[d])) for d in best_first(scores, min(limit, total))], total


def best_first(scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` highest scoring documents, best first; of equal scores the lower document number first.

    argpartition alone keeps an arbitrary few of the documents tied at the cut, in an arbitrary order,
    and not the same for every ``k``: the results asked ten at a time then repeat some and lose others.
    """
    if k < len(scores):
        part = np.argpartition(-scores, k)  # the k best before the next best
        idx, next_best = part[:k], scores[part[k]]
    else:
        idx, next_best = np.arange(len(scores)), None
    cut = scores[idx].min()
    if next_best == cut:  # some tied at the cut are left out: keep the first by document number
        above = idx[scores[idx] > cut]
        idx = np.concatenate([above, np.flatnonzero(scores == cut)[:k - len(above)]])
    return idx[np.lexsort((idx, -scores[idx]))]
