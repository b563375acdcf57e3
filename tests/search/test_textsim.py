"""Content words, places and synonym groups of the word index that groups requests into topics."""

import numpy as np

from kb_app.search.textsim import Synonyms, WordIndex, content_terms, content_words

GROUPS = [["拖欠工资", "欠薪", "讨薪"], ["违法停车", "违章停车", "违停", "乱停乱放"], ["诉求", "反映", "投诉"],
          ["主管部门", "谁管", "找谁"], ["供暖", "供热", "暖气", "采暖"]]


def test_content_words_leave_out_complaint_and_question_words():
    assert content_words("打了3次电话没人理，希望相关部门管一管") == []
    assert content_words("暖气一直不热找谁") == ["暖气", "不热"]
    assert "突然" not in content_words("新华小区突然停水了")
    # How much or when is no topic (a topic of 工单、才能、办好 or 燃气、气味、很大 said little).
    assert content_words("工单要多久才能办好") == ["工单", "办好"]
    assert content_words("燃气气味很大") == ["燃气", "气味"]
    assert "太吵" not in content_words("邻居家装修太吵")
    assert "太阳能" in content_words("楼顶太阳能热水器漏水")
    # 办理 is how, not what: 护照怎么办理 and 居住证怎么办理 are two topics.
    assert content_words("护照怎么办理") == ["护照"]


def test_a_place_name_is_marked_where_it_names_a_place():
    def places(text):
        return {w for w, place in content_terms(text) if place}

    assert {"万达", "广场"} <= places("东湖区万达广场门口共享单车乱停乱放")
    assert {"新华", "小区"} <= places("新华小区停水了")
    assert "学府路" in places("学府路路灯不亮")
    assert {"实验", "小学"} <= places("实验小学门口有车乱停")
    assert {"人民", "医院"} <= places("人民医院附近车辆乱停乱放")
    assert "火车站" in places("南河区火车站垃圾没人清运")
    # The same words as the matter itself are not places.
    assert places("孩子学校乱收费") == set()
    assert places("去医院看病排队") == set()
    assert "广场" not in places("晚上跳广场舞太吵")


def test_synonym_groups_join_texts_but_not_through_complaint_or_question_words():
    synonyms = Synonyms(GROUPS)
    mark = Synonyms.MARK
    assert mark + "拖欠工资" in content_words("老板欠薪跑路了", synonyms=synonyms)
    assert mark + "拖欠工资" in content_words("公司拖欠工资三个月", synonyms=synonyms)
    # A term of several words: 乱停乱放 is cut 乱 / 停 / 乱放.
    assert mark + "违法停车" in content_words("车辆乱停乱放", synonyms=synonyms)
    # A term inside a longer word: 暖气片 has 暖气, so it meets 供暖.
    assert mark + "供暖" in content_words("暖气片冰凉", synonyms=synonyms)
    assert mark + "供暖" in content_words("供暖温度不达标", synonyms=synonyms)
    # Groups with 反映 or 找谁 would join texts about anything.
    assert [w for w in content_words("我想反映暖气不热找谁", synonyms=synonyms) if w.startswith(mark)] == [mark + "供暖"]
    index = WordIndex(["老板欠薪跑路了", "公司拖欠工资三个月", "路灯不亮"], 60, synonym_groups=GROUPS)
    sims = index.similarities("工地欠薪")
    assert sims[1] > 0 and sims[2] == 0
    assert WordIndex(["老板欠薪跑路了", "公司拖欠工资三个月"], 60).similarities("工地欠薪")[1] == 0
    index = WordIndex(["暖气片冰凉", "供暖温度不达标", "路灯不亮"], 60, synonym_groups=GROUPS)
    assert index.similarities("暖气片冰凉")[1] > 0


def test_the_index_knows_which_words_name_places():
    index = WordIndex(["万达广场停水了", "万达广场路灯不亮", "停水一整天", "路灯不亮"], 60)
    assert {"万达", "广场"} <= index.places and not {"停水", "路灯"} & index.places
    assert index.known("停车场") and not index.known("共享单车")
    assert WordIndex(["共享单车乱停"], 60, synonym_groups=[["互联网租赁自行车", "共享单车"]]).known("共享单车")
    assert np.all(WordIndex([], 60).scores(np.zeros(0, np.int64), np.zeros(0, np.float32)) == 0)


def test_a_term_of_several_words_may_hold_one_short_word():
    """拖欠[农民工]工资 and 欠[我]工资 are the group's terms with a word inside; 工资 alone, or 欠 far from it, are not."""
    synonyms = Synonyms([["拖欠工资", "欠薪", "欠工资"]])
    mark = Synonyms.MARK + "拖欠工资"
    assert mark in content_words("工地拖欠农民工工资投诉", synonyms=synonyms)
    assert mark in content_words("公司欠我工资三个月", synonyms=synonyms)
    assert mark not in content_words("工资什么时候发", synonyms=synonyms)
    assert mark not in content_words("欠了房租，工资也没到", synonyms=synonyms)
    # Words that only say who (公司, 单位) join no two requests.
    assert content_words("公司拖欠工资怎么办") == ["拖欠工资", "拖欠", "工资"]


def test_pieces_of_asking_wanting_or_refusing_are_no_content_words():
    """The segmenter glues 哪 + a verb (去哪补 → 哪补), 想 + a verb (想办) and 不让 / 不给: how a request asks, not
    what about. 不热 and 不亮 say what is wrong and stay."""
    assert "哪补" not in content_words("社保卡掉了去哪补")
    assert "哪交" not in content_words("灵活就业人员社保在哪交")
    assert content_words("护照过期了在哪换") == ["护照"] == content_words("想办护照")
    assert "不让" not in content_words("小区充电桩物业不让装怎么办")
    assert content_words("暖气不热") == ["暖气", "不热"] and "不通" in content_words("下水道不通")


def test_with_a_reference_a_texts_vector_does_not_change_with_texts_about_other_matters():
    """Weighed among a reference number of texts, a word weighs alike among three texts or among thirty: how many
    texts there are about other matters changes no text's vector (weighed among the texts at hand, it does)."""
    heating = ["东湖区暖气不热", "西山区暖气片不热", "暖气不热室温才十几度"]
    others = heating + ["宠物狗半夜一直叫", "出租车司机绕路多收钱", "快递包裹被冒领"] * 9

    def vectors(texts, **kw):
        index = WordIndex(texts, 60, synonym_groups=GROUPS, **kw)
        return [{index.words[t]: round(float(w), 6) for t, w in zip(*v)} for v in index.doc_vectors()[:3]]

    assert vectors(heating, reference=60_000) == vectors(others, reference=60_000)
    assert vectors(heating) != vectors(others)
    index = WordIndex(others, 60, reference=60_000)
    part = index.restricted(np.array([4, 0]))
    assert part.n == 2
    assert [sorted(map(int, t)) for t, _w in part.doc_vectors()] == [sorted(map(int, index.doc_vectors()[i][0]))
                                                                     for i in (4, 0)]
