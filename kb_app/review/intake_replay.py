"""What a change of the intake rules does to calls, shown to the reviewers before anyone approves it.

The dispatch assistant reads a call first through the intake rules (``kb_app.dispatch.assistant.intake``):
what the agent is shown first is an emergency line (紧急 or 疑似紧急, by ``kb_app.dispatch.emergency``), else
the first other rule whose words the call says (分类处置：政府信息公开申请 …), else nothing: an ordinary request,
matched against the catalogue. A change to ``regulations/intake_rules.yaml`` or
``regulations/intake_examples.yaml`` moves calls between these; one word added to a rule's triggers (公开) can
send 路灯坏了好几天，能不能公开一下维修进度 to the information-disclosure script.

:func:`replay` reads calls through the base and the head snapshot and groups those whose outcome changes by
(before → after), with counts and a few examples; calls that were an emergency, or suspected one, and no longer
are come first (:attr:`CallImpact.lost`). The calls are every example of the head's ``intake_examples.yaml`` and
the texts of the calls of the last ``RECENT_DAYS`` days that the console recorded (masked when stored).

What the reading depends on, precisely: the emergency recogniser reads the ``emergency`` section and the transfer
rules of ``intake_rules.yaml`` (in their relative order), the examples of ``intake_examples.yaml`` and, as
ordinary requests, the answers' ``questions`` and the catalogue's ``examples`` (``assistant.ordinary_requests``);
the other rules are read by their phrases, in file order. Synonyms and time limits are not read.

The recogniser takes a few milliseconds a call (about 40 seconds for the 12,000 example calls), so calls are not
read twice when they need not be; each shortcut gives exactly the result of reading every call through
``intake`` before and after (tests/review/test_call_impact.py checks each against that):

- the recogniser's inputs are the same on both sides: its finding is the same for every call, and only the calls
  that a changed other rule (before or after) matches are read against the rules on both sides; a change of a
  script, channel or basis alone reads no call otherwise (``READ_KEYS``);
- only the words of events, pairs or transfer triggers changed (nothing else of the recogniser): a call in which
  none of the words added, removed or moved occurs, neither exactly nor with a misheard character
  (``misheard``), has the same event words found in the same order, so the same finding. A call with a
  symbol (``symbols``) or without Chinese characters (read by its pinyin) is read again all the same;
- only the example calls changed (or the ordinary requests): a call in which an event word was judged is read as
  before; only the calls the examples decide (``asked`` in ``event_reading``) are read against the examples of
  each side. Which calls those are is read once per ``emergency`` section and event groups and kept, so that
  main's reading serves every request based on it;
- otherwise (the ``emergency`` section changed: context words, window …; or an event group otherwise than by its
  words) every call is read again after the change, the calls before from main's kept reading.

What is read is kept in memory and in the data directory (``Kept``, ``KEPT_FILE``), by what it was read from and
the code that read it: the readings of calls, and each change's result per day. A restart of the staff app, or
``kb cr show`` in another process, then reads no call that was read before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

from ..cache import LruCache
from ..content.model import Snapshot
from ..dispatch import assistant
from ..dispatch.emergency import Finding, Recogniser, event_groups, pauses
from ..labels import EMERGENCY_LABELS
from ..search import analysis
from ..search.analysis import CJK

log = logging.getLogger(__name__)

#: How far back the recorded calls are read, and how many of them at most (the newest).
RECENT_DAYS = 90
RECENT_LIMIT = 3000
#: Examples shown per change.
EXAMPLES = 5
ORDINARY, RULE = "ordinary", "rule"
_CJK = re.compile(f"[{CJK}]")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the agent is shown first for a call: an emergency line (``state`` emergency or suspected), an
    intake rule, or nothing (an ordinary request)."""

    kind: str                 # "emergency", "suspected", "rule" or "ordinary"
    rule: str = ""            # the rule's id (the transfer rule of an emergency)
    line: str = ""

    @property
    def alarm(self) -> bool:
        return self.kind in ("emergency", "suspected")

    def text(self, names: dict[str, str]) -> str:
        name = names.get(self.rule) or self.rule
        if self.alarm:
            return f"{EMERGENCY_LABELS[self.kind]}，转{self.line}（{name}）"
        if self.kind == RULE:
            return f"分类处置：{name}"
        return "普通诉求（按派单目录派单）"


