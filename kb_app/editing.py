"""Editing entries: form fields and front matter, entry paths, checking an edited file, saving it.

The editor page shows an entry as the fields of :data:`FIELDS` and hands back what the person
entered (``Draft.values``, one plain value per field). Everything between that and a change
request happens here: which entries a person may edit, the values a field starts with, turning
entered values back into front matter — only the fields that differ are written, through
:mod:`kb_app.content.yamledit`, so the author's layout, order and comments stay — the path of a new entry,
the validation of the edited file against the rules in force, and the save itself (a new change
request or another commit on one of the author's own, with the maintenance tasks it resolves).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import rjieba
from pypinyin import lazy_pinyin

from .content import frontmatter
from .content import versions, yamledit
from .accounts.auth import UNIT_ROLES
from .choices import Choices
from .labels import AUDIENCE_LABELS, ENTRY_KIND_LABELS, LEVEL_LABELS, audience_choice
from .exceptions import EntryNotFound, KbError, PermissionDenied
from .content.model import ENTRY_DIRS, ID_PATTERN, Problem, as_date, as_list
from .review.policy import units_of_entry
from .review.queries import published_by
from .review.records import OPEN
from .review.workflow import changes_from_tree
from .content.validate import validate

WORD_SEPARATORS = re.compile(r"[,，、;；\n]+")
FACT_LINE = re.compile(r"\s*([^:：]+?)\s*[:：]\s*(.*)$")


@dataclasses.dataclass(frozen=True)
class Field:
    """One front-matter field as the editor shows it."""

    name: str
    label: str
    widget: str   # text, lines, words, unit, units, level, tier, audience, date, basis, facts, notes
    kinds: tuple = ("policy", "directory")
    hint: str = ""


FIELDS = (
    Field("title", "标题", "text", hint="市民或坐席一眼能看懂的问题或事项"),
    Field("questions", "常见问法", "lines", ("policy",), "市民实际的问法，每行一个"),
    Field("examples", "市民的描述", "lines", ("directory",), "市民打电话时的说法，每行一个"),
    Field("unit", "所属单位", "unit", hint="维护这条内容的单位"),
    Field("handler", "主办单位", "unit", ("directory",)),
    Field("co_handlers", "协办单位", "units", ("directory",)),
    Field("level", "层级", "level", ("directory",)),
    Field("time_limit", "办理时限", "tier", ("directory",)),
    Field("audience", "受众", "audience"),
    Field("category", "分类", "words", hint="用顿号或逗号分隔"),
    Field("regions", "适用区域", "words", ("policy",), "用顿号或逗号分隔，如：全市"),
    Field("keywords", "关键词", "words", hint="用顿号或逗号分隔"),
    Field("effective", "生效日期", "date", hint="生效前公众看不到"),
    Field("expires", "有效期至", "date", hint="有效的最后一天（含这一天），次日起公众看不到"),
    Field("review_by", "复核日期", "date", hint="到期提醒单位复核"),
    Field("basis", "政策依据", "basis"),
    Field("facts", "结构化事实", "facts", ("policy",), "每行一项，写成“名称：值”，如：咨询电话：12345"),
    Field("agent_notes", "坐席提示", "notes", hint="仅坐席可见，绝不进入公众结果"),
)
BY_NAME = {f.name: f for f in FIELDS}
#: Labels of every front-matter field, for the editor and for the review's table of changes.
LABELS = {"id": "编号", "kind": "类型", "checked": "最近核对", **{f.name: f.label for f in FIELDS}}
_FIELD_NAME = re.compile(" ?(?<![A-Za-z_])(" + "|".join(sorted(LABELS, key=len, reverse=True)) + ")(?![A-Za-z_]) ?")


#: The values a validation message may name, as the form's choices show them (internal → 内部（仅坐席）).
VALUE_WORDS = {**{a: audience_choice(a) for a in AUDIENCE_LABELS}, **LEVEL_LABELS}
_VALUE = "(" + "|".join(sorted(VALUE_WORDS, key=len, reverse=True)) + ")"
_BOUNDED = r"(?<![\w/<>.-]){}(?![\w/<>.-])"
#: 改为 audience: internal — the file's way of saying which choice to make.
_SET_TO = re.compile("改为 ?" + _BOUNDED.format(r"(audience|level): ?" + _VALUE))
#: audience: public — a field with its value.
_FIELD_VALUE = re.compile(" ?" + _BOUNDED.format(r"(audience|level): ?" + _VALUE))
#: A value on its own, with the file's gloss after it if any: internal（仅坐席可见）.
_VALUE_ALONE = re.compile(" ?" + _BOUNDED.format(_VALUE) + "(?:（[^）]*）)? ?")


def in_words(text: str) -> str:
    """A validation message as the form says it: field names as their labels (title → “标题”), values as the
    choices the form offers (internal → “内部（仅坐席）”), and the form for the file's front matter."""
    text = _SET_TO.sub(lambda m: f"把“{LABELS[m.group(1)]}”改为“{VALUE_WORDS[m.group(2)]}”", text)
    text = _FIELD_VALUE.sub(lambda m: f"“{LABELS[m.group(1)]}”为“{VALUE_WORDS[m.group(2)]}”", text)
    text = _VALUE_ALONE.sub(lambda m: f"“{VALUE_WORDS[m.group(1)]}”", text)
    return _FIELD_NAME.sub(lambda m: f"“{LABELS[m.group(1)]}”", text).replace("在前置信息中", "在表单中").replace("在前置信息之后写上", "在“正文”中写上")


