"""What a reader sees of an entry: Markdown made safe to show, plain text to copy, visibility.

* :func:`to_html` renders Markdown (``kb_app.content.markup``: Python-Markdown, lists as people write them,
  comments removed) and sanitises the result with ``nh3``, whatever
  the author wrote: scripts, styles, frames and forms are removed with their content, event
  handlers and ``style`` attributes are dropped, links keep only http, https, mailto and relative
  targets and get ``rel="noopener noreferrer nofollow"``. Raw HTML in the Markdown is treated like
  any other markup: what is on the safe list stays, the rest goes.
* :func:`to_text` turns the same Markdown into plain text (lists numbered, paragraphs on their own
  lines) for the agent's copy-the-answer button; :func:`page_text` is that text for the search
  index, so what can be found is exactly what a reader sees (no comments, raw HTML or link targets).
* :func:`visible_entry`, :func:`citing_entries` and :func:`last_checked` decide what a reader may
  open: the public sees only policy answers that are ``audience: public`` and in force today, judged
  on fields that can be read (an unreadable audience or date hides the entry: it fails closed);
  catalogue entries are staff material. Staff see everything, marked (格式错误, 内部, 未生效, 已失效).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import html
import re
from pathlib import PurePosixPath

import nh3

from .content import markup, references, versions
from .exceptions import EntryNotFound
from .labels import (FLAG_LABEL, KIND_LABELS, STATUS_LABELS, audience_label, chinese_date, status_mark,
                     expiring_mark, upcoming_mark)
from .content.model import ID_PATTERN, PUBLIC_FIELDS, RETIRED_UNIT, Article, Entry, Snapshot, as_date

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "del", "ins",
    "mark", "sub", "sup", "small", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "code", "pre", "kbd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a", "abbr",
}
#: Removed together with everything inside them (their content is code or a foreign document).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
                        "select", "svg", "math", "frameset", "frame", "applet", "title", "head"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align", "colspan", "rowspan"},
                      "td": {"align", "colspan", "rowspan"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "ul", "ol", "dl",
           "dt", "dd", "hr", "li"}


def sanitize(fragment: str) -> str:
    """An HTML fragment reduced to the safe list of tags, attributes and URL schemes."""
    return nh3.clean(fragment or "", tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL,
                     strip_comments=True)


def to_html(markdown_text: str, answers: dict[str, str] | None = None) -> str:
    """Markdown as sanitised HTML, safe to insert into a page (answer pages, previews, reviews), with
    web addresses, telephone numbers and the answers it names (``answers``: name → address) in its
    text made links (:func:`linkify`)."""
    return linkify(sanitize(markup.to_raw_html(markdown_text)), answers)


#: A web address written out in the text (answers give the address of a form or a service portal).
_URL = re.compile(r"https?://[A-Za-z0-9][A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]*")
#: What ends a sentence rather than an address: 见 https://example.gov.cn/xx。
_URL_TAIL = ".,;:!?)]"
#: A telephone number a reader would dial: an area code and a number (010-12345678, 0000-68661234), a
#: mobile, or a short service number after 拨打/拨打了/致电/电话/热线 or before 热线/专线 (拨打12345, 95598热线).
_PHONE = re.compile(
    r"(?<![0-9A-Za-z\-/])(?:0\d{2,3}-\d{7,8}(?:-\d{1,5})?|1[3-9]\d{9}"
    r"|(?<=拨打)\d{3,6}|(?<=拨打了)\d{3,6}|(?<=致电)\d{3,6}|(?<=电话)\d{3,6}|(?<=电话：)\d{3,6}|(?<=电话或)\d{3,6}"
    r"|(?<=热线)\d{3,6}|(?<=热线：)\d{3,6}"
    r"|\d{3,6}(?=热线|专线|服务热线))(?![0-9A-Za-z])")
_LINKABLE = re.compile(f"(?P<url>{_URL.pattern})|(?P<phone>{_PHONE.pattern})")
#: The same, and another answer named in quotation marks (请查看“2027年居民阶梯水价调整”答复).
_LINKABLE_ANSWERS = re.compile(f"(?P<answer>{references.REFERENCE.pattern})|{_LINKABLE.pattern}")
#: A table column of numbers to dial: its header names them (电话, 号码, 热线); its cells are numbers.
_PHONE_HEADER = re.compile("电话|号码|热线|专线")
_PHONE_CELL = re.compile(r"\s*\d{3,6}(?:\s*(?:或者|或|、|和|/)\s*\d{3,6})*\s*")
_CELL_NUMBER = re.compile(r"\d{3,6}")
#: A second short number right after a linked one (拨打119或120, 拨打110、122): as much a number to dial,
#: unless a unit follows it (拨打12345或2026年底前到窗口).
_ALSO_PHONE = re.compile(r"(\s*(?:或者|或|、|和|/)\s*)(\d{3,6})(?![0-9A-Za-z.年月日号时分秒次个件元万人户天周岁位条%])")


def linkify(fragment: str, answers: dict[str, str] | None = None) -> str:
    """Sanitised HTML with the web addresses and telephone numbers of its text (not already inside a link)
    made links: a citizen on a phone taps them. Addresses keep ``rel`` like any other link; numbers
    become ``tel:`` links. A name in quotation marks before 答复 that ``answers`` maps to an address
    (the answers the reader may open, :func:`kb_app.content.references.links`) links to it."""
    out, in_link = [], 0
    linkable = _LINKABLE_ANSWERS if answers else _LINKABLE
    phone_columns, column, cell = set(), -1, ""  # a table's columns of numbers; where the text is
    for m in _TOKEN.finditer(fragment):
        closing, tag, data = m.group(1), (m.group(2) or "").lower(), m.group(4)
        if tag == "a":
            in_link += -1 if closing else 1
        elif tag == "table" and not closing:
            phone_columns = set()
        elif tag == "tr" and not closing:
            column = -1
        elif tag in ("th", "td"):
            column, cell = (column, "") if closing else (column + 1, tag)
        if data is None or in_link > 0:
            out.append(m.group(0))
            continue
        text, at = html.unescape(data), 0
        if cell == "th" and _PHONE_HEADER.search(text):
            phone_columns.add(column)
        if cell == "td" and column in phone_columns and _PHONE_CELL.fullmatch(text):
            out.append(_CELL_NUMBER.sub(lambda n: _tel(n.group(0)), html.escape(text, quote=False)))
            continue
        while link := linkable.search(text, at):
            if answers and link.group("answer"):
                quoted = link.group("answer")
                address = answers.get(quoted[1:-1].strip())
                start = link.start() + 1 if address is None else link.end()
                out.append(html.escape(text[at:link.start() + 1], quote=False))
                if address is not None:
                    out.append(f'<a href="{html.escape(address)}" class="answer-link">'
                               f'{html.escape(quoted[1:-1], quote=False)}</a>{html.escape(quoted[-1], quote=False)}')
                at = start
                continue
            target = link.group(0) if link.group("phone") else _url_end(link.group(0))
            out.append(html.escape(text[at:link.start()], quote=False))
            shown = html.escape(target, quote=False)
            out.append(_tel(target) if link.group("phone") else
                       f'<a href="{html.escape(target)}" rel="{LINK_REL}">{shown}</a>')
            at = link.start() + len(target)
            while link.group("phone") and target.isdigit() and (also := _ALSO_PHONE.match(text, at)):
                out.append(html.escape(also.group(1), quote=False) + _tel(also.group(2)))
                target, at = also.group(2), also.end()
        out.append(html.escape(text[at:], quote=False))
    return "".join(out)


def _tel(number: str) -> str:
    shown = html.escape(number, quote=False)
    return f'<a href="tel:{shown}" class="tel">{shown}</a>'


def _url_end(url: str) -> str:
    """A web address without the punctuation of the sentence after it (its own brackets stay)."""
    trimmed = url.rstrip(_URL_TAIL)
    if url.endswith(")") and url.count("(") >= url.count(")"):
        return url
    return trimmed


#: Sanitised HTML as the serializer writes it: tags with double-quoted attributes, escaped text.
_TOKEN = re.compile(r'<(/?)([a-zA-Z0-9]+)((?:\s+[^\s=>/]+(?:\s*=\s*"[^"]*")?)*)\s*/?>|([^<]+)|<')
_START = re.compile(r'\sstart="(\d+)"')
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class TableStyle:
    """How a table's rows read as text: ``cells`` between a row's cells (``head_cells`` in a header
    row), ``rows`` after each row (``head_end`` after a header row) and ``end`` after the last."""

    cells: str = " | "
    rows: str = ""
    head_cells: str = " | "
    head_end: str = ""
    end: str = ""


#: Cells as the agent copies them into a work order: one row a line, cells between bars.
COPIED_TABLE = TableStyle()
#: A table read as a sentence (search snippets show line breaks as spaces):
#: 年龄、标准：80—89周岁，每人每月100元；90—99周岁，每人每月500元。
PROSE_TABLE = TableStyle(cells="，", rows="；", head_cells="、", head_end="：", end="。")


def html_text(fragment: str, bullet: str = "- ", table: TableStyle = COPIED_TABLE) -> str:
    """Plain text from sanitised HTML: block elements on their own lines, list items numbered, a
    table's rows as ``table`` says."""
    parts: list[str] = []
    lists: list[list] = []  # [tag, counter] per open list
    head_row = False  # the row being read has header cells

    def trim():
        while parts and parts[-1].isspace() and "\n" not in parts[-1]:  # the layout between two cells
            parts.pop()

    def newline():
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    for m in _TOKEN.finditer(fragment):
        closing, tag, attrs, data = m.group(1), (m.group(2) or "").lower(), m.group(3) or "", m.group(4)
        if data is not None or not tag:
            text = _SPACE.sub(" ", html.unescape(data if data is not None else "<"))
            text = text.lstrip() if parts and parts[-1].endswith("\n") else text
            parts.extend([text] if text else [])
        elif closing:
            if tag == "tr" and parts and not parts[-1].endswith("\n"):
                trim()
                parts.append(table.head_end if head_row else table.rows)
            if tag == "table" and table.end:
                while parts and (parts[-1].isspace() or parts[-1] in (table.rows, table.head_end)):
                    parts.pop()
                parts.append(table.end)
            if tag in ("ul", "ol") and lists:
                lists.pop()
            if tag in _BLOCKS:
                newline()
        elif tag in ("ul", "ol"):
            newline()
            start = _START.search(attrs)
            lists.append([tag, int(start.group(1)) - 1 if start else 0])
        elif tag == "li":
            newline()
            indent = "  " * max(0, len(lists) - 1)
            if lists and lists[-1][0] == "ol":
                lists[-1][1] += 1
                parts.append(f"{indent}{lists[-1][1]}. ")
            else:
                parts.append(f"{indent}{bullet}")
        elif tag == "br":
            parts.append("\n")
        elif tag == "tr":
            head_row = False
            newline()
        elif tag in ("td", "th"):
            head_row = head_row or tag == "th"
            if parts and not parts[-1].endswith("\n"):
                trim()
                parts.append(table.head_cells if head_row else table.cells)
        elif tag in _BLOCKS:
            newline()
    lines = [line.rstrip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line.strip()).strip()