def outcome(finding, other) -> Outcome:
    """The outcome of a call from its emergency finding and the first other rule it meets, as ``intake`` decides."""
    if finding is not None and finding.alarm:
        return Outcome(finding.state, finding.rule_id, finding.line)
    if other is not None:
        return Outcome(RULE, other.id)
    return Outcome(ORDINARY)


@dataclasses.dataclass
class Shift:
    """Calls whose outcome changes the same way."""

    before: Outcome
    after: Outcome
    count: int
    examples: list[str]

    @property
    def lost(self) -> bool:
        """An emergency (or a suspected one) that would no longer be shown as one: the most serious change."""
        return self.before.alarm and not self.after.alarm


@dataclasses.dataclass
class CallImpact:
    """The calls replayed through the intake rules before and after a change, and those that change."""

    replayed: int
    shifts: list[Shift]
    names: dict[str, str]
    #: How the calls were read: "rules" (the recogniser unchanged), "words" (only calls with a changed event
    #: word read again by it) or "all".
    mode: str = "all"
    #: Calls read again through the recognisers.
    reread: int = 0
    seconds: float = 0.0

    @property
    def lost(self) -> list[Shift]:
        return [s for s in self.shifts if s.lost]

    @property
    def changed(self) -> list[Shift]:
        return [s for s in self.shifts if not s.lost]

    @property
    def lost_count(self) -> int:
        return sum(s.count for s in self.lost)

    @property
    def changed_count(self) -> int:
        return sum(s.count for s in self.changed)

    def heading(self, shift: Shift) -> str:
        return f"{shift.before.text(self.names)} → {shift.after.text(self.names)}：{shift.count} 条"

    def lost_line(self) -> str:
        return f"{self.lost_count} 条以往的紧急来电将不再提示为紧急（坐席不会先看到转接话术）："

    def changed_line(self) -> str:
        return f"{self.changed_count} 条来电的分类会改变："

    def summary_lines(self) -> list[str]:
        lines = []
        for head, shifts in ((self.lost_line(), self.lost), (self.changed_line(), self.changed)):
            if shifts:
                lines.append(head)
                for s in shifts:
                    lines.append(f"  {self.heading(s)}")
                    lines += [f"    例：{x}" for x in s.examples]
        if not self.shifts:
            lines.append(f"重放 {self.replayed} 条来电，分类都没有改变。")
        return lines


# -- what the reading depends on ----------------------------------------------------------------


def _rules(snap: Snapshot) -> tuple[dict, list[dict]]:
    config = snap.config("intake_rules", {})
    config = config if isinstance(config, dict) else {}
    return config, [r for r in (config.get("rules") or []) if isinstance(r, dict)]


def recogniser_inputs(snap: Snapshot) -> tuple:
    """Everything the emergency recogniser of a snapshot reads (see ``assistant.recogniser``): the ``emergency``
    section, the event groups of the transfer rules in their order (not a rule's script, advice or basis), the
    example calls and the knowledge base's ordinary requests."""
    config, rules = _rules(snap)
    groups = [dataclasses.replace(g, order=0) for g in event_groups(rules)]  # only their relative order is read
    return (config.get("emergency"), groups, snap.config("intake_examples", {}), assistant.ordinary_requests(snap))


def other_rules(snap: Snapshot) -> list[dict]:
    """The rules read by their phrases, in file order (see ``assistant.intake``)."""
    return [r for r in _rules(snap)[1] if r.get("action") != "transfer"]


#: What ``match_rule`` reads of a rule (its script, channel and basis are what the agent reads out, not how a
#: call is matched).
READ_KEYS = ("id", "exclude", "triggers", "together", "together_except")


def _read(rule: dict) -> dict:
    return {k: rule.get(k) for k in READ_KEYS}


def reads_differently(base: Snapshot, head: Snapshot) -> bool:
    """Whether the intake reading of a call may differ between two snapshots."""
    return ([_read(r) for r in other_rules(base)] != [_read(r) for r in other_rules(head)]
            or recogniser_inputs(base) != recogniser_inputs(head))


