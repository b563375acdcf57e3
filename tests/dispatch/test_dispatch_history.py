"""Dispatch history: import of past work orders, confirmations, upheld objections, and ranking with them."""

import dataclasses
import datetime as dt
import json
import random
import re

import numpy as np
import pytest
from click.testing import CliRunner

from kb_app.review import objection
from kb_app.cli import cli
from kb_app.dispatch.history import MAX_MODEL_CHARS, HistoryModel
from kb_app.search.textsim import bigram_codes
from kb_app import open_kb
from kb_app.exceptions import KbError, PermissionDenied, RemovalTooLate

from ..review_helpers import make_users
from .test_dispatch import NOW, dkb  # noqa: F401 - the fixture of a three-entry directory

#: Requests a catalogue of night construction, water cuts and property fees cannot place: the
#: words are the callers', not the catalogue's. The hotline's past orders put them under property fees.
LIFT_ORDERS = ["小区电梯又坏了，物业一直不派人修", "电梯停运好几天，物业说没钱维修", "楼里电梯困人，物业不管不问",
               "电梯年检过期了物业还在用", "电梯天天出故障，业主要求物业给个说法"]


def rows(kb):
    return kb.dispatch_history.recent(1000)


def write_lines(path, lines):
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x for x in lines)
                    + "\n", encoding="utf-8")
    return path


# -- import ----------------------------------------------------------------------------------------


def test_import_reports_bad_lines_by_number_and_masks_texts(dkb, tmp_path):
    path = write_lines(tmp_path / "orders.jsonl", [
        {"text": "工地半夜打桩，电话13812345678", "entry": "night-construction", "at": "2026-10-01T22:10:00"},
        {"text": "家里没水了", "entry": "water-supply"},
        "{not json",
        "",
        {"text": "", "entry": "water-cut"},
        {"text": "物业费涨了", "entry": "property-fee", "at": "去年"},
        ["a list"],
        {"text": "物业费涨价没公示", "entry": "property-fee", "region": "东湖区"},
        {"text": "停水了", "entry": ""},
    ])
    result = dkb.dispatch_history.import_file(path)
    assert result.imported == 2 and result.duplicates == 0
    assert result.rejected == [
        (2, "派单目录中没有事项“water-supply”：请用 kb list --kind directory 查看事项编号"),
        (3, "不是有效的 JSON（第 2 个字符处：字段名要用英文双引号括起，最后一项之后不能有逗号）"),
        (5, "缺少诉求内容（text）"),
        (6, "时间“去年”无效，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS（可带时区，如 +08:00）"),
        (7, "应为 JSON 对象，如 {\"text\": \"……\", \"entry\": \"事项编号\"}"),
        (9, "缺少派单目录事项编号（entry）"),
    ]
    stored = {r["entry"]: r for r in rows(dkb)}
    assert stored["night-construction"]["text"] == "工地半夜打桩，电话[手机号]"
    assert stored["night-construction"]["at"] == "2026-10-01T22:10:00"
    assert stored["night-construction"]["source"] == "import"
    assert stored["property-fee"]["region"] == "东湖区"
    assert stored["property-fee"]["at"] == f"{dkb.today()}T" + stored["property-fee"]["at"][11:]


def test_import_reads_a_time_with_its_offset_as_the_hotlines_local_time(dkb, tmp_path):
    """An export in UTC (…Z) or another offset is converted, not read as if it were local; a day that does
    not exist is said so."""
    path = write_lines(tmp_path / "orders.jsonl", [
        {"text": "工地半夜打桩", "entry": "night-construction", "at": "2026-10-24T10:00:00Z"},
        {"text": "物业费涨价没公示", "entry": "property-fee", "at": "2026-10-24T10:00:00-05:00"},
        {"text": "小区停水没通知", "entry": "property-fee", "at": "2026-02-30T10:00:00"},
    ])
    result = dkb.dispatch_history.import_file(path)
    assert result.rejected == [(3, "时间“2026-02-30T10:00:00”中的日期不存在：请核对月份和日期")]
    stored = {r["entry"]: r["at"] for r in rows(dkb)}
    assert stored == {"night-construction": "2026-10-24T18:00:00", "property-fee": "2026-10-24T23:00:00"}


