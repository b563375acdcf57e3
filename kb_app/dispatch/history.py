"""Dispatch history: the work orders the hotline dispatched, and how they re-rank the catalogue.

Every dispatch an agent confirms in the console (the candidate chosen, or another entry picked by
hand), every upheld objection that names the work order behind it, and every past work order
imported from the hotline's export (``kb dispatch --learn FILE``) is one row of the table
``dispatch_history``: the request text (masked with :func:`kb_app.privacy.mask`), the directory
entry it went to, when, where from and the region it concerns.

:class:`HistoryModel` is a character-bigram TF-IDF index of those texts held in numpy arrays
(an inverted index in CSR form), so that the nearest past requests of a new one are found in a
few milliseconds over 100,000 records. :meth:`DispatchHistory.rerank` combines them with the
catalogue match (``kb_app.dispatch.assistant.DirectoryIndex``):

``score(e) = catalogue(e) / best catalogue score + s · (CATEGORY_WEIGHT · log(P(c(e)) · C) + ENTRY_WEIGHT · v(e))``

where ``c(e)`` is the entry's first category (the entry itself when it has none), ``C`` the number
of such categories, ``v(e)`` the share of the nearest ``NEIGHBOURS`` requests' votes that went to
the entry, and ``P(c)`` the share of the votes that went to the category, mixed with how often
the category was dispatched at all (Laplace-smoothed, so a small history stays close to uniform
and changes little). ``s`` is the share of the ``NEIGHBOURS`` there are: one past request is one
opinion, and a single record cannot take over a request the catalogue matches clearly better.
Requests are compared without the places they name and the words of living there (我住东湖区和平街道,
see ``kb_app.dispatch.regions``), which unrelated requests share as easily as related ones. A vote
weighs the neighbour's similarity and halves every ``history_half_life_days`` of age: duties move,
and yesterday's orders say more than those of years ago. Entries that left the directory receive no votes. When the catalogue's first entry matches only in
passing (by words of its examples or boundary, ``DirectoryIndex.unmatched``), the entries of past requests
like this one come before it, however few they are: what agents decided outweighs a match the assistant
itself calls one of words. The intake rules are decided before
and apart from this ranking; the history never overrides them.

The entries ranked are those the catalogue offers by itself (its first ``limit``, as listed without history) and
those similar past requests went to ("与 N 条历史工单相似"): a category's share reorders them and brings in no
other (three oil-fume calls dispatched to 占道经营 bring no other 城乡建设 matter, 电梯困人 or 爆管, into the list).
One it moves up says why ("同类事项（城乡建设）的相似历史工单较多").

A record is removed by the agent who confirmed it, on the day they confirmed it (撤销本次派单,
``Kb.withdraw_dispatch``, or ``kb dispatch --forget``), or by the hotline center, whenever (``kb dispatch --forget``), and logged (who removed which record of which entry, when); the model in memory
notices a removal by the log's highest id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import math
import threading
from collections import Counter

import numpy as np

from .. import db as dbmod
from ..content.model import DATE_TEXT, date_problem, in_use
from ..exceptions import KbError, PermissionDenied, RemovalTooLate, os_reason
from ..privacy import mask
from ..search.analysis import normalize
from ..search.textsim import BigramIndex
from .assistant import MIN_RELATIVE_SCORE
from .regions import CITYWIDE, districts

#: Where a history row came from.
SOURCES = {"console": "坐席确认（建议事项）", "manual": "坐席确认（人工选择）", "objection": "派单异议改派",
           "import": "历史工单导入"}
CONFIRM_ROLES = {"agent", "center_reviewer", "admin"}
#: Who may remove any history record (a wrong import, an order dispatched in error); others only their own dispatches.
FORGET_ROLES = {"center_reviewer", "admin"}
#: The highest ids of the history and of its removals log, as the model in memory is checked against them.
_TOPS = ("select (select coalesce(max(id), 0) from dispatch_history), "
         "(select coalesce(max(id), 0) from dispatch_history_removals)")
#: The columns of a record as listed (kb dispatch --recent) and removed.
LISTED = "id, at, text, entry, source, rank, username, region"
#: Longest text kept per record; the first part of a work order carries its gist.
MAX_STORED_CHARS = 2000
MAX_MODEL_CHARS = 600
#: Neighbours that vote, and how many are looked at for the "why" line.
NEIGHBOURS = 5
EXPLAIN_POOL = 50
#: A record at least this similar (cosine) counts as "similar" in the "why" line.
SIMILAR = 0.1
#: Cosine similarity from which the neighbours' votes count fully (weaker matches count less).
FULL_SIMILARITY = 0.1
CATEGORY_WEIGHT = 0.15
ENTRY_WEIGHT = 0.3
#: Weight of how often a category was dispatched at all against the neighbours' votes.
PRIOR_WEIGHT = 0.3
PRIOR_PSEUDOCOUNT = 0.5
#: On a large history, bigrams found in more than this share of records are left out of a query.
MAX_DF_RATIO = 0.1
LARGE = 2000
#: Query bigrams kept (the rarest).
MAX_QUERY_TERMS = 128
#: New records are kept in a side model until they are this share of the main one.
REBUILD_RATIO = 0.1
REBUILD_MIN = 500
_EPOCH = dt.datetime(2000, 1, 1)


class HistoryImportError(KbError):
    """历史工单文件无法读取。"""


# -- character bigrams as integers ---------------------------------------------------------------


class HistoryModel(BigramIndex):
    """The history texts' character-bigram TF-IDF index (common pairs pruned on a large history)."""

    def __init__(self, texts: list[str], like: "HistoryModel | None" = None):
        super().__init__(texts, MAX_MODEL_CHARS, like=like,
                         max_df_ratio=MAX_DF_RATIO if like is None and len(texts) >= LARGE else 0.0)

    def similarities(self, text: str, max_terms: int = MAX_QUERY_TERMS) -> np.ndarray:
        """Cosine similarity of a text to every record, over its ``max_terms`` rarest bigrams."""
        return super().similarities(text, max_terms)


