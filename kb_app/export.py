"""CSV for spreadsheets: the one writer behind every export, safe against formula injection.

Citizens type the search queries and report texts that end up in statistics and health exports. A
spreadsheet reads a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (OWASP "CSV injection"), so such a text cell gets a leading apostrophe: the spreadsheet then
shows the text as typed and runs nothing. Numbers stay numbers (a negative count is no formula). Line
breaks inside a cell are written as line feeds, which the writer quotes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A signed number or percentage (+1750%, -18.5%): read as a number, no formula, so shown as written.
SIGNED_NUMBER = re.compile(r"[+-]\d+(\.\d+)?%?\Z")


def safe_cell(value) -> str | int | float:
    """A value as a CSV cell: None as empty, text that would start a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not SIGNED_NUMBER.match(text):
        text = "'" + text
    # A bare carriage return inside a cell would end the row for many readers; a line feed gets quoted.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """CSV text (``\\n`` line ends) with a header row; every cell passes through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def spreadsheet_bytes(text: str) -> bytes:
    """CSV text as a download: UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    return text.encode("utf-8-sig")
