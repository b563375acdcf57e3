"""Diffs as HTML for the review and history pages: the source side by side, and the answer as it will look.

Changes are marked inside lines, character by character (Chinese has no spaces to split words on),
in both views. Every piece of content is escaped (source) or rendered with the one Markdown
renderer and sanitised (:func:`kb_app.render.to_html`), so a file holding HTML or script is shown,
never run.
"""

from __future__ import annotations

import difflib
import html
import re

from kb_app import render
from kb_app.review.changes import ABSENT, REMOVED

STYLE = """<style>
.kbdiff{width:100%;border-collapse:collapse;font-family:monospace;font-size:13px;table-layout:fixed}
.kbdiff td{vertical-align:top;padding:1px 6px;white-space:pre-wrap;word-break:break-all;
 border-bottom:1px solid #f3f3f3}
.kbdiff td.n{color:#999;text-align:right;user-select:none}.kbdiff col.n{width:3.2em}
.kbdiff th{background:#f6f6f6;text-align:left;padding:4px 6px;font-weight:600}
.kbdiff .del{background:#fff1f1}.kbdiff .add{background:#effbef}
.kbdiff .gap td{color:#999;text-align:center;background:#fafafa}
.kbdiff .del .cx{background:#ffc7c7}.kbdiff .add .cx{background:#b8ecbc}
.kbrender{display:grid;grid-template-columns:1fr 1fr;gap:14px;align-items:start}
.kbrender .pane{border:1px solid #e3e3e3;border-radius:8px;padding:4px 16px 8px;min-width:0;
 overflow-wrap:anywhere}
.kbrender .cap{font-size:13px;color:#666;border-bottom:1px solid #eee;padding:6px 0;margin-bottom:6px}
.kbrender ins{background:#b8ecbc;text-decoration:none;border-radius:2px}
.kbrender del{background:#ffc7c7;text-decoration:line-through;border-radius:2px}
.kbrender .none{color:#999;font-style:italic}
@media (max-width:800px){.kbrender{grid-template-columns:1fr}}
</style>"""

#: Private-use characters marking changes in Markdown source until it is rendered.
INS, INS_END, DEL, DEL_END = "\ue000", "\ue001", "\ue002", "\ue003"
#: A line's Markdown block syntax (list marker, heading, quote), kept outside the marks.
BLOCK_PREFIX = re.compile(r"^\s*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|#{1,6}[ \t]+|>[ \t]?)*")
#: Below this similarity two lines are a deletion and an insertion, not one edited line.
SIMILAR = 0.3
#: Where a change is read as a whole: punctuation and spaces, Chinese and Western.
BREAKS = set("，。、；：？！“”‘’（）《》【】…—,.;:?!\"'()[]<> \t")


