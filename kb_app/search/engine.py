"""The search engine under kb_app.search.query: Whoosh schema and writer, query terms, BM25F scoring.

Whoosh stores the postings (segments, incremental deletes and merges); what Whoosh does posting by
posting in Python is done here in bulk: postings are buffered per term while writing, and a query
is scored with BM25F over numpy arrays read block by block from Whoosh's posting files.
"""

from __future__ import annotations

import collections
import math
from array import array

import numpy as np
from whoosh import fields, formats, query as Q, scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from . import analysis

#: Field weights: title and questions above keywords above body.
BOOSTS = {"hw": 1.2, "hb": 1.2, "kw": 1.1, "bw": 1.0, "bb": 1.0, "dn": 6.0}
SYNONYM_WEIGHT = 0.3
#: Weight of the pairs of characters one apart in a question (see analysis.skip_bigrams).
SKIP_WEIGHT = 0.15
#: Terms found in more than this share of documents are left out of a query on a large index:
#: they decide almost nothing and cost the most to read.
MAX_DF_RATIO = 0.15
#: At most this many bigram terms per field (the rarest) go into a query.
MAX_BIGRAMS = 24
#: "bm25": log(1 + (N - df + .5) / (df + .5)), under which a term in most documents counts for
#: little; "whoosh": Whoosh's log(N / (df + 1)) + 1.
IDF = "bm25"
#: Write postings through PostingBuffer (same index files, about a third faster to build).
FAST_WRITER = True
#: The first results reordered by the share of the question's character trigrams they contain,
#: with full weight from RERANK_FULL_AT trigrams on (short colloquial questions get less).
RERANK_DEPTH = 30
RERANK_WEIGHT = 1.0
RERANK_FULL_AT = 12
BM25_B = 0.75
BM25_K1 = 1.2
#: Weight of jieba words relative to character bigrams.
WORD_WEIGHT = 1.0


#: Documents scoring below this fraction of the best match are not results (see Scorer.top): on
#: the sample, "社保卡丢了怎么办" matched 72 of 77 public answers through 怎么/办 alone and now 11;
#: NCP dev Recall@5 is unchanged (0.927) and MRR@10 moves by 0.001.
MIN_RELATIVE_SCORE = 0.05


def weighting():
    """The Whoosh weighting of the searchers (used by Whoosh itself; kb_app scores with Scorer)."""
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


_PACKED = [pack_uint(i) for i in range(256)]


class TokenFrequency(formats.Frequency):
    """Frequency postings from a list of ready-made tokens (no per-token objects)."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        for word, freq in collections.Counter(value).items():
            yield word, freq, freq * fb, _PACKED[freq] if freq < 256 else pack_uint(freq)


class PostingBuffer:
    """A segment writer's posting pool kept in memory as compact per-term arrays.

    Whoosh's own pool stores a tuple per posting, sorts them all and spills sorted runs to disk;
    here postings arrive in document order already, so grouping them by term is enough.
    """

    def __init__(self):
        self.terms: dict = {}
        self.fieldnames: set = set()

    def add(self, item):
        fieldname, tbytes, docnum, weight, vbytes = item
        entry = self.terms.get((fieldname, tbytes))
        if entry is None:
            entry = self.terms[(fieldname, tbytes)] = (array("I"), array("f"), [])
            self.fieldnames.add(fieldname)
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes)

    def iter_postings(self):
        return None

    def cleanup(self):
        self.terms = {}

    def write(self, fieldwriter, schema, lengths_reader):
        """Write the postings, field by field and term by term, as Whoosh's FieldWriter expects."""
        lastfn, lens = None, None
        for fieldname, btext in sorted(self.terms):
            if fieldname != lastfn:
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lens = self._lengths(lengths_reader, fieldname) if schema[fieldname].scorable else None
                lastfn = fieldname
            docs, weights, values = self.terms[(fieldname, btext)]
            rows = zip(docs, weights, values)
            if any(docs[i] > docs[i + 1] for i in range(len(docs) - 1)):
                rows = sorted(rows)
            fieldwriter.start_term(btext)
            add = fieldwriter.add
            for d, w, v in rows:
                add(d, w, v if v is not None else b"", lens[d] if lens is not None else 0)
            fieldwriter.finish_term()
        if lastfn is not None:
            fieldwriter.finish_field()

    @staticmethod
    def _lengths(reader, fieldname):
        if reader is None:
            return None
        n = reader.doc_count_all()
        col = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        raw = np.zeros(n + 1, dtype=np.uint8)
        if col is not None:
            count = min(n, col._count)
            raw[:count] = np.frombuffer(bytes(col._dbfile.get(col._basepos, count)), dtype=np.uint8)
        values = [byte_to_length(int(b)) if b else 0 for b in range(256)]
        return [values[b] for b in raw.tolist()]


