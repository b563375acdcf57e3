"""The two Whoosh indexes of a knowledge base (public and agent), built from main and kept in step with it.

Both record the commit they reflect in ``state.json``; :meth:`SearchIndex.update` re-indexes only
the files that changed since then (or builds a new generation from scratch), and every search first
brings the index up to main. What each index holds is ``documents``' business, how a question is
run ``query``'s. Synonyms and unit names are read at query time, so changing them needs no reindex;
a unit added to or removed from units.yaml re-indexes that unit's answers (see documents.context_changed).
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import fcntl
import gc
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import struct
import threading
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.filedb.filestore import FileStorage

from ..cache import LruCache
from ..content import versions
from ..content.model import BlobFiles, Snapshot, config_path
from ..exceptions import IndexUnreadable, KbError
from ..labels import READER_LABELS
from . import analysis, whoosh_compat
from .documents import (SEARCHED_KINDS, Doc, around, context_changed, earlier_docs, entry_doc, fields_for, file_docs,
                        indexed, make_schema, scheduled, snapshot_docs, user_words)
from .query import SearchResults, not_in_force, run, superseded, unknown_words
from .scorer import Scorer, lengths_cache, postings_cache, weighting
from .spelling import Speller, rewritten, visible_words

log = logging.getLogger(__name__)

SCHEMA_VERSION = 20  # 20: announcements numbered by year (公告2020年第4号) are document numbers; 19: the public index has a user dictionary of its own, without internal entries' words; 18: an answer of a retired unit (active: false) is not public; 17: traditional characters read as simplified (analysis.simplified); 16: an answer of an unregistered unit, or of an id two files are named by, is not public; 15: an answer without an audience, or in another unit's folder, is not public; 14: earlier versions still in force before a scheduled one (the earlier field); 13: no word of digits or letters cut from inside a longer one (110 of an ID number); 12: the stored text leaves out internal notes (excerpts are read to callers); 11: table rows end with 。 in the indexed text; 10: questions stored one by one; 9: postings in blocks of 1,024; 8: cites (the articles an entry cites); 7: field classes moved to kb_app.search.documents
AUDIENCES = ("public", "agent")
PARALLEL_MIN_DOCS = 3000
#: Results kept for repeated questions (on main's current commit).
CACHE_SIZE = 512
#: Questions whose unknown words are kept (see SearchIndex.unknown_words): a tuple of a few words each.
UNKNOWN_KEPT = 8192
#: Longest a question that found nothing waits for the speller of a new commit (see
#: SearchIndex._speller): the sample's is read in a tenth of a second, 50,000 entries' in seconds.
SPELLER_WAIT = 2.0
SPELLER_POLL = 0.005
#: The configuration a search reads at its commit.
CONFIG_PATHS = (config_path("units"), config_path("synonyms"), config_path("intake_rules"))


# -- writing -------------------------------------------------------------------------------------


def write_docs(ix, docs, audience, ana, deletes=(), progress=None, total=None):
    """Delete the given sources and add documents to an index, committing once."""
    writer = whoosh_compat.buffered_writer(ix)
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


def build_indexes(gen_dir: Path, docs: list[Doc], anas: dict, progress=None) -> dict:
    """Full build of both indexes under gen_dir, each cut by its audience's analyzer (``anas``); the public one
    in a second process on big sets."""
    counts = {}
    for aud in AUDIENCES:
        (gen_dir / aud).mkdir(parents=True, exist_ok=True)
    child = None
    if len(docs) >= PARALLEL_MIN_DOCS and os.cpu_count() and os.cpu_count() > 1:
        ctx = multiprocessing.get_context("fork")
        child = ctx.Process(target=_build_child,
                            args=(str(gen_dir / "public"), docs, "public", sorted(anas["public"].user_words)))
        child.start()
    else:
        counts["public"] = write_docs(index.create_in(gen_dir / "public", make_schema()), docs, "public",
                                      anas["public"])
    counts["agent"] = write_docs(index.create_in(gen_dir / "agent", make_schema()), docs, "agent", anas["agent"],
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
    whoosh_compat.check_version()
    return FileStorage(str(path), supports_mmap=False).open_index()


def memory_searcher(docs: list[Doc], audience: str, ana):
    """A searcher over an index of ``docs`` held in memory (for searching a past commit)."""
    whoosh_compat.check_version()
    ix = whoosh_compat.MemoryStorage().create_index(make_schema())
    write_docs(ix, docs, audience, ana)
    return ix.searcher(weighting=weighting())


def earlier_texts(store, commit: str, entries) -> dict[str, list[str]]:
    """The texts of the versions published before each scheduled entry's newest (see
    documents.scheduled), newest first: what its earlier versions still in force are made from."""
    paths = [e.path for e in entries if scheduled(e)]
    return store.earlier_texts(paths, commit, versions.MAX_EARLIER) if paths else {}


def commit_docs(store, commit: str) -> list[Doc]:
    """Every document of a commit, with the earlier versions of its entries still in force."""
    snap = store.snapshot(commit)
    return snapshot_docs(snap, earlier_texts(store, commit, snap.entry_list))


class MainRef:
    """main's commit, read from the ref files when possible (much cheaper than running git)."""

    def __init__(self, store):
        self.store = store
        self._packed: tuple | None = None

    def __call__(self) -> str:
        git_dir = Path(self.store.root) / ".git"
        name = f"refs/heads/{self.store.main}"
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
        return self.store.head()


