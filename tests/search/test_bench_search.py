"""The knowledge base scripts/bench_search.py generates is one kb_app accepts: what it measures is search over
entries the public may find, of places the knowledge base knows, not over entries validation would reject."""

from ..conftest import load_script


def test_the_generated_knowledge_base_validates_clean(tmp_path):
    from kb_app.content.model import Snapshot
    from kb_app.content.validate import validate

    bench = load_script("bench_search")
    root = bench.make_repo(tmp_path / "kb", 300, bench.sample_material())
    snap = Snapshot.from_tree(root)
    assert not validate(snap), validate(snap)[:3]
    entries = [e for e in snap.entry_list if e.id.startswith("gen-")]
    assert len(entries) == 300 and {r for e in entries for r in e.regions} >= {"东湖区", "南湾区", "青龙县"}
    assert all(e.audience == "internal" for e in entries if "内部" in e.title)
