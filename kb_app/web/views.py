"""What the API returns and the pages show, as plain data built through the facade.

The audience rules are the facade's (``kb.search`` with an audience, ``kb.reader(staff=…)``): these
functions only shape what those return. The public site shows answers (policy entries) and
regulation articles; catalogue (directory) entries are staff material and only reach agents.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import nh3
from pypinyin import lazy_pinyin

from .. import render
from ..exceptions import EntryNotFound
from ..labels import NO_TOPIC, STATUS_LABELS
from ..review.pending import UNKNOWN_NOTICE

KINDS = ("policy", "directory", "article")
#: What a citizen whose words read as a matter to report (路灯不亮) is told, on the page and in the API.
REPORT = {"line": "12345",
          "message": "本网站只提供政策问答，不受理诉求。要反映这个问题，请拨打 12345 热线：热线受理后派给承办单位办理，"
                     "并按规定时限答复您。"}
#: ... and a matter the hotline handles within its shortest time limit (燃气异味, 水管爆裂).
URGENT_REPORT = {"line": "12345", "urgent": True,
                 "message": "这类情况需要立即处置：请先注意安全，然后马上拨打 12345 热线，"
                            "热线按紧急诉求派单，承办单位会尽快到场。已经起火、爆炸或者有人受伤、中毒的，"
                            "请直接拨打 119 或 120。"}


def advice(kb, q: str, commit: str | None, corrected: str = "") -> dict:
    """What a citizen is told beside the results: the emergency line (``emergency``), or else, for words
    that report a matter, where to report it (``report``); nothing for an ordinary question.

    ``corrected`` is the question as the search corrected it (煤汽味 → 煤气味): safety fails closed, so what the
    corrected words call for is told too when the words as written call for less."""
    readings = [q, *([corrected] if corrected and corrected != q else [])]
    for text in readings:
        if alarm := kb.public_alarm(text, commit):
            return {"emergency": alarm}
    told = [kb.public_report_advice(text, commit) for text in readings]
    kind, steps = next((t for t in told if t[0] == "urgent"), told[0])
    return {"report": {**URGENT_REPORT, "advice": steps} if kind == "urgent" else REPORT} if kind else {}


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager links: the first, the last and ``around`` either side of ``page``,
    with None where numbers are left out (1 … 4 5 6 7 8 … 20)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None if n - out[-1] > 2 else n - 1)
        out.append(n)
    return out


#: A question that is only a long number (13812345678, 0000-69611234, an ID number ending in X): a phone or ID
#: number, which answers do not hold. Seven digits or more, so a year (2025) or 12345 is not one.
PERSONAL_NUMBER = re.compile(r"[+(（]?\d[\d\s\-—()（）]{5,}\d[xX]?")


def personal_number(q: str) -> bool:
    """Whether a question is only a phone or ID number (PERSONAL_NUMBER): told, when it finds nothing,
    that such numbers need not be searched, rather than to word it otherwise."""
    q = (q or "").strip()
    return bool(PERSONAL_NUMBER.fullmatch(q)) and sum(c.isdigit() for c in q) >= 7


def weak_words(results) -> str:
    """The words a weak search named that nothing mentions, quoted for a sentence (“护照”、“签证”);
    empty when its results are about what it asked (see ``SearchResults.weak``)."""
    return results.unknown_quoted if results.weak and results.hits else ""


def missing_words(results) -> str:
    """The words a search that found nothing named that nothing mentions (“护照”): no other wording
    finds an answer about them, so the citizen is not asked to try one; empty otherwise."""
    return results.unknown_quoted if results.missing else ""


def unmentioned_words(results) -> str:
    """The words of a search with results that nothing mentions (宽带 of 宽带安装收费标准, whose results are
    about other fees), when the results are not weak: said, so no result is read as about them."""
    return results.unknown_quoted if results.unknown and results.hits and not results.weak else ""


def retired_words(results) -> str:
    """The words asked about whose answer has expired (see ``SearchResults.retired``), quoted; empty otherwise."""
    return "、".join(f"“{w}”" for w in results.retired)


RECHECKING_NOTICE = "本答复所依据的规定近期有修改，承办单位正在复核；如有疑问，请拨打 12345 咨询。"


def rechecking_notice(reader, why: str) -> str:
    """What the public is told of an answer being re-checked (``why``: its mark's detail): when a time limit it
    states has changed, which one and what it is now, so nobody is held to the old limit meanwhile."""
    from ..review.impact import tiers_restated

    changed = tiers_restated(why, reader.snap)
    if not changed:
        return RECHECKING_NOTICE
    said = "；".join(f"答复中的“{old}”现为“{now}”" if now else f"答复中的“{old}”已不再适用" for old, now in changed)
    return (f"本答复所依据的规定近期有修改，承办单位正在复核。其中办理时限已调整：{said}，以调整后的时限为准；"
            "如有疑问，请拨打 12345 咨询。")


def answer_url(entry_id: str) -> str:
    return f"/answers/{quote(entry_id, safe='')}"


def article_url(article_id: str) -> str:
    reg, _, number = article_id.partition("/")
    return f"/articles/{quote(reg, safe='')}/{quote(number, safe='')}"


def hit_url(hit) -> str:
    return article_url(hit.id) if hit.kind == "article" else answer_url(hit.id)


def page_url(target_id: str) -> str:
    """The public page of an answer or of a regulation article (``<regulation>/<n>``)."""
    return article_url(target_id) if "/" in target_id else answer_url(target_id)


def safe_snippet(snippet: str) -> str:
    """A search snippet as HTML in which only ``<mark>`` is a tag."""
    return nh3.clean(snippet or "", tags={"mark"}, attributes={},
                     clean_content_tags=render.DROPPED_WITH_CONTENT)


def hit_dict(hit, reader=None) -> dict:
    """One search hit; with a staff ``reader`` also its status and marks (内部, 未生效, 已失效, 待核, 修改审核中,
    有纠错待处理) and what is pending on it (``pending``)."""
    out = {"id": hit.id, "kind": hit.kind, "title": hit.title, "unit": hit.unit, "unit_name": hit.unit_name,
           "score": round(hit.score, 4), "snippet": safe_snippet(hit.snippet), "url": hit_url(hit),
           "category": hit.category}
    if hit.loose:
        out["loose"] = True
    if reader is not None:
        newest = reader.snap.entries.get(hit.id) if hit.kind != "article" else None
        # The version the search found: the one in force while a new one waits for its day.
        entry = reader.current(newest) if newest is not None else None
        marks = reader.status_marks(entry) if entry is not None else []
        out.update(status=hit.status, status_label=hit.status_label, audience=hit.audience or "public",
                   marks=marks, **pending_dict(reader, entry), **upcoming_dict(reader, entry))
    return out


def upcoming_dict(reader, entry, text: bool = False) -> dict:
    """For staff: ``{"upcoming": {"effective": …}}`` (with its ``text`` when asked) while the entry in force
    is to be replaced by a new version already published, and the mark saying so; else nothing."""
    upcoming = reader.upcoming(entry) if entry is not None else None
    if upcoming is None or upcoming.effective is None:
        return {}
    day = upcoming.effective.isoformat()
    return {"upcoming": {"effective": day, **({"text": render.answer_text(upcoming)} if text else {})}}


def pending_dict(reader, entry) -> dict:
    """For staff: ``{"pending": …}`` when a change request under review changes the entry or error reports
    on it are open (see kb_app.review.pending), else nothing."""
    found = reader.pending(entry) if entry is not None else None
    return {"pending": found.as_dict()} if found else {}


def pending_notice(reader) -> dict:
    """For staff: ``{"pending_unavailable": why}`` when what is pending could not be learnt (a replica cut
    off from its primary): no mark then does not mean nothing is pending."""
    marks = reader.pending_marks
    return {} if marks is None or marks.known else {"pending_unavailable": UNKNOWN_NOTICE}


def public_entry(reader, entry_id: str):
    """The entry a reader may open; the public only answers (policy entries) the facade lets through."""
    entry = reader.entry(entry_id)
    if not reader.staff and entry.kind != "policy":
        raise EntryNotFound(render.NOT_FOUND)
    return entry


def entry_dict(reader, entry) -> dict:
    """An entry as the reader may see it: sanitised HTML, basis with article links, when last checked."""
    checked = reader.last_checked(entry)
    why = reader.rechecking(entry)
    out = {"id": entry.id, "kind": entry.kind, "title": entry.title, "unit": entry.unit,
           "unit_name": reader.unit_name(entry.unit), "category": list(entry.category),
           "regions": list(entry.regions), "questions": list(entry.questions),
           "html": render.to_html(entry.body, {name: answer_url(target)
                                               for name, target in reader.answers_named(entry).items()}),
           "basis": [{"label": b.label, "article": b.article_id or None,
                      "url": article_url(b.article_id) if b.article_id else None}
                     for b in reader.basis(entry)],
           "last_checked": checked.isoformat() if checked else None,
           "rechecking": bool(why), "notice": rechecking_notice(reader, why) if why else None, "url": answer_url(entry.id)}
    if reader.staff:
        out.update(audience=entry.audience, status=entry.status(reader.day),
                   status_label=STATUS_LABELS[entry.status(reader.day)],
                   marks=reader.status_marks(entry), effective=_iso(entry.effective),
                   expires=_iso(entry.expires),
                   agent_notes=entry.agent_notes or "", rechecking_detail=reader.rechecking_said(entry),
                   text=render.answer_text(entry), **pending_dict(reader, entry), **pending_notice(reader),
                   **upcoming_dict(reader, entry, text=True))
    return out


def article_dict(reader, article) -> dict:
    """A regulation article with its neighbours and the entries (visible to the reader) that cite it."""
    reg = reader.regulation(article)
    before, after = reader.neighbours(article)
    citing = []
    for e in reader.citing(article):
        if not reader.staff and e.kind != "policy":
            continue
        item = {"id": e.id, "kind": e.kind, "title": e.title, "unit_name": reader.unit_name(e.unit),
                "url": answer_url(e.id)}
        if reader.staff:
            item["marks"] = reader.status_marks(e)
        citing.append(item)
    return {"id": article.id, "regulation": article.regulation, "regulation_title": reg.title,
            "number": article.number, "label": article.label, "chapter": article.chapter,
            "issuer": str(reg.meta.get("issuer") or ""),
            "effective": str(reg.meta.get("effective") or "") or None,
            "html": render.to_html(article.text),
            "previous": _neighbour(before), "next": _neighbour(after), "cited_by": citing,
            "url": article_url(article.id)}


def _neighbour(article):
    return {"id": article.id, "label": article.label, "url": article_url(article.id)} if article else None


def _iso(day):
    return day.isoformat() if day else None


def topics(reader) -> list[str]:
    """The main topics (first category) of the public answers in force today in pinyin order, 其他 (NO_TOPIC)
    last when some have no category."""
    named = {topic_of(e) for e in public_answers(reader)}
    return sorted(named - {NO_TOPIC}, key=reading_order) + [NO_TOPIC] * (NO_TOPIC in named)


def reading_order(text: str) -> tuple:
    """The key putting Chinese words in the order of their pinyin, as a reader expects a list (供暖 before
    交通, 住房 after 税务), not in the order of their character codes."""
    return tuple(lazy_pinyin(text)), text


def topic_of(entry) -> str:
    """An answer's main topic: its first category, or 其他."""
    return entry.category[0] if entry.category else NO_TOPIC


def answer_groups(reader) -> dict[str, list[dict]]:
    """The public answers in force today by topic (what ``/browse`` lists): title, address and unit of each."""
    groups: dict[str, list[dict]] = {}
    for e in public_answers(reader):
        groups.setdefault(topic_of(e), []).append(
            {"id": e.id, "title": e.title, "url": answer_url(e.id), "unit": e.unit, "unit_name": reader.unit_name(e.unit)})
    return groups


def public_answers(reader) -> list:
    """The public answers in force today (what ``/browse`` lists), by topic then title, in pinyin order."""
    out = []
    for e in reader.snap.policies():
        try:
            out.append(public_entry(reader, e.id))    # the version in force today
        except EntryNotFound:
            continue
    return sorted(out, key=lambda e: (topic_of(e) == NO_TOPIC, reading_order(topic_of(e)), reading_order(e.title)))
