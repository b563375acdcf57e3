"""Re-verification when the rules change: flags on entries whose legal basis changed.

A published change under ``regulations/`` marks every entry citing a changed or removed article
(and every directory entry using a changed time-limit tier) "依据已变更，待核", and gives its unit
a maintenance task. The mark clears when a CR touching that entry is published — an edit, or a
confirmation that only records the date it was checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from .. import db as dbmod
from ..content import yamledit
from ..exceptions import KbError
from ..labels import FLAG_LABEL
from ..usage.tasks import BASIS_CHANGED
from .impact import Impact, Reason, analyse, merged, reasons_from_text, render
from .intake_replay import call_impact

FLAG = "basis_changed"
TASK_KIND = BASIS_CHANGED
WATCHED = ("regulations/texts/", "regulations/time_limits.yaml", "regulations/intake_rules.yaml")
#: The example calls of the emergency reading: no basis of an entry, but what calls are read as (impact_of).
INTAKE_EXAMPLES = "regulations/intake_examples.yaml"
#: What a replay of the history needs to see: rule changes flag, entry changes clear.
WATCHED_PREFIXES = ("entries/", "regulations/")


def touches_rules(paths) -> bool:
    return any(p.startswith(WATCHED) for p in paths)


def impact_of(kb, base: str, head: str) -> Impact | None:
    """The impact report of a change, or None when it does not touch regulation texts, limits or the intake rules
    and their example calls. With the calls whose intake reading it changes (see intake_replay), when it may."""
    paths = kb.store.changed_paths(base, head)
    if not (touches_rules(paths) or INTAKE_EXAMPLES in paths):
        return None
    impact = analyse(kb.snapshot(base), kb.snapshot(head))
    impact.calls = call_impact(kb, base, head)
    return impact


def pending_rewrites(kb, base: str, head: str) -> dict[str, str]:
    """Citation rewrites a CR still lacks.

    Entries and regulations/*.yaml unchanged in the CR that cite renumbered (or deleted) articles, and
    the ``questions:`` keys of a regulation text whose articles moved while that block was left as it was
    (that rewrite is computed from the CR's own text, so it is pending while it differs from it).
    """
    if not any(p.startswith("regulations/texts/") for p in kb.store.changed_paths(base, head)):
        return {}
    base_snap, head_snap = kb.snapshot(base), kb.snapshot(head)
    impact = analyse(base_snap, head_snap)
    pending = {}
    for path, text in impact.rewrites.items():
        now = head_snap.files.get(path)
        if path.startswith("regulations/texts/"):
            if now is not None and text != now:
                pending[path] = text
        elif now == base_snap.files.get(path) and text != now:
            pending[path] = text
    return pending


def mechanical_rewrites(kb, base: str, head: str, base_files: dict, head_files: dict) -> set[str]:
    """Touched entries whose only change is the citation rewrite a regulation change called for."""
    if not any(p.startswith("regulations/texts/") for p in head_files.keys() | base_files.keys()):
        return set()
    return rewritten_only(kb.snapshot(base), kb.snapshot(head))


def rewritten_only(base, head) -> set[str]:
    """The files of snapshot ``head`` whose only change from ``base`` is the rewrite of their citations that
    the regulation change between them calls for (see impact.analyse)."""
    rewrites = analyse(base, head).rewrites
    return {p for p, text in rewrites.items() if head.files.get(p) == text}


@dataclasses.dataclass
class Flag:
    entry: str
    flag: str
    since: str
    commit: str
    detail: str
    reasons: str | None = None  # JSON list of Reason; None on marks made before reasons were kept so

    @property
    def label(self) -> str:
        return FLAG_LABEL

    @property
    def causes(self) -> list[Reason]:
        """Its reasons by reference (those of an older mark read back from its text)."""
        return causes_of(self.reasons, self.detail)


def causes_of(reasons: str | None, detail: str) -> list[Reason]:
    try:
        return [Reason.from_dict(d) for d in json.loads(reasons)]
    except (TypeError, ValueError, AttributeError):
        return reasons_from_text(detail)


def stored(causes) -> str:
    return json.dumps([r.as_dict() for r in causes], ensure_ascii=False)


def flags(kb) -> dict[str, Flag]:
    """Open flags by entry id."""
    with dbmod.transaction(kb.settings.db_path, write=False) as db:
        return {r["entry"]: Flag(**r) for r in db.query("select * from entry_flags where flag = ?", [FLAG])}


def flag_entries(kb, impact: Impact, commit: str, cr_id=None) -> list[str]:
    """Mark the impacted entries and open (or extend) a maintenance task for each owning unit.

    The marks already open follow the change too: an article they name that it renumbers is named by its
    new number, in the mark and in the open task, so that neither comes to point at another article.
    """
    now = kb.now().isoformat(timespec="seconds")
    source = f"cr:{cr_id}" if cr_id else f"commit:{commit[:12]}"
    earlier = {e: dataclasses.asdict(f) for e, f in flags(kb).items()}
    after = advanced(earlier, impact, {"commit": commit, "since": now, "source": source})
    impacted = {item.entry_id for item in impact.impacted}
    restated = {e: f for e, f in after.items() if e in impacted or f["detail"] != earlier.get(e, {}).get("detail")}
    with dbmod.transaction(kb.settings.db_path) as db:
        for e, f in restated.items():
            db["entry_flags"].upsert({"entry": e, "flag": FLAG, "since": f["since"], "commit": f["commit"],
                                      "detail": f["detail"], "reasons": f["reasons"]}, pk=("entry", "flag"))
    for item in impact.impacted:
        open_task(kb, item.unit, item.entry_id, item.title, after[item.entry_id]["detail"], source)
    for e in restated.keys() - impacted:
        restate_tasks(kb, e, after[e]["detail"])
    return [item.entry_id for item in impact.impacted]


def advanced(flagged: dict[str, dict], impact: Impact, origin: dict) -> dict[str, dict]:
    """The open marks ``flagged`` (by entry, as stored) after a rule change with ``impact``.

    Every mark's article numbers follow the renumbering; the entries the change impacts get its reasons
    (added to those they had) and ``origin`` (the commit, time and source of the change). The detail is
    rendered again, naming regulations by their titles after the change.
    """
    out = {}
    for e, f in flagged.items():
        causes = [r.moved(impact.moves) for r in causes_of(f.get("reasons"), f["detail"])]
        out[e] = dict(f, reasons=stored(causes), detail=render(causes, impact.names))
    for item in impact.impacted:
        before = out.get(item.entry_id, {})
        causes = merged(causes_of(before.get("reasons"), before.get("detail", "")), item.causes)
        out[item.entry_id] = dict(before, entry=item.entry_id, unit=item.unit, title=item.title, **origin,
                                  reasons=stored(causes), detail=render(causes, impact.names))
    return out


def written_after(kb, flagged: str, parents) -> bool:
    """Whether a change published with ``parents`` (main, the request's head) was written on a main that
    had the rule change ``flagged``: only such a change is the unit's check of the new rule. A request
    drafted before the rule changed and published after clears nothing. A commit with one parent (made
    on main directly) counts as written on main."""
    if len(parents) < 2 or not flagged:
        return True
    return kb.store.merge_base(flagged, parents[1]) == flagged


def written_before(kb, cr) -> dict[str, Flag]:
    """The flagged entries an open request changes whose rule changed after it was written (its head lacks
    the flagging commit): publishing it will not clear their marks (see written_after)."""
    if not cr.head:
        return {}
    flagged = flags(kb)
    touched = entry_ids_in(kb.store.changed_paths(cr.base, cr.head)) if cr.base else set()
    return {e: flagged[e] for e in sorted(touched & flagged.keys())
            if not written_after(kb, flagged[e].commit, [cr.base, cr.head])}


def open_task(kb, unit: str, entry_id: str, title: str, detail: str, source: str):
    """The owning unit's maintenance task for a flagged entry: one open task per entry.

    A later rule change adds its reasons to the open task rather than opening a second one, and its due
    date stays: the unit checks the answer against the rules as they are now once, for every reason, and a
    new reason does not postpone (or make on time again) a check that was already due.
    """
    if not restate_tasks(kb, entry_id, detail):
        kb.feedback.open_task(unit, TASK_KIND, entry_id, f"复核“{title}”：{FLAG_LABEL}", task_detail(detail), source)


def task_detail(detail: str) -> str:
    return f"{detail}。请核对答复内容：需要修改的，提交修改；无需修改的，提交“确认无需修改”。"


def restate_tasks(kb, entry_id: str, detail: str) -> list[int]:
    """Give the open re-check tasks of an entry its mark's reasons as they read now; returns their ids."""
    tasks = kb.feedback.open_tasks_of([entry_id], kinds=(TASK_KIND,))
    for task in tasks:
        kb.feedback.restate(task.id, task_detail(detail))
    return [t.id for t in tasks]


def clear_flags(kb, entry_ids, commit: str = "", actor: str = "") -> list[str]:
    """Clear the flags of entries and close their “依据已变更，待核” tasks."""
    entry_ids = list(entry_ids)
    if not entry_ids:
        return []
    where = f"flag = ? and entry in ({','.join('?' * len(entry_ids))})"
    with dbmod.transaction(kb.settings.db_path) as db:
        rows = db.query(f"select entry from entry_flags where {where}", [FLAG, *entry_ids])
        cleared = [r["entry"] for r in rows]
        db.execute(f"delete from entry_flags where {where}", [FLAG, *entry_ids])
    kb.feedback.close_tasks_for_entries(cleared, commit, actor, kinds=(TASK_KIND,))
    return cleared


def entry_ids_in(paths) -> set[str]:
    ids = set()
    for path in paths:
        if path.startswith("entries/") and path.endswith(".md"):
            ids.add(path.rsplit("/", 1)[-1][:-3])
    return ids


def flags_from_history(kb, head: str | None = None, since: str | None = None,
                       implied: dict[str, dict] | None = None) -> dict[str, dict]:
    """The flags main's first-parent history implies: what :func:`after_publish` leaves behind.

    Every commit on main (from its first parent) that touches the rules flags the entries its impact
    analysis names; any other commit clears the flags of the entries it touches. Returns, by entry
    id, ``{entry, commit, since, detail, unit, title, source}`` of the commit that set the flag.
    With ``since``, only the commits after it are replayed, over the flags ``implied`` at ``since``.
    Each carries its ``reasons`` (JSON) too, moved with every later renumbering as on publication.
    """
    implied = dict(implied or {})
    for commit, parents, date, cr, paths in kb.store.first_parent_changes(head, WATCHED_PREFIXES, since):
        if not parents:
            continue  # the first commit: nothing was published before it
        if touches_rules(paths):
            source = f"cr:{cr}" if cr else f"commit:{commit[:12]}"
            implied = advanced(implied, analyse(kb.snapshot(parents[0]), kb.snapshot(commit)),
                               {"commit": commit, "since": date, "source": source})
        else:
            for entry_id in entry_ids_in(paths):
                if entry_id in implied and written_after(kb, implied[entry_id]["commit"], parents):
                    implied.pop(entry_id)
    return implied


def reset_flags(kb, expected: dict[str, dict]) -> tuple[list[str], list[str]]:
    """Make the flags exactly ``expected`` (from :func:`flags_from_history`); returns (added, removed).

    A flag that was missing also gets its unit's maintenance task, as on publication.
    """
    current = {e: f.commit for e, f in flags(kb).items()}
    added = sorted(e for e, f in expected.items() if current.get(e) != f["commit"])
    removed = sorted(set(current) - set(expected))
    _write_flags(kb, expected)
    for entry_id in added:
        f = expected[entry_id]
        open_task(kb, f["unit"], entry_id, f["title"], f["detail"], f["source"])
    return added, removed


def _write_flags(kb, expected: dict[str, dict]):
    with dbmod.transaction(kb.settings.db_path) as db:
        db.execute("delete from entry_flags where flag = ?", [FLAG])
        for f in expected.values():
            db["entry_flags"].insert({"entry": f["entry"], "flag": FLAG, "since": f["since"],
                                      "commit": f["commit"], "detail": f["detail"], "reasons": f.get("reasons")})


def follow_flags(kb, since: str | None, head: str):
    """A read replica's flags: what the primary's history implies at ``head``, without tasks.

    The primary flags entries when it publishes a rule change; a replica has only the repository,
    so it replays the history it fetched: from ``since`` (a commit its flags already reflect) when
    that is an ancestor of ``head``, else the whole first-parent history. Maintenance tasks stay the
    primary's business; the replica only needs the marks its pages show.
    """
    if since == head:
        return
    _write_flags(kb, flags_at(kb, head, since, lambda: {e: dataclasses.asdict(f) for e, f in flags(kb).items()}))


def flags_at(kb, head: str, since: str | None = None, known=None) -> dict[str, dict]:
    """The flags main's history implies at ``head`` (:func:`flags_from_history`): replayed from ``since`` over
    ``known()`` (the flags at ``since``) when ``since`` is an ancestor of ``head``, else from the first commit."""
    if since and known is not None and kb.store.merge_base(since, head) == since:
        return flags_from_history(kb, head, since=since, implied=known())
    return flags_from_history(kb, head)


def after_publish(kb, cr, commit: str):
    """on_publish hook: a unit's change clears its entries' flags; a rule change flags what it affects.

    A change to the rules that only rewrote citation numbers in an entry does not count as the
    unit having re-checked it, so it clears nothing.
    """
    parent = kb.store.rev(f"{commit}^1")
    touched = kb.store.changed_paths(parent, commit)
    if touches_rules(touched):
        flag_entries(kb, analyse(kb.snapshot(parent), kb.snapshot(commit)), commit, cr.id)
    else:
        parents = [parent, *filter(None, [kb.store.rev(f"{commit}^2")])]
        flagged = flags(kb)
        clear_flags(kb, [e for e in entry_ids_in(touched)
                         if e not in flagged or written_after(kb, flagged[e].commit, parents)], commit, f"cr:{cr.id}")


def confirm(kb, user, entry_ids, note: str = ""):
    """A CR confirming entries unchanged: sets ``checked`` to today on each (reviewed like any change)."""
    snap = kb.snapshot()
    changes = {}
    for eid in entry_ids:
        entry = snap.entries.get(eid)
        if entry is None:
            raise KbError(f"条目“{eid}”不存在：请检查编号。")
        text = snap.files[entry.path]
        changes[entry.path] = set_checked(text, kb.today())
    names = "、".join(snap.entries[e].title for e in entry_ids)
    title = f"确认依据变更后内容无需修改：{names}"
    return kb.review.create(user, title, changes, kind="confirmation", submit=True,
                            data={"entries": list(entry_ids), "note": note}, description=note)


def set_checked(text: str, day: dt.date) -> str:
    """Set the ``checked`` date in an entry's front matter, keeping the rest of the file as it is."""
    return yamledit.update(text, {"checked": day})
