"""Answers that learn from searches: suggested questions for entries, and missing answers for the center.

**Evidence** that an entry answers a query is a search (``search_log``) from which the entry was
opened and then either voted helpful by the person who searched (a public vote carrying the
search's id, or — on the public site, which logs searches and opened answers apart — the query
itself, passed from the results page to the answer's vote form) or adopted by an agent (``used``:
the agent took the answer for the call). When one
phrasing has at least ``settings.suggest_min_evidence`` such searches for one entry, and the entry
does not already list it (title, ``questions:``, or ``examples:`` of a directory entry; nor in other words of the
same synonym group, which search already treats alike), the
owning unit gets a maintenance task of kind ``suggested_question``. Accepting it
(:func:`accept`) opens a change request that adds the phrasing to the entry — reviewed like any
change (``Review.create``); nothing changes the content without review, and the task closes when
that change is published.

**Missing answers** are the queries that found nothing or only weak results (about none of what they
name: ``kb_app.search.coverage``) and seldom led to an opened answer, or that were searched at least
``LOW_SUCCESS_MIN`` times and led to an opened (or adopted) answer in fewer than
``LOW_SUCCESS_RATE`` of them (an answer opened and then voted not helpful is no success). Queries naming something nothing in the knowledge base mentions are
grouped by it (护照怎么办理, 护照丢了怎么补办 and 护照 are one group, 护照, apart from 狗证怎么办理,
which shares only 办理 with them), when it says what they are about (:func:`names_subject`: not 冻结, a verb said
of what 水管冻结了 and [账号]被冻结了 name); the rest by similarity (``kb_app.usage.hot.cluster_texts``).
They are offered to the hotline center with counts and examples, to be assigned to a unit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter

import rjieba
import yaml

from ..content import frontmatter
from ..content.validate import INTERNAL_WORDING
from ..editing import LABELS as FIELD_LABELS
from ..search.analysis import STOPWORDS, VERB_TAGS, names_something, normalize, without_courtesy
from ..search.coverage import NOT_SUBJECT
from ..search.textsim import stretches
from ..exceptions import EntryNotFound, KbError, PermissionDenied
from .stats import NOT_ALARMED
from ..privacy import has_labels, mask, without_labels
from ..dispatch.regions import without_places

KIND = "suggested_question"
#: The list a phrasing is added to, per kind of entry.
FIELDS = {"policy": "questions", "directory": "examples"}
MIN_CHARS, MAX_CHARS = 4, 60
LOW_SUCCESS_MIN, LOW_SUCCESS_RATE = 3, 0.2
MISSING_EXAMPLES = 5
#: A character of an unknown word joins the queries naming it (:func:`subject_characters`) when at most this
#: many entries, or this share of them, use it.
RARE_ENTRIES, RARE_SHARE = 2, 0.01
#: A query is close to a group of missing answers (:func:`closest_groups`) from this similarity.
CLOSE_SIMILARITY = 0.2
_PUNCT = re.compile(r"[\s，。？！、；：,.?!;:\"'“”‘’（）()【】\[\]<>《》…—-]+")


def phrasing_key(text: str) -> str:
    """A phrasing as compared with others: normalised, without greetings, spaces and punctuation."""
    return _PUNCT.sub("", without_courtesy(normalize(text or "")))


def synonym_reading(groups):
    """``read(key)``: a phrasing key (see phrasing_key) with every synonym written as its group's first term
    (社保卡丢了怎么补办 reads as 社会保障卡丢了怎么补办 when synonyms.yaml groups them), longest terms first: a
    phrasing that differs from a known one only by synonyms, which search already treats alike, adds nothing."""
    canonical = {}
    for group in groups:
        terms = [phrasing_key(t) for t in group]
        # The first term reads as itself: 市民服务热线 holds 热线, another term of its group, and stays whole.
        for term in terms:
            if term:
                canonical.setdefault(term, terms[0])
    if not any(term != first for term, first in canonical.items()):
        return lambda key: key
    pattern = re.compile("|".join(re.escape(t) for t in sorted(canonical, key=len, reverse=True)))
    return lambda key: pattern.sub(lambda m: canonical[m.group(0)], key)


def clean_phrasing(text: str) -> str:
    """A query as it would be written into ``questions:``: one line, without the greeting or asking
    leave that opens it (您好，请问), trailing punctuation dropped."""
    return without_courtesy(" ".join((text or "").split())).strip(" ，。？！,.?!")


# -- evidence and suggestions --------------------------------------------------------------------


#: One agent adopting one entry for one phrasing again within this time is one piece of evidence, as a public
#: session votes once: the same call looked up again, or one mis-click repeated, is no pattern.
ADOPTION_WINDOW = dt.timedelta(hours=1)


def evidence(kb, since: dt.date | None = None) -> list[dict]:
    """Per (query, entry): searches that opened the entry and ended in a helpful vote or an adoption,
    and helpful votes that carry the query their entry was found by (the public site's); an agent's
    adoptions of one entry for one phrasing within ``ADOPTION_WINDOW`` count once. ``agents`` and ``sessions``
    say from how many agents and public sessions (or votes without one) the evidence came."""
    where, where_vote = ("and s.at >= ?", "and v.at >= ?") if since else ("", "")
    params = [since.isoformat()] if since else []
    with kb.db_transaction(write=False) as db:
        rows = db.execute(
            "select s.query, s.opened, "
            "  max(case when s.used = 1 then 1 else 0 end) as adopted, "
            "  max(case when exists (select 1 from votes v where v.search = s.id and v.helpful = 1) "
            "      then 1 else 0 end) as helpful, s.at, coalesce(s.username, ''), "
            "  (select coalesce(v.voter, 'vote' || v.id) from votes v where v.search = s.id and v.helpful = 1 "
            "   order by v.id limit 1) "
            f"from search_log s where s.query != '' and s.opened is not null {where} "
            "group by s.id having adopted = 1 or helpful = 1", params).fetchall()
        rows += db.execute(
            "select v.query, v.entry, 0, 1, v.at, '', coalesce(v.voter, 'vote' || v.id) from votes v "
            f"where v.helpful = 1 and v.search is null and coalesce(v.query, '') != '' {where_vote}", params).fetchall()
    grouped: dict[tuple[str, str], dict] = {}
    adopted_at: dict[tuple[str, str, str], dt.datetime] = {}
    for query, entry, adopted, helpful, at, username, voter in sorted(rows, key=lambda r: r[4] or ""):
        key = (phrasing_key(query), entry)
        if not key[0]:
            continue
        if adopted and not helpful:
            when = dt.datetime.fromisoformat(at)
            last = adopted_at.get((username, *key))
            if last is not None and when - last < ADOPTION_WINDOW:
                continue
            adopted_at[(username, *key)] = when
        g = grouped.setdefault(key, {"entry": entry, "phrasings": {}, "evidence": 0, "helpful": 0, "adopted": 0,
                                     "agents": set(), "sessions": set()})
        g["phrasings"][clean_phrasing(query)] = g["phrasings"].get(clean_phrasing(query), 0) + 1
        g["evidence"] += 1
        g["helpful"] += helpful
        g["adopted"] += adopted
        if helpful:
            g["sessions"].add(voter)
        else:
            g["agents"].add(username)
    out = []
    for g in grouped.values():
        phrasing = max(g["phrasings"], key=lambda p: (g["phrasings"][p], -len(p), p))
        out.append({"entry": g["entry"], "phrasing": phrasing, "evidence": g["evidence"],
                    "helpful": g["helpful"], "adopted": g["adopted"], "agents": len(g["agents"]),
                    "sessions": len(g["sessions"])})
    return sorted(out, key=lambda r: (-r["evidence"], r["entry"], r["phrasing"]))


def sources_text(data: dict) -> str:
    """From how many people the evidence came (来自 1 名坐席), so that one person's repeats read as one."""
    parts = [f"{data[key]} {unit}" for key, unit in (("agents", "名坐席"), ("sessions", "个公众会话")) if data.get(key)]
    return f"来自 {'、'.join(parts)}" if parts else ""


def known_phrasings(entry) -> set[str]:
    """The phrasings an entry already carries (title, questions, examples), as compared."""
    return {phrasing_key(p) for p in [entry.title, *entry.questions, *entry.examples]}


@dataclasses.dataclass
class Target:
    """What a phrasing may be added to: an entry's ``questions``/``examples``, or a regulation
    article's common questions (the regulation's ``questions``, kept by the hotline center)."""

    id: str
    unit: str
    field: str
    title: str
    path: str
    known: set
    article: int | None = None


@dataclasses.dataclass
class Suggestion:
    target: Target
    phrasing: str
    evidence: int
    helpful_votes: int
    adopted: int
    #: How many agents and public sessions the evidence came from.
    agents: int = 0
    sessions: int = 0

    @property
    def entry(self) -> str:
        return self.target.id

    @property
    def unit(self) -> str:
        return self.target.unit

    @property
    def field(self) -> str:
        return self.target.field


def target(kb, snap, target_id: str) -> Target | None:
    """The entry or article a suggestion is for, in a snapshot; None when it is gone or takes none."""
    entry = snap.entries.get(target_id)
    if entry is not None:
        if entry.kind not in FIELDS:
            return None
        return Target(entry.id, entry.unit, FIELDS[entry.kind], entry.title, entry.path, known_phrasings(entry))
    article = snap.find_article(target_id)
    if article is None:
        return None
    reg = snap.regulations[article.regulation]
    return Target(article.id, kb.settings.center_unit, "questions", snap.title_of(article.id), reg.path,
                  {phrasing_key(p) for p in [article.label, *article.questions]}, article.number)


def suggestions(kb, minimum: int | None = None) -> list[Suggestion]:
    """Phrasings with enough evidence for an entry (or article) of main that does not carry them yet."""
    minimum = minimum or kb.settings.suggest_min_evidence
    snap = kb.snapshot()
    read = synonym_reading(snap.synonym_groups)
    out = []
    for row in evidence(kb):
        if row["evidence"] < minimum:
            continue
        found = target(kb, snap, row["entry"])
        if found is None:
            continue
        phrasing = row["phrasing"]
        if not MIN_CHARS <= len(phrasing) <= MAX_CHARS or has_labels(phrasing):
            continue
        if read(phrasing_key(phrasing)) in {read(k) for k in found.known}:
            continue
        out.append(Suggestion(found, phrasing, row["evidence"], row["helpful"], row["adopted"], row["agents"],
                              row["sessions"]))
    return out


def source_of(s: Suggestion) -> str:
    return f"suggest:{s.entry}:{phrasing_key(s.phrasing)}"


def open_tasks(kb) -> list[int]:
    """A ``suggested_question`` task for every new suggestion (idempotent); returns the new task ids."""
    new = []
    for s in suggestions(kb):
        found = s.target
        detail = {"phrasing": s.phrasing, "field": s.field, "evidence": s.evidence, "helpful": s.helpful_votes,
                  "adopted": s.adopted, "agents": s.agents, "sessions": s.sessions}
        where = f"条文的常见问法（{found.path} 的 questions）" if found.article else f"条目的 {s.field}"
        text = (f"市民和坐席用“{s.phrasing}”检索后，有 {s.evidence} 次打开本{'条文' if found.article else '条目'}"
                f"并认为有帮助（公众评价 {s.helpful_votes} 次、坐席采用 {s.adopted} 次，{sources_text(detail)}）。"
                f"建议把这个问法加入{where}，"
                f"便于今后检索。\n{json.dumps(detail, ensure_ascii=False)}")
        # The phrasing in the title: two suggestions for one entry are told apart in a list.
        title = f"建议新增问法“{s.phrasing}”：{found.title}"
        pk = kb.feedback.open_task(s.unit, KIND, s.entry, title, text, source=source_of(s))
        if pk is not None:
            new.append(pk)
    return new


def task_suggestion(task) -> dict:
    """The suggestion a ``suggested_question`` task carries (phrasing, field and its label, evidence)."""
    if task.kind != KIND:
        raise KbError(f"维护任务 #{task.id} 不是建议问法：只有“建议新增问法”任务可以采纳。")
    try:
        data = json.loads(task.detail.rsplit("\n", 1)[-1])
    except ValueError:
        raise KbError(f"维护任务 #{task.id} 的内容无法读取：请驳回该任务。")
    return {**data, "field_label": FIELD_LABELS.get(data.get("field"), data.get("field"))}


# -- accepting: a change request -----------------------------------------------------------------


_FLOW = re.compile(r"^(?P<key>{field}):[ \t]*\[(?P<items>.*)\][ \t]*$", re.M)


def _quoted(value: str) -> str:
    """A YAML scalar for a list item, quoted when plain YAML would read it otherwise."""
    plain = yaml.safe_load(f"[{value}]") if not re.search(r"[\[\]{},:#&*!|>'\"%@`]", value) else None
    return value if plain == [value] else json.dumps(value, ensure_ascii=False)


def add_to_list(text: str, field: str, value: str) -> str:
    """The file with ``value`` appended to the list ``field`` of its front matter, other lines kept as they are."""
    raw, body, _ = frontmatter.split(text)
    meta = frontmatter.parse(text)[0]
    before = list(meta.get(field) or [])
    item = _quoted(value)
    flow = re.compile(_FLOW.pattern.format(field=re.escape(field)), re.M)
    m = flow.search(raw)
    if m:
        items = m.group("items").strip()
        raw = raw[:m.start()] + f"{field}: [{items + ', ' if items else ''}{item}]" + raw[m.end():]
    elif re.search(rf"^{re.escape(field)}:[ \t]*$", raw, re.M):
        lines = raw.split("\n")
        start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(field)}:[ \t]*$", line))
        end = start + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t", "-")) or not lines[end].strip()):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        indent = re.match(r"^([ \t]*)-", lines[start + 1]).group(1) if end > start + 1 else "  "
        lines.insert(end, f"{indent}- {item}")
        raw = "\n".join(lines)
    elif field not in meta:
        anchor = re.search(r"^title:.*$", raw, re.M)
        line = f"{field}: [{item}]"
        raw = raw[:anchor.end()] + "\n" + line + raw[anchor.end():] if anchor else raw + line + "\n"
    else:
        raw = None
    new = f"---\n{raw}---\n{body}" if raw is not None else None
    if new is None or frontmatter.parse(new)[0].get(field) != [*before, value]:
        # A layout the text edit does not know: write the front matter anew (same data, one more item).
        return frontmatter.dump({**meta, field: [*before, value]}, body)
    return new


