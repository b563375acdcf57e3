"""Load test of the public tier: ``kb web`` (JSON API and HTML pages) against the Streamlit page.

For each knowledge base (the sample, and generated ones of the given sizes), the script starts
``kb web`` with N workers and ``kb serve`` on loopback ports, then drives each target with
closed-loop clients (no think time) at every concurrency level for a bounded time and request count:

* ``api``: ``GET /api/v1/search?q=…`` over keep-alive HTTP/1.1 connections (stdlib asyncio);
* ``html``: ``GET /?q=…``, the server-rendered results page;
* ``streamlit``: the Streamlit app's search — the agent console (``/agent``, the only search page the
  staff app has) — over its websocket, signed in as an agent through the session cookie, one session
  per client, each search a rerun with the text box set to the query (``BackMsg.rerun_script`` with
  the widget's state), finished when ``script_finished`` arrives.

Every target gets the same mix: 80 % popular questions (a fixed set of 40, so caches help as they
would in production) and 20 % queries never sent before in the run. It prints requests/s, latency
p50/p95/p99 and errors per target and level, the ratio to Streamlit, and each worker's memory. A
request still unanswered 30 s after its level ended counts as an error (a Streamlit session queued
behind 200 others can wait that long).
Only loopback addresses are used; every loop stops at its deadline or request cap.

    .venv/bin/python scripts/load_test.py                          # the sample, 1/10/50/200 clients
    .venv/bin/python scripts/load_test.py --sizes sample,50000     # and 50,000 generated entries
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
from scripts.bench_search import make_repo, percentiles, sample_material  # noqa: E402

HOST = "127.0.0.1"
TODAY = "2026-11-22"
POPULAR = 40
SEED = 2026


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- queries ------------------------------------------------------------------------------------


class Mix:
    """80 % popular questions, 20 % queries never used before in this run."""

    def __init__(self, material, seed: int = SEED):
        _snap, policies, sentences, _units, _groups = material
        rng = random.Random(seed)
        pool = []
        for e in policies:
            pool.extend(e.questions[:2])
            pool.append(e.title)
        self.popular = list(dict.fromkeys(pool))
        rng.shuffle(self.popular)
        self.popular = self.popular[:POPULAR]
        self.sentences = [s for s in sentences if len(s) >= 8]
        self.rng = rng
        self.used: set[str] = set(self.popular)

    def unseen(self) -> str:
        while True:
            s = self.rng.choice(self.sentences)
            start = self.rng.randrange(max(1, len(s) - 4))
            q = re.sub(r"\s+", "", s[start:start + self.rng.randint(3, 10)])
            q = re.sub(r"^[，。；、：“”（）]+|[，。；、：“”（）]+$", "", q)
            if len(q) >= 2 and q not in self.used:
                self.used.add(q)
                return q

    def next(self) -> str:
        return self.rng.choice(self.popular) if self.rng.random() < 0.8 else self.unseen()


# -- servers ------------------------------------------------------------------------------------


def server_env(today: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_TODAY=today, KB_WEB_RATE_ANONYMOUS="0", PYTHONPATH=str(PROJECT))
    return env


def wait_for(url: str, proc: subprocess.Popen, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer in {seconds} s")
        time.sleep(0.3)


class Server:
    """A ``kb`` server process (its own process group) on a loopback port."""

    def __init__(self, args: list[str], health: str, today: str, log_path: Path, seconds: float = 600,
                 env: dict | None = None):
        self.port = free_port()
        self.log = open(log_path, "w")
        command = [sys.executable, "-m", "kb_app", *args, "--port", str(self.port)]
        self.proc = subprocess.Popen(command, env={**server_env(today), **(env or {})}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(f"http://{HOST}:{self.port}{health}", self.proc, seconds)

    def workers(self) -> list[int]:
        """Process ids in the server's process group (supervisor and workers)."""
        out = subprocess.run(["ps", "-o", "pid=", "-g", str(self.proc.pid)], capture_output=True,
                             text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        self.log.close()


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# -- clients ------------------------------------------------------------------------------------


async def exchange(reader, writer, port: int, path: str) -> tuple[int, bool]:
    """One request on a keep-alive connection: (status, whether the connection stays open)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: */*\r\n\r\n".encode("ascii"))
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return int(head[9:12]), not re.search(rb"(?i)\r\nconnection:\s*close", head)


async def http_client(port: int, path_for, deadline: float, budget: list, out: list):
    """One keep-alive HTTP/1.1 connection sending requests back to back until the deadline."""
    reader = writer = None
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        path = path_for()
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            status, keep = await asyncio.wait_for(exchange(reader, writer, port, path),
                                                  max(1.0, deadline + 30 - time.monotonic()))
            if not keep:
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            status = 0
            if writer is not None:
                writer.close()
            reader = writer = None
        out.append((time.perf_counter() - started, status))
    if writer is not None:
        writer.close()


def agent_cookie(root: Path, data: Path) -> str:
    """A signed-in agent's session cookie for the Streamlit app of this knowledge base."""
    from kb_app import load_settings, open_kb
    from kb_app.ui.auth_routes import COOKIE

    kb = open_kb(load_settings(root=root, data_dir=data, today=TODAY))
    user = kb.users.get("load-agent") or kb.users.add("load-agent", "压测坐席", "load-test-2026-" + str(SEED),
                                                       "agent", "", "load-agent@example.invalid")
    return f"{COOKIE}={kb.sessions.start(user, HOST, 'load_test')}"


async def streamlit_client(port: int, mix: Mix, cookie: str, deadline: float, budget: list, out: list):
    """One Streamlit session of a signed-in agent: each search is a rerun of the agent console with the
    text box set to the query."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def rerun(ws, query: str, widget_id: str | None) -> str | None:
        msg = BackMsg()
        msg.rerun_script.query_string = "q=" + quote(query)
        msg.rerun_script.page_name = "agent"
        if widget_id:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            state.string_value = query
        await ws.send(msg.SerializeToString())
        found = widget_id
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and found is None and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "text_input" and "agent_q" in element.text_input.id:
                    found = element.text_input.id
            if kind == "script_finished":
                return found

    try:
        async with websockets.connect(f"ws://{HOST}:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=30,
                                      additional_headers={"Cookie": cookie}) as ws:
            widget = None
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= 1
                query = mix.next()
                started = time.perf_counter()
                try:
                    widget = await asyncio.wait_for(rerun(ws, query, widget),
                                                    max(1.0, deadline + 30 - time.monotonic()))
                    status = 200 if widget else 0  # no search box: not the console (signed out?)
                except (asyncio.TimeoutError, OSError, websockets.ConnectionClosed):
                    status = 0
                out.append((time.perf_counter() - started, status))
                if status == 0:
                    break
    except (OSError, websockets.InvalidHandshake, asyncio.TimeoutError):
        out.append((0.0, 0))


async def run_level(target: str, port: int, mix: Mix, clients: int, seconds: float, cap: int,
                    cookie: str = "") -> dict:
    """Closed-loop clients for ``seconds`` (or ``cap`` requests); their figures."""
    out: list = []
    budget = [cap]
    deadline = time.monotonic() + seconds
    if target == "streamlit":
        tasks = [streamlit_client(port, mix, cookie, deadline, budget, out) for _ in range(clients)]
    else:
        prefix = "/api/v1/search?q=" if target == "api" else "/?q="
        tasks = [http_client(port, lambda: prefix + quote(mix.next()), deadline, budget, out)
                 for _ in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    ok = [t for t, s in out if s == 200]
    errors = len(out) - len(ok)
    figures = {"target": target, "clients": clients, "requests": len(out), "errors": errors,
               "rps": round(len(ok) / elapsed, 1) if elapsed else 0.0}
    figures.update(percentiles(ok) if ok else {"p50_ms": None, "p95_ms": None, "p99_ms": None})
    return figures


# -- one knowledge base -------------------------------------------------------------------------


def prepare_kb(size: str, work: Path, material) -> Path:
    root = work / f"kb-{size}"
    if (root / ".git").is_dir():
        log(f"reusing {root}")              # a directory kept by an earlier run (--keep, then --work)
    elif size == "sample":
        from kb_app import init_repo

        init_repo(root)
    else:
        log(f"generating {int(size):,} entries")
        make_repo(root, int(size), material)
    log(f"indexing {size}")
    env = server_env(TODAY)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb_app", "index", "--root", str(root), "--data-dir",
                    str(work / f"data-{size}")],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"indexed {size} in {time.perf_counter() - started:.0f} s")
    return root


def bench_kb(size: str, work: Path, material, args) -> list[dict]:
    root = prepare_kb(size, work, material)
    data = work / f"data-{size}"
    rows = []
    targets = [t for t in args.targets.split(",") if t]
    web = streamlit = None
    cookie = agent_cookie(root, data) if "streamlit" in targets else ""
    try:
        if {"api", "html"} & set(targets):
            web = Server(["web", "--root", str(root), "--data-dir", str(data), "--workers",
                          str(args.workers)],
                         "/api/v1/health", TODAY, work / f"web-{size}.log")
        if "streamlit" in targets:
            streamlit = Server(["serve", "--root", str(root), "--data-dir", str(data), "--address", HOST],
                               "/_stcore/health", TODAY, work / f"streamlit-{size}.log")
        mix = Mix(material)
        for target in targets:
            port = streamlit.port if target == "streamlit" else web.port
            # Warm-up: the popular questions once, as a running service would have seen them.
            asyncio.run(run_level(target, port, mix, 4 if target != "streamlit" else 2,
                                  args.warmup, len(mix.popular) * (3 if target == "streamlit" else 1), cookie))
            for clients in args.clients:
                if target == "streamlit" and clients > args.streamlit_max_clients:
                    continue
                figures = asyncio.run(run_level(target, port, mix, clients, args.seconds, args.max_requests,
                                                cookie))
                figures["size"] = size
                rows.append(figures)
                log(f"{size} {target} ×{clients}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, "
                    f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, errors {figures['errors']}")
        if web is not None:
            mem = [m for m in (rss_mb(p) for p in web.workers()) if m]
            rows.append({"size": size, "memory_mb": [round(m) for m in mem]})
    finally:
        for server in (web, streamlit):
            if server is not None:
                server.stop()
    return rows


def print_report(rows: list[dict], args):
    print(f"\nkb web load test — {args.workers} workers, {os.cpu_count()} cores, load generator on the same"
          f" machine, {args.seconds:g} s per level (cap {args.max_requests} requests),"
          f" mix 80 % popular / 20 % unseen\n")
    print(f"{'entries':>8} {'target':>10} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'requests':>9}")
    for r in rows:
        if "target" in r:
            print(f"{r['size']:>8} {r['target']:>10} {r['clients']:>7} {r['rps']:>8} {r['p50_ms'] or '-':>8} "
                  f"{r['p95_ms'] or '-':>8} {r['p99_ms'] or '-':>8} {r['errors']:>7} {r['requests']:>9}")
    print()
    for size in dict.fromkeys(r["size"] for r in rows):
        by = {(r["target"], r["clients"]): r for r in rows if r["size"] == size and "target" in r}
        for clients in args.clients:
            st = by.get(("streamlit", clients))
            for target in ("api", "html"):
                r = by.get((target, clients))
                if r and st and st["rps"]:
                    print(f"{size}: {target} / streamlit at {clients} clients = {r['rps'] / st['rps']:.1f}×")
            api, html = by.get(("api", clients)), by.get(("html", clients))
            if api and html and html["rps"]:
                print(f"{size}: api / html at {clients} clients = {api['rps'] / html['rps']:.2f}")
        for r in rows:
            if r["size"] == size and "memory_mb" in r:
                print(f"{size}: memory of the kb web processes (MB, supervisor and workers):", r["memory_mb"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sample",
                        help="sample and/or numbers of generated entries, e.g. sample,50000")
    parser.add_argument("--clients", default="1,10,50,200", help="concurrency levels")
    parser.add_argument("--targets", default="api,html,streamlit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each level")
    parser.add_argument("--max-requests", type=int, default=30_000, help="request cap of each level")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up per target")
    parser.add_argument("--streamlit-max-clients", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs, repositories)")
    parser.add_argument("--work", type=Path, default=None,
                        help="working directory of an earlier run kept with --keep: its knowledge bases are "
                             "reused (brought up to date by kb index) instead of generated again; kept afterwards")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",") if c]
    if args.seconds > 120 or args.max_requests > 200_000 or max(args.clients) > 500:
        parser.error("bounded runs only: --seconds ≤ 120, --max-requests ≤ 200000, clients ≤ 500")
    material = sample_material()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-load-"))
    args.keep = args.keep or args.work is not None
    rows = []
    try:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            rows.extend(bench_kb(size, work, material, args))
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_report(rows, args)


if __name__ == "__main__":
    main()
