"""The workflow database (SQLite via sqlite-utils) and its migrations.

Two ways in: :func:`connect` opens a connection (one per operation or thread), and
:func:`transaction` runs a block on its own connection as one transaction — every multi-step write
goes through it (``kb.db_transaction()`` on the facade), so it is all written or not at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import sqlite3
import sys
from pathlib import Path

from .exceptions import DatabaseUnusable, file_problem

# sqlite-utils imports pandas whenever it is installed (Streamlit brings it) only to map
# pandas.Timestamp values to a column type; kb_app never writes pandas values. Hiding pandas while
# sqlite-utils loads saves every process that has not loaded pandas already ~70 MB and ~1 s — each
# `kb web` worker and every `kb` command. Whoever needs pandas later still imports it as usual.
_HIDE_PANDAS = "pandas" not in sys.modules
if _HIDE_PANDAS:
    sys.modules["pandas"] = None  # an import of pandas now raises ImportError
try:
    import sqlite_utils
    from sqlite_utils.migrations import Migrations
finally:
    if _HIDE_PANDAS and sys.modules.get("pandas", False) is None:
        del sys.modules["pandas"]

migrations = Migrations("kb_app")
log = logging.getLogger(__name__)


@migrations()
def m001_users(db):
    db["users"].create({"username": str, "name": str, "password_hash": str, "role": str, "unit": str,
                        "disabled": int, "created": str}, pk="username", not_null={"name", "password_hash", "role"},
                       defaults={"disabled": 0})


@migrations()
def m002_change_requests(db):
    db["change_requests"].create({"id": int, "title": str, "author": str, "author_unit": str, "kind": str,
                                  "state": str, "base": str, "head": str, "branch": str, "created": str,
                                  "updated": str, "published_commit": str, "published": str, "data": str},
                                 pk="id")
    db["cr_events"].create({"id": int, "cr": int, "at": str, "actor": str, "action": str, "commit": str,
                            "detail": str}, pk="id", foreign_keys=[("cr", "change_requests", "id")])
    db["cr_events"].create_index(["cr"])
    db["approvals"].create({"id": int, "cr": int, "party": str, "reviewer": str, "commit": str, "at": str,
                            "dismissed": int}, pk="id", defaults={"dismissed": 0})
    db["approvals"].create_index(["cr"])
    db["comments"].create({"id": int, "cr": int, "author": str, "at": str, "body": str, "path": str}, pk="id")
    db["comments"].create_index(["cr"])


@migrations()
def m003_feedback(db):
    db["search_log"].create({"id": int, "at": str, "query": str, "audience": str, "role": str, "username": str,
                             "hits": int, "opened": str}, pk="id")
    db["search_log"].create_index(["at"])
    db["votes"].create({"id": int, "at": str, "entry": str, "unit": str, "helpful": int, "audience": str,
                        "username": str}, pk="id")
    db["reports"].create({"id": int, "at": str, "entry": str, "unit": str, "text": str, "contact": str,
                          "audience": str, "username": str, "state": str}, pk="id")
    db["tasks"].create({"id": int, "unit": str, "kind": str, "entry": str, "title": str, "detail": str,
                        "created": str, "due": str, "state": str, "closed": str, "closed_by": str,
                        "close_reason": str, "source": str}, pk="id")
    db["tasks"].create_index(["unit", "state"])


@migrations()
def m004_flags(db):
    db["entry_flags"].create({"entry": str, "flag": str, "since": str, "commit": str, "detail": str},
                             pk=("entry", "flag"))


@migrations()
def m005_review_details(db):
    db["users"].add_column("email", str)
    for column in ("description", "problems", "conflicts"):
        db["change_requests"].add_column(column, str)
    db["change_requests"].add_column("valid", int)
    db["change_requests"].create_index(["branch"], unique=True)
    db["change_requests"].create_index(["state"])


@migrations()
def m006_feedback_units(db):
    # The unit of the entry opened from a search, so that each unit sees the searches that reach it.
    db["search_log"].add_column("unit", str)
    db["search_log"].create_index(["opened"])
    db["votes"].create_index(["entry"])
    db["tasks"].create_index(["entry", "state"])


@migrations()
def m007_sign_in(db):
    # Every log-in, failure, lock, unlock, sign-out and account change (shown on the users page).
    db["auth_events"].create({"id": int, "at": str, "event": str, "username": str, "client": str, "via": str,
                              "actor": str, "detail": str}, pk="id")
    for columns in (["username", "event", "at"], ["client", "event", "at"], ["at"]):
        db["auth_events"].create_index(columns)
    # A lock on an account (scope "account") or a client address (scope "client") after failed log-ins.
    # since_event / lifted_event: the audit events that began and lifted it (failures count only after).
    db["login_locks"].create({"id": int, "scope": str, "key": str, "since": str, "until": str, "lifted": str,
                              "lifted_by": str, "since_event": int, "lifted_event": int}, pk="id")
    db["login_locks"].create_index(["scope", "key"])
    # Server-side sessions of the app; only a hash of the token is stored.
    db["sessions"].create({"token_hash": str, "username": str, "created": str, "last_seen": str, "ended": str,
                           "end_reason": str, "client": str, "user_agent": str}, pk="token_hash")
    db["sessions"].create_index(["username"])


@migrations()
def m008_api_keys(db):
    # Keys of other systems using the JSON API (kb apikey); only a hash of each key is kept.
    db["api_keys"].create({"name": str, "role": str, "key_hash": str, "prefix": str, "rate": int, "created": str,
                           "revoked": str, "note": str}, pk="name", not_null={"role", "key_hash"})
    db["api_keys"].create_index(["key_hash"], unique=True)


@migrations()
def m009_request_outcomes(db):
    # How each request taken in the agent console ended: answered from the KB, dispatched, transferred.
    db["request_outcomes"].create({"id": int, "at": str, "text": str, "outcome": str, "entry": str, "line": str,
                                   "topic": str, "unit": str, "suggested": str, "urgency": str, "username": str,
                                   "role": str}, pk="id")
    db["request_outcomes"].create_index(["at"])


@migrations()
def m010_dispatch_history(db):
    # Confirmed dispatches, upheld objections and imported work orders (kb_app.dispatch_history).
    db["dispatch_history"].create({"id": int, "at": str, "text": str, "entry": str, "source": str, "rank": int,
                                   "username": str, "region": str, "note": str, "key": str}, pk="id")
    db["dispatch_history"].create_index(["at"])
    db["dispatch_history"].create_index(["entry"])
    db["dispatch_history"].create_index(["key"], unique=True)


@migrations()
def m011_search_evidence(db):
    # A vote names the search it followed, and an agent marks an answer taken for the call, so that
    # a query can be tied to the answer that answered it (kb_app.usage.suggest).
    db["votes"].add_column("search", int)
    db["votes"].create_index(["search"])
    db["search_log"].add_column("used", int)


@migrations()
def m012_votes_per_session_no_contact(db):
    # One vote per answer per browser session: the vote names its session (a digest of a random
    # session key), and the database refuses a second vote of that session on that entry.
    db["votes"].add_column("voter", str)
    db.execute("create unique index if not exists idx_votes_entry_voter on votes (entry, voter) "
               "where voter is not null")
    # Error reports no longer take a contact; contacts kept before are deleted (see README, privacy).
    db.execute("update reports set contact = null where contact is not null")


@migrations()
def m013_vote_query(db):
    # The public site logs searches and opened answers in batches, apart from each other; a vote
    # carries the (masked) query its answer was found by instead (kb_app.usage.suggest.evidence).
    db["votes"].add_column("query", str)


@migrations()
def m014_weak_searches(db):
    # A search whose results are about none of what it names (kb_app.search.coverage) is marked, so
    # that it reaches the center's missing answers like a search that found nothing.
    db["search_log"].add_column("weak", int)


@migrations()
def m015_alarm_searches(db):
    # A public search that was told an emergency line to call (kb.public_alarm) is no missing answer: the
    # knowledge base is not meant to answer 有人晕倒了, and the center's list of gaps leaves it out.
    db["search_log"].add_column("alarm", int)


@migrations()
def m016_alarm_reports(db):
    # An error report whose text reads as an emergency (kb.public_alarm, as a search is read: 不想活了, 着火了):
    # what it reads as and the line the page told the reporter to call, so that the staff reading it know it
    # is not only a correction.
    db["reports"].add_column("alarm", str)
    db["reports"].add_column("alarm_line", str)


@migrations()
def m017_open_tasks_index(db):
    # The open error reports of every entry, read for the agents' “有纠错待处理” marks whenever the database
    # has changed (kb_app.review.pending): found by the index, not by reading every task ever opened.
    db["tasks"].create_index(["state", "kind", "entry"])


@migrations()
def m018_flag_reasons(db):
    # The reasons of a “依据已变更，待核” mark by reference (JSON; kb_app.review.impact.Reason): a later
    # renumbering moves their article numbers, and their text (``detail``) is rendered from them.
    db["entry_flags"].add_column("reasons", str)


@migrations()
def m019_outcome_calls(db):
    # The call a request outcome belongs to (a random token of the agent's call, not a person): a call is counted
    # once, answered or dispatched, however many times an answer was taken for it (kb_app.usage.feedback).
    db["request_outcomes"].add_column("call", str)
    db["request_outcomes"].create_index(["call"])


@migrations()
def m020_search_askers(db):
    # Who asked, while a repeat of the same search can still be recognised: a digest of an API key, of a platform's
    # user or of an agent's call, never an address. The same search of one asker within minutes is logged once.
    # Cleared once that time has passed (kb_app.usage.feedback); the partial index holds only those rows.
    db["search_log"].add_column("asker", str)
    db.execute("create index if not exists idx_search_log_asker on search_log (asker, query) "
               "where asker is not null")


@migrations()
def m021_provisional_task_due(db):
    # A task opened while the calendar lacks a year its due date runs into: due on a provisional date (counted as
    # kb_app.workcalendar counts an unknown year, never later than the published arrangement will give), made
    # final once the year is in the calendar.
    db["tasks"].add_column("due_provisional", int, not_null_default=0)


@migrations()
def m022_outcomes_per_matter(db):
    # A call that tells two matters (a question answered and a report dispatched, or two reports) ends in one
    # row per matter: 0 for the call's first, 1, 2 … for the others, each settled once (kb_app.usage.feedback).
    db["request_outcomes"].add_column("matter", int, not_null_default=0)


@migrations()
def m023_feedback_addresses(db):
    # A public vote or error report names the client address it came from, as a digest of the address and the day
    # (never the address), for the rest of that day: a repeat from one address on one answer is counted once, so that
    # a script dropping its cookie cannot stuff votes nor open tasks (kb_app.usage.feedback). Cleared the next day.
    db["votes"].add_column("address", str)
    db["reports"].add_column("address", str)
    db.execute("create index if not exists idx_votes_entry_address on votes (entry, address) where address is not null")
    db.execute("create index if not exists idx_reports_entry_address on reports (entry, address) "
               "where address is not null")


@migrations()
def m024_dispatch_history_removals(db):
    # Each record taken out of the dispatch history (a dispatch withdrawn by its agent, a wrong record removed by the
    # center): who removed which record of which entry, when (the record's text goes with it). The model of the
    # history in memory notices a removal by this table's highest id, without counting the history's rows.
    db["dispatch_history_removals"].create({"id": int, "at": str, "record": int, "entry": str, "source": str,
                                            "username": str, "removed_by": str}, pk="id")


@migrations()
def m025_outcomes_replaced(db):
    # A call answered from the search and then dispatched is one row, the dispatch; the answer it replaced is kept
    # with it (JSON of the row as it was, which may itself hold what it replaced), so that the dispatch taken back
    # (撤销本次派单) leaves the call answered as before rather than not settled at all (kb_app.usage.feedback).
    db["request_outcomes"].add_column("replaced", str)


#: What to do about a damaged workflow database (or content repository).
RESTORE = "请停止应用，用 kb restore 从最近的备份恢复"

#: SQLite's primary result codes that mean the database file cannot be used as it is (and a few more it says).
_PERM, _BUSY, _LOCKED, _NOMEM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _PROTOCOL, _NOLFS, _NOTADB = \
    3, 5, 6, 7, 8, 10, 11, 13, 14, 15, 22, 26

#: What SQLite's failures mean, said to the person: its own words are English (they go to the log only).
_SQLITE_REASONS = {_NOTADB: "文件已无法识别为数据库", _CORRUPT: "数据库文件的结构错乱", _BUSY: "数据库正被其他进程占用",
                   _LOCKED: "数据表正被占用", _READONLY: "数据库只能读、不能写", _FULL: "磁盘空间已满",
                   _CANTOPEN: "数据库文件打不开", _IOERR: "磁盘读写出错", _PERM: "没有访问权限", _NOMEM: "内存不足",
                   _PROTOCOL: "文件锁出错", _NOLFS: "文件太大，系统不支持"}
#: SQLite's words for them, for an error that carries no code (or only its text is at hand).
_SQLITE_WORDS = (("not a database", _NOTADB), ("malformed", _CORRUPT), ("database is locked", _BUSY),
                 ("is locked", _LOCKED), ("readonly", _READONLY), ("read-only", _READONLY), ("is full", _FULL),
                 ("unable to open", _CANTOPEN), ("i/o error", _IOERR), ("permission", _PERM),
                 ("out of memory", _NOMEM), ("locking protocol", _PROTOCOL), ("large file", _NOLFS))
#: What is said of an SQLite failure none of the above names.
SQLITE_UNKNOWN = "数据库出现了无法识别的错误"


def sqlite_reason(error: sqlite3.Error | str) -> str:
    """What an SQLite error (or SQLite's words of one) means, as a short phrase in Chinese: by its result code
    when it has one, else by its words; :data:`SQLITE_UNKNOWN` for any other."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code not in _SQLITE_REASONS:
        text = str(error).lower()
        code = next((c for words, c in _SQLITE_WORDS if words in text), 0)
    return _SQLITE_REASONS.get(code, SQLITE_UNKNOWN)


def unusable(error: sqlite3.Error, path) -> DatabaseUnusable | None:
    """What an SQLite error means to the person when the database file cannot be used as it is — no
    permission to write it, damaged, cannot be opened, disk full — and what to do; None for any other error.
    SQLite's own words are kept as the error's ``detail``, for the log."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    path, detail, reason = Path(path), str(error), sqlite_reason(error)
    if code in (_CORRUPT, _NOTADB):
        return DatabaseUnusable(f"流程数据库“{path}”已损坏（{reason}）：{RESTORE}；"
                                "kb doctor 列出损坏之处和其余各项的检查结果。", detail, damaged=True, reason=reason)
    if code == _FULL:
        return DatabaseUnusable(f"无法写入流程数据库“{path}”：磁盘空间已满。请腾出空间后重试。", detail, reason=reason)
    if code not in (_PERM, _READONLY, _CANTOPEN, _IOERR):
        return None
    user = _user()
    grant = (f"让运行 kb 的用户（{user}）能读写数据目录和其中的文件（如 chown -R {user} {path.parent}，"
             f"chmod -R u+rwX {path.parent}），然后重试")
    locked = next((p for p in (path.parent, *database_files(path)) if p.exists() and not _writable(p)), None)
    if locked == path.parent:
        return DatabaseUnusable(f"无法写入流程数据库“{path}”：数据目录“{locked}”没有写权限（数据库要在其中写 "
                                f"{path.name}-wal、{path.name}-shm）。请{grant}。", detail, reason=reason)
    if locked or code in (_PERM, _READONLY):
        where = ("文件没有写权限" if locked == path else f"“{locked}”没有写权限" if locked
                 else "没有写权限（或者所在的文件系统是只读的）")
        return DatabaseUnusable(f"无法写入流程数据库“{path}”：{where}。请{grant}。", detail, reason=reason)
    if code == _CANTOPEN:
        return DatabaseUnusable(f"无法打开流程数据库“{path}”：请检查数据目录是否存在，{grant}。", detail, reason=reason)
    return DatabaseUnusable(f"读写流程数据库“{path}”时出错（{reason}），多半是磁盘或文件系统的故障：请检查磁盘，"
                            f"再用 kb doctor 检查数据库是否完好。", detail, reason=reason)


def database_files(path) -> list[Path]:
    """The database file and the two SQLite keeps beside it in WAL mode."""
    path = Path(path)
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _telling(method):
    """``method`` of a connection or cursor, raising what :func:`unusable` makes of an error it meets."""

    @functools.wraps(method)
    def run(self, *args):
        try:
            return method(self, *args)
        except sqlite3.DatabaseError as e:
            raise unusable(e, (self if isinstance(self, Connection) else self.connection).path) or e

    return run


class Cursor(sqlite3.Cursor):
    """A cursor whose errors meaning that the file cannot be used (:func:`unusable`) are a
    :class:`DatabaseUnusable` naming the file, wherever they come: opening, reading or writing."""

    execute = _telling(sqlite3.Cursor.execute)
    executemany = _telling(sqlite3.Cursor.executemany)
    executescript = _telling(sqlite3.Cursor.executescript)
    fetchone = _telling(sqlite3.Cursor.fetchone)
    fetchmany = _telling(sqlite3.Cursor.fetchmany)
    fetchall = _telling(sqlite3.Cursor.fetchall)
    __next__ = _telling(sqlite3.Cursor.__next__)


class Connection(sqlite3.Connection):
    """A connection to the workflow database at ``path`` whose statements run on a :class:`Cursor`."""

    path: Path

    def cursor(self, factory=Cursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script, /):
        return self.cursor().executescript(script)

    commit = _telling(sqlite3.Connection.commit)


def open_connection(path, **options) -> Connection:
    """A plain connection to the database file at ``path`` (not created, not migrated), its errors told
    as :func:`unusable` says."""
    path = Path(path)
    try:
        conn = sqlite3.connect(str(path), timeout=30, factory=Connection, **options)
    except sqlite3.Error as e:
        raise unusable(e, path) or e
    conn.path = path
    return conn


def integrity_problems(path) -> list[str]:
    """What SQLite's integrity check finds wrong in a database file that no one is writing (a backup's
    copy), opened read-only; empty when it is whole, what the failure means (:func:`sqlite_reason`) when it is
    too damaged to check."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("pragma integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return [sqlite_reason(e)]
    return [] if rows == ["ok"] else rows


