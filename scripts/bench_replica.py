"""How soon a read replica serves a change published on the primary: notified, and by polling alone.

Makes a copy of the sample as the primary repository, starts ``kb web --follow`` on it (loopback,
one worker), then publishes a new answer on the primary's main several times: half of the time the
primary's publish hook notifies the replica, half of the time the replica finds it by polling
(``follow_interval``, 5 s by default). For each it prints the time from the commit landing on main
to the replica's search API returning the answer. Every wait is bounded.

    .venv/bin/python scripts/bench_replica.py [--rounds 5] [--interval 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from scripts.load_test import TODAY, Server, log  # noqa: E402

SECRET = "bench-replica-secret"


def publish(root: Path, n: int) -> tuple[str, str]:
    """Commit a new public answer on the primary's main; returns (commit, its title)."""
    import subprocess

    from kb_app.content import frontmatter

    title = f"副本同步测试事项第{n}号"
    meta = {"id": f"replica-bench-{n}", "kind": "policy", "title": title, "unit": "city-hrss",
            "audience": "public", "category": ["就业"], "questions": [f"副本同步第{n}号怎么办"]}
    path = root / f"entries/policy/city-hrss/replica-bench-{n}.md"
    path.write_text(frontmatter.dump(meta, f"{title}：带身份证到窗口办理。\n"), encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-q", "-m", title], cwd=root, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip(), title


def visible(port: int, title: str) -> bool:
    url = f"http://127.0.0.1:{port}/api/v1/search?q={quote(title)}&limit=1"
    with urllib.request.urlopen(url, timeout=5) as r:
        hits = json.loads(r.read())["hits"]
    return bool(hits) and hits[0]["title"] == title


def wait_visible(port: int, title: str, limit: float) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if visible(port, title):
            return time.perf_counter() - started
        time.sleep(0.05)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--interval", type=int, default=5, help="the replica's follow_interval (seconds)")
    args = parser.parse_args(argv)
    from kb_app import init_repo, load_settings, open_kb
    from kb_app.web.follow import notify_replicas

    work = Path(tempfile.mkdtemp(prefix="kb-replica-bench-"))
    try:
        root = init_repo(work / "primary")
        replica = Server(["web", "--follow", str(root), "--data-dir", str(work / "replica"), "--workers", "1"],
                         "/api/v1/health", TODAY, work / "replica.log",
                         env={"KB_HOOK_SECRET": SECRET, "KB_FOLLOW_INTERVAL": str(args.interval)})
        url = f"http://127.0.0.1:{replica.port}"
        primary = open_kb(load_settings(root=root, data_dir=work / "primary-data", hook_secret=SECRET,
                                        replicas=url, today=TODAY))
        notified, polled = [], []
        try:
            for n in range(args.rounds * 2):
                commit, title = publish(root, n)
                started = time.perf_counter()
                if n % 2 == 0:
                    notify_replicas(primary, None, commit)
                    seconds = wait_visible(replica.port, title, 30)
                    notified.append(None if seconds is None else time.perf_counter() - started)
                else:
                    seconds = wait_visible(replica.port, title, args.interval + 30)
                    polled.append(seconds)
                log(f"{'notified' if n % 2 == 0 else 'polling '} #{n}: "
                    f"{'not visible' if seconds is None else f'{time.perf_counter() - started:.2f} s'}")
        finally:
            replica.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nreplica follows the primary — {args.rounds} rounds each, follow_interval {args.interval} s")
    for name, times, target in (("notified", notified, 2.0), ("polling", polled, 10.0)):
        seen = [t for t in times if t is not None]
        if seen:
            print(f"{name:>9}: median {statistics.median(seen):.2f} s, max {max(seen):.2f} s, "
                  f"missed {len(times) - len(seen)} (target ≤ {target:g} s)")
        else:
            print(f"{name:>9}: never visible")


if __name__ == "__main__":
    main()