def test_an_entry_written_by_its_title_is_answered_with_its_id(dkb, tmp_path):
    path = write_lines(tmp_path / "orders.jsonl", [{"text": "工地半夜打桩", "entry": "夜间施工噪音"},
                                                   {"text": "楼下一直在吵", "entry": "邻里纠纷"}])
    result = dkb.dispatch_history.import_file(path)
    assert result.rejected[0] == (1, "派单目录中没有事项“夜间施工噪音”：是否是“night-construction”？")
    assert result.rejected[1][1].endswith("请用 kb list --kind directory 查看事项编号")


def test_import_refuses_what_a_mistyped_export_says_and_names_the_mistake(dkb, tmp_path):
    """A date after now, a district the city has not, a number for a text, an id in other letters and a line
    cut short are refused with what to mend; a text too long to keep whole is kept, its first part, and said."""
    later = (dkb.now() + dt.timedelta(days=400)).isoformat(timespec="seconds")
    path = write_lines(tmp_path / "orders.jsonl", [
        {"text": "工地半夜打桩", "entry": "night-construction", "at": later},
        {"text": "物业费涨价没公示", "entry": "property-fee", "region": "火星区"},
        {"text": 123, "entry": "property-fee"},
        {"text": "物业费涨价", "entry": "Property-Fee "},
        '{"text": "物业费涨价", "entry": "property-fee"',
        '{"text": "物业费涨价", "entry": “property-fee”}',
        {"text": "物业费涨价" + "很久" * 1500, "entry": "property-fee"},
        {"text": "物业费涨价了，西山区的", "entry": "property-fee", "region": "清水街道"},
        {"text": "物业费涨价了，全市都这样", "entry": "property-fee", "region": "全市"},
    ])
    result = dkb.dispatch_history.import_file(path)
    reasons = dict(result.rejected)
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6]
    assert reasons[1].startswith(f"时间 {later.replace('T', ' ')} 晚于现在（") and "请核对年份和月日" in reasons[1]
    assert reasons[2].startswith("区域“火星区”不是 units.yaml 中的区或街道乡镇（可用：东湖区、")
    assert "，或其下的街道乡镇，如“" in reasons[2] and "全市的诉求也可写“全市”" in reasons[2]
    assert reasons[3] == '诉求内容（text）应为加引号的文字，如 "text": "……"，这里是 123'
    assert reasons[4] == "派单目录中没有事项“Property-Fee”：是否是“property-fee”？"
    assert reasons[5] == '不是有效的 JSON（这一行到结尾还没写完：缺少结尾的 } 或 "）'
    assert reasons[6].startswith("不是有效的 JSON（第 ") and "中文引号" in reasons[6]
    assert result.imported == 3 and result.shortened == [7]
    assert result.shortened_note == "另有 1 条诉求超过 2,000 字，只保存了前 2,000 字（第 7 行）。"
    assert {r["region"] for r in rows(dkb)} >= {"西山区"}


def test_an_id_written_without_its_last_part_is_named(kb):
    from kb_app.dispatch.history import closest_id

    directory = {e.id: e for e in kb.snapshot().directory()}
    assert closest_id("street-vending", directory) == "street-vending-road"
    assert closest_id("street", directory) != "street-vending-road"       # begun by more than one: not guessed


def test_reimport_skips_duplicates(dkb, tmp_path):
    path = write_lines(tmp_path / "orders.jsonl", [{"text": t, "entry": "property-fee"} for t in LIFT_ORDERS])
    assert dkb.dispatch_history.import_file(path).imported == 5
    again = dkb.dispatch_history.import_file(path)
    assert (again.imported, again.duplicates, again.rejected) == (0, 5, [])
    assert dkb.dispatch_history.count() == 5


def test_import_of_a_missing_or_non_utf8_file(dkb, tmp_path):
    with pytest.raises(KbError, match="无法读取历史工单文件"):
        dkb.dispatch_history.import_file(tmp_path / "none.jsonl")
    bad = tmp_path / "gbk.jsonl"
    bad.write_bytes(json.dumps({"text": "电梯坏了", "entry": "water-cut"}, ensure_ascii=False).encode("gbk"))
    with pytest.raises(KbError, match="不是 UTF-8 编码"):
        dkb.dispatch_history.import_file(bad)


