"""./scripts/serve starts the public site and the staff app together, or neither."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .browser import free_port, port_in_use
from .conftest import PROJECT, TODAY


@pytest.fixture
def venv(tmp_path):
    """A stand-in for the clone's .venv, with this checkout's kb_app, already installed (_env.sh installs
    nothing when its stamp matches pyproject.toml)."""
    path = tmp_path / "venv"
    (path / "bin").mkdir(parents=True)
    for name, run in (("python", ""), ("kb", "-m kb_app ")):
        script = path / "bin" / name
        script.write_text(f'#!/bin/sh\nPYTHONPATH="{PROJECT}" exec "{sys.executable}" {run}"$@"\n')
        script.chmod(0o755)
    stamp = hashlib.sha1((PROJECT / "pyproject.toml").read_bytes()).hexdigest()
    (path / ".kb-installed").write_text(stamp + "\n")
    return path


@pytest.fixture
def sample(sample_root, built_index):
    """The sample where ./scripts/serve keeps its data (inside .git), with its index."""
    shutil.copytree(built_index, sample_root / ".git" / "kb-data" / "index")
    return sample_root


def left_running(session: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "sid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines()
            if line.split()[0] == str(session) and not line.split()[1].startswith("Z")]


def serve(venv, root, **env) -> tuple[int, str]:
    """Run ./scripts/serve to its end; (exit status, what it wrote). Anything it left running is stopped,
    and the test fails."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KB_")}, "KB_VENV": str(venv),
           "PYTHON": sys.executable, "KB_ROOT": str(root), "KB_TODAY": TODAY, **env}
    proc = subprocess.Popen([str(PROJECT / "scripts" / "serve")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=120)
        deadline = time.monotonic() + 30      # what it started ends with it (tee a moment after)
        while left_running(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left_running(proc.pid) == []
        return proc.returncode, output
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.fixture
def taken_port():
    with port_in_use() as port:
        yield port


def test_the_staff_app_does_not_start_when_the_public_site_cannot(venv, sample, taken_port):
    status, output = serve(venv, sample, KB_WEB_PORT=str(taken_port), KB_PORT=str(free_port()))
    assert status != 0
    assert f"错误：无法监听 127.0.0.1:{taken_port}（地址已被占用）" in output
    assert "公众网站没有启动（原因见上），知识库应用也不启动" in output and "KB_WEB_PORT" in output
    assert "已启动" not in output


def test_the_public_site_does_not_start_when_the_staff_app_cannot(venv, sample, taken_port):
    status, output = serve(venv, sample, KB_WEB_PORT=str(free_port()), KB_PORT=str(taken_port))
    assert status != 0
    assert f"错误：无法监听 127.0.0.1:{taken_port}（地址已被占用）" in output
    assert "知识库应用不能启动（原因见上），公众网站也没有启动" in output and "KB_PORT" in output
    assert "已启动" not in output
