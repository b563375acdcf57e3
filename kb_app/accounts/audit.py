"""The audit trail of accounts: every log-in, failure, lock, unlock, sign-out and account change."""

from __future__ import annotations

import dataclasses

from ..labels import AUTH_EVENT_LABELS, VIA_LABELS

EVENTS = AUTH_EVENT_LABELS
VIA = VIA_LABELS
# Whatever a person typed as a user name is kept, but not without bound.
MAX_NAME = 80


@dataclasses.dataclass(frozen=True)
class AuthEvent:
    """One line of the audit trail."""

    id: int
    at: str
    event: str
    username: str
    client: str
    via: str
    actor: str
    detail: str

    @property
    def label(self) -> str:
        return EVENTS.get(self.event, self.event)

    def row(self) -> dict:
        """The event as a table row with Chinese headings (users page)."""
        return {"时间": self.at.replace("T", " "), "事件": self.label, "账号": self.username,
                "地址": self.client, "途径": VIA.get(self.via, self.via), "操作人": self.actor, "说明": self.detail}


class Audit:
    """The ``auth_events`` table of the workflow database."""

    def __init__(self, kb):
        self.kb = kb

    def record(self, event: str, username: str = "", client: str | None = None, via: str = "",
               actor: str = "", detail: str = "", db=None) -> int:
        """Append one event (on the caller's connection when ``db`` is given); its id."""
        assert event in EVENTS, event
        row = {"at": self.kb.now().isoformat(), "event": event, "username": (username or "")[:MAX_NAME],
               "client": client or "", "via": via, "actor": actor, "detail": detail}
        return (db or self.kb.db())["auth_events"].insert(row).last_pk

    def list(self, username: str | None = None, limit: int = 200) -> list[AuthEvent]:
        """The newest events first, of one account or of all."""
        where, args = ("username = ?", [username]) if username else (None, None)
        rows = self.kb.db()["auth_events"].rows_where(where, args, order_by="id desc", limit=limit)
        return [AuthEvent(**r) for r in rows]
