"""Catalog health over the sample and over a real district catalogue."""

from pathlib import Path

import pytest

from kb_app import health
from kb_app.content.model import Snapshot

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"


def test_sample_findings(kb):
    snap = kb.snapshot()
    findings = health.report(snap)
    kinds = {}
    for f in findings:
        kinds.setdefault(f.kind, []).append(f)
    overlap_pairs = {tuple(sorted(f.entries)) for f in kinds["overlap"]}
    # The deliberately split parking matter is found; same-handler pairs never are.
    assert any({snap.entries[a].handler, snap.entries[b].handler} >= {"district-donghu", "city-transport"}
               for a, b in overlap_pairs)
    assert all(snap.entries[a].handler != snap.entries[b].handler for a, b in overlap_pairs)
    assert [f.entries for f in kinds["no_example"]] == [[e.id] for e in snap.directory() if not e.examples]
    assert any("燃气报修电话" in f.message for f in kinds["contradiction"])
    assert "unit" not in kinds


def test_inactive_and_missing_units_are_reported(kb):
    snap = kb.snapshot()
    files = dict(snap.files)
    entry = snap.directory()[0]
    text = files[entry.path]
    files[entry.path] = text.replace(f"handler: {entry.handler}", "handler: city-former-commerce", 1)
    files[entry.path] = files[entry.path].replace("co_handlers: [", "co_handlers: [gone-unit, ", 1)
    found = health.unit_problems(Snapshot(files))
    messages = [f.message for f in found]
    assert any("原示例市商务局" in m and "已撤销" in m for m in messages), messages
    assert "co_handlers: [" not in text or any("“gone-unit”不在单位名录中" in m for m in messages)


def test_contradiction_needs_two_units_on_one_topic():
    def policy(eid, unit, topic, value):
        return (f"entries/policy/{unit}/{eid}.md",
                f"---\nid: {eid}\nkind: policy\ntitle: {eid}\nunit: {unit}\naudience: public\ncategory: [{topic}]\n"
                f"facts: {{报修电话: '{value}'}}\n---\n正文\n")
    snap = Snapshot(dict([policy("a1", "u1", "供水", "0000-1"), policy("a2", "u1", "供水", "0000-2"),
                          policy("b1", "u2", "供电", "0000-3"), policy("c1", "u3", "燃气", "0000-4"),
                          policy("c2", "u4", "燃气", "0000 4"), policy("d1", "u5", "供暖", "1"),
                          policy("d2", "u6", "供暖", "2")]))
    found = health.contradictions(snap)
    assert [f.entries for f in found] == [["d1", "d2"]]


@pytest.mark.skipif(not (SHARED / "service_items_guangan.csv").exists(), reason="../shared/eval 不在旁边")
def test_real_district_catalogue(tmp_path):
    from scripts.catalog_health import build_catalog

    snap = build_catalog(SHARED / "service_items_guangan.csv")
    assert len(snap.directory()) == 1135
    findings = health.report(snap, SHARED / "matter_taxonomy.csv")
    kinds = {f.kind for f in findings}
    assert {"overlap", "uncovered", "no_example"} <= kinds
