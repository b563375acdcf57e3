"""The public pages: server-rendered, usable without JavaScript, accessible, audience-safe."""

import re
import threading
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from kb_app.content import frontmatter
from kb_app.search import index as search_index
from kb_app.search import query
from kb_app.web import pages, views

from ..conftest import commit_all
from .conftest import site
from .test_api import DIRECTORY, EXPIRED, INTERNAL, PENDING, PUBLIC, error_of


class Page(HTMLParser):
    """Tags, labels and links of a page."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.labels, self.links, self.forms, self.ids = [], set(), [], [], set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "label":
            self.labels.add(attrs.get("for"))
        if tag == "a":
            self.links.append(attrs.get("href"))
        if tag == "form":
            self.forms.append(attrs)

    def fields(self):
        return [a for t, a in self.tags if t in ("input", "select",
                                                 "textarea") and a.get("type") not in ("hidden", "submit")]


def check_page(r):
    """What every public page has: Chinese, no script, labelled fields, the stylesheet, a CSP."""
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in r.text and 'name="viewport"' in r.text
    page = Page(r.text)
    assert not [a for t, a in page.tags if t == "script"]
    assert not re.search(r"\son[a-z]+=", r.text), "no inline event handlers"
    for field in page.fields():
        assert field.get("id") in page.labels, f"field without a label: {field}"
    assert "style-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["etag"] and r.headers["cache-control"].startswith("public")
    return page


def test_home_without_a_query(client):
    page = check_page(client.get("/"))
    form = page.forms[0]
    assert form["action"] == "/" and form["method"] == "get"
    assert "/browse" in page.links
    topics = [a for t, a in page.tags if t == "option"]
    assert len(topics) > 5


def test_the_footer_says_when_the_content_was_published_not_its_version(client, web_kb):
    import datetime as dt

    head = web_kb.store.head()
    published = dt.datetime.fromtimestamp(web_kb.store.commit_time(head))
    for path in ("/", "/?q=社保卡丢了", "/browse", "/answers/sscard-reissue", "/articles/beijing-2021/11"):
        r = client.get(path)
        footer = r.text[r.text.index("<footer"):]
        assert f"更新于 {published.year}年{published.month}月{published.day}日" in footer, path
        assert "版本" not in footer and f'data-version="{head[:10]}"' in footer


def test_results_are_rendered_on_the_server(client):
    r = client.get("/", params={"q": "外地人怎么办居住证"})
    page = check_page(r)
    assert f"/answers/{PUBLIC}?q=%E5%A4%96%E5%9C%B0%E4%BA%BA%E6%80%8E%E4%B9%88%E5%8A%9E%E5%B1%85%E4%BD%8F%E8%AF%81" \
        in page.links and "<mark>" in r.text and "找到" in r.text
    assert 'value="外地人怎么办居住证"' in r.text


def test_paging_and_topic_filter(client):
    first = client.get("/", params={"q": "申请"})
    assert 'rel="next"' in first.text and "第 1/" in first.text
    second = client.get("/", params={"q": "申请", "page": 2})
    assert 'rel="prev"' in second.text
    # The pages by number as well, the current one marked (not a link to itself).
    assert '<span aria-current="page">2</span>' in second.text and 'aria-label="第 1 页">1</a>' in second.text
    assert 'aria-label="第 2 页"' not in second.text
    links_1 = {link for link in Page(first.text).links if link.startswith("/answers/")}
    links_2 = {link for link in Page(second.text).links if link.startswith("/answers/")}
    assert links_1 and links_2 and not links_1 & links_2
    topic = client.get("/", params={"q": "申请", "topic": "住房"})
    assert '<option value="住房" selected>' in topic.text
    total = int(re.search(r"找到 (\d+) 条", first.text).group(1))
    in_topic = int(re.search(r"找到 (\d+) 条", topic.text).group(1))
    assert 0 < in_topic < total


def test_a_misspelt_question_shows_the_corrected_ones_results_and_says_so(client):
    r = client.get("/", params={"q": "社宝卡"})
    page = check_page(r)
    assert "已按“<strong>社保卡</strong>”查找（您输入的是“社宝卡”）。" in r.text
    # The results keep the question as asked (the answer page's vote is about it), and so does the box.
    assert "/answers/sscard-reissue?q=%E7%A4%BE%E5%AE%9D%E5%8D%A1" in page.links
    assert 'value="社宝卡"' in r.text
    assert client.get("/api/v1/search", params={"q": "社宝卡"}).json()["corrected"] == "社保卡"
    assert "corrected" not in client.get("/api/v1/search", params={"q": "社保卡"}).json()


def test_a_question_found_through_a_misspelt_word_says_what_it_was_read_as(client):
    for _ in range(50):  # the speller of the commit is read in a thread of its own
        r = client.get("/", params={"q": "暖器不热"})
        if "已按" in r.text:
            break
    assert "已按“<strong>暖气不热</strong>”查找（您输入的是“暖器不热”）。" in r.text
    assert re.search(r'<ol class="results".*?暖气不热怎么报修', r.text, re.S)


def test_a_search_that_may_yet_be_corrected_is_kept_by_no_cache(client, web_kb, monkeypatch):
    """Just after a publish the speller is still being read: the page says nothing was found, and
    neither the site nor a browser keeps that page, so the next asking gets the correction."""
    release, real = threading.Event(), search_index.Speller
    # Any search reads the speller of its commit (a question finding something may be corrected too):
    # the one read while the site started is dropped, as a publish leaves it behind.
    monkeypatch.setattr(web_kb.index, "_spellers", type(web_kb.index._spellers)(4))

    def slow(*texts):
        release.wait()  # no timed waits: they never return under libfaketime
        return real(*texts)

    monkeypatch.setattr(search_index, "Speller", slow)
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 0.05)
    for path in ("/", "/api/v1/search"):
        early = client.get(path, params={"q": "社宝卡"})
        assert early.status_code == 200 and "社保卡" not in early.text
        assert early.headers["cache-control"] == "no-store" and "etag" not in early.headers
    release.set()
    monkeypatch.setattr(search_index, "SPELLER_WAIT", 30)
    assert "已按“<strong>社保卡</strong>”查找" in client.get("/", params={"q": "社宝卡"}).text
    later = client.get("/api/v1/search", params={"q": "社宝卡"})
    assert later.json()["corrected"] == "社保卡" and later.headers["cache-control"].startswith("public")


@pytest.mark.parametrize("question, line, channel", [("楼上着火了，好大的烟", "119", "火警"),
                                                     ("电梯卡住了里面有人", "119", "抢险救援"),
                                                     ("有人晕倒了快来人", "120", "急救中心"),
                                                     ("小区门口两个人打起来了", "110", "报警服务台")])
def test_a_question_that_may_be_an_emergency_says_which_line_to_call_first(client, question, line, channel):
    r = client.get("/", params={"q": question})
    page = check_page(r)
    alarm = re.search(r'<div class="alarm" role="alert"[^>]*>.*?</div>', r.text, re.S)
    assert alarm and r.text.index('class="alarm"') < r.text.find('role="status"') % len(r.text)  # above any result
    assert f'请立即拨打 <a href="tel:{line}" class="tel">{line}</a>（{channel}）' in alarm.group(0)
    assert f"tel:{line}" in page.links
    # Other systems searching for citizens get the same line; nothing of the agent's script goes out.
    body = client.get("/api/v1/search", params={"q": question}).json()
    assert body["emergency"]["line"] == line and set(body["emergency"]) == {"line", "channel", "event", "also", "advice", "answers"}
    assert "转接" not in alarm.group(0) and "话术" not in alarm.group(0)
    # What to do while waiting, from the intake rules, on the page and in the API alike.
    # (a line named in a step, 按120调度员的指导, is a number to tap)
    assert body["emergency"]["advice"] and all(f"<li>{pages.tel_links(step)}</li>" in alarm.group(0)
                                               for step in body["emergency"]["advice"])
    assert "按<a href=\"tel:120\" class=\"tel\">120</a>调度员" in alarm.group(0) or line != "120"
    # Logged as told a line to call, which is no missing answer (kb_app.usage.stats.NOT_ALARMED).
    site(client).events.flush()
    rows = [row for row in site(client).kb.db()["search_log"].rows if row["query"] == question]
    assert len(rows) == 2 and all(row["alarm"] == 1 for row in rows)


def main_content(page: Page) -> list:
    """The tags of a page's main content, in order."""
    tags = page.tags
    start = next(n for n, (tag, attrs) in enumerate(tags) if tag == "main")
    end = next((n for n, (tag, _a) in enumerate(tags) if tag == "footer"), len(tags))
    return tags[start + 1:end]


