"""Article-level change impact of a regulation change (issue: when the rules change).

Articles are matched by content, not only by number, so inserting an article (which renumbers
everything after it) is recognised as one addition plus renumberings, not as forty changes.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import TYPE_CHECKING

import yaml

from ..content import frontmatter
from ..content import yamledit
from ..content.model import Entry, Regulation, Snapshot
from ..content.numerals import article_label
from ..labels import CONFIG_LABELS, TIER_MENTIONS

if TYPE_CHECKING:
    from .intake_replay import CallImpact

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


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why an entry's legal basis changed, kept by what it refers to rather than as text.

    A later renumbering moves ``now`` (the article's number today) with the article, and the text a
    person reads is rendered from it with the regulation's title (:meth:`text`); ``old`` stays the
    number the entry cited when the rule changed. A deleted article has no ``now`` and is never moved,
    so its number cannot come to name the article that took it.
    """

    kind: str                 # "changed", "removed", "tier" or "text" (a reason kept as written)
    regulation: str = ""
    old: int | None = None
    now: int | None = None
    tier: str = ""
    text_: str = ""

    def text(self, names: dict[str, str] | None = None) -> str:
        name = (names or {}).get(self.regulation) or self.regulation
        if self.kind == "changed":
            later = (f"（现为{article_label(self.now)}）" if self.now != self.old else "") if self.now else "（该条现已删除）"
            return f"{name} {article_label(self.old)}内容已修改{later}"
        if self.kind == "removed":
            return f"{name} {article_label(self.old)}已删除"
        if self.kind == "tier":
            label = (names or {}).get(f"tier:{self.tier}")
            return f"时限档位“{label}”（{self.tier}）已变更" if label else f"时限档位 {self.tier} 已变更"
        if self.kind == "tier_stated":
            return f"答复写明的时限“{self.text_}”（档位 {self.tier}）已变更"
        return self.text_

    @property
    def key(self) -> tuple:
        """What two reasons must share to say the same thing (a repeated one is kept once)."""
        return (self.kind, self.regulation, self.now if self.kind == "changed" else self.old, self.tier, self.text_)

    def moved(self, moves: dict[tuple[str, int], int | None]) -> "Reason":
        """This reason after a later change moved (or deleted) the article it follows."""
        if self.kind != "changed" or self.now is None or (self.regulation, self.now) not in moves:
            return self
        return dataclasses.replace(self, now=moves[(self.regulation, self.now)])

    def as_dict(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if v not in ("", None)}

    @classmethod
    def from_dict(cls, d: dict) -> "Reason":
        return cls(**{f.name: d.get(f.name) for f in dataclasses.fields(cls) if f.name in d})


_TIER_STATED = re.compile(r"答复写明的时限“(?P<old>[^”]+)”（档位 (?P<tier>[^）]+)）已变更")


def tiers_restated(detail: str, snap: Snapshot) -> list[tuple[str, str | None]]:
    """The time limits a mark says its answer states and that changed (Reason ``tier_stated``, as its detail
    reads), each with the name its tier has in ``snap`` (None when the tier is gone): what the public may be
    told while the answer is re-checked (3个工作日 is now 2个工作日)."""
    out = []
    for m in _TIER_STATED.finditer(detail or ""):
        tier = snap.tiers.get(m["tier"])
        now = str(tier.get("name") or "") if tier else None
        if now != m["old"]:
            out.append((m["old"], now or None))
    return list(dict.fromkeys(out))


def said_now(detail: str, snap: Snapshot) -> str:
    """A mark's detail as staff read it: a time limit the answer states that changed says what it is now in
    ``snap`` (答复写明的时限“3个工作日”已变更，现为“2个工作日”), not which tier id it was."""
    def now(m):
        tier = snap.tiers.get(m["tier"])
        name = str(tier.get("name") or "") if tier else ""
        return (f"答复写明的时限“{m['old']}”已变更，" + (f"现为“{name}”" if name else "该时限档位已取消")
                if name != m["old"] else f"答复写明的时限“{m['old']}”已变更")
    return _TIER_STATED.sub(now, detail or "")


