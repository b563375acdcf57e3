"""Server-side git hooks of a content repository: nothing reaches main by ``git push``.

Only the publish flow moves main, and it does so with ``git update-ref`` in the repository itself,
which runs no receive hook. A push from a clone runs ``pre-receive`` (the whole push at once) and
``update`` (ref by ref); both refuse any change to the main branch — update, creation or deletion —
and say in Chinese how to propose a change instead. ``cr/*`` branches are accepted and become
change requests as before (``Review.sync``); other refs are left to git's usual rules.

``kb init`` installs the hooks in the repository it creates; ``kb init --hooks-only DIR`` installs
them in an existing one. A hook file that kb_app did not write is never overwritten.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..exceptions import KbError, StoreError
from .store import run_git

HOOKS = ("pre-receive", "update")
#: The line that marks a hook file as kb_app's own (it may be replaced by a newer version).
MARK = "# kb_app: refuses direct pushes to main"

REFUSAL = """\
========================================================================
不能直接推送到 {main} 分支：主干上的内容必须经过多方校核，由知识库应用发布。
请这样提出修改：
  1. 把修改提交到以 cr/ 开头的分支并推送，例如：
       git push origin HEAD:cr/更新补卡说明
  2. 知识库应用会把该分支登记为变更请求，送所属单位和热线中心等审核方审核；
     全部同意并通过校验后，由应用发布到 {main}。
  也可以在网页应用的“编辑”页面修改条目并提交审核。
========================================================================"""

SCRIPT = """#!/bin/sh
{mark} (installed by kb init; see README)
# pre-receive reads "old new ref" lines; update gets "ref old new" as arguments.
refuse() {{
  cat >&2 <<'KB_REFUSAL'
{refusal}
KB_REFUSAL
  exit 1
}}
check() {{
  if [ "$1" = "refs/heads/{main}" ]; then
    refuse
  fi
}}
case "$(basename "$0")" in
  update) check "$1" ;;
  *) while read -r old new ref; do check "$ref"; done ;;
esac
exit 0
"""


def script(main_branch: str = "main") -> str:
    """The text of the hook (the same for pre-receive and update)."""
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", main_branch):
        raise KbError(f"发布分支名“{main_branch}”含有不能用于钩子的字符：请只用字母、数字和 . _ / -。")
    return SCRIPT.format(mark=MARK, main=main_branch, refusal=REFUSAL.format(main=main_branch))


def hooks_dir(repo) -> Path:
    """Where git looks for the hooks of a repository (honours core.hooksPath; bare or not)."""
    def rev_parse(*args):
        try:
            return run_git(repo, "rev-parse", *args).strip()
        except StoreError:
            raise KbError(f"“{repo}”不是 git 仓库：请指定用 kb init 建立或已有的内容仓库目录。") from None

    if rev_parse("--is-bare-repository") == "false":
        top = rev_parse("--show-toplevel")
        if Path(top).resolve() != Path(repo).resolve():
            raise KbError(f"“{repo}”不是仓库的根目录：请指定内容仓库本身（{top}）。")
    path = Path(rev_parse("--git-path", "hooks"))
    return path if path.is_absolute() else Path(repo) / path


def install(repo, main_branch: str = "main") -> list[Path]:
    """Install (or update) the hooks in a repository; refuses to replace hooks kb_app did not write."""
    directory = hooks_dir(repo)
    text = script(main_branch)
    paths = [directory / name for name in HOOKS]
    foreign = [p for p in paths if p.exists() and MARK not in p.read_text(encoding="utf-8", errors="replace")]
    if foreign:
        names = "、".join(str(p) for p in foreign)
        show = 'python -c "from kb_app import githooks; print(githooks.script())"'
        raise KbError(f"仓库已有其他钩子：{names}。为免覆盖，未作改动；请把其中的检查与 kb_app 的钩子合并"
                      f"（kb_app 的钩子内容可用 {show} 查看），或移走原有钩子后重试。")
    directory.mkdir(parents=True, exist_ok=True)
    for path in paths:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.replace(tmp, path)
    return paths


def installed(repo) -> bool:
    """Whether both hooks of kb_app are in place and executable."""
    directory = hooks_dir(repo)
    return all((directory / n).exists() and os.access(directory / n, os.X_OK)
               and MARK in (directory / n).read_text(encoding="utf-8", errors="replace") for n in HOOKS)