class _Records:
    """The texts' model, entries and ages of history rows (the rows up to ``max_id``). The model is of
    the texts as compared: without the places they name (``places``, see kb_app.dispatch.regions)."""

    def __init__(self, max_id: int, stamps: list[str], texts: list[str], entries: list[str],
                 like: HistoryModel | None = None, places=None):
        self.max_id, self.stamps, self.texts, self.places = max_id, stamps, texts, places
        self.model = HistoryModel([compared(t, places) for t in texts], like=like)
        self.entry_ids = sorted(set(entries))
        code = {e: i for i, e in enumerate(self.entry_ids)}
        self.entries = np.fromiter((code[e] for e in entries), dtype=np.int32, count=len(entries))
        self.days = _days(stamps)


@dataclasses.dataclass
class _Loaded:
    """The main records and a side set of records added since (scored with the main idf)."""

    main: _Records
    side: _Records | None = None
    #: The highest id of the removals log when the rows were read: a higher one, a record was removed since.
    removed: int = 0

    @property
    def max_id(self) -> int:
        return self.side.max_id if self.side is not None else self.main.max_id

    @property
    def count(self) -> int:
        return self.main.model.n + (self.side.model.n if self.side is not None else 0)

    def parts(self) -> list[_Records]:
        return [self.main] if self.side is None else [self.main, self.side]

    def with_max_id(self, max_id: int) -> "_Loaded":
        target = self.side if self.side is not None else self.main
        target.max_id = max_id
        return self


def _days(stamps) -> np.ndarray:
    out = np.zeros(len(stamps), dtype=np.float64)
    for i, s in enumerate(stamps):
        try:
            out[i] = (dt.datetime.fromisoformat(str(s)[:19]) - _EPOCH).total_seconds() / 86400
        except ValueError:
            out[i] = 0.0
    return out


