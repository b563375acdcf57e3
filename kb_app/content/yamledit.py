"""Round-trip edits of a file's YAML front matter: the fields that change change, nothing else does.

People write these files by hand, with comments, their own order and their own quoting. Saving a
form must not rewrite what the author did not touch, or every review diff is noise. :func:`update`
composes the front matter with PyYAML (which records where each node starts and ends) and splices
new text in only where a value differs:

* a scalar is replaced in place, in the style it was written in (plain, quoted, ``|`` block);
* a block list keeps the text of every item that is still there (with its comments) and only
  adds, removes or rewrites the items that differ; a one-for-one change of a mapping item (one
  ``article:`` number in ``basis``) edits just that value;
* mappings (the top level, ``facts``) are edited key by key: a removed key goes with the comment
  lines directly above it, a new key is inserted after the key that precedes it in ``order``;
* flow collections (``[a, b]``, ``{k: v}``) whose items change in number are rewritten in flow style.

The result is parsed again and must equal the intended front matter; if an unusual layout defeats
the splicing, the front matter is written out whole instead (correct, if less tidy).
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging

import yaml

from . import frontmatter

log = logging.getLogger(__name__)

#: A value in ``changes`` meaning "remove this field".
DELETE = object()
_WIDE = 10 ** 6


def update(text: str, changes: dict, body: str | None = None, order=None) -> str:
    """The file with the front-matter ``changes`` applied (``DELETE`` removes a field) and ``body`` if given.

    ``order`` is the preferred order of fields: a new field goes after the nearest field before it
    in that order (at the end when there is none).
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    raw, old_body, _ = frontmatter.split(text)
    old = frontmatter.load(raw) or {}
    new = dict(old)
    for key, value in changes.items():
        if value is DELETE:
            new.pop(key, None)
        else:
            new[key] = value
    body = old_body if body is None else body
    if same(old, new):
        new_raw = raw
    else:
        new_raw = _splice(raw, old, new, list(order or new))
    body = body if body.endswith("\n") or not body else body + "\n"
    return f"---\n{new_raw}---\n{body}"


