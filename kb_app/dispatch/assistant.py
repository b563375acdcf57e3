"""The dispatch assistant: intake rules first, then the best-matching directory entries with due dates.

``dispatch(snap, text, now)`` returns a :class:`DispatchResult`:

- ``emergency``: what ``kb_app.dispatch.emergency`` recognised by meaning — an event of a ``transfer`` rule
  happening now (紧急), maybe happening (疑似紧急), or spoken of in the past, as a question about
  rules, prevention or compensation (不按紧急处理, with the reason);
- ``rule``: the transfer rule when the finding is 紧急 or 疑似紧急 (fail closed: a maybe-emergency is
  urgent for the agent); otherwise the first other rule of ``regulations/intake_rules.yaml`` whose
  triggers occur in the text and none of whose ``exclude`` phrases do (other legal channels, secrets
  and privacy, unlawful requests, matters beyond any unit's duties), with the script to read out.
  ``other_rule`` is that first other rule even when a transfer rule comes first, for the agent who
  finds that a suspected emergency is none;
- ``candidates_withheld``: True when a transfer rule applies — the console, the command and the JSON
  (``to_dict``, the API's answer) then give the script and no dispatch candidate beside it (the
  candidates are still computed, for the agent who confirms that it is not an emergency);
- ``candidates``: the directory entries (派单目录) ranked for the text. Each entry is a bag of
  weighted terms — jieba words and character bigrams (``kb_app.search.analysis``) of its title, keywords,
  examples, category and body, the short fields weighted above the body — and the text is scored
  against it with BM25 (k1 = 1.2, b = 0.75). Words found in ``synonyms.yaml`` add their synonyms.
  Every candidate carries its handler and co-handlers with their names, level, tier and the due
  moment computed from ``now`` (``kb_app.workcalendar``; provisional, and said so, when the count runs
  into a year the calendar has no data for yet), and the 7×24 flag of ``time_limits.yaml``
  ``round_the_clock`` (the entry's units, or a domain named in its title, category or keywords);
- ``round_the_clock``: the 7×24 keywords that occur in the text itself.

The snapshot and term statistics of a commit are computed once and kept in memory (a few commits).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import datetime as dt
import math
from collections import Counter

from ..cache import LruCache
from ..search.analysis import (Analyzer, STOPWORDS, bigrams, normalize, synonym_expansion, without_asked_aspects,
                               without_courtesy, without_request_words)
from ..search.coverage import COMMON_SHARE, NOT_SUBJECT, TIME_WORDS, single_nouns
from .answers import is_question
from .boundary import excluded
from . import resemblance
from .regions import CITYWIDE, Places, Scope, local_units, locate, places, scope
from .emergency import RESEMBLES, SUSPECTED, Finding, Recogniser
from ..labels import RULE_ACTION_LABELS
from ..content.model import Entry, Snapshot
from ..workcalendar import Due, WorkCalendar

#: Longest text that is ranked; a pasted letter adds nothing after this but time.
MAX_TEXT_CHARS = 2000
#: Candidates scoring below this share of the first are no candidates: 路灯坏了 listed 宠物扰民 and 道路坑洼
#: at a twentieth of 路灯不亮's score, matched by a single common character pair.
MIN_RELATIVE_SCORE = 0.2
#: How an entry for some districts only (村庄路灯不亮（柳庄镇）) weighs against one for the whole city: for
#: a request naming no district (the agent asks first) it must match clearly better to come first; for
#: a request naming its district, it comes first over a citywide entry matching nearly as well.
LOCAL_UNKNOWN_WEIGHT, LOCAL_NAMED_WEIGHT = 0.9, 1.1
#: Another district's or street's entry comes after those that apply matching at least this share as well as it:
#: one that applies and matches less (预付卡退费纠纷 by 健身 for 和平街道小区健身器材坏了, whose match is 新华街道's
#: 小区内部公共设施维修) comes after it. The request is about that entry's matter, told in another place: it comes
#: first, said to be another place's and never preselected, and the agent dispatches by where the caller is.
ELSEWHERE_SHARE = 0.5
#: How long or when something has gone on (一个多星期了, 好几天, 半个月, 2019年1月28日): it says nothing of what the
#: matter is, and matched 我们小区门口路灯坏了一个多星期了 to 村庄路灯不亮 through the 一个多 of its example
#: 村口的路灯坏了一个多月了 (26.3 against 22.9 for 路灯不亮). Left out of what is matched, in requests and entries alike.
DURATION = re.compile(r"好?[\d一二两三四五六七八九十几半]+[个多来]*(?:年|月|星期|礼拜|周|天|日|号|小时|钟头|分钟)")
#: Weight of each field's terms in an entry's bag of terms.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "category": 2.0, "examples": 1.5, "body": 1.0}
#: A bigram match counts for less than a word match (a word match also matches its bigrams).
BIGRAM_WEIGHT = 0.5
K1, B = 1.2, 0.75
_CACHE_SIZE = 4
#: Verbs and adjectives of one character that say nothing of a matter (管、办、弄; 好 of 好烦); one of another
#: (吵、臭、漏、冷) names it as a word would: 天天半夜有人吵.
GENERIC_CHARS = frozenset("管办弄搞做干到去来出说讲问查找看听想好多少大小对错行人家点边样事情况题")
#: Characters that name nothing alone: grammar, pronouns and numbers (coverage.NOT_SUBJECT), and GENERIC_CHARS.
_NAMES_NOTHING = NOT_SUBJECT | GENERIC_CHARS
#: A number or a word in letters (12345, 110, ETC): it names what is asked about.
_NUMBER_OR_NAME = re.compile(r"[a-z0-9]{3,}")
#: Words of degree before such a character (太冷、好黑、挺吵), which the segmenter reads as one word with it.
DEGREE = re.compile("太|好|很|挺|真|超|特别|非常|有点|有些")


@functools.lru_cache(maxsize=4096)
def _alone_tag(analyzer: Analyzer, char: str) -> str:
    """The part of speech of one character alone ("v" for 吵)."""
    return analyzer.jieba.tag(char)[0][1]


@dataclasses.dataclass
class RuleMatch:
    """The intake rule that applies to a text and the phrase that triggered it."""

    id: str
    name: str
    action: str
    script: str
    trigger: str
    transfer_to: str = ""
    channel: str = ""
    basis: list = dataclasses.field(default_factory=list)


    @classmethod
    def of(cls, rule: dict, trigger: str) -> "RuleMatch":
        """The match of a rule of intake_rules.yaml, triggered by a phrase."""
        basis = [b for b in (rule.get("basis") or []) if isinstance(b, dict)]
        return cls(str(rule.get("id") or ""), str(rule.get("name") or rule.get("id") or ""),
                   str(rule.get("action") or ""), str(rule.get("script") or ""), trigger,
                   str(rule.get("transfer_to") or ""), str(rule.get("channel") or ""), basis)

    @property
    def action_label(self) -> str:
        return RULE_ACTION_LABELS.get(self.action, self.action)

    def line_name(self, finding: Finding | None = None) -> str:
        """The name a transfer's line goes by, without its number: the event's own (抢险救援 of an elevator
        with people trapped), else the rule's (急救中心 of 120急救中心); empty when neither has one."""
        own = finding.channel_name if finding is not None else ""
        return own or self.channel.removeprefix(self.transfer_to).strip()

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "action": self.action, "action_label": self.action_label,
                "transfer_to": self.transfer_to, "channel": self.channel, "trigger": self.trigger,
                "script": self.script, "basis": self.basis}


@dataclasses.dataclass
class Candidate:
    """One directory entry proposed for a text."""

    entry_id: str
    title: str
    category: list[str]
    handler: str
    handler_name: str
    co_handlers: list[tuple[str, str]]
    level: str
    tier: str
    tier_name: str
    due: Due | None
    due_error: str
    round_the_clock: bool
    score: float
    #: Why the candidate ranks where it does beyond the catalogue match (e.g. similar past work orders).
    note: str = ""
    #: What the entry's boundary leaves out and the request names (小区内部路灯 of 小区路灯坏了), if anything.
    left_out: str = ""
    #: The entry is for districts or streets the request does not name (regions.scope), if so: it is not chosen
    #: for the agent, and proposed after those that apply when the request is located elsewhere (unless none of them
    #: matches half as well, ELSEWHERE_SHARE).
    region_note: str = ""
    #: The request is located in none of the entry's districts or streets (another's matter), not only unsaid.
    elsewhere: bool = False
    #: Similar past work orders went to the entry (the note says how many).
    learned: bool = False

    def to_dict(self) -> dict:
        return {"entry": self.entry_id, "title": self.title, "category": self.category, "handler": self.handler,
                "handler_name": self.handler_name,
                "co_handlers": [{"unit": u, "name": n} for u, n in self.co_handlers], "level": self.level,
                "tier": self.tier, "tier_name": self.tier_name, "due": self.due.to_dict() if self.due else None,
                "due_error": self.due_error, "round_the_clock": self.round_the_clock, "score": round(self.score, 4),
                "note": self.note, "left_out": self.left_out,
                **({"region_note": self.region_note} if self.region_note else {})}