def pending_changes(kb) -> dict:
    """The open change requests made from suggestion tasks, by task id (one reading of the requests)."""
    return {cr.data["suggestion"]: cr for cr in kb.review.list() if cr.is_open and cr.data.get("suggestion")}


def check_phrasing(phrasing: str):
    """Refuse a phrasing that should not be published as one of an entry's questions (an editor may have
    written or pasted it): too short or too long to be a question, a person's name, number or address, words
    meant for staff."""
    if not MIN_CHARS <= len(phrasing) <= MAX_CHARS:
        raise KbError(f"问法“{phrasing[:20]}”有 {len(phrasing)} 个字：常见问法应为 {MIN_CHARS} 到 {MAX_CHARS} 个字的一句完整的问话，"
                      "请改写后再提交。")
    if has_labels(phrasing) or mask(phrasing) != phrasing:
        raise KbError(f"问法“{phrasing[:20]}”中含有个人信息（如姓名、电话、证件号、门牌）：问法会在公开的答复中显示，"
                      "请删去这些内容后再提交。")
    said = INTERNAL_WORDING.search(phrasing)
    if said:
        raise KbError(f"问法中写着“{said.group()}”：问法会在公开的答复中显示，请删去只给坐席看的话。")


def accept(kb, user, task_id: int, phrasing: str | None = None):
    """Open (and submit) the change request that adds a suggested phrasing to its entry."""
    task = kb.feedback.task(task_id)
    data = task_suggestion(task)
    if task.state != "open":
        raise KbError(f"维护任务 #{task.id} 已处理（{task.state_label}），无需再采纳。")
    if getattr(user, "role", None) not in ("center_reviewer", "admin") and getattr(user, "unit", None) != task.unit:
        raise PermissionDenied(f"维护任务 #{task.id} 属于单位“{kb.snapshot().unit_name(task.unit)}”，只有该单位可以采纳。")
    cr = pending_changes(kb).get(task.id)
    if cr is not None:
        raise KbError(f"已为该建议发起变更请求 #{cr.id}（{cr.state_label}），请在变更校核中跟进。")
    phrasing = clean_phrasing(phrasing or data["phrasing"])
    if not phrasing:
        raise KbError("问法为空：请填写要加入条目的问法。")
    check_phrasing(phrasing)
    found = target(kb, kb.snapshot(), task.entry)
    if found is None:
        raise EntryNotFound(f"维护任务 #{task.id} 所指的条目或条文已不存在：请驳回该任务。")
    if phrasing_key(phrasing) in found.known:
        raise KbError(f"“{found.title}”已包含问法“{phrasing}”，无需修改：请驳回该任务。")
    text = kb.store.read(found.path)
    if found.article:
        new_text = add_article_question(text, found.article, phrasing)
    else:
        new_text = add_to_list(text, data.get("field") or found.field, phrasing)
    description = (f"依据检索记录：用“{data['phrasing']}”检索并打开本{'条文' if found.article else '条目'}后认为有帮助"
                   f"或被坐席采用 {data.get('evidence', 0)} 次（维护任务 #{task.id}）。")
    return kb.review.create(user, f"新增问法：{found.title}", {found.path: new_text}, submit=True,
                            description=description, data={"suggestion": task.id, "phrasing": phrasing})


