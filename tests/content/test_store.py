"""The git store: reading at commits, history, diffs, plumbing writes and compare-and-swap publishing."""

import datetime as dt
import hashlib
import multiprocessing
import threading
import time

import pytest

from kb_app.content import frontmatter
from kb_app.exceptions import PublishConflict
from kb_app.content.store import Store, parse_trailers

from ..conftest import git

PATH = "entries/policy/hotline-center/{}.md"


def a_policy(store):
    snap = store.snapshot()
    return next(e for e in snap.policies() if e.unit == "hotline-center")


def edited(store, path, **meta_changes):
    meta, body, _ = frontmatter.parse(store.read(path))
    meta.update(meta_changes)
    return frontmatter.dump(meta, body)


def change_and_publish(store, branch, path, text, date=None, reviewer="审核人 <hotline-center>"):
    base = store.head()
    head = store.write_change(branch, {path: text}, f"修改 {path}", author="编辑 <editor@example.invalid>", base=base, date=date)
    msg = f"发布 {branch}\n\nChange-Request: {branch.split('/')[-1]}\nReviewed-by: {reviewer}\n"
    return store.publish(head, base, msg, date=date)


def test_snapshot_at_any_commit(kb):
    store = kb.store
    first = store.head()
    entry = a_policy(store)
    change_and_publish(store, "cr/1", entry.path, edited(store, entry.path, title="新的标题"))
    assert store.snapshot(first).entries[entry.id].title == entry.title
    assert store.snapshot().entries[entry.id].title == "新的标题"


def test_history_author_date_message_and_trailers(kb):
    store = kb.store
    entry = a_policy(store)
    change_and_publish(store, "cr/7", entry.path, edited(store, entry.path, title="标题二"), date="2026-03-01T10:00:00+08:00")
    history = kb.history(entry.id)
    assert len(history) == 2
    newest, oldest = history
    assert newest.trailers == {"Change-Request": ["7"], "Reviewed-by": ["审核人 <hotline-center>"]}
    assert newest.date == dt.datetime.fromisoformat("2026-03-01T10:00:00+08:00")
    assert newest.summary == "发布 cr/7"
    assert oldest.summary.startswith("初始化知识库")
    # The CR's own commit is not a published version.
    assert all(not v.summary.startswith("修改") for v in history)


def test_diff_between_versions(kb):
    store = kb.store
    entry = a_policy(store)
    old = store.head()
    new = change_and_publish(store, "cr/1", entry.path, edited(store, entry.path, title="改过的标题"))
    diff = store.diff(entry.path, old, new)
    assert f"-title: {entry.title}" in diff
    assert "+title: 改过的标题" in diff
    assert store.diff(entry.path, new, new) == ""


def test_version_in_force_on_a_date(kb):
    store = kb.store
    entry = a_policy(store)
    path = entry.path
    change_and_publish(store, "cr/1", path, edited(store, path, title="版本一", effective=dt.date(2026, 1, 1), expires=None),
                       date="2026-01-01T09:00:00+08:00")
    # Published in March, in force only from July: until then, version one is what callers hear.
    change_and_publish(store, "cr/2", path, edited(store, path, title="版本二", effective=dt.date(2026, 7, 1)),
                       date="2026-03-01T09:00:00+08:00")
    assert kb.version_on(entry.id, dt.date(2026, 2, 1))[1].title == "版本一"
    assert kb.version_on(entry.id, dt.date(2026, 5, 1))[1].title == "版本一"
    version, on_aug = kb.version_on(entry.id, dt.date(2026, 8, 1))
    assert on_aug.title == "版本二"
    assert version.trailers["Change-Request"] == ["2"]


def test_version_on_after_deletion_is_none(kb):
    store = kb.store
    entry = a_policy(store)
    base = store.head()
    head = store.write_change("cr/9", {entry.path: None}, "删除", base=base, date="2026-05-01T09:00:00+08:00")
    store.publish(head, base, "发布删除\n\nChange-Request: 9\n", date="2026-05-01T09:00:00+08:00")
    assert kb.version_on(entry.id, dt.date(2026, 6, 1)) == (None, None)
    assert kb.history(entry.id)[0].deleted