def fast_writer(ix, limitmb=256):
    """An index writer whose postings go through a PostingBuffer."""
    writer = ix.writer(limitmb=limitmb)
    if hasattr(writer, "pool") and hasattr(writer, "fieldwriter"):
        writer.pool = PostingBuffer()
        fieldwriter = writer.fieldwriter
        fieldwriter.add_postings = lambda schema, lengths, items: writer.pool.write(fieldwriter, schema, lengths)
    return writer


class Tokens(fields.TEXT):
    """A scorable text field fed with a list of tokens made by kb_app.search.analysis."""

    def __init__(self):
        super().__init__(phrase=False)
        self.format = TokenFrequency()


def make_schema() -> fields.Schema:
    kw = dict(stored=True)
    return fields.Schema(
        id=fields.ID(**kw), source=fields.ID(**kw), kind=fields.ID(**kw), unit=fields.ID(**kw),
        audience=fields.ID(**kw), effective=fields.ID(**kw), expires=fields.ID(**kw), invalid=fields.STORED(),
        dated=fields.ID(),
        category=fields.KEYWORD(commas=True, **kw), regions=fields.KEYWORD(commas=True, **kw),
        title=fields.STORED(), text=fields.STORED(), unit_name=fields.STORED(), cites=fields.STORED(),
        hw=Tokens(), hb=Tokens(), kw=Tokens(), bw=Tokens(), bb=Tokens(), dn=Tokens(),
    )


def rerank(text: str, ranked: list) -> list:
    """Reorder the first results by how many of the question's character trigrams they contain.

    BM25 over words and bigrams knows nothing of word order; a document containing the question's
    longer character sequences as written is the better answer, which a trigram check on the few
    top documents restores without indexing positions.
    """
    if not ranked or RERANK_WEIGHT <= 0:
        return ranked
    grams = analysis.query_trigrams(analysis.question_form(analysis.normalize(text)))
    if len(grams) < 2:
        return ranked
    top = ranked[0][1] or 1.0
    # Word order says more in a long formal question than in a short colloquial one.
    weight = RERANK_WEIGHT * min(1.0, len(grams) / RERANK_FULL_AT) if RERANK_FULL_AT else RERANK_WEIGHT
    out = []
    for i, (f, score) in enumerate(ranked):
        if i < RERANK_DEPTH:
            doc = analysis.normalize(f.get("title", "") + "\n" + f.get("text", ""))
            cover = sum(1 for g in grams if g in doc) / len(grams)
            out.append((f, score / top + weight * cover))
        else:
            out.append((f, score / top))
    return sorted(out, key=lambda x: -x[1])


def filter_query(filters: dict):
    parts = []
    for name in ("kind", "unit", "category"):
        if filters.get(name):
            parts.append(Q.Term(name, str(filters[name])))
    if filters.get("region"):
        parts.append(Q.Or([Q.Term("regions", str(filters["region"])), Q.Term("regions", "全市")]))
    return Q.And(parts) if parts else None


