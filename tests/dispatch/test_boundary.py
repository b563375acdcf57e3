"""What a directory entry's boundary leaves out (**不包括**), said beside the candidate a request names it of."""

import datetime as dt

from kb_app.content.model import Snapshot
from kb_app.dispatch import boundary
from kb_app.dispatch.assistant import directory_index, rank_candidates

BODY = """**职责边界**：城市道路的路灯不亮，由市城市管理委员会主办。

**不包括**：
- 小区内部路灯：由物业或产权单位负责，派所在街道协调；
- 其他街道辖区的路灯：按属地派所在街道；
- 灯杆倾倒、电线外露等危险情况：按24小时时限派单。

其他说明不是列表的一部分：不算。
"""


def test_the_items_left_out_are_read_from_the_body():
    items = boundary.exclusions(BODY)
    assert [(i.scope, i.where) for i in items] == [
        ("小区内部路灯", "由物业或产权单位负责，派所在街道协调"), ("其他街道辖区的路灯", "按属地派所在街道"),
        ("灯杆倾倒、电线外露等危险情况", "按24小时时限派单")]
    assert items[0].note == "职责边界不包括“小区内部路灯”：由物业或产权单位负责，派所在街道协调"
    assert boundary.exclusions("**职责边界**：只有这一句。") == ()


def test_a_request_names_a_scope_by_most_of_its_words_close_together(sample_root):
    analyzer = directory_index(Snapshot.from_tree(sample_root)).analyzer
    named = boundary.excluded("我们小区里的路灯坏了一个星期了", BODY, analyzer)
    assert named is not None and named.scope == "小区内部路灯"
    assert boundary.excluded("我们这条路的路灯坏了", BODY, analyzer) is None          # one word of three
    # at the gate or outside it is not inside: 小区门口的路灯 is a street's lamp
    assert boundary.excluded("小区门口的路灯坏了好几天了", BODY, analyzer) is None
    assert boundary.excluded("小区外面那排路灯不亮", BODY, analyzer) is None
    assert boundary.excluded("小区里面的路灯坏了", BODY, analyzer).scope == "小区内部路灯"
    assert boundary.excluded("我们街道辖区的路灯坏了", BODY, analyzer) is None          # 其他…: where, not what
    far = "我住在小区，" + "这件事已经反映过很多次了一直没有人来处理，" * 2 + "今天又说到路灯"
    assert boundary.excluded(far, BODY, analyzer) is None                             # 小区 and 路灯 far apart


def test_the_candidate_says_what_its_boundary_leaves_out(sample_root):
    snap = Snapshot.from_tree(sample_root)
    now = dt.datetime(2026, 11, 20, 10, 0)
    [first, *_] = rank_candidates(snap, "小区路灯坏了一个星期了，晚上看不见路", now)
    assert first.entry_id == "street-light-out"                                       # its place is kept
    assert first.note == ("职责边界不包括“小区内部路灯”：由物业或产权单位负责，派所在街道协调，"
                          "新华街道辖区派“小区内部公共设施维修（新华街道）”")  # curly as the rest of the note
    assert first.left_out == "小区内部路灯" and first.to_dict()["left_out"] == "小区内部路灯"
    [road, *_] = rank_candidates(snap, "我们这条路的路灯坏了好几个，晚上黑漆漆的", now)
    assert road.entry_id == "street-light-out" and road.note == "" and road.left_out == ""


def test_a_scope_of_single_characters_is_read_two_by_two(sample_root):
    """The segmenter cuts 往外冒水 into single characters, which no request would meet; read as 往外 and 冒水 they
    name the scope in 井盖往外冒水 and 井盖冒水."""
    analyzer = directory_index(Snapshot.from_tree(sample_root)).analyzer
    body = "**不包括**：\n- 往外冒水、冒污水的井盖：派\"供水管道爆裂、路面冒水\"或排水部门。\n"
    for text in ("井盖往外冒水", "井盖冒水", "马路上井盖冒污水"):
        assert boundary.excluded(text, body, analyzer).scope == "往外冒水、冒污水的井盖", text
    assert boundary.excluded("井盖没了", body, analyzer) is None


def test_the_entry_a_boundary_sends_the_request_to_comes_first(sample_root):
    """井盖缺失、破损 leaves out a cover spouting water and names where it goes, 供水管道爆裂、路面冒水: that entry
    comes first (and is the matter the report is about), the cover's entry after it with what it leaves out."""
    from kb_app.dispatch.assistant import dispatch

    snap = Snapshot.from_tree(sample_root)
    now = dt.datetime(2026, 11, 20, 10, 0)
    for text in ("井盖往外冒水", "路边井盖往外冒水，好几个小时了"):
        r = dispatch(snap, text, now, not_emergency=True)
        ids = [c.entry_id for c in r.candidates]
        assert ids[:2] == ["water-pipe-burst", "manhole-cover"], text
        assert r.candidates[0].left_out == "" and r.candidates[1].left_out == "往外冒水、冒污水的井盖"
    loose = dispatch(snap, "井盖松了，有响声", now, not_emergency=True)
    assert [c.entry_id for c in loose.candidates[:2]] == ["road-pothole", "manhole-cover"] and not loose.urgent
    # A cover that is gone is the cover's own matter.
    gone = dispatch(snap, "路边的井盖没了，很危险", now, not_emergency=True)
    assert gone.candidates[0].entry_id == "manhole-cover" and gone.candidates[0].left_out == "" and gone.urgent
