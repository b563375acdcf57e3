"""The names people see for what front matter holds as ids: units, time limits, regulations and
articles, kinds, audiences and levels — for the editor's lists and the review's table of changes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .content.model import Snapshot, as_list, in_use
from .content.numerals import article_label
from .labels import ENTRY_KIND_LABELS, LEVEL_LABELS, audience_choice



#: The longest kind of matter (紧急诉求, 一般求助、投诉、举报) a tier's choice names beside its name.
TIER_KIND_LENGTH = 24


@dataclasses.dataclass
class Choices:
    """What the lists of the editor offer, by name: units, time limits, regulations and articles."""

    units: dict[str, str]                       # id -> name, registered and active
    retired_units: dict[str, str]               # id -> name, registered but no longer active
    tiers: dict[str, str]                       # id -> name (5个工作日)
    regulations: dict[str, str]                 # id -> title
    articles: dict[str, dict[int, tuple[str, str]]]  # regulation -> number -> (第十一条, text)
    default_tier: str = ""
    tier_notes: dict[str, str] = dataclasses.field(default_factory=dict)   # id -> which matters (description)

    @classmethod
    def from_snapshot(cls, snap: Snapshot) -> "Choices":
        units, retired = {}, {}
        for uid, unit in snap.units.items():
            (units if in_use(unit) else retired)[uid] = str(unit.get("name") or uid)
        tiers = {tid: str(t.get("name") or tid) for tid, t in snap.tiers.items()}
        regs = {rid: r.title for rid, r in sorted(snap.regulations.items())}
        articles = {rid: {n: (a.label, a.text) for n, a in sorted(r.articles.items())}
                    for rid, r in snap.regulations.items()}
        limits = snap.config("time_limits", {})
        default = str(limits.get("default_tier") or "") if isinstance(limits, dict) else ""
        notes = {tid: str(t.get("description") or "") for tid, t in snap.tiers.items() if t.get("description")}
        return cls(units, retired, tiers, regs, articles, default if default in tiers else "", notes)

    def as_published(self, base: "Choices", main: "Choices") -> "Choices":
        """The names a change request's version (``self``) will have once published on ``main``: its own where it
        changed them since its ``base``, main's where main changed them since (a tier redefined meanwhile,
        3个工作日 now 2个工作日: what goes live and what its reviewers approve)."""
        def merged(own: dict, before: dict, now: dict) -> dict:
            out = {**now, **{k: v for k, v in own.items() if before.get(k) != v}}
            return {k: v for k, v in out.items() if k in own or k not in before}    # what the request took out
        return dataclasses.replace(
            self, **{f.name: merged(getattr(self, f.name), getattr(base, f.name), getattr(main, f.name))
                     for f in dataclasses.fields(self) if isinstance(getattr(self, f.name), dict)},
            default_tier=self.default_tier if self.default_tier != base.default_tier else main.default_tier)

    def unit_name(self, unit_id) -> str:
        uid = str(unit_id or "")
        if uid in self.units:
            return self.units[uid]
        if uid in self.retired_units:
            return f"{self.retired_units[uid]}（已撤销）"
        return f"{uid}（未登记）" if uid else ""

    def tier_name(self, tier_id) -> str:
        tid = str(tier_id or "")
        return self.tiers.get(tid, f"{tid}（未登记）" if tid else "")

    def tier_choice(self, tier_id) -> str:
        """A tier as a list offers it: its name and the kind of matter it is for, 2小时（紧急诉求）; the name alone
        when its description starts with no short kind (the whole description is in ``tier_note``)."""
        kind, said, _rest = self.tier_notes.get(str(tier_id or ""), "").partition("：")
        return f"{self.tier_name(tier_id)}（{kind}）" if said and len(kind) <= TIER_KIND_LENGTH else self.tier_name(tier_id)

    def tier_note(self, tier_id) -> str:
        """Which matters a tier is for, as time_limits.yaml describes them ("" when it does not)."""
        return self.tier_notes.get(str(tier_id or ""), "")

    def article_label(self, regulation, number) -> str:
        found = self.articles.get(str(regulation), {}).get(number) if isinstance(number, int) else None
        return found[0] if found else (article_label(number) if isinstance(number, int) and number > 0 else
                                       f"第{number}条")

    def article_text(self, regulation, number) -> str:
        found = self.articles.get(str(regulation), {}).get(number) if isinstance(number, int) else None
        return found[1] if found else ""

    def basis_label(self, item) -> str:
        """One basis item in words: 《条例标题》第十一条, or 文件：文号."""
        if isinstance(item, dict) and "regulation" in item:
            reg = str(item.get("regulation"))
            title = self.regulations.get(reg, f"{reg}（未收录）")
            return f"《{title}》{self.article_label(reg, item.get('article'))}"
        if isinstance(item, dict) and item.get("document"):
            return f"文件：{item['document']}"
        return f"无法识别的依据：{item}"

    def show(self, field: str, value) -> str:
        """A front-matter value as a person reads it (units and tiers by name, dates as YYYY-MM-DD)."""
        if value is None:
            return ""
        if field in ("unit", "handler"):
            return self.unit_name(value)
        if field == "co_handlers":
            return "、".join(self.unit_name(u) for u in as_list(value)) or "（无）"
        if field == "time_limit":
            return self.tier_name(value)
        if field == "level":
            return LEVEL_LABELS.get(str(value), str(value))
        if field == "audience":
            return audience_choice(str(value))
        if field == "kind":
            return ENTRY_KIND_LABELS.get(str(value), str(value))
        if field == "basis":
            return "；".join(self.basis_label(b) for b in as_list(value))
        if field == "facts" and isinstance(value, dict):
            return "；".join(f"{k}：{v}" for k, v in value.items())
        if isinstance(value, dt.datetime):
            return str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, list):
            return "、".join(self.show(field, v) for v in value)
        if isinstance(value, dict):
            return "，".join(f"{k}：{self.show(field, v)}" for k, v in value.items())
        return str(value)
