"""What a question is about beyond its words: the hotline's intake rules read on a search question.

A caller asking "楼下有人持刀砍人能打热线吗" shares almost no word with the article that says
emergencies go to 110; the intake rules (``regulations/intake_rules.yaml``), which the center maintains
to classify requests, recognise the situation (紧急警情) and cite the articles that govern it in
their ``basis``. A question that an intake rule recognises therefore lends a share of the best score
to those articles, and to the entries citing all of them: the answer written for that situation
(see ``boost_rules``). Emergency rules are read by meaning with the dispatch assistant's
recogniser, the other rules by their trigger phrases, exactly as at intake; whether the emergency is
happening now does not matter here: the question is about the matter either way.

A question that names the place of one regulation (保定的条例什么时候开始施行) lowers the articles of
the others (see ``prefer_named_place``): the place is read from each regulation's issuer. A question
that names a unit (民政局, 人社局, 国网) lifts what that unit answers (see ``prefer_named_units``).
"""

from __future__ import annotations

import re

import numpy as np
from whoosh import query as Q

from ..cache import LruCache
from ..content.model import in_use
from . import analysis

#: The share of the best score that an article cited by a recognised intake rule receives. Articles
#: carry common questions (常见问法) whose question words (能打热线吗, 找谁) match many questions;
#: a situation the rules recognise outweighs them.
RULE_WEIGHT = 0.5
#: An entry citing all of a rule's basis shares in it only when the basis names this many articles:
#: one article alone (热线受理范围) is cited by answers about any matter.
ENTRY_BASIS = 2
#: How many of the best matching documents are looked at for such entries (their stored citations are
#: read one by one: a bounded cost however large the index).
ENTRY_DEPTH = 50

#: 不 before a two-character verb, and the formal 不予 (不受理 ↔ 不予受理, 不办理 ↔ 不予办理).
_NEGATED = re.compile("(?<!不)不(?![予不])([\u4e00-\u9fff]{2})")
_FORMAL_NEGATED = re.compile("不予([\u4e00-\u9fff]{2})")

#: Rule readers of the latest configurations (keyed by commit).
_readers = LruCache(4)


def negation_groups(norm: str) -> list[list[str]]:
    """Synonym groups pairing the plain and the formal negation found in a (normalised) question.

    Callers say 不受理 where the law says 不予受理 (and the reverse): each negated verb of the
    question is also looked for in the other form, like a synonym.
    """
    groups = [[f"不{m.group(1)}", f"不予{m.group(1)}"] for m in _NEGATED.finditer(norm)]
    groups += [[f"不予{m.group(1)}", f"不{m.group(1)}"] for m in _FORMAL_NEGATED.finditer(norm)]
    return groups


class RuleReader:
    """The intake rules of one configuration, ready to say which rules a question concerns."""

    def __init__(self, config):
        from ..dispatch import emergency

        config = config if isinstance(config, dict) else {}
        self.rules = [r for r in (config.get("rules") or []) if isinstance(r, dict)]
        self.recogniser = emergency.Recogniser(config.get("emergency"), self.rules)
        self.other = [r for r in self.rules if r.get("action") != "transfer"]
        self.by_id = {str(r.get("id") or ""): r for r in self.rules}

    def rules_for(self, text: str) -> list[dict]:
        """The rules a question concerns: the emergency it names (if any), then the first other rule."""
        from ..dispatch import assistant

        out = []
        finding = self.recogniser.recognise(text) if self.recogniser else None
        if finding is not None and finding.rule_id in self.by_id:
            out.append(self.by_id[finding.rule_id])
        other = assistant.match_rule(text, self.other)
        if other is not None and other.id in self.by_id:
            out.append(self.by_id[other.id])
        return out

    def articles_for(self, text: str) -> list[str]:
        """The articles ("<regulation>/<n>") cited by the rules a question concerns, each once."""
        return list(dict.fromkeys(a for basis in self.bases_for(text) for a in basis))

    def bases_for(self, text: str) -> list[tuple[str, ...]]:
        """The basis of each rule a question concerns, as the articles ("<regulation>/<n>") it cites."""
        out = []
        for rule in self.rules_for(text):
            basis = [f"{b['regulation']}/{b['article']}" for b in rule.get("basis") or []
                     if isinstance(b, dict) and b.get("regulation") and isinstance(b.get("article"), int)]
            if basis:
                out.append(tuple(dict.fromkeys(basis)))
        return out


def rule_reader(key, config) -> RuleReader:
    """The rule reader of an intake configuration, kept for the few latest keys (commits)."""
    return _readers.get_or_build(key, lambda: RuleReader(config))


def boost_rules(bases: list[tuple[str, ...]]):
    """An ``adjust`` for Scorer.top giving RULE_WEIGHT of the best score to each article a recognised
    rule cites, and to each of the best matching entries citing all of them (遇到紧急情况打12345还是110
    for 楼上着火了): the answer written for the situation the rule governs (see ENTRY_BASIS)."""
    def adjust(scorer, scores: np.ndarray) -> None:
        from .citations import article_docnums

        if not bases or RULE_WEIGHT <= 0 or not len(scores):
            return
        best = float(scores.max())
        if best <= 0:
            return
        by_id = article_docnums(scorer)
        boosted = {by_id[a] for basis in bases for a in basis if a in by_id}
        whole = [set(basis) for basis in bases if len(basis) >= ENTRY_BASIS]
        if whole:
            k = min(ENTRY_DEPTH, int(np.count_nonzero(scores)))
            for d in np.argpartition(-scores, k - 1)[:k].tolist() if k else []:
                cites = set((scorer.stored_fields(d).get("cites") or "").split(","))
                if any(basis <= cites for basis in whole):
                    boosted.add(d)
        for d in boosted:
            scores[d] += RULE_WEIGHT * best
    return adjust


