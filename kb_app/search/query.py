"""A question made into weighted terms, run against one searcher, and its results.

Any string is a valid question: it is never parsed as query syntax, only analysed (see
``analysis``) into a weighted OR of words, character bigrams and document numbers over the token
fields; filters narrow it, documents not in force are masked, and the first results are reordered by
how much of the question's wording they contain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
from whoosh import query as Q

from ..content.model import Entry, Snapshot
from ..labels import NO_TOPIC, STATUS_LABELS
from ..dispatch import regions
from ..privacy import mask, without_labels
from . import analysis, citations, coverage, intent
from .scorer import Scorer

#: Field weights: title and questions above keywords above body.
BOOSTS = {"hw": 1.2, "hb": 1.2, "kw": 1.1, "bw": 1.0, "bb": 1.0, "dn": 6.0}
SYNONYM_WEIGHT = 0.3
#: Digits of a number that is no query on its own (see build_query).
SHORT_NUMBER = 2
#: Weight of the pairs of characters one apart in a question (see analysis.skip_bigrams).
SKIP_WEIGHT = 0.15
#: Terms found in more than this share of documents are left out of a query on a large index:
#: they decide almost nothing and cost the most to read.
MAX_DF_RATIO = 0.15
#: At most this many bigram terms per field (the rarest) go into a query.
MAX_BIGRAMS = 24
#: The first results reordered by the share of the question's character trigrams they contain,
#: with full weight from RERANK_FULL_AT trigrams on (short colloquial questions get less).
RERANK_DEPTH = 30
RERANK_WEIGHT = 1.0
RERANK_FULL_AT = 12
#: Weight of the share of the question's trigrams found together within PASSAGE_CHARS characters
#: of a document: a long notice answers a question where its words meet, not wherever they are
#: scattered. Only for long questions (see rerank): NCP dev MRR@10 0.828 → 0.836.
PASSAGE_WEIGHT = 1.0
PASSAGE_CHARS = 200
#: Weight of the best match between the question and any single one of a document's own questions
#: (character-pair Jaccard): a document with one question like the caller's beats one whose many
#: questions share a word each. Questions learned from use make those lists long; replaying half of
#: the roles set as use, the other half's Recall@1 fell 0.914 → 0.871 without it, 0.914 → 0.886 with.
QUESTION_WEIGHT = 0.3
#: An answer that has expired (the agent's results show it, marked 已失效) counts this share of its
#: score: last year's 养老金调整 yields to this year's, which scores nearly the same, and stays above
#: what is about something else.
EXPIRED_WEIGHT = 0.8
#: Weight of jieba words relative to character bigrams.
WORD_WEIGHT = 1.0
#: The weight of the words and pairs of a place the question names (东湖区, 新华街道): where the asker
#: lives says which of the answers about the matter applies, not what the matter is, so an answer about
#: parking in 东湖区 does not come before the one about cold radiators for 东湖区新华小区暖气温度不够.
PLACE_WEIGHT = 0.25
#: A result scoring under this share of the first is only loosely related (社保卡丢了怎么补办 finds the
#: 社保卡 and 身份证 answers, then six that share a word or two). Of the 211 questions of the regulation
#: sets and the answers' own questions whose answer is found but not first, one scores under it
#: (0.16, fifth); of the 60 such NCP questions, none (the lowest 0.57). At a quarter the agent's
#: 医保报销和医保结算 (0.22 of the first), which says how a lost 医保卡 is replaced, was loose too.
LOOSE_SHARE = 0.2
#: How many results a public search whose subject nothing mentions shows (SearchResults.weak): the first few,
#: which share only some of its words, not every answer that does.
WEAK_SHOWN = 10



# -- results -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Hit:
    """One found document as a front end shows it."""

    id: str
    kind: str
    title: str
    unit: str
    unit_name: str
    score: float
    snippet: str
    status: str
    audience: str
    path: str
    category: list
    regions: list
    effective: str = ""
    expires: str = ""
    #: Scored under LOOSE_SHARE of the first result (and so did all after it): loosely related to the question.
    loose: bool = False

    @property
    def status_label(self) -> str:
        """The status in words (有效, 未生效, 已失效, 格式错误)."""
        return STATUS_LABELS.get(self.status, self.status)

    def as_dict(self) -> dict:
        """The fields of the JSON output of ``kb search``."""
        out = {"id": self.id, "kind": self.kind, "title": self.title, "unit": self.unit,
               "score": round(self.score, 4), "snippet": self.snippet}
        if self.loose:
            out["loose"] = True
        return out


@dataclasses.dataclass
class SearchResults:
    """The hits of one page of results, how many matched, and the synonyms the question was given."""

    query: str
    hits: list
    total: int
    expanded: list = dataclasses.field(default_factory=list)
    commit: str = ""
    as_of: str = ""
    #: The question as run when a word of the question as written reads as a misspelt one of the same
    #: sound (社宝卡 → 社保卡, 暖器 → 暖气, see spelling.py) and the question as corrected finds answers
    #: about what it names; empty otherwise.
    corrected: str = ""
    #: The question was searched while the words of its commit were still being read for
    #: correction: asked again it may be corrected, so no cache keeps these results.
    provisional: bool = False
    #: Words naming what the question is about that nothing the searcher may find mentions, and
    #: whether the first results are therefore not about what was asked (see coverage.py).
    unknown: tuple = ()
    weak: bool = False
    #: Nothing was found and the question names nothing to look for: it only says who or how it
    #: asks (我, 怎么办), so no other wording of a subject would help, only a subject.
    vague: bool = False
    #: How many of all the results are closely related (not Hit.loose); None when more than the
    #: first RERANK_DEPTH may be.
    close: int | None = None
    #: For the public: the words of ``unknown`` that an answer no longer in force mentions. There was
    #: an answer about them and it has expired (the policy may have changed), which a citizen is told
    #: rather than only that the knowledge base says nothing of them.
    retired: tuple = ()

    @property
    def missing(self) -> bool:
        """Nothing was found and the question names words nothing mentions: no other wording of
        it would find an answer."""
        return not self.total and bool(self.unknown)

    @property
    def unknown_quoted(self) -> str:
        """The unknown words quoted for a sentence (“护照”、“签证”); a word of one character repeated
        (啊啊啊, the longest the segmenter reads) is quoted as typed (啊啊啊啊啊)."""
        return "、".join(f"“{_as_typed(w, self.query)}”" for w in self.unknown)

    def as_dict(self) -> dict:
        """The JSON output of ``kb search``."""
        out = {"query": self.query, "hits": [h.as_dict() for h in self.hits]}
        if self.corrected:
            out["corrected"] = self.corrected
        if self.weak:
            out["weak"] = True
        if self.unknown:  # as the web page says them: above weak results, above none, or beside results about the rest
            out["unknown"] = list(self.unknown)
        if self.retired:
            out["retired"] = list(self.retired)
        if self.vague:
            out["vague"] = True
        return out


def _as_typed(word: str, query: str) -> str:
    """A word of one character repeated as the longest run of that character typed; any other as it is."""
    if len(word) < 2 or len(set(word)) > 1:
        return word
    return max(re.findall(re.escape(word[0]) + "+", query), key=len, default=word)


def stored_status(fields: dict, day: dt.date) -> str:
    """A stored document's status on ``day`` by the entry's rule; ``invalid`` when a date is unreadable."""
    if fields.get("invalid"):
        return "invalid"
    meta = {"effective": fields.get("effective") or None, "expires": fields.get("expires") or None}
    return Entry("", meta, "").status(day)


def not_in_force(scorer: Scorer, day: dt.date) -> np.ndarray:
    """A boolean array of the documents not in force on ``day``, cached per reader and day."""
    def build():
        arr = np.zeros(scorer.n_all, dtype=bool)
        for docnum, _f, status in _dated(scorer, day):
            arr[docnum] = status != "in_force"
        return arr
    return scorer.mask(("status", day), build)


def expired(scorer: Scorer, day: dt.date) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The docnums of the documents expired on ``day``, and those of them by each year or number their
    titles name (see names_by_number), cached per reader and day."""
    def build():
        docs, numbered = [], {}
        for docnum, f, status in _dated(scorer, day):
            if status == "expired":
                docs.append(docnum)
                for number in _numbers(f.get("title", "")):
                    numbered.setdefault(number, []).append(docnum)
        return np.array(docs, dtype=np.int64), {number: np.array(d) for number, d in numbered.items()}
    return scorer.mask(("expired", day), build)


