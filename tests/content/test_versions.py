"""The version of an entry in force on a day when newer ones are scheduled (content.versions)."""

import datetime as dt

from kb_app.content import versions
from kb_app.content.model import Entry


def entry(effective=None, expires=None, audience="public"):
    meta = {"id": "ab", "kind": "policy", "unit": "u", "audience": audience}
    meta.update({k: v for k, v in (("effective", effective), ("expires", expires)) if v})
    return Entry("entries/policy/u/ab.md", meta, "")


def d(text):
    return dt.date.fromisoformat(text)


def test_earlier_versions_end_the_day_before_the_next_takes_effect_or_at_their_own_expiry():
    newest = entry("2026-12-10")
    periods = versions.earlier_in_force(newest, [entry("2026-12-05"), entry("2026-12-08", "2026-12-06"),
                                                 entry("2026-01-01", "2026-12-31"), entry()])
    assert [(e.effective, e.expires, e.replaced_on) for e in periods] == [
        (d("2026-12-05"), d("2026-12-09"), d("2026-12-10")),
        (d("2026-01-01"), d("2026-12-04"), d("2026-12-05")),
        (None, d("2025-12-31"), d("2026-01-01"))]
    # An unreadable version ends the search: nothing older is in force by it.
    assert versions.earlier_in_force(newest, [entry("2026-13-01"), entry()]) == []
    assert versions.earlier_in_force(entry(), [entry()]) == []


def test_the_newest_version_that_has_taken_effect_decides():
    chain = [entry("2026-12-10"), entry("2026-12-01", "2026-12-03"), entry()]
    assert versions.in_force(chain, d("2026-12-02")) is chain[1]
    assert versions.in_force(chain, d("2026-12-05")) is None          # expired: the one before does not come back
    assert versions.in_force(chain, d("2026-11-20")) is chain[2]
    assert versions.in_force(chain, d("2026-12-10")) is chain[0]
