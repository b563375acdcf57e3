"""Catalog health: invalid files on main, overlapping matters, missing units, uncovered categories,
contradicting facts."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
from collections import defaultdict
from pathlib import Path

from .export import csv_text
from .facts import normal
from .content.model import Snapshot, in_use
from .content.validate import file_owner, invalid_files

#: Two directory entries with different handlers claim the same matter when their score reaches
#: this: the larger of (a) the overlap coefficient of their keywords after synonym folding
#: (shared / size of the smaller set) and (b) the Jaccard similarity of their titles' character
#: bigrams. Examples are left out: they are long and dilute every score. On the sample's 33
#: entries (528 pairs) the two matters that really are split between handlers score 0.43
#: (小区停车 / 占道停车) and 0.38 (村庄路灯 / 路灯), while every other pair with different
#: handlers scores 0.16 or less, so 0.35 separates them with a margin on both sides.
OVERLAP_THRESHOLD = 0.35
_PUNCT = re.compile(r"[\s，。、；：！？“”‘’（）()《》〈〉【】\[\],.;:!?\"'/·-]+")


def bigrams(text: str) -> set[str]:
    text = _PUNCT.sub("", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else ({text} if text else set())


@dataclasses.dataclass
class Finding:
    kind: str        # invalid | overlap | unit | uncovered | no_example | contradiction
    message: str
    entries: list[str]
    units: list[str]

    def to_dict(self):
        return dataclasses.asdict(self)


KIND_TITLES = {
    "invalid": "主干上未通过校验的文件（在改正之前，格式错误的条目不向公众显示）",
    "overlap": "多个目录条目认领同一事项、主办单位不同",
    "unit": "目录中引用的单位在单位名录中缺失或已撤销",
    "uncovered": "事项分类中没有任何目录条目覆盖的类别",
    "no_example": "没有市民描述示例的目录条目",
    "contradiction": "不同单位的答复口径中相互矛盾的事实",
}


KIND_SHORT = {"invalid": "格式错误",
              "overlap": "事项重叠", "unit": "单位问题", "uncovered": "未覆盖类别", "no_example": "缺少示例",
              "contradiction": "事实矛盾"}


def _fold(snap: Snapshot):
    """Map every synonym to its group's first (official) term."""
    fold = {}
    for group in snap.synonym_groups:
        for term in group:
            fold[term] = group[0]
    return fold


