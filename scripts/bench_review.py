"""Review benchmark on a generated knowledge base (default 10,000 entries).

Prints, with the 1 s targets:
  * the time from the last approval (which publishes by compare-and-swap and updates the index
    incrementally) to the new text being found by a public search;
  * the time to open the review page (AppTest of the real page) of a CR touching 20 files, and the
    core part of it (parties, approvals, conflicts, both versions of each file, diffs rendered);
and, as a baseline measured in the same run, the cost of one git process (``git rev-parse``) and
of one search on the warm index, with ratios against them. The entries come from the generator of
scripts/bench_search.py.

    .venv/bin/python scripts/bench_review.py [--entries 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from scripts.bench_search import make_repo, sample_material  # noqa: E402

PASSWORD = "bench-password"


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def edited(kb, path, extra):
    from kb_app.content import frontmatter

    meta, body, _ = frontmatter.parse(kb.store.read(path))
    return frontmatter.dump(meta, body + extra)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    args = parser.parse_args(argv)
    from kb_app import load_settings, open_kb
    from kb_app.review.changes import describe_all
    from kb_app.ui.diff import side_by_side

    work = Path(tempfile.mkdtemp(prefix="kb-bench-review-"))
    root, data = work / "kb", work / "data"
    print(f"生成 {args.entries} 个条目……", flush=True)
    _, t_gen = timed(lambda: make_repo(root, args.entries, sample_material()))
    kb = open_kb(load_settings(root=root, data_dir=data))
    paths = sorted(p for p in kb.store.ls_tree(kb.store.head(), ("entries/",)) if p.endswith(".md"))
    _, t_build = timed(lambda: kb.reindex())
    print(f"生成 {t_gen:.1f} s，全量建索引 {t_build:.1f} s", flush=True)

    rng = random.Random(7)
    target = rng.choice(paths)
    unit = target.split("/")[2]
    editor = kb.users.add("bench-editor", "编辑", PASSWORD, "unit_editor", unit)
    reviewer = kb.users.add("bench-reviewer", "单位审核", PASSWORD, "unit_reviewer", unit)
    center = kb.users.add("bench-center", "中心校核", PASSWORD, "center_reviewer")
    author = kb.users.add("bench-center2", "中心编辑", PASSWORD, "center_reviewer")

    word = "琉璃瓦自助补办窗口"
    cr, t_create = timed(lambda: kb.review.create(editor, "基准：修改一条答复", {target: edited(kb, target, f"\n{word}。\n")},
                                                  submit=True))
    kb.review.approve(reviewer, cr.id)
    start = time.perf_counter()
    kb.review.approve(center, cr.id)
    while not any(h.path == target for h in kb.search(word, audience="public").hits):
        time.sleep(0.01)
    t_searchable = time.perf_counter() - start
    assert kb.review.get(cr.id).state == "published"

    touched = rng.sample([p for p in paths if p != target], 20)
    big = kb.review.create(author, "基准：20 个文件", {p: edited(kb, p, "\n补充一句。\n") for p in touched}, submit=True)

    def core():
        fresh = kb.review.get(big.id)
        status = kb.review.status(fresh)
        files = kb.review.files(fresh)
        html = [side_by_side(f.old, f.new) for f in files]
        return status, html, describe_all(kb, fresh, files)

    (status, html, _), t_core = timed(core, repeat=5)
    assert len(html) == 20 and len(status.required) >= 2

    os.environ.update(KB_ROOT=str(root), KB_DATA_DIR=str(data))
    from streamlit.testing.v1 import AppTest

    def page():
        at = AppTest.from_file(str(PROJECT / "kb_app" / "ui" / "app.py"), default_timeout=120)
        at.session_state["user"] = center
        at.run()
        at.switch_page("app_pages/review.py")
        at.session_state["review_cr"] = big.id
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        assert not at.exception and at.subheader[0].value.startswith(f"#{big.id} ")
        return elapsed

    t_page = statistics.median(page() for _ in range(3))

    _, t_git = timed(lambda: kb.store.rev("main"), repeat=20)
    # Distinct queries, so the baseline is a real search and not a cache hit.
    queries = iter(f"补办社保卡 第{i}次 {rng.choice(['居住证', '供暖', '噪声', '停车', '医保'])}" for i in range(10_000))
    _, t_query = timed(lambda: kb.search(next(queries), audience="public"), repeat=20)
    print()
    print(f"知识库：{len(paths)} 个条目（{work}）")
    print(f"基线：一次 git 进程 {t_git * 1000:.1f} ms；一次未缓存的公众查询 {t_query * 1000:.1f} ms")
    print(f"建立变更请求（含整库校验） {t_create:.2f} s")
    rows = [("最后一个批准 → 发布 → 公众检索可见", t_searchable), ("打开 20 个文件的变更校核页面（AppTest 整页）", t_page),
            ("其中核心部分（审核方、冲突、两版文件、差异渲染）", t_core)]
    for label, value in rows:
        print(f"{label}：{value:.3f} s  目标 ≤ 1 s（{'达标' if value <= 1 else '未达标'}）"
              f"  = {value / t_git:.0f} 次 git 进程 = {value / max(t_query, 1e-6):.0f} 次查询")


if __name__ == "__main__":
    main()
