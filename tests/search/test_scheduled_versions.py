"""A change scheduled for a later day leaves the version in force until then (content.versions)."""

import datetime as dt
import re

import pytest

from kb_app import load_settings, open_kb

from ..conftest import TODAY, commit_all

SSCARD = "entries/policy/city-hrss/sscard-reissue.md"
QUERY = "社保卡丢了怎么补办"


def day(n):
    """The suite's day plus ``n`` days, as the ISO date settings take."""
    return (dt.date.fromisoformat(TODAY) + dt.timedelta(days=n)).isoformat()


def at_day(kb, when):
    """The same knowledge base and index on another day (no reindex)."""
    return open_kb(load_settings(root=kb.settings.root, data_dir=kb.settings.data_dir, today=when))


def schedule(root, effective, fee="20元", replace=()):
    """Publish the sample's 社保卡 answer with its fee changed, in force from ``effective``."""
    path = root / SSCARD
    text = re.sub(r"^effective: .*$", f"effective: {effective}", path.read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r"补换社保卡(\*\*免收工本费\*\*|收取工本费\*\*[^*]+\*\*)", f"补换社保卡收取工本费**{fee}**", text)
    for old, new in replace:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return commit_all(root, f"工本费 {fee}，{effective} 起")


def found(kb, audience="public"):
    """The 社保卡 answer's hits for the question: (status, last day in force, its text says 20元)."""
    hits = [h for h in kb.search(QUERY, audience=audience, limit=20).hits if h.id == "sscard-reissue"]
    stored = {f["expires"]: f["text"] for f in kb.index.searcher(audience).all_stored_fields()
              if f["id"] == "sscard-reissue"}
    return [(h.status, h.expires, "20元" in stored[h.expires]) for h in hits]


def test_the_version_in_force_stays_until_the_new_one_takes_effect(kb, sample_root):
    kb.reindex()
    schedule(sample_root, day(3))
    assert kb.reindex()["mode"] == "incremental"
    stored = sorted((f["effective"], f["expires"], f["earlier"])
                    for f in kb.index.searcher("public").all_stored_fields() if f["id"] == "sscard-reissue")
    assert stored == [("2026-01-01", day(2), "1"), (day(3), "", "")]
    # Before the day: the free card, for the public and for agents (in force, so 有效), once each.
    for when in (TODAY, day(2)):
        assert found(at_day(kb, when)) == [("in_force", day(2), False)]
        assert found(at_day(kb, when), "agent") == [("in_force", day(2), False)]
    # From the day on, the new version, with no reindex.
    later = at_day(kb, day(3))
    assert later.index.indexed_commit == kb.index.indexed_commit
    assert found(later) == [("in_force", "", True)]
    assert found(later, "agent") == [("in_force", "", True)]


def test_an_incremental_update_equals_a_rebuild(kb, sample_root, tmp_path):
    kb.reindex()
    schedule(sample_root, day(3))
    kb.reindex()
    fresh = open_kb(load_settings(root=sample_root, data_dir=tmp_path / "fresh", today=TODAY))
    fresh.reindex(rebuild=True)
    for audience in ("public", "agent"):
        docs = [sorted((f["id"], f["expires"], f["text"]) for f in k.index.searcher(audience).all_stored_fields())
                for k in (kb, fresh)]
        assert docs[0] == docs[1]


def test_two_scheduled_versions_each_in_force_in_turn(kb, sample_root, monkeypatch):
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):      # published on the suite's day, for kb asof
        monkeypatch.setenv(name, f"{TODAY}T09:00:00+08:00")
    kb.reindex()
    schedule(sample_root, day(3), "20元")
    schedule(sample_root, day(6), "30元")
    kb.reindex()
    said = {}
    for n in (0, 2, 3, 5, 6, 30):
        k = at_day(kb, day(n))
        hits = [h for h in k.search(QUERY, limit=20).hits if h.id == "sscard-reissue"]
        assert len(hits) == 1
        text = k.reader().entry("sscard-reissue").body
        said[n] = "30元" if "30元" in text else "20元" if "20元" in text else "免收"
        assert k.version_on("sscard-reissue", dt.date.fromisoformat(day(n)))[1].body == text   # kb asof agrees
    assert said == {0: "免收", 2: "免收", 3: "20元", 5: "20元", 6: "30元", 30: "30元"}


def test_a_new_version_that_takes_effect_at_once_replaces_the_old_one(kb, sample_root):
    kb.reindex()
    schedule(sample_root, TODAY)
    kb.reindex()
    assert found(kb) == [("in_force", "", True)]
    # The index does not know the day: the old version is kept for the days before, which have passed.
    assert [f["expires"] for f in kb.index.searcher("agent").all_stored_fields() if f.get("earlier")] == [day(-1)]


@pytest.mark.parametrize("old, new", [("audience: public", "audience: internal"),
                                      ("effective: 2026-01-01", "effective: 2026-13-01")])
def test_an_internal_or_unreadable_earlier_version_is_not_served_to_the_public(kb, sample_root, old, new):
    path = sample_root / SSCARD
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    commit_all(sample_root, "before")
    kb.reindex()
    schedule(sample_root, day(3), replace=[("audience: internal", "audience: public")])
    kb.reindex()
    assert found(kb) == []
    assert "sscard-reissue" not in {h.id for h in kb.search(QUERY, limit=50).hits}
    assert found(at_day(kb, day(3))) == [("in_force", "", True)]


def test_the_dispatch_assistant_judges_the_version_in_force(kb, sample_root):
    from kb_app.dispatch.answers import suggest

    kb.reindex()
    schedule(sample_root, day(3))
    [answer] = [a for a in suggest(kb, QUERY, day=kb.today()) if a.entry_id == "sscard-reissue"]
    assert answer.status == "in_force"