def build_query(text: str, searcher, ana: analysis.Analyzer, groups):
    """The terms for a question: a weighted OR of words, bigrams and 文号 over the fields.

    Returns (terms as (field, token, boost), terms to highlight, synonyms added).
    """
    norm = analysis.question_form(analysis.normalize(text))
    words = ana.query_words(norm)
    grams = analysis.query_bigrams(norm)
    docnos = analysis.document_numbers(norm, True, for_query=True)
    skips = [g for g in analysis.skip_bigrams(norm) if g not in grams] if SKIP_WEIGHT else []
    expanded = analysis.synonym_expansion(norm, groups)
    syn_words, syn_grams = [], []
    for term in expanded:
        syn_words.extend(w for w in ana.query_words(term) if w not in words)
        syn_grams.extend(g for g in analysis.query_bigrams(term) if g not in grams)
    reader = searcher.reader()
    n_docs = max(1, reader.doc_count_all())
    large = n_docs > 2000

    def keep_rare(field, tokens, cap):
        """Tokens present in the field, the most common dropped on a large index, rarest first."""
        scored = [(reader.doc_frequency(field, t), t) for t in dict.fromkeys(tokens)]
        scored = [(d, t) for d, t in scored if d > 0]
        if large and len(scored) > 1:
            rare = [(d, t) for d, t in scored if d <= MAX_DF_RATIO * n_docs]
            scored = rare or sorted(scored)[:1]
        return [t for _d, t in sorted(scored)[:cap]]

    plan = [("hw", words, WORD_WEIGHT), ("kw", words, WORD_WEIGHT), ("bw", words, WORD_WEIGHT),
            ("hb", grams, 1.0), ("bb", grams, 1.0),
            ("hw", syn_words, SYNONYM_WEIGHT), ("kw", syn_words, SYNONYM_WEIGHT), ("bw", syn_words, SYNONYM_WEIGHT),
            ("hb", syn_grams, SYNONYM_WEIGHT), ("kw", syn_grams, SYNONYM_WEIGHT),
            ("dn", docnos, 1.0), ("kw", grams, 1.0), ("hb", skips, SKIP_WEIGHT), ("bb", skips, SKIP_WEIGHT)]
    terms = {}
    for field, tokens, weight in plan:
        if not tokens or not BOOSTS.get(field):
            continue
        for tok in keep_rare(field, tokens, MAX_BIGRAMS if field.endswith("b") else 64):
            terms[(field, tok)] = max(terms.get((field, tok), 0.0), BOOSTS[field] * weight)
    single = norm.strip()
    if not terms and len(single) == 1 and analysis._CJK_CHAR.match(single):
        for field in ("hb", "bb"):
            for tok in list(reader.expand_prefix(field, single))[:50]:
                tok = tok.decode("utf-8") if isinstance(tok, bytes) else tok
                terms[(field, tok)] = BOOSTS[field] * 0.5
    highlight = [*words, *grams, *syn_words, *expanded] or ([single] if single else [])
    return [(f, t, b) for (f, t), b in terms.items()], highlight, expanded


# -- scoring -----------------------------------------------------------------------------------
# Whoosh evaluates a query posting by posting in Python; a question of twenty terms over 50,000
# documents then takes a good part of a second. The postings are read here block by block into
# numpy arrays and scored with BM25F in bulk, which keeps the same model and the same files.

_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _term_postings(leaf, field: str, token: str):
    """(docnums, weights) of a term in one segment, as arrays; deleted documents included."""
    try:
        m = leaf._terms.matcher(field, token.encode("utf-8"), leaf.schema[field].format)
    except (TermNotFound, KeyError):
        return None
    ids, weights = [], []
    while m.is_active():
        if m._data is None:
            m._read_data()
        raw_ids, raw_w = m._data[0], m._data[1]
        if m._byteids:
            m._read_ids()
            block_ids = np.asarray(m._ids, dtype=np.int64)
        else:
            block_ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64))
        if raw_w is None:
            block_w = np.ones(len(block_ids), dtype=np.float32)
        elif isinstance(raw_w, float):
            block_w = np.full(len(block_ids), raw_w, dtype=np.float32)
        else:
            block_w = np.asarray(raw_w, dtype=np.float32)
        ids.append(block_ids)
        weights.append(block_w)
        m._next_block()
    if not ids:
        return None
    return np.concatenate(ids), np.concatenate(weights)


