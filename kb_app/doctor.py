"""Health checks of a knowledge base (``kb doctor``) and the repairs that derived state allows.

Each check gives a one-line summary and its findings:

* **database** — SQLite's integrity check of the workflow database;
* **git** — every object main and the change branches need is in the repository;
* **change requests** — every CR record has its ``cr/*`` branch at the recorded head, every branch has
  a record, and every published CR's merge commit is on main;
* **flags** — the "依据已变更，待核" marks are exactly those main's history implies
  (:func:`kb_app.review.reverify.flags_from_history`);
* **index** — the search index reflects main, holds each of main's documents once, keeps internal
  documents out of the public index, and every segment reads (stored documents, every term
  dictionary and a sample of postings);
* **content** — every file on main validates.

:func:`repair` fixes what can be derived or reconciled: it registers pushed branches and settles
interrupted publications (the review's ``sync``), rebuilds the index and recomputes the flags from
history. What needs a person — a lost branch, invalid content, a damaged database or repository —
is reported with what to do.
"""

from __future__ import annotations

import collections
import dataclasses

from .labels import READER_LABELS as AUDIENCE_LABELS
from .review.branches import branch_lock
from .review.publishing import STALE_PUBLISHING
from .review.records import OPEN
from .search.documents import snapshot_docs
from .search.index import AUDIENCES, open_index

#: Postings read per index segment check: enough to touch every part of the postings file on the
#: sample, bounded on a large index (reading all of them takes minutes at 10,000 entries).
POSTING_SAMPLE = 2000


@dataclasses.dataclass
class Finding:
    """One problem: what is wrong and what to do; ``repairable`` when ``kb doctor --repair`` fixes it."""

    message: str
    repairable: bool = False


@dataclasses.dataclass
class Check:
    """The outcome of one check."""

    name: str
    title: str
    summary: str = ""
    findings: list[Finding] = dataclasses.field(default_factory=list)

    def add(self, message: str, repairable: bool = False):
        self.findings.append(Finding(message, repairable))


@dataclasses.dataclass
class Report:
    """Every check, and the repairs made before them (``kb doctor --repair``)."""

    checks: list[Check]
    repairs: list[str] = dataclasses.field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    @property
    def ok(self) -> bool:
        return not self.findings


def check_database(kb) -> Check:
    """SQLite's integrity check of the workflow database."""
    check = Check("database", "流程数据库")
    db = kb.db()
    try:
        result = [r[0] for r in db.execute("pragma integrity_check").fetchall()]
        tables = len([t for t in db.table_names() if not t.startswith("_")])
    finally:
        db.conn.close()
    if result == ["ok"]:
        check.summary = f"完整性检查通过（{tables} 张表）"
    else:
        check.summary = "完整性检查未通过"
        check.add("数据库损坏：" + "；".join(result[:5]) + "。请停止应用，用 kb restore 从最近的备份恢复。")
    return check


def check_git(kb) -> Check:
    """Every object reachable from the branches is in the repository."""
    check = Check("git", "内容仓库")
    lines = kb.store.missing_objects()
    if not lines:
        check.summary = f"对象完整，主干 {kb.store.head()[:10]}"
    else:
        check.summary = "缺少对象"
        check.add("git 仓库不完整：" + "；".join(lines[:5]) + "。请用 kb restore 从最近的备份恢复，或从其他副本取回缺少的对象。")
    return check


def check_change_requests(kb) -> Check:
    """CR records against the ``cr/*`` branches, read together under the review's branch lock."""
    check = Check("change_requests", "变更请求与 cr/* 分支")
    with branch_lock(kb):
        branches = kb.store.branches("cr/")
        db = kb.db()
        rows = list(db.query("select id, branch, head, state, published_commit, updated from change_requests "
                             "where state != 'creating' order by id"))
        db.conn.close()
    main = kb.store.head()
    on_main = set(kb.store.mainline(main))
    stale = (kb.now() - STALE_PUBLISHING).isoformat()
    for row in rows:
        cr, branch, sha = row["id"], row["branch"], branches.get(row["branch"])
        if sha is None:
            check.add(f"变更请求 #{cr} 的分支 {branch} 不存在：请从备份恢复该分支（kb restore），"
                      + ("或撤回该变更请求后重新提交。" if row["state"] in OPEN else "其内容仍在主干或其他备份中。"))
        elif sha != row["head"]:
            if row["state"] in OPEN:
                check.add(f"变更请求 #{cr} 记录的提交 {row['head'][:10]} 与分支 {branch} 的 {sha[:10]} 不一致"
                          "（分支被推送了新的提交，尚未登记）", repairable=True)
            else:
                check.add(f"已结束的变更请求 #{cr}（{row['state']}）的分支 {branch} 被移动到 {sha[:10]}："
                          "请核实是谁推送的；如需继续修改，请新建变更请求。")
        if row["state"] == "published" and row["published_commit"] not in on_main:
            check.add(f"变更请求 #{cr} 记录为已发布，但发布提交 {(row['published_commit'] or '（空）')[:10]} 不在主干上："
                      "请核对主干历史，必要时从备份恢复。")
        if row["state"] == "publishing" and (row["updated"] or "") < stale:
            check.add(f"变更请求 #{cr} 停在“发布中”（发布过程中断）", repairable=True)
    recorded = {r["branch"] for r in rows}
    for branch in sorted(set(branches) - recorded):
        check.add(f"分支 {branch} 没有对应的变更请求记录（用 git 推送，尚未登记）", repairable=True)
    check.summary = f"{len(rows)} 个记录，{len(branches)} 个分支"
    return check


