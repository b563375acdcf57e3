"""Hot-issue report over generated requests: time per report, and whether the rising topic is found.

Generates searches and dispatch texts over two 30-day periods (``generate``): a dozen steady
topics in many phrasings, places and regions, plus one topic (shared bikes blocking pavements) that
rises sharply in the second period. The rows are written straight into a temporary knowledge
base's tables, then ``kb.hot.report`` runs over them. The baseline, in the same run, is the usage
report's top queries (exact-text grouping in SQL) over the same rows. The clustering is also
scored against the generated topics (purity, topics per generated topic), with the knowledge
base's synonym groups and without them.

    .venv/bin/python scripts/bench_hot.py [--requests 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["幸福小区", "东湖区人民路", "西山区滨河路", "南河区建设街", "阳光花园", "东湖区学府路", "西山区新华小区",
          "南河区火车站", "滨江花园", "人民医院附近", "实验小学门口", "东湖区万达广场"]
OPENERS = ["", "", "您好，", "我想反映一下，", "你好，请问", "麻烦问一下，", "再次反映："]
CLOSERS = ["", "", "，请尽快处理", "，希望相关部门管一管", "，已经好几天了", "，谢谢", "，太影响生活了"]

#: (topic, entry, templates): the steady topics.
TOPICS = [
    ("夜间施工", "noise-construction-night", ["{p}旁边工地半夜还在施工，噪音太大", "晚上十一点多了{p}工地还在打桩",
                                      "{p}附近夜间施工扰民睡不着", "工地夜里施工吵得孩子没法睡觉"]),
    ("暖气不热", "heating-not-warm", ["家里暖气不热，室温才十几度", "{p}供暖温度不达标", "暖气片冰凉，交了取暖费还不热",
                                     "{p}暖气一直不热找谁"]),
    ("拖欠工资", "wage-arrears", ["公司拖欠工资三个月不发", "{p}工地老板欠薪跑路了", "干了半年活工资一直拖着不给",
                                  "单位欠我两个月工资怎么维权"]),
    ("停水", "water-outage", ["{p}突然停水了也没有通知", "家里停水一整天了", "{p}停水什么时候恢复供水", "小区又停水了"]),
    ("物业费", "property-fee-dispute", ["物业费涨价没有公示", "{p}物业乱收费", "物业不干活还要涨物业费",
                                      "物业费收费标准是多少"]),
    ("路灯不亮", "street-light-out", ["{p}路灯不亮好几天了", "晚上路灯坏了黑乎乎的", "{p}一排路灯都不亮",
                                     "路灯坏了找哪个部门修"]),
    ("垃圾清运", "garbage-collection", ["{p}垃圾好几天没人清运", "小区垃圾堆成山臭气熏天", "{p}垃圾桶满了没人收",
                                      "垃圾清运不及时"]),
    ("违章停车", "illegal-parking-blocking", ["{p}门口有车乱停堵住消防通道", "有车违停挡住小区出口",
                                            "{p}车辆乱停乱放", "违章停车堵路没人管"]),
    ("餐馆油烟", "restaurant-fumes", ["楼下饭店油烟太大", "{p}餐馆油烟直排熏得不能开窗", "烧烤店油烟扰民",
                                    "饭馆排油烟管道对着居民楼"]),
    ("社保卡补办", "", ["社保卡丢了怎么补办", "社保卡补办需要什么材料", "社会保障卡挂失补办", "社保卡坏了去哪换"]),
    ("居住证", "", ["外地人怎么办居住证", "居住证办理需要什么材料", "居住证到期怎么续签", "办居住证要多久"]),
    ("低保申请", "dibao-application", ["低保怎么申请", "{p}低保申请条件是什么", "家里困难能不能办低保",
                                      "低保审批要多长时间"]),
]
RISING = ("共享单车", "", ["{p}门口共享单车乱停乱放", "共享单车堆满人行道没法走", "{p}地铁口共享单车太多挡路",
                           "共享单车停在盲道上", "{p}共享单车占道严重"])


DETAILS = ["，{n}号楼", "，住在{n}单元", "，已经{n}天了", "，从{n}号开始就这样", "，打了{n}次电话没人理",
           "，我家在{n}层", "，联系电话1{n}8{n}", ""]


def phrase(rng: random.Random, templates: list[str]) -> str:
    """One request in a caller's words: a template with a place, an opener, a detail and a closer."""
    detail = rng.choice(DETAILS).format(n=rng.randrange(1, 40))
    return rng.choice(OPENERS) + rng.choice(templates).format(p=rng.choice(PLACES)) + detail + rng.choice(CLOSERS)


def generate(n: int, end: dt.date, rising_share: float = 0.06, seed: int = 1) -> list[dict]:
    """``n`` requests over the 60 days up to ``end``; the rising topic only in the last 30, mostly late."""
    rng = random.Random(seed)
    start = end - dt.timedelta(days=59)
    rows = []
    for _ in range(n):
        day = start + dt.timedelta(days=rng.randrange(60))
        recent = day > end - dt.timedelta(days=30)
        if recent and rng.random() < rising_share * 2:
            topic, entry, templates = RISING
        else:
            topic, entry, templates = rng.choice(TOPICS)
        source = "search" if not entry or rng.random() < 0.4 else "dispatch"
        text = phrase(rng, templates)
        at = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60))).isoformat()
        rows.append({"at": at, "text": text, "entry": entry if source == "dispatch" else "", "source": source,
                     "topic": topic})
    return rows


