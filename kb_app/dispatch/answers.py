"""Answers that settle a request on the phone: the policy answers the dispatch assistant shows first.

A request is often a consultation that a published answer (答复口径) settles while the caller is
still on the line; a work order is then not needed (seed 004: 提高诉求直接答复率). ``suggest(kb, text)``
searches the agent index (public and internal answers) and measures, for each hit, how much of the
request the answer's own wording covers: the share of the request's content words (jieba words
without the stop words of ``kb_app.search.analysis`` and the words asking an aspect of the matter, such as
要花钱不 or 去哪: ``ASKED_ASPECT``; and characters read as a noun alone: 猫) found
in the answer's title, questions, keywords or category, directly or through a synonym of
``synonyms.yaml``; answers that cover less than
``MIN_COVERAGE`` are not offered. The body is left out on purpose: a long
body mentions much and would make every complaint look answered.

An answer for districts or streets (``regions:`` other than 全市) is left out for a request naming another district
or street, and settles nothing for one that does not say (its ``region_note`` asks the agent to find out where the
caller is: the district, or the street of a street's answer).

An answer **settles** the request (直接答复 is then the suggested outcome) when it is in force today,
covers at least ``SETTLE_COVERAGE`` of the request, and the request reads as a question (怎么、
什么时候、多少、吗 …) — or covers at least ``STRONG_COVERAGE`` of it. A complaint that merely shares
a topic with an answer (路灯坏了, 物业不作为) is dispatched, not answered.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import weakref

from ..content import versions
from ..search.analysis import (CJK, STOPWORDS, Asking, default_analyzer, normalize, phrasing_bigrams, question_form,
                               synonym_expansion, synonym_variants, without_asked_aspects)
from ..search.coverage import TIME_WORDS, single_nouns
from ..search.query import best_question, names_by_number
from .regions import locate, scope, without_places

#: Answers covering less of the request than this are not offered at all.
MIN_COVERAGE = 0.5
SETTLE_COVERAGE = 0.6
STRONG_COVERAGE = 0.85
#: How close (character-pair Jaccard) a request naming no matter must be to one of an answer's questions for the
#: answer to settle it.
SAME_QUESTION = 0.7
#: Words that make a request read as a question rather than a complaint (几 as in 几点, 几天; not 好几天).
QUESTION_MARKS = ("怎么", "怎样", "如何", "什么", "多少", "哪", "吗", "嘛", "呢", "能不能", "可不可以", "可以", "是否",
                  "几", "啥", "咋", "能否", "要不要", "会不会", "是不是", "有没有", "多久", "多长时间", "为什么", "谁",
                  "请问", "咨询", "查询", "想问", "了解", "?", "？")
_CJK = re.compile(f"[{CJK}]")


@dataclasses.dataclass
class Answer:
    """A policy answer offered for a request, with how well it covers it."""

    entry_id: str
    title: str
    unit: str
    unit_name: str
    audience: str
    status: str
    coverage: float
    settles: bool
    snippet: str = ""
    #: The request names this answer by a year or number of its title (2025年低保标准是多少): one that has
    #: expired is then what the caller asks about.
    named: bool = False
    #: The answer is for districts or streets the request does not name (see regions.scope): it settles nothing
    #: until the agent has asked where the caller is.
    region_note: str = ""

    def to_dict(self) -> dict:
        return {"entry": self.entry_id, "title": self.title, "unit": self.unit, "unit_name": self.unit_name,
                "audience": self.audience, "status": self.status, "coverage": round(self.coverage, 3),
                "settles": self.settles, **({"region_note": self.region_note} if self.region_note else {})}


def content_words(text: str) -> list[str]:
    """The request's words that carry meaning (Chinese, not stop words), in order, once each; with the
    characters read as a noun alone (猫 in 我家猫跑丢了), which an answer must hold as it must a word. The words
    asking an aspect of the matter (要花钱不、多久、去哪、带什么: analysis.ASKED_ASPECT) are none: an answer
    telling the fee in its steps covers 社保卡丢了要花钱不 as it covers 社保卡丢了; nor are greetings, asking words
    (咋个, 怎么) and words of time and linking (上个月, 另外: _names_content)."""
    return list(_content_words(text))


@functools.lru_cache(maxsize=1024)
def _content_words(text: str) -> tuple[str, ...]:
    """``content_words``, read once per text: ``coverage`` measures each answer found by the same request."""
    ana, norm = default_analyzer(), question_form(without_asked_aspects(normalize(without_unsure(text))))
    # 不知道 framing a question (不知道找谁, 我不知道…怎么补办) says nothing of what is asked.
    norm = _NOT_KNOWING.sub(" ", norm)
    asking = Asking(norm)
    words = [*ana.words(norm, normalized=True), *single_nouns(norm, ana)]
    return tuple(dict.fromkeys(w for w in words if w not in STOPWORDS and _CJK.search(w) and not asking.only_asks(w)
                               and _names_content(w, ana)))


_NOT_KNOWING = re.compile("(?:不知道|不晓得|不清楚|想知道)")


#: Parts of speech (jieba's, of a word alone) of words that carry no content of a request: conjunctions, adverbs,
#: pronouns, prepositions, particles, numerals, measure words and words of time (另外, 一直, 那个, 上个月).
_NO_CONTENT_TAGS = ("c", "d", "r", "p", "u", "m", "q", "t", "f", "y", "e", "o")


def _names_content(word: str, ana) -> bool:
    """Whether a word of a request may carry its content: not a word of time (时候), nor one of the parts of speech
    above (另外, 上个月). 冻得不行 and 老人孩子 of a complaint say how bad it is and for whom: they stay, and an answer
    covers the complaint only as much as it covers them."""
    return word not in TIME_WORDS and not any(tag.startswith(_NO_CONTENT_TAGS) for _w, tag in ana.jieba.tag(word))


def coverage(text: str, surface: str, synonym_groups=(), weight=None) -> float:
    """Share of the request's content words found in ``surface`` (directly or as a synonym, also of a part:
    煤气费 is found in 燃气费怎么交).

    ``weight(word)`` counts words unequally: with :class:`Rarity`, a request's particular word (路灯)
    counts for more than the words many answers share (小区, 晚上).
    """
    words = content_words(text)
    if not words:
        return 0.0
    weight = weight or (lambda w: 1.0)
    found = holding(words, surface, synonym_groups)
    return sum(weight(w) for w in found) / sum(weight(w) for w in words)


def holding(words, surface: str, synonym_groups=()) -> list[str]:
    """The ``words`` that ``surface`` holds, directly or as a synonym, also of a part (煤气费 in 燃气费怎么交)."""
    surface = normalize(surface)
    surface = " ".join([surface, *synonym_expansion(surface, synonym_groups)])
    return [w for w in words if w in surface or any(v in surface for v in synonym_variants(w, synonym_groups))]


class Rarity:
    """``weight(word)``: how rare a word is among the answers' wordings of a snapshot (an inverse
    document frequency; a word no answer has is as rare as can be). Kept with the snapshot, counts
    made once per word."""

    def __init__(self, snap):
        self.surfaces = [normalize(surface(e)) for e in snap.policies()]
        self.counts: dict[str, int] = {}

    def __call__(self, word: str) -> float:
        df = self.counts.get(word)
        if df is None:
            df = self.counts[word] = sum(1 for s in self.surfaces if word in s)
        return math.log((len(self.surfaces) + 1) / (df + 1)) + 1.0


_RARITY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def rarity(snap) -> Rarity:
    found = _RARITY.get(snap)
    if found is None:
        found = _RARITY[snap] = Rarity(snap)
    return found


#: What a caller says not knowing about the matter told (不知道怎么回事, 不知道哪里来的, 不知道是谁家的): part of
#: telling it, no question to answer — 我闻到楼道里有煤气味，不知道是谁家的 reports a gas smell. 不知道找谁 asks
#: what to do (see assistant.ASKING_WHAT_NOW); 我不知道社保卡丢了怎么补办 asks how, a question still.
UNSURE = re.compile(
    r"(?:我|我们|也|都|还|真)*(?:不知道|不晓得|不清楚|搞不清楚?|弄不清楚?|说不清楚?|不懂)(?:是|到底|究竟)*"
    r"(?:怎么回事|咋回事|怎么搞的|咋搞的|怎么了|咋了|什么情况|啥情况|什么原因|啥原因|为什么|为啥|干什么的|干啥的"
    r"|(?:从)?哪(?:里|儿)?(?:来|冒出来|传来|传过来|飘来|飘过来|漏)的|谁家的?|哪家的?|哪户的?|谁干的|谁弄的"
    r"|什么东西|啥东西|什么味儿?|啥味儿?|什么声音?|啥声音?)(?:啊|呀|呢)?")


def without_unsure(text: str) -> str:
    """A request without what its caller says not knowing about the matter (UNSURE)."""
    return UNSURE.sub("，", text)


def is_question(text: str) -> bool:
    """Whether the request reads as a question (a consultation) rather than a report."""
    text = without_unsure(text.replace("好几", ""))  # 路灯坏了好几天 tells how long, it asks nothing
    return any(mark in text for mark in QUESTION_MARKS)


def surface(entry) -> str:
    """The answer's own short wording: title, questions, keywords and category."""
    return " ".join([entry.title, *entry.strings("questions"), *entry.keywords, *entry.category])


