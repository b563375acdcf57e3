import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb_app import init_repo, load_settings, open_kb

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"

#: The suite's fixed clock: every knowledge base in the tests runs on this day (settings ``today``),
#: and the sample's initial commit is dated that morning, so nothing depends on the real date.
TODAY = "2026-11-22"
SAMPLE_COMMITTED = dt.datetime.fromisoformat(f"{TODAY}T08:00:00+08:00")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No KB_* variable or kb.toml of the developer leaks into a test."""
    for key in list(os.environ):
        if key.startswith("KB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    # Streamlit's AppTest leaves the app script as __main__; a process spawned later (the publish
    # races) would run that script again instead of starting clean.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory):
    """The sample knowledge base as a git repository, made once and copied per test."""
    path = tmp_path_factory.mktemp("template") / "kb"
    init_repo(path, now=SAMPLE_COMMITTED)
    return path


@pytest.fixture
def sample_root(sample_template, tmp_path):
    dest = tmp_path / "kb"
    shutil.copytree(sample_template, dest, symlinks=True)
    return dest


@pytest.fixture
def kb(sample_root, tmp_path):
    return open_kb(load_settings(root=sample_root, data_dir=tmp_path / "data", today=TODAY))


@pytest.fixture(scope="session")
def built_index(sample_template, tmp_path_factory):
    """The search index of the sample, built once; every copy of the sample has the same commit."""
    data = tmp_path_factory.mktemp("index-template")
    open_kb(load_settings(root=sample_template, data_dir=data, today=TODAY)).reindex()
    return data / "index"


@pytest.fixture
def app_env(kb, built_index, monkeypatch):
    """The Streamlit app points at this test's sample copy (KB_* as ``kb serve`` sets them), indexed."""
    import streamlit

    shutil.copytree(built_index, kb.settings.index_dir)
    monkeypatch.setenv("KB_ROOT", str(kb.settings.root))
    monkeypatch.setenv("KB_DATA_DIR", str(kb.settings.data_path))
    monkeypatch.setenv("KB_TODAY", kb.settings.today)
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    yield kb
    streamlit.cache_resource.clear()


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit_all(root, message="edit"):
    git(root, "add", "-A")
    git(root, "-c", "user.name=测试", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def load_script(name):
    """A script of scripts/ (``eval_intake`` …) loaded as a module."""
    spec = importlib.util.spec_from_file_location(name, PROJECT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
