"""Parse and write Markdown files with a YAML front-matter block."""

from __future__ import annotations

import re
import sys

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: about 10× faster


class Loader(_BASE):
    """SafeLoader whose impossible dates (2026-13-45) stay strings, so validation can name them, and
    which refuses a key written twice in one mapping (YAML would keep the second silently: a second
    ``pairs:`` under an event would drop the first list without a word)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"字段“{key_node.value}”写了两次，后一处会悄悄覆盖前一处：请合并成一处",
                            key_node.start_mark)
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)


def load(text: str):
    """yaml.safe_load with lenient dates."""
    return yaml.load(text, Loader=Loader)


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


class FrontMatterError(ValueError):
    """The front matter cannot be read; ``line`` is 1-based in the whole file."""

    def __init__(self, message, line=1):
        super().__init__(message)
        self.line = line


def _front(text: str) -> tuple[str, int]:
    """(yaml_text, where the body starts in ``text``); raise FrontMatterError when absent."""
    bom = len(text) - len(text.lstrip("\ufeff"))
    m = FRONT_MATTER.match(text[bom:] if bom else text)
    if not m:
        raise FrontMatterError("文件开头缺少以 --- 包围的前置信息（front matter）", 1)
    return m.group(1), bom + m.end()


def split(text: str) -> tuple[str, str, int]:
    """Return (yaml_text, body, body_first_line); raise FrontMatterError when absent."""
    raw, start = _front(text)
    return raw, text[start:], text[:start].count("\n") + 1



#: What the YAML parser's problems mean, for the person who wrote the file (its English otherwise).
_YAML_PROBLEMS = [
    (re.compile(r"mapping values are not allowed"), "这里不能再有“: ”：值里有冒号时，请给整个值加引号"),
    (re.compile(r"could not find expected ':'"), "缺少字段名后的“: ”（冒号和一个空格）"),
    (re.compile(r"found character '\\t'|tab character"), "含有制表符（Tab）：请改用空格缩进"),
    (re.compile(r"did not find expected '-' indicator"), "列表项的缩进不一致：同一列表的“- ”应上下对齐"),
    (re.compile(r"did not find expected key|expected <block end>"), "缩进不一致：同一层的字段应上下对齐"),
    (re.compile(r"found unexpected end of stream|found unknown escape|while scanning a quoted"),
     "引号没有配对：请检查值两端的引号"),
    (re.compile(r"found undefined alias|found character '[*&]'|did not find expected alphabetic"),
     "以“*”或“&”开头的值有特殊含义：请给值加引号"),
    (re.compile(r"found character '(.)' that cannot start any token"),
     "以“{0}”开头的值有特殊含义：请给值加引号"),
    (re.compile(r"that cannot start any token"), "以“@”“`”等符号开头的值有特殊含义：请给值加引号"),
    (re.compile(r"found duplicate key"), "同一个字段写了两次：请删去一个"),
]


def yaml_problem(error: Exception) -> str:
    """The YAML parser's problem said in Chinese where it is a common one (its own words otherwise)."""
    problem = getattr(error, "problem", None) or str(error)
    for pattern, said in _YAML_PROBLEMS:
        if m := pattern.search(problem):
            return said.format(*m.groups())
    return problem if re.search("[\u4e00-\u9fff]", problem) else f"YAML 解析器：{problem}"

def parse(text: str) -> tuple[dict, str, dict[str, int]]:
    """Return (meta, body, lines) where lines maps each top-level key to its 1-based line."""
    meta, start, lines = parse_at(text)
    return meta, text[start:], lines


def parse_at(text: str) -> tuple[dict, int, dict[str, int]]:
    """Return (meta, start, lines): like :func:`parse`, with where the body starts in ``text``.

    The keys of the front matter (and short ASCII values: ids, units, kinds, dates written as text)
    are interned, so thousands of entries share one copy of each.
    """
    raw, start = _front(text)
    try:
        loader = Loader(raw)  # one pass gives both the node (for line numbers) and the data
        try:
            node = loader.get_single_node()
            meta = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        raise FrontMatterError(f"前置信息不是合法的 YAML（{yaml_problem(e)}）", line)
    if meta is None:
        meta, node = {}, None
    if not isinstance(meta, dict):
        raise FrontMatterError("前置信息应为“字段: 值”的映射", 2)
    lines = ()
    if node is not None:
        lines = tuple((sys.intern(str(key_node.value)), key_node.start_mark.line + 2) for key_node, _value in node.value)
    return _interned(meta), start, _shared_lines(lines)


#: Files written from one template put their keys on the same lines: one dict serves them all.
_LINES: dict[tuple, dict[str, int]] = {}


def _shared_lines(lines: tuple) -> dict[str, int]:
    """The (read-only) key -> line mapping for ``lines``, one object per distinct layout."""
    found = _LINES.get(lines)
    if found is None:
        found = dict(lines)
        if len(_LINES) < 10_000:
            _LINES[lines] = found
    return found


def _interned(value):
    """``value`` with its mapping keys and short strings interned (the same value, less memory).

    Ids, units, kinds, dates written as text, keywords, categories and regions recur across
    thousands of entries; interned, they share one copy each.
    """
    if isinstance(value, dict):
        return {_interned(k): _interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if type(value) is str and len(value) <= 24:
        return sys.intern(value)
    return value


def meta_or_empty(text: str | None) -> dict:
    """The front matter of a file, or {} when it is absent or unreadable (for diffs and policies)."""
    if not text:
        return {}
    try:
        return parse(text)[0]
    except FrontMatterError:
        return {}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump(meta: dict, body: str) -> str:
    """Serialise meta and body back into a Markdown file."""
    raw = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    body = body if body.endswith("\n") or not body else body + "\n"
    return f"---\n{raw}---\n{body}"
