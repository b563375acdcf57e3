"""Health checks of a knowledge base (``kb doctor``) and the repairs that derived state allows.

Each check gives a one-line summary and its findings:

* **database** — SQLite's integrity check of the workflow database and its version (the migrations
  it has had); a warning when other users may read its files;
* **git** — every object main and the change branches need is in the repository;
* **change requests** — every CR record has its ``cr/*`` branch at the recorded head, every branch has
  a record, and every published CR's merge commit is on main;
* **flags** — the "依据已变更，待核" marks are exactly those main's history implies
  (:func:`kb_app.review.reverify.flags_from_history`);
* **index** — the search index reflects main, holds each of main's documents once, keeps internal
  documents out of the public index, and every segment reads (stored documents, every term
  dictionary and a sample of postings);
* **content** — every file on main validates;
* **calendar** — the working-day calendar has the data of every year from today to
  :data:`~kb_app.workcalendar.NOTICE_DAYS` days ahead (a warning: deadlines still work today).

A check that meets damage (a malformed database, a git object that cannot be read) reports it as its
finding, says what to do, and the other checks still run.

:func:`repair` fixes what can be derived or reconciled: it registers pushed branches and settles
interrupted publications (the review's ``sync``), rebuilds the index and recomputes the flags from
history. What needs a person — a lost branch, invalid content, a damaged database or repository —
is reported with what to do.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import sqlite3

from .content.model import CONTENT_PREFIXES
from .db import RESTORE, applied, database_files, sqlite_reason
from .exceptions import DatabaseUnusable, KbError, file_problem
from .labels import FLAG_LABEL, READER_LABELS as AUDIENCE_LABELS
from .review.branches import branch_lock
from .review.publishing import STALE_PUBLISHING
from .review.records import OPEN
from .search.index import commit_docs
from .search.index import AUDIENCES, DAMAGE_MARK, open_index

#: Postings read per index segment check: enough to touch every part of the postings file on the
#: sample, bounded on a large index (reading all of them takes minutes at 10,000 entries).
POSTING_SAMPLE = 2000


@dataclasses.dataclass
class Finding:
    """One problem: what is wrong and what to do; ``repairable`` when ``kb doctor --repair`` fixes it;
    a ``warning`` is something to do before it becomes a problem (it does not fail the check)."""

    message: str
    repairable: bool = False
    warning: bool = False


@dataclasses.dataclass
class Check:
    """The outcome of one check."""

    name: str
    title: str
    summary: str = ""
    findings: list[Finding] = dataclasses.field(default_factory=list)

    def add(self, message: str, repairable: bool = False, warning: bool = False):
        self.findings.append(Finding(message, repairable, warning))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]

    @property
    def outcome(self) -> str:
        """How many problems and warnings, in words ("1 个问题，2 个提醒"), or 正常."""
        counts = [f"{n} 个{what}" for what, n in (("问题", len(self.problems)), ("提醒", len(self.warnings))) if n]
        return "，".join(counts) or "正常"


@dataclasses.dataclass
class Report:
    """Every check, and the repairs made before them (``kb doctor --repair``) or found needless."""

    checks: list[Check]
    repairs: list[str] = dataclasses.field(default_factory=list)
    needless: list[str] = dataclasses.field(default_factory=list)
    #: What stopped the repairs (the damage met), or "".
    repair_failed: str = ""

    @property
    def findings(self) -> list[Finding]:
        """The problems found (warnings aside)."""
        return [f for c in self.checks for f in c.problems]

    @property
    def warnings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.warnings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def repair_lines(self) -> list[tuple[str, str]]:
        """What the repairs did, found needless or met, as ("done" | "needless" | "failed", the line to say)."""
        return [*(("done", f"已修复：{line}") for line in self.repairs),
                *(("needless", f"无需修复：{line}") for line in self.needless),
                *([("failed", f"未能修复：{self.repair_failed}")] if self.repair_failed else [])]


def doctor_check(name: str, title: str):
    """A check filling in its :class:`Check`; damage it meets (or any failure) becomes its finding, so
    the other checks still run."""

    def decorate(fn):
        @functools.wraps(fn)
        def run_check(kb) -> Check:
            check = Check(name, title)
            try:
                fn(kb, check)
            except Exception as e:  # noqa: BLE001 - a check that fails must not hide the others
                check.summary = "检查未能完成"
                check.add(damage(e))
            return check

        return run_check

    return decorate


def damage(error: Exception) -> str:
    """What a check that failed met, and what to do, in words for the operator."""
    if isinstance(error, DatabaseUnusable) and error.damaged:
        return database_damaged(error.reason)
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
        return database_damaged(sqlite_reason(error))
    if isinstance(error, KbError):
        return str(error)
    if isinstance(error, OSError) and error.filename:
        return file_problem(error)
    return (f"检查中断（{type(error).__name__}: {error}）：请先处理上面其他检查报告的问题，"
            "再运行 kb doctor；仍然中断时，请把这一行转给系统维护人员。")


def database_damaged(detail: str) -> str:
    return f"流程数据库损坏（{detail}）：{RESTORE}。"


@doctor_check("database", "流程数据库")
def check_database(kb, check: Check):
    """SQLite's integrity check of the workflow database; a warning when others may read its files."""
    db = kb.db()
    try:
        result = [r[0] for r in db.execute("pragma integrity_check").fetchall()]
        tables = len([t for t in db.table_names() if not t.startswith("_")])
        version = len(applied(db))
    finally:
        db.conn.close()
    if result == ["ok"]:
        check.summary = f"完整性检查通过（{tables} 张表，第 {version} 版）"
    else:
        check.summary = "完整性检查未通过"
        check.add(database_damaged("；".join(result[:5])))
    path = kb.settings.db_path
    shared = [f"{p.name} 为 {p.stat().st_mode & 0o777:o}" for p in database_files(path)
              if p.exists() and p.stat().st_mode & 0o077]
    if shared:
        check.add(f"流程数据库的文件其他用户也能读取（{'，'.join(shared)}），其中有密码摘要、API 密钥摘要和登录记录："
                  f"请运行 chmod 600 {path}*，只让运行 kb 的用户读写（kb 新建的数据库和备份已是如此）。", warning=True)