def _skeleton(group):
    """An event group without its words (the number of its pairs kept): what must stay for words to be all that changed."""
    return dataclasses.replace(group, words=[], pairs=len(group.pairs))


def _moved(old: list[str], new: list[str]) -> set[str]:
    """The words added to or removed from a list, or all of them when the ones kept changed their order."""
    kept_old = [w for w in old if w in set(new)]
    kept_new = [w for w in new if w in set(old)]
    return set(old) | set(new) if kept_old != kept_new else set(old) ^ set(new)


def changed_words(old_inputs: tuple, new_inputs: tuple) -> set[str] | None:
    """The event words (of events, pairs and transfer triggers) added, removed or moved when nothing else the
    recogniser reads changed (``recogniser_inputs`` of each side); None when something else did."""
    (b_emergency, old, *b_rest), (h_emergency, new, *h_rest) = old_inputs, new_inputs
    if b_emergency != h_emergency or b_rest != h_rest or [_skeleton(g) for g in old] != [_skeleton(g) for g in new]:
        return None
    words: set[str] = set()
    for a, b in zip(old, new):
        words |= _moved(a.words, b.words)
        for (al, ar), (bl, br) in zip(a.pairs, b.pairs):
            words |= _moved(al, bl) | _moved(ar, br)
    return words


def _touched(recogniser: Recogniser, words: set[str]):
    """``touched(text)``: whether any of ``words`` may be found in a text (exactly or misheard), or the text is
    read otherwise than by its characters (a symbol, pinyin)."""
    patterns = [p for w in words for p in recogniser.patterns(w)[:2] if p is not None]

    def touched(text: str) -> bool:
        if _has_symbol(recogniser, text):
            return True
        norm = pauses(text)[0]
        return not _CJK.search(norm) or any(p.search(norm) for p in patterns)
    return touched


def _has_symbol(recogniser: Recogniser, text: str) -> bool:
    return any(s in text for s in recogniser.symbols)


# -- the reading of calls by their event words, kept ---------------------------------------------------


class _Asked:
    """Stands for example calls while calls are read by their event words alone: never asked for a resemblance."""

    def __bool__(self) -> bool:
        return True


class _Probe(Recogniser):
    """A recogniser reading calls by their event words, noting those that it would read by resemblance to the
    example calls (no event word judged, nothing against a present danger): only those can examples read otherwise."""

    asked = False

    def resembled(self, norm):
        self.asked = True
        return None


class Reading:
    """The findings of calls by one recogniser, call by call, kept: ``reading(text) -> (finding, asked)``.

    ``key`` says what the findings depend on (see ``event_reading``, ``full_reading``); findings kept on disk under
    it (``Kept``) are read at once, and those read since are handed over by ``take_new``."""

    def __init__(self, key: str, read, kept: dict | None = None):
        self.key, self._read = key, read
        self.found: dict[str, tuple] = dict(kept or {})
        self._new: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> tuple:
        got = self.found.get(text)
        if got is None:
            with self._lock:
                got = self.found[text] = self._new[text] = self._read(text)
        return got

    def take_new(self) -> dict[str, tuple]:
        """The findings read since the last call (to keep on disk)."""
        with self._lock:
            new, self._new = self._new, {}
        return new


def _by_event_words(emergency, rules):
    """``read(text) -> (finding, asked)`` by event words alone (see ``_Probe``); ``asked``: the finding is None
    and the examples decide it."""
    recogniser = _Probe(emergency, rules, _Asked())

    def read(text: str) -> tuple:
        recogniser.asked = False
        finding = recogniser.recognise(text)
        return finding, recogniser.asked
    return read


_READINGS = LruCache(4)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def event_reading(snap: Snapshot, inputs: tuple, kept: "Kept | None" = None) -> Reading:
    """The reading by event words of a snapshot whose ``recogniser_inputs`` are ``inputs``: it depends on the
    ``emergency`` section and the event groups alone, so main's serves every request based on it, whatever entries
    are published."""
    key = "events:" + _digest(inputs[:2])
    config, rules = _rules(snap)
    return _READINGS.get_or_build(key, lambda: Reading(
        key, _by_event_words(config.get("emergency"), rules), kept.findings(key) if kept else None))


