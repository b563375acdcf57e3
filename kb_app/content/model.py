"""The content model: entries, regulations and configuration, read from a set of files.

A :class:`Snapshot` is built from a mapping ``path -> text`` so that the same code reads the
working tree (``kb validate``) and any git commit (search, review, history). A commit's files
come as :class:`BlobFiles`, which reads texts when asked: its entries keep their front matter
parsed and read their bodies from the blob again, so a process serving 50,000 entries does not
hold 50,000 file texts.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path, PurePosixPath

import yaml

from ..cache import LruCache
from . import frontmatter
from .numerals import to_int

ENTRY_DIRS = {"policy": "entries/policy/", "directory": "entries/directory/"}
REGULATION_DIR = "regulations/texts/"
CONTENT_PREFIXES = ("entries/", "regulations/")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
ARTICLE_HEADING = re.compile(r"^##[ \t]+第([零〇一二两三四五六七八九十百千0-9]+)条[ \t]*$")
CHAPTER_HEADING = re.compile(r"^#[ \t]+(.+?)\s*$")


def config_path(name: str) -> str:
    return f"regulations/{name}.yaml"


#: The one spelling of a date written as text: ``2026-01-01`` (quoted or not).
DATE_TEXT = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*")
#: Fields whose value decides whether the public may see an entry.
PUBLIC_FIELDS = ("audience", "unit", "effective", "expires", "id", "kind")
#: What a byte that is not UTF-8 is read as from git (see store.read_blobs): a file holding it is not read.
NOT_UTF8 = "\ufffd"
DATE_FIELDS = ("effective", "expires", "review_by", "checked")
AUDIENCES = ("public", "internal")


def as_date(value):
    """The date a front-matter value names, or None when it names none.

    A YAML date (``2026-01-01``) or the string ``YYYY-MM-DD`` (``'2026-01-01'``, as PyYAML's
    ``safe_dump``, editors and spreadsheet exports write it) is that date; anything else — a
    timestamp with a time of day, ``2020年1月1日``, ``2026-02-30`` — is not a date.
    """
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = DATE_TEXT.fullmatch(value)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


def date_problem(value) -> str | None:
    """Why a front-matter date cannot be read (None when it is absent or readable)."""
    if value is None or as_date(value) is not None:
        return None
    if isinstance(value, dt.datetime):
        return f"“{value}”带有时刻，不是日期"
    if isinstance(value, str) and DATE_TEXT.fullmatch(value):
        return f"“{value.strip()}”不是存在的日期"
    return f"“{value}”不是有效日期"


def as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class Entry:
    """A policy answer (答复口径) or a directory entry (派单目录).

    Read from a file (:meth:`from_text`), an entry keeps the file's text and where the body starts in
    it rather than a copy of the body. Read from a blob (:meth:`from_blob`), it keeps only the blob's
    name and reads the text again when its body is asked for (the store caches blobs, bounded), so the
    front matter is all a serving process holds of 50,000 entries.
    """

    __slots__ = ("path", "meta", "lines", "_text", "_start", "_blob", "__dict__")

    def __init__(self, path: str, meta: dict, body: str = "", lines: dict[str, int] | None = None):
        self.path = path
        self.meta = meta
        self.lines = lines if lines is not None else {}
        self._text, self._start, self._blob = body, 0, None

    @classmethod
    def from_text(cls, path: str, text: str) -> "Entry":
        """The entry a Markdown file holds; raises ``frontmatter.FrontMatterError`` when unreadable."""
        meta, start, lines = frontmatter.parse_at(text)
        entry = cls(path, meta, "", lines)
        entry._text, entry._start = text, start
        return entry

    @classmethod
    def from_blob(cls, path: str, text: str, sha: str, read) -> "Entry":
        """The entry of a blob whose ``text`` is at hand; later ``read([sha])`` gives the text again."""
        entry = cls.from_text(path, text)
        entry._text, entry._blob = None, (sha, read)
        return entry

    @property
    def body(self) -> str:
        text = self._text
        if text is None:
            sha, read = self._blob
            text = read([sha])[sha]
        return text[self._start:] if self._start else text

    @property
    def body_line(self) -> int:
        """The line of the file the body starts on (1 for an entry made without a file)."""
        if not self._start:
            return 1
        text = self._text
        if text is None:
            sha, read = self._blob
            text = read([sha])[sha]
        return text.count("\n", 0, self._start) + 1

    def __eq__(self, other):
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.path, self.meta, self.body, self.lines) == (other.path, other.meta, other.body, other.lines)

    __hash__ = None

    def __repr__(self):
        return f"Entry(path={self.path!r}, meta={self.meta!r}, body={self.body[:40]!r}…)"

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or PurePosixPath(self.path).stem)

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind") or "")

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or "")

    @property
    def unit(self) -> str:
        return str(self.meta.get("unit") or "")

    @property
    def audience(self) -> str:
        """``public`` or ``internal``; an audience that is missing or cannot be read counts as internal."""
        value = self.meta.get("audience")
        return value if value in AUDIENCES else "internal"

    @property
    def folder_unit(self) -> str:
        """The unit whose folder holds a policy answer (entries/policy/<单位>/…), which reviews it as owner."""
        parts = PurePosixPath(self.path).parts
        return parts[2] if len(parts) == 4 and parts[:2] == ("entries", "policy") else ""

    @cached_property
    def unreadable(self) -> dict[str, str]:
        """Fields whose value cannot be read, with why (格式错误): the audience (missing from an answer, not
        public or internal, public for a catalogue entry), the unit of an answer when it is not in that unit's
        folder (its owner did not review it), the kind when the file is in the other kind's folder, the id when
        it is not the file's name or breaks the id rule (the file's name when no id is written), and the dates.

        What the files around it make unreadable (an unregistered or retired unit, an id two files are named by) a
        :class:`Snapshot` adds to its own copy of the entry (see :func:`context_problems`)."""
        out = {}
        folder_kind = next((k for k, d in ENTRY_DIRS.items() if self.path.startswith(d)), None)
        if self.kind and self.kind != folder_kind:
            out["kind"] = f"类型“{self.kind}”与所在目录不符"
        value, stem = self.meta.get("id"), PurePosixPath(self.path).stem
        if value is not None and (str(value) != stem or not ID_PATTERN.match(str(value))):
            # A second file under the id of another (补卡请先转账…) would be found as that answer.
            out["id"] = f"编号“{value}”与文件名不一致或格式不对"
        elif value is None and not ID_PATTERN.match(stem):
            out["id"] = f"没有写编号（id），文件名“{stem}”也不是有效的编号"
        audience = self.meta.get("audience")
        if audience in (None, ""):
            if self.kind == "policy":
                out["audience"] = "没有写受众（audience）"
        elif audience not in AUDIENCES:
            out["audience"] = f"受众“{audience}”无效"
        elif self.kind == "directory" and audience == "public":
            out["audience"] = "派单目录条目写了 audience: public"
        folder = self.folder_unit
        if self.kind == "policy" and not folder:
            out["unit"] = "答复不在 entries/policy/<单位>/ 目录下"
        elif self.kind == "policy" and self.unit != folder:
            out["unit"] = f"所属单位“{self.unit}”与所在目录“{folder}”不一致"
        for field in DATE_FIELDS:
            why = date_problem(self.meta.get(field))
            if why:
                out[field] = why
        return out

    def with_problems(self, problems: dict[str, str]) -> "Entry":
        """A copy of the entry whose ``unreadable`` also holds ``problems`` (a field's own problem is kept).

        Parsed entries are shared between snapshots: what one snapshot's files make of an entry stays in
        that snapshot's copy."""
        twin = copy.copy(self)
        twin.unreadable = {**self.unreadable, **{f: why for f, why in problems.items() if f not in self.unreadable}}
        return twin

    @property
    def public_blocked(self) -> bool:
        """Whether a field that decides public visibility cannot be read (the entry is never public)."""
        return any(f in self.unreadable for f in PUBLIC_FIELDS)

    def strings(self, field) -> list[str]:
        return [str(v) for v in as_list(self.meta.get(field)) if v is not None]

    questions = property(lambda self: self.strings("questions"))
    keywords = property(lambda self: self.strings("keywords"))
    category = property(lambda self: self.strings("category"))
    regions = property(lambda self: self.strings("regions"))
    examples = property(lambda self: self.strings("examples"))
    co_handlers = property(lambda self: self.strings("co_handlers"))
    handler = property(lambda self: str(self.meta.get("handler") or ""))
    level = property(lambda self: str(self.meta.get("level") or ""))
    time_limit = property(lambda self: str(self.meta.get("time_limit") or ""))
    agent_notes = property(lambda self: str(self.meta.get("agent_notes") or ""))
    effective = property(lambda self: as_date(self.meta.get("effective")))
    expires = property(lambda self: as_date(self.meta.get("expires")))
    review_by = property(lambda self: as_date(self.meta.get("review_by")))
    checked = property(lambda self: as_date(self.meta.get("checked")))

    @property
    def facts(self) -> dict:
        facts = self.meta.get("facts")
        return {str(k): str(v) for k, v in facts.items()} if isinstance(facts, dict) else {}

    @property
    def basis(self) -> list[dict]:
        return [b for b in as_list(self.meta.get("basis")) if isinstance(b, dict)]

    @property
    def citations(self) -> list[tuple[str, int]]:
        """Regulation articles cited in ``basis`` as (regulation-id, number)."""
        out = []
        for b in self.basis:
            if "regulation" in b and isinstance(b.get("article"), int):
                out.append((str(b["regulation"]), b["article"]))
        return out

    @property
    def lead_unit(self) -> str:
        """The unit a request about the entry is counted for: a directory entry's handler (主办单位, or its
        unit when it names none), a policy answer's unit."""
        return (self.handler or self.unit) if self.kind == "directory" else self.unit

    @property
    def handler_units(self) -> list[str]:
        """The handler and co-handlers of a directory entry, each once, lead first."""
        units = [self.handler] + self.co_handlers if self.handler else self.co_handlers
        return list(dict.fromkeys(u for u in units if u))

    def status(self, day: dt.date) -> str:
        """``in_force``, ``pending`` (not yet effective) or ``expired`` on ``day``.

        Both dates are days in force: an answer with ``expires: 2026-12-31`` is public on that day too and
        hidden from the day after, as ``effective: 2026-01-01`` is public from that day on.
        """
        if self.effective and day < self.effective:
            return "pending"
        if self.expires and day > self.expires:
            return "expired"
        return "in_force"

    def in_force_on(self, day: dt.date) -> bool:
        """In force on ``day``, judged only on dates that can be read (else never)."""
        return not self.public_blocked and self.status(day) == "in_force"

    def is_public_on(self, day: dt.date) -> bool:
        """Whether the public may see the entry on ``day``: a policy answer, public, readable, in force.

        Directory (catalogue) entries are staff material and never public.
        """
        return self.kind == "policy" and self.audience == "public" and self.in_force_on(day)


#: How an answer of an abolished unit is said to be unreadable (see :func:`unit_problem`).
RETIRED_UNIT = "已撤销（units.yaml 中 active: false）"


def in_use(unit: dict) -> bool:
    """Whether a unit of units.yaml is in use: one abolished or merged away is kept with ``active: false``."""
    return unit.get("active", True) is not False


def unit_problem(entry: Entry, registry) -> str | None:
    """Why a policy answer's unit is unreadable by the unit registry (``Snapshot.registry``): a unit that is not
    in units.yaml has no reviewer, so no owner reviewed the answer; a unit no longer in use (``active: false``,
    abolished or merged) keeps nobody answerable for it, and its answer names an office citizens can no longer
    turn to. None when registered and in use, for a catalogue entry, or when the registry itself cannot be read
    (None: kb validate reports units.yaml)."""
    if registry is None or entry.kind != "policy":
        return None
    if entry.unit not in registry:
        return f"单位“{entry.unit}”未在 regulations/units.yaml 中登记"
    info = registry[entry.unit]
    return None if in_use(info) else f"单位“{info.get('name') or entry.unit}”{RETIRED_UNIT}"


def context_problems(entries, registry) -> dict[str, dict[str, str]]:
    """What the files around them make unreadable in entries, by path: a policy answer's unit missing from the
    registry or retired in it (see :func:`unit_problem`), and the id of every file of an id that two or more
    files are named by (which of them is the answer, and whether it was reviewed, is unknown: none is public).
    A file whose own id cannot be read (a copy under another answer's id) is no such file: it neither hides
    nor replaces the answer named by it."""
    out: dict[str, dict[str, str]] = {}
    named: dict[str, list[Entry]] = {}
    for e in entries:
        why = unit_problem(e, registry)
        if why:
            out.setdefault(e.path, {})["unit"] = why
        if "id" not in e.unreadable:
            named.setdefault(e.id, []).append(e)
    for eid, files in named.items():
        for e in files if len(files) > 1 else ():
            others = "、".join(o.path for o in files if o is not e)
            out.setdefault(e.path, {})["id"] = f"编号“{eid}”与 {others} 重复"
    return out


@dataclasses.dataclass
class Article:
    regulation: str
    number: int
    label: str
    chapter: str
    text: str
    line: int
    #: Common questions (常见问法) the article answers, from the regulation's ``questions`` front matter.
    questions: tuple = ()

    @property
    def id(self) -> str:
        return f"{self.regulation}/{self.number}"


@dataclasses.dataclass
class Regulation:
    path: str
    meta: dict
    articles: dict[int, Article]
    lines: dict[str, int]
    problems: list = dataclasses.field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.meta.get("id") or PurePosixPath(self.path).stem)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.id)