def char_segments(a: str, b: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Two versions of a line as (changed, text) segments, character by character.

    An unchanged run of one character between two changes is folded into them, so a rewritten
    phrase reads as one change rather than a comb of single characters.
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if a and b and matcher.ratio() < SIMILAR:
        return [(True, a)], [(True, b)]
    ops = _slide([list(op) for op in matcher.get_opcodes()], a, b)
    merged: list[list] = []
    for i, op in enumerate(ops):
        tiny = op[0] == "equal" and op[2] - op[1] <= 1 and 0 < i < len(ops) - 1
        if merged and merged[-1][0] != "equal" and (op[0] != "equal" or tiny):
            merged[-1][2], merged[-1][4] = op[2], op[4]
            continue
        merged.append(["replace" if tiny else op[0], *op[1:]])
    left, right = [], []
    for tag, i1, i2, j1, j2 in merged:
        if i2 > i1:
            left.append((tag != "equal", a[i1:i2]))
        if j2 > j1:
            right.append((tag != "equal", b[j1:j2]))
    return left, right


def _boundary(text: str, pos: int) -> int:
    """1 where a change may sit comfortably: the text's ends, or next to punctuation or a space."""
    return int(pos in (0, len(text)) or text[pos - 1] in BREAKS or text[pos] in BREAKS)


def _slide(ops: list[list], a: str, b: str) -> list[list]:
    """Move each pure insertion or deletion to the equivalent place that ends at punctuation.

    ``证件`` → ``证件原件`` is found as ``证`` + ``件原`` + ``件``; the reader expects ``证件`` + ``原件``.
    """
    for n in range(1, len(ops) - 1):
        prev, op, nxt = ops[n - 1], ops[n], ops[n + 1]
        if prev[0] != "equal" or nxt[0] != "equal" or op[0] not in ("insert", "delete"):
            continue
        text, lo, hi = (b, op[3], op[4]) if op[0] == "insert" else (a, op[1], op[2])
        start, end = (prev[3], nxt[4]) if op[0] == "insert" else (prev[1], nxt[2])
        best, best_score, shift = 0, _boundary(text, lo) + _boundary(text, hi), 0
        while lo + shift > start and text[lo + shift - 1] == text[hi + shift - 1]:
            shift -= 1
            score = _boundary(text, lo + shift) + _boundary(text, hi + shift)
            best, best_score = (shift, score) if score > best_score else (best, best_score)
        shift = 0
        while hi + shift < end and text[lo + shift] == text[hi + shift]:
            shift += 1
            score = _boundary(text, lo + shift) + _boundary(text, hi + shift)
            best, best_score = (shift, score) if score > best_score else (best, best_score)
        if best:
            prev[2] += best
            prev[4] += best
            op[1] += best
            op[2] += best
            op[3] += best
            op[4] += best
            nxt[1] += best
            nxt[3] += best
    return [op for op in ops if op[0] != "equal" or op[2] > op[1]]


def _rows(a: list[str], b: list[str], context: int | None):
    """(old line number or None, new line number or None) pairs, grouped with ``None`` as a gap."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    groups = [matcher.get_opcodes()] if context is None else matcher.get_grouped_opcodes(context)
    for n, group in enumerate(groups):
        if n:
            yield None
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from ((i1 + k, j1 + k, False) for k in range(i2 - i1))
                continue
            yield from _aligned(a, b, i1, i2, j1, j2)


#: Lines of a replaced block compared pair by pair up to this many pairs; beyond it they pair in order.
ALIGN_PAIRS = 10_000


def _aligned(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int):
    """The rows of a replaced block: each old line beside the new line it became.

    Lines pair by how alike they are, in order (the pairing of greatest total likeness), so an
    inserted list item leaves the item after it beside itself (``5. 代办`` beside ``6. 代办``, the
    number alone marked) instead of beside the new item. Lines left without a like partner between
    two pairs sit side by side in order, as a rewritten line does.
    """
    n, m = i2 - i1, j2 - j1
    pairs = []
    if n * m <= ALIGN_PAIRS:
        rest_a = [a[i1 + k][len(BLOCK_PREFIX.match(a[i1 + k]).group(0)):] for k in range(n)]
        rest_b = [b[j1 + k][len(BLOCK_PREFIX.match(b[j1 + k]).group(0)):] for k in range(m)]
        like = [[_likeness(x, y) for y in rest_b] for x in rest_a]
        best = [[0.0] * (m + 1) for _ in range(n + 1)]
        for x in range(n - 1, -1, -1):
            for y in range(m - 1, -1, -1):
                best[x][y] = max(best[x + 1][y], best[x][y + 1], like[x][y] + best[x + 1][y + 1] if like[x][y] else 0.0)
        x = y = 0
        while x < n and y < m:
            if like[x][y] and best[x][y] == like[x][y] + best[x + 1][y + 1]:
                pairs.append((x, y))
                x, y = x + 1, y + 1
            elif best[x][y] == best[x + 1][y]:
                x += 1
            else:
                y += 1
    x = y = 0
    for px, py in [*pairs, (n, m)]:
        for k in range(max(px - x, py - y)):
            yield (i1 + x + k if x + k < px else None, j1 + y + k if y + k < py else None, True)
        if px < n:
            yield (i1 + px, j1 + py, True)
        x, y = px + 1, py + 1


def _likeness(x: str, y: str) -> float:
    """How alike two lines are (0 below SIMILAR): the share of characters they have in common."""
    if not x.strip() or not y.strip():
        return 1.0 if x.strip() == y.strip() else 0.0
    matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= SIMILAR else 0.0


def _source_cell(number, segments, css) -> str:
    if number is None:
        return '<td class="n"></td><td></td>'
    text = "".join(f'<span class="cx">{html.escape(t)}</span>' if changed and css else html.escape(t)
                   for changed, t in segments)
    return f'<td class="n">{number + 1}</td><td class="{css}">{text}</td>'


def side_by_side(old: str | None, new: str | None, left: str = "修改前", right: str = "修改后",
                 context: int = 3) -> str:
    """The source of two versions side by side, changed lines tinted and changed characters marked."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows = []
    for row in _rows(a, b, context):
        if row is None:
            rows.append('<tr class="gap"><td colspan="4">⋯</td></tr>')
            continue
        i, j, changed = row
        if not changed:
            cells = _source_cell(i, [(False, a[i])], "") + _source_cell(j, [(False, b[j])], "")
            rows.append(f"<tr>{cells}</tr>")
            continue
        if i is not None and j is not None:
            sa, sb = char_segments(a[i], b[j])
        else:
            sa = [(True, a[i])] if i is not None else []
            sb = [(True, b[j])] if j is not None else []
        rows.append(f"<tr>{_source_cell(i, sa, 'del')}{_source_cell(j, sb, 'add')}</tr>")
    if not rows:
        rows.append('<tr class="gap"><td colspan="4">两个版本没有差别</td></tr>')
    head = f'<tr><th colspan="2">{html.escape(left)}</th><th colspan="2">{html.escape(right)}</th></tr>'
    cols = '<colgroup><col class="n"><col><col class="n"><col></colgroup>'
    return f'{STYLE}<table class="kbdiff">{cols}{head}{"".join(rows)}</table>'


# -- the fields ------------------------------------------------------------------------------------


#: A field value this short (a date, a unit, a time limit) is marked whole, not character by character.
WHOLE_FIELD = 12


FIELD_STYLE = """<style>
.kbfields{width:100%;border-collapse:collapse;font-size:14px;margin:0 0 .5rem}
.kbfields th{background:#f6f6f6;text-align:left;padding:4px 8px;font-weight:600;white-space:nowrap}
.kbfields td{vertical-align:top;padding:4px 8px;border-bottom:1px solid #eee;white-space:pre-wrap;
 overflow-wrap:anywhere}
.kbfields td.f{white-space:nowrap;color:#444;width:1%}
.kbfields ins{background:#b8ecbc;text-decoration:none;border-radius:2px}
.kbfields del{background:#ffc7c7;text-decoration:line-through;border-radius:2px}
.kbfields .none{color:#999}
</style>"""


def field_table(rows: list[dict], status: str) -> str:
    """Rows ``{字段, 修改前, 修改后}`` (see review.changes.field_rows) as an HTML table: a changed field's changes
    marked inside it (struck through on red where removed, on green where added), the field's name on one line;
    a new or deleted file's fields as ``字段 | 内容``."""
    if status in ("A", "D"):
        side = "修改后" if status == "A" else "修改前"
        head, body = ("字段", "内容"), [(r["字段"], _plain(r[side])) for r in rows]
    else:
        head, body = ("字段", "修改前", "修改后"), []
        for r in rows:
            a, b = r["修改前"], r["修改后"]
            if a == ABSENT or b == REMOVED:
                sa, sb = [(False, a)], [(False, b)]
            elif max(len(a), len(b)) <= WHOLE_FIELD:
                sa, sb = [(True, a)], [(True, b)]
            else:
                sa, sb = char_segments(a, b)
            body.append((r["字段"], _field_cell(sa, "del"), _field_cell(sb, "ins")))
    cells = "".join(f'<tr><td class="f">{html.escape(name)}</td>{"".join(f"<td>{c}</td>" for c in rest)}</tr>'
                    for name, *rest in body)
    heads = "".join(f"<th>{h}</th>" for h in head)
    return f'{FIELD_STYLE}<table class="kbfields"><thead><tr>{heads}</tr></thead><tbody>{cells}</tbody></table>'


def _plain(value: str) -> str:
    return f'<span class="none">{html.escape(value)}</span>' if value in (ABSENT, REMOVED) else html.escape(value)


def _field_cell(segments, tag: str) -> str:
    return "".join(f"<{tag}>{html.escape(t)}</{tag}>" if changed and t.strip() else _plain(t) for changed, t in segments)


# -- the rendered diff ------------------------------------------------------------------------------


def _marked(segments, start: str, end: str) -> str:
    return "".join(f"{start}{t}{end}" if changed and t.strip() else t for changed, t in segments)


def _whole(line: str, start: str, end: str) -> str:
    prefix = BLOCK_PREFIX.match(line).group(0)
    rest = line[len(prefix):]
    return f"{prefix}{start}{rest}{end}" if rest.strip() else line


def marked_sources(old: str, new: str) -> tuple[str, str, int]:
    """Both versions of a Markdown text with their changes marked, and how many lines changed."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    out_a, out_b, changed = [], [], 0
    for row in _rows(a, b, None):
        i, j, differs = row
        if not differs:
            out_a.append(a[i])
            out_b.append(b[j])
            continue
        changed += 1
        if i is not None and j is not None:
            pa, pb = BLOCK_PREFIX.match(a[i]).group(0), BLOCK_PREFIX.match(b[j]).group(0)
            sa, sb = char_segments(a[i][len(pa):], b[j][len(pb):])
            out_a.append(pa + _marked(sa, DEL, DEL_END))
            out_b.append(pb + _marked(sb, INS, INS_END))
        elif i is not None:
            out_a.append(_whole(a[i], DEL, DEL_END))
        else:
            out_b.append(_whole(b[j], INS, INS_END))
    return "\n".join(out_a), "\n".join(out_b), changed


def _render_marked(text: str) -> str:
    """Markdown with change marks rendered, the marks turned into <ins>/<del>, sanitised again."""
    rendered = render.to_html(text)
    for mark, tag in ((INS, "<ins>"), (INS_END, "</ins>"), (DEL, "<del>"), (DEL_END, "</del>")):
        rendered = rendered.replace(mark, tag)
    return render.sanitize(rendered)  # balances marks that a Markdown element split


#: What the rendered diff shows where a side has no version.
NO_OLD_VERSION, NO_NEW_VERSION = "新增条目，无现行版本", "删除条目，发布后不再有这一条目"


def rendered_side_by_side(old: str | None, new: str | None, left: str = "修改前（现行版本）",
                          right: str = "修改后（发布后的样子）") -> str:
    """Two versions of an answer rendered as readers will see them, with the changes marked inside lines; a
    side with no version (a new entry's before, a deleted one's after) says so under a plain 修改前 / 修改后."""
    marked_old, marked_new, _ = marked_sources(old or "", new or "")
    panes = []
    for caption, text, source, none in ((left, marked_old, old, ("修改前", NO_OLD_VERSION)),
                                        (right, marked_new, new, ("修改后", NO_NEW_VERSION))):
        if source is None:
            caption, body = none[0], f'<p class="none">{none[1]}</p>'
        else:
            body = _render_marked(text)
        panes.append(f'<div class="pane"><div class="cap">{html.escape(caption)}</div>{body}</div>')
    return f'{STYLE}<div class="kbrender">{"".join(panes)}</div>'


def markdown_html(text: str) -> str:
    """Markdown rendered to HTML with anything active (script, handlers, iframes) removed."""
    return render.to_html(text)
