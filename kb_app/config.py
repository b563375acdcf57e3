"""Settings, loaded in layers: defaults → kb.toml → KB_* environment → explicit overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
import tomllib
import zoneinfo
from pathlib import Path

from .exceptions import ConfigError


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything a running kb_app needs to know about where things live."""

    #: The content repository (a git work tree with entries/ and regulations/).
    root: Path = Path(".")
    #: Where the SQLite database and the search index live; outside the content tree.
    data_dir: Path | None = None
    #: The branch that holds published content.
    main_branch: str = "main"
    #: Author recorded on commits the app writes for itself.
    git_author: str = "kb_app <kb_app@localhost>"
    #: Working days a maintenance task is given before it is overdue.
    task_due_workdays: int = 5
    #: Number of "not helpful" votes that opens a maintenance task.
    unhelpful_threshold: int = 3
    #: Searches that found and confirmed one entry (helpful vote or adoption) before the phrasing is
    #: suggested to the entry's unit as a new question.
    suggest_min_evidence: int = 3
    #: The unit of the hotline center: it keeps the regulations, so the questions suggested for
    #: regulation articles are its tasks.
    center_unit: str = "hotline-center"
    #: Days after which a past work order counts half as much in dispatch ranking.
    history_half_life_days: int = 365
    #: Fixed "today" (YYYY-MM-DD) for demos and tests; empty means the real date.
    today: str = ""
    #: The hotline's time zone (IANA name): the day answers come into force and expire, deadlines, the
    #: times shown and the days of history are the hotline's, whatever the machine's own zone. Empty:
    #: the machine's.
    timezone: str = "Asia/Shanghai"
    #: Hours a signed-in session of the app may stay unused before it ends.
    session_idle_hours: int = 8
    #: Reverse proxies (comma-separated addresses) whose X-Forwarded-For / X-Forwarded-Proto the app believes.
    trusted_proxies: str = "127.0.0.1,::1"
    #: Public site and API (``kb web``): requests per minute per client address without a key (0: no limit).
    web_rate_anonymous: int = 120
    #: Requests per minute of an API key of role ``partner`` (a key may set its own).
    web_rate_partner: int = 600
    #: Requests per minute of an API key of role ``agent`` (a key may set its own).
    web_rate_agent: int = 1200
    #: Feedback posts (votes, error reports) per minute per client address or key.
    web_rate_feedback: int = 10
    #: Networks (comma-separated) whose clients may read ``/metrics`` — the monitoring system's; any
    #: other client is told there is no such page. ``*`` lets anyone read it.
    metrics_from: str = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
    #: Seconds a shared cache (reverse proxy, CDN) may keep a public response (``Cache-Control``).
    web_cache_seconds: int = 30
    #: Shared secret that signs publish notifications between a primary and its replicas (HMAC-SHA256).
    hook_secret: str = ""
    #: Primary: base URLs of the replicas to notify when a change is published (comma-separated).
    replicas: str = ""
    #: Replica: the primary's repository (any git URL or path) whose main this server follows.
    follow: str = ""
    #: Replica: the primary's web address, where feedback and search logs are forwarded (empty: refused).
    primary_url: str = ""
    #: Replica: seconds between fetches of the primary's main when no notification arrives.
    follow_interval: int = 5
    #: The public site's address as staff browsers reach it, where the staff app links public answers.
    #: Empty: where ``kb web`` serves this knowledge base on this machine, else where ``scripts/serve``
    #: starts it (KB_WEB_ADDRESS, KB_WEB_PORT; http://127.0.0.1:8080).
    public_url: str = ""

    @property
    def data_path(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        root = Path(self.root).resolve()
        # Inside .git: outside the content tree and never tracked.
        return root / ".git" / "kb-data" if (root / ".git").is_dir() else root / ".kb-data"

    @property
    def public_site(self) -> str:
        """The public site's base URL, without a trailing slash (see ``public_url``)."""
        return (self.public_url or running_site(self.data_path) or default_public_url()).rstrip("/")

    @property
    def site_record(self) -> Path:
        """Where a running ``kb web`` of this knowledge base notes its address (see ``running_site``)."""
        return self.data_path / "web-address.json"

    @property
    def db_path(self) -> Path:
        return self.data_path / "kb.db"

    @property
    def index_dir(self) -> Path:
        return self.data_path / "index"


def locating_options(settings: Settings) -> str:
    """The options that make another ``kb`` command work on the same knowledge base as these settings,
    wherever it is run: ``--root`` (absolute), and ``--data-dir`` where the data is not in its default
    place for that root (set by --data-dir, KB_DATA_DIR or a kb.toml the other command may not read)."""
    import shlex

    root = Path(settings.root).resolve()
    options = ["--root", str(root)]
    if Path(settings.data_path).resolve() != dataclasses.replace(settings, root=root, data_dir=None).data_path:
        options += ["--data-dir", str(Path(settings.data_path).resolve())]
    return shlex.join(options)


def default_public_url() -> str:
    """Where ``scripts/serve`` starts ``kb web``: KB_WEB_ADDRESS (default 127.0.0.1), KB_WEB_PORT (8080)."""
    return site_url(os.environ.get("KB_WEB_ADDRESS", "").strip() or "127.0.0.1",
                    os.environ.get("KB_WEB_PORT", "").strip() or "8080")


def site_url(host: str, port) -> str:
    """The address this machine reaches a server listening on ``host``:``port`` at."""
    if host in ("0.0.0.0", "::", "[::]"):  # listening everywhere: this machine reaches it at loopback
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def running_site(data_path: Path) -> str:
    """The address of the ``kb web`` serving this data folder on this machine, as it noted on starting;
    empty when none is noted or the process that noted it has ended."""
    import json

    try:
        noted = json.loads((Path(data_path) / "web-address.json").read_text(encoding="utf-8"))
        pid, url = int(noted["pid"]), str(noted["url"])
        os.kill(pid, 0)
    except PermissionError:  # alive, run by another account
        return url
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return url


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as KB_* variables (paths made absolute, empty ones left out), for a process that
    reads its settings afresh elsewhere — the staff app's server runs in the package's folder, where
    the kb.toml or --config that ``kb serve`` was started with is not found."""
    out = {}
    for name in FIELDS:
        value = getattr(settings, name)
        if name == "data_dir" and value is None:
            value = settings.data_path
        if isinstance(value, Path):
            value = value.resolve()
        if value is not None and value != "":
            out[f"KB_{name.upper()}"] = str(value)
    return out


def _coerce(name, value, source):
    field = FIELDS[name]
    kind = field.type if isinstance(field.type, str) else field.type.__name__
    try:
        if "int" in kind and not isinstance(value, int):
            return int(value)
        if "Path" in kind:
            return Path(value)
    except (TypeError, ValueError):
        raise ConfigError(f"设置项 {name} 的值“{value}”无效（来自 {source}）：应为整数。")
    return value


def load_settings(config_file: str | os.PathLike | None = None, **overrides) -> Settings:
    """Build Settings from defaults, a kb.toml, KB_* variables and the given overrides.

    ``None`` overrides are ignored so that unset command-line options do not mask the layers below.
    """
    values: dict = {}
    config_file = config_file or os.environ.get("KB_CONFIG")
    if config_file:
        path = Path(config_file)
        if not path.exists():
            raise ConfigError(f"配置文件“{path}”不存在：请检查路径，或去掉 --config / KB_CONFIG。")
    else:
        path = Path("kb.toml")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"配置文件“{path}”格式错误：{e}。请按 TOML 语法修正。")
        for key, value in data.items():
            if key not in FIELDS:
                raise ConfigError(f"配置文件“{path}”中有未知设置项 {key}：可用的有 {', '.join(FIELDS)}。")
            values[key] = _coerce(key, value, path)
    for name in FIELDS:
        env = os.environ.get(f"KB_{name.upper()}")
        if env:
            values[name] = _coerce(name, env, f"环境变量 KB_{name.upper()}")
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in FIELDS:
            raise ConfigError(f"未知设置项 {name}。")
        values[name] = _coerce(name, value, "命令行")
    public = str(values.get("public_url") or "")
    if public and not public.startswith(("http://", "https://")):
        raise ConfigError(f"设置项 public_url 的值“{public}”无效：应为公众网站的网址，"
                          "以 http:// 或 https:// 开头，例如 https://12345.example.gov.cn。")
    settings = Settings(**values)
    use_timezone(settings.timezone)
    return settings


def use_timezone(name: str):
    """Make ``name`` this process's local time zone (``TZ``), as the hotline's clock: ``date.today()``,
    ``datetime.now()``, times shown and the dates git writes and reads all follow it. Nothing is done
    for an empty name or the zone already in use."""
    if not name or os.environ.get("TZ") in {name, _POSIX_ZONES.get(name, name)}:
        return
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"设置项 timezone 的值“{name}”无效：应为 IANA 时区名，例如 Asia/Shanghai（北京时间）。")
    spec = name
    if not any((Path(d) / name).is_file() for d in _zone_dirs()):
        # No system zone files (a slim container): a zone without daylight saving as a fixed offset.
        offset = int(dt.datetime.now(zone).utcoffset().total_seconds() // 60)
        sign = "-" if offset >= 0 else "+"
        spec = f"<{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}>{sign}{abs(offset) // 60}:{abs(offset) % 60:02d}"
        _POSIX_ZONES[name] = spec
    os.environ["TZ"] = spec
    time.tzset()


#: Zones set as a fixed offset (no system zone files), by name.
_POSIX_ZONES: dict[str, str] = {}


def _zone_dirs():
    return [d for d in (os.environ.get("TZDIR"), "/usr/share/zoneinfo", "/usr/lib/zoneinfo",
                        "/usr/share/lib/zoneinfo") if d]