@dataclasses.dataclass
class DispatchResult:
    """What the assistant proposes for a request: rule, answers that settle it, catalogue candidates."""

    text: str
    now: dt.datetime
    rule: RuleMatch | None
    candidates: list[Candidate]
    round_the_clock: list[str]
    commit: str | None = None
    emergency: Finding | None = None
    other_rule: RuleMatch | None = None
    #: Published answers (public and internal) that may settle the request (see kb_app.dispatch.answers).
    answers: list = dataclasses.field(default_factory=list)
    #: The request reports a matter of the shortest time limit (燃气异味, 水管爆裂; see public_report):
    #: an answer's safety advice is read to the caller, and the matter is dispatched at once, never only
    #: answered.
    urgent: bool = False
    #: The words that report the urgent matter: the clause saying it in a longer request (闻到很浓的煤气味
    #: at the end of a complaint about rubbish), whose answers are the safety advice; else the whole text.
    urgent_text: str = ""
    #: Words naming what the request is about that no catalogue entry mentions, when the first candidate
    #: shares at most one of its less common words and no similar past order went to it (楼下有人打架 finds
    #: 违法建设 through 楼下): the candidates only share words in passing, and none is chosen for the agent.
    unmatched: tuple = ()
    #: The request as read for the catalogue and the answers when a word of it reads as a misspelt one of the
    #: same sound (社宝卡 → 社保卡), corrected as the agent's search corrects it (kb_app.search.spelling); empty
    #: otherwise. The intake rules and the emergency recogniser read the caller's own words (``text``).
    corrected: str = ""
    #: The request names no matter, only what kind of request it is or how the caller feels (我想反映个事，就是那个
    #: 挺烦的, 我要投诉: analysis.NO_MATTER): the agent is told to ask what it is about; the candidates share only such
    #: words, and none is chosen for the agent, nor an answer suggested unless it was asked in those words.
    vague: bool = False
    #: What a call tells besides the questions its answers settle, when that is another matter (我们小区门口路灯坏了,
    #: 另外我还想问下社保卡丢了咋补办): the candidates are ranked for it, and it is dispatched while the answers are
    #: read out (see answers.for_parts); "" otherwise.
    rest: str = ""
    #: Other matters the call reports besides the first candidate's: (the sentence saying it, its entry as a candidate),
    #: each to dispatch in an order of its own (see other_matters).
    more: list = dataclasses.field(default_factory=list)
    #: The safety steps intake_rules.yaml gives for the urgent matter reported (``urgent_advice``: 远离井口 …), or none.
    urgent_advice: list = dataclasses.field(default_factory=list)

    @property
    def read(self) -> str:
        """The request as read for the catalogue and the answers: as corrected, else as said."""
        return self.corrected or self.text

    @property
    def corrected_note(self) -> str:
        """What the agent is told of a correction ("" for none), as search tells it."""
        if not self.corrected:
            return ""
        return f"已按“{self.corrected}”分析（输入的是“{self.text}”，按同音字改正；是否紧急按原话和改正后的话都判断）"

    @property
    def passing_note(self) -> str:
        """What the first candidate leaves out of the request, when it matches only in passing ("" otherwise)."""
        if not self.unmatched:
            return ""
        said = "、".join(f"“{w}”" for w in self.unmatched)
        return f"首选事项没有提到{said}，与诉求只是字词相近：请按来电所说和职责边界判断承办单位"

    @property
    def rest_note(self) -> str:
        """What the agent is told of a call telling another matter besides the questions answered ("" otherwise)."""
        if not self.rest:
            return ""
        return f"来电说了不止一件事：所问的可按下方答复口径答复；“{self.rest}”请派单"

    @property
    def more_note(self) -> str:
        """What the agent is told of the other matters a call reports ("" for none)."""
        if not self.more:
            return ""
        said = "；".join(f"“{part}”（{c.title}，主办 {c.handler_name or c.handler}）" for part, c in self.more)
        return f"来电还反映了：{said}。每件事请分别派单"

    @property
    def vague_note(self) -> str:
        """What the agent is told of a request that names no matter ("" otherwise)."""
        if not self.vague:
            return ""
        return "没有听出来电反映的是什么事：请问清楚是什么事、在哪里、从什么时候开始，补充到诉求内容后重新分析"

    @property
    def urgent_steps(self) -> str:
        """What the agent does for a matter of the shortest time limit ("" for none): remind the caller of safety by the
        answer listed below (its safety steps), or — with no answer listed — by the steps intake_rules.yaml gives for
        the matter, or in a word; then dispatch at once. Never refers to an answer that is not there."""
        if not self.urgent or not self.candidates or self.candidates_withheld:
            return ""
        if self.answers:
            return "先提醒来电人注意安全（见下方答复口径），再立即派单。"
        if self.urgent_advice:
            return f"先提醒来电人注意安全：{'；'.join(step.rstrip('。；') for step in self.urgent_advice)}。再立即派单。"
        return "先提醒来电人注意安全，再立即派单。"

    @property
    def urgency(self) -> str:
        """'emergency', 'suspected' or '' — how urgently the transfer script must be read."""
        return self.emergency.state if self.candidates_withheld and self.emergency is not None else ""

    @property
    def confirmed_not_emergency(self) -> bool:
        """The agent confirmed that a suspected emergency is none (the transfer rule gave way)."""
        return self.emergency is not None and self.emergency.alarm and not self.candidates_withheld

    @property
    def hint(self) -> str:
        """The emergency hint as it is recorded with the request's outcome: 'emergency' or 'suspected' (the
        transfer was shown), 'dismissed' (the agent confirmed it was none), or '' (no hint)."""
        return "dismissed" if self.confirmed_not_emergency else self.urgency

    @property
    def hint_line(self) -> str:
        """The line the emergency hint named, shown or dismissed ("" for no hint)."""
        return self.emergency.line if self.emergency is not None and self.emergency.alarm else ""

    @property
    def candidates_withheld(self) -> bool:
        """A transfer rule applies: no dispatch candidate is shown beside its script."""
        return self.rule is not None and self.rule.action == "transfer"

    @property
    def suggested_outcome(self) -> str:
        """'transfer', 'direct_answer', 'dispatch' or '' (nothing to propose)."""
        if self.candidates_withheld:
            return "transfer"
        if (self.urgent or self.rest) and self.candidates:
            return "dispatch"
        if self.answers and self.answers[0].settles:
            return "direct_answer"
        return "dispatch" if self.candidates and not self.vague else ""

    def to_dict(self) -> dict:
        """The result as ``kb dispatch --json`` prints it and the API answers: ``urgent`` is true for an
        emergency to transfer (or a suspected one) as for a matter of the shortest time limit, and no
        candidate is given beside a transfer script (``candidates_withheld``)."""
        return {"text": self.text, "now": self.now.isoformat(), "commit": self.commit,
                "rule": self.rule.to_dict() if self.rule else None,
                "round_the_clock": self.round_the_clock,
                "candidates": [] if self.candidates_withheld else [c.to_dict() for c in self.candidates],
                "urgency": self.urgency,
                "emergency": self.emergency.to_dict() if self.emergency else None,
                "other_rule": self.other_rule.to_dict() if self.other_rule else None,
                "candidates_withheld": self.candidates_withheld,
                "confirmed_not_emergency": self.confirmed_not_emergency,
                "answers": [a.to_dict() for a in self.answers],
                **({"unmatched": list(self.unmatched)} if self.unmatched else {}),
                **({"vague": True} if self.vague else {}),
                **({"rest": self.rest} if self.rest else {}),
                **({"more": [{"text": part, "candidate": c.to_dict()} for part, c in self.more]} if self.more else {}),
                **({"corrected": self.corrected} if self.corrected else {}),
                "urgent": self.urgent or bool(self.urgency),
                "suggested_outcome": self.suggested_outcome}


# -- intake rules ------------------------------------------------------------------------------


def match_rule(text: str, rules) -> RuleMatch | None:
    """The first rule with a trigger in the text, or all the word lists of one of its ``together`` in one
    sentence of it, and no exclude phrase in it."""
    norm = _compact(text)
    for rule in rules or []:
        if not isinstance(rule, dict):
            continue
        if any(p and _phrase(p) in norm for p in _strings(rule.get("exclude"))):
            continue
        hit = next((t for t in _strings(rule.get("triggers")) if t and _trigger(_phrase(t)).search(norm)), None)
        hit = hit if hit is not None else _together(norm, rule.get("together"), rule.get("together_except"))
        if hit is not None:
            return RuleMatch.of(rule, hit)
    return None


#: Where a sentence ends, for the word lists of a rule's ``together``.
_SENTENCE_END = re.compile(r"[。！!？?；;\n]")


