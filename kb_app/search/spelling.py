"""Questions written with a character of the same sound as the right one: 社宝卡 for 社保卡, 居住正 for 居住证.

Callers' words reach the search box through a pinyin input method or speech-to-text, and both put a
character of the right sound but the wrong meaning. Such a question finds nothing when the wrong
character sits in its only word. :class:`Speller` knows the words of the documents an audience may
see (titles, questions, keywords and categories) by their sound, and rewrites the stretches of a
question that are no known word but sound like one. A stretch holding a grammar word (的, 谁, 一)
or cutting through a word written right (保报 of 医保报消) is left alone: on the sample's 500
questions written right, those rules took the rewrites from 81 (热线归谁管 → 热线归水管) to none.
Nor is a noun the segmenter knows, with a verb said of it right after (我的腿动不了了: 腿 then 动), ever rewritten:
腿动 is a thing and what it does, no misspelt 推动. A typo of a word starting with such a noun keeps it (医保报消
→ 医保报销: 报 stays). Over the sample's 2,059 own questions and the 509 of the regulation sets, that took the
public's rewrites from 16 to 13 (…的事去哪里协调 → …的市区哪里协调, 记进工单 → 基金工单), each typo still read.
The search runs the rewritten question only when the question as written found nothing, and says
so (``SearchResults.corrected``).

Sounds are compared without tones (an input method's choice ignores them, speech-to-text mishears
them) by pypinyin, which reads a character in a word as the word has it (重庆 is chong qing).
The public vocabulary holds only what the public may find today, so a correction never names a word
of an internal, catalogue or not-in-force entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from typing import Iterable

import rjieba
from pypinyin import lazy_pinyin

from .analysis import VERB_TAGS, normalize
from .documents import SEARCHED_KINDS

#: Lengths of the stretches tried, longest first: a typo inside a long word is best read with the word.
LENGTHS = (4, 3, 2)
#: The longest known word looked for in a question.
KNOWN_LONGEST = 6
#: Characters of grammar rather than of names: a stretch holding one is a phrase (办的, 谁管, 钱一),
#: not a misspelt word, and would be read as some word of the same sound (办得, 水管, 迁移).
FUNCTION_CHARS = frozenset("的得地了一有在这那谁里是不和与也都就还吗呢吧个们")
#: More characters a stretch holding one is a phrase of, not a misspelt word: pronouns and the words that put
#: a person or a thing before a verb or after it (把我 is no 把握, 坐着 no 作者, 打俺 no 答案).
PHRASE_CHARS = FUNCTION_CHARS | frozenset("我你您他她它俺咱把被给着但")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def sound(text: str) -> tuple[str, ...]:
    """The syllables of a text without tones (社保卡 → she, bao, ka)."""
    return tuple(lazy_pinyin(text))


class Speller:
    """Rewrites a question's misspelt words into known words of the same sound."""

    def __init__(self, texts: Iterable[str], names: Iterable[str] = ()):
        words = _words(texts)
        #: Every stretch of a word the documents use: 会保 of 社会保障 is no typo ...
        self.inside = _stretches(words)
        #: ... unless the word is only in questions written as callers put them (暖器 of 半夜暖器不热了找谁) and a
        #: word of the same sound is a name of the knowledge base's own (暖气 of 暖气不热怎么报修): see ``names``.
        named = _words(names)
        self.named_inside = _stretches(named)
        self.named_by_sound = {}
        for word, _n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0])):
            if len(word) in LENGTHS and not FUNCTION_CHARS.intersection(word):
                self.named_by_sound.setdefault(sound(word), word)
        #: The words themselves, up to KNOWN_LONGEST characters (see correct).
        self.known = {w for w in words if len(w) <= KNOWN_LONGEST}
        #: Sound → the most used word of a tried length with it, a word without a grammar character first:
        #: 补办 for bu ban, though the common questions say 不办 (…为什么不办) more often.
        self.by_sound: dict[tuple[str, ...], str] = {}
        for word, _n in sorted(words.items(), key=lambda kv: (bool(FUNCTION_CHARS.intersection(kv[0])), -kv[1], kv[0])):
            if len(word) in LENGTHS:
                self.by_sound.setdefault(sound(word), word)

    def correct(self, question: str) -> str | None:
        """The question with misspelt words replaced, or None when nothing in it reads as a typo."""
        return rewritten(question, self.readings(question)) or None

    def readings(self, question: str) -> list[Reading]:
        """Where a question (normalised) has a misspelt word, and the known word each is read as."""
        text = normalize(question or "")
        found = []
        taken = [False] * len(text)
        # The known words written correctly in the question: a stretch that cuts through one is no
        # typo (保报 of 医保报消 is 医保 and the start of 报消, which is the typo).
        words = [(i, i + n) for n in range(2, KNOWN_LONGEST + 1) for i in range(len(text) - n + 1)
                 if text[i:i + n] in self.known]
        at = 0
        for token in rjieba.cut(text):
            if len(token) >= 2 and _HAN.fullmatch(token):
                words.append((at, at + len(token)))
            at += len(token)
        nouns = _subjects(text)
        for n in LENGTHS:
            for i in range(len(text) - n + 1):
                gram = text[i:i + n]
                if any(taken[i:i + n]) or not _HAN.fullmatch(gram) or PHRASE_CHARS.intersection(gram) \
                        or rjieba.has_word(gram):
                    continue
                if any(a < i + n and i < b and not (i <= a and b <= i + n) for a, b in words):
                    continue
                named = gram in self.inside
                if named:
                    # A callers' spelling of a name (暖器 for 暖气): read as the name.
                    word = self.named_by_sound.get(sound(gram)) if gram not in self.named_inside else None
                else:
                    word = self.by_sound.get(sound(gram))
                # A noun a verb is said of is written as meant: 腿动 of 我的腿动不了了 is no 推动, 报消 may be 报销.
                if word and len(word) == n \
                        and all(text[k] == word[k - i] for a, b in nouns if i < b < i + n for k in range(max(a, i), b)):
                    found.append(Reading(i, i + n, word, named))
                    taken[i:i + n] = [True] * n
        return sorted(found)


