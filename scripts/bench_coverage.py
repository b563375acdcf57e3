"""What judging weak results (kb_app.search.coverage) adds to a search, at scale.

Builds the generated knowledge base of ``bench_search.py`` and runs unseen questions, alternating
one with the check and one without it (a stand-in that judges nothing) in the same process, so that
both halves see the same machine, caches and index. Prints p50 / p95 of each half and their ratio.

    .venv/bin/python scripts/bench_coverage.py [--size 10000] [--queries 400]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=10_000, help="number of generated entries")
    p.add_argument("--queries", type=int, default=400, help="number of distinct questions")
    args = p.parse_args(argv)
    sys.path.insert(0, str(PROJECT))
    from kb_app import load_settings, open_kb
    from kb_app.search import coverage, query
    from scripts import bench_search

    material = bench_search.sample_material()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        root = bench_search.make_repo(Path(tmp) / "kb", args.size, material)
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data"))
        kb.reindex(rebuild=True)
        questions = bench_search.make_queries(material, args.queries)
        judge, times = coverage.judge, {"with": [], "without": []}
        try:
            for i, q in enumerate(questions):
                mode = "with" if (i // 2) % 2 == i % 2 else "without"
                query.coverage.judge = judge if mode == "with" else (lambda *a, **k: coverage.Coverage())
                start = time.perf_counter()
                kb.search(q, audience="public")
                times[mode].append(time.perf_counter() - start)
        finally:
            query.coverage.judge = judge
    p50 = {}
    print(f"{args.size} entries, {len(questions)} unseen questions (public search)")
    for mode, t in times.items():
        t.sort()
        p50[mode] = t[len(t) // 2]
        print(f"  {mode:<8} the check: p50 {1000 * p50[mode]:.1f} ms, p95 {1000 * t[int(len(t) * 0.95)]:.1f} ms")
    print(f"  ratio of p50 with / without: {p50['with'] / p50['without']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