def check_flags(kb) -> Check:
    """The re-verification flags against those main's history implies."""
    from .review.reverify import FLAG_LABEL, flags, flags_from_history

    check = Check("flags", f"“{FLAG_LABEL}”标记")
    expected, actual = flags_from_history(kb), flags(kb)
    for entry in sorted(expected.keys() - actual.keys()):
        check.add(f"条目“{entry}”缺少标记：提交 {expected[entry]['commit'][:10]} 修改了其依据，此后条目未经复核",
                  repairable=True)
    for entry in sorted(actual.keys() - expected.keys()):
        check.add(f"条目“{entry}”有标记，但按主干历史它的依据未变更或已经复核", repairable=True)
    for entry in sorted(actual.keys() & expected.keys()):
        if actual[entry].commit != expected[entry]["commit"]:
            check.add(f"条目“{entry}”的标记来自提交 {actual[entry].commit[:10]}，按主干历史应为 "
                      f"{expected[entry]['commit'][:10]}", repairable=True)
    check.summary = f"{len(actual)} 个条目有标记，按主干历史应为 {len(expected)} 个"
    return check


def read_index(path) -> list[dict]:
    """Every stored document of an index, after reading its term dictionaries and sampled postings."""
    ix = open_index(path)
    reader = ix.reader()
    try:
        docs = list(reader.all_stored_fields())
        terms = list(reader.all_terms())
        for fieldname, text in terms[::max(1, len(terms) // POSTING_SAMPLE)]:
            collections.deque(reader.postings(fieldname, text).all_ids(), maxlen=0)
    finally:
        reader.close()
    if len(docs) != ix.doc_count():
        raise ValueError(f"存储的文档数 {len(docs)} 与索引记录的 {ix.doc_count()} 不符")
    return docs


def check_index(kb) -> Check:
    """The search index reflects main and every segment of both indexes reads."""
    check = Check("index", "检索索引")
    index = kb.index
    state = index.read_state()
    if state is None:
        check.summary = "不存在"
        check.add("检索索引不存在、格式已过时或状态文件无法读取", repairable=True)
        return check
    head = kb.store.head()
    if state["commit"] != head:
        check.add(f"检索索引对应提交 {state['commit'][:10]}，主干已前进到 {head[:10]}", repairable=True)
    docs = {}
    for aud in AUDIENCES:
        try:
            docs[aud] = read_index(index.dir / state["gen"] / aud)
        except Exception as e:  # noqa: BLE001 - whatever a damaged segment raises, it is a finding
            check.add(f"{AUDIENCE_LABELS[aud]}索引无法读取（{state['gen']}/{aud}）：{type(e).__name__}: {e}",
                      repairable=True)
    if "agent" in docs and state["commit"] == head:
        expected = collections.Counter(d.id for d in snapshot_docs(kb.snapshot(head)))
        found = collections.Counter(d["id"] for d in docs["agent"])
        _compare_ids(check, "坐席", expected, found)
    if "public" in docs:
        inside = [d["id"] for d in docs["public"] if d.get("audience") not in ("public", "", None)]
        if inside:
            check.add(f"公众索引中有 {len(inside)} 个非公开文档（如 {'、'.join(sorted(inside)[:5])}）", repairable=True)
        if "agent" in docs:
            extra = {d["id"] for d in docs["public"]} - {d["id"] for d in docs["agent"]}
            if extra:
                check.add(f"公众索引中有 {len(extra)} 个坐席索引没有的文档（如 {'、'.join(sorted(extra)[:5])}）",
                          repairable=True)
    counts = "、".join(f"{AUDIENCE_LABELS[a]} {len(d)} 篇" for a, d in docs.items())
    check.summary = f"对应提交 {state['commit'][:10]}" + (f"，{counts}" if counts else "")
    return check


def _compare_ids(check: Check, label: str, expected: collections.Counter, found: collections.Counter):
    missing = sorted(expected.keys() - found.keys())
    extra = sorted(found.keys() - expected.keys())
    doubled = sorted(k for k, n in found.items() if n > 1)
    for items, what in ((missing, "缺少主干上的"), (extra, "多出主干上已没有的"), (doubled, "重复收录的")):
        if items:
            check.add(f"{label}索引{what} {len(items)} 个文档（如 {'、'.join(items[:5])}）", repairable=True)


def check_content(kb) -> Check:
    """Every file on main validates."""
    from .content.validate import validate

    check = Check("content", "主干上的文件")
    snap = kb.snapshot()
    problems = validate(snap)
    for p in problems:
        check.add(f"{p}（请通过变更请求修正）")
    check.summary = f"{len(snap.files)} 个文件，" + (f"{len(problems)} 个问题" if problems else "校验通过")
    return check


CHECKS = (check_database, check_git, check_change_requests, check_flags, check_index, check_content)


def run(kb) -> Report:
    """Every check, in order."""
    return Report([check(kb) for check in CHECKS])


def repair(kb) -> Report:
    """Reconcile the branches, rebuild the index and recompute the flags; then check everything again."""
    from .review.reverify import flags_from_history, reset_flags

    done = []
    before = len(kb.review.list())
    kb.review.sync()
    adopted = len(kb.review.list()) - before
    done.append("登记 git 推送的分支与中断的发布" + (f"（新登记 {adopted} 个变更请求）" if adopted else ""))
    stats = kb.reindex(rebuild=True)
    done.append(f"重建检索索引（对应提交 {stats['commit'][:10]}，用时 {stats['seconds']} 秒）")
    added, removed = reset_flags(kb, flags_from_history(kb))
    done.append(f"按主干历史重新计算待核标记（补上 {len(added)} 个，清除 {len(removed)} 个）")
    report = run(kb)
    report.repairs = done
    return report

