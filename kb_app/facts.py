"""Whether an answer's structured facts (``facts:``) agree with its own text and with other answers.

A fact is what the agent reads out and the public page shows in a table: 补卡工本费：免费. An editor who
changes the text to 收取工本费20元 and forgets the fact, or sets a gas repair number that the gas company's
answers give otherwise, publishes two things at once. These checks say so to the author in the editor and
to the reviewers before they approve; they are reminders, not errors: the author may know better.

A fact is compared where its value can be read: a telephone number, an amount of money (免费 and 免收 are
none), a share (2%) or a time (15日, 一年, 3个工作日). The text is read in the clauses that name the fact
(by the longest end of its name the text uses: 工本费 for 补卡工本费); a clause that gives a value of the same
kind and not the fact's disagrees with it. Other answers disagree when they give the same fact on the same
topic otherwise (as 目录健康 reports, see kb_app.health).
"""

from __future__ import annotations

import dataclasses
import re

from .content.frontmatter import FrontMatterError
from .content.model import Entry, Snapshot
from .content.numerals import to_int
from .content.references import Notice, _lines_before

#: Punctuation and spaces that do not make two values differ (0000-66551234 and 0000－66551234 are one).
_PUNCT = re.compile(r"[\s，。、；：！？“”‘’（）()《》〈〉【】\[\],.;:!?\"'/·-]+")
#: Where a sentence ends (a clause of a list ends with ；).
_SENTENCE = re.compile(r"[。；！？\n;!?]")
#: Where a clause of a sentence ends: the value a fact is given is in the clause that names it.
_COMMA = re.compile(r"[，,]")
#: The shortest end of a fact's name looked for in the text (电话 alone names every number of an answer).
ANCHOR_CHARS = 3

_NUMBER = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_PHONE = re.compile(r"(?<![\d-])(\d{3,4}-\d{7,8}|1[3-9]\d{9}|\d{5,8})(?![\d-])")
_MONEY = re.compile(rf"({_NUMBER})\s*元")
_FREE = re.compile("免费|免收|不收费|不收取|不需要缴费|无需缴费|不要钱|不花钱")
_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]|百分之([零〇一二两三四五六七八九十百点]+)")
_TIME = re.compile(rf"({_NUMBER})\s*个?(工作日|自然日|小时|日|天|周|星期|个月|月|年)")
_TIME_UNITS = {"天": "日", "自然日": "日", "星期": "周", "个月": "月"}


