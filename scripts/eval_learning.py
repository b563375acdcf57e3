"""Answers that learn from searches, by replay: NCP questions before and after accepting the suggestions.

The 599 NCP documents are imported as policy answers (as in scripts/eval_search.py) and the 300
dev questions are split in two halves by a hash of their id. The first half is replayed as the
search log: each question is asked by ``--askers`` citizens; when the answer is among the first
ten results they open it and vote it helpful, otherwise they open nothing. The maintenance tasks
are then generated, every suggested question is accepted by the owning unit's editor and goes
through the review (unit reviewer, hotline center) to publication, one after the other. The other
half — questions never seen in the log — is measured before and after, and so is the logged half.
The queries whose answer was not found become missing-answer groups; their number is printed.

``--set regulations`` replays the colloquial questions about the two regulations the same way over
the sample knowledge base: the tuning and roles sets (tests/data/regulation_questions*.yaml) are the
log — a citizen who finds the article among the first ten opens it on the public site and votes it
helpful, the vote carrying the question — and the hotline center accepts each suggested common
question (常见问法), reviewed by the center and legal. The untouched callers' set, never in the log,
is measured before and after.

    .venv/bin/python scripts/eval_learning.py [--askers 3] [--set ncp|regulations]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from scripts.eval_search import (CALLERS, QUESTIONS, ROLES, metrics, ncp_data, ncp_kb,  # noqa: E402
                                 regulation_questions, run_kb, run_kb_articles)

PREFIX = "ncp-"
USERS = [("ncp-editor", "单位编辑", "unit_editor", "hotline-center"),
         ("ncp-reviewer", "单位审核", "unit_reviewer", "hotline-center"),
         ("ncp-center", "中心校核", "center_reviewer", ""),
         ("ncp-center2", "中心校核二", "center_reviewer", ""),
         ("ncp-legal", "法制审核", "legal_reviewer", "")]
PASSWORD = "eval-pass-2026"


def halves(queries: list[dict]) -> tuple[list[dict], list[dict]]:
    """(logged, held out): the questions split by the parity of a hash of their id."""
    odd = [int(hashlib.sha1(str(q["qid"]).encode()).hexdigest(), 16) % 2 for q in queries]
    return [q for q, o in zip(queries, odd) if o == 0], [q for q, o in zip(queries, odd) if o == 1]


def measure(kb, queries: list[dict]) -> dict:
    return metrics(run_kb(kb, [q["query"] for q in queries], prefix=PREFIX), [{q["docid"]} for q in queries])


def replay(kb, queries: list[dict], askers: int) -> int:
    """Log each question ``askers`` times; a found answer is opened and voted helpful. Returns how many were found."""
    found = 0
    for q in queries:
        gold = PREFIX + q["docid"]
        hits = kb.search(q["query"], audience="public", limit=10)
        ids = [h.id for h in hits.hits]
        found += gold in ids
        for _ in range(askers):
            sid = kb.feedback.log_search(q["query"], "public", hits.total)
            if gold in ids:
                kb.feedback.log_open(gold, sid)
                kb.feedback.vote(gold, True, search_id=sid)
    return found


def accept_all(kb) -> tuple[int, int]:
    """Accept every suggested question and take it through review to publication; (tasks, published)."""
    from kb_app.usage import suggest

    users = {u: kb.users.add(u, name, PASSWORD, role, unit) for u, name, role, unit in USERS}
    kb.feedback.generate_tasks()
    pending = [t for t in kb.feedback.list_tasks() if t.kind == suggest.KIND]
    published = 0
    for task in pending:
        if kb.snapshot().find_article(task.entry):     # the center's, reviewed by the center and legal
            cr = suggest.accept(kb, users["ncp-center"], task.id)
            kb.review.approve(users["ncp-legal"], cr.id)
            cr = kb.review.approve(users["ncp-center2"], cr.id)
        else:
            cr = suggest.accept(kb, users["ncp-editor"], task.id)
            kb.review.approve(users["ncp-reviewer"], cr.id)
            cr = kb.review.approve(users["ncp-center"], cr.id)
        published += cr.state == "published"
    return len(pending), published


def evaluate(askers: int = 3) -> dict:
    docs, queries = ncp_data()
    logged, held = halves(queries)
    with tempfile.TemporaryDirectory(prefix="kb-eval-learning-") as tmp:
        kb = ncp_kb(docs, Path(tmp) / "kb", Path(tmp) / "data")
        return learn(kb, logged, held, measure, replay, askers)


def learn(kb, logged: list, held: list, measure_set, replay_set, askers: int) -> dict:
    """Measure both halves, replay the logged one, accept every suggestion, measure both again."""
    from kb_app.usage import suggest

    before = {"held_out": measure_set(kb, held), "logged": measure_set(kb, logged)}
    found = replay_set(kb, logged, askers)
    started = time.perf_counter()
    tasks, published = accept_all(kb)
    review_s = time.perf_counter() - started
    missing = suggest.missing_answers(kb, limit=1000)
    after = {"held_out": measure_set(kb, held), "logged": measure_set(kb, logged)}
    return {"logged": len(logged), "held_out": len(held), "found_in_log": found, "suggestions": tasks,
            "published": published, "review_s": review_s, "missing_groups": len(missing),
            "missing_queries": sum(g["phrasings"] for g in missing), "before": before, "after": after}


def measure_articles(kb, items: list[dict]) -> dict:
    return metrics(run_kb_articles(kb, [i["q"] for i in items]), [set(i["articles"]) for i in items])


def replay_articles(kb, items: list[dict], askers: int) -> int:
    """Each question asked ``askers`` times on the public site; a found article is voted helpful with
    the question (as the article page's form sends it). Returns how many were found."""
    found = 0
    for item in items:
        ids = [h.id for h in kb.search(item["q"], audience="public", kind="article", limit=10).hits]
        gold = next((i for i in ids if i in set(item["articles"])), None)
        found += gold is not None
        events = [{"type": "search", "query": item["q"], "hits": len(ids)}]
        if gold:
            events.append({"type": "open", "entry": gold, "query": item["q"]})
        kb.feedback.log_events(events * askers)
        for _ in range(askers if gold else 0):
            kb.feedback.vote(gold, True, query=item["q"])
    return found


def evaluate_regulations(askers: int = 3) -> dict:
    from kb_app import init_repo, load_settings, open_kb

    logged = regulation_questions(QUESTIONS) + regulation_questions(ROLES)
    held = regulation_questions(CALLERS)
    with tempfile.TemporaryDirectory(prefix="kb-eval-learning-") as tmp:
        kb = open_kb(load_settings(root=init_repo(Path(tmp) / "kb"), data_dir=Path(tmp) / "data"))
        kb.reindex(rebuild=True)
        return learn(kb, logged, held, measure_articles, replay_articles, askers)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--askers", type=int, default=3, help="how many citizens ask each logged question")
    p.add_argument("--set", choices=["ncp", "regulations"], default="ncp", dest="which",
                   help="NCP policy questions, or the questions about the regulations")
    args = p.parse_args(argv)
    r = (evaluate_regulations if args.which == "regulations" else evaluate)(args.askers)
    print(f"{r['logged']} questions replayed as the search log ({r['found_in_log']} answered in the first ten), "
          f"{r['held_out']} held out")
    print(f"{r['suggestions']} suggested questions, {r['published']} published through review "
          f"({r['review_s']:.0f} s); {r['missing_groups']} missing-answer groups of {r['missing_queries']} queries")
    print(f"{'':22}{'Recall@1':>10}{'Recall@5':>10}{'MRR@10':>10}")
    for half in ("held_out", "logged"):
        for when in ("before", "after"):
            m = r[when][half]
            print(f"{half + ' ' + when:22}{m['recall@1']:>10.3f}{m['recall@5']:>10.3f}{m['mrr@10']:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
