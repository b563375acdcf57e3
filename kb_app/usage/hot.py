"""Hot issues (每月一题 candidates): the requests of a period grouped by entry and by topic, with trends.

A *request* is a search (``search_log``, the query as typed, masked) or a dispatch text
(``dispatch_history``: confirmed in the console). An upheld objection's request re-routes a call dispatched
before (counted then, if it was taken in the console): it teaches the dispatch history, and is no request
of its own here, so the dispatches are those ``kb report`` counts. Imported work orders
(``kb dispatch --learn``) are history, not requests of the period, whatever their dates: they are left
out and counted apart (``totals["imported"]``). The report compares a period with the one of the same
length just before it:

* **by entry** — dispatches by their directory entry, searches by the entry opened from them: on its
  row (the staff app's) or a row of its own with the query (the public site's and the API's), paired
  with the search it came from (:func:`opened_from`);
* **topics** — clusters of similar texts (:func:`cluster_texts`: content-word TF-IDF without the words
  that only ask of a matter (补办, 材料, 多久), each word weighed by how rare it is among a fixed number of
  texts (``REFERENCE_TEXTS``), greedy cover with every text a candidate seed, then every text to its nearest
  cluster profile: a topic's members depend on the texts alike to them only, never on how many requests
  about other matters there are), named by the knowledge base's own term for the matter where most of a topic's texts
  write one (:class:`Vocabulary`: 居住证, 拖欠工资) and otherwise by the words most particular to it that a
  person would name it by (:func:`spoken`: not 狗要 of 狗要打, 分钱 of 一分钱, nor 还有 or 咚咚), with masked examples, a breakdown by region and a daily trend;
* **by region** — the district a request concerns: a district of ``units.yaml`` named in its
  text, or for a dispatch the district recorded with it (``""``: citywide or not known).

Limited to a **unit**, the requests are those the usage statistics count for it (``Stats.searches_of``):
searches that opened one of its entries (a citizen's search: whose query opened one in the two periods),
and dispatches to a directory entry it leads (``Entry.lead_unit``).

An issue is **rising** when it has at least ``MIN_RISING`` requests in the period, at least
``RISE_RATIO`` times the previous period's (add-one smoothed), and the rise is unlikely to be
chance (``(current - previous) / sqrt(current + previous) >= RISE_Z``, a Poisson difference test).
Its 趋势 (``flag``) is 上升, or 新出现 when the previous period had none; an issue new in the period but
with fewer than ``MIN_RISING`` requests is 新出现（不足 5 件）, no rise: its 变化率 reads 新 all the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import heapq
import math
import re
from collections import Counter, defaultdict

import numpy as np
import rjieba

from ..search.analysis import aspect_mask, normalize
from ..exceptions import KbError
from ..privacy import has_labels, without_labels
from ..dispatch.regions import NO_REGION, districts, region_finder
from ..labels import ALL_REGIONS, ALL_UNITS
from .stats import to_csv
from ..search.textsim import ASKING_WORDS, Synonyms, WordIndex, content_words, stretches

#: Characters of a text used to cluster it: a request states its matter first.
CLUSTER_CHARS = 60
#: Cosine similarity (content words) for a text to join a seed's group, for two groups' profiles to
#: merge, and for a text to join a topic's profile.
JOIN_SIMILARITY = 0.35
MERGE_SIMILARITY = 0.27
ASSIGN_SIMILARITY = 0.25
#: How rare a word is, for its weight, is told among this many texts (about the distinct texts of the two months a
#: city's report compares), not among the texts at hand: a word's weight, and so which texts are alike, does not
#: change with requests about other matters.
REFERENCE_TEXTS = 60_000
#: Words of each profile compared when merging.
PROFILE_WORDS = 30
#: Smallest cluster kept (requests), and how many clusters get a profile of their own.
MIN_CLUSTER = 3
#: Smallest group of alike texts kept from the seeds: a pair too small to be a topic is one with other pairs
#: the knowledge base names alike (老板欠薪跑路 and 欠薪找哪个部门, 公司拖欠工资 and 公司欠我工资).
MIN_GROUP = 2
MAX_PROFILED = 120
MIN_RISING, RISE_RATIO, RISE_Z = 5, 1.5, 2.0
EXAMPLES = 3
#: Words of a profile a topic's label is made from, and how many of its texts (most) must write two of
#: them together for the label to join them; texts of each topic looked at for that.
LABEL_WORDS, PHRASE_SHARE, LABEL_TEXTS = 6, 0.6, 200
EXAMPLE_CHARS = 80
#: A topic is named by the knowledge base's term (:class:`Vocabulary`) that this share of its requests write;
#: of two terms, the longer when written in this share of the requests the other is written in; and a word
#: joins that name when this share of the requests write it.
NAME_SHARE, SPECIFIC_SHARE, EXTRA_SHARE = 0.3, 0.8, 0.5
#: Length of a keyword or title that may name a topic, and characters that say it is a question, not a name.
NAME_CHARS = (2, 8)
_NOT_IN_NAMES = frozenset("？?，,。怎么吗如何哪")
#: What a label is never made of (:func:`spoken`): the words callers say around a matter (还有那个声音, 人也找不着了),
#: an amount said for emphasis (一分钱也没给), and the tags of words that name nothing (sounds: 咚咚; particles,
#: pronouns, numbers, adverbs …).
NOT_MATTERS = frozenset("""
还有 没法 没有 不行 不了 不着 找不着 找不到 一直 已经 现在 到底 那个 这个 这样 那样 好像 感觉 觉得 知道 听说 实在 真是
到处 天天 整天 老是 总是 根本 完全 差不多 怎么办 能不能 可不可以 有没有 是不是
""".split())
_AMOUNT = re.compile("^[一两几半][分点些下次个块毛回遍]")
_NO_MATTER_TAGS = frozenset("o e y u ud ug uj ul uv uz d dg ad p c r rr rz rg m mq q x zg".split())
#: Characters that end a word guessed by the segmenter across two words (狗要 of 狗要打, 吵得 of 吵得没法睡), and
#: the doing that starts one (办狗证: the matter is 狗证).
_JOINED_END = frozenset("要得的了着过地吗呢吧啊呀也都就还")
_DOING_START = frozenset("办补换领交查开打问")
#: Texts of a topic in which a label word is checked, and the share of them that must write it as a word.
SPOKEN_TEXTS, SPOKEN_SHARE = 12, 0.5


# -- clustering ------------------------------------------------------------------------------------


def _similar(index: WordIndex, places: np.ndarray, term: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Cosine similarity of every text to a vector, 0 for a text sharing none of its words but places':
    requests at 新华小区 about the street lights and about parked cars are not alike."""
    sims = index.scores(term, weight)
    matter = term[~places[term]]
    sims[index.scores(matter, np.ones(len(matter), dtype=np.float32)) <= 0] = 0
    return sims