def fingerprint(root):
    status = git(root, "status", "--porcelain")  # settles the index's stat cache first
    index = (root / ".git" / "index").read_bytes()
    files = sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    return (hashlib.sha1(index).hexdigest(), status, git(root, "rev-parse", "HEAD"),
            [(p.as_posix(), p.read_bytes(), p.stat().st_mtime_ns) for p in files])


def test_change_request_commit_leaves_work_tree_and_index_untouched(kb, sample_root):
    store = kb.store
    entry = a_policy(store)
    before = fingerprint(sample_root)
    commit = store.write_change("cr/3", {entry.path: edited(store, entry.path, title="草稿"),
                                         PATH.format("brand-new"): "---\nid: brand-new\n---\n新条目\n",
                                         "entries/directory/" + next(iter(store.snapshot().directory())).id + ".md": None},
                                "草稿")
    assert fingerprint(sample_root) == before
    assert store.rev("refs/heads/cr/3") == commit
    assert set(store.changed_paths(store.head(), commit).values()) == {"A", "M", "D"}


def test_the_files_of_many_pairs_of_commits_are_those_of_each_pair(kb, monkeypatch):
    from kb_app.content import store as store_module

    store = kb.store
    main, entry = store.head(), a_policy(store)
    one = store.write_change("cr/1", {entry.path: edited(store, entry.path, title="一")}, "一")
    two = store.write_change("cr/2", {entry.path: None, PATH.format("brand-new"): "---\nid: brand-new\n---\n新\n"}, "二")
    pairs = [(main, one), (main, two), (main, main), (one, two), (main, one), ("", one)]
    monkeypatch.setattr(store_module, "_changes", store_module.LruCache(16))
    many = store.changed_paths_many(pairs)
    monkeypatch.setattr(store_module, "_changes", store_module.LruCache(16))
    assert many == {pair: store.changed_paths(*pair) for pair in pairs}
    assert many[(main, main)] == {} and set(many[(main, two)].values()) == {"A", "D"}


def test_second_publish_on_same_file_is_refused_and_nothing_is_lost(kb):
    store = kb.store
    entry = a_policy(store)
    base = store.head()
    a = store.write_change("cr/1", {entry.path: edited(store, entry.path, title="甲的修改")}, "甲", base=base)
    b = store.write_change("cr/2", {entry.path: edited(store, entry.path, title="乙的修改")}, "乙", base=base)
    store.publish(a, base, "发布甲")
    with pytest.raises(PublishConflict) as e:
        store.publish(b, base, "发布乙")
    assert e.value.paths == [entry.path]
    assert "发布被拒绝" in str(e.value)
    assert store.snapshot().entries[entry.id].title == "甲的修改"
    assert store.snapshot(b).entries[entry.id].title == "乙的修改"


def test_publish_onto_a_moved_main_keeps_both_changes(kb):
    store = kb.store
    one, two = store.snapshot().policies()[:2]
    base = store.head()
    a = store.write_change("cr/1", {one.path: edited(store, one.path, title="一")}, "一", base=base)
    b = store.write_change("cr/2", {two.path: edited(store, two.path, title="二")}, "二", base=base)
    store.publish(a, base, "发布一")
    store.publish(b, base, "发布二")
    snap = store.snapshot()
    assert (snap.entries[one.id].title, snap.entries[two.id].title) == ("一", "二")


def _publish_in_process(root, head, base, queue):
    try:
        queue.put(("ok", Store(root).publish(head, base, "并发发布")))
    except PublishConflict as e:
        queue.put(("conflict", str(e)))


@pytest.mark.parametrize("mode", ["processes", "threads"])
def test_racing_publishes_on_the_same_base(kb, sample_root, mode):
    store = kb.store
    entry = a_policy(store)
    base = store.head()
    heads = [store.write_change(f"cr/{i}", {entry.path: edited(store, entry.path, title=f"并发{i}")}, f"并发{i}", base=base)
             for i in range(2)]
    if mode == "processes":
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        workers = [ctx.Process(target=_publish_in_process, args=(str(sample_root), h, base, queue)) for h in heads]
    else:
        import queue as queue_mod
        queue = queue_mod.Queue()
        workers = [threading.Thread(target=_publish_in_process, args=(str(sample_root), h, base, queue)) for h in heads]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    results = sorted(queue.get(timeout=10) for _ in heads)
    assert [r[0] for r in results] == ["conflict", "ok"]
    winner = results[1][1]
    assert store.head() == winner
    title = store.snapshot().entries[entry.id].title
    assert title in ("并发0", "并发1")
    loser = heads[1] if title == "并发0" else heads[0]
    assert store.snapshot(loser).entries[entry.id].title != title  # the refused text is still on its branch