#: Where a field that an entry did not have goes: after the field before it in this order.
ORDER = ("id", "kind", "title", "questions", "examples", "unit", "handler", "co_handlers", "level",
         "time_limit", "audience", "category", "regions", "keywords", "effective", "expires", "review_by",
         "checked", "basis", "facts", "agent_notes")


def fields_for(kind: str) -> list[Field]:
    return [f for f in FIELDS if kind in f.kinds]


def path_for(kind: str, unit: str, entry_id: str) -> str:
    """Where a new entry's file goes: ``entries/policy/<unit>/<id>.md`` or ``entries/directory/<id>.md``."""
    if kind == "policy":
        return f"{ENTRY_DIRS['policy']}{unit}/{entry_id}.md"
    return f"{ENTRY_DIRS['directory']}{entry_id}.md"


#: Words an id made from a title leaves out: particles and question words name nothing of the matter.
ID_SKIPPED = frozenset({"了", "的", "吗", "呢", "吧", "啊", "呀", "怎么", "怎么办", "怎样", "如何", "什么", "哪些", "哪里",
                        "哪个", "谁", "是否", "能否", "可以", "能", "和", "与", "及", "或"})
#: How long an id made from a title may grow (whole words only; the rule allows 80 characters).
ID_LONGEST = 40


def id_from_title(title: str, taken=frozenset()) -> str:
    """An id for a new entry, spelt from its title in pinyin a word at a time: 社会保障卡丢了怎么补办 →
    shehuibaozhang-ka-diu-buban; Latin letters and digits stay (12345热线 → 12345-rexian). A taken id gets
    a number (``-2``, ``-3`` …). "" when the title has nothing to spell (empty, or punctuation only).

    Unit staff write titles, not ids: the id is part of the entry's file name and address, so it must be
    lowercase ASCII (``ID_PATTERN``), and a readable one is kept for good once the entry is published."""
    parts, length = [], 0
    for word in rjieba.cut(str(title or "").strip()):
        if word in ID_SKIPPED:
            continue
        spelt = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(word)).lower()).strip("-")
        if not spelt:
            continue
        if parts and length + 1 + len(spelt) > ID_LONGEST:
            break
        parts.append(spelt[:ID_LONGEST])
        length += len(spelt) + (len(parts) > 1)
    base = "-".join(parts)
    if len(base) < 2 or not ID_PATTERN.match(base):
        return ""
    entry_id, n = base, 1
    while entry_id in taken:
        n += 1
        entry_id = f"{base}-{n}"
    return entry_id


def kind_of(path: str) -> str:
    return "directory" if path.startswith(ENTRY_DIRS["directory"]) else "policy"


def words(text: str) -> list[str]:
    """Items typed in one line, separated by 、 , ; or line breaks."""
    return [w.strip() for w in WORD_SEPARATORS.split(text or "") if w.strip()]


