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
