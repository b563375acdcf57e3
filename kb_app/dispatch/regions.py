"""Regions: where a request is, from the districts and streets of ``regulations/units.yaml``.

A place the caller names (我住西山区清水街道) tells where the matter is, never what it is: it is taken out
of the words the catalogue, the answers and the past work orders are matched on (``without_places``), and
used as a scope instead: an entry or answer for other districts or other streets comes last (``scope``), and
co-handlers of other districts or other streets are left out (``local_units``).

An entry's ``regions:`` are read the same way: 全市, a district (东湖区), or a street or town as units.yaml names
it (东湖区新华街道, 新华街道): a street's entry applies to requests located in that street; one that names only the
district, or no place, is to be confirmed (the agent asks which street), and one in another street is another's.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from ..content.model import in_use
from ..search.analysis import normalize

CITYWIDE = "全市"
#: How requests that name no district (or concern the whole city) are shown.
NO_REGION = "未标明区域"
#: Unit levels that are a place's government: a district's, a street's or a town's.
LOCAL_LEVELS = ("district", "street")
#: The ending of a street's or a town's name that callers leave out (东湖区和平街道办事处 → 和平街道).
_OFFICE = re.compile("(?:办事处|人民政府|政府)$")
#: Words that only say where the caller is, said with a place (我住、我家在、住在): no more the matter than
#: the place itself.
_LIVES = "(?:我们?|我家|家)?(?:住在|住|在|位于|是)?"


@dataclasses.dataclass(frozen=True)
class Location:
    """Where a request is: the district it names (or the district of the street it names), and the
    streets or towns it names (unit ids)."""

    district: str = ""
    streets: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Places:
    """The place names of a configuration, normalised, as callers say them."""

    #: District name → district.
    districts: dict
    #: Street or town name (full, alias, without its district or its 办事处) → the unit ids it names.
    streets: dict
    #: Every name, longest first, with the words of living there before it.
    pattern: re.Pattern | None
    #: The names alone, longest first.
    names: re.Pattern | None

    def locate(self, normalized_text: str) -> Location:
        """The district and streets named in a normalised text; none when it names places of more than one
        district (我住东湖区，在西山区上班): which one the matter is in is for the agent to ask."""
        found = self.names.findall(normalized_text) if self.names is not None and normalized_text else []
        named = {self.districts[n] for n in found if n in self.districts}
        # A street names its district (清水街道 is in 西山区); a name several streets share names any of theirs.
        of_streets = [{d for _u, d in self.streets[n]} for n in found if n in self.streets]
        if len(named) > 1 or any(named and not named & districts for districts in of_streets):
            return Location()
        if named:
            district = next(iter(named))
        else:
            common = set.intersection(*of_streets) if of_streets else set()
            if of_streets and not common and len(set.union(*of_streets)) > 1 \
                    and all(len(districts) == 1 for districts in of_streets):
                return Location()                   # streets of two districts
            district = next(iter(common)) if len(common) == 1 else ""
        streets = tuple(dict.fromkeys(u for name in found for u, d in self.streets.get(name, ())
                                      if not district or d == district))
        return Location(district, streets)

    def region(self, name: str) -> Location | None:
        """Where an entry's region (``regions:``) is: its district, and its streets when it names a street or a
        town; None for 全市 and for a name the configuration does not know (compared as written)."""
        if not name or name == CITYWIDE:
            return None
        where = self.locate(normalize(name))
        return where if where.district or where.streets else None

    def strip(self, normalized_text: str) -> str:
        """A normalised text without the places it names and the words of living there."""
        return self.pattern.sub(" ", normalized_text) if self.pattern is not None and normalized_text \
            else normalized_text


def districts(snap) -> tuple[str, ...]:
    """The districts named in units.yaml (other than citywide), longest first."""
    return tuple(sorted({str(u.get("district") or "") for u in snap.units.values()} - {"", CITYWIDE},
                        key=lambda d: (-len(d), d)))


def places(snap) -> Places:
    """The place names of a snapshot's units (kept per set of districts and streets)."""
    streets = tuple(sorted(
        (str(uid), str(u.get("name") or ""), str(u.get("district") or ""),
         tuple(a for a in u.get("aliases") or [] if isinstance(a, str)))
        for uid, u in snap.units.items() if u.get("level") == "street" and in_use(u)))
    return _places(districts(snap), streets)


@functools.lru_cache(maxsize=16)
def _places(district_names: tuple[str, ...], streets: tuple) -> Places:
    named = {normalize(d): d for d in district_names}
    called: dict[str, set] = {}
    for uid, name, district, aliases in streets:
        full = normalize(name)
        spoken = {full, *(normalize(a).strip() for a in aliases)}
        short = full.removeprefix(normalize(district)) if district and district != CITYWIDE else full
        spoken |= {short, _OFFICE.sub("", short), _OFFICE.sub("", full)}
        for s in spoken:
            if len(s) >= 2 and s not in named:
                called.setdefault(s, set()).add((uid, district if district != CITYWIDE else ""))
    all_names = sorted({*named, *called}, key=lambda n: (-len(n), n))
    if not all_names:
        return Places(named, {}, None, None)
    alternatives = "|".join(re.escape(n) for n in all_names)
    return Places(named, {n: tuple(sorted(v)) for n, v in called.items()},
                  re.compile(f"{_LIVES}(?:{alternatives})+"), re.compile(alternatives))