#: A sentence of an answer saying the hotline dispatches what it tells of: 请拨打12345反映……派区环卫部门处理,
#: 拨打12345……热线会派市城市管理委员会督促.
_DISPATCHED = re.compile(r"12345[^。\n]*派|派[^。\n]*12345")


def dispatched_here(entry, text: str, question: bool = True, synonym_groups=(), weight=None) -> bool:
    """Whether an answer says that the hotline dispatches what a request tells: then reading the answer settles
    nothing, and the call is dispatched. A report (``question`` false: 流动摊贩占道经营) is, where the answer says so
    of anything (street-vending's 怎么反映：拨打12345……派城管执法部门处理); a question where the sentence naming
    most of it says so (小区垃圾桶满了没人清怎么办 and 生活垃圾怎么分类's 垃圾桶满溢：请拨打12345反映……派区环卫部门处理;
    not 大件垃圾怎么扔)."""
    sentences = [s for s in re.split(r"[。\n]", entry.body or "") if s.strip()]
    if not any(_DISPATCHED.search(s) for s in sentences):
        return False
    if not question:
        return True
    # The request's pairs of characters as said first (桶满 of 垃圾桶满溢, where 大件垃圾's sentence names as many words:
    # 小区、生活垃圾桶; 收费有异议), then its words.
    pairs = phrasing_bigrams(text)

    def closeness(sentence: str) -> tuple:
        return len(pairs & phrasing_bigrams(sentence)), coverage(text, sentence, synonym_groups, weight)

    best = max(sentences, key=closeness)  # the first of equals
    return closeness(best)[1] > 0 and bool(_DISPATCHED.search(best))


