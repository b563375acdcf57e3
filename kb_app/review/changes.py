"""A change request told in the reader's terms: what each file is, which fields changed, who is who.

Reviewers judge answers, not paths: for every file a change request touches this module names the
entry (its title, kind and unit), lists the front-matter changes by field label with values by
name (units, time limits, articles of regulations, dates as YYYY-MM-DD), and separates the body,
which the review page shows rendered side by side. Usernames become people's names; paths, commit
hashes and branch names stay available for the collapsed technical details.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import PurePosixPath

import yaml

from ..content import frontmatter, numerals
from ..choices import Choices
from ..labels import CHANGE_LABELS as STATUS_LABELS, CONFIG_LABELS, KIND_LABELS
from ..editing import LABELS, ORDER
from ..content.model import ENTRY_DIRS, REGULATION_DIR, as_date
from ..content.yamledit import same
from .records import FileChange

@dataclasses.dataclass
class FileView:
    """One touched file as a reviewer reads it."""

    path: str
    status: str              # A, M or D
    action: str              # 新增, 修改, 停用 or 删除
    kind: str                # policy, directory, regulation, config or file
    kind_label: str
    title: str
    entry_id: str | None
    unit: str                # the owning unit's name ('' when none)
    fields: list[dict]       # {字段, 修改前, 修改后} by label
    old_body: str | None     # Markdown bodies (None: absent, or the file cannot be read)
    new_body: str | None
    old: str | None          # whole texts, for the source view
    new: str | None
    main: str | None
    conflicting: bool
    #: For a list a reviewer reads item by item (the example calls): the items added and removed.
    items: list[dict] = dataclasses.field(default_factory=list)
    base: str | None = None      # the version the request was written from (see FileChange)
    published: list = dataclasses.field(default_factory=list)
    reverted: list = dataclasses.field(default_factory=list)

    @property
    def heading(self) -> str:
        unit = f" · {self.unit}" if self.unit else ""
        return f"{self.action}{self.kind_label}：{self.title}{unit}"

    @property
    def has_body(self) -> bool:
        return self.old_body is not None or self.new_body is not None

    @property
    def body_changed(self) -> bool:
        return (self.old_body or "").rstrip("\n") != (self.new_body or "").rstrip("\n")

    @property
    def answer_id(self) -> str | None:
        """The entry whose answer page shows this file once published (None for a deletion or a rule)."""
        if self.kind in ("policy", "directory") and self.status != "D" and self.entry_id:
            return self.entry_id
        return None


def _kind(path: str) -> str:
    if path.startswith(ENTRY_DIRS["policy"]):
        return "policy"
    if path.startswith(ENTRY_DIRS["directory"]):
        return "directory"
    if path.startswith(REGULATION_DIR):
        return "regulation"
    if path.startswith("regulations/") and path.count("/") == 1:
        return "config"
    return "file"


def _split(text: str | None) -> tuple[dict, str | None]:
    if text is None:
        return {}, None
    try:
        meta, body, _ = frontmatter.parse(text)
    except frontmatter.FrontMatterError:
        return {}, None
    return meta, body


#: What the field table shows on the side where a field is not: not there before, or taken out.
ABSENT, REMOVED = "（无）", "（删除）"


def field_rows(old: dict, new: dict, choices: Choices) -> list[dict]:
    """``{字段, 修改前, 修改后}`` for every front-matter field that differs, in the usual field order."""
    keys = sorted(dict.fromkeys([*old, *new]), key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
    rows = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if same(a, b):
            continue
        label = LABELS.get(key, str(key))
        if isinstance(a, dict) and isinstance(b, dict):
            # A mapping (a regulation's questions by article): only the parts that changed.
            for part in dict.fromkeys([*a, *b]):
                if not same(a.get(part), b.get(part)):
                    rows.append({"字段": f"{label} · {_part_label(part)}",
                                 "修改前": choices.show(key, a[part]) if part in a else ABSENT,
                                 "修改后": choices.show(key, b[part]) if part in b else REMOVED})
            continue
        rows.append({"字段": label, "修改前": choices.show(key, a) if key in old else ABSENT,
                     "修改后": choices.show(key, b) if key in new else REMOVED})
    return rows


def _part_label(part) -> str:
    """A key of a mapping field as a reviewer reads it: an article number as 第九条."""
    return numerals.article_label(part) if isinstance(part, int) and not isinstance(part, bool) else str(part)


def describe(file, choices: Choices, today) -> FileView:
    """A :class:`kb_app.review.records.FileChange` as a reviewer reads it."""
    kind = _kind(file.path)
    old_meta, old_body = _split(file.old)
    new_meta, new_body = _split(file.new)
    meta = new_meta or old_meta
    stem = PurePosixPath(file.path).stem
    if kind in ("policy", "directory"):
        title, entry_id = str(meta.get("title") or meta.get("id") or stem), str(meta.get("id") or stem)
        unit, kind_label = choices.unit_name(meta.get("unit")), KIND_LABELS[kind]
    elif kind == "regulation":
        title, entry_id, unit, kind_label = str(meta.get("title") or stem), None, "", "条例全文"
    elif kind == "config":
        title, entry_id, unit, kind_label = CONFIG_LABELS.get(stem, stem), None, "", "配置"
    else:
        title, entry_id, unit, kind_label = file.path, None, "", "文件"
    # A new or deleted file's fields are all shown (修改前 ABSENT or 修改后 REMOVED): a reviewer reads the title,
    # questions, audience and agents' notes of a new answer as surely as its body.
    fields = field_rows(old_meta, new_meta, choices) if kind != "config" else \
        limit_rows(file.old, file.new) if stem == "time_limits" else []
    action = STATUS_LABELS.get(file.status, file.status)
    expires = as_date(new_meta.get("expires"))
    only_expires = [r["字段"] for r in fields] == [LABELS["expires"]]
    if file.status == "M" and only_expires and expires and expires < today:
        action = "停用"
    bodies = kind in ("policy", "directory", "regulation")
    items = example_rows(file.old, file.new) if kind == "config" and stem == "intake_examples" else []
    return FileView(file.path, file.status, action, kind, kind_label, title, entry_id, unit, fields,
                    old_body if bodies else None, new_body if bodies else None, file.old, file.new, file.main,
                    file.conflicting, items, file.base, file.published, file.reverted)


#: How a time limit's unit reads (time_limits.yaml).
LIMIT_UNITS = {"hours": "小时（自然小时连续计算）", "workdays": "个工作日"}


def limit_rows(old: str | None, new: str | None) -> list[dict]:
    """``{字段, 修改前, 修改后}`` of what a change to the time limits (time_limits.yaml) changes, tier by tier, in
    words (时限档位“3个工作日” · 时限 | 3个工作日 | 2个工作日), not as lines of YAML. Empty when either version
    cannot be read, which the source view then shows."""
    def read(text):
        try:
            data = yaml.safe_load(text or "") or {}
        except yaml.YAMLError:
            return None
        return data if isinstance(data, dict) else None

    before, after = read(old), read(new)
    if before is None or after is None:
        return []

    def tiers(data):
        return {str(t["id"]): t for t in data.get("tiers") or [] if isinstance(t, dict) and "id" in t}

    def limit(tier):
        return f"{tier.get('amount')}{LIMIT_UNITS.get(tier.get('unit'), tier.get('unit') or '')}"

    def basis(tier):
        b = tier.get("basis") or {}
        return f"{b.get('regulation', '')} 第{b.get('article', '')}条" if isinstance(b, dict) and b else ""

    rows = []
    a, b = tiers(before), tiers(after)
    for tier_id in dict.fromkeys([*a, *b]):
        was, now = a.get(tier_id), b.get(tier_id)
        name = str((was or now).get("name") or tier_id)
        for label, part in (("名称", lambda t: str(t.get("name") or "")), ("时限", limit),
                            ("适用的诉求", lambda t: str(t.get("description") or "")), ("依据", basis)):
            old_value = part(was) if was else ABSENT
            new_value = part(now) if now else REMOVED
            if old_value != new_value:
                rows.append({"字段": f"时限档位“{name}” · {label}", "修改前": old_value, "修改后": new_value})
    readings = (("default_tier", "未写时限的条目采用", lambda v, named: str((named.get(str(v)) or {}).get("name") or v)),
                ("extension", "延期上限", lambda v, _named: f"{v.get('max_workdays')}个工作日"
                 if isinstance(v, dict) else str(v)))
    for key, label, show in readings:
        x, y = before.get(key), after.get(key)
        if not same(x, y):
            rows.append({"字段": label, "修改前": show(x, a) if key in before else ABSENT,
                         "修改后": show(y, b) if key in after else REMOVED})
    x, y = (set((d.get("round_the_clock") or {}).get("keywords") or []) for d in (before, after))
    if x != y:
        rows.append({"字段": "7×24小时服务的关键词（删除的、新增的）", "修改前": "、".join(sorted(x - y)) or "（无删除）",
                     "修改后": "、".join(sorted(y - x)) or "（无新增）"})
    return rows


def example_rows(old: str | None, new: str | None) -> list[dict]:
    """The example calls (intake_examples.yaml) a change adds and removes, as a reviewer reads them: the
    caller's words and the line they call for (none: no emergency). Empty when either version cannot be
    read, which the source view then shows."""
    def calls(text: str | None) -> Counter | None:
        try:
            data = yaml.safe_load(text or "") or {}
        except yaml.YAMLError:
            return None
        items = data.get("examples") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return None if text else Counter()
        return Counter((str(i.get("text") or "").strip(), str(i.get("line") or "none").strip())
                       for i in items if isinstance(i, dict))

    before, after = calls(old), calls(new)
    if before is None or after is None:
        return []
    rows = []
    for change, found in (("新增", after - before), ("删除", before - after)):
        for (text, line), n in found.items():
            rows += [{"变化": change, "来电人的原话": text,
                      "应当": "不是紧急情况" if line == "none" else f"转接 {line}"}] * n
    return rows


def describe_all(kb, cr, files) -> list[FileView]:
    """Every file of a change request, with names from the request's own version of the registries where it
    changes them and, while it is open, from main's where main changed them since its base: what will go live."""
    choices = Choices.from_snapshot(kb.snapshot(cr.head or None))
    if cr.is_open and cr.base:
        choices = choices.as_published(Choices.from_snapshot(kb.snapshot(cr.base)), Choices.from_snapshot(kb.snapshot()))
    return [describe(f, choices, kb.today()) for f in files]


