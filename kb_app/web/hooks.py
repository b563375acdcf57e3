"""Signed endpoints between a primary and its replicas (``/api/v1/hooks/…``).

* ``published`` (on a replica): the primary published a change; fetch main and index it now.
* ``logs`` (on the primary): search-log events a replica collected.
* ``keys`` (on the primary): whether a key hash belongs to an active API key, for a replica.
* ``pending`` (on the primary): what is pending on the entries (change requests under review, error
  reports), which a replica marks in its agents' responses.

Each needs a valid signature made with the shared ``hook_secret`` (see kb_app.web.follow).
"""

from __future__ import annotations

import dataclasses
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from . import follow
from .api import MAX_BODY, json_response, site_of
from .site import HttpError

MAX_EVENTS_BODY = 4 * 1024 * 1024
MAX_EVENTS = 20_000


async def signed_body(request: Request, limit: int = MAX_BODY) -> dict:
    """The JSON body of a message signed with the shared secret (403 otherwise)."""
    site = site_of(request)
    if not site.settings.hook_secret:
        raise HttpError(403, "hooks_disabled", "本站点未设置 hook_secret，不接收节点间通知：请在设置中配置共享密钥。")
    body = await request.body()
    if len(body) > limit:
        raise HttpError(413, "payload_too_large", "请求内容过大。")
    if not follow.verify(site.settings.hook_secret, request.headers, body):
        raise HttpError(403, "bad_signature", "签名无效或已过期：请检查两端的 hook_secret 是否一致、时钟是否准确。")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "invalid_json", "请求内容不是有效的 JSON。")
    if not isinstance(data, dict):
        raise HttpError(400, "invalid_json", "请求内容应为 JSON 对象。")
    return data


async def published(request: Request) -> Response:
    """POST /api/v1/hooks/published (replica): fetch main from the primary and index it."""
    site = site_of(request)
    if site.replica is None:
        raise HttpError(409, "not_a_replica", "本站点是主节点，不跟随其他仓库：发布通知应发给副本。")
    await signed_body(request)
    result = await run_in_threadpool(site.replica.refresh)
    if result["error"]:
        raise HttpError(502, "fetch_failed", f"从主节点获取更新失败：{result['error']}")
    return json_response({"status": "ok", "commit": result["new"], "previous": result["old"]})


async def logs(request: Request) -> Response:
    """POST /api/v1/hooks/logs (primary): store search-log events collected by a replica."""
    site = site_of(request)
    if site.replica is not None:
        raise HttpError(409, "read_only", "本站点是只读副本，不保存检索日志。")
    data = await signed_body(request, MAX_EVENTS_BODY)
    events = data.get("events")
    if not isinstance(events, list) or len(events) > MAX_EVENTS \
            or not all(isinstance(e, dict) for e in events):
        raise HttpError(400, "invalid_events", "events 应为事件对象的列表。")
    clean = [{k: e.get(k) for k in ("type", "at", "query", "hits", "entry", "audience", "weak",
                                           "alarm", "asker")} for e in events]
    n = await run_in_threadpool(site.kb.feedback.log_events, clean)
    return json_response({"status": "ok", "stored": n})


async def keys(request: Request) -> Response:
    """POST /api/v1/hooks/keys (primary): the active API key with a given SHA-256, or null."""
    site = site_of(request)
    if site.replica is not None:
        raise HttpError(409, "read_only", "本站点是只读副本，密钥由主节点核验。")
    data = await signed_body(request)
    digest = data.get("hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise HttpError(400, "invalid_parameter", "hash 应为 64 位十六进制的 SHA-256。")
    # Afresh: the replica trusts the answer for as long as a worker here trusts what it read, so a
    # revoked key stops working there within the time it does here.
    key = await run_in_threadpool(site.kb.api_keys.verify_hash, digest, True)
    return json_response({"key": dataclasses.asdict(key) if key else None})


async def pending(request: Request) -> Response:
    """POST /api/v1/hooks/pending (primary): open change requests and error reports by entry, for a replica."""
    site = site_of(request)
    if site.replica is not None:
        raise HttpError(409, "read_only", "本站点是只读副本，修改审核和纠错的情况由主节点提供。")
    await signed_body(request)
    found = await run_in_threadpool(site.kb.pending)
    return json_response({"pending": found.as_dict()})