@dataclasses.dataclass
class ImportResult:
    """What ``import_lines`` did: rows added, duplicates skipped, and rejected lines with reasons."""

    imported: int = 0
    duplicates: int = 0
    rejected: list = dataclasses.field(default_factory=list)
    #: Numbers of the lines whose text was longer than MAX_STORED_CHARS (kept, its first part stored).
    shortened: list = dataclasses.field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.imported + self.duplicates + len(self.rejected)

    @property
    def shortened_note(self) -> str:
        """The lines whose text was cut, as one sentence ("" when none was)."""
        if not self.shortened:
            return ""
        lines = "、".join(map(str, self.shortened[:10])) + ("等" if len(self.shortened) > 10 else "")
        return (f"另有 {len(self.shortened)} 条诉求超过 {MAX_STORED_CHARS:,} 字，只保存了前 {MAX_STORED_CHARS:,} 字"
                f"（第 {lines} 行）。")


class DispatchHistory:
    """The dispatch history of one knowledge base (``kb.dispatch_history``)."""

    def __init__(self, kb):
        self.kb = kb
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._migrated = False

    # -- recording -------------------------------------------------------------------------------

    def _directory_entry(self, entry_id: str):
        entry = self.kb.snapshot().entries.get(entry_id)
        if entry is None or entry.kind != "directory":
            raise KbError(f"派单目录中没有“{entry_id}”：请从建议的事项或派单目录中选择。")
        return entry

    def record(self, text: str, entry_id: str, source: str, username: str | None = None, rank: int | None = None,
               region: str | None = None, at: str | None = None, note: str = "") -> int:
        """Store one dispatch (text masked); returns the row id."""
        text = mask((text or "").strip())[:MAX_STORED_CHARS]
        if source not in SOURCES:
            raise KbError(f"未知的派单记录来源“{source}”。")
        entry = self._directory_entry(entry_id)
        row = {"at": at or self.kb.now().isoformat(timespec="seconds"), "text": text, "entry": entry_id,
               "source": source, "rank": rank, "username": username or None,
               "region": region or self.region_of(text, entry), "note": mask(note)[:500] or None, "key": None}
        with self.kb.db_transaction() as db:
            return db["dispatch_history"].insert(row).last_pk

    def confirm(self, user, text: str, entry_id: str, rank: int | None = None) -> int:
        """An agent confirms where a request goes: a suggested candidate (its rank) or one picked by hand."""
        if user is None or getattr(user, "role", None) not in CONFIRM_ROLES:
            raise PermissionDenied("只有坐席、热线中心校核人员或管理员可以确认派单。")
        if not (text or "").strip():
            raise KbError("诉求内容为空：请先输入来电人的诉求再确认派单。")
        return self.record(text, entry_id, "console" if rank else "manual", user.username, rank)

    def remove(self, db, user, row_id: int) -> dict:
        """Delete one record within the transaction ``db`` and return it: the agent's own confirmed dispatch of today (a
        slip taken back), or any record for the hotline center (``FORGET_ROLES``)."""
        cur = db.execute(f"select {LISTED} from dispatch_history where id = ?", [row_id])
        found = cur.fetchone()
        if found is None:
            raise KbError(f"派单历史中没有编号为 {row_id} 的记录：请用 kb dispatch --recent 查看记录的编号。")
        row = dict(zip([d[0] for d in cur.description], found))
        self._check_removal(user, row)
        db.execute("delete from dispatch_history where id = ?", [row_id])
        db.execute("insert into dispatch_history_removals (at, record, entry, source, username, removed_by) "
                   "values (?, ?, ?, ?, ?, ?)", [self.kb.now().isoformat(timespec="seconds"), row_id, row["entry"],
                                                row["source"], row["username"], user.username])
        return row

    def _check_removal(self, user, row: dict):
        """Refuse the removal of ``row`` by ``user`` unless it is the hotline center's (``FORGET_ROLES``: any record)
        or the agent's own confirmed dispatch of today, the settings' day: an older one is counted in reports and
        learnt from already, and leaves the history only by the center's decision."""
        role = getattr(user, "role", None)
        if role in FORGET_ROLES:
            return
        own = role in CONFIRM_ROLES and row["source"] in ("console", "manual") and row["username"] == user.username
        if not own:
            raise PermissionDenied("只能撤销自己确认的派单；其他派单历史记录请热线中心校核人员或管理员删除。")
        day = str(row["at"] or "")[:10]
        if day != self.kb.today().isoformat():
            raise RemovalTooLate(f"派单历史记录 #{row['id']} 是 {day} 确认的：坐席只能撤销自己当天确认的派单。"
                                 "更早的记录请联系热线中心校核人员或管理员删除。")

    def forget(self, user, row_id: int) -> dict:
        """Remove a wrong record from the history (``kb dispatch --forget``); returns it. Similar requests are
        ranked without it from the next dispatch on."""
        with self.kb.db_transaction() as db:
            return self.remove(db, user, row_id)

    def region_of(self, text: str, entry=None, snap=None, find=None) -> str:
        """The district a request concerns: named in its text, else the handler's district ("" if citywide)."""
        from .regions import CITYWIDE, region_finder

        snap = snap or self.kb.snapshot()
        found = (find or region_finder(snap))(normalize(text or ""))
        if found:
            return found
        if entry is not None and entry.handler:
            district = str((snap.units.get(entry.handler) or {}).get("district") or "")
            return "" if district in ("", CITYWIDE) else district
        return ""

    # -- import ----------------------------------------------------------------------------------

    def import_lines(self, lines, progress=None, batch: int = 2000) -> ImportResult:
        """Import past work orders, one JSON object ``{"text", "entry"[, "at", "region"]}`` per line."""
        from .regions import region_finder

        snap = self.kb.snapshot()
        directory = {e.id: e for e in snap.directory()}
        find = region_finder(snap)
        result = ImportResult()
        now = self.kb.now().isoformat(timespec="seconds")
        pending: list[dict] = []
        db = self.kb.db()
        try:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                row, problem = self._parse_line(line, directory, now, snap, find)
                if problem:
                    result.rejected.append((number, problem))
                else:
                    if row.pop("shortened"):
                        result.shortened.append(number)
                    pending.append(row)
                if len(pending) >= batch:
                    self._insert(db, pending, result)
                    pending = []
                    if progress:
                        progress(result.lines)
            self._insert(db, pending, result)
            if progress:
                progress(result.lines)
        finally:
            db.conn.close()
        return result

    def _parse_line(self, line: str, directory: dict, now: str, snap, find) -> tuple[dict | None, str]:
        try:
            item = json.loads(line.strip())
        except ValueError as e:
            return None, json_problem(e)
        if not isinstance(item, dict):
            return None, "应为 JSON 对象，如 {\"text\": \"……\", \"entry\": \"事项编号\"}"
        for field, name in (("text", "诉求内容"), ("entry", "派单目录事项编号"), ("at", "时间"), ("region", "区域")):
            if item.get(field) is not None and not isinstance(item[field], str):
                return None, f"{name}（{field}）应为加引号的文字，如 \"{field}\": \"……\"，这里是 {json.dumps(item[field], ensure_ascii=False)[:40]}"
        text, entry_id = (item.get("text") or "").strip(), (item.get("entry") or "").strip()
        if not text:
            return None, "缺少诉求内容（text）"
        if not entry_id:
            return None, "缺少派单目录事项编号（entry）"
        entry = directory.get(entry_id)
        if entry is None:
            near = closest_id(entry_id, directory)
            return None, f"派单目录中没有事项“{entry_id}”" + (f"：是否是“{near}”？" if near else "：请用 kb list --kind directory 查看事项编号")
        at = now
        if item.get("at"):
            written = item["at"].strip()
            try:
                # a time with its offset (Z, +00:00) is the hotline's local time it was; one without is taken as such
                at = self.kb.local(dt.datetime.fromisoformat(written)).isoformat(timespec="seconds")
            except ValueError:
                if DATE_TEXT.fullmatch(written[:10]) and date_problem(written[:10]):   # 2026-02-30
                    return None, f"时间“{item['at']}”中的日期不存在：请核对月份和日期"
                return None, f"时间“{item['at']}”无效，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS（可带时区，如 +08:00）"
            if at > now:
                return None, (f"时间 {at.replace('T', ' ')} 晚于现在（{now.replace('T', ' ')}）：历史工单不会在将来受理，"
                              "请核对年份和月日")
        region = ""
        if (item.get("region") or "").strip() and item["region"].strip() != CITYWIDE:   # 全市: none in particular
            region = find(normalize(item["region"]))
            if not region:
                example = next((str(u.get("name")) for u in snap.units.values()
                                if u.get("level") == "street" and in_use(u) and u.get("name")), "")
                return None, (f"区域“{item['region'][:20]}”不是 units.yaml 中的区或街道乡镇（可用：{'、'.join(districts(snap))}"
                              + (f"，或其下的街道乡镇，如“{example}”" if example else "") + "）："
                              "改为其中之一，或删去 region（全市的诉求也可写“全市”），按诉求内容和主办单位判断")
        shortened = len(text) > MAX_STORED_CHARS
        text = mask(text)[:MAX_STORED_CHARS]
        region = region or self.region_of(text, entry, snap, find)
        key = hashlib.sha1(f"{at[:10]}\x1f{entry_id}\x1f{text}".encode("utf-8")).hexdigest()
        return {"at": at, "text": text, "entry": entry_id, "source": "import", "rank": None, "username": None,
                "region": region, "note": None, "key": key, "shortened": shortened}, ""

    @staticmethod
    def _insert(db, rows: list[dict], result: ImportResult):
        if not rows:
            return
        before = db.execute("select count(*) from dispatch_history").fetchone()[0]
        columns = list(rows[0])
        db.conn.executemany(f"insert or ignore into dispatch_history ({', '.join(columns)}) values "
                            f"({', '.join('?' * len(columns))})", [[r[c] for c in columns] for r in rows])
        db.conn.commit()
        added = db.execute("select count(*) from dispatch_history").fetchone()[0] - before
        result.imported += added
        result.duplicates += len(rows) - added

    def import_file(self, path, progress=None) -> ImportResult:
        """``import_lines`` over a UTF-8 file (a BOM is allowed)."""
        try:
            with open(path, encoding="utf-8-sig") as fh:
                return self.import_lines(fh, progress)
        except OSError as e:
            raise HistoryImportError(f"无法读取历史工单文件“{path}”：{os_reason(e)}。请检查路径和权限。")
        except UnicodeDecodeError:
            raise HistoryImportError(f"历史工单文件“{path}”不是 UTF-8 编码：请另存为 UTF-8 后重试。")

    # -- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        with self.kb.db_transaction(write=False) as db:
            return db.execute("select count(*) from dispatch_history").fetchone()[0]

    def recent(self, limit: int = 50, entry: str | None = None) -> list[dict]:
        """The latest rows (newest first), optionally of one entry."""
        where, params = ("where entry = ?", [entry]) if entry else ("", [])
        with self.kb.db_transaction(write=False) as db:
            cur = db.execute(f"select {LISTED} from dispatch_history {where} order by id desc limit ?", [*params, limit])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def _rows(self, after: int = 0) -> tuple[int, list[str], list[str], list[str], int]:
        """The rows after ``after`` with a text: (highest id, stamps, texts, entries), then the highest id of the
        removals log, all from one state."""
        with self.kb.db_transaction(write=False) as db:
            rows = db.execute("select at, text, entry from dispatch_history where id > ? and text != '' "
                              "order by id", [after]).fetchall()
            top, removed = db.execute(_TOPS).fetchone()
        return top, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], removed

    def _load(self, places) -> _Loaded:
        *rows, removed = self._rows(0)
        return _Loaded(_Records(*rows, places=places), removed=removed)

    def _top_id(self) -> tuple[int, int]:
        """The highest row id and the highest id of the removals log (checked on every dispatch, so without the
        migration check of kb.db(); both are read from the end of their table's index, whatever its size)."""
        if not self._migrated:
            self.kb.prepare_database()
            self._migrated = True
        conn = dbmod.open_connection(self.kb.settings.db_path)
        try:
            return tuple(conn.execute(_TOPS).fetchone())
        finally:
            conn.close()

    def model(self, places=None) -> _Loaded | None:
        """The model of every row, brought up to date with the table (None while it has no text); its texts
        are compared without the ``places`` they name (rebuilt when the places are others)."""
        with self._lock:
            loaded, (top, removed) = self._loaded, self._top_id()
            # A row removed (a dispatch withdrawn, a record forgotten) is logged: the model is read again.
            if loaded is None or top < loaded.max_id or loaded.main.places is not places or removed != loaded.removed:
                loaded = self._load(places)
            elif top > loaded.max_id:
                loaded = self._extend(loaded)
            self._loaded = loaded
            return loaded if loaded.count else None

    def _extend(self, loaded: _Loaded) -> _Loaded:
        """Rows added since the model was built: a side model, or a rebuild once they are many."""
        top, stamps, texts, entries, removed = self._rows(loaded.max_id)
        if removed != loaded.removed:   # a row was removed meanwhile
            return self._load(loaded.main.places)
        if not texts:
            return loaded.with_max_id(top)
        side = loaded.side
        if side is not None:
            stamps, texts = side.stamps + stamps, side.texts + texts
            entries = [side.entry_ids[i] for i in side.entries] + entries
        places = loaded.main.places
        if len(texts) > max(REBUILD_MIN, REBUILD_RATIO * loaded.main.model.n) or loaded.main.model.n < REBUILD_MIN:
            return self._load(places)
        return _Loaded(loaded.main, _Records(top, stamps, texts, entries, like=loaded.main.model, places=places), removed)

    # -- ranking ---------------------------------------------------------------------------------

    def reranker(self, now: dt.datetime):
        """A function ``(index, text, limit) -> [(entry, score, note, learned)]`` for kb_app.dispatch.assistant, or None."""
        from .assistant import prepared

        head = self.kb.store.head()
        loaded = self.model(prepared(head, lambda: self.kb.store.snapshot(head))[1].places)
        if loaded is None:
            return None
        half_life = max(1, int(getattr(self.kb.settings, "history_half_life_days", 365) or 365))
        today = (now.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400

        def rerank(index, text: str, limit: int):
            return rank_with_history(index, text, limit, loaded, today, half_life)

        return rerank


def after_publish(kb, cr, commit: str):
    """on_publish hook: an upheld objection joins the history under its entry, with its work order."""
    if cr.kind != "objection" or not cr.data.get("entry"):
        return None
    return kb.dispatch_history.record(cr.data.get("request") or "", cr.data["entry"], "objection", cr.author,
                                      note=f"变更请求 #{cr.id}：{cr.title}")


#: What json says is wrong with a line, as an editor of the export would say it.
_JSON_PROBLEMS = {
    "Expecting property name enclosed in double quotes": "字段名要用英文双引号括起，最后一项之后不能有逗号",
    "Expecting ',' delimiter": "两项之间缺少英文逗号",
    "Expecting ':' delimiter": "字段名之后缺少英文冒号",
    "Expecting value": "缺少值（或多了逗号、用了中文引号）",
    "Unterminated string starting at": "文字缺少结尾的英文双引号",
    "Invalid control character at": "文字中有换行或制表符，应写成 \\n 或 \\t",
    "Extra data": "一行只能有一个 JSON 对象（这一行之后还有内容）",
    "Invalid \\escape": "反斜杠 \\ 之后的字符无效，反斜杠本身应写成 \\\\",
}


def json_problem(error: ValueError) -> str:
    """Why a line is no JSON, and where (its column), in words that say how to mend it."""
    message = getattr(error, "msg", str(error))
    column = getattr(error, "colno", None)
    if getattr(error, "doc", None) is not None and error.pos >= len(error.doc.rstrip()) and error.doc.strip():
        return "不是有效的 JSON（这一行到结尾还没写完：缺少结尾的 } 或 \"）"
    why = next((text for prefix, text in _JSON_PROBLEMS.items() if message.startswith(prefix)), "")
    return "不是有效的 JSON" + (f"（第 {column} 个字符处：{why}）" if why and column else f"（{why}）" if why else "")


def closest_id(entry_id: str, directory: dict) -> str:
    """The directory id a mistyped or shortened one most likely means (Water-Outage → water-outage, street-vending →
    street-vending-road), or the id of the entry
    whose title it is or is close to (水管爆裂 → water-pipe-burst), or ""."""
    plain = entry_id.strip().lower().replace("_", "-").replace(" ", "-")
    if plain in directory:
        return plain
    near = difflib.get_close_matches(plain, list(directory), n=1, cutoff=0.85)
    if near:
        return near[0]
    # the one id it begins (street-vending of street-vending-road), written without its last part
    longer = [eid for eid in directory if eid.startswith(plain + "-")]
    if len(longer) == 1:
        return longer[0]
    titles = {e.title: eid for eid, e in directory.items() if e.title}
    written = entry_id.strip()
    if not written or written in titles:
        return titles.get(written, "")
    # the title that holds most of the characters written (水管爆裂 of 供水管道爆裂、路面冒水), the shorter first
    chars = set(written)
    covered = sorted((-len(chars & set(title)) / len(chars), len(title), eid) for title, eid in titles.items())
    return covered[0][2] if covered and -covered[0][0] >= 0.75 else ""


def category_key(entry) -> str:
    """The group an entry's history is pooled in: its first category, or the entry itself."""
    return f"c:{entry.category[0]}" if entry.category else f"e:{entry.id}"


def compared(text: str, places=None) -> str:
    """A request as it is compared with past ones: without the places it names and the words of living there
    (我住东湖区和平街道), which two unrelated requests share as easily as two related ones."""
    return places.strip(normalize(text)) if places is not None else text


def rank_with_history(index, text: str, limit: int, loaded: _Loaded, today: float, half_life: int) -> list:
    """The catalogue ranking of ``index`` for a text re-ranked by the nearest past requests."""
    catalogue = index.rank(text, len(index.entries))
    # The catalogue's first entry matches in passing (only words of its examples or boundary, see
    # DirectoryIndex.unmatched): it says nothing against what agents decided for requests like this one.
    passing = bool(catalogue) and bool(index.unmatched(text, catalogue[0][0]))
    text = compared(text, index.places)
    by_id = {e.id: e for e in index.entries}
    categories = {e.id: category_key(e) for e in index.entries}
    prior, sims, decays, owners = Counter(), [], [], []
    for part in loaded.parts():
        decay = np.power(0.5, np.clip(today - part.days, 0, None) / half_life)
        for code, w in enumerate(np.bincount(part.entries, weights=decay, minlength=len(part.entry_ids))):
            if part.entry_ids[code] in categories:
                prior[categories[part.entry_ids[code]]] += float(w)
        sims.append(part.model.similarities(text))
        decays.append(decay)
        owners.append(part)
    sims, decays = np.concatenate(sims), np.concatenate(decays)
    # Older orders count less, also in which of them are the nearest.
    effective = sims * decays
    pool = []
    for i in np.argsort(-effective, kind="stable")[:EXPLAIN_POOL * 2]:
        if effective[i] <= 0 or len(pool) >= EXPLAIN_POOL:
            break
        entry_id = _entry_of(owners, int(i))
        if entry_id in by_id:
            pool.append((entry_id, float(sims[i]), float(effective[i])))
    votes, cat_votes = Counter(), Counter()
    for entry_id, _sim, weight in pool[:NEIGHBOURS]:
        votes[entry_id] += weight
        cat_votes[categories[entry_id]] += weight
    similar = Counter(entry_id for entry_id, sim, _w in pool if sim >= SIMILAR)
    total = sum(votes.values())
    # One past request is one opinion: fewer neighbours than NEIGHBOURS (a history of a few orders, or a
    # request like none of them) count for their share, so that a single record cannot take over a request
    # the catalogue matches clearly better.
    support = min(NEIGHBOURS, len(pool)) / NEIGHBOURS
    strength = min(1.0, pool[0][2] / FULL_SIMILARITY) * support if pool else 0.0
    n_prior, c = sum(prior.values()), max(len(set(categories.values())), 1)

    def p_category(key: str) -> float:
        p_prior = (prior.get(key, 0.0) + PRIOR_PSEUDOCOUNT) / (n_prior + PRIOR_PSEUDOCOUNT * c)
        p_votes = cat_votes.get(key, 0.0) / total if total else 0.0
        return (strength * p_votes + PRIOR_WEIGHT * p_prior) / (strength + PRIOR_WEIGHT)

    best = catalogue[0][1] if catalogue else 0.0
    scores = {e.id: s / best for e, s in catalogue} if best > 0 else {}
    # The candidates history may reorder: those the catalogue offers by itself (its first ``limit``, as shown
    # without history) and those similar past requests went to. The share of a category lifts only these: three
    # orders of 占道经营 bring no other 城乡建设 matter (电梯困人, 爆管) into the list by their category alone.
    offered = {e.id for e, s in catalogue[:limit] if s >= MIN_RELATIVE_SCORE * best}
    found = offered | {entry_id for entry_id in votes if similar.get(entry_id)}
    scores = {entry_id: scores.get(entry_id, 0.0) for entry_id in found}
    ranked = []
    for entry_id, base in scores.items():
        lift = CATEGORY_WEIGHT * math.log(p_category(categories[entry_id]) * c)
        score = base + support * (lift + ENTRY_WEIGHT * votes.get(entry_id, 0.0))
        ranked.append((by_id[entry_id], score, similar.get(entry_id, 0), support * lift))
    # Past requests like this one outrank a catalogue match in passing, however few they are.
    ranked.sort(key=lambda r: (not (passing and r[2]), -r[1], r[0].id))
    place = {e.id: i for i, (e, _s) in enumerate(catalogue)}
    out = []
    for i, (entry, score, alike, lift) in enumerate(ranked[:limit]):
        if alike:
            note = f"与 {alike} 条历史工单相似"
        elif lift > 0 and i < place.get(entry.id, limit):   # moved up by its category's share: said so
            note = category_note(entry, categories[entry.id], cat_votes)
        else:
            note = ""
        out.append((entry, score, note, bool(alike)))
    return out


def category_note(entry, key: str, cat_votes: Counter) -> str:
    """Why the category's share moved an entry up: similar past requests of its category, or its category's
    orders in general."""
    what = f"同类事项（{entry.category[0]}）" if key.startswith("c:") else "该事项"
    return what + ("的相似历史工单较多" if cat_votes.get(key) else "历来派单较多")


def _entry_of(parts: list[_Records], i: int) -> str:
    """The entry of the i-th record across the main and side records."""
    for part in parts:
        if i < part.model.n:
            return part.entry_ids[part.entries[i]]
        i -= part.model.n
    raise IndexError(i)
