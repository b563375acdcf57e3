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