@dataclasses.dataclass(frozen=True, order=True)
class Reading:
    """A stretch of a (normalised) question read as a known word of the same sound."""

    start: int
    end: int
    word: str
    #: The stretch is a word the documents use, in callers' questions, for a name of the knowledge base's (暖器).
    of_name: bool = False

    def within(self, question: str, words) -> bool:
        """Whether the stretch lies in one of ``words`` where the (normalised) question has it (宝 of 社宝卡)."""
        text = normalize(question or "")
        return any(m.start() <= self.start and self.end <= m.end() or self.start <= m.start() < self.end
                   for w in words if w for m in re.finditer(re.escape(w), text))


def rewritten(question: str, readings: list[Reading]) -> str:
    """A question with the stretches of ``readings`` replaced ("" for none); as written elsewhere (its punctuation,
    ，not ,) where normalising keeps every character in place."""
    if not readings:
        return ""
    text = normalize(question or "")
    out = list(text)
    for r in readings:
        out[r.start:r.end] = list(r.word)
    return _as_said(question or "", text, "".join(out))


@functools.lru_cache(maxsize=4096)
def _tag(word: str) -> str:
    """The segmenter's tag of a word it reads as one ("" for a text it cuts in several, or none)."""
    tags = rjieba.tag(word, False) if _HAN.fullmatch(word) else []
    return tags[0][1] if len(tags) == 1 else ""


def _subjects(text: str) -> list[tuple[int, int]]:
    """Where a text has a noun the segmenter's dictionary reads with a verb right after it (腿 of 我的腿动不了了, 事 of
    …的事去哪里协调): a thing named and what it does or is done to it, which the segmenter's guesses at unknown words
    may join (腿动不了 is cut 腿动/不了)."""
    found, at, before = [], 0, ""
    for token in rjieba.cut(text, False):
        if _is_verb(token) and _is_noun(before):
            found.append((at - len(before), at))
        at, before = at + len(token), token
    return found


