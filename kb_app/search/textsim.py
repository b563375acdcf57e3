"""Text similarity for learning from use: TF-IDF cosine indexes held in numpy arrays.

Two front-ends share one index (:class:`TfidfIndex`, postings in CSR form, one row per term):

* :class:`BigramIndex` — pairs of adjacent Chinese characters, built with a single sort of one
  int64 key per pair (no per-text Python work but slicing); robust to segmentation and typos, used
  for the dispatch history's nearest past requests (``kb_app.dispatch.history``);
* :class:`WordIndex` — content words (rjieba in search mode, without question, filler and
  complaint words); two phrasings of one matter share its words more than its character pairs,
  so it is used to group requests into topics (``kb_app.usage.hot``) and queries into missing answers.

Term weights are ``(1 + log tf) · idf`` with the BM25 idf ``log(1 + (N - df + .5) / (df + .5))``,
each document scaled to unit length, so a query's scores are cosine similarities.
"""

from __future__ import annotations

import numpy as np
import rjieba

from .analysis import STOPWORDS, normalize
from ..exceptions import KbError

#: Bits of a term number and of a document number in a combined sort key.
DOC_BITS = 21
MAX_DOCS = 1 << DOC_BITS
#: Words that say nothing about what a request is about.
GENERIC_WORDS = frozenset("""
反映 投诉 咨询 举报 问题 情况 希望 要求 相关 部门 解决 处理 办理 市民 来电 来电人 请问 现在 已经 一直 目前 这个 那个
没有 不能 不是 可以 能够 还是 因为 所以 但是 而且 如果 我们 你们 他们 自己 大家 时候 时间 地方 东西 事情 进行
请求 领导 政府 相关部门 有关部门 尽快 及时 严重 影响 存在 导致 出现 发生 造成 无人 多次 给予 予以 谢谢 您好 你好
麻烦 再次 一下 好几 几天 还在 太大 太多 管管 一管 联系电话 电话 联系 号码 手机号 身份证号 人理 没人理 没人管 没人问
号楼 单元 号院 楼层 开始 这样 生活 管一管 找谁 谁管 谁负责 归谁管 哪个部门 哪个单位 负责 主管部门 公司 单位
""".split())
#: What a request asks of its matter rather than the matter: to get a card again, what to bring, how long,
#: where, and that the thing was lost. Shared alone they join unrelated matters (护照丢了怎么补办 with
#: 社保卡丢了怎么补办), so they neither make two texts alike nor name a topic.
ASKING_WORDS = frozenset("""
补办 补领 补发 补换 换领 换发 换证 重办 挂失 申领 申办 申请 领取 能领 办证 续签 续办 延期 到期 过期 审批 审核
丢了 丢失 遗失 弄丢 掉了 找不到 材料 资料 手续 流程 条件 需要 多久 多长时间 多少钱 去哪 去哪里 哪里 在哪 在哪里
查询 进度 怎么弄 咋弄
""".split())


#: First characters of the fragments the segmenter glues from a question word and a one-character verb
#: (去哪补 → 去 + 哪补, 在哪交 → 在 + 哪交, 咋办): where or how a request asks, never what it is about.
QUESTION_STARTS = frozenset("哪啥咋怎")
#: Second characters of 不 + a word of wish or permission (物业不让装 → 不让 + 装, 不给办, 不准): that
#: something was refused, not what (不热, 不亮 and 不通 say what is wrong, and stay).
REFUSAL_ENDS = frozenset("让给准许肯予用要会想愿")


def asking_fragment(word: str) -> bool:
    """Whether a word is a piece of how a request asks (哪补, 哪换, 咋弄), wants (想办, 想问) or says it was
    refused (不让, 不给): the whole family, which no list of such words would cover."""
    return bool(word) and (word[0] in QUESTION_STARTS or (len(word) == 2 and (
        word[0] == "想" or (word[0] == "不" and word[1] in REFUSAL_ENDS))))


