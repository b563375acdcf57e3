"""Search benchmark: build, size, incremental update, query latency and memory at scale.

A deterministic generator makes realistic entries from the sample knowledge base (its units,
titles, questions, keywords and answer sentences, and sentences of the two regulations). For each
size it prints, for kb_app and for SQLite FTS5 with the trigram tokenizer measured in the same run
on the same entries: full build time, index size, query latency p50/p95/p99 over unseen queries and
over repeated ones, the time from a changed entry landing on main to it being searchable, and the
peak memory of the building and the searching process.

    .venv/bin/python scripts/bench_search.py --sizes 10000,50000 [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SEED = 12345
DISTRICTS = ["东湖区", "西山区", "南湾区", "北岭区", "中山区", "高新区", "滨江区", "青龙县"]


def sample_material():
    """Units, entry texts and regulation sentences of the sample knowledge base."""
    from kb_app.content.model import Snapshot, in_use

    snap = Snapshot.from_tree(PROJECT)
    policies = [e for e in snap.entry_list if e.kind == "policy"]
    sentences = []
    for e in snap.entry_list:
        sentences.extend(s for s in re.split(r"(?<=[。；！？])", e.body.replace("\n", "")) if len(s) > 8)
    for a in snap.articles():
        sentences.extend(s for s in re.split(r"(?<=[。；])", a.text.replace("\n", "")) if len(s) > 8)
    units = [u for u, spec in snap.units.items() if u and in_use(spec)]  # a retired unit's answers are not public
    groups = snap.synonym_groups
    return snap, policies, sentences, units, groups


def generate(n: int, material, rng: random.Random):
    """``n`` entries as (path, front matter, body); about one in ten internal with agent notes."""
    from kb_app.content import frontmatter

    _snap, policies, sentences, units, _groups = material
    for i in range(n):
        base = policies[rng.randrange(len(policies))]
        district = rng.choice(DISTRICTS)
        year = rng.choice([2024, 2025, 2026, 2027])
        unit = rng.choice(units)
        entry_id = f"gen-{i:06d}"
        # An internal answer (重复来电处理内部口径) lends its title to internal ones only.
        internal = rng.random() < 0.1 or base.audience == "internal"
        meta = {"id": entry_id, "kind": "policy", "title": f"{district}{base.title}（{year}年第{i % 97 + 1}批）",
                "questions": rng.sample(base.questions, min(len(base.questions), 2)) + [f"{district}{rng.choice(base.keywords or [base.title])}在哪里办"],
                "unit": unit, "audience": "internal" if internal else "public", "category": base.category[:2],
                "regions": [district], "keywords": rng.sample(base.keywords, min(len(base.keywords), 4))}
        if rng.random() < 0.05:
            meta["expires"] = f"{year}-06-30"
        if internal:
            meta["agent_notes"] = "内部提示：" + rng.choice(sentences)
        body, length = [], 0
        while length < 650:
            s = rng.choice(sentences)
            body.append(s)
            length += len(s)
        yield f"entries/policy/{unit}/{entry_id}.md", frontmatter.dump(meta, "".join(body) + "\n")


def district_units(snap) -> str:
    """units.yaml lines registering the generated entries' districts the sample does not name, so that their
    ``regions`` are places the knowledge base knows (as ``kb validate`` asks)."""
    known = {str(u.get("district") or "") for u in snap.units.values()}
    return "".join(f"\n- id: bench-district-{n}\n  name: {d}人民政府\n  level: district\n  parent: null\n  district: {d}\n"
                   for n, d in enumerate(DISTRICTS) if d not in known)


def make_repo(root: Path, n: int, material) -> Path:
    from kb_app import init_repo

    init_repo(root, empty=True)
    for name in ("units", "synonyms", "time_limits", "calendar"):
        (root / "regulations" / f"{name}.yaml").write_text((PROJECT / "regulations" / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with (root / "regulations" / "units.yaml").open("a", encoding="utf-8") as f:
        f.write(district_units(material[0]))
    for reg in (PROJECT / "regulations" / "texts").glob("*.md"):
        (root / "regulations" / "texts" / reg.name).write_text(reg.read_text(encoding="utf-8"), encoding="utf-8")
    rng = random.Random(SEED)
    for path, text in generate(n, material, rng):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-q", "-m", f"生成 {n} 个条目"], cwd=root, check=True)
    return root


def make_queries(material, count: int) -> list[str]:
    """Citizen-style queries: questions, keywords, colloquial synonyms and fragments, all distinct."""
    _snap, policies, sentences, _units, groups = material
    rng = random.Random(SEED + 1)
    pool = []
    for e in policies:
        pool.extend(e.questions)
        pool.extend(e.keywords)
        pool.append(e.title)
    for g in groups:
        pool.extend(g[1:])
    for s in rng.sample(sentences, min(len(sentences), 200)):
        start = rng.randrange(max(1, len(s) - 6))
        pool.append(s[start:start + rng.randint(2, 12)])
    pool = [q for q in dict.fromkeys(p.strip() for p in pool) if q]
    rng.shuffle(pool)
    return pool[:count]


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(times: list[float]) -> dict:
    ts = sorted(times)

    def pick(p):
        return ts[min(len(ts) - 1, int(round(p / 100 * (len(ts) - 1))))] * 1000

    return {"p50_ms": round(pick(50), 2), "p95_ms": round(pick(95), 2), "p99_ms": round(pick(99), 2)}


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


# -- workers (separate processes, so that each one's peak memory is its own) ----------------------


def worker_build(root: str, data: str) -> dict:
    from kb_app import load_settings, open_kb

    kb = open_kb(load_settings(root=root, data_dir=data))
    started = time.perf_counter()
    stats = kb.reindex(rebuild=True, progress=None)
    return {"build_s": round(time.perf_counter() - started, 1), "documents": stats["documents"]}


def worker_query(root: str, data: str, queries: list[str]) -> dict:
    import gc

    from kb_app import load_settings, open_kb

    kb = open_kb(load_settings(root=root, data_dir=data))
    kb.search("热线", audience="agent")  # open the searchers
    out = {}
    for audience in ("public", "agent"):
        cold, warm = [], []
        for q in queries:
            t = time.perf_counter()
            kb.search(q, audience=audience, limit=10)
            cold.append(time.perf_counter() - t)
        for q in queries:
            t = time.perf_counter()
            kb.search(q, audience=audience, limit=10)
            warm.append(time.perf_counter() - t)
        out[audience] = {"unseen": percentiles(cold), "repeated": percentiles(warm)}
    # One entry changes on main; time until a search finds its new wording.
    changes = []
    for i in range(5):
        snap_path = kb.store.git("ls-tree", "-r", "--name-only", kb.store.head(), "entries/policy/").split("\n")[i * 7]
        text = kb.store.read(snap_path)
        marker = f"基准测试变更标记{'甲乙丙丁戊'[i]}{i}号"
        kb.store.write_change("main", {snap_path: text.rstrip("\n") + f"\n\n{marker}。\n"}, f"修改 {snap_path}")
        t = time.perf_counter()
        hits = kb.search(marker, audience="agent", limit=3).hits
        changes.append(time.perf_counter() - t)
        assert hits and hits[0].path == snap_path, (marker, [h.path for h in hits])
    gc.collect()
    out["change_to_searchable_s"] = {"max": round(max(changes), 3), "median": round(sorted(changes)[len(changes) // 2], 3)}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_worker(args: list[str], payload=None) -> tuple[dict, int]:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], input=json.dumps(payload or {}),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return json.loads(proc.stdout.strip().splitlines()[-1]), peak


# -- the reference: SQLite FTS5 trigram ---------------------------------------------------------


def fts5_bench(root: Path, queries: list[str], workdir: Path) -> dict:
    from kb_app.content import frontmatter
    sys.path.insert(0, str(PROJECT / "scripts"))
    from eval_search import fts5_query

    db_path = workdir / "fts5.db"
    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.execute("CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body, tokenize='trigram')")
    rows = []
    for p in (root / "entries").rglob("*.md"):
        meta, body, _ = frontmatter.parse(p.read_text(encoding="utf-8"))
        title = " ".join([str(meta.get("title", "")), *map(str, meta.get("questions") or []), *map(str, meta.get("keywords") or [])])
        rows.append((meta["id"], title, body))
    con.executemany("INSERT INTO d VALUES (?, ?, ?)", rows)
    con.commit()
    build = time.perf_counter() - started
    times, empty = [], 0
    for q in queries:
        t = time.perf_counter()
        fq = fts5_query(q)
        res = con.execute("SELECT id FROM d WHERE d MATCH ? ORDER BY bm25(d, 3.0, 1.0) LIMIT 10", (fq,)).fetchall() if fq else []
        times.append(time.perf_counter() - t)
        empty += not res
    con.close()
    return {"build_s": round(build, 1), "size_mb": round(db_path.stat().st_size / 2**20, 1), "query": percentiles(times),
            "no_result_share": round(empty / len(queries), 3)}


def bench_size(n: int, n_queries: int, material) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"kb-bench-{n}-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        root = make_repo(tmp / "kb", n, material)
        gen_s = time.perf_counter() - started
        queries = make_queries(material, n_queries)
        log(f"{n}: generated in {gen_s:.0f} s; building")
        built, build_peak = run_worker(["build", str(root), str(tmp / "data")])
        size = dir_size(tmp / "data" / "index")
        log(f"{n}: built {built}, peak {build_peak} MB, {size / 2**20:.0f} MB; querying")
        searched, _ = run_worker(["query", str(root), str(tmp / "data")], queries)
        log(f"{n}: searched {searched}")
        fts = fts5_bench(root, queries, tmp)
        return {"entries": n, "queries": len(queries), "generate_s": round(gen_s, 1), "kb_app": {
            **built, "build_peak_rss_mb": build_peak, "index_mb": round(size / 2**20, 1), **searched}, "fts5_trigram": fts}


def print_report(r: dict):
    k, f = r["kb_app"], r["fts5_trigram"]
    print(f"\n== {r['entries']} entries, {r['queries']} distinct queries ==")
    print(f"{'':34}{'kb_app':>16}{'FTS5 trigram':>16}")
    print(f"{'full build (s)':34}{k['build_s']:>16}{f['build_s']:>16}")
    print(f"{'index size (MB)':34}{k['index_mb']:>16}{f['size_mb']:>16}")
    for aud in ("public", "agent"):
        for kind in ("unseen", "repeated"):
            p = k[aud][kind]
            ref = f["query"] if kind == "unseen" else {}
            for pct in ("p50_ms", "p95_ms", "p99_ms"):
                print(f"{f'query {pct[:3]} ms ({aud}, {kind})':34}{p[pct]:>16}{ref.get(pct, '-'):>16}")
    print(f"{'change on main -> searchable (s)':34}{k['change_to_searchable_s']['max']:>16}{'-':>16}")
    print(f"{'peak RSS build (MB)':34}{k['build_peak_rss_mb']:>16}{'-':>16}")
    print(f"{'peak RSS searching process (MB)':34}{k['peak_rss_mb']:>16}{'-':>16}")
    print(f"{'queries with no result (FTS5)':34}{'-':>16}{f['no_result_share']:>16}")
    p95 = k["public"]["unseen"]["p95_ms"]
    print(f"ratio p95 kb_app/FTS5 (public, unseen): {p95 / max(f['query']['p95_ms'], 0.001):.2f}")


def main(argv=None):
    p = argparse.ArgumentParser(description="kb_app search benchmark")
    p.add_argument("--sizes", default="10000,50000", help="comma-separated entry counts")
    p.add_argument("--queries", type=int, default=300, help="number of distinct queries (at least 200)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sys.path.insert(0, str(PROJECT))
    if args.worker:
        kind, root, data = args.worker
        payload = json.loads(sys.stdin.read() or "{}")
        result = worker_build(root, data) if kind == "build" else worker_query(root, data, payload)
        print(json.dumps(result))
        return 0
    material = sample_material()
    reports = [bench_size(int(s), max(200, args.queries), material) for s in args.sizes.split(",") if s.strip()]
    for r in reports:
        print(json.dumps(r, ensure_ascii=False)) if args.json else print_report(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