def after_publish(kb, cr, commit: str):
    """on_publish hook: close the suggested questions that the published entries and regulations now
    carry (or whose entry or article left)."""
    parent = kb.store.first_parent(commit)
    snap = kb.snapshot(commit)
    touched = []
    for p in kb.store.changed_paths(parent, commit):
        if p.startswith("entries/") and p.endswith(".md"):
            touched.append(p.rsplit("/", 1)[-1][:-3])
        elif p.startswith("regulations/") and p.endswith(".md"):
            touched += [a.id for reg in snap.regulations.values() if reg.path == p for a in reg.articles.values()]
    done = []
    for task in kb.feedback.open_tasks_of(touched, [KIND]):
        found = target(kb, snap, task.entry)
        if found is None or phrasing_key(task_suggestion(task)["phrasing"]) in found.known or \
                cr.data.get("suggestion") == task.id:
            done.append(task)
    return kb.feedback.close_tasks(done, f"问法已由变更请求 #{cr.id} 加入并发布。", f"cr:{cr.id}")


_KEY = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[^\s#:\-][^:#]*?)[ \t]*:(?:[ \t]|$)")


def add_article_question(text: str, number: int, value: str) -> str:
    """A regulation file with ``value`` added to article ``number``'s common questions (front matter
    ``questions``), the other lines kept as they are; a layout this edit does not know is written anew."""
    from ..content.model import article_number, article_questions

    raw, body, _ = frontmatter.split(text)
    meta = frontmatter.parse(text)[0]
    before = article_questions(meta.get("questions"))
    expected = {**before, number: (*before.get(number, ()), value)}
    item = _quoted(value)
    lines = raw.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"^questions:[ \t]*(?:#.*)?$", line)), None)
    if start is None:
        new_raw = raw.rstrip("\n") + f"\nquestions:\n  {number}:\n    - {item}\n"
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t")):
            end += 1
        keys = [(i, _KEY.match(lines[i])) for i in range(start + 1, end)]
        keys = [(i, m) for i, m in keys if m and len(m.group("indent")) == len(keys[0][1].group("indent"))] \
            if keys and keys[0][1] else []
        at = next((i for i, m in keys if article_number(m.group("key").strip("\"'")) == number), None)
        if at is not None:
            stop = next((i for i, _m in keys if i > at), end)
            while stop > at + 1 and not lines[stop - 1].strip():
                stop -= 1
            dash = next((re.match(r"^([ \t]*)-", lines[i]) for i in range(at + 1, stop)
                         if re.match(r"^[ \t]*-", lines[i])), None)
            indent = dash.group(1) if dash else keys[0][1].group("indent") * 2
            lines.insert(stop, f"{indent}- {item}")
        else:
            indent = keys[0][1].group("indent") if keys else "  "
            later = next((i for i, m in keys if (article_number(m.group("key").strip("\"'")) or 0) > number), None)
            stop = later if later is not None else end
            while later is None and stop > start + 1 and not lines[stop - 1].strip():
                stop -= 1
            lines[stop:stop] = [f"{indent}{number}:", f"{indent * 2}- {item}"]
        new_raw = "\n".join(lines)
    new = f"---\n{new_raw}---\n{body}"
    try:
        got = frontmatter.parse(new)[0]
    except Exception:  # noqa: BLE001 - any layout the edit got wrong is written anew below
        got = None
    if got is not None and article_questions(got.get("questions")) == expected and \
            {k: v for k, v in got.items() if k != "questions"} == {k: v for k, v in meta.items() if k != "questions"}:
        return new
    questions = dict(meta.get("questions") or {}) if isinstance(meta.get("questions"), dict) else {}
    key = next((k for k in questions if article_number(k) == number), number)
    questions[key] = [*(questions.get(key) or []), value]
    return frontmatter.dump({**meta, "questions": questions}, body)


