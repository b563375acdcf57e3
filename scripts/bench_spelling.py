"""Spelling benchmark: what reading the words of a new commit costs, and who waits for it.

A question that finds nothing is read again by sound (kb_app.search.spelling); the speller of a
commit is built once, on the first such question after a publish. For each size (entries made by
bench_search's generator) it prints:

* how long reading the public's words takes (the snapshot and the speller);
* how long the first misspelt question after a publish waits (at most SPELLER_WAIT, then it runs
  uncorrected) and the same question once the speller is ready;
* the latency of ordinary questions asked from another thread while the speller is being read,
  against the same questions with no speller being read, in the same run (the ratio).

    .venv/bin/python scripts/bench_spelling.py --sizes 10000,50000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def timed(kb, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        started = time.perf_counter()
        kb.search(q, audience="public")
        out.append(time.perf_counter() - started)
    return out


def ordinary_questions(kb, questions: list[str]) -> list[str]:
    """Questions that find something (they never need the speller)."""
    return [q for q in questions if kb.search(q, audience="public").total][:200]


def bench_size(n: int, material) -> dict:
    from bench_search import make_queries, make_repo, percentiles

    from kb_app import load_settings, open_kb
    from kb_app.search import index as search_index
    from kb_app.search.spelling import Speller, visible_texts

    with tempfile.TemporaryDirectory(prefix="kb-bench-spell-") as tmp:
        root = make_repo(Path(tmp) / "kb", n, material)
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data"))
        kb.reindex(rebuild=True)
        ordinary = ordinary_questions(kb, make_queries(material, 400))
        today, commit = kb.today(), kb.store.head()

        started = time.perf_counter()
        snap = kb.store.snapshot(commit)
        texts = visible_texts(snap, "public", today)
        read = time.perf_counter() - started
        started = time.perf_counter()
        Speller(texts)
        build = time.perf_counter() - started

        kb.index._results.clear()
        alone = timed(kb, ordinary)  # no speller being read: the baseline of the same run
        kb.index._results.clear()
        kb.index._spellers.clear()
        during: list[float] = []
        asked = threading.Thread(target=lambda: during.extend(timed(kb, ordinary)))
        started = time.perf_counter()
        asked.start()
        first = kb.search("社宝卡", audience="public")
        first_wait = time.perf_counter() - started
        asked.join()
        while kb.index._speller(commit, "public", today) is None:
            pass
        started = time.perf_counter()
        ready = kb.search("社宝卡", audience="public")
        ready_wait = time.perf_counter() - started
        a, d = percentiles(alone), percentiles(during)
        return {"entries": n, "words_read_s": round(read, 2), "speller_build_s": round(build, 2),
                "speller_wait_s": search_index.SPELLER_WAIT,
                "first_misspelt_question_s": round(first_wait, 2), "first_corrected": first.corrected,
                "ready_misspelt_question_ms": round(ready_wait * 1000, 1), "ready_corrected": ready.corrected,
                "questions": len(ordinary), "alone": a, "while_reading": d,
                "p95_ratio": round(d["p95_ms"] / max(a["p95_ms"], 1e-6), 2),
                "max_ms_alone": round(max(alone) * 1000, 1), "max_ms_while_reading": round(max(during) * 1000, 1)}


def main(argv=None):
    from bench_search import sample_material

    p = argparse.ArgumentParser(description="kb_app spelling benchmark")
    p.add_argument("--sizes", default="10000,50000", help="comma-separated entry counts")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    material = sample_material()
    results = [bench_size(int(n), material) for n in args.sizes.split(",")]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    for r in results:
        print(f"\n{r['entries']} entries")
        print(f"  reading the public's words: snapshot {r['words_read_s']} s, speller {r['speller_build_s']} s")
        print(f"  first misspelt question after a publish: {r['first_misspelt_question_s']} s "
              f"(waits at most {r['speller_wait_s']} s; corrected: {r['first_corrected'] or '—'})")
        print(f"  same question, speller ready: {r['ready_misspelt_question_ms']} ms "
              f"(corrected: {r['ready_corrected'] or '—'})")
        print(f"  {r['questions']} ordinary questions from another thread, p50/p95/max ms: "
              f"alone {r['alone']['p50_ms']}/{r['alone']['p95_ms']}/{r['max_ms_alone']}, "
              f"while the speller is read {r['while_reading']['p50_ms']}/{r['while_reading']['p95_ms']}/"
              f"{r['max_ms_while_reading']} (p95 ratio {r['p95_ratio']})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    sys.path.insert(0, str(PROJECT / "scripts"))
    sys.exit(main())
