"""A question naming a unit (民政局, 人社局, 国网) finds what that unit answers first."""

import pytest

from kb_app.content.model import Snapshot
from kb_app.search import intent

from ..conftest import commit_all

UNITS = """
- {id: city-civil-affairs, name: 示例市民政局, level: city, district: 全市}
- {id: city-hrss, name: 示例市人力资源和社会保障局, level: city, district: 全市, aliases: [人社局]}
- {id: city-market, name: 示例市市场监督管理局, level: city, district: 全市}
- {id: district-donghu, name: 东湖区人民政府, level: district, district: 东湖区}
- {id: district-xishan, name: 西山区人民政府, level: district, district: 西山区}
- {id: street-xinhua, name: 东湖区新华街道办事处, level: street, district: 东湖区, aliases: [新华街道]}
- {id: power-company, name: 国网示例市供电公司, level: company, district: 全市, aliases: [国网, 供电公司]}
- {id: power-east, name: 东湖供电所, level: company, district: 东湖区, aliases: [供电公司]}
- {id: city-former-commerce, name: 原示例市商务局, level: city, district: 全市, active: false, aliases: [商务局]}
"""


def names(units_yaml=UNITS):
    return intent.unit_names(Snapshot({"regulations/units.yaml": units_yaml}))


def ids(results):
    return [h.id for h in results.hits]


def units_of(kb, results):
    return [h.unit for h in results.hits]


def test_a_unit_is_called_by_its_name_without_the_city_or_district_and_by_its_aliases():
    called = names()
    assert called["示例市民政局"] == called["民政局"] == ("city-civil-affairs",)
    assert called["市场监督管理局"] == ("city-market",)  # 示例市 is the city, not 示例市市
    assert called["人社局"] == ("city-hrss",)
    assert called["新华街道办事处"] == called["新华街道"] == ("street-xinhua",)
    assert called["国网"] == ("power-company",)


def test_a_name_several_units_share_is_kept_only_where_written_as_an_alias():
    called = names()
    assert "人民政府" not in called  # 东湖区人民政府 and 西山区人民政府 alike
    assert called["东湖区人民政府"] == ("district-donghu",)
    assert called["供电公司"] == ("power-company", "power-east")


def test_a_unit_no_longer_in_use_is_not_named():
    called = names()
    assert "商务局" not in called and "原示例市商务局" not in called


def test_the_longest_name_is_read_where_names_overlap():
    called = names()
    found = intent.named_units("东湖区新华街道办事处的电话", called)
    assert list(found) == ["东湖区新华街道办事处"]
    assert intent.named_units("人社局和民政局", called) == {"人社局": ("city-hrss",), "民政局": ("city-civil-affairs",)}
    assert intent.named_units("低保怎么申请", called) == {}


def test_a_work_tree_snapshot_is_read_afresh():
    """A snapshot without a commit is never served another's names from the cache."""
    assert "人社局" in names()
    assert "人社局" not in names(UNITS.replace("aliases: [人社局]", "aliases: []"))


@pytest.mark.parametrize("question, unit", [
    ("公安局", "city-public-security"),
    ("民政局", "city-civil-affairs"),
    ("人社局", "city-hrss"),
    ("国网", "power-company"),
    ("燃气公司电话", "gas-group"),
])
def test_a_question_naming_only_a_unit_lists_what_it_answers(kb, question, unit):
    results = kb.search(question)
    assert results.hits and set(units_of(kb, results)[:2]) == {unit}, ids(results)
    assert results.unknown == () and not results.weak


def test_without_the_unit_read_an_article_sharing_characters_comes_first(kb, monkeypatch):
    """公安机关 in 保定 第四十条 outscores every answer of 示例市公安局 on the words of 公安局 alone."""
    with monkeypatch.context() as m:
        m.setattr(intent, "unit_names", lambda snap: {})
        assert ids(kb.search("公安局"))[0] == "baoding-2022/40"
    assert units_of(kb, kb.search("公安局。"))[:4] == ["city-public-security"] * 4


def test_a_named_unit_orders_its_answers_first_but_the_matter_still_decides(kb):
    assert ids(kb.search("民政局 高龄津贴"))[0] == "elderly-allowance"
    # The caller names the wrong unit: the answer about the matter stays first.
    assert ids(kb.search("找民政局办身份证"))[0] == "id-card-reissue"


def test_a_unit_name_is_no_unknown_word_but_what_it_is_asked_about_may_be(kb):
    results = kb.search("人社局 护照")
    assert results.unknown == ("护照",) and results.weak
    assert kb.unknown_words("人社局", "public") == ()


def test_an_alias_added_to_units_yaml_is_read_at_the_next_commit(kb):
    before = kb.search("蓝盾局")
    assert before.unknown == ("蓝盾",) and "city-public-security" not in units_of(kb, before)
    path = kb.settings.root / "regulations/units.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  name: 示例市公安局\n", "  name: 示例市公安局\n  aliases: [蓝盾局]\n", 1)
    path.write_text(text, encoding="utf-8")
    commit_all(kb.settings.root, "公安局简称")
    after = kb.search("蓝盾局")
    assert after.unknown == () and set(units_of(kb, after)) == {"city-public-security"}


def test_a_unit_without_public_answers_lends_nothing(kb):
    """示例市政务服务管理局 answers nothing a citizen can open: its name is read as words."""
    results = kb.search("政务服务管理局")
    assert "city-government-service" not in units_of(kb, results)