def parse_regulation(path: str, text: str) -> Regulation:
    """Split a regulation text into articles (``## 第N条``) under chapters (``#``)."""
    meta, body, lines = frontmatter.parse(text)
    offset = frontmatter.split(text)[2]
    articles: dict[int, Article] = {}
    asked = article_questions(meta.get("questions"))
    problems = []
    chapter, current, buf = "", None, []

    def close():
        if current is not None:
            current.text = "\n".join(buf).strip()

    for i, line in enumerate(body.splitlines()):
        m = ARTICLE_HEADING.match(line)
        if m:
            close()
            number = to_int(m.group(1))
            current, buf = Article(PurePosixPath(path).stem, number, f"第{m.group(1)}条", chapter, "", offset + i,
                                   asked.get(number, ())), []
            if number in articles:
                problems.append((offset + i, f"第{m.group(1)}条重复出现", "删除重复的条文或改正条号"))
            articles[number] = current
            continue
        c = CHAPTER_HEADING.match(line)
        if c:
            close()
            chapter, current, buf = c.group(1), None, []
            continue
        if current is not None:
            buf.append(line)
    close()
    reg = Regulation(path, meta, articles, lines, problems)
    for a in articles.values():
        a.regulation = reg.id
    return reg


def parse_article_id(article_id: str) -> tuple[str, int] | None:
    """``beijing-2021/11`` as ("beijing-2021", 11), or None when it is not of that shape."""
    m = re.fullmatch(r"\s*([a-z0-9][a-z0-9-]{0,79})/([0-9]{1,4})\s*", str(article_id or ""))
    return (m.group(1), int(m.group(2))) if m else None


