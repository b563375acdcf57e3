"""Server-side sessions of the app: a random token in the browser, only its hash in the database.

A session lives until its user signs out, stays idle longer than the ``session_idle_hours`` setting,
is disabled or gets a new password; every check of a session counts as activity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets

# Activity is written at most this often, not on every click.
TOUCH_EVERY = dt.timedelta(minutes=1)
# Ended sessions are kept this long (the audit trail keeps the history), then deleted.
KEEP_ENDED = dt.timedelta(days=30)
#: Characters of a token's hash that name its session to an administrator (64 bits: no two alike).
REF_CHARS = 16


def token_hash(token: str) -> str:
    """What the database keeps of a token (a token is 256 random bits, so a plain hash suffices)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Session:
    """A session in force (for the users page; never carries the token)."""

    username: str
    created: str
    last_seen: str
    client: str
    user_agent: str
    #: What names the session to an administrator ending it: the start of its token's hash.
    ref: str = ""

    @property
    def browser(self) -> str:
        """The browser and system the session was signed in from, as a person names them (Chrome 131 ·
        Windows); the full User-Agent string stays in the database."""
        return browser_name(self.user_agent)


#: (name, pattern giving its version) in the order to try: Edge and Opera also say Chrome, Chrome says Safari.
_BROWSERS = (("Edge", r"Edg(?:e|A|iOS)?/(\d+)"), ("Opera", r"OPR/(\d+)"), ("360浏览器", r"QIHU 360\w*()"),
             ("QQ浏览器", r"QQBrowser/(\d+)"), ("微信", r"MicroMessenger/(\d+)"), ("Firefox", r"Firefox/(\d+)"),
             ("Chrome", r"(?:Chrome|CriOS|HeadlessChrome)/(\d+)"), ("Safari", r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"))
_SYSTEMS = (("Android", "Android"), ("iOS", "iPhone|iPad|iPod"), ("Windows", "Windows"), ("macOS", "Mac OS X|Macintosh"),
            ("HarmonyOS", "HarmonyOS|OpenHarmony"), ("Linux", "Linux|X11"))


def browser_name(user_agent: str | None) -> str:
    """``Chrome 131 · Windows`` from a User-Agent string; 未知 for what cannot be read."""
    ua = user_agent or ""
    name = next((f"{n} {m.group(1)}".strip() for n, pattern in _BROWSERS if (m := re.search(pattern, ua))), "")
    system = next((s for s, pattern in _SYSTEMS if re.search(pattern, ua)), "")
    return " · ".join(part for part in (name, system) if part) or "未知"


class Sessions:
    """The ``sessions`` table of the workflow database."""

    def __init__(self, kb):
        self.kb = kb

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(hours=self.kb.settings.session_idle_hours)

    def start(self, user, client: str | None = None, user_agent: str = "") -> str:
        """Open a session for a user who has just logged in; the token goes into the browser's cookie."""
        token = secrets.token_urlsafe(32)
        now = self.kb.now()
        db = self.kb.db()
        with db.conn:
            db.execute("delete from sessions where ended is not null and ended < ?",
                       [(now - KEEP_ENDED).isoformat()])
            db["sessions"].insert({"token_hash": token_hash(token), "username": user.username,
                                   "created": now.isoformat(), "last_seen": now.isoformat(), "ended": None,
                                   "end_reason": "", "client": client or "",
                                   "user_agent": (user_agent or "")[:200]})
        return token

    def resume(self, token: str | None):
        """The user of a session in force (and note the activity), or None."""
        db = self.kb.db()
        row = self._open_row(db, token)
        if row is None:
            return None
        now = self.kb.now()
        last_seen = dt.datetime.fromisoformat(row["last_seen"])
        if now - last_seen > self.idle:
            self._end(db, [row["token_hash"]], "idle", now)
            self.kb.audit.record("expired", row["username"], row["client"], "app",
                                 detail=f"超过 {self.kb.settings.session_idle_hours} 小时未操作")
            return None
        user = self.kb.users.get(row["username"])
        if user is None or user.disabled:
            self._end(db, [row["token_hash"]], "gone" if user is None else "disabled", now)
            return None
        if now - last_seen >= TOUCH_EVERY:
            db["sessions"].update(row["token_hash"], {"last_seen": now.isoformat()})
        return user

    def end(self, token: str | None, client: str | None = None) -> str | None:
        """Sign out: end the session of this token; the user name it belonged to, if any."""
        db = self.kb.db()
        row = self._open_row(db, token)
        if row is None:
            return None
        self._end(db, [row["token_hash"]], "logout", self.kb.now())
        self.kb.audit.record("logout", row["username"], client, "app")
        return row["username"]

    def end_all(self, username: str, reason: str, db=None) -> int:
        """End every session of a user at once (password changed, account disabled); how many ended."""
        db = db or self.kb.db()
        rows = db["sessions"].rows_where("username = ? and ended is null", [username])
        hashes = [r["token_hash"] for r in rows]
        self._end(db, hashes, reason, self.kb.now())
        return len(hashes)

    @staticmethod
    def _open_row(db, token):
        """The row of a session not yet ended with this token, or None."""
        if not token:
            return None
        rows = list(db["sessions"].rows_where("token_hash = ? and ended is null", [token_hash(token)]))
        return rows[0] if rows else None

    def _end(self, db, hashes, reason, now):
        with db.atomic():       # a savepoint inside a caller's transaction (disabling an account), else its own
            for h in hashes:
                db["sessions"].update(h, {"ended": now.isoformat(), "end_reason": reason})

    def active(self) -> list[Session]:
        """Sessions in force now (not idle too long), the most recently used first."""
        since = (self.kb.now() - self.idle).isoformat()
        rows = self.kb.db()["sessions"].rows_where("ended is null and last_seen >= ?", [since],
                                                   order_by="last_seen desc")
        return [Session(r["username"], r["created"], r["last_seen"], r["client"], r["user_agent"],
                        r["token_hash"][:REF_CHARS]) for r in rows]

    def end_one(self, ref: str, actor: str, via: str = "app") -> Session | None:
        """End the session in force named by ``ref`` (``Session.ref``: a stolen laptop, a shared computer
        left signed in), recorded in the audit trail with who ended it; None when it is no longer in force."""
        db = self.kb.db()
        rows = list(db["sessions"].rows_where("substr(token_hash, 1, ?) = ? and ended is null",
                                              [REF_CHARS, ref])) if len(ref or "") == REF_CHARS else []
        if len(rows) != 1:
            return None
        row = rows[0]
        with db.conn:
            self._end(db, [row["token_hash"]], "ended", self.kb.now())
            self.kb.audit.record("ended", row["username"], row["client"], via, actor, db=db,
                                 detail=f"结束了 {row['client'] or '未知地址'} 上 {browser_name(row['user_agent'])} 的会话")
        return Session(row["username"], row["created"], row["last_seen"], row["client"], row["user_agent"], ref)
