"""CSV exports neutralise cells a spreadsheet would run as a formula (OWASP "CSV injection")."""

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb_app import health
from kb_app.cli import cli
from kb_app.export import FORMULA_STARTS, SIGNED_NUMBER, csv_text, safe_cell, spreadsheet_bytes

from .conftest import TODAY

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\r=1",
           "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-5", "-5"), ("+1750%", "+1750%"), ("-18.5%", "-18.5%"),
    ("-5%1", "'-5%1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\n=1"), ("两行\r\n文本", "两行\n文本"), ("失业金怎么领", "失业金怎么领"), ("a=b", "a=b"), ("", ""),
    (None, ""), (3, 3), (-3, -3),
    (0.25, 0.25), ("＝1", "＝1"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_no_cell_starts_a_formula(row):
    for cell, value in zip(cells(csv_text(["列"] * len(row), [row]))[len(row):], row, strict=True):
        # A signed number (-0, +5%) is read as a number, no formula, and is shown as written.
        assert not cell.startswith(FORMULA_STARTS) or SIGNED_NUMBER.match(cell)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        assert cell == ("'" + value if cell != value else value)


def test_usage_report_csv_neutralises_what_citizens_typed(kb, sample_root, tmp_path):
    for query in HOSTILE:
        kb.feedback.log_search(query, "public", 0)
    text = kb.stats.report_csv(dt.date.fromisoformat(TODAY))
    logged = [c for c in cells(text) if c.lstrip("'").lstrip("\t\r").startswith(("=", "+", "-", "@", "TAB"))]
    assert logged and all(c.startswith("'") for c in logged)
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in cells(text)
    result = CliRunner(env={"KB_TODAY": TODAY}).invoke(
        cli, ["report", "--root", str(sample_root), "--data-dir", str(tmp_path / "data"), "--from", TODAY, "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output == text
    assert not any(c.startswith(FORMULA_STARTS) for c in cells(result.output))


def test_catalog_csv_neutralises_cells(kb):
    findings = health.report(kb.snapshot()) + [health.Finding("no_example", "=1+1", ["-x"], ["@u"])]
    rows = list(csv.reader(io.StringIO(health.report_csv(findings))))
    assert rows[0] == ["类别", "说明", "条目", "单位"]
    assert rows[-1] == [health.KIND_TITLES["no_example"], "'=1+1", "'-x", "'@u"]
    assert len(rows) == len(findings) + 1


def test_spreadsheet_bytes_carry_a_byte_order_mark():
    assert spreadsheet_bytes("列\n") == "\ufeff列\n".encode("utf-8")
