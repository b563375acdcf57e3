"""Rendering for review and history pages: side-by-side diffs, front-matter changes, Markdown previews.

Every piece of content is escaped (diffs) or rendered and sanitised like the answer page
(Markdown), so a file holding HTML or script is shown, never run.
"""

from __future__ import annotations

import difflib
import html

from kb_app import frontmatter, render

STYLE = """<style>
.kbdiff{width:100%;border-collapse:collapse;font-family:monospace;font-size:13px;table-layout:fixed}
.kbdiff td{vertical-align:top;padding:1px 6px;white-space:pre-wrap;word-break:break-all;border-bottom:1px solid #f3f3f3}
.kbdiff td.n{width:3em;color:#999;text-align:right;user-select:none}
.kbdiff th{background:#f6f6f6;text-align:left;padding:4px 6px;font-weight:600}
.kbdiff .del{background:#ffecec}.kbdiff .add{background:#eaffea}.kbdiff .gap td{color:#999;text-align:center;background:#fafafa}
</style>"""


def _cells(number, text, css):
    num = "" if number is None else str(number)
    return f'<td class="n">{num}</td><td class="{css}">{html.escape(text)}</td>'


def side_by_side(old: str | None, new: str | None, left: str = "修改前", right: str = "修改后", context: int = 3) -> str:
    """An HTML table with the old text on the left and the new on the right, changes highlighted."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows = []
    groups = difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context)
    for n, group in enumerate(groups):
        if n:
            rows.append('<tr class="gap"><td colspan="4">⋯</td></tr>')
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    rows.append("<tr>" + _cells(i1 + k + 1, a[i1 + k], "") + _cells(j1 + k + 1, b[j1 + k], "") + "</tr>")
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                la = _cells(i1 + k + 1, a[i1 + k], "del") if i1 + k < i2 else _cells(None, "", "")
                lb = _cells(j1 + k + 1, b[j1 + k], "add") if j1 + k < j2 else _cells(None, "", "")
                rows.append(f"<tr>{la}{lb}</tr>")
    if not rows:
        rows.append('<tr class="gap"><td colspan="4">两个版本没有差别</td></tr>')
    head = f'<tr><th colspan="2">{html.escape(left)}</th><th colspan="2">{html.escape(right)}</th></tr>'
    return f'{STYLE}<table class="kbdiff">{head}{"".join(rows)}</table>'


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)


def meta_changes(old: str | None, new: str | None) -> list[dict]:
    """Rows ``{字段, 修改前, 修改后}`` for every front-matter field that differs."""
    a, b = frontmatter.meta_or_empty(old), frontmatter.meta_or_empty(new)
    rows = []
    for key in list(dict.fromkeys([*a, *b])):
        if a.get(key) != b.get(key):
            rows.append({"字段": str(key), "修改前": _show(a.get(key)), "修改后": _show(b.get(key))})
    return rows


def markdown_html(text: str) -> str:
    """Markdown as the answer page renders it (kb_app.render.to_html: the one renderer), sanitised."""
    return render.to_html(text)