_LEGACY = (re.compile(r"^(?P<reg>\S+) (?P<old>第\S+?条)内容已修改(?:（现为(?P<now>第\S+?条)）)?$"),
           re.compile(r"^(?P<reg>\S+) (?P<old>第\S+?条)已删除$"),
           re.compile(r"^时限档位 (?P<tier>\S+) 已变更$"))


def reasons_from_text(detail: str) -> list[Reason]:
    """The reasons of a mark stored before they were kept by reference (its detail, as written then:
    regulation ids and article numbers); what does not read as one of those is kept as its text."""
    from ..content.model import article_number
    out = []
    for part in filter(None, (detail or "").split("；")):
        changed, removed, tier = (p.match(part) for p in _LEGACY)
        if changed and article_number(changed["old"]):
            old = article_number(changed["old"])
            now = article_number(changed["now"]) if changed["now"] else old
            out.append(Reason("changed", changed["reg"], old, now))
        elif removed and article_number(removed["old"]):
            out.append(Reason("removed", removed["reg"], article_number(removed["old"])))
        elif tier:
            out.append(Reason("tier", tier=tier["tier"]))
        else:
            out.append(Reason("text", text_=part))
    return out


def merged(earlier, reasons) -> list[Reason]:
    """The reasons of a mark after another rule change: those it had, then the new ones (a second change
    does not hide the first, which is still to be checked); one saying the same as an earlier is dropped."""
    out, seen = [], set()
    for r in [*earlier, *reasons]:
        if r.key not in seen:
            seen.add(r.key)
            out.append(r)
    return out


def render(reasons, names: dict[str, str] | None = None) -> str:
    return "；".join(r.text(names) for r in reasons)


@dataclasses.dataclass
class CitingEntry:
    entry_id: str
    path: str
    unit: str
    kind: str
    title: str
    citations: list[tuple[str, int]]  # the affected citations (old numbers)
    reasons: list[str]                # as people read them (regulations named by title)
    causes: list[Reason] = dataclasses.field(default_factory=list)  # the re-check reasons, by reference