# -- missing answers -----------------------------------------------------------------------------


@dataclasses.dataclass
class MissingAnswers:
    """The missing answers of a period (:func:`missing_report`): groups of queries, biggest first, and how
    many of the period's searches that found nothing or nothing related are not among them, and why."""

    start: dt.date
    end: dt.date
    groups: list[dict]
    #: Searches that found nothing or nothing related (those the usage report lists), left out: ``vague``
    #: (they name nothing: 您好我想问一下), ``alarm`` (an emergency: the line to call is the answer),
    #: ``answered`` (the same query led to an answer often enough), ``report`` (a matter to report that other
    #: searches of it found related answers for: the site tells where to report it), ``ignored`` (set aside
    #: by the center), ``assigned`` (in groups given to a unit, not listed), ``beyond`` (in groups after the
    #: ``limit`` listed). With the groups' they make all of them.
    left_out: dict
    #: Groups already given to a unit, left out of ``groups`` unless asked for.
    assigned: int = 0

    def left_out_text(self) -> str:
        """What was left out, said in a sentence ("" for nothing)."""
        parts = [LEFT_OUT[why].format(n=n) for why, n in self.left_out.items() if n]
        if not parts:
            return ""
        return f"另有 {sum(self.left_out.values())} 次没有结果或结果无关的查询未列入：{'，'.join(parts)}。"