def lines(text: str) -> list[str]:
    return [w.strip() for w in (text or "").splitlines() if w.strip()]


# -- form values ----------------------------------------------------------------------------------


def form_value(field: Field, value):
    """The value a field's widget starts with, for a front-matter value."""
    widget = field.widget
    if widget == "lines":
        return "\n".join(str(v) for v in as_list(value) if v is not None)
    if widget == "words":
        return "、".join(str(v) for v in as_list(value) if v is not None)
    if widget == "units":
        return [str(v) for v in as_list(value) if v]
    if widget == "date":
        return as_date(value)
    if widget == "basis":
        return [dict(b) if isinstance(b, dict) else b for b in as_list(value)]
    if widget == "facts":
        return "\n".join(f"{k}：{v}" for k, v in value.items()) if isinstance(value, dict) else ""
    if widget == "notes":
        return str(value).rstrip("\n") if value is not None else ""
    return "" if value is None else str(value)


def unquoted(text: str) -> str:
    """A name or value of a fact as meant: quotes written around it as in YAML ("12345") are no part of it."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def front_matter_value(field: Field, entered):
    """A widget's value as front matter (``yamledit.DELETE`` when the field is left empty)."""
    widget = field.widget
    if widget == "lines":
        value = lines(entered)
    elif widget == "words":
        value = words(entered)
    elif widget == "units":
        value = [str(u) for u in entered or []]
    elif widget == "date":
        value = entered if isinstance(entered, dt.date) else None
    elif widget == "basis":
        value = [b for b in entered or [] if b not in ({}, None)]
    elif widget == "facts":
        value = {}
        for line in lines(entered):
            m = FACT_LINE.match(line)
            name, fact = (m.group(1), m.group(2)) if m else (line, "")
            value[unquoted(name)] = unquoted(fact)
    elif widget == "notes":
        text = (entered or "").strip("\n")
        value = text + "\n" if "\n" in text else text
    else:
        value = (entered or "").strip()
    if value in ("", None) or (value == {} and widget == "facts"):
        return yamledit.DELETE
    return value


def changes_from_form(fields: list[Field], meta: dict, entered: dict) -> dict:
    """Front-matter changes for the fields whose entered value differs from what the form showed.

    A field the person did not touch is not written at all, so it keeps its exact text: an
    ``agent_notes`` block, a quoted number, a date written as text, a value the form cannot show.
    """
    changes = {}
    for field in fields:
        if field.name not in entered:
            continue
        old = meta.get(field.name)
        if entered[field.name] == form_value(field, old):
            continue
        value = _as_written(old, front_matter_value(field, entered[field.name]))
        if value is yamledit.DELETE:
            if field.name not in meta:
                continue
            # An emptied list stays as an empty list where the author had one (co_handlers: []).
            value = [] if isinstance(old, list) else value
        changes[field.name] = value
    return changes


def _as_written(old, new):
    """``new`` with each item the form shows as text (a number, a year) kept as the author wrote it."""
    if isinstance(old, list) and isinstance(new, list):
        spare = list(old)
        out = []
        for item in new:
            match = next((o for o in spare if not isinstance(o, (dict, list)) and str(o) == item), None)
            if match is not None:
                spare.remove(match)
            out.append(item if match is None else match)
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: old[k] if k in old and not isinstance(old[k], (dict, list)) and str(old[k]) == v else v
                for k, v in new.items()}
    return new


# -- drafts and edits ---------------------------------------------------------------------------


@dataclasses.dataclass
class Draft:
    """An entry as the editor opens it: its fields' starting values and its body."""

    kind: str
    path: str | None      # None for a new entry
    text: str | None      # the version being edited (None for a new entry)
    meta: dict
    body: str
    values: dict
    unreadable: dict      # field -> the text of a date the form cannot show (kept unless replaced)
    #: The text the change request holds, when the form starts from another (main's, or both merged).
    saved: str | None = None

    @property
    def fields(self) -> list[Field]:
        return fields_for(self.kind)

    @property
    def is_new(self) -> bool:
        return self.text is None

    @property
    def entry_id(self) -> str:
        return str(self.meta.get("id") or "")

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.entry_id)


