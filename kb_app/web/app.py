"""The ASGI application of ``kb web``: routes, error mapping, request metrics and security headers.

``create_app(kb)`` builds it for one knowledge base (tests call it directly);
``app_from_environment()`` is the factory each uvicorn worker calls, reading the settings from the
``KB_*`` variables that ``kb web`` sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import logging
import time
from urllib.parse import quote

import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..exceptions import DatabaseUnusable, IndexUnreadable
from ..kb import Kb
from . import api, hooks, pages
from .openapi import PUBLIC_SPEC
from .site import HttpError, Site, database_unavailable, dumps, etag_matches, unavailable

log = logging.getLogger(__name__)
METRICS_DUMP_SECONDS = 5.0
#: Threads rendering responses (and waiting on the database or a primary) per worker.
RENDER_THREADS = 8
#: File texts a worker keeps: its entries read their bodies again from git when a page is rendered,
#: and rendered pages are cached, so at 50,000 entries this holds ~90 MB less than all of them.
WORKER_BLOB_CACHE_BYTES = 8 * 1024 * 1024
JSON_PREFIXES = ("/api/", "/metrics")
HTML_SECURITY = {"content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}
OPENAPI_BODY = dumps(PUBLIC_SPEC)
OPENAPI_ETAG = f'"{hashlib.sha1(OPENAPI_BODY).hexdigest()[:24]}"'


async def openapi(request: Request) -> Response:
    """GET /api/openapi.json, with an ETag (of its content) and conditional GET like every API response."""
    headers = {"Cache-Control": "public, max-age=300", "ETag": OPENAPI_ETAG}
    if etag_matches(request.headers.get("if-none-match"), OPENAPI_ETAG):
        return Response(status_code=304, headers=headers)
    return Response(OPENAPI_BODY, media_type="application/json", headers=headers)


ROUTES = [
    Route("/", pages.home, methods=["GET", "HEAD"]),
    Route("/answers/{entry_id}", pages.answer, methods=["GET", "HEAD"]),
    Route("/articles/{regulation}/{n}", pages.article, methods=["GET", "HEAD"]),
    Route("/browse", pages.browse, methods=["GET", "HEAD"]),
    # The site's own forms (helpful vote, 报告错误) post here and are sent back to the page (303); the API's
    # /api/v1/feedback answers the same posts in JSON.
    Route("/feedback", api.feedback, methods=["POST"]),
    Route("/static/site.css", pages.stylesheet, methods=["GET", "HEAD"]),
    Route("/static/favicon.svg", pages.icon, methods=["GET", "HEAD"]),
    Route("/favicon.ico", pages.icon, methods=["GET", "HEAD"]),
    Route("/robots.txt", pages.robots, methods=["GET", "HEAD"]),
    Route("/api/openapi.json", openapi, methods=["GET", "HEAD"]),
    Route("/api/docs", pages.api_docs, methods=["GET", "HEAD"]),
    Route("/api/v1/search", api.search, methods=["GET", "HEAD"]),
    Route("/api/v1/entries/{entry_id}", api.entry, methods=["GET", "HEAD"]),
    Route("/api/v1/topics", api.topics, methods=["GET", "HEAD"]),
    Route("/api/v1/articles/{regulation}/{n}", api.article, methods=["GET", "HEAD"]),
    Route("/api/v1/dispatch", api.dispatch, methods=["POST"]),
    Route("/api/v1/feedback", api.feedback, methods=["POST"]),
    Route("/api/v1/health", api.health, methods=["GET", "HEAD"]),
    Route("/api/v1/hooks/published", hooks.published, methods=["POST"]),
    Route("/api/v1/hooks/logs", hooks.logs, methods=["POST"]),
    Route("/api/v1/hooks/keys", hooks.keys, methods=["POST"]),
    Route("/api/v1/hooks/pending", hooks.pending, methods=["POST"]),
    Route("/metrics", api.metrics, methods=["GET"]),
]


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES) or request.url.path == "/api"


async def on_http_error(request: Request, exc: HttpError) -> Response:
    return api.error_response(exc) if wants_json(request) else pages.html_error(exc)


#: The API's words for an unknown address; the site's pages say theirs (pages.html_error).
API_NOT_FOUND = "没有这个接口：请检查地址，全部接口见 /api/docs。"
STARLETTE_ERRORS = {404: ("not_found", "没有这个页面：请检查网址，或回到首页查询。"),
                    405: ("method_not_allowed", "不支持该请求方法：请查看 /api/openapi.json 中的接口说明。")}


async def on_starlette_error(request: Request, exc: HTTPException) -> Response:
    code, message = STARLETTE_ERRORS.get(exc.status_code, ("error", "请求无法处理。"))
    if exc.status_code == 404 and wants_json(request):
        message = API_NOT_FOUND
    return await on_http_error(request, HttpError(exc.status_code, code, message, dict(exc.headers or {})))


async def on_unreadable_index(request: Request, exc: IndexUnreadable) -> Response:
    """A search that met a damaged index file: 503 as for an index not yet built (the index said
    what it met in the log, and /api/v1/health now answers 503 until it is rebuilt)."""
    return await on_http_error(request, unavailable())


async def on_unusable_database(request: Request, exc: DatabaseUnusable) -> Response:
    """A request that needs the workflow database while it cannot be used (damaged, not writable): 503, said
    in the log once; the anonymous public reads do not need it (their “待核” marks come from main's history)."""
    request.app.state.site.database_failed(exc)
    return await on_http_error(request, database_unavailable())


async def on_crash(request: Request, exc: Exception) -> Response:
    log.exception("处理 %s 时出现意外错误", request.url.path)
    return await on_http_error(request, HttpError(500, "internal", "服务器内部错误：请稍后再试；如果持续出现，请联系热线中心。"))


class Observe:
    """Pure ASGI middleware: latency and status per route template, and security headers."""

    def __init__(self, app, site: Site):
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = [500]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = dict(SECURITY)
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    extra.update(HTML_SECURITY)
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in names]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            self.site.metrics.observe(getattr(route, "path", "unmatched"), scope.get("method", ""), status[0],
                                      time.perf_counter() - started)


