"""Emergencies recognised by meaning: an event that is happening now, and which line it belongs on.

The words live in ``regulations/intake_rules.yaml`` so that the hotline center maintains them:

- every ``transfer`` rule (110, 119, 120, 122 …) lists ``events``: named groups of event words
  (``words``: 打架、互殴、着火、冒烟、晕倒、撞车 …), optional ``pairs`` (two lists whose words must both
  occur close together, 孩子 + 不见了, 楼顶 + 往下跳) and an optional group ``exclude`` (words that
  make the group not apply in that sentence: 狗 for 走丢) and ``channel`` (how the line is named to a
  citizen for this event when the rule's own name fits it badly: 119 抢险救援 for people trapped in a lift,
  where the rule says 119火警) and ``fallback`` (true for a generic group, 呼救: it yields to another line's
  event, so that 快来人，有人晕倒了 goes to 120; alone it is at most suspected, since it does not say what is
  happening), ``yields`` (true for an event of property, 诈骗 and 抢劫盗窃, and for 有人要轻生: it ranks behind another
  line's event named by a word of its own and recognised as surely, so that 被骗了十几万，一下子倒在地上，叫不醒了 and
  喝了一大口柴油，说不想活了，现在喘不过气 go to 120 first, 110 beside it; not to a word said after words
  of intent, 她说要吃安眠药 不活了, where nothing was taken yet),
  ``intent_now`` (true for 有人要轻生: said as an intent, 我要自杀, 他扬言要跳楼, it is under way, not a worry about
  later), ``outlasts`` (not-now and dealt-with words that tell of something else and so leave this
  event as it is: 火已经灭了 ends a fire, not a burn). The rule's plain ``triggers`` count as one
  more group named after the rule, and its ``exclude`` phrases apply to all its groups;
- the top-level ``emergency`` section holds the context: ``now`` signs that it is happening
  (``strong``: 正在、刚才、快来、救命 …; ``weak``: 了、呢 …), ``not_now`` categories of words that say the
  text is about something else (过去的事、规定和办理、预防和担心、赔偿和理赔 …), ``anywhere`` (the
  categories whose words and patterns are said of the whole call wherever they stand: 已经救出来了、开玩笑的; a figure
  of speech, 气死我了, only of its own clause, but of the whole call for a cry for help),
  ``ignore`` (words that contain a sign but are not one: 了解、为了; nor is a misheard character looked
  for inside them: 货车, nor an event word shorter than them: the 公交 of 公交站, the 消防 of 当消防员),
  ``negations`` (没、没有 … just before an event word),
  ``misheard`` (characters that speech-to-text confuses with an event word's character, by sound:
  火 → 伙、活), ``not_now_patterns`` (regular expressions for the same categories: dates such as
  5月12日 tell of the past), ``mistaken`` (what a caller takes back: a belief corrected later, 以为…原来; a
  clause taken back, 说错了; 不是…，是…; the agent's echo answered no — an event inside is dismissed, what
  follows the correction is read on its own), ``partial`` (words saying only some of those concerned: 有几个, 一部分
  — words of what was dealt with after them in their clause, 已经有几个送医院了, leave the others' event as it is),
  ``refuge`` (words of hiding or fleeing: with a strong sign of now they tell that a habitual danger is going on,
  我老公经常打我，我现在躲在邻居家), ``leaks`` (``things``: what water flows from, 水、暖气片、水管 — an event word that
  says only that something spurts, 哗哗往外冒 or 往外喷, said of one of them is a leak to dispatch, not bleeding, gas or
  people trapped: 水管爆了，水哗哗往外冒, nor a call to judge by its likeness to past emergencies; ``except``: words
  holding them that are no water, 羊水; ``scalding``: what scalds, 热水、蒸汽 — a leak of it is still judged by that
  likeness) and ``window`` (how many
  characters around an event word its context reaches).

For every occurrence of an event word, the context is the part of its sentence within ``window``
characters on either side; a not-now word counts anywhere in the event's own clause (昨天晚上我们那条街
有人打架) and, for a pair, between its two words (孩子差点掉下去), unless it lies wholly inside the event's
own words or is a time of the past run into them (好几天 of 好几天没见人 and of 几天没出门: how long a state
has lasted), and a negation before either word of a pair negates it (车被别了一下，没撞上).
A transcript's space is a pause: words are found across it (有人 打 架 了), but it ends a clause as a
comma does, so a complaint before the pause is no context of the emergency after it. An occurrence is

- **emergency** when the context has a now sign and no not-now word;
- **suspected** (疑似紧急) when the context has both a strong now sign and a not-now word, or
  neither kind of sign, or when the word was only found through a misheard character and no
  strong now sign backs it: the agent is asked to confirm, and the transfer script comes first;
- **dismissed** when the context has a not-now word and no strong now sign (上个月有人打架,
  交通事故的赔偿标准是多少): no alarm, but the finding says why. What happens often (经常, 天天) is no other time
  than now: with a strong now sign in the event's own clause, or in a clause next to it that speaks of the same event
  (我老公经常打我，刚才又打了; 邻居家天天打孩子，现在孩子在惨叫), it is suspected. So is an event followed by what
  would follow from it (``假设的情况``: 楼道里堆满了杂物，着火了都跑不出去): said of a fire supposed or of one happening,
  it is asked about, never dismissed.


The finding for a text is its strongest occurrence (emergency > suspected > dismissed); ties go to
the rule listed first (fire before traffic before police before medical in the sample), and the
other lines reached are listed as ``also`` (a collision with injuries: 122, also 120).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Iterable

from ..labels import EMERGENCY_LABELS as STATE_LABELS
from ..search.analysis import CJK, normalize
from .resemblance import CallExamples

EMERGENCY, SUSPECTED, DISMISSED = "emergency", "suspected", "dismissed"
#: The event of a call read by its likeness to past emergency calls, no event word being found.
RESEMBLES = "与以往紧急来电相似"
_RANK = {EMERGENCY: 3, SUSPECTED: 2, DISMISSED: 1}
DEFAULT_WINDOW = 10
#: The not-now category of the past, the words of now that end a story of the past, and the categories of
#: what a call asks about after telling it.
PAST = "过去的事"
#: What a call tells as a story rather than as happening now: the past, and what was seen or heard elsewhere.
FRAMES = (PAST, "传闻和报道")
FRAME_RESETS = ("现在", "刚才", "刚刚", "今天", "今晚", "今早", "这会儿", "此刻", "眼下", "正在", "还在", "一直在")
ASKING = ["规定和办理", "赔偿和理赔", "举报和投诉", "预防和担心", "消费纠纷"]
#: Sentence ends: signs in another sentence do not describe this event.
_SENTENCE = re.compile(r"[。！？!?；;\n]")
#: Clause ends within a sentence: a not-now word in the event's own clause is said of the event.
_CLAUSE = re.compile(r"[，,、：:…]")
#: Joins the two words of a pair found in a text as the finding names them (孩子…不见了).
PAIR_JOIN = "…"
#: Quotation marks and spaces that may stand between an agent's question and the caller's answer.
_QUOTES = "\"'“”‘’「」『』 "
#: A turn within a sentence, an ellipsis or 哎呀, 等一下 (燃气费的事我想问问……等一下，厨房里煤气味越来越浓): what the sentence
#: was about before it does not exclude an event after it, though a time said just before it is still of the event.
_TURN = re.compile(r"…|哎呀|等一下|等等")
_ELLIPSIS = re.compile(r"\.{2,}|。{2,}")
#: A clause that only says when the matter before it was (上周的事, 那是去年的事情) or how long ago (都半年了).
_SAID_WHEN = re.compile(r"(?:那|这|都)?(?:是)?[^，,、：:…。！？!?；;\n]{1,6}的事(?:情|儿)?(?:了|啦)?"
                        r"|(?:都|已经|这都)?(?:快|有)?[一二两三四五六七八九十几半好多\d]{1,3}个?(?:年|月|星期|礼拜|周)多?了(?:吧|啊)?")
#: Words of intent just before an event word (要吃, 想喝, 打算去买, 说要吞): what someone means to do with the
#: thing named (安眠药, 农药), not what was done.
_INTENT = re.compile(r"(?:要|想|打算|准备|扬言)(?:去)?(?:吃|喝|吞|服|买)?$")
#: The not-now category of what nearly happened and did not (差点, 险些): no event to name as recognised.
NEAR_MISS = "没有发生"
#: The not-now category of what happens often (经常, 天天): with a sign of now said of the same event it is happening
#: again now (我老公经常打我，刚才又打了), not a complaint about a habit.
HABITUAL = "经常发生"
#: The not-now category of what was dealt with (送医院了, 找回来了): said of only some of those concerned (已经有几个送医院了)
#: it leaves the others' event as it is.
DEALT = "已经过去"
#: Characters too common to tell that a clause speaks of the same event as an event word (我, 了 of 打我, 打了).
#: How far before words of what was dealt with a word saying only some of those concerned is read (已经有几个 …).
PARTIAL_REACH = 6
_COMMON = frozenset("我你他她它们的了在着是有人就都也又还要把被给")
#: The not-now category of figures of speech (气死我了, 吵得我要疯了): said of their own clause, but of the whole call for a
#: cry for help (a ``fallback`` group), which says nothing of what happens (救命啊 我们食堂的饭难吃到离谱).
FIGURES = "气话和比喻"
#: The not-now category of what would follow were the event to happen (着火了都跑不出去, a complaint about a blocked
#: stairway): it may be supposed or told as happening, so the event is asked about (suspected), never dismissed.
SUPPOSED = "假设的情况"
#: An event word that says only that something spurts or flows, not what (哗哗往外冒, 往外喷): manner and direction
#: around one of 冒、喷、流.
_MANNER = "哗|滋|嗞|呲|嘶|呼|咕嘟|汩|突|噗|一直|还在|正在|不停地?|不住地?|直|都|地|得|在|又|往外|往下|往上|向外|出来|出"
_BARE_FLOW = re.compile(f"(?:{_MANNER})*[冒喷流](?:{_MANNER})*")
_MANNER_TAIL = re.compile(f"(?:{_MANNER})+$")
_MANNER_HEAD = re.compile(f"^(?:{_MANNER})+")
#: How far around such a word what flows is looked for (水哗哗 before it, 水 after it: 往外喷水).
LEAK_REACH = 4
#: The reason given for an event the caller took back (see Recogniser._taken_back).
TAKEN_BACK = "误会和更正"
_SPACE = re.compile(r"\s+")
_CJK = re.compile(f"[{CJK}]")
#: Fewest letters of an event word's pinyin looked for in a text without Chinese characters (zhaohuo, jiuming):
#: shorter ones are other words as often (dajia 打架 and 大家, liuxue 流血 and 留学).
PINYIN_LETTERS = 7


@dataclasses.dataclass
class Finding:
    """What the text says about an emergency: state, line, the event and the words that decided."""

    state: str
    rule_id: str
    line: str
    event: str
    word: str
    signs: list[str] = dataclasses.field(default_factory=list)
    reasons: list[str] = dataclasses.field(default_factory=list)
    also: list[str] = dataclasses.field(default_factory=list)
    misheard: bool = False
    #: The event's own name of the line (``channel`` of its group), or empty: the rule's is used.
    channel: str = ""
    #: The event is a generic one (a cry for help) that yields to another line's event.
    fallback: bool = False
    #: The event (a fraud, a theft, someone set on ending their life) yields to another line's danger named by a
    #: word of its own and recognised as surely: the injury or the poison is treated first.
    yields: bool = False
    #: The event word follows words of intent (要吃安眠药, 想喝农药): it says what someone means to do, not
    #: what happened, so an event that yields (有人要轻生) does not yield to it.
    intended: bool = False
    #: (rule id, event) of an event that yielded to this one (有人要轻生 beside a poisoning): its own handling
    #: is still the caller's to hear, after this event's.
    beside: tuple[str, str] | None = None
    #: No event word was found: the call resembles past calls of this line with this probability.
    resemblance: float = 0.0
    #: The signs are only weak ones (了, 在): not worth naming beside the reason a call is not urgent.
    weak_signs: bool = False

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def alarm(self) -> bool:
        """True when the agent must see the transfer script first (emergency or suspected)."""
        return self.state in (EMERGENCY, SUSPECTED)

    @property
    def channel_name(self) -> str:
        """The event's own name of the line without its number (抢险救援 of 119抢险救援), or empty."""
        return self.channel.removeprefix(self.line).strip()

    def explanation(self) -> str:
        """One line for the agent: what was recognised and why it is (not) treated as urgent."""
        if self.resemblance:
            return f"没有认出事件词，但与以往转{self.line}的紧急来电很相似，无法判断是否正在发生"
        heard = f"（按读音识别为“{self.word}”）" if self.misheard else f"（“{self.word}”）"
        if self.state == DISMISSED and self.reasons and all(r.startswith(NEAR_MISS) for r in self.reasons):
            # 孩子差点掉下去 tells of no fall: the event is not said to have been recognised, only its words.
            return f"提到“{self.word}”，没有按{self.event}处理：说的可能是{'；'.join(self.reasons)}"
        text = f"识别到{self.event}{heard}"
        signs = "、".join(f"“{sign}”" for sign in self.signs)
        if self.state == DISMISSED and self.reasons:
            # Why it is not urgent comes first; words of now that were outweighed follow, named as such.
            text += f"；但说的可能是{'；'.join(self.reasons)}"
            return text + (f"；{signs}不足以说明正在发生" if signs and not self.weak_signs else "")
        if self.signs:
            text += f"，正在发生的迹象：{signs}"
        if self.reasons:
            text += f"；但说的可能是{'；'.join(self.reasons)}"
        if self.state == SUSPECTED and self.fallback and not self.reasons:
            text += "，没有听出是什么事，请问清楚"
        elif self.state == SUSPECTED and not self.signs and not self.reasons:
            text += "，无法判断是否正在发生"
        return text

    def to_dict(self) -> dict:
        return {"state": self.state, "state_label": self.state_label, "rule": self.rule_id, "line": self.line,
                "event": self.event, "word": self.word, "signs": self.signs, "reasons": self.reasons,
                "also": self.also, "misheard": self.misheard, "resemblance": round(self.resemblance, 3),
                "explanation": self.explanation()}