@dataclasses.dataclass
class Impact:
    """What a change to regulations/ means for the entries that rest on it."""

    changes: dict[str, list[ArticleChange]]            # per regulation, every article that is not unchanged
    impacted: list[CitingEntry]                       # legal basis really changed: re-verify
    renumbered: list[CitingEntry]                     # only renumbered: citations rewritten
    rewrites: dict[str, str]                          # path -> new text with the new article numbers
    tier_changes: list[str] = dataclasses.field(default_factory=list)
    config_changes: list[str] = dataclasses.field(default_factory=list)
    #: Citations in regulations/*.yaml rewritten to the new numbers, and those of deleted articles (manual fix).
    config_rewritten: list[str] = dataclasses.field(default_factory=list)
    config_removed: list[str] = dataclasses.field(default_factory=list)
    #: The regulations' own ``questions:`` keys shifted with their articles, and questions dropped with deleted ones.
    questions_shifted: list[str] = dataclasses.field(default_factory=list)
    questions_dropped: list[str] = dataclasses.field(default_factory=list)
    #: Entries the author edited in this change that still cite a deleted article's number (now another article).
    stale: list[str] = dataclasses.field(default_factory=list)
    #: Entries naming a changed tier's old name elsewhere than in a time limit (not marked; for the reviewers).
    tier_mentions: list[str] = dataclasses.field(default_factory=list)
    #: Where each changed article went: (regulation, old number) -> new number, None when deleted.
    moves: dict[tuple[str, int], int | None] = dataclasses.field(default_factory=dict)
    #: The regulations' titles after the change, by id (how people read them).
    names: dict[str, str] = dataclasses.field(default_factory=dict)
    #: What the change does to calls read through the intake rules (kb_app.review.intake_replay), when it may.
    calls: "CallImpact | None" = None

    def name(self, regulation: str) -> str:
        """A regulation as people read it: its title (its id only when it has none)."""
        return self.names.get(regulation) or regulation

    @property
    def empty(self) -> bool:
        return not (any(self.changes.values()) or self.impacted or self.renumbered or self.tier_changes
                    or self.config_changes or self.config_removed or self.stale or (self.calls and self.calls.shifts))

    def config_line(self) -> str:
        """The tiers and configuration files changed, as people call them (时限档位“3个工作日”、分类处置规则), or ""."""
        tiers = [f"时限档位“{self.names[f'tier:{t}']}”" if self.names.get(f"tier:{t}") else f"时限档位 {t}"
                 for t in self.tier_changes]
        configs = [CONFIG_LABELS.get(p.removeprefix("regulations/").removesuffix(".yaml"), p) for p in self.config_changes]
        return "配置变化：" + "、".join(tiers + configs) if tiers or configs else ""

    def summary_lines(self) -> list[str]:
        lines = []
        for reg, changes in self.changes.items():
            lines.append(f"{self.name(reg)}：")
            lines += [f"  {c.label}" for c in changes]
        if self.calls is not None:
            lines += self.calls.summary_lines()
        if self.config_line():
            lines.append(self.config_line())
        if self.config_removed or self.stale:
            lines.append("引用了已删除条文、需要人工改正的依据（不会自动改指该条号现在的条文）：")
            lines += [f"  {c}" for c in self.config_removed + self.stale]
        if self.config_rewritten:
            lines.append("配置中仅条号变化、已在本变更中改写的依据：")
            lines += [f"  {c}" for c in self.config_rewritten]
        if self.questions_shifted:
            lines.append("条例常见问法已随条号调整：" + "；".join(self.questions_shifted))
        if self.questions_dropped:
            lines.append("已删除条文的常见问法已一并删除：" + "；".join(self.questions_dropped))
        if self.tier_mentions:
            lines.append(TIER_MENTIONS + "：")
            lines += [f"  {c}" for c in self.tier_mentions]
        for heading, entries in (("依据已变更、需要复核的条目：", self.impacted),
                                 ("仅条号变化、已在本变更中改写引用的条目：", self.renumbered)):
            if entries:
                lines.append(heading)
                lines += [f"  {c.entry_id}（{self.names.get(f'unit:{c.unit}', c.unit)}）：{'；'.join(c.reasons)}"
                          for c in entries]
        return lines


def changed_tiers(base: Snapshot, head: Snapshot) -> list[str]:
    """Time-limit tiers that were changed or removed (a change of their cited article alone does not count)."""
    old, new = base.tiers, head.tiers

    def limit(tier):  # its ``basis`` citation is not the time limit (and follows renumberings)
        return {k: v for k, v in tier.items() if k != "basis"}
    return sorted(t for t in old if t not in new or limit(old[t]) != limit(new[t]))


_CLAUSE = re.compile(r"[。；;！？!?\n]")
#: A clause naming a tier's figure speaks of the hotline's work orders when it also says one of these.
_WORK_ORDER = re.compile(r"时限|工单|派(?!出所)")
#: A figure that says a service is open round the clock (7×24小时, 24小时报修电话), not how long a request takes.
_ROUND_THE_CLOCK = r"(?!\s*(?:抢修|报修|热线|电话|服务|值守|值班|受理|营业|开放|在线|正常))"


