"""``kb web`` with several workers: a listening socket each, replaced workers take over their socket."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from kb_app.config import running_site
from kb_app.exceptions import KbError
from kb_app.web import server

from ..browser import free_port, port_in_use, stop_process_group
from ..conftest import PROJECT
from .conftest import TODAY


def listeners(port: int) -> int:
    """How many sockets listen on the port (from /proc/net/tcp).

    The kernel writes that table a page at a time: while other sockets open and close, a read can
    skip a line, so a count is taken as the largest of a few reads.
    """
    def count():
        n = 0
        for line in open("/proc/net/tcp").read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.split(":")[1], 16) == port:
                n += 1
        return n
    return max(count() for _ in range(5))


def test_a_socket_per_worker_on_one_port():
    sockets = server.worker_sockets("127.0.0.1", 0, 3)
    try:
        port = sockets[0].getsockname()[1]
        assert [s.getsockname()[1] for s in sockets] == [port] * 3
        assert all(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for s in sockets)
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
        for s in sockets:
            s.listen(8)
        assert listeners(port) == 3
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        for s in sockets:
            s.close()
    single = server.worker_sockets("127.0.0.1", 0, 1)
    assert len(single) == 1 and not single[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
    single[0].close()


def test_a_port_in_use_is_refused_in_chinese():
    with port_in_use() as port:
        with pytest.raises(KbError, match=f"无法监听 127.0.0.1:{port}.*请换一个端口"):
            server.worker_sockets("127.0.0.1", port, 2)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_another_kb_web_serves_is_refused_not_shared(workers):
    """The sockets of a ``kb web`` with several workers share their port (SO_REUSEPORT): those of a
    second one would join them, and requests would be split between two knowledge bases."""
    serving = server.worker_sockets("127.0.0.1", 0, 2)
    port = serving[0].getsockname()[1]
    try:
        with pytest.raises(KbError, match=f"无法监听 127.0.0.1:{port}（地址已被占用）.*请换一个端口"):
            server.worker_sockets("127.0.0.1", port, workers)
        assert listeners(port) == 2
    finally:
        for s in serving:
            s.close()


@contextlib.contextmanager
def another_kb_web():
    sockets = server.worker_sockets("127.0.0.1", 0, 2)
    try:
        yield sockets[0].getsockname()[1]
    finally:
        for s in sockets:
            s.close()


@pytest.mark.parametrize("taken_by", [port_in_use, another_kb_web])
def test_kb_web_on_a_port_in_use_says_so_and_not_that_it_started(web_kb, taken_by, monkeypatch):
    from click.testing import CliRunner

    from kb_app.cli import cli

    class Served:  # were the port not refused: fail rather than serve until stopped
        def __init__(self, *args):
            raise AssertionError("kb web started on a port in use")

    prepared = []
    monkeypatch.setattr(server, "Workers", Served)
    # refused before the index is brought up to date, which on a large knowledge base takes a while
    monkeypatch.setattr(server, "prepare", lambda *args, **kwargs: prepared.append(args))
    with taken_by() as port:
        result = CliRunner(env={"KB_TODAY": TODAY}).invoke(
            cli, ["web", "--root", str(web_kb.settings.root), "--data-dir", str(web_kb.settings.data_path),
                  "--port", str(port), "--workers", "2"])
    assert result.exit_code == 1
    assert "已启动" not in result.output
    assert result.output.splitlines()[-1].startswith(f"错误：无法监听 127.0.0.1:{port}（")
    assert prepared == []


def health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def wait_for(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not true after {seconds} s")


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def workers(pid: int) -> list[int]:
    """The worker processes of a ``kb web`` supervisor (not multiprocessing's resource tracker)."""
    out = []
    for child in children(pid):
        try:
            if "spawn_main" in open(f"/proc/{child}/cmdline").read():
                out.append(child)
        except OSError:
            pass
    return sorted(out)


def test_one_worker_stopped_with_sigterm_takes_its_address_note_away(web_kb, tmp_path):
    """The staff app links the public site where a running kb web noted it: stopped as a service manager
    stops it (SIGTERM), a server of one process removes its note, as one of several does."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_TODAY=TODAY, PYTHONPATH=str(PROJECT))
    with open(tmp_path / "web.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kb_app", "web", "--root", str(web_kb.settings.root),
                                 "--data-dir", str(web_kb.settings.data_path), "--port", str(port),
                                 "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT)
        try:
            wait_for(lambda: health(port), 120)
            assert running_site(web_kb.settings.data_path) == f"http://127.0.0.1:{port}"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 128 + signal.SIGTERM
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not web_kb.settings.site_record.exists()


def test_two_workers_serve_and_a_dead_one_is_replaced(web_kb, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_TODAY=TODAY, KB_WEB_RATE_ANONYMOUS="0", PYTHONPATH=str(PROJECT))
    with open(tmp_path / "web.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kb_app", "web", "--root", str(web_kb.settings.root),
                                 "--data-dir", str(web_kb.settings.data_path), "--port", str(port),
                                 "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=PROJECT)
        try:
            wait_for(lambda: health(port) and len(workers(proc.pid)) == 2, 120)
            wait_for(lambda: listeners(port) == 2, 15)
            # where the staff app of this knowledge base links the public site when public_url is not set
            assert running_site(web_kb.settings.data_path) == f"http://127.0.0.1:{port}"
            for _ in range(20):  # new connections each time: both sockets take their share
                assert health(port)
            first = workers(proc.pid)
            os.kill(first[0], signal.SIGKILL)
            wait_for(lambda: first[0] not in workers(proc.pid) and len(workers(proc.pid)) == 2, 60)
            wait_for(lambda: all(health(port) for _ in range(10)), 60)
            wait_for(lambda: listeners(port) == 2, 15)
            os.kill(proc.pid, signal.SIGTTIN)  # one more worker, on a socket already there
            wait_for(lambda: len(workers(proc.pid)) == 3, 60)
            wait_for(lambda: all(health(port) for _ in range(10)), 60)
        finally:
            assert stop_process_group(proc, 30), "kb web did not stop on SIGTERM"
        assert not web_kb.settings.site_record.exists()
