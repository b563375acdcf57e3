import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_app.content import frontmatter


def test_parse_returns_meta_body_and_lines():
    meta, body, lines = frontmatter.parse("---\nid: a-b\ntitle: 标题\nkeywords: [甲, 乙]\n---\n正文\n")
    assert meta == {"id": "a-b", "title": "标题", "keywords": ["甲", "乙"]}
    assert body == "正文\n"
    assert lines == {"id": 2, "title": 3, "keywords": 4}


@pytest.mark.parametrize("text, line", [("no front matter", 1), ("---\nid: [\n---\nx", 3), ("---\n- a\n---\nx", 2)])
def test_parse_errors_carry_a_line(text, line):
    with pytest.raises(frontmatter.FrontMatterError) as e:
        frontmatter.parse(text)
    assert e.value.line == line


# Control characters and YAML's own line breaks (NEL, LS, PS) are not content people write.
chars = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85")
keys = st.sampled_from(["id", "title", "unit", "agent_notes", "keywords"])
values = st.one_of(st.text(chars, min_size=1, max_size=30), st.lists(st.text(chars, min_size=1, max_size=8), max_size=4))


@given(st.dictionaries(keys, values, min_size=1), st.text(chars, max_size=200))
def test_dump_parse_round_trip(meta, body):
    body = body.replace("\r", "")
    text = frontmatter.dump(meta, body)
    parsed, parsed_body, _ = frontmatter.parse(text)
    assert parsed == meta
    assert parsed_body.rstrip("\n") == body.rstrip("\n")


def test_files_of_one_layout_share_their_line_numbers_and_short_values():
    one = frontmatter.parse_at("---\nid: a\ntitle: 社保卡补办\ncategory: [社会保障]\n---\n正文\n")
    two = frontmatter.parse_at("---\nid: b\ntitle: 居住证办理\ncategory: [社会保障]\n---\n正文\n")
    assert one[2] == {"id": 2, "title": 3, "category": 4} and one[2] is two[2]
    assert one[0]["category"][0] is two[0]["category"][0]


@pytest.mark.parametrize("front, said", [
    ("title: 时间: 九点", "值里有冒号时，请给整个值加引号"),
    ("title: a\n\tid: b", "含有制表符（Tab）：请改用空格缩进"),
    ("title: \"abc", "引号没有配对"),
    ("questions:\n  - a\n - b", "缩进不一致"),
    ("title: @abc", "开头的值有特殊含义：请给值加引号"),
    ("title: *abc", "以“*”或“&”开头的值有特殊含义"),
])
def test_yaml_mistakes_are_explained_in_chinese(front, said):
    with pytest.raises(frontmatter.FrontMatterError) as e:
        frontmatter.parse(f"---\n{front}\n---\n正文\n")
    assert said in str(e.value) and not re.search("[a-z]{4,}", str(e.value))   # none of the parser's English