def states_tier(entry: Entry, tier: dict | None) -> str | None:
    """Whether an entry states a time-limit tier: "states", "mentions" or None.

    It states it when it names the tier's name as it was (``3个工作日``; not inside ``13个工作日``, nor as
    a service open round the clock: ``7×24小时``, ``24小时报修电话``) in its
    text, ``facts`` or ``agent_notes`` and either cites the article the tier rests on (its ``basis``) or says so in a clause
    about a time limit, a work order or dispatching (时限、工单、派…). Naming the figure otherwise (a
    certificate issued within 3 working days) only mentions it.
    """
    name = str((tier or {}).get("name") or "")
    if not name:
        return None
    figure = re.compile(r"(?<![0-9０-９×xX])" + re.escape(name) + _ROUND_THE_CLOCK)
    facts = "\n".join(f"{k}: {v}" for k, v in entry.facts.items())
    notes = entry.meta.get("agent_notes")
    text = "\n".join((entry.title, facts, notes if isinstance(notes, str) else "", entry.body))
    clauses = [c for c in _CLAUSE.split(text.replace("*", "")) if figure.search(c)]
    if not clauses:
        return None
    basis = tier.get("basis") if isinstance(tier.get("basis"), dict) else {}
    cited = (str(basis.get("regulation")), basis.get("article")) in entry.citations
    return "states" if cited or any(_WORK_ORDER.search(c) for c in clauses) else "mentions"


def analyse(base: Snapshot, head: Snapshot, entries: Snapshot | None = None) -> Impact:
    """Compare the regulations of two snapshots and find the entries of ``entries`` citing them.

    ``entries`` defaults to ``base``: the entries as they stand, citing the old numbers. Rewrites
    are computed from those texts, so applying them twice is impossible by construction.
    """
    entries = entries or base
    names = {r: reg.title for snap in (base, head) for r, reg in snap.regulations.items()}
    # a tier by what people call it, as the entries citing it knew it (3个工作日, before it became 2个工作日)
    names.update({f"tier:{t}": str(tier["name"]) for snap in (head, base) for t, tier in snap.tiers.items()
                  if tier.get("name")})
    names.update({f"unit:{u}": snap.unit_name(u) for snap in (head, base) for u in snap.units})
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
    impacted, renumbered, rewrites, mentions = [], [], {}, []
    for e in entries.entry_list:
        causes, renumber, affected, new_numbers = [], [], [], {}
        for reg_id, n in e.citations:
            c = mapping.get((reg_id, n))
            if c is None or c.status == "unchanged":
                continue
            if c.status == "renumbered":
                renumber.append(f"{names.get(reg_id) or reg_id} {article_label(n)} → {article_label(c.new)}")
                new_numbers[(reg_id, n)] = c.new
            elif c.status == "changed":
                causes.append(Reason("changed", reg_id, n, c.new))
                affected.append((reg_id, n))
                if c.new != n:
                    new_numbers[(reg_id, n)] = c.new
            elif c.status == "removed":
                causes.append(Reason("removed", reg_id, n))
                affected.append((reg_id, n))
                # Never left as ``article: n``: that would now resolve to whichever article took the number.
                new_numbers[(reg_id, n)] = removed_basis(base, reg_id, n)
        for t in tiers:
            if e.kind == "directory" and e.time_limit == t:
                causes.append(Reason("tier", tier=t))
                continue
            said = states_tier(e, base.tiers.get(t))
            if said == "states":
                causes.append(Reason("tier_stated", tier=t, text_=str(base.tiers[t]["name"])))
            elif said == "mentions":
                mentions.append(f"{e.title}（{base.unit_name(e.unit)}）：提到“{base.tiers[t]['name']}”")
        if new_numbers:
            text = entries.files.get(e.path)
            if text is not None:
                rewrites[e.path] = rewrite_citations(text, new_numbers)
        if causes:
            impacted.append(CitingEntry(e.id, e.path, e.unit, e.kind, e.title, affected,
                                        [r.text(names) for r in causes], causes))
        elif renumber:
            renumbered.append(CitingEntry(e.id, e.path, e.unit, e.kind, e.title, list(new_numbers), renumber))
    configs = [f"regulations/{name}.yaml" for name in ("time_limits", "intake_rules", "intake_examples")
               if base.configs.get(name) != head.configs.get(name)]
    impact = Impact(all_changes, impacted, renumbered, rewrites, tiers, configs,
                    tier_mentions=mentions, moves={k: c.new for k, c in mapping.items() if c.new != k[1]},
                    names=names)
    if mapping:
        _config_rewrites(entries, mapping, impact)
        _question_rewrites(base, head, all_changes, mapping, impact)
        _stale_citations(entries, head, mapping, impact)
    return impact


