"""AppTest: the catalog-health page and the objection page."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from kb_app.review import objection

from ..review_helpers import make_users
from ..ui_helpers import APP, links, open_page


def test_catalog_page_lists_findings(app_env):
    users = make_users(app_env)
    at = open_page("app_pages/catalog.py", users["center"])
    text = " ".join(m.value for m in at.markdown)
    assert "小区停车管理（东湖区）" in text
    assert "燃气报修电话" in text
    assert any("没有市民描述示例" in e.label for e in at.expander)
    # Each finding links to the entries to fix, by title, in the editor.
    fixes = [(label, query) for label, page, query in links(at) if page.endswith("edit")]
    assert ("修改“小区停车管理（东湖区）”", "entry=parking-community") in fixes, fixes
    # Coverage of the matter taxonomy is only counted when it is checked against one.
    assert [(m.label, m.value) for m in at.metric] == [("格式错误", "0"),
                                                       ("事项重叠", "2"), ("单位问题", "0"), ("缺少示例", "1"),
                                                       ("事实矛盾", "1")]


def test_catalog_page_is_not_for_units(app_env):
    users = make_users(app_env)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = users["hrss-editor"]
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/catalog.py")


def test_objection_filed_from_the_page_and_refused(app_env):
    kb = app_env
    users = make_users(kb)
    at = open_page("app_pages/objection.py", users["um-editor"])
    # The matters by name, as the unit knows them; no ids.
    snap = kb.snapshot()
    mine = sorted(e.title for e in snap.directory() if e.handler == "city-urban-management")
    assert sorted(at.selectbox(key="objection_entry").options) == mine
    # Nothing chosen until the unit picks: one careless click objects to no item in the list's first place.
    assert at.selectbox(key="objection_entry").value is None and at.selectbox(key="objection_unit").value is None
    assert at.button(key="objection_submit").disabled
    at.selectbox(key="objection_entry").set_value("street-light-out")
    at.selectbox(key="objection_unit").set_value("district-xishan").run()
    at.text_area(key="objection_reasons").input("路灯所在道路为区管道路，养护责任在西山区，依据区级道路养护分工。")
    at.button(key="objection_submit").click().run()
    assert not at.exception
    (record,) = objection.history(kb, "street-light-out")
    # Every party it waits for is named (the centre, the units handling it now, the unit proposed …).
    status = kb.review.status(kb.review.get(record["cr"]))
    [done] = [s.value for s in at.success]
    assert done.startswith(f"已提交派单异议（变更请求 #{record['cr']}），等待{len(status.required)}方审核：热线中心校核、")
    assert len(status.required) > 2 and all(status.labels[p] in done for p in status.required)
    # Its review page says who objects, to whom and why, each on its own line as written.
    review = open_page("app_pages/review.py", users["center"], cr=str(record["cr"]))
    assert any(m.value.startswith("异议单位：示例市城市管理委员会  \n建议承办单位：") for m in review.markdown)
    kb.review.reject(users["xs-reviewer"], record["cr"], "该路段属于市管道路，不同意改派。")
    at = open_page("app_pages/objection.py", users["um-editor"])
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "异议不成立" in text and "不同意改派" in text
    assert kb.snapshot().entries["street-light-out"].handler == "city-urban-management"
    # People by name, as on the other pages; by user name once the account is gone.
    assert any("提出人：郑编辑　" in m.value for m in at.markdown)
    # When, as the other pages show a time (2026-11-22 10:05), not as the database keeps it.
    decided = [c.value for c in at.caption if c.value.endswith(" 褚审核：该路段属于市管道路，不同意改派。")]
    assert len(decided) == 1 and re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} 褚审核", decided[0]), decided
    assert "um-editor" not in text and "xs-reviewer" not in text
    kb.db()["users"].delete("um-editor")
    at = open_page("app_pages/objection.py", users["center"])
    assert any("提出人：um-editor　" in m.value for m in at.markdown)


def test_objection_page_keeps_the_unit_as_co_handler_with_the_boundary_it_writes(app_env):
    kb = app_env
    users = make_users(kb)
    at = open_page("app_pages/objection.py", users["um-editor"])
    at.selectbox(key="objection_entry").set_value("street-light-out").run()
    at.selectbox(key="objection_unit").set_value("district-xishan").run()
    at.checkbox(key="objection_co").check()
    box = at.text_area(key="objection_boundary_street-light-out")
    assert box.value == kb.snapshot().entries["street-light-out"].body      # starts from the text in force
    box.input(box.value + "\n区管道路的路灯由区政府负责。\n")
    at.text_area(key="objection_reasons").input("路灯所在道路为区管道路，养护责任在西山区，依据区级道路养护分工。")
    at.button(key="objection_submit").click().run()
    assert not at.exception
    (record,) = objection.history(kb, "street-light-out")
    cr = kb.review.get(record["cr"])
    head = kb.snapshot(cr.head).entries["street-light-out"]
    assert head.handler == "district-xishan" and "city-urban-management" in head.co_handlers
    assert "区管道路的路灯由区政府负责。" in head.body


def test_objection_error_path_short_reason(app_env):
    users = make_users(app_env)
    at = open_page("app_pages/objection.py", users["um-editor"])
    at.selectbox(key="objection_entry").set_value("street-light-out")
    at.selectbox(key="objection_unit").set_value("district-xishan").run()
    at.text_area(key="objection_reasons").input("不是")
    at.button(key="objection_submit").click().run()
    assert "异议理由" in at.error[0].value
