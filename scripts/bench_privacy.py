"""Privacy-masking benchmark: the cost of ``mask()`` on every logged search and report.

Prints, per call, the time of ``kb_app.privacy.mask`` on real citizen text — the 300 policy
questions of ``../shared/eval/ncp_queries_dev.jsonl`` (search queries) and the 150 petition messages
of ``appeals_dev.jsonl`` (report-length text) — next to a baseline measured in the same run: the
number and e-mail rules alone (what masking did before names, addresses and spoken numbers). Also
the one-off cost of the part-of-speech tagger (rjieba, loaded on the first text with a name cue)
against ``jieba.posseg``, in fresh processes, and how many texts each rule changed.

    .venv/bin/python scripts/bench_privacy.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
EVAL = PROJECT.parent / "shared" / "eval"
sys.path.insert(0, str(PROJECT))

SPOKEN = ["我叫张三，家住东湖区幸福里3号楼2单元501，电话一三八一二三四五六七八",
          "您好我姓李，住在三号楼二单元五零一，手机幺三九 一二三四 五六七八",
          "我是王建国，身份证一一零一零五一九四九一二三一零零二X"]


def load_texts() -> tuple[list[str], list[str]]:
    queries = [json.loads(line)["query"] for line in (EVAL / "ncp_queries_dev.jsonl").open(encoding="utf-8")]
    reports = []
    for line in (EVAL / "appeals_dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        reports.append(f"{row['title']}。{row['message']}"[:2000])
    return queries, reports


def per_call(fn, texts: list[str], repeat: int) -> float:
    """Median over ``repeat`` runs of the mean time per text, in microseconds."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        runs.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(runs)


def numbers_only(text: str) -> str:
    """The masking rules that existed before: e-mail addresses and digit numbers."""
    from kb_app import privacy

    text = str(text).translate(privacy._FULL_WIDTH)
    return privacy._mask_numbers(privacy.EMAIL.sub(privacy.LABELS["email"], text))


def fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PROJECT)
    return json.loads(out.stdout.strip().splitlines()[-1])


RJIEBA = """
import json, time
from kb_app.privacy import mask
mask("失业金怎么领")
t = time.perf_counter()
mask("我叫张三")
first = time.perf_counter() - t
t = time.perf_counter()
for _ in range(200):
    mask("我叫张三住在幸福里")
print(json.dumps({"load": first, "call": (time.perf_counter() - t) / 200}))
"""

POSSEG = """
import json, logging, time
t = time.perf_counter()
import jieba, jieba.posseg as pseg
jieba.setLogLevel(logging.ERROR)
list(pseg.cut("我叫张三"))
first = time.perf_counter() - t
t = time.perf_counter()
for _ in range(200):
    list(pseg.cut("我叫张三住在幸福里"))
print(json.dumps({"load": first, "call": (time.perf_counter() - t) / 200}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from kb_app.privacy import mask

    queries, reports = load_texts()
    mask("我叫张三")  # load the tagger outside the timed runs
    print(f"文本：{len(queries)} 条检索问句（平均 {statistics.fmean(map(len, queries)):.0f} 字），"
          f"{len(reports)} 条市民来信（平均 {statistics.fmean(map(len, reports)):.0f} 字）")
    print(f"{'':24}{'基线：数字与邮箱规则':>14}{'mask()（全部规则）':>16}{'比值':>8}")
    for label, texts in (("检索问句，每次", queries), ("市民来信，每次", reports), ("口述样例，每次", SPOKEN)):
        base, full = per_call(numbers_only, texts, args.repeat), per_call(mask, texts, args.repeat)
        print(f"{label:24}{base:>14.1f} µs{full:>14.1f} µs{full / base:>8.1f}×")
    changed = {name: sum(mask(t) != numbers_only(t) for t in texts)
               for name, texts in (("检索问句", queries), ("市民来信", reports))}
    print("新规则另外改动的文本：" + "，".join(f"{k} {v} 条" for k, v in changed.items()))
    r, p = fresh(RJIEBA), fresh(POSSEG)
    print(f"词性标注（新进程，首个含姓名提示的文本）：rjieba 首次加载 {r['load'] * 1000:.0f} ms、每次 {r['call'] * 1e6:.0f} µs；"
          f"jieba.posseg 首次加载 {p['load'] * 1000:.0f} ms、每次 {p['call'] * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