@dataclasses.dataclass
class Edit:
    """What saving the form would write: the file, what changed, and its problems."""

    path: str | None
    text: str
    entry_id: str
    title: str
    changed: list[str]
    body_changed: bool
    problems: list[Problem]
    #: Whether the text differs from what the change request holds although the form was not touched.
    pending: bool = False

    @property
    def unchanged(self) -> bool:
        return not self.changed and not self.body_changed and not self.pending

    def problems_for(self, *fields) -> list[Problem]:
        return [p for p in self.problems if p.field in fields]


@dataclasses.dataclass
class Saved:
    """The outcome of a save: the change request, and whether it is now with the reviewers."""

    cr: object
    created: bool
    submitted: bool
    waiting_for: list[str]
    tasks: list[int]
    #: The parties it waits for, each flagged when no account can approve for it (None unless in review).
    awaiting: object = None


@dataclasses.dataclass
class Reconciled:
    """An entry of a change request that was published by someone else since the request was written."""

    path: str
    mine: str | None             # the request's version
    main: str | None             # main's current version
    merged: str | None           # both merged (None: they change the same lines)
    published: list[dict]        # who published what since (ReviewQueries.published_since)
    main_commit: str             # the main both were read at: what a save is written on

    @property
    def clean(self) -> bool:
        return self.merged is not None

    @property
    def published_by(self) -> str:
        """Who published the change since, in words: 变更请求 #7（李编辑，2026-12-05）."""
        return published_by(self.published)


@dataclasses.dataclass
class EntryRef:
    path: str
    entry_id: str
    title: str
    kind: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.title}（{ENTRY_KIND_LABELS.get(self.kind, self.kind)}·{self.unit}）"


