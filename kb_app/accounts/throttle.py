"""Log-in throttling: too many failed log-ins for one account, or from one client address, lock it.

After ``MAX_FAILURES`` failed log-ins within ``WINDOW`` for one account (by any route: the app or
``--as`` on the command line), or ``MAX_CLIENT_FAILURES`` from one client address (the app), every
further attempt is refused for ``LOCK_TIME`` — also with the right password — with a message that says
for how long. An address is given more: a call centre's agents often reach the app from one address,
and one agent's typos must not lock out the others; guessing across accounts from it still stops.
An administrator lifts a lock early (``kb user unlock``). A successful log-in starts the account's
count afresh, but not the address's, so an attacker's own account cannot reset a spraying address.
Locks are kept per user name as typed, whether or not the account exists, so they reveal nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading

from .audit import MAX_NAME
from ..exceptions import AuthError

MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
LOCK_TIME = dt.timedelta(minutes=15)
SCOPES = {"account": "账号", "client": "地址"}
# One password check at a time in this process, so parallel guesses cannot slip past the count
# while a hash is being verified (a check takes tens of milliseconds).
_serial = threading.Lock()


class LoginLocked(AuthError):
    """登录失败次数过多，暂时不能登录。"""

    def __init__(self, message: str, minutes: int):
        super().__init__(message)
        self.minutes = minutes


@dataclasses.dataclass(frozen=True)
class Lock:
    """An account or a client address that may not log in until ``until``."""

    id: int
    scope: str
    key: str
    since: str
    until: str

    def minutes_left(self, now: dt.datetime) -> int:
        """Whole minutes until the lock ends, rounded up (at least 1)."""
        return max(1, math.ceil((dt.datetime.fromisoformat(self.until) - now).total_seconds() / 60))

    @property
    def label(self) -> str:
        return f"{SCOPES[self.scope]}“{self.key}”"

    def message(self, now: dt.datetime) -> str:
        """What the person trying to log in is told."""
        minutes = self.minutes_left(now)
        if self.scope == "account":
            return (f"登录失败次数过多，账号“{self.key}”已暂时锁定：请 {minutes} 分钟后再试；"
                    "如需立即解锁，请联系管理员。")
        return (f"登录失败次数过多，来自您所在地址（{self.key}）的登录已暂时停止：请 {minutes} 分钟后再试；"
                "如需立即解锁，请联系管理员。")

    def refusal(self, now: dt.datetime) -> LoginLocked:
        return LoginLocked(self.message(now), self.minutes_left(now))


def _name(username: str | None) -> str:
    """A user name as typed, the way it is checked: spaces around it do not make another account."""
    return (username or "").strip()[:MAX_NAME]


def _keys(username: str, client: str | None):
    yield "account", username
    if client:
        yield "client", client


class Throttle:
    """Counts failed log-ins and keeps the ``login_locks`` table."""

    def __init__(self, kb):
        self.kb = kb

    def guard(self, username: str, client: str | None, via: str, verify):
        """Run ``verify()`` (a password check raising AuthError) unless locked; record what happened."""
        username = _name(username)
        with _serial:
            now = self.kb.now()
            db = self.kb.db()
            for scope, key in _keys(username, client):
                lock = self._active(db, scope, key, now)
                if lock is not None:
                    self.kb.audit.record("refused", username, client, via,
                                         detail=f"{lock.label}锁定中，还剩 {lock.minutes_left(now)} 分钟")
                    raise lock.refusal(now)
            try:
                user = verify()
            except AuthError as e:
                self._failed(db, username, client, via, str(e), now)
                raise
            self.kb.audit.record("login", user.username, client, via)
            return user

    def _failed(self, db, username, client, via, reason, now):
        failure = self.kb.audit.record("failed", username, client, via, detail=reason, db=db)
        locks = []
        for scope, key in _keys(username, client):
            failures = db.execute(
                f"select count(*) from auth_events where event = 'failed' and {self._column(scope)} = ? "
                "and id > ? and at > ?", [key, self._count_after(db, scope, key), (now - WINDOW).isoformat()]
            ).fetchone()[0]
            if failures >= (MAX_FAILURES if scope == "account" else MAX_CLIENT_FAILURES):
                until = now + LOCK_TIME
                row = {"scope": scope, "key": key, "since": now.isoformat(), "until": until.isoformat(),
                       "lifted": None, "lifted_by": "", "since_event": failure, "lifted_event": None}
                lock = _lock({**row, "id": db["login_locks"].insert(row).last_pk})
                self.kb.audit.record("locked", username, client, via, db=db,
                                     detail=f"{WINDOW.seconds // 60} 分钟内 {failures} 次登录失败，{lock.label}"
                                            f"锁定至 {until:%Y-%m-%d %H:%M}")
                locks.append(lock)
        if locks:
            raise locks[0].refusal(now)

    @staticmethod
    def _column(scope: str) -> str:
        return "username" if scope == "account" else "client"

    @staticmethod
    def _count_after(db, scope, key) -> int:
        """Failures after this audit event count: the last lock or unlock, an account's last log-in."""
        row = db.execute("select max(since_event), max(lifted_event) from login_locks "
                         "where scope = ? and key = ?", [scope, key]).fetchone()
        marks = [v for v in row if v]
        if scope == "account":
            marks.append(db.execute("select max(id) from auth_events where event = 'login' and username = ?",
                                    [key]).fetchone()[0] or 0)
        return max(marks, default=0)

    def _active(self, db, scope, key, now) -> Lock | None:
        rows = list(db["login_locks"].rows_where("scope = ? and key = ? and lifted is null and until > ?",
                                                 [scope, key, now.isoformat()], order_by="until desc",
                                                 limit=1))
        return _lock(rows[0]) if rows else None

    def active_locks(self) -> list[Lock]:
        """Every lock in force now, the newest first."""
        rows = self.kb.db()["login_locks"].rows_where("lifted is null and until > ?",
                                                      [self.kb.now().isoformat()], order_by="id desc")
        return [_lock(r) for r in rows]

    def unlock(self, scope: str, key: str, actor: str, via: str) -> list[Lock]:
        """Lift the locks in force on an account or an address (and start its count afresh)."""
        now = self.kb.now()
        db = self.kb.db()
        lifted = [lock for lock in self.active_locks() if lock.scope == scope and lock.key == key]
        if lifted:
            username, client = (key, None) if scope == "account" else ("", key)
            event = self.kb.audit.record("unlocked", username, client, via, actor, db=db,
                                         detail=f"{lifted[0].label}提前解锁（原定 {lifted[0].until[11:16]} 解锁）")
            with db.conn:
                for lock in lifted:
                    db["login_locks"].update(lock.id, {"lifted": now.isoformat(), "lifted_by": actor,
                                                       "lifted_event": event})
        return lifted


def _lock(row: dict) -> Lock:
    """A Lock from a row of ``login_locks``."""
    return Lock(row["id"], row["scope"], row["key"], row["since"], row["until"])
