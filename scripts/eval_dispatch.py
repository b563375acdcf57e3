"""Dispatch evaluation: top-1 / top-3 accuracy of the top-level category on real citizen messages.

Directory entries are built from ``../shared/eval/matter_taxonomy.csv`` (one per 三级 class:
title = the 三级 class, keywords = the 二级 and 三级 classes, category = [一级, 二级, 三级]) into a
temporary knowledge base with the product's own code, and every message of
``../shared/eval/appeals_dev.jsonl`` (title and text) is run through ``Kb.dispatch``. A message
counts as right at k when its gold 一级 class is among the first k distinct 一级 classes of the
ranked candidates. The baseline, in the same run, is plain BM25 (jieba words) over the class
names of the same rows.

Learning from past work orders: the messages are split in two halves by a hash of their id. One
half is imported as dispatch history (``Kb.dispatch_history.import_lines``, the path of
``kb dispatch --learn``), each message filed under the entry an agent would confirm — the best
catalogue match within its gold 一级 class — and the other half is dispatched with and without
that history. ``--swap`` exchanges the halves; the all-messages figures above are without history.

    .venv/bin/python scripts/eval_dispatch.py [--limit N] [--swap]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import rjieba

from kb_app import init_repo, load_settings, open_kb
from kb_app.content.frontmatter import dump

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
CANDIDATES = 30


def taxonomy() -> list[tuple[str, str, str]]:
    with open(EVAL / "matter_taxonomy.csv", encoding="utf-8") as f:
        return [(r["一级分类"], r["二级分类"], r["三级分类"]) for r in csv.DictReader(f)]


def appeals(limit: int | None = None) -> list[dict]:
    with open(EVAL / "appeals_dev.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return rows[:limit] if limit else rows


def build_kb(root: Path, rows):
    """A knowledge base whose directory is the taxonomy, written and committed with kb_app's code."""
    init_repo(root, empty=True)
    for i, (top, mid, leaf) in enumerate(rows, 1):
        entry_id = f"matter-{i:03d}"
        meta = {"id": entry_id, "kind": "directory", "title": leaf, "category": [top, mid, leaf],
                "keywords": list(dict.fromkeys([mid, leaf])), "handler": "hotline-center", "level": "city",
                "time_limit": "5wd", "audience": "internal", "unit": "hotline-center"}
        body = f"{top}类事项：{mid}，{leaf}。"
        (root / "entries" / "directory" / f"{entry_id}.md").write_text(dump(meta, body), encoding="utf-8")
    git = ["git", "-c", "user.name=eval", "-c", "user.email=eval@localhost"]
    subprocess.run([*git, "add", "-A"], cwd=root, check=True, capture_output=True)
    subprocess.run([*git, "commit", "-q", "-m", "派单目录（事项分类）"], cwd=root, check=True, capture_output=True)
    return open_kb(load_settings(root=root, data_dir=root.parent / "data", today="2026-11-22"))


def distinct_top(categories) -> list[str]:
    return list(dict.fromkeys(categories))


class Bm25Baseline:
    """BM25 over the class names (jieba words, one document per taxonomy row)."""

    def __init__(self, rows, k1=1.2, b=0.75):
        self.rows = rows
        self.docs = [Counter(w for w in rjieba.cut(" ".join(r)) if w.strip()) for r in rows]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avgdl = sum(self.lengths) / len(self.docs)
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def rank(self, text: str) -> list[str]:
        terms = set(w for w in rjieba.cut(text) if w.strip())
        scored = []
        for i, d in enumerate(self.docs):
            norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avgdl)
            s = sum(self.idf[t] * d[t] * (self.k1 + 1) / (d[t] + norm) for t in terms if t in d)
            if s > 0:
                scored.append((-s, i))
        scored.sort()
        return distinct_top(self.rows[i][0] for _, i in scored)