@dataclasses.dataclass
class _Group:
    rule_id: str
    line: str
    order: int
    name: str
    words: list[str]
    pairs: list[tuple[list[str], list[str]]]
    exclude: list[str]
    channel: str = ""
    #: Taken only when no other line's event is recognised as surely (呼救: 快来人 beside 有人晕倒 is 120).
    fallback: bool = False
    #: Words of not-now and dealt-with that tell of something else than this event (火已经灭了 of a burn).
    outlasts: tuple[str, ...] = ()
    #: Ranked behind another line's event recognised as surely (骗 beside 叫不醒 is 120).
    yields: bool = False
    #: How many characters may come between the two words of a pair of this group, when not the window
    #: (电梯坏了三天没人修，今天王大爷被关在里面: 里面 is the lift named half a sentence before).
    pair_window: int | None = None
    #: Said as an intent (我要自杀, 他扬言要跳楼), the event is under way: the intent is the danger.
    intent_now: bool = False


@dataclasses.dataclass
class _Occurrence:
    group: _Group
    word: str
    start: int
    end: int
    misheard: bool
    #: For a pair, the stretch between its two words (孩子差点掉下去): said of the event itself.
    between: tuple[int, int] | None = None


def strings(value) -> list[str]:
    """A YAML scalar or list as a list of non-empty strings."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in items if v is not None and str(v) != ""]


def compact(text: str) -> str:
    """Normalised text without whitespace (transcripts put spaces inside words)."""
    return _SPACE.sub("", normalize(text))


def pauses(text: str) -> tuple[str, tuple[int, ...]]:
    """:func:`compact` of a text and where its whitespace was, as offsets into it. A transcript without
    punctuation marks a pause with a space (我从梯子上摔下来了 腿好像断了): a pause ends a clause for the
    context, while words are still found across it (有人 打 架 了). An ellipsis is one character (…)."""
    parts = _SPACE.split(_ELLIPSIS.sub("…", normalize(text)))
    offsets, at = [], 0
    for part in parts[:-1]:
        at += len(part)
        if at and (not offsets or offsets[-1] != at):
            offsets.append(at)
    return "".join(parts), tuple(offsets)


class Recogniser:
    """The emergency words of one intake configuration, ready to read texts."""

    def __init__(self, config, rules, examples: CallExamples | None = None):
        config = config if isinstance(config, dict) else {}
        #: Past calls by line, read when no event word is found (see kb_app.dispatch.resemblance).
        self.examples = examples
        now = config.get("now") if isinstance(config.get("now"), dict) else {}
        self.strong = [compact(w) for w in strings(now.get("strong"))]
        self.weak = [compact(w) for w in strings(now.get("weak"))]
        not_now = config.get("not_now") if isinstance(config.get("not_now"), dict) else {}
        self.not_now = {str(k): [compact(w) for w in strings(v)] for k, v in not_now.items()}
        #: Not-now categories that are said of the whole call wherever they stand (已经救出来了, 开玩笑的).
        self.anywhere = [name for name in strings(config.get("anywhere")) if name in self.not_now]
        patterns = config.get("not_now_patterns") if isinstance(config.get("not_now_patterns"), dict) else {}
        self.not_now_patterns = {str(k): [p for p in (_pattern(x) for x in strings(v)) if p]
                                 for k, v in patterns.items()}
        #: Words saying the emergency was dealt with (车已经到了, 已经扑灭, 人放出来了): they outrank a sign said
        #: before them (刚才有人晕倒，已经打了120，车已经到了), not one said after (消防到了，火还在烧).
        self.handled = [compact(w) for w in strings(config.get("handled"))]
        #: Words saying only some of those concerned (有几个, 一部分): what was dealt with after them is theirs only.
        self.partial = [compact(w) for w in strings(config.get("partial"))]
        #: Words of someone hiding or fleeing (躲在邻居家, 跑出来了): a clause with them and a strong sign of now
        #: speaks of the danger beside it, still going on (我老公经常打我，我现在躲在邻居家).
        self.refuge = [compact(w) for w in strings(config.get("refuge"))]
        self.ignore = sorted((compact(w) for w in strings(config.get("ignore"))), key=len, reverse=True)
        self.negations = [compact(w) for w in strings(config.get("negations"))]
        mistaken = config.get("mistaken") if isinstance(config.get("mistaken"), dict) else {}
        #: What a caller took an event for and then corrected (以为是枪声，原来是放鞭炮), and words taking back
        #: what was just said (不对, 说错了); see _taken_back.
        self.beliefs = [compact(w) for w in strings(mistaken.get("beliefs"))]
        self.corrections = [compact(w) for w in strings(mistaken.get("corrections"))]
        self.retractions = [compact(w) for w in strings(mistaken.get("retractions"))]
        self.echoes = [compact(w) for w in strings(mistaken.get("echoes"))]
        self.denials = [compact(w) for w in strings(mistaken.get("denials"))]
        self.instead = [compact(w) for w in strings(mistaken.get("instead"))]
        misheard = config.get("misheard") if isinstance(config.get("misheard"), dict) else {}
        self.misheard = {compact(str(k))[:1]: set("".join(strings(v))) for k, v in misheard.items() if str(k)}
        leaks = config.get("leaks") if isinstance(config.get("leaks"), dict) else {}
        #: What flows when a word says only that something spurts (水哗哗往外冒, 暖气片往外喷): water, not blood, gas or
        #: anything trapping people; ``except`` names what holds such a word and is no water (羊水, 血水).
        self.leaks = [compact(w) for w in strings(leaks.get("things"))]
        self.not_leaks = sorted((compact(w) for w in strings(leaks.get("except"))), key=len, reverse=True)
        #: What scalds (热水, 蒸汽): a call telling of it is still judged by its likeness to past emergencies.
        self.scalding = [compact(w) for w in strings(leaks.get("scalding"))]
        self.window = _positive(config.get("window")) or DEFAULT_WINDOW
        symbols = config.get("symbols") if isinstance(config.get("symbols"), dict) else {}
        #: Symbols read as the words they stand for (the fire emoji 着火, SOS 救命): a message typed in haste may be nothing else.
        self.symbols = {str(k): str(v) for k, v in symbols.items() if str(k) and strings(v)}
        self.groups = list(event_groups(rules))
        self._pinyin: list[tuple[str, _Group, str]] | None = None
        self._compiled: dict[str, tuple] = {}
        #: Every event word (of groups and pairs) by each of its characters.
        self._by_char: dict[str, set[str]] = {}
        self._around: dict[str, tuple[str, ...]] = {}
        for group in self.groups:
            for word in (*group.words, *(w for pair in group.pairs for side in pair for w in side)):
                for ch in compact(word):
                    self._by_char.setdefault(ch, set()).add(word)

    def __bool__(self) -> bool:
        return bool(self.groups)

    # -- reading a text ---------------------------------------------------------------------------

    def recognise(self, text: str) -> Finding | None:
        """The finding for a text, or None when it names no emergency event at all."""
        read = {words for symbol, words in self.symbols.items() if symbol in text}
        if not read:
            return self._recognise(text)
        written, words_only = compact(text), text
        for symbol, words in self.symbols.items():
            # A symbol stands apart from the words around it, as a clause of its own.
            text, words_only = text.replace(symbol, f"{words}，"), words_only.replace(symbol, "，")
        # What the words say comes before what a symbol adds (a crash told in words, with an explosion emoji).
        told = self._recognise(words_only)
        if told is not None and told.alarm:
            return told
        found = self._recognise(text)
        if (found is not None and found.state == EMERGENCY and found.word in read and found.word not in written
                and not set(found.signs) & set(self.strong)):
            # A symbol says what, never that it is happening now (这个活动太 + the fire emoji + 了): asked about,
            # as a misheard word is.
            found.state = SUSPECTED
        return found

    def _recognise(self, text: str) -> Finding | None:
        norm, breaks = pauses(text)
        if not norm or not self.groups:
            return None
        if not _CJK.search(norm) and (heard := self._by_sound(norm)):
            return heard
        taken_back = self._taken_back(norm)
        masked = self._mask_ignored(norm)
        for a, b, _word in taken_back:
            # What was taken back says nothing of now (不是今天，是上个礼拜).
            masked = masked[:a] + "\0" * (b - a) + masked[b:]
        best: dict[str, Finding] = {}
        #: The states at which each line's danger is named by a word of its own (not only by two words found near
        #: each other): 起不来了 beside the 摔了一跤…起不来 that names the event, a fall, as surely.
        worded: dict[str, set[str]] = {}
        occurrences = list(self._occurrences(norm, masked))
        # Where each line's last event word starts: what was dealt with is judged by what is told of the same
        # line after it (消防到了，火还在烧), not of another (拉出来了，一直在流血 is the bleeding's, for 120).
        last_told: dict[str, int] = {}
        for occ in occurrences:
            last_told[occ.group.rule_id] = max(last_told.get(occ.group.rule_id, 0), occ.start)
        for occ in occurrences:
            finding = self._judge(norm, masked, occ, last_told[occ.group.rule_id], breaks, taken_back)
            if finding is None:
                continue
            if PAIR_JOIN not in finding.word and not (finding.fallback or finding.yields or finding.intended):
                worded.setdefault(occ.group.rule_id, set()).add(finding.state)
            held = best.get(occ.group.rule_id)
            if held is None or (_RANK[finding.state], not finding.yields) > (_RANK[held.state], not held.yields):
                best[occ.group.rule_id] = finding
        if not best:
            if any(self._leaking(norm, occ, breaks) for occ in occurrences) \
                    and not any(w and w in norm for w in self.scalding):
                # The call names what spurts, and it is water (水龙头关不上，水哗哗往外冒): a leak to dispatch, read
                # already, not a call naming nothing to be judged by its likeness to past emergencies. Hot water or
                # steam filling a room (暖气管爆了，热水往外喷，屋里全是蒸汽) may scald: that is still judged so.
                return None
            return self._resembling(norm)
        order = {g.rule_id: g.order for g in self.groups}
        # A generic event (呼救) yields to another line's event recognised at all, even only suspected.
        ranked = sorted(best.values(), key=lambda f: (f.state == DISMISSED, f.fallback, -_RANK[f.state],
                                                      order[f.rule_id]))
        # An event that yields (骗, 偷, 不想活) does so to a danger to someone's body or home named by a word of
        # its own and recognised as surely: 我爸刚知道被骗了十几万，一下子倒在地上，叫不醒了 is 120 first. Not to
        # two words found near each other (人 … 砸了), which say less, unless a word of the line says it as well
        # (被骗了，摔了一跤，起不来了: the fall is named by the pair, the danger by 起不来了 too).
        if ranked[0].yields:
            surer = next((f for f in ranked[1:] if f.state == ranked[0].state and not f.fallback and not f.yields
                          and not f.intended and f.state in worded.get(f.rule_id, ())), None)
            if surer is not None:
                surer.beside = ranked[0].rule_id, ranked[0].event
                ranked.remove(surer)
                ranked.insert(0, surer)
        top = ranked[0]
        if top.fallback and top.state == EMERGENCY:
            # A cry for help alone says someone is in trouble, not what: 快来人啊，小区电梯又坏了 is asked about.
            top.state = SUSPECTED
        top.also = [f.line for f in ranked[1:] if f.state != DISMISSED and f.line and f.line != top.line]
        return top

    def told_as_past(self, text: str) -> bool:
        """Whether a text tells a story of the past or of elsewhere (上个月, 去年冬天, 听说) and nothing of now
        (刚才, 现在): for a clause read apart from the call it was said in."""
        norm, _ = pauses(text)
        return bool(self._reasons(norm, ((0, len(norm)),), only=list(FRAMES))) \
            and not any(word in norm for word in FRAME_RESETS)

    def _resembling(self, norm: str) -> Finding | None:
        """A suspected emergency for a call that names no event but resembles past emergencies of a line,
        when nothing in it says the matter is past, a rule, a worry … (else None)."""
        if not self.examples:
            return None
        whole = ((0, len(norm)),)
        if self._reasons(norm, whole) and not self._signs(self._mask_ignored(norm), whole, self.strong):
            return None
        return self.resembled(norm)

    def resembled(self, norm: str) -> Finding | None:
        """What the example calls make of a call that names no event and says nothing against a present danger:
        suspected on the line it most resembles, or None. This alone depends on the examples (see
        kb_app.review.intake_replay)."""
        found = self.examples.resembles(norm) if self.examples else None
        group = next((g for g in self.groups if found and g.line == found[0]), None)
        if group is None:
            return None
        # No event named: the line goes by its rule's own name (no event's channel).
        return Finding(SUSPECTED, group.rule_id, group.line, RESEMBLES, "", resemblance=found[1])

    def _by_sound(self, norm: str) -> Finding | None:
        """For a text without a Chinese character, an event word written in pinyin (wo jia zhao huo le): read as
        suspected, like a misheard word, since nothing of its context can be read."""
        # Tone marks are the letters' own (zháo huǒ le is zhao huo le).
        letters = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", norm).lower())
        if len(letters) < PINYIN_LETTERS:
            return None
        if self._pinyin is None:
            from pypinyin import lazy_pinyin

            self._pinyin = sorted(((sound, group, word) for group in self.groups
                                   for word in group.words if len(word) >= 2 and len(_CJK.findall(word)) == len(word)
                                   for sound in ["".join(lazy_pinyin(word))] if len(sound) >= PINYIN_LETTERS),
                                  key=lambda x: (x[1].fallback, -len(x[0]), x[1].order))
        for sound, group, word in self._pinyin:
            if sound in letters:
                return Finding(SUSPECTED, group.rule_id, group.line, group.name, word, misheard=True,
                               channel=group.channel, fallback=group.fallback, yields=group.yields)
        return None

    def _mask_ignored(self, norm: str) -> str:
        """The text with ignored words blanked out (their characters are no signs), same length."""
        for word in self.ignore:
            if word:
                norm = norm.replace(word, "\0" * len(word))
        return norm

    def _ignored_around(self, word: str) -> tuple[str, ...]:
        """The ignored words longer than a word that hold it (kept per word)."""
        found = self._around.get(word)
        if found is None:
            found = self._around[word] = tuple(x for x in self.ignore if x and len(x) > len(word) and word in x)
        return found

    def _inside_ignored(self, norm: str, start: int, end: int) -> bool:
        """Whether the word found from ``start`` to ``end`` is part of a longer ignored word, which says something
        else (the 消防 of 当消防员, the 公交 of 公交站, the 车 of 停车场); an ignored word that is itself an event
        word (货车) is one."""
        return any((i := norm.find(x, max(0, end - len(x)), start + len(x))) != -1 and i <= start
                   for x in self._ignored_around(norm[start:end]))

    def _occurrences(self, norm: str, masked: str) -> Iterable[_Occurrence]:
        found = self._finder(norm, masked)
        for group in self.groups:
            for word in group.words:
                for start, misheard in found(word):
                    yield _Occurrence(group, word, start, start + len(word), misheard)
            for left, right in group.pairs:
                yield from self._pairs(norm, found, group, left, right)

    def _finder(self, norm: str, masked: str):
        """``found(word)``: the start of every occurrence of a word in this text, exact or with one character
        misheard (not inside an ignored word: 货车 is no misheard 火, 公交站 holds no 公交), each word looked for once. Only the
        words that share a character with the text are looked for at all (of more than a thousand, a
        question shares a few dozen), and of those only the ones it lacks at most one character of."""
        present = set(norm)
        candidates = set().union(*(self._by_char.get(ch, ()) for ch in present))
        memo: dict[str, list[tuple[int, bool]]] = {}

        def found(word: str) -> list[tuple[int, bool]]:
            if word not in candidates:
                return []
            hits = memo.get(word)
            if hits is None:
                exact, misheard, chars = self.patterns(word)
                lacking = len(chars - present)
                hits = [(m.start(), False) for m in (exact.finditer(norm) if exact is not None and not lacking else ())
                        if not self._inside_ignored(norm, m.start(), m.end())]
                if misheard is not None and lacking <= 1:
                    hits += [(m.start(), True) for m in misheard.finditer(masked)]
                memo[word] = hits
            return hits

        return found

    def patterns(self, word: str) -> tuple[re.Pattern | None, re.Pattern | None, frozenset[str]]:
        """(exact, misheard) patterns of a word and its characters, compiled once per recogniser."""
        cached = self._compiled.get(word)
        if cached is None:
            cword = compact(word)
            variants = []
            for i, ch in enumerate(cword if len(cword) >= 2 else ""):
                alternatives = self.misheard.get(ch)
                if alternatives:
                    variants.append(re.escape(cword[:i]) + "[" + "".join(re.escape(a) for a in sorted(alternatives))
                                    + "]" + re.escape(cword[i + 1:]))
            cached = (re.compile(re.escape(cword)) if cword else None,
                      re.compile("|".join(variants)) if cword and variants else None, frozenset(cword))
            self._compiled[word] = cached
        return cached

    def _pairs(self, norm, found, group, left, right) -> Iterable[_Occurrence]:
        seconds = [(b, sb) for b in right for sb, _ in found(b)]
        if not seconds:
            return
        window = group.pair_window or self.window
        for a in left:
            for sa, _ in found(a):
                for b, sb in seconds:
                        start, end = min(sa, sb), max(sa + len(a), sb + len(b))
                        overlap = sa < sb + len(b) and sb < sa + len(a)
                        if not overlap and end - start <= window + len(a) + len(b) \
                                and not _SENTENCE.search(norm[start:end]):
                            first, second = ((sa, a), (sb, b)) if sa < sb else ((sb, b), (sa, a))
                            word = f"{first[1]}{PAIR_JOIN}{second[1]}"
                            if end - start > self.window + len(a) + len(b):
                                # Farther apart than the window (a group's pair_window): what lies between is the
                                # story around the event, so the event is judged where its second side is told.
                                yield _Occurrence(group, word, sb, sb + len(b), False)
                            else:
                                between = (first[0] + len(first[1]), second[0])
                                yield _Occurrence(group, word, start, end, False, between)

    def _judge(self, norm: str, masked: str, occ: _Occurrence, last_told: int,
               breaks: tuple[int, ...] = (), taken_back=()) -> Finding | None:
        g = occ.group
        if any(a <= occ.start < b < occ.end for a, b, _w in taken_back):
            # A pair begun in what was taken back and ended after it (以为是小偷在撬车，原来是车主…) was never said.
            return None
        back = next((word for a, b, word in taken_back if a <= occ.start and occ.end <= b), None)
        if back is not None:
            # Taken back by the caller (以为是枪声，原来是放鞭炮): what follows the correction is judged on its own.
            return Finding(DISMISSED, g.rule_id, g.line, g.name, occ.word, [], [f"{TAKEN_BACK}（{back}）"],
                           misheard=occ.misheard, channel=g.channel, fallback=g.fallback, yields=g.yields)
        lo, hi = _bounds(_SENTENCE, norm, 0, len(norm), occ.start, occ.end)
        tlo, thi = _bounds(_TURN, norm, lo, hi, occ.start, occ.end)
        if any(x and x in norm[tlo:thi] for x in occ.group.exclude):
            return None
        if self._negated(masked[lo:occ.start]) or occ.between and self._negated(masked[lo:occ.between[1]]):
            # 没着火; of a pair, also before its second word (车被别了一下，没撞上).
            return None
        clo, chi = _bounds(_CLAUSE, norm, lo, hi, occ.start, occ.end)
        # A pause (a transcript's space) ends the clause too; one inside the event's words does not.
        clo = max([clo, *(b for b in breaks if b <= occ.start)])
        chi = min([chi, *(b for b in breaks if b >= occ.end)])
        if self._leaking(norm, occ, breaks):
            # 水哗哗往外冒, 暖气片往外喷: what spurts is water (a burst pipe, a leaking radiator: an urgent repair).
            return None
        if chi < hi:
            # A clause saying when it was is of the event before it (电动车被偷了，上周的事; 被狗咬了 是前天的事).
            after = chi + (norm[chi] in "，,、：:…")
            end = min([_end(norm, after, _CLAUSE, _SENTENCE), *(b for b in breaks if b > after)])
            if tail := _SAID_WHEN.fullmatch(norm, after, end):
                chi = tail.end()
        wlo, whi = max(lo, occ.start - self.window), min(hi, occ.end + self.window)
        own = (max(clo, wlo), occ.start), (occ.end, min(chi, whi))
        near = (wlo, max(clo, wlo)), (min(chi, whi), whi)
        strong = self._signs(masked, own, self.strong)
        # The event's own words count as weak signs too (撞了, 不见了 carry their 了), but for a 着 they begin with:
        # that is the verb of 着火 (caught fire), not the 着 of going on (烧着).
        weak = self._signs(masked, (*own, (occ.start + masked.startswith("着", occ.start), occ.end)), self.weak)
        near_strong = self._signs(masked, near, self.strong)
        # A not-now word anywhere in the event's own clause is said of it (昨天晚上我们那条街有人打架).
        clause = ((clo, chi),)
        # A not-now word wholly inside the event's own words is part of them (好几天 of 好几天没见人).
        event_words = (((occ.start, occ.between[0]), (occ.between[1], occ.end)) if occ.between
                       else ((occ.start, occ.end),))
        other = [*_spans(norm, occ.group.outlasts), *((a, b) for a, b, _w in taken_back)]
        own_reasons = self._reasons(norm, (*clause, occ.between) if occ.between else clause, event_words, skip=other)
        # What would follow from an event is said of the event it follows, not of one next to it.
        near_reasons = [r for r in self._reasons(norm, near, event_words, skip=other)
                        if not r.startswith(f"{SUPPOSED}（")]
        anywhere = [*self.anywhere, FIGURES] if occ.group.fallback else self.anywhere
        if anywhere:
            # Said of the whole call (已经救出来了, 开个玩笑): as if of this event, wherever it stands.
            whole = [r for r in self._reasons(norm, ((0, len(norm)),), event_words, anywhere, skip=other)
                     if r not in own_reasons]
            own_reasons += whole
            near_reasons = [r for r in near_reasons if r not in whole]
        intended = bool(_INTENT.search(masked, max(clo, occ.start - len("扬言要去吃")), occ.start))
        if not own_reasons and not strong and (frame := self._story_frame(norm, masked, lo, clo, occ, other)):
            # Told inside a story of the past that the call then asks about: 上个月有人骑车摔了，骨折了，……我想问问什么时候修.
            own_reasons = [frame]
        if own_reasons:
            # Said of this very event: 去年出了车祸, 交通事故的赔偿标准. What happens often happens now again when a
            # clause next to it says so of the same event (我老公经常打我，刚才又打了).
            habitual = all(r.startswith(f"{HABITUAL}（") for r in own_reasons)
            # What would follow from it (着火了都跑不出去) may be said of a supposed event or of one happening: asked.
            supposed = all(r.startswith(f"{SUPPOSED}（") for r in own_reasons)
            state = SUSPECTED if strong or supposed or habitual and self._again(norm, masked, occ, near, breaks) \
                else DISMISSED
        elif near_reasons:
            # Said next to it: the event's own clause decides (现在楼下又冒烟了，去年也着过).
            state = EMERGENCY if strong else SUSPECTED if weak or near_strong else DISMISSED
        else:
            state = EMERGENCY if strong or weak or near_strong or self._signs(masked, near, self.weak) \
                or occ.group.intent_now and intended else SUSPECTED
        if occ.misheard and state == EMERGENCY and not (strong or near_strong):
            state = SUSPECTED
        if state != DISMISSED and (dealt := self._dealt_with(norm, masked, occ.end, last_told, other)):
            # The same words may also have been read as past (交警已经到了): said once.
            said = any(r.endswith(f"（{dealt}）") for r in own_reasons + near_reasons)
            state, own_reasons = DISMISSED, own_reasons if said else [*own_reasons, f"已经处置（{dealt}）"]
        # The signs that decided: a strong one says enough (快来人 of 着火了，快来人, not its 了 and 着).
        signs = list(dict.fromkeys(strong + near_strong)) or list(dict.fromkeys(weak))
        # A sign inside a longer one found is the same words (刚 of 刚才): said once.
        signs = [w for w in signs if not any(w != o and w in o for o in signs)]
        return Finding(state, g.rule_id, g.line, g.name, occ.word, signs, own_reasons + near_reasons,
                       misheard=occ.misheard, channel=g.channel, fallback=g.fallback, yields=g.yields,
                       weak_signs=bool(signs) and not (strong or near_strong),
                       intended=intended)

    def _leaking(self, norm: str, occ: _Occurrence, breaks=()) -> bool:
        """Whether a word of an occurrence that says only that something spurts or flows (哗哗往外冒, 往外喷; see
        _BARE_FLOW) is said of something else than its event: of water (``leaks``) named just before it in its clause
        (水哗哗往外冒), or in the clause before when its own begins with it (水管爆了，哗哗往外冒), just after it (往外喷水),
        or by the other word of its pair (暖气片…往外喷); or of blood (血 in its clause) where the other word of its pair
        is told in another clause (去关阀门滑倒了，头上血哗哗往外冒 is no gas escaping). What is said with blood is no
        water (头上血哗哗往外冒 beside 水管爆了)."""
        if not self.leaks:
            return False
        sides = [(occ.start, occ.between[0]), (occ.between[1], occ.end)] if occ.between else [(occ.start, occ.end)]
        for a, b in sides:
            if not _BARE_FLOW.fullmatch(norm, a, b):
                continue
            start = max([_start(norm, a, _CLAUSE, _SENTENCE), *(x for x in breaks if x <= a)])
            end = min([_end(norm, b, _CLAUSE, _SENTENCE), *(x for x in breaks if x >= b)])
            pair = [(x, y) for x, y in sides if (x, y) != (a, b)]
            if "血" in norm[start:end]:
                # Blood spurts: a pair's other word told in another clause (关阀门 … 头上血哗哗往外冒) is not what does.
                if any(x < start or y > end for x, y in pair):
                    return True
                continue
            before = norm[max(start, a - 2 * LEAK_REACH):a]
            if start > 0 and not _MANNER_TAIL.sub("", before):
                before = norm[_start(norm, start - 1, _CLAUSE, _SENTENCE):start]
            after = _MANNER_HEAD.sub("", norm[b:end])[:LEAK_REACH]
            if any(self._water(text) for text in (before, after, *(norm[x:y] for x, y in pair))):
                return True
        return False

    def _water(self, text: str) -> bool:
        """Whether a text names water or what holds it (``leaks``: 水, 暖气片, 水管), and no blood (血) nor what holds
        such a word and is no water (``except``: 羊水)."""
        for word in self.not_leaks:
            text = text.replace(word, "\0")
        return "血" not in text and any(w and w in text for w in self.leaks)

    def _again(self, norm: str, masked: str, occ: _Occurrence, near, breaks=()) -> bool:
        """Whether a clause next to an event's (within ``near``) has a strong now sign and speaks of the same event:
        it says again (又), shares a word's character with the event words (刚才又打了 of 打我, 现在孩子在惨叫 of
        打孩子) or tells of hiding from it (``refuge``: 我现在躲在邻居家 of 经常打我), and asks about nothing
        (现在想问问 is the call's question, not the event)."""
        event = set(occ.word.replace(PAIR_JOIN, "")) - _COMMON
        for a, b in near:
            for sign in self._signs(masked, ((a, b),), self.strong):
                at = masked.find(sign, a, b)
                clo, chi = _bounds(_CLAUSE, norm, *_bounds(_SENTENCE, norm, 0, len(norm), at, at), at, at + len(sign))
                clo = max([clo, *(x for x in breaks if x <= at)])
                chi = min([chi, *(x for x in breaks if x >= at + len(sign))])
                clause = norm[clo:chi]
                same = "又" in clause or event & set(clause) or any(w and w in clause for w in self.refuge)
                if same and not self._reasons(norm, ((clo, chi),), only=ASKING):
                    return True
        return False

    def _taken_back(self, norm: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of what the caller took back, in four shapes:

        - a belief corrected later in the call: from 以为 to its clause's end or the correction word
          (以为有人打架，过去一看是在拍短视频 — 以为…一看); without a correction after it, a belief stands;
        - a clause taken back by the next one (刚才说着火了，不对，是邻居在烧烤);
        - 不是 …, then a clause saying what it is instead (不是有人掉水里，是手机掉水里了);
        - the agent's echo answered no (您是说有人被困？不是，是电梯年检过期了).
        """
        spans = []
        for belief in self.beliefs:
            for at in _finds(norm, belief):
                start = at + len(belief)
                said = [(c, w) for w in self.corrections for c in _finds(norm, w, start)]
                if not said:
                    continue
                first, word = min(said)
                end = min(first, _end(norm, start, _CLAUSE, _SENTENCE))
                spans.append((at, end, f"{belief}…{word}"))
        for word in self.retractions:
            for at in _finds(norm, word):
                if norm[max(0, at - 1):at] == "没" or _end(norm, at, _CLAUSE, _SENTENCE) != at + len(word):
                    continue  # 没说错; 感觉不对劲 (a word taking back what was said ends its clause)
                lo = _start(norm, at, _SENTENCE)
                clause = _start(norm, at, _CLAUSE, _SENTENCE)
                # The clause before the one taking it back (刚才说着火了，不对; …走丢了，后来问清楚了), and what
                # precedes the word in its own.
                prev = _start(norm, clause - 1, _CLAUSE, _SENTENCE) if clause > lo else clause
                if prev < at:
                    spans.append((prev, at, word))
        for denial in self.denials:
            for at in _finds(norm, denial):
                end = _end(norm, at, _CLAUSE, _SENTENCE)
                instead = next((w for w in self.instead if norm.startswith(w, end + 1)), None)
                if at == _start(norm, at, _CLAUSE, _SENTENCE) and norm[end:end + 1] in ("，", ",") and instead:
                    spans.append((at, end, f"{denial}…{instead}"))
        for echo in self.echoes:
            for at in _finds(norm, echo):
                end = _end(norm, at, _SENTENCE)
                # The answer may be quoted apart from the question (“您是说……吗？”“没有没有，……”).
                answer = end + 1 + len(norm[end + 1:]) - len(norm[end + 1:].lstrip(_QUOTES))
                no = next((w for w in self.denials if norm.startswith(w, answer)), None)
                if norm[end:end + 1] in ("？", "?") and no:
                    spans.append((at, end, f"{echo}…{no}"))
        return spans

    def _story_frame(self, norm: str, masked: str, lo: int, clo: int, occ: _Occurrence, outlasts=()) -> str:
        """The past or the hearsay an event is told in, when the call goes on to ask about something (a rule, a
        repair, a complaint): the last word of either before the event's clause in its sentence is one of the
        past (上个月) or of what was seen or heard elsewhere (抖音上看到有人发视频 说……), with no word of now
        (现在, 今天, 刚才) between it and the event; else empty."""
        # A fraud is met where the hearsay words are its bait (网上说刷单返佣金): only the past frames it.
        frames = FRAMES[:1] if occ.group.yields else FRAMES
        told = [(start, text, name) for name in frames for start, text in self._matches(norm, ((lo, clo),), name)
                if not _overlaps(start, start + len(text), outlasts)]
        if not told:
            return ""
        at, word, name = max(told)
        if any(w in masked[at + len(word):occ.start] for w in FRAME_RESETS):
            return ""
        if not self._reasons(norm, ((occ.end, len(norm)),), only=ASKING):
            return ""
        return f"{name}（{word}）"

    def _matches(self, norm: str, spans, name: str):
        """(start, text) of the words, then the patterns, of one not-now category in ``spans``."""
        for a, b in spans:
            for w in self.not_now.get(name, []):
                yield from ((at, w) for at in _finds(norm, w, a, b))
        for p in self.not_now_patterns.get(name, []):
            for a, b in spans:
                yield from ((m.start(), m.group(0)) for m in p.finditer(norm, a, b))

    def _dealt_with(self, norm: str, masked: str, event_end: int, last_told: int, outlasts=()) -> str:
        """The last words of a text saying the emergency was dealt with, ending after the event (which ends at
        ``event_end``) with no sign that it is still going on after them (…车已经到了 — not …消防到了，火还在烧,
        nor 车已经到了，可是人快不行了, where the event is told after them; nor words that overlap the ``outlasts``
        spans, what the event outlasts); else empty. ``last_told`` is where the text's last event word starts:
        a sign after the words counts only with an event told after them too."""
        said = [(at, w) for w in self.handled for at in _finds(norm, w)
                if not _overlaps(at, at + len(w), outlasts) and not self._partly(norm, at)]
        last = max(((at + len(w), w) for at, w in said), default=None)
        if last is None or last[0] <= event_end:
            return ""
        # A sign of now after them tells of an event told after them too (…消防到了，火还在烧); with none told
        # after them, it is about something else (…交警已经到了，就是现在堵得厉害).
        if last_told >= last[0] and self._signs(masked, ((last[0], len(norm)),), self.strong):
            return ""
        return last[1]

    @staticmethod
    def _signs(masked: str, spans, words) -> list[str]:
        text = "\0".join(masked[a:b] for a, b in spans)
        return [w for w in words if w and w in text]

    def _reasons(self, norm: str, spans, inside=(), only: list[str] | None = None, skip=()) -> list[str]:
        """The not-now categories whose words stand in ``spans`` of the text, and the words; a match that
        lies wholly within one of the ``inside`` spans (the event's own words), or overlaps one of the ``skip``
        spans (what the event outlasts), does not count."""
        def found(matches, name):
            # A time of the past run into the event's words (好几天 of 几天没出门) tells how long a state has lasted;
            # a worry or a figure of speech run into them (怕有人 of 人…掉下去, 以为着火 of 着火) is said of them.
            return [text for start, text in matches
                    if not any(a <= start and start + len(text) <= b for a, b in inside)
                    and not (name == PAST and _runs_into(start, start + len(text), inside))
                    and not _overlaps(start, start + len(text), skip)
                    and not (name == DEALT and self._partly(norm, start))]

        names = dict.fromkeys([*self.not_now, *self.not_now_patterns])
        hits = {name: found(self._matches(norm, spans, name), name) for name in names if only is None or name in only}
        return [f"{name}（{'、'.join(dict.fromkeys(found))}）" for name, found in hits.items() if found]

    def _partly(self, norm: str, at: int) -> bool:
        """Whether words of what was dealt with at ``at`` are said of only some of those concerned: a ``partial``
        word (有几个, 一部分) just before them in their clause (好多孩子呕吐，已经有几个送医院了)."""
        clause = norm[max(_start(norm, at, _CLAUSE, _SENTENCE), at - PARTIAL_REACH):at]
        return any(w and w in clause for w in self.partial)

    def _negated(self, before: str) -> bool:
        """A negation right before the event word (没有人受伤, 没着火): up to one character between."""
        tail = before[-4:]
        for neg in self.negations:
            i = tail.rfind(neg)
            if neg and i >= 0 and len(tail) - (i + len(neg)) <= 1:
                return True
        return False


def _end(norm: str, at: int, *marks: re.Pattern) -> int:
    """Where the clause (or sentence) holding position ``at`` ends: the first of ``marks`` from ``at`` on."""
    return min((m.start() for p in marks if (m := p.search(norm, at))), default=len(norm))


def _start(norm: str, at: int, *marks: re.Pattern) -> int:
    """Where the clause (or sentence) holding position ``at`` starts: just after the last of ``marks`` before it."""
    return max((m.end() for p in marks for m in p.finditer(norm, 0, max(0, at))), default=0)


def _pattern(text: str) -> re.Pattern | None:
    """A not-now pattern, or None when it is no valid regular expression (validation reports it)."""
    try:
        return re.compile(text)
    except re.error:
        return None


def _bounds(pattern: re.Pattern, norm: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """The stretch of ``norm[lo:hi]`` between separators (``pattern``) that holds ``[start, end)``."""
    begin = max((m.end() for m in pattern.finditer(norm, lo, start)), default=lo)
    m = pattern.search(norm, end, hi)
    return begin, m.start() if m else hi


def _finds(text: str, word: str, start: int = 0, end: int | None = None) -> Iterable[int]:
    """Where ``word`` starts in ``text`` (within ``text[start:end]``), every time; nowhere for no word."""
    end = len(text) if end is None else end
    at = text.find(word, start, end) if word else -1
    while at >= 0:
        yield at
        at = text.find(word, at + 1, end)


def _spans(text: str, words) -> list[tuple[int, int]]:
    return [(at, at + len(w)) for w in words for at in _finds(text, w)]


def _runs_into(start: int, end: int, spans) -> bool:
    """Whether ``[start, end)`` begins before one of ``spans`` and ends inside it (好几天 of 几天没出门)."""
    return any(start < a < end <= b for a, b in spans)


def _positive(value) -> int | None:
    """A count written in the rules (``window``, ``pair_window``), or None when it is no positive whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < b and a < end for a, b in spans)


def event_groups(rules) -> Iterable[_Group]:
    """The event groups of every transfer rule, in file order."""
    for order, rule in enumerate(rules or []):
        if not isinstance(rule, dict) or rule.get("action") != "transfer":
            continue
        rule_id, line = str(rule.get("id") or ""), str(rule.get("transfer_to") or "")
        name = str(rule.get("name") or rule_id)
        common = [compact(x) for x in strings(rule.get("exclude"))]
        events = [e for e in (rule.get("events") or []) if isinstance(e, dict)]
        triggers = strings(rule.get("triggers"))
        if triggers:
            events.append({"name": name, "words": triggers})
        for event in events:
            pairs = []
            for pair in event.get("pairs") or []:
                if isinstance(pair, list) and len(pair) == 2:
                    pairs.append((strings(pair[0]), strings(pair[1])))
            yield _Group(rule_id, line, order, str(event.get("name") or name), strings(event.get("words")), pairs,
                         common + [compact(x) for x in strings(event.get("exclude"))],
                         str(event.get("channel") or "").strip(), event.get("fallback") is True,
                         tuple(compact(x) for x in strings(event.get("outlasts"))), event.get("yields") is True,
                         _positive(event.get("pair_window")), event.get("intent_now") is True)