def _field_lengths(leaf, field: str) -> np.ndarray:
    """The length of a field in every document of a segment (Whoosh stores one byte per document)."""
    n = leaf.doc_count_all()
    col = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if hasattr(leaf, "_perdoc") else None
    raw = np.zeros(n, dtype=np.uint8)
    if col is None:
        return _LENGTH_TABLE[raw]
    if getattr(col, "_fixedlen", None) == 1 and hasattr(col, "_dbfile"):
        count = min(n, col._count)
        raw[:count] = np.frombuffer(bytes(col._dbfile.get(col._basepos, count)), dtype=np.uint8)
    else:
        raw[:] = [col[i] for i in range(n)]
    return _LENGTH_TABLE[raw]


class Scorer:
    """BM25F over one searcher's segments with numpy; caches field lengths and masks per reader."""

    def __init__(self, searcher, lengths_cache: dict | None = None):
        self.searcher = searcher
        self.leaves = [(leaf, base) for leaf, base in searcher.reader().leaf_readers()]
        self.n_all = searcher.reader().doc_count_all()
        # Field lengths never change within a segment: shared across refreshed searchers.
        self._lengths = lengths_cache if lengths_cache is not None else {}
        self._avg: dict = {}
        self._sets: dict = {}
        self.deleted = np.zeros(self.n_all, dtype=bool)
        for leaf, base in self.leaves:
            deleted = getattr(leaf, "deleted_docs_set", ())
            if deleted:
                self.deleted[base + np.fromiter(deleted, dtype=np.int64)] = True

    def lengths(self, leaf, base, field):
        segment = getattr(leaf, "_segment", None)
        key = (getattr(segment, "segid", None) or id(leaf), field)
        if key not in self._lengths:
            self._lengths[key] = _field_lengths(leaf, field)
        return self._lengths[key]

    def docset(self, key, query) -> np.ndarray:
        """A boolean array of the documents matching a (filter) query, cached."""
        if key not in self._sets:
            arr = np.zeros(self.n_all, dtype=bool)
            for d in self.searcher.docs_for_query(query):
                arr[d] = True
            if len(self._sets) > 64:
                self._sets.clear()
            self._sets[key] = arr
        return self._sets[key]

    def scores(self, terms) -> np.ndarray:
        out = np.zeros(self.n_all, dtype=np.float32)
        for field, token, boost in terms:
            idf = self.idf(field, token)
            if field not in self._avg:
                self._avg[field] = self.searcher.avg_field_length(field) or 1.0
            avgfl = self._avg[field]
            for leaf, base in self.leaves:
                got = _term_postings(leaf, field, token)
                if got is None:
                    continue
                ids, tf = got
                fl = self.lengths(leaf, base, field)[ids]
                norm = BM25_K1 * ((1 - BM25_B) + BM25_B * fl / avgfl)
                out[ids + base] += boost * idf * (tf * (BM25_K1 + 1)) / (tf + norm)
        return out

    def idf(self, field: str, token: str) -> float:
        n, df = self.n_all, self.searcher.doc_frequency(field, token)
        if IDF == "bm25":
            return math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return math.log(n / (df + 1)) + 1.0

    def top(self, terms, limit: int, exclude: np.ndarray | None = None, include: np.ndarray | None = None,
            adjust=None):
        """(docnum, score) of the best ``limit`` documents, and how many matched.

        ``adjust(scorer, scores)`` may change the scores of the documents that may be shown, in place,
        before ``include`` narrows them (see citations.propagate).
        """
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
        k = min(limit, total)
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(int(d), float(scores[d])) for d in idx], total