def same(a, b) -> bool:
    """Equal as YAML values, type included (``1`` is not ``true``, a date is not its text)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _splice(raw: str, old: dict, new: dict, order: list) -> str:
    root = yaml.compose(raw, Loader=frontmatter._BASE) if raw.strip() else None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return _dump_mapping(new, 0)
    editor = _Editor(raw, order)
    editor.mapping(root, old, new, top=True)
    result = editor.apply()
    try:
        ok = same(frontmatter.load(result) or {}, new)
    except yaml.YAMLError:
        ok = False
    return result if ok else _written_whole(new)


def _written_whole(meta: dict) -> str:
    """An unusual layout defeated the splicing: write the front matter out whole, never a wrong value."""
    log.warning("前置信息无法逐行修改，已整体重写（注释和原有写法可能丢失）")
    return _dump_mapping(meta, 0)


class _Editor:
    """Collects (start, end, replacement) edits on the raw front matter, then applies them."""

    def __init__(self, raw: str, order: list):
        self.raw = raw
        self.order = order
        self.edits: list[tuple[int, int, str]] = []

    def apply(self) -> str:
        out = self.raw
        # Stable: inserts at one position keep the order in which they were made.
        for start, end, text in sorted(reversed(self.edits), key=lambda e: (e[0], e[1]), reverse=True):
            out = out[:start] + text + out[end:]
        return out

    # -- positions ----------------------------------------------------------------------------

    def line_start(self, index: int) -> int:
        return self.raw.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """The index just after the line break of the line holding ``index``."""
        end = self.raw.find("\n", index)
        return len(self.raw) if end < 0 else end + 1

    def content_end(self, node) -> int:
        """Just after the last line holding the node's content (a line start)."""
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            end = node.end_mark.index
            if "+" not in self.raw[node.start_mark.index: self.line_end(node.start_mark.index)]:
                while end > node.start_mark.index and self.raw[self.line_start(end - 1): end].strip() == "":
                    end = self.line_start(end - 1)  # blank lines after a block are layout, not content
            return end
        if isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
            last = node.value[-1]
            return self.content_end(last[1] if isinstance(last, tuple) else last)
        return self.line_end(max(node.end_mark.index - 1, node.start_mark.index))

    def comments_above(self, index: int) -> int:
        """The start of the full-line comments directly above the line starting at ``index``."""
        start = index
        while start > 0:
            prev = self.line_start(start - 1)
            if not self.raw[prev:start].lstrip().startswith("#"):
                break
            start = prev
        return start

    # -- mappings -----------------------------------------------------------------------------

    def mapping(self, node, old: dict, new: dict, top: bool = False):
        """Edit a block mapping key by key: change, remove and insert keys."""
        if node.flow_style:
            return self.replace(node, new)
        pairs = [(str(k.value), k, v) for k, v in node.value]
        indent = " " * node.value[0][0].start_mark.column
        known = [name for name, _, _ in pairs]
        ends = {name: self.content_end(v) for name, _, v in pairs}
        for name, key, value in pairs:
            if name not in new:
                start = self.comments_above(self.line_start(key.start_mark.index))
                self.edits.append((start, ends[name], ""))
            elif not same(old.get(name), new[name]):
                self.value(key, value, old.get(name), new[name])
        order = self.order if top else list(new)
        for name in new:
            if name not in known:
                at = self.insert_at(name, order, known, new, pairs, ends)
                self.edits.append((at, at, _key_text(name, new[name], indent)))

    def insert_at(self, name, order, known, new, pairs, ends) -> int:
        """Where a new key goes: after the kept key before it in ``order``, else before the one after."""
        if name in order:
            at = order.index(name)
            before = [k for k in order[:at] if k in known and k in new]
            if before:
                return ends[before[-1]]
            after = [k for k in order[at + 1:] if k in known and k in new]
            if after:
                key = next(k for n, k, _ in pairs if n == after[0])
                return self.comments_above(self.line_start(key.start_mark.index))
        kept = [n for n in known if n in new]
        return ends[kept[-1]] if kept else ends[known[-1]]

    # -- values -------------------------------------------------------------------------------

    def value(self, key, node, old, new):
        """Replace the value of one key of a block mapping."""
        if isinstance(node, yaml.MappingNode) and isinstance(old, dict) and isinstance(new, dict) and new:
            return self.mapping(node, old, new)
        if isinstance(node, yaml.SequenceNode) and isinstance(old, list) and isinstance(new, list) and new:
            return self.sequence(node, old, new)
        if isinstance(node, yaml.CollectionNode) and node.flow_style and not _is_scalar(new):
            return self.replace(node, new)
        if _inline(node) and _is_scalar(new) and not (isinstance(new, str) and "\n" in new):
            return self.edits.append((node.start_mark.index, node.end_mark.index, _scalar(new, node.style)))
        # A different shape, or a block value: rewrite from just after "key:" to the value's end.
        colon = self.raw.index(":", key.end_mark.index) + 1
        indent = " " * key.start_mark.column
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        flow = node.flow_style if isinstance(node, yaml.CollectionNode) else None
        self.edits.append((colon, self.content_end(node), _value_text(new, indent, style, flow)))

    def sequence(self, node, old: list, new: list):
        """Edit a list item by item; the items that stay keep their text."""
        if node.flow_style and len(old) != len(new):
            return self.replace(node, new)
        if node.flow_style:
            for item, a, b in zip(node.value, old, new):
                if not same(a, b):
                    self.item(item, a, b)
            return
        items = node.value
        dash = " " * (items[0].start_mark.column - self.dash_gap(items[0]))
        chunks = []
        for i, item in enumerate(items):
            start = self.line_start(item.start_mark.index)
            last = i + 1 == len(items)
            end = self.content_end(item) if last else self.line_start(items[i + 1].start_mark.index)
            chunks.append((start, end))
        keys_old, keys_new = [_key(v) for v in old], [_key(v) for v in new]
        matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    self.item(items[i1 + k], old[i1 + k], new[j1 + k], chunks[i1 + k], dash)
                continue
            text = "".join(f"{dash}- {_flow(v)}\n" for v in new[j1:j2])
            if i1 < i2:
                self.edits.append((chunks[i1][0], chunks[i2 - 1][1], text))
            else:
                at = chunks[i1][0] if i1 < len(chunks) else chunks[-1][1]
                self.edits.append((at, at, text))

    def dash_gap(self, item) -> int:
        """Columns from the ``-`` to the item (``- a`` is 2, ``-   a`` is 4)."""
        line = self.raw[self.line_start(item.start_mark.index): item.start_mark.index]
        stripped = line.rstrip(" ")
        return len(line) - len(stripped) + 1 if stripped.endswith("-") else 2

    def item(self, node, old, new, chunk=None, dash=""):
        """Replace one item of a list (or one value inside a list item) in place."""
        if isinstance(node, yaml.MappingNode) and isinstance(old, dict) and isinstance(new, dict) \
                and old.keys() == new.keys():
            for key, value in node.value:
                name = str(key.value)
                if not same(old[name], new[name]):
                    self.item(value, old[name], new[name]) if node.flow_style else \
                        self.value(key, value, old[name], new[name])
            return
        if _inline(node) and _is_scalar(new):
            text = _scalar(new, node.style, flow=True)
            return self.edits.append((node.start_mark.index, node.end_mark.index, text))
        if chunk is None or (isinstance(node, yaml.CollectionNode) and node.flow_style):
            return self.replace(node, new)
        self.edits.append((chunk[0], chunk[1], f"{dash}- {_flow(new)}\n"))

    def replace(self, node, new):
        """Rewrite a node that sits on one line (a flow collection or a scalar) in flow style."""
        self.edits.append((node.start_mark.index, node.end_mark.index, _flow(new)))


