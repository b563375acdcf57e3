"""Full-text search: two Whoosh indexes (public and agent) kept in step with main.

* The **public** index receives only public policy answers whose audience and dates can be read,
  and regulation articles: never an internal or catalogue entry, an entry with a field it cannot
  read, or any ``agent_notes`` text, so no query can reach them. Entries not in force today are
  masked at query time (effective/expires are stored), which stays correct on the day an entry
  starts or stops being in force. Bodies are indexed as the text a reader sees on the page
  (``render.page_text``): no HTML comment, raw HTML or link target can be found or shown.
* The **agent** index holds everything, with pending and expired entries marked.
* Both record the commit they reflect; :meth:`SearchIndex.update` re-indexes only the files that
  ``git diff`` reports as changed since then. Synonyms are applied at query time.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import fcntl
import gc
import json
import multiprocessing
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml
from whoosh import index, query as Q
from whoosh.filedb.filestore import FileStorage, RamStorage

from .. import render
from . import analysis, citations, intent
from ..content import frontmatter
from .engine import (
    FAST_WRITER,
    RERANK_DEPTH,
    Scorer,
    build_query,
    fast_writer,
    filter_query,
    make_schema,
    rerank,
    weighting,
)
from ..exceptions import KbError
from ..content.model import REGULATION_DIR, Entry, Snapshot, config_path, parse_regulation

SCHEMA_VERSION = 7  # 7: cites (the articles an entry cites); 6: analysis and field classes moved into kb_app.search
AUDIENCES = ("public", "agent")
PARALLEL_MIN_DOCS = 3000
CACHE_SIZE = 2048
STATUS_LABELS = {"in_force": "有效", "pending": "未生效", "expired": "已失效", "invalid": "格式错误"}


# -- documents ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Doc:
    """One searchable document before analysis."""

    id: str
    source: str
    kind: str
    title: str
    head: str
    keywords: str
    body: str
    unit: str = ""
    unit_name: str = ""
    audience: str = "public"
    category: tuple = ()
    regions: tuple = ()
    effective: str = ""
    expires: str = ""
    notes: str = ""
    #: Whether the document may enter the public index at all (a public policy answer or an
    #: article, with every field that decides visibility readable); in force is checked per day.
    public: bool = True
    #: Set when a field cannot be read (格式错误): such an entry is in force on no day.
    invalid: bool = False
    #: The regulation articles the entry cites in its basis ("<regulation>/<n>"), see citations.py.
    cites: tuple = ()


def entry_doc(entry: Entry) -> Doc:
    """An entry as a document: its body as the text a reader sees on the page (see render.page_text)."""
    head = [entry.title, *entry.questions, *entry.examples]
    basis = " ".join(str(b.get("document") or "") for b in entry.basis)
    return Doc(
        id=entry.id, source=entry.path, kind=entry.kind, title=entry.title, head="\n".join(head),
        keywords="\n".join([*entry.keywords, *entry.category, basis]), body=render.page_text(entry.body),
        unit=entry.unit, audience=entry.audience, category=tuple(entry.category),
        regions=tuple(entry.regions),
        effective=entry.effective.isoformat() if entry.effective else "",
        expires=entry.expires.isoformat() if entry.expires else "", notes=entry.agent_notes,
        public=entry.kind == "policy" and entry.audience == "public" and not entry.public_blocked,
        invalid=entry.public_blocked, cites=tuple(f"{reg}/{n}" for reg, n in entry.citations))


def regulation_docs(reg) -> list[Doc]:
    issuer = str(reg.meta.get("issuer") or "")
    return [Doc(id=a.id, source=reg.path, kind="article", title=f"{reg.title} {a.label}",
                head=f"{reg.title} {a.label}", keywords=a.chapter, body=render.page_text(a.text),
                unit_name=issuer) for a in reg.articles.values()]


def file_docs(path: str, text: str) -> list[Doc]:
    """The documents a content file contributes (none for configuration or unreadable files)."""
    if text is None:
        return []
    try:
        if path.startswith("entries/") and path.endswith(".md"):
            meta, body, lines = frontmatter.parse(text)
            entry = Entry(path, meta, body, lines)
            return [entry_doc(entry)] if entry.kind in ("policy", "directory") else []
        if path.startswith(REGULATION_DIR) and path.endswith(".md"):
            return regulation_docs(parse_regulation(path, text))
    except frontmatter.FrontMatterError:
        return []
    return []


def snapshot_docs(snap: Snapshot) -> list[Doc]:
    docs = [entry_doc(e) for e in snap.entry_list if e.kind in ("policy", "directory")]
    for reg in snap.regulations.values():
        docs.extend(regulation_docs(reg))
    return docs


def indexed(source: str) -> bool:
    return (source.startswith("entries/") or source.startswith(REGULATION_DIR)) and source.endswith(".md")


def user_words(docs) -> list[str]:
    """The user dictionary: titles and keywords of entries."""
    words = []
    for d in docs:
        if d.kind != "article":
            words.append(d.title)
            words.extend(d.keywords.split("\n"))
    return words


def fields_for(doc: Doc, audience: str, ana: analysis.Analyzer) -> dict | None:
    """The Whoosh fields of a document for one index, or None when it does not belong there."""
    if audience == "public" and not doc.public:
        return None
    body = doc.body + ("\n" + doc.notes if audience == "agent" and doc.notes else "")
    head, kw, body_n = analysis.normalize(doc.head), analysis.normalize(doc.keywords), analysis.normalize(body)
    text = " ".join(body.split())
    return dict(
        id=doc.id, source=doc.source, kind=doc.kind, unit=doc.unit, audience=doc.audience,
        effective=doc.effective, expires=doc.expires, invalid="1" if doc.invalid else "",
        dated="1" if (doc.effective or doc.expires or doc.invalid) else "0",
        category=",".join(doc.category), regions=",".join(doc.regions or ("全市",)),
        title=doc.title, text=text, unit_name=doc.unit_name, cites=",".join(doc.cites),
        hw=ana.words(head, True), hb=analysis.bigrams(head, True), kw=ana.words(kw, True) + analysis.bigrams(kw, True),
        bw=ana.words(body_n, True), bb=analysis.bigrams(body_n, True),
        dn=analysis.document_numbers(head + "\n" + kw + "\n" + body_n, True),
    )


def write_docs(ix, docs, audience, ana, deletes=(), progress=None, total=None):
    """Delete the given sources and add documents to an index, committing once."""
    writer = fast_writer(ix) if FAST_WRITER else ix.writer(limitmb=256)
    try:
        for source in deletes:
            writer.delete_by_term("source", source)
        n = 0
        for i, doc in enumerate(docs, 1):
            f = fields_for(doc, audience, ana)
            if f is not None:
                writer.add_document(**f)
                n += 1
            if progress and i % 500 == 0:
                progress("索引", i, total or len(docs))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return n


def _build_child(path, docs, audience, words):
    ana = analysis.Analyzer(words)
    ix = index.create_in(path, make_schema())
    write_docs(ix, docs, audience, ana)


def build_indexes(gen_dir: Path, docs: list[Doc], ana, progress=None) -> dict:
    """Full build of both indexes under gen_dir; the public one in a second process on big sets."""
    counts = {}
    for aud in AUDIENCES:
        (gen_dir / aud).mkdir(parents=True, exist_ok=True)
    child = None
    if len(docs) >= PARALLEL_MIN_DOCS and os.cpu_count() and os.cpu_count() > 1:
        ctx = multiprocessing.get_context("fork")
        child = ctx.Process(target=_build_child, args=(str(gen_dir / "public"), docs, "public", sorted(ana.user_words)))
        child.start()
    else:
        counts["public"] = write_docs(index.create_in(gen_dir / "public", make_schema()), docs, "public", ana)
    counts["agent"] = write_docs(index.create_in(gen_dir / "agent", make_schema()), docs, "agent", ana,
                                 progress=progress, total=len(docs))
    if child is not None:
        if progress:
            progress("等待公众索引完成", len(docs), len(docs))
        child.join()
        if child.exitcode != 0:
            raise KbError("建立公众索引失败：请用 kb index --rebuild 重试；若仍失败，请检查磁盘空间。")
        counts["public"] = open_index(gen_dir / "public").doc_count()
    return counts


def open_index(path):
    """Open an index without memory-mapping its files.

    A searcher over mapped files touches every page of the segment files, so the process holds
    the whole index in memory (and twice while a new searcher replaces an old one); plain file
    reads leave that to the operating system's page cache.
    """
    return FileStorage(str(path), supports_mmap=False).open_index()


# -- results -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Hit:
    id: str
    kind: str
    title: str
    unit: str
    unit_name: str
    score: float
    snippet: str
    status: str
    audience: str
    path: str
    category: list
    regions: list
    effective: str = ""
    expires: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "unit": self.unit,
                "score": round(self.score, 4), "snippet": self.snippet}


@dataclasses.dataclass
class SearchResults:
    query: str
    hits: list
    total: int
    expanded: list = dataclasses.field(default_factory=list)
    commit: str = ""
    as_of: str = ""

    def as_dict(self) -> dict:
        return {"query": self.query, "hits": [h.as_dict() for h in self.hits]}


def status_on(effective: str, expires: str, day: dt.date, invalid: str = "") -> str:
    """The status of stored dates on ``day``; ``invalid`` when a date cannot be read (never in force)."""
    if invalid:
        return "invalid"
    iso = day.isoformat()
    if effective and iso < effective:
        return "pending"
    if expires and iso >= expires:
        return "expired"
    return "in_force"


# -- the index ---------------------------------------------------------------------------------


class SearchIndex:
    """The search indexes of one knowledge base, under ``settings.index_dir``."""

    def __init__(self, kb):
        self.kb = kb
        self.dir = Path(kb.settings.index_dir)
        self._lock = threading.RLock()
        self._state: dict | None = None
        self._ixs: dict = {}
        self._searchers: dict = {}
        self._scorers: dict = {}
        self._lengths: dict = {}
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self._config_cache: dict = {}
        self._as_of_cache: collections.OrderedDict = collections.OrderedDict()
        self._ana: analysis.Analyzer | None = None
        self._packed: tuple | None = None

    # -- state ---------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.dir / "state.json"

    def read_state(self) -> dict | None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if state.get("schema") != SCHEMA_VERSION or not (self.dir / state.get("gen", "-") / "agent").is_dir():
            return None
        return state

    @property
    def indexed_commit(self) -> str | None:
        """The commit of main the index reflects (None before the first build)."""
        state = self.read_state()
        return state["commit"] if state else None

    def _write_state(self, state: dict):
        tmp = self.dir / f"state.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_path)

    @contextmanager
    def _file_lock(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _words_path(self, gen: str) -> Path:
        return self.dir / gen / "userdict.txt"

    def analyzer(self) -> analysis.Analyzer:
        """The analyzer with the user dictionary of the current index."""
        if self._ana is None:
            state = self.read_state()
            words = []
            if state and self._words_path(state["gen"]).exists():
                words = self._words_path(state["gen"]).read_text(encoding="utf-8").split("\n")
            self._ana = analysis.Analyzer(words)
        return self._ana

    # -- building ------------------------------------------------------------------------------

    def update(self, rebuild: bool = False, progress=None) -> dict:
        """Bring the index up to main: incrementally from git diff, or a full rebuild."""
        with self._lock, self._file_lock():
            started = time.perf_counter()
            head = self.kb.store.head()
            state = self.read_state()
            if state is not None and not self._openable(state):
                state = None
            if rebuild or state is None:
                stats = self._rebuild(head, progress)
            elif state["commit"] == head:
                stats = {"mode": "none", "added": 0, "updated": 0, "deleted": 0}
            else:
                stats = self._incremental(state, head, progress)
            self._reopen()
            stats.update(commit=head, seconds=round(time.perf_counter() - started, 3),
                         documents={aud: self._ixs[aud].doc_count() for aud in AUDIENCES})
            return stats

    def _openable(self, state: dict) -> bool:
        """Whether the indexes of a state can be opened (a damaged or foreign index is rebuilt)."""
        try:
            for aud in AUDIENCES:
                open_index(self.dir / state["gen"] / aud).reader().close()  # reads every segment's directory
        except Exception:  # noqa: BLE001 - any failure to open means: build it again
            return False
        return True

    def _rebuild(self, head: str, progress) -> dict:
        if progress:
            progress("读取内容", 0, 0)
        docs = snapshot_docs(self.kb.store.snapshot(head))
        ana = analysis.Analyzer(user_words(docs))
        gen = f"gen-{time.time_ns()}"
        counts = build_indexes(self.dir / gen, docs, ana, progress)
        self._words_path(gen).write_text("\n".join(sorted(ana.user_words)), encoding="utf-8")
        self._write_state({"schema": SCHEMA_VERSION, "commit": head, "gen": gen, "built": dt.datetime.now().isoformat()})
        self._ana = ana
        self._close()
        for path in self.dir.glob("gen-*"):
            if path.name != gen:
                shutil.rmtree(path, ignore_errors=True)
        return {"mode": "rebuild", "added": len(docs), "updated": 0, "deleted": 0, **{f"{k}_docs": v for k, v in counts.items()}}

    def _incremental(self, state: dict, head: str, progress) -> dict:
        changed = {p: s for p, s in self.kb.store.changed_paths(state["commit"], head).items() if indexed(p)}
        present = [p for p, s in changed.items() if s != "D"]
        files = self.kb.store.files_at(head, present) if present else {}
        docs = [d for p in present for d in file_docs(p, files.get(p))]
        ana = self.analyzer()
        new_words = ana.add_words(user_words(docs))
        if new_words:
            with open(self._words_path(state["gen"]), "a", encoding="utf-8") as fh:
                fh.write("\n" + "\n".join(new_words))
        for aud in AUDIENCES:
            ix = open_index(self.dir / state["gen"] / aud)
            write_docs(ix, docs, aud, ana, deletes=list(changed), progress=progress)
        self._write_state({**state, "commit": head})
        counts = collections.Counter(changed.values())
        return {"mode": "incremental", "added": counts["A"], "updated": counts["M"], "deleted": counts["D"]}

    def _close(self):
        for s in self._searchers.values():
            s.close()
        self._searchers, self._ixs, self._scorers = {}, {}, {}

    def close(self):
        """Let go of the open searchers (a process that only builds the index need not hold it)."""
        with self._lock:
            self._close()
            self._state = None
            self._cache.clear()
        gc.collect()

    def _reopen(self):
        """Open (or refresh) the searchers on the current generation."""
        state = self.read_state()
        if state is None:
            self._close()
            self._state = None
            return
        if self._state is None or self._state.get("gen") != state["gen"] or not self._searchers:
            self._close()
            for aud in AUDIENCES:
                self._ixs[aud] = open_index(self.dir / state["gen"] / aud)
                self._searchers[aud] = self._ixs[aud].searcher(weighting=weighting())
            if self._state is None or self._state.get("gen") != state["gen"]:
                self._ana = None
        else:
            # A new searcher rather than refresh(): a refreshed searcher reuses the reader of a
            # segment whose deletions changed, and would still see deleted documents.
            for aud in AUDIENCES:
                self._searchers[aud].close()
            self._scorers = {}
            # Closed readers are left to the garbage collector; collect now to keep memory flat.
            gc.collect()
            for aud in AUDIENCES:
                self._ixs[aud] = open_index(self.dir / state["gen"] / aud)
                self._searchers[aud] = self._ixs[aud].searcher(weighting=weighting())
        self._state = state

    def _main_head(self) -> str | None:
        """main's commit, read from the ref files when possible (much cheaper than running git)."""
        git_dir = Path(self.kb.settings.root) / ".git"
        name = f"refs/heads/{self.kb.settings.main_branch}"
        try:
            sha = (git_dir / name).read_text().strip()
            if len(sha) == 40:
                return sha
        except OSError:
            pass
        try:
            packed = git_dir / "packed-refs"
            stamp = packed.stat().st_mtime_ns
            if self._packed is None or self._packed[0] != stamp:
                refs = {}
                for line in packed.read_text().splitlines():
                    parts = line.split(" ")
                    if len(parts) == 2 and len(parts[0]) == 40:
                        refs[parts[1]] = parts[0]
                self._packed = (stamp, refs)
            if name in self._packed[1]:
                return self._packed[1][name]
        except OSError:
            pass
        return self.kb.store.head()

    def ensure_current(self) -> str:
        """Make the index reflect main (an incremental update when main has moved); returns its commit."""
        head = self._main_head()
        if self._state is None or self._state.get("commit") != head:
            with self._lock:
                if self._state is None or self._state.get("commit") != head:
                    self.update()
        return self._state["commit"]

    # -- searching -----------------------------------------------------------------------------

    def search(self, query, audience: str = "public", limit: int = 10, kind=None, unit=None, category=None,
               region=None, as_of=None, offset: int = 0) -> SearchResults:
        """Search as an audience ('public' or 'agent'). Any query string is valid."""
        if audience not in AUDIENCES:
            raise KbError(f"未知的查询身份“{audience}”：应为 public（公众）或 agent（坐席）。")
        if as_of is not None and audience != "agent":
            raise KbError("按日期查询（as_of）仅对坐席开放：请以 agent 身份查询。")
        limit, offset = max(0, int(limit)), max(0, int(offset))
        text = analysis.sanitize_query(query)
        with self._lock:
            self.ensure_current()
            commit = self._state["commit"]
            today = self.kb.today()
            key = (text, audience, limit, offset, kind, unit, category, region, str(as_of or ""), commit, today)
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            if as_of is not None:
                results = self._search_as_of(text, limit, offset, kind, unit, category, region, as_of)
            else:
                results = self._search(self._searchers[audience], text, audience, limit, offset,
                                       dict(kind=kind, unit=unit, category=category, region=region), today, commit)
            self._cache[key] = results
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return results

    def synonym_groups(self, commit: str) -> list:
        return self._config(commit, "synonyms").get("groups", []) if isinstance(self._config(commit, "synonyms"), dict) else []

    def _config(self, commit: str, name: str):
        key = (commit, name)
        if key not in self._config_cache:
            text = self.kb.store.read(config_path(name), commit)
            try:
                value = frontmatter.load(text) if text else None
            except yaml.YAMLError:
                value = None
            if len(self._config_cache) > 32:
                self._config_cache.clear()
            self._config_cache[key] = value if value is not None else {}
        return self._config_cache[key]

    def unit_names(self, commit: str) -> dict:
        units = self._config(commit, "units")
        return {str(u["id"]): str(u.get("name") or u["id"]) for u in units if isinstance(u, dict) and u.get("id")} \
            if isinstance(units, list) else {}

    def _search(self, searcher, text, audience, limit, offset, filters, day, commit, status_filter=None) -> SearchResults:
        groups = [g for g in self.synonym_groups(commit) if isinstance(g, list)]
        groups += intent.negation_groups(analysis.question_form(analysis.normalize(text)))
        terms, highlight, expanded = build_query(text, searcher, self.analyzer(), groups)
        if not terms or limit == 0:
            return SearchResults(text, [], 0, expanded, commit)
        scorer = self._scorer(searcher)
        exclude = self._mask(scorer, audience, day) if status_filter is None else status_filter
        fq = filter_query(filters)
        include = scorer.docset(("filter", repr(fq)), fq) if fq is not None else None
        top, total = scorer.top(terms, max(offset + limit, RERANK_DEPTH), exclude, include,
                                adjust=self._adjust(text, commit))
        names = self.unit_names(commit)
        hits = []
        ranked = rerank(text, [(searcher.stored_fields(d), sc) for d, sc in top])
        if audience == "public":
            ranked = citations.citing_first(ranked)
        for f, score in ranked[offset:offset + limit]:
            hits.append(Hit(
                id=f["id"], kind=f["kind"], title=f.get("title", ""), unit=f.get("unit", ""),
                unit_name=f.get("unit_name") or names.get(f.get("unit", ""), f.get("unit", "")), score=float(score),
                snippet=analysis.snippet(f.get("text", ""), highlight),
                status=status_on(f.get("effective", ""), f.get("expires", ""), day, f.get("invalid", "")),
                audience=f.get("audience", ""), path=f.get("source", ""),
                category=[c for c in f.get("category", "").split(",") if c], regions=[c for c in f.get("regions", "").split(",") if c],
                effective=f.get("effective", ""), expires=f.get("expires", "")))
        return SearchResults(text, hits, total, expanded, commit)

    def _adjust(self, text: str, commit: str):
        """Scores beyond the question's words: citations of matching entries, intake rules (see intent.py)."""
        rules = intent.boost_articles(intent.rule_reader((commit, "intake"), self._config(commit, "intake_rules"))
                                      .articles_for(text))

        def adjust(scorer, scores):
            citations.propagate(scorer, scores)
            rules(scorer, scores)
        return adjust

    def _scorer(self, searcher) -> "Scorer":
        key = id(searcher.reader())
        scorer = self._scorers.get(key)
        if scorer is None or scorer.searcher is not searcher:
            scorer = Scorer(searcher, self._lengths)
            if len(self._scorers) > 8:
                self._scorers.clear()
            self._scorers[key] = scorer
        return scorer

    def _mask(self, scorer, audience, day):
        """Documents of the public index not in force on ``day`` (computed once per reader and day)."""
        if audience != "public":
            return None
        return not_in_force(scorer, day)

    def _search_as_of(self, text, limit, offset, kind, unit, category, region, as_of) -> SearchResults:
        """Agent search over the content published by ``as_of`` and in force that day."""
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                raise KbError(f"“{as_of}”不是有效日期：请按 YYYY-MM-DD 填写。")
        store = self.kb.store
        commit = store.git("rev-list", "-1", "--first-parent", f"--before={as_of.isoformat()} 23:59:59",
                           store.head(), check=False).strip()
        if not commit:
            return SearchResults(text, [], 0, [], "", as_of.isoformat())
        searcher = self._as_of_cache.get(commit)
        if searcher is None:
            docs = snapshot_docs(store.snapshot(commit))
            ix = RamStorage().create_index(make_schema())
            write_docs(ix, docs, "agent", self.analyzer())
            searcher = ix.searcher(weighting=weighting())
            self._as_of_cache[commit] = searcher
            while len(self._as_of_cache) > 2:
                self._as_of_cache.popitem(last=False)[1].close()
        res = self._search(searcher, text, "agent", limit, offset, dict(kind=kind, unit=unit, category=category, region=region),
                           as_of, commit, status_filter=not_in_force(self._scorer(searcher), as_of))
        res.as_of = as_of.isoformat()
        return res


def not_in_force(scorer: "Scorer", day: dt.date) -> np.ndarray:
    """A boolean array of the documents not in force on ``day``, cached per reader and day."""
    key = ("status", day)
    if key not in scorer._sets:
        arr = np.zeros(scorer.n_all, dtype=bool)
        searcher = scorer.searcher
        for docnum in searcher.docs_for_query(Q.Term("dated", "1")):
            f = searcher.stored_fields(docnum)
            status = status_on(f.get("effective", ""), f.get("expires", ""), day, f.get("invalid", ""))
            if status != "in_force":
                arr[docnum] = True
        scorer._sets[key] = arr
    return scorer._sets[key]


