"""Read replicas: a clone of the primary's ``main`` that follows it, and the signed messages between them.

A replica (``kb web --follow URL``) keeps a clone of the primary repository under its data
directory, fetches ``main`` every ``follow_interval`` seconds and whenever the primary notifies it
(``POST /api/v1/hooks/published``), and indexes what changed. It needs nothing but the repository
to serve the public site and API; with ``primary_url`` set it also forwards feedback, search logs
and API-key checks to the primary, otherwise feedback is refused with a clear message.

Messages between primary and replicas are signed with HMAC-SHA256 over ``"<timestamp>.<body>"``
with the shared ``hook_secret`` (headers ``X-Kb-Timestamp`` and ``X-Kb-Signature``); a message
older than five minutes is refused, so a captured one cannot be replayed later.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..content.store import run_git
from ..cache import LruCache
from ..exceptions import DatabaseUnusable, KbError, StoreError
from .keys import LOOKUP_TTL, PREFIX, ApiKey, key_hash
from .errors import HttpError
from .timing import pause

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Kb-Timestamp"
SIGNATURE_HEADER = "X-Kb-Signature"
FORWARDED_HEADER = "X-Kb-Forwarded-For"
MAX_SKEW = 300
NOTIFY_TIMEOUT = 2.0
FORWARD_TIMEOUT = 5.0
#: Seconds a replica trusts the primary's answer about a key: as long as a primary's worker trusts
#: its own database (the primary answers a replica afresh), so a revoked key stops working on the
#: replicas within the same time as on the primary.
KEY_TTL = LOOKUP_TTL
#: Seconds beyond ``KEY_TTL`` a replica keeps using a known answer while the primary cannot be
#: reached (a restart, a short network fault); then it refuses every key until it can ask again.
KEY_GRACE = 30.0
#: Seconds a replica trusts the primary's answer about what is pending (change requests under review,
#: error reports): an agent sees a correction submitted on the primary within this time.
PENDING_TTL = 5.0


# -- signatures -------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes) -> dict:
    timestamp = str(int(time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body),
            "Content-Type": "application/json"}


def verify(secret: str, headers, body: bytes) -> bool:
    """Whether a message carries a valid, recent signature made with ``secret``."""
    if not secret:
        return False
    timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > MAX_SKEW:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def post_signed(url: str, payload: dict, secret: str, timeout: float,
                headers: dict | None = None) -> tuple[int, dict]:
    """POST a signed JSON message; returns (status, decoded JSON body)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={**signed_headers(secret, body), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}


# -- the primary's side -----------------------------------------------------------------------


def replica_urls(settings) -> list[str]:
    return [u.strip().rstrip("/") for u in settings.replicas.replace(" ", ",").split(",") if u.strip()]


def notify_replicas(kb, cr, commit: str) -> dict[str, str]:
    """on_publish hook: tell every replica in ``replicas`` that main moved; returns url → outcome."""
    urls = replica_urls(kb.settings)
    if not urls:
        return {}
    if not kb.settings.hook_secret:
        log.warning("设置了 replicas 但没有 hook_secret：发布后不通知副本，副本按 follow_interval 轮询取得")
        return {u: "no secret" for u in urls}
    payload = {"commit": commit, "change_request": getattr(cr, "id", None),
               "at": dt.datetime.now().isoformat(timespec="seconds")}

    def one(url):
        try:
            status, _ = post_signed(f"{url}/api/v1/hooks/published", payload, kb.settings.hook_secret,
                                    NOTIFY_TIMEOUT)
            return f"HTTP {status}"
        except OSError as e:
            return f"unreachable: {e}"

    # In parallel and bounded, so that an unreachable replica costs the publisher at most a few seconds.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(urls)))
    futures = {url: pool.submit(one, url) for url in urls}
    outcome = {}
    for url, future in futures.items():
        try:
            outcome[url] = future.result(timeout=NOTIFY_TIMEOUT + 1)
        except concurrent.futures.TimeoutError:
            outcome[url] = "timeout"
    pool.shutdown(wait=False)
    for url, result in outcome.items():
        if not result.startswith("HTTP 2"):
            log.warning("通知副本 %s 主干已到提交 %s 未成功（%s）%s", url, commit[:10], result,
                        "：副本拒绝了签名，请检查两端的 hook_secret 是否一致、时钟是否准确" if result == "HTTP 403" else
                        "：副本按 follow_interval 轮询，稍后仍会取得这次发布")
    return outcome