# -- the index -----------------------------------------------------------------------------------


def damaged_file(error: BaseException) -> bool:
    """Whether an error met searching says a file of the index is damaged: Whoosh raises a bare
    ``Exception`` for a posting block whose tag is wrong, and decoding bytes that are not what was
    written fails in pickle, zlib or struct, or at the end of a file cut short. (An OSError may pass,
    as too many open files do: it is not taken for damage, which holds until a rebuild.)"""
    return type(error) is Exception or isinstance(
        error, (IndexUnreadable, pickle.UnpicklingError, zlib.error, struct.error, EOFError))


#: Written into a generation of the index by a process whose search found a file of it unreadable, with
#: what is wrong: every process serving that generation (each worker of ``kb web``) then says so too.
DAMAGE_MARK = "DAMAGED"


def unreadable_message(gen: str, audience: str) -> str:
    return (f"{READER_LABELS[audience]}索引无法读取（{gen}/{audience}），多半已损坏："
            "请运行 kb doctor --repair 或 kb index --rebuild 重建索引。")


def _check_audience(audience: str):
    if audience not in AUDIENCES:
        raise KbError(f"未知的查询身份“{audience}”：应为 public（公众）或 agent（坐席）。")


class SearchIndex:
    """The search indexes of one knowledge base, under ``settings.index_dir``."""

    def __init__(self, kb):
        whoosh_compat.check_version()
        self.kb = kb
        self.dir = Path(kb.settings.index_dir)
        self._lock = threading.RLock()
        self._state: dict | None = None
        self._searchers: dict = {}
        #: Each audience's analyzer, with the user dictionary of its index (read when first needed).
        self._anas: dict[str, analysis.Analyzer] = {}
        self._main = MainRef(kb.store)
        self._scorers = LruCache(8)
        self._lengths = lengths_cache()
        self._postings = postings_cache()
        self._results = LruCache(CACHE_SIZE)
        # Words nothing mentions, per (audience, question): the center's missing answers read those
        # of every missing query on each rerun of the inbox.
        self._unknown = LruCache(UNKNOWN_KEPT)
        self._configs = LruCache(8)
        self._spellers = LruCache(4)
        self._speller_lock = threading.Lock()
        self._as_of = LruCache(2, on_evict=lambda searcher: searcher.close())
        #: (generation, what is wrong) once a search found a file of the index unreadable.
        self._damage: tuple[str, str] | None = None
        #: (the state of a generation's files, what is wrong with them or None) as last opened by check().
        self._checked: tuple[tuple, str | None] | None = None

    # -- state ---------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        """The file recording the schema, commit and generation of the index."""
        return self.dir / "state.json"

    def read_state(self) -> dict | None:
        """The recorded state, or None when it is missing, unreadable or of another schema."""
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

    def _words_path(self, gen: str, audience: str = "agent") -> Path:
        return self.dir / gen / ("userdict.txt" if audience == "agent" else f"userdict-{audience}.txt")

    def analyzer(self, audience: str = "agent") -> analysis.Analyzer:
        """The analyzer with the user dictionary of an audience's current index: a public question is read
        as if the entries the public may not see did not exist."""
        ana = self._anas.get(audience)
        if ana is None:
            state = self.read_state()
            words = []
            if state and self._words_path(state["gen"], audience).exists():
                words = self._words_path(state["gen"], audience).read_text(encoding="utf-8").split("\n")
            ana = self._anas[audience] = analysis.Analyzer(words)
        return ana

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
                         documents={aud: self._searchers[aud].doc_count() for aud in AUDIENCES})
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
        docs = commit_docs(self.kb.store, head)
        anas = {aud: analysis.Analyzer(user_words(docs, aud)) for aud in AUDIENCES}
        gen = f"gen-{time.time_ns()}"
        counts = build_indexes(self.dir / gen, docs, anas, progress)
        for aud, ana in anas.items():
            self._words_path(gen, aud).write_text("\n".join(sorted(ana.user_words)), encoding="utf-8")
        self._write_state({"schema": SCHEMA_VERSION, "commit": head, "gen": gen,
                           "built": dt.datetime.now().isoformat()})
        self._anas = anas
        self._close()
        for path in self.dir.glob("gen-*"):
            if path.name != gen:
                shutil.rmtree(path, ignore_errors=True)
        return {"mode": "rebuild", "added": len(docs), "updated": 0, "deleted": 0,
                **{f"{k}_docs": v for k, v in counts.items()}}

    def _incremental(self, state: dict, head: str, progress) -> dict:
        moved = self.kb.store.changed_paths(state["commit"], head)
        changed = {p: s for p, s in moved.items() if indexed(p)}
        # The changed entries as the files around them make them (see model.context_problems), and the entries
        # those files concern, so that an update indexes what a rebuild would.
        snap = (self.kb.snapshot(head) if config_path("units") in moved
                else Snapshot(BlobFiles(around(self.kb.store.ls_tree(head), moved), self.kb.store.read_blobs), head))
        for path in context_changed(snap, moved, self._config(state["commit"]).registry):
            changed.setdefault(path, "M")
        present = [p for p, s in changed.items() if s != "D"]
        texts = [p for p in present if not p.startswith("entries/")]
        files = self.kb.store.files_at(head, texts) if texts else {}
        entries = {e.path: e for e in snap.entry_list}
        newest = [entries[p] for p in present if p in entries]
        docs = [d for p in texts for d in file_docs(p, files.get(p))]
        docs += [entry_doc(e) for e in newest if e.kind in SEARCHED_KINDS]
        # A changed entry's earlier versions are indexed anew with it (they are deleted with its source).
        older = earlier_texts(self.kb.store, head, newest)
        docs += [d for e in newest if e.path in older for d in earlier_docs(e, older[e.path])]
        for aud in AUDIENCES:
            ana = self.analyzer(aud)
            new_words = ana.add_words(user_words(docs, aud))
            if new_words:
                with open(self._words_path(state["gen"], aud), "a", encoding="utf-8") as fh:
                    fh.write("\n" + "\n".join(new_words))
            ix = open_index(self.dir / state["gen"] / aud)
            write_docs(ix, docs, aud, ana, deletes=list(changed), progress=progress)
        self._write_state({**state, "commit": head})
        counts = collections.Counter(changed.values())
        return {"mode": "incremental", "added": counts["A"], "updated": counts["M"], "deleted": counts["D"]}

    # -- searchers -----------------------------------------------------------------------------

    def _close(self):
        for s in self._searchers.values():
            s.close()
        self._searchers = {}
        self._scorers.clear()

    def close(self):
        """Let go of the open searchers (a process that only builds the index need not hold it)."""
        with self._lock:
            self._close()
            self._state = None
            self._results.clear()
        gc.collect()

    def _reopen(self):
        """Open (or refresh) the searchers on the current generation."""
        state = self.read_state()
        if state is None:
            self._close()
            self._state = None
            return
        new_gen = self._state is None or self._state.get("gen") != state["gen"]
        if new_gen or not self._searchers:
            self._close()
            if new_gen:
                self._anas = {}
        else:
            # A new searcher rather than refresh(): a refreshed searcher reuses the reader of a
            # segment whose deletions changed, and would still see deleted documents.
            self._close()
            # Closed readers are left to the garbage collector; collect now to keep memory flat.
            gc.collect()
        for aud in AUDIENCES:
            self._searchers[aud] = open_index(self.dir / state["gen"] / aud).searcher(weighting=weighting())
        self._state = state
        if self._damage is not None and self._damage[0] != state["gen"]:
            log.warning("检索索引 %s 取代已损坏的 %s", state["gen"], self._damage[0])
            self._damage = None

    def searcher(self, audience: str):
        """The open searcher of one index (brought up to main)."""
        self.ensure_current()
        return self._searchers[audience]

    def ensure_current(self) -> str:
        """Make the index reflect main (an incremental update when main has moved); returns its commit."""
        head = self._main()
        if self._damage is not None:
            self._recover()
        if self._state is None or self._state.get("commit") != head:
            with self._lock:
                if self._state is None or self._state.get("commit") != head:
                    self.update()
        return self._state["commit"]

    # -- damage --------------------------------------------------------------------------------

    def unreadable(self) -> str | None:
        """What is wrong while a search has found a file of the index unreadable, or None.

        It holds until a rebuilt index (a new generation: ``kb index --rebuild``, ``kb doctor --repair``)
        is in place, which is then opened instead.
        """
        if self._damage is not None:
            self._recover()
        damage = self._damage
        return damage[1] if damage else None

    def check(self) -> str | None:
        """What is wrong with the index being served, or None: for a health check, which a load balancer
        asks often, and every worker of ``kb web`` should answer alike.

        Damage a search has found, in this process or another (:data:`DAMAGE_MARK`), holds until a rebuilt
        index is in place, which is then opened instead. Beyond that the generation's files are opened
        afresh, reading every segment's directory as a new searcher would (under a millisecond a segment):
        a file cut short or lost is found before any search reads it. That is done again only when the
        files change (name, size, time).
        """
        if problem := self.unreadable():
            return problem
        state = self.read_state()
        if state is None or self._state is None:
            return None                 # not built (yet): ensure_current() says so
        if state["gen"] != self._state.get("gen"):
            with self._lock:            # rebuilt by another process (kb index --rebuild, kb doctor --repair)
                if self._state is not None and self._state.get("gen") != state["gen"]:
                    self._reopen()
        gen = state["gen"]
        try:
            return (self.dir / gen / DAMAGE_MARK).read_text(encoding="utf-8")
        except OSError:
            pass
        try:
            files = tuple(sorted((aud, f.name, st.st_size, st.st_mtime_ns, st.st_ino) for aud in AUDIENCES
                                 for f in os.scandir(self.dir / gen / aud) for st in [f.stat()]))
        except OSError:                 # rebuilt again meanwhile, and this generation removed
            return None
        checked = self._checked
        if checked is not None and checked[0] == files:
            return checked[1]
        problem = None
        for aud in AUDIENCES:
            try:
                open_index(self.dir / gen / aud).reader().close()
            except Exception as e:  # noqa: BLE001 - what is not damage (files changing under an update) is tried again
                if not damaged_file(e):
                    log.warning("%s索引 %s 现在打不开（%s: %s），下次检查时再试", READER_LABELS[aud], gen, type(e).__name__, e)
                    return None
                log.error("%s索引 %s 无法读取：%s: %s", READER_LABELS[aud], gen, type(e).__name__, e)
                problem = unreadable_message(gen, aud)
                break
        self._checked = (files, problem)
        return problem

    def _recover(self):
        """Open a rebuilt index in place of the damaged one, if there is one."""
        state = self.read_state()
        damage = self._damage
        if state is None or damage is None or state["gen"] == damage[0]:
            return
        with self._lock:
            if self._damage is not None and self._damage[0] != state["gen"]:
                self._reopen()

    @contextmanager
    def _reading(self, audience: str):
        """Read the open index; a damaged file is raised as IndexUnreadable (what was met goes to the
        log), and remembered."""
        try:
            yield
        except Exception as e:
            if not damaged_file(e):
                raise
            gen = (self._state or {}).get("gen", "?")
            log.error("%s索引 %s 无法读取：%s: %s", READER_LABELS[audience], gen, type(e).__name__, e)
            message = unreadable_message(gen, audience)
            self._damage = (gen, message)
            try:  # for the other processes serving it (a rebuild makes a new generation without it)
                (self.dir / gen / DAMAGE_MARK).write_text(message, encoding="utf-8")
            except OSError as error:
                log.warning("无法为其他进程记下索引 %s 已损坏：%s", gen, error)
            raise IndexUnreadable(message) from e

    # -- searching -----------------------------------------------------------------------------

    def search(self, query, audience: str = "public", limit: int = 10, kind=None, unit=None, category=None,
               region=None, as_of=None, offset: int = 0) -> SearchResults:
        """Search as an audience ('public' or 'agent'). Any query string is valid."""
        _check_audience(audience)
        if as_of is not None and audience != "agent":
            raise KbError("按日期查询（as_of）仅对坐席开放：请以 agent 身份查询。")
        limit, offset = max(0, int(limit)), max(0, int(offset))
        text = analysis.sanitize_query(query)
        filters = dict(kind=kind, unit=unit, category=category, region=region)

        def results(text, commit, today):
            key = (text, audience, limit, offset, kind, unit, category, region, str(as_of or ""), today)
            return self._results.get_or_build(key, lambda: (
                self._search_as_of(text, limit, offset, filters, as_of) if as_of is not None else
                self._run(self._searchers[audience], text, commit, limit, offset, filters, today,
                          audience == "public", audience)))

        with self._lock:
            commit = self.ensure_current()
            today = self.kb.today()
            self._results.follow(commit)
            with self._reading(audience):
                found = results(text, commit, today)
        if as_of is not None or not text:
            return found
        # A word written with a character of the same sound (社宝卡, or 暖器 where the answers say 暖气) is
        # read as meant: where the question finds nothing, finds nothing about what it names, or finds
        # something through the misspelt word alone (暖器不热 ranked 暖气不热怎么报修 fourth). Of a question
        # with results, only a stretch in a word nothing mentions is read otherwise (社宝卡), or a callers'
        # spelling of a name (暖器): 还把我拉黑了 found what it asks about, and is no 还把握拉黑了.
        speller = self._speller(commit, audience, today)
        if speller is None:
            return dataclasses.replace(found, provisional=True)
        readings = speller.readings(text)
        if found.total and readings:
            unknown = self.unknown_words(text, audience)
            readings = [r for r in readings if r.of_name or r.within(text, unknown)]
        corrected = rewritten(text, readings)
        if not corrected:
            return found
        with self._lock:
            if self.ensure_current() != commit:
                return found  # published meanwhile: the speller's words may no longer be the audience's
            with self._reading(audience):
                again = results(corrected, commit, today)
        if not again.total or (found.total and again.weak) or (found.total and not found.weak and again.unknown):
            return found
        return dataclasses.replace(again, query=text, corrected=corrected)

    def unknown_words(self, query, audience: str = "agent") -> tuple:
        """The words of a question that nothing the audience may find mentions (see
        ``SearchResults.unknown``), read without ranking anything."""
        _check_audience(audience)
        text = analysis.sanitize_query(query)
        if not text:
            return ()
        with self._lock:
            commit = self.ensure_current()
            self._unknown.follow(commit)
            today = self.kb.today()

            def read():
                scorer = self._scorer(self._searchers[audience])
                return unknown_words(text, scorer, self.analyzer(audience), self._config(commit),
                                     not_in_force(scorer, today) if audience == "public" else None)

            with self._reading(audience):
                return self._unknown.get_or_build((audience, text, today), read)

    def _speller(self, commit: str, audience: str, day: dt.date) -> Speller | None:
        """The words the audience may find on ``day``, by their sound (see spelling.py), or None while
        they are still being read.

        They are read in a thread of their own, outside the index's lock, once per commit, audience
        and day: at 50,000 entries that takes seconds, and no search waits for it longer than
        ``SPELLER_WAIT`` (the question then runs uncorrected). A speller that could not be built is
        no correction, and is tried again on the next question.
        """
        key = (commit, audience, day)
        with self._speller_lock:
            job = self._spellers.get(key)
            if job is None:
                job = concurrent.futures.Future()
                self._spellers.put(key, job)
                threading.Thread(target=self._build_speller, args=(job, key), daemon=True,
                                 name="kb-speller").start()
        # Polled rather than a timed wait on the future: a timed lock wait never returns under
        # libfaketime (the clock shifted a year ahead in CI), while sleeping does.
        deadline = time.monotonic() + SPELLER_WAIT
        while not job.done():
            if time.monotonic() >= deadline:
                return None
            time.sleep(SPELLER_POLL)
        try:
            return job.result()
        except Exception:  # noqa: BLE001 - a correction is a convenience: without it the search stands
            with self._speller_lock:
                if self._spellers.get(key) is job:
                    self._spellers.pop(key)
            return None

    def _build_speller(self, job: concurrent.futures.Future, key: tuple):
        commit, audience, day = key
        try:
            names, phrasings = visible_words(self.kb.store.snapshot(commit), audience, day)
            job.set_result(Speller(names + phrasings, names))
        except BaseException as e:  # noqa: BLE001 - handed to the waiting search (see _speller)
            job.set_exception(e)

    def _run(self, searcher, text, commit, limit, offset, filters, day, mask_day: bool,
             audience: str = "agent") -> SearchResults:
        scorer = self._scorer(searcher)
        exclude = not_in_force(scorer, day) if mask_day else superseded(scorer, day)
        return run(text, searcher, scorer, self.analyzer(audience), self._config(commit), limit=limit,
                   offset=offset, filters=filters, day=day, exclude=exclude, public=mask_day)

    def _config(self, commit: str) -> Snapshot:
        """The configuration (units, synonyms) at a commit, parsed once."""
        return self._configs.get_or_build(
            commit, lambda: Snapshot(self.kb.store.files_at(commit, CONFIG_PATHS), commit=commit))

    def _scorer(self, searcher) -> Scorer:
        key = id(searcher.reader())
        scorer = self._scorers.get(key)
        if scorer is None or scorer.searcher is not searcher:
            scorer = Scorer(searcher, self._lengths, self._postings)
            self._scorers.put(key, scorer)
        return scorer

    def _search_as_of(self, text, limit, offset, filters, as_of) -> SearchResults:
        """Agent search over the content published by ``as_of`` and in force that day."""
        if isinstance(as_of, str):
            try:
                as_of = dt.date.fromisoformat(as_of)
            except ValueError:
                raise KbError(f"“{as_of}”不是有效日期：请按 YYYY-MM-DD 填写。")
        commit = self.kb.store.main_on(as_of)
        if not commit:
            return SearchResults(text, [], 0, [], "", as_of.isoformat())
        searcher = self._as_of.get_or_build(commit, lambda: memory_searcher(
            commit_docs(self.kb.store, commit), "agent", self.analyzer()))
        res = self._run(searcher, text, commit, limit, offset, filters, as_of, True)
        res.as_of = as_of.isoformat()
        return res