def to_text(markdown_text: str, bullet: str = "- ", table: TableStyle = COPIED_TABLE) -> str:
    """The plain text of Markdown, as it would be read out (for copying into a work order)."""
    return html_text(to_html(markdown_text), bullet, table)


def page_text(markdown_text: str) -> str:
    """Exactly the text a reader sees on the page, for the search index and its snippets.

    Rendered and sanitised first, then turned into text: HTML comments, raw HTML that is not on
    the safe list, and link targets are gone, as they are from the page.
    """
    # A snippet reads as prose, not as a table (it shows the text's line breaks as spaces, and rows
    # would run on into one another).
    return to_text(markdown_text, bullet="• ", table=PROSE_TABLE)


def answer_text(entry: Entry) -> str:
    """The text an agent copies: the title, then the answer in plain text."""
    return f"{entry.title}\n{to_text(entry.body)}".strip()


# -- what a reader may open ---------------------------------------------------------------------

NOT_FOUND = "未找到该答复：它可能已下线、尚未生效或编号有误。请返回查询页重新搜索。"
ARTICLE_NOT_FOUND = "未找到该条文：请检查地址中的编号（例如 beijing-2021/11），或返回查询页搜索。"


def visible_entry(snap: Snapshot, entry_id: str, staff: bool, day: dt.date) -> Entry:
    """The entry a reader may open; the public only public entries in force on ``day``.

    Anything else raises the same :class:`EntryNotFound` as a missing entry, so nothing leaks.
    """
    entry = snap.entries.get(str(entry_id or ""))
    if entry is None or (not staff and not entry.is_public_on(day)):
        raise EntryNotFound(NOT_FOUND)
    return entry