def _inline(node) -> bool:
    """A scalar written on its line (plain or quoted, not a ``|`` or ``>`` block)."""
    return isinstance(node, yaml.ScalarNode) and node.style not in ("|", ">")


# -- rendering new values -----------------------------------------------------------------------

def _is_scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, dt.date))


def _key(value) -> str:
    return repr((type(value).__name__, value))


def _scalar(value, style=None, flow=False) -> str:
    """One scalar as YAML text on one line; a string keeps the quotes its old value had."""
    if isinstance(value, str) and ("\n" in value or style in ('"', "'")):
        style = style if style in ('"', "'") and "\n" not in value else '"'
        return yaml.safe_dump(value, default_style=style, allow_unicode=True, width=_WIDE).rstrip("\n")
    if flow:  # inside [ ] or { } a plain scalar may not hold "," "[" "{" …: let the emitter decide
        text = yaml.safe_dump([value], allow_unicode=True, width=_WIDE, default_flow_style=True)
        return text.rstrip("\n")[1:-1]
    out = yaml.safe_dump(value, allow_unicode=True, width=_WIDE, default_flow_style=True)
    return out[: -len("\n...\n")] if out.endswith("\n...\n") else out.rstrip("\n")


def _flow(value) -> str:
    """Any value on one line, in flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(str(k), flow=True)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, flow=True)


def _literal(text: str, indent: str) -> str:
    if not text.endswith("\n"):
        chomp = "-"
    else:
        chomp = "+" if text.endswith("\n\n") else ""
    inner = indent + "  "
    lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    if chomp == "+":
        lines = text.rstrip("\n").split("\n") + [""] * (len(text) - len(text.rstrip("\n")) - 1)
    lead = "2" if lines and lines[0].startswith(" ") else ""
    return f" |{lead}{chomp}\n" + "".join((inner + line if line else "") + "\n" for line in lines)


def _value_text(value, indent: str, style=None, flow=None) -> str:
    """What follows ``key:`` for a value, through the end of its last line."""
    if isinstance(value, str) and ("\n" in value or style in ("|", ">")):
        return _literal(value, indent)
    if _is_scalar(value):
        return f" {_scalar(value, style)}\n"
    if not value:
        return " []\n" if isinstance(value, list) else " {}\n"
    if isinstance(value, list):
        block = flow is False or (flow is None and any(isinstance(v, (dict, list)) for v in value))
        if not block:
            return f" {_flow(value)}\n"
        return "\n" + "".join(f"{indent}  - {_flow(v)}\n" for v in value)
    if flow:
        return f" {_flow(value)}\n"
    return "\n" + _dump_mapping(value, len(indent) + 2)


def _key_text(name: str, value, indent: str) -> str:
    return f"{indent}{_scalar(name)}:{_value_text(value, indent)}"


def _dump_mapping(meta: dict, width: int) -> str:
    return "".join(_key_text(str(k), v, " " * width) for k, v in meta.items())