def _together(norm: str, groups, except_=None) -> str | None:
    """The words, joined by …, of the first of a rule's ``together`` (lists of words, say who, what about them and
    the asking: 前妻 + 住哪 + 帮我查) of which each list has a word in one sentence of a text; else None. Callers ask
    for another person's address or phone in many words (帮我查一下我前妻现在住哪): no phrase list holds them all.

    What ``except_`` phrases say is read out of each sentence first: 他电话打不通 tells of a phone nobody answers,
    it asks for no number (as callers say them, see ``_trigger``: 电话一直打不通)."""
    unsaid = [_trigger(_phrase(p)) for p in _strings(except_) if p]
    for group in groups if isinstance(groups, list) else []:
        lists = [_strings(words) for words in group] if isinstance(group, list) and len(group) >= 2 else []
        for sentence in _SENTENCE_END.split(norm) if lists else ():
            for phrase in unsaid:
                sentence = phrase.sub("…", sentence)
            said = [next((w for w in words if w and _phrase(w) in sentence), None) for words in lists]
            if all(said):
                return "…".join(said)
    return None


def intake(snap: Snapshot, text: str) -> tuple[RuleMatch | None, Finding | None, RuleMatch | None]:
    """(rule to apply, emergency finding, first non-transfer rule) for a request.

    Transfer rules are judged by meaning (``kb_app.dispatch.emergency``), never by their phrases alone; the
    other rules by their trigger phrases, in file order.
    """
    config = snap.config("intake_rules", {})
    config = config if isinstance(config, dict) else {}
    rules = [r for r in (config.get("rules") or []) if isinstance(r, dict)]
    finding = recogniser(snap).recognise(text)
    other = match_rule(text, [r for r in rules if r.get("action") != "transfer"])
    if finding is not None and finding.alarm:
        rule = _rule(snap, finding.rule_id)
        match = RuleMatch.of(rule, finding.word)
        if finding.event and finding.event != RESEMBLES:
            # The event recognised names the situation, wherever the transfer is shown (console, command line,
            # API): 有人掉水里了 is 落水和冰面, not 火灾和爆炸险情, the name of the 119 rule it is transferred by.
            match = dataclasses.replace(match, name=finding.event)
        # An event may have the agent's words of its own (落水: 不要贸然下水, not the rule's 不要乘坐电梯), and an
        # event that yielded to it keeps its own after them (轻生 beside a poisoning: the 12356 line).
        beside = _script(_rule(snap, finding.beside[0]), finding.beside[1]) if finding.beside else ""
        match = dataclasses.replace(match, script=(_script(rule, finding.event) or match.script) + beside)
        return match, finding, other
    return other, finding, other


def _rule(snap: Snapshot, rule_id: str) -> dict:
    """The transfer rule of intake_rules.yaml of an id (an emergency finding's), or an empty one."""
    rules = snap.config("intake_rules", {})
    rules = rules.get("rules") if isinstance(rules, dict) else None
    return next((r for r in rules or [] if isinstance(r, dict) and str(r.get("id") or "") == rule_id), {})


def _event(rule: dict, name: str) -> dict:
    """The event group of a transfer rule by its name, or an empty one."""
    return next((e for e in rule.get("events") or [] if isinstance(e, dict) and e.get("name") == name), {})


def _script(rule: dict, name: str) -> str:
    """The agent's words of an event of a transfer rule (``script`` of its group), or empty."""
    script = _event(rule, name).get("script")
    return script.strip() if isinstance(script, str) else ""


def public_alarm(snap: Snapshot, text: str) -> dict | None:
    """What a citizen searching by themselves is told when the question may be an emergency: the line to
    call now (``line``, ``channel``) and any other line (``also``), or None.

    Suspected emergencies count as well (fail closed: a citizen has no agent to ask them). Nothing of the
    agent's side goes out: not the script, the words that decided or the reasons.
    """
    rule, finding, _other = intake(snap, text or "")
    if finding is None or not finding.alarm:
        return None
    return _public_alarm(snap, rule, finding, text)


#: How the parts of an alarm's reading (:func:`alarm_reading`) are joined: no rule id, event name or line has it.
READING_SEP = "~"


def alarm_reading(snap: Snapshot, text: str) -> str:
    """What a citizen's words read as, in a few public words that :func:`alarm_of_reading` turns back into the
    same box (``public_alarm``): the rule and event, the line, the other lines and an event that yielded. "" when
    the words read as no emergency. An error report's page is sent back to the answer with it, not with the words."""
    _rule_match, finding, _other = intake(snap, text or "")
    if finding is None or not finding.alarm:
        return ""
    beside = finding.beside or ("", "")
    return READING_SEP.join([finding.rule_id, finding.line, finding.event, ",".join(finding.also), *beside])


def alarm_of_reading(snap: Snapshot, reading: str) -> dict | None:
    """The box (as ``public_alarm`` gives it) of a reading made by :func:`alarm_reading`, or None when it names
    no rule, event or line of this snapshot's intake rules: a reading made up in an address shows nothing."""
    parts = str(reading or "").split(READING_SEP)
    if len(parts) != 6:
        return None
    rule_id, line, event, also, beside_rule, beside_event = parts
    groups = recogniser(snap).groups
    lines = {g.line for g in groups}
    if not any(g.rule_id == rule_id and g.line == line for g in groups):
        return None
    group = next((g for g in groups if g.rule_id == rule_id and g.name == event and g.line == line), None)
    also = [a for a in also.split(",") if a]
    beside = (beside_rule, beside_event) if beside_rule else None
    if group is None and event != RESEMBLES or any(a not in lines for a in also) or \
            beside and not any((g.rule_id, g.name) == beside for g in groups):
        return None
    rule = RuleMatch.of(_rule(snap, rule_id), "")
    finding = Finding(SUSPECTED, rule_id, line, event, "", also=also, channel=group.channel if group else "",
                      beside=beside)
    return _public_alarm(snap, rule, finding)


def _public_alarm(snap: Snapshot, rule, finding: Finding, text: str = "") -> dict:
    events = [(finding.rule_id, finding.event), *([finding.beside] if finding.beside else [])]
    # An event that yielded keeps its say on answers too (有人要轻生 beside a poisoning: no policy answers).
    answers = all(_event(_rule(snap, rule_id), name).get("answers") is not False for rule_id, name in events)
    return {"line": finding.line, "channel": rule.line_name(finding) or "紧急专线", "event": finding.event, "also": list(finding.also),
            "advice": safety_advice(snap, finding, text or ""), "answers": answers}


def safety_advice(snap: Snapshot, finding, text: str = "") -> list[str]:
    """What a citizen should do while calling the line of an emergency finding: the safety steps
    (``advice``) of its event in intake_rules.yaml, or else of its rule; empty when neither has any.
    Steps written for one case (煤气、炭火中毒的：…) come first when the text names that case, then the
    steps for every case (说清楚详细地址…), then those for the other cases; none is left out (the case
    may be told wrong). The steps of an event that yielded to the finding's come last (see Finding.beside)."""
    steps = _advice(_rule(snap, finding.rule_id), finding.event)
    if any(_names_case(step, text) for step in steps):
        steps = sorted(steps, key=lambda step: 0 if _names_case(step, text) else 2 if _CASE.match(step) else 1)
    # The steps of an event that yielded to this one follow (轻生 beside a poisoning: the 12356 line).
    beside = _advice(_rule(snap, finding.beside[0]), finding.beside[1]) if finding.beside else []
    return steps + [step for step in beside if step not in steps]


def _advice(rule: dict, name: str) -> list[str]:
    """The safety steps of an event of a transfer rule (``advice``), or else of the rule."""
    event = _event(rule, name)
    return [a.strip() for a in _strings(event.get("advice") or rule.get("advice")) if a.strip()]


#: The case a safety step is written for, before its colon (煤气、炭火中毒的：…, 电梯困人：…).
_CASE = re.compile(r"^([^：:，。]{2,14})[：:]")


def _names_case(step: str, text: str) -> bool:
    """Whether a text names the case a step is written for: one of the case's words, whole (煤气 of
    煤气、炭火中毒的), is in it."""
    case = _CASE.match(step)
    if not case or not text:
        return False
    return any(len(word) >= 2 and word in text for word in re.split(r"[、，,或]|等?的$|等$", case.group(1)))


#: Words of a search for a service or a rule rather than of a matter reported (社保卡补办, 噪声污染防治法);
#: questions (路灯坏了找谁修) are told by ``answers.is_question``.
SEEKING = re.compile("标准|条件|流程|材料|政策|规定|补贴|申请|办理|报名|条例|办法|法规|法律|防治|法$")
#: Words of a search for a notice (停水通知, 计划停电, 东湖区停电公告): the citizen looks up what was
#: announced. A description in clauses (停水通知说中午来水，现在还没来) or words saying that nothing was
#: announced (停水了也没通知, 停电没有提前公告) are a complaint, reported.
NOTICE = re.compile("通知|公告|预告|告示|计划(?:停|检修|施工)")
UNANNOUNCED = re.compile("[没未不无]有?(?:看到|见到|收到|接到|提前|事先|预先|事前)?(?:发|贴|张贴|出)?(?:通知|公告|预告|告示)")
CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\s]")
#: Words that describe something wrong (a state, a harm, a refusal): a report says what is wrong, a search
#: for a service names it (社保卡补办, 居住证).
PROBLEM_WORDS = re.compile(
    "不亮|一直亮|灭|闪|坏|损|歪了|掉下来|没了|破了|爆了|爆裂|裂了|淹|翘|塌|吵|扰民|噪音|噪声|声音|漏|渗|堵|没人管|没人清|没人打扫"
    "|不管|拖欠|欠薪|没发|只发|不发|没结|没收到|没到账|不给|不让|乱|占|违建|违停|扩建|搭|盖房|油烟|烟|味|臭|脏|苍蝇|虫子"
    "|过期|假的|拉肚子|停水|停电|断水|断电|水压|不热|凉|投诉|举报|反映|积水|冒水|喷水|没人修|不修|跑路|退不回|不退|不认"
    "|涨价|多收|收费|不合理|态度|虐待|挡|困在|卡在|不停车|不拉|绕远|不打表|赶下|不换届|刷不了|报不了|不了|缺货|发高烧"
    "|黄的|沉淀|不见阳光|不同意|一直没|没有结果|太大|太早|太多|危险|堆满|堆积|乱堆|堆放|半夜|深夜|凌晨|打桩|还在施工|还在响")