def insert(kb, rows: list[dict]):
    """Write generated requests into the search log and the dispatch history (texts masked): dispatches
    as confirmed in the console, requests of their day (imported work orders are no hot issue)."""
    from kb_app.search.analysis import normalize
    from kb_app.privacy import mask
    from kb_app.dispatch.regions import region_finder

    snap = kb.snapshot()
    find = region_finder(snap)
    directory = {e.id for e in snap.directory()}
    db = kb.db()
    try:
        db.conn.executemany(
            "insert into search_log (at, query, audience, role, hits, opened) values (?, ?, 'public', 'public', 3, ?)",
            [(r["at"], mask(r["text"]), r["entry"] or None) for r in rows if r["source"] == "search"])
        db.conn.executemany(
            "insert into dispatch_history (at, text, entry, source, region) values (?, ?, ?, 'console', ?)",
            [(r["at"], mask(r["text"]), r["entry"], find(normalize(r["text"]))) for r in rows
             if r["source"] == "dispatch" and r["entry"] in directory])
        db.conn.commit()
    finally:
        db.conn.close()


def clustering(rows: list[dict], synonym_groups=()) -> dict:
    """How well topics match the generated ones: purity (requests in their topic's main generated
    topic), topics per generated topic (those holding at least a tenth of it) and the seconds taken."""
    from collections import Counter, defaultdict

    import numpy as np

    from kb_app.search.analysis import normalize
    from kb_app.usage.hot import cluster_texts

    keys = [normalize(" ".join(r["text"].split())) for r in rows]
    distinct = list(dict.fromkeys(keys))
    position = {k: i for i, k in enumerate(distinct)}
    weights = np.bincount([position[k] for k in keys], minlength=len(distinct)).astype(float)
    started = time.perf_counter()
    labels, _words = cluster_texts(distinct, weights, synonym_groups)
    seconds = time.perf_counter() - started
    topic_of = {k: r["topic"] for k, r in zip(keys, rows)}
    mix: dict[int, Counter] = defaultdict(Counter)
    for key, label in zip(distinct, labels):
        mix[int(label)][topic_of[key]] += weights[position[key]]
    clustered = sum(sum(c.values()) for label, c in mix.items() if label >= 0)
    pure = sum(c.most_common(1)[0][1] for label, c in mix.items() if label >= 0)
    spread: dict[str, Counter] = defaultdict(Counter)
    for label, c in mix.items():
        for topic, count in c.items():
            spread[topic][label] += count
    pieces = [sum(1 for label, count in c.items() if label >= 0 and count >= 0.1 * sum(c.values()))
              for c in spread.values()]
    return {"purity": pure / max(clustered, 1), "pieces": sum(pieces) / len(pieces), "seconds": seconds}


def run(n: int) -> dict:
    from kb_app import init_repo, load_settings, open_kb

    end = dt.date(2026, 11, 22)
    rows = generate(n, end)
    with tempfile.TemporaryDirectory(prefix="kb-bench-hot-") as tmp:
        root = init_repo(Path(tmp) / "kb")
        kb = open_kb(load_settings(root=root, data_dir=Path(tmp) / "data", today=end.isoformat()))
        t0 = time.perf_counter()
        insert(kb, rows)
        insert_s = time.perf_counter() - t0
        wall, cpu = time.perf_counter(), time.process_time()
        report = kb.hot.report(end - dt.timedelta(days=29), end)
        hot_s, hot_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall = time.perf_counter()
        kb.stats.top_queries(end - dt.timedelta(days=29), end, limit=50)
        baseline_s = time.perf_counter() - wall
        groups = kb.snapshot().synonym_groups
    quality = {"with the knowledge base's synonyms": clustering(rows, groups), "without synonyms": clustering(rows)}
    found = [t for t in report.rising if "共享单车" in t["label"] or any("共享单车" in e for e in t["examples"])]
    false = [t for t in report.rising if t not in found]
    return {"requests": n, "insert_s": insert_s, "hot_s": hot_s, "hot_cpu_s": hot_cpu, "baseline_s": baseline_s,
            "topics": len(report.topics), "rising": len(report.rising), "rising_found": bool(found),
            "false_rising": [t["label"] for t in false], "clustered": report.totals["clustered"],
            "current": report.totals["current"], "quality": quality,
            "labels": [t["label"] for t in report.topics[:8]]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=100_000)
    args = p.parse_args(argv)
    r = run(args.requests)
    print(f"{r['requests']} requests written in {r['insert_s']:.1f} s; current period {r['current']}, "
          f"in topics {r['clustered']} ({r['clustered'] / max(r['current'], 1):.0%})")
    print(f"hot report:      {r['hot_s']:.2f} s wall, {r['hot_cpu_s']:.2f} s CPU (target <= 5 s)")
    print(f"baseline (top queries, exact text in SQL): {r['baseline_s']:.2f} s")
    print(f"topics {r['topics']}, rising {r['rising']}; the generated rising topic found: {r['rising_found']}; "
          f"other topics flagged rising: {r['false_rising'] or 'none'}")
    print(f"biggest topics: {' | '.join(r['labels'])}")
    print(f"clustering over both periods against the {len(TOPICS) + 1} generated topics:")
    for name, q in r["quality"].items():
        print(f"  {name}: purity {q['purity']:.3f}, topics per generated topic {q['pieces']:.2f}, "
              f"{q['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
