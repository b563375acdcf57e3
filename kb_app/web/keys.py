"""API keys of other systems (``kb apikey``): issued once, stored only as a hash, revocable.

A key is ``kb_`` followed by 43 URL-safe characters (256 random bits). The database keeps its
SHA-256 and its first characters (to recognise it in a list); the key itself is shown once when it is
issued. Roles: ``agent`` (the hotline's call-center software: agent search, notes, dispatch) and
``partner`` (portals and apps: the public API at a higher rate). Each key has a rate limit in
requests per minute: its own, or the role's default from the settings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets

from ..cache import TtlCache
from ..exceptions import KbError
from ..labels import API_ROLE_LABELS

ROLES = API_ROLE_LABELS
PREFIX = "kb_"
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{1,39}")
#: Seconds a worker trusts what it read about a key (a revoked key stops working within this time).
LOOKUP_TTL = 10.0
_UNKNOWN = object()


class ApiKeyError(KbError):
    """API 密钥操作有误。"""


@dataclasses.dataclass(frozen=True)
class ApiKey:
    """One issued key, without the key itself."""

    name: str
    role: str
    prefix: str
    rate: int | None
    created: str
    revoked: str | None
    note: str = ""

    @property
    def active(self) -> bool:
        return not self.revoked

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def key_hash(key: str) -> str:
    """The stored form of a key (keys are random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    """The API keys of one knowledge base (``kb.api_keys``)."""

    def __init__(self, kb):
        self.kb = kb
        #: Answers by key hash (None for an unknown key), trusted for ``LOOKUP_TTL`` seconds.
        self._seen = TtlCache(10_000, LOOKUP_TTL)

    def _db(self, write: bool = True):
        return self.kb.db_transaction(write=write)

    def add(self, name: str, role: str, rate: int | None = None, note: str = "") -> str:
        """Issue a key; returns it (the only time it is available)."""
        name = (name or "").strip()
        if not NAME_RE.fullmatch(name):
            raise ApiKeyError(f"密钥名称“{name}”无效：请用 2–40 个小写字母、数字、连字符或下划线，例如 city-portal。")
        if role not in ROLES:
            raise ApiKeyError(f"角色“{role}”无效：应为 agent（坐席系统）或 partner（合作平台）。")
        if rate is not None and rate < 1:
            raise ApiKeyError("速率限制应为每分钟至少 1 次请求。")
        key = PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            if db["api_keys"].count_where("name = ? and revoked is null", [name]):
                raise ApiKeyError(f"密钥“{name}”已存在：请换一个名称，或先用 kb apikey revoke {name} 吊销旧密钥。")
            if db["api_keys"].count_where("name = ?", [name]):
                # The logs and the metrics tell callers apart by name: a name is never given twice.
                raise ApiKeyError(f"名称“{name}”属于一个已吊销的密钥，名称不再重复使用（日志按名称区分调用方）："
                                  f"请换一个名称，例如 {name}-2。")
            db["api_keys"].insert({"name": name, "role": role, "key_hash": key_hash(key), "prefix": key[:8],
                                   "rate": rate, "created": self.kb.now().isoformat(timespec="seconds"),
                                   "revoked": None, "note": note or ""})
        return key

    def list(self) -> list[ApiKey]:
        """Every key, active ones first."""
        with self._db(write=False) as db:
            rows = list(db["api_keys"].rows_where(order_by="revoked is not null, name"))
        return [self._key(r) for r in rows]

    def revoke(self, name: str) -> ApiKey:
        """Revoke a key by name; it stops working within ``LOOKUP_TTL`` seconds everywhere (on replicas
        too, unless they cannot reach the primary: see ``follow.KEY_GRACE``)."""
        with self._db() as db:
            rows = list(db["api_keys"].rows_where("name = ?", [name]))
            if not rows:
                raise ApiKeyError(f"没有名为“{name}”的密钥：用 kb apikey list 查看现有密钥。")
            if rows[0]["revoked"]:
                raise ApiKeyError(f"密钥“{name}”已于 {rows[0]['revoked']} 吊销。")
            db["api_keys"].update(name, {"revoked": self.kb.now().isoformat(timespec="seconds")})
        self._seen.clear()
        return next(k for k in self.list() if k.name == name)

    def verify(self, key: str) -> ApiKey | None:
        """The active key a presented key string belongs to, or None."""
        if not key or not key.startswith(PREFIX) or len(key) > 200:
            return None
        return self.verify_hash(key_hash(key))

    def verify_hash(self, digest: str, fresh: bool = False) -> ApiKey | None:
        """The active key with this SHA-256, or None; ``fresh`` reads the database whatever was read
        before (a replica asking, which trusts the answer for ``LOOKUP_TTL`` seconds itself)."""
        found = _UNKNOWN if fresh else self._seen.get(digest, _UNKNOWN)
        if found is _UNKNOWN:
            with self._db(write=False) as db:
                rows = list(db["api_keys"].rows_where("key_hash = ? and revoked is null", [digest]))
            found = self._key(rows[0]) if rows else None
            self._seen.put(digest, found)
        return found

    @staticmethod
    def _key(row: dict) -> ApiKey:
        return ApiKey(row["name"], row["role"], row["prefix"], row["rate"], row["created"], row["revoked"],
                      row.get("note") or "")