#: Words saying a thing is gone (井盖丢了, 路牌被偷了): a matter to report where the thing is a public one the
#: catalogue names, a service to seek where it is one's own (社保卡丢了: 补办); see ``names_what_is_lost``.
LOSS_WORDS = re.compile("丢了|丢失|不见了|被偷|被盗|被人偷|被拿走")
#: ... and how the catalogue says a thing is gone, right after its name (井盖缺失, 井盖没了).
GONE = "(?:缺失|丢失|丢了|没了|不见了|被偷|被盗)"
#: How well the catalogue must match a statement before the public is told to report it to the hotline
#: (the catalogue match's score). Measured on the sample (with REPORT_SHARE): no question of the three
#: regulation sets (281), none of the 300 NCP questions or of the 70 unanswered ones, and 15 of the
#: answers' 289 common questions (all complaints, such as 楼上天天噪音扰民) get a box; so do 113 of the
#: catalogue's 165 examples of how citizens describe matters (five others are emergencies).
REPORT_FLOOR = 15.0
#: A short statement scores less however well it is matched (水管爆了 11.7, 电梯坏了 8.0): it reads as a
#: report too where the best entry holds most of what it says (DirectoryIndex.share) at a lower score.
#: No question of the sets above reaches that share (the highest, 上访的事情热线管不管, 0.41).
REPORT_SHARE, REPORT_SHORT_FLOOR = 0.45, 5.0
#: Words saying where a matter happens, not what it is: 厨房水管爆了 reports what 水管爆了 does, though
#: the catalogue holds 厨房 (油烟) and would count it against the share of the matter matched.
SETTING_WORDS = re.compile(
    "我家|家里|家中|屋里|房间|厨房|卫生间|洗手间|厕所|浴室|阳台|客厅|卧室|楼道里?|楼梯间|地下室|车库|院子|院里|门口|小区")


def public_report(snap: Snapshot, text: str) -> str:
    """Whether a citizen's words read as a matter to report (小区门口路灯不亮) rather than a question:
    a statement, not a question (or a matter told at length, whatever it asks: see ``told_at_length``), that says
    what is wrong, that the dispatch catalogue matches well, and
    no emergency (the alarm says more). The public site then says where to report it; nothing of the
    catalogue goes out.

    "urgent" where the matching entry's time limit is the configuration's shortest (燃气异味, 水管爆裂:
    report it at once, safety first), or cannot be read; "report" for any other; "" for no report."""
    return reported(snap, text)[0]


def public_report_advice(snap: Snapshot, text: str) -> tuple[str, list[str]]:
    """``public_report`` with what a citizen reporting an urgent matter should do first (``urgent_advice``
    of its catalogue entry in intake_rules.yaml: 燃气泄漏 → 不要在屋里打电话 …); no advice for any other."""
    kind, entry = reported(snap, text)
    return kind, urgent_advice(snap, entry) if kind == "urgent" else []


def urgent_advice(snap: Snapshot, entry: Entry | None) -> list[str]:
    """The safety steps intake_rules.yaml gives for reporting a catalogue entry (``urgent_advice``)."""
    rules = snap.config("intake_rules", {})
    table = rules.get("urgent_advice") if isinstance(rules, dict) else None
    if entry is None or not isinstance(table, dict):
        return []
    return [a.strip() for a in _strings(table.get(entry.id)) if a.strip()]


def reported(snap: Snapshot, text: str) -> tuple[str, Entry | None]:
    """``public_report`` with the catalogue entry the statement reports (None for no report).

    A long call can bury a matter of the shortest time limit under another story (……物业费倒是每年都在涨，……另外
    我还想说一下，刚才我回家的时候发现楼道里有很大的煤气味，现在还在): the story ranks first for the whole text, so
    the clauses are read too, two at a time, and one that reports an urgent matter of now makes the call urgent."""
    found = _reported(snap, text)
    if found[0] != "urgent" and (entry := _urgent_within(snap, text)) is not None:
        return "urgent", entry
    return found


def _urgent_within(snap: Snapshot, text: str) -> Entry | None:
    """The entry of an urgent matter told in two clauses of a call of TOLD_CLAUSES clauses or more, not of the
    past (去年冬天水管爆了 tells a story), when the call names no emergency for a line as a whole; else None."""
    parts = [c for c in CLAUSE_BREAK.split(text or "") if len(c) >= 2]
    if len(parts) < TOLD_CLAUSES:
        return None
    reader = recogniser(snap)
    for i in range(len(parts)):
        piece = "，".join(parts[i:i + 2])
        kind, entry = _reported(snap, piece)
        if kind == "urgent" and not reader.told_as_past(piece):
            # Read as a whole only now (a long call costs a few milliseconds to read): a transfer comes first.
            finding = reader.recognise(text)
            return None if finding is not None and finding.alarm else entry
    return None


def _reported(snap: Snapshot, text: str, alarm_read: bool = False) -> tuple[str, Entry | None]:
    """``reported`` of one reading; ``alarm_read``: the call this text was told in names no emergency, so the text's
    own reading as one (by resemblance to past calls, without the words that framed it) does not stop a report."""
    text = (text or "").strip()
    if not text or SEEKING.search(text) or not tells_problem(text):
        return "", None
    if is_question(text):
        if (told := told_asking_what_now(text)) and not says_only_when(told) and not _alarm(snap, text) \
                and (found := _reported(snap, told, alarm_read=True))[0] == "urgent":
            # 我闻到家里有煤气味，怎么办: the matter told is happening, and asking what to do keeps it urgent; so does
            # asking politely whether it is serious (我就是想问一下，我家厨房好像有点煤气味，……，要不要紧啊), though
            # what it tells alone resembles past calls to 119 (the call as a whole asks: the urgent matter is dispatched).
            return found
        text = told_at_length(text)
        if not text or not tells_problem(text):
            return "", None
    if NOTICE.search(text) and not UNANNOUNCED.search(text) and not CLAUSE_BREAK.search(text):
        return "", None
    if not alarm_read and _alarm(snap, text):
        return "", None
    index = directory_index(snap)
    ranked = index.rank(text, 1)
    if not ranked or ranked[0][1] < REPORT_SHORT_FLOOR or not index.names_matter(text):
        # 那个事到现在还没人管 names no matter: what it says of the handling matches entries' examples only.
        return "", None
    entry = ranked[0][0]
    if (named := sent_on(index, text, entry)) is not None:
        # 井盖往外冒水 is left out of 井盖缺失、破损 and sent on to 供水管道爆裂、路面冒水 by its boundary.
        entry = named
    if ranked[0][1] < REPORT_FLOOR and index.share(text, ranked[0][1]) < REPORT_SHARE \
            and not any(_clause_reports(index, clause, entry) for clause in clauses(text, index.analyzer)):
        return "", None
    if not PROBLEM_WORDS.search(text) and not names_what_is_lost(index, text, entry):
        return "", None
    return ("urgent" if urgent_tier(snap, entry) else "report"), entry


def _alarm(snap: Snapshot, text: str) -> bool:
    """Whether a text reads as an emergency or a suspected one (the alarm says more than a report)."""
    finding = intake(snap, text)[1]
    return finding is not None and finding.alarm


#: Problem words that say when rather than what is wrong (半夜 of 半夜燃气报修打什么电话): a matter told with these
#: alone is asked about, not reported as happening.
WHEN_WORDS = frozenset({"半夜", "深夜", "凌晨"})


def says_only_when(text: str) -> bool:
    """Whether the problem words of a text (PROBLEM_WORDS) are words of when (WHEN_WORDS) only, and it says of
    nothing that it is gone (LOSS_WORDS: 井盖丢了)."""
    found = {m.group() for m in PROBLEM_WORDS.finditer(text)}
    return bool(found) and found <= WHEN_WORDS and not LOSS_WORDS.search(text)


def tells_problem(text: str) -> bool:
    """Whether a text says what is wrong (PROBLEM_WORDS) or that something is gone (LOSS_WORDS)."""
    return bool(PROBLEM_WORDS.search(text) or LOSS_WORDS.search(text))