def halves(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    """(history, test): the messages split by the parity of a hash of their id (stable, order-free)."""
    odd = [int(hashlib.sha1(str(m["id"]).encode()).hexdigest(), 16) % 2 for m in messages]
    return [m for m, o in zip(messages, odd) if o == 0], [m for m, o in zip(messages, odd) if o == 1]


def message_text(m: dict) -> str:
    return f"{m['title']}。{m['message']}"


def confirmed_entry(kb, text: str, gold: str) -> str:
    """The entry an agent confirms for a message: the best catalogue match within its gold class."""
    from kb_app.dispatch.assistant import directory_index

    index = directory_index(kb.snapshot())
    for entry, _score in index.rank(text, len(index.entries)):
        if entry.category and entry.category[0] == gold:
            return entry.id
    return next(e.id for e in index.entries if e.category and e.category[0] == gold)


def accuracy(kb, messages: list[dict], history: bool) -> tuple[float, float, float]:
    """(top-1, top-3, ms per message) of kb.dispatch on messages."""
    hits = [0, 0]
    started = time.perf_counter()
    for m in messages:
        result = kb.dispatch(message_text(m), limit=CANDIDATES, answers=False, history=history)
        tops = distinct_top(c.category[0] for c in result.candidates if c.category)
        hits[0] += tops[:1] == [m["category"]]
        hits[1] += m["category"] in tops[:3]
    n = max(len(messages), 1)
    return hits[0] / n, hits[1] / n, (time.perf_counter() - started) * 1000 / n


def evaluate(limit: int | None = None, swap: bool = False) -> dict:
    rows = taxonomy()
    messages = appeals(limit)
    baseline = Bm25Baseline(rows)
    hits = {"dispatch": [0, 0], "baseline": [0, 0]}
    # How often the first candidate is flagged as matching only in passing (DispatchResult.unmatched),
    # when it is right and when it is wrong.
    passing = {True: [0, 0], False: [0, 0]}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        kb = build_kb(Path(tmp) / "kb", rows)
        build_s = time.perf_counter() - started
        t0 = time.perf_counter()
        for m in messages:
            text = message_text(m)
            result = kb.dispatch(text, limit=CANDIDATES, answers=False)
            ranked = {"dispatch": distinct_top(c.category[0] for c in result.candidates if c.category),
                      "baseline": baseline.rank(text)}
            for name, tops in ranked.items():
                hits[name][0] += tops[:1] == [m["category"]]
                hits[name][1] += m["category"] in tops[:3]
            right = ranked["dispatch"][:1] == [m["category"]]
            passing[right][0] += bool(result.unmatched)
            passing[right][1] += 1
        per_message_ms = (time.perf_counter() - t0) * 1000 / max(len(messages), 1)
        history, test = halves(messages)
        if swap:
            history, test = test, history
        lines = [json.dumps({"text": message_text(m), "entry": confirmed_entry(kb, message_text(m), m["category"])},
                            ensure_ascii=False) for m in history]
        imported = kb.dispatch_history.import_lines(lines)
        plain = accuracy(kb, test, history=False)
        learned = accuracy(kb, test, history=True)
    n = max(len(messages), 1)
    return {"messages": len(messages), "entries": len(rows), "build_s": build_s, "per_message_ms": per_message_ms,
            **{f"{name}_top{k}": hits[name][j] / n for name in hits for j, k in enumerate((1, 3))},
            "passing_right": passing[True], "passing_wrong": passing[False],
            "history": imported.imported, "test": len(test),
            "test_plain_top1": plain[0], "test_plain_top3": plain[1],
            "test_history_top1": learned[0], "test_history_top3": learned[1], "test_history_ms": learned[2]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N messages")
    parser.add_argument("--swap", action="store_true", help="exchange the history and test halves")
    args = parser.parse_args(argv)
    r = evaluate(args.limit, args.swap)
    print(f"{r['messages']} messages, {r['entries']} directory entries; build {r['build_s']:.1f} s, "
          f"dispatch {r['per_message_ms']:.1f} ms per message")
    print(f"{'':24}{'top-1':>8}{'top-3':>8}")
    print(f"{'dispatch (kb.dispatch)':24}{r['dispatch_top1']:>8.3f}{r['dispatch_top3']:>8.3f}")
    print(f"{'baseline (BM25 names)':24}{r['baseline_top1']:>8.3f}{r['baseline_top3']:>8.3f}")
    print(f"top-3 ratio dispatch/baseline: {r['dispatch_top3'] / max(r['baseline_top3'], 1e-9):.2f}")
    print("first candidate flagged as matching only in passing: "
          f"{r['passing_right'][0]} of {r['passing_right'][1]} right, {r['passing_wrong'][0]} of {r['passing_wrong'][1]} wrong")
    print(f"\nlearning from past work orders: {r['history']} messages as history, {r['test']} as test "
          f"({r['test_history_ms']:.1f} ms per message with history)")
    print(f"{'':24}{'top-1':>8}{'top-3':>8}")
    print(f"{'without history':24}{r['test_plain_top1']:>8.3f}{r['test_plain_top3']:>8.3f}")
    print(f"{'with history':24}{r['test_history_top1']:>8.3f}{r['test_history_top3']:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