#: Said before the groups whose queries found results and were only seldom opened (``lacking`` 0), listed after
#: the others: the answer may be there already (people read the snippet and leave).
LOW_CLICK_NOTE = "以下各组的查询找到了相关的结果，只是很少有人打开：答复可能已经有了，分派前请先看看搜索结果。"


def counts_text(group: dict) -> str:
    """A group's counts in a line (4 次，3 种问法，无结果 0 次，结果无关 2 次，另有 2 次问同样没有答复的事，打开结果 0%)."""
    kin = f"另有 {group['kin']} 次问同样没有答复的事（结果只和部分词语有关），" if group.get("kin") else ""
    return (f"{group['searches']} 次，{group['phrasings']} 种问法，无结果 {group['zero']} 次，结果无关 {group['weak']} 次，"
            f"{kin}打开结果 {group['success_rate']:.0%}")


#: How :attr:`MissingAnswers.left_out` is said to people, in this order.
LEFT_OUT = {"vague": "{n} 次没有说具体的事（如“您好我想问一下”）", "alarm": "{n} 次是紧急情况（提示拨打紧急专线）",
            "answered": "{n} 次的同样查询别的时候找到并打开了答复",
            "report": "{n} 次是要反映的问题（已提示拨打 12345，同样的查询也找到过相关的答复）",
            "ignored": "{n} 次已由热线中心忽略", "assigned": "{n} 次所在的组已分派给单位",
            "beyond": "{n} 次所在的组排在列出的组之后"}


def missing_report(kb, start: dt.date | None = None, end: dt.date | None = None, limit: int | None = 50,
                   assigned: bool = True) -> MissingAnswers:
    """Zero-result, weak and low-success queries of a period, grouped by what they ask, biggest group first
    (``limit`` groups; None: all); the groups given to a unit already only when ``assigned``."""
    start, end = kb.stats.range(start, end)
    queries, left_out, unopened = _missing_queries(kb, start, end)
    grouped = _grouped(kb, queries)
    kin = _kin(kb, [members for members, _label, _subject in grouped], unopened)
    # What they found counted as an answer the same query led to; it is the group's now.
    left_out["answered"] -= sum(g["zero"] + g["weak"] for g in kin)
    groups = [_group(members, label, subject, kb.feedback.assigned_queries())
              for members, label, subject in grouped]
    ignored = kb.feedback.ignored_queries()
    for g in groups:
        if any(q in ignored for q in g["queries"]):
            left_out["ignored"] += g["zero"] + g["weak"]
    groups = [g for g in groups if not any(q in ignored for q in g["queries"])]
    shown = [g for g in groups if assigned or not g["assigned"]]
    # What lacks an answer most first; groups whose queries found results and only were seldom opened after all
    # of them (an answer may exist: people read the snippet and leave).
    shown.sort(key=lambda g: (-g["lacking"], -g["searches"], g["query"]))
    # Every search the usage report counts as finding nothing or nothing related is listed or said left out.
    left_out["assigned"] += sum(g["zero"] + g["weak"] for g in groups if g not in shown)
    left_out["beyond"] += sum(g["zero"] + g["weak"] for g in shown[limit:]) if limit is not None else 0
    return MissingAnswers(start, end, shown[:limit], dict(left_out), len(groups) - len(shown))


def missing_answers(kb, start: dt.date | None = None, end: dt.date | None = None, limit: int | None = 50,
                    assigned: bool = True) -> list[dict]:
    """The groups of :func:`missing_report`."""
    return missing_report(kb, start, end, limit, assigned).groups


