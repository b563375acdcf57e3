import pytest

from kb_app.search import analysis
from kb_app.search.analysis import (
    Analyzer,
    bigrams,
    document_numbers,
    normalize,
    sanitize_query,
    snippet,
    synonym_expansion,
)


def test_bigrams_bridge_enumeration_commas():
    assert set(bigrams("水电气热")) <= set(bigrams("涉及水、电、气、热等重点民生领域"))


def test_bigrams_stop_at_sentence_punctuation():
    assert "领停" not in bigrams("失业金怎么领。停水了")
    assert "12345" in bigrams("拨打12345热线")


def test_search_mode_words_include_shorter_words():
    words = Analyzer().words("失业保险金怎么申领")
    assert {"失业", "保险", "保险金"} <= set(words)
    assert all(len(w) >= 2 for w in words)


def test_user_dictionary_adds_whole_terms():
    plain, custom = Analyzer(), Analyzer(["接诉即办"])
    assert "接诉即办" not in plain.words("接诉即办工作条例")
    assert "接诉即办" in custom.words("接诉即办工作条例")
    assert custom.add_words(["接诉即办", "x"]) == []


def test_query_words_drop_question_words():
    assert Analyzer().query_words(normalize("失业金怎么领呢")) == ["失业"]
    assert Analyzer(["失业金"]).query_words(normalize("失业金怎么领呢")) == ["失业", "失业金"]


@pytest.mark.parametrize("variant", ["京政办发〔2024〕12号", "京政办发[2024]12号", "京政办发(2024)12号",
                                     "京政办发（2024）12号", "京政办发［2024］第12号", "京政办发【2024】12号"])
def test_document_number_variants_meet(variant):
    doc = set(document_numbers("依据京政办发〔2024〕12号文件执行"))
    query = document_numbers(variant, for_query=True)
    assert query and set(query) <= doc


@pytest.mark.parametrize("variant", ["国家税务总局公告2020年第4号", "税务总局公告2020年第4号", "2020年第4号",
                                     "国家税务总局公告（2020年第4号）"])
def test_announcements_numbered_by_year_meet(variant):
    doc = set(document_numbers("根据国家税务总局公告2020年第4号的规定"))
    query = document_numbers(variant, for_query=True)
    assert query and set(query) <= doc


@pytest.mark.parametrize("text", ["2020年2月8号开始", "2020年8号", "第8号台风", "2020年度第三季度"])
def test_dates_are_no_document_numbers(text):
    assert document_numbers(text) == []


def test_document_numbers_differ_by_number():
    assert not set(document_numbers("京政办发〔2024〕13号", for_query=True)) & set(document_numbers("京政办发〔2024〕12号"))


@pytest.mark.parametrize("text, simple", [
    ("我家著火了", "我家着火了"),  # the traditional form, and a common mistyping of simplified text
    ("廚房煤氣味好重，不敢開燈", "厨房煤气味好重,不敢开灯"),
    ("電梯裡關著人出不來", "电梯里关着人出不来"),
    ("我想問一下社保卡丟了怎麼補辦", "我想问一下社保卡丢了怎么补办"),
    ("乾淨", "干净"), ("乾隆年間", "乾隆年间"),  # phrases read otherwise than their characters
    ("著名景区", "著名景区"), ("显著提高", "显著提高"), ("名著和原著", "名著和原著"),  # 著 where simplified keeps it
    ("失业金怎么领", "失业金怎么领"),
])
def test_normalize_reads_traditional_characters_as_simplified(text, simple):
    assert normalize(text) == simple


def test_normalize_full_width_and_case():
    assert normalize("ＡＢＣ１２３４５") == "abc12345"


def test_a_term_in_digits_or_letters_is_held_only_whole():
    groups = [["市民服务热线", "12345"]]
    assert synonym_expansion(normalize("打12345"), groups) == ["市民服务热线"]
    assert synonym_expansion(normalize("12345热线"), groups) == ["市民服务热线"]
    assert synonym_expansion(normalize("13812345678"), groups) == []