def _kinds(index: WordIndex) -> tuple[np.ndarray, np.ndarray]:
    """Texts of one kind: the same vector (the same content words, as often). The kind of each text (-1: it has
    no content word), kinds numbered in the order of their first texts; and the first text of each."""
    order = np.argsort(index.docs, kind="stable")
    docs = index.docs[order].astype(np.int64)
    if not len(docs):
        return np.full(index.n, -1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # A hash of each text's (word, weight) pairs, summed: alike for texts with alike vectors, and only for them.
    salt = np.random.default_rng(0).integers(1, 2 ** 63, size=len(index.indptr), dtype=np.uint64)
    bits = index.weights[order].view(np.uint32).astype(np.uint64)
    with np.errstate(over="ignore"):
        pair = salt[index.term[order]] * (bits | np.uint64(1 << 40))
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    worded = docs[starts]
    digest = np.add.reduceat(pair, starts)
    _same, first, inverse = np.unique(digest, return_index=True, return_inverse=True)
    by_first = np.argsort(worded[first], kind="stable")
    number = np.empty(len(first), dtype=np.int64)
    number[by_first] = np.arange(len(first))
    kind = np.full(index.n, -1, dtype=np.int64)
    kind[worded] = number[inverse.ravel()]
    return kind, worded[first][by_first]


def _cover(index: WordIndex, weights: np.ndarray, places: np.ndarray) -> list[np.ndarray]:
    """Groups of texts, greedily: of the texts that weigh at least as much as every unclaimed text alike to them,
    the one whose unclaimed neighbours weigh most forms the next group; then again among those left.

    Every text may start a group (one of each kind: :func:`_kinds`), and of two that weigh alike the first wins,
    so a group depends on the texts alike to its own only: requests about other matters, however many, change
    neither which texts are tried nor the order they are taken in. A text weighing less than one alike to it
    starts none while that one is unclaimed: 共享单车乱停乱放 would join the shared bikes with the cars parked
    anyhow (车辆乱停乱放), while the bikes' most written request (共享单车停在盲道上) keeps to the bikes."""
    kind, first = _kinds(index)
    if not len(first):
        return []
    worded = kind >= 0
    heavy = np.bincount(kind[worded], weights=weights[worded], minlength=len(first))
    kinds = index.restricted(first)
    near = [np.flatnonzero(_similar(kinds, places, *vector) >= JOIN_SIMILARITY) for vector in kinds.doc_vectors()]
    claimed = np.zeros(len(first), dtype=bool)
    groups = np.full(len(first), -1, dtype=np.int64)
    count = 0
    while True:
        free = [m[~claimed[m]] for m in near]
        heap = [(-float(heavy[f].sum()), seed) for seed, f in enumerate(free)
                if not claimed[seed] and heavy[f].sum() >= MIN_GROUP and heavy[seed] >= heavy[f].max()]
        if not heap:
            break
        heapq.heapify(heap)
        while heap:
            _neg, seed = heapq.heappop(heap)
            found = near[seed][~claimed[near[seed]]]
            weight = float(heavy[found].sum())
            if claimed[seed] or weight < MIN_GROUP:
                continue
            if heap and (-weight, seed) > heap[0]:
                heapq.heappush(heap, (-weight, seed))  # stale: try again with its current weight, in its place
                continue
            claimed[found] = True
            groups[found] = count
            count += 1
    of_text = np.where(worded, groups[np.maximum(kind, 0)], -1)
    order = np.argsort(of_text, kind="stable")
    return np.split(order, np.cumsum(np.bincount(of_text + 1, minlength=count + 1))[:-1])[1:]


class Profiles:
    """Cluster profiles: each a unit vector over words, the weighted sum of its texts' vectors."""

    def __init__(self, index: WordIndex, groups: list[np.ndarray], weights: np.ndarray):
        self.index = index
        number = np.full(index.n, -1, dtype=np.int64)
        for i, g in enumerate(groups):
            number[g] = i
        self.vectors = index.group_vectors(number, weights)
        self.sizes = [float(weights[g].sum()) for g in groups]

    def merge(self, threshold: float, keys=None) -> list[int]:
        """Merge profiles closer than ``threshold`` (most similar pair first); returns each one's new number.

        ``keys`` name each profile's matter as the knowledge base does (:meth:`Vocabulary.key`, "" for
        none): two profiles named by different synonym groups are two matters, however alike (欠薪 at a
        工地 and 噪音 at one)."""
        k = len(self.vectors)
        keys = list(keys) if keys is not None else [""] * k
        owner = list(range(k))
        if k < 2:
            return owner
        terms = np.unique(np.concatenate([t[np.argsort(-w)[:PROFILE_WORDS]] for t, w in self.vectors]))
        column = {int(t): i for i, t in enumerate(terms)}
        dense = np.zeros((k, len(terms)), dtype=np.float64)
        for row, (t, w) in enumerate(self.vectors):
            keep = np.isin(t, terms)
            dense[row, [column[int(x)] for x in t[keep]]] = w[keep]
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        dense /= np.where(norms == 0, 1, norms)
        sizes = np.array(self.sizes)
        alive = np.ones(k, dtype=bool)
        sims = dense @ dense.T
        np.fill_diagonal(sims, -1)
        sims[_apart(keys)] = -1
        while True:
            masked = np.where(alive[:, None] & alive[None, :], sims, -1)
            i, j = divmod(int(np.argmax(masked)), k)
            if masked[i, j] < threshold:
                break
            i, j = (i, j) if sizes[i] >= sizes[j] else (j, i)
            merged = dense[i] * sizes[i] + dense[j] * sizes[j]
            dense[i] = merged / (np.linalg.norm(merged) or 1)
            sizes[i] += sizes[j]
            alive[j] = False
            owner = [i if o == j else o for o in owner]
            keys[i] = keys[i] if keys[i].startswith(Synonyms.MARK) else keys[j] or keys[i]
            sims[i] = sims[:, i] = dense @ dense[i]
            sims[i, i] = -1
            sims[i, _apart(keys)[i]] = -1
            sims[:, i] = sims[i]
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        self.vectors = [(terms[np.flatnonzero(dense[i])], dense[i][np.flatnonzero(dense[i])].astype(np.float32))
                        if alive[i] else empty for i in range(k)]
        return owner


def _apart(keys: list[str]) -> np.ndarray:
    """Which pairs of profiles are named by different synonym groups (:meth:`Vocabulary.key`): two matters."""
    grouped = np.array([key.startswith(Synonyms.MARK) for key in keys])
    return grouped[:, None] & grouped[None, :] & (np.array(keys)[:, None] != np.array(keys)[None, :])


def topic_words(index: WordIndex, term: np.ndarray, weight: np.ndarray, size: int = LABEL_WORDS) -> list[str]:
    """The heaviest words of a topic's vector, heaviest first: no word of a place's name (新华 of
    新华小区 says where, not what), and no word of one character twice (路路, of 学府路路灯 cut in the
    wrong place). A synonym group is one word (``Synonyms.MARK``)."""
    out = []
    for t in term[np.argsort(-weight, kind="stable")]:
        word = index.words[int(t)]
        if word not in index.places and len(set(word)) > 1:
            out.append(word)
        if len(out) == size:
            break
    return out


@functools.lru_cache(maxsize=20_000)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(rjieba.tag(text))


def spoken(word: str, texts: list[str]) -> str:
    """``word`` as a person names a matter by it in ``texts`` (a topic's heaviest texts, or a query), or "" when
    it names none: the segmenter's words, not the pieces of them a search matches by (分钱 of 一分钱, written as
    a word in few of the texts); no sound, particle, number or filler (咚咚, 还有, 没法, 一分钱); and of a word the
    segmenter guessed, not in its dictionary, none glued to the next word's start (狗要 of 狗要打, 吵得), and
    the matter without the doing (办狗证: 狗证). A word of a synonym group (``Synonyms.MARK``) is as it is."""
    if word.startswith(Synonyms.MARK):
        return word
    if len(word) < 2 or word in NOT_MATTERS or _AMOUNT.match(word):
        return ""
    known = rjieba.has_word(word)
    holding = [t for t in texts if word in t][:SPOKEN_TEXTS]
    if holding and all(_only_asked(word, normalize(t)) for t in holding):
        return ""  # what is asked of the matter (花钱 of 社保卡补办要花钱吗), not a matter
    tags = Counter()
    for text in holding:
        # The word itself, or a word of the dictionary that starts or ends a longer one (垃圾 of 垃圾桶, 清运 of
        # 垃圾清运), as long as that one names a matter (not 分钱 of 一分钱).
        tag = next((tag for w, tag in _tagged(text) if w == word), None) or next(
            (tag for w, tag in _tagged(text) if known and (w.startswith(word) or w.endswith(word))
             and w not in NOT_MATTERS and not _AMOUNT.match(w)), None)
        if tag is not None:
            tags[tag] += 1
    if holding and sum(tags.values()) < SPOKEN_SHARE * len(holding):
        return ""  # a piece of longer words, or across two
    if tags and tags.most_common(1)[0][0] in _NO_MATTER_TAGS:
        return ""
    if known:
        return word
    if word[-1] in _JOINED_END:
        return ""
    if word[0] in _DOING_START and len(word) > 2:
        return word[1:]
    return word


def _only_asked(word: str, text: str) -> bool:
    """Whether every time ``word`` is in ``text`` it is within words asking an aspect of the matter (ASKED_ASPECT)."""
    mask = aspect_mask(text)
    at = [m.start() for m in re.finditer(re.escape(word), text)]
    return bool(at) and all(all(mask[i:i + len(word)]) for i in at)


def label_words(words: list[str], texts: list[str], weights: np.ndarray, known=lambda term: False,
                size: int = 3) -> list[str]:
    """A topic's label: its heaviest words, joined where its texts write them as one term.

    Two words that make a ``known`` term (a synonym group's, or a dictionary word) and that the
    topic's texts mostly write one after the other become one (共享 + 单车 → 共享单车); a word inside
    one already taken is left out (单车 beside 共享单车).
    """
    words = list(words)
    total = float(weights.sum()) or 1.0

    def share(phrase: str) -> float:
        return sum(w for t, w in zip(texts, weights) if phrase in t) / total

    def joinable():
        return next(((a, b) for a in words for b in words
                     if a != b and known(a + b) and share(a + b) >= PHRASE_SHARE * min(share(a), share(b)) > 0), None)

    while pair := joinable():
        a, b = pair
        words[words.index(a)] = a + b
        words.remove(b)
    out = []
    for word in words:
        if not any(word in w or w in word for w in out):
            out.append(word)
        if len(out) == size:
            break
    return out


class Vocabulary:
    """The knowledge base's own names of matters: the terms of its synonym groups, its entries' keywords and
    titles short enough to be a name (路灯不亮), so that a topic is named as the knowledge base names it
    (居住证, 失业金, 拖欠工资) rather than by pieces of its texts (居住、材料; 失业、能领)."""

    def __init__(self, synonyms: Synonyms, terms=()):
        #: Each term → its synonym group's terms (the group's first term first), or itself alone.
        self.group: dict[str, tuple[str, ...]] = {}
        for group in synonyms.terms.values():
            for term in group:
                self.group.setdefault(term, tuple(group))
        self.grouped = set(self.group)
        for term in terms:
            term = normalize(str(term)).strip()
            if NAME_CHARS[0] <= len(term) <= NAME_CHARS[1] and not set(term) & _NOT_IN_NAMES:
                self.group.setdefault(term, (term,))
        self.group = {t: g for t, g in self.group.items() if t not in ASKING_WORDS}
        self.holding: dict[str, set[str]] = defaultdict(set)
        for term in self.group:
            for i in range(len(term) - 1):
                self.holding[term[i:i + 2]].add(term)

    def related(self, word: str) -> set[str]:
        """The terms holding a word or held in it (暖气 in 暖气片), or a synonym group's terms."""
        if word.startswith(Synonyms.MARK):
            return set(self.group.get(word[1:], ()))
        return {t for t in self.holding.get(word[:2], ()) if word in t} | {p for p in stretches(word) if p in self.group}

    def name(self, words: list[str], texts: list[str], weights: np.ndarray) -> tuple[str, ...] | None:
        """The synonym group (or term alone) naming a topic: of the terms related to its heaviest word that
        has one written in ``NAME_SHARE`` of its texts, the one written most, or a more specific (longer) one
        written about as often; its term the texts write most comes first. None when no word has one."""
        total = float(weights.sum()) or 1.0

        def share(terms) -> float:
            return sum(w for t, w in zip(texts, weights) if any(term in t for term in terms)) / total

        for word in words:
            scored = [(share(self.group[t]), t) for t in sorted(self.related(word))]
            best = max((score for score, _t in scored), default=0.0)
            if best >= NAME_SHARE:
                _length, _score, term = max((len(t), score, t) for score, t in scored
                                            if score >= SPECIFIC_SHARE * best)
                group = self.group[term]
                return tuple(sorted(group, key=lambda g: (-share([g]), group.index(g))))
        return None

    def key(self, named: tuple[str, ...] | None) -> str:
        """What tells a matter :meth:`name` names apart ("" for none): topics named alike are one matter.
        A synonym group's starts with ``Synonyms.MARK``: two groups are two matters (:meth:`Profiles.merge`),
        while two keywords may name one (路灯坏了, 路灯不亮)."""
        if not named:
            return ""
        return Synonyms.MARK + min(named) if named[0] in self.grouped else named[0]


def topic_label(words: list[str], texts: list[str], weights: np.ndarray, index: WordIndex,
                vocabulary: Vocabulary | None, size: int = 3) -> tuple[list[str], str]:
    """A topic's label words, and the key of the knowledge base's name for it ("" for none): the term the
    knowledge base names its matter by (:meth:`Vocabulary.name`) first, then the heaviest words
    (:func:`label_words`) not in it that many of its texts write (``EXTRA_SHARE``)."""
    written = [index.synonyms.written(w, texts, weights) for w in words]
    # The knowledge base's own terms are names as they are; other words only as people say them (:func:`spoken`).
    written = list(dict.fromkeys(filter(None, (w if vocabulary and w in vocabulary.group else spoken(w, texts)
                                              for w in written))))
    rest = label_words(written, texts, weights, lambda term: index.known(term) or bool(vocabulary and
                                                                                   term in vocabulary.group), size)
    named = vocabulary.name(words, texts, weights) if vocabulary else None
    if not named:
        return rest, ""
    total = float(weights.sum()) or 1.0

    def share(word: str) -> float:
        return sum(x for t, x in zip(texts, weights) if word in t) / total

    # A term of the knowledge base the texts write that holds the name (暖气不热 of 暖气) names the topic
    # more closely, whichever of its words weighed most in this period's or region's texts.
    head = next((w for w in rest if w in vocabulary.group and any(g in w for g in named) and share(w) >= NAME_SHARE),
                named[0])
    extra = [w for w in rest if not any(w in g or g in w for g in (*named, head)) and share(w) >= EXTRA_SHARE]
    return [head, *extra][:size], vocabulary.key(named)


def matter_terms(snap) -> list[str]:
    """The entries' keywords and titles: the knowledge base's names of matters (see :class:`Vocabulary`)."""
    return [term for entry in snap.entry_list for term in (*entry.keywords, entry.title)]


def cluster_texts(texts: list[str], weights=None, synonym_groups=(), terms=()) -> tuple[np.ndarray, list[list[str]]]:
    """A topic number for every text (-1: in none), topics numbered by weight; and each topic's words.

    ``texts`` are normalised (analysis.normalize); ``weights`` (default 1) is how many requests each
    distinct text stands for; ``synonym_groups`` (synonyms.yaml) join texts that name one matter
    in different words; ``terms`` are the knowledge base's other names of matters (keywords, short titles),
    which with the synonyms name the topics (:class:`Vocabulary`). Texts are grouped
    greedily around seed texts (cosine of content words), groups whose profiles are alike are
    merged (paraphrases of one matter), and every text then joins the nearest profile. Topics the
    knowledge base names alike are one matter said in other words (公司拖欠工资 and 老板欠薪跑路): joined.
    """
    n = len(texts)
    if not n:
        return np.full(0, -1, dtype=np.int64), []
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    index = WordIndex(texts, CLUSTER_CHARS, normalized=True, synonym_groups=synonym_groups, reference=REFERENCE_TEXTS)
    places = np.array([word in index.places for word in index.words], dtype=bool)
    vocabulary = Vocabulary(index.synonyms, terms) if index.synonyms or terms else None
    groups = _fold_small(index, texts, weights, _cover(index, weights, places), vocabulary)[:MAX_PROFILED]
    if not groups:
        return np.full(n, -1, dtype=np.int64), []
    profiles = Profiles(index, groups, weights)
    owner = profiles.merge(MERGE_SIMILARITY, _keys(index, texts, weights, groups, profiles.vectors, vocabulary))
    labels = np.full(n, -1, dtype=np.int64)
    for number, group in enumerate(groups):
        labels[group] = owner[number]
    best = np.full(n, ASSIGN_SIMILARITY, dtype=np.float32)
    for number in sorted(set(owner)):
        sims = _similar(index, places, *profiles.vectors[number])
        better = sims >= best
        labels[better], best[better] = number, sims[better]
    out = _by_weight(labels, weights)
    names, keys = _labels(index, texts, weights, out, vocabulary)
    first = {}
    same = np.array([first.setdefault(key, rank) if key else rank for rank, key in enumerate(keys)], dtype=np.int64)
    if len(first) < sum(1 for key in keys if key):
        out = _by_weight(np.where(out >= 0, same[np.maximum(out, 0)], -1), weights)
        names = _labels(index, texts, weights, out, vocabulary)[0]
    return out, names


def _fold_small(index, texts, weights, groups, vocabulary) -> list[np.ndarray]:
    """The groups of at least ``MIN_CLUSTER`` requests, heaviest first, once each smaller one has joined the
    biggest other group the knowledge base names alike (:meth:`Vocabulary.key`) or, for one named by a synonym
    group, whose heaviest words hold that group and which no other group names (农民工工资 beside 欠薪; not
    充电桩 beside 物业, two matters: :func:`_apart`). Requests in different terms of one group (欠薪, 拖欠工资) share
    fewer words than paraphrases in the same terms, so they come in pairs; the pairs of one matter make its topic."""
    sizes = [float(weights[g].sum()) for g in groups]
    small = {i for i, size in enumerate(sizes) if size < MIN_CLUSTER}
    if small and vocabulary is not None:
        number = np.full(index.n, -1, dtype=np.int64)
        for i, g in enumerate(groups):
            number[g] = i
        words = [topic_words(index, *vector) for vector in index.group_vectors(number, weights)]
        named = [vocabulary.name(w, *_heaviest(g, texts, weights)) for w, g in zip(words, groups)]
        keys = [vocabulary.key(n) for n in named]
        biggest = sorted(range(len(groups)), key=lambda i: -sizes[i])
        joined = [list(g) for g in groups]
        for i in sorted(small, key=lambda i: -sizes[i]):
            mark = index.synonyms.group.get(named[i][0]) if keys[i].startswith(Synonyms.MARK) else None
            target = next((j for j in biggest if j != i and joined[j] and keys[i]
                           and (keys[j] == keys[i] or mark in words[j] and not keys[j].startswith(Synonyms.MARK))),
                          None)
            if target is not None:
                joined[target].extend(joined[i])
                joined[i] = []
        groups = [np.asarray(sorted(g), dtype=np.int64) for g in joined]
    kept = [g for g in groups if len(g) and float(weights[g].sum()) >= MIN_CLUSTER]
    return sorted(kept, key=lambda g: -float(weights[g].sum()))


def _by_weight(labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Topics renumbered from the heaviest, those under ``MIN_CLUSTER`` requests dropped (-1)."""
    count = int(labels.max()) + 1 if len(labels) else 0
    totals = np.bincount(labels[labels >= 0], weights=weights[labels >= 0], minlength=count)
    order = [int(i) for i in np.argsort(-totals, kind="stable") if totals[i] >= MIN_CLUSTER]
    renumber = np.full(count, -1, dtype=np.int64)
    renumber[order] = np.arange(len(order))
    return np.where(labels >= 0, renumber[np.maximum(labels, 0)], -1)


def _heaviest(members: np.ndarray, texts: list[str], weights: np.ndarray) -> tuple[list[str], np.ndarray]:
    """A topic's heaviest texts (``LABEL_TEXTS`` at most), which its label is read from, and their weights."""
    members = members[np.argsort(-weights[members], kind="stable")[:LABEL_TEXTS]]
    return [texts[i][:CLUSTER_CHARS] for i in members], weights[members]


def _keys(index, texts, weights, groups, vectors, vocabulary) -> list[str]:
    """The key of the knowledge base's name (:meth:`Vocabulary.key`) of each group of texts."""
    if vocabulary is None:
        return [""] * len(groups)
    return [vocabulary.key(vocabulary.name(topic_words(index, *vector), *_heaviest(group, texts, weights)))
            for group, vector in zip(groups, vectors)]


def _labels(index, texts, weights, out, vocabulary) -> tuple[list[list[str]], list[str]]:
    """Each topic's label words and name key (:func:`topic_label`), from its heaviest texts."""
    count = int(out.max()) + 1 if len(out) else 0
    vectors = index.group_vectors(out, weights)
    members_of = np.split(np.argsort(out, kind="stable"), np.cumsum(np.bincount(out + 1, minlength=count + 1)))
    labelled = [topic_label(topic_words(index, *vectors[rank]), *_heaviest(members_of[rank + 1], texts, weights),
                            index, vocabulary) for rank in range(count)]
    return [words for words, _key in labelled], [key for _words, key in labelled]


# -- the report ------------------------------------------------------------------------------------


def _left_out(keys: list[str], labels: np.ndarray, current: np.ndarray, topics: list[dict]) -> dict:
    """The period's requests in no listed topic by why (see ``LEFT_OUT``): saying nothing particular (no
    content word: asdfghjkl), alike to too few others, or in a topic too small to be listed."""
    if not len(keys):
        return dict.fromkeys(LEFT_OUT, 0)
    alone = Counter(keys[i] for i in np.flatnonzero(current & (labels < 0)))
    vague = sum(n for key, n in alone.items() if not content_words(key[:CLUSTER_CHARS], normalized=True))
    listed = sum(t["current"] for t in topics)
    return {"vague": vague, "apart": sum(alone.values()) - vague,
            "unlisted": int((labels[current] >= 0).sum()) - listed}


def text_key(text: str) -> str:
    """A logged (masked) text as it is clustered: normalised, one space between words, without the labels
    masking put in place of personal details (``[姓名]``, ``[手机号]`` …: they say nothing about the matter,
    and are no word of a topic's label)."""
    return normalize(" ".join(without_labels(text).split()))


def opened_from(logged) -> list[str]:
    """For each search of a log in time order, the entry opened from it ("" for none).

    ``logged`` holds (query, audience, opened, is_open) rows: a search, with the entry opened recorded on
    its row (the staff app's, the first it opened), or an open row of its own carrying the query it was
    found by (the public site's and the API's, which log searches and opens apart; another entry opened
    from a staff search). An open row goes to the latest search before it of the same query and audience
    that has no entry yet; one with none (its search before the period, or a second answer opened from
    one search) goes to no search.
    """
    out: list[str] = []
    waiting: dict[tuple[str, str], list[int]] = defaultdict(list)
    for query, audience, opened, is_open in logged:
        if not is_open:
            out.append(opened)
            if not opened:
                waiting[(query, audience)].append(len(out) - 1)
        elif stack := waiting.get((query, audience)):
            out[stack.pop()] = opened
    return out


@dataclasses.dataclass
class Request:
    at: str
    text: str
    entry: str
    source: str
    region: str
    #: The text as it is clustered (text_key: normalised, one space between words, no masking labels).
    key: str = ""


@dataclasses.dataclass
class HotReport:
    """The hot issues of a period against the previous one."""

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    region: str | None
    totals: dict
    topics: list[dict]
    by_entry: list[dict]
    by_region: list[dict]
    trend: list[dict]
    seconds: float = 0.0
    unit: str | None = None
    #: The unit's name (``Snapshot.unit_name``), "" for all units.
    unit_name: str = ""
    #: What the figures leave out or cannot show, one sentence each (:meth:`HotIssues.notes`).
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def rising(self) -> list[dict]:
        return [t for t in self.topics if t["rising"]]

    def scope(self) -> dict:
        """What the figures cover (:data:`SCOPE`): the period, the one compared with, the region and the unit."""
        return {"period": f"{self.start} 至 {self.end}", "compared": f"{self.previous_start} 至 {self.previous_end}",
                "scope_region": self.region or ALL_REGIONS, "scope_unit": self.unit_name or self.unit or ALL_UNITS}

    def csv(self, section: str | None = None) -> str:
        """Every table as CSV text, one block per section headed by its title; or one ``section``'s table alone.

        Every row starts with what the figures cover (:meth:`scope`); a table without rows has one row saying
        only that, so that no part of a file is without it."""
        scope = {SCOPE[key]: value for key, value in self.scope().items()}

        def table(key: str) -> str:
            return to_csv(getattr(self, key), SECTIONS[key][1], scope)

        if section:
            return table(section)
        return "\n".join(f"# {title}\n" + table(key) for key, (title, _columns) in SECTIONS.items())

    def filename(self) -> str:
        """The name a downloaded CSV is saved under: the period, and the region and unit it is limited to."""
        return "-".join(["kb-hot", str(self.start), str(self.end), *filter(None, (self.region, self.unit))]) + ".csv"


#: Said beside the totals when imported work orders dated in the period were left out.
IMPORTED_NOTE = "另有导入的历史工单 {n} 件（kb dispatch --learn）：是以前受理的工单，不是本期的诉求，未计入。"
#: Said when the whole period is after today: no request can be in it yet.
FUTURE_NOTE = "所选时段 {start} 至 {end} 在今天（{today}）之后，还不会有诉求：请选择今天以前的日期。"
#: Said when the period asked for ends after today: it is cut at today.
CUT_NOTE = ("结束日期 {asked} 晚于今天，按今天（{today}）计算：本期 {start} 至 {end}，与之前同样长的 {previous_start} 至 "
            "{previous_end} 比较。")
#: Why requests of the period are in no listed topic (:attr:`HotReport.totals` ``left_out``), in this order.
LEFT_OUT = {"vague": "{n} 件没有说明事项的词（如“asdfghjkl”，或只有“办证”“怎么办”一类的词）",
            "apart": f"{{n}} 件与其他诉求都不够相近（内容相近的不足 {MIN_CLUSTER} 件，不成议题）",
            "unlisted": "{n} 件属于排在所列议题之后的较小议题"}

SECTIONS = {
    "topics": ("热点议题", {"rank": "序号", "label": "议题", "current": "本期", "previous": "上期", "change": "变化",
                         "change_rate": "变化率", "flag": "趋势", "searches": "查询", "dispatches": "派单",
                         "regions_text": "区域分布", "entries_text": "涉及事项", "examples_text": "示例"}),
    "by_entry": ("按事项", {"entry": "事项编号", "title": "事项", "unit_name": "主办/所属单位", "current": "本期",
                          "previous": "上期", "change": "变化", "flag": "趋势"}),
    "by_region": ("按区域", {"region": "区域", "current": "本期", "previous": "上期", "change": "变化", "flag": "趋势",
                           "top_topic": "最多的议题"}),
    "trend": ("每日趋势", {"day": "日期", "label": "议题", "requests": "诉求数"}),
}
#: What the figures cover, in the first columns of every row of the CSV: a file saved and opened later, or a
#: table copied out of it, says which period, against which, and of which region and unit.
SCOPE = {"period": "统计期", "compared": "对比期", "scope_region": "区域范围", "scope_unit": "承办单位"}


def rising(current: int, previous: int) -> bool:
    """Whether a count rose beyond chance from the previous period to this one."""
    if current < MIN_RISING or (current + 1) / (previous + 1) < RISE_RATIO:
        return False
    return (current - previous) / math.sqrt(current + previous) >= RISE_Z


def flag(current: int, previous: int) -> str:
    if rising(current, previous):
        return "新出现" if previous == 0 else "上升"
    return ""


def trend(current: int, previous: int) -> str:
    """The 趋势 shown beside the 变化率: the rise (:func:`flag`), or for a count the previous period did not
    have and too small to call a rise, 新出现（不足 5 件）: a 变化率 of 新 never stands beside no 趋势."""
    if not flag(current, previous) and current and not previous:
        return f"新出现（不足 {MIN_RISING} 件）"
    return flag(current, previous)


def _change(current: int, previous: int) -> dict:
    rate = (current - previous) / previous if previous else None
    return {"current": current, "previous": previous, "change": current - previous,
            "change_rate": f"{rate:+.0%}" if rate is not None else ("新" if current else ""),
            "rising": rising(current, previous), "flag": trend(current, previous)}


def periods(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [start, end]."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


class HotIssues:
    """Hot issues of one knowledge base (``kb.hot``)."""

    def __init__(self, kb):
        self.kb = kb

    def requests(self, since: dt.date, until: dt.date, unit: str | None = None) -> list[Request]:
        """Searches (each with the entry opened from it: :func:`opened_from`) and dispatch texts from ``since``
        to ``until`` (both included); of ``unit``'s entries only when given (see the module's description).
        Imported work orders (``kb dispatch --learn``) are among them as ``source`` import."""
        lo, hi = since.isoformat(), (until + dt.timedelta(days=1)).isoformat()
        of_unit, params = self.kb.stats.searches_of(unit, lo, hi)
        with self.kb.db_transaction(write=False) as db:
            # Searches, and the answers opened from results that are rows of their own (no hits), in order.
            logged = db.execute("select at, query, audience, coalesce(opened, ''), hits is null from search_log "
                                "where at >= ? and at < ? and query != '' and (hits is not null or opened is not null) "
                                f"{of_unit} order by at, hits is null, id", [lo, hi, *params]).fetchall()
            dispatches = db.execute("select at, text, entry, coalesce(region, ''), source = 'import' "
                                    "from dispatch_history where at >= ? and at < ? and text != '' and source != 'objection'",
                                    [lo, hi]).fetchall()
        snap = self.kb.snapshot()
        if unit:
            led = {e.id for e in snap.directory() if e.lead_unit == unit}
            dispatches = [d for d in dispatches if d[2] in led]
        find = region_finder(snap)
        normal: dict[str, str] = {}

        def norm(text):
            value = normal.get(text)
            if value is None:
                value = normal[text] = text_key(text)
            return value

        searches = [row for row in logged if not row[4]]
        entries = opened_from([(norm(query), audience, opened, is_open) for _at, query, audience, opened, is_open
                               in logged])
        out = []
        regions: dict[str, str] = {}
        for (at, query, _audience, _opened, _is_open), entry in zip(searches, entries):
            key = norm(query)
            region = regions.get(key)
            if region is None:
                region = regions[key] = find(key)
            out.append(Request(at, query, entry, "search", region, key))
        out.extend(Request(at, text, entry, "import" if imported else "dispatch", region, norm(text))
                   for at, text, entry, region, imported in dispatches)
        return out

    def report(self, start: dt.date | None = None, end: dt.date | None = None, region: str | None = None,
               unit: str | None = None, limit: int = 30, trend_topics: int = 6) -> HotReport:
        """The hot issues from ``start`` to ``end`` (default: the 30 days up to today) against the period before,
        of one ``region`` and of one ``unit``'s entries when given."""
        import time

        started = time.perf_counter()
        end = end or self.kb.today()
        start = start or end - dt.timedelta(days=29)
        if start > end:
            raise KbError(f"起始日期 {start} 晚于结束日期 {end}：请调整日期范围。")
        self.check_region(region)
        # Days after today hold no request yet: a period running past today is cut at today, and compared
        # with as many days before it (not with as long a period as was asked for).
        asked_end, today = end, self.kb.today()
        if start <= today < end:
            end = today
        prev_start, prev_end = periods(start, end)
        rows = self.requests(prev_start, end, unit)
        wanted = "" if region == NO_REGION else region
        first = start.isoformat()
        # Imported work orders are history, whatever their dates: no request of the period (said apart).
        imported = sum(1 for r in rows if r.source == "import" and r.at >= first and (not region or r.region == wanted))
        rows = [r for r in rows if r.source != "import"]
        keys = [r.key for r in rows]
        distinct = list(dict.fromkeys(keys))
        position = {k: i for i, k in enumerate(distinct)}
        text_of = np.fromiter((position[k] for k in keys), dtype=np.int64, count=len(keys))
        weights = np.bincount(text_of, minlength=len(distinct)).astype(np.float64)
        snap = self.kb.snapshot()
        # Topics are those of the whole city (or unit): a region's requests are counted in them, so that a
        # district sees its share of each topic the city-wide report lists, with the same name.
        labels, words = cluster_texts(distinct, weights, snap.synonym_groups, matter_terms(snap))
        labels = labels[text_of] if rows else np.full(0, -1, dtype=np.int64)
        if region:
            here = [i for i, r in enumerate(rows) if r.region == wanted]
            rows, keys, labels = [rows[i] for i in here], [keys[i] for i in here], labels[here]
        current = np.array([r.at >= first for r in rows], dtype=bool)
        topics = self._topics(rows, labels, words, current, limit)
        report = HotReport(start, end, prev_start, prev_end, region or None,
                           {"current": int(current.sum()), "previous": int((~current).sum()),
                            "searches": sum(1 for r, c in zip(rows, current) if c and r.source == "search"),
                            "dispatches": sum(1 for r, c in zip(rows, current) if c and r.source == "dispatch"),
                            "clustered": int((labels[current] >= 0).sum()) if rows else 0, "imported": imported,
                            "left_out": _left_out(keys, labels, current, topics)},
                           topics, self._by_entry(rows, current), self._by_region(rows, current, labels, topics),
                           self._trend(rows, labels, topics, trend_topics, prev_start, end), unit=unit or None,
                           unit_name=snap.unit_name(unit) if unit else "")
        report.notes = ([CUT_NOTE.format(asked=asked_end, today=today, start=start, end=end, previous_start=prev_start,
                                         previous_end=prev_end)] if asked_end != end else []) + self.notes(report)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def notes(self, report: HotReport) -> list[str]:
        """What a reader of the figures must know: a period after today, the imported work orders left out,
        and the requests of the period in no listed topic, how many and why (a topic needs ``MIN_CLUSTER``)."""
        out = []
        if report.start > (today := self.kb.today()):
            out.append(FUTURE_NOTE.format(start=report.start, end=report.end, today=today))
        if report.totals["imported"]:
            out.append(IMPORTED_NOTE.format(n=report.totals["imported"]))
        left_out = report.totals["left_out"]
        if parts := [LEFT_OUT[why].format(n=n) for why, n in left_out.items() if n]:
            out.append(f"未归入所列议题的诉求 {sum(left_out.values())} 件：{'；'.join(parts)}。")
        return out

    def regions(self) -> list[str]:
        """The regions a report may be limited to: the districts of units.yaml, and 未标明区域."""
        return [*districts(self.kb.snapshot()), NO_REGION]

    def check_region(self, region: str | None):
        """Refuse a region no request can be in: a typo (西山 for 西山区) would report nothing and say nothing."""
        if region and region not in (known := self.regions()):
            raise KbError(f"没有“{region}”这个区域：可用 {'、'.join(known)}（全市或未写明区域的诉求）。")

    # -- sections --------------------------------------------------------------------------------

    def _topics(self, rows, labels, words, current, limit) -> list[dict]:
        if not len(labels) or labels.max() < 0:
            return []
        n_topics = int(labels.max()) + 1
        cur = np.bincount(labels[current & (labels >= 0)], minlength=n_topics)
        prev = np.bincount(labels[~current & (labels >= 0)], minlength=n_topics)
        score = np.where([rising(int(c), int(p)) for c, p in zip(cur, prev)], 1, 0)
        # The biggest topics of the period, and every rising one.
        order = [int(i) for i in np.lexsort((-cur, -score)) if cur[i] > 0]
        chosen = sorted(order[:limit], key=lambda i: (-cur[i], i))
        members = defaultdict(list)
        for i in np.flatnonzero(current & (labels >= 0)):
            members[int(labels[i])].append(rows[i])
        texts = {t: Counter(" ".join(r.text.split()) for r in members[t]) for t in chosen}
        snap = self.kb.snapshot()
        out = []
        for rank, t in enumerate(chosen, 1):
            label_words = words[t]
            group = members[t]
            regions = Counter(r.region or NO_REGION for r in group)
            entries = Counter(r.entry for r in group if r.entry)
            # The most sent first, those as people write them before those full of masking's labels ([姓名]).
            examples = [text[:EXAMPLE_CHARS] for text, _n in sorted(texts[t].most_common(),
                                                                    key=lambda p: (has_labels(p[0]), -p[1]))[:EXAMPLES]]
            label = "、".join(label_words) or examples[0][:20]
            out.append({"rank": rank, "topic": t, "label": label, "words": label_words,
                        **_change(int(cur[t]), int(prev[t])),
                        "searches": sum(r.source == "search" for r in group),
                        "dispatches": sum(r.source == "dispatch" for r in group),
                        "regions": dict(regions.most_common()),
                        "regions_text": "；".join(f"{k} {v}" for k, v in regions.most_common(5)),
                        "entries": [{"entry": e, "title": self._title(snap, e), "requests": n}
                                    for e, n in entries.most_common(3)],
                        "entries_text": "；".join(f"{self._title(snap, e)} {n}" for e, n in entries.most_common(3)),
                        "examples": examples, "examples_text": " | ".join(examples)})
        return out

    @staticmethod
    def _title(snap, entry_id: str) -> str:
        return snap.title_of(entry_id) or f"{entry_id}（已删除）"

    def _by_entry(self, rows, current) -> list[dict]:
        cur, prev = Counter(), Counter()
        for r, c in zip(rows, current):
            if r.entry:
                (cur if c else prev)[r.entry] += 1
        snap = self.kb.snapshot()
        out = []
        for entry_id in sorted(set(cur) | set(prev), key=lambda e: (-cur[e], -prev[e], e)):
            entry = snap.entries.get(entry_id)
            unit = entry.lead_unit if entry else ""
            out.append({"entry": entry_id, "title": self._title(snap, entry_id), "unit": unit,
                        "unit_name": snap.unit_name(unit) if unit else "", **_change(cur[entry_id], prev[entry_id])})
        return out

    def _by_region(self, rows, current, labels, topics) -> list[dict]:
        cur, prev, top = Counter(), Counter(), defaultdict(Counter)
        for i, (r, c) in enumerate(zip(rows, current)):
            region = r.region or NO_REGION
            (cur if c else prev)[region] += 1
            if c and labels[i] >= 0:
                top[region][int(labels[i])] += 1
        names = {t["topic"]: t["label"] for t in topics}
        out = []
        for region in sorted(set(cur) | set(prev), key=lambda g: (-cur[g], g)):
            best = next((t for t, _n in top[region].most_common() if t in names), None)
            out.append({"region": region, **_change(cur[region], prev[region]),
                        "top_topic": names.get(best, "") if best is not None else ""})
        return out

    def _trend(self, rows, labels, topics, count, since, until) -> list[dict]:
        shown = [t for t in topics if t["rising"]][:count]
        shown += [t for t in topics if t not in shown][:max(0, count - len(shown))]
        wanted = {t["topic"]: t["label"] for t in shown}
        days = [(since + dt.timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]
        counts = Counter()
        for i, r in enumerate(rows):
            t = int(labels[i]) if len(labels) else -1
            if t in wanted:
                counts[(r.at[:10], t)] += 1
        return [{"day": d, "label": wanted[t], "requests": counts[(d, t)]} for t in wanted for d in days]