def _stale_citations(entries: Snapshot, head: Snapshot, mapping: dict, impact: Impact):
    """Entries edited in the change itself (so not rewritten for the author) still citing a deleted article."""
    if entries is head:
        return
    for e in head.entry_list:
        before = entries.entries.get(e.id)
        if before is None or head.files.get(e.path) == entries.files.get(e.path):
            continue  # new (its author chose its citations), or unchanged (rewritten by the follow-up)
        for reg_id, n in e.citations:
            c = mapping.get((reg_id, n))
            if c is not None and c.status == "removed" and (reg_id, n) in before.citations:
                now = "（该条号现为另一条文）" if n in head.regulations.get(reg_id, _NO_REG).articles else ""
                impact.stale.append(f"{e.path}：{impact.name(reg_id)} {article_label(n)}已删除{now}，"
                                    "请改为现行条文或删去")


class _NoRegulation:
    articles: dict = {}


_NO_REG = _NoRegulation()


def removed_basis(snap: Snapshot, reg_id: str, number: int) -> dict:
    """The plain-text basis item replacing a citation of a deleted article: it names it and links nowhere."""
    reg = snap.regulations.get(reg_id)
    title = reg.title if reg else reg_id
    return {"document": f"{title} 原{article_label(number)}（已删除）"}


CONFIGS = ("time_limits", "intake_rules")


def _citation_nodes(node, path=""):
    """(where, article scalar node, regulation, number) of every ``{regulation, article}`` mapping in a YAML tree."""
    if isinstance(node, yaml.MappingNode):
        keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        reg, art = keys.get("regulation"), keys.get("article")
        if isinstance(reg, yaml.ScalarNode) and isinstance(art, yaml.ScalarNode) and art.value.strip().isdigit():
            yield path, art, reg.value, int(art.value)
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else "?"
            yield from _citation_nodes(v, f"{path}.{name}" if path else name)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            ident = None
            if isinstance(v, yaml.MappingNode):
                ident = next((x.value for k, x in v.value if isinstance(k, yaml.ScalarNode) and k.value == "id"
                              and isinstance(x, yaml.ScalarNode)), None)
            yield from _citation_nodes(v, f"{path}[{ident or i}]")


def _config_rewrites(snap: Snapshot, mapping: dict, impact: Impact):
    """Rewrite renumbered citations in regulations/time_limits.yaml and intake_rules.yaml, in place."""
    for name in CONFIGS:
        path = f"regulations/{name}.yaml"
        text = snap.files.get(path)
        if text is None:
            continue
        try:
            root = yaml.compose(text, Loader=frontmatter.Loader)
        except yaml.YAMLError:
            continue
        edits = []
        for where, node, reg_id, n in _citation_nodes(root):
            c = mapping.get((reg_id, n))
            if c is None or c.status == "unchanged":
                continue
            if c.status == "removed" or c.new is None:
                impact.config_removed.append(f"{path} {where}：{impact.name(reg_id)} {article_label(n)}已删除，"
                                             "请改为现行条文")
                continue
            if c.new != n:
                edits.append((node.start_mark.index, node.end_mark.index, str(c.new)))
                impact.config_rewritten.append(f"{path} {where}：{impact.name(reg_id)} {article_label(n)} → "
                                               f"{article_label(c.new)}")
        if edits:
            for start, end, new in sorted(edits, reverse=True):
                text = text[:start] + new + text[end:]
            impact.rewrites[path] = text