#: What a page on another site may read from a browser: the public, anonymous reads of the API.
CORS_PATHS = ("/api/v1/search", "/api/v1/entries/", "/api/v1/articles/", "/api/v1/health", "/api/openapi.json")
CORS = {"access-control-allow-origin": "*", "access-control-expose-headers": "ETag, X-Kb-Commit, Retry-After"}
#: A preflight allows reading and no header of the page's own: a browser page never sends an API key
#: (keys are for calls between servers, as the API's description says: openapi.BROWSER_CALLS).
PREFLIGHT = {**CORS, "access-control-allow-methods": "GET, HEAD", "access-control-max-age": "86400"}


class PublicReads:
    """Pure ASGI middleware: a city portal's pages may call the anonymous reads of the API from the
    browser (CORS for any origin, without credentials); the rest of the site and API stay same-origin."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PATHS):
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            headers = [(k.encode(), v.encode()) for k, v in PREFLIGHT.items()]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})
        if scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k.encode(), v.encode()) for k, v in CORS.items())]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


class TrailingSlash:
    """Pure ASGI middleware: ``/browse/`` goes to ``/browse`` with a relative address. (Starlette's own
    redirect writes the absolute address from the request's Host header, which a client chooses.)"""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if len(path) > 1 and path.endswith("/"):
            query = scope.get("query_string", b"").decode("latin-1")
            target = "/" + path.strip("/") + (f"?{query}" if query else "")
            status = 308 if scope["method"] in ("GET", "HEAD") else 307
            headers = [(b"location", quote(target, safe="/?&=%:+@!$,;*'()~").encode("latin-1")),
                       (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})
        await self.app(scope, receive, send)


@functools.lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Give the free pages inside the C heap back to the system (glibc); False where it cannot.

    A burst of concurrent requests leaves free memory scattered between live objects, which glibc
    keeps: a worker's resident size stayed at its busiest moment's. Trimming returns it.
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def create_app(kb: Kb, replica=None) -> Starlette:
    """The public site and API over one knowledge base (a replica when ``replica`` is given)."""
    site = Site(kb, replica)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def dump_metrics():
            while True:
                await asyncio.sleep(METRICS_DUMP_SECONDS)
                site.metrics.dump()
                # ~8 ms at 50,000 entries; without it a busy worker held ~45 MB of free memory.
                await run_in_threadpool(release_free_memory)

        # Rendering holds the interpreter; more threads than this only queue for it, and each thread
        # costs memory (a stack, and an allocator arena of its own).
        anyio.to_thread.current_default_thread_limiter().total_tokens = RENDER_THREADS
        try:
            # Open the index and load the analyzer before the first request rather than during it.
            await run_in_threadpool(site.warm)
        except HttpError:
            log.warning("检索索引还不能提供服务：在它能够服务之前 /api/v1/health 答复 503")
        except IndexUnreadable:
            log.error("检索索引无法读取：在重建（kb index --rebuild）之前 /api/v1/health 答复 503")
        except Exception:  # noqa: BLE001 - requests will try again; a worker that exits helps no one
            log.exception("预热失败，之后的请求会再试")
        task = asyncio.create_task(dump_metrics())
        try:
            yield
        finally:
            task.cancel()
            site.close()

    app = Starlette(routes=ROUTES, lifespan=lifespan,
                    exception_handlers={HttpError: on_http_error, HTTPException: on_starlette_error,
                                        IndexUnreadable: on_unreadable_index, DatabaseUnusable: on_unusable_database,
                                        Exception: on_crash})
    app.state.site = site
    app.router.redirect_slashes = False
    app.add_middleware(PublicReads)
    app.add_middleware(TrailingSlash)
    app.add_middleware(Observe, site=site)
    return app


def app_from_environment() -> Starlette:
    """The factory uvicorn workers call: settings from the environment ``kb web`` prepared."""
    from ..config import load_settings
    from ..content.store import limit_blob_cache
    from ..kb import open_kb
    from .follow import Replica

    limit_blob_cache(WORKER_BLOB_CACHE_BYTES)
    kb = open_kb(load_settings())
    return create_app(kb, Replica(kb) if kb.settings.follow else None)
