"""One worker's state for the public site and API: the facade, caches, limits, logs and metrics.

Everything a request needs beyond its own parameters comes from a :class:`Site`: the commit of
main the index serves and the day (which together key the rendered-response cache and the
``ETag``), who the client is (an API key or an address) and whether its rate allows the request,
the batched search log, and the counters behind ``/metrics``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import ipaddress
import logging
import math
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..cache import LruCache, TtlCache
from ..exceptions import ConfigError, DatabaseUnusable, KbError
from .errors import HttpError
from .keys import ApiKey
from .metrics import Metrics
from .ratelimit import RateLimiter
from .timing import pause

log = logging.getLogger(__name__)

#: Rendered responses kept per worker, and how long one is trusted (flags and check dates are not in the key).
CACHE_ITEMS = 4096
CACHE_BYTES = 16 * 1024 * 1024
CACHE_TTL = 60.0
#: Search-log rows are written in batches, at most this often (seconds) or this many at once.
LOG_INTERVAL = 1.0
LOG_BATCH = 500
LOG_BACKLOG = 20_000
#: The same search, or the same answer opened, by the same anonymous address within this many seconds
#: is logged once (a reload, the back button, a search pressed twice), in memory only.
REPEAT_SECONDS = 600.0
REPEAT_ITEMS = 50_000


UNAVAILABLE = "知识库索引暂时无法提供服务（正在建立或已损坏）：请稍后再试；管理员可运行 kb index --rebuild。"


def unavailable() -> HttpError:
    """What a request is told while the index cannot serve: 503, try again in a moment."""
    return HttpError(503, "unavailable", UNAVAILABLE, {"Retry-After": "5"})


#: What the public site does while the workflow database cannot be used (said at start, in the log and by
#: /api/v1/health): the public reads need only the index and the repository. A replica keeps only the “待核”
#: marks in its own; keys, feedback and the search log are its primary's.
DATABASE_DEGRADED = ("公众页面和不带密钥的公众接口照常服务；带 API 密钥的请求（答复 503）、评价和纠错暂不可用，"
                     "检索日志暂不记录")
REPLICA_DATABASE_DEGRADED = "本副本的数据库只保存“依据已变更，待核”标记，标记暂按主干的历史推算，其余照常服务"


def degraded(replica: bool) -> str:
    """What is served, and what is not, while the workflow database of a primary (or a replica) cannot be used."""
    return REPLICA_DATABASE_DEGRADED if replica else DATABASE_DEGRADED


DATABASE_UNAVAILABLE = "流程数据库暂时无法使用，这项操作暂时无法完成：请稍后再试；不带密钥的公众查询不受影响。"
KEY_UNCHECKED = ("暂时无法核验 API 密钥（流程数据库暂时无法使用）：带密钥的请求暂停受理，请稍后再试；"
                 "不带密钥的公众查询不受影响。")
#: Seconds after a request met the database unusable that /api/v1/health still says so (a damaged table
#: is met only by what reads it, and no write permission only by writing).
DATABASE_RECENT = 60.0
#: Seconds for which the pages trust what they last found of whether votes and reports can be kept.
FEEDBACK_RECHECK = 10.0


def database_unavailable(message: str = DATABASE_UNAVAILABLE, code: str = "database_unavailable") -> HttpError:
    """What a request needing the workflow database is told while it cannot be used: 503, try again later."""
    return HttpError(503, code, message, {"Retry-After": "30"})


@dataclasses.dataclass(frozen=True)
class Client:
    """Who is asking: an API key (agent or partner) or an anonymous address."""

    key: ApiKey | None
    address: str

    @property
    def agent(self) -> bool:
        return self.key is not None and self.key.role == "agent"

    @property
    def bucket(self) -> str:
        return f"key:{self.key.name}" if self.key else f"addr:{self.address}"


@dataclasses.dataclass
class Cached:
    status: int
    body: bytes
    media_type: str
    etag: str
    facts: dict | None = None


class ResponseCache:
    """Rendered responses of the commit being served: an LRU bounded in count and body bytes, each
    response trusted for ``ttl`` seconds, emptied when main moves."""

    def __init__(self, items: int = CACHE_ITEMS, size: int = CACHE_BYTES, ttl: float = CACHE_TTL):
        self.items, self.size, self.ttl = items, size, ttl
        self._cache = TtlCache(items, ttl, sizeof=lambda cached: len(cached.body), maxcost=size)
        self._commit = None

    def get(self, key, commit: str) -> Cached | None:
        """The response under ``key`` for ``commit``; a new commit empties the cache."""
        self._cache.follow(commit)
        self._commit = commit
        return self._cache.get((commit, key))

    def put(self, key, commit: str, value: Cached):
        """Keep a response rendered for ``commit`` unless main has moved on since."""
        if commit == self._commit:
            self._cache.put((commit, key), value)

    def __len__(self) -> int:
        return len(self._cache)


class EventLog:
    """Search and open events buffered in memory and written in batches by a background thread.

    ``sink(events)`` stores a batch (the feedback tables on a primary, a POST to the primary on a
    replica); a batch that fails is kept and retried, up to ``LOG_BACKLOG`` events.
    """

    def __init__(self, sink, clock=time.monotonic):
        self.sink, self.clock = sink, clock
        self._events: list[dict] = []
        self._seen = TtlCache(REPEAT_ITEMS, REPEAT_SECONDS, clock=lambda: self.clock())
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._failing = False

    def add(self, event: dict, who: str | None = None):
        """Buffer an event; one ``who`` (an anonymous address) repeated within ``REPEAT_SECONDS`` is dropped.

        Only a digest of the address and the event is kept, in this worker's memory; nothing of it is
        logged.
        """
        with self._lock:
            if who is not None:
                seen = hashlib.blake2b("\x00".join(
                    [who, event.get("type", ""), event.get("audience", ""), event.get("query") or "",
                     event.get("entry") or ""]).encode("utf-8"), digest_size=16).digest()
                if self._seen.get(seen) is not None:
                    return
                self._seen.put(seen, True)
            self._events.append(event)
            if len(self._events) > LOG_BACKLOG:
                del self._events[: len(self._events) - LOG_BACKLOG]
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="kb-web-log", daemon=True)
                self._thread.start()
            if len(self._events) >= LOG_BATCH:
                self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._events)

    def _run(self):
        while not self._stopped:
            pause(self._wake, LOG_INTERVAL)
            self._wake.clear()
            self.flush()

    def flush(self) -> int:
        """Write what is buffered now; returns the number written."""
        with self._flushing:
            with self._lock:
                batch, self._events = self._events, []
            if not batch:
                return 0
            try:
                self.sink(batch)
            except DatabaseUnusable as e:
                # Damaged, or not writable: it needs a person, not another round. Dropped, said once until it resumes.
                if not self._failing:
                    log.warning("检索日志无法写入流程数据库，在它恢复之前不再记录（丢弃 %d 条事件）：%s", len(batch), e)
                self._failing = True
                return 0
            except Exception as e:  # noqa: BLE001 - keep the events and try again on the next round
                # Said once when writing stops (with the cause), not on every round until it resumes.
                if not self._failing:
                    log.warning("检索日志暂时无法写入（%s），%d 条事件保留在内存中，每秒重试", e, len(batch),
                                exc_info=not isinstance(e, (KbError, OSError)))
                self._failing = True
                with self._lock:
                    self._events[:0] = batch[-LOG_BACKLOG:]
                return 0
            if self._failing:
                log.warning("检索日志恢复写入：%d 条事件已写入", len(batch))
                self._failing = False
            return len(batch)

    def close(self):
        self._stopped = True
        self._wake.set()
        self.flush()


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def networks(spec: str) -> list | None:
    """The networks of a comma-separated setting (``*``: None, anyone); one that cannot be read is a
    configuration error, said at start."""
    if spec.strip() == "*":
        return None
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"metrics_from 中的“{part}”不是网络地址：请写成 10.0.0.0/8 这样的地址段，用逗号分隔，"
                              "或写 * 允许任何地址。")
    return out


class Site:
    """The public site and API of one knowledge base, in one worker process."""

    def __init__(self, kb, replica=None):
        self.kb = kb
        self.settings = kb.settings
        self.replica = replica
        web_dir = Path(kb.settings.data_path) / "web"
        self.limiter = RateLimiter(web_dir / "ratelimit.bin")
        self.metrics = Metrics(web_dir / "metrics")
        self.metrics_from = networks(self.settings.metrics_from)
        self.cache = ResponseCache()
        self.events = EventLog(replica.forward_events if replica else kb.feedback.log_events)
        self._commit_times = LruCache(64)
        #: (reader, memo) by (commit, day, staff) for the commit and day being served.
        self._readers = TtlCache(4, CACHE_TTL)
        self._making_reader = threading.Lock()
        #: Proxies met relaying requests without being trusted (each said once in the log).
        self._untrusted_proxies = LruCache(256)
        #: Whether warming up has succeeded (see check()).
        self._warm = False
        #: What the health check last said of an index that cannot serve (said in the log once, not per call).
        self._told_unavailable: str | None = None
        #: (when, what) a request last met of a workflow database that cannot be used, and what the log said.
        self._database_met: tuple[float, str] | None = None
        self._told_database: str | None = None
        #: (when, whether) the pages last found that votes and reports cannot be kept.
        self._feedback_paused: tuple[float, bool] | None = None
        self.clock = time.monotonic
        #: (commit, marks by entry) of the “待核” marks last known, and the lock of replaying them from history.
        self._flags: tuple[str, dict] | None = None
        self._replaying = threading.Lock()

    def close(self):
        self.events.close()
        self.metrics.dump()
        self.limiter.close()

    # -- what is served -----------------------------------------------------------------------

    def state(self) -> tuple[str, str]:
        """(commit, day) being served: main's commit with the index brought up to it, and today."""
        try:
            commit = self.kb.current_commit()
        except KbError as e:
            log.warning("检索索引暂时无法提供服务：%s", e)
            raise unavailable()
        except Exception:  # noqa: BLE001 - an index that cannot be opened: tell the client to retry
            log.exception("检索索引暂时无法提供服务")
            raise unavailable()
        return commit, self.kb.today().isoformat()

    def check(self) -> tuple[str, str]:
        """(commit, day) while the index can serve, for ``/api/v1/health``; 503 otherwise.

        It cannot while a file of it cannot be read, as a search (in any worker) or opening its files
        afresh has found (until a rebuilt index is in place), nor while warming up fails: a node whose
        index is damaged is taken out of rotation, whichever worker is asked.
        """
        found = self.state()
        if problem := self.kb.index.check():
            if problem != self._told_unavailable:   # once, not at every call of a load balancer
                self._told_unavailable = problem
                log.warning("检索索引暂时无法提供服务，/api/v1/health 答复 503：%s", problem)
            raise unavailable()
        self._told_unavailable = None
        if not self._warm:
            try:
                self.warm()
            except HttpError:
                raise
            except Exception as e:  # noqa: BLE001 - the first request's error page says it again
                log.warning("预热再次失败：%s: %s", type(e).__name__, e)
                raise unavailable()
        return found

    def reader(self, staff: bool = False):
        """(reader, commit, day): what the public (or an agent system) may open in what is served.

        A reader is kept per (commit, day, audience) for ``CACHE_TTL`` seconds: making one reads the
        re-verification flags from the database, which no request should pay for on its own.
        """
        commit, day = self.state()
        key = (commit, day, staff)
        self._readers.follow((commit, day))
        found = self._readers.get(key)
        if found is None:
            with self._making_reader:
                found = self._readers.get(key)
                if found is None:
                    # A replica's pending marks are its primary's (the callers read them afresh: with_pending).
                    pending = self.replica.pending() if staff and self.replica is not None else None
                    found = (self.kb.reader(staff=staff, commit=commit, flags=self.flags(commit), pending=pending), {})
                    self._readers.put(key, found)
        return found[0], commit, day

    def flags(self, commit: str) -> dict[str, str]:
        """The “依据已变更，待核” marks (entry id -> detail) of a reader of ``commit``: the database's, or while it
        cannot be read, those main's history implies (as a replica has them), replayed on from the marks last
        known; the public pages keep their notices."""
        try:
            found = {e: dataclasses.asdict(f) for e, f in self.kb.flags().items()}
        except DatabaseUnusable as e:
            self.database_failed(e)
            with self._replaying:
                known = self._flags
                if known is None or known[0] != commit:
                    since, marks = known or (None, None)
                    self._flags = (commit, self.kb.history_flags(commit, since, lambda: marks))
                found = self._flags[1]
        else:
            self._flags = (commit, found)
        return {e: f["detail"] for e, f in found.items()}

    # -- the workflow database ----------------------------------------------------------------

    def database_failed(self, e: DatabaseUnusable):
        """Note that a request met the workflow database unusable; said in the log once, not per request."""
        self._database_met = (self.clock(), str(e))
        self._feedback_paused = (self.clock(), True)
        if self._told_database != str(e):
            self._told_database = str(e)
            log.warning("流程数据库无法使用，%s：%s%s", degraded(self.replica is not None), e,
                        f"（SQLite：{e.detail}）" if e.detail else "")

    def database_problem(self) -> str | None:
        """What is wrong with the workflow database, for /api/v1/health: what opening it meets now, or what a
        request of this worker met within ``DATABASE_RECENT`` seconds; None while it can be used."""
        try:
            self.kb.prepare_database()
        except DatabaseUnusable as e:
            self.database_failed(e)
            return str(e)
        met = self._database_met
        if met is not None and self.clock() - met[0] < DATABASE_RECENT:
            return met[1]
        if self._told_database is not None:
            self._told_database = None
            log.warning("流程数据库恢复可用：带 API 密钥的请求、评价和纠错恢复受理")
        return None

    async def feedback_paused(self) -> bool:
        """Whether votes and reports cannot be kept now, for the pages to say so in place of their forms: while
        the workflow database cannot be used (:meth:`database_problem`), asked again at most every
        ``FEEDBACK_RECHECK`` seconds. A replica's feedback is its primary's to keep, not its own database's."""
        if self.replica is not None:
            return False
        found = self._feedback_paused
        if found is None or self.clock() - found[0] >= FEEDBACK_RECHECK:
            paused = await run_in_threadpool(self.database_problem) is not None
            found = self._feedback_paused = (self.clock(), paused)
        return found[1]

    async def pending(self):
        """For agent responses: what is pending now (open change requests, 纠错; kb_app.review.pending), which
        keys their cached responses. Asked of the database at every request (microseconds while it has not
        changed); a replica asks its primary (see ``Replica.pending``)."""
        # In a worker thread: reading it again after a write takes milliseconds, which the event loop serving
        # everyone else must not wait for.
        return await run_in_threadpool(self.replica.pending if self.replica is not None else self.kb.pending)

    def memo(self, reader, name: str, compute):
        """``compute(reader)`` once per reader (e.g. the topics of the public answers)."""
        found = self._readers.get((reader.snap.commit, reader.day.isoformat(), reader.staff))
        if found is None or found[0] is not reader:
            return compute(reader)
        with self._making_reader:
            if name not in found[1]:
                found[1][name] = compute(reader)
        return found[1][name]

    def warm(self):
        """Open the index, load its analyzer and parse main, so no citizen waits for it."""
        self.state()
        self.kb.search("12345", limit=1)
        self.reader(False)
        self._warm = True

    def commit_time(self, commit: str) -> int | None:
        """The commit's time (seconds since the epoch), cached."""
        return self._commit_times.get_or_build(commit, lambda: self.kb.store.commit_time(commit))

    async def cached(self, request: Request, variant: str, key: tuple, render, *, shared: bool = True,
                     media_type: str = "application/json", after=None, vary: str = "") -> Response:
        """A response rendered once per (commit, day, variant, key), with ETag and conditional GET.

        ``render()`` runs in a thread on a miss and returns (status, body bytes, facts); ``after(facts)``
        then runs on every GET, cached or not (e.g. to log a search with its number of hits), not on HEAD.
        ``shared`` says whether caches between us and the client may keep the response. A response whose
        facts say ``provisional`` (a search that may read differently in a moment, see
        ``SearchResults.provisional``) is kept by no cache. ``vary`` names a request header the page
        also depends on (``Cookie``: a browser that has just voted asks again rather than showing the
        page it kept from before).
        """
        commit, day = self.state()
        full = (variant, day, *key)
        found = self.cache.get(full, commit)
        self.metrics.cache_event(variant, found is not None)
        if found is None:
            status, body, facts = await run_in_threadpool(render)
            digest = hashlib.sha1(repr((commit, full)).encode("utf-8")).hexdigest()[:24]
            found = Cached(status, body, media_type, f'"{digest}"', facts)
            if status in (200, 404) and not _provisional(found):
                self.cache.put(full, commit, found)
        if after is not None and request.method != "HEAD":   # a link checker or a monitor, not a reader
            after(found.facts)
        max_age = self.settings.web_cache_seconds
        provisional = _provisional(found)
        headers = {"ETag": found.etag, "X-Kb-Commit": commit,
                   "Cache-Control": ("no-store" if provisional else
                                     f"public, max-age={max_age}" if shared else "private, no-cache"),
                   "Vary": ", ".join(filter(None, ["Authorization" if media_type == "application/json"
                                                   else "Accept-Encoding", vary]))}
        if found.status == 200 and not provisional and etag_matches(request.headers.get("if-none-match"), found.etag):
            return Response(status_code=304, headers=headers)
        if found.status != 200 or provisional:
            headers.pop("ETag")
        return Response(found.body, status_code=found.status, media_type=found.media_type, headers=headers)

    # -- who is asking ------------------------------------------------------------------------

    async def client(self, request: Request) -> Client:
        """The client of a request; a bad ``Authorization`` header is refused, never ignored.

        The key is checked in a worker thread: a replica asks its primary, and a primary that is slow
        to answer must hold up only the keyed request, never the others this process serves."""
        address = request.client.host if request.client else "unknown"
        self.untrusted_proxy(request)  # said in the log, once per proxy
        header = request.headers.get("authorization")
        if not header:
            return Client(None, address)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(401, "unauthorized", "Authorization 头格式应为“Bearer <密钥>”。",
                            {"WWW-Authenticate": 'Bearer realm="kb"'})
        try:
            key = await run_in_threadpool(self.verify_key, token.strip())
        except DatabaseUnusable as e:
            # Failing closed: a key that cannot be checked gets no access of its own, nor is it read as no key
            # (its caller would take public answers for its own); the public reads without it still work.
            self.database_failed(e)
            raise database_unavailable(KEY_UNCHECKED, "key_unchecked")
        if key is None:
            raise HttpError(401, "invalid_key", "API 密钥无效或已吊销：请检查密钥，或向热线中心申请新的密钥。",
                            {"WWW-Authenticate": 'Bearer realm="kb", error="invalid_token"'})
        return Client(key, address)

    def may_read_metrics(self, request: Request) -> bool:
        """Whether the client's address (the forwarded one behind a trusted proxy) is in ``metrics_from``.

        A request relayed by a proxy missing from ``trusted_proxies`` is never the monitoring system's:
        its address is the proxy's, which every citizen behind it shares."""
        if self.metrics_from is None:
            return True
        if self.untrusted_proxy(request):
            return False
        try:
            address = ipaddress.ip_address(request.client.host if request.client else "")
        except ValueError:
            return False
        return any(address in net for net in self.metrics_from)

    def untrusted_proxy(self, request: Request) -> bool:
        """Whether a proxy that is not in ``trusted_proxies`` relayed the request: it says whom it relays
        (``X-Forwarded-For``), and the address the request is read as is not one of those. Said once
        per proxy in the log, since the proxy's address then stands for every citizen behind it."""
        relayed = request.headers.get("x-forwarded-for")
        if not relayed:
            return False
        address = request.client.host if request.client else ""
        if address in {_host(part) for part in relayed.split(",")}:
            return False
        if address not in self._untrusted_proxies:
            self._untrusted_proxies.put(address, True)
            log.warning("收到经代理 %s 转发的请求（带 X-Forwarded-For），但它不在设置 trusted_proxies 中：所有经它来的"
                        "市民都被当成这一个地址限速，也不会被当作监控系统。请把代理的地址写进 trusted_proxies"
                        "（kb.toml 或环境变量 KB_TRUSTED_PROXIES）后重新启动。", address)
        return True

    async def admit(self, request: Request) -> Client:
        """The client of a request, once its rate allows it (401 or 429 otherwise)."""
        client = await self.client(request)
        self.limit(client)
        return client

    def verify_key(self, token: str) -> ApiKey | None:
        if self.replica is not None:
            return self.replica.verify_key(token)
        return self.kb.api_keys.verify(token)

    def require_agent(self, client: Client):
        if client.key is None:
            raise HttpError(401, "unauthorized", "需要坐席密钥：请在 Authorization 头中提供“Bearer <密钥>”。",
                            {"WWW-Authenticate": 'Bearer realm="kb"'})
        if not client.agent:
            raise HttpError(403, "forbidden", f"密钥“{client.key.name}”的角色是“{client.key.role_label}”，"
                                              "无权使用坐席接口：请使用坐席系统的密钥。")

    def rate(self, client: Client) -> int:
        s = self.settings
        if client.key is None:
            return s.web_rate_anonymous
        if client.key.rate:
            return client.key.rate
        return s.web_rate_agent if client.key.role == "agent" else s.web_rate_partner

    def limit(self, client: Client, kind: str = "req", within: str | None = None):
        """Take a token for the client (or for one of its users, ``within`` the key), or refuse with 429
        and ``Retry-After``."""
        rate = self.settings.web_rate_feedback if kind == "feedback" else self.rate(client)
        wait = self.limiter.take(f"{kind}:{client.bucket}" + (f":{within}" if within else ""), rate)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            what = "反馈提交" if kind == "feedback" else "请求"
            raise HttpError(429, "rate_limited", f"{what}过于频繁：请 {seconds} 秒后再试。",
                            {"Retry-After": str(seconds)})

    # -- logs ---------------------------------------------------------------------------------

    def log_search(self, query: str, hits: int, audience: str = "public", weak: bool = False, alarm: bool = False,
                   client: Client | None = None, via: str = "page", asker: str | None = None):
        """Log a search; ``client``, when given, is who asked (a repeat is logged once: see :func:`_repeat_key`
        and :func:`_asked_by`), ``via`` where (``page`` or ``api``: a page and the API asked the same are two
        askers), ``asker`` the user of a keyed platform (``voter``: :func:`kb_app.web.api.platform_voter`)."""
        self.events.add({"type": "search", "at": self.kb.now().isoformat(timespec="seconds"), "query": query,
                         "hits": hits, "audience": audience, **({"weak": True} if weak else {}),
                         **({"alarm": True} if alarm else {}), **_asked_by(client, asker)}, _repeat_key(client, via))

    def log_open(self, entry_id: str, audience: str = "public", query: str | None = None,
                 client: Client | None = None, via: str = "page", asker: str | None = None):
        """Log an opened answer or article; ``query`` is the question it was found by, when known."""
        self.events.add({"type": "open", "at": self.kb.now().isoformat(timespec="seconds"), "entry": entry_id,
                         "audience": audience, **({"query": query} if query else {}), **_asked_by(client, asker)},
                        _repeat_key(client, via))


