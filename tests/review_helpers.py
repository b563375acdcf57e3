"""Shared set-up for the review tests: users, directory entries and edits."""

from kb_app.content import frontmatter

from .conftest import commit_all

PASSWORD = "secret-pass-1"
HRSS = "entries/policy/city-hrss/sscard-reissue.md"
HOTLINE = "entries/policy/hotline-center/hotline-privacy.md"
ROAD = "entries/directory/road-pothole.md"

USERS = [
    ("hrss-editor", "李编辑", "unit_editor", "city-hrss"),
    ("hrss-reviewer", "王审核", "unit_reviewer", "city-hrss"),
    ("hrss-reviewer2", "钱审核", "unit_reviewer", "city-hrss"),
    ("housing-editor", "吴编辑", "unit_editor", "city-housing"),
    ("hotline-reviewer", "周审核", "unit_reviewer", "hotline-center"),
    ("um-editor", "郑编辑", "unit_editor", "city-urban-management"),
    ("um-reviewer", "冯审核", "unit_reviewer", "city-urban-management"),
    ("dh-reviewer", "陈审核", "unit_reviewer", "district-donghu"),
    ("xs-reviewer", "褚审核", "unit_reviewer", "district-xishan"),
    ("center", "张校核", "center_reviewer", ""),
    ("center2", "卫校核", "center_reviewer", ""),
    ("legal", "赵法制", "legal_reviewer", ""),
    ("agent", "刘坐席", "agent", ""),
    ("admin", "孙管理", "admin", ""),
]


def make_users(kb):
    return {u: kb.users.add(u, n, PASSWORD, r, unit, f"{u}@example.invalid") for u, n, r, unit in USERS}


def directory_text(handler="city-urban-management", co=("district-donghu",), unit="hotline-center", title="道路坑洼破损"):
    meta = {"id": "road-pothole", "kind": "directory", "title": title, "unit": unit, "category": ["城市管理"],
            "keywords": ["坑洼", "路面破损"], "examples": ["路上有个大坑"], "handler": handler,
            "co_handlers": list(co), "level": "city", "time_limit": "5wd"}
    return frontmatter.dump(meta, "城市道路路面破损、坑洼的修复。小区内部道路不在此范围。\n")


def add_directory_entry(kb, **kw):
    path = kb.settings.root / ROAD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(directory_text(**kw), encoding="utf-8")
    commit_all(kb.settings.root, "add directory entry")


def quiet_users(kb, monkeypatch):
    """The users, on a knowledge base whose index is left alone when a request is published."""
    monkeypatch.setattr(kb, "reindex", lambda *a, **k: None)
    return make_users(kb)


def correction(kb, users, submit=True):
    """A request correcting the fee of the social security card answer (sscard-reissue), submitted for review."""
    return kb.review.create(users["hrss-editor"], "更正补卡工本费", {HRSS: edited(kb, HRSS, "\n工本费 20 元。\n")},
                            submit=submit)


def edited(kb, path, body_suffix="", **meta_changes):
    meta, body, _ = frontmatter.parse(kb.store.read(path))
    meta.update(meta_changes)
    return frontmatter.dump(meta, body + body_suffix)






def published_requests(kb, requests: list[tuple], events: list[dict] = ()):
    """Change requests ``(id, author unit, created, published or None: still in review)`` and their events
    written straight into the database: the timing of reviews (校核周期) without running them."""
    db = kb.db()
    try:
        db["change_requests"].insert_all(
            [{"id": pk, "author_unit": unit, "state": "published" if published else "in_review", "created": created,
              "published": published} for pk, unit, created, published in requests], alter=True)
        if events:
            db["cr_events"].insert_all(events)
        db.conn.commit()
    finally:
        db.conn.close()
