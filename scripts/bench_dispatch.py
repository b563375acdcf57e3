"""Dispatch with a large history: import time, model build time and time per request.

Writes N past work orders (default 100,000; several generated requests of scripts/bench_hot.py
joined into one order of about 150 characters, each filed under a directory entry of the sample)
as JSON lines, imports them with ``Kb.dispatch_history.import_lines`` (the path of
``kb dispatch --learn``), builds the history model, and dispatches requests with and without
the history. The baseline, in the same run, is the same requests without history.

    .venv/bin/python scripts/bench_dispatch.py [--history 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.bench_hot import RISING, TOPICS, phrase  # noqa: E402


def orders(n: int, entries: list[str], end: dt.date, seed: int = 2) -> list[dict]:
    """``n`` work orders over the two years up to ``end``, each a few requests on one topic."""
    rng = random.Random(seed)
    topics = [*TOPICS, RISING]
    home = {name: entry or rng.choice(entries) for name, entry, _t in topics}
    out = []
    for _ in range(n):
        name, _entry, templates = rng.choice(topics)
        text = "。".join(phrase(rng, templates) for _ in range(rng.randint(2, 6)))
        day = end - dt.timedelta(days=rng.randrange(730))
        out.append({"text": text, "entry": home[name] if rng.random() < 0.9 else rng.choice(entries),
                    "at": day.isoformat()})
    return out


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(n_history: int, n_requests: int) -> dict:
    from kb_app import init_repo, load_settings, open_kb

    end = dt.date(2026, 11, 22)
    with tempfile.TemporaryDirectory(prefix="kb-bench-dispatch-") as tmp:
        root = init_repo(Path(tmp) / "kb")
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data", today=end.isoformat()))
        entries = [e.id for e in kb.snapshot().directory()]
        lines = [json.dumps(o, ensure_ascii=False) for o in orders(n_history, entries, end)]
        t0 = time.perf_counter()
        result = kb.dispatch_history.import_lines(lines)
        import_s = time.perf_counter() - t0
        wall, cpu = time.perf_counter(), time.process_time()
        kb.dispatch_history.model()
        build_s, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
        rng = random.Random(5)
        requests = [phrase(rng, rng.choice([*TOPICS, RISING])[2]) for _ in range(n_requests)]
        kb.dispatch(requests[0])  # snapshot and directory index of the commit, parsed once
        plain = timed(lambda t: kb.dispatch(t, history=False), requests)
        cpu = time.process_time()
        learned = timed(kb.dispatch, requests)
        learned_cpu = (time.process_time() - cpu) * 1000 / n_requests
    return {"history": result.imported, "import_s": import_s, "build_s": build_s, "build_cpu_s": build_cpu,
            "requests": n_requests, "plain_ms": statistics.fmean(plain), "plain_p95": _p95(plain),
            "history_ms": statistics.fmean(learned), "history_p95": _p95(learned), "history_cpu_ms": learned_cpu}


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--history", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=200)
    args = p.parse_args(argv)
    r = run(args.history, args.requests)
    print(f"{r['history']} work orders imported in {r['import_s']:.1f} s; "
          f"model built in {r['build_s']:.1f} s ({r['build_cpu_s']:.1f} s CPU)")
    print(f"{r['requests']} requests, ms per request:   mean     p95")
    print(f"  without history (baseline)        {r['plain_ms']:6.1f}  {r['plain_p95']:6.1f}")
    print(f"  with history                      {r['history_ms']:6.1f}  {r['history_p95']:6.1f}"
          f"   ({r['history_cpu_ms']:.1f} ms CPU; target <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
