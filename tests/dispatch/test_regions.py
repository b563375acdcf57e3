"""Places a caller names: where the matter is, never what it is (the catalogue match), and the scope of
its co-handlers."""

import datetime as dt

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.dispatch import regions
from kb_app.dispatch.assistant import directory_index

NOW = dt.datetime(2026, 11, 20, 16, 0)


def test_places_are_found_and_taken_out_with_the_words_of_living_there(kb):
    snap = kb.snapshot()
    assert regions.locate("楼上太吵了，我住西山区清水街道", snap) == regions.Location("西山区", ("street-xishan-qingshui",))
    # A street names its district; a district alone names no street.
    assert regions.locate("我是和平街道的", snap) == regions.Location("东湖区", ("street-donghu-heping",))
    assert regions.locate("柳庄镇人民政府门口路灯坏了", snap).district == "南河区"
    assert regions.locate("我在东湖区", snap) == regions.Location("东湖区", ())
    assert regions.locate("小区路灯坏了", snap) == regions.Location()
    assert regions.detect_region("我住清水街道", snap) == "西山区"
    assert regions.without_places("楼上太吵了，我住西山区清水街道", snap).strip() == "楼上太吵了,"
    assert regions.without_places("我在东湖区，隔壁装修", snap).strip() == ",隔壁装修"
    assert regions.without_places("小区路灯坏了", snap) == "小区路灯坏了"


def test_places_of_two_districts_name_none(kb):
    """我住东湖区，在西山区上班: which district the matter is in is for the agent to ask, so no district's
    units are left out and no district's entry is put last."""
    snap = kb.snapshot()
    for text in ("我住东湖区，单位在西山区，单位门口的路灯坏了", "我住东湖区，清水街道那边路灯坏了",
                 "和平街道和清水街道交界的路灯坏了"):
        assert regions.locate(text, snap) == regions.Location(), text
    r = kb.dispatch("我住东湖区，单位在西山区，单位门口小区垃圾没人清运", now=NOW, answers=False, not_emergency=True)
    assert [u for u, _n in co_handlers(r, "garbage-collection")] == snap.entries["garbage-collection"].co_handlers
    # One district named twice, or with a street of its own, is that district.
    assert regions.locate("东湖区和平街道，东湖区这边路灯坏了", snap) == regions.Location("东湖区", ("street-donghu-heping",))


@pytest.mark.parametrize("request_text", [
    "楼上邻居半夜蹦迪，吵得睡不着",
    "晚上十一点了隔壁还在装修电钻响",
    "小区里的树太高了挡光",
    "小区路灯坏了好几天",
])
@pytest.mark.parametrize("place", ["，我住西山区清水街道", "，我在东湖区", "我住南河区，", "，我家在柳庄镇"])
def test_a_place_is_no_word_of_the_catalogue_match(kb, request_text, place):
    index = directory_index(kb.snapshot())
    said = place + request_text if place.endswith("，") else request_text + place
    assert index.rank(said, 5) == index.rank(request_text, 5)


@pytest.mark.parametrize("text,first", [
    ("楼上邻居半夜蹦迪，吵得睡不着，我住西山区清水街道", "noise-social-life"),
    ("晚上十一点了隔壁还在装修电钻响，我在东湖区", "noise-social-life"),  # 住宅室内装修噪声 (see both entries)
])
def test_a_place_puts_no_local_entry_first(kb, text, first):
    r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
    assert r.candidates[0].entry_id == first
    assert {"community-greening", "parking-community", "group-rental"}.isdisjoint(c.entry_id for c in r.candidates[:2])


def test_another_districts_entry_is_not_first_for_a_tree_in_the_callers_district(kb):
    r = kb.dispatch("我住南河区，小区里的树太高了挡光", now=NOW, answers=False, not_emergency=True)
    ids = [c.entry_id for c in r.candidates]
    assert r.candidates[0].entry_id != "rural-street-light" and not r.candidates[0].region_note
    # The tree-trimming entry of 西山区's 清水街道 is the match, proposed after those that apply, with why.
    greening = ids.index("community-greening")
    assert r.candidates[greening].region_note == "仅适用于西山区，来电说的是南河区"
    assert all(c.region_note for c in r.candidates[greening:])