@pytest.mark.parametrize("question, box", [("我不想活了", "alarm"), ("楼上着火了，好大的烟", "alarm"),
                                           ("家里煤气泄漏了", "report urgent")])
def test_a_box_that_may_tell_of_danger_is_first_on_the_page_and_has_the_focus(client, question, box):
    """On a small screen, or at 200% zoom, the line to call is the first thing seen, before the title, the
    explanation and the search form, and a screen reader starts there: announced (role="alert") and
    focused as the page opens (autofocus on a box that takes the focus, tabindex="-1"; no script)."""
    page = check_page(client.get("/", params={"q": question}))
    main = main_content(page)
    first, attrs = main[0]
    assert (first, attrs["class"]) == ("div", box)
    assert attrs["role"] == "alert" and attrs["tabindex"] == "-1" and "autofocus" in attrs
    assert [a for _t, a in page.tags if "autofocus" in a] == [attrs]  # nothing else takes the focus
    tags = [t for t, _a in main]
    assert tags.index("h1") > 0 and tags.index("form") > 0
    # An ordinary question: the title first, and the focus where the browser puts it.
    ordinary = check_page(client.get("/", params={"q": "社保卡丢了怎么补办"}))
    assert main_content(ordinary)[0][0] == "h1" and not [a for _t, a in ordinary.tags if "autofocus" in a]


def test_the_safety_steps_are_the_events_own_where_it_has_some(client):
    """An event's advice (被困在电梯里 …) replaces its rule's (火灾的); a rule's is used for the others."""
    trapped = client.get("/api/v1/search", params={"q": "电梯卡住了里面有人"}).json()["emergency"]["advice"]
    fire = client.get("/api/v1/search", params={"q": "楼上着火了，好大的烟"}).json()["emergency"]["advice"]
    assert any("紧急呼叫按钮" in step for step in trapped) and not any("紧急呼叫按钮" in step for step in fire)
    assert any("湿毛巾" in step for step in fire) and not any("湿毛巾" in step for step in trapped)


@pytest.mark.parametrize("question", ["我不想活了", "我想自杀，活着没意思"])
def test_someone_who_wants_to_end_their_life_is_spoken_to_and_given_a_crisis_line(client, question):
    """Words of wanting to die are often the searcher's own: the steps speak to them first, with the
    psychological crisis line 12356 as a number to tap, then to someone beside a person at risk."""
    r = client.get("/", params={"q": question})
    alarm = re.search(r'<div class="alarm" role="alert"[^>]*>.*?</div>', r.text, re.S).group(0)
    assert '请立即拨打 <a href="tel:110" class="tel">110</a>' in alarm
    assert '<a href="tel:12356" class="tel">12356</a> 心理援助热线' in alarm
    advice = client.get("/api/v1/search", params={"q": question}).json()["emergency"]["advice"]
    assert advice[0].startswith("如果是您自己有这样的念头") and "12356" in advice[0]
    assert any(step.startswith("身边有人要轻生的") for step in advice)
    # The line and the steps alone: no rules of the hotline (恶意拨打 …) folded beside them.
    assert 'class="results"' not in r.text and "不是紧急情况？" not in r.text and "没有找到" not in r.text
    body = client.get("/api/v1/search", params={"q": question}).json()
    assert body["emergency"]["answers"] is False
    # ... nor in the API, for a platform that lists hits without reading emergency.answers
    assert (body["hits"], body["total"]) == ([], 0) and "close" not in body


def test_steps_for_the_case_the_question_names_come_first(client):
    """A poisoning's steps are written for two cases; the one the question names comes first, and the
    other stays, last (煤气中毒: close the gas, no switch, no flame; 误吃了药: no vomiting, bring the box)."""
    gas = client.get("/api/v1/search", params={"q": "家里有人煤气中毒了"}).json()["emergency"]["advice"]
    pills = client.get("/api/v1/search", params={"q": "孩子误吃了药"}).json()["emergency"]["advice"]
    assert gas[0].startswith("煤气、炭火中毒的：关掉燃气阀门") and "不要点火" in gas[0]
    assert pills[0].startswith("吃错药") and sorted(gas) == sorted(pills)
    # The steps for every case come before those for the cases not named (房屋、墙体坍塌 in a lift).
    lift = client.get("/api/v1/search", params={"q": "电梯困人了，里面有老人"}).json()["emergency"]["advice"]
    assert lift[0].startswith("电梯困人：") and lift[1].startswith("说清楚详细地址")
    assert lift[-1].startswith("房屋、墙体坍塌：")
    wall = client.get("/api/v1/search", params={"q": "墙体坍塌了，下面压着人"}).json()["emergency"]["advice"]
    assert wall[0].startswith("房屋、墙体坍塌：") and wall[-1].startswith("电梯困人：")


def test_beside_an_emergency_line_the_answers_are_folded(client):
    """Someone in danger sees the line and the safety steps, not ten answers; a citizen who is not opens them."""
    page = client.get("/", params={"q": "有人晕倒了快来人"}).text
    fold = re.search(r'<details class="after-alarm"><summary>不是紧急情况？查看政策答复（(\d+) 条）</summary>(.*?)</details>',
                     page, re.S)
    assert fold and int(fold.group(1)) > 0 and 'class="results"' in fold.group(2)
    assert client.get("/api/v1/search", params={"q": "有人晕倒了快来人"}).json()["emergency"]["answers"] is True
    before, _fold, after = page.partition('<details class="after-alarm">')
    assert 'class="results"' not in before and after.count("</details>") == after.count("<details") + 1
    ordinary = client.get("/", params={"q": "社保卡丢了怎么补办"}).text
    assert 'class="results"' in ordinary and 'class="after-alarm"' not in ordinary
    # Answers about none of what an emergency names are said to be so before they are opened.
    crash = client.get("/", params={"q": "红绿灯全灭了已经有两辆蹭了"}).text
    assert re.search(r'<summary>不是紧急情况？查看政策答复（\d+ 条，只和您说的部分词语有关）</summary>', crash)


@pytest.mark.parametrize("question", ["交通事故的赔偿标准是多少", "社保卡丢了怎么补办", "上个月小区有人打架"])
def test_a_question_about_rules_or_the_past_raises_no_alarm(client, question):
    r = client.get("/", params={"q": question})
    assert 'class="alarm"' not in r.text
    assert "emergency" not in client.get("/api/v1/search", params={"q": question}).json()


def test_a_report_with_only_partly_related_answers_does_not_call_them_related(client):
    """No answer mentions 包裹: those listed share other words (占道, 人行道) and are said to."""
    r = client.get("/", params={"q": "快递站占着人行道堆包裹"})
    box = re.search(r'<div class="report" role="note">.*?</div>', r.text, re.S).group(0)
    assert "下面的答复只和您说的部分词语有关" in box and "下面是相关的政策答复" not in box
    box = re.search(r'<div class="report" role="note">.*?</div>', client.get("/", params={"q": "楼上天天噪音扰民"}).text,
                    re.S).group(0)
    assert "下面是相关的政策答复" in box


