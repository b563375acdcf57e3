"""Article-level change impact of a regulation change (issue: when the rules change).

Articles are matched by content, not only by number, so inserting an article (which renumbers
everything after it) is recognised as one addition plus renumberings, not as forty changes.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from ..content import frontmatter
from ..content import yamledit
from ..content.model import Entry, Regulation, Snapshot
from ..content.numerals import article_label

SIMILAR = 0.55  # a changed article keeps at least this much of its wording (difflib ratio)
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", text)


@dataclasses.dataclass
class ArticleChange:
    """One article's fate: unchanged, renumbered, changed, added or removed."""

    regulation: str
    status: str
    old: int | None
    new: int | None
    similarity: float = 1.0

    @property
    def label(self) -> str:
        old = article_label(self.old) if self.old else ""
        new = article_label(self.new) if self.new else ""
        return {"added": f"新增{new}", "removed": f"删除原{old}", "unchanged": new,
                "renumbered": f"原{old} → 现{new}（内容未变）",
                "changed": f"修改{new}" if self.old == self.new else f"修改：原{old} → 现{new}"}[self.status]


def compare_articles(old: Regulation | None, new: Regulation | None) -> list[ArticleChange]:
    """Match the articles of two versions of a regulation by content."""
    reg = (new or old).id
    olds = {n: _norm(a.text) for n, a in (old.articles.items() if old else [])}
    news = {n: _norm(a.text) for n, a in (new.articles.items() if new else [])}
    pairs: dict[int, int] = {}
    # 1. identical text, preferring the same number, then the nearest one
    by_text: dict[str, list[int]] = {}
    for n, text in olds.items():
        by_text.setdefault(text, []).append(n)
    for n in sorted(news):
        candidates = [o for o in by_text.get(news[n], []) if o not in pairs.values()]
        if candidates:
            pairs[n] = min(candidates, key=lambda o: abs(o - n))
    # 2. similar text among the rest, best matches first, nearby numbers breaking ties
    left_old = [o for o in olds if o not in pairs.values()]
    left_new = [n for n in news if n not in pairs]
    scored = []
    for n in left_new:
        for o in left_old:
            ratio = difflib.SequenceMatcher(None, olds[o], news[n], autojunk=False).ratio()
            if ratio >= SIMILAR:
                scored.append((-ratio, abs(o - n), n, o, ratio))
    similarity = {}
    for _, _, n, o, ratio in sorted(scored):
        if n not in pairs and o not in pairs.values():
            pairs[n], similarity[n] = o, ratio
    changes = []
    for n in sorted(news):
        o = pairs.get(n)
        if o is None:
            changes.append(ArticleChange(reg, "added", None, n, 0.0))
        elif olds[o] != news[n]:
            changes.append(ArticleChange(reg, "changed", o, n, similarity.get(n, 0.0)))
        else:
            changes.append(ArticleChange(reg, "renumbered" if o != n else "unchanged", o, n))
    for o in sorted(set(olds) - set(pairs.values())):
        changes.append(ArticleChange(reg, "removed", o, None, 0.0))
    return changes


@dataclasses.dataclass
class CitingEntry:
    entry_id: str
    path: str
    unit: str
    kind: str
    title: str
    citations: list[tuple[str, int]]  # the affected citations (old numbers)
    reasons: list[str]


@dataclasses.dataclass
class Impact:
    """What a change to regulations/ means for the entries that rest on it."""

    changes: dict[str, list[ArticleChange]]            # per regulation, every article that is not unchanged
    impacted: list[CitingEntry]                       # legal basis really changed: re-verify
    renumbered: list[CitingEntry]                     # only renumbered: citations rewritten
    rewrites: dict[str, str]                          # path -> new text with the new article numbers
    tier_changes: list[str] = dataclasses.field(default_factory=list)
    config_changes: list[str] = dataclasses.field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (any(self.changes.values()) or self.impacted or self.renumbered or self.tier_changes
                    or self.config_changes)

    def summary_lines(self) -> list[str]:
        lines = []
        for reg, changes in self.changes.items():
            lines.append(f"条例 {reg}：")
            lines += [f"  {c.label}" for c in changes]
        if self.tier_changes:
            lines.append("时限档位变化：" + "、".join(self.tier_changes))
        if self.config_changes:
            lines.append("配置变化：" + "、".join(self.config_changes))
        if self.impacted:
            lines.append("依据已变更、需要复核的条目：")
            lines += [f"  {c.entry_id}（{c.unit}）：{'；'.join(c.reasons)}" for c in self.impacted]
        if self.renumbered:
            lines.append("仅条号变化、已在本变更中改写引用的条目：")
            lines += [f"  {c.entry_id}（{c.unit}）：{'；'.join(c.reasons)}" for c in self.renumbered]
        return lines


