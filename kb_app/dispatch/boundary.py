"""What a directory entry says it does not cover, read against a request.

A catalogue entry's body states its boundary; the sample's entries list what they leave out under
``**不包括**：``, one item a line, the scope before the colon and where it goes after it::

    **不包括**：
    - 小区内部路灯：由物业或产权单位负责，派所在街道协调；

A request naming most of a scope (小区路灯坏了一个星期了 names 小区 and 路灯 of 小区内部路灯) may be just
what the entry leaves out: the candidate keeps its place, and the agent is told what its boundary says
(``Candidate.note``) before dispatching to it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import weakref

from ..search.analysis import STOPWORDS, normalize

_HEAD = re.compile(r"^\*\*不包括\*\*[：:]?\s*$")
_ITEM = re.compile(r"^\s*[-*]\s+(?P<scope>[^：:\n]{2,40}?)[：:]\s*(?P<where>.*?)[；;。.]?\s*$")
#: Words of a scope that say nothing of what it is (…等危险情况).
_GENERIC = frozenset({"情况", "问题", "事项", "方面", "有关", "相关", "其他"})
#: A title a boundary item names in straight quotes (派"路灯不亮").
_STRAIGHT_QUOTED = re.compile(r'"([^"\n]+)"')


@dataclasses.dataclass(frozen=True)
class Exclusion:
    """One item an entry's boundary leaves out: its scope (小区内部路灯) and where it goes instead."""

    scope: str
    where: str

    @property
    def note(self) -> str:
        """What is said beside the candidate, a title the item names in straight quotes (派"路灯不亮") written in the
        curly ones of the rest of the note."""
        where = _STRAIGHT_QUOTED.sub(r"“\1”", self.where)
        return f"职责边界不包括“{self.scope}”" + (f"：{where}" if where else "")


@functools.lru_cache(maxsize=4096)
def exclusions(body: str) -> tuple[Exclusion, ...]:
    """The items under ``**不包括**`` in a body, in order (none when it has no such list); read once per text."""
    found, inside = [], False
    for line in (body or "").splitlines():
        if _HEAD.match(line.strip()):
            inside = True
            continue
        if not inside:
            continue
        m = _ITEM.match(line)
        if m:
            found.append(Exclusion(m.group("scope").strip(), m.group("where").strip()))
        elif line.strip():
            inside = False  # the list ends at the first line that is not one of its items
    return tuple(found)


#: How close together the words of a scope must stand in a request to name it (小区的路灯, 柳庄镇那边村里路灯),
#: in characters: a long letter mentioning 社保 here and 申请 there names no scope.
SPAN = 16


def excluded(text: str, body: str, analyzer) -> Exclusion | None:
    """The first item of an entry's boundary a request names: at least two of the scope's words, and at least
    half of them, stand in the request within ``SPAN`` characters (words of two characters or more, as the
    catalogue's segmenter cuts the scope)."""
    norm = normalize(text)
    for item in exclusions(body):
        if item.scope.startswith("其他"):
            continue  # 其他街道辖区…: a matter of where, which the request's region decides (kb_app.dispatch.regions)
        words = _scope_words(analyzer, item.scope)
        if _outside(norm, item.scope, words):
            continue
        found = sorted((m.start(), w) for w in words for m in re.finditer(re.escape(w), norm))
        need = max(2, -(-len(words) // 2))
        if any(len({w for at, w in found if start <= at <= start + SPAN}) >= need for start, _w in found):
            return item
    return None


#: A scope of what is inside a place (小区内部路灯) is not named by a request about what stands at its gate or
#: outside it (小区门口的路灯, 小区外面的路灯), unless the request also says inside (小区里).
_INSIDE = re.compile(r"内部|内")
_OUTSIDE = r".{0,2}?(?:门口|大门|外面|外边|外头|外侧|附近|旁边|对面|周边|外)"
_WITHIN = r".{0,2}?(?:里|内)"


def _outside(norm: str, scope: str, words: tuple[str, ...]) -> bool:
    """Whether the request puts the place of an inside-scope outside it: 小区门口 of 小区内部路灯."""
    m = _INSIDE.search(scope)
    if not m:
        return False
    place = next((w for w in words if 0 <= scope.find(w) and scope.find(w) + len(w) <= m.start()), None)
    if place is None:
        return False
    said = re.escape(place)
    return bool(re.search(said + _OUTSIDE, norm)) and not re.search(said + _WITHIN, norm)


#: Each catalogue analyzer's reading of the scopes, kept only as long as the analyzer is (an analyzer holds a
#: segmenter with its dictionary: a cache of its own must not keep the analyzers of old catalogues alive).
_SCOPES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _scope_words(analyzer, scope: str) -> tuple[str, ...]:
    """A scope's words as the catalogue's segmenter cuts it precisely (出租车 / 多 / 收费, not the search mode's
    出租 and 租车 as well, which a request naming only 出租车 would match twice)."""
    read = _SCOPES.setdefault(analyzer, {})
    if scope not in read:
        words = _paired(analyzer.jieba.cut(normalize(scope), False))
        read[scope] = tuple(dict.fromkeys(w for w in words
                                          if len(w) >= 2 and w not in _GENERIC and w not in STOPWORDS))
    return read[scope]


def _paired(words) -> list[str]:
    """Words with each run of single Chinese characters read two by two: the segmenter cuts 往外冒水 into 往 / 外
    / 冒 / 水, which a request naming 往外冒水 should meet as 往外 and 冒水."""
    out: list[str] = []
    run: list[str] = []
    for w in [*words, ""]:
        if len(w) == 1 and "\u4e00" <= w <= "\u9fff":
            run.append(w)
            continue
        out.extend("".join(run[i:i + 2]) for i in range(0, len(run), 2))
        run = []
        out.append(w)
    return out