@doctor_check("git", "内容仓库")
def check_git(kb, check: Check):
    """Every object reachable from the branches is in the repository, and every object is whole; and main
    moved only by publications since its first one (a warning: see ``direct_commits``)."""
    lines = kb.store.damaged_objects()
    if not lines:
        check.summary = f"对象完整，主干 {kb.store.head()[:10]}"
    else:
        check.summary = "对象缺失或损坏"
        check.add(f"git 仓库的对象缺失或损坏（git fsck：{'；'.join(lines[:5])}）：{RESTORE}，或从其他副本取回缺少的对象。")
        return
    direct = direct_commits(kb.store)
    if direct:
        check.summary += f"；{len(direct)} 个提交未经发布流程"
    for commit, date, paths in direct[-DIRECT_SHOWN:]:
        name, _email, subject = kb.store.commit_meta(commit)
        more = f"等 {len(paths)} 个文件" if len(paths) > 3 else ""
        check.add(f"主干提交 {commit[:10]}（{name}，{date[:16].replace('T', ' ')}，“{subject}”）没有经过多方校核，"
                  f"改动的 {'、'.join(paths[:3])}{more}已经发布：请核对这些内容，需要改正的通过变更请求修改后发布；"
                  "主干只应由发布流程移动，不要在服务器的仓库里直接 git commit。", warning=True)


#: How many of the commits made on main outside the publish flow are named (the newest).
DIRECT_SHOWN = 5


def direct_commits(store) -> list[tuple[str, str, str]]:
    """(commit, date, content paths) of the commits on main's first-parent line after the knowledge base's starting
    point that no publication made: ``git commit`` in the server's checkout passes by the hooks that refuse pushes,
    and what it commits is served. The starting point (the sample, a repository's history when kb took it over) is
    the tag ``kb init`` sets (``Store.start``); a commit made before the first publication is named like any other.
    A repository taken over before there was a tag starts at its first publication, as before."""
    start = store.start()
    changes = store.first_parent_changes(None, CONTENT_PREFIXES, since=start)
    if start is None:
        first = next((i for i, change in enumerate(changes) if change[3]), None)
        changes = [] if first is None else changes[first + 1:]
    return [(commit, date, paths) for commit, _parents, date, cr, paths in changes if not cr]


@doctor_check("change_requests", "变更请求与 cr/* 分支")
def check_change_requests(kb, check: Check):
    """CR records against the ``cr/*`` branches, read together under the review's branch lock."""
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


@doctor_check("flags", f"“{FLAG_LABEL}”标记")
def check_flags(kb, check: Check):
    """The re-verification flags against those main's history implies."""
    from .review.reverify import flags, flags_from_history

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


