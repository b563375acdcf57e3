"""Scores carried along citations: an entry that answers a question lends weight to the articles it cites.

A policy answer is written in the words callers use (its title, questions and body), a regulation
article in the words of the law. When a question matches answers that cite an article in their
``basis``, that article is very likely the legal answer to the question even where it shares few words
with it: each of the best matching entries passes a share of its score to the articles it cites.

Only documents of the index being searched and allowed to be shown take part (the public index holds
no internal entry, and entries not in force have a zero score by then), so nothing hidden from an
audience can move its results.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as Q

#: How many of the best matching citing documents pass on their score.
DEPTH = 5
#: The share of an entry's score an article it cites receives (split among the articles it cites
#: beyond the first, see ``share``).
WEIGHT = 0.15
#: Only entries scoring at least this share of the best matching entry pass anything on.
MIN_SHARE = 0.6


def share(n_cited: int) -> float:
    """The part of WEIGHT each of ``n_cited`` cited articles receives (an entry citing many says less)."""
    return WEIGHT / max(1.0, n_cited) ** 0.5


def article_docnums(scorer) -> dict:
    """The docnums of a reader's articles by id."""
    return _articles(scorer)[1]


def _articles(scorer) -> tuple[np.ndarray, dict]:
    """The article documents of a reader: a mask, and their docnums by id (cached on the scorer)."""
    def build():
        mask = np.zeros(scorer.n_all, dtype=bool)
        by_id = {}
        for d in scorer.searcher.docs_for_query(Q.Term("kind", "article")):
            if not scorer.deleted[d]:
                mask[d] = True
                by_id[scorer.stored_fields(d)["id"]] = d
        return mask, by_id
    return scorer.mask(("citations", "articles"), build)


def propagate(scorer, scores: np.ndarray) -> None:
    """Add to each article a share of the scores of the best matching documents that cite it (in place)."""
    if DEPTH <= 0 or WEIGHT <= 0:
        return
    mask, by_id = _articles(scorer)
    if not by_id:
        return
    cand = np.where(mask, 0, scores)
    k = min(DEPTH, int(np.count_nonzero(cand)))
    if k == 0:
        return
    idx = np.argpartition(-cand, k - 1)[:k]
    floor = MIN_SHARE * float(cand.max())
    extra = {}
    for d in idx.tolist():
        if cand[d] < floor:
            continue
        cites = [c for c in (scorer.stored_fields(d).get("cites") or "").split(",") if c in by_id]
        for c in cites:
            a = by_id[c]
            extra[a] = extra.get(a, 0.0) + share(len(cites)) * float(cand[d])
    for a, add in extra.items():
        scores[a] += add


#: A citing entry goes before the article it cites when it scores at least this share of the article.
CITING_FIRST_SHARE = 0.5


def citing_first(ranked: list) -> list:
    """Results for a citizen: an entry citing an article goes just before it when it matches nearly as well.

    The entry is the answer written for readers, the article its legal ground; a citizen reads the
    answer first and still finds the article right after it. ``ranked`` holds (stored fields, score).
    """
    out = list(ranked)
    i = 0
    while i < len(out):
        fields, score = out[i]
        if fields.get("kind") == "article":
            for j in range(i + 1, len(out)):
                other, other_score = out[j]
                if other.get("kind") != "article" and other_score >= CITING_FIRST_SHARE * score \
                        and fields.get("id") in (other.get("cites") or "").split(","):
                    out.insert(i, out.pop(j))
                    i += 1
                    break
        i += 1
    return out
