"""As-of answers: the version in force on a date, with the CR and reviewers that published it."""

import datetime as dt

import pytest

from kb_app.content import asof
from kb_app.content import frontmatter
from kb_app.exceptions import KbError


def publish(kb, path, title, when, cr):
    meta, body, _ = frontmatter.parse(kb.store.read(path))
    meta["title"] = title
    meta.pop("effective", None)
    meta.pop("expires", None)
    base = kb.store.head()
    head = kb.store.write_change(f"cr/{cr}", {path: frontmatter.dump(meta, body + f"\n{title}的正文。\n")}, title,
                                 base=base, date=when)
    kb.store.publish(head, base, f"{title}\n\nChange-Request: {cr}\nReviewed-by: 张校核 <热线中心校核>\n"
                                 f"Reviewed-by: 王审核 <单位审核>\n", date=when)


def test_record_of_the_version_in_force(kb):
    entry = kb.snapshot().policies()[0]
    publish(kb, entry.path, "三月版本", "2026-03-01T09:00:00+08:00", 11)
    publish(kb, entry.path, "九月版本", "2026-09-01T09:00:00+08:00", 12)
    rec = asof.record(kb, entry.id, dt.date(2026, 6, 15))
    assert rec.title == "三月版本" and rec.change_request == "11"
    assert rec.reviewers == ["张校核 <热线中心校核>", "王审核 <单位审核>"]
    md = rec.markdown()
    assert "查询日期：2026-06-15" in md and "变更请求：#11" in md and "三月版本的正文" in md
    page = rec.html()
    assert page.startswith("<!doctype html>") and "张校核 &lt;热线中心校核&gt;" in page
    assert asof.record(kb, entry.id, dt.date(2026, 10, 1)).change_request == "12"


def test_no_version_before_the_first_publication(kb):
    entry = kb.snapshot().policies()[0]
    with pytest.raises(KbError, match="当天没有有效的"):
        asof.record(kb, entry.id, dt.date(1999, 1, 1))


def test_a_day_with_several_versions_says_so_and_a_moment_gives_the_one_in_force(kb):
    """Complaint handling needs the version the caller was told: a day on which three versions were
    published names them all; a moment of it gives the one in force then."""
    entry = kb.snapshot().policies()[0]
    for n, (title, clock) in enumerate([("早版", "09:00"), ("午版", "12:00"), ("晚版", "18:00")]):
        publish(kb, entry.path, title, f"2026-05-06T{clock}:00+08:00", 20 + n)
    day = asof.record(kb, entry.id, dt.date(2026, 5, 6))
    assert day.title == "晚版" and [when.strftime("%H:%M") for when, _c in day.day_versions] == ["09:00", "12:00", "18:00"]
    md = day.markdown()
    assert "当日先后发布了 3 个版本，这是当日结束时有效的一个" in md and "- 当日发布的版本：09:00 " in md
    noon = asof.record(kb, entry.id, dt.datetime(2026, 5, 6, 13, 30))
    assert noon.title == "午版" and "- 查询时刻：2026-05-06 13:30（该时刻有效的版本）" in noon.markdown()
    assert asof.record(kb, entry.id, dt.datetime(2026, 5, 6, 18, 0)).title == "晚版"   # published at that minute
    # A moment given with a zone is the same moment (10:00 UTC is 18:00 in Beijing).
    assert asof.record(kb, entry.id, dt.datetime(2026, 5, 6, 9, 59, tzinfo=dt.timezone.utc)).title == "午版"


def test_a_day_not_yet_come_says_later_changes_are_not_in_it(kb):
    entry = kb.snapshot().policies()[0]
    later = kb.today() + dt.timedelta(days=400)
    if entry.expires is None or entry.expires >= later:
        assert "该日尚未到来" in asof.record(kb, entry.id, later).markdown()
    assert "该日尚未到来" not in asof.record(kb, entry.id, kb.today()).markdown()