def _dated(scorer: Scorer, day: dt.date):
    """(docnum, stored fields, status on ``day``) of each document with a date or an unreadable one."""
    searcher, statuses = scorer.searcher, {}
    for docnum in searcher.docs_for_query(Q.Term("dated", "1")):
        f = searcher.stored_fields(docnum)
        dates = (f.get("effective", ""), f.get("expires", ""), f.get("invalid", ""))
        if dates not in statuses:
            statuses[dates] = stored_status(f, day)
        yield docnum, f, statuses[dates]


def superseded(scorer: Scorer, day: dt.date) -> np.ndarray | None:
    """For agents: a boolean array of the versions not to show on ``day`` (an earlier version once it is
    no longer in force, and an entry's newest version while an earlier one still is, which the agent
    sees in its place), cached per reader and day; None when the index holds no earlier version."""
    if not scorer.searcher.doc_frequency("earlier", "1"):
        return None

    def build():
        arr = np.zeros(scorer.n_all, dtype=bool)
        searcher, current = scorer.searcher, set()
        for docnum in searcher.docs_for_query(Q.Term("earlier", "1")):
            f = searcher.stored_fields(docnum)
            if stored_status(f, day) == "in_force":
                current.add(f["id"])
            else:
                arr[docnum] = True
        for entry_id in current:
            for docnum in searcher.docs_for_query(Q.AndNot(Q.Term("id", entry_id), Q.Term("earlier", "1"))):
                arr[docnum] = True
        return arr
    return scorer.mask(("superseded", day), build)


