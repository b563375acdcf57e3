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
import socket
import threading

from ..config import Settings
from ..exceptions import KbError

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
    # Create and migrate the database here, once: workers starting together would race to do it.
    kb.db().conn.close()
    if kb.settings.follow:
        Replica(kb).follow_flags()  # the “待核” marks of what it serves, from the history it has
    stats = kb.reindex()
    # The workers open the index themselves; this (supervising) process need not hold it.
    kb.index.close()
    return stats


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with ``TCP_NODELAY``, which accepted connections inherit.

    uvicorn's own socket for several workers is created without naming the TCP protocol, so asyncio
    does not switch Nagle's algorithm off on its connections, and every response written in two
    parts waits about 40 ms for the client's delayed acknowledgement.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise KbError(f"无法监听 {host}:{port}（{e.strerror}）：端口可能已被占用，请换一个端口（--port）。")
    sock.set_inheritable(True)
    return sock


def run(kb, host: str, port: int, workers: int, log_level: str = "warning"):
    """Serve until interrupted (blocks)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    export_settings(kb.settings)
    sock = listening_socket(host, port)
    config = uvicorn.Config("kb_app.web.app:app_from_environment", factory=True, host=host, port=port,
                            workers=workers, log_level=log_level, access_log=False, proxy_headers=True,
                            forwarded_allow_ips=kb.settings.trusted_proxies, server_header=False,
                            timeout_graceful_shutdown=5, backlog=4096)
    stop = threading.Event()
    if kb.settings.follow:
        from .follow import Replica, follow_loop

        interval = max(1, kb.settings.follow_interval)
        thread = threading.Thread(target=follow_loop, args=(Replica(kb), stop, interval),
                                  name="kb-follow", daemon=True)
        thread.start()
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            config.load_app()
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        sock.close()