def may_open(snap: Snapshot, entry_id: str, staff: bool, day: dt.date) -> bool:
    """Whether :func:`visible_entry` lets the reader open the entry."""
    try:
        visible_entry(snap, entry_id, staff, day)
        return True
    except EntryNotFound:
        return False


def find_article(snap: Snapshot, article_id: str) -> Article:
    article = snap.find_article(article_id)
    if article is None:
        raise EntryNotFound(ARTICLE_NOT_FOUND)
    return article


def neighbours(snap: Snapshot, article: Article) -> tuple[Article | None, Article | None]:
    """The previous and next articles of the same regulation (by number)."""
    numbers = sorted(snap.regulations[article.regulation].articles)
    i = numbers.index(article.number)
    articles = snap.regulations[article.regulation].articles
    return (articles[numbers[i - 1]] if i > 0 else None,
            articles[numbers[i + 1]] if i + 1 < len(numbers) else None)


def citing_entries(snap: Snapshot, regulation: str, number: int, staff: bool, day: dt.date) -> list[Entry]:
    """Entries whose legal basis cites an article; the public only public answers in force (no catalogue)."""
    out = [e for e in snap.entry_list if (regulation, number) in e.citations and (staff or e.is_public_on(day))]
    return sorted(out, key=lambda e: (e.kind != "policy", e.title))