#: The statuses that follow from an entry's dates alone (others, such as a format error, are kept).
STATUSES = ("in_force", "pending", "expired")


def suggest(kb, text: str, limit: int = 3, day=None) -> list[Answer]:
    """The policy answers for a request, the ones that settle it first, then by search rank.

    ``day`` (default today) is the day the request came in: an answer settles it only if in force then.
    """
    text = (text or "").strip()
    if not text:
        return []
    snap = kb.snapshot()
    results = kb.search(text, audience="agent", kind="policy", limit=limit * 2)
    question = is_question(text)
    weight = rarity(snap)
    where = locate(text, snap)
    # The place locates the request; it says nothing of what is asked (西山区 of 西山区小区停车位被占了 does not
    # make 西山区's school zoning an answer).
    asked = without_places(text, snap)
    answers = []
    for hit in results.hits:
        entry = snap.entries.get(hit.id)
        if entry is None:
            continue
        if day is not None:
            # The version the search found: the one in force while a new one is scheduled for a later day.
            entry = versions.current(kb.store, snap.commit, entry, day) or entry
        cov = coverage(asked, surface(entry), snap.synonym_groups, weight)
        if cov < MIN_COVERAGE:
            continue
        place = scope(snap, entry.regions, where)
        if place.elsewhere:
            continue  # another district's answer (东湖区's parking rules for a caller in 西山区), or another street's
        note = place.note
        status = entry.status(day) if day is not None and hit.status in STATUSES else hit.status
        settles = status == "in_force" and not note and (
            cov >= STRONG_COVERAGE or (question and cov >= SETTLE_COVERAGE)) \
            and not dispatched_here(entry, asked, question, snap.synonym_groups, weight)
        answers.append(Answer(hit.id, hit.title, hit.unit, hit.unit_name, hit.audience or entry.audience, status,
                              cov, settles, hit.snippet, names_by_number(text, hit.title), note))
    answers.sort(key=lambda a: not a.settles)  # stable: search rank within each group
    return answers[:limit]