def names_what_is_lost(index: "DirectoryIndex", text: str, entry: Entry) -> bool:
    """Whether the catalogue entry a statement of loss matches names the thing lost as gone, in its title,
    keywords or examples (井盖缺失, 井盖没了): a public thing gone is a matter the catalogue takes. One's own
    thing (社保卡丢了, 医保卡丢了) is a service to seek, and the entry it matches names it otherwise if at all
    (医保卡刷不了)."""
    named = normalize("\n".join([entry.title, *entry.keywords, *entry.examples]))
    words = index.subject_words(text)
    longest = [w for w in words if not any(w != o and w in o for o in words)]
    # A word the segmenter keeps whole with its loss (井盖丢失, a keyword) is the thing named before it.
    things = [re.sub(GONE + "$", "", w) for w in longest]
    return any(re.search(re.escape(w) + GONE, named) for w in things if w)


#: A question with this many clauses that ask nothing (楼下烧烤店开到凌晨，油烟往楼上飘，……，请问该找哪个部门)
#: tells a matter at length: what it tells is a report, whatever it asks. Measured on the sample: no question
#: of the regulation sets, the NCP set, the unanswered ones or the answers' common questions has five; two
#: of the gap set have four (a small factory asking for protection after a complaint, a leak reported
#: three times asking for it to be hurried), which ask about the hotline's rules.
TOLD_CLAUSES = 5


def told_at_length(text: str) -> str:
    """The clauses of a text that ask nothing (see ``answers.is_question``), joined by commas, when there
    are at least TOLD_CLAUSES of them; empty otherwise."""
    told = [c for c in CLAUSE_BREAK.split(text) if len(c) >= 2 and not is_question(c)]
    return "，".join(told) if len(told) >= TOLD_CLAUSES else ""


#: The end of a request asking what to do now about what it tells (怎么办, 现在怎么办, 应该打什么电话). Said
#: of a matter of the shortest time limit (闻到煤气味, 水管爆了), it asks for help with something happening: a
#: careful hotline reads the safety advice and dispatches at once rather than answer a consultation. A question
#: of its own before it (我想了解一下水管爆了怎么办) or after (燃气灶坏了找谁修) is a consultation still, and so is
#: asking whose matter it is (半夜停水找谁, a question of the regulation sets about the hotline's hours).
ASKING_WHAT_NOW = re.compile(
    r"[，,。！!\s]*(?:那|那么|请问)?(?:我|我们)?(?:现在|这会儿|眼下)?(?:该|应该|要|得|能)?"
    r"(?:怎么办|咋办|咋整|怎么弄|咋弄|怎么处理|如何处理|打什么电话|打哪个电话|打几号"
    # ... or saying not to know whom to call (家里水管爆了，不知道找谁): asked of a matter told, it is that matter's.
    r"|(?:也|都|真)?(?:不知道|不晓得|不清楚)(?:该|应该|要|能)?(?:找谁|找哪个部门|找什么部门|找哪里|找哪儿|找哪|归谁管|谁管"
    r"|打什么电话|打哪个电话|打给谁|怎么办|咋办|怎么弄|咋弄|怎么处理)(?:才好|好)?"
    # ... or whether it is serious (要不要紧啊): asked of something happening, a careful hotline takes it as serious.
    r"|(?:这个?|那|这样)?(?:要不要紧|要紧吗|要紧不|不要紧吧|严不严重|严重吗|危不危险|危险吗|有没有危险|有危险吗"
    r"|会不会有事|会不会有危险|会不会爆炸|会爆炸吗|没事吧|没关系吧))"
    r"(?:啊|呀|呢|吧|才好)?[？?！!。]*$")
#: A clause that only greets, apologises or says that a question follows (你好, 不好意思打扰了, 我就是想问一下): what
#: it frames is told after it. Said within the clause of the matter (我想了解一下水管爆了怎么办) it makes a consultation.
FRAMING = re.compile(
    r"(?:(?:(?:喂|你好|您好|哎|嗯|那个|就是|是这样的?|不好意思|打扰(?:了|一下|您了?)?|麻烦(?:您|你)?(?:一下)?"
    r"|我?(?:就|就是|只是)?(?:想|要)?(?:问|咨询|请教|了解)(?:一下|下|问)?|请问(?:一下)?)+[啊呀哈呢]*)?"
    r"[，,。；;！!？?\s]+)*")


def told_asking_what_now(text: str) -> str:
    """What a request tells before it asks only what to do now or whether it is serious (我闻到家里有煤气味 of
    我闻到家里有煤气味，怎么办; 我家厨房好像有点煤气味 of 我就是想问一下，我家厨房好像有点煤气味，要不要紧啊), when that
    part asks nothing itself once the clauses that only frame it (FRAMING) are left out; empty otherwise."""
    asked = ASKING_WHAT_NOW.search(text)
    told = text[:asked.start()].strip() if asked else ""
    told = told[FRAMING.match(told).end():]
    return told if told and not is_question(told) else ""


def clauses(text: str, analyzer: Analyzer) -> list[str]:
    """A spoken statement's clauses: between punctuation, and after a 了 of its own (水管爆了｜水漫出来了;
    了 in a word, as in 了解 or 为了, ends nothing)."""
    out = []
    for part in CLAUSE_BREAK.split(text):
        clause = ""
        for word in analyzer.jieba.cut(part, True):
            clause += word
            if word == "了":
                out.append(clause)
                clause = ""
        out.append(clause)
    return [c for c in out if len(c) >= 2]


def _clause_reports(index: "DirectoryIndex", clause: str, entry: Entry) -> bool:
    """A clause of a longer statement says the matter wholly (水管爆了 in 水管爆了水漫出来了, whose
    consequence the catalogue does not hold): it names something wrong and the whole statement's best
    entry is its own, holding most of it."""
    if not PROBLEM_WORDS.search(clause):
        return False
    ranked = index.rank(clause, 1)
    return bool(ranked) and ranked[0][0].id == entry.id and ranked[0][1] >= REPORT_SHORT_FLOOR \
        and index.share(clause, ranked[0][1]) >= REPORT_SHARE


def urgent_tier(snap: Snapshot, entry: Entry) -> bool:
    """Whether an entry's time limit is the shortest of the configuration; one that cannot be read
    (no such tier, no default) counts as the shortest."""
    tier = snap.tiers.get(entry_tier(snap, entry))
    hours = {tid: _tier_hours(t) for tid, t in snap.tiers.items()}
    if tier is None or hours[str(tier["id"])] is None:
        return True
    return hours[str(tier["id"])] <= min(h for h in hours.values() if h is not None)


def entry_tier(snap: Snapshot, entry: Entry) -> str:
    """The time-limit tier of a directory entry: its own, or the configuration's default."""
    tl = snap.config("time_limits", {})
    return entry.time_limit or (str(tl.get("default_tier") or "") if isinstance(tl, dict) else "")


@dataclasses.dataclass
class Assignment:
    """Who handles a catalogue entry's matter and within what time, by name: what the console proposes with a
    candidate and what the entry's page shows agents and units."""

    handler: str
    handler_name: str
    co_handlers: list[tuple[str, str]]       # (unit id, name)
    level: str
    tier: str
    tier_name: str                           # 5个工作日; the tier's id when time_limits.yaml does not define it
    tier_description: str                    # which matters belong to the tier (time_limits.yaml)
    tier_known: bool                         # the tier is defined in time_limits.yaml
    round_the_clock: bool                    # taken and dispatched at any hour (7×24)


def assignment(snap: Snapshot, entry: Entry, co_handlers: list[str] | None = None,
               rtc: dict | None = None) -> Assignment:
    """The units, level and time limit of a directory entry; ``co_handlers``: those to name (all the entry's by
    default), ``rtc``: the 7×24 configuration when the caller has it at hand."""
    tier = entry_tier(snap, entry)
    spec = snap.tiers.get(tier, {})
    units = entry.co_handlers if co_handlers is None else co_handlers
    return Assignment(entry.handler, snap.unit_name(entry.handler) if entry.handler else "",
                      [(u, snap.unit_name(u)) for u in units], entry.level, tier, str(spec.get("name") or tier),
                      str(spec.get("description") or ""), bool(spec),
                      entry_round_the_clock(entry, _round_the_clock(snap) if rtc is None else rtc))


def _tier_hours(tier: dict) -> float | None:
    """A tier's length in hours (a workday counted as 24), or None where it cannot be read."""
    amount, unit = tier.get("amount"), tier.get("unit")
    if unit not in _UNIT_HOURS or isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
        return None
    return _UNIT_HOURS[unit] * amount


_UNIT_HOURS = {"hours": 1.0, "workdays": 24.0}


def ordinary_requests(snap: Snapshot, catalogue=None) -> list[str]:
    """What the knowledge base knows as ordinary requests, for the reading by resemblance: the answers' common
    questions and the examples of the catalogue's entries (``catalogue``: those entries; all by default). The
    articles' questions ask about the hotline's own rules: with them, look-alikes were taken for emergencies
    more often."""
    entries = snap.directory() if catalogue is None else catalogue
    return [q for e in snap.entries.values() for q in e.questions] + [x for e in entries for x in e.examples]