def full_reading(snap: Snapshot, inputs: tuple, kept: "Kept | None" = None) -> Reading:
    """The whole emergency reading of a snapshot whose ``recogniser_inputs`` are ``inputs`` (``asked`` is False)."""
    key = "all:" + _digest(inputs)
    recogniser = assistant.recogniser(snap)
    return _READINGS.get_or_build(key, lambda: Reading(
        key, lambda text: (recogniser.recognise(text), False), kept.findings(key) if kept else None))


# -- kept on disk ---------------------------------------------------------------------------------

#: The readings kept in the data directory, so that neither a restart nor another process (``kb cr show``) reads
#: the 12,000 example calls again. A cache: deleting the file costs only the time of reading them again.
KEPT_FILE = "call-readings.db"
#: How many readings (one per ``emergency`` section and event groups, or per whole set of inputs) and call impacts
#: the file keeps, the most recently used.
KEPT_READINGS, KEPT_IMPACTS = 6, 64


@functools.cache
def code_digest() -> str:
    """A digest of the code findings come from (the dispatch package, the text analysis, this module): what other
    code kept is not used."""
    files = sorted(Path(assistant.__file__).parent.glob("*.py")) + [Path(analysis.__file__), Path(__file__)]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _finding_text(finding: Finding | None) -> str | None:
    return None if finding is None else json.dumps(dataclasses.asdict(finding), ensure_ascii=False)


def _finding(text: str | None) -> Finding | None:
    if text is None:
        return None
    fields = json.loads(text)
    if fields.get("beside") is not None:
        fields["beside"] = tuple(fields["beside"])
    return Finding(**fields)


def _impact_text(impact: CallImpact) -> str:
    return json.dumps(dataclasses.asdict(impact), ensure_ascii=False)


def _impact(text: str) -> CallImpact:
    fields = json.loads(text)
    fields["shifts"] = [Shift(Outcome(**s["before"]), Outcome(**s["after"]), s["count"], s["examples"])
                        for s in fields["shifts"]]
    return CallImpact(**fields)


class Kept:
    """Readings and call impacts kept in ``KEPT_FILE`` of a data directory, under keys that say what they were read
    from and with the code's digest. A file that cannot be read or written (a directory one may not write, a
    damaged file) is logged and costs a reading again, never the review page."""

    def __init__(self, data_path):
        self.path = Path(data_path) / KEPT_FILE

    def _open(self) -> sqlite3.Connection | None:
        conn = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            with conn:
                conn.execute("create table if not exists readings (key text, text text, finding text, asked integer, "
                             "primary key (key, text))")
                conn.execute("create table if not exists impacts (key text primary key, impact text)")
                conn.execute("create table if not exists used (key text primary key, kind text, at real)")
            return conn
        except (OSError, sqlite3.Error) as e:
            log.warning("来电重放的缓存 %s 无法使用（可以删除它，下次重放时重建）：%s", self.path, e)
            if conn is not None:
                conn.close()
            return None

    @contextlib.contextmanager
    def _db(self):
        conn = self._open()
        if conn is None:
            yield None
            return
        try:
            with conn:
                yield conn
        except sqlite3.Error as e:
            log.warning("来电重放的缓存 %s 读写失败：%s", self.path, e)
        finally:
            conn.close()

    def _used(self, conn, key: str, kind: str, keep: int, table: str):
        """Note ``key`` as just used; forget the ones of its kind beyond the ``keep`` most recently used."""
        conn.execute("insert or replace into used values (?, ?, ?)", [key, kind, time.time()])
        old = [k for (k,) in conn.execute("select key from used where kind = ? order by at desc limit -1 offset ?",
                                          [kind, keep])]
        for k in old:
            conn.execute(f"delete from {table} where key = ?", [k])
            conn.execute("delete from used where key = ?", [k])

    def findings(self, key: str) -> dict[str, tuple]:
        with self._db() as conn:
            if conn is None:
                return {}
            rows = conn.execute("select text, finding, asked from readings where key = ?",
                                [f"{key}:{code_digest()}"]).fetchall()
            return {text: (_finding(finding), bool(asked)) for text, finding, asked in rows}
        return {}

    def add_findings(self, key: str, found: dict[str, tuple]):
        key = f"{key}:{code_digest()}"
        with self._db() as conn:
            if conn is not None:
                conn.executemany("insert or replace into readings values (?, ?, ?, ?)",
                                 [(key, text, _finding_text(f), int(asked)) for text, (f, asked) in found.items()])
                self._used(conn, key, "reading", KEPT_READINGS, "readings")

    def impact(self, key: str) -> CallImpact | None:
        with self._db() as conn:
            if conn is not None:
                row = conn.execute("select impact from impacts where key = ?", [f"{key}:{code_digest()}"]).fetchone()
                if row:
                    return _impact(row[0])
        return None

    def put_impact(self, key: str, impact: CallImpact):
        key = f"{key}:{code_digest()}"
        with self._db() as conn:
            if conn is not None:
                conn.execute("insert or replace into impacts values (?, ?)", [key, _impact_text(impact)])
                self._used(conn, key, "impact", KEPT_IMPACTS, "impacts")