class Editing:
    """The editor's work on one knowledge base (``kb.editing``)."""

    def __init__(self, kb):
        self.kb = kb

    # -- what a person may edit -------------------------------------------------------------

    def may_edit(self, user, path: str, meta: dict) -> bool:
        """Unit staff edit their unit's answers and the catalogue entries their unit maintains or handles."""
        if user is None or not user.can_author:
            return False
        if user.role not in UNIT_ROLES:
            return True
        return user.unit in units_of_entry(path, meta)

    def entries(self, user, commit: str | None = None) -> list[EntryRef]:
        """The entries a person may edit at a commit, by kind and title.

        An entry on main is named by its title on main, whatever a change request made of it: a list
        that renamed the entry the person is editing (a title emptied or rewritten in the request)
        would lose the person's choice, the list's labels being what the page remembers.
        """
        snap = self.kb.snapshot(commit)
        on_main = {e.path: e.title for e in self.kb.snapshot().entry_list}
        refs = [EntryRef(e.path, e.id, on_main.get(e.path) or e.title or e.id, e.kind or kind_of(e.path),
                         snap.unit_name(e.unit))
                for e in snap.entry_list if self.may_edit(user, e.path, e.meta)]
        return sorted(refs, key=lambda r: (r.kind != "policy", r.title))

    def choices(self, commit: str | None = None) -> Choices:
        return Choices.from_snapshot(self.kb.snapshot(commit))

    def compared(self, edit: Edit):
        """The edited file against the version the public has now (on main), as reviewers will read the change
        (kb_app.review.changes.describe): None for a new entry or a file main does not hold."""
        from .review.changes import describe
        from .review.records import FileChange

        current = self.kb.store.read(edit.path) if edit.path else None
        if current is None:
            return None
        change = FileChange(edit.path, "M", current, edit.text, current)
        return describe(change, self.choices(), self.kb.today())

    def unit_options(self, user, draft: Draft, choices: Choices) -> list[str]:
        """Units the ``unit`` field offers: a policy answer stays in its unit's folder."""
        current = str(draft.meta.get("unit") or "")
        if draft.kind == "policy" and not draft.is_new:
            return [current]
        if draft.kind == "policy" and user.role in UNIT_ROLES:
            return [user.unit]
        units = list(choices.units)
        return units + [current] if current and current not in units else units

    def targets(self, user) -> list:
        """The person's open change requests, which a save may add to."""
        return [c for c in self.kb.review.list(author=user.username) if c.is_open]

    def source(self, target) -> str:
        """The commit an edit starts from: main for a new change request, else the request's head."""
        return self.kb.store.head() if target in (None, "new") else self.kb.review.get(target).head

    def others_editing(self, user, path: str, target=None) -> tuple:
        """Open change requests, drafts too, that change this entry besides ``target`` (the one being edited);
        for a new request (``target`` None or "new") other people's only: the person's own are offered to
        save into instead (``mine_on``)."""
        current = () if target in (None, "new") else (int(target),)
        found = self.kb.under_way([path], exclude=current).get(path, ())
        return tuple(c for c in found if current or c.author != user.username)

    def who_else(self, user, path: str, target=None, what: str = "本条目") -> str:
        """The warning that ``others_editing`` change the entry too, naming each request (number, title,
        author, state) and that publishing one makes the others need updating; "" when none do."""
        from .review.changes import people
        from .review.pending import under_way_note

        found = self.others_editing(user, path, target)
        return under_way_note(what, found, people(self.kb)) if found else ""

    def mine_on(self, user, path: str) -> list:
        """The person's own open requests that change this entry (the ones a save may go into)."""
        return [c for c in self.kb.under_way([path]).get(path, ())
                if c.author == user.username and c.state in OPEN]

    def reconciled(self, target, path: str) -> Reconciled | None:
        """The entry of an open change request as it stands against main, when someone else published a
        change to it since the request was written; None otherwise (or for a new request)."""
        if target in (None, "new"):
            return None
        review, store = self.kb.review, self.kb.store
        cr, main = review.get(target), store.head()
        if cr.base == main or path not in store.changed_paths(cr.base, main):
            return None
        base, mine, now = store.read(path, cr.base), store.read(path, cr.head), store.read(path, main)
        return Reconciled(path, mine, now, store.merge_texts(base, mine, now), review.published_since(cr.base, path, main),
                          main)

    # -- drafts -------------------------------------------------------------------------------

    def open(self, path: str, commit: str | None = None) -> Draft:
        """An existing entry as the form shows it."""
        text = self.kb.store.read(path, commit or self.kb.store.head())
        if text is None:
            raise KbError(f"文件“{path}”在该版本中不存在：它可能已被删除，请刷新后重新选择条目。")
        try:
            meta, body, _ = frontmatter.parse(text)
        except frontmatter.FrontMatterError as e:
            raise KbError(f"“{path}”的前置信息无法读取（第 {e.line} 行：{e}），表单无法显示它："
                          "请在 git 中修正该文件，或联系热线中心。")
        return self._draft(kind_of(path), path, text, meta, body)

    def open_reconciled(self, found: Reconciled) -> Draft:
        """The entry of a request whose entry moved on main, as the form starts it: both versions merged, or
        main's current version when they cannot be (never the request's own, which would take out what was
        published); ``saved`` is the request's version."""
        draft = self.open(found.path, found.main_commit)
        if found.clean:
            try:
                meta, body, _ = frontmatter.parse(found.merged)
            except frontmatter.FrontMatterError:  # merged into front matter the form cannot read: start from main
                found.merged = None
            else:
                draft = self._draft(draft.kind, found.path, found.merged, meta, body)
        draft.saved = found.mine
        return draft

    def new(self, kind: str, user) -> Draft:
        """A blank entry of a kind; a unit editor's answer belongs to their unit."""
        if kind not in ENTRY_KIND_LABELS:
            raise KbError(f"类型“{kind}”无效：请选择答复口径或派单目录。")
        meta = {"kind": kind, "audience": "internal" if kind == "directory" else "public"}
        if user.unit:
            meta["unit"] = user.unit
        return self._draft(kind, None, None, meta, "")

    def _draft(self, kind, path, text, meta, body) -> Draft:
        fields = fields_for(kind)
        values = {f.name: form_value(f, meta.get(f.name)) for f in fields}
        unreadable = {f.name: str(meta[f.name]) for f in fields
                      if f.widget == "date" and meta.get(f.name) is not None and values[f.name] is None}
        return Draft(kind, path, text, meta, body, values, unreadable)

    # -- from the form to a file --------------------------------------------------------------

    def compose(self, draft: Draft, entered: dict, body: str, entry_id: str = "",
                commit: str | None = None) -> Edit:
        """The file the form describes, what changed, and its problems against the rules at ``commit``."""
        changes = changes_from_form(draft.fields, draft.meta, entered)
        if not draft.is_new:
            entry_id = draft.entry_id
        else:  # an id left empty is spelt from the title
            entry_id = (entry_id or "").strip() or id_from_title(changes.get("title"), self.kb.snapshot(commit).entries)
            changes = {"id": entry_id, "kind": draft.kind, **changes}
            for name in ("audience", "unit"):  # the starting values of a new entry are choices too
                value = entered.get(name, draft.values.get(name))
                if name not in changes and value:
                    changes[name] = front_matter_value(BY_NAME[name], value)
            changes = dict(sorted(changes.items(), key=lambda item: _order(item[0])))
        base = draft.text if draft.text is not None else "---\n---\n"
        text = yamledit.update(base, changes, body, order=ORDER)
        meta = {**draft.meta, **{k: v for k, v in changes.items() if v is not yamledit.DELETE}}
        unit = str(meta.get("unit") or "")
        path, problems = draft.path, []
        if draft.is_new and draft.kind == "policy" and not unit:
            problems.append(Problem("", 1, "unit", "还没有选择所属单位", "选择维护这条答复的单位"))
        elif draft.is_new and ID_PATTERN.match(entry_id):
            path = path_for(draft.kind, unit, entry_id)
        body_changed = body.rstrip("\n") != draft.body.rstrip("\n")
        problems += self.check(path, text, commit, new_id=entry_id if draft.is_new else None)
        return Edit(path, text, entry_id, str(meta.get("title") or entry_id), sorted(changes, key=_order),
                    body_changed, problems, draft.saved is not None and text != draft.saved)

    def check(self, path: str | None, text: str, commit: str | None = None,
              new_id: str | None = None) -> list[Problem]:
        """Problems of one edited file, checked against the rules and registries at ``commit``."""
        commit = commit or self.kb.store.head()
        problems = []
        if new_id is not None:
            problems += self._id_problems(new_id, commit)
        if path is None:
            return problems
        snap = self.kb.snapshot(commit).with_entry(path, text)
        return problems + [p for p in validate(snap) if p.path == path]

    in_words = staticmethod(in_words)

    def reminders(self, edit: Edit, commit: str | None = None):
        """Answers the edited text names that the public cannot open (kb_app.content.references), and its
        structured facts given otherwise in its text or in other answers (kb_app.facts): said to the author,
        who may still save."""
        from . import facts
        from .content.references import draft_notices

        if edit.path is None:
            return []
        snap = self.kb.snapshot(commit)
        return (draft_notices(snap, edit.path, edit.text, self.kb.today())
                + facts.draft_notices(snap, edit.path, edit.text))

    def _id_problems(self, entry_id: str, commit: str) -> list[Problem]:
        if not entry_id:
            return [Problem("", 1, "id", "缺少编号", "先填写标题（编号会按标题的拼音生成），或自己填写由小写字母、数字和连字符组成的"
                            "编号，如 sscard-reissue")]
        if not ID_PATTERN.match(entry_id):
            return [Problem("", 1, "id", f"编号“{entry_id}”格式不对",
                            "只用小写字母、数字和连字符，以字母或数字开头，2–80 个字符")]
        other = self.kb.snapshot(commit).entries.get(entry_id)
        if other is not None:
            return [Problem("", 1, "id", f"编号“{entry_id}”已被“{other.title}”使用", "换一个编号")]
        return []

    def retired(self, draft: Draft) -> str:
        """The entry with ``expires`` set to yesterday: once published, the public no longer finds it
        (retiring it passes review like any edit). An earlier date is kept: the answer was in force until
        then, not until yesterday."""
        yesterday = self.kb.today() - dt.timedelta(days=1)
        return yamledit.update(draft.text, {"expires": min(yesterday, self.expired_on(draft) or yesterday)}, order=ORDER)

    def kept_until(self, draft: Draft, effective: dt.date) -> dt.date | None:
        """The last day the version of an entry the public sees today stays in force if the draft takes effect
        on ``effective`` (see content.versions), or None when the public sees none (a new entry, or one not
        public today)."""
        if draft.is_new:
            return None
        try:
            current = self.kb.reader().entry(draft.entry_id)
        except EntryNotFound:
            return None
        return versions.last_day(current, effective)

    def on_main(self, draft: Draft) -> bool:
        """Whether main holds the entry's file: not so for a new entry, nor for one added in a change request
        and not yet published (its saved draft), which has no version in force to compare, retire or delete."""
        return not draft.is_new and bool(draft.path) and self.kb.store.read(draft.path) is not None

    def expired_on(self, draft: Draft) -> dt.date | None:
        """The last day an entry was in force, when it has already expired (its ``expires`` is readable and
        past): retiring it would change nothing the public sees."""
        if not self.on_main(draft):
            return None
        last = as_date(draft.meta.get("expires"))
        return last if last is not None and last < self.kb.today() else None

    # -- saving -------------------------------------------------------------------------------

    def changes_from_dir(self, directory) -> dict[str, str]:
        """Files laid out like the repository under ``directory`` that differ from main (path -> text)."""
        return changes_from_tree(self.kb.store, directory)

    def save(self, user, target, changes: dict, title: str, submit: bool = False, tasks=(), offered=(),
             description: str = "", based_on: str | None = None) -> Saved:
        """Save files (path -> text, or None to delete) to a new change request or one of the user's own.

        ``tasks`` are maintenance tasks the change resolves: they close when it is published. Saving
        into an open request replaces its marks among the ``offered`` tasks and keeps the others.
        """
        task_ids = self._tasks(user, tasks)
        review = self.kb.review
        data = {"resolves": task_ids} if task_ids else None
        if target in (None, "new"):
            cr = review.create(user, title, changes, submit=submit, data=data, description=description)
            created = True
        else:
            current = review.get(target)
            kept = set(current.data.get("resolves") or []) - {int(t) for t in offered}
            if task_ids or kept != set(current.data.get("resolves") or []):
                data = {"resolves": sorted(kept | set(task_ids))}
            cr = review.update(user, target, changes, title, data=data, based_on=based_on)
            created = False
            if submit and cr.state == "draft":
                cr = review.submit(user, cr.id)
        return self._saved(cr, created, task_ids)

    def submit(self, user, target: int) -> Saved:
        """Send one's saved draft to review as it stands (nothing new to save)."""
        cr = self.kb.review.submit(user, target)
        return self._saved(cr, False, [int(t) for t in cr.data.get("resolves") or []])

    def _saved(self, cr, created: bool, task_ids: list[int]) -> Saved:
        awaiting = self.kb.review.awaiting(cr) if cr.state == "in_review" else None
        waiting = [awaiting.labels[p] for p in awaiting.parties] if awaiting else []
        return Saved(cr, created, cr.state == "in_review", waiting, task_ids, awaiting)

    def paths_of(self, target) -> list[str]:
        """The entry files a change request changes and keeps (what can be opened in the editor)."""
        if target in (None, "new"):
            return []
        cr = self.kb.review.get(target)
        changed = self.kb.store.changed_paths(cr.base, cr.head)
        return [p for p, status in sorted(changed.items()) if p.startswith("entries/") and status != "D"]

    def _tasks(self, user, tasks) -> list[int]:
        ids = []
        for task_id in dict.fromkeys(int(t) for t in tasks or ()):
            task = self.kb.feedback.task(task_id)
            self.kb.feedback.check_owner(task, user)
            if task.state != "open":
                raise KbError(f"维护任务 #{task_id} 已是“{task.state_label}”，不能再标记为由本次修改处理：请刷新页面。")
            ids.append(task_id)
        return ids

    def tasks_for(self, user, entry_id: str, unit: str) -> list:
        """Open tasks a change to this entry may resolve: the entry's, then its unit's without an entry."""
        if not unit:
            return []
        tasks = self.kb.feedback.list_tasks(unit)
        tasks = [t for t in tasks if entry_id and t.entry == entry_id] + [t for t in tasks if not t.entry]
        allowed = []
        for t in tasks:
            try:
                self.kb.feedback.check_owner(t, user)
            except PermissionDenied:
                continue
            allowed.append(t)
        return allowed


def _order(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)