def recogniser_args(snap: Snapshot) -> tuple:
    """What the emergency recogniser of a snapshot is made of: the ``emergency`` section and the rules of
    intake_rules.yaml, and the example calls (intake_examples.yaml and the knowledge base's ordinary requests)."""
    config = snap.config("intake_rules", {})
    config = config if isinstance(config, dict) else {}
    examples = resemblance.from_config(snap.config("intake_examples", {}), ordinary_requests(snap))
    return config.get("emergency"), config.get("rules"), examples


def recogniser(snap: Snapshot) -> Recogniser:
    """The emergency recogniser of a snapshot's intake rules (kept with the snapshot)."""
    cached = getattr(snap, "_emergency_recogniser", None)
    if cached is None:
        cached = Recogniser(*recogniser_args(snap))
        snap._emergency_recogniser = cached
    return cached


@functools.lru_cache(maxsize=4096)
def _trigger(phrase: str) -> re.Pattern:
    """A trigger as callers say it: a few words may come between its characters (有人在打架 for 有人打架).

    Two-character triggers must match exactly; longer ones allow one inserted character per gap
    (two for triggers of four or more characters), which keeps short triggers from firing on
    unrelated sentences.
    """
    if len(phrase) <= 2:
        return re.compile(re.escape(phrase))
    gap = ".{0,2}" if len(phrase) >= 4 else ".?"
    return re.compile(gap.join(re.escape(c) for c in phrase))


def _compact(text: str) -> str:
    return "".join(normalize(text).split())


#: A rule's phrase compacted: the same few hundred phrases are read for every request and question.
_phrase = functools.lru_cache(maxsize=8192)(_compact)


def _strings(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None]


# -- ranking ---------------------------------------------------------------------------------


#: What a caller says of how the matter was (not) handled, naming no matter: 还没人来修, 没人管, 打了五次了, 你们到底
#: 管不管事. Many entries' examples say it too (暖气不热…还没人来修), so 还没人来修路灯 would match them as much as 路灯不亮.
CHASING = re.compile(
    r"(?:(?:一直|还|都|也|根本|压根)?(?:没有?|不)(?:人|人家|谁)(?:来|过来|上门)?(?:管|理|问|修|处理|解决|回复|联系|回电话?|来)(?:过|了)?)"
    r"|(?:(?:我|我们)?(?:都|已经|前前后后|先后)?打了?(?:好几|[一二两三四五六七八九十几\d]+|无数)(?:次|遍|回|个电话)(?:电话)?了?)"
    r"|(?:(?:你们|12345|热线)*(?:到底|究竟)?(?:管不管|管还是不管|能不能管|有没有人管)(?:事|啊|呀)?)")


class DirectoryIndex:
    """BM25 over weighted word and bigram terms of directory entries; the places a text names (``places``,
    see kb_app.dispatch.regions) are no words it is matched on."""

    def __init__(self, entries: list[Entry], synonym_groups=(), places: Places | None = None):
        self.entries = list(entries)
        self.places = places
        self.synonym_groups = [list(g) for g in synonym_groups]
        self._synonyms: dict[str, list[str]] = {}
        self._surface_cache: tuple[list[str], list[str]] | None = None
        #: unmatched() of the last requests: one dispatch asks it of the history's reranking and of its first candidate.
        self._unmatched = LruCache(256)
        self._name_counts: dict[str, int] = {}
        words = [w for e in self.entries for w in [e.title, *e.keywords, *e.category]]
        self.analyzer = Analyzer(words)
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.lengths: list[float] = []
        for i, e in enumerate(self.entries):
            bag = self._entry_terms(e)
            self.lengths.append(sum(bag.values()))
            for term, tf in bag.items():
                self.postings.setdefault(term, []).append((i, tf))
        n = max(len(self.entries), 1)
        self.avgdl = (sum(self.lengths) / n) or 1.0
        self.norms = [K1 * (1 - B + B * length / self.avgdl) for length in self.lengths]
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def _terms(self, text: str) -> list[str]:
        norm = DURATION.sub(" ", normalize(text))
        return [f"w:{w}" for w in self.analyzer.words(norm, normalized=True) if w not in STOPWORDS] + \
               [f"b:{b}" for b in bigrams(norm, normalized=True) if b not in STOPWORDS]

    def _entry_terms(self, e: Entry) -> Counter:
        fields = {"title": [e.title], "keywords": e.keywords, "category": e.category, "examples": e.examples,
                  "body": [e.body]}
        bag: Counter = Counter()
        for name, texts in fields.items():
            weight = FIELD_WEIGHTS[name]
            for text in texts:
                for term in self._terms(text):
                    bag[term] += weight * (BIGRAM_WEIGHT if term.startswith("b:") else 1.0)
        return bag

    def asked(self, text: str) -> str:
        """A text normalised, without the places it names and the words of living there (我住西山区), nor the words
        asking an aspect of the matter (要花钱不、多久、去哪: analysis.ASKED_ASPECT), which name no matter: 我社保卡丢了，
        去哪补，要钱不 is matched as 我社保卡丢了补."""
        text = CHASING.sub(" ", without_asked_aspects(normalize(text[:MAX_TEXT_CHARS])))
        return self.places.strip(text) if self.places is not None else text

    def query_terms(self, text: str) -> Counter:
        text = self.asked(text)
        terms = Counter(self._terms(text))
        for syn in synonym_expansion(text, self.synonym_groups):
            terms.update(self._terms(syn))
        return terms

    def _weights(self, text: str) -> dict[str, float]:
        """The weight of each of a text's terms the catalogue holds."""
        return {term: (BIGRAM_WEIGHT if term.startswith("b:") else 1.0) * (1 + math.log(qtf)) * self.idf[term]
                for term, qtf in self.query_terms(text).items() if self.postings.get(term)}

    def share(self, text: str, score: float) -> float:
        """How much of a text a score matches: the score against the most any entry could score, every
        term of the text the catalogue holds matched many times, but the words of where it happens
        (SETTING_WORDS), which need no match (0 to 1)."""
        ceiling = sum(self._weights(SETTING_WORDS.sub(" ", text)).values()) * (K1 + 1)
        return min(1.0, score / ceiling) if ceiling else 0.0

    def subject_words(self, text: str) -> list[str]:
        """The words of a request that may name what it is about: of two characters or more, or one the
        segmenter reads as a noun alone (猫); not words of quantity, pronouns, grammar or time (see
        kb_app.search.coverage), nor the places it names."""
        return self._subjects(self.asked(text))

    def _subjects(self, norm: str) -> list[str]:
        words = [w for w in self.analyzer.words(norm, normalized=True) if len(w) > 1]
        return [w for w in dict.fromkeys([*words, *single_nouns(norm, self.analyzer)])
                if w not in STOPWORDS and w not in TIME_WORDS and not set(w) & NOT_SUBJECT and re.fullmatch(r"\w+", w)]

    def names_matter(self, text: str) -> bool:
        """Whether a request names what it is about: without its greetings and question form, and the words any
        request may say (analysis.NO_MATTER), a subject word is left, or a verb or adjective of one character that is not
        GENERIC_CHARS (吵 of 半夜有人吵, 冷 of 屋里太冷了)."""
        rest = without_request_words(self.asked(text))
        if _NUMBER_OR_NAME.search(rest) or self._subjects(rest):
            return True
        # A character of a longer word counts (困 of 被困, 火 of 火里): the words around it only say who and where.
        rest = DEGREE.sub(" ", rest)
        return any(c not in _NAMES_NOTHING and c not in STOPWORDS and _alone_tag(self.analyzer, c)[0] in "vna"
                   for w, _tag in self.analyzer.jieba.tag(rest) if w not in TIME_WORDS for c in w if "\u4e00" <= c <= "\u9fff")

    def unmatched(self, text: str, entry: Entry) -> tuple[str, ...]:
        """The words of a request that ``entry`` does not mention, when the entry names none of the request's
        less common words in its title, keywords or category (those in under COMMON_SHARE of the entries, or a
        synonym of them), and either the request names something no entry mentions at all or the entry
        mentions none of its words anywhere (我家猫跑丢了 and 违法停车); else none. Such an entry
        matches in passing, by words of its examples or boundary (楼下有人打架 and 违法建设, through a 楼下 of
        its examples), not by what it is about."""
        found = self._unmatched.get((text, entry.id))
        if found is None:
            found = self._unmatched_words(text, entry)
            self._unmatched.put((text, entry.id), found)
        return found

    def names(self, words: list[str], entry: Entry) -> bool:
        """Whether an entry's name for its matter (title, keywords, category) holds one of a request's subject words
        (``subject_words``) that few names hold (under COMMON_SHARE of them): 路灯 of 还没人来修路灯 is named by
        路灯不亮."""
        _surfaces, names = self._surfaces()
        at = self.entries.index(entry)
        return any(self._mentions(names[at], w) and self._named_by(w) < COMMON_SHARE * len(names) for w in words)

    def _named_by(self, word: str) -> int:
        """How many entries' names hold a word (or a synonym of it), counted once per word."""
        found = self._name_counts.get(word)
        if found is None:
            found = self._name_counts[word] = sum(self._mentions(n, word) for n in self._surfaces()[1])
        return found

    def _unmatched_words(self, text: str, entry: Entry) -> tuple[str, ...]:
        # The words any request says (举报, 投诉: analysis.NO_MATTER) match no matter: 我想举报一个黑诊所 is matched in
        # passing by an entry whose examples say 举报.
        words = self._subjects(without_request_words(self.asked(text))) or self.subject_words(text)
        if not words or self.names(words, entry):
            return ()
        surfaces, names = self._surfaces()
        at = self.entries.index(entry)
        own = surfaces[at]
        known = all(any(self._mentions(s, w) for s in surfaces) for w in words)
        if known and any(self._mentions(own, w) for w in words):
            return ()
        longest = [w for w in words if not any(w != o and w in o for o in words)]
        return tuple(w for w in longest if not any(o in w and self._mentions(own, o) for o in words))

    def _mentions(self, surface: str, word: str) -> bool:
        """Whether a text holds a word or a synonym of it."""
        if word not in self._synonyms:
            self._synonyms[word] = [word, *synonym_expansion(word, self.synonym_groups)]
        return any(t in surface for t in self._synonyms[word])

    def _surfaces(self) -> tuple[list[str], list[str]]:
        """Each entry's text, and its name for the matter (title, keywords, category), normalised."""
        if self._surface_cache is None:
            names = [normalize(" ".join([e.title, *e.keywords, *e.category])) for e in self.entries]
            self._surface_cache = ([n + " " + normalize(" ".join([*e.examples, e.body]))
                                    for n, e in zip(names, self.entries)], names)
        return self._surface_cache

    def rank(self, text: str, limit: int = 5) -> list[tuple[Entry, float]]:
        scores: dict[int, float] = {}
        for term, weight in self._weights(text).items():
            postings = self.postings[term]
            for i, tf in postings:
                scores[i] = scores.get(i, 0.0) + weight * tf * (K1 + 1) / (tf + self.norms[i])
        ranked = sorted(scores.items(), key=lambda s: (-s[1], self.entries[s[0]].id))
        return [(self.entries[i], s) for i, s in ranked[:limit]]


