"""Which published version of an entry is in force on a day, when a newer one is scheduled.

A unit that publishes a change with a later ``effective`` date (a fee of 20元 from 2026-12-10) does
not withdraw the answer in force until then: the version published before it stays in force up to
the day before, or to its own ``expires`` if that comes first. One rule serves the search index, the
public pages and ``kb asof``: going from the newest published version to older ones, a version
whose ``effective`` day has not come yet on the day asked is passed over; the first that has taken
effect (or has no ``effective``) decides, and is the version in force if its ``expires`` has not
passed. Older versions never come back. A version whose dates cannot be read, or that cannot be
read at all, ends the search: nothing is in force by it (fail closed).
"""

from __future__ import annotations

import datetime as dt

from ..cache import LruCache
from . import frontmatter
from .model import Entry

#: Published versions looked at behind the newest one: enough for a few changes scheduled one after
#: another, while publishing stays about a second (they are read from git for every changed entry).
MAX_EARLIER = 6


def parse(path: str, text: str | None) -> Entry | None:
    """The entry of a version's text, or None when it cannot be read."""
    if text is None:
        return None
    try:
        return Entry.from_text(path, text)
    except frontmatter.FrontMatterError:
        return None


def pending_on(entry: Entry, day: dt.date) -> bool:
    """Whether a readable version has not taken effect yet on ``day`` (an older one may be in force)."""
    return not entry.unreadable and entry.effective is not None and day < entry.effective


def in_force(versions, day: dt.date):
    """The version in force on ``day`` among published versions, newest first (each anything with an
    ``entry``, or an Entry; None for one that cannot be read), or None."""
    for version in versions:
        entry = getattr(version, "entry", version)
        if entry is None or entry.unreadable:
            return None
        if pending_on(entry, day):
            continue
        return version if entry.status(day) == "in_force" else None
    return None


def last_day(entry: Entry, replaced: dt.date) -> dt.date:
    """The last day a version is in force when a newer one takes effect on ``replaced``: the day before,
    or its own ``expires`` if earlier."""
    last = replaced - dt.timedelta(days=1)
    return entry.expires if entry.expires is not None and entry.expires < last else last


def earlier_in_force(newest: Entry | None, older) -> list[Entry]:
    """The older versions (entries, newest first) still in force before the newest takes effect, each
    with ``expires`` set to the last day it is in force: the day before the next version to take
    effect, or its own ``expires`` if earlier. Versions that are in force on no day are left out."""
    if newest is None or newest.unreadable or newest.effective is None:
        return []
    out, bound = [], newest.effective
    for entry in older:
        if entry is None or entry.unreadable:
            break
        last = last_day(entry, bound)
        if entry.effective is None or entry.effective <= last:
            out.append(until(entry, last, bound))
        if entry.effective is None:
            break
        bound = min(bound, entry.effective)
    return out


def until(entry: Entry, last: dt.date, replaced: dt.date) -> Entry:
    """A copy of a version in force up to ``last``, knowing the day it is ``replaced`` by a newer one."""
    copy = Entry(entry.path, {**entry.meta, "expires": last}, entry.body, entry.lines)
    copy.replaced_on = replaced
    return copy


#: Versions in force found from git history, by (commit, path, day): a page of an answer whose new
#: version is scheduled reads the history once a day, not on every request.
_CURRENT = LruCache(4096)


def current(store, commit: str | None, entry: Entry, day: dt.date) -> Entry | None:
    """The version of an entry in force on ``day`` as published at ``commit``: the entry itself unless it is
    scheduled for a later day, then an earlier version still in force (with ``replaced_on``), or None."""
    if not pending_on(entry, day) or store is None or commit is None:
        return entry

    def find():
        older = store.earlier_texts([entry.path], commit, MAX_EARLIER).get(entry.path, [])
        return in_force([entry, *earlier_in_force(entry, (parse(entry.path, t) for t in older))], day)
    return _CURRENT.get_or_build((commit, entry.path, day), find)
