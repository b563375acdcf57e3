"""The public self-service pages, rendered on the server with Jinja2: search, answer, article, browse.

No JavaScript is needed: the search is a GET form (``/?q=…&topic=…&page=…``), the helpful and
report forms post to ``/feedback``, which sends the browser back to the answer with a
message. Pages are cached like the API (per commit, day and request) and carry an ``ETag``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from ..exceptions import EntryNotFound
from ..labels import KIND_LABELS, chinese_date
from ..search.analysis import MAX_QUERY_CHARS, sanitize_query
from . import api, views
from .site import HttpError

HERE = Path(__file__).parent
PAGE_SIZE = 10
#: Outcomes after which the vote buttons are not offered again on the page.
VOTED = ("thanks", "unhelpful", "voted")
FEEDBACK_MESSAGES = {
    "thanks": ("ok", "感谢您的评价！"),
    "unhelpful": ("ok", "感谢您的评价。没能帮上忙，很抱歉：可以换个说法再查，或拨打 12345 咨询。"),
    "reported": ("ok", "已收到您的报告，承办单位会尽快核实更正。谢谢！"),
    "voted": ("ok", "您已经评价过这条答复，每次访问只计一次。谢谢！"),
    "invalid": ("error", "提交未成功：请写明哪里有误后再提交。"),
    "limited": ("error", "提交过于频繁，请稍后再试。"),
    "unavailable": ("error", "暂时无法提交，请稍后再试或拨打 12345。"),
    "not_recorded": ("error", "暂时无法记录您的评价或报告：请稍后再试；急需反映的问题请拨打 12345。"),
}

env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)
CSS = (HERE / "static" / "site.css").read_bytes()
ICONS = {name: (HERE / "static" / name).read_bytes() for name in ("favicon.svg", "favicon.png")}


def versioned(name: str, data: bytes) -> str:
    """A static file's address with a hash of its content, so that it can be cached as immutable."""
    return f"/static/{name}?v={hashlib.sha1(data).hexdigest()[:10]}"


env.globals["css_url"] = versioned("site.css", CSS)
env.globals["icon_url"] = versioned("favicon.svg", ICONS["favicon.svg"])
env.globals["kind_labels"] = KIND_LABELS
#: A hotline's number inside a safety step, on its own: an emergency line (110, 119, 120, 122) or a public
#: service line of 123xx (12345, 12356).
LINE_NUMBER = re.compile(r"(?<![\d-])(1[12]\d|123\d\d)(?![\d-])")


def tel_links(text: str) -> Markup:
    """A safety step with each hotline number it names as a link to call it (a phone calls with one tap)."""
    return Markup(LINE_NUMBER.sub(r'<a href="tel:\1" class="tel">\1</a>', str(escape(text))))


#: A table of an answer or an article in a box of its own that scrolls sideways (a phone at 200 % zoom): its cells
#: keep their width rather than break 2.5万元 one character a line. Focusable, so that a keyboard can scroll it.
#: That more columns lie beyond the box's edge shows in CSS alone (site.css, .table-scroll): a shadow on the side
#: that scrolls on, and, only while the table is wider than its box, the line TABLE_HINT above it.
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
TABLE_HINT = "表格较宽，可左右滑动查看"
TABLE_BOX = '<div class="table-scroll" role="region" aria-label="表格（可左右滚动）" tabindex="0">'
TABLE_OPEN = (f'{TABLE_BOX}<div class="table-fit"><p class="table-hint" aria-hidden="true">'
              f'<span>{TABLE_HINT}</span></p>')


def body_html(html: str) -> Markup:
    """Sanitised HTML of an answer's or an article's text (render.to_html), each table in a box that scrolls."""
    return Markup(_TABLE.sub(lambda m: f"{TABLE_OPEN}{m.group()}</div></div>", str(html)))


env.filters["safe_html"] = Markup
env.filters["body_html"] = body_html
env.filters["tel_links"] = tel_links
env.filters["chinese_date"] = chinese_date


