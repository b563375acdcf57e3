"""What showing a change of the intake rules with its call impact costs the review page, first and again.

Makes a copy of the sample in a temporary directory and three changes on branches, one of each way a replay reads
calls (kb_app.review.intake_replay): a trigger word added to an intake rule (``rules``), example calls added
(``examples``) and the ``emergency`` section's window changed (``all``). Every example call of the sample is
replayed (about 12,000). Prints, in seconds, for each change:

* the first showing: nothing read before, in memory or in the data directory;
* after a restart of the staff app (memory empty, the data directory's readings kept);
* the same process showing it again (memory);
* the next day (the impact is kept per day: the recorded calls of the day count), after a restart;
* a second change of the same kind on the same main, after a restart (the readings of main serve it).

A restart is a new ``Kb`` with the module's caches emptied, as a new process has them.

    .venv/bin/python scripts/bench_call_impact.py

Nothing is timed in the tests; this only prints figures.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

TODAY = dt.date(2026, 11, 22)
RULES = "regulations/intake_rules.yaml"
EXAMPLES = "regulations/intake_examples.yaml"

CHANGES = {
    "rules": [(RULES, "      - 公开政府信息\n", "      - 公开政府信息\n      - 公开\n"),
              (RULES, "      - 公开政府信息\n", "      - 公开政府信息\n      - 公开一下\n")],
    "examples": [(EXAMPLES, "examples:\n", 'examples:\n  - {text: "楼道的灯一闪一闪的", line: "110"}\n'),
                 (EXAMPLES, "examples:\n", 'examples:\n  - {text: "电梯里的灯一闪一闪的", line: "110"}\n')],
    "all": [(RULES, "  window: 10 ", "  window: 8 "), (RULES, "  window: 10 ", "  window: 12 ")],
}


def main():
    from kb_app import init_repo, load_settings, open_kb
    from kb_app.review import intake_replay

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as work:
        root, data = Path(work) / "kb", Path(work) / "data"
        init_repo(root)

        def restarted(day=TODAY):
            intake_replay._CACHE.clear()
            intake_replay._READINGS.clear()
            return open_kb(load_settings(root=root, data_dir=data, today=day.isoformat()))

        kb = restarted()
        main_commit = kb.store.head()
        heads = {}
        for mode, edits in CHANGES.items():
            for n, (path, old, new) in enumerate(edits):
                text = kb.store.read(path)
                assert old in text, (mode, old)
                heads[mode, n] = kb.store.write_change(f"bench/{mode}-{n}", {path: text.replace(old, new, 1)},
                                                       f"bench {mode} {n}")
        print(f"示例库，回放的来电：{len(intake_replay.example_calls(kb.snapshot()))} 条示例来电。单位：秒。")
        print(f"{'改动':<10}{'首次':>8}{'重启后':>8}{'再次':>8}{'次日':>8}{'同类第二个':>10}  replay mode")

        def timed(kb, head):
            started = time.perf_counter()
            impact = intake_replay.call_impact(kb, main_commit, head)
            return time.perf_counter() - started, impact

        for mode in CHANGES:
            (data / intake_replay.KEPT_FILE).unlink(missing_ok=True)
            first, impact = timed(restarted(), heads[mode, 0])
            kb = restarted()
            again_disk, _ = timed(kb, heads[mode, 0])
            again_memory, _ = timed(kb, heads[mode, 0])
            next_day, _ = timed(restarted(TODAY + dt.timedelta(days=1)), heads[mode, 0])
            second, _ = timed(restarted(), heads[mode, 1])
            print(f"{mode:<10}{first:>8.2f}{again_disk:>8.2f}{again_memory:>8.2f}{next_day:>8.2f}{second:>10.2f}"
                  f"  {impact.mode}")


if __name__ == "__main__":
    main()
