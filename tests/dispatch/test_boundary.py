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
    assert first.note == "职责边界不包括“小区内部路灯”：由物业或产权单位负责，派所在街道协调"
    assert first.left_out == "小区内部路灯" and first.to_dict()["left_out"] == "小区内部路灯"
    [road, *_] = rank_candidates(snap, "我们这条路的路灯坏了好几个，晚上黑漆漆的", now)
    assert road.entry_id == "street-light-out" and road.note == "" and road.left_out == ""