# -- the question --------------------------------------------------------------------------------


def filter_query(filters: dict, config: Snapshot | None = None):
    """The Whoosh query of the filters (kind, unit, category, region), or None without any; a region takes in
    the entries of its streets, or of a street's district, named in ``config``'s units (regions.covering)."""
    parts = []
    for name in ("kind", "unit", "category"):
        if filters.get(name):
            parts.append(Q.Term(name, str(filters[name])))
    if filters.get("category") == NO_TOPIC:
        # the topic of answers without a category, as the public list of answers groups them
        parts[-1] = Q.Or([parts[-1], Q.AndNot(Q.Term("kind", "policy"), Q.Every("category"))])
    if filters.get("region"):
        named = regions.covering(config, str(filters["region"])) if config is not None else (str(filters["region"]),)
        parts.append(Q.Or([*(Q.Term("regions", r) for r in named), Q.Term("regions", "全市")]))
    return Q.And(parts) if parts else None


def build_query(text: str, searcher, ana: analysis.Analyzer, groups, doc_frequency=None, places=()):
    """The terms for a question: a weighted OR of words, bigrams and 文号 over the fields.

    Returns (terms as (field, token, boost), terms to highlight, synonyms added). ``doc_frequency``
    (field, token) → count defaults to the searcher's (the scorer keeps them). The tokens within the
    ``places`` the question names (normalised) weigh PLACE_WEIGHT.
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
    doc_frequency = doc_frequency or reader.doc_frequency

    def keep_rare(field, tokens, cap):
        """Tokens present in the field, the most common dropped on a large index, rarest first."""
        scored = [(doc_frequency(field, t), t) for t in dict.fromkeys(tokens)]
        scored = [(d, t) for d, t in scored if d > 0]
        if large and len(scored) > 1:
            rare = [(d, t) for d, t in scored if d <= MAX_DF_RATIO * n_docs]
            scored = rare or sorted(scored)[:1]
        return [t for _d, t in sorted(scored)[:cap]]

    plan = [("hw", words, WORD_WEIGHT), ("kw", words, WORD_WEIGHT), ("bw", words, WORD_WEIGHT),
            ("hb", grams, 1.0), ("bb", grams, 1.0),
            ("hw", syn_words, SYNONYM_WEIGHT), ("kw", syn_words, SYNONYM_WEIGHT),
            ("bw", syn_words, SYNONYM_WEIGHT),
            ("hb", syn_grams, SYNONYM_WEIGHT), ("kw", syn_grams, SYNONYM_WEIGHT),
            ("dn", docnos, 1.0), ("kw", grams, 1.0), ("hb", skips, SKIP_WEIGHT), ("bb", skips, SKIP_WEIGHT)]
    terms = {}
    for field, tokens, weight in plan:
        if not tokens or not BOOSTS.get(field):
            continue
        for tok in keep_rare(field, tokens, MAX_BIGRAMS if field.endswith("b") else 64):
            boost = BOOSTS[field] * weight * (PLACE_WEIGHT if any(tok in p for p in places) else 1.0)
            terms[(field, tok)] = max(terms.get((field, tok), 0.0), boost)
    if all(tok.isascii() and tok.isdigit() and len(tok) <= SHORT_NUMBER for _f, tok in terms):
        # A number of one or two digits is in most documents (dates, article numbers): alone it
        # matches nearly everything, so “1” or “<script>alert(1)</script>” finds nothing.
        terms = {}
    single = norm.strip()
    # One character alone is read as the start of a word (电 → 电费、停电 …), unless it only says who
    # or how (我、的), which would list every document.
    if not terms and len(single) == 1 and analysis._CJK_CHAR.match(single) and single not in analysis.STOPWORDS:
        for field in ("hb", "bb"):
            for tok in list(reader.expand_prefix(field, single))[:50]:
                tok = tok.decode("utf-8") if isinstance(tok, bytes) else tok
                terms[(field, tok)] = BOOSTS[field] * 0.5
    highlight = [*words, *analysis.within_words(grams, words), *syn_words, *expanded] or ([single] if single else [])
    return [(f, t, b) for (f, t), b in terms.items()], highlight, expanded


def rerank(text: str, ranked: list, weight=None) -> list:
    """Reorder the first results by how many of the question's character trigrams they contain.

    BM25 over words and bigrams knows nothing of word order; a document containing the question's
    longer character sequences as written is the better answer, which a trigram check on the few
    top documents restores without indexing positions. ``weight`` (stored fields → share) scales a
    document's bonus as its score was scaled (see yield_expired).

    Only the first RERANK_DEPTH, whatever page is asked, gain: those after them keep their order and
    stay after them, so a page of results is the same part of the list however many are asked for.
    """
    if not ranked or RERANK_WEIGHT <= 0:
        return ranked
    grams = analysis.query_trigrams(analysis.question_form(analysis.normalize(text)))
    if len(grams) < 2:
        return ranked
    top = ranked[0][1] or 1.0
    # Word order says more in a long formal question than in a short colloquial one.
    order = RERANK_WEIGHT * min(1.0, len(grams) / RERANK_FULL_AT) if RERANK_FULL_AT else RERANK_WEIGHT
    long_form = PASSAGE_WEIGHT * min(1.0, max(0, len(grams) - RERANK_FULL_AT) / RERANK_FULL_AT)
    asked = analysis.phrasing_bigrams(text)
    out = []
    for i, (f, score) in enumerate(ranked):
        if i < RERANK_DEPTH:
            doc = analysis.normalized(f.get("title", "") + "\n" + f.get("text", ""))
            present = [g for g in grams if g in doc]
            cover = len(present) / len(grams)
            passage = densest_window(doc, present, PASSAGE_CHARS) / len(grams) if long_form else 0.0
            bonus = (order * cover + long_form * passage
                     + QUESTION_WEIGHT * best_question(asked, f.get("questions") or ""))
            out.append((f, score / top + (weight(f) if weight else 1.0) * bonus))
        else:
            out.append((f, score / top))
    return sorted(out, key=lambda x: -x[1])


def loosely_related(ranked: list) -> list[bool]:
    """For each of the ranked (fields, score), whether it and all after it score under LOOSE_SHARE of
    the best: an entry put just before the article it cites (citations.citing_first) may score a little
    less than the article, and stays with it."""
    floor = LOOSE_SHARE * max((score for _f, score in ranked), default=0.0)
    out = [score < floor for _f, score in ranked]
    for i in range(len(out) - 2, -1, -1):
        out[i] = out[i] and out[i + 1]
    return out


def expiry_weight(text: str, day: dt.date):
    """The share of its score a document counts on ``day`` (stored fields → share): EXPIRED_WEIGHT for an
    answer expired that day, unless the question names it by a year or number of its title (2025年养老金调整)."""
    numbers = _numbers(text)  # once per search, not once per expired answer

    def weight(f: dict) -> float:
        if not f.get("expires") or stored_status(f, day) != "expired":
            return 1.0
        return 1.0 if numbers & _numbers(f.get("title", "")) else EXPIRED_WEIGHT
    return weight


def yield_expired(text: str, day: dt.date):
    """For agents: the scores of the answers expired on ``day`` scaled as ``expiry_weight`` says, in place,
    before the best are chosen (see Scorer.top): scaled after, one beyond those chosen could belong
    ahead of one scaled down, and a page would depend on how many results were asked for."""
    numbers = _numbers(text)

    def weigh(scorer: Scorer, scores: np.ndarray):
        gone, by_number = expired(scorer, day)
        named = [by_number[n] for n in numbers if n in by_number]
        if named:
            gone = np.setdiff1d(gone, np.concatenate(named))
        scores[gone] *= EXPIRED_WEIGHT
    return weigh


def names_by_number(text: str, title: str) -> bool:
    """Whether a question names a document by a year or number of its title (2025年低保标准 names
    “2025年低保标准”): last year's answer is then what is asked about, not last year's by mistake."""
    return bool(_numbers(text) & _numbers(title))


def _numbers(text: str) -> set[str]:
    """The years and numbers (three digits or more) a text names."""
    return set(_YEAR_OR_NUMBER.findall(analysis.normalize(text)))


_YEAR_OR_NUMBER = re.compile(r"\d{3,}")


def best_question(asked: frozenset, questions: str) -> float:
    """The highest character-pair Jaccard between a question and any of a document's questions
    (stored one per line)."""
    best = 0.0
    if asked and questions:
        for q in questions.split("\n"):
            theirs = analysis.phrasing_bigrams(q)
            if theirs:
                best = max(best, len(asked & theirs) / len(asked | theirs))
    return best


def densest_window(doc: str, grams: list[str], width: int) -> int:
    """The most distinct ``grams`` that occur within ``width`` characters of each other in ``doc``."""
    hits = []
    for n, g in enumerate(grams):
        at = doc.find(g)
        while at >= 0:
            hits.append((at, n))
            at = doc.find(g, at + 1)
    hits.sort()
    best, start, inside = 0, 0, {}
    for at, n in hits:
        inside[n] = inside.get(n, 0) + 1
        while hits[start][0] <= at - width:
            m = hits[start][1]
            inside[m] -= 1
            if not inside[m]:
                del inside[m]
            start += 1
        best = max(best, len(inside))
    return best


# -- running it ----------------------------------------------------------------------------------


def run(text: str, searcher, scorer: Scorer, ana: analysis.Analyzer, config: Snapshot, *, limit: int,
        offset: int, filters: dict, day: dt.date, exclude: np.ndarray | None,
        public: bool = False) -> SearchResults:
    """One page of results of a question on one searcher; ``exclude`` masks documents out.

    ``config`` gives the synonyms and unit names (a snapshot of the configuration at the commit
    searched) and ``day`` the day statuses are told for; ``public`` puts an entry citing an article
    just before it (see citations.citing_first).
    """
    commit = config.commit or ""
    norm, groups = _reading(text, config)
    places = named_places(norm, config)
    terms, highlight, expanded = build_query(text, searcher, ana, groups, scorer.doc_frequency, places)
    asking = analysis.Asking(norm)
    units = named_units(norm, scorer, config)
    if (not terms and not units) or limit == 0:
        # A question of words no document has still names them (see SearchResults.unknown).
        unknown = _unknown(asking, norm, config, ana, lambda about: coverage.unknown_words(
            about, scorer, groups, ana, units, exclude))[1] if not terms else ()
        return SearchResults(text, [], 0, expanded, commit, unknown=unknown,
                             vague=not terms and not units and not asking.names)
    fq = filter_query(filters, config)
    include = scorer.docset(("filter", repr(fq)), fq) if fq is not None else None
    weak = [t for t in terms if asking.only_asks(t[1])] if asking.names else None
    # Every page is a part of one list: what moves a result (an expired answer yielding, the reranking,
    # an entry before the article it cites) either scales the scores before the best are chosen or acts
    # on the first RERANK_DEPTH alone, never on as many as this page reaches.
    top, total = scorer.top(terms, max(offset + limit, RERANK_DEPTH), exclude, include,
                            adjust=_adjust(text, norm, config, units), weak=weak,
                            weigh=None if public else yield_expired(text, day))
    # The place named counts in the word order no more than in the words (see PLACE_WEIGHT).
    asked = regions.without_places(norm, config) if places else text
    ranked = rerank(asked, [(scorer.stored_fields(d), sc) for d, sc in top],
                    None if public else expiry_weight(text, day))
    if public:
        ranked = citations.citing_first(ranked[:RERANK_DEPTH]) + ranked[RERANK_DEPTH:]
    docnum = {scorer.stored_fields(d)["id"]: d for d, _sc in top}
    first = [docnum[f["id"]] for f, _sc in ranked[:coverage.DEPTH]]
    about, covered = _unknown(asking, norm, config, ana, lambda about: coverage.judge(
        about, scorer, first, groups, ana, units, exclude))
    retired = retired_words(covered.unknown, about, scorer, groups, ana, units, exclude, day) if public else ()
    if public and covered.weak and total > WEAK_SHOWN:
        # 护照怎么办理: nothing is about 护照, and the 82 results that share 办理 are no list to page through.
        ranked, total = ranked[:WEAK_SHOWN], WEAK_SHOWN
    loose = loosely_related(ranked)
    aspects = analysis.asked_aspects(analysis.normalize(text))
    hits = [_hit(f, score, highlight, day, config, loose=far, aspects=aspects)
            for (f, score), far in zip(ranked[offset:offset + limit], loose[offset:offset + limit])]
    # Those beyond the ranked ones score less than the last of them before any reranking bonus.
    close = loose.count(False) if len(ranked) >= total or loose[-1] else None
    return SearchResults(text, hits, total, expanded, commit, unknown=covered.unknown, weak=covered.weak,
                         vague=not total and not asking.names, close=close, retired=retired)


def retired_words(unknown: tuple, asking, scorer: Scorer, groups, ana, units, exclude, day: dt.date) -> tuple:
    """The words of ``unknown`` (nothing the public may read mentions them) that an expired answer is about: names in
    its title, questions, keywords or category. One mentioning a word in passing (调休上班日 in last spring festival's
    service hours) was no answer about it: a parent asking where they 上班 is not told that its policy may have
    changed."""
    if not unknown or exclude is None:
        return ()
    gone = expired(scorer, day)[0]
    if not len(gone):
        return ()
    shown = exclude.copy()
    shown[gone] = False
    still = set(coverage.unknown_words(asking, scorer, groups, ana, units, shown, names_only=True))
    return tuple(w for w in unknown if w not in still)


def unknown_words(text: str, scorer: Scorer, ana: analysis.Analyzer, config: Snapshot,
                  exclude: np.ndarray | None = None) -> tuple:
    """The words of a question that nothing the scorer's searcher may find mentions (``exclude`` masks
    documents out, as for ``run``), read as ``run`` reads them (``SearchResults.unknown``), without ranking."""
    norm, groups = _reading(text, config)
    units = named_units(norm, scorer, config)
    return _unknown(analysis.Asking(norm), norm, config, ana,
                    lambda about: coverage.unknown_words(about, scorer, groups, ana, units, exclude))[1]


def _unknown(asking: analysis.Asking, norm: str, config: Snapshot, ana: analysis.Analyzer, read):
    """``read(asking)`` (the coverage of a question, or its unknown words) and the reading it was made from:
    where the question names something unknown, it is read again without what says where or who
    (:func:`subject_text`), which is never what a question is about. Most questions name nothing
    unknown and are read once. A term of the knowledge base's own dictionary is no name or number, whatever
    masking reads in it (话务高峰 of an internal answer's title, read as 话务[姓名]): where one would go, the
    personal details stay."""
    got = read(asking)
    unknown = got.unknown if isinstance(got, coverage.Coverage) else got
    if not unknown:
        return asking, got
    about = subject_text(norm, config, keep=[w for w in unknown if w in ana.user_words])
    if about == norm:
        return asking, got
    about = analysis.Asking(about)
    return about, read(about)


def subject_text(norm: str, config: Snapshot, keep=()) -> str:
    """A normalised question without what says where or who rather than what: the districts, streets and
    towns of units.yaml it names (东湖区和平街道), and the personal details masking takes out, with the word
    that gives them (a name: 来电人王建国; a plate: 车牌京A12345; a WeChat ID: 微信号wxid_abc123; the labels
    already in a logged query: [姓名], [门牌]); personal details are kept where taking them out would take
    out a word of ``keep``."""
    # ``norm`` is in question form already: reading it so again would take more away (啊啊啊啊啊 → 啊啊啊)
    placeless = regions.without_places(norm, config)
    about = without_labels(mask(placeless))
    return placeless if any(w in placeless and w not in about for w in keep) else about


def named_places(norm: str, config: Snapshot) -> tuple[str, ...]:
    """The districts, streets and towns of the configuration a normalised question names."""
    found = regions.places(config).names
    return tuple(dict.fromkeys(found.findall(norm))) if found is not None else ()


def named_units(norm: str, scorer: Scorer, config: Snapshot) -> dict[str, np.ndarray]:
    """The unit names in a normalised question with the documents of the units each names, for
    those naming a unit with documents in the scorer's reader (see intent.unit_names)."""
    out = {}
    for name, units in intent.named_units(norm, intent.unit_names(config)).items():
        docs = np.unique(np.concatenate([intent.unit_docnums(scorer, u) for u in units]))
        if len(docs):
            out[name] = docs
    return out


def _reading(text: str, config: Snapshot) -> tuple[str, list]:
    """A question normalised in question form, and the synonym groups it is read with: the
    configuration's and those pairing its negated verbs (不受理 ↔ 不予受理)."""
    norm = analysis.question_form(analysis.normalize(text))
    return norm, list(config.synonym_groups) + intent.negation_groups(norm)


def _adjust(text: str, norm: str, config: Snapshot, units: dict):
    """Scores beyond the question's words: citations of matching entries, intake rules, the place
    and the units named (see intent.py); ``norm`` is the question normalised, ``units`` the unit
    names in it (see named_units)."""
    reader = intent.rule_reader((config.commit, "intake"), config.config("intake_rules"))
    rules = intent.boost_rules(reader.bases_for(text))
    place = intent.prefer_named_place(norm)
    docs = np.unique(np.concatenate(list(units.values()))) if units else np.empty(0, dtype=np.int64)
    unit = intent.prefer_named_units(docs, sum(map(len, units)) / max(1, len(re.findall(r"\w", norm))))

    def adjust(scorer, scores):
        citations.propagate(scorer, scores)
        rules(scorer, scores)
        place(scorer, scores)
        unit(scorer, scores)
    return adjust


def _snippet(f: dict, highlight: list, aspects=()) -> str:
    """The excerpt of a document around the question's words; when neither its text nor its title has
    any, the document was found by one of its own questions (路灯坏了 → 第二十一条, by 路灯坏了街道说归供电公司让我自己找),
    which goes first, so the reader sees why it is there."""
    text = analysis.snippet(f.get("text", ""), highlight, aspects=aspects)
    words = [w for w in highlight if len(w) >= 2]
    title = f.get("title", "").lower()
    if "<mark>" in text or not words or any(w in title for w in words):
        return text
    # Of those naming as many of its words, a question written as a sentence, before words typed into a search box
    # (部门 解决不了 上报), which are shown as the words they are.
    asked = [(sum(w in q.lower() for w in words), " " not in q.strip(), -len(q), q)
             for q in (f.get("questions") or "").split("\n") if q]
    best = max(asked, default=(0, True, 0, ""))
    if not best[0]:
        return text
    if not best[1]:
        return f"相关词语：{analysis.snippet('、'.join(best[3].split()), highlight, width=60)}　{text}"
    return f"相关问题：“{analysis.snippet(best[3], highlight, width=60)}”　{text}"


def _hit(f: dict, score: float, highlight: list, day: dt.date, config: Snapshot, loose: bool = False,
         aspects=()) -> Hit:
    unit = f.get("unit", "")
    return Hit(
        id=f["id"], kind=f["kind"], title=f.get("title", ""), unit=unit,
        unit_name=f.get("unit_name") or config.unit_name(unit), score=float(score),
        snippet=_snippet(f, highlight, aspects), status=stored_status(f, day),
        audience=f.get("audience", ""), path=f.get("source", ""),
        category=[c for c in f.get("category", "").split(",") if c],
        regions=[c for c in f.get("regions", "").split(",") if c],
        effective=f.get("effective", ""), expires=f.get("expires", ""), loose=loose)
