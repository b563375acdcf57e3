"""Running ``kb web``: prepare the index (or the replica's clone), then uvicorn with N workers.

Worker processes are started by uvicorn and build their application with
``kb_app.web.app:app_from_environment``; every setting is handed to them as a ``KB_*`` variable,
so each worker loads exactly the settings of the command. A replica's supervising process also
runs the loop that fetches the primary's main every ``follow_interval`` seconds.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading

from uvicorn.supervisors.multiprocess import Multiprocess, Process
from uvicorn.config import STARTUP_FAILURE

from ..config import Settings, site_url
from ..exceptions import DatabaseUnusable, KbError
from ..listening import BACKLOG, bound_socket, check_port, refusal
from .timing import pause

log = logging.getLogger(__name__)


def export_settings(settings: Settings):
    """Put every setting into the environment (``KB_<NAME>``) for the worker processes."""
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        name = f"KB_{field.name.upper()}"
        if field.name == "data_dir":
            value = settings.data_path
        if value is None or value == "":
            os.environ.pop(name, None)
        else:
            is_path = field.name in ("root", "data_dir")
            os.environ[name] = str(os.path.abspath(value)) if is_path else str(value)


def prepare(kb, echo=print) -> dict:
    """Bring the index (and a replica's clone) up to date before the workers start."""
    if kb.settings.follow:
        from .follow import Mirror, Replica

        mirror = Mirror(kb.settings.follow, kb.settings.root, kb.settings.main_branch)
        if mirror.ensure():
            echo(f"已从 {kb.settings.follow} 克隆主干到 {kb.settings.root}。")
        else:
            result = mirror.sync()
            if result["error"]:
                echo(f"暂时无法从主节点获取更新（{result['error']}）：先用本地副本提供服务，稍后自动重试。")
    # Create and migrate the database here, once: workers starting together would race to do it. One that cannot
    # be used does not stop the public site: the public reads need only the index and the repository.
    try:
        kb.prepare_database()
        usable = True
    except DatabaseUnusable as e:
        echo(database_warning(e, replica=bool(kb.settings.follow)))
        usable = False
    if kb.settings.follow:
        replica = Replica(kb)
        if usable:  # otherwise the workers replay them from the history themselves (Site.flags)
            replica.follow_flags()  # the “待核” marks of what it serves, from the history it has
        if problem := replica.forwarding_problem():
            echo(problem)
        replica.check_primary()  # what /api/v1/health says from the start (a failure is logged)
    stats = kb.reindex()
    # The workers open the index themselves; this (supervising) process need not hold it.
    kb.index.close()
    return stats


def database_warning(e: DatabaseUnusable, replica: bool = False) -> str:
    """What ``kb web`` says at start of a workflow database it cannot use: what is wrong and what to do (the
    error's own words), and what is served meanwhile."""
    from .site import degraded

    return (f"警告：{e}\nkb web 仍然启动，但在修复之前：{degraded(replica)}。/api/v1/health 的 database 一项报告这一问题"
            "（status 为 degraded）。按上面的提示处理后，可用 kb doctor 检查。")


def listening_socket(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A TCP socket listening on (host, port) with ``TCP_NODELAY``, which accepted connections inherit.

    uvicorn's own socket for several workers is created without naming the TCP protocol, so asyncio
    does not switch Nagle's algorithm off on its connections, and every response written in two
    parts waits about 40 ms for the client's delayed acknowledgement. With ``reuse_port`` several
    sockets share the port (``SO_REUSEPORT``) and the kernel spreads new connections over them.

    It listens at once, not only when a worker starts serving it: until then another server's
    check (:func:`kb_app.listening.check_port`) would not see the port taken, and a second
    ``kb web`` starting meanwhile would join this one's sockets.
    """
    sock = bound_socket(host, port, reuse_port)
    try:
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        raise refusal(host, port, e) from None
    sock.set_inheritable(True)
    return sock


def worker_sockets(host: str, port: int, workers: int) -> list[socket.socket]:
    """One listening socket per worker on the same port, or one socket all workers share.

    Workers sharing one socket race for new connections, and asyncio accepts every connection
    waiting at once: ten clients connecting together all went to one worker about half the time,
    which then served them on one core while the other idled (p95 doubled). With a socket each the
    kernel spreads connections over the workers by their addresses.

    ``SO_REUSEPORT`` lets any socket of this account with that option join a port, those of another
    ``kb web`` already serving another knowledge base there included: requests would then be split
    between the two at random. So the port is first checked free (:func:`check_port`), and a port in
    use is refused as it is with one worker.
    """
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        return [listening_socket(host, port)]
    if port:
        check_port(host, port)
    first = listening_socket(host, port, reuse_port=True)
    port = first.getsockname()[1]  # port 0: the one the system chose, for all of them
    sockets = [first]
    try:
        for _ in range(workers - 1):
            sockets.append(listening_socket(host, port, reuse_port=True))
    except KbError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Workers(Multiprocess):
    """uvicorn's supervisor of worker processes, with a listening socket of its own for each worker.

    Starting, health checks, replacing a dead or hung worker and the rolling restart on SIGHUP are
    uvicorn's; a replacement takes over the socket of the worker it replaces. The supervisor keeps
    every socket open, so connections waiting on a socket outlive the worker that died.
    """

    def __init__(self, config, sockets: list[socket.socket]):
        super().__init__(config, sockets)
        self.slots = [[sock] for sock in sockets]

    def run(self) -> None:
        self.init_processes()
        while not pause(self.should_exit, 0.5):  # a timed Event.wait never ends under a shifted clock
            self.handle_signals()
            self.keep_subprocess_alive()
        self.terminate_all()
        self.join_all()

    def _start(self, slot: int) -> Process:
        process = Process(self.config, self.slots[slot % len(self.slots)])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(slot) for slot in range(self.processes_num)]

    def handle_ttin(self) -> None:
        """SIGTTIN: one more worker (sharing the socket of an earlier one)."""
        self.processes_num += 1
        self.processes.append(self._start(len(self.processes)))

    def restart_all(self) -> None:
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(slot)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    log.error("工作进程 %s 没有按时就绪：保留原来的 %s，放弃这次重启", new.pid, old.pid)
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def keep_subprocess_alive(self) -> None:
        for slot, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung, or gone
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("工作进程 %s 未能启动：停止服务", process.pid)
                self.should_exit.set()
                return
            log.warning("工作进程 %s 已退出：另启动一个", process.pid)
            self.processes[slot] = self._start(slot)


def note_address(settings: Settings, host: str, port: int) -> None:
    """Note where this server listens, for the staff app's links when ``public_url`` is not set."""
    import json

    try:
        settings.site_record.write_text(json.dumps({"url": site_url(host, port), "pid": os.getpid()}),
                                        encoding="utf-8")
    except OSError:  # a read-only data folder: the links fall back to the default address
        pass


def forget_address(settings: Settings) -> None:
    """Remove the note of ``note_address`` when it is this process's (another server may have replaced it)."""
    import json

    try:
        if json.loads(settings.site_record.read_text(encoding="utf-8")).get("pid") == os.getpid():
            settings.site_record.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def _exit_on_signal(sig, _frame):
    """End the process as the signal would (exit status 128 + its number), through ``finally`` blocks."""
    raise SystemExit(128 + sig)


def run(kb, host: str, port: int, workers: int, log_level: str = "warning", ready=lambda: None):
    """Serve until interrupted (blocks); ``ready()`` is called once the port is bound (a port in use
    raises KbError before it)."""
    import uvicorn

    sockets = worker_sockets(host, port, workers)
    note_address(kb.settings, host, port)
    ready()
    export_settings(kb.settings)
    # glibc gives every thread that allocates an arena of its own; two per worker hold the same data
    # in ~60 MB less at 50,000 entries (read by each worker's allocator as it starts).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    config = uvicorn.Config("kb_app.web.app:app_from_environment", factory=True, host=host, port=port,
                            workers=workers, log_level=log_level, access_log=False, proxy_headers=True,
                            forwarded_allow_ips=kb.settings.trusted_proxies, server_header=False,
                            timeout_graceful_shutdown=5, backlog=BACKLOG)
    stop = threading.Event()
    if kb.settings.follow:
        from .follow import Replica, follow_loop

        interval = max(1, kb.settings.follow_interval)
        thread = threading.Thread(target=follow_loop, args=(Replica(kb), stop, interval),
                                  name="kb-follow", daemon=True)
        thread.start()
    try:
        if workers > 1:
            (Workers(config, sockets) if len(sockets) == workers else Multiprocess(config, sockets)).run()
        else:
            config.load_app()
            if threading.current_thread() is threading.main_thread():
                # uvicorn raises a SIGTERM again once it has shut down; by default that ends the process at
                # once, so the clean-up below would never run and the note of the address would stay behind.
                signal.signal(signal.SIGTERM, _exit_on_signal)
            uvicorn.Server(config).run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        forget_address(kb.settings)