@dataclasses.dataclass
class BasisItem:
    """One line of an entry's legal basis, ready to show."""

    label: str
    article_id: str = ""  # set when it cites an article that exists


def basis_items(snap: Snapshot, entry: Entry) -> list[BasisItem]:
    """The legal basis: cited articles (linked when they exist) and documents as text."""
    items = []
    for b in entry.basis:
        if "regulation" in b:
            reg_id, number = str(b.get("regulation")), b.get("article")
            reg = snap.regulations.get(reg_id)
            article = snap.article(reg_id, number) if isinstance(number, int) else None
            title = reg.title if reg else reg_id
            label = f"{title} {article.label}" if article else f"{title} 第{number}条"
            items.append(BasisItem(label, article.id if article else ""))
        elif b.get("document"):
            items.append(BasisItem(str(b["document"])))
    return items


def last_checked(entry: Entry, store, local=dt.datetime.astimezone) -> dt.date | None:
    """The ``checked`` date of an entry, or the hotline's day its file was last published on main.

    A commit carries the time zone of the machine that wrote it (a server set to UTC writes +0000), so
    its time is first made the hotline's local time with ``local`` (``Kb.local``; by default the
    process's zone, which ``use_timezone`` makes the hotline's): 23:47 +0000 on 5 December is
    6 December in Beijing.
    """
    checked = as_date(entry.meta.get("checked"))
    if checked:
        return checked
    published = store.last_published(entry.path)
    return local(published).date() if published else None