@pytest.mark.parametrize("words", ["路灯不亮", "小区门口路灯坏了好几天了晚上很黑", "楼上天天噪音扰民"])
def test_words_that_report_a_matter_are_told_where_to_report_it(client, web_kb, words):
    r = client.get("/", params={"q": words})
    page = check_page(r)
    box = re.search(r'<div class="report" role="note">.*?</div>', r.text, re.S)
    assert box and "请拨打 <a href=\"tel:12345\" class=\"tel\">12345</a> 热线" in box.group(0)
    assert "tel:12345" in page.links and 'class="alarm"' not in r.text
    # Nothing of the catalogue goes out with it: no unit that would handle it, no time limit.
    catalogue = web_kb.snapshot().directory()
    assert not any(e.title in box.group(0) or web_kb.snapshot().unit_name(e.handler) in box.group(0) for e in catalogue)
    body = client.get("/api/v1/search", params={"q": words}).json()
    assert body["report"] == {"line": "12345", "message": views.REPORT["message"]}


@pytest.mark.parametrize("words, step", [("家里煤气味很重", "不要在屋里打电话"), ("家里煤气泄漏了", "到室外安全的地方再打电话报修"),
                                         ("水管爆裂 家里淹了", "先关闭家中或楼道的总水阀"),
                                         # a misheard word the search corrects (煤汽味 → 煤气味): as urgent
                                         ("楼道里有很大的煤汽味", "不要在屋里打电话"),
                                         ("我闻到家里有煤气味，怎么办", "不要在屋里打电话"),
                                         # asked politely whether it is serious: the same smell, the same steps
                                         ("你好不好意思打扰了，我就是想问一下，我家厨房好像有点煤气味，还挺大的，我现在在家，要不要紧啊",
                                          "不要在屋里打电话"),
                                         # water gushing from a burst pipe is no wound for 120
                                         ("水管爆了 水哗哗往外冒", "先关闭家中或楼道的总水阀"),
                                         ("井盖丢了", "远离井口，看好身边的孩子"),
                                         # not knowing what it is tells the matter; it asks nothing
                                         ("我家厨房有煤气味，不知道怎么回事", "不要在屋里打电话")])
def test_words_reporting_an_urgent_matter_put_safety_first(client, words, step):
    """What to do first is in the notice itself, above the call to 12345's steps in an answer's excerpt:
    intake_rules.yaml's urgent_advice of the matter reported."""
    r = client.get("/", params={"q": words})
    page = check_page(r)
    box = re.search(r'<div class="report urgent" role="alert"[^>]*>.*?</div>', r.text, re.S)
    assert box and "请先注意安全" in box.group(0) and 'class="alarm"' not in r.text
    assert "请先这样做" in box.group(0) and step in box.group(0)
    assert {"tel:12345", "tel:119", "tel:120"} <= set(page.links)
    body = client.get("/api/v1/search", params={"q": words}).json()
    assert body["report"] == {**views.URGENT_REPORT, "advice": body["report"]["advice"]} and body["report"]["urgent"] is True
    assert any(step in a for a in body["report"]["advice"])
    assert 'class="report urgent"' not in client.get("/", params={"q": "小区门口路灯不亮"}).text


def test_an_urgent_matter_with_steps_of_its_own_says_no_more_than_they_do(client):
    """A household without water is told to look at its meter's valve, not about fires and explosions (the
    steps of a matter name 119 and 120 where they belong, as the gas leak's do)."""
    box = re.search(r'<div class="report urgent" role="alert"[^>]*>.*?</div>',
                    client.get("/", params={"q": "家里突然停水了"}).text, re.S).group(0)
    assert "水表前阀门" in box and "爆炸" not in box and "tel:119" not in box


@pytest.mark.parametrize("words", ["路灯坏了找谁修", "社保卡补办", "居住证", "噪声污染防治法", "楼上着火了",
                                   "社保卡丢了", "身份证丢了"])
def test_questions_searches_for_a_service_and_emergencies_are_not_told_to_report(client, words):
    assert 'class="report"' not in client.get("/", params={"q": words}).text
    assert "report" not in client.get("/api/v1/search", params={"q": words}).json()


def test_results_about_something_else_say_what_none_of_them_mentions(client):
    """宽带安装收费标准 finds fees of other things (heating, gas): they share enough of its words not to be
    weak, and none is about 宽带, which the page says under the count."""
    page = client.get("/", params={"q": "宽带安装收费标准"}).text
    assert "找到" in page and "没有找到关于" not in page
    assert '<p class="hint">知识库里没有提到“宽带”，以下结果只和您问题中的其他词语有关。</p>' in page
    # The count does not call them 相关 right above a line saying they are not about what was asked.
    assert re.search(r"找到 \d+ 条部分相关的结果", page) and not re.search(r"找到 \d+ 条相关结果", page)
    answered = client.get("/", params={"q": "外地人怎么办居住证"}).text
    assert "知识库里没有提到" not in answered


@pytest.mark.parametrize("q,unknown", [("宽带安装收费标准", ["宽带"]), ("护照怎么办理", ["护照"]), ("社保卡补办要花钱吗", None),
                                       ("小孩上小学怎么报名", None)])
def test_the_api_says_what_the_page_says_is_not_mentioned(client, q, unknown):
    """A partner's site tells citizens what the public site tells them: the words nothing mentions come with results
    that are only about the rest of the question too, not only with weak ones."""
    page = client.get("/", params={"q": q}).text
    body = client.get("/api/v1/search", params={"q": q}).json()
    assert body.get("unknown") == unknown
    said = "知识库里没有提到" in page or "没有找到关于" in page
    assert said == bool(unknown) and ("没有找到关于" in page) == bool(body.get("weak"))


@pytest.mark.parametrize("number", ["13812345678", "110101199003071234", "11010119900307123X"])
def test_a_phone_or_id_number_is_told_it_needs_no_search(client, number):
    page = client.get("/", params={"q": number}).text
    assert "电话号码、身份证号等个人号码不用查询" in page and '<ol class="results"' not in page
    assert "换个说法" not in page


def test_a_number_the_answers_hold_is_still_found(client):
    """The heating company's repair line is in its answers: searched, they are listed."""
    page = client.get("/", params={"q": "0000-69611234"}).text
    assert "暖气不热怎么报修" in page and "个人号码" not in page