def _missing_queries(kb, start: dt.date, end: dt.date) -> tuple[list[dict], Counter, list[dict]]:
    """The period's queries (one per phrasing) that found nothing or nothing related and seldom led to an
    answer, or were often searched and seldom led to one; the searches left out (see ``LEFT_OUT``); and the
    queries that found results, seldom led to one and are none of those (searched too few times), which
    may join a group of the first (:func:`_kin`)."""
    rows, unhelpful = _logged_queries(kb, start, end)
    left_out = Counter({key: 0 for key in LEFT_OUT})
    by_key: dict[str, dict] = {}
    for query, searches, zero, weak, success, last in rows:
        key = phrasing_key(query)
        # 我想问一下、您好: nothing is missing but the matter; 救命、着火了: the answer is a transfer; a phone
        # number alone ([手机号]) asks nothing.
        why = "vague" if not key or not names_something(without_labels(query)) else \
            "alarm" if kb.public_alarm(query) else ""
        if why:
            left_out[why] += zero + weak
            continue
        g = by_key.setdefault(key, {"query": clean_phrasing(query), "searches": 0, "zero": 0, "weak": 0,
                                    "success": 0, "last": "", "queries": []})
        for name, value in (("searches", searches), ("zero", zero), ("weak", weak),
                            ("success", max(0, success - unhelpful.get(query, 0)))):
            g[name] += value
        g["last"] = max(g["last"], last)
        g["queries"].append(query)
    missing = [g for g in by_key.values()
               if g["success"] / g["searches"] < LOW_SUCCESS_RATE
               and (g["zero"] + g["weak"] == g["searches"] or g["searches"] >= LOW_SUCCESS_MIN)]
    left_out["answered"] += sum(g["zero"] + g["weak"] for g in by_key.values() if g not in missing)
    # 家里煤气泄漏了、路灯不亮: a matter to report, which the public site tells to call 12345, with answers
    # related to it: no answer is missing. One that found nothing or nothing related each time (出租车拒载投诉)
    # has no answer about it, told to call or not. (Asked only of the few left: it ranks the catalogue.)
    reported = [g for g in missing if g["zero"] + g["weak"] < g["searches"] and kb.public_report(g["query"])]
    for g in reported:
        left_out["report"] += g["zero"] + g["weak"]
    unopened = [g for g in by_key.values() if g not in missing and g["success"] / g["searches"] < LOW_SUCCESS_RATE]
    return [g for g in missing if g not in reported], left_out, unopened


def _logged_queries(kb, start: dt.date, end: dt.date) -> tuple[list, dict]:
    """The period's searches by query (searches, found nothing, found nothing related, led to an answer, last;
    none told an emergency line to call), and the not-helpful votes by the query they were found by."""
    lo, hi = start.isoformat(), (end + dt.timedelta(days=1)).isoformat()
    with kb.db_transaction(write=False) as db:
        # An answer opened from the public site's results is a row of its own (no hits) carrying the query.
        rows = db.execute(
            "select query, sum(case when hits is not null then 1 else 0 end) as searches, "
            "sum(case when hits = 0 then 1 else 0 end) as zero, "
            "sum(case when hits > 0 and weak = 1 then 1 else 0 end) as weak, "
            "sum(case when opened is not null or used = 1 then 1 else 0 end) as success, max(at) as last "
            f"from search_log where at >= ? and at < ? and query != '' and {NOT_ALARMED} group by query "
            "having searches > 0",
            [lo, hi]).fetchall()
        # An answer opened and then voted not helpful did not answer the query it was found by.
        unhelpful = dict(db.execute(
            "select coalesce(v.query, s.query) as q, count(*) from votes v left join search_log s on v.search = s.id "
            "where v.helpful = 0 and v.at >= ? and v.at < ? group by q", [lo, hi]).fetchall())
    return rows, unhelpful


def _grouped(kb, missing: list[dict]) -> list[tuple[list[dict], str | None, str]]:
    """Missing-answer queries in groups, each with its label (None: its first query's) and the words nothing
    mentions it is about ("" for none): by those words (:func:`_subjects`), the rest by similarity (``hot.cluster_texts``)."""
    from .hot import cluster_texts, matter_terms, spoken, text_key

    if not missing:
        return []
    snap = kb.snapshot()
    # A subject is a word as the caller says it: not a piece of one (分钱 of 一分钱), a sound (咚咚) or the doing
    # glued to the matter (办狗证: 狗证); a query left with none is grouped by similarity.
    unknown = [tuple(dict.fromkeys(filter(None, (spoken(w, [text_key(g["query"])])
                                                 for w in unknown_words(kb, g["query"]))))) for g in missing]
    # What a query is about, as its characters join it to a group: not the labels of masking (手 of [手机号]),
    # nor the places it names (平 of 和平街道).
    about = [without_places(without_labels(g["query"]), snap) for g in missing]
    # Only the words naming what a query is about join it to others: not a verb said of what it names (扣押 of
    # 车被扣押了, 冻结 of 水管冻结了); a query naming nothing unknown else is grouped by similarity.
    joining = [tuple(w for w in words if names_subject(w, text)) for words, text in zip(unknown, about)]
    unknown = [words if joins else () for words, joins in zip(unknown, joining)]
    subjects = _subjects(unknown, about, subject_characters(snap, joining), joining)
    rest = [i for i, subject in enumerate(subjects) if subject is None]
    labels, words = cluster_texts([text_key(missing[i]["query"]) for i in rest],
                                  [missing[i]["searches"] for i in rest], snap.synonym_groups, matter_terms(snap))
    groups: dict[object, list[dict]] = {}
    for i, subject in enumerate(subjects):
        if subject is not None:
            groups.setdefault(subject, []).append(missing[i])
    for n, i in enumerate(rest):
        groups.setdefault(int(labels[n]) if labels[n] >= 0 else -1 - i, []).append(missing[i])
    out = []
    for number, members in groups.items():
        members.sort(key=_member_order)
        if isinstance(number, str):
            out.append((members, number, number))
        else:
            out.append((members, "、".join(words[number]) if number >= 0 else None, ""))
    return out