@doctor_check("index", "检索索引")
def check_index(kb, check: Check):
    """The search index reflects main and every segment of both indexes reads."""
    index = kb.index
    state = index.read_state()
    if state is None:
        check.summary = "不存在"
        check.add("检索索引不存在、格式已过时或状态文件无法读取", repairable=True)
        return
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
    if len(docs) == len(AUDIENCES) and (index.dir / state["gen"] / DAMAGE_MARK).exists():
        check.add(f"公众网站检索时读到过无法读取的索引文件（{state['gen']}，详见 kb web 的日志），"
                  "重建之前它的健康检查（/api/v1/health）都返回 503", repairable=True)
    if "agent" in docs and state["commit"] == head:
        # An answer with a new version scheduled is there twice: the version in force until that day too.
        expected = collections.Counter(d.id for d in commit_docs(kb.store, head))
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


def _compare_ids(check: Check, label: str, expected: collections.Counter, found: collections.Counter):
    missing = sorted(expected.keys() - found.keys())
    extra = sorted(found.keys() - expected.keys())
    doubled = sorted(k for k, n in found.items() if n > max(1, expected.get(k, 0)))
    for items, what in ((missing, "缺少主干上的"), (extra, "多出主干上已没有的"), (doubled, "重复收录的")):
        if items:
            check.add(f"{label}索引{what} {len(items)} 个文档（如 {'、'.join(items[:5])}）", repairable=True)


@doctor_check("content", "主干上的文件")
def check_content(kb, check: Check):
    """Every file on main validates."""
    from .content.validate import validate

    snap = kb.snapshot()
    problems = validate(snap)
    for p in problems:
        check.add(f"{p}（请通过变更请求修正）")
    check.summary = f"{len(snap.files)} 个文件，" + (f"{len(problems)} 个问题" if problems else "校验通过")


@doctor_check("calendar", "工作日历")
def check_calendar(kb, check: Check):
    """The calendar has data for every year from today to NOTICE_DAYS ahead (a warning when not)."""
    from .workcalendar import coming_years, missing_year_notice

    today, calendar = kb.today(), kb.calendar()
    sources = {year: calendar.source(year) for year in coming_years(today)}
    for year, source in sources.items():
        if source == "missing":
            check.add(missing_year_notice(year, today), warning=True)
    check.summary = "，".join(f"{y} 年取自 {s}" if s != "missing" else f"{y} 年缺少数据" for y, s in sources.items())


CHECKS = (check_database, check_git, check_change_requests, check_flags, check_index, check_content, check_calendar)


def run(kb) -> Report:
    """Every check, in order."""
    return Report([check(kb) for check in CHECKS])


def repair(kb) -> Report:
    """Reconcile the branches, rebuild the index and recompute the flags; then check everything again.

    The report's ``repairs`` say what was done, its ``needless`` which repairs found nothing to do; damage
    that stops the repairs is its ``repair_failed``, and the checks still run."""
    done, needless, failed = [], [], ""
    try:
        _repair(kb, done, needless)
    except Exception as e:  # noqa: BLE001 - damage stopping a repair is reported with the checks
        failed = damage(e)
    report = run(kb)
    report.repairs, report.needless, report.repair_failed = done, needless, failed
    return report


def _repair(kb, done: list[str], needless: list[str]):
    from .review.reverify import flags_from_history, reset_flags

    before = {cr.id: (cr.head, cr.state) for cr in kb.review.list()}
    kb.review.sync()
    after = {cr.id: (cr.head, cr.state) for cr in kb.review.list()}
    adopted = len(after.keys() - before.keys())
    updated = sum(after[i][0] != head for i, (head, _state) in before.items() if i in after)
    settled = sum(state == "publishing" and after[i][1] != state for i, (_head, state) in before.items() if i in after)
    counts = [f"{what} {n} 个" for what, n in (("新登记变更请求", adopted), ("登记推送的更新", updated),
                                                 ("处理中断的发布", settled)) if n]
    if counts:
        done.append(f"登记 git 推送的分支与中断的发布（{'，'.join(counts)}）")
    else:
        needless.append("没有用 git 推送而未登记的分支或更新，也没有中断的发布")
    stats = kb.reindex(rebuild=True)
    done.append(f"重建检索索引（对应提交 {stats['commit'][:10]}，用时 {stats['seconds']} 秒）")
    added, removed = reset_flags(kb, flags_from_history(kb))
    if added or removed:
        done.append(f"按主干历史重新计算待核标记（补上 {len(added)} 个，清除 {len(removed)} 个）")
    else:
        needless.append("待核标记与主干历史一致")