class TfidfIndex:
    """Cosine TF-IDF over postings ``(term, doc, count)`` sorted by term, in CSR arrays."""

    def __init__(self, n_docs: int, n_terms: int, term, doc, count, df=None, idf=None,
                 max_df_ratio: float = 0.0):
        self.n = n_docs
        if df is None:
            df = np.bincount(term, minlength=n_terms).astype(np.float64)
        self.df = df
        if idf is None:
            idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.idf = idf
        weight = ((1.0 + np.log(count.astype(np.float32))) * self.idf[term] if len(term)
                  else np.zeros(0, np.float32))
        norms = np.sqrt(np.bincount(doc, weights=weight.astype(np.float64) ** 2, minlength=n_docs))
        norms[norms == 0] = 1.0
        weight = (weight / norms[doc]).astype(np.float32)
        if max_df_ratio:
            # Very common terms decide nothing and make most of the postings.
            keep = self.df[term] <= max_df_ratio * n_docs
            doc, term, weight = doc[keep], term[keep], weight[keep]
        self.term = term
        self.docs = doc.astype(np.int32)
        self.weights = weight
        self.indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=n_terms), out=self.indptr[1:])

    def vector(self, term: np.ndarray, count: np.ndarray,
               max_terms: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """A unit-length query vector (term ids, weights) of term counts; the rarest ``max_terms`` kept."""
        weight = (1.0 + np.log(count.astype(np.float32))) * self.idf[term]
        norm = float(np.sqrt((weight.astype(np.float64) ** 2).sum())) or 1.0
        weight = weight / norm
        if max_terms and len(term) > max_terms:
            keep = np.argsort(self.df[term], kind="stable")[:max_terms]
            term, weight = term[keep], weight[keep]
        return term, weight

    def scores(self, term: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Cosine similarity of a query vector to every document."""
        out = np.zeros(self.n, dtype=np.float32)
        if not len(term):
            return out
        starts = self.indptr[term]
        lengths = self.indptr[term + 1] - starts
        total = int(lengths.sum())
        if not total:
            return out
        idx = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(total)
        out += np.bincount(self.docs[idx], weights=self.weights[idx] * np.repeat(weight, lengths),
                           minlength=self.n).astype(np.float32)
        return out

    def restricted(self, docs: np.ndarray) -> "TfidfIndex":
        """An index of ``docs`` only, numbered by their place in it, with the same term weights and vectors."""
        number = np.full(self.n, -1, dtype=np.int64)
        number[docs] = np.arange(len(docs))
        keep = number[self.docs] >= 0
        out = TfidfIndex.__new__(TfidfIndex)
        out.n, out.df, out.idf = len(docs), self.df, self.idf
        out.term, out.docs, out.weights = self.term[keep], number[self.docs[keep]].astype(np.int32), self.weights[keep]
        out.indptr = np.zeros_like(self.indptr)
        np.cumsum(np.bincount(out.term, minlength=len(self.indptr) - 1), out=out.indptr[1:])
        return out

    def doc_vectors(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each document's vector (term ids, weights) as indexed, unit length."""
        order = np.argsort(self.docs, kind="stable")
        bounds = np.searchsorted(self.docs[order], np.arange(self.n + 1))
        term, weight = self.term[order], self.weights[order]
        return [(term[a:b], weight[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]

    def group_vectors(self, group: np.ndarray, weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each group of documents (``group[doc]``, -1: in none), the sum of its documents' vectors
        weighted by ``weights[doc]`` as (term ids, weights), unit length; one pass over the postings."""
        n_groups = int(group.max()) + 1 if len(group) else 0
        of = group[self.docs]
        keep = of >= 0
        width = len(self.indptr)
        key = of[keep].astype(np.int64) * width + self.term[keep]
        uniq, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=(self.weights * np.asarray(weights)[self.docs])[keep],
                            minlength=len(uniq))
        owner, term = np.divmod(uniq, width)
        bounds = np.searchsorted(owner, np.arange(n_groups + 1))
        out = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            weight = total[a:b]
            norm = float(np.sqrt((weight ** 2).sum())) or 1.0
            out.append((term[a:b], (weight / norm).astype(np.float32)))
        return out


def _sorted_postings(term: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, doc, count) of term occurrences, distinct and sorted by term then doc (one sort)."""
    uniq, count = np.unique((term.astype(np.int64) << DOC_BITS) | doc, return_counts=True)
    return uniq >> DOC_BITS, uniq & (MAX_DOCS - 1), count


def _check_size(texts):
    if len(texts) >= MAX_DOCS:
        raise KbError(f"一次最多处理 {MAX_DOCS - 1} 条文本，请缩小范围。")


# -- character bigrams ---------------------------------------------------------------------------


def _cjk(a: np.ndarray) -> np.ndarray:
    return ((a >= 0x4E00) & (a <= 0x9FFF)) | ((a >= 0x3400) & (a <= 0x4DBF)) | ((a >= 0xF900) & (a <= 0xFAFF))


def _pairs(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(code, position) of the pairs of adjacent Chinese characters in a text.

    Only such pairs are used, and NFKC leaves Chinese characters as they are (what it changes —
    full-width letters, digits and punctuation — never forms a pair), so texts are not normalised.
    """
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(a) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ok = _cjk(a)
    keep = np.flatnonzero(ok[:-1] & ok[1:])
    return (a[keep].astype(np.int64) << 21) | a[keep + 1], keep


def bigram_codes(text: str, chars: int) -> np.ndarray:
    """The pairs of adjacent Chinese characters of a text's first ``chars`` characters, as int64 codes."""
    return _pairs((text or "")[:chars])[0]


class BigramIndex(TfidfIndex):
    """TF-IDF over the character bigrams of each text's first ``chars`` characters."""

    def __init__(self, texts: list[str], chars: int, like: "BigramIndex | None" = None,
                 max_df_ratio: float = 0.0):
        """Index ``texts``; with ``like``, that index's vocabulary and idf (terms it lacks are dropped)."""
        _check_size(texts)
        self.chars = chars
        part = [(t or "")[:chars] for t in texts]
        code, pos = _pairs("\n".join(part) + "\n")
        starts = np.cumsum([0, *(len(t) + 1 for t in part)])
        doc = np.searchsorted(starts, pos, side="right") - 1
        if like is None:
            # One sort of a key per pair (42 bits of bigram, 21 of document) gives the vocabulary too.
            uniq, count = np.unique((code << DOC_BITS) | doc, return_counts=True)
            code, doc = uniq >> DOC_BITS, uniq & (MAX_DOCS - 1)
            new = np.diff(code, prepend=-1) != 0 if len(code) else np.zeros(0, dtype=bool)
            self.vocab, term = code[new], np.cumsum(new) - 1
            super().__init__(len(texts), len(self.vocab), term, doc, count, max_df_ratio=max_df_ratio)
        else:
            self.vocab = like.vocab
            term, found = self._lookup(code)
            term, doc, count = _sorted_postings(term[found], doc[found])
            super().__init__(len(texts), len(self.vocab), term, doc, count, df=like.df, idf=like.idf)

    def _lookup(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.vocab):
            return np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=bool)
        pos = np.minimum(np.searchsorted(self.vocab, codes), len(self.vocab) - 1)
        return pos, self.vocab[pos] == codes

    def query_vector(self, text: str, max_terms: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, weights) of a text over the known bigrams, of unit length over all its bigrams.

        The bigrams no indexed text has count in the length with the idf of a term of no document: a
        text sharing one pair (我家) with past requests and saying the rest in pairs they never used
        (孩子上学) is that little like them, not as like as a text that is all 我家."""
        uniq, count = np.unique(bigram_codes(text, self.chars), return_counts=True)
        term, found = self._lookup(uniq)
        if found.all() or not found.any():
            return self.vector(term[found], count[found], max_terms)
        known = (1.0 + np.log(count[found].astype(np.float64))) * self.idf[term[found]].astype(np.float64)
        term, weight = self.vector(term[found], count[found], max_terms)
        unseen = (1.0 + np.log(count[~found].astype(np.float64))) * np.log(1.0 + (self.n + 0.5) / 0.5)
        share = float(np.sqrt((known ** 2).sum() / ((known ** 2).sum() + (unseen ** 2).sum())))
        return term, (weight * share).astype(np.float32)

    def similarities(self, text: str, max_terms: int = 0) -> np.ndarray:
        """Cosine similarity of a text to every indexed text (0 when they share no bigram)."""
        return self.scores(*self.query_vector(text, max_terms))


# -- words ---------------------------------------------------------------------------------------


#: Parts of speech (jieba's tags) that do not say what a request is about: place and person names
#: (a street tells where, not what), numerals, measure words, pronouns, adverbs, function words.
SKIPPED_TAGS = frozenset("""
ns nr nrt nrfg nt m mq q r rr rz rg d dg ad p c u ud ug uj ul uv uz y e o x t tg f s zg eng
""".split())
_SKIPPED_WORDS = STOPWORDS | GENERIC_WORDS | ASKING_WORDS


_FRAGMENT_FIRST = QUESTION_STARTS | frozenset("想不")


def _skipped(word: str) -> bool:
    return word in _SKIPPED_WORDS or (word[0] in _FRAGMENT_FIRST and asking_fragment(word))

#: A word the segmenter made of a degree or time adverb and what it qualifies (很大, 太吵, 才能办): it
#: says how much or when, not what. Only as adjectives, verbs and adverbs (太阳能 names a thing).
DEGREE_START, DEGREE_TAGS = frozenset("很太才挺"), frozenset("a ad an d v vd".split())
#: Words that end an address (新华 + 小区, 建设 + 街, 万达 + 广场): with the name before them they say
#: where a request is, not what it is about.
PLACE_WORDS = frozenset("""
路 街 大街 道 巷 胡同 里 弄 小区 社区 街道 花园 广场 大厦 公寓 家园 苑 村 园区 公园 商场 商城 市场 中心 新村 新城
""".split())
#: The last character of a longer word that is itself a place (学府路, 建设街, 幸福村).
PLACE_ENDINGS = frozenset("路街巷村")
#: Parts of speech of a name's first part before a place word (verbs are not: 跳 + 广场舞).
_NAME_TAGS = frozenset("n nz ns nr nrt nt a vn j l".split())
#: Institutions, a place after a proper name or before a word of position (实验 + 小学, 人民医院 +
#: 附近; not 孩子 + 学校 + 乱收费, where the school is the matter).
INSTITUTION_WORDS = frozenset("小学 中学 医院 学校 幼儿园 大学".split())
#: Words that say where on their own: a request is about what happens at a station, not the station.
WHERE_WORDS = frozenset("小区 社区 街道 车站 火车站 地铁站 公交站 地铁口 站台".split())
_DIVISIONS = frozenset("省 市 区 县 镇 乡".split())
_PROPER_TAGS = frozenset("nz ns nr nrt nt vn j".split())
_PLACE_ANY = PLACE_WORDS | INSTITUTION_WORDS | WHERE_WORDS
_POSITION_TAGS = frozenset("f s".split())


def _places(tagged: list[tuple[str, str]]) -> set[int]:
    """Positions of the words that name a place: a place word, the name before it, and 学府路-like words."""
    out = set()
    for i in [i for i, (w, _tag) in enumerate(tagged) if w in _PLACE_ANY or (len(w) > 2 and w[-1] in PLACE_ENDINGS)]:
        w = tagged[i][0]
        if w in WHERE_WORDS:
            out.add(i)
        if w in PLACE_WORDS:
            if i and tagged[i - 1][1] in _NAME_TAGS and tagged[i - 1][0] not in PLACE_WORDS:
                out.update((i - 1, i))
        elif w in INSTITUTION_WORDS:
            if i and (tagged[i - 1][1] in _PROPER_TAGS or tagged[i - 1][0] in _DIVISIONS):
                out.update((i - 1, i))
            elif i + 1 < len(tagged) and tagged[i + 1][1] in _POSITION_TAGS:
                out.add(i)
                if i and tagged[i - 1][1] in _NAME_TAGS:
                    out.add(i - 1)
        elif len(w) > 2 and w[-1] in PLACE_ENDINGS:
            out.add(i)
    return out


class Synonyms:
    """The knowledge base's synonym groups (synonyms.yaml): each term stands for its group.

    A text using a term of a group also gets the group (its first term, marked ``MARK``) as a word
    of its own, so 欠薪 meets 拖欠工资 and 违停 meets 违法停车. Groups with a
    question, filler or complaint word (诉求 / 反映 / 投诉; 谁管 / 找谁) are left out: they would join
    texts about different matters.
    """

    #: Most words of a term (jieba's) matched: 乱停乱放 is 乱 + 停 + 乱放.
    SPAN = 3
    #: Characters of the one word that may stand inside a term (:meth:`spans`).
    GAP = 3
    #: What marks a group in a text's words: a label shows the group's term the texts use instead.
    MARK = "≈"

    def __init__(self, groups=()):
        self.group: dict[str, str] = {}
        self.terms: dict[str, list[str]] = {}
        for group in groups:
            terms = [normalize(str(t)).strip() for t in group]
            terms = [t for t in terms if t]
            if not terms or any(t in _SKIPPED_WORDS for t in terms):
                continue
            mark = self.MARK + terms[0]
            for t in terms:
                if t not in self.group:
                    self.group[t] = mark
                    self.terms.setdefault(mark, []).append(t)
        #: Every beginning of a term (乱, 乱停, 乱停乱放): a text's words are matched only this far.
        self.prefixes = {t[:k] for t in self.group for k in range(1, len(t) + 1)}

    def __bool__(self):
        return bool(self.group)

    def spans(self, words: list[str]) -> dict[int, tuple[int, str]]:
        """Where a text's words (in order) spell a group's term: start → (end, group), longest first.

        Where none is spelled straight, one short word may stand after the first word of a term of two or
        more (拖欠[农民工]工资, 欠[我]工资): what was owed is still the wages."""
        out = {}
        end = 0
        prefixes, group = self.prefixes, self.group
        last = len(words) - 2
        for i in [i for i, w in enumerate(words) if w in prefixes]:
            if i < end:
                continue
            term, found = "", None
            for j, w in enumerate(words[i:i + self.SPAN], i + 1):  # inline: called for most words of a text
                term += w
                if term not in prefixes:
                    break
                if term in group:
                    found = (j, group[term])
            if not found and i < last and words[i] + words[i + 2] in prefixes and len(words[i + 1]) <= self.GAP \
                    and words[i + 1].isalnum():
                found = self._spelled(words, i + 2, i + self.SPAN + 1, words[i])
            if found:
                out[i] = found
                end = found[0]
        return out

    def _spelled(self, words: list[str], at: int, stop: int, term: str) -> tuple[int, str] | None:
        """(end, group) of the longest term that ``term`` and the words from ``at`` (before ``stop``) spell."""
        found = None
        prefixes, group = self.prefixes, self.group
        for j, w in enumerate(words[at:stop], at + 1):
            term += w
            if term not in prefixes:
                break
            if term in group:
                found = (j, group[term])
        return found

    def written(self, mark: str, texts: list[str], weights) -> str:
        """The term of a group that ``texts`` use most (``mark`` unchanged if not a group's)."""
        terms = self.terms.get(mark)
        if not terms:
            return mark
        used = [(sum(w for t, w in zip(texts, weights) if term in t), -n) for n, term in enumerate(terms)]
        return terms[-max(used)[1]]


def stretches(word: str) -> list[str]:
    """A word and every stretch of two or more of its characters (宽带网速慢: 宽带网速慢, 宽带网速 … 网速, 速慢)."""
    return [word[i:j] for i in range(len(word)) for j in range(len(word), i + 1, -1)]


def content_words(text: str, normalized: bool = False, synonyms: Synonyms | None = None) -> list[str]:
    """The words of a text that say what it is about: no names, question, filler or complaint words.

    Places jieba tags as such are left out. An address's words are kept: without them, requests that
    share only a complaint (车辆乱停乱放, 共享单车乱停乱放) join. :func:`content_terms` marks them, so that
    a topic's label leaves them out.

    A long word also yields the dictionary words inside it, as jieba's search mode does
    (暖气片 → 暖气片, 暖气), so that it meets texts using the shorter word. With ``synonyms``, a
    text also gets each synonym group it uses (``Synonyms.MARK`` and the group's first term).
    """
    return [w for w, _place in content_terms(text, normalized, synonyms)]


def content_terms(text: str, normalized: bool = False, synonyms: Synonyms | None = None) -> list[tuple[str, bool]]:
    """:func:`content_words`, each with whether it is (part of) a place's name here (:func:`_places`)."""
    out = []
    tagged = rjieba.tag(text if normalized else normalize(text))
    places = _places(tagged)
    for i, (w, tag) in enumerate(tagged):
        if len(w) > 1 and tag not in SKIPPED_TAGS and w not in _SKIPPED_WORDS and not (
                w[0] in _FRAGMENT_FIRST and asking_fragment(w)) and not (
                w[0] in DEGREE_START and tag in DEGREE_TAGS):
            place = i in places
            out.append((w, place))
            if len(w) > 2:
                out.extend((p, place) for n in (2, 3) for k in range(len(w) - n + 1)
                           if n < len(w) and not _skipped(p := w[k:k + n]) and rjieba.has_word(p))
    if synonyms:
        # A group is a place's word where the text names it only in a place (地铁 of 地铁口: where, not what).
        marks: dict[str, bool] = {}
        for start, (end, mark) in synonyms.spans([w for w, _tag in tagged]).items():
            marks[mark] = marks.get(mark, True) and all(i in places for i in range(start, end))
        # A term inside a longer word counts too: 暖气片 has 暖气, of the group 供暖.
        for w, place in out:
            if w in synonyms.group:
                marks[synonyms.group[w]] = marks.get(synonyms.group[w], True) and place
        out.extend(marks.items())
    return out


class WordIndex(TfidfIndex):
    """TF-IDF over the content words of each text's first ``chars`` characters."""

    def __init__(self, texts: list[str], chars: int, normalized: bool = False, synonym_groups=(), reference: int = 0):
        """Index ``texts`` (already passed through analysis.normalize when ``normalized``).

        With ``reference``, a word's idf is ``log(1 + reference / (df + .5))``: how rare it is among that many
        texts, whatever the number indexed, so that a text's vector depends on the texts sharing its words only
        (adding texts about other matters changes no weight of its words)."""
        _check_size(texts)
        self.chars = chars
        self.synonyms = Synonyms(synonym_groups)
        self.vocab: dict[str, int] = {}
        terms, docs = [], []
        vocab = self.vocab
        at_place = []
        for i, text in enumerate(texts):
            found = content_terms((text or "")[:chars], normalized, self.synonyms)
            ids = [vocab.setdefault(w, len(vocab)) for w, _place in found]
            terms.extend(ids)
            docs.extend([i] * len(ids))
            at_place.extend(place for _w, place in found)
        self.words = list(self.vocab)
        if terms:
            places = np.bincount(terms, weights=at_place, minlength=len(vocab))
            #: Words used mostly in the name of a place (新华 of 新华小区): they name no topic.
            self.places = {self.words[t] for t in np.flatnonzero(places * 2 > np.bincount(terms, minlength=len(vocab)))}
        else:
            self.places = set()
        term, doc, count = _sorted_postings(np.asarray(terms, dtype=np.int64),
                                            np.asarray(docs, dtype=np.int64))
        df = idf = None
        if reference:
            df = np.bincount(term, minlength=len(self.vocab)).astype(np.float64)
            idf = np.log(1.0 + reference / (df + 0.5)).astype(np.float32)
        super().__init__(len(texts), len(self.vocab), term, doc, count, df, idf)

    def known(self, term: str) -> bool:
        """Whether a term is one of the synonym groups' or the dictionary's (共享单车, 停车场)."""
        return term in self.synonyms.group or rjieba.has_word(term)

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, weights) of a text over the known content words, unit length."""
        ids = [self.vocab[w] for w in content_words((text or "")[:self.chars], synonyms=self.synonyms)
               if w in self.vocab]
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        term, count = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        return self.vector(term, count)

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of a text to every indexed text."""
        return self.scores(*self.query_vector(text))
