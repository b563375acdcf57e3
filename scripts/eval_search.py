"""Relevance of kb_app search against two baselines, on real questions.

\b
1. NCP policy QA (../shared/eval/ncp_*): the 599 documents are imported as policy answers into a
   temporary knowledge base with kb_app's own code, indexed, and the dev questions are run.
   Baselines on the same documents in the same run: Whoosh with its default analyzer, and SQLite
   FTS5 with the trigram tokenizer.
2. Colloquial questions about the two regulations (tests/data/regulation_questions.yaml) over the
   sample knowledge base, where an answer is a regulation article.
3. A second set of such questions written by another method (tests/data/regulation_questions_callers.yaml:
   from callers' situations and the legislators' explanations), never used for tuning and reported apart.
4. A third set, tuned on like the first (tests/data/regulation_questions_roles.yaml: agents in training,
   units' staff, search-box keywords, situations told at length).
5. A fourth set written blind by the vocabulary gap (tests/data/regulation_questions_gap.yaml: what an
   article covers in words it does not use — everyday words, situations, search-box fragments, typos);
   measured before anything was tuned on it, then tuned on like the first and the third.
6. A fifth set written blind after the call (tests/data/regulation_questions_after.yaml: someone just
   through an episode with the hotline asks what the rules say about it), kept out of tuning like the second.

Prints Recall@1, Recall@5 and MRR@10 for each system. The NCP documents include reprints of one notice
under several ids (the same text from two sites); a second kb_app row, ``kb_app, reprints``, counts a
result as found when it is the gold document or a reprint of it (character trigrams of the shorter text
at least 95 % in the other) — how much of the shortfall is the choice between two copies of one text.

``--only coverage`` instead counts the questions whose results are weak (kb_app.search.coverage:
about none of what the question names), and those with no results: among questions the sample has
no answer for (tests/data/unanswered_questions.yaml), which should be one or the other, and among
all the answerable ones above and the answers' own common questions, which should be neither.

    .venv/bin/python scripts/eval_search.py [--only ncp|regulations|callers|roles|gap|after|coverage] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
EVAL_DIR = PROJECT.parent / "shared" / "eval"
QUESTIONS = PROJECT / "tests" / "data" / "regulation_questions.yaml"
CALLERS = PROJECT / "tests" / "data" / "regulation_questions_callers.yaml"
ROLES = PROJECT / "tests" / "data" / "regulation_questions_roles.yaml"
GAP = PROJECT / "tests" / "data" / "regulation_questions_gap.yaml"
AFTER = PROJECT / "tests" / "data" / "regulation_questions_after.yaml"
UNANSWERED = PROJECT / "tests" / "data" / "unanswered_questions.yaml"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ncp_data():
    return read_jsonl(EVAL_DIR / "ncp_docs.jsonl"), read_jsonl(EVAL_DIR / "ncp_queries_dev.jsonl")


def metrics(ranked: list[list[str]], gold: list[set[str]]) -> dict:
    """Recall@1, Recall@5 and MRR@10 (a question counts as found when any gold id is retrieved)."""
    r1 = r5 = mrr = 0.0
    for ids, answers in zip(ranked, gold):
        ranks = [i for i, d in enumerate(ids[:10], 1) if d in answers]
        if ranks:
            r1 += ranks[0] == 1
            r5 += ranks[0] <= 5
            mrr += 1.0 / ranks[0]
    n = max(1, len(gold))
    return {"recall@1": round(r1 / n, 3), "recall@5": round(r5 / n, 3), "mrr@10": round(mrr / n, 3), "n": len(gold)}


# -- kb_app --------------------------------------------------------------------------------------


def split_title(text: str) -> tuple[str, str]:
    """Title = the first sentence (up to the first space or full stop), body = the rest."""
    text = text.strip()
    m = re.match(r"(.{4,120}?)(?:\s+|。)", text)
    if not m:
        return text[:60], text
    return m.group(1).strip(), text[m.end():].strip() or text


def ncp_kb(docs: list[dict], root: Path, data_dir: Path):
    """A knowledge base whose policy answers are the NCP documents, committed and indexed."""
    import subprocess

    from kb_app import init_repo, load_settings, open_kb
    from kb_app.content import frontmatter

    init_repo(root, empty=True)
    folder = root / "entries" / "policy" / "hotline-center"
    folder.mkdir(parents=True, exist_ok=True)
    for d in docs:
        title, body = split_title(d["text"])
        entry_id = f"ncp-{d['docid']}"
        meta = {"id": entry_id, "kind": "policy", "title": title, "unit": "hotline-center", "audience": "public",
                "category": ["疫情政策"], "regions": ["全市"]}
        (folder / f"{entry_id}.md").write_text(frontmatter.dump(meta, body + "\n"), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=eval", "-c", "user.email=eval@localhost", "commit", "-q", "-m", "导入评测文档"],
                   cwd=root, check=True)
    kb = open_kb(load_settings(root=root, data_dir=data_dir))
    kb.reindex(rebuild=True)
    return kb


def run_kb(kb, queries: list[str], audience: str = "public", prefix: str = "") -> list[list[str]]:
    out = []
    for q in queries:
        hits = kb.search(q, audience=audience, limit=10).hits
        out.append([h.id[len(prefix):] if prefix and h.id.startswith(prefix) else h.id for h in hits])
    return out


# -- baselines -----------------------------------------------------------------------------------


def run_whoosh_default(docs: list[dict], queries: list[str]) -> list[list[str]]:
    """Whoosh out of the box: StandardAnalyzer, QueryParser with OR grouping (in memory, with a writer's
    temporary files in a folder of its own: Whoosh's shared one fails when two runs build at once)."""
    from whoosh import fields
    from whoosh.qparser import OrGroup, QueryParser

    from kb_app.search.whoosh_compat import MemoryStorage

    ix = MemoryStorage().create_index(fields.Schema(id=fields.ID(stored=True), content=fields.TEXT()))
    w = ix.writer()
    for d in docs:
        w.add_document(id=d["docid"], content=d["text"])
    w.commit()
    parser = QueryParser("content", ix.schema, group=OrGroup)
    out = []
    with ix.searcher() as s:
        for q in queries:
            out.append([r["id"] for r in s.search(parser.parse(q), limit=10)])
    return out


def fts5_query(text: str) -> str | None:
    """An FTS5 query: every trigram of the question's runs of letters, OR-ed."""
    grams = []
    for run in re.findall(r"[\w]+", text):
        grams.extend(run[i:i + 3] for i in range(len(run) - 2))
    grams = list(dict.fromkeys(g.replace('"', "") for g in grams))
    return " OR ".join(f'"{g}"' for g in grams) or None


def run_fts5(docs: list[dict], queries: list[str]) -> list[list[str]]:
    """SQLite FTS5 with the trigram tokenizer, ranked by bm25."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, content, tokenize='trigram')")
    con.executemany("INSERT INTO d VALUES (?, ?)", [(d["docid"], d["text"]) for d in docs])
    out = []
    for q in queries:
        fq = fts5_query(q)
        rows = con.execute("SELECT id FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 10", (fq,)).fetchall() if fq else []
        out.append([r[0] for r in rows])
    return out


# -- the two evaluations -------------------------------------------------------------------------


def trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def reprints_of_gold(ranked: list[list[str]], gold: list[set[str]], docs: list[dict],
                     threshold: float = 0.95) -> list[set[str]]:
    """Each question's gold ids and the results that are reprints of a gold document."""
    grams = {d["docid"]: trigrams(d["text"]) for d in docs}

    def same(a: str, b: str) -> bool:
        ga, gb = grams.get(a, set()), grams.get(b, set())
        return bool(ga and gb) and len(ga & gb) >= threshold * min(len(ga), len(gb))

    return [answers | {d for d in ids[:10] if any(same(d, g) for g in answers)} for ids, answers in zip(ranked, gold)]


def eval_ncp(systems=("kb_app", "whoosh_default", "fts5_trigram")) -> dict:
    docs, qs = ncp_data()
    queries = [q["query"] for q in qs]
    gold = [{q["docid"]} for q in qs]
    out = {}
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        runners = {
            "kb_app": lambda: run_kb(ncp_kb(docs, Path(tmp) / "kb", Path(tmp) / "data"), queries, prefix="ncp-"),
            "whoosh_default": lambda: run_whoosh_default(docs, queries),
            "fts5_trigram": lambda: run_fts5(docs, queries),
        }
        for name in systems:
            started = time.perf_counter()
            ranked = runners[name]()
            out[name] = {**metrics(ranked, gold), "seconds": round(time.perf_counter() - started, 1)}
            if name == "kb_app":
                out["kb_app, reprints"] = metrics(ranked, reprints_of_gold(ranked, gold, docs))
    return out


def regulation_questions(path: Path = QUESTIONS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def regulation_docs(snapshot) -> list[dict]:
    """The articles for the baselines: title, label, common questions and text, as kb_app indexes them."""
    return [{"docid": a.id, "text": " ".join([snapshot.regulations[a.regulation].title, a.label, *a.questions, a.text])}
            for a in snapshot.articles()]


def eval_regulations(systems=("kb_app", "whoosh_default", "fts5_trigram"), path: Path = QUESTIONS) -> dict:
    """The colloquial questions over the sample knowledge base (articles only count as answers)."""
    from kb_app import init_repo, load_settings, open_kb

    items = regulation_questions(path)
    queries = [i["q"] for i in items]
    gold = [set(i["articles"]) for i in items]
    out = {}
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        root = init_repo(Path(tmp) / "kb")
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data"))
        kb.reindex(rebuild=True)
        docs = regulation_docs(kb.snapshot())
        runners = {
            "kb_app": lambda: run_kb_articles(kb, queries),
            "whoosh_default": lambda: run_whoosh_default(docs, queries),
            "fts5_trigram": lambda: run_fts5(docs, queries),
        }
        for name in systems:
            out[name] = metrics(runners[name](), gold)
    return out


def run_kb_articles(kb, queries: list[str]) -> list[list[str]]:
    return [[h.id for h in kb.search(q, audience="public", kind="article", limit=10).hits] for q in queries]


def eval_coverage() -> dict:
    """How many questions of each set get weak results (public search, as a citizen asks)."""
    from kb_app import init_repo, load_settings, open_kb

    def weak(kb, queries):
        """How many get weak results, and how many are told that nothing answers them (weak or none)."""
        found = [kb.search(q, audience="public", limit=10) for q in queries]
        return {"weak": sum(r.weak for r in found), "none": sum(not r.total for r in found), "n": len(queries)}

    unanswered = yaml.safe_load(UNANSWERED.read_text(encoding="utf-8"))
    out = {}
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        root = init_repo(Path(tmp) / "kb")
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data"))
        kb.reindex(rebuild=True)
        snap = kb.snapshot()
        out["unanswered, looked at"] = weak(kb, unanswered["looked_at"])
        out["unanswered, held out"] = weak(kb, unanswered["held_out"])
        for name, path in (("regulation questions", QUESTIONS), ("roles", ROLES), ("gap", GAP),
                           ("callers (held out)", CALLERS), ("after (held out)", AFTER)):
            out[name] = weak(kb, [i["q"] for i in regulation_questions(path)])
        # The questions of the answers a citizen may find today (one not yet or no longer in force is found by none).
        out["answers' own questions"] = weak(kb, [q for e in snap.entry_list if e.kind == "policy"
                                                  and e.audience == "public" and e.status(kb.today()) == "in_force"
                                                  for q in e.questions])
        docs, queries = ncp_data()
        ncp = ncp_kb(docs, Path(tmp) / "ncp", Path(tmp) / "ncp-data")
        out["NCP dev"] = weak(ncp, [q["query"] for q in queries])
    return out


def print_table(title: str, results: dict):
    print(f"\n{title}")
    print(f"{'system':<16}{'Recall@1':>10}{'Recall@5':>10}{'MRR@10':>10}{'n':>6}")
    for name, m in results.items():
        print(f"{name:<16}{m['recall@1']:>10.3f}{m['recall@5']:>10.3f}{m['mrr@10']:>10.3f}{m['n']:>6}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", choices=["ncp", "regulations", "callers", "roles", "gap", "after", "coverage"], default=None)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args(argv)
    if args.only == "coverage":
        results = eval_coverage()
        if args.json:
            print(json.dumps(results, ensure_ascii=False, indent=1))
        else:
            print(f"{'set':<28}{'weak':>6}{'none':>6}{'n':>6}")
            for name, r in results.items():
                print(f"{name:<28}{r['weak']:>6}{r['none']:>6}{r['n']:>6}")
        return 0
    results = {}
    if args.only in (None, "ncp"):
        results["ncp_dev"] = eval_ncp()
    if args.only in (None, "regulations"):
        results["regulation_questions"] = eval_regulations()
    if args.only in (None, "callers"):
        results["regulation_questions_callers (held out)"] = eval_regulations(path=CALLERS)
    if args.only in (None, "roles"):
        results["regulation_questions_roles"] = eval_regulations(path=ROLES)
    if args.only in (None, "gap"):
        results["regulation_questions_gap"] = eval_regulations(path=GAP)
    if args.only in (None, "after"):
        results["regulation_questions_after (held out)"] = eval_regulations(path=AFTER)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        for name, r in results.items():
            print_table(name, r)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    sys.exit(main())