def test_cli_learn(dkb, sample_root, tmp_path):
    runner = CliRunner()
    args = ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "data")]
    good = write_lines(tmp_path / "good.jsonl", [{"text": t, "entry": "property-fee"} for t in LIFT_ORDERS])
    res = runner.invoke(cli, [*args, "--learn", str(good)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["历史工单导入完成：读取 5 行，新增 5 条，重复跳过 0 条，拒绝 0 行。", "历史工单共 5 条。"]
    assert "已读取 5 行" in res.stderr
    bad = write_lines(tmp_path / "bad.jsonl", [{"text": "停水了", "entry": "water-cut"}, {"text": "x", "entry": "nope"}])
    res = runner.invoke(cli, [*args, "--learn", str(bad)])
    assert res.exit_code == 1
    assert res.stdout.splitlines() == ["历史工单导入完成：读取 2 行，新增 1 条，重复跳过 0 条，拒绝 1 行。",
                                       "  第 2 行：派单目录中没有事项“nope”：请用 kb list --kind directory 查看事项编号", "历史工单共 6 条。"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 2 and "请给出来电人的诉求（TEXT），或用 --learn 导入历史工单。" in res.output


# -- recording -------------------------------------------------------------------------------------


def test_confirmation_records_the_candidate_or_the_entry_picked_by_hand(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    dkb.dispatch_history.confirm(agent, "工地半夜打桩，我的身份证号110101199003071234", "night-construction", rank=1)
    dkb.dispatch_history.confirm(agent, "楼上漏水到我家", "property-fee")
    second, first = rows(dkb)
    assert (first["entry"], first["source"], first["rank"], first["username"]) == ("night-construction", "console", 1,
                                                                                   "zuoxi01")
    assert first["text"] == "工地半夜打桩，我的身份证号[身份证号]"
    assert (second["entry"], second["source"], second["rank"]) == ("property-fee", "manual", None)
    assert second["region"] == ""  # no district named, and the handler (city-housing) serves the whole city


def test_confirmation_checks_role_entry_and_text(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    editor = dkb.users.add("bianji01", "李编辑", "correct-horse-1", "unit_editor", "city-hrss")
    with pytest.raises(PermissionDenied):
        dkb.dispatch_history.confirm(editor, "家里停水", "water-cut", 1)
    with pytest.raises(KbError, match="派单目录中没有“heating-fee”"):
        dkb.dispatch_history.confirm(agent, "家里停水", "heating-fee", 1)
    with pytest.raises(KbError, match="诉求内容为空"):
        dkb.dispatch_history.confirm(agent, "  ", "water-cut", 1)
    assert rows(dkb) == []


def test_region_is_the_district_named_in_the_text(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    dkb.dispatch_history.confirm(agent, "西山区某小区停水", "water-cut", 1)
    dkb.dispatch_history.confirm(agent, "家里停水", "water-cut", 1)
    assert [r["region"] for r in rows(dkb)] == ["", "西山区"]


def test_upheld_objection_joins_the_history_with_its_work_order(kb):
    users = make_users(kb)
    power = kb.users.add("power-reviewer", "供电审核", "secret-pass-1", "unit_reviewer", "power-company")
    cr = objection.file(kb, users["um-editor"], "street-light-out", "该事项属于区级市政设施养护职责，依据示例市城市管理职责分工。",
                        "district-xishan", request="西山区滨河路路灯不亮，联系电话 13912345678")
    assert "引发异议的工单：西山区滨河路路灯不亮，联系电话 [手机号]" in cr.description
    assert kb.dispatch_history.count() == 0
    by_party = {"center": users["center"], "unit:city-urban-management": users["um-reviewer"],
                "unit:district-xishan": users["xs-reviewer"], "unit:power-company": power}
    for party in kb.review.status(cr).required:
        cr = kb.review.approve(by_party[party], cr.id)
    assert cr.state == "published"
    (row,) = rows(kb)
    assert (row["entry"], row["source"], row["username"]) == ("street-light-out", "objection", "um-editor")
    assert row["text"] == "西山区滨河路路灯不亮，联系电话 [手机号]" and row["region"] == "西山区"


def test_refused_objection_is_not_history(kb):
    users = make_users(kb)
    cr = objection.file(kb, users["um-editor"], "street-light-out", "该事项属于区级市政设施养护职责，依据示例市城市管理职责分工。",
                        "district-xishan", request="滨河路路灯不亮")
    kb.review.reject(users["xs-reviewer"], cr.id, "该路段为市管道路，不同意改派。")
    assert kb.dispatch_history.count() == 0


# -- ranking ---------------------------------------------------------------------------------------


def learn(kb, texts, entry, at=None):
    lines = [json.dumps({"text": t, "entry": entry, **({"at": at} if at else {})}, ensure_ascii=False) for t in texts]
    return kb.dispatch_history.import_lines(lines)


def ids(result):
    return [c.entry_id for c in result.candidates]


def test_similar_past_orders_rank_their_entry_first_and_say_why(dkb):
    text = "我家小区的电梯坏了一个星期，物业不给修"
    before = dkb.dispatch(text, now=NOW)
    assert ids(before)[0] != "property-fee" or before.candidates[0].note == ""
    learn(dkb, LIFT_ORDERS, "property-fee")
    learn(dkb, ["工地晚上施工太吵", "半夜还在打桩"], "night-construction")
    after = dkb.dispatch(text, now=NOW)
    assert ids(after)[0] == "property-fee"
    note = after.candidates[0].note
    assert re.fullmatch("与 [1-5] 条历史工单相似", note), note
    assert after.to_dict()["candidates"][0]["note"] == note
    plain = dkb.dispatch(text, now=NOW, history=False)
    assert [c.note for c in plain.candidates] == [""] * len(plain.candidates)


def test_history_finds_an_entry_the_catalogue_does_not_match(dkb):
    text = "电梯困人了没人管"
    assert "property-fee" not in ids(dkb.dispatch(text, now=NOW, history=False))
    learn(dkb, LIFT_ORDERS, "property-fee")
    assert ids(dkb.dispatch(text, now=NOW))[0] == "property-fee"


def test_history_never_overrides_an_intake_rule(dkb):
    learn(dkb, ["楼下有人打架，吵得很", "有人打架斗殴，声音很大"] * 3, "night-construction")
    r = dkb.dispatch("楼下有人打架了", now=NOW)
    assert r.rule is not None and r.rule.action == "transfer" and r.rule.transfer_to == "110"
    assert r.rule.to_dict() == dkb.dispatch("楼下有人打架了", now=NOW, history=False).rule.to_dict()


def test_recent_orders_outweigh_old_ones(dkb):
    text = "电梯坏了没人修"  # the catalogue matches neither entry: only the history decides
    learn(dkb, LIFT_ORDERS, "night-construction", at="2020-01-01")
    learn(dkb, [t + "。" for t in LIFT_ORDERS], "property-fee", at="2026-11-01")
    assert ids(dkb.dispatch(text, now=NOW, history=False)) == []
    assert ids(dkb.dispatch(text, now=NOW))[0] == "property-fee"
    db = dkb.db()
    db.execute("update dispatch_history set at = '2026-11-01' where entry = 'night-construction'")
    db.execute("update dispatch_history set at = '2020-01-01' where entry = 'property-fee'")
    db.conn.commit()
    db.conn.close()
    dkb.dispatch_history._loaded = None  # the rows were rewritten in place, not added
    assert ids(dkb.dispatch(text, now=NOW))[0] == "night-construction"


def test_orders_of_entries_that_left_the_directory_are_ignored(dkb, sample_root):
    from ..conftest import commit_all

    learn(dkb, LIFT_ORDERS, "property-fee")
    (sample_root / "entries" / "directory" / "property-fee.md").unlink()
    commit_all(sample_root, "事项撤销")
    r = dkb.dispatch("小区电梯坏了物业不修", now=NOW)
    assert "property-fee" not in ids(r)


def test_a_confirmation_counts_at_once(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    learn(dkb, ["工地晚上施工太吵", "半夜还在打桩"], "night-construction")
    text = "楼顶的太阳能热水器漏水"
    assert "water-cut" not in ids(dkb.dispatch(text, now=NOW))[:1]
    for _ in range(3):
        dkb.dispatch_history.confirm(agent, "楼顶太阳能热水器漏水，水流了一地", "water-cut")
    r = dkb.dispatch(text, now=NOW)
    assert ids(r)[0] == "water-cut" and r.candidates[0].note == "与 3 条历史工单相似"


# -- the model -------------------------------------------------------------------------------------


def brute_force(texts, query):
    """Cosine similarity of TF-IDF bigram vectors, computed plainly."""
    from collections import Counter
    import math

    docs = [Counter(int(c) for c in bigram_codes(t, MAX_MODEL_CHARS)) for t in texts]
    n = len(docs)
    df = Counter(c for d in docs for c in d)
    idf = {c: math.log(1 + (n - f + 0.5) / (f + 0.5)) for c, f in df.items()}

    def vec(counts):
        # A bigram no past request has weighs as a term of no document, in the length only.
        v = {c: (1 + math.log(k)) * idf.get(c, math.log(1 + (n + 0.5) / 0.5)) for c, k in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {c: x / norm for c, x in v.items() if c in idf}

    q = vec(Counter(int(c) for c in bigram_codes(query, MAX_MODEL_CHARS)))
    return [sum(q.get(c, 0.0) * x for c, x in vec(d).items()) for d in docs]


def test_model_similarities_match_a_plain_computation():
    rng = random.Random(3)
    alphabet = "电梯物业停水打桩噪声小区路灯维修坏了暖气不热拖欠工资"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    model = HistoryModel(texts)
    for query in ("电梯坏了物业不修", "暖气不热", "abc", texts[5], "电梯坏了，孩子上学的事", "孩子上学"):
        assert np.allclose(model.similarities(query), brute_force(texts, query), atol=1e-5)


def test_a_request_sharing_one_common_pair_with_past_ones_is_little_like_them(kb):
    """我家 in eleven orders about a restaurant's fumes says nothing about a child's school: the pairs of a
    request that no past one has count against its likeness, and the catalogue's clear match stays first."""
    fumes = [f"楼下饭馆油烟直接排到我家窗户{n}" for n in "一二三四五六七八九十百"]
    text = "我家孩子上学的事"
    plain = kb.dispatch(text, now=NOW, answers=False, not_emergency=True, history=False)
    assert learn(kb, fumes, "restaurant-fumes").imported == len(fumes)
    model = kb.dispatch_history.model().main.model
    assert model.similarities(text).max() < 0.5 * model.similarities("我家").max()
    r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
    assert ids(r)[0] == ids(plain)[0] != "restaurant-fumes"
    assert not any(c.note for c in r.candidates)


def test_side_model_uses_the_main_vocabulary():
    main = HistoryModel(["电梯坏了", "停水了"])
    side = HistoryModel(["电梯又坏了", "全新的词语"], like=main)
    sims = side.similarities("电梯坏了")
    assert sims[0] > 0.5 and sims[1] == 0
    assert bigram_codes("ab", 10).size == 0 and HistoryModel([]).similarities("电梯").size == 0


def test_model_is_extended_then_rebuilt(dkb, monkeypatch):
    import kb_app.dispatch.history as dh

    learn(dkb, LIFT_ORDERS, "property-fee")
    first = dkb.dispatch_history.model()
    assert first.side is None and first.count == 5
    monkeypatch.setattr(dh, "REBUILD_MIN", 3)
    learn(dkb, ["工地晚上施工太吵"], "night-construction")
    second = dkb.dispatch_history.model()
    assert second.main is first.main and second.side.model.n == 1 and second.count == 6
    learn(dkb, ["半夜打桩", "凌晨还在施工", "工地噪声"], "night-construction")
    third = dkb.dispatch_history.model()
    assert third.side is None and third.main.model.n == 9
    assert dt.datetime.fromisoformat(rows(dkb)[0]["at"]).date() == dkb.today()



# -- places and single records ----------------------------------------------------------------------


def test_a_place_and_living_there_make_no_past_request_similar(kb):
    """One order of 东湖区和平街道 says nothing of a tree or a bus in another district: 我住…区 is shared, not the matter."""
    agent = kb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    kb.dispatch_history.confirm(agent, "楼上半夜噪音太大了，天天这样，我住东湖区和平街道", "noise-social-life", 1)
    for text in ("我住南河区，小区里的树太高了挡光，想找人修剪", "我住西山区，公交车太少了"):
        r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
        assert "noise-social-life" not in ids(r), text
        assert not any(c.note.startswith("与") for c in r.candidates)
    # Both sides are compared without the places: the stored text and the new request.
    from kb_app.dispatch.assistant import directory_index
    from kb_app.dispatch.history import compared

    places = directory_index(kb.snapshot()).places
    assert compared("楼上太吵，我住东湖区和平街道", places).strip() == "楼上太吵,"
    loaded = kb.dispatch_history.model(places)
    assert loaded.main.model.similarities(compared("我住东湖区和平街道", places)).max() == 0


def test_a_single_past_order_does_not_override_a_clearly_better_match(kb):
    agent = kb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    kb.dispatch_history.confirm(agent, "楼上半夜噪音太大了，天天这样", "noise-social-life", 1)
    text = "半夜工地打桩噪音太大了"
    plain = kb.dispatch(text, now=NOW, answers=False, not_emergency=True, history=False)
    assert ids(plain)[0] == "noise-construction-night"
    r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
    assert ids(r)[0] == "noise-construction-night"
    # A request the one order says nearly word for word still has it beside the catalogue's.
    same = kb.dispatch("楼上天天半夜噪音太大了", now=NOW, answers=False, not_emergency=True)
    assert ids(same)[0] == "noise-social-life" and same.candidates[0].note == "与 1 条历史工单相似"


def test_an_entry_similar_past_orders_went_to_is_no_passing_match(dkb):
    text = "楼里电梯困人了，物业没人管"
    before = dkb.dispatch(text, now=NOW, not_emergency=True, history=False, answers=False)
    assert before.unmatched and not before.candidates[0].learned
    learn(dkb, LIFT_ORDERS, "property-fee")
    after = dkb.dispatch(text, now=NOW, not_emergency=True, answers=False)
    assert ids(after)[0] == "property-fee" and after.candidates[0].learned
    assert after.unmatched == ()


def test_past_orders_outrank_a_catalogue_match_in_passing(kb):
    """义务教育入学 shares only 学校 with a school-gate traffic jam; one agent's decision for a call like it wins."""
    agent = kb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    text = "每天早上学校门口堵车，车都停在马路上"
    plain = kb.dispatch(text, now=NOW, answers=False, not_emergency=True, history=False)
    assert ids(plain)[0] == "school-enrollment" and plain.unmatched
    kb.dispatch_history.confirm(agent, "学校门口每天早上车停在马路上堵死了", "illegal-parking-blocking", 3)
    r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
    assert ids(r)[0] == "illegal-parking-blocking" and r.candidates[0].note == "与 1 条历史工单相似"
    assert r.unmatched == () and "school-enrollment" in ids(r)
    # A past order unlike the request changes nothing.
    kb.dispatch_history.confirm(agent, "小区里的路灯坏了好几天", "illegal-parking-blocking", 1)
    assert ids(kb.dispatch("孩子上学的学校怎么报名", now=NOW, answers=False, not_emergency=True))[0] == \
        ids(kb.dispatch("孩子上学的学校怎么报名", now=NOW, answers=False, not_emergency=True, history=False))[0]


# -- what a category's share may do ----------------------------------------------------------------


FUME_ORDERS = ["新华街道和平里小区楼下烧烤店排烟管道正对我家窗户，油烟熏得没法开窗", "楼下烧烤摊油烟太大，每天晚上熏得家里全是味",
               "小区门口的烧烤店油烟直接排到居民楼，窗户都打不开"]


@pytest.mark.parametrize("text", ["烧烤店油烟扰民，天天熏我家", "小区楼下烧烤摊油烟太大，熏得家里全是味"])
def test_a_categorys_share_reorders_the_catalogues_candidates_and_adds_none(kb, text):
    """Three oil-fume calls dispatched by hand to 占道经营 (城乡建设) bring no other 城乡建设 matter (电梯困人,
    爆管, 垃圾清运) into the list; whatever history moves up says why."""
    agent = kb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    for order in FUME_ORDERS:
        kb.dispatch_history.confirm(agent, order, "street-vending-road")
    plain = kb.dispatch(text, now=NOW, answers=False, not_emergency=True, history=False)
    r = kb.dispatch(text, now=NOW, answers=False, not_emergency=True)
    before = ids(plain)
    for place, c in enumerate(r.candidates):
        assert c.entry_id in before or re.fullmatch("与 [1-5] 条历史工单相似", c.note), (c.entry_id, c.note)
        if c.entry_id in before and place < before.index(c.entry_id):
            assert c.note, f"{c.entry_id} moved up without a reason"
    assert "elevator-trapped" not in ids(r) and "garbage-collection" not in ids(r)
    assert ids(r)[0] == "restaurant-fumes"
    lifted = [c for c in r.candidates if c.note.startswith("同类事项")]
    assert all(c.note == "同类事项（城乡建设）的相似历史工单较多" and not c.learned for c in lifted)


# -- taking a record back --------------------------------------------------------------------------


def test_a_dispatch_withdrawn_leaves_history_and_statistics(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    other = dkb.users.add("zuoxi02", "李坐席", "correct-horse-1", "agent")
    text = "楼顶的太阳能热水器漏水"
    learn(dkb, ["工地晚上施工太吵", "半夜还在打桩"], "night-construction")
    before = ids(dkb.dispatch(text, now=NOW))
    history_ids = [dkb.dispatch_history.confirm(agent, "楼顶太阳能热水器漏水，水流了一地", "water-cut") for _ in range(3)]
    outcome = dkb.feedback.log_outcome("楼顶太阳能热水器漏水，水流了一地", "dispatch", entry="water-cut",
                                       username="zuoxi01", role="agent", call="c1")
    assert ids(dkb.dispatch(text, now=NOW))[0] == "water-cut"
    with pytest.raises(PermissionDenied, match="只能撤销自己确认的派单"):
        dkb.withdraw_dispatch(other, history_ids[-1], outcome)
    with pytest.raises(KbError, match="不是这次派单"):
        dkb.withdraw_dispatch(agent, history_ids[-1], outcome + 1)
    assert dkb.dispatch_history.count() == 5   # nothing removed by a refusal: one transaction
    row = dkb.withdraw_dispatch(agent, history_ids[-1], outcome)
    assert (row["id"], row["entry"], row["source"]) == (history_ids[-1], "water-cut", "manual")
    db = dkb.db()
    assert db.execute("select count(*) from request_outcomes").fetchone()[0] == 0
    db.conn.close()
    assert [day["requests"] for day in dkb.stats.direct_answers_per_day()] in ([], [0])
    # The model in memory forgets the rows removed, though no row was added since.
    for history_id in history_ids[:-1]:
        dkb.withdraw_dispatch(agent, history_id)
    assert ids(dkb.dispatch(text, now=NOW)) == before
    with pytest.raises(KbError, match="没有编号为"):
        dkb.withdraw_dispatch(agent, history_ids[0])


def test_the_center_forgets_any_record_an_agent_only_their_own(dkb):
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    center = dkb.users.add("center01", "张校核", "correct-horse-1", "center_reviewer")
    learn(dkb, LIFT_ORDERS[:1], "property-fee")
    (imported,) = rows(dkb)
    with pytest.raises(PermissionDenied):
        dkb.dispatch_history.forget(agent, imported["id"])
    assert dkb.dispatch_history.forget(center, imported["id"])["source"] == "import"
    own = dkb.dispatch_history.confirm(agent, "家里停水了", "water-cut", 1)
    assert dkb.dispatch_history.forget(agent, own)["id"] == own and rows(dkb) == []
    # Each removal is logged: which record of which entry, whose, by whom (its text goes with it).
    db = dkb.db()
    logged = [(r["record"], r["entry"], r["source"], r["removed_by"]) for r in db["dispatch_history_removals"].rows]
    db.conn.close()
    assert logged == [(imported["id"], "property-fee", "import", "center01"), (own, "water-cut", "console", "zuoxi01")]


def test_an_agent_removes_only_their_dispatches_of_today_the_center_any(dkb):
    """Today is the settings' day: the next day, yesterday's dispatch is the center's to remove."""
    agent = dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    center = dkb.users.add("center01", "张校核", "correct-horse-1", "center_reviewer")
    late = dkb.dispatch_history.record("家里停水了", "water-cut", "console", "zuoxi01", 1, at="2026-11-21T23:50:00")
    today = dkb.dispatch_history.confirm(agent, "楼下停水两天了", "water-cut", 1)
    with pytest.raises(RemovalTooLate) as refused:
        dkb.dispatch_history.forget(agent, late)
    assert isinstance(refused.value, PermissionDenied) and str(refused.value) == (
        f"派单历史记录 #{late} 是 2026-11-21 确认的：坐席只能撤销自己当天确认的派单。更早的记录请联系热线中心校核人员或管理员删除。")
    with pytest.raises(RemovalTooLate):
        dkb.withdraw_dispatch(agent, late)
    tomorrow = open_kb(dataclasses.replace(dkb.settings, today="2026-11-23"))
    with pytest.raises(RemovalTooLate, match="是 2026-11-22 确认的"):
        tomorrow.dispatch_history.forget(agent, today)
    assert dkb.dispatch_history.forget(agent, today)["id"] == today
    assert tomorrow.dispatch_history.forget(center, late)["id"] == late and rows(dkb) == []


def test_cli_lists_recent_records_and_forgets_one(dkb, sample_root, tmp_path, monkeypatch):
    dkb.users.add("center01", "张校核", "correct-horse-1", "center_reviewer")
    learn(dkb, LIFT_ORDERS[:2], "property-fee")
    runner = CliRunner()
    args = ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "data")]
    res = runner.invoke(cli, [*args, "--recent", "5"])
    assert res.exit_code == 0, res.output
    newest, oldest = rows(dkb)
    assert res.stdout.splitlines()[0].startswith(f"#{newest['id']}  ") and "历史工单导入  → property-fee" in res.stdout
    assert res.stdout.splitlines()[-1] == "派单历史共 2 条；删除派错的一条：kb dispatch --forget 编号 --as 用户名"
    res = runner.invoke(cli, [*args, "--forget", str(oldest["id"])])
    assert res.exit_code == 2 and "需要 --as 用户名" in res.output
    monkeypatch.setenv("KB_PASSWORD", "correct-horse-1")
    res = runner.invoke(cli, [*args, "--forget", str(oldest["id"]), "--as", "center01"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(f"已从派单历史中删除 #{oldest['id']}（property-fee，历史工单导入，")
    assert [r["id"] for r in rows(dkb)] == [newest["id"]]
    res = runner.invoke(cli, [*args, "--forget", str(oldest["id"]), "--as", "center01"])
    assert res.exit_code == 1 and f"派单历史中没有编号为 {oldest['id']} 的记录" in res.output


def test_cli_tells_an_agent_who_removes_an_earlier_dispatch(dkb, sample_root, tmp_path, monkeypatch):
    dkb.users.add("zuoxi01", "王坐席", "correct-horse-1", "agent")
    late = dkb.dispatch_history.record("家里停水了", "water-cut", "console", "zuoxi01", 1, at="2026-11-20T09:00:00")
    monkeypatch.setenv("KB_PASSWORD", "correct-horse-1")
    monkeypatch.setenv("KB_TODAY", "2026-11-22")
    res = CliRunner().invoke(cli, ["dispatch", "--root", str(sample_root), "--data-dir", str(tmp_path / "data"),
                                   "--forget", str(late), "--as", "zuoxi01"])
    assert res.exit_code == 1 and "坐席只能撤销自己当天确认的派单。更早的记录请联系热线中心校核人员或管理员删除。" in res.output
    assert [r["id"] for r in rows(dkb)] == [late]
