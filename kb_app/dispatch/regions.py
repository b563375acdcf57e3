"""Regions: the district a request concerns, from the districts of ``regulations/units.yaml``."""

from __future__ import annotations

import functools
import re

from ..search.analysis import normalize

CITYWIDE = "全市"
#: How requests that name no district (or concern the whole city) are shown.
NO_REGION = "未标明区域"


@functools.lru_cache(maxsize=16)
def _district_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(re.escape(normalize(n)) for n in names)) if names else None


def districts(snap) -> tuple[str, ...]:
    """The districts named in units.yaml (other than citywide), longest first."""
    return tuple(sorted({str(u.get("district") or "") for u in snap.units.values()} - {"", CITYWIDE},
                        key=lambda d: (-len(d), d)))


def region_finder(snap):
    """A function giving the first district of units.yaml named in a normalised text ("" when none is)."""
    names = districts(snap)
    pattern = _district_pattern(names)
    spelled = {normalize(d): d for d in names}

    def find(normalized_text: str) -> str:
        m = pattern.search(normalized_text) if pattern is not None and normalized_text else None
        return spelled.get(m.group(0), m.group(0)) if m else ""

    return find


def detect_region(text: str, snap) -> str:
    """The first district of units.yaml named in a text ("" when none is)."""
    return region_finder(snap)(normalize(text or ""))


def scope_note(entry_regions, region: str) -> str:
    """What an agent must know of an entry's regions (``regions:``) for a request about ``region`` (the
    district it names, "" when it names none): "" when the entry applies (it is citywide, or names that
    district); else which districts it is for, and that the caller's district is to be asked first or is
    another. A district's answer or catalogue entry is no answer for a caller whose district is unknown."""
    named = [r for r in entry_regions if r and r != CITYWIDE]
    if not named or CITYWIDE in entry_regions or region in named:
        return ""
    where = "、".join(named)
    if not region:
        return f"仅适用于{where}：请先问清来电人所在的区"
    return f"仅适用于{where}，来电说的是{region}"