def test_synonym_expansion_both_directions():
    groups = [["失业保险金", "失业金"], ["供暖", "暖气"]]
    assert synonym_expansion(normalize("失业金怎么领"), groups) == ["失业保险金"]
    assert synonym_expansion(normalize("失业保险金"), groups) == ["失业金"]
    assert synonym_expansion(normalize("暖气不热"), groups) == ["供暖"]
    assert synonym_expansion(normalize("没有关系"), groups) == []


@pytest.mark.parametrize("raw, expected", [
    (None, ""), ("", ""), ("  a\x00b\u200b c  ", "a b c"), ("x" * 5000, "x" * analysis.MAX_QUERY_CHARS),
])
def test_sanitize_query(raw, expected):
    assert sanitize_query(raw) == expected


def test_snippet_marks_terms_and_escapes_everything_else():
    html = snippet("<script>alert(1)</script> 申领失业保险金需要满一年", ["失业", "保险金"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>失业</mark><mark>保险金</mark>" in html


def test_snippet_centres_on_the_densest_passage():
    text = "开头无关内容。" * 40 + "居住证申领需要居住证明" + "结尾无关内容。" * 40
    html = snippet(text, ["居住证", "申领"], width=60)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>居住证</mark><mark>申领</mark>" in html


def test_snippet_counts_each_word_once_and_the_first_passage_wins_a_tie():
    # The steps come first and name 燃气 once; the routine repairs at the end name it five times.
    text = ("闻到燃气味，请立即关阀门、开门窗、不动电，到室外报修。" + "其他说明。" * 30
            + "一般报修：燃气表、燃气灶、燃气热水器、燃气壁挂炉，请拨打燃气维修电话。")
    html = snippet(text, ["燃气"], width=40)
    assert html.startswith("闻到<mark>燃气</mark>味") and not html.startswith("…")
    # More different words still outweigh being first.
    later = "关于社保卡。" + "其他说明。" * 30 + "社保卡丢了补办：先挂失，再补卡。"
    assert "<mark>补办</mark>" in snippet(later, ["社保卡", "补办"], width=40)


SSCARD = ("社会保障卡丢失或损坏，可以按以下步骤办理：1. 先挂失：通过APP“社保卡”挂失，也可以到合作银行网点挂失。"
          "临时挂失有效期5天，请尽快办理正式挂失和补卡。2. 补办渠道：线上申请补卡，卡片邮寄到家；线下到银行网点办理。"
          "3. 办理时间：银行网点可以当场领卡；线上申请一般10个工作日内寄达。4. 费用：补换社保卡免收工本费。"
          "5. 代办：行动不便的，可以由家属代办。")


@pytest.mark.parametrize("question, shown", [
    ("社保卡补办要钱吗", "<mark>费用</mark>：补换<mark>社保卡</mark><mark>免收</mark><mark>工本费</mark>"),
    ("社保卡补办收费吗", "<mark>免收</mark><mark>工本费</mark>"),
    ("社保卡补办需要多久", "10个<mark>工作日</mark>内寄达"),
])
def test_the_excerpt_tells_what_the_question_asks_of_the_answer(question, shown):
    words = ["社保卡", "补办", "社保"]
    html = snippet(SSCARD, words, width=80, aspects=analysis.asked_aspects(question))
    assert shown in html
    # without the aspect, the first step naming the matter is the excerpt
    assert shown not in snippet(SSCARD, words, width=80)


def test_an_aspect_alone_does_not_make_the_excerpt():
    # 费用 with nothing of the matter beside it: the passage on the matter stays the excerpt.
    text = "费用说明见另页。" + "其他说明。" * 30 + "社保卡丢了补办：先挂失，再补卡。"
    html = snippet(text, ["社保卡", "补办"], width=40, aspects=analysis.asked_aspects("社保卡补办要钱吗"))
    assert "<mark>补办</mark>" in html and "费用" not in html


def test_an_excerpt_does_not_cut_a_number_in_two():
    text = "停电、线路故障，请拨打0000-67771234；" + "其他说明。" * 20
    html = snippet(text, ["停电"], width=18)
    assert "0000-67771234" in html and not html.startswith("…")


def test_asked_aspects():
    assert "工本费" in analysis.asked_aspects("补身份证要钱吗")
    assert "工作日" in analysis.asked_aspects("居住证办理需要多久")
    assert "电话" in analysis.asked_aspects("燃气报修电话是多少")
    assert analysis.asked_aspects("社保卡丢了怎么办") == ()


def test_only_pairs_inside_a_word_of_the_question_are_marked():
    assert analysis.within_words(["燃气", "气报", "报修", "修电", "电话"], ["燃气", "报修", "电话"]) == ["燃气", "报修", "电话"]
    assert analysis.within_words(["社保", "保卡", "卡补"], ["社保卡", "补办"]) == ["社保", "保卡"]


def test_skip_bigrams_meet_an_enumeration():
    assert "水电" in analysis.skip_bigrams("停水停电")
    assert "水电" in bigrams("水、电、气、热")


@pytest.mark.parametrize("question, expected", [
    ("热线管不管", "热线管"), ("能不能打12345", "能打12345"), ("可不可以网上办", "可以网上办"),
    ("有没有人管", "有人管"), ("会不会泄露我的个人信息", "会泄露我的个人信息"), ("街道吹哨是怎么回事", "街道吹哨 "),
    ("不能按期办结怎么办", "不能按期办结 "), ("不予受理", "不予受理")])
def test_question_form_is_taken_out(question, expected):
    assert analysis.question_form(question) == expected


@pytest.mark.parametrize("question, expected", [
    ("您好，我想咨询一下社保卡丢了怎么补办", "社保卡丢了怎么补办"), ("喂 你好 我想问一下", ""), ("麻烦问下，停电找谁", "停电找谁"),
    ("我有个问题想问一下：医保怎么报销", "医保怎么报销"), ("在吗？我家停水了", "我家停水了"),
    ("想了解医保政策", "医保政策"), ("社保卡丢了，请问怎么补办", "社保卡丢了，怎么补办"),
    # Only where a clause starts, and only as asking: the matter's own words stay.
    ("水质问题怎么反映", "水质问题怎么反映"), ("咨询电话是多少", "咨询电话是多少"), ("请问下水道堵了找谁", "下水道堵了找谁"),
    ("了解下政策", "了解下政策"), ("问问题", "问问题"), ("喂喂有人在大街上打架", "有人在大街上打架")])
def test_greetings_and_asking_leave_are_taken_off_where_a_clause_starts(question, expected):
    assert analysis.without_courtesy(question) == expected
    def read(text):
        return "".join(analysis.question_form(analysis.normalize(text)).split())
    assert read(question) == read(expected)


@pytest.mark.parametrize("question, names", [
    ("我想问一下", False), ("你好，我想了解一下", False), ("您好", False), ("我有个问题", False), ("怎么办", False),
    ("我想问一下护照", True), ("12345", True), ("社保卡", True),
    # the kind of request, a thing in general and how the caller feels name no matter either
    ("我想反映个事，就是那个挺烦的", False), ("我要投诉", False), ("政策", False), ("我要投诉物业", True),
    ("出交通事故了", True), ("二孩政策", True)])
def test_a_question_of_greetings_and_asking_names_nothing(question, names):
    assert analysis.names_something(question) is names


@pytest.mark.parametrize("question, names, asking, naming", [
    ("蓝鲸卡在哪里查", True, ["卡在", "在哪", "里查", "哪查"], ["蓝鲸", "鲸卡"]),
    ("热线归哪个部门管", True, ["归哪", "个部"], ["热线", "部门", "主管", "门管"]),
    ("社保卡在哪里补办", True, ["卡在", "里补"], ["社保", "补办"]),
    ("12345在哪里", True, ["在哪"], ["12345"]),
    ("卡在哪里", False, ["卡在"], []),
    ("怎么办", False, [], []),
])
def test_asking_words_are_told_from_what_a_question_names(question, names, asking, naming):
    a = analysis.Asking(analysis.question_form(analysis.normalize(question)))
    assert a.names is names
    assert [t for t in asking if a.only_asks(t)] == asking
    assert [t for t in naming if a.only_asks(t)] == []