def _question_rewrites(base: Snapshot, head: Snapshot, changes: dict, mapping: dict, impact: Impact):
    """Shift a regulation's own ``questions:`` keys with its articles, when the change left that block as it was.

    Computed from the new text, so once applied (the block then differs from the old one) nothing more is
    rewritten; a block that is exactly the old one shifted is still reported, so the reviewers see it.
    """
    for reg_id in changes:
        old, new = base.regulations.get(reg_id), head.regulations.get(reg_id)
        if not (old and new):
            continue
        untouched = old.meta.get("questions") == new.meta.get("questions")
        text = head.files.get(new.path) if untouched else base.files.get(old.path)
        out = shift_questions(text, reg_id, mapping) if text is not None else None
        if out is None:
            continue
        rewritten, shifted, dropped = out
        if rewritten == text:
            continue
        if untouched:
            impact.rewrites[new.path] = rewritten
        elif frontmatter.meta_or_empty(rewritten).get("questions") != new.meta.get("questions"):
            continue  # the author wrote the questions themselves
        # said whether moved now or already by this change's follow-up
        if shifted:
            more = f"等 {len(shifted)} 条" if len(shifted) > 4 else ""
            impact.questions_shifted.append(f"{impact.name(reg_id)} " + "、".join(shifted[:4]) + more)
        if dropped:
            impact.questions_dropped.append(f"{impact.name(reg_id)} " + "、".join(dropped))


def shift_questions(text: str, reg_id: str, mapping: dict):
    """(new text, shifted, dropped) with the ``questions:`` keys moved to the new numbers, keeping formatting."""
    from ..content.model import article_number
    try:
        raw, start = frontmatter._front(text)
        root = yaml.compose(raw, Loader=frontmatter.Loader)
    except (frontmatter.FrontMatterError, yaml.YAMLError):
        return None
    offset, length = text.index(raw, 0, start) if raw else 0, len(raw)  # where ``raw`` is in ``text``
    if not isinstance(root, yaml.MappingNode):
        return None
    node = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "questions"), None)
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    items = node.value
    edits, shifted, dropped = [], [], []
    for i, (k, v) in enumerate(items):
        number = article_number(k.value)
        c = mapping.get((reg_id, number)) if number is not None else None
        if c is None or c.new == number:
            continue
        if c.new is None:
            # the whole item: from its key's line to the next key's line (or the end of its value)
            begin = raw.rfind("\n", 0, k.start_mark.index) + 1
            if i + 1 < len(items):
                end = raw.rfind("\n", 0, items[i + 1][0].start_mark.index) + 1
            else:
                end = v.end_mark.index
                end = raw.find("\n", end - 1) + 1 if raw[end - 1:end] != "\n" else end
                end = end or len(raw)
            edits.append((begin, end, ""))
            dropped.append(f"原{article_label(number)}")
        else:
            edits.append((k.start_mark.index, k.end_mark.index, str(c.new)))
            shifted.append(f"原{article_label(number)} → {article_label(c.new)}")
    for begin, end, new in sorted(edits, reverse=True):
        raw = raw[:begin] + new + raw[end:]
    return text[:offset] + raw + text[offset + length:], shifted, dropped


def rewrite_citations(text: str, new_numbers: dict[tuple[str, int], int | dict]) -> str:
    """Rewrite ``article:`` numbers in an entry's basis in place, keeping the file's formatting.

    A new number that is a mapping (see :func:`removed_basis`) replaces the whole basis item.
    """
    basis = frontmatter.parse(text)[0].get("basis")
    if not isinstance(basis, list):
        return text
    rewritten = []
    for item in basis:
        cites = isinstance(item, dict) and item.get("regulation") is not None
        if cites and isinstance(item.get("article"), int):
            new = new_numbers.get((str(item["regulation"]), item["article"]))
            if isinstance(new, dict):
                item = new
            elif new is not None:
                item = dict(item, article=new)
        rewritten.append(item)
    return yamledit.update(text, {"basis": rewritten})


def citing_entries(snap: Snapshot, regulation: str, number: int) -> list[Entry]:
    """Entries that cite one article."""
    return [e for e in snap.entry_list if (regulation, number) in e.citations]