def _number(text: str) -> str:
    try:
        value = float(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else float(to_int(text))
    except ValueError:
        return text
    return f"{value:g}"


def _phones(text):
    return {m.group(1) for m in _PHONE.finditer(text.replace("－", "-"))}


def _money(text):
    found = {_number(m.group(1)) for m in _MONEY.finditer(text)}
    return found | ({"0"} if _FREE.search(text) else set())


def _shares(text):
    return {_number(m.group(1)) if m.group(1) else m.group(2) for m in _SHARE.finditer(text)}


def _times(text):
    return {f"{_number(m.group(1))}{_TIME_UNITS.get(m.group(2), m.group(2))}" for m in _TIME.finditer(text)}


#: The kinds of value a fact may hold, in the order a value is tried: (name, reader of a text's values).
KINDS = (("电话", _phones), ("比例", _shares), ("金额", _money), ("时间", _times))


def reading(value: str):
    """(kind, values) of a fact's value, or None when it holds no one readable value (a name, a place)."""
    value = value.strip()
    if re.fullmatch(r"[\d\s－-]+", value) and _phones(value):
        return "电话", _phones(value)
    for kind, read in KINDS[1:]:
        found = read(value)
        if len(found) == 1:
            return kind, found
    return None


def normal(value: str) -> str:
    """A fact's value as compared with another's: without punctuation and spaces, in lower case."""
    return _PUNCT.sub("", value).replace("－", "-").lower()


@dataclasses.dataclass(frozen=True)
class Disagreement:
    """A fact and where else it is said otherwise: a clause of the answer's text, or another answer."""

    key: str
    value: str
    said: str           # the clause, or the other answer's value
    other: Entry | None = None


def anchor(key: str, text: str) -> str | None:
    """The longest end of a fact's name that the text uses (补卡工本费 → 工本费), at least ANCHOR_CHARS long."""
    name = re.sub(r"^[\d年度]+", "", key)  # 2025年总体调整水平 → 总体调整水平
    for start in range(len(name) - min(ANCHOR_CHARS, len(name)) + 1):
        if name[start:] in text:
            return name[start:]
    return None


def in_text(entry: Entry) -> list[Disagreement]:
    """The facts of an answer that its own text gives otherwise: the clause naming the fact gives a value of
    its kind, and its sentence gives neither the fact's value nor that of another fact of the answer it may be
    about (补领、换领工本费20元 is about 补领换领工本费, not 临时身份证工本费; 每立方米1元，每户最高1200元 gives
    the 1200元 of the fact too). A sentence naming a longer end of another fact's name is that fact's; one
    naming the fact in passing (按不低于低保标准的1.3倍确定，为每人每月1716元) gives it no value."""
    from .render import to_text

    read = {key: reading(value) for key, value in entry.facts.items()}
    read = {key: r for key, r in read.items() if r}
    if not read:
        return []
    sentences = [s.strip() for s in _SENTENCE.split(to_text(entry.body)) if s.strip()]
    text = "\n".join(sentences)
    anchors = {key: a for key in read if (a := anchor(key, text))}
    out = []
    for key, found in anchors.items():
        kind, values = read[key]
        known = set().union(*(v for k, v in read.values() if k == kind))
        for sentence in sentences:
            if found not in sentence or any(len(a) > len(found) and a in sentence and found in a
                                            for a in anchors.values()):
                continue
            read_in = dict(KINDS)[kind]
            near = set().union(*(read_in(c) for c in _COMMA.split(sentence) if found in c))
            said = comparable(kind, read_in(sentence), values)
            if comparable(kind, near, values) and not said & known:
                out.append(Disagreement(key, entry.facts[key], _around(sentence, found)))
    return out


def comparable(kind: str, said: set, values: set) -> set:
    """The values a text gives that may stand for a fact's: a telephone number of the same form (a service
    number such as 12345 beside a repair line is another number, not another repair line)."""
    if kind != "电话":
        return said
    forms = {_form(v) for v in values}
    return {v for v in said if _form(v) in forms}


def _form(number: str) -> tuple:
    return ("-" in number, len(number) if "-" not in number else 0)


def _around(sentence: str, word: str, width: int = 60) -> str:
    """A sentence, cut to ``width`` characters around a word when longer."""
    if len(sentence) <= width:
        return sentence
    at = max(0, min(sentence.index(word) - width // 3, len(sentence) - width))
    return ("…" if at else "") + sentence[at:at + width] + ("…" if at + width < len(sentence) else "")


def in_others(snap: Snapshot, entry: Entry) -> list[Disagreement]:
    """The facts of an answer that other answers on the same topic give otherwise."""
    topic = entry.category[0] if entry.category else ""
    out = []
    for other in snap.policies():
        if other.id == entry.id or (other.category[0] if other.category else "") != topic:
            continue
        for key, value in entry.facts.items():
            theirs = other.facts.get(key)
            if theirs is not None and normal(theirs) != normal(value):
                out.append(Disagreement(key, value, theirs, other))
    return out


def _notices(snap: Snapshot, entry: Entry, first_line: int) -> list[Notice]:
    out = [Notice(entry.path, first_line, f"结构化事实“{d.key}：{d.value}”与正文“{d.said}”不一致",
                  "改正其中一处，使结构化事实与正文说法一致") for d in in_text(entry)]
    others = {}
    for d in in_others(snap, entry):
        others.setdefault((d.key, d.value, d.said), []).append(d.other)
    for (key, value, theirs), entries in others.items():
        names = "、".join(f"{snap.unit_name(e.unit)}《{e.title}》" for e in entries[:3])
        more = f"等 {len(entries)} 条答复" if len(entries) > 3 else ""
        fix = ("核实后统一说法；以本答复为准的，请一并修改这些答复" if all(e.unit == entry.unit for e in entries) else
               "与相关单位核实后统一说法；以本答复为准的，请对方单位一并修改")
        out.append(Notice(entry.path, first_line, f"结构化事实“{key}：{value}”与{names}{more}的“{theirs}”不一致", fix))
    return out


def notices(snap: Snapshot, paths: set[str]) -> list[Notice]:
    """The disagreements of the answers at ``paths`` (those a change request touches) in ``snap``."""
    out = []
    for path in sorted(paths):
        entry = snap.entry_by_path(path)
        if entry is not None and entry.kind == "policy" and entry.facts:
            out += _notices(snap, entry, 1)
    return out


def draft_notices(snap: Snapshot, path: str, text: str) -> list[Notice]:
    """:func:`notices` of one edited file (not yet committed) against the answers of ``snap``."""
    try:
        entry = Entry.from_text(path, text)
    except FrontMatterError:  # a file that cannot be read has its problems from validation
        return []
    if entry.kind != "policy" or not entry.facts:
        return []
    return _notices(snap, entry, _lines_before(text, entry.body))