def _host(relayed: str) -> str:
    """The address in one entry of ``X-Forwarded-For`` (``203.0.113.7``, ``203.0.113.7:5000``, ``[2001:db8::1]:5000``)."""
    relayed = relayed.strip()
    if relayed.startswith("["):
        return relayed[1:relayed.find("]")]
    return relayed.partition(":")[0] if relayed.count(":") == 1 else relayed


def _repeat_key(client: Client | None, via: str = "page") -> str | None:
    """Whose repeats are logged once: an anonymous address's, on the public pages and the keyless API (the same
    question from one address within REPEAT_SECONDS is a browser reloading or a script polling, which would
    otherwise make it the most asked). A keyed client's repeats are recognised where they are written, across
    workers and replicas (:func:`_asked_by`)."""
    return f"{via} {client.address}" if client is not None and client.key is None else None


def _asked_by(client: Client | None, asker: str | None = None) -> dict:
    """The ``asker`` of a keyed request's event (``kb.feedback.log_events``): the key, or the platform's user when
    it says which (``asker``). A key serves many people (a call centre's agents, a partner's users): a platform that
    names its users has each of their questions counted; one that does not is one asker, whose same question
    within minutes counts once (a monitor or cache warmer polling it is no hot issue)."""
    if client is None or client.key is None:
        return {}
    return {"asker": asker or f"key:{client.key.name}"}


def _provisional(found: Cached) -> bool:
    """Whether a response may read differently in a moment (see ``SearchResults.provisional``)."""
    return isinstance(found.facts, dict) and bool(found.facts.get("provisional"))


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or ``*``)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
