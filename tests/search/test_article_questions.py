"""Common questions (常见问法) of regulation articles: read, validated, searched, and not a text change."""

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.content import frontmatter
from kb_app.content.model import Snapshot, parse_regulation
from kb_app.review.impact import analyse, compare_articles

from ..conftest import commit_all

REG = "regulations/texts/baoding-2022.md"
QUESTION = "为什么各种事情都只打一个电话号码"


def with_questions(text: str, questions) -> str:
    """The regulation text with its ``questions`` front matter replaced (removed when None)."""
    meta, body, _ = frontmatter.parse(text)
    meta.pop("questions", None)
    if questions is not None:
        meta["questions"] = questions
    return frontmatter.dump(meta, body)


def set_questions(root, questions):
    path = root / REG
    path.write_text(with_questions(path.read_text(encoding="utf-8"), questions), encoding="utf-8")


def article_ids(results):
    return [h.id for h in results.hits if h.kind == "article"]


def test_numbers_may_be_written_as_integers_or_numerals(sample_root):
    text = with_questions((sample_root / REG).read_text(encoding="utf-8"),
                          {4: [" 一号对外是什么意思 ", ""], "五": ["热线工作机构做什么"], "第六条": ["谁来考核"],
                           "第九十九条": ["没有这一条"], "x": ["读不出条号"], 7: "不是列表"})
    reg = parse_regulation(REG, text)
    assert reg.articles[4].questions == ("一号对外是什么意思",)
    assert reg.articles[5].questions == ("热线工作机构做什么",)
    assert reg.articles[6].questions == ("谁来考核",)
    assert reg.articles[7].questions == reg.articles[8].questions == ()


@pytest.mark.parametrize("questions, expected", [
    (["热线归谁管"], "字段 questions：应为“条号: 问法列表”的映射"),
    ({99: ["热线归谁管"]}, "字段 questions：本条例没有第九十九条。修改方法：改为正文中已有的条号，或删除这一项。"),
    ({"甲": ["热线归谁管"]}, "字段 questions：“甲”不是条号"),
    ({4: "一号对外"}, "字段 questions：第四条的问法应为非空文字的列表"),
    ({4: ["一号对外", ""]}, "字段 questions：第四条的问法应为非空文字的列表"),
])
def test_unreadable_questions_are_named_precisely(sample_root, questions, expected):
    set_questions(sample_root, questions)
    result = CliRunner().invoke(cli, ["validate", "--root", str(sample_root)])
    assert result.exit_code == 1
    assert f"{REG}:" in result.output and expected in result.output, result.output


def test_an_article_is_found_by_its_common_question_once_published(kb):
    set_questions(kb.settings.root, None)
    commit_all(kb.settings.root, "no questions")
    before = article_ids(kb.search(QUESTION, limit=10))
    assert before[:1] != ["baoding-2022/4"]

    set_questions(kb.settings.root, {4: [QUESTION, "全市统一一个热线号码吗"]})
    commit_all(kb.settings.root, "questions for article 4")
    for audience in ("public", "agent"):
        results = kb.search("为啥各种事情都打同一个电话号码", audience=audience, limit=10)
        assert results.hits[0].id == "baoding-2022/4", [h.id for h in results.hits]
    assert kb.search("统一一个热线号码", kind="article", limit=1).hits[0].id == "baoding-2022/4"


def test_changing_questions_is_not_a_change_of_the_article(kb):
    base = kb.snapshot()
    files = dict(base.files)
    files[REG] = with_questions(files[REG], {4: [QUESTION], 19: ["热线诉求几天办完"]})
    head = Snapshot(files)
    changes = compare_articles(base.regulations["baoding-2022"], head.regulations["baoding-2022"])
    assert {c.status for c in changes} == {"unchanged"}
    assert analyse(base, head).empty
    assert head.regulations["baoding-2022"].articles[19].questions == ("热线诉求几天办完",)