def _is_noun(word: str) -> bool:
    """Whether the segmenter reads a word as a common noun (腿, 电梯; not 宫 of 宫视, a surname, nor a bound 速)."""
    return _tag(word) == "n"


def _is_verb(word: str) -> bool:
    """Whether the segmenter reads a word as a verb (动, 停; not 咨询, a verb used as a noun)."""
    return _tag(word) in VERB_TAGS


def _words(texts: Iterable[str]) -> Counter:
    """The words of texts of LENGTHS' shortest or longer, with how often they are used (categories,
    keywords and common questions repeat across entries: each is cut once)."""
    words: Counter = Counter()
    for text, times in Counter(texts).items():
        for run in _HAN.findall(normalize(text or "")):
            for w in rjieba.cut(run):
                if len(w) >= min(LENGTHS):
                    words[w] += times
    return words


def _stretches(words) -> set[str]:
    """Every stretch of two characters or more of the words."""
    return {w[i:j] for w in words for i in range(len(w)) for j in range(i + 2, len(w) + 1)}


def visible_texts(snap, audience: str, day: dt.date) -> list[str]:
    """The words of what an audience may find on ``day``: titles, questions, examples, keywords and
    categories of the searched entries, and the articles with their common questions.

    The public's: the entries the public may open that day (``Entry.is_public_on``: never an internal
    or catalogue entry, nor one not yet or no longer in force). Staff find everything in their index,
    so their words are all. Bodies are not read: a typo is corrected to a word that names things.
    """
    names, phrasings = visible_words(snap, audience, day)
    return names + phrasings


def visible_words(snap, audience: str, day: dt.date) -> tuple[list[str], list[str]]:
    """``visible_texts`` in two: the knowledge base's own names (titles, keywords, categories), and the
    questions and examples written as callers put them, which hold callers' typos (半夜暖器不热了找谁)."""
    names, phrasings = [], []
    for entry in snap.entries.values():
        if entry.kind not in SEARCHED_KINDS or (audience == "public" and not entry.is_public_on(day)):
            continue
        names.extend([entry.title, *entry.keywords, *entry.category])
        phrasings.extend([*entry.questions, *entry.examples])
    for article in snap.articles():
        names.append(snap.regulations[article.regulation].title)
        phrasings.extend(article.questions)
    return names, phrasings


def carry_over(asked: str, corrected: str, text: str) -> str:
    """A longer text (a whole call) read with the corrections made to the part of it a search read: each stretch
    ``corrected`` writes otherwise than ``asked`` (the question as searched, normalised) is rewritten wherever the
    normalised ``text`` has it; empty when nothing of it is rewritten. The search reads a call's first
    MAX_QUERY_CHARS characters only, and the dispatch assistant all of it."""
    said, text, corrected = text or "", normalize(text or ""), normalize(corrected or "")
    if not corrected or len(asked) != len(corrected):
        return ""
    if text == asked:
        return _as_said(said, text, corrected) if corrected != text else ""
    changes, i = [], 0
    while i < len(asked):
        if asked[i] == corrected[i]:
            i += 1
            continue
        j = i
        while j < len(asked) and asked[j] != corrected[j]:
            j += 1
        # With a character either side (社宝卡 → 社保卡): a character alone (宝) would be rewritten in other words too (宝宝).
        start, end = max(0, i - 1), min(len(asked), j + 1)
        changes.append((asked[start:end], corrected[start:end]))
        i = j
    out = text
    for wrong, right in dict(changes).items():
        out = out.replace(wrong, right)
    return _as_said(said, text, out) if out != text else ""


def _as_said(said: str, text: str, out: str) -> str:
    """``out``, a rewriting of the normalised ``text``, in the characters of ``said`` (its punctuation) where
    normalising kept every character in place and ``out`` did not rewrite it."""
    if len(said) != len(text) or len(out) != len(text):
        return out
    return "".join(o if o != t else s for s, t, o in zip(said, text, out))
