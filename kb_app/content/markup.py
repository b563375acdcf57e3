"""The Markdown dialect of entry bodies: Python-Markdown with lists as people write them, no comments.

:func:`to_raw_html` is the one conversion from Markdown to (unsanitised) HTML; ``kb_app.render``
sanitises it for pages and previews and turns it into the text the search index holds.

**Lists as written.** Python-Markdown reads a list only after a blank line and nests only by four
spaces, so the way most people (and most editors) write lists — right under a sentence, nested by
two or three spaces — came out as one run-on paragraph (``- 线上：…； - 线下：…``).
:class:`ListNormalizer` rewrites the lines of lists into the form Python-Markdown reads
unambiguously, before it parses blocks:

* a list may start right under a paragraph line (as in CommonMark: a bullet, or a number list
  starting at 1) — a blank line is put before it;
* an item indented at least two spaces more than the item above it is nested in it, whatever the
  indent (2, 3 or 4 spaces, or the width of the marker); nested items and the lines that continue
  an item are re-indented by four spaces per level;
* a heading, quote, fence, HTML block or rule directly under a list ends the list.

Fenced code passes through untouched (comments are gone by then). Maintained extensions were
considered: ``mdx_truly_sane_lists`` nests by two spaces but then no longer by four, and needs the
blank line; ``mdx_breakless_lists`` adds the blank line, but also inside fenced code.

**No comments.** An HTML comment (``<!-- 编者注：… -->``) is an editor's note, never part of the
answer: every comment is removed from the source before parsing, wherever it stands (in a list
item, a paragraph or code), and an unclosed ``<!--`` hides the rest of the text, as in a browser.
Python-Markdown on its own shows the text of a comment that spans lines inside a list item.
"""

from __future__ import annotations

import dataclasses
import re
import threading

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}\.)(?:( +)(.*))?$")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ ]*){3,}|(?:\*[ ]*){3,}|(?:_[ ]*){3,})$")
_BLOCK_START = re.compile(r"^ {0,3}(?:#{1,6}(?:\s|$)|>|<[A-Za-z/!?])")
#: An HTML comment, also one closed abruptly (``<!-->``) or never closed (then to the end).
COMMENT = re.compile(r"<!--(?:-?>|.*?--!?>|.*\Z)", re.S)
#: Comments that fill whole lines go with their lines (a list stays one list around them).
COMMENT_LINES = re.compile(r"^[ \t]*<!--(?:-?>|.*?--!?>)[ \t]*(?:\n|\Z)", re.S | re.M)
#: A nested item is indented at least this much more than its parent's marker.
NEST_BY = 2
STEP = 4


@dataclasses.dataclass
class _Item:
    marker: int   # indent of the marker as written
    content: int  # column where the item's text starts as written
    out: int      # indent of the marker as rewritten
    ordered: bool