def page(template: str, status: int = 200, **context) -> tuple[int, bytes, dict | None]:
    return status, env.get_template(template).render(**context).encode("utf-8"), context.get("facts")


def not_found_page(message: str, **context):
    return page("error.html", 404, title="未找到", message=message, **context)


def uncached_page(template: str, status: int = 200, headers: dict | None = None, **context) -> Response:
    """A page for this request alone, kept by no cache."""
    return Response(env.get_template(template).render(**context), status_code=status,
                    media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store", **(headers or {})})


def html_error(e: HttpError, alarm: dict | None = None) -> Response:
    """An error as a page (rate limits, unavailable index) with the same status and headers; with the
    emergency box first when the question refused reads as one (``alarm``: api.report_alarm)."""
    title = "暂时无法访问" if e.status >= 500 else "未找到" if e.status == 404 else "出错了"
    return uncached_page("error.html", e.status, e.headers, title=title, message=e.message, alarm=alarm)


def report_page(site, target_id: str, notice: tuple[str, str], search, alarm: dict | None = None, status: int = 200,
                kept: str | None = None, voted: bool = False, headers: dict | None = None) -> Response:
    """What an error report's form leads to when it is not sent back to the answer: what became of the report
    (``notice``), the way back to the answer and to the results it was found in (``search``), and

    - when its text reads as an emergency (api.report_alarm), the emergency box first, as a search's results show
      it (the line and the steps alone for someone who may end their life): sent back to the answer's address, as
      other reports are, it could only show the box with the text's reading in that address;
    - when it could not be taken (``kept``: its text), the report form again with the text in it, to copy or to
      send later: sent back to the answer, what the citizen wrote would be lost.

    The page answers the form's post itself. Nothing of the answer is shown, so it needs no index."""
    try:
        common = _common(site, site.state()[0])
    except HttpError:
        common = {"commit": "", "updated": ""}
    context = api.search_context(search)
    query = urlencode(context)
    back = (views.page_url(target_id) + (f"?{query}" if query else "")) if target_id else ""
    return uncached_page("reported.html", status, headers, **common, title="报告错误", alarm=alarm, notice=notice,
                         back=back, search=query, kept=kept, target=target_id, voted=voted, query=context.get("q"),
                         topic=context.get("topic"), page_number=context.get("page"))


def _common(site, commit: str) -> dict:
    """What every page's footer says: when the content was last published (the version stays out of
    sight, in an attribute for support staff)."""
    when = site.commit_time(commit) if commit else None
    return {"commit": commit[:10], "updated": chinese_date(dt.datetime.fromtimestamp(when)) if when is not None else ""}


#: What an empty search is told (with all topics, or a topic that does not exist).
ASK_FOR_A_QUESTION = "请先写下您想问的问题，例如：外地人怎么办居住证。"


async def home(request: Request) -> Response:
    """GET / — the search box; with ``q``, the results (topic filter, paging). A question refused for coming too
    often still gets the emergency box when it reads as an emergency: the reading is cheap beside a search."""
    site = api.site_of(request)
    try:
        client = await site.admit(request)
    except HttpError as e:
        if alarm := api.report_alarm(site, request.query_params.get("q")):
            return html_error(e, alarm)
        raise
    params = request.query_params
    raw = params.get("q") or ""
    topic = api.topic_filter(params.get("topic"))
    number = api.page_number(params.get("page"))
    problem = None
    q = ""
    if sanitize_query(raw):  # not only spaces or invisible characters (a zero-width space pasted in)
        try:
            q = api.query_text(raw)
        except HttpError as e:
            problem = e.message
    elif "q" in params and not topic:
        problem = ASK_FOR_A_QUESTION

    def render():
        reader, commit, day = site.reader(False)
        topics = site.memo(reader, "topics", views.topics)
        # A topic not (or no longer) offered would filter out everything while the list shows 全部主题:
        # the search runs over all topics and says so.
        unknown = topic if topic and topic not in topics else None
        chosen = None if unknown else topic
        # A question too long stays in the box whole (up to what is read at all), for the citizen to shorten.
        context = dict(_common(site, commit), title="政策问答自助查询",
                       q=raw[:4 * MAX_QUERY_CHARS] if problem else q, max_chars=MAX_QUERY_CHARS,
                       topic=chosen, topics=topics, unknown_topic=unknown, problem=problem, results=None)
        facts = None
        if not q and not problem and chosen:
            # A topic chosen without a question: its answers, as 全部答复 lists them.
            listed = site.memo(reader, "answer_groups", views.answer_groups).get(chosen, [])
            context.update(listed=listed, title=f"{chosen} - 全部答复")
        elif unknown and not q and "q" in params:
            context.update(problem=ASK_FOR_A_QUESTION)
        if problem and raw:
            # A question too long (a distressed message pasted whole) is still read for an emergency, as the API does.
            context.update(alarm=api.report_alarm(site, raw))
        if q and not problem:
            results = site.kb.search(q, audience="public", limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                                     category=chosen)
            hits = [views.hit_dict(h) for h in results.hits]
            pages = min(api.MAX_PAGE, -(-results.total // PAGE_SIZE))
            # How many are close; all of them when that cannot be told (more than the reranked may be).
            close = results.total if results.close is None else results.close
            context.update(results=hits, total=results.total, close=close, page=number, pages=pages,
                           page_numbers=views.page_window(number, pages),
                           corrected=results.corrected, vague=results.vague, title=f"{q} - 查询结果",
                           weak=views.weak_words(results), missing=views.missing_words(results),
                           unmentioned=views.unmentioned_words(results), retired=views.retired_words(results),
                           personal_number=views.personal_number(q),
                           search=urlencode(api.search_context({"q": q, "topic": chosen, "page": number})))
            told = views.advice(site.kb, q, commit, results.corrected)
            context.update(alarm=told.get("emergency"), report=told.get("report"))
            facts = {"total": results.total, "provisional": results.provisional, "weak": results.weak,
                     "alarm": bool(told.get("emergency"))}
        return page("home.html", **context, facts=facts)

    def after(facts):
        if facts is not None and number == 1:
            site.log_search(q, facts["total"], weak=facts.get("weak", False), alarm=facts.get("alarm", False),
                            client=client)

    # An empty question asked (?q=) and none asked (an address naming only a topic) are told apart. A question
    # refused keys the page by what was written (shown in the box and read for an emergency): two different
    # messages of one length must not share a page.
    asked = raw[:4 * MAX_QUERY_CHARS] if problem else q
    return await site.cached(request, "page-home", (asked, problem, topic, number, "q" in params), render,
                             media_type="text/html; charset=utf-8", after=after)


async def answer(request: Request) -> Response:
    """GET /answers/{id} — one public answer, its basis, when it was checked, the feedback forms."""
    def content(reader, entry_id):
        data = views.entry_dict(reader, views.public_entry(reader, entry_id))
        return "answer.html", {"title": data["title"], "entry": data}

    return await with_feedback(request, "page-answer", request.path_params["entry_id"], content)


async def article(request: Request) -> Response:
    """GET /articles/{regulation}/{n} — a regulation article, its neighbours, the answers citing it and
    whether it answered the question it was found by."""
    def content(reader, article_id):
        data = views.article_dict(reader, reader.article(article_id))
        return "article.html", {"title": f"{data['regulation_title']} {data['label']}", "article": data}

    article_id = f"{request.path_params['regulation']}/{request.path_params['n']}"
    return await with_feedback(request, "page-article", article_id, content)


async def with_feedback(request: Request, name: str, target_id: str, content) -> Response:
    """A page of one answer or article with its helpful vote, logged as opened.

    ``content(reader, target_id)`` gives (template, context) or raises EntryNotFound. The question
    the page was found by (``?q=`` from the results) goes with a helpful vote: what may be added to
    the answer's or the article's questions (kb_app.usage.suggest).
    """
    site = api.site_of(request)
    client = await site.admit(request)
    notice = request.query_params.get("feedback")
    notice = notice if notice in FEEDBACK_MESSAGES else None
    # Voted earlier on this page (a report sent after a vote) or in this browser session (opened again): the
    # buttons are not offered again. A page said for one session only is kept by no shared cache.
    voted = notice in VOTED or (notice is not None and request.query_params.get("voted") == "1")
    before = not voted and api.voted_mark(target_id) in api.voted_marks(request)
    voted = voted or before
    context = api.search_context(request.query_params)
    query = context.get("q")
    # A report whose words read as an emergency comes back with what they read as (api.alarm_reading): the page of
    # the emergency box and the thank-you (report_page), at an address a reload only shows again.
    reading = str(request.query_params.get("alarm") or "")[:300] if notice == "reported" else ""
    alarm = api.alarm_of_reading(site, reading) if reading else None
    if alarm:
        return report_page(site, target_id, FEEDBACK_MESSAGES["reported"], request.query_params, alarm)
    # While votes and reports cannot be kept, the page says so in place of the forms (a vote just refused for
    # it has said so already).
    paused = await site.feedback_paused()

    def render():
        reader, commit, day = site.reader(False)
        try:
            template, content_context = content(reader, target_id)
        except EntryNotFound as e:
            return not_found_page(str(e), **_common(site, commit))
        return page(template, **_common(site, commit), **content_context, target=target_id, query=query,
                    search=urlencode(context), topic=context.get("topic"), page_number=context.get("page"),
                    notice=FEEDBACK_MESSAGES.get(notice), voted=voted, unhelpful=notice == "unhelpful",
                    read_only=site.replica is not None and not site.replica.forwards, paused=paused,
                    paused_note=paused and notice != "not_recorded", facts={"id": target_id})

    def after(facts):
        if facts and notice is None:
            site.log_open(facts["id"], query=query, client=client)

    return await site.cached(request, name, (target_id, notice, voted, paused, tuple(context.items())), render,
                             media_type="text/html; charset=utf-8", after=after, shared=not before, vary="Cookie")


async def browse(request: Request) -> Response:
    """GET /browse — every public answer in force, by topic, and the regulations."""
    site = api.site_of(request)
    await site.admit(request)

    def render():
        reader, commit, day = site.reader(False)
        groups = site.memo(reader, "answer_groups", views.answer_groups)
        regulations = [{"title": reg.title, "articles": [{"label": a.label, "url": views.article_url(a.id)}
                                                          for _n, a in sorted(reg.articles.items())]}
                       for reg in sorted(reader.snap.regulations.values(), key=lambda r: r.id)]
        return page("browse.html", **_common(site, commit), title="全部答复", groups=groups,
                    regulations=regulations, count=sum(len(v) for v in groups.values()))

    return await site.cached(request, "page-browse", (), render, media_type="text/html; charset=utf-8")


async def stylesheet(request: Request) -> Response:
    return Response(CSS, media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400, immutable"})


async def icon(request: Request) -> Response:
    """The site's icon: the SVG the pages link to, and a PNG at /favicon.ico for clients that ask there."""
    svg = request.url.path.endswith(".svg")
    return Response(ICONS["favicon.svg" if svg else "favicon.png"], media_type="image/svg+xml" if svg else "image/png",
                    headers={"Cache-Control": "public, max-age=86400" + (", immutable" if svg else "")})


@functools.lru_cache(maxsize=1)
def _api_docs() -> bytes:
    from .openapi import docs_context

    return page("api_docs.html", **docs_context(), commit="", updated="")[1]


async def api_docs(request: Request) -> Response:
    """GET /api/docs — the API's description (/api/openapi.json) for people to read."""
    return Response(_api_docs(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "public, max-age=300"})


async def robots(request: Request) -> Response:
    return Response("User-agent: *\nDisallow: /api/\n", media_type="text/plain")