#: The snapshot and directory index of the last few commits dispatched on.
_prepared = LruCache(_CACHE_SIZE)


def directory_index(snap: Snapshot) -> DirectoryIndex:
    """The index of a snapshot's directory (built once per commit when the snapshot has one)."""
    if snap.commit is None:
        return DirectoryIndex(snap.directory(), snap.synonym_groups, places(snap))
    return prepared(snap.commit, lambda: snap)[1]


def prepared(key: str, load) -> tuple[Snapshot, DirectoryIndex]:
    """The snapshot and directory index of a commit, loaded with ``load()`` once and kept in memory."""
    def build():
        snap = load()
        return snap, DirectoryIndex(snap.directory(), snap.synonym_groups, places(snap))

    return _prepared.get_or_build(key, build)


def emergency_lines(snap: Snapshot) -> list[tuple[str, str]]:
    """The lines the transfer rules name, once each, by number: (line, channel) — ("110", "110报警服务台") …"""
    config = snap.config("intake_rules", {})
    rules = (config.get("rules") or []) if isinstance(config, dict) else []
    lines: dict[str, str] = {}
    for rule in rules:
        if isinstance(rule, dict) and rule.get("action") == "transfer" and rule.get("transfer_to"):
            lines.setdefault(str(rule["transfer_to"]), str(rule.get("channel") or rule["transfer_to"]))
    return sorted(lines.items())


def dispatch_at(store, commit: str, text: str, now: dt.datetime, limit: int = 5,
                not_emergency: bool = False, rerank=None, corrected: str = "") -> "DispatchResult":
    """``dispatch`` on a commit of a store; the commit's snapshot and index are parsed once."""
    snap, _index = prepared(commit, lambda: store.snapshot(commit))
    return dispatch(snap, text, now, limit, not_emergency=not_emergency, rerank=rerank, corrected=corrected)


# -- 7×24 --------------------------------------------------------------------------------------


def _round_the_clock(snap: Snapshot) -> dict:
    tl = snap.config("time_limits", {})
    rtc = tl.get("round_the_clock") if isinstance(tl, dict) else None
    return rtc if isinstance(rtc, dict) else {}


def entry_round_the_clock(e: Entry, rtc: dict) -> bool:
    units = set(_strings(rtc.get("units")))
    if units & set(e.handler_units):
        return True
    named = " ".join([e.title, *e.category, *e.keywords])
    return any(d and d in named for d in _strings(rtc.get("domains")))


def text_round_the_clock(text: str, rtc: dict) -> list[str]:
    norm = _compact(text)
    return [k for k in _strings(rtc.get("keywords")) if k and _compact(k) in norm]


# -- the assistant ---------------------------------------------------------------------------


def dispatch(snap: Snapshot, text: str, now: dt.datetime, limit: int = 5,
             calendar: WorkCalendar | None = None, not_emergency: bool = False,
             rerank=None, corrected: str = "") -> DispatchResult:
    """The intake rule and the ranked directory entries, with due dates from ``now``, for a text.

    ``not_emergency`` records the agent's confirmation, having asked the caller, that a (suspected)
    emergency is none: the transfer rule then gives way to the other rules (the finding stays).
    ``rerank(index, text, limit) -> [(entry, score, note, learned)]`` (kb_app.dispatch.history) re-ranks the
    catalogue match; it sees the candidates only, never the intake rule, and never puts another entry
    before the one an urgent report is about (see ``reported``).

    ``corrected`` is the request with its misspelt words corrected (社宝卡 → 社保卡, see
    DispatchResult.corrected): the catalogue is matched on it, while the intake rules, the emergency recogniser
    and the urgent matters reported read the caller's own words — and the corrected ones too, where those alone
    read as an emergency or an urgent matter (safety fails closed).
    """
    text = (text or "").strip()
    corrected = (corrected or "").strip()
    corrected = corrected if corrected != text else ""
    rule, finding, other = intake(snap, text)
    if corrected and (finding is None or not finding.alarm):
        # Safety fails closed: a call that reads as an emergency once a word misheard is corrected is one.
        c_rule, c_finding, c_other = intake(snap, corrected)
        if c_finding is not None and c_finding.alarm:
            rule, finding, other = c_rule, c_finding, c_other
    if not_emergency and finding is not None and finding.alarm:
        rule = other
    kind, reported_entry = reported(snap, text)
    told = text
    if corrected and kind != "urgent" and reported(snap, corrected)[0] == "urgent":
        # 楼道里有很大的煤汽味: as urgent as 煤气味, read either way.
        (kind, reported_entry), told = reported(snap, corrected), corrected
    read = corrected or text
    candidates = rank_candidates(snap, read, now, limit, calendar, rerank,
                                 keep=reported_entry.id if kind == "urgent" else "")
    urgent_text = ""
    if kind == "urgent":
        # The matter of the shortest time limit is proposed first, whatever similar past orders say.
        candidates.sort(key=lambda c: c.entry_id != reported_entry.id)
        urgent_text = reporting_clause(directory_index(snap), told, reported_entry)
    index = directory_index(snap)
    # A request naming no matter (我要投诉) is asked about, not matched on its words; safety fails closed: an
    # emergency or urgent matter heard in it is never vague.
    vague = kind != "urgent" and not (finding is not None and finding.alarm) and not index.names_matter(read)
    top = candidates[0] if candidates and not candidates[0].learned and not vague else None
    unmatched = index.unmatched(read, snap.entries[top.entry_id]) if top and kind != "urgent" else ()
    if rule is not None and (unmatched or vague):
        # The rule says how the request is handled (个人隐私: not given, and why); entries that share only its
        # words (停水 for 帮我查一下我前妻现在住哪) are no matter to dispatch it as.
        candidates, unmatched = [], ()
    more = other_matters(snap, read, now, candidates[0].entry_id, calendar) if candidates and not vague else []
    return DispatchResult(text, now, rule, candidates, text_round_the_clock(read, _round_the_clock(snap)), snap.commit,
                          finding, other, urgent=kind == "urgent", urgent_text=urgent_text, unmatched=unmatched,
                          corrected=corrected, vague=vague, more=more,
                          urgent_advice=urgent_advice(snap, reported_entry) if kind == "urgent" else [])


#: What opens the telling of another matter (还有就是, 另外, 再一个): a call with one is told in parts, one matter each.
ANOTHER_MATTER = re.compile(r"(?:^|[，,。；;！!？?\s])(?:那个|就是)?(?:还有就是|还有个事|还有一件事|还有|另外|另一个事|另一件事|再一个|"
                            r"再就是|再有|此外|顺便|顺带|同时)(?:就是|那个|呢|啊)?")