class Reader:
    """What one reader (the public, or signed-in staff) may open on main today."""

    def __init__(self, snap: Snapshot, day: dt.date, store, staff: bool = False, flags: dict | None = None,
                 local=dt.datetime.astimezone, pending=None):
        self.snap, self.day, self.store, self.staff = snap, day, store, staff
        #: A moment with a time zone as the hotline's local time (``Kb.local``), for the days shown.
        self.local = local
        #: entry id -> detail, for entries whose legal basis changed and await re-verification
        self.flags = flags or {}
        #: For staff: open change requests and error reports by entry (kb_app.review.pending.PendingMarks)
        self.pending_marks = pending if staff else None

    def with_pending(self, pending) -> "Reader":
        """The same reader with what is pending read afresh (a reader is kept longer than that stays true)."""
        other = copy.copy(self)
        other.pending_marks = pending if self.staff else None
        return other

    def pending(self, entry: Entry):
        """For staff: what is pending on an entry (kb_app.review.pending.Pending), or None."""
        return self.pending_marks.get(entry.id) if self.pending_marks is not None else None

    def rechecking(self, entry: Entry) -> str | None:
        """Why an entry is being re-checked (its legal basis changed), or None."""
        return self.flags.get(entry.id)

    def rechecking_said(self, entry: Entry) -> str | None:
        """:meth:`rechecking` as staff read it: a time limit the answer states that changed, with what it is now."""
        from .review.impact import said_now

        why = self.rechecking(entry)
        return said_now(why, self.snap) if why else None

    def entry(self, entry_id: str) -> Entry:
        """The version in force today of an entry the reader may open (see ``current``)."""
        newest = self.snap.entries.get(str(entry_id or ""))
        entry = self.current(newest) if newest is not None else None
        if entry is None or (not self.staff and not entry.is_public_on(self.day)):
            raise EntryNotFound(NOT_FOUND)
        return entry

    def current(self, entry: Entry) -> Entry | None:
        """The version of an entry in force today: while its newest version is scheduled for a later day,
        the one published before it that is still in force (``replaced_on`` says until when), as the
        search shows it; staff get the newest when none is."""
        found = versions.current(self.store, self.snap.commit, entry, self.day)
        return found if found is not None or not self.staff else entry

    def upcoming(self, entry: Entry) -> Entry | None:
        """For staff: the newest version of an entry while the one in force (``entry``) is replaced by it on a later day."""
        if getattr(entry, "replaced_on", None) is None:
            return None
        return self.snap.entries.get(entry.id)

    def may_open(self, entry_id: str) -> bool:
        try:
            self.entry(entry_id)
            return True
        except EntryNotFound:
            return False

    def basis(self, entry: Entry) -> list[BasisItem]:
        return basis_items(self.snap, entry)

    def answers_named(self, entry: Entry) -> dict[str, str]:
        """Name → id of the answers (policy entries) the entry's text names that this reader may open."""
        return references.links(self.snap, entry, self.may_open)

    def last_checked(self, entry: Entry) -> dt.date | None:
        return last_checked(entry, self.store, self.local)

    def article(self, article_id: str) -> Article:
        return find_article(self.snap, article_id)

    def regulation(self, article: Article):
        return self.snap.regulations[article.regulation]

    def neighbours(self, article: Article):
        return neighbours(self.snap, article)

    def citing(self, article: Article) -> list[Entry]:
        return citing_entries(self.snap, article.regulation, article.number, self.staff, self.day)

    def unit_name(self, unit_id: str) -> str:
        return self.snap.unit_name(unit_id)

    def status_marks(self, entry: Entry) -> list[str]:
        """Marks for staff: 格式错误, 内部, 未生效, 已失效, 依据已变更，待核 (none for a public answer in force),
        the day it ends or its next version takes effect, and what is pending on it: 修改审核中 #12, 有纠错待处理 2 条."""
        found = self.pending(entry)
        upcoming = self.upcoming(entry) if self.staff else None
        if upcoming is not None and upcoming.effective:
            coming = [upcoming_mark(upcoming.effective.isoformat())]
        else:
            coming = [expiring_mark(entry.expires.isoformat())] if self.staff and self.expiring(entry) else []
        return status_marks(entry, self.day) + ([FLAG_LABEL] if entry.id in self.flags else []) + coming + \
            (found.marks() if found else [])

    def expiring(self, entry: Entry) -> bool:
        """Whether an answer in force today ends within the days the maintenance tasks call 即将到期: an agent
        tells the caller how long it holds (a version already published to follow it is marked instead)."""
        from .usage.tasks import days_left

        return entry.status(self.day) == "in_force" and days_left(entry.expires, self.day) is not None

    def format_problems(self, entry: Entry) -> list[str]:
        """For staff: why an entry is marked 格式错误 (its fields that cannot be read)."""
        return format_problems(entry)

    def not_public_reason(self, entry: Entry) -> str | None:
        """Why the public cannot open an entry today, in words (None when it can)."""
        return not_public_reason(entry, self.day)

    def assignment(self, entry: Entry):
        """For a catalogue entry: its units, level and time limit by name (kb_app.dispatch.assistant.Assignment),
        as the agent console proposes it; None for an answer."""
        from .dispatch.assistant import assignment

        return assignment(self.snap, entry) if entry.kind == "directory" else None


def not_public_reason(entry: Entry, day: dt.date) -> str | None:
    """Why the public cannot open ``entry`` on ``day`` (None when it can): a catalogue entry, a field that
    cannot be read, an internal answer, or one not yet or no longer in force."""
    if entry.is_public_on(day):
        return None
    if entry.kind == "directory":
        return f"{KIND_LABELS['directory']}只供坐席和承办单位使用"
    if entry.kind != "policy" or entry.public_blocked:
        return f"{STATUS_LABELS['invalid']}，改正前不会公开"
    if entry.audience != "public":
        return "这是内部口径，只供坐席使用"
    status = entry.status(day)
    if status == "pending":
        return f"{STATUS_LABELS['pending']}，{chinese_date(entry.effective)}起公众才能看到"
    return f"{STATUS_LABELS['expired']}（有效期至{chinese_date(entry.expires)}）"




