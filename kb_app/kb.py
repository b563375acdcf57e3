"""The facade: ``open_kb(settings)`` is what the CLI, the app and the tests use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import threading
import zoneinfo
from functools import cached_property
from pathlib import Path, PurePosixPath

from . import db as dbmod
from .cache import LruCache
from .content import githooks
from .config import Settings, load_settings, use_timezone
from .exceptions import EntryNotFound, KbError
from .labels import NO_TOPIC
from .content.model import CONTENT_PREFIXES, Entry, Snapshot
from .content.store import Store, create_repository
from .content.validate import validate

SAMPLE_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS_KEPT = 4
EMPTY_FILES = {
    "regulations/units.yaml": "- id: hotline-center\n  name: 12345市民服务热线中心\n  level: city\n  parent: null\n  district: 全市\n",
    "regulations/time_limits.yaml": "tiers:\n  - {id: 2h, name: 2小时, amount: 2, unit: hours}\n  - {id: 24h, name: 24小时, amount: 24, unit: hours}\n"
                                    "  - {id: 3wd, name: 3个工作日, amount: 3, unit: workdays}\n  - {id: 5wd, name: 5个工作日, amount: 5, unit: workdays}\n"
                                    "extension: {max_workdays: 5}\ndefault_tier: 5wd\n",
    "regulations/intake_rules.yaml": "rules: []\n",
    "regulations/review_policy.yaml": "rules:\n  - {paths: [\"entries/policy/**\"], require: [owner, center]}\n"
                                      "  - {paths: [\"entries/directory/**\"], require: [center, handlers]}\n"
                                      "  - {paths: [\"regulations/**\"], require: [center, legal]}\n",
    "regulations/synonyms.yaml": "groups: []\n",
    "regulations/calendar.yaml": "years: {}\n",
}


#: Where staff find the unit ids a search filter takes.
UNITS_HINT = "请用 regulations/units.yaml 中的单位编号。"
CATEGORIES_HINT = "请用条目 category 中写的主题（检查错字），或先不加主题检索、再按结果中的主题筛选。"


def open_kb(settings: Settings | None = None, **overrides) -> "Kb":
    """Open the knowledge base described by settings (or loaded from the usual layers)."""
    return Kb(settings or load_settings(**overrides))


class Kb:
    """One knowledge base: its git store, workflow database and search index."""

    def __init__(self, settings: Settings):
        self.settings = settings
        use_timezone(settings.timezone)
        #: Parsed snapshots by commit: main and the few commits a review or a replica looks at.
        self._snapshots = LruCache(SNAPSHOTS_KEPT)
        self._parsing = threading.Lock()

    # -- parts ---------------------------------------------------------------------------------

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.root, self.settings.main_branch, self.settings.git_author)

    def require_repository(self):
        """Raise StoreError unless the root is a content repository: before a command that needs only
        the database (accounts, keys) makes a new one beside the wrong folder."""
        self.store

    def db(self):
        """A fresh connection to the workflow database (one per operation or thread)."""
        return dbmod.connect(self.settings.db_path)

    def prepare_database(self):
        """Open the workflow database, creating it or bringing it up to this version, and close it: one that
        cannot be used (no permission to write it, damaged) stops a command here, with what to do."""
        self.db().conn.close()

    def db_transaction(self, write: bool = True):
        """``with kb.db_transaction() as db:``: one connection, one transaction (kb_app.db.transaction)."""
        return dbmod.transaction(self.settings.db_path, write=write)

    def today(self) -> dt.date:
        """The hotline's day (``timezone``), or the fixed ``today`` of the settings."""
        if self.settings.today:
            return dt.date.fromisoformat(self.settings.today)
        return self.now().date()

    def now(self) -> dt.datetime:
        """The hotline's local time, naive (``timezone``; on the fixed ``today`` when one is set)."""
        real = self.local(dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
        return real.replace(*dt.date.fromisoformat(self.settings.today).timetuple()[:3]) if self.settings.today \
            else real

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A moment with a time zone as the hotline's local time, naive (one without is taken as such)."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self._zone).replace(tzinfo=None)

    @cached_property
    def _zone(self):
        return zoneinfo.ZoneInfo(self.settings.timezone) if self.settings.timezone else None

    def _published_locally(self, version):
        """A version with its commit time in the hotline's zone: a commit carries the offset of the machine
        that wrote it (git on a server set to UTC writes +0000), and versions listed together must read
        in one zone, newest first."""
        return dataclasses.replace(version, date=version.date.astimezone(self._zone))

    # -- search ------------------------------------------------------------------------------

    @cached_property
    def index(self):
        """The search index of this knowledge base (see kb_app.search.index)."""
        from .search.index import SearchIndex

        return SearchIndex(self)

    def reindex(self, rebuild: bool = False, progress=None):
        """Bring the search index up to main: incrementally from git diff, or rebuilt."""
        return self.index.update(rebuild=rebuild, progress=progress)

    def search(self, query: str, **options):
        """Search as an audience ('public' or 'agent'); see SearchIndex.search."""
        return self.index.search(query, **options)

    def unknown_filter(self, unit: str | None = None, region: str | None = None,
                       units_hint: str = UNITS_HINT, category: str | None = None, audience: str = "agent",
                       categories_hint: str = CATEGORIES_HINT) -> tuple[str, str] | None:
        """(filter, what is wrong) for a search filter main does not know, or None: a mistyped unit
        or category would read as no result, a mistyped region as the whole city's. ``units_hint`` and
        ``categories_hint`` say where valid ones are found (staff: units.yaml; the public API says
        where it gives them). The categories an ``audience`` may filter by are those of what it may
        find (the public's: of the public answers), and 其他, the topic of answers without one."""
        from .dispatch.regions import CITYWIDE, districts

        snap = self.snapshot()
        if unit and unit not in snap.units:
            guess = snap.unit_guess(unit) if units_hint == UNITS_HINT else ""   # staff know the ids; the public not
            return "unit", f"没有编号为“{unit}”的承办单位：{guess}{units_hint}"
        if category and category != NO_TOPIC and category not in (
                snap.public_categories if audience == "public" else snap.categories):
            return "category", f"没有“{category}”这个主题：{categories_hint}"
        if region:
            known = sorted(set(districts(snap)) | snap.entry_regions | {CITYWIDE})
            if region not in known:
                return "region", f"没有“{region}”这个区域：可用 {'、'.join(known)}。"
        return None

    def unknown_words(self, query: str, audience: str = "agent") -> tuple:
        """The words of a question that nothing the audience may find mentions; see SearchIndex.unknown_words."""
        return self.index.unknown_words(query, audience)

    def current_commit(self) -> str:
        """main's commit with the search index brought up to it (cheap when main has not moved)."""
        return self.index.ensure_current()

    def reader(self, staff: bool = False, commit: str | None = None, flags: dict[str, str] | None = None,
               pending=None):
        """What the public (or signed-in staff) may open on main today (see kb_app.render); ``flags`` (entry id ->
        detail of its “待核” mark) and, for staff, ``pending`` when known otherwise than from this database (the
        public site while it cannot be read; a replica, whose primary knows what is pending)."""
        from .render import Reader

        if flags is None:
            flags = {eid: f.detail for eid, f in self.flags().items()}
        if staff and pending is None:
            pending = self.pending()
        return Reader(self.snapshot(commit), self.today(), self.store, staff, flags, self.local, pending)

    def pending(self):
        """For agents: open change requests and error reports (纠错) by entry (see kb_app.review.pending)."""
        return self._pending.current()

    def under_way(self, paths, exclude=()) -> dict[str, tuple]:
        """Open change requests, drafts too, changing or deleting each entry file of ``paths``, by path,
        except the requests in ``exclude`` (the one being edited): whichever is published first makes the
        others conflict (kb_app.review.pending.under_way)."""
        from .review.pending import under_way

        by_id = {PurePosixPath(p).stem: p for p in paths if p.startswith("entries/") and p.endswith(".md")}
        if not by_id:
            return {}
        with self.db_transaction(write=False) as db:
            found = under_way(db.conn, self.store, by_id, exclude)
        return {by_id[eid]: changes for eid, changes in found.items()}

    def under_way_notes(self, paths, exclude=(), what=lambda path: path, review: bool = False) -> dict[str, str]:
        """The warning, by path, that other open requests change the entry ``what(path)`` names too
        (for the reviewer of one of them when ``review``); paths nobody else is changing are left out."""
        from .review.changes import people
        from .review.pending import under_way_note

        found = self.under_way(paths, exclude)
        names = people(self) if found else {}
        return {path: under_way_note(what(path), changes, names, review) for path, changes in found.items()}

    @cached_property
    def _pending(self):
        from .review.pending import PendingWatch

        return PendingWatch(self)

    # -- dispatch, feedback, tasks and statistics ---------------------------------------------

    def calendar(self, commit: str | None = None):
        """The working-day calendar of main (see kb_app.workcalendar)."""
        from .workcalendar import WorkCalendar

        return WorkCalendar.from_snapshot(self.snapshot(commit))

    def dispatch(self, text: str, now=None, limit: int = 5, answers: bool = True, not_emergency: bool = False,
                 history: bool = True):
        """Intake rule, answers that settle the request, ranked directory entries and due dates.

        ``answers=False`` leaves out the policy answers (they need the search index); beside a transfer script
        none are looked up, as no catalogue candidate is given (the console and ``kb dispatch`` show neither);
        ``not_emergency=True`` is the agent's confirmation that a suspected emergency is none
        (see kb_app.dispatch.assistant and kb_app.dispatch.answers). With ``history`` the catalogue match is re-ranked
        by similar past work orders (kb_app.dispatch.history); the intake rule never depends on it.
        A ``now`` with a time zone (2026-11-20T08:00Z) is read as the hotline's local time
        (``timezone``), in which the due moments are told.
        With ``answers``, a word written with a character of the same sound (社宝卡) is read as the agent's search
        reads it (the correction is the search's: kb_app.search.spelling) for the catalogue and the answers; the
        intake rules read the caller's own words, emergencies and urgent matters both readings
        (``DispatchResult.corrected``).
        """
        from .dispatch.assistant import dispatch_at

        now = self.local(now) if now else self.now()
        rerank = self.dispatch_history.reranker(now) if history else None
        corrected = self._corrected(text) if answers else ""
        result = dispatch_at(self.store, self.store.head(), text, now, limit=limit,
                             not_emergency=not_emergency, rerank=rerank, corrected=corrected)
        if answers and not result.candidates_withheld:
            from .dispatch.answers import for_parts, for_request

            result.answers = for_request(self, result, now.date())
            if not (result.urgent or result.vague or any(a.settles for a in result.answers)):
                # A call of several sentences: its questions answered one by one, and another matter it tells dispatched.
                settled, rest = for_parts(self, result, now.date())
                result.answers = settled + [a for a in result.answers if a.entry_id not in {s.entry_id for s in settled}]
                if rest:
                    other = dispatch_at(self.store, result.commit, rest, now, limit=limit, not_emergency=not_emergency,
                                        rerank=rerank)
                    result.candidates, result.unmatched, result.rest = other.candidates, other.unmatched, rest
                    result.more = other.more
        return result

    def dispatch_scope(self, entry_id: str, text: str, commit: str | None = None):
        """Whether a catalogue entry applies where a request says it is (kb_app.dispatch.assistant.entry_scope): its
        ``note`` is "" where it does, else "仅适用于东湖区新华街道，来电说的是东湖区和平街道" or what to ask first."""
        from .dispatch.assistant import entry_scope

        return entry_scope(self.snapshot(commit), entry_id, text)

    def _corrected(self, text: str) -> str:
        """A request as the agent's search corrects its misspelt words (社宝卡 → 社保卡), all of it (the search
        reads its beginning only); empty when the search corrects nothing."""
        from .search.analysis import normalize, sanitize_query
        from .search.spelling import carry_over

        if not (text or "").strip():
            return ""
        found = self.search(text, audience="agent", limit=1)
        return carry_over(normalize(sanitize_query(text)), found.corrected, text) if found.corrected else ""

    def emergency_lines(self, commit: str | None = None) -> list[tuple[str, str]]:
        """The emergency lines an agent may transfer a call to: (line, channel), from the intake rules."""
        from .dispatch.assistant import emergency_lines

        return emergency_lines(self.snapshot(commit))

    def public_alarm(self, text: str, commit: str | None = None) -> dict | None:
        """The emergency line a citizen's question may call for (kb_app.dispatch.assistant.public_alarm), or None."""
        from .dispatch.assistant import public_alarm

        return public_alarm(self.snapshot(commit), text)

    def public_alarm_reading(self, text: str, commit: str | None = None) -> str:
        """``public_alarm`` in a few public words, to be turned back into the same box by ``public_alarm_of``
        (kb_app.dispatch.assistant.alarm_reading); "" when the text reads as no emergency."""
        from .dispatch.assistant import alarm_reading

        return alarm_reading(self.snapshot(commit), text)

    def public_alarm_of(self, reading: str, commit: str | None = None) -> dict | None:
        """The box of a reading made by ``public_alarm_reading``, or None (kb_app.dispatch.assistant.alarm_of_reading)."""
        from .dispatch.assistant import alarm_of_reading

        return alarm_of_reading(self.snapshot(commit), reading)

    def public_report(self, text: str, commit: str | None = None) -> str:
        """Whether a citizen's words read as a matter to report to the hotline: "urgent", "report" or ""
        (kb_app.dispatch.assistant.public_report)."""
        from .dispatch.assistant import public_report

        return public_report(self.snapshot(commit), text)

    def public_report_advice(self, text: str, commit: str | None = None) -> tuple[str, list[str]]:
        """``public_report`` with the safety steps of an urgent one (kb_app.dispatch.assistant.public_report_advice)."""
        from .dispatch.assistant import public_report_advice

        return public_report_advice(self.snapshot(commit), text)

    @cached_property
    def dispatch_history(self):
        """Confirmed dispatches, upheld objections and imported work orders (see kb_app.dispatch.history)."""
        from .dispatch.history import DispatchHistory

        return DispatchHistory(self)

    def withdraw_dispatch(self, user, history_id: int, outcome_id: int | None = None) -> dict:
        """撤销本次派单: take back a dispatch the agent confirmed (a slip): its dispatch-history record
        (``history_id``) and the request's outcome it wrote (``outcome_id``), in one transaction, so that
        neither the ranking nor the statistics count it; a call answered from the search before it was dispatched
        counts as answered again. Returns the history record removed, with ``outcome``: what the call now counts
        as (``direct_answer``, or None for not yet settled)."""
        with self.db_transaction() as db:
            row = self.dispatch_history.remove(db, user, history_id)
            outcome = None
            if outcome_id is not None:
                outcome = self.feedback.withdraw_dispatch(db, outcome_id, row["entry"], row["username"])
        return {**row, "outcome": outcome}

    @cached_property
    def feedback(self):
        """Search logs, votes, error reports and maintenance tasks (see kb_app.usage.feedback)."""
        from .usage.feedback import Feedback

        return Feedback(self)

    @property
    def tasks(self):
        """Maintenance tasks (kb_app.usage.tasks); the same object as ``feedback``, which builds on them."""
        return self.feedback

    @cached_property
    def stats(self):
        """Usage statistics (see kb_app.usage.stats)."""
        from .usage.stats import Stats

        return Stats(self)

    @cached_property
    def api_keys(self):
        """Keys of other systems using the JSON API (see kb_app.web.keys)."""
        from .web.keys import ApiKeys

        return ApiKeys(self)

    @cached_property
    def hot(self):
        """Hot issues: requests by entry, topic and region against the previous period (see kb_app.usage.hot)."""
        from .usage.hot import HotIssues

        return HotIssues(self)

    # -- users and review ----------------------------------------------------------------------

    @cached_property
    def users(self):
        """Local accounts (see kb_app.accounts.auth)."""
        from .accounts.auth import Users

        return Users(self)

    def authenticate(self, username: str, password: str, client: str | None = None, via: str = "cli"):
        """Log in (throttled and audited); ``client`` is the address the app saw, ``via`` "app" or "cli"."""
        return self.users.authenticate(username, password, client, via)

    @cached_property
    def sessions(self):
        """Server-side sessions of the app (see kb_app.accounts.sessions)."""
        from .accounts.sessions import Sessions

        return Sessions(self)

    @cached_property
    def throttle(self):
        """Failed log-in counts and locks (see kb_app.accounts.throttle)."""
        from .accounts.throttle import Throttle

        return Throttle(self)

    @cached_property
    def audit(self):
        """The audit trail of log-ins and account changes (see kb_app.accounts.audit)."""
        from .accounts.audit import Audit

        return Audit(self)

    @cached_property
    def review(self):
        """Change requests and the multi-party review (see kb_app.review.workflow)."""
        from .review.workflow import Review

        return Review(self, self.review_hooks())

    def review_hooks(self):
        """What committing and publishing a change request set off in the rest of the product."""
        from .dispatch import history as dispatch_history
        from .review import reverify
        from .review.workflow import Hooks
        from .usage import feedback, suggest
        from .web.follow import notify_replicas

        # Order matters: tasks of touched entries close first, then a rule change flags anew;
        # replicas hear of the new main last, when everything it implies is recorded.
        on_publish = (feedback.after_publish, reverify.after_publish, dispatch_history.after_publish,
                      suggest.after_publish, notify_replicas)
        return Hooks(on_publish=on_publish, commit_followups=(reverify.pending_rewrites,),
                     covered_paths=(reverify.mechanical_rewrites,))

    @cached_property
    def editing(self):
        """The editor's work: entries one may edit, form fields, checks and saving (see kb_app.editing)."""
        from .editing import Editing

        return Editing(self)

    # -- when the rules change ----------------------------------------------------------------

    def impact(self, cr):
        """Article-level impact of a change request touching regulations (None otherwise)."""
        from .review.reverify import impact_of

        return impact_of(self, cr.base, cr.head)

    def flags(self):
        """Entries marked “依据已变更，待核”, by id."""
        from .review.reverify import flags

        return flags(self)

    def history_flags(self, head: str, since: str | None = None, known=None) -> dict[str, dict]:
        """The “待核” marks main's history implies at ``head``, as a replica has them, without the database:
        replayed from ``since`` over ``known()`` when ``since`` is an ancestor (kb_app.review.reverify.flags_at)."""
        from .review.reverify import flags_at

        return flags_at(self, head, since, known)

    def follow_flags(self, since: str | None, head: str):
        """On a read replica: bring the “待核” marks up to ``head`` from the history (see reverify)."""
        from .review.reverify import follow_flags

        follow_flags(self, since, head)

    # -- operations ----------------------------------------------------------------------------

    def backup(self, out) -> dict:
        """A consistent backup in the new directory ``out``; returns its manifest (see kb_app.backup)."""
        from .backup import backup

        return backup(self, out)

    def doctor(self, repair: bool = False):
        """Check (and with ``repair`` fix what can be derived) this knowledge base (see kb_app.doctor)."""
        from . import doctor

        return doctor.repair(self) if repair else doctor.run(self)

    # -- content -------------------------------------------------------------------------------

    def snapshot(self, commit: str | None = None) -> Snapshot:
        """The parsed content at a commit (main by default); read-only, cached per commit.

        One thread parses a commit while the others asking for it wait: threads of a web worker
        parsing 50,000 entries each at once would multiply the memory and the wait.
        """
        commit = commit or self.store.head()
        snap = self._snapshots.get(commit)
        if snap is None:
            with self._parsing:
                snap = self._snapshots.get_or_build(commit, lambda: self.store.snapshot(commit))
        return snap

    def validate_tree(self, root=None):
        """Problems in the content files of a directory (the working tree by default)."""
        return validate(Snapshot.from_tree(root or self.settings.root))

    def check_tree(self, root=None):
        """``validate_tree`` and the reminders of the same files, read once: (problems, notices of
        answers naming answers the public cannot open, kb_app.content.references)."""
        from .content.references import notices

        snap = Snapshot.from_tree(root or self.settings.root)
        return validate(snap), notices(snap, self.today())

    def reference_notices(self, cr):
        """The reminders of a change request: its answers, and the answers naming them, that name an
        answer the public cannot open (kb_app.content.references)."""
        from .content.references import notices

        return notices(self.snapshot(cr.head), self.today(), set(self.store.changed_paths(cr.base, cr.head)))

    def limits_now(self, reasons: str, commit: str | None = None) -> str:
        """Reasons of a “依据已变更，待核” mark as staff read them, a changed time limit an answer states with the
        limit at ``commit`` (main by default): 答复写明的时限“3个工作日”已变更，现为“2个工作日”."""
        from .review.impact import said_now

        return said_now(reasons, self.snapshot(commit))

    def fact_notices(self, cr):
        """The reminders of a change request whose answers give a structured fact otherwise than their own text
        or than other answers on the same topic (kb_app.facts)."""
        from .facts import notices

        return notices(self.snapshot(cr.head), set(self.store.changed_paths(cr.base, cr.head)))

    def entry(self, entry_id: str, commit: str | None = None) -> Entry:
        snap = self.snapshot(commit)
        entry = snap.entries.get(entry_id)
        if entry is None:
            raise EntryNotFound(f"条目“{entry_id}”不存在：请检查编号，或按标题检索该条目。")
        return entry

    def entry_path(self, entry_id: str) -> str:
        """The path of an entry on main, or its last path in history when it was deleted."""
        snap = self.snapshot()
        if entry_id in snap.entries:
            return snap.entries[entry_id].path
        for path in self.store.deleted_paths(f"entries/*{entry_id}.md"):
            if Path(path).stem == entry_id:
                return path
        raise EntryNotFound(f"条目“{entry_id}”不存在：请检查编号。")

    def entry_ids(self, commit: str | None = None) -> list[str]:
        """Ids of the entry files at a commit (main by default), by file name, parsed or not."""
        files = self.store.ls_tree(commit or self.store.head(), ("entries/",))
        return sorted(PurePosixPath(p).stem for p in files if p.endswith(".md"))

    def history(self, entry_id: str):
        """The published versions of an entry's file, newest first (deleted entries too)."""
        return [self._published_locally(v) for v in self.store.history(self.entry_path(entry_id))]

    def compare_versions(self, entry_id: str, old_commit: str, new_commit: str):
        """Two published versions of an entry as a reviewer reads the change between them (fields by label,
        bodies for rendering side by side): a :class:`kb_app.review.changes.FileView`."""
        from .review.changes import describe_versions

        return describe_versions(self, self.entry_path(entry_id), old_commit, new_commit)

    def deleted_entries(self, commit: str | None = None):
        """Entries deleted on main's published history, titled as they were last (see content.finder)."""
        from .content.finder import deleted_entries

        return [dataclasses.replace(d, deleted=d.deleted.astimezone(self._zone))
                for d in deleted_entries(self.store, commit)]

    def recent_versions(self, limit: int = 20):
        """The entries' versions published last, newest first: :class:`kb_app.content.finder.RecentVersion`."""
        from .content.finder import recent_versions

        return [dataclasses.replace(r, version=self._published_locally(r.version))
                for r in recent_versions(self.store, limit)]

    def version_view(self, entry_id: str, commit: str):
        """One published version of an entry as readers saw it (fields by label, the body for rendering):
        a :class:`kb_app.review.changes.FileView` of a file as added."""
        from .review.changes import describe_versions

        return describe_versions(self, self.entry_path(entry_id), None, commit)

    def version_on(self, entry_id: str, day: dt.date, at: dt.datetime | None = None):
        """(Version, Entry) of an entry in force on a day (at the moment ``at`` of it, when given), or (None, None)."""
        version, entry = self.store.version_on(self.entry_path(entry_id), day, at=at)
        return (self._published_locally(version) if version else None), entry

    def version_text(self, version) -> str | None:
        """The file of a version (from ``history`` or ``version_on``) as it was committed."""
        return self.store.read(version.path, version.commit)

    def entry_diff(self, entry_id: str, old: str, new: str | None = None) -> str:
        """Unified diff of an entry's file between two revisions (``new`` is main by default)."""
        store, path = self.store, self.entry_path(entry_id)
        revisions = []
        for name in (old, new or self.settings.main_branch):
            commit = store.rev(name)
            if commit is None:
                # An unknown version would read as an absent file: a diff that adds or deletes it all.
                raise KbError(f"找不到版本“{name}”：请使用 kb history {entry_id} 列出的提交号，或分支名 "
                              f"{self.settings.main_branch}、cr/编号。")
            revisions.append(commit)
        return store.diff(path, *revisions)

    def as_of(self, entry_id: str, when: dt.date | dt.datetime):
        """The version of an entry in force on a day, or at a moment of it, and who published it (see
        kb_app.content.asof)."""
        from .content.asof import record

        return record(self, entry_id, when)

    def catalog_health(self, taxonomy=None, threshold: float | None = None):
        """Findings of the dispatch catalogue's health check on main (see kb_app.health)."""
        from . import health

        return health.report(self.snapshot(), taxonomy, threshold or health.OVERLAP_THRESHOLD)

    # -- objections and suggestions -------------------------------------------------------------

    def file_objection(self, user, entry_id: str, reasons: str, proposed_unit: str, request: str = "",
                       co_handle: bool = False, boundary: str | None = None):
        """A handler's objection to a catalogue entry, as a change request (see kb_app.review.objection)."""
        from .review import objection

        return objection.file(self, user, entry_id, reasons, proposed_unit, request, co_handle, boundary)

    def stale_boundary(self, cr) -> str | None:
        """For an open objection moving a handler and leaving the entry's 职责边界 saying who leads as it was: what to tell
        its reviewers (see kb_app.review.objection.stale_boundary)."""
        from .review import objection

        return objection.stale_boundary(self, cr)

    def objections(self, entry_id: str) -> list[dict]:
        """Every objection to a catalogue entry with its outcome and reasons."""
        from .review import objection

        return objection.history(self, entry_id)

    def rechecks_written_before(self, cr) -> dict[str, str]:
        """The entries an open request changes whose rule changed after it was written, with why they are
        marked: publishing it will not clear their “依据已变更，待核” marks (kb_app.review.reverify)."""
        from .review import reverify

        return {e: f.detail for e, f in reverify.written_before(self, cr).items()} if cr.is_open else {}

    def expiry_note(self, expires, kind: str = "policy") -> str | None:
        """What to tell whoever edits or reviews an entry (of ``kind``) whose ``expires`` is 即将到期 today, as
        the maintenance tasks count it (kb_app.usage.tasks.days_left); None when it is not."""
        from .labels import expiring_note
        from .usage.tasks import days_left

        left = days_left(expires, self.today())
        return None if left is None else expiring_note(expires.isoformat(), left, kind)

    def expiring_in(self, cr) -> dict[str, str]:
        """The entries an open request changes (and keeps) whose version in it is 即将到期, with what to tell its
        author and reviewers (``expiry_note``), by path: publishing it keeps the day they end."""
        from .content.versions import parse

        if not (cr.is_open and cr.head):
            return {}
        kept = [p for p, s in self.store.changed_paths(cr.base, cr.head).items()
                if s != "D" and p.startswith("entries/") and p.endswith(".md")]
        notes = {}
        for path, text in self.review.read_many(cr.head, kept).items():
            entry = parse(path, text)
            note = self.expiry_note(entry.expires, entry.kind) if entry is not None else None
            if note:
                notes[path] = note
        return notes

    def confirm_unchanged(self, user, task_id: int, note: str = ""):
        """Settle a “依据已变更，待核” task whose entry needs no change: a change request recording the day it
        was checked (``checked``), reviewed like any change; its publication clears the mark and the task."""
        from .review import reverify

        task = self.feedback.task(task_id)
        if task.kind != reverify.TASK_KIND or not task.entry:
            raise KbError(f"维护任务 #{task_id} 不是“依据已变更，待核”的任务：确认无需修改只用于规定变更后的复核。")
        if task.state != "open":
            raise KbError(f"维护任务 #{task_id} 已经处理过了：请刷新任务列表。")
        self.feedback.check_owner(task, user)
        return reverify.confirm(self, user, [task.entry], note)

    def accept_suggestion(self, user, task_id: int, phrasing: str | None = None):
        """Take up a suggested question: a change request adding it to its entry (kb_app.usage.suggest)."""
        from .usage import suggest

        return suggest.accept(self, user, task_id, phrasing)

    def learnable_calls(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
        """The console's misses and false alarms not yet among the example calls (see kb_app.usage.calls)."""
        from .usage import calls

        return calls.learnable(self, start, end)

    def pending_call_examples(self):
        """The change request adding example calls that is still open, or None."""
        from .usage import calls

        return calls.pending(self)

    def propose_call_examples(self, user, start: dt.date | None = None, end: dt.date | None = None):
        """A change request adding a period's misses and false alarms to the example calls."""
        from .usage import calls

        return calls.propose(self, user, start, end)

    def missing_answers(self, start: dt.date | None = None, end: dt.date | None = None, limit: int | None = 50,
                        assigned: bool = True):
        """Zero-result and little-opened queries grouped by what they ask (see kb_app.usage.suggest); the
        groups given to a unit already only when ``assigned``."""
        from .usage import suggest

        return suggest.missing_answers(self, start, end, limit, assigned)

    def missing_report(self, start: dt.date | None = None, end: dt.date | None = None, limit: int | None = None,
                       assigned: bool = False):
        """``missing_answers`` with what was left out and why (kb_app.usage.suggest.MissingAnswers)."""
        from .usage import suggest

        return suggest.missing_report(self, start, end, limit, assigned)

    def assign_missing_query(self, query: str, unit: str, user=None) -> int:
        """Give the group of missing answers a query is in to a unit; a query in none is refused, naming the
        closest groups (kb_app.usage.suggest.assign_query)."""
        from .usage import suggest

        return suggest.assign_query(self, query, unit, user)

    def file_text(self, path: str, commit: str | None = None) -> str | None:
        """A content file's text at a commit (main by default), or None when it is not there."""
        return self.store.read(path, commit)

    def head(self) -> str:
        """main's commit."""
        return self.store.head()


def init_repo(target, empty: bool = False, author: str = "kb_app <kb_app@localhost>",
              now: dt.datetime | None = None) -> Path:
    """Create a content repository at ``target`` from the sample (or nearly empty), with one commit.

    ``now`` dates that commit (the settings' clock); without it git takes the real time. The
    repository refuses pushes to main (see kb_app.content.githooks).
    """
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise KbError(f"目录“{target}”已存在且不为空：请换一个新目录，或先清空它。")
    if not empty and not (SAMPLE_ROOT / "entries").is_dir():
        raise KbError(f"找不到示例内容（{SAMPLE_ROOT}/entries）：请从源码目录安装 kb_app（pip install -e .）。")
    target.mkdir(parents=True, exist_ok=True)
    if empty:
        for rel, text in EMPTY_FILES.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_text(text, encoding="utf-8")
        (target / "entries/policy").mkdir(parents=True, exist_ok=True)
        (target / "entries/directory").mkdir(parents=True, exist_ok=True)
        (target / "regulations/texts").mkdir(parents=True, exist_ok=True)
        (target / "entries/.gitkeep").write_text("")
    else:
        for prefix in CONTENT_PREFIXES:
            shutil.copytree(SAMPLE_ROOT / prefix, target / prefix)
    create_repository(target, "初始化知识库" + ("（空）" if empty else "（示例市示例内容）"), author, now)
    githooks.install(target, "main")
    Store(target).mark_start()
    return target


def install_hooks(directory, main_branch: str = "main") -> None:
    """Make an existing content repository refuse pushes to main (see kb_app.content.githooks); its history so far
    is the knowledge base's starting point (``kb doctor`` names commits after it that no publication made)."""
    githooks.install(directory, main_branch)
    Store(directory, main_branch).mark_start()


def restore_backup(folder, target, data_dir=None) -> dict:
    """Bring up the backup in ``folder`` as a new knowledge base at ``target`` (see kb_app.backup)."""
    from .backup import restore

    return restore(folder, target, data_dir)