def overlaps(snap: Snapshot, threshold: float = OVERLAP_THRESHOLD) -> list[Finding]:
    """Pairs of directory entries with different handlers that describe the same matter."""
    entries = snap.directory()
    fold = _fold(snap)
    titles = {e.id: bigrams(e.title) for e in entries}
    words = {e.id: {fold.get(k, k) for k in e.keywords} for e in entries}
    # Only pairs sharing a keyword or a title bigram are compared (an inverted index), and a
    # term shared by a tenth of the catalogue says nothing about two entries.
    postings = defaultdict(set)
    for e in entries:
        for term in titles[e.id] | {("kw", w) for w in words[e.id]}:
            postings[term].add(e.id)
    limit = max(20, len(entries) // 10)
    candidates = set()
    for ids in postings.values():
        if 1 < len(ids) <= limit:
            candidates.update(itertools.combinations(sorted(ids), 2))
    by_id = {e.id: e for e in entries}
    found = []
    for a, b in sorted(candidates):
        ea, eb = by_id[a], by_id[b]
        if ea.handler == eb.handler:
            continue
        shared = words[a] & words[b]
        keyword_score = len(shared) / min(len(words[a]), len(words[b])) if words[a] and words[b] else 0.0
        union = titles[a] | titles[b]
        title_score = len(titles[a] & titles[b]) / len(union) if union else 0.0
        score = max(keyword_score, title_score)
        if score >= threshold:
            why = f"相似度 {score:.2f}" + (f"，共同关键词：{'、'.join(sorted(shared))}" if shared else "")
            found.append(Finding("overlap", f"“{ea.title}”（主办 {snap.unit_name(ea.handler)}）与“{eb.title}”"
                                            f"（主办 {snap.unit_name(eb.handler)}）可能是同一事项：{why}",
                                 [a, b], [ea.handler, eb.handler]))
    return found


def unit_problems(snap: Snapshot) -> list[Finding]:
    found = []
    for e in snap.directory():
        for role, unit in [("主办", e.handler)] + [("协办", u) for u in e.co_handlers]:
            info = snap.units.get(unit)
            if info is None:
                found.append(Finding("unit", f"“{e.title}”的{role}单位“{unit}”不在单位名录中", [e.id], [unit]))
            elif not in_use(info):
                note = f"（{info.get('note')}）" if info.get("note") else ""
                found.append(Finding("unit", f"“{e.title}”的{role}单位“{info.get('name', unit)}”已撤销{note}", [e.id], [unit]))
    return found


def read_taxonomy(path) -> list[tuple[str, str, str]]:
    with open(path, encoding="utf-8") as f:
        return [tuple(row[:3]) for row in csv.reader(f)][1:]


def uncovered(snap: Snapshot, taxonomy: list[tuple[str, ...]], level: int = 2) -> list[Finding]:
    """Taxonomy classes (down to ``level``: 1 一级, 2 二级, 3 三级) that no directory entry covers."""
    covered = set()
    for e in snap.directory():
        text = " ".join([e.title, *e.category, *e.keywords])
        covered.add(text)
    texts = list(covered)
    seen, found = set(), []
    for row in taxonomy:
        path = tuple(row[:level])
        if path in seen or not path[-1] or path[-1] == "其他":
            continue
        seen.add(path)
        name = path[-1]
        if not any(name in t for t in texts):
            found.append(Finding("uncovered", f"分类“{' / '.join(path)}”没有对应的目录条目", [], []))
    return found


def no_examples(snap: Snapshot) -> list[Finding]:
    return [Finding("no_example", f"“{e.title}”没有填写“市民的描述”（市民打电话时的说法）", [e.id], [e.unit])
            for e in snap.directory() if not e.examples]


def fact_conflicts(snap: Snapshot) -> list[tuple[str, str, list]]:
    """(fact, topic, [(entry, value)]) of every named fact given differently by different units on the same topic."""
    groups = defaultdict(list)
    for e in snap.policies():
        topic = e.category[0] if e.category else ""
        for key, value in e.facts.items():
            groups[(key, topic)].append((e, value))
    return [(key, topic, items) for (key, topic), items in sorted(groups.items())
            if len({normal(v) for _, v in items}) > 1 and len({e.unit for e, _ in items}) > 1]


def contradictions(snap: Snapshot) -> list[Finding]:
    """The same named fact given differently by different units on the same topic."""
    found = []
    for key, topic, items in fact_conflicts(snap):
        detail = "；".join(f"{snap.unit_name(e.unit)}《{e.title}》：{v}" for e, v in items)
        found.append(Finding("contradiction", f"“{key}”（{topic or '未分类'}）说法不一致——{detail}",
                             [e.id for e, _ in items], sorted({e.unit for e, _ in items})))
    return found


def report_csv(findings: list[Finding]) -> str:
    """Findings as CSV (kind, message, entries, units), for ``kb report catalog --csv`` and the page."""
    return csv_text(["类别", "说明", "条目", "单位"],
                    ([KIND_TITLES[f.kind], f.message, " ".join(f.entries), " ".join(f.units)] for f in findings))


def invalid(snap: Snapshot) -> list[Finding]:
    """Every file on main that fails validation (it reached main without review), one finding each."""
    found = []
    for path, problems in invalid_files(snap).items():
        owner = file_owner(snap, path)
        detail = "；".join(f"第 {p.line} 行" + (f" {p.field}" if p.field else "") + f"：{p.message}"
                          for p in problems)
        entries, units = ([owner[1]], [owner[0]]) if owner else ([], [])
        found.append(Finding("invalid", f"{path}：{detail}", entries, units))
    return found


def report(snap: Snapshot, taxonomy_path: str | Path | None = None, threshold: float = OVERLAP_THRESHOLD) -> list[Finding]:
    """Every finding of the catalog-health check, grouped by kind in a fixed order."""
    findings = invalid(snap) + overlaps(snap, threshold) + unit_problems(snap)
    if taxonomy_path:
        findings += uncovered(snap, read_taxonomy(taxonomy_path))
    return findings + no_examples(snap) + contradictions(snap)