def test_a_question_nothing_answers_says_so_above_its_weak_results(client, web_kb, make_client):
    from kb_app.usage import suggest

    r = client.get("/", params={"q": "护照怎么办理"})
    check_page(r)
    notice = re.search(r'<p class="notice" role="status">没有找到关于(.*?)</p>', r.text, re.S)
    assert notice and notice.group(1).startswith("“护照”的答复") and 'href="tel:12345"' in notice.group(0)
    assert '<ol class="results"' in r.text  # the results stay: a citizen may still find what helps
    assert re.search(r"找到 \d+ 条部分相关的结果", r.text)
    body = client.get("/api/v1/search", params={"q": "护照怎么办理"}).json()
    assert body["weak"] is True and body["unknown"] == ["护照"] and body["total"] > 0
    # ... the first few of them: dozens sharing only 办理 are no list to page through
    assert body["total"] == len(body["hits"]) == query.WEAK_SHOWN
    assert "找到 10 条部分相关的结果" in r.text and "第 1/" not in r.text
    assert client.get("/api/v1/search", params={"q": "护照怎么办理", "offset": 10}).json()["hits"] == []
    assert web_kb.search("护照怎么办理", audience="agent").total > query.WEAK_SHOWN  # agents keep the whole list
    answered = client.get("/", params={"q": "外地人怎么办居住证"})
    assert "没有找到关于" not in answered.text
    assert not {"weak", "unknown"} & set(client.get("/api/v1/search", params={"q": "外地人怎么办居住证"}).json())
    nothing = client.get("/api/v1/search", params={"q": "护照"}).json()
    assert nothing["total"] == 0 and nothing["unknown"] == ["护照"] and "weak" not in nothing
    # Logged as weak: the center hears of it among the missing answers, like a search that found nothing.
    other = make_client(web_kb, address="10.0.0.2")     # another citizen
    other.get("/", params={"q": "护照怎么办理"})
    site(client).events.flush()
    site(other).events.flush()
    weak = [row for row in web_kb.db()["search_log"].rows if row["query"] == "护照怎么办理"]
    assert len(weak) == 3 and all(row["weak"] == 1 for row in weak)
    group = next(g for g in suggest.missing_answers(web_kb) if g["query"] == "护照怎么办理")
    # The API's search for 护照 alone found nothing, and names the same missing subject.
    assert group["searches"] == 4 and group["weak"] == 3 and group["zero"] == 1 and group["subject"] == "护照"


def test_a_page_past_the_last_says_how_many_there_are(client):
    first = client.get("/", params={"q": "申请"})
    pages = int(re.search(r"第 1/(\d+) 页", first.text).group(1))
    past = client.get("/", params={"q": "申请", "page": 49})
    assert "没有找到相关答复" not in past.text
    assert f"“申请”的结果只有 {pages} 页" in past.text and f"page={pages}" in past.text


def test_an_empty_search_asks_for_a_question(client):
    for blank in ("", "   ", "\u200b", " \ufeff\u200d "):
        r = client.get("/", params={"q": blank})
        assert "参数 q" not in r.text, blank  # what the API tells a program, not a citizen
        assert r.status_code == 200 and "请先写下您想问的问题" in r.text and 'aria-invalid="true"' in r.text
    assert "请先写下" not in client.get("/").text        # the home page itself asks nothing


