"""Request metrics in the Prometheus text format, merged over the worker processes of ``kb web``.

Each worker counts its own requests (by route template, method and status), a latency histogram
per route and cache hits and misses. It writes these counts to ``<data>/web/metrics/<pid>.json``
every few seconds and whenever it answers ``/metrics``; the worker that answers adds up the files of
the workers that are alive, so a scrape sees the whole server whichever worker it reaches.
"""

from __future__ import annotations

import collections
import json
import os
import threading
from pathlib import Path

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _label(value) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels) -> str:
    return "{" + ",".join(f'{k}="{_label(v)}"' for k, v in labels.items()) + "}"


class Metrics:
    """The counters of one worker process, and the merged exposition of all of them."""

    def __init__(self, directory: Path | None):
        self.dir = directory
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self.requests: collections.Counter = collections.Counter()
        self.latency: dict[str, list] = {}
        self.cache: collections.Counter = collections.Counter()

    def observe(self, route: str, method: str, status: int, seconds: float):
        """Count one request and its latency."""
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            hist = self.latency.get(route)
            if hist is None:
                hist = self.latency[route] = [0] * len(BUCKETS) + [0.0, 0]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    hist[i] += 1
            hist[-2] += seconds
            hist[-1] += 1

    def cache_event(self, cache: str, hit: bool):
        with self._lock:
            self.cache[(cache, "hit" if hit else "miss")] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {"requests": [[*k, v] for k, v in self.requests.items()],
                    "latency": {k: list(v) for k, v in self.latency.items()},
                    "cache": [[*k, v] for k, v in self.cache.items()]}

    def dump(self):
        """Write this worker's counts for the others to merge (no-op without a directory)."""
        if self.dir is None:
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f".{self.pid}.tmp"
            tmp.write_text(json.dumps(self.snapshot()), encoding="utf-8")
            os.replace(tmp, self.dir / f"{self.pid}.json")
        except OSError:
            pass

    def merged(self) -> dict:
        """The counts of every live worker added up (this one's always current)."""
        own = self.snapshot()
        parts = [own]
        if self.dir is not None and self.dir.is_dir():
            self.dump()
            for path in self.dir.glob("*.json"):
                try:
                    pid = int(path.stem)
                except ValueError:
                    continue
                if pid == self.pid:
                    continue
                if not _alive(pid):
                    path.unlink(missing_ok=True)
                    continue
                try:
                    parts.append(json.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
        total = {"requests": collections.Counter(), "latency": {}, "cache": collections.Counter()}
        for part in parts:
            for *key, n in part["requests"]:
                total["requests"][tuple(key)] += n
            for *key, n in part["cache"]:
                total["cache"][tuple(key)] += n
            for route, hist in part["latency"].items():
                acc = total["latency"].setdefault(route, [0] * len(hist))
                for i, v in enumerate(hist):
                    acc[i] += v
        return total

    def render(self, gauges: list[tuple[str, str, dict, float]]) -> str:
        """The Prometheus exposition; ``gauges`` are (name, help, labels, value) of the moment."""
        data = self.merged()
        out = ["# HELP kb_http_requests_total HTTP requests by route template, method and status.",
               "# TYPE kb_http_requests_total counter"]
        for (route, method, status), n in sorted(data["requests"].items()):
            out.append(f"kb_http_requests_total{_labels(route=route, method=method, status=status)} {n}")
        out += ["# HELP kb_http_request_duration_seconds Time to answer a request, by route template.",
                "# TYPE kb_http_request_duration_seconds histogram"]
        for route, hist in sorted(data["latency"].items()):
            for bound, n in zip(BUCKETS, hist):
                labels = _labels(route=route, le=repr(bound))
                out.append(f"kb_http_request_duration_seconds_bucket{labels} {n}")
            out.append(f"kb_http_request_duration_seconds_bucket{_labels(route=route, le='+Inf')} {hist[-1]}")
            out.append(f"kb_http_request_duration_seconds_sum{_labels(route=route)} {hist[-2]:.6f}")
            out.append(f"kb_http_request_duration_seconds_count{_labels(route=route)} {hist[-1]}")
        out += ["# HELP kb_cache_requests_total Lookups in the rendered-response cache, by result.",
                "# TYPE kb_cache_requests_total counter"]
        for (cache, result), n in sorted(data["cache"].items()):
            out.append(f"kb_cache_requests_total{_labels(cache=cache, result=result)} {n}")
        seen = set()
        for name, help_text, labels, value in gauges:
            if name not in seen:
                out += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
                seen.add(name)
            out.append(f"{name}{_labels(**labels) if labels else ''} {value}")
        return "\n".join(out) + "\n"