def _kin(kb, groups: list[list[dict]], unopened: list[dict]) -> list[dict]:
    """Take into the groups of missing answers the queries of ``unopened`` (found results, seldom led to an
    answer, searched too few times to count alone) naming a word nothing the public may find mentions that a
    query of the group found nothing or nothing related for names too: 灵活就业社保补贴怎么申请 found
    高龄老人津贴怎么领 and 加装电梯补贴 through 补贴、申请, which are no answer about 灵活就业 either, and
    belongs with 灵活就业补贴在哪领, whose results were judged unrelated. Such a query is marked ``kin``;
    returns those taken in."""
    flagged = {}
    for n, members in enumerate(groups):
        for g in members:
            if g["zero"] + g["weak"]:
                for word in unknown_words(kb, g["query"], "public"):
                    if len(word) > 1 and names_subject(word, g["query"]):
                        flagged.setdefault(word, n)
    taken = []
    for g in unopened:
        text = normalize(g["query"])
        if not any(word in text for word in flagged):
            continue
        named = [flagged[word] for word in unknown_words(kb, g["query"], "public")
                 if word in flagged and names_subject(word, g["query"])]
        if named:
            groups[Counter(named).most_common(1)[0][0]].append({**g, "kin": True})
            taken.append(g)
    for members in groups:
        members.sort(key=_member_order)
    return taken


def _member_order(g: dict):
    """The queries of a group in the order listed: the first names the group (one without masking's labels
    where there is one: 护照怎么办理, not 我叫[姓名]身份证[身份证号]想办护照), the most searched of those, one
    that found nothing or nothing related before one taken in beside it."""
    return has_labels(g["query"]), -g["searches"], bool(g.get("kin")), g["query"]


def _group(members: list[dict], label: str, subject: str, assigned: set[str]) -> dict:
    """A group of missing-answer queries as listed: counts, its most searched query, examples; ``kin``, the
    searches taken in by :func:`_kin`, and ``lacking``, those that found no answer about what they asked
    (nothing, nothing related, or results about none of what nothing mentions): a group lacking none found
    results that only were seldom opened."""
    searches = sum(g["searches"] for g in members)
    kin = sum(g["searches"] - g["zero"] - g["weak"] for g in members if g.get("kin"))
    zero, weak = sum(g["zero"] for g in members), sum(g["weak"] for g in members)
    return {"label": label or members[0]["query"], "subject": subject, "query": members[0]["query"], "searches": searches,
            "zero": zero, "weak": weak, "kin": kin, "lacking": zero + weak + kin,
            "phrasings": len(members), "success_rate": round(sum(g["success"] for g in members) / searches, 3),
            "last": max(g["last"] for g in members)[:16].replace("T", " "),
            "examples": [g["query"] for g in members[:MISSING_EXAMPLES]],
            "queries": [q for g in members for q in (g["query"], *g["queries"])],
            "assigned": any(g["query"] in assigned for g in members)}


def unknown_words(kb, query: str, audience: str = "agent") -> tuple:
    """The words of a logged query that nothing in the knowledge base mentions, as of today
    (``SearchResults.unknown``, read by default as an agent, who may find the most; as the public, what no public
    answer is about: 灵活 of 灵活就业补贴在哪领, where only an internal catalogue entry speaks of 灵活就业人员参保);
    the labels that masking put in place of personal details (``[姓名]``) are no subject."""
    return kb.unknown_words(without_labels(query), audience)


def subject_characters(snap, unknown: list[tuple]) -> frozenset[str]:
    """The characters of the unknown words that say what they are about: read as a noun alone (狗 of 宠物狗
    and 狗证; not 签 of 签证, a verb) and in few of the entries' titles, questions and keywords (not 证)."""
    rare = max(RARE_ENTRIES, RARE_SHARE * len(snap.entry_list))
    chars = {c for words in unknown for w in words for c in w}
    return frozenset(c for c in chars if snap.character_entries[c] <= rare and _noun(c))


def _noun(char: str) -> bool:
    """Whether the segmenter reads a character alone as a noun (狗, 猫; not 签 or 宠), as search reads a
    subject (``coverage.single_nouns``)."""
    return rjieba.tag(char) == [(char, "n")] and char not in NOT_SUBJECT


#: A clause of a text, as a verb of it is said of what comes before it.
_CLAUSE = re.compile(r"[\s，。；：！？,.;:!?、]+")


def names_subject(word: str, text: str) -> bool:
    """Whether an unknown ``word`` of a (logged) query ``text`` names what it is about, as queries are joined by it:
    any but a word the segmenter reads as a verb, and that one where nothing it is said of comes before it in its
    clause (签证怎么办理, 办签证要什么材料, 拆迁补偿标准). A verb said of something — a thing named before it (水管冻结了,
    老板拖欠工资) or a passive (车被扣押了, [账号]被冻结了) — tells what happened to that, which an unrelated query
    may tell too (冻结 of a bank account and of a water pipe)."""
    tags = rjieba.tag(word)
    if len(tags) != 1 or tags[0][1] not in VERB_TAGS:
        return True
    text = normalize(text or "")
    # What comes before each place the word is at, within its clause.
    before = [_CLAUSE.split(text[:m.start()])[-1] for m in re.finditer(re.escape(word), text)]
    return not before or any(not any(_says_of(piece) for piece in rjieba.cut(b, False)) for b in before)