#: How much of what a call tells besides its questions the answers to them must hold, body included, for it to be
#: only the questions' setting (我上个月被公司辞退了 of 失业金怎么领, held by the answer's 被单位解除劳动合同).
CONTEXT_COVERAGE = 0.5


def for_parts(kb, result, day) -> tuple[list[Answer], str]:
    """For a call of several sentences no answer settles as a whole: the answers settling its questions one by one
    (小学怎么报名, 居住证怎么办 of a long call about a child starting school), and what the call tells besides them
    when that is another matter (我们小区门口路灯坏了 before 另外我还想问下社保卡丢了咋补办), to dispatch; "" when it
    is only their setting (买房子用的, 我是外地来打工的: it says nothing wrong, or the answers hold it) or names no
    matter."""
    from .assistant import CLAUSE_BREAK, directory_index, tells_problem

    parts = [p for p in CLAUSE_BREAK.split(result.read) if len(p) >= 2]
    if len(parts) < 2:
        return [], ""
    settled: dict[str, Answer] = {}
    asked = []
    for part in parts:
        found = [a for a in suggest(kb, part, day=day) if a.settles] if is_question(part) else []
        if found:
            asked.append(part)
            settled.setdefault(found[0].entry_id, found[0])
    if not settled:
        return [], ""
    snap = kb.snapshot()
    rest = "，".join(p for p in parts if p not in asked)
    held = " ".join(surface(e) + " " + e.body for e in (snap.entries.get(i) for i in settled) if e is not None)
    if not rest or not tells_problem(rest) or not directory_index(snap).names_matter(rest) \
            or coverage(rest, held, snap.synonym_groups, rarity(snap)) >= CONTEXT_COVERAGE:
        return list(settled.values()), ""
    return list(settled.values()), rest


def off_matter_dropped(kb, result, answers: list[Answer]) -> list[Answer]:
    """``answers`` without those that settle nothing and hold none of the words by which the request names its first
    catalogue candidate: 小区门口路灯坏了 names 路灯 (路灯不亮), and 占道经营's question 小区门口有人摆摊卖菜 covers its
    小区门口, not the street light. An answer that settles the request stays whatever it names."""
    if not result.candidates or all(a.settles for a in answers):
        return answers
    from .assistant import directory_index

    snap = kb.snapshot()
    first = snap.entries.get(result.candidates[0].entry_id)
    if first is None:
        return answers
    index = directory_index(snap)
    named = [w for w in index.subject_words(result.read) if index.names([w], first)]
    if not named:
        return answers
    return [a for a in answers if a.settles or a.entry_id not in snap.entries
            or holding(named, surface(snap.entries[a.entry_id]), snap.synonym_groups)]


def for_request(kb, result, day) -> list[Answer]:
    """The answers for a request the assistant has read (a DispatchResult): ``suggest`` on its text (as corrected,
    see DispatchResult.read), and
    for a matter of the shortest time limit said within more (a complaint about rubbish ending in
    闻到很浓的煤气味) the safety advice the agent is told to read: the answers to the clause reporting it,
    or else to the matter's own name (its entry's keywords)."""
    answers = off_matter_dropped(kb, result, suggest(kb, result.read, day=day))
    if result.vague:
        # Coverage of a request naming no matter is of words any request says (我想举报 and 举报人信息保密吗): an
        # answer settles it only when it was asked in those words (我上次反映的问题办得怎么样了).
        asked, snap = phrasing_bigrams(result.read), kb.snapshot()
        for a in answers:
            entry = snap.entries.get(a.entry_id)
            a.settles = a.settles and entry is not None and best_question(asked, "\n".join(entry.questions)) >= SAME_QUESTION
        answers.sort(key=lambda a: not a.settles)
    if answers or not (result.urgent and result.candidates):
        return answers
    answers = off_matter_dropped(kb, result, suggest(kb, result.urgent_text, day=day))
    entry = kb.snapshot().entries.get(result.candidates[0].entry_id)
    if answers or entry is None:
        return answers
    named = suggest(kb, " ".join(entry.keywords[:3] or [entry.title]), day=day)
    return [a for a in named if a.settles] or named[:1]
