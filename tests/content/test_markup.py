"""Lists render as people write them, on every sample file and on generated lists; comments never show."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st

from kb_app import render
from kb_app.content.model import Snapshot

from ..conftest import PROJECT

MARKER = re.compile(r"^( *)([-*+]|\d+\.) +\S")
FENCE = re.compile(r"^ *(```|~~~)")


class Lists(HTMLParser):
    """The list structure of HTML: one (depth, list tag) per <li>, and the text of paragraphs."""

    def __init__(self):
        super().__init__()
        self.items, self.open, self.paragraphs, self.in_p = [], [], [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.open.append(tag)
        elif tag == "li":
            self.items.append((len(self.open) - 1, self.open[-1]))
        elif tag == "p":
            self.in_p = True
            self.paragraphs.append("")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.open.pop()
        elif tag == "p":
            self.in_p = False

    def handle_data(self, data):
        if self.in_p:
            self.paragraphs[-1] += data


def rendered(markdown_text):
    parser = Lists()
    parser.feed(render.to_html(markdown_text))
    return parser


def written(markdown_text):
    """The items as written: one (depth, list tag) per marker line, nested when indented 2+ more."""
    items, stack, fenced = [], [], False
    for line in markdown_text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        m = MARKER.match(line)
        if fenced or not m:
            continue
        indent = len(m.group(1))
        while stack and indent < stack[-1] + 2:
            stack.pop()
        items.append((len(stack), "ol" if m.group(2)[0].isdigit() else "ul"))
        stack.append(indent)
    return items


SAMPLE = Snapshot.from_tree(PROJECT).entry_list


def test_the_sample_has_lists_written_every_way():
    bodies = [e.body for e in SAMPLE]
    assert sum(1 for b in bodies if re.search(r"^[^\s-].*\n[-*] ", b, re.M)) >= 20  # right under a sentence
    assert sum(1 for b in bodies if re.search(r"^ {2,3}[-*] ", b, re.M)) >= 5       # nested by 2 or 3 spaces


@pytest.mark.parametrize("entry", SAMPLE, ids=[e.id for e in SAMPLE])
def test_every_sample_file_renders_its_lists_as_written(entry):
    html = rendered(entry.body)
    assert html.items == written(entry.body)
    for paragraph in html.paragraphs:  # no run-on list: "- 线上：…； - 线下：…" in one paragraph
        assert not re.search(r"(^|\n)\s*([-*+]|\d+\.) ", paragraph), paragraph


CASES = {
    "under a sentence": ("办理渠道：\n- 线上：登录政务服务网；\n- 线下：到区政务服务中心。\n",
                         [(0, "ul"), (0, "ul")]),
    "nested by two spaces": ("材料：\n- 身份证\n  - 原件\n  - 复印件\n- 户口簿\n",
                             [(0, "ul"), (1, "ul"), (1, "ul"), (0, "ul")]),
    "nested by four spaces": ("- 身份证\n    - 原件\n- 户口簿\n", [(0, "ul"), (1, "ul"), (0, "ul")]),
    "nested under a number": ("步骤：\n1. 申请\n   - 网上\n   - 窗口\n2. 审核\n",
                              [(0, "ol"), (1, "ul"), (1, "ul"), (0, "ol")]),
    "three levels": ("- 甲\n  - 乙\n    - 丙\n- 丁\n", [(0, "ul"), (1, "ul"), (2, "ul"), (0, "ul")]),
    "a second paragraph in an item": ("- 甲\n\n  甲的说明\n- 乙\n", [(0, "ul"), (0, "ul")]),
    "a list in a later paragraph": ("- 甲\n\n  甲的说明：\n  1. 一\n  2. 二\n", [(0, "ul"), (1, "ol"), (1, "ol")]),
    "another kind of list": ("- 甲\n1. 一\n", [(0, "ul"), (0, "ol")]),
    "a number that does not start a list": ("截至2026年\n3. 号文件仍有效\n", []),
    "fenced code is left alone": ("示例：\n```\n- 不是列表\n```\n- 是列表\n", [(0, "ul")]),
}


@pytest.mark.parametrize("text, items", CASES.values(), ids=list(CASES))
def test_lists_as_people_write_them(text, items):
    assert rendered(text).items == items


def test_preview_pages_and_index_share_one_renderer():
    from kb_app.ui.diff import markdown_html

    text = CASES["nested by two spaces"][0]
    assert markdown_html(text) == render.to_html(text)
    assert render.page_text(text) == "材料：\n• 身份证\n  • 原件\n  • 复印件\n• 户口簿"


COMMENTS = [
    "答复。<!-- 编者注：不要念给来电人 -->",
    "答复。\n\n<!-- 编者注：\n不要念给来电人 -->\n\n下一段。",
    "- 甲\n  <!-- 编者注\n  - 不要念给来电人 -->\n- 乙",
    "答复。\n\n```\n<!-- 编者注：不要念给来电人 -->\n```",
    "答复。<!-- 编者注：没有结尾，不要念给来电人",
    "答复。<!--编者注：不要念给来电人--!>",
]


@pytest.mark.parametrize("text", COMMENTS)
def test_no_text_of_a_comment_reaches_the_page_or_the_index(text):
    for shown in (render.to_html(text), render.page_text(text), render.to_text(text)):
        assert "编者注" not in shown and "不要念" not in shown
    assert render.page_text(text).startswith("答复。") or render.page_text(text).startswith("• 甲")


# -- generated lists ---------------------------------------------------------------------------

TEXT = st.sampled_from(["身份证", "户口簿原件", "登录政务服务网办理", "到区政务服务中心", "拨打12345咨询"])


@st.composite
def trees(draw, depth=0):
    """A list as a tree: (ordered, [(text, children or None)]); at most three levels."""
    children = trees(depth + 1) if depth < 2 else st.none()
    items = draw(st.lists(st.tuples(TEXT, st.none() | children), min_size=1, max_size=4))
    return draw(st.booleans()), items


def write(tree, indent, style, lines):
    ordered, items = tree
    for n, (text, children) in enumerate(items, 1):
        marker = f"{n}." if ordered else "-"
        lines.append(" " * indent + f"{marker} {text}")
        if children:
            step = {"marker": len(marker) + 1, "two": 2, "four": 4}[style]
            write(children, indent + step, style, lines)


def expected(tree, depth=0):
    ordered, items = tree
    out = []
    for _text, children in items:
        out.append((depth, "ol" if ordered else "ul"))
        if children:
            out.extend(expected(children, depth + 1))
    return out


@settings(max_examples=200, deadline=None)
@given(tree=trees(), style=st.sampled_from(["marker", "two", "four"]),
       lead=st.sampled_from(["", "说明：\n", "说明：\n\n"]))
def test_generated_lists_render_as_written(tree, style, lead):
    lines = []
    write(tree, 0, style, lines)
    text = lead + "\n".join(lines) + "\n"
    assert rendered(text).items == expected(tree)
