"""Whether the first results of a question are about what it names, or only share its common words.

BM25 ranks whatever shares most with a question, so a question the knowledge base has no answer for
still gets results: 护照怎么办理 finds 12345工单多久能办完 through 办理 alone. A person reading them is
not told that nothing answers the question, and the hotline center, which learns of missing answers
from searches that found nothing, never hears of it.

A question's results are **weak** when the question names something that no document the audience
may find mentions at all (护照, 火星移民, 宽带; for the public, an answer not yet or no longer in
force mentions nothing) and none of the first results shares more than one
of its less common words with it. Words of quantity, pronouns and grammar (几十遍, 这儿, 最快) are
no subject and do not count as unknown (a keyword or title of the knowledge base's own is: 最低工资),
nor do words of time (一个星期了, 半夜), words asking an aspect of the matter (要花钱吗, 去哪补: analysis.ASKED_ASPECT),
everyday words for people (小孩, 老公: PEOPLE_WORDS) or the end of a house number (号院 of 8号院); a word counts as
mentioned where a document has it as a word, has all its character pairs, or has a synonym of it,
and a place where a document has its name without 市, 县 … (大理市) other than as the name of
another kind of place (西山区 for 西山镇).
Of overlapping words nothing mentions (城关, 城关镇), the longest is named, and a place the
segmenter cut after its first character (西 + 山镇) is read whole (西山镇). A character the segmenter
reads as a noun alone (猫 in 我家猫跑丢了) is a subject as a word is; one with 儿 (事儿) is not.

Measured by ``scripts/eval_search.py --only coverage`` (public search on the sample knowledge base,
NCP on its own documents). Of the questions the sample has no answer for
(``tests/data/unanswered_questions.yaml``), 25 of 40 looked at while choosing the rule are weak and 3
more find nothing; 16 of 30 written apart are weak. Of answerable questions, 0 of the own 258 of the
answers in force, 1 of 47, 1 of 142, 6 of 128 and 5 of 92 regulation questions and 1 of 300 NCP questions are weak. A weak
result is said, not hidden: the results stay below the notice.

Beside results that are about the question, the words nothing mentions are said only where they name a thing
(``naming``: 押金, 开发商; not 根本, 接下来, 担心, nor 人时 guessed across 来电人 + 时). On the 509 regulation questions
of the five sets above, 46 are told of such a word beside their results, where 110 were told of any.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from . import analysis
from .scorer import Scorer
from .spelling import FUNCTION_CHARS

#: How many of the first results are looked at.
DEPTH = 5
#: A word found in at least this share of documents is a common one (12345, 热线 and 办理 in a
#: hotline's knowledge base): sharing it says little about what a document is about.
COMMON_SHARE = 0.2
#: Characters of numbers, pronouns and grammar: a word holding one (几十遍, 这儿, 考个, 最快) is no
#: subject, or is a stretch the segmenter cut across two words.
NOT_SUBJECT = frozenset("0123456789一二三四五六七八九十几百千万两半这那哪他她我你您咱想会要能可让被把给将才又先再很太最更"
                        ) | FUNCTION_CHARS
#: Words of when and how long (一个星期了, 今天上午, 半夜): they say when the matter happened, not what it is about.
TIME_WORDS = frozenset({"星期", "礼拜", "小时", "钟头", "分钟", "周末", "上午", "下午", "晚上", "早上", "早晨", "中午",
                        "半夜", "凌晨", "傍晚", "白天", "夜里", "今天", "昨天", "明天", "前天", "后天", "今年", "去年",
                        "明年", "月底", "月初", "年底", "年初", "时候", "天天", "每天", "最近", "刚才", "现在"})
#: Everyday words for the people a caller speaks of (我老公、孩子他奶奶、邻居): they say whom the matter concerns, not
#: what it is. The knowledge base's own words for people (儿童、子女、老年人) are its subjects, and synonyms.yaml
#: reads a caller's word as one of them where an answer is about those people (小孩 → 儿童、子女).
PEOPLE_WORDS = frozenset({"小孩", "小孩子", "小朋友", "孩子", "娃娃", "儿子", "女儿", "闺女", "老公", "老婆", "媳妇",
                          "丈夫", "妻子", "爱人", "对象", "父母", "爸爸", "妈妈", "爸妈", "老爸", "老妈", "爷爷", "奶奶",
                          "姥姥", "姥爷", "外公", "外婆", "老人", "老人家", "家人", "家里人", "亲戚", "朋友", "同学",
                          "同事", "邻居", "师傅", "大爷", "大妈", "阿姨", "叔叔", "本人", "自己", "人家", "别人",
                          "大家", "大伙", "大伙儿"})
#: The last character of a place's name (大理市, 城关镇): a place whose name the documents hold
#: without it is mentioned.
PLACE_SUFFIX = frozenset("省市县区镇乡村旗州盟")
#: ... of which these name a larger place that often shares its name with a place within (大理州 holds
#: 大理市): a document naming only it still mentions the smaller place, unlike 西山区 for 西山镇.
ENCLOSING = frozenset("省州盟")
WORD_FIELDS = ("hw", "kw", "bw")
_CJK_WORD = re.compile(f"[{analysis.CJK}]+")
PAIR_FIELDS = ("hb", "kw", "bb")
#: ... of a document's name for its matter (title, questions, keywords, category), without its body: what it is about.
NAME_WORD_FIELDS, NAME_PAIR_FIELDS = ("hw", "kw"), ("hb", "kw")


@dataclasses.dataclass(frozen=True)
class Coverage:
    """What the first results of a question leave out."""

    #: Words naming what the question is about that no document of the audience mentions.
    unknown: tuple = ()
    #: The first results share at most one less common word with the question while it names
    #: something unknown: they are not about what was asked.
    weak: bool = False


def judge(asking: analysis.Asking, scorer: Scorer, first: list[int], groups, ana: analysis.Analyzer,
          units: dict | None = None, hidden: np.ndarray | None = None) -> Coverage:
    """The coverage of a question by its first results (``first``: their document numbers);
    ``asking`` is the question as ``query.run`` read it (normalised, in question form), ``units`` the
    unit names in it with their units' documents (see query.named_units), ``hidden`` the documents the
    searcher may not find (not in force for the public): a word only they mention is mentioned by none."""
    words, unknown, holding = _read(asking, scorer, groups, ana, units, hidden)
    if not unknown:
        return Coverage()
    first = np.asarray(first[:DEPTH], dtype=np.int64)
    common = COMMON_SHARE * max(1, scorer.n_all - int(scorer.deleted.sum()))
    shared = np.zeros((len(words), len(first)), dtype=bool)
    for i, word in enumerate(words):
        found = holding(word)
        if 0 < len(found) < common and len(first):
            shared[i] = np.isin(first, found)
    # Overlapping words of the search mode (营业, 执照, 营业执照) are one word shared.
    longest = [i for i, w in enumerate(words) if not any(w != o and w in o for o in words)]
    best = 0
    for d in range(len(first)):
        got = {i for i in longest if any(shared[j, d] for j, o in enumerate(words) if o in words[i])}
        best = max(best, len(got))
    weak = len(first) > 0 and best <= 1
    # Beside results about the question, only the words naming a thing are said (押金, not 担心 or 接下来);
    # results not about it are said to be so with every word nothing mentions (宽带, 网速慢).
    return Coverage(tuple(unknown) if weak else naming(unknown, ana), weak)



def unknown_words(asking: analysis.Asking, scorer: Scorer, groups, ana: analysis.Analyzer,
                  units: dict | None = None, hidden: np.ndarray | None = None, names_only: bool = False) -> tuple:
    """The words of a question that no document of the scorer's mentions (``Coverage.unknown``),
    without ranking anything; ``hidden`` as for ``judge``. With ``names_only`` a document mentions a word only
    in its name for its matter (title, questions, keywords, category): the words no document is about."""
    return tuple(_read(asking, scorer, groups, ana, units, hidden, names_only)[1])


def naming(words, ana: analysis.Analyzer) -> tuple:
    """The words of a question that name a thing (护照, 押金, 开发商, 蓝鲸): a word of the knowledge base's own
    dictionary, or one the segmenter's dictionary holds and reads as a noun; not an adverb, a conjunction, a verb or
    a set phrase (根本, 另外, 担心, 接下来), nor a reading the segmenter guessed from characters its dictionary
    leaves apart (人时 of 来电人时, 局管 of 另一个局管, 指导思 of 指导思想)."""
    return tuple(w for w in words if w in ana.user_words or (
        _in_dictionary(w, ana) and any(tag[0] == "n" or tag in ("vn", "an") for _, tag in ana.jieba.tag(w))))


def _alone(norm: str, ana: analysis.Analyzer) -> set[int]:
    """The places of the characters the segmenter leaves alone in a question (金 of 扣押 + 金)."""
    alone, at = set(), 0
    for piece in ana.jieba.cut(norm, False):
        if len(piece) == 1:
            alone.add(at)
        at += len(piece)
    return alone


def _recut(word: str, norm: str, alone: set[int], a_word, known) -> tuple:
    """An unknown word as it reads where the segmenter cut it across a word the documents have (扣押 + 金 of
    房东扣押金不退, where an answer speaks of 押金; ``a_word``: whether a document has a text as a word, or the
    knowledge base's dictionary holds it) from characters it left ``alone`` (not 天 of 明天 + 天气): the known
    word is preferred, and what is left of the cut one (扣) is unknown only as a word of two characters or more
    that nothing mentions either (``known``); () when nothing is."""
    at = norm.find(word)
    if at < 0 or len(word) < 2:
        return (word,)
    end = at + len(word)
    for start, stop in [*((end - k, end + m) for k in range(1, len(word)) for m in (1, 2)),
                        *((at - m, at + k) for k in range(1, len(word)) for m in (1, 2))]:
        outside = range(start, at) if start < at else range(end, stop)
        if start < 0 or stop > len(norm) or not all(i in alone for i in outside) or \
                not _CJK_WORD.fullmatch(norm[start:stop]) or not a_word(norm[start:stop]):
            continue
        rest = word[:start - at] if start > at else word[stop - at:]
        return (rest,) if len(rest) > 1 and not known(rest) else ()
    return (word,)


def _in_dictionary(word: str, ana: analysis.Analyzer) -> bool:
    """Whether the segmenter's dictionary holds a word, or, for one of three characters or more, all of its pieces
    (半夜施工)."""
    if len(word) == 1 or ana.jieba.has_word(word):
        return True
    pieces = ana.jieba.cut(word, False)
    return len(word) > 2 and all(len(p) > 1 for p in pieces)


def _read(asking: analysis.Asking, scorer: Scorer, groups, ana: analysis.Analyzer, units: dict | None = None,
          hidden: np.ndarray | None = None, names_only: bool = False):
    """A question's words (the asking ones and those asking an aspect left out), those of them no document
    mentions, and the function giving the documents that hold a word (cached per word): a word of a unit's
    name is held by the unit's documents; ``names_only`` as for ``unknown_words``."""
    fields = (NAME_WORD_FIELDS, NAME_PAIR_FIELDS) if names_only else (WORD_FIELDS, PAIR_FIELDS)
    hidden = hidden if hidden is not None and hidden.any() else None
    norm = asking.text
    words = [w for w in ana.query_words(norm) if not asking.only_asks(w) and not asking.asks_aspect(w)]
    synonyms = _synonyms(norm, groups) if words else {}
    held = {}

    def holding(word):
        if word not in held:
            found = _holding(scorer, word, *fields)
            for other in _synonyms_of(word, synonyms):
                found = np.union1d(found, _holding(scorer, other, *fields))
            for name, docs in (units or {}).items():
                if word in name or name in word:
                    found = np.union1d(found, docs)
            if hidden is not None and len(found):
                found = found[~hidden[found]]
            held[word] = found
        return held[word]

    def known(word):
        # Most questions name nothing unknown: a word the index has (the scorer keeps those counts) is known,
        # unless documents are hidden from the searcher (an answer not yet in force): then what the others hold.
        if hidden is None and not names_only:
            return any(scorer.doc_frequency(f, word) for f in WORD_FIELDS) or len(holding(word)) > 0
        return len(holding(word)) > 0

    # A reading inside a longer word that is mentioned (电通 in 停电通知) is the search mode's, not a subject.
    inner = {w for w in words if any(w != o and w in o and known(o) for o in words)}
    # A word of the knowledge base's own dictionary (its entries' keywords and titles: 最低工资) names a subject
    # whole, whatever grammar characters it holds.
    own = ana.user_words
    unknown = [_place_name(w, norm) for w in (w if w in own else _subject_part(w) for w in words)
               if w and w not in inner and _CJK_WORD.fullmatch(w) and (w in own or not NOT_SUBJECT.intersection(w))
               and _may_be_subject(w) and not _numbered(w, norm) and not known(w)
               and not ((stem := _undirected(w)) and known(stem))]

    def same_place(word):
        # 大理市 where a document has 大理 (or 大理州), not 西山镇 where the documents have 西山 only in 西山区.
        if len(word) <= 2 or word[-1] not in PLACE_SUFFIX or not known(word[:-1]):
            return False
        stem = word[:-1]
        other = np.concatenate([holding(stem + s) for s in PLACE_SUFFIX - ENCLOSING if s != word[-1]])
        return len(np.setdiff1d(holding(stem), other)) > 0

    unknown = [w for w in dict.fromkeys(unknown) if not same_place(w)]
    if unknown:
        alone = _alone(norm, ana)
        unknown = list(dict.fromkeys(r for w in unknown for r in _recut(w, norm, alone, lambda c: c in own or any(
            scorer.doc_frequency(f, c) for f in WORD_FIELDS), known)))
    unknown += [c for c in single_nouns(norm, ana) if c not in unknown and not _character_held(scorer, c, fields[1])]
    # The search mode's overlapping readings (城关, 城关镇) name one thing: the longest is said.
    return words, [w for w in unknown if not any(w != o and w in o for o in unknown)], holding


def _undirected(word: str) -> str:
    """A verb without the 来 or 去 of the direction it ends in (退回 of 退回来, 拿出 of 拿出来), when two characters
    or more are left; else empty: the documents say the verb (退回)."""
    return word[:-1] if len(word) >= 3 and word[-1] in "来去" else ""


def _subject_part(word: str) -> str:
    """A word the segmenter cut across a grammar character (养狗要, 想办) without it, when two characters
    or more are left (养狗); any other word as it is."""
    part = word.strip("".join(NOT_SUBJECT))
    return part if part != word and len(part) >= 2 and not NOT_SUBJECT.intersection(part) else word


def single_nouns(norm: str, ana: analysis.Analyzer) -> list[str]:
    """The characters of a question the segmenter reads as a noun alone (猫 in 我家猫跑丢了, 蛇 in
    蛇进屋了): a subject as a word is, which the words of two characters or more leave out."""
    return [w for w, tag in ana.jieba.tag(norm) if len(w) == 1 and tag == "n" and _CJK_WORD.fullmatch(w)
            and w not in NOT_SUBJECT and w not in analysis.STOPWORDS]


def _character_held(scorer: Scorer, char: str, fields=PAIR_FIELDS) -> bool:
    """Whether any document of the scorer's holds a character: in a pair of characters starting with it
    or, for one only ever at the end of a run of text (流浪猫。), among all the characters of the pairs
    of a segment (read once per segment)."""
    for leaf, _base in scorer.leaves:
        for field in fields:
            if field in leaf.indexed_field_names() and next(iter(leaf.expand_prefix(field, char)), None):
                return True
    code = ord(char)
    for leaf, _base in scorer.leaves:
        held = scorer.characters(leaf, fields)
        at = int(np.searchsorted(held, code))
        if at < len(held) and held[at] == code:
            return True
    return False


def _may_be_subject(word: str) -> bool:
    """Whether a word may name a subject: not one character with 儿 (事儿, 活儿: the character alone,
    which is no word here), nor a word of time (星期) or of the people a caller speaks of (老公)."""
    return not (len(word) == 2 and word[1] == "儿") and word not in TIME_WORDS and word not in PEOPLE_WORDS


#: Characters that follow a number to make a house number or the like (8号院, 3栋, 2单元): a word starting
#: with one right after a number is a piece of that number (号院 of 和平里8号院), no subject.
NUMBERED = frozenset("号栋幢座单层室户")
_NUMERAL = frozenset("0123456789零〇一二三四五六七八九十百两")


def _numbered(word: str, text: str) -> bool:
    """Whether a word is the end of a number wherever the text has it (号院 of 8号院)."""
    if word[0] not in NUMBERED:
        return False
    at = [m.start() for m in re.finditer(re.escape(word), text)]
    return bool(at) and all(i > 0 and text[i - 1] in _NUMERAL for i in at)


def _place_name(word: str, text: str) -> str:
    """A place the segmenter cut after its first character (西山镇 read as 西 + 山镇) whole again;
    any other word as it is."""
    if len(word) == 2 and word[1] in PLACE_SUFFIX:
        at = text.find(word)
        if at > 0 and _CJK_WORD.fullmatch(text[at - 1]) and text[at - 1] not in NOT_SUBJECT:
            return text[at - 1] + word
    return word


def _synonyms(norm: str, groups) -> dict[str, list[str]]:
    """For each word of a question, the synonyms of a group member it overlaps."""
    out: dict[str, list[str]] = {}
    for group in groups:
        terms = [analysis.normalized(t) for t in group if t]
        here = [t for t in terms if analysis.holds_term(norm, t)]
        for t in here:
            out.setdefault(t, []).extend(o for o in terms if o not in here)
    return out


def _synonyms_of(word: str, synonyms: dict[str, list[str]]) -> list[str]:
    return [o for t, others in synonyms.items() if t in word or word in t for o in others]


def _holding(scorer: Scorer, word: str, word_fields=WORD_FIELDS, pair_fields=PAIR_FIELDS) -> np.ndarray:
    """The documents holding a word, as sorted document numbers: as a word, or as all of its
    character pairs (deleted documents left out); in the fields given (all by default)."""
    held = _postings(scorer, word_fields, word)
    pairs = analysis.query_bigrams(word)
    if pairs and all(len(p) == 2 for p in pairs):
        together = None
        for pair in pairs:
            one = _postings(scorer, pair_fields, pair)
            together = one if together is None else np.intersect1d(together, one, assume_unique=True)
            if not len(together):
                break
        held = np.union1d(held, together)
    return held[~scorer.deleted[held]] if len(held) else held


def _postings(scorer: Scorer, fields, token: str) -> np.ndarray:
    """The documents holding a token in any of ``fields``, as sorted document numbers."""
    parts = []
    for leaf, base in scorer.leaves:
        for field in fields:
            got = scorer.postings(leaf, field, token)
            if got is not None:
                parts.append(got[0].astype(np.int64) + base)
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