def test_not_helpful_points_to_the_next_step(client):
    answer = client.get(f"/answers/{PUBLIC}", params={"q": "居住证"}).text
    vote_form = re.search(r'<form class="vote".*?</form>', answer, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    r = client.post("/api/v1/feedback", data={**hidden, "helpful": "false"}, follow_redirects=False)
    assert "feedback=unhelpful" in r.headers["location"]
    after = client.get(r.headers["location"].split("#")[0]).text
    assert "没能帮上忙，很抱歉：可以换个说法再查，或拨打 12345 咨询。" in after
    assert '<details class="report" open>' in after and '<form class="vote"' not in after


def test_a_report_sent_after_a_vote_does_not_offer_the_vote_again(client):
    answer = client.get(f"/answers/{PUBLIC}", params={"q": "居住证"}).text
    vote_form = re.search(r'<form class="vote".*?</form>', answer, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    r = client.post("/api/v1/feedback", data={**hidden, "helpful": "false"}, follow_redirects=False)
    after_vote = client.get(r.headers["location"].split("#")[0]).text
    report_form = re.search(r'<details class="report".*?</form>', after_vote, re.S).group(0)
    fields = {a["name"]: a["value"] for t, a in Page(report_form).tags if t == "input"}
    assert fields["voted"] == "1" and fields["query"] == "居住证"
    r = client.post("/api/v1/feedback", data={**fields, "text": "材料清单已经变了"}, follow_redirects=False)
    assert "feedback=reported" in r.headers["location"] and "voted=1" in r.headers["location"]
    after_report = client.get(r.headers["location"].split("#")[0]).text
    assert "已收到您的报告" in after_report and '<form class="vote"' not in after_report
    # Without a vote before it (another browser session), the report leaves the buttons on the page.
    client.cookies.clear()
    fresh = re.search(r'<details class="report".*?</form>', answer, re.S).group(0)
    fields = {a["name"]: a["value"] for t, a in Page(fresh).tags if t == "input"}
    assert "voted" not in fields
    r = client.post("/api/v1/feedback", data={**fields, "text": "电话变了"}, follow_redirects=False)
    assert "voted" not in r.headers["location"]
    assert '<form class="vote"' in client.get(r.headers["location"].split("#")[0]).text



def test_an_answer_voted_on_says_so_when_opened_again_in_the_same_browser_session(client):
    answer = client.get(f"/answers/{PUBLIC}").text
    assert "public" in client.get(f"/answers/{PUBLIC}").headers["cache-control"]
    vote_form = re.search(r'<form class="vote".*?</form>', answer, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    client.post("/api/v1/feedback", data={**hidden, "helpful": "true"}, follow_redirects=False)
    for params in ({}, {"q": "居住证"}):                 # opened again, from a link or from the results
        again = client.get(f"/answers/{PUBLIC}", params=params)
        assert '<form class="vote"' not in again.text and "您已经评价过，谢谢！" in again.text
        assert '<details class="report"' in again.text    # a report can still be sent
        # said for this session only: no shared cache keeps it, and a browser asks again once it has voted
        assert again.headers["cache-control"] == "private, no-cache" and "Cookie" in again.headers["vary"]
    # another answer, and another browser session, still get the buttons
    other = client.get("/answers/sscard-reissue").text
    assert '<form class="vote"' in other and "您已经评价过" not in other
    client.cookies.clear()
    assert '<form class="vote"' in client.get(f"/answers/{PUBLIC}").text


def test_a_second_vote_refused_marks_the_answer_as_voted_on(client):
    """A session whose mark was lost (an older page, a cookie cleared in part) learns it from the refusal."""
    answer = client.get(f"/answers/{PUBLIC}").text
    vote_form = re.search(r'<form class="vote".*?</form>', answer, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    client.post("/api/v1/feedback", data={**hidden, "helpful": "true"}, follow_redirects=False)
    client.cookies.delete("kb_voted")
    assert '<form class="vote"' in client.get(f"/answers/{PUBLIC}").text
    r = client.post("/api/v1/feedback", data={**hidden, "helpful": "false"}, follow_redirects=False)
    assert "feedback=voted" in r.headers["location"]
    assert '<form class="vote"' not in client.get(f"/answers/{PUBLIC}").text


#: An error report that tells of someone who may end their life, as an outside tester wrote it.
CRISIS_REPORT = "办不下来居住证我不想活了，今晚就从楼上跳下去"
ALARM_BOX = r'<div class="alarm" role="alert"[^>]*>.*?</div>'


def report_fields(client) -> dict:
    """The fields of the 报告错误 form on an answer opened from the results of 居住证."""
    answer = client.get(f"/answers/{PUBLIC}", params={"q": "居住证"}).text
    form = re.search(r'<details class="report".*?</form>', answer, re.S).group(0)
    assert '<form action="/feedback" method="post">' in form          # the site's address, not the API's
    return {a["name"]: a["value"] for t, a in Page(form).tags if t == "input"}


def test_a_report_that_reads_as_an_emergency_is_answered_with_the_emergency_box(client, web_kb):
    """A report is read as a search is: the page that follows opens with the box the results of a search for
    the same words show (the line and the steps alone, for someone who may end their life), announced and
    focused, then the thank-you, and nothing of the answer; the report is kept, marked for the staff.

    The form posts to the site (not the API) and is sent back (303) to the answer's address with what the words
    read as, never the words: reloading that page shows it again and sends nothing."""
    sent = client.post("/feedback", data={**report_fields(client), "text": CRISIS_REPORT}, follow_redirects=False)
    assert sent.status_code == 303
    back = sent.headers["location"]
    assert back.startswith(f"/answers/{PUBLIC}?") and "feedback=reported" in back and "alarm=" in back
    assert "%E4%B8%8D%E6%83%B3%E6%B4%BB" not in back and "不想活" not in back       # 不想活: the words stay out
    r = client.get(back.split("#")[0])
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert client.get(back.split("#")[0]).text == r.text       # a reload: the same page, and one report (below)
    assert r.headers["cache-control"] == "no-store" and "style-src 'self'" in r.headers["content-security-policy"]
    page = Page(r.text)
    assert not [a for t, a in page.tags if t == "script"]
    box = re.search(ALARM_BOX, r.text, re.S).group(0)
    assert box == re.search(ALARM_BOX, client.get("/", params={"q": CRISIS_REPORT}).text, re.S).group(0)
    assert '请立即拨打 <a href="tel:110" class="tel">110</a>' in box and '<a href="tel:12356" class="tel">12356</a>' in box
    first, attrs = main_content(page)[0]
    assert (first, attrs["class"], attrs["role"], attrs["tabindex"]) == ("div", "alarm", "alert", "-1")
    assert "autofocus" in attrs
    thanks = pages.FEEDBACK_MESSAGES["reported"][1]
    assert f'<p class="notice ok" role="status">{thanks}</p>' in r.text and r.text.index(box) < r.text.index(thanks)
    assert 'class="body"' not in r.text and "<form" not in r.text.split('<main', 1)[1]
    assert f"/answers/{PUBLIC}?q=%E5%B1%85%E4%BD%8F%E8%AF%81" in page.links and "/?q=%E5%B1%85%E4%BD%8F%E8%AF%81" in page.links
    [report] = web_kb.db()["reports"].rows
    assert (report["entry"], report["alarm"], report["alarm_line"]) == (PUBLIC, "有人要轻生", "110")
    # A report of a danger to others is told its line (火警 119) and the steps, as a search is.
    fire = client.post("/feedback", data={**report_fields(client), "text": "答复里的地址不对，另外楼上着火了，好大的烟"})
    assert fire.status_code == 200 and '请立即拨打 <a href="tel:119" class="tel">119</a>（火警）' in fire.text
    # An address with a reading made up shows no box: only the site's own readings do.
    made_up = client.get(f"/answers/{PUBLIC}", params={"feedback": "reported", "alarm": "x~110~假的~~~"}).text
    assert 'class="alarm"' not in made_up and "已收到您的报告" in made_up
    # An ordinary report goes back to the answer, with the thank-you, as before.
    plain = client.post("/feedback", data={**report_fields(client), "text": "材料清单已经变了"},
                        follow_redirects=False)
    assert plain.status_code == 303 and "feedback=reported" in plain.headers["location"]
    assert "alarm=" not in plain.headers["location"]
    assert 'class="alarm"' not in client.get(plain.headers["location"].split("#")[0]).text


def test_a_report_that_reads_as_an_emergency_and_cannot_be_kept_still_shows_the_line(web_kb, make_client,
                                                                                      frozen_buckets):
    """Sent once too often (or to an answer withdrawn meanwhile): the box all the same, then why it was not kept."""
    from .conftest import kb_with

    client = make_client(kb_with(web_kb, web_rate_feedback=1))
    fields = report_fields(client)
    for _ in range(10):
        client.post("/api/v1/feedback", data={**fields, "text": "材料清单已经变了"}, follow_redirects=False)
    r = client.post("/api/v1/feedback", data={**fields, "text": CRISIS_REPORT}, follow_redirects=False)
    assert r.status_code == 429 and r.headers["cache-control"] == "no-store"
    assert re.search(ALARM_BOX, r.text, re.S) and 'href="tel:110"' in r.text
    assert re.search(r'<p class="notice error" role="status">反馈提交过于频繁：请 \d+ 秒后再试。</p>', r.text)
    assert not [row for row in web_kb.db()["reports"].rows if row["alarm"]]
    # What was written is given back in the form (to send again later), after the box; a plain report's too.
    assert r.text.index('class="alarm"') < r.text.index(f">{CRISIS_REPORT}</textarea>")
    plain = client.post("/api/v1/feedback", data={**fields, "text": "电话号码变了"}, follow_redirects=False)
    assert plain.status_code == 429 and int(plain.headers["retry-after"]) >= 1
    assert ">电话号码变了</textarea>" in plain.text and 'class="alarm"' not in plain.text
    gone = make_client(web_kb, address="203.0.113.9").post("/api/v1/feedback", data={"entry": "withdrawn-meanwhile", "type": "report",
                                                              "text": CRISIS_REPORT}, follow_redirects=False)
    assert gone.status_code == 404 and re.search(ALARM_BOX, gone.text, re.S) and "返回答复" not in gone.text


@pytest.mark.parametrize("question", ["我", "怎么办", "请问"])
def test_a_question_naming_nothing_asks_what_the_matter_is(client, question):
    page = client.get("/", params={"q": question}).text
    assert "请写下您要问的具体事情" in page and "换个说法" not in page
    assert client.get("/api/v1/search", params={"q": question}).json()["vague"] is True
    assert "vague" not in client.get("/api/v1/search", params={"q": "xyzzy"}).json()


def test_no_results_and_bad_queries(client):
    assert "没有找到相关答复。请换个说法再试" in client.get("/", params={"q": "xyzzy"}).text
    # Words nothing mentions: no other wording would find them, so the citizen is not asked for one.
    page = client.get("/", params={"q": "量子引力弦论"}).text
    assert "没有找到关于“量子”、“引力”、“弦论”的答复。如需咨询，请拨打" in page and "换个说法" not in page
    # A character typed again and again is quoted as typed, not as much of it as the segmenter reads.
    assert "没有找到关于“啊啊啊啊啊”的答复" in client.get("/", params={"q": "啊啊啊啊啊"}).text
    r = client.get("/", params={"q": "居" * 300})
    assert r.status_code == 200 and "查询内容过长" in r.text and 'aria-invalid="true"' in r.text


def test_someone_in_danger_is_not_asked_to_reword_the_search(client):
    page = client.get("/", params={"q": "救命"}).text
    assert 'class="alarm"' in page and "tel:110" in page
    assert "换个说法" not in page and "没有找到" not in page


def test_feedback_on_an_answer_gone_meanwhile_is_a_page(client):
    r = client.post("/api/v1/feedback", data={"entry": "withdrawn-meanwhile", "type": "vote", "helpful": "true"},
                    follow_redirects=False)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text and '"error"' not in r.text
    assert client.post("/api/v1/feedback", json={"entry": "withdrawn-meanwhile", "type": "vote",
                                                 "helpful": True}).json()["error"]["code"] == "not_found"


def test_a_topic_without_results_offers_all_topics(client):
    assert re.search(r"找到 \d+ 条相关结果", client.get("/", params={"q": "暖气"}).text)
    r = client.get("/", params={"q": "暖气", "topic": "社保"})
    page = check_page(r)
    assert "“社保”主题中没有找到相关答复" in r.text and "/?q=%E6%9A%96%E6%B0%94" in page.links
    assert "换个说法" not in r.text and "tel:12345" in page.links
    # A report (暖气不热) says where to report it, and still that the answers may be under another topic.
    r = client.get("/", params={"q": "暖气不热", "topic": "社保"})
    assert "要反映这个问题" in r.text and "“社保”主题中没有找到相关答复" in r.text


def test_a_topic_chosen_without_a_question_lists_its_answers(client):
    r = client.get("/", params={"q": "", "topic": "供暖"})
    page = check_page(r)
    assert "请先写下" not in r.text and "“供暖”的全部答复（" in r.text
    assert "/answers/heating-fee-payment" in page.links and "/answers/heating-season-dates" in page.links
    assert "/answers/heating-peak-season-internal" not in page.links          # internal: never listed
    assert "/answers/sscard-reissue" not in page.links                          # another topic's
    assert '<option value="供暖" selected>' in r.text
    # All topics and no question is still asked for one; so is a topic that does not exist.
    assert "请先写下您想问的问题" in client.get("/", params={"q": "", "topic": ""}).text
    assert "请先写下您想问的问题" in client.get("/", params={"q": "", "topic": "不存在的主题"}).text
    assert "请先写下" not in client.get("/", params={"topic": "不存在的主题"}).text      # an old address: the home page


def test_an_unknown_topic_is_said_so_and_the_search_runs_over_all(client):
    r = client.get("/", params={"q": "申请", "topic": "不存在的主题"})
    assert "没有“不存在的主题”这个主题，已在全部主题中查询。" in r.text and "找到" in r.text
    assert "topic=" not in re.search(r'<ol class="results".*?</ol>', r.text, re.S).group(0)
    assert "这个主题" not in client.get("/", params={"q": "申请", "topic": "民政"}).text


def test_a_question_too_long_is_said_so_and_stays_whole_for_shortening(client):
    """The box never cuts a pasted question silently (the question is often at its end): the page
    says how long it is, and the box keeps all of it for the citizen to shorten."""
    home = client.get("/").text
    assert "maxlength" not in re.search(r'<input id="q"[^>]*>', home).group(0) and "200 字以内" in home
    told = "我家住在新华街道幸福小区三号楼，" * 15 + "暖气不热应该找谁报修"
    r = client.get("/", params={"q": told})
    assert f"查询内容过长：最多 200 个字（现在 {len(told)} 个字）" in r.text
    # in a box of several lines, where it can be shortened on a phone
    assert re.search(r'<textarea id="q" name="q" rows="6" aria-invalid="true" aria-describedby="q-problem">'
                     + re.escape(told) + "</textarea>", r.text)
    assert 'class="alarm"' not in r.text
    # a distressed message pasted whole is still read for an emergency: the line to call comes first
    r = client.get("/", params={"q": "我家住在新华街道幸福小区三号楼，" * 13 + "楼下着火了快来人"})
    assert "查询内容过长" in r.text and r.text.index('class="alarm"') < r.text.index("查询内容过长")
    assert 'href="tel:119"' in r.text
    # another message of the same length is its own page: neither its words nor the alarm come from the first
    other = client.get("/", params={"q": "我家住在新华街道幸福小区四号楼，" * 13 + "暖气不热怎么报修"}).text
    assert "四号楼" in other and "三号楼" not in other and 'class="alarm"' not in other
    assert client.get("/", params={"q": "x", "page": "abc"}).status_code == 200


def test_answer_page(client):
    r = client.get(f"/answers/{PUBLIC}")
    page = check_page(r)
    assert "<h1>居住证如何申领</h1>" in r.text and "示例市公安局" in r.text
    # Written as the footer writes its date: 2026年12月3日, not 2026年12月03日.
    assert re.search(r"最近核对：20\d\d年[1-9]\d?月[1-9]\d?日<", r.text)
    assert "内部提示" not in r.text
    actions = {f["action"] for f in page.forms}
    assert actions == {"/feedback"} and all(f["method"] == "post" for f in page.forms)
    assert "report-text" in page.ids and "report-contact" not in page.ids     # no contact is asked for
    cited = client.get("/answers/heating-not-warm-repair")
    assert any(link.startswith("/articles/") for link in Page(cited.text).links)


def test_a_helpful_vote_carries_the_question_the_answer_was_found_by(web_kb, make_client):
    """Search, open the first answer, vote helpful: the vote keeps the (masked) question, and three
    browsers finding the same answer by the same new phrasing make a suggested question for its unit."""
    from kb_app.usage import suggest

    question = "外地人在本市上班，暂住的证件去哪办"
    for n in range(3):
        client = make_client(web_kb, address=f"198.51.100.{n + 1}")    # three citizens: one address votes once a day
        results = Page(client.get("/", params={"q": question}).text)
        link = next(a for a in results.links if a.startswith(f"/answers/{PUBLIC}?"))
        answer = client.get(link).text
        assert f'<a href="/?q={link.split("?q=")[1]}">返回查询结果</a>' in answer
        vote_form = re.search(r'<form class="vote".*?</form>', answer, re.S).group(0)
        hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
        assert hidden == {"entry": PUBLIC, "type": "vote", "query": question}
        r = client.post("/api/v1/feedback", data={**hidden, "helpful": "true"}, follow_redirects=False)
        assert r.headers["location"] == f"/answers/{PUBLIC}?{urlencode({'feedback': 'thanks', 'q': question})}#feedback"
        thanked = client.get(r.headers["location"].split("#")[0]).text
        assert "感谢您的评价" in thanked and '<form class="vote"' not in thanked  # voted: no second vote offered
        assert f'<a href="/?q={link.split("?q=")[1]}">返回查询结果</a>' in thanked  # the results are a click away
    votes = list(web_kb.db()["votes"].rows)
    assert [v["query"] for v in votes] == [question] * 3 and all(v["search"] is None for v in votes)
    (s,) = [s for s in suggest.suggestions(web_kb) if s.entry == PUBLIC]
    assert (s.phrasing, s.evidence, s.helpful_votes) == (question, 3, 3)


def test_the_way_back_keeps_the_topic_and_the_page_of_the_results(client):
    """From the second page of results: an answer, one of its articles, the next article and a vote all lead
    back to the same page; from results in a topic, back to that topic."""
    in_topic = {"q": "申请", "topic": "住房"}
    link = next(a for a in check_page(client.get("/", params=in_topic)).links if a.startswith("/answers/"))
    assert f"/?{urlencode(in_topic)}" in check_page(client.get(link)).links
    search = {"q": "申请", "page": 2}
    results = check_page(client.get("/", params=search))
    back = f"/?{urlencode(search)}"
    answer_link = next(a for a in results.links if a.startswith("/answers/"))
    assert answer_link.endswith(f"?{urlencode(search)}")
    answer = check_page(client.get(answer_link))
    assert back in answer.links
    # On to the articles the answer rests on, and their neighbours: still the same way back.
    article_link = next((a for a in answer.links if a.startswith("/articles/")), None)
    if article_link is None:          # this answer cites no article: take one that does
        article_link = next(a for a in check_page(client.get(f"/answers/hotline-not-accepted?{urlencode(search)}")).links
                            if a.startswith("/articles/"))
    article = check_page(client.get(article_link))
    assert back in article.links
    neighbour = next(a for a in article.links if a.startswith("/articles/") and a != article_link)
    assert back in check_page(client.get(neighbour)).links
    # A vote keeps it too.
    vote_form = re.search(r'<form class="vote".*?</form>', client.get(answer_link).text, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    assert (hidden["query"], hidden["page"], "topic" in hidden) == ("申请", "2", False)
    r = client.post("/api/v1/feedback", data={**hidden, "helpful": "true"}, follow_redirects=False)
    assert r.headers["location"].endswith(f"?{urlencode({'feedback': 'thanks', **search})}#feedback")
    assert back in check_page(client.get(r.headers["location"].split("#")[0])).links
    # Without a question there is no way back to results, only to the search (another session's page: this
    # one's says it has voted, for this session only).
    client.cookies.delete("kb_voted")
    assert "/" in check_page(client.get(answer_link.split("?")[0])).links


def test_the_question_on_an_answer_page_is_a_search_question(client, web_kb):
    """What ``q`` may carry onto a vote: masked text of search length, never markup; a vote message drops it."""
    page = client.get(f"/answers/{PUBLIC}", params={"q": '"><script>alert(1)</script>居住证'})
    assert "<script>" not in page.text
    assert 'name="query"' not in client.get(f"/answers/{PUBLIC}", params={"q": "居" * 201}).text
    assert 'name="query"' not in client.get(f"/answers/{PUBLIC}", params={"q": " "}).text
    thanked = client.get(f"/answers/{PUBLIC}", params={"q": "居住证", "feedback": "thanks"}).text
    assert '<form class="vote"' not in thanked and '<a href="/?q=%E5%B1%85%E4%BD%8F%E8%AF%81">返回查询结果</a>' in thanked
    r = client.post("/api/v1/feedback", json={"entry": PUBLIC, "type": "vote", "helpful": True,
                                              "query": "我的电话13812345678，居住证怎么办"})
    assert r.status_code == 201
    (vote,) = list(web_kb.db()["votes"].rows)
    assert "13812345678" not in vote["query"] and "[手机号]" in vote["query"]
    error_of(client.post("/api/v1/feedback", json={"entry": "sscard-reissue", "type": "vote", "helpful": True,
                                                    "query": ["x"]}), 400, "invalid_parameter")


def test_an_article_page_takes_a_helpful_vote_with_its_question(client, web_kb):
    """Articles found on the site can be voted on, carrying the question: evidence for a common
    question (常见问法) that the center may add; a report is refused, a vote goes back to the article."""
    results = Page(client.get("/", params={"q": "打热线骂人会怎么样"}).text)
    link = next(a for a in results.links if a.startswith("/articles/"))
    page = client.get(link)
    check_page(page)
    vote_form = re.search(r'<form class="vote".*?</form>', page.text, re.S).group(0)
    hidden = {a["name"]: a["value"] for t, a in Page(vote_form).tags if t == "input"}
    article_id = hidden["entry"]
    assert hidden == {"entry": article_id, "type": "vote", "query": "打热线骂人会怎么样"} and "/" in article_id
    r = client.post("/api/v1/feedback", data={**hidden, "helpful": "true"}, follow_redirects=False)
    article_path = link.split("?")[0]
    assert r.headers["location"] == f"{article_path}?{urlencode({'feedback': 'thanks', 'q': '打热线骂人会怎么样'})}#feedback"
    thanked = client.get(r.headers["location"].split("#")[0]).text
    assert "感谢您的评价" in thanked and "返回查询结果" in thanked and '<form class="vote"' not in thanked
    (vote,) = list(web_kb.db()["votes"].rows)
    assert (vote["entry"], vote["unit"], vote["query"], vote["helpful"]) == (article_id, "hotline-center",
                                                                              "打热线骂人会怎么样", 1)
    error_of(client.post("/api/v1/feedback", json={"entry": article_id, "type": "report", "text": "条文有误"}),
             400, "invalid_report")
    error_of(client.post("/api/v1/feedback", json={"entry": "beijing-2021/999", "type": "vote", "helpful": True}),
             404, "not_found")


def test_answer_page_messages_after_feedback(client):
    assert "感谢您的评价" in client.get(f"/answers/{PUBLIC}", params={"feedback": "thanks"}).text
    assert "已收到您的报告" in client.get(f"/answers/{PUBLIC}", params={"feedback": "reported"}).text
    assert "感谢" not in client.get(f"/answers/{PUBLIC}", params={"feedback": "<script>"}).text


@pytest.mark.parametrize("entry_id", [INTERNAL, EXPIRED, PENDING, DIRECTORY, "no-such-entry"])
def test_hidden_answers_are_the_same_404_page(client, entry_id):
    r = client.get(f"/answers/{entry_id}")
    assert r.status_code == 404 and "未找到该答复" in r.text and '<html lang="zh-CN">' in r.text
    assert r.text == client.get("/answers/no-such-entry").text


def test_article_page(client):
    r = client.get("/articles/beijing-2021/11")
    page = check_page(r)
    assert "北京市接诉即办工作条例 第十一条" in r.text
    assert "/articles/beijing-2021/10" in page.links and "/articles/beijing-2021/12" in page.links
    assert client.get("/articles/beijing-2021/999").status_code == 404


def test_an_unknown_address_is_a_plain_not_found_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "<h1>未找到</h1>" in r.text
    assert "没有这个页面：请检查网址，或回到首页查询。" in r.text and "返回查询页" in r.text


def test_browse_lists_public_answers_only(client, web_kb):
    r = client.get("/browse")
    page = check_page(r)
    answers = {link.rsplit("/", 1)[1] for link in page.links if link.startswith("/answers/")}
    day = web_kb.today()
    assert answers == {e.id for e in web_kb.snapshot().policies() if e.is_public_on(day)}
    assert "/articles/beijing-2021/1" in page.links


def test_hostile_content_is_escaped(client, web_kb):
    path = web_kb.settings.root / "entries/policy/city-hrss/hostile-entry.md"
    meta = {"id": "hostile-entry", "kind": "policy", "title": "<img src=x onerror=alert(1)>标题",
            "unit": "city-hrss",
            "audience": "public", "category": ["<b>就业</b>"], "questions": ["恶意内容测试"]}
    body = "正文<script>alert(2)</script>[点我](javascript:alert(3))<!-- 内部注释 -->\n"
    path.write_text(frontmatter.dump(meta, body), encoding="utf-8")
    commit_all(web_kb.settings.root, "hostile")
    for url in ("/answers/hostile-entry", "/?q=恶意内容测试", "/browse"):
        text = client.get(url).text
        assert "<img src=x" not in text and "<script>alert" not in text and "javascript:" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;标题" in text
    assert "内部注释" not in client.get("/answers/hostile-entry").text


def test_stylesheet_and_robots(client):
    css = client.get("/static/site.css")
    assert css.status_code == 200 and ":focus-visible" in css.text and "@media print" in css.text
    assert "immutable" in css.headers["cache-control"]
    assert "Disallow: /api/" in client.get("/robots.txt").text


def test_pages_are_rate_limited_per_address(web_kb, make_client, frozen_buckets):
    from .conftest import kb_with

    client = make_client(kb_with(web_kb, web_rate_anonymous=10))
    statuses = [client.get("/", params={"q": "居住证"}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    r = client.get("/")
    assert r.status_code == 429 and "请求过于频繁" in r.text and r.headers["retry-after"]
    # A question refused for coming too often that reads as an emergency still gets the line to call, first.
    r = client.get("/", params={"q": "楼下着火了快来人"})
    assert r.status_code == 429 and "请求过于频繁" in r.text
    assert r.text.index('class="alarm"') < r.text.index("请求过于频繁") and 'href="tel:119"' in r.text
    assert 'class="alarm"' not in client.get("/", params={"q": "居住证"}).text


# -- safety checks of the app's former public pages, on the public site ---------------------------------

HOSTILE = """---
id: hostile-answer
kind: policy
title: 含有危险标记的答复
unit: city-civil-affairs
audience: public
category: [民政]
regions: [全市]
keywords: [测试]
basis:
  - {regulation: beijing-2021, article: 31}
---
正文开始。

<script>alert('script')</script>
<img src="x" onerror="alert('img')">
[点这里](javascript:alert('link'))
<div style="position:fixed;inset:0" onclick="alert('div')">原始 HTML <b>粗体</b></div>
<iframe src="https://evil.example/"></iframe>
<form action="https://evil.example/"><input name="pw"></form>

正文结束。
"""
ACTIVE = re.compile(r"<script|<img|<iframe|<input name=\"pw|\son\w+\s*=|javascript:|style=|alert|evil\.example",
                    re.I)


def add_hostile_answer(root):
    (root / "entries/policy/city-civil-affairs/hostile-answer.md").write_text(HOSTILE, encoding="utf-8")
    commit_all(root, "hostile answer")


def article_body(text):
    return text[text.index("<article"):text.index("</article>")]


def test_hostile_answer_body_is_rendered_harmless(client, web_kb):
    add_hostile_answer(web_kb.settings.root)
    r = client.get("/answers/hostile-answer")
    body = article_body(r.text)
    assert "正文开始" in body and "正文结束" in body and "<b>粗体</b>" in body
    assert ACTIVE.search(body) is None, ACTIVE.search(body)


def test_hostile_query_is_shown_as_text(client):
    q = '"<script>alert(1)</script> AND OR (( [x](javascript:1) *:* $$'
    r = client.get("/", params={"q": q})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_answer_lists_documents_as_text_and_hides_agent_notes(client, web_kb):
    entry = web_kb.entry("dibao-apply")
    assert "急难" in entry.agent_notes
    r = client.get("/answers/dibao-apply")
    assert "示民发〔2025〕30号" in r.text and "《社会救助暂行办法》" in r.text
    assert "内部提示" not in r.text and "急难" not in r.text


@pytest.mark.parametrize("entry_id", [INTERNAL, EXPIRED, PENDING, DIRECTORY, "no-such-entry"])
def test_opening_a_hidden_answer_logs_nothing(client, web_kb, entry_id):
    from .conftest import site

    client.get(f"/answers/{entry_id}")
    site(client).events.flush()
    assert [r for r in web_kb.db()["search_log"].rows if r["opened"]] == []


def test_an_answer_awaiting_recheck_tells_the_public_without_the_detail(web_kb, make_client):
    from kb_app.review import reverify
    from kb_app.review.impact import analyse
    from kb_app.content.model import Snapshot

    from ..review.test_impact import REG, amend

    base = web_kb.snapshot()
    impact = analyse(base, Snapshot({**base.files, REG: amend(base.files[REG])}))
    reverify.flag_entries(web_kb, impact, base.commit)
    flagged = next(c for c in impact.impacted
                   if c.kind == "policy" and base.entries[c.entry_id].is_public_on(web_kb.today()))
    client = make_client(web_kb)  # flagged before the site starts: its readers keep flags a short while
    text = client.get(f"/answers/{flagged.entry_id}").text
    assert "承办单位正在复核" in text and "依据已变更" not in text


def test_an_answer_stating_a_changed_time_limit_tells_the_public_the_limit_now(web_kb, make_client):
    """3wd became 2个工作日: until its unit re-checks the answer, the public reads that 3个工作日 is now 2个工作日,
    rather than a notice that something changed somewhere."""
    from kb_app.review import reverify
    from kb_app.review.impact import analyse

    from ..conftest import commit_all

    base = web_kb.snapshot()
    limits = web_kb.settings.root / "regulations" / "time_limits.yaml"
    limits.write_text(limits.read_text(encoding="utf-8").replace("amount: 3\n", "amount: 2\n", 1)
                      .replace("name: 3个工作日", "name: 2个工作日", 1), encoding="utf-8")
    commit_all(web_kb.settings.root, "一般诉求改为2个工作日")
    head = web_kb.snapshot()
    reverify.flag_entries(web_kb, analyse(base, head), head.commit)
    client = make_client(web_kb)
    text = client.get("/answers/hotline-time-limits").text
    assert "其中办理时限已调整：答复中的“3个工作日”现为“2个工作日”，以调整后的时限为准" in text
    assert "档位" not in text and "3wd" not in text
    shown = client.get("/api/v1/entries/hotline-time-limits").json()
    assert shown["rechecking"] is True and "现为“2个工作日”" in shown["notice"]
    # staff read the same: the limit now, not the tier's id
    staff = web_kb.reader(staff=True, flags={e: f.detail for e, f in web_kb.flags().items()})
    said = staff.rechecking_said(staff.entry("hotline-time-limits"))
    assert "答复写明的时限“3个工作日”已变更，现为“2个工作日”" in said and "3wd" not in said


def test_the_site_has_its_own_icon(client):
    page = client.get("/").text
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    svg = client.get(link)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and "immutable" in svg.headers["cache-control"]
    png = client.get("/favicon.ico")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_answers_without_a_category_have_the_topic_other_in_the_list_and_the_filter(web_kb, make_client):
    """An answer published with a title and body only is listed under 其他 and found by choosing 其他,
    which comes last among the topics; other topics leave it out."""
    web_kb.store.write_change("main", {"entries/policy/city-hrss/tea-subsidy.md": (
        "---\nid: tea-subsidy\nkind: policy\ntitle: 茶园补贴怎么申请\nunit: city-hrss\naudience: public\n---\n"
        "茶园补贴向所在区农业农村局申请。\n")}, "新增答复")
    client = make_client(web_kb)
    home = client.get("/", params={"q": "茶园补贴"})
    topics = [a.get("value") for t, a in check_page(home).tags if t == "option"]
    assert topics[-1] == "其他" and topics.count("其他") == 1
    other = client.get("/", params={"q": "茶园补贴", "topic": "其他"}).text
    assert "/answers/tea-subsidy" in other and '<option value="其他" selected>' in other
    assert not re.search(r'href="/articles/', re.search(r'<ol class="results".*?</ol>', other, re.S).group(0))
    assert "/answers/tea-subsidy" not in client.get("/", params={"q": "茶园补贴", "topic": "社保"}).text
    browse = client.get("/browse").text
    headings = re.findall(r'<h2 id="topic-\d+">(.*?)</h2>', browse)
    assert headings[-1] == "其他" and browse.index("茶园补贴怎么申请") > browse.index('>其他</h2>')


@pytest.mark.parametrize("page, pages, shown", [
    (1, 2, [1, 2]), (1, 9, [1, 2, 3, None, 9]), (5, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    (10, 20, [1, None, 8, 9, 10, 11, 12, None, 20]), (20, 20, [1, None, 18, 19, 20]), (4, 6, [1, 2, 3, 4, 5, 6])])
def test_the_pager_numbers_the_first_last_and_nearby_pages(page, pages, shown):
    from kb_app.web import views

    assert views.page_window(page, pages) == shown


def test_loosely_related_results_are_folded_under_the_close_ones(client):
    """社保卡丢了怎么补办: two answers about lost cards, then six sharing a word or two, one click away."""
    page = client.get("/", params={"q": "社保卡丢了怎么补办"}).text
    assert "找到 2 条相关结果，另有 6 条关系较远" in page
    close, _fold, loose = page.partition('<details class="looser"><summary>关系较远的结果（6 条）</summary>')
    assert "/answers/sscard-reissue?" in close and "/answers/id-card-reissue?" in close
    assert "/answers/medical-outpatient-reimbursement?" in loose and '<ol class="results" start="3">' in loose
    body = client.get("/api/v1/search", params={"q": "社保卡丢了怎么补办"}).json()
    assert body["close"] == 2 and [h.get("loose", False) for h in body["hits"]][:3] == [False, False, True]
    # A question that finds one answer has nothing to fold.
    one = client.get("/", params={"q": "失业金怎么领"}).text
    assert "找到 1 条相关结果<" in one and 'class="looser"' not in one


def test_topics_are_listed_in_pinyin_order(client):
    """As a reader looks a topic up: 城管 供电 供暖 … 住房, not in the order of the characters' codes (交通 住房 供暖 …)."""
    from kb_app.web.views import reading_order

    assert sorted(["住房", "交通", "供暖", "城管", "税务"], key=reading_order) == ["城管", "供暖", "交通", "税务", "住房"]
    html = client.get("/browse").text
    at = [html.index(f">{t}<") for t in ("城管", "供暖", "交通", "住房") if f">{t}<" in html]
    assert len(at) == 4 and at == sorted(at)
