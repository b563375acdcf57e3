"""Plain HTML tables for the staff pages: Chinese headers, links in cells, no English toolbar.

Streamlit's data grid carries an English toolbar and column menu (Download as CSV, Search,
Fullscreen, Sort ascending …) and cannot hold in-app links. These tables are static HTML in the
page: every cell is escaped text, a link (``Link``) or a number; numbers are right-aligned, rates
are shown as percentages and times as ``2026-11-30 12:00``.
"""

from __future__ import annotations

import dataclasses
import html
import re
from urllib.parse import urlencode

import streamlit as st

from kb_app.labels import when

_STYLE = """<style>
.kbtable-wrap{overflow-x:auto;margin:0 0 1rem}
.kbtable{border-collapse:collapse;width:100%;font-size:0.92rem}
.kbtable th{text-align:left;font-weight:600;border-bottom:2px solid rgba(49,51,63,.25);padding:.35rem .6rem;
 white-space:nowrap}
.kbtable td{border-bottom:1px solid rgba(49,51,63,.12);padding:.35rem .6rem;vertical-align:top}
.kbtable td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.kbtable td.nowrap{white-space:nowrap}
.kbtable td.long{min-width:8em}.kbtable td.longer{min-width:14em}
.kbtable tr:hover td{background:rgba(49,51,63,.04)}
.kbtable a{color:#0b57d0;text-decoration:none}.kbtable a:hover{text-decoration:underline}
.kbtable .muted{color:rgba(49,51,63,.6)}
</style>"""
#: Text up to this many characters is kept on one line in a cell; longer text wraps, but keeps a width
#: of its own (8em, and 14em beyond ``LONGER_TEXT`` characters), so that beside the one-line columns it
#: is not squeezed to a character per line. A link's label is text like any other.
SHORT_TEXT, LONGER_TEXT = 12, 60
_DAY_OR_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")


@dataclasses.dataclass(frozen=True)
class Link:
    """A cell that opens an app page (``page`` is its address, e.g. ``answer``) with query parameters."""

    label: str
    page: str
    params: dict = dataclasses.field(default_factory=dict)

    @property
    def href(self) -> str:
        return self.page + (f"?{urlencode(self.params)}" if self.params else "")


def percent(value) -> str:
    """0.256 as ``25.6%``; nothing known as ``—``."""
    return "—" if value is None else f"{value:.1%}"


def cell(value, column: str = "") -> tuple[str, str]:
    """(class, inner HTML) of one cell."""
    if isinstance(value, Link):
        return _width(value.label), f'<a href="{html.escape(value.href)}" target="_self">{html.escape(value.label)}</a>'
    if value is None or value == "":
        return "muted", "—"
    if isinstance(value, bool):
        return "", "是" if value else "否"
    if isinstance(value, float) and "率" in column:
        return "num", percent(value)
    if isinstance(value, (int, float)):
        return "num", f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    text = str(when(value))
    return _width(text), html.escape(text)


def _width(text: str) -> str:
    """The class of a cell of text: times and short labels (a topic, a region, a trend) stay on one line;
    longer text wraps within a width of its own."""
    if _DAY_OR_TIME.match(text) or len(text) <= SHORT_TEXT:
        return "nowrap"
    return "longer" if len(text) > LONGER_TEXT else "long"


def table_html(rows: list[dict], columns: list[str] | None = None, empty: str = "没有记录。") -> str:
    """An HTML table of ``rows`` (dicts keyed by the Chinese column headers)."""
    if not rows:
        return f'<p class="kbtable-empty" style="color:rgba(49,51,63,.6)">{html.escape(empty)}</p>'
    columns = columns or list(rows[0])
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            cls, inner = cell(row.get(c), c)
            cells.append(f'<td class="{cls}">{inner}</td>' if cls else f"<td>{inner}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'{_STYLE}<div class="kbtable-wrap"><table class="kbtable"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def show_table(rows: list[dict], columns: list[str] | None = None, empty: str = "没有记录。"):
    """Show ``rows`` as a plain table (or say there is nothing)."""
    st.html(table_html(rows, columns, empty))