# -- the place a question names --------------------------------------------------------------------

#: The factor on the articles of a regulation whose place a question does not name, when it names
#: another's: 保定的条例什么时候开始施行 is about 保定's last article, not Beijing's.
OTHER_PLACE_FACTOR = 0.5
_PLACE = re.compile("^([\u4e00-\u9fff]{2,8}?)(省|市|自治区|自治州|地区|盟|区|县)")


def regulation_places(scorer) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """The place names of each regulation in a reader (from its issuer: 北京市人大常委会 → 北京市, 北京)
    and the docnums of its articles, by regulation id (cached on the scorer)."""
    def build():
        from .citations import article_docnums

        names, docnums = {}, {}
        for article, docnum in article_docnums(scorer).items():
            reg = article.split("/")[0]
            docnums.setdefault(reg, []).append(docnum)
            m = _PLACE.match(scorer.stored_fields(docnum).get("unit_name") or "")
            if m and reg not in names:
                names[reg] = (m.group(1) + m.group(2), m.group(1))
        return {reg: (names[reg], np.array(docnums[reg])) for reg in names}
    return scorer.mask(("intent", "places"), build)


def prefer_named_place(norm: str):
    """An ``adjust`` for Scorer.top lowering the articles of the regulations whose place ``norm`` does
    not name, when it names the place of some (but not all) of them."""
    def adjust(scorer, scores: np.ndarray) -> None:
        places = regulation_places(scorer)
        named = {reg for reg, (names, _docs) in places.items() if any(n in norm for n in names)}
        if not named or len(named) == len(places):
            return
        for reg, (_names, docnums) in places.items():
            if reg not in named:
                scores[docnums] *= OTHER_PLACE_FACTOR
    return adjust


# -- the unit a question names ---------------------------------------------------------------------

#: The share of the best score every document of a unit receives when a question names the unit
#: (民政局, 人社局, 国网): what that unit answers comes first. A question that is mostly the name gives
#: the share of its characters the name takes (all of 公安局: the best score), a list of what the
#: unit answers before what only shares its characters (公安机关 in an article).
UNIT_WEIGHT = 0.5
#: The city a citywide unit's name starts with (示例市民政局 → 示例市).
_CITY = re.compile("^[\u4e00-\u9fff]{2,6}?市")

_unit_names = LruCache(4)


def unit_names(snap) -> dict[str, tuple[str, ...]]:
    """The names (normalised) a question may call the units in use of a configuration snapshot by,
    longest first, with the units each names.

    A unit is called by its full name, by its name without the city or district it starts with
    where no other unit's is the same (示例市民政局 → 民政局; 东湖区人民政府 → 人民政府 names three
    and is left out), and by its ``aliases`` in units.yaml (人社局, 国网), which may name several.
    Units no longer in use (``active: false``) are not named.
    """
    def build():
        from ..dispatch import regions

        active = [u for u in snap.units.values() if in_use(u) and u.get("name")]
        cities = [m.group(0) for u in active if u.get("district") == regions.CITYWIDE
                  for m in [_CITY.match(str(u["name"]))] if m]
        places = set(regions.districts(snap)) | ({max(set(cities), key=cities.count)} if cities else set())
        called, short = {}, {}
        for u in active:
            uid, name = str(u["id"]), analysis.normalize(str(u["name"]))
            called.setdefault(name, set()).add(uid)
            for place in places:
                rest = name[len(place):] if name.startswith(analysis.normalize(place)) else ""
                if len(rest) >= 2:
                    short.setdefault(rest, set()).add(uid)
            for alias in u.get("aliases") or []:
                if isinstance(alias, str) and len(analysis.normalize(alias).strip()) >= 2:
                    called.setdefault(analysis.normalize(alias).strip(), set()).add(uid)
        for rest, ids in short.items():
            if len(ids) == 1:
                called.setdefault(rest, set()).update(ids)
        # Longest first, the order named_units reads them in.
        return {name: tuple(sorted(called[name])) for name in sorted(called, key=len, reverse=True)}
    # A work tree's snapshot has no commit to know it by again.
    return _unit_names.get_or_build(snap.commit, build) if snap.commit else build()


def named_units(norm: str, names: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The unit names in a normalised question, the longest where they overlap (东湖区新华街道办事处,
    not also 新华街道 within it), with the units each names; ``names`` as unit_names gives them,
    longest first."""
    found, taken = {}, []
    for name in names:
        start = norm.find(name)
        while start >= 0:
            span = (start, start + len(name))
            if not any(a < span[1] and span[0] < b for a, b in taken):
                taken.append(span)
                found[name] = names[name]
            start = norm.find(name, start + 1)
    return found


def unit_docnums(scorer, unit: str) -> np.ndarray:
    """The document numbers of a unit's documents in a scorer's reader (cached on the scorer)."""
    return np.flatnonzero(scorer.docset(("unit", unit), Q.Term("unit", unit)))


def prefer_named_units(docs: np.ndarray, share: float):
    """An ``adjust`` for Scorer.top lifting the documents of the units a question names (``docs``:
    their document numbers) by UNIT_WEIGHT, or ``share`` where larger, of the best score (of 1 when
    nothing else matches); ``share`` is the part of the question's characters the names take."""
    def adjust(scorer, scores: np.ndarray) -> None:
        if not len(docs) or UNIT_WEIGHT <= 0 or not len(scores):
            return
        scores[docs] += max(UNIT_WEIGHT, share) * (float(scores.max()) or 1.0)
    return adjust
