"""The ``kb`` command group and what its commands share: the options that open a knowledge base,
signing in with ``--as``, date parsing and turning a ``KbError`` (or a file that cannot be read or
written) into ``错误：…``.

Each family of commands lives in its own module (content, review, dispatch, reports, admin) and
registers itself on :data:`cli` when imported at the end of this module. Commands only parse, call
the facade (``kb_app.kb.Kb`` or a service reached from it) and print."""

from __future__ import annotations

import datetime as dt
import functools
import logging

import click

from .exceptions import KbError, file_problem
from .ui.commands import chinese

chinese.install()    # before any option is declared: click names a path's kind (文件, 目录) then

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
ROOT_HELP = "内容仓库目录（默认当前目录或 KB_ROOT）。"
CONFIG_HELP = "kb.toml 配置文件。"
DIRECTORY = click.Path(file_okay=False)


def root_options(fn):
    """--root / --data-dir / --config, shared by every command that opens a knowledge base."""

    @click.option("--root", type=DIRECTORY, default=None, help=ROOT_HELP)
    @click.option("--data-dir", type=DIRECTORY, default=None, help="数据库与索引所在目录。")
    @click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP)
    @functools.wraps(fn)
    def wrapper(root, data_dir, config_file, **kwargs):
        from .config import load_settings
        from .kb import open_kb

        with errors():
            kb = open_kb(load_settings(config_file, root=root, data_dir=data_dir))
            kb.require_repository()      # a mistyped --root stops every command here
            return fn(kb, **kwargs)

    return wrapper


class Refusal(click.ClickException):
    """A command's error as its user reads it: ``错误：…`` on standard error, exit status 1."""

    def show(self, file=None):
        click.echo(f"错误：{self.format_message()}", file=file, err=True)


class errors:
    """Turn a KbError into ``错误：…`` and exit status 1; so too a file that cannot be read or written
    (a folder that does not exist, no permission, a CSV saved as GBK), never a traceback."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, KbError):
            raise Refusal(str(exc))
        if isinstance(exc, UnicodeDecodeError) or (isinstance(exc, OSError) and exc.filename is not None):
            raise Refusal(file_problem(exc))
        return False


def require_unit(kb, unit: str | None, region: str | None = None):
    """Refuse a unit code (or region) main does not know: a typo would list nothing and say nothing."""
    if problem := kb.unknown_filter(unit=unit, region=region):
        raise Refusal(problem[1])


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: two for a Chinese character (East Asian wide or full width)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(rows: list[list[str]], headers: list[str], indent: str = "") -> list[str]:
    """A table for a person: the header, then the rows, each column padded to its widest cell as a
    terminal shows it (Chinese characters twice as wide), two spaces between columns."""
    table = [list(map(str, headers)), *([str(c) for c in row] for row in rows)]
    widths = [max(display_width(r[i]) for r in table if i < len(r)) for i in range(max(map(len, table)))]
    return [indent + "  ".join(cell + " " * (widths[i] - display_width(cell)) if i < len(r) - 1 else cell
                               for i, cell in enumerate(r)).rstrip() for r in table]


def echo_table(rows: list[list[str]], headers: list[str], indent: str = "", header_when_piped: bool = False,
               terminal: bool | None = None):
    """Rows in a terminal as an aligned table with its header; piped to a program or a file, one line of
    tab-separated cells per row (the header too when ``header_when_piped``), as scripts read them.
    No rows, nothing: the command says so in its own words."""
    if not rows:
        return
    if terminal is None:
        terminal = click.get_text_stream("stdout").isatty()
    if terminal:
        for line in aligned(rows, headers, indent):
            click.echo(line)
        return
    for row in ([headers] if header_when_piped else []) + list(rows):
        click.echo(indent + "\t".join(map(str, row)).rstrip("\t"))


def iso_option(parse, what: str, example: str):
    """A click callback reading an ISO date or time with ``parse``; a clear error names the format."""

    def callback(ctx, param, value):
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError:
            raise click.BadParameter(f"“{value}”不是有效{what}，请按 {example} 填写。")

    return callback


parse_date = iso_option(dt.date.fromisoformat, "日期", "YYYY-MM-DD")
parse_datetime = iso_option(dt.datetime.fromisoformat, "时间", "YYYY-MM-DDTHH:MM")
#: A day (2026-12-05), or a moment of it (2026-12-05T17:25, 2026-12-05 17:25).
parse_day_or_moment = iso_option(lambda v: dt.date.fromisoformat(v) if len(v.strip()) <= 10
                                 else dt.datetime.fromisoformat(v.strip()), "日期或时刻",
                                 "YYYY-MM-DD 或 YYYY-MM-DDTHH:MM")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="kb_app")
def cli():
    """12345 接诉即办知识库：答复口径、派单目录与条例的管理、校核和检索。"""
    tell_upgrades()


class _Upgrades(logging.Handler):
    """Says on standard error what the core notes when a command brings the database up to this version."""

    def emit(self, record):
        click.echo(record.getMessage(), err=True)


def tell_upgrades():
    """A command that upgrades the workflow database says so, in one line (``kb_app.db`` logs it)."""
    logger = logging.getLogger("kb_app.db")
    if not any(isinstance(h, _Upgrades) for h in logger.handlers):
        logger.addHandler(_Upgrades(logging.INFO))
        logger.setLevel(logging.INFO)


def read_password(confirm=False):
    """The password from KB_PASSWORD; else asked for without echo in a terminal (twice for a new one);
    else the first line of standard input, as a script pipes it (``printf '%s\n' "$pw" | kb user add …``)."""
    import os

    if os.environ.get("KB_PASSWORD"):
        return os.environ["KB_PASSWORD"]
    stdin = click.get_text_stream("stdin")
    if stdin.isatty():
        return click.prompt("密码", hide_input=True, confirmation_prompt=confirm)
    password = stdin.readline().rstrip("\r\n")
    if not password:
        raise Refusal("没有读到密码：请在终端里输入，或用环境变量 KB_PASSWORD 给出，或从标准输入的第一行传入。")
    return password


def program() -> str:
    """How the person can run ``kb`` again, for a command a message gives: ``kb`` where that name finds
    this program, else the path it was started by (a virtual environment's, as ./scripts/serve runs it)."""
    import os
    import shlex
    import shutil
    import sys

    started = sys.argv[0] if sys.argv else ""
    if os.path.basename(started) != "kb":       # python -m kb_app, a test's runner
        return "kb"
    found = shutil.which("kb")
    if found and os.path.realpath(found) == os.path.realpath(started):
        return "kb"
    return shlex.quote(os.path.abspath(started))


def os_user() -> str:
    """Who ran the command, for the audit trail (the operating-system account)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def as_user(fn):
    """--as USER: sign in (password from KB_PASSWORD or a prompt, throttled) before running the command."""

    @click.option("--as", "username", required=True, help="以该用户身份操作（密码取自 KB_PASSWORD 或提示输入）。")
    @functools.wraps(fn)
    def wrapper(kb, username, **kwargs):
        return fn(kb, kb.authenticate(username, read_password(), via="cli"), **kwargs)

    return wrapper


# The command families register themselves on ``cli``.
from .ui.commands import admin, content, dispatch, reports, review  # noqa: E402,F401