def changed_tiers(base: Snapshot, head: Snapshot) -> list[str]:
    """Time-limit tiers that were changed or removed."""
    old, new = base.tiers, head.tiers
    return sorted(t for t in old if t not in new or old[t] != new[t])


def analyse(base: Snapshot, head: Snapshot, entries: Snapshot | None = None) -> Impact:
    """Compare the regulations of two snapshots and find the entries of ``entries`` citing them.

    ``entries`` defaults to ``base``: the entries as they stand, citing the old numbers. Rewrites
    are computed from those texts, so applying them twice is impossible by construction.
    """
    entries = entries or base
    all_changes: dict[str, list[ArticleChange]] = {}
    mapping: dict[tuple[str, int], ArticleChange] = {}
    for reg_id in sorted(set(base.regulations) | set(head.regulations)):
        old, new = base.regulations.get(reg_id), head.regulations.get(reg_id)
        if old and new and old.articles == new.articles:
            continue
        changes = compare_articles(old, new)
        interesting = [c for c in changes if c.status != "unchanged"]
        if interesting:
            all_changes[reg_id] = interesting
        for c in changes:
            if c.old is not None:
                mapping[(reg_id, c.old)] = c
    tiers = changed_tiers(base, head)
    impacted, renumbered, rewrites = [], [], {}
    for e in entries.entry_list:
        reasons, renumber, affected, new_numbers = [], [], [], {}
        for reg_id, n in e.citations:
            c = mapping.get((reg_id, n))
            if c is None or c.status == "unchanged":
                continue
            if c.status == "renumbered":
                renumber.append(f"{reg_id} {article_label(n)} → {article_label(c.new)}")
                new_numbers[(reg_id, n)] = c.new
            elif c.status == "changed":
                now = f"（现为{article_label(c.new)}）" if c.new != n else ""
                reasons.append(f"{reg_id} {article_label(n)}内容已修改{now}")
                affected.append((reg_id, n))
                if c.new != n:
                    new_numbers[(reg_id, n)] = c.new
            elif c.status == "removed":
                reasons.append(f"{reg_id} {article_label(n)}已删除")
                affected.append((reg_id, n))
        if e.kind == "directory" and e.time_limit in tiers:
            reasons.append(f"时限档位 {e.time_limit} 已变更")
        if new_numbers:
            text = entries.files.get(e.path)
            if text is not None:
                rewrites[e.path] = rewrite_citations(text, new_numbers)
        item = lambda why, cites: CitingEntry(e.id, e.path, e.unit, e.kind, e.title, cites, why)  # noqa: E731
        if reasons:
            impacted.append(item(reasons, affected))
        elif renumber:
            renumbered.append(item(renumber, [k for k in new_numbers]))
    configs = [f"regulations/{name}.yaml" for name in ("time_limits", "intake_rules")
               if base.configs.get(name) != head.configs.get(name)]
    return Impact(all_changes, impacted, renumbered, rewrites, tiers, configs)


def rewrite_citations(text: str, new_numbers: dict[tuple[str, int], int]) -> str:
    """Rewrite ``article:`` numbers in an entry's basis in place, keeping the file's formatting."""
    basis = frontmatter.parse(text)[0].get("basis")
    if not isinstance(basis, list):
        return text
    rewritten = []
    for item in basis:
        cites = isinstance(item, dict) and item.get("regulation") is not None
        if cites and isinstance(item.get("article"), int):
            new = new_numbers.get((str(item["regulation"]), item["article"]))
            item = dict(item, article=new) if new is not None else item
        rewritten.append(item)
    return yamledit.update(text, {"basis": rewritten})


def citing_entries(snap: Snapshot, regulation: str, number: int) -> list[Entry]:
    """Entries that cite one article."""
    return [e for e in snap.entry_list if (regulation, number) in e.citations]