def tiers_moved(kb, cr, views: list[FileView]) -> list[str]:
    """What to tell reviewers of an open request whose entries use a time-limit tier that main redefined since the
    request's base (3wd, 3个工作日 then, 2个工作日 now): the request goes live with main's definition."""
    if not (cr.is_open and cr.base):
        return []
    before, now = kb.snapshot(cr.base).tiers, kb.snapshot().tiers
    used = {str(_split(v.new)[0].get("time_limit") or "") for v in views if v.new and v.kind == "directory"}
    def limit(spec):   # what a tier sets (its description only says which matters belong to it)
        return None if spec is None else {k: v for k, v in spec.items() if k != "description"}

    notes = []
    for tier in sorted(used):
        old, new = before.get(tier), now.get(tier)
        if old is not None and limit(old) != limit(new):
            was, now_named = str(old.get("name") or tier), str((new or {}).get("name") or tier)
            notes.append(f"时限档位“{was}”在本变更发起后已从主干上删除" if new is None else
                         f"时限档位“{was}”在本变更发起后已在主干上改为“{now_named}”" if now_named != was else
                         f"时限档位“{was}”的计算方法在本变更发起后已在主干上修改")
    return [f"{n}：本变更发布后按现行规定办理，上表已按现行名称显示；请确认事项仍应使用这一档位。" for n in notes]