# -- the replay ---------------------------------------------------------------------------------


def _rules_differ_on(old: list[dict], new: list[dict]):
    """``may_differ(text)``: whether the first rule a text meets may differ between two lists of rules. With the
    same rules in the same places, only a text that one of the changed rules (old or new) matches; else any
    text that no rule before the first changed one matches."""
    old_read, new_read = [_read(r) for r in old], [_read(r) for r in new]
    if old_read == new_read:
        return lambda text: False
    if len(old) == len(new):
        changed = [[r] for i, (a, b) in enumerate(zip(old_read, new_read)) if a != b for r in (old[i], new[i])]
        return lambda text: any(assistant.match_rule(text, rules) for rules in changed)
    same = next((i for i, (a, b) in enumerate(zip(old_read, new_read)) if a != b), min(len(old), len(new)))
    prefix = old[:same]
    return lambda text: assistant.match_rule(text, prefix) is None


def replay(base: Snapshot, head: Snapshot, texts: list[str], shown: int = EXAMPLES, kept: Kept | None = None
           ) -> CallImpact:
    """The calls of ``texts`` whose intake outcome differs between ``base`` and ``head``, grouped by change
    (``shown`` examples each). The readings the replay keeps are kept on disk too with ``kept``."""
    started = time.perf_counter()
    names = {str(r.get("id") or ""): str(r.get("name") or r.get("id") or "")
             for snap in (base, head) for r in _rules(snap)[1]}
    texts = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    b_rules, h_rules = other_rules(base), other_rules(head)
    may_differ = _rules_differ_on(b_rules, h_rules)
    b_inputs, h_inputs = recogniser_inputs(base), recogniser_inputs(head)
    b_rec, h_rec = assistant.recogniser(base), assistant.recogniser(head)
    words = changed_words(b_inputs, h_inputs) if b_inputs != h_inputs else set()
    if b_inputs == h_inputs:
        mode, touched = "rules", (lambda text: False)
    elif words is not None:
        mode, on_base, on_head = "words", _touched(b_rec, words), _touched(h_rec, words)
        touched = (lambda text: on_base(text) or on_head(text))
    else:
        mode, touched = ("examples" if b_inputs[:2] == h_inputs[:2] else "all"), (lambda text: True)
    # The base's reading by event words (main's, kept): only the calls it leaves to the examples are read again.
    events = event_reading(base, b_inputs, kept) if mode in ("examples", "all") else None
    # After a change of the ``emergency`` section every call is read again; kept, for the next day's recorded calls.
    everything = full_reading(head, h_inputs, kept) if mode == "all" else None

    def findings(text: str) -> tuple:
        """The emergency finding of a call before and after."""
        if events is None or _has_symbol(b_rec, text) or _has_symbol(h_rec, text):
            return b_rec.recognise(text), h_rec.recognise(text)
        finding, asked = events(text)
        before = b_rec.resembled(pauses(text)[0]) if asked else finding
        if mode == "all":
            return before, everything(text)[0]
        # Only the example calls changed: a call in which an event word was judged is read as before.
        return (before, h_rec.resembled(pauses(text)[0])) if asked else (finding, finding)

    groups: dict[tuple[Outcome, Outcome], list[str]] = {}
    reread = 0
    for text in texts:
        if touched(text):
            reread += 1
            b_found, h_found = findings(text)
            if b_found is h_found and not may_differ(text):
                continue
            b_alarm, h_alarm = (f is not None and f.alarm for f in (b_found, h_found))
            b_other = None if b_alarm else assistant.match_rule(text, b_rules)
            if h_alarm:
                h_other = None
            elif b_alarm or may_differ(text):
                h_other = assistant.match_rule(text, h_rules)
            else:
                h_other = b_other  # the same rules read it
            before, after = outcome(b_found, b_other), outcome(h_found, h_other)
        elif not may_differ(text):
            continue
        else:
            b_other, h_other = assistant.match_rule(text, b_rules), assistant.match_rule(text, h_rules)
            if (b_other and b_other.id) == (h_other and h_other.id):
                continue
            finding = b_rec.recognise(text)  # the same on both sides here
            before, after = outcome(finding, b_other), outcome(finding, h_other)
        if before != after:
            groups.setdefault((before, after), []).append(text)
    for reading in (events, everything):
        new = reading.take_new() if reading is not None and kept is not None else None
        if new:
            kept.add_findings(reading.key, new)
    shifts = [Shift(b, a, len(found), found[:shown]) for (b, a), found in groups.items()]
    shifts.sort(key=lambda s: (not s.lost, -s.count, s.before.text(names), s.after.text(names)))
    return CallImpact(len(texts), shifts, names, mode, reread, time.perf_counter() - started)