def region_finder(snap):
    """A function giving the district named in a normalised text, or the district of the street or town
    it names ("" when none is)."""
    found = places(snap)
    return lambda normalized_text: found.locate(normalized_text).district


def detect_region(text: str, snap) -> str:
    """The district named in a text, or of the street it names ("" when none is)."""
    return locate(text, snap).district


def locate(text: str, snap) -> Location:
    """Where a text says the request is (see Places.locate)."""
    return places(snap).locate(normalize(text or ""))


def without_places(text: str, snap) -> str:
    """A text (normalised) without the districts, streets and towns it names, nor the words of living there
    (我住、我在): what is asked, for matching against what answers, entries and past orders say."""
    return places(snap).strip(normalize(text or ""))


def covering(snap, region: str) -> tuple[str, ...]:
    """The names an entry's regions may give to concern a region a search is limited to: the region itself; for a
    district, every name of its streets and towns (新华街道's entries are 东湖区's too); for a street or a town, its
    other names and its district (whose entries apply there)."""
    found = places(snap)
    place = found.region(region)
    if place is None:
        return (region,)
    streets = set(place.streets) or {u for pairs in found.streets.values() for u, d in pairs if d == place.district}
    names = sorted(n for n, pairs in found.streets.items() if any(u in streets for u, _d in pairs))
    return tuple(dict.fromkeys([region, *names, *(sorted(_districts(snap, place)) if place.streets else [])]))


def local_units(snap, unit_ids, where: Location) -> list[str]:
    """The units of ``unit_ids`` that serve a request located at ``where``: the governments of other
    districts left out when it names a district, and of other streets and towns when it names a street;
    city-level units and companies always stay, and all stay when it names no place (the agent asks)."""
    if not where.district:
        return list(unit_ids)
    kept = []
    for uid in unit_ids:
        unit = snap.units.get(uid) or {}
        district = str(unit.get("district") or "")
        if unit.get("level") in LOCAL_LEVELS and district not in ("", CITYWIDE):
            if district != where.district:
                continue
            if unit.get("level") == "street" and where.streets and uid not in where.streets:
                continue
        kept.append(uid)
    return kept


@dataclasses.dataclass(frozen=True)
class Scope:
    """How an entry's regions stand to where a request is: ``note`` is "" when the entry applies, else which
    districts or streets it is for and what to ask; ``elsewhere`` when the request is located in none of them
    (another district, or another street of its district) rather than not said."""

    note: str = ""
    elsewhere: bool = False


def scope(snap, entry_regions, where: Location) -> Scope:
    """What an agent must know of an entry's regions for a request located at ``where`` (see Scope): nothing when
    the entry is citywide or one of its regions holds the request (its district, or a street it names); to ask
    first when the request does not say enough (no district, or only the district of a street's entry; a
    district's answer or a street's catalogue entry is none for a caller who may live elsewhere); else that it
    is another district's or another street's."""
    named = [r for r in entry_regions if r and r != CITYWIDE]
    if not named or CITYWIDE in entry_regions:
        return Scope()
    found = places(snap)
    read = [(r, found.region(r)) for r in named]
    if any(_holds(r, place, where) for r, place in read):
        return Scope()
    told = "、".join(named)
    streets = [place for _r, place in read if place is not None and place.streets]
    if not where.district:
        return Scope(f"仅适用于{told}：请先问清来电人所在的{'街道（乡镇）' if streets else '区'}")
    if not where.streets and any(where.district in _districts(snap, place) for place in streets):
        return Scope(f"仅适用于{told}，来电只说了{where.district}：请先问清来电人所在的街道（乡镇）")
    # Another street of a district the entry names streets of is told by its name; else the district is.
    said = "、".join(street_name(snap, uid) for uid in where.streets) \
        if any(where.district in _districts(snap, place) for place in streets) else where.district
    return Scope(f"仅适用于{told}，来电说的是{said}", elsewhere=True)


def _districts(snap, place: Location) -> set:
    """The districts of an entry's street region (of each street, for a name streets of several districts share)."""
    return {place.district} if place.district else \
        {str((snap.units.get(u) or {}).get("district") or "") for u in place.streets}


def _holds(name: str, place: Location | None, where: Location) -> bool:
    """Whether a region of an entry (its name, and where it is when the configuration knows it) holds a request."""
    if place is None:
        return name == where.district
    if place.streets:
        return bool(set(place.streets) & set(where.streets))
    return place.district == where.district


def street_name(snap, uid: str) -> str:
    """A street's or a town's name as callers say it, with its district (东湖区和平街道 of 东湖区和平街道办事处)."""
    return _OFFICE.sub("", str((snap.units.get(uid) or {}).get("name") or uid))