def _says_of(piece: str) -> bool:
    """Whether a word before a verb is what the verb is said of: a noun (水管, 车), or the passive's 被."""
    if piece == "被":
        return True
    tags = rjieba.tag(piece)
    return piece not in STOPWORDS and len(tags) == 1 and (tags[0][1].startswith("n") or tags[0][1] == "zg")


def _subjects(unknown: list[tuple], queries: list[str] = (), characters=frozenset(),
              joining: list[tuple] | None = None) -> list[str | None]:
    """For each query, the label of its subject group: queries are joined where they name the same
    unknown word (护照怎么办理, 护照丢了怎么补办) or unknown words sharing one of ``characters`` (宠物狗办证,
    狗证怎么办理: 狗), and a query naming nothing unknown joins the group whose unknown words share such a
    character with it (养狗要办证吗). ``joining``: for each query, those of its words that join it to others
    (:func:`names_subject`; default all). A group is labelled by the words its queries share, most shared first,
    or by all its words, most named first; None for a query in no group."""
    owner = list(range(len(unknown)))

    def find(i):
        while owner[i] != i:
            owner[i] = owner[owner[i]]
            i = owner[i]
        return i

    # A query names the longest of overlapping unknown words (网速慢); it shares 网速 with one naming that.
    named = {w for words in unknown for w in words}

    def parts(words):
        return tuple(dict.fromkeys(part for w in words for part in stretches(w) if part in named))

    joining = [parts(words) for words in (unknown if joining is None else joining)]
    unknown = [parts(words) for words in unknown]
    first_with: dict[str, int] = {}
    for i, words in enumerate(joining):
        for key in [*words, *(c for w in words for c in w if c in characters)]:
            if key in first_with:
                owner[find(i)] = find(first_with[key])
            else:
                first_with[key] = i
    for i, (words, query) in enumerate(zip(unknown, queries)):
        if not words and (near := next((first_with[c] for c in query if c in characters), None)) is not None:
            owner[i] = find(near)
    members: dict[int, list[int]] = {}
    for i in range(len(unknown)):
        if unknown[i] or find(i) != i:
            members.setdefault(find(i), []).append(i)
    out: list[str | None] = [None] * len(unknown)
    for group in members.values():
        counts = Counter(word for i in group for word in set(unknown[i]))
        shared = [w for w in counts if counts[w] > 1] or list(counts)
        label = "、".join(sorted(shared, key=lambda w: (-counts[w], w))[:3])
        for i in group:
            out[i] = label
    return out


def ignore_missing(kb, group: dict, reason: str, user=None):
    """Set a group of missing-answer queries aside (no answer called for): it is not offered again."""
    return kb.feedback.ignore_query(group["query"], reason, user)


def assign_query(kb, query: str, unit: str, user=None) -> int:
    """Give the group of the period's missing answers (the last 30 days) that ``query`` is in to a unit
    (``kb task assign``); a query in none — nobody asked it, or its searches found answers — is refused,
    naming the groups closest to it: a task is for what people asked and found no answer to."""
    report = missing_report(kb, limit=None, assigned=True)
    key = phrasing_key(mask(query or ""))
    group = next((g for g in report.groups if key in {phrasing_key(q) for q in g["queries"]}), None)
    if group is None:
        raise KbError(_not_missing(kb, (query or "").strip(), key, report))
    return assign_missing(kb, group, unit, user)


def _not_missing(kb, query: str, key: str, report: MissingAnswers) -> str:
    """Why a query cannot be assigned, and the groups of missing answers closest to it."""
    period = f"{report.start} 至 {report.end}"
    if key and key in {phrasing_key(q) for q in kb.feedback.ignored_queries()}:
        return f"查询“{query}”已被忽略（kb task ignore），不再列入缺失的答复：无需分派。"
    if not report.groups:
        return f"{period} 没有缺失的答复，查询“{query}”无从分派。"
    why = f"“{query}”不在 {period} 缺失的答复中（没有人这样查询过，或查询找到了答复）"
    close = closest_groups(report.groups, query)
    if not close:
        return f"{why}，也与其中任何一组都不相近：请用 kb report missing 查看可以分派的查询。"
    names = "、".join(f"“{g['query']}”（{g['searches']} 次）" for g in close)
    return f"{why}。最接近的是 {names}：请按 kb report missing 列出的查询分派。"


def closest_groups(groups: list[dict], query: str, size: int = 3) -> list[dict]:
    """The groups whose queries are most like ``query`` (character pairs, cosine at least CLOSE_SIMILARITY)."""
    from ..search.textsim import BigramIndex

    texts = [(n, q) for n, g in enumerate(groups) for q in g["queries"]]
    sims = BigramIndex([q for _n, q in texts], MAX_CHARS).similarities(normalize(query)) if texts else []
    best: dict[int, float] = {}
    for (n, _q), sim in zip(texts, sims):
        best[n] = max(best.get(n, 0.0), float(sim))
    ranked = sorted((n for n in best if best[n] >= CLOSE_SIMILARITY), key=lambda n: (-best[n], n))
    return [groups[n] for n in ranked[:size]]


def assign_missing(kb, group: dict, unit: str, user=None) -> int:
    """Give a group of missing-answer queries to a unit as one maintenance task."""
    others = [q for q in group["examples"] if q != group["query"]]
    note = ((f"知识库里没有提到“{group['subject']}”。" if group.get("subject") else "") +
            f"同类查询共 {group['searches']} 次、{group['phrasings']} 种问法" +
            (f"，例如：{'；'.join(others)}" if others else "") + "。")
    return kb.feedback.assign_query(group["query"], unit, user, note=note)