@functools.cache
def known() -> tuple[str, ...]:
    """The migrations this version knows, in order (all of them are pending on an empty database): the
    database's version is how many of them it has had."""
    empty = sqlite_utils.Database(memory=True)
    try:
        return tuple(m.name for m in migrations.pending(empty))
    finally:
        empty.conn.close()


def applied(db) -> list[str]:
    """The migrations a database has had, in order; a :class:`DatabaseUnusable` when it has had one this
    version does not know: a newer version of kb brought it up, and this one might write what that one
    cannot read."""
    names = [m.name for m in migrations.applied(db)]
    if unknown := [n for n in names if n not in known()]:
        path = db.conn.path if isinstance(db.conn, Connection) else "kb.db"
        raise DatabaseUnusable(
            f"流程数据库“{path}”由较新版本的 kb 升级过（第 {len(names)} 版，本版本不认识其中的 {'、'.join(unknown)}；"
            f"本版本只到第 {len(known())} 版）：请改用新版本，或从升级前的备份恢复（kb restore）。"
            "同一个数据目录上不能同时运行新旧两个版本。")
    return names


def create_private(path):
    """Create an empty file only its owner may read and write, unless it exists. The database holds
    password hashes, API key digests and the log-in audit; SQLite gives the ``-wal`` and ``-shm`` files
    it creates the mode of the database file."""
    path = Path(path)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def connect(path) -> sqlite_utils.Database:
    """Open the database (creating and migrating it); one connection per operation or thread.

    Writers wait for each other up to 30 s (busy timeout) in WAL mode, where readers never wait.
    Migrations run under a file lock, so processes that start together on a new database do not
    create the same tables twice. A new database is readable by its owner only. A database that cannot
    be used — no permission to write it, damaged — is a :class:`DatabaseUnusable` saying which file and
    what to do.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    except OSError as e:
        raise DatabaseUnusable(file_problem(e)) from e
    conn = open_connection(path, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        db = sqlite_utils.Database(conn)
        if len(applied(db)) < len(known()):
            with open(path.with_name(path.name + ".migrate.lock"), "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if len(before := applied(db)) < len(known()):
                    migrations.apply(db)
                    if before:  # an existing database brought up to this version (a new one is no news)
                        log.info("已将流程数据库“%s”从第 %d 版升级到第 %d 版（%s）。", path, len(before), len(known()),
                                 "、".join(n for n in known() if n not in before))
    except OSError as e:
        conn.close()
        raise DatabaseUnusable(file_problem(e)) from e
    except BaseException:
        conn.close()
        raise
    return db


@contextlib.contextmanager
def transaction(path, write: bool = True):
    """A fresh connection running the ``with`` block as one transaction, committed and closed at the end.

    ``write`` takes the write lock at once (``BEGIN IMMEDIATE``, waiting up to the busy timeout), so
    what the block reads cannot change before it writes; ``write=False`` reads one consistent state
    without ever waiting. An exception rolls everything back; the connection is closed either way.
    sqlite-utils calls inside the block (``insert``, ``update``, ``db.atomic()``) nest as savepoints.
    """
    db = connect(path)
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    else:
        if conn.in_transaction:
            conn.commit()
    finally:
        conn.close()