def test_a_publish_waits_for_another_writers_lock_on_main(kb, sample_root):
    """Git holds main's lock while another publish moves it; waiting for it is not a failure."""
    store = kb.store
    entry = a_policy(store)
    base = store.head()
    head = store.write_change("cr/1", {entry.path: edited(store, entry.path, title="等锁")}, "等锁", base=base)
    lock = sample_root / ".git" / "refs" / "heads" / store.main
    lock = lock.with_name(lock.name + ".lock")
    lock.write_text("", encoding="utf-8")

    def release():
        time.sleep(1.0)  # a relative sleep: a timed wait on a lock would follow a faked clock's date
        lock.unlink()

    release = threading.Thread(target=release)
    release.start()
    try:
        commit = store.publish(head, base, "发布")
    finally:
        release.join()
    assert store.head() == commit
    assert store.snapshot().entries[entry.id].title == "等锁"


def test_clean_checkout_follows_main(kb, sample_root):
    store = kb.store
    entry = a_policy(store)
    change_and_publish(store, "cr/1", entry.path, edited(store, entry.path, title="跟随主干"))
    assert git(sample_root, "status", "--porcelain") == ""
    assert "title: 跟随主干" in (sample_root / entry.path).read_text(encoding="utf-8")


def test_checkout_with_local_edits_is_left_alone(kb, sample_root):
    store = kb.store
    entry = a_policy(store)
    other = store.snapshot().policies()[1]
    (sample_root / other.path).write_text("本地未提交的修改\n", encoding="utf-8")
    change_and_publish(store, "cr/1", entry.path, edited(store, entry.path, title="跟随主干"))
    assert (sample_root / other.path).read_text(encoding="utf-8") == "本地未提交的修改\n"


def test_parse_trailers():
    assert parse_trailers("标题\n\n正文\n\nChange-Request: 4\nReviewed-by: 甲 <a>\nReviewed-by: 乙 <b>") == {
        "Change-Request": ["4"], "Reviewed-by": ["甲 <a>", "乙 <b>"]}
    assert parse_trailers("只有标题") == {}


def test_named_reads_of_main_line_times_and_deleted_files(kb):
    store = kb.store
    first = store.head()
    entry = a_policy(store)
    assert store.first_parent(first) is None                      # the initial commit
    assert store.mainline() == [first]
    assert store.last_published(entry.path).date() == dt.date(2026, 11, 22)
    assert store.commit_time(first) == int(store.last_published(entry.path).timestamp())
    assert store.commit_time("0" * 40) is None
    date = "2026-11-23T10:00:00+08:00"
    second = change_and_publish(store, "cr/1", entry.path, None, date=date)
    assert store.first_parent(second) == first and store.mainline() == [second, first]
    assert store.last_published(entry.path) == dt.datetime.fromisoformat(date)
    assert store.deleted_paths("entries/*.md") == [entry.path]
    assert kb.entry_path(entry.id) == entry.path                  # found again through the deletion
    assert store.damaged_objects() == []


def test_missing_or_damaged_objects_are_reported(kb, sample_root):
    store = kb.store
    blob = store.ls_tree(store.head())[a_policy(store).path]
    obj = sample_root / ".git" / "objects" / blob[:2] / blob[2:]
    assert obj.exists()                                           # a fresh repository keeps loose objects
    obj.unlink()
    assert store.damaged_objects() != []


def test_blob_cache_is_bounded_in_bytes(kb, monkeypatch):
    from kb_app.cache import LruCache
    from kb_app.content import store as store_module

    small = LruCache(1_000_000, sizeof=len, maxcost=2_000)
    monkeypatch.setattr(store_module, "_blobs", small)
    files = kb.store.files_at(kb.store.head())
    assert sum(len(t) for t in files.values()) > 2_000           # the sample is larger than the bound
    assert 0 < small.cost <= 2_000
    assert kb.store.files_at(kb.store.head()) == files           # evicted blobs are read again