def example_calls(snap: Snapshot) -> list[str]:
    """The texts of the examples of ``intake_examples.yaml``."""
    config = snap.config("intake_examples", {})
    items = config.get("examples") if isinstance(config, dict) else None
    return [i["text"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("text"), str)]


#: The files of the intake rules and their example calls: a change of one of them may read calls otherwise.
INTAKE_FILES = ("regulations/intake_rules.yaml", "regulations/intake_examples.yaml")


def changes_intake(paths) -> bool:
    """Whether changed ``paths`` include the intake rules or their example calls."""
    return any(p in INTAKE_FILES for p in paths)


def recent_calls(kb, days: int = RECENT_DAYS, limit: int = RECENT_LIMIT) -> list[str]:
    """The texts (masked) of the calls the console recorded in the last ``days`` days up to today, newest first:
    how requests ended (``request_outcomes``) and the work orders dispatched (``dispatch_history``)."""
    today = kb.today()
    since, until = (today - dt.timedelta(days=days)).isoformat(), (today + dt.timedelta(days=1)).isoformat()
    db = kb.db()
    try:
        rows = []
        for table in ("request_outcomes", "dispatch_history"):
            if table in db.table_names():
                rows += db.execute(f"select at, text from {table} where at >= ? and at < ? and text is not null "
                                   "order by at desc limit ?", [since, until, limit]).fetchall()
    finally:
        db.conn.close()
    rows.sort(key=lambda r: r[0], reverse=True)
    return list(dict.fromkeys(r[1] for r in rows))[:limit]


_CACHE = LruCache(8)
#: One lock per call impact being read: who asks for it meanwhile waits for that reading, not a second one.
_BUILDING: dict = {}
_BUILDING_LOCK = threading.Lock()


def call_impact(kb, base: str, head: str) -> CallImpact | None:
    """What the change from commit ``base`` to ``head`` does to calls (None when the intake reading cannot
    differ); kept per (base, head) and day, in memory and in the data directory (``Kept``)."""
    key = (str(kb.settings.root), str(kb.settings.db_path), base, head, kb.today())

    def build():
        base_snap, head_snap = kb.snapshot(base), kb.snapshot(head)
        if not reads_differently(base_snap, head_snap):
            return None
        kept = Kept(kb.settings.data_path)
        on_disk = _digest((base, head, kb.today().isoformat(), RECENT_DAYS, RECENT_LIMIT, EXAMPLES))
        impact = kept.impact(on_disk)
        if impact is None:
            impact = replay(base_snap, head_snap, example_calls(head_snap) + recent_calls(kb), kept=kept)
            kept.put_impact(on_disk, impact)
        return impact
    with _BUILDING_LOCK:
        lock = _BUILDING.setdefault(key, threading.Lock())
    try:
        with lock:
            return _CACHE.get_or_build(key, build)
    finally:
        with _BUILDING_LOCK:
            if _BUILDING.get(key) is lock:
                del _BUILDING[key]
