"""Taking a TCP port for a server, for both servers: the public site (``kb web``) and the staff app
(``kb serve``). A port that cannot be had is refused in the same words by each, before it says it
has started."""

from __future__ import annotations

import socket

from .exceptions import KbError, os_reason

#: Connections a listening socket queues before they are accepted (as uvicorn is configured).
BACKLOG = 4096


def refusal(host: str, port: int, error: OSError) -> KbError:
    """What a person reads when a server cannot listen on (host, port)."""
    return KbError(f"无法监听 {host}:{port}（{os_reason(error)}）：端口可能已被占用，请换一个端口（--port）。")


def bound_socket(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to (host, port) with ``TCP_NODELAY``, which accepted connections inherit; with
    ``reuse_port`` (``SO_REUSEPORT``) other sockets of this account may share the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        sock.close()
        raise refusal(host, port, e) from None
    return sock


def check_port(host: str, port: int) -> None:
    """KbError unless a server may listen on (host, port) now.

    The probe binds without ``SO_REUSEPORT``: such a bind fails beside any socket listening on the
    port, those that share it with ``SO_REUSEPORT`` (another ``kb web``) included, which a socket with
    that option would join. ``SO_REUSEADDR`` lets it pass the connections of a server just stopped
    that the system still keeps for a while (TIME_WAIT).
    """
    bound_socket(host, port).close()


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether something accepts connections at ``url``'s host and port (http://host:port/...)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except (OSError, ValueError, TypeError):
        return False
