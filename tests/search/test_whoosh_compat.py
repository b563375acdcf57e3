"""Whoosh's internals as kb_app reads and writes them: the version check and the buffered writer."""

import os

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import RamStorage

from kb_app.cli import cli
from kb_app.content.model import Snapshot
from kb_app.exceptions import KbError
from kb_app.search import analysis, whoosh_compat
from kb_app.search.documents import fields_for, make_schema, snapshot_docs

from ..conftest import PROJECT

MESSAGE = ("检索功能只支持 whoosh-reloaded 2.7.5（它直接读取该版本的内部数据结构），当前安装的是 whoosh 2.7.4："
           "请运行 pip install whoosh-reloaded==2.7.5 后重试。")


def test_the_installed_whoosh_is_the_supported_one():
    assert whoosh_compat.installed() == whoosh_compat.SUPPORTED
    whoosh_compat.check_version()


def test_another_whoosh_is_refused_with_what_to_install():
    with pytest.raises(KbError) as err:
        whoosh_compat.check_version(("whoosh", "2.7.4"))
    assert str(err.value) == MESSAGE
    with pytest.raises(KbError, match="当前安装的是 whoosh-reloaded 2.7.6"):
        whoosh_compat.check_version(("whoosh-reloaded", "2.7.6"))


def test_search_and_the_cli_refuse_another_whoosh(kb, monkeypatch):
    monkeypatch.setattr(whoosh_compat, "installed", lambda: ("whoosh", "2.7.4"))
    with pytest.raises(KbError, match="只支持 whoosh-reloaded 2.7.5"):
        kb.search("失业金")
    base = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_dir)]
    out = CliRunner().invoke(cli, ["search", *base, "失业金"])
    assert out.exit_code == 1
    assert out.output.endswith(f"错误：{MESSAGE}\n")


def postings(ix) -> dict:
    """Every posting (field, term) -> [(docnum, weight)] and every field length of an index."""
    out = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field, term in reader.all_terms():
            if field in ("hw", "hb", "kw", "bw", "bb", "dn"):
                m = reader.postings(field, term)
                out[(field, term)] = [(d, w) for d, w in zip(m.all_ids(), _weights(reader, field, term))]
        for leaf, _base in reader.leaf_readers():
            for field in ("hw", "hb", "kw", "bw", "bb", "dn"):
                out[("length", field)] = whoosh_compat.field_lengths(leaf, field).tolist()
    return out


def _weights(reader, field, term):
    m = reader.postings(field, term)
    while m.is_active():
        yield m.weight()
        m.next()


@pytest.mark.parametrize("audience", ["public", "agent"])
def test_the_buffered_writer_writes_what_whoosh_writes(audience):
    docs = snapshot_docs(Snapshot.from_tree(PROJECT))
    ana = analysis.Analyzer()
    indexes = []
    for buffered in (False, True):
        ix = whoosh_compat.MemoryStorage().create_index(make_schema())
        writer = whoosh_compat.buffered_writer(ix) if buffered else ix.writer()
        assert isinstance(writer.pool, whoosh_compat.PostingBuffer) == buffered
        for doc in docs:
            fields = fields_for(doc, audience, ana)
            if fields is not None:
                writer.add_document(**fields)
        writer.commit()
        indexes.append(ix)
    stock, buffered = (postings(ix) for ix in indexes)
    assert len(stock) > 1000 and stock == buffered
    lengths = np.array(stock[("length", "bw")])
    assert (lengths > 0).sum() > len(docs) // 2


def test_in_memory_indexes_can_be_written_at_the_same_time():
    # Whoosh's RamStorage gives every writer the same temporary directory and the first to finish
    # deletes it; MemoryStorage (used for searches of a past day) gives each writer its own.
    def two_writers(storage_class):
        storages, writers = [], []
        for _ in range(2):
            storages.append(storage_class())
            writer = storages[-1].create_index(make_schema()).writer()
            writer.add_document(id="a", title="社会保障卡")
            writers.append(writer)
        for writer in writers:
            writer.commit()
        return storages

    with pytest.raises(FileNotFoundError):
        two_writers(RamStorage)
    storages = two_writers(whoosh_compat.MemoryStorage)
    assert all(not os.path.exists(s._temp_folder) for s in storages)   # removed as each writer finished