def describe_versions(kb, path: str, old_commit: str | None, new_commit: str) -> FileView:
    """Two published versions of a file as a reviewer reads a change between them (the history page);
    without ``old_commit``, the one version as a file added: every field, and its body."""
    old = kb.file_text(path, old_commit) if old_commit else None
    new = kb.file_text(path, new_commit)
    status = "A" if old is None else "D" if new is None else "M"
    choices = Choices.from_snapshot(kb.snapshot(new_commit))
    return describe(FileChange(path, status, old, new, old), choices, kb.today())


def people(kb) -> dict[str, str]:
    """Usernames to people's names (a name pushed with git, ``张三 <a@b>``, is shown as its name)."""
    return {u.username: u.name for u in kb.users.list()}


def person(names: dict[str, str], username: str) -> str:
    if not username:
        return ""
    if username in names:
        return names[username]
    return username.split("<", 1)[0].strip() or username


_PROBLEM = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+): (?:字段 (?P<field>[^：]+)：)?(?P<rest>.*)$", re.S)


def problem_text(problem: str, views: list[FileView]) -> str:
    """A validation problem with the entry's title for its path and the field's label for its name."""
    m = _PROBLEM.match(problem)
    if not m:
        return problem
    view = next((v for v in views if v.path == m.group("path")), None)
    where = f"“{view.title}”" if view else m.group("path")
    field = m.group("field")
    label = f"{LABELS.get(field, field)}：" if field else ""
    return f"{where}第 {m.group('line')} 行，{label}{m.group('rest')}"