def status_marks(entry: Entry, day: dt.date) -> list[str]:
    """格式错误 when a field cannot be read, 内部 unless public, and 未生效 / 已失效 by readable dates."""
    marks = [STATUS_LABELS["invalid"]] if entry.unreadable else []
    if entry.audience != "public":
        marks.append(audience_label(entry.audience))
    return marks + [mark for mark in [status_mark(entry.status(day))] if mark]


def format_problems(entry: Entry) -> list[str]:
    """One line per unreadable field: what is wrong, and that the public cannot see the entry."""
    out = []
    stem = PurePosixPath(entry.path).stem
    for field, why in entry.unreadable.items():
        hidden = "，公众看不到该条目" if field in PUBLIC_FIELDS and entry.kind == "policy" else ""
        if field == "audience":
            fix = "派单目录只能是 internal，可删除这一行" if entry.kind == "directory" else "应为 public 或 internal"
        elif field == "unit" and why.endswith(RETIRED_UNIT):
            fix = "由承接其职责的单位接手：把 unit 改为该单位并把文件移到它的目录 entries/policy/<单位>/，或删除该答复"
        elif field == "unit" and entry.folder_unit and entry.unit == entry.folder_unit:
            fix = "在 regulations/units.yaml 中登记该单位，或由登记的单位把答复移到自己的目录"
        elif field == "unit" and entry.folder_unit:
            fix = f"改为“{entry.folder_unit}”，或由所属单位把文件移到自己的目录"
        elif field == "unit":
            fix = f"移到 entries/policy/{entry.unit or '<单位>'}/"
        elif field == "id" and entry.id == stem and ID_PATTERN.match(stem):
            fix = "一个编号只能有一个文件：删除多余的一份，或改用新的编号并同时修改文件名"
        elif field == "id":
            example = stem.lower() if ID_PATTERN.match(stem.lower()) else "residence-permit-apply"
            fix = f"编号与文件名相同，只用小写字母、数字和连字符，如“{example}”"
        elif field == "kind":
            fix = "答复口径放在 entries/policy/<单位>/，派单目录放在 entries/directory/"
        else:
            fix = "应按 YYYY-MM-DD 填写"
        out.append(f"{field}：{why}（{fix}）{hidden}")
    return out


def escape(text) -> str:
    """Text for insertion into HTML."""
    return html.escape(str(text or ""))


#: Characters that Markdown (and Streamlit's math) would read as syntax, as HTML entities.
_MARKDOWN_SYNTAX = {c: f"&#{ord(c)};" for c in "\\`*_[](){}#+!|~$"}
_MARKDOWN_SYNTAX_RE = re.compile("[" + re.escape("".join(_MARKDOWN_SYNTAX)) + "]")


def snippet_html(snippet: str) -> str:
    """A search snippet made safe for ``st.markdown(unsafe_allow_html=True)``.

    Only ``<mark>`` survives as a tag, and characters Markdown would interpret are turned into
    entities, so the text shows exactly as written.
    """
    clean = nh3.clean(snippet or "", tags={"mark"}, attributes={}, clean_content_tags=DROPPED_WITH_CONTENT)
    return _MARKDOWN_SYNTAX_RE.sub(lambda m: _MARKDOWN_SYNTAX[m.group(0)], clean)


#: A label a unit may have written before its notes, already said by the box that shows them.
_NOTES_LABEL = re.compile(r"^\s*内部提示\s*[：:]\s*")


def agent_notes_markdown(entry) -> str:
    """An entry's notes for agents as the box that shows them reads (empty when it has none): the box says
    内部提示（仅坐席可见）once, not again before each note."""
    lines = [_NOTES_LABEL.sub("", x) for x in entry.agent_notes.splitlines() if x.strip()]
    if not any(lines):
        return ""
    return "**内部提示（仅坐席可见）**\n\n" + "\n\n".join(markdown_literal(x) for x in lines if x)


def markdown_literal(text) -> str:
    """Plain text for ``st.markdown(unsafe_allow_html=True)``, shown exactly as written."""
    return _MARKDOWN_SYNTAX_RE.sub(lambda m: _MARKDOWN_SYNTAX[m.group(0)], escape(text))
