"""Answers that point to other answers: 请查看“2027年居民阶梯水价调整”答复.

Authors name another answer by (roughly) its title, in quotation marks, followed by 答复 or 口径.
:func:`resolve` finds the answer meant; the public page links it while the reader may open it
(``kb_app.render.linkify``), and :func:`notices` tells the unit and the reviewers when a public answer
points to one the public cannot open — missing, internal, not yet in force or no longer in force
while the answer pointing to it is shown. Notices do not block publication: a reference is prose, and
the reviewer decides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import weakref

from ..cache import LruCache
from .frontmatter import FrontMatterError
from .model import BlobFiles, Entry, Snapshot

#: A name in quotation marks followed by what it names (答复, 答复口径, 解答, 条目).
REFERENCE = re.compile(r"[“\"「『]([^“”\"「」『』\n]{2,40})[”\"」』](?=\s*(?:这条|这一|该)?(?:答复|口径|解答|条目))")
#: Share of the name's character pairs a title must hold for a loose reference (2027年居民阶梯水价调整
#: → 2027年1月1日起居民阶梯水价调整); every number in the name must be in the title too.
COVERAGE = 0.8
_NUMBER = re.compile(r"\d+")
_RESOLVED: "weakref.WeakKeyDictionary[Snapshot, dict[str, str | None]]" = weakref.WeakKeyDictionary()
#: The names each answer file holds, with their file lines, by (path, blob or text): files are immutable
#: per blob, so a change request's review reads only the answers it does not share with main.
_NAMED = LruCache(200_000)


@dataclasses.dataclass(frozen=True)
class Notice:
    """One reference the public cannot follow: the file and line, what is wrong, how to fix it."""

    path: str
    line: int
    message: str
    fix: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}。建议：{self.fix}。"


def names(body: str) -> list[tuple[str, int]]:
    """The answers a body names, with the line (counted in the body, from 1) of each."""
    return [(m.group(1).strip(), body.count("\n", 0, m.start()) + 1) for m in REFERENCE.finditer(body)]


def _pairs(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def resolve(snap: Snapshot, name: str) -> Entry | None:
    """The policy answer a name refers to: its title exactly, else the one title holding the name,
    else the one title holding nearly all of it with every number in it; None when none or several."""
    cache = _RESOLVED.setdefault(snap, {})
    if name not in cache:
        cache[name] = _resolve(snap, name)
    found = cache[name]
    return snap.entries.get(found) if found else None


def _resolve(snap: Snapshot, name: str) -> str | None:
    answers = snap.policies()
    exact = [e.id for e in answers if e.title == name]
    if exact:
        return exact[0] if len(exact) == 1 else None
    holding = [e.id for e in answers if name in e.title]
    if holding:
        return holding[0] if len(holding) == 1 else None
    wanted, numbers = _pairs(name), _NUMBER.findall(name)
    if not wanted:
        return None
    scored = []
    for e in answers:
        if all(n in _NUMBER.findall(e.title) for n in numbers):
            share = len(wanted & _pairs(e.title)) / len(wanted)
            if share >= COVERAGE:
                scored.append((share, e.id))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def links(snap: Snapshot, entry: Entry, can_open) -> dict[str, str]:
    """Name → id of each answer the entry names that ``can_open(id)`` allows (for the reader's page)."""
    out = {}
    for name, _ in names(entry.body):
        target = resolve(snap, name)
        if target is not None and target.id != entry.id and can_open(target.id):
            out[name] = target.id
    return out


def notices(snap: Snapshot, day: dt.date, paths=None) -> list[Notice]:
    """References of public answers, shown to the public from ``day`` on, that the public cannot follow.

    ``paths`` limits the check to the answers at those paths and to the answers naming them (a change
    request: what it edits, and what points to what it edits).
    """
    sources = [e for e in snap.policies() if _shown(e, day)]
    out = []
    for source, named in zip(sources, _named_in(snap, sources)):
        for name, line in named:
            target = resolve(snap, name)
            if paths is not None and source.path not in paths and (target is None or target.path not in paths):
                continue
            for message, fix in _problems(source, name, target, day):
                out.append(Notice(source.path, line, message, fix))
    return sorted(set(out), key=lambda n: (n.path, n.line, n.message))


def draft_notices(snap: Snapshot, path: str, text: str, day: dt.date) -> list[Notice]:
    """:func:`notices` of one edited file (not yet committed) against the answers of ``snap``."""
    try:
        source = Entry.from_text(path, text)
    except FrontMatterError:  # a file that cannot be read has its problems from validation
        return []
    if source.kind != "policy" or not _shown(source, day):
        return []
    first = _lines_before(text, source.body)
    out = [Notice(path, first + line, message, fix) for name, line in names(source.body)
           for message, fix in _problems(source, name, resolve(snap, name), day)]
    return sorted(set(out), key=lambda n: (n.line, n.message))


def _shown(entry: Entry, day: dt.date) -> bool:
    """Whether an answer is public on ``day`` or later (its references are then checked)."""
    return entry.audience == "public" and not entry.public_blocked and entry.status(day) != "expired"


def _named_in(snap: Snapshot, entries: list[Entry]) -> list[list[tuple[str, int]]]:
    """:func:`names` of each entry, with file lines; the files not seen before are read at once."""
    files = snap.files
    keys = [(e.path, files.shas.get(e.path) if isinstance(files, BlobFiles) else files.get(e.path)) for e in entries]
    missing = [e.path for e, key in zip(entries, keys) if _NAMED.get(key) is None]
    texts = files.texts(missing) if isinstance(files, BlobFiles) else {p: files.get(p) for p in missing}
    out = []
    for e, key in zip(entries, keys):
        named = _NAMED.get(key)
        if named is None:
            first = _lines_before(texts.get(e.path) or "", e.body)
            named = [(name, first + line) for name, line in names(e.body)]
            _NAMED.put(key, named)
        out.append(named)
    return out


def _problems(source: Entry, name: str, target: Entry | None, day: dt.date):
    if target is None:
        yield (f"正文提到的“{name}”答复找不到（没有标题与之相符的答复，或有几条同样相符）",
               "把引号里的名称改成那条答复的标题，或删去这句提示")
        return
    if target.id == source.id:
        return
    # Named by its title, as the editor and the public site show it (an id means nothing to a unit's editor).
    said = f"正文提到的“{name}”答复" + (f"（即“{target.title}”）" if target.title != name else "")
    if target.audience != "public" or target.public_blocked:
        yield f"{said}只对坐席开放，公众打不开", "删去这句提示，或改为说明办理渠道"
        return
    one_day = dt.timedelta(days=1)
    start = max(day, source.effective or day)
    last = source.expires  # the source is shown on days start <= d <= last
    until = min(target.effective, last + one_day) if target.effective and last else target.effective
    if until and until > start:
        yield (f"{said}{target.effective.isoformat()} 才生效，在此之前（本答复公开的"
               f"{start.isoformat()} 至 {(until - one_day).isoformat()}）公众打不开",
               "待那条答复生效后再加这句提示，或写明“自某日起可查询”")
    if target.expires and (last is None or target.expires < last):
        gone = max(target.expires + one_day, start)
        shown = f"{gone.isoformat()} 至 {last.isoformat()}" if last else f"{gone.isoformat()} 起"
        yield (f"{said}有效期至 {target.expires.isoformat()}，此后本答复仍公开（{shown}）但公众打不开它",
               "给本答复设置相同的有效期，或在那条答复到期时修改这句提示")


def _lines_before(text: str, body: str) -> int:
    """How many lines of a file come before its body (the front matter)."""
    at = text.rfind(body) if body else -1
    return text.count("\n", 0, at) if at >= 0 else 0