class ListNormalizer(Preprocessor):
    """Rewrites list lines so that Python-Markdown sees the lists a reader sees."""

    def run(self, lines: list[str]) -> list[str]:
        self.out: list[str] = []
        self.stack: list[_Item] = []
        self.block_out = 0  # the rewritten indent of the first line of the current block
        fence, blank, text_above = None, True, False
        for line in lines:
            if fence is not None:
                self.out.append(self._shift(line, fence[1]))
                if fence[0].fullmatch(line):
                    fence = None
                continue
            if not line.strip():
                self.out.append("")
                blank, text_above = True, False
                continue
            indent = len(line) - len(line.lstrip(" "))
            item = _ITEM.match(line) if not _RULE.match(line) else None
            if item and (self.stack or self._opens_list(item, indent, text_above)):
                self._item(item, indent, blank, text_above)
                text_above = False
            elif self.stack and not self._ends_lists(line, indent, blank):
                self._continuation(line, indent, blank)
                text_above = True
            else:
                self.stack = []
                block = bool(_BLOCK_START.match(line) or _FENCE.match(line) or _RULE.match(line))
                if block:
                    self._blank_before()
                self.out.append(line)
                text_above = not block
            opened = _FENCE.match(line)
            if opened:
                mark = opened.group(1)
                fence = (re.compile(rf" *{re.escape(mark[0])}{{{len(mark)},}} *"), self._shift_of(indent))
            if blank or self.out[-2:-1] == [""]:
                self.block_out = len(self.out[-1]) - len(self.out[-1].lstrip(" "))
            blank = False
        return self.out

    @staticmethod
    def _opens_list(m, indent: int, text_above: bool) -> bool:
        """Whether an item line outside any list starts one (CommonMark's rules)."""
        if indent > 3 or not m.group(4):
            return False  # an indented code block, or a bare marker (a heading underline)
        # Only a bullet or a list starting at 1 interrupts a paragraph.
        return not text_above or m.group(2) in "-*+" or m.group(2) == "1."

    def _item(self, m, indent: int, blank: bool, text_above: bool):
        ordered = m.group(2)[0].isdigit()
        in_list, sibling = bool(self.stack), None
        while self.stack and indent < self.stack[-1].marker + NEST_BY:
            sibling = self.stack.pop()
        out = self.stack[-1].out + STEP if self.stack else 0
        starts_list = (not in_list or (text_above and sibling is None)
                       or (sibling is not None and sibling.ordered != ordered))
        if not blank and (starts_list or out < self.block_out):
            # A list right under a paragraph (also one inside an item), a list of the other kind,
            # or an item less indented than the block it follows (Python-Markdown would nest it).
            self._blank_before()
        marker, text = m.group(2), (m.group(4) or "")
        spaces = len(m.group(3) or " ")
        self.stack.append(_Item(indent, indent + len(marker) + (spaces if spaces <= 4 else 1), out, ordered))
        self.out.append(f"{' ' * out}{marker} {text}".rstrip())

    def _ends_lists(self, line: str, indent: int, blank: bool) -> bool:
        """Whether a line that is not an item closes every open list."""
        outer = self.stack[0].marker + NEST_BY
        if indent >= outer:
            return False
        return blank or bool(_BLOCK_START.match(line) or _FENCE.match(line) or _RULE.match(line))

    def _continuation(self, line: str, indent: int, blank: bool):
        """A line that continues an open item: a paragraph after a blank line, or a lazy line."""
        if blank:
            while len(self.stack) > 1 and indent < self.stack[-1].marker + NEST_BY:
                self.stack.pop()
        top = self.stack[-1]
        extra = max(0, indent - top.content) if blank else 0
        self.out.append(" " * (top.out + STEP + extra) + line.lstrip(" "))

    def _shift_of(self, indent: int) -> int:
        """How far the lines of a fence opened at ``indent`` move (with the item they are in)."""
        if not self.stack:
            return 0
        top = self.stack[-1]
        return top.out + STEP - indent

    @staticmethod
    def _shift(line: str, by: int) -> str:
        if by >= 0:
            return " " * by + line if line.strip() else line
        cut = min(-by, len(line) - len(line.lstrip(" ")))
        return line[cut:]

    def _blank_before(self):
        if self.out and self.out[-1].strip():
            self.out.append("")


class CommentRemover(Preprocessor):
    """Removes every HTML comment from the source (an unclosed one to the end of the text)."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<!--" not in text:
            return lines
        return COMMENT.sub("", COMMENT_LINES.sub("", text)).split("\n")


class KbMarkdown(Extension):
    """Python-Markdown extension: no comments, CommonMark-style lists (see the module docstring)."""

    def extendMarkdown(self, md):
        # Before anything reads the source; lists after whitespace is normalised (tabs expanded,
        # priority 30) and before fences (25) and HTML blocks (20) are taken out.
        md.preprocessors.register(CommentRemover(md), "kb_comments", 40)
        md.preprocessors.register(ListNormalizer(md), "kb_lists", 27)


EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
_local = threading.local()


def to_raw_html(text: str) -> str:
    """Markdown as HTML, not yet sanitised (one reused converter per thread: setting one up costs more
    than converting an answer)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=[*EXTENSIONS, KbMarkdown()], output_format="html")
        _local.converter = converter
    return converter.reset().convert(text or "")
