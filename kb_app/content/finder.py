"""Finding entries by title as people type, and the people behind each published version.

Staff look entries up by a word of the title, often the colloquial one: typing ``社保`` should find
``社会保障卡丢了怎么补办``. The typed words are normalised like search queries (full-width to
half-width, lower case, punctuation ignored) and widened with ``synonyms.yaml``: a word that is part
of a synonym (``社保`` of ``社保卡``) stands for its whole group (``社会保障卡``), and a synonym inside a
longer word (``社保卡补办``) is also tried as each of its alternatives. An entry matches when every
typed word, or one of its alternatives, is in its title or id.

The people of a version come from the commit: the author's name and the ``Reviewed-by`` trailers
(``姓名 <审核方>``), so pages show names, never commit hashes or usernames.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import PurePosixPath

from ..search.analysis import normalize

_IGNORED = re.compile(r"[\s\W_]+", re.UNICODE)
#: The author of commits made by the application itself (the first import of a knowledge base).
SYSTEM_AUTHOR = "kb_app"


def folded(text: str) -> str:
    """Text as compared when finding: normalised, without spaces and punctuation."""
    return _IGNORED.sub("", normalize(text or ""))


def alternatives(word: str, groups) -> list[str]:
    """A typed word and the spellings it stands for through the synonym groups."""
    word = folded(word)
    out = [word]
    for group in groups:
        terms = [folded(t) for t in group if t and folded(t)]
        for term in terms:
            if word in term:
                out.extend(terms)
                break
            if term in word:
                out.extend(word.replace(term, other) for other in terms)
                break
    return list(dict.fromkeys(t for t in out if t))


class TitleFinder:
    """``finder(title, id)`` says whether an entry matches what was typed (everything for nothing)."""

    def __init__(self, typed: str, groups=()):
        self.words = [alternatives(w, groups) for w in str(typed or "").split() if folded(w)]

    def __bool__(self) -> bool:
        return bool(self.words)

    def __call__(self, title: str, entry_id: str = "") -> bool:
        haystack = folded(title) + "\n" + folded(entry_id)
        return all(any(alt in haystack for alt in alts) for alts in self.words)

    def rank(self, title: str) -> int:
        """0 when the words as typed are in the title, 1 when only a synonym is (for ordering)."""
        haystack = folded(title)
        return 0 if all(alts[0] in haystack for alts in self.words) else 1


def find(entries, typed: str, groups=()) -> list:
    """The entries whose title (or id) matches ``typed``, those matching as typed first."""
    finder = TitleFinder(typed, groups)
    if not finder:
        return list(entries)
    hits = [e for e in entries if finder(e.title, e.id)]
    return sorted(hits, key=lambda e: finder.rank(e.title))


@dataclasses.dataclass(frozen=True)
class DeletedEntry:
    """An entry no longer on main: its id, last path and title, and when it was deleted."""

    id: str
    path: str
    title: str
    deleted: dt.datetime


def deleted_entries(store, ref: str | None = None) -> list[DeletedEntry]:
    """Entries deleted on main's published history (newest deletion first), titled as they were last."""
    found: dict[str, DeletedEntry] = {}
    for sha, date, paths in store.deletions("entries/", ref):
        for path in paths:
            entry_id = PurePosixPath(path).stem
            if not path.endswith(".md") or entry_id in found:
                continue
            found[entry_id] = DeletedEntry(entry_id, path, title_at(store, path, f"{sha}^"),
                                           dt.datetime.fromisoformat(date))
    return list(found.values())


def title_at(store, path: str, commit: str) -> str:
    """An entry's title in its file at a commit; its id when the file is not there or cannot be read."""
    from . import frontmatter

    entry_id = PurePosixPath(path).stem
    try:
        meta = frontmatter.parse(store.read(path, commit) or "")[0]
    except Exception:  # noqa: BLE001 - an unreadable old version still has its id
        return entry_id
    return str(meta.get("title") or entry_id)


@dataclasses.dataclass(frozen=True)
class RecentVersion:
    """A version of an entry lately published on main, with the entry's id and its title in that version
    (the last title it had, for a deletion)."""

    version: object
    id: str
    title: str


def recent_versions(store, limit: int = 20, ref: str | None = None) -> list[RecentVersion]:
    """The entries' versions published last on main, newest first (see ``Store.recent``)."""
    out = []
    for v in store.recent(("entries/",), limit, ref):
        if len(out) == limit:  # an import commit touches every entry: no title is read beyond the limit
            break
        if v.path.endswith(".md"):
            commit = f"{v.commit}^" if v.deleted else v.commit
            out.append(RecentVersion(v, PurePosixPath(v.path).stem, title_at(store, v.path, commit)))
    return out


_PERSON = re.compile(r"^\s*(?P<name>[^<]*?)\s*(?:<(?P<role>[^>]*)>)?\s*$")


def author_name(version) -> str:
    """Who wrote a version, by name (the application's own commits as 系统)."""
    name = (version.author or "").strip()
    return "系统（初始化或导入）" if name in ("", SYSTEM_AUTHOR) else name


def reviewers(version) -> list[str]:
    """The reviewers of a published version, ``姓名（审核方）``, from its ``Reviewed-by`` trailers."""
    out = []
    for value in version.trailers.get("Reviewed-by", []):
        m = _PERSON.match(value)
        name, role = (m.group("name"), m.group("role")) if m else (value, None)
        out.append(f"{name}（{role}）" if role else name)
    return out


def change_request(version) -> str:
    """``#n`` of the change request that published a version, or an empty string."""
    numbers = version.trailers.get("Change-Request", [])
    return "、".join(f"#{n}" for n in numbers)
