"""JSON API, version 1 (``/api/v1/…``): search, entries, articles, dispatch, feedback and health.

Every error is ``{"error": {"code", "message"}}`` with the message in Chinese. Public requests
need no key and are limited per client address; ``Authorization: Bearer <key>`` identifies a
partner or an agent system (agent search, notes and dispatch need an agent key). GET responses
carry an ``ETag`` (the commit of main, the day and the request) and a short ``Cache-Control``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..search import analysis
from ..exceptions import AlreadyVoted, DatabaseUnusable, EntryNotFound, IndexUnreadable, KbError
from ..review.pending import UNKNOWN_NOTICE
from ..usage.feedback import VOTER_COOKIE
from . import follow, views
from .site import HttpError, Site, database_unavailable, degraded, dumps

MAX_BODY = 16 * 1024
MAX_LIMIT = 50
MAX_OFFSET = 1000
MAX_FILTER = 100
#: The characters of an error report's text that are kept (and read for an emergency).
MAX_REPORT = 2000
FEEDBACK_RESULTS = {"vote": "thanks", "report": "reported"}
#: What a citizen is told when the workflow database cannot keep a vote or a report now (503 ``not_recorded``).
NOT_RECORDED = {"vote": "暂时无法记录您的评价：请稍后再试。",
                "report": "暂时无法记录您的报告：请稍后再试；急需反映的问题请拨打 12345。"}
#: Where a caller of the API finds valid unit ids: in what the API returns, not in files of the repository.
UNITS_HINT = "单位编号见搜索结果和答复中的 unit 字段：可先不加 unit 搜索，再用结果里的编号筛选。"
CATEGORIES_HINT = "主题见搜索结果和答复中的 category 字段：可先不加 category 搜索，再用结果里的主题筛选。"


def site_of(request: Request) -> Site:
    return request.app.state.site


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", **(headers or {})})


def error_response(e: HttpError, emergency: dict | None = None) -> Response:
    """``{"error": {code, message}}``; with ``emergency`` beside it when the words sent read as one (a report
    that could not be kept is read all the same)."""
    body = {"error": {"code": e.code, "message": e.message}, **({"emergency": emergency} if emergency else {})}
    return json_response(body, e.status, e.headers)


# -- parameters -------------------------------------------------------------------------------


def bad(name: str, message: str) -> HttpError:
    return HttpError(400, "invalid_parameter", f"参数 {name} 无效：{message}")


def int_param(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad(name, f"应为 {low} 到 {high} 之间的整数。")
    if not low <= value <= high:
        raise bad(name, f"应为 {low} 到 {high} 之间的整数。")
    return value


def text_param(params, name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    value = analysis.sanitize_query(raw)
    if len(raw) > MAX_FILTER:
        raise bad(name, f"最多 {MAX_FILTER} 个字符。")
    return value or None


def found_by(raw) -> str | None:
    """The question an answer was found by (``?q=`` on an answer page, ``query`` of a vote), or None
    when there is none or it is no search question (not text, or longer than a search allows)."""
    if not isinstance(raw, str) or len(raw) > 4 * analysis.MAX_QUERY_CHARS \
            or len(" ".join(raw.split())) > analysis.MAX_QUERY_CHARS:
        return None
    return " ".join(analysis.sanitize_query(raw).split()) or None


def query_text(raw: str | None) -> str:
    """The query text of ``q``: required, at most ``analysis.MAX_QUERY_CHARS`` characters of text."""
    if raw is None or not analysis.sanitize_query(raw):
        raise HttpError(400, "missing_query", "请提供查询内容（参数 q），例如 /api/v1/search?q=居住证怎么办。")
    written = len(" ".join(raw.split()))
    if len(raw) > 4 * analysis.MAX_QUERY_CHARS or written > analysis.MAX_QUERY_CHARS:
        raise HttpError(400, "query_too_long", f"查询内容过长：最多 {analysis.MAX_QUERY_CHARS} 个字（现在 {written} 个字），"
                                               "请只留下最想问的那句话后重试。")
    return analysis.sanitize_query(raw)


@dataclasses.dataclass(frozen=True)
class SearchParams:
    q: str
    audience: str
    limit: int
    offset: int
    kind: str | None
    unit: str | None
    category: str | None
    region: str | None

    @property
    def key(self) -> tuple:
        return (self.q, self.limit, self.offset, self.kind, self.unit, self.category, self.region)


#: Parameters of a search given once: a second value would be dropped unsaid (q=社保卡&q=医保卡 searched 医保卡 alone).
SINGLE = ("q", "audience", "limit", "offset", "kind", "unit", "category", "region", "voter")


def search_params(params) -> SearchParams:
    for name in SINGLE:
        if len(params.getlist(name)) > 1:
            raise bad(name, "只能给一次（现在给了 {} 次）：多个词请写在同一个 {} 里，用空格隔开。".format(
                len(params.getlist(name)), name) if name == "q" else f"只能给一次（现在给了 {len(params.getlist(name))} 次）。")
    audience = params.get("audience") or "public"
    if audience not in ("public", "agent"):
        raise bad("audience", "应为 public（公众）或 agent（坐席）。")
    kind = params.get("kind") or None
    allowed = views.KINDS if audience == "agent" else ("policy", "article")
    if kind is not None and kind not in allowed:
        raise bad("kind", f"应为 {'、'.join(allowed)} 之一。")
    return SearchParams(q=query_text(params.get("q")), audience=audience,
                        limit=int_param(params, "limit", 10, 1, MAX_LIMIT),
                        offset=int_param(params, "offset", 0, 0, MAX_OFFSET), kind=kind,
                        unit=text_param(params, "unit"), category=text_param(params, "category"),
                        region=text_param(params, "region"))


async def json_body(request: Request, forms: bool = False) -> tuple[dict, bool]:
    """The request body as a dict, and whether it came from an HTML form."""
    length = request.headers.get("content-length")
    if length and (not length.isdigit() or int(length) > MAX_BODY):
        raise HttpError(413, "payload_too_large", f"请求内容过大：最多 {MAX_BODY // 1024} KB。")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if forms and kind == "application/x-www-form-urlencoded":
        if len(await request.body()) > MAX_BODY:     # sent in chunks, with no length said beforehand
            raise HttpError(413, "payload_too_large", f"请求内容过大：最多 {MAX_BODY // 1024} KB。")
        form = await request.form(max_files=0, max_fields=20, max_part_size=MAX_BODY)
        return {k: v for k, v in form.items() if isinstance(v, str)}, True
    if kind != "application/json":
        raise HttpError(415, "unsupported_media_type", "请求内容应为 JSON（Content-Type: application/json）。")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HttpError(413, "payload_too_large", f"请求内容过大：最多 {MAX_BODY // 1024} KB。")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "invalid_json", "请求内容不是有效的 JSON：请检查格式（UTF-8 编码）。")
    if not isinstance(data, dict):
        raise HttpError(400, "invalid_json", "请求内容应为 JSON 对象，例如 {\"text\": \"……\"}。")
    return data, False


def not_found(message: str) -> HttpError:
    return HttpError(404, "not_found", message)


# -- endpoints --------------------------------------------------------------------------------


async def search(request: Request) -> Response:
    """GET /api/v1/search; a search refused (too long, too frequent) whose words read as an emergency still
    carries the line to call (``emergency`` beside the error, as a report's)."""
    try:
        return await _search(request)
    except HttpError as e:
        if alarm := report_alarm(site_of(request), request.query_params.get("q")):
            return error_response(e, alarm)
        raise


async def _search(request: Request) -> Response:
    site = site_of(request)
    client = await site.admit(request)
    p = search_params(request.query_params)
    asker = asker_of(client, request.query_params)
    agent = p.audience == "agent"
    if agent:
        site.require_agent(client)
    if problem := site.kb.unknown_filter(unit=p.unit, region=p.region, units_hint=UNITS_HINT, category=p.category,
                                         audience=p.audience, categories_hint=CATEGORIES_HINT):
        raise bad(*problem)

    # What is pending (open change requests, 纠错) is read now and keys the cached response: it changes
    # without main moving.
    pending = await site.pending() if agent else None

    def render():
        results = site.kb.search(p.q, audience=p.audience, limit=p.limit, offset=p.offset, kind=p.kind,
                                 unit=p.unit, category=p.category, region=p.region)
        reader = site.kb.reader(staff=True, commit=results.commit, flags=site.flags(results.commit),
                                pending=pending) if agent else None
        body = {"query": results.query, "audience": p.audience, "commit": results.commit,
                "total": results.total, "offset": p.offset, "limit": p.limit,
                "hits": [views.hit_dict(h, reader) for h in results.hits],
                **(views.pending_notice(reader) if agent else {})}
        if results.corrected:
            body["corrected"] = results.corrected
        if results.close is not None:
            body["close"] = results.close
        body.update({k: v for k, v in results.as_dict().items() if k in ("weak", "unknown", "vague", "retired")})
        body.update(views.advice(site.kb, p.q, results.commit or None, results.corrected))
        if not agent and body.get("emergency", {}).get("answers") is False:
            # 有人要轻生: the line and what to do, no policy answers beside them, for a platform that shows hits
            # without reading emergency.answers too.
            body.update(total=0, hits=[])
            body.pop("close", None)
        return 200, dumps(body), {"total": results.total, "provisional": results.provisional, "weak": results.weak,
                                  "alarm": "emergency" in body}

    def after(facts):
        if p.offset == 0:
            site.log_search(p.q, facts["total"], p.audience, weak=facts.get("weak", False),
                            alarm=facts.get("alarm", False), client=client, via="api", asker=asker)

    return await site.cached(request, f"api-search-{p.audience}", p.key + ((pending.token,) if agent else ()),
                             render, shared=not agent, after=after)


async def entry(request: Request) -> Response:
    """GET /api/v1/entries/{id}"""
    site = site_of(request)
    client = await site.admit(request)
    entry_id = request.path_params["entry_id"]
    staff = client.agent
    # The question the answer was found by (a search of the API): the open is counted on that search.
    query = found_by(request.query_params.get("q"))
    asker = asker_of(client, request.query_params)

    pending = await site.pending() if staff else None

    def render():
        reader, commit, _day = site.reader(staff)
        reader = reader.with_pending(pending) if staff else reader
        try:
            found = views.public_entry(reader, entry_id)
        except EntryNotFound as e:
            return 404, dumps({"error": {"code": "not_found", "message": str(e)}}), None
        return 200, dumps({**views.entry_dict(reader, found), "commit": commit}), {"id": found.id}

    def after(facts):
        if facts:
            site.log_open(facts["id"], "agent" if staff else "public", query=query, client=client, via="api",
                          asker=asker)

    return await site.cached(request, "api-entry-agent" if staff else "api-entry",
                             (entry_id, *((pending.token,) if staff else ())), render, shared=not staff, after=after)


async def topics(request: Request) -> Response:
    """GET /api/v1/topics — the public answers in force today by topic, as ``/browse`` lists them: what a platform
    shows to be browsed, without a question."""
    site = site_of(request)
    await site.admit(request)

    def render():
        reader, commit, _day = site.reader(False)
        groups = site.memo(reader, "answer_groups", views.answer_groups)
        listed = [{"topic": topic, "count": len(answers), "answers": answers} for topic, answers in groups.items()]
        return 200, dumps({"commit": commit, "total": sum(t["count"] for t in listed), "topics": listed}), None

    return await site.cached(request, "api-topics", (), render)


async def article(request: Request) -> Response:
    """GET /api/v1/articles/{regulation}/{n}"""
    site = site_of(request)
    client = await site.admit(request)
    article_id = f"{request.path_params['regulation']}/{request.path_params['n']}"
    staff = client.agent

    pending = await site.pending() if staff else None

    def render():
        reader, commit, _day = site.reader(staff)
        reader = reader.with_pending(pending) if staff else reader
        try:
            found = reader.article(article_id)
        except EntryNotFound as e:
            return 404, dumps({"error": {"code": "not_found", "message": str(e)}}), None
        return 200, dumps({**views.article_dict(reader, found), "commit": commit}), None

    return await site.cached(request, "api-article-agent" if staff else "api-article",
                             (article_id, *((pending.token,) if staff else ())), render, shared=not staff)


async def dispatch(request: Request) -> Response:
    """POST /api/v1/dispatch (agent key): what ``kb dispatch --json`` prints."""
    site = site_of(request)
    client = await site.admit(request)
    site.require_agent(client)
    data, _ = await json_body(request)
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise HttpError(400, "missing_text", "请提供来电人描述的诉求（字段 text）。")
    if len(text) > 2000:
        raise HttpError(400, "text_too_long", "诉求内容过长：最多 2000 个字。")
    now = data.get("now")
    if now is not None:
        try:
            now = dt.datetime.fromisoformat(str(now))
        except ValueError:
            raise bad("now", "应为 ISO 时间，例如 2026-11-20T16:00。")
    limit = data.get("limit", 5)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20:
        raise bad("limit", "应为 1 到 20 之间的整数。")
    not_emergency = data.get("not_emergency", False)
    if not isinstance(not_emergency, bool):
        raise bad("not_emergency", "应为 true 或 false。")
    try:
        result = await run_in_threadpool(site.kb.dispatch, text, now, limit, not_emergency=not_emergency)
    except IndexUnreadable:
        raise  # 503, as any request meeting a damaged index (app.on_unreadable_index)
    except KbError as e:
        raise HttpError(422, "dispatch_failed", str(e))
    body = result.to_dict()
    pending = await site.pending()
    pending.annotate(body["answers"])
    if not pending.known:
        body["pending_unavailable"] = UNKNOWN_NOTICE
    return json_response(body)


async def feedback(request: Request) -> Response:
    """POST /api/v1/feedback: a helpful vote or an error report, JSON or an HTML form (redirects back).

    A browser session votes once per answer: the vote carries the session's random key (cookie
    ``kb_voter``, set here on the first vote, gone when the browser closes) and the database refuses
    a second vote with the same key on the same answer (409 ``already_voted``). Without a key, one client
    address votes once per answer per day as well (a later vote is answered as received and not counted) and
    sends the same report once a day (:mod:`kb_app.usage.feedback`): a script dropping the cookie adds nothing.

    A post from a page of another site (:func:`foreign_origin`) is refused with 403 ``cross_site`` (a page for
    ``/feedback``, the site's form), before anything is read or counted.

    A report's text is read as a search's is (``report_alarm``): when it reads as an emergency the answer
    carries the line to call (``emergency``, as a search's), kept or not, and a form is answered with the
    emergency box rather than sent back to the answer.
    """
    site = site_of(request)
    if (elsewhere := foreign_origin(request, site.settings.public_url)) is not None:
        refused = HttpError(403, "cross_site", CROSS_SITE.format(elsewhere))
        if request.url.path == "/feedback":   # the site's own form: a page
            from .pages import html_error

            return html_error(refused)
        return error_response(refused)
    data, form = await json_body(request, forms=True)
    entry_id = str(data.get("entry") or "").strip()
    if not entry_id and not form:
        raise bad("entry", "请给出要评价或纠错的答复编号（字段 entry）。")
    new_voter = None
    alarm = None
    try:
        client = await site.client(request)
        forwarded = request.headers.get(follow.FORWARDED_HEADER)
        if "helpful" in data and (form or forwarded):
            # A form's "true"/"false" is read here, once: the vote goes on (to a primary too) as a JSON boolean.
            data["helpful"] = helpful_of(data["helpful"])
        if forwarded and not form:
            # A replica passing on a citizen's feedback: limit by the citizen's address, not the replica's.
            if not follow.verify(site.settings.hook_secret, request.headers, await request.body()):
                raise HttpError(403, "bad_signature", "转发的反馈签名无效：请检查副本与主节点的 hook_secret。")
            client = dataclasses.replace(client, address=forwarded[:100])
        else:
            if client.key is not None:
                voter = platform_voter(client, data.get("voter"))
            else:
                voter_id(data.get("voter"))  # checked as documented, though only a platform's counts
                voter = voter_key(request.cookies.get(VOTER_COOKIE))
                if voter is None and data.get("type") == "vote":
                    voter = new_voter = new_voter_key()
            data = {k: v for k, v in data.items() if k != "voter"}
            if voter:
                data["voter"] = voter               # the replica passes it on, signed, to the primary
        site.limit(client)
        kind = data.get("type")
        if kind == "report":
            # Before the feedback's own limit: someone who has sent too many reports is still told the line.
            alarm = await run_in_threadpool(report_alarm, site, data.get("text"))
        # A platform's users each have the citizen's allowance; without their id, the key has one.
        site.limit(client, "feedback", data.get("voter") if client.key is not None else None)
        if kind not in FEEDBACK_RESULTS:
            raise bad("type", "应为 vote（评价是否有帮助）或 report（报告错误）。")
        if site.replica is not None:
            result = await run_in_threadpool(site.replica.forward_feedback, data, client.address)
            # The primary reads the text too, to mark the report it keeps; where this replica's content read
            # nothing in it, what the primary read is told.
            alarm = alarm or (result.pop("emergency", None) if isinstance(result, dict) else None)
        else:
            result = await run_in_threadpool(record_feedback, site, client, entry_id, kind, data, alarm)
    except HttpError as e:
        # Nothing was recorded: no voting cookie starts here.
        if not form:
            return error_response(e, alarm)
        gone = e.status == 404       # an answer withdrawn while its page was open: no way back to it
        # A report not taken (the database down, sent too often) gives its text back, to copy or to send later.
        kept = None if gone else report_text(data)
        if alarm or kept:
            from .pages import report_page

            return report_page(site, "" if gone else entry_id, ("error", e.message), form_context(data), alarm,
                               e.status, kept=kept, voted=data.get("voted") == "1", headers=e.headers)
        if gone:  # a page, not JSON
            from .pages import html_error

            return html_error(e)
        outcome = "not_recorded" if e.code == "not_recorded" else \
            {409: "voted", 429: "limited", 503: "unavailable"}.get(e.status, "invalid")
        back = feedback_page(entry_id, outcome, form_context(data), voted=data.get("voted") == "1")
        response = RedirectResponse(back, status_code=303)
        return with_voted(response, entry_id, request) if outcome == "voted" else response
    reading = ""
    if alarm:
        result = {**result, "emergency": alarm}
        if form:
            # Sent back to the answer like any report (a reload sends nothing again), the box with it: the address
            # carries what the words read as, in public words, never the words.
            reading = await run_in_threadpool(alarm_reading, site, data.get("text"))
            if not reading:    # read by the primary only: said here, at the form's address
                from .pages import FEEDBACK_MESSAGES, report_page

                return report_page(site, entry_id, FEEDBACK_MESSAGES["reported"], form_context(data), alarm)
    if form:
        outcome = "unhelpful" if kind == "vote" and data.get("helpful") is False else FEEDBACK_RESULTS[kind]
        back = feedback_page(entry_id, outcome, form_context(data), voted=data.get("voted") == "1", alarm=reading)
        response = with_voter(RedirectResponse(back, status_code=303), new_voter, request)
        return with_voted(response, entry_id, request) if kind == "vote" else response
    return with_voter(json_response(result, 201), new_voter, request)


def feedback_page(target_id: str, outcome: str, data, voted: bool = False, alarm: str = "") -> str:
    """The page a feedback form goes back to: the outcome said, and the search the answer or article
    was found by (question, topic, page) kept for the link back to the results; ``voted`` when the
    form was sent from a page where the citizen had voted (the buttons are not offered again); ``alarm``,
    what a report's words read as (``alarm_reading``): the page opens on the emergency box."""
    params = {"feedback": outcome, **search_context(data), **({"voted": "1"} if voted else {}),
              **({"alarm": alarm} if alarm else {})}
    return f"{views.page_url(target_id)}?{urlencode(params)}#{'alarm' if alarm else 'feedback'}"


#: Pages of results a citizen may open (10 to a page).
MAX_PAGE = 50


def page_number(raw) -> int:
    """A results page number from ``?page=``: 1 when missing or unreadable, at most MAX_PAGE."""
    try:
        return max(1, min(MAX_PAGE, int(raw or 1)))
    except (TypeError, ValueError):
        return 1


def topic_filter(raw) -> str | None:
    """The topic of ``?topic=`` (a category), or None."""
    return (raw if isinstance(raw, str) else "").strip()[:MAX_FILTER] or None


def search_context(params) -> dict:
    """The search a page was opened from (``q``, ``topic``, ``page`` of the results), for the links that
    lead back to those results and on to other pages; empty when there was no question."""
    q = found_by(params.get("q"))
    if not q:
        return {}
    out = {"q": q}
    if topic := topic_filter(params.get("topic")):
        out["topic"] = topic
    if (number := page_number(params.get("page"))) > 1:
        out["page"] = number
    return out


def helpful_of(raw) -> bool | None:
    """A form's ``helpful`` ("true"/"false", "1"/"0", "yes"/"no"; a JSON body's is a JSON boolean), or None."""
    if isinstance(raw, str):
        raw = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(raw)
    return raw if isinstance(raw, bool) else None


def form_context(data) -> dict:
    """A feedback form's search (its ``query``, ``topic`` and ``page`` fields) as :func:`search_context` reads it."""
    return {"q": data.get("query"), "topic": data.get("topic"), "page": data.get("page")}


def report_text(data) -> str | None:
    """The text of an error report's form, when it is one and something is written in it."""
    text = data.get("text") if data.get("type") == "report" else None
    return text if isinstance(text, str) and text.strip() else None


def voter_key(value) -> str | None:
    """The browser session's voting key from its cookie, when it looks like one we issued (never one that looks
    like a platform's user: :data:`PLATFORM_VOTER`)."""
    value = str(value or "")
    return value if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum() \
        and not value.startswith(PLATFORM_VOTER) else None


def new_voter_key() -> str:
    """A new browser session's voting key (random; never one :func:`voter_key` would refuse)."""
    while (key := secrets.token_urlsafe(24)).startswith(PLATFORM_VOTER):
        pass
    return key


#: What a cross-site post of a vote or report is told (with the site it came from).
CROSS_SITE = ("提交被拒绝：这份评价或纠错是从{}发来的，不是从本站的答复页提交的。为了不让别的网站借您的浏览器"
              "提交，本站只接受本站页面上的评价和纠错：请直接打开本站的答复页，在页面下方评价或报告错误；急需反映的问题请拨打 12345。")


def foreign_origin(request: Request, public_url: str = "") -> str | None:
    """The site a post came from when it is another site (what the browser says in ``Origin``, or, without one,
    in ``Referer``), in words (其他网站（https://evil.example）的页面, 来源不明的页面), else None.

    Our own site is the host the browser addressed (``Host``, or the ``X-Forwarded-Host`` a proxy that rewrites
    ``Host`` sets), or the host of the ``public_url`` setting; schemes and default ports are not compared (a
    proxy ending TLS makes the request http). ``Origin: null`` (a sandboxed frame, a page of a file) is another
    site. A post with neither header is taken: servers calling the API send none, nor do some older browsers or
    privacy settings; a modern browser always sends ``Origin`` with a cross-site post, which a page cannot
    forge, so what is refused here is every page of another site that makes its visitors' browsers post."""
    said = request.headers.get("origin")
    if said is None:
        said = request.headers.get("referer")
        if not said:
            return None
    ours = {_host_of("//" + host.split(",")[0].strip()) for host in
            (request.headers.get("host"), request.headers.get("x-forwarded-host")) if host}
    if public_url:
        ours.add(_host_of(public_url))
    theirs = _host_of(said)
    if theirs is not None and theirs in ours:
        return None
    return f"其他网站（{said.split('?')[0].split('#')[0][:100]}）的页面" if said != "null" else "来源不明的页面"


def _host_of(url: str) -> str | None:
    """``host`` or ``host:port`` of an address (no port when it is 80 or 443), lower case; None for none."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host.lower() if port in (None, 80, 443) else f"{host.lower()}:{port}"


#: How the voting key of a platform's user begins (a browser session's never does: :func:`voter_key`).
PLATFORM_VOTER = "p-"
#: The longest ``voter`` (a platform's id of its user).
MAX_VOTER = 100


def voter_id(raw) -> str | None:
    """A ``voter`` as given (1 to MAX_VOTER characters, spaces around it not counted), or None when none is given;
    400 otherwise, with or without a key (without one it is not used: a browser's session is its cookie)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not 1 <= len(raw.strip()) <= MAX_VOTER:
        raise bad("voter", f"应为 1 到 {MAX_VOTER} 个字符：贵平台用户的匿名编号（同一用户每次相同），用于识别重复评价。")
    return raw.strip()


def platform_voter(client, raw) -> str | None:
    """The voting key of a platform's user: the platform's own id of them (any text, the same each
    time), kept only as a digest under the key's name, so a second vote on an answer is refused as a
    browser session's is. None when the platform gives none (its votes then cannot be told apart)."""
    if (given := voter_id(raw)) is None:
        return None
    return PLATFORM_VOTER + hashlib.sha256(f"{client.key.name}\0{given}".encode("utf-8")).hexdigest()[:40]


def asker_of(client, params) -> str | None:
    """Which of a keyed platform's users asked (``voter``, as for votes: :func:`platform_voter`), so that each of
    them is counted; None without a key (a ``voter`` is then checked, not used) or without one named (the key is
    then one asker)."""
    if client.key is None:
        voter_id(params.get("voter"))
        return None
    return platform_voter(client, params.get("voter"))


def feedback_address(client, data: dict) -> str | None:
    """The client address a vote or report is counted by (:mod:`kb_app.usage.feedback`): a browser's or a script's
    without a key, the citizen's a replica passes on; None for a keyed platform's (its server speaks for many
    people: its users are told apart by ``voter``) or a platform's user a replica passes on."""
    if client.key is not None or str(data.get("voter") or "").startswith(PLATFORM_VOTER):
        return None
    return client.address


#: The answers and articles a browser session has voted on (cookie, gone when the browser closes): their
#: pages, opened again, say so instead of offering the buttons, which would only be refused. A cookie,
#: not the votes table, because a replica keeps no votes (it passes them on); it holds short digests of
#: the ids, the last VOTED_KEPT of them.
VOTED_COOKIE = "kb_voted"
VOTED_KEPT = 150


def voted_mark(target_id: str) -> str:
    return hashlib.sha256(f"kb-voted:{target_id}".encode("utf-8")).hexdigest()[:10]


def voted_marks(request: Request) -> list[str]:
    """The marks (voted_mark) of the targets this browser session has voted on, oldest first."""
    raw = request.cookies.get(VOTED_COOKIE) or ""
    return [m for m in raw.split(".") if len(m) == 10 and all(c in "0123456789abcdef" for c in m)][-VOTED_KEPT:]


def with_voted(response: Response, target_id: str, request: Request) -> Response:
    """``response`` adding ``target_id`` to the session's voted cookie (a vote kept, or one refused as a
    second)."""
    mark = voted_mark(target_id)
    marks = [m for m in voted_marks(request) if m != mark] + [mark]
    response.set_cookie(VOTED_COOKIE, ".".join(marks[-VOTED_KEPT:]), path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


def with_voter(response: Response, voter: str | None, request: Request) -> Response:
    """``response`` setting the voting cookie when this request started a browser session's key."""
    if voter:
        response.set_cookie(VOTER_COOKIE, voter, path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def report_alarm(site: Site, text) -> dict | None:
    """What an error report's text reads as, read as the site reads a search (``kb.public_alarm``): the
    emergency line to tell the reporter (as a search's ``emergency``), or None. Read on the content being
    served, or on main while the index cannot serve: the words are read all the same."""
    return _read_report(site, text, site.kb.public_alarm)


def alarm_reading(site: Site, text) -> str:
    """``report_alarm`` in public words for a page's address (``kb.public_alarm_reading``), "" when none."""
    return _read_report(site, text, site.kb.public_alarm_reading) or ""


def alarm_of_reading(site: Site, reading: str) -> dict | None:
    """The emergency box of what a report read as (``alarm_reading``), or None (``kb.public_alarm_of``)."""
    return site.kb.public_alarm_of(reading, _commit_read(site))


def _read_report(site: Site, text, read):
    if not isinstance(text, str) or not text.strip():
        return None
    return read(text[:MAX_REPORT], _commit_read(site))


def _commit_read(site: Site) -> str | None:
    """The commit whose rules read a citizen's words: the content being served, or main while the index cannot serve."""
    try:
        commit, _day = site.state()
    except HttpError:
        commit = None
    return commit


def record_feedback(site: Site, client, entry_id: str, kind: str, data: dict, alarm: dict | None = None) -> dict:
    """Store a vote or report for an entry the client may see (masked by kb.feedback); a report marked
    with what its text reads as (``alarm``, see ``report_alarm``).

    A report's ``contact`` is not taken (see README, privacy): it is neither checked nor stored.
    """
    audience = "agent" if client.agent else "public"
    reader, _commit, _day = site.reader(client.agent)
    try:
        found = reader.article(entry_id) if "/" in entry_id else views.public_entry(reader, entry_id)
    except EntryNotFound as e:
        raise not_found(str(e))
    if "/" in entry_id and kind != "vote":
        raise HttpError(400, "invalid_report", "条例条文不接受纠错：对条文有疑问请拨打 12345。")
    try:
        store_feedback(site, found, kind, data, audience, alarm, feedback_address(client, data))
    except DatabaseUnusable as e:
        site.database_failed(e)
        raise database_unavailable(NOT_RECORDED[kind], "not_recorded")
    return {"status": "received", "type": kind, "entry": found.id}


def store_feedback(site: Site, found, kind: str, data: dict, audience: str, alarm: dict | None,
                   address: str | None = None):
    """Keep a vote or a report on ``found`` (checked first: 400 or 409 when it cannot be taken); ``address``, the
    client address it is counted by (:func:`feedback_address`)."""
    if kind == "vote":
        helpful = data.get("helpful")
        if isinstance(helpful, str):
            raise bad("helpful", f"应为 JSON 布尔值 true（有帮助）或 false（没帮助），不加引号；收到的是字符串“{helpful[:20]}”。")
        if not isinstance(helpful, bool):
            raise bad("helpful", "应为 true（有帮助）或 false（没帮助）。")
        voter = data.get("voter")
        query = data.get("query")
        if query not in (None, "") and found_by(query) is None:
            raise bad("query", f"应为检索时输入的问题（最多 {analysis.MAX_QUERY_CHARS} 个字）。")
        try:
            site.kb.feedback.vote(found.id, helpful, audience=audience, voter=str(voter) if voter else None,
                                  query=found_by(query), address=address)
        except AlreadyVoted as e:
            raise HttpError(409, "already_voted", str(e))
    else:
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise HttpError(400, "missing_text", "纠错内容不能为空：请写明哪里有误、正确的应当是什么。")
        if len(text) > MAX_REPORT:
            raise HttpError(400, "text_too_long", f"纠错内容最多 {MAX_REPORT} 个字。")
        try:
            site.kb.feedback.report_error(found.id, text, audience=audience, alarm=alarm, address=address)
        except DatabaseUnusable:
            raise
        except KbError as e:
            raise HttpError(400, "invalid_report", str(e))


async def health(request: Request) -> Response:
    """GET /api/v1/health: 200 while the index can serve, 503 otherwise.

    Anyone may ask (never rate-limited: a load balancer asks often); a bad key is refused as on every
    endpoint. A replica's repository address and git's errors are for the monitoring addresses only.

    A workflow database that cannot be used is said (``database``, status ``degraded``) with 200: the node
    still serves the public, which is what a load balancer asks about, and every node of a primary shares
    the one database, so taking them out would take the public site down with the staff's side. What is
    wrong in it (file, user) is for the monitoring addresses only.
    """
    site = site_of(request)
    try:
        await site.client(request)
    except HttpError as e:
        # A key a replica cannot check now (its primary unreachable) is no bad key: the health stands.
        if e.status == 401:
            raise
    detail = site.may_read_metrics(request)
    body = {"role": "replica" if site.replica else "primary"}
    if site.replica is not None:
        body["upstream"] = site.replica.status(detail=detail)
    problem = await run_in_threadpool(site.database_problem)
    body["database"] = {"status": "ok"} if problem is None else {
        "status": "unusable", "message": f"流程数据库暂时无法使用：{degraded(site.replica is not None)}。",
        **({"detail": problem} if detail else {})}
    try:
        commit, day = await run_in_threadpool(site.check)
    except HttpError as e:
        body.update(status="unavailable", error={"code": e.code, "message": e.message})
        return json_response(body, 503, {"Retry-After": "5"})
    try:
        main = site.kb.store.head()
    except KbError:
        main = None
    body.update(status="ok" if problem is None else "degraded", commit=main, indexed_commit=commit, today=day)
    return json_response(body)


async def metrics(request: Request) -> Response:
    """GET /metrics: Prometheus text format, for the monitoring system's addresses (``metrics_from``);
    any other client is told there is no such page, as for any unknown address."""
    site = site_of(request)
    if not site.may_read_metrics(request):
        raise not_found("没有这个页面：请检查网址。")
    gauges = await run_in_threadpool(metric_gauges, site)
    return Response(site.metrics.render(gauges), media_type="text/plain; version=0.0.4; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def metric_gauges(site: Site) -> list:
    import time

    gauges = [("kb_search_log_pending", "Search-log events waiting to be written.", {}, site.events.pending)]
    try:
        commit, _day = site.check()
        up = 1
    except HttpError:
        commit, up = site.kb.index.indexed_commit, 0
    gauges.append(("kb_index_up", "1 while the search index can serve requests.", {}, up))
    gauges.append(("kb_database_up", "1 while the workflow database can be used (keys, feedback, search log).", {},
                   0 if site.database_problem() else 1))
    when = site.commit_time(commit) if commit else None
    if when is not None:
        gauges.append(("kb_index_commit_age_seconds", "Age of the commit of main the index serves.", {},
                       round(max(0.0, time.time() - when), 3)))
    if site.replica is not None:
        age = site.replica.fetch_age()
        if age is not None:
            gauges.append(("kb_replica_last_fetch_age_seconds",
                           "Seconds since the replica last fetched main.", {},
                           round(age, 3)))
    return gauges