def test_an_entry_for_one_district_comes_first_only_where_the_request_is(kb):
    """村庄路灯不亮（柳庄镇） is 南河区's: first for a lamp in 柳庄镇, not for one whose district is unknown
    (the citywide 路灯不亮 first, the agent asked where), nor where two other districts are named."""
    for text in ("单位门口的路灯坏了", "我住东湖区，单位在西山区，单位门口的路灯坏了"):
        r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
        ids = [c.entry_id for c in r.candidates]
        assert ids[0] == "street-light-out" and "rural-street-light" in ids[1:], text
        assert r.candidates[ids.index("rural-street-light")].region_note.startswith("仅适用于南河区：请先问清")
    town = kb.dispatch("柳庄镇的路灯坏了", now=NOW, answers=False, not_emergency=True)
    assert town.candidates[0].entry_id == "rural-street-light" and not town.candidates[0].region_note


def co_handlers(r, entry_id):
    return next(c for c in r.candidates if c.entry_id == entry_id).co_handlers


def test_co_handlers_are_the_named_street_and_city_units(kb):
    snap = kb.snapshot()
    street = kb.dispatch("楼上半夜噪音太大了，天天这样，我住东湖区和平街道", now=NOW, answers=False, not_emergency=True)
    assert co_handlers(street, "noise-social-life") == [("street-donghu-heping", "东湖区和平街道办事处")]
    district = kb.dispatch("楼上半夜噪音太大了，我在东湖区", now=NOW, answers=False, not_emergency=True)
    assert [u for u, _n in co_handlers(district, "noise-social-life")] == ["street-donghu-xinhua", "street-donghu-heping"]
    anywhere = kb.dispatch("楼上半夜噪音太大了", now=NOW, answers=False, not_emergency=True)
    assert [u for u, _n in co_handlers(anywhere, "noise-social-life")] == \
        snap.entries["noise-social-life"].co_handlers  # nothing named: the agent asks
    # City-level units stay; another district's government goes (垃圾清运: 市城管委 with the three districts).
    garbage = kb.dispatch("小区垃圾好几天没人清运，我住南河区柳庄镇", now=NOW, answers=False, not_emergency=True)
    assert [u for u, _n in co_handlers(garbage, "garbage-collection")] == ["district-nanhe"]
    assert garbage.to_dict()["candidates"][0]["co_handlers"] == [{"unit": "district-nanhe", "name": "南河区人民政府"}]


def test_local_units():
    class Snap:
        units = {"city": {"level": "city", "district": "全市"}, "gas": {"level": "company", "district": "东湖区"},
                 "d1": {"level": "district", "district": "东湖区"}, "d2": {"level": "district", "district": "西山区"},
                 "s1": {"level": "street", "district": "东湖区"}, "s2": {"level": "street", "district": "东湖区"},
                 "s3": {"level": "street", "district": "西山区"}}

    ids = list(Snap.units)
    assert regions.local_units(Snap, ids, regions.Location()) == ids
    assert regions.local_units(Snap, ids, regions.Location("东湖区")) == ["city", "gas", "d1", "s1", "s2"]
    assert regions.local_units(Snap, ids, regions.Location("东湖区", ("s2",))) == ["city", "gas", "d1", "s2"]


def test_cli_shows_the_co_handlers_of_the_callers_street(kb):
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(kb.settings.root), "--data-dir",
                                   str(kb.settings.data_path), "--not-emergency", "楼上半夜噪音太大了，我住东湖区和平街道"])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if "主办：示例市公安局" in x)
    assert "协办：东湖区和平街道办事处；" in line and "清水街道" not in line