# -- the replica's side -----------------------------------------------------------------------


class Mirror:
    """The replica's clone of the primary's main (no working tree), fetched under a file lock."""

    def __init__(self, upstream: str, root: Path, branch: str = "main"):
        # A local path is made absolute: git runs in other directories than the one it was named from.
        if upstream and "://" not in upstream and Path(upstream).exists():
            upstream = str(Path(upstream).resolve())
        self.upstream, self.root, self.branch = upstream, Path(root), branch
        self.status_path = self.root / ".git" / "kb-follow.json"

    def _git(self, *args, cwd=None) -> str:
        return run_git(cwd or self.root, *args, env={"GIT_TERMINAL_PROMPT": "0"})

    def ensure(self) -> bool:
        """Clone the primary when there is no clone yet; returns whether it cloned."""
        if (self.root / ".git").is_dir():
            return False
        self.root.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.root.with_name(self.root.name + f".clone-{os.getpid()}")
        try:
            self._git("clone", "--quiet", "--no-checkout", "--single-branch", "--branch", self.branch,
                      self.upstream, str(tmp), cwd=self.root.parent)
        except StoreError as e:
            raise KbError(f"无法克隆主节点的仓库“{self.upstream}”：{e}。请检查地址与网络，或主节点是否可以访问。")
        os.replace(tmp, self.root)
        self._write_status(ok=True, commit=self.head())
        return True

    def head(self) -> str:
        return self._git("rev-parse", f"refs/heads/{self.branch}").strip()

    @contextlib.contextmanager
    def locked(self):
        """Hold the clone's lock (between processes: the supervisor's loop and notified workers)."""
        with open(self.root / ".git" / "kb-follow.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def sync(self, before_move=None) -> dict:
        """Fetch main from the primary and move the local main to it; returns {"old", "new", "error"}.

        ``before_move(new)`` runs under the lock once the new commit is fetched and before main moves
        to it (the replica brings its “待核” marks up to it there, so no page of the new commit is
        served without them).
        """
        with self.locked():
            old = self.head()
            try:
                self._git("fetch", "--quiet", "--no-tags", self.upstream,
                          f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}")
                new = self._git("rev-parse", f"refs/remotes/origin/{self.branch}").strip()
                if new != old:
                    if before_move is not None:
                        before_move(new)
                    self._git("update-ref", f"refs/heads/{self.branch}", new, old)
            except StoreError as e:
                self._write_status(ok=False, commit=old, error=str(e))
                return {"old": old, "new": old, "error": str(e)}
            self._write_status(ok=True, commit=new)
            return {"old": old, "new": new, "error": None}

    def _write_status(self, ok: bool, commit: str, error: str | None = None):
        now = time.time()
        fields = {"upstream": self.upstream, "commit": commit, "last_fetch": now, "error": error}
        if ok:
            fields["last_ok"] = now
        self.update_status(**fields)

    def update_status(self, **fields):
        """Change fields of the clone's status file (call with the lock held)."""
        status = self.status()
        status.update(fields)
        tmp = self.status_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(status), encoding="utf-8")
        os.replace(tmp, self.status_path)

    def status(self) -> dict:
        try:
            return json.loads(self.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


class Replica:
    """What a worker of a replica needs: the mirror, and forwarding to the primary."""

    def __init__(self, kb, clock=time.monotonic):
        self.kb, self.clock = kb, clock
        s = kb.settings
        self.mirror = Mirror(s.follow, Path(s.root), s.main_branch)
        self.primary = s.primary_url.rstrip("/")
        self.secret = s.hook_secret
        #: (when asked, answer) by key hash: fresh for KEY_TTL, a fallback during an outage until
        #: KEY_TTL + KEY_GRACE.
        self._keys = LruCache(10_000)
        #: (when asked, PendingMarks) from the primary: fresh for PENDING_TTL, a fallback until + KEY_GRACE.
        self._pending: tuple[float, object] | None = None
        self._asking_pending = threading.Lock()
        #: Whether the log has said that the marks cannot be kept in this replica's database (said once).
        self._told_flags = False

    def refresh(self, serving: bool = True) -> dict:
        """Fetch main and index what changed; returns {"old", "new", "error"}.

        ``serving=False`` (the supervising process's loop) lets go of the index afterwards.
        """
        result = self.mirror.sync(before_move=self._follow_flags)
        if result["new"] != result["old"]:
            self.kb.reindex()
            if not serving:
                self.kb.index.close()
        elif self.mirror.status().get("flags_commit") != result["new"]:
            self.follow_flags()  # the first start, or an earlier replay that failed
        return result

    def follow_flags(self):
        """Bring the “依据已变更，待核” marks up to the clone's main (they come from its history)."""
        with self.mirror.locked():
            self._follow_flags(self.mirror.head())

    def _follow_flags(self, head: str):
        done = self.mirror.status().get("flags_commit")
        if done == head:
            return
        try:
            self.kb.follow_flags(done, head)
        except DatabaseUnusable as e:
            # The workers replay the marks from the history themselves meanwhile (Site.flags).
            if not self._told_flags:
                log.warning("无法在本副本的流程数据库中更新“依据已变更，待核”标记，页面上的标记暂按主干历史现算：%s",
                            e)
            self._told_flags = True
            return
        except Exception:  # noqa: BLE001 - new content must still be served; the next round retries
            log.exception("按主干历史（到提交 %s）重算“依据已变更，待核”标记失败", head[:10])
            return
        self._told_flags = False
        self.mirror.update_status(flags_commit=head)

    def check_primary(self) -> bool:
        """Whether the primary's API takes what this replica hands to it now; kept in the clone's status
        for /api/v1/health (the repository may be fetched while the primary's ``kb web`` is down).

        It asks about a key no one holds: the same signed call as a key check, so it proves the address,
        the primary's API and the shared secret at once."""
        if not self.forwards:
            return False
        try:
            status, body = post_signed(f"{self.primary}/api/v1/hooks/keys", {"hash": "0" * 64}, self.secret,
                                       FORWARD_TIMEOUT)
            error = None if status == 200 else f"HTTP {status}: {body.get('error') if isinstance(body, dict) else ''}"
            refused = status == 403
        except OSError as e:
            error, refused = f"{type(e).__name__}: {e}", False
        with self.mirror.locked():
            was = self.mirror.status().get("api_error")
            self.mirror.update_status(api_checked=time.time(), api_error=error, api_refused=refused)
        # Said when it stops and when it resumes, not every round in between.
        if error and not was:
            log.warning("主节点的接口 %s 暂时无法使用（%s）：评价、纠错和 API 密钥核验暂不可用，每次轮询时重试；"
                        "/api/v1/health 中同样写明", self.primary, error)
        elif was and not error:
            log.warning("主节点的接口 %s 恢复可用", self.primary)
        return error is None

    def status(self, detail: bool = False) -> dict:
        """How following the primary goes: whether its repository and its API were reached, the commit,
        when, and a summary in Chinese. ``detail`` (for the monitoring addresses) adds the repository's
        and the API's addresses and the words of the last failures, which name hosts and paths no one
        else needs to see."""
        st = self.mirror.status()
        out = {"commit": st.get("commit")}
        for name in ("last_fetch", "last_ok", "api_checked"):
            if st.get(name):
                out[name] = dt.datetime.fromtimestamp(st[name]).isoformat(timespec="seconds")
        out["reachable"] = bool(st.get("last_ok")) and st.get("last_ok") == st.get("last_fetch")
        if self.forwards and st.get("api_checked"):
            out["api_reachable"] = not st.get("api_error")
        out["summary"] = follow_summary(out["reachable"], out["commit"], st.get("last_ok")) + \
            self._api_summary(out.get("api_reachable"), bool(st.get("api_refused")))
        if detail:
            out.update(repository=self.mirror.upstream, error=st.get("error"))
            if self.primary:
                out.update(primary=self.primary, api_error=st.get("api_error"))
        return out

    def _api_summary(self, reachable: bool | None, refused: bool = False) -> str:
        """What the summary adds of the primary's API: what a citizen or a key holder cannot do now, and
        when the primary answers but refuses this replica's signature, that the two are set up apart."""
        if not self.primary:
            return "本站点为只读镜像，不接收评价和纠错。"
        if not self.secret:
            return "未设置 hook_secret：不能向主节点转交评价和纠错，也不能核验 API 密钥。"
        if reachable is False and refused:
            return ("主节点拒绝了本副本的签名（两端的 hook_secret 不一致，或时钟相差太大）：评价、纠错和 API 密钥核验暂不可用，"
                    "公众查询照常。请管理员核对两端的 hook_secret 和时钟。")
        if reachable is False:
            return "主节点的接口暂时无法访问：评价、纠错和 API 密钥核验暂不可用，公众查询照常。"
        return ""

    def fetch_age(self) -> float | None:
        last = self.mirror.status().get("last_ok")
        return time.time() - last if last else None

    @property
    def forwards(self) -> bool:
        """Whether this replica can hand feedback, search logs and key checks to its primary: it needs
        the primary's address (``--primary``) and the shared ``hook_secret`` that signs them."""
        return bool(self.primary and self.secret)

    def forwarding_problem(self) -> str | None:
        """What is wrong, said at start, when the replica is given its primary but cannot sign what it
        hands to it (no ``hook_secret``): every vote, report and key check would fail."""
        if self.primary and not self.secret:
            return (f"警告：给了主站点 {self.primary}（--primary），但没有设置 hook_secret（kb.toml 中的 hook_secret "
                    "或环境变量 KB_HOOK_SECRET）：副本无法向主站点转交评价、纠错和检索日志，也无法核验 API 密钥，"
                    "页面上不显示评价和纠错表单，带密钥的请求被拒绝。请设置与主节点相同的 hook_secret 后重新启动。")
        return None

    def _require_primary(self):
        if not self.forwards:
            raise HttpError(503, "read_only", "本站点为只读镜像，不接收评价和纠错：请到主站点提交，或拨打 12345。")

    def forward_feedback(self, data: dict, address: str) -> dict:
        """Pass a vote or report to the primary on behalf of a client address."""
        self._require_primary()
        try:
            status, body = post_signed(f"{self.primary}/api/v1/feedback", data, self.secret, FORWARD_TIMEOUT,
                                       {FORWARDED_HEADER: address})
        except OSError:
            raise HttpError(503, "primary_unavailable", "暂时无法连接主站点提交反馈：请稍后再试，或拨打 12345。",
                            {"Retry-After": "30"})
        if status >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            if isinstance(err, dict) and err.get("message"):
                raise HttpError(status, str(err.get("code") or "error"), str(err["message"]))
            raise HttpError(502, "primary_error", "主站点未能处理反馈：请稍后再试，或拨打 12345。")
        return body

    def forward_events(self, events: list[dict]):
        """Send search-log events to the primary (dropped when it cannot, as said at start)."""
        if not self.forwards:
            return
        status, _ = post_signed(f"{self.primary}/api/v1/hooks/logs", {"events": events}, self.secret,
                                FORWARD_TIMEOUT)
        if status >= 300:
            raise KbError(f"主站点拒绝了检索日志（HTTP {status}）。")

    def verify_key(self, token: str) -> ApiKey | None:
        """Ask the primary about a key (answers trusted for KEY_TTL seconds). While the primary cannot be
        reached a known answer is used for KEY_GRACE seconds more; then the key is refused with 503
        (failing closed: a key revoked meanwhile must not keep reading internal content)."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        if not self.forwards:
            raise HttpError(503, "read_only", "本站点为只读镜像，无法核验 API 密钥：请改用主站点调用，"
                                              "或不带密钥调用公众接口。")
        digest = key_hash(token)
        now = self.clock()
        known = self._keys.get(digest)
        if known is not None and now - known[0] < KEY_TTL:
            return known[1]
        try:
            status, body = post_signed(f"{self.primary}/api/v1/hooks/keys", {"hash": digest}, self.secret,
                                       FORWARD_TIMEOUT)
        except OSError:
            status, body = 0, {}
        if status != 200:
            if known is not None and now - known[0] < KEY_TTL + KEY_GRACE:
                return known[1]
            raise HttpError(503, "primary_unavailable",
                            "暂时无法向主站点核验 API 密钥（主站点无法连接）：本站点暂停受理带密钥的请求，请稍后再试；"
                            "不带密钥的公众查询不受影响。", {"Retry-After": "30"})
        found = body.get("key")
        key = ApiKey(**found) if isinstance(found, dict) else None
        self._keys.put(digest, (now, key))
        return key


    def pending(self):
        """What is pending on the entries (open change requests, 纠错), for agent responses: the replica has
        no review database of its own, so it asks the primary (trusted for PENDING_TTL seconds). While the
        primary cannot be reached the last answer serves KEY_GRACE seconds more, as keys do; after that,
        or before any answer, it is unknown (``PendingMarks.known`` False) and the responses say so."""
        from ..review.pending import UNKNOWN, PendingMarks

        with self._asking_pending:  # one question at a time; the others take its answer
            known = self._pending
            now = self.clock()
            if known is not None and now - known[0] < PENDING_TTL:
                return known[1]
            if not self.forwards:
                return UNKNOWN
            try:
                status, body = post_signed(f"{self.primary}/api/v1/hooks/pending", {}, self.secret, FORWARD_TIMEOUT)
            except OSError:
                status, body = 0, {}
            found = body.get("pending") if status == 200 and isinstance(body, dict) else None
            if not isinstance(found, dict):
                if known is not None and now - known[0] < PENDING_TTL + KEY_GRACE:
                    return known[1]
                return UNKNOWN
            self._pending = (now, PendingMarks.from_dict(found))
            return self._pending[1]


def follow_summary(reachable: bool, commit: str | None, last_ok: float | None) -> str:
    """What a replica's health says of following the primary, for anyone to read."""
    held = (f"提交 {commit[:10]}（{dt.datetime.fromtimestamp(last_ok):%Y-%m-%d %H:%M} 取得）"
            if commit and last_ok else "")
    if reachable:
        return f"正在跟随主节点，内容为{held}。" if held else "正在跟随主节点。"
    return f"主节点暂时无法访问，内容停在{held}。" if held else "主节点暂时无法访问，尚未取得主节点的内容。"


def follow_loop(replica: Replica, stop: threading.Event, interval: float):
    """Fetch and index every ``interval`` seconds, and check the primary's API, until ``stop`` is set
    (runs in a thread)."""
    while not pause(stop, interval):
        try:
            result = replica.refresh(serving=False)
            if result["error"]:
                log.warning("从 %s 获取主干失败：%s", replica.mirror.upstream, result["error"])
        except Exception:  # noqa: BLE001 - keep following; the next round tries again
            log.exception("跟随 %s 失败，下一轮轮询时重试", replica.mirror.upstream)
        try:
            replica.check_primary()
        except Exception:  # noqa: BLE001 - as above
            log.exception("检查主节点的接口 %s 失败，下一轮轮询时重试", replica.primary)
