"""Lists to choose an entry from name it by its title; two of one title are told apart in words, not by id."""

from kb_app.content import frontmatter
from kb_app.content.model import Snapshot


def directory(entry_id, title, handler, regions):
    meta = {"id": entry_id, "kind": "directory", "title": title, "unit": "hotline-center", "audience": "internal",
            "handler": handler, "regions": regions, "time_limit": "5wd"}
    return f"entries/directory/{entry_id}.md", frontmatter.dump(meta, "职责边界。\n")


def test_titles_are_told_apart_by_region_else_by_unit(kb):
    base = kb.snapshot()
    snap = Snapshot({**base.files, **dict([
        directory("parking-a", "小区停车", "district-donghu", ["东湖区"]),
        directory("parking-b", "小区停车", "district-xishan", ["西山区"]),
        directory("light-a", "路灯维修", "city-urban-management", ["全市"]),
        directory("light-b", "路灯维修", "district-donghu", ["全市"]),
        directory("dog-a", "犬只管理", "district-donghu", ["全市"]),
        directory("dog-b", "犬只管理", "district-donghu", ["全市"])])})
    named = snap.titles_to_choose(snap.directory())
    assert named["parking-a"] == "小区停车（东湖区）" and named["parking-b"] == "小区停车（西山区）"
    assert named["light-a"] == f"路灯维修（{snap.unit_name('city-urban-management')}）"
    assert named["light-b"] == f"路灯维修（{snap.unit_name('district-donghu')}）"
    assert named["dog-a"] == named["dog-b"] == f"犬只管理（{snap.unit_name('district-donghu')}，全市）"
    assert named["street-light-out"] == snap.entries["street-light-out"].title    # a title of its own stays bare
    assert not any(entry_id in label for entry_id, label in named.items())
