"""The feedback loop: search logs, helpful votes, error reports and the units' maintenance tasks.

Everything a person typed is masked (``kb_app.privacy.mask``) before it is inserted. Rows written
for the public (``audience='public'``) carry no username and no role beyond ``public``; no address
or other identifier is ever stored: a vote or error report of the public site names its client address only
as a digest of the address and the day, keyed with a secret kept beside the database (not in it), for the rest
of that day (:func:`address_digest`).

One address, one vote per answer per day: a vote from an address that has already voted on the answer today
is not counted again (whatever it says, the first one stands and the second is answered as received), and the
same error report (same answer, same words) from it today is kept once. A script that drops its ``kb_voter``
cookie, or opens a new browser each time, thus adds one vote a day to an answer, and the maintenance tasks
(多次无帮助, 纠错) do not arise from one address's repeats. The address is not blocked: many citizens behind one
NAT (a company, a mobile carrier) still each vote on their own answers and send their own reports; two of them
voting on the same answer on the same day count once, which undercounts a little rather than let one address
count many times.

Request outcomes (table ``request_outcomes``, ``log_outcome``): how the agent settled a request
taken in the console — 直接答复 with the answer used, 派单 with the catalogue entry, or 转接 to an
emergency line — with the masked request, the entry's topic (its first category) and unit (the
answer's unit, the catalogue entry's handler), what the assistant had suggested and its emergency
hint (``urgency``: emergency, suspected, or dismissed by the agent — then ``line`` is the line the
hint named; none for a transfer nothing flagged). The statistics' direct-answer rate and emergency
hints are counted from it. An outcome names the call it settles (``call``, a random token the console keeps
while the call lasts): an answer taken from the search (``answered``: 采用此答复, 复制答复) answers the call
directly, once however often it is taken, and a dispatch of the same call later makes it a dispatch (the answer it
replaced kept with it, ``replaced``: the dispatch taken back leaves the call answered as before).

Maintenance tasks (opened by a report or by votes) are kept by the base class
:class:`kb_app.usage.tasks.Tasks`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
from pathlib import Path

from ..exceptions import AlreadyVoted, EntryNotFound, KbError
from ..labels import OUTCOME_LABELS
from ..privacy import mask
from ..search.analysis import MAX_QUERY_CHARS
from .tasks import OPEN, Tasks

AUDIENCES = {"public", "agent", "staff"}
#: The cookie holding a browser session's voting key (set by the public site, read by the staff app).
VOTER_COOKIE = "kb_voter"
OUTCOMES = OUTCOME_LABELS
TRANSFER_TOPIC = "紧急转接"
#: The same search, or the same answer opened from it, by one asker within this many seconds is one request,
#: logged once (a script polling, a page reloaded, an agent searching again during the call).
REPEAT_SECONDS = 600
#: The outcomes that settle a call (one per call); a transfer puts it through to a line, as many as it needs.
SETTLED = ("direct_answer", "dispatch")


def _anonymous(audience: str, username: str | None) -> str | None:
    return None if audience == "public" else (username or None)


class Feedback(Tasks):
    """Logs, votes, reports and tasks of one knowledge base (``kb.feedback``)."""

    def _check_audience(self, audience: str):
        if audience not in AUDIENCES:
            raise KbError(f"受众“{audience}”无效：应为 public（公众）、agent（坐席）或 staff（工作人员）。")

    def _address_digest(self, address, day: dt.date) -> str | None:
        return address_digest(address, day, address_key(self.kb.settings.data_path)) if address else None

    def log_search(self, query: str, audience: str, hits: int, username: str | None = None,
                   role: str | None = None, weak: bool = False, alarm: bool = False,
                   asker: str | None = None) -> int:
        """Record a search; returns the row id (pass it to ``log_open`` when a result is opened).

        ``weak``: its results are about none of what it names (``SearchResults.weak``); ``alarm``: it was
        told an emergency line to call (no missing answer, see kb_app.usage.stats). ``asker``: who asked,
        as far as a repeat goes (the agent's call); the same search of one asker within ``REPEAT_SECONDS``
        is one request: the earlier row's id is returned and nothing is written (see :meth:`log_events`).
        """
        self._check_audience(audience)
        row = {"at": self._now(), "query": mask(query)[:500], "audience": audience,
               "role": "public" if audience == "public" else (role or audience),
               "username": _anonymous(audience, username), "hits": int(hits), "opened": None, "unit": None,
               "weak": int(bool(weak)), "alarm": int(bool(alarm)), "asker": asker_digest(asker)}
        with self._db() as db:
            if (earlier := _earlier(db, row, {})) is not None:
                return earlier
            pk = db["search_log"].insert(row).last_pk
            _forget_askers(db, row["at"])
            return pk

    def log_open(self, entry_id: str, search_id: int | None = None, audience: str = "public",
                 username: str | None = None, role: str | None = None) -> int:
        """Record that an entry was opened, on the search row it came from or as a row of its own.

        The first entry opened from a search is recorded on its row (once: an entry already recorded
        there, say adopted, is not recorded again); another entry opened from it gets an open row
        carrying the search's query, with no hits, which no count of searches includes.
        """
        unit = self._entry_unit(entry_id, missing_ok=True)
        with self._db() as db:
            search = db.execute("select opened, query from search_log where id = ?",
                                [search_id]).fetchone() if search_id is not None else None
            if search is not None and search[0] is None:
                db["search_log"].update(search_id, {"opened": entry_id, "unit": unit})
                return search_id
            if search is not None and search[0] == entry_id:
                return search_id
            self._check_audience(audience)
            row = {"at": self._now(), "query": search[1] if search is not None else "", "audience": audience,
                   "role": "public" if audience == "public" else (role or audience),
                   "username": _anonymous(audience, username), "hits": None, "opened": entry_id, "unit": unit}
            return db["search_log"].insert(row).last_pk

    def log_events(self, events) -> int:
        """Record many public searches and opened entries in one transaction (from the web tier).

        Each event is ``{"type": "search", "at", "query", "hits"}`` (and ``"weak": True`` for weak
        results, ``"alarm": True`` for a search told an emergency line) or ``{"type": "open", "at", "entry"}``
        (with the ``query`` it was found by, when known: a row with no ``hits``, which no count of
        searches includes), with ``at`` the time of the request and ``audience`` public (default) or
        agent; no username or address is stored. Returns the number of rows written.

        ``asker`` (optional) names who asked, where the web tier cannot drop a repeat itself: an API key, or the
        platform's user when it says which. The same search, or the same answer opened, of one asker within
        ``REPEAT_SECONDS`` is one request and is not written again: a partner's system polling a question makes
        it no hot issue nor a missing answer. Only a digest of the asker is stored (never an address), and only
        for as long as a repeat can be recognised.
        """
        rows = []
        units = {}
        for ev in events:
            audience = ev.get("audience") or "public"
            self._check_audience(audience)
            row = {"at": ev.get("at") or self._now(), "audience": audience,
                   "role": "public" if audience == "public" else audience, "username": None,
                   "asker": asker_digest(ev.get("asker"))}
            if ev.get("type") == "open":
                entry = str(ev.get("entry") or "")
                if entry not in units:
                    units[entry] = self._entry_unit(entry, missing_ok=True)
                rows.append({**row, "query": mask(ev.get("query") or "")[:500], "hits": None, "opened": entry,
                             "unit": units[entry], "weak": None, "alarm": None})
            else:
                rows.append({**row, "query": mask(ev.get("query") or "")[:500], "hits": int(ev.get("hits") or 0),
                             "opened": None, "unit": None, "weak": int(bool(ev.get("weak"))),
                             "alarm": int(bool(ev.get("alarm")))})
        if not rows:
            return 0
        with self._db() as db:
            seen: dict = {}
            rows = [row for row in rows if _earlier(db, row, seen) is None]
            if rows:
                db["search_log"].insert_all(rows)
                _forget_askers(db, max(row["at"] for row in rows))
        return len(rows)

    def log_use(self, entry_id: str, search_id: int | None, username: str | None = None) -> int | None:
        """An agent took an entry's answer for the call: the search it came from is marked ``used``."""
        unit = self._entry_unit(entry_id)
        if search_id is None:
            return None
        with self._db() as db:
            return self._use(db, entry_id, unit, search_id)

    @staticmethod
    def _use(db, entry_id: str, unit: str | None, search_id: int | None) -> int | None:
        if search_id is None:
            return None
        row = db.execute("select opened from search_log where id = ?", [search_id]).fetchone()
        if row is None or row[0] not in (None, entry_id):
            return None
        db["search_log"].update(search_id, {"opened": entry_id, "unit": unit, "used": 1})
        return search_id

    def vote(self, entry_id: str, helpful: bool, audience: str = "public", username: str | None = None,
             search_id: int | None = None, voter: str | None = None, query: str | None = None,
             address: str | None = None) -> int:
        """Record a helpful / not helpful vote; may open an ``unhelpful`` task for the unit.

        ``search_id`` is the search the entry was opened from; it is kept only when that search did open it.
        Without one, ``query`` is the question the entry was found by (the public site passes it along
        from its results page), kept masked.
        ``voter`` is the browser session's secret key: a session votes once per entry (a second vote
        raises :class:`AlreadyVoted`); only its digest is stored.
        ``address`` is the client address of a vote without an API key (a browser's, or a script's): a vote from
        an address that has voted on the entry today is not counted, and the earlier vote's id is returned (see
        the module's docstring); only a digest of it and the day is stored, until the day is over.
        """
        self._check_audience(audience)
        unit = self._entry_unit(entry_id)
        day = self.kb.today()
        row = {"at": self._now(), "entry": entry_id, "unit": unit, "helpful": int(bool(helpful)),
               "audience": audience, "username": _anonymous(audience, username),
               "voter": voter_digest(voter) if voter else None, "address": self._address_digest(address, day)}
        with self._db() as db:
            _forget_addresses(db, "votes", day)
            if row["voter"] and db["votes"].count_where("entry = ? and voter = ?", [entry_id, row["voter"]]):
                raise AlreadyVoted(ALREADY_VOTED)
            if (earlier := _same_address(db, "votes", row)) is not None:
                return earlier
            if search_id is not None and not db["search_log"].count_where("id = ? and opened = ?", [search_id, entry_id]):
                search_id = None
            found_by = " ".join(mask(query or "").split())[:MAX_QUERY_CHARS] if search_id is None else ""
            try:
                pk = db["votes"].insert(dict(row, search=search_id, query=found_by or None)).last_pk
            except sqlite3.IntegrityError:
                raise AlreadyVoted(ALREADY_VOTED) from None
        if not helpful and entry_id in self.kb.snapshot().entries:
            # An article that did not help was the wrong article for the question, not a wrong text.
            self._check_unhelpful(entry_id, unit)
        return pk

    def report_error(self, entry_id: str, text: str, audience: str = "public",
                     username: str | None = None, alarm: dict | None = None, address: str | None = None) -> int:
        """Record an error report (纠错) and open a task for the entry's unit; returns the report id.

        No contact is taken: whoever wants an answer calls 12345 (see README, privacy).

        ``alarm``: what ``kb.public_alarm`` read in the text (有人要轻生, 火情 …), whose line the reporter was told
        to call. The report is kept, marked with it (``alarm``, ``alarm_line``), and its task says so in its
        title: the unit and the center read it knowing it is not only a correction, and a correction it holds
        as well (or a reading that was wrong) is not lost.

        ``address``: the client address of a report without an API key; the same report (same entry, same words
        once masked) from that address on the same day is kept once, with one task: the earlier report's id is
        returned. Only a digest of the address and the day is stored, until the day is over.
        """
        self._check_audience(audience)
        text = mask((text or "").strip())
        if not text:
            raise KbError("纠错内容不能为空：请写明哪里有误、正确的应当是什么。")
        unit, title, due = self._entry_unit(entry_id), self._entry_title(entry_id), self.due_date()
        event = str(alarm.get("event") or "紧急情况") if alarm else None
        line = (str(alarm.get("line") or "") or None) if alarm else None
        day = self.kb.today()
        row = {"at": self._now(), "entry": entry_id, "unit": unit, "text": text[:2000], "audience": audience,
               "username": _anonymous(audience, username), "state": OPEN, "alarm": event, "alarm_line": line,
               "address": self._address_digest(address, day)}
        with self._db() as db:  # the report and its task are written together
            _forget_addresses(db, "reports", day)
            if (earlier := _same_address(db, "reports", row, "text")) is not None:
                return earlier
            pk = db["reports"].insert(row).last_pk
            heading = f"纠错（读来像紧急情况：{event}）：{title}" if event else f"纠错：{title}"
            self._insert_task(db, unit, "report", entry_id, heading, text[:500], f"report:{pk}", due)
        return pk

    def log_outcome(self, text: str, outcome: str, entry: str = "", line: str = "", suggested: str = "",
                    urgency: str = "", username: str | None = None, role: str | None = None,
                    call: str | None = None, matter: int = 0) -> int:
        """Record how a request ended (direct_answer / dispatch / transfer); returns the row id.

        ``call`` names the agent's call (a random token the console keeps while the call lasts): a call is
        settled once. An answer taken again, or another answer taken, adds nothing; a dispatch after an answer
        makes the call's row a dispatch (the matter went to a unit after all); an answer after a dispatch leaves
        it dispatched. Transfers are rows of their own, one per line put through.

        ``matter`` numbers the matters of a call that tells more than one (0, the call's first; 1, 2 … the
        question's rest or the other matters reported, ``text`` then the words of that matter): each is settled
        once on its own, so a call answered and dispatched counts one answer and one order.
        """
        if not isinstance(matter, int) or isinstance(matter, bool) or matter < 0:
            raise KbError(f"事项序号“{matter}”无效：来电所说的第一件事为 0，其余依次为 1、2……")
        row = {**self._outcome_row(text, outcome, entry, line, suggested, urgency, username, role, call),
               "matter": matter}
        with self._db() as db:
            return self._settle(db, row)

    def answered(self, entry_id: str, text: str, call: str, search_id: int | None = None,
                 username: str | None = None, role: str | None = None) -> int:
        """An agent answered the call with an answer found by a search (采用此答复, 复制答复): the search is marked as
        answered by it (:meth:`log_use`, evidence for the suggested phrasings) and the call counts as answered
        directly, once (see ``call`` of :meth:`log_outcome`). ``text`` is the caller's request as the agent
        searched it. Returns the outcome's row id."""
        if not call:
            raise KbError("缺少来电标识：直接答复按来电计，每个来电只计一次。")
        row = self._outcome_row(text, "direct_answer", entry_id, username=username, role=role, call=call)
        with self._db() as db:
            self._use(db, entry_id, self._entry_unit(entry_id), search_id)
            return self._settle(db, row)

    def _outcome_row(self, text: str, outcome: str, entry: str = "", line: str = "", suggested: str = "",
                     urgency: str = "", username: str | None = None, role: str | None = None,
                     call: str | None = None) -> dict:
        text = mask((text or "").strip())
        if not text:
            raise KbError("诉求内容为空：请先输入来电人的诉求，再记录处理结果。")
        if outcome not in OUTCOMES:
            raise KbError(f"处理结果“{outcome}”无效：应为 direct_answer（直接答复）、dispatch（派单）或 transfer（转接）。")
        topic, unit = TRANSFER_TOPIC, None
        if outcome == "transfer":
            if not line:
                raise KbError("记录转接时缺少专线号码：请写明转接到 110、119、120 还是 122。")
            entry = ""
        else:
            kind = "policy" if outcome == "direct_answer" else "directory"
            found = self.kb.snapshot().entries.get(entry or "")
            if found is None or found.kind != kind:
                what = "答复口径" if kind == "policy" else "派单目录条目"
                raise EntryNotFound(f"{what}“{entry}”不存在：请从派单助手列出的{what}中选择。")
            topic = found.category[0] if found.category else "未分类"
            unit = found.lead_unit
        return {"at": self._now(), "text": text[:1000], "outcome": outcome, "entry": entry or None, "line": line or None,
                "topic": topic, "unit": unit, "suggested": suggested or None, "urgency": urgency or None,
                "username": username or None, "role": role or None, "call": call or None}

    @staticmethod
    def withdraw_dispatch(db, outcome_id: int, entry: str, username: str | None) -> str | None:
        """Take back, within the transaction ``db``, the outcome of a dispatch (``Kb.withdraw_dispatch``): the call
        is left as it was before the dispatch, answered with the answer the dispatch replaced, or not yet settled.
        Returns what the call now counts as (``direct_answer``, or None)."""
        found = db.execute("select outcome, entry, username, replaced from request_outcomes where id = ?",
                           [outcome_id]).fetchone()
        if found is None or tuple(found)[:3] != ("dispatch", entry, username):
            raise KbError(f"处理结果 #{outcome_id} 不是这次派单（{entry}）的记录：无法撤销，请刷新页面后重试。")
        if not found[3]:
            db.execute("delete from request_outcomes where id = ?", [outcome_id])
            return None
        earlier = json.loads(found[3])
        db["request_outcomes"].update(outcome_id, earlier)
        return earlier["outcome"]

    @staticmethod
    def _settle(db, row: dict) -> int:
        """Write an outcome, a call settled once (see ``call`` of :meth:`log_outcome`); returns the row id. A dispatch
        of a call settled already takes its row and keeps the row it replaced (``replaced``), for the dispatch
        taken back (:meth:`withdraw_dispatch`)."""
        call, outcome = row["call"], row["outcome"]
        cur = db.execute("select * from request_outcomes where call = ? and matter = ? and outcome in "
                         f"({', '.join('?' * len(SETTLED))}) order by id limit 1",
                         [call, row.get("matter", 0), *SETTLED]) if call and outcome in SETTLED else None
        settled = cur.fetchone() if cur is not None else None
        if settled is None:
            return db["request_outcomes"].insert(row).last_pk
        earlier = dict(zip([d[0] for d in cur.description], settled))
        settled_id = earlier.pop("id")
        if outcome == "dispatch":
            db["request_outcomes"].update(settled_id, {**row, "replaced": json.dumps(earlier, ensure_ascii=False)})
        return settled_id


def asker_digest(asker) -> str | None:
    """What is stored of who asked (see ``log_events``): a digest, None for no one named."""
    if not asker or not isinstance(asker, str):
        return None
    return hashlib.blake2b(f"kb-asker:{asker}".encode("utf-8"), digest_size=16).hexdigest()


def _earlier(db, row: dict, seen: dict) -> int | None:
    """The id of the row (0 for one of this batch, ``seen``) of the same search or answer opened by the same
    asker within ``REPEAT_SECONDS`` before ``row``; None when there is none, and ``row`` is then noted in
    ``seen``."""
    asker = row.get("asker")
    if not asker:
        return None
    is_open = row["hits"] is None
    key = (asker, row["audience"], row["query"], is_open, row["opened"] if is_open else None)
    try:
        since = (dt.datetime.fromisoformat(row["at"]) - dt.timedelta(seconds=REPEAT_SECONDS)).isoformat(
            timespec="seconds")
    except (TypeError, ValueError):
        return None
    if key in seen and since <= seen[key] <= row["at"]:
        return 0
    found = db.execute("select id from search_log where asker = ? and query = ? and audience = ? and at >= ? "
                       "and at <= ? and (hits is null) = ? and (? or opened = ?) order by id desc limit 1",
                       [asker, row["query"], row["audience"], since, row["at"], int(is_open), int(not is_open),
                        row["opened"] or ""]).fetchone()
    if found is not None:
        return found[0]
    seen[key] = row["at"]
    return None


def _forget_askers(db, now: str):
    """Clear who asked from the rows older than a repeat can be: it is kept for nothing else."""
    try:
        cutoff = (dt.datetime.fromisoformat(now) - dt.timedelta(seconds=REPEAT_SECONDS)).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return
    db.execute("update search_log set asker = null where asker is not null and at < ?", [cutoff])


ALREADY_VOTED = "您已经评价过这条答复，每次访问只计一次。谢谢！"


def address_digest(address, day: dt.date, key: bytes = b"") -> str | None:
    """What is stored of the client address of a public vote or report: a digest of it and the day (so that the
    same address on another day is another digest, and no digest follows an address from day to day), keyed
    with the data directory's ``key`` (:func:`address_key`), None for none. Kept only for the rest of that day
    (:func:`_forget_addresses`)."""
    if not address or not isinstance(address, str):
        return None
    return hashlib.blake2b(f"kb-address:{day.isoformat()}:{address}".encode("utf-8"), digest_size=16,
                           key=key[:64]).hexdigest()


#: The file of the key of the address digests, in the data directory beside (not in) the database.
ADDRESS_KEY = "address.key"
_ADDRESS_KEYS: dict = {}


def address_key(data_path) -> bytes:
    """The secret key of the address digests of a data directory, made on first use (readable by its owner
    only). Without it a digest cannot be reversed by trying every address: a copy of the database alone (a
    backup holds only the database, see kb_app.backup) tells no one's address. A new key (after a restore)
    only makes today's earlier digests differ: an address may count once more that day."""
    path = Path(data_path) / ADDRESS_KEY
    key = _ADDRESS_KEYS.get(path)
    if key is None:
        if not path.exists():
            # Written whole beside it, then linked into place: a process starting at the same moment reads
            # either no file or the whole key, and the first link made is the key of all.
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{ADDRESS_KEY}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
            try:
                os.link(partial, path)
            except FileExistsError:
                pass
            finally:
                partial.unlink()
        key = _ADDRESS_KEYS[path] = path.read_bytes()
    return key


def _same_address(db, table: str, row: dict, *same: str) -> int | None:
    """The id of the row of ``table`` on the same entry from the same address today (its digest is the day's),
    equal to ``row`` in the columns ``same`` as well; None when there is none or ``row`` names no address."""
    if not row.get("address"):
        return None
    found = db.execute(f"select id from {table} where entry = ? and address = ?"
                       + "".join(f" and {column} = ?" for column in same) + " order by id limit 1",
                       [row["entry"], row["address"], *(row[column] for column in same)]).fetchone()
    return found[0] if found is not None else None


def _forget_addresses(db, table: str, day: dt.date):
    """Clear the address digests of the rows of ``table`` written before ``day``: they are kept for nothing else."""
    db.execute(f"update {table} set address = null where address is not null and at < ?", [day.isoformat()])


def after_publish(kb, cr, commit: str):
    """on_publish hook: a published change closes the tasks its author marked as resolved by it."""
    return kb.feedback.close_resolved(cr, commit)


def voter_digest(voter: str) -> str:
    """What is stored of a browser session's voting key: its SHA-256, never the key."""
    return hashlib.sha256(f"kb-vote:{voter}".encode()).hexdigest()