def test_entries_of_a_commit_read_their_bodies_from_git_again(kb, monkeypatch):
    from kb_app.cache import LruCache
    from kb_app.content import model
    from kb_app.content import store as store_module

    small = LruCache(1_000_000, sizeof=len, maxcost=2_000)
    monkeypatch.setattr(store_module, "_blobs", small)
    monkeypatch.setattr(model, "_ENTRY_CACHE", LruCache(1_000))
    store = kb.store
    snap = store.snapshot()
    assert all(e._text is None for e in snap.entry_list)           # no entry keeps its file's text
    assert small.cost <= 2_000
    for entry in snap.entry_list:                                   # each body is read again, exactly
        _meta, body, _lines = frontmatter.parse(store.read(entry.path))
        assert entry.body == body
    assert snap.files[snap.entry_list[0].path] == store.read(snap.entry_list[0].path)

    entry = a_policy(store)
    head = change_and_publish(store, "cr/x", entry.path, edited(store, entry.path, title="新标题"))
    again = store.snapshot(head)
    assert again.entries[entry.id].title == "新标题"
    unchanged = [e for e in snap.entry_list if e.path != entry.path]
    assert all(again.entries[e.id] is e for e in unchanged)        # unchanged blobs are not parsed again


def test_the_facade_reads_history_by_entry_id(kb):
    entry = a_policy(kb.store)
    first = kb.head()
    assert entry.id in kb.entry_ids() and kb.entry_ids(first) == kb.entry_ids()
    change_and_publish(kb.store, "cr/1", entry.path, None, date="2026-11-23T10:00:00+08:00")
    assert entry.id not in kb.entry_ids() and entry.id in kb.entry_ids(first)
    (deleted, original) = kb.history(entry.id)
    assert deleted.deleted and original.commit == first
    assert kb.file_text(entry.path) is None and kb.file_text(entry.path, first) == kb.store.read(entry.path, first)
    version, found = kb.version_on(entry.id, dt.date(2026, 11, 22))
    assert version.commit == first and found.id == entry.id


def test_recent_versions_newest_first_with_titles_and_deletions(kb):
    store = kb.store
    first = store.head()
    one, two = [e for e in store.snapshot().policies() if e.unit == "hotline-center"][:2]
    change_and_publish(store, "cr/1", one.path, edited(store, one.path, title="改过的标题"), date="2026-11-23T10:00:00+08:00")
    change_and_publish(store, "cr/2", two.path, None, date="2026-11-24T10:00:00+08:00")
    deleted, changed, *initial = kb.recent_versions(500)
    assert (deleted.id, deleted.title, deleted.version.deleted) == (two.id, two.title, True)  # titled as it was last
    assert (changed.id, changed.title, changed.version.deleted) == (one.id, "改过的标题", False)
    assert changed.version.trailers["Change-Request"] == ["1"]
    assert {r.version.commit for r in initial} == {first}                       # one per entry the first commit made
    assert sorted(r.id for r in initial) == kb.entry_ids(first)
    assert [r.id for r in kb.recent_versions(2)] == [two.id, one.id]


def test_a_configuration_is_parsed_once_per_text(kb):
    """A new commit that leaves a configuration as it was does not parse it again (the example calls alone take
    a fifth of a second); a changed one is parsed anew."""
    head = kb.store.snapshot()
    again = kb.store.snapshot(kb.head())
    assert again.configs["intake_examples"] is head.configs["intake_examples"]
    assert again.config_nodes["intake_examples"] is head.config_nodes["intake_examples"]
    from_tree = type(head).from_tree(kb.settings.root)
    assert from_tree.configs["intake_rules"] == head.configs["intake_rules"]
    path = "regulations/time_limits.yaml"
    files = dict(head.files.items())
    changed = type(head)({**files, path: files[path].replace("name:", "name:  ", 1)})
    same = type(head)({**files})
    assert same.configs["time_limits"] is type(head)({**files}).configs["time_limits"]
    assert changed.configs["time_limits"] is not same.configs["time_limits"]
    assert changed.configs["time_limits"] == same.configs["time_limits"]          # the same meaning, read anew
    broken = type(head)({**files, path: files[path] + "\n  : [\n"})
    assert "time_limits" not in broken.configs and broken.parse_problems                 # a bad text is not cached