def article_questions(value) -> dict[int, tuple]:
    """The readable part of a regulation's ``questions`` (article number → its common questions).

    Numbers may be written as integers or numerals (``11``, ``"十一"``); what cannot be read is left
    out here and reported by validation.
    """
    out = {}
    if not isinstance(value, dict):
        return out
    for key, items in value.items():
        number = article_number(key)
        if number is not None and isinstance(items, list):
            out[number] = tuple(q.strip() for q in items if isinstance(q, str) and q.strip())
    return out


def article_number(key) -> int | None:
    """An article number written as an integer or a numeral (``11``, ``"11"``, ``"十一"``), else None."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key if key > 0 else None
    try:
        number = to_int(str(key).removeprefix("第").removesuffix("条"))
    except ValueError:
        return None
    return number if number > 0 else None


@dataclasses.dataclass(frozen=True)
class Problem:
    """One validation problem: the file, the line, the field, what is wrong and how to fix it."""

    path: str
    line: int
    field: str
    message: str
    fix: str

    def __str__(self):
        where = f"字段 {self.field}：" if self.field else ""
        return f"{self.path}:{self.line}: {where}{self.message}。修改方法：{self.fix}。"


#: Parsed entries by (path, blob sha) or, for files not from git, (path, text): content is immutable
#: per blob, so a new commit re-parses only the files it changed. Entries are shared between snapshots
#: and must be treated as read-only.
_ENTRY_CACHE = LruCache(200_000)
#: Parsed configuration files, (node, value), by (path, blob sha) or (path, digest of the text): the
#: example calls alone take a fifth of a second to parse, and most commits leave every configuration as
#: it was. Shared between snapshots like the entries, and as read-only.
_CONFIG_CACHE = LruCache(64)
#: Files read from git at once while a snapshot is loaded.
BLOB_CHUNK = 1000


class BlobFiles(Mapping):
    """The content files of a commit, ``path -> text``, read from their blobs when asked for.

    ``read(shas)`` returns ``{sha: text}`` (the store's cached ``read_blobs``); ``shas`` is the tree.
    """

    def __init__(self, shas: dict[str, str], read):
        self.shas, self.read = shas, read

    def __getitem__(self, path: str) -> str:
        sha = self.shas[path]
        return self.read([sha])[sha]

    def __iter__(self):
        return iter(self.shas)

    def __len__(self):
        return len(self.shas)

    def __contains__(self, path) -> bool:
        return path in self.shas

    def texts(self, paths) -> dict[str, str]:
        """Several files at once (one read of the blobs the cache lacks)."""
        paths = list(paths)
        blobs = self.read([self.shas[p] for p in paths])
        return {p: blobs[self.shas[p]] for p in paths}

    def items(self):
        return self.texts(self.shas).items()


class Snapshot:
    """Everything under entries/ and regulations/ at one point (a commit or the work tree)."""

    def __init__(self, files: dict[str, str], commit: str | None = None):
        self.files = files
        self.commit = commit
        self.parse_problems: list[Problem] = []
        self.entries: dict[str, Entry] = {}
        self.entry_list: list[Entry] = []
        self.regulations: dict[str, Regulation] = {}
        self.configs: dict[str, object] = {}
        self.config_nodes: dict[str, object] = {}
        if isinstance(files, BlobFiles):
            self._load_blobs(files)
        else:
            for path in sorted(files):
                self._load(path, files[path])
        self._mark_context()

    @classmethod
    def from_tree(cls, root) -> "Snapshot":
        """Read the content files of a directory (the working tree)."""
        root = Path(root)
        files = {}
        for prefix in CONTENT_PREFIXES:
            base = root / prefix
            if not base.exists():
                continue
            for p in base.rglob("*"):
                if p.is_file() and p.suffix in (".md", ".yaml", ".yml"):
                    rel = p.relative_to(root).as_posix()
                    try:
                        files[rel] = p.read_text(encoding="utf-8")
                    except UnicodeDecodeError:
                        files[rel] = None
        return cls(files)

    def _mark_context(self):
        """Give the entries what the files around them make unreadable (``context_problems``, by path)."""
        self.context_problems = context_problems(self.entry_list, self.registry)
        if not self.context_problems:
            return
        marked = {}
        for i, e in enumerate(self.entry_list):
            if e.path in self.context_problems:
                self.entry_list[i] = marked[e.path] = e.with_problems(self.context_problems[e.path])
        for eid, e in self.entries.items():
            self.entries[eid] = marked.get(e.path, e)

    def _problem(self, path, line, field, message, fix):
        self.parse_problems.append(Problem(path, line, field, message, fix))

    def _load_blobs(self, files: BlobFiles):
        """Load a commit's files, reading only the blobs whose entries the parse cache lacks."""
        paths = sorted(files)
        # A chunk's texts are freed before the next is read, so the next reuses their memory.
        for start in range(0, len(paths), BLOB_CHUNK):
            chunk = paths[start:start + BLOB_CHUNK]
            parsed = {p: _ENTRY_CACHE.get((p, files.shas[p])) for p in chunk if p.startswith("entries/")}
            texts = files.texts(p for p in chunk if parsed.get(p) is None)
            for path in chunk:
                self._load(path, texts.get(path), parsed.get(path), files.shas[path], files.read)

    def _parse_entry(self, path: str, text: str | None, sha: str | None, read) -> "Entry | None":
        """The entry of a file (parsed once per text or blob), or None with a problem recorded."""
        if text is None or NOT_UTF8 in text:
            self._problem(path, 1, "", "文件不是 UTF-8 编码的文本", "用 UTF-8 编码重新保存该文件")
            return None
        key = (path, sha or text)
        entry = _ENTRY_CACHE.get(key)
        if entry is None:
            try:
                entry = Entry.from_blob(path, text, sha, read) if sha else Entry.from_text(path, text)
            except frontmatter.FrontMatterError as e:
                self._problem(path, e.line, "", str(e), "按“---”开头、“---”结尾的 YAML 格式修正前置信息")
                return None
            _ENTRY_CACHE.put(key, entry)
        return entry

    def _load(self, path: str, text: str | None, entry: "Entry | None" = None, sha: str | None = None, read=None):
        if path.startswith("entries/"):
            if not path.endswith(".md"):
                return
            if entry is None:
                entry = self._parse_entry(path, text, sha, read)
            if entry is not None:
                self.entry_list.append(entry)
                held = self.entries.get(entry.id)
                # Of two files under one id, the one named by it (a copy elsewhere neither hides nor replaces it).
                if held is None or ("id" in held.unreadable and "id" not in entry.unreadable):
                    self.entries[entry.id] = entry
            return
        if text is None or (NOT_UTF8 in text and path.startswith(REGULATION_DIR)):
            # A configuration keeps being read: a byte in a comment must not switch the intake rules off.
            self._problem(path, 1, "", "文件不是 UTF-8 编码的文本", "用 UTF-8 编码重新保存该文件")
            return
        if path.startswith(REGULATION_DIR) and path.endswith(".md"):
            try:
                reg = parse_regulation(path, text)
            except frontmatter.FrontMatterError as e:
                self._problem(path, e.line, "", str(e), "按“---”开头、“---”结尾的 YAML 格式修正前置信息")
                return
            self.regulations[reg.id] = reg
        elif path.startswith("regulations/") and path.count("/") == 1 and path.endswith(".yaml"):
            name = PurePosixPath(path).stem
            key = (path, sha or hashlib.sha1(text.encode("utf-8")).hexdigest())
            try:
                parsed = _CONFIG_CACHE.get(key)
                if parsed is None:
                    parsed = (yaml.compose(text, Loader=frontmatter._BASE), frontmatter.load(text))
                    _CONFIG_CACHE.put(key, parsed)
                self.config_nodes[name], self.configs[name] = parsed
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                self._problem(path, (mark.line + 1) if mark else 1, "", f"不是合法的 YAML（{frontmatter.yaml_problem(e)}）",
                              "按 YAML 语法修正（注意缩进与冒号后的空格）")

    # -- convenient views of the configuration -------------------------------------------------

    def config(self, name, default=None):
        value = self.configs.get(name)
        return default if value is None else value

    @cached_property
    def units(self) -> dict[str, dict]:
        units = self.config("units", [])
        return {str(u["id"]): u for u in units if isinstance(u, dict) and u.get("id")} if isinstance(units, list) else {}

    @cached_property
    def registry(self) -> dict[str, dict] | None:
        """The units an answer may belong to (``units``), or None when units.yaml is missing or not a list:
        answers are then not judged by it (kb validate and kb doctor report the file)."""
        return self.units if isinstance(self.configs.get("units"), list) else None

    @cached_property
    def entry_regions(self) -> frozenset[str]:
        """The regions the entries name (``regions:``), read once per snapshot."""
        return frozenset(r for e in self.entry_list for r in e.regions)

    @cached_property
    def categories(self) -> frozenset[str]:
        """The categories the entries name (``category:``), read once per snapshot."""
        return frozenset(c for e in self.entry_list for c in e.category)

    @cached_property
    def character_entries(self) -> Counter:
        """How many entries use each character in their title, questions, examples and keywords: how much
        the knowledge base says about what a character names (狗 in one entry, 证 in many)."""
        counts = Counter()
        for e in self.entry_list:
            counts.update(set("".join([e.title, *e.questions, *e.examples, *e.keywords])))
        return counts

    @cached_property
    def public_categories(self) -> frozenset[str]:
        """The categories of the answers written for the public (whatever their dates): what a public
        search may filter by, without naming those of internal entries, the dispatch catalogue, and answers
        that are never public (a field that decides it cannot be read)."""
        return frozenset(c for e in self.policies() if e.audience == "public" and not e.public_blocked
                         for c in e.category)

    def unit_name(self, unit_id: str) -> str:
        return str(self.units.get(unit_id, {}).get("name") or unit_id)

    def titles_to_choose(self, entries) -> dict[str, str]:
        """Entry id -> how a list to choose from names it: its title, and where entries of the list share a
        title, what tells them apart — their regions, else their unit (a catalogue entry's lead unit), else both."""
        entries = list(entries)
        shared = {t for t, n in Counter(e.title for e in entries).items() if n > 1}
        groups: dict[str, list[Entry]] = {}
        for e in entries:
            if e.title in shared:
                groups.setdefault(e.title, []).append(e)

        def unit(e):
            return self.unit_name(e.handler or e.unit)

        out = {e.id: e.title for e in entries}
        for title, same in groups.items():
            regions = ["、".join(e.regions) for e in same]
            units = [unit(e) for e in same]
            for e, region, name in zip(same, regions, units):
                if all(regions) and len(set(regions)) == len(same):
                    out[e.id] = f"{title}（{region}）"
                elif len(set(units)) == len(same):
                    out[e.id] = f"{title}（{name}）"
                else:
                    out[e.id] = f"{title}（{'，'.join(filter(None, [name, region]))}）"
        return out

    def unit_guess(self, written: str) -> str:
        """``是否是“id”（name）？`` of the unit a mistyped id or a name most likely means (:meth:`unit_meant`), or ""."""
        meant = self.unit_meant(written)
        return f"是否是“{meant}”（{self.unit_name(meant)}）？" if meant else ""

    def unit_meant(self, written: str) -> str:
        """The unit id a mistyped id, or a unit's name or alias written for it, most likely means (city_HRSS,
        人社局, 示例市公安局 → city-public-security), or "" when none is close. Units no longer in use are not offered."""
        import difflib

        units = {uid: u for uid, u in self.units.items() if in_use(u)}
        plain = (written or "").strip()
        lowered = plain.lower().replace("_", "-").replace(" ", "-")
        if lowered in units:
            return lowered
        for uid, u in units.items():
            if plain and plain in (str(u.get("name") or ""), *(str(a) for a in u.get("aliases") or ())):
                return uid
        near = difflib.get_close_matches(lowered, list(units), n=1, cutoff=0.85)
        if near:
            return near[0]
        names = {str(u.get("name")): uid for uid, u in units.items() if u.get("name")}
        near = difflib.get_close_matches(plain, list(names), n=1, cutoff=0.6)
        return names[near[0]] if near else ""

    @cached_property
    def tiers(self) -> dict[str, dict]:
        tl = self.config("time_limits", {})
        tiers = tl.get("tiers", []) if isinstance(tl, dict) else []
        return {str(t["id"]): t for t in tiers if isinstance(t, dict) and "id" in t}

    @cached_property
    def synonym_groups(self) -> list[list[str]]:
        syn = self.config("synonyms", {})
        groups = syn.get("groups", []) if isinstance(syn, dict) else []
        return [[str(t) for t in g] for g in groups if isinstance(g, list)]

    def article(self, regulation: str, number: int) -> Article | None:
        reg = self.regulations.get(regulation)
        return reg.articles.get(number) if reg else None

    def find_article(self, article_id: str) -> Article | None:
        """The article of an id ``<regulation>/<n>``, or None."""
        parsed = parse_article_id(article_id)
        return self.article(*parsed) if parsed else None

    def title_of(self, doc_id: str) -> str | None:
        """What a person calls an entry or an article by its id (北京市接诉即办工作条例 第九条), or None
        when there is no such entry or article (any more)."""
        entry = self.entries.get(doc_id)
        if entry is not None:
            return entry.title
        article = self.find_article(doc_id)
        return f"{self.regulations[article.regulation].title} {article.label}" if article is not None else None

    def articles(self):
        for reg in self.regulations.values():
            yield from reg.articles.values()

    def policies(self):
        return [e for e in self.entry_list if e.kind == "policy"]

    def directory(self):
        return [e for e in self.entry_list if e.kind == "directory"]

    def entry_by_path(self, path: str) -> Entry | None:
        for e in self.entry_list:
            if e.path == path:
                return e
        return None

    def with_entry(self, path: str, text: str) -> "Snapshot":
        """This snapshot's regulations and configuration with one entry file and no other entries.

        The parsed regulations and configuration are shared, so checking an edited file against
        the rules of a commit costs the parse of that one file.
        """
        snap = copy.copy(self)
        keep = [p for p in self.files if not p.startswith("entries/")]
        snap.files = self.files.texts(keep) if isinstance(self.files, BlobFiles) else {p: self.files[p] for p in keep}
        snap.files[path] = text
        snap.parse_problems = [p for p in self.parse_problems if not p.path.startswith("entries/")]
        snap.entries, snap.entry_list = {}, []
        snap._load(path, text)
        snap._mark_context()
        return snap