def other_matters(snap: Snapshot, text: str, now: dt.datetime, first: str,
                  calendar: WorkCalendar | None = None) -> list[tuple[str, Candidate]]:
    """The other matters a call reports besides its first candidate's, where it says it tells another (还有就是,
    另外: ANOTHER_MATTER): each part of the call so opened (or the part before) that says what is wrong and holds
    most of another entry, which is about what it names (喂你好，我们小区那个路灯坏了好几天了 of a call going on
    还有就是楼下那个饭店油烟特别大), with that entry as a candidate. A part asking something, or naming no matter
    (我要举报), is no report."""
    parts = [without_courtesy(p).strip("，,。；;！!？? ") for p in ANOTHER_MATTER.split(text)]
    parts = [p for p in parts if len(p) >= 4]
    if len(parts) < 2:
        return []
    index = directory_index(snap)
    found: dict[str, tuple[str, Candidate]] = {}
    for part in parts:
        if is_question(part) or not tells_problem(part) or not index.names_matter(part):
            continue
        # Matched on what it names: 想举报 of 病死的鸡扔在那，想举报 is no 违法建设.
        said = without_request_words(normalize(part))
        ranked = index.rank(said, 1)
        if not ranked or ranked[0][0].id == first or ranked[0][0].id in found or ranked[0][1] < REPORT_SHORT_FLOOR \
                or index.share(said, ranked[0][1]) < REPORT_SHARE or index.unmatched(said, ranked[0][0]):
            continue
        told = rank_candidates(snap, said, now, 1, calendar)
        if told and told[0].entry_id == ranked[0][0].id:
            found[told[0].entry_id] = (part, told[0])
    return list(found.values())


def reporting_clause(index: "DirectoryIndex", text: str, entry: Entry) -> str:
    """The first clause of a statement that says the matter of ``entry`` wholly (see _clause_reports), or
    the whole statement when none does alone."""
    return next((c for c in clauses(text, index.analyzer) if _clause_reports(index, c, entry)), text)


def rank_candidates(snap: Snapshot, text: str, now: dt.datetime, limit: int = 5,
                    calendar: WorkCalendar | None = None, rerank=None, keep: str = "") -> list[Candidate]:
    """The directory entries for a text, best first, each with its units, tier and due moment from ``now``;
    the entry ``keep`` (the matter of the shortest time limit reported, see ``reported``) stays however little
    of the text it matches."""
    rtc = _round_the_clock(snap)
    calendar = calendar or WorkCalendar.from_snapshot(snap)
    candidates = []
    wheres: dict[str, str] = {}
    index = directory_index(snap)
    where = locate(text, snap)
    for entry, score, note, learned in _ranked(index, text, limit, rerank, keep):
        # The governments of other districts and streets are no co-handlers of a request that says where it is.
        told = assignment(snap, entry, local_units(snap, entry.co_handlers, where), rtc)
        tier, spec = told.tier, snap.tiers.get(told.tier, {})
        due, due_error = None, ""
        if spec:
            # A year without calendar data gives a provisional due date, said as such; what to add to the
            # calendar is for the administrators (kb doctor, the hotline center's task), not for the agent.
            due = calendar.due(now, spec, provisional=True)
        else:
            due_error = f"时限档位“{tier}”未在 regulations/time_limits.yaml 中定义：请修正条目 {entry.id} 的 time_limit。"
        # What the entry's boundary leaves out and the request names (小区内部路灯 of 小区路灯坏了) is said beside it.
        left_out = excluded(text, entry.body, index.analyzer)
        if left_out is not None:
            note = "；".join(filter(None, [left_out.note, note]))
            wheres[entry.id] = left_out.where
        place = scope(snap, entry.regions, where)
        candidates.append(Candidate(
            entry.id, entry.title, entry.category, told.handler, told.handler_name, told.co_handlers, told.level,
            tier, told.tier_name, due, due_error, told.round_the_clock, score, "；".join(filter(None, [place.note, note])),
            left_out.scope if left_out else "", place.note, learned=learned, elsewhere=place.elsewhere))
    _weigh_local(snap, candidates)
    # Another district's or street's matter (东湖区's 小区停车管理 for a caller in 西山区, 新华街道's 小区内部公共设施维修
    # for one in 和平街道) after those that apply to the caller's, but for those matching far less (ELSEWHERE_SHARE).
    elsewhere = max((c.score for c in candidates if c.elsewhere), default=0.0)
    candidates.sort(key=lambda c: c.elsewhere or c.score < ELSEWHERE_SHARE * elsewhere)
    _follow_boundaries(candidates, wheres)
    return candidates


def entry_scope(snap: Snapshot, entry_id: str, text: str) -> Scope:
    """How a catalogue entry's regions stand to where a request is, as said beside a candidate (regions.Scope: 仅适用于
    东湖区新华街道，来电说的是东湖区和平街道); no note where it applies or the entry is unknown. For an entry an agent
    picks by hand."""
    entry = snap.entries.get(entry_id)
    return scope(snap, entry.regions, locate(text, snap)) if entry is not None else Scope()


def _follow_boundaries(candidates: list[Candidate], wheres: dict[str, str]):
    """Put before an entry the candidate its boundary sends what the request names to, when that one ranks
    below it: 井盖往外冒水 is left out of 井盖缺失、破损 (往外冒水、冒污水的井盖：派"供水管道爆裂、路面冒水"), so
    供水管道爆裂、路面冒水 comes first. The entry keeps its place after it, with its note."""
    i = 0
    while i < len(candidates):
        where = wheres.get(candidates[i].entry_id, "")
        # An entry for some districts only is not put first where the request is elsewhere or nobody knows where
        # (新华街道's 小区内部公共设施维修 for 小区里的路灯坏了 with no place named): the agent asks first.
        to = next((j for j in range(i + 1, len(candidates))
                   if _names_title(where, candidates[j].title) and not candidates[j].region_note), None)
        if to is None:
            i += 1
            continue
        candidates.insert(i, candidates.pop(to))
        i += 2  # past the one moved up and the entry that sent it on: each moves at most once


def sent_on(index: "DirectoryIndex", text: str, entry: Entry) -> Entry | None:
    """The catalogue entry that an entry's boundary sends a request to, when the request names what the entry
    leaves out and the item names that entry by its title (往外冒水、冒污水的井盖：派"供水管道爆裂、路面冒水")."""
    item = excluded(text, entry.body, index.analyzer)
    if item is None:
        return None
    named = [e for e in index.entries if e.id != entry.id and _names_title(item.where, e.title)]
    if len(named) > 1:
        # An item naming two (冒清水的派"供水管道爆裂、路面冒水"，冒污水的派"排水管道堵塞、污水外溢") sends the request to
        # the one that matches it best, as the candidates are ordered (_follow_boundaries); else the first named.
        order = {e.id: n for n, (e, _score) in enumerate(index.rank(text, len(index.entries)))}
        named.sort(key=lambda e: (order.get(e.id, len(order)), item.where.find(e.title)))
    return named[0] if named else None


def _names_title(where: str, title: str) -> bool:
    """Whether a boundary's destination names a catalogue title in quotes (派"燃气泄漏"，派“暖气不热”)."""
    return bool(title) and any(f"{a}{title}{b}" in where for a, b in ('""', "“”", "「」", "‘’"))


def _weigh_local(snap: Snapshot, candidates: list):
    """Move an entry for some districts or streets only past a wider neighbour in the ranking (its order, which
    past orders may have set, otherwise kept): down when the request does not say whether it applies (no district
    named, or only the district of a street's entry) and the wider neighbour below applies and matches nearly as
    well (LOCAL_UNKNOWN_WEIGHT), up when it applies (the request names its district or street) and matches nearly
    as well as the wider neighbour above (LOCAL_NAMED_WEIGHT)."""
    def reach(c) -> int:
        """How local an entry is: 0 citywide, 1 for districts, 2 for streets or towns."""
        regions = snap.entries[c.entry_id].regions
        if CITYWIDE in regions or not any(r and r != CITYWIDE for r in regions):
            return 0
        found = places(snap)
        return 2 if any((p := found.region(r)) is not None and p.streets for r in regions) else 1

    def swaps(upper, lower) -> bool:
        if upper.region_note and not upper.elsewhere:
            return not lower.region_note and reach(lower) < reach(upper) \
                and lower.score >= upper.score * LOCAL_UNKNOWN_WEIGHT
        return not upper.region_note and not lower.region_note and reach(lower) > reach(upper) \
            and lower.score * LOCAL_NAMED_WEIGHT >= upper.score

    for _ in range(len(candidates)):
        moved = False
        for i in range(len(candidates) - 1):
            if swaps(candidates[i], candidates[i + 1]):
                candidates[i], candidates[i + 1] = candidates[i + 1], candidates[i]
                moved = True
        if not moved:
            break


def _ranked(index: DirectoryIndex, text: str, limit: int, rerank, keep: str = "") -> list:
    """(entry, score, note, learned) of the best entries: the catalogue match, re-ranked when given a reranker
    (``learned``: similar past orders went to the entry, said in ``note``); those
    scoring less than MIN_RELATIVE_SCORE of the first are left out, but the entry ``keep``."""
    if not text:
        return []
    if rerank is not None:
        ranked = rerank(index, text, limit)
    else:
        ranked = [(entry, score, "", False) for entry, score in index.rank(text, limit)]
    best = ranked[0][1] if ranked else 0.0
    return [r for r in ranked if best <= 0 or r[1] >= MIN_RELATIVE_SCORE * best or r[0].id == keep]
