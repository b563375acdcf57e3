"""Catalog-health report on a real district's service catalogue (service_items_guangan.csv).

    .venv/bin/python scripts/catalog_health.py [--csv PATH] [--taxonomy PATH] [--show N]

Builds one directory entry per service item (handler = the department), runs the same checks as
``kb report catalog`` and prints the findings by kind and the time they took.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from kb_app import health
from kb_app.content import frontmatter  # noqa: E402
from kb_app.content.model import Snapshot  # noqa: E402

EVAL = PROJECT.parent / "shared" / "eval"


def unit_id(department: str) -> str:
    return "dept-" + hashlib.sha1(department.encode("utf-8")).hexdigest()[:8]


def build_catalog(csv_path) -> Snapshot:
    """A snapshot holding the units and one directory entry per service item (in memory)."""
    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    departments = sorted({r["department"] for r in rows})
    units = "".join(f"- {{id: {unit_id(d)}, name: {d}, level: district, parent: null, district: 广安区}}\n" for d in departments)
    files = {"regulations/units.yaml": units,
             "regulations/synonyms.yaml": "groups: []\n",
             "regulations/time_limits.yaml": "tiers:\n  - {id: 5wd, amount: 5, unit: workdays}\n"}
    for i, r in enumerate(rows):
        eid = f"item-{i:04d}"
        main = r["main_item"] if r["main_item"] != "未分类" else ""
        meta = {"id": eid, "kind": "directory", "title": r["item_name"], "category": [c for c in (main,) if c],
                "keywords": [main] if main else [], "examples": [], "handler": unit_id(r["department"]),
                "co_handlers": [], "level": "district", "time_limit": "5wd", "unit": unit_id(r["department"])}
        files[f"entries/directory/{eid}.md"] = frontmatter.dump(meta, f"{r['department']}办理：{r['item_name']}。\n")
    return Snapshot(files)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default=str(EVAL / "service_items_guangan.csv"))
    parser.add_argument("--taxonomy", default=str(EVAL / "matter_taxonomy.csv"))
    parser.add_argument("--show", type=int, default=8, help="每类列出的条数")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    snap = build_catalog(args.csv)
    t1 = time.perf_counter()
    findings = health.report(snap, args.taxonomy)
    t2 = time.perf_counter()
    counts = Counter(f.kind for f in findings)
    print(f"目录条目 {len(snap.directory())} 条，单位 {len(snap.units)} 个；建立用时 {t1 - t0:.2f} 秒，检查用时 {t2 - t1:.2f} 秒")
    for kind, title in health.KIND_TITLES.items():
        print(f"\n## {title}：{counts.get(kind, 0)} 项")
        for f in [f for f in findings if f.kind == kind][: args.show]:
            print(f"- {f.message}")


if __name__ == "__main__":
    main()
