"""The content repository refuses direct pushes to main and accepts cr/* branches (a real git push)."""

import subprocess

import pytest
from click.testing import CliRunner

from kb_app.content import githooks
from kb_app.cli import cli

from ..conftest import git

HRSS = "entries/policy/city-hrss/sscard-reissue.md"


def push(clone, *refspecs):
    return subprocess.run(["git", "push", "origin", *refspecs], cwd=clone, capture_output=True, text=True)


@pytest.fixture
def clone(kb, tmp_path):
    """A clone of the sample repository with one edited commit ready to push."""
    path = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(kb.settings.root), str(path))
    file = path / HRSS
    file.write_text(file.read_text(encoding="utf-8") + "\n用 git 直接修改。\n", encoding="utf-8")
    git(path, "-c", "user.name=李四", "-c", "user.email=hrss-editor@example.invalid", "commit", "-qam", "改补卡说明")
    return path


def test_kb_init_installs_the_hooks(kb):
    assert githooks.installed(kb.settings.root)


def test_a_push_to_main_is_refused_with_how_to_propose_a_change(kb, clone):
    before = kb.store.head()
    result = push(clone, "HEAD:main")
    assert result.returncode != 0
    assert "不能直接推送到 main 分支" in result.stderr
    assert "git push origin HEAD:cr/" in result.stderr and "变更请求" in result.stderr
    assert kb.store.head() == before
    # neither by deleting main nor inside a push that also carries an accepted branch
    assert push(clone, ":main").returncode != 0
    assert push(clone, "HEAD:cr/ok", "HEAD:main").returncode != 0
    assert kb.store.head() == before and "cr/ok" not in kb.store.branches("cr/")


def test_a_pushed_cr_branch_is_accepted_and_becomes_a_change_request(kb, clone):
    result = push(clone, "HEAD:cr/更新补卡说明")
    assert result.returncode == 0, result.stderr
    kb.review.sync()
    (cr,) = [c for c in kb.review.list() if c.branch == "cr/更新补卡说明"]
    assert cr.title == "改补卡说明" and cr.state == "in_review"


def test_the_update_hook_refuses_main_on_its_own(kb):
    hook = githooks.hooks_dir(kb.settings.root) / "update"
    main = subprocess.run([str(hook), "refs/heads/main", "0" * 40, "1" * 40], capture_output=True, text=True)
    cr = subprocess.run([str(hook), "refs/heads/cr/7", "0" * 40, "1" * 40], capture_output=True, text=True)
    assert main.returncode == 1 and "不能直接推送到 main 分支" in main.stderr
    assert cr.returncode == 0


def test_hooks_only_installs_into_an_existing_repository(tmp_path):
    repo = tmp_path / "existing"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    result = CliRunner().invoke(cli, ["init", str(repo), "--hooks-only"])
    assert result.exit_code == 0, result.output
    assert "安装钩子" in result.output and githooks.installed(repo)
    # again: kb_app's own hooks are updated in place
    assert CliRunner().invoke(cli, ["init", str(repo), "--hooks-only"]).exit_code == 0


def test_hooks_of_someone_else_are_not_overwritten(tmp_path):
    repo = tmp_path / "existing"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    theirs = repo / ".git" / "hooks" / "pre-receive"
    theirs.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(repo), "--hooks-only"])
    assert result.exit_code == 1
    assert "仓库已有其他钩子" in result.output and "未作改动" in result.output
    assert theirs.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
    assert not (repo / ".git" / "hooks" / "update").exists()


def test_hooks_only_needs_a_git_repository(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--hooks-only"])
    assert result.exit_code == 1 and "不是 git 仓库" in result.output


def test_a_bare_central_repository_refuses_main_too(kb, tmp_path):
    central = tmp_path / "central.git"
    git(tmp_path, "clone", "-q", "--bare", str(kb.settings.root), str(central))
    assert CliRunner().invoke(cli, ["init", str(central), "--hooks-only"]).exit_code == 0
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(central), str(work))
    git(work, "-c", "user.name=李四", "-c", "user.email=l@example.invalid", "commit", "-q", "--allow-empty",
        "-m", "x")
    assert "不能直接推送到 main 分支" in push(work, "HEAD:main").stderr
    assert push(work, "HEAD:cr/1").returncode == 0


def test_hooks_only_wants_the_repository_itself(kb):
    result = CliRunner().invoke(cli, ["init", str(kb.settings.root / "entries"), "--hooks-only"])
    assert result.exit_code == 1 and "不是仓库的根目录" in result.output
