"""Every use of Whoosh's private internals, in one place, for the one Whoosh release they were written for.

kb_app keeps Whoosh's index files but reads and writes postings in bulk, which Whoosh's public API
does not offer: the scorer reads posting blocks and the one-byte field lengths straight from a
segment, and the writer replaces a segment writer's posting pool. Those internals are not a stable
interface, so :func:`check_version` refuses any Whoosh other than :data:`SUPPORTED` with a message
that says which one to install.
"""

from __future__ import annotations

import functools
import importlib.metadata
import io
import pickle
import struct
import tempfile
import zlib
from array import array

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, _lenfield
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from ..exceptions import IndexUnreadable, KbError

#: The distribution and version whose internals this module reads.
SUPPORTED = ("whoosh-reloaded", "2.7.5")

#: Field length by its stored byte (Whoosh keeps a logarithmic one-byte approximation per document).
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)
_LENGTHS_F32 = LENGTHS.astype(np.float32)

PACKED_FREQS = [pack_uint(i) for i in range(256)]
_INT = struct.Struct("!i")  # Whoosh's block length: negative on a term's last block


@functools.cache
def installed() -> tuple[str, str]:
    """The installed Whoosh as (distribution, version), from the imported module's own version."""
    version = ".".join(str(n) for n in whoosh.__version__)
    try:
        reloaded = importlib.metadata.version(SUPPORTED[0])
    except importlib.metadata.PackageNotFoundError:
        reloaded = None
    return ("whoosh-reloaded" if reloaded == version else "whoosh"), version


def check_version(found: tuple[str, str] | None = None) -> None:
    """Fail with a clear message unless the installed Whoosh is the supported release."""
    name, version = found or installed()
    if (name, version) != SUPPORTED:
        want = " ".join(SUPPORTED)
        raise KbError(
            f"检索功能只支持 {want}（它直接读取该版本的内部数据结构），当前安装的是 {name} {version}："
            f"请运行 pip install {SUPPORTED[0]}=={SUPPORTED[1]} 后重试。")


def packed_freq(freq: int) -> bytes:
    """A term frequency encoded as Whoosh's Frequency format stores it."""
    return PACKED_FREQS[freq] if freq < 256 else pack_uint(freq)


# -- reading a segment -----------------------------------------------------------------------------


def length_bytes(perdoc, field: str, n: int) -> np.ndarray:
    """The stored length byte of ``field`` for the first ``n`` documents of a segment (0 when absent)."""
    raw = np.zeros(n, dtype=np.uint8)
    col = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc is not None else None
    if col is None:
        return raw
    if getattr(col, "_fixedlen", None) == 1 and hasattr(col, "_dbfile"):
        count = min(n, col._count)
        raw[:count] = np.frombuffer(bytes(col._dbfile.get(col._basepos, count)), dtype=np.uint8)
    else:
        raw[:] = [col[i] for i in range(n)]
    return raw


def field_lengths(leaf, field: str) -> np.ndarray:
    """The (decoded) length of a field in every document of a segment reader, as float32 for scoring."""
    return _LENGTHS_F32[length_bytes(getattr(leaf, "_perdoc", None), field, leaf.doc_count_all())]


def term_characters(leaf, fields) -> np.ndarray:
    """The distinct characters of the terms of ``fields`` in a segment reader, as sorted code points."""
    chars = set()
    for field in fields:
        if field in leaf.indexed_field_names():
            for term in leaf.lexicon(field):
                chars.update(term.decode("utf-8") if isinstance(term, bytes) else term)
    return np.array(sorted(map(ord, chars)), dtype=np.int32)


def segment_key(leaf):
    """What identifies a segment across readers (its id), or the reader itself when it has none."""
    segment = getattr(leaf, "_segment", None)
    return getattr(segment, "segid", None) or id(leaf)


def deleted_docs(leaf) -> frozenset:
    """The deleted document numbers of a segment reader."""
    return getattr(leaf, "deleted_docs_set", frozenset())


def term_postings(leaf, field: str, token: str):
    """(docnums, weights) of a term in one segment, as arrays; deleted documents included.

    The posting list is read with one read of its extent and its blocks decoded from memory: going
    through Whoosh's matcher costs some twenty small reads of the compound file per block (its
    pickled header is read through the file object), which at 50,000 entries was most of the time
    of a question never asked before.
    """
    terms = leaf._terms
    try:
        info = terms.term_info(field, token.encode("utf-8"))
    except (TermNotFound, KeyError):
        return None
    if info.is_inlined():
        ids, weights, _values = info.inlined_postings()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)
    offset, length = info.extent()
    if isinstance(length, tuple):  # 2.7.5 reads the stored length back as struct.unpack's 1-tuple
        length = length[0]
    raw = memoryview(terms._postfile.get(offset, length))
    if bytes(raw[:4]) != WHOOSH3_HEADER_MAGIC:
        raise IndexUnreadable(f"posting list of {field}:{token} does not start with Whoosh 3's tag")
    try:
        return _decode_postings(raw)
    except Exception as e:  # noqa: BLE001 - bytes that do not decode as they were written: a damaged file
        raise IndexUnreadable(f"posting list of {field}:{token} cannot be decoded: {type(e).__name__}: {e}") from e


def _decode_postings(raw: memoryview):
    """(docnums, weights) of a posting list's blocks, after its tag."""
    ids, weights = [], []
    pos = 4
    while pos < len(raw):
        size = _INT.unpack_from(raw, pos)[0]
        pos += _INT.size
        block = raw[pos:pos + abs(size)]
        pos += abs(size)
        head = io.BytesIO(block)
        count, _maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(head)
        data = block[head.tell():]
        raw_ids, raw_w = pickle.loads(zlib.decompress(data) if compression else data)[:2]
        ids.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))  # delta-coded within the block
        if raw_w is None:
            weights.append(np.ones(count, dtype=np.float32))
        elif isinstance(raw_w, float):
            weights.append(np.full(count, raw_w, dtype=np.float32))
        else:
            weights.append(np.asarray(raw_w, dtype=np.float32))
        if size < 0:  # the last block
            break
    if not ids:
        return None
    return np.concatenate(ids), np.concatenate(weights)


# -- writing a segment -----------------------------------------------------------------------------


class PostingBuffer:
    """A segment writer's posting pool kept in memory as compact per-term arrays.

    Whoosh's own pool stores a tuple per posting, sorts them all and spills sorted runs to disk;
    here postings arrive in document order already, so grouping them by term is enough. Same
    index files, about a third faster to build.
    """

    def __init__(self):
        self.terms: dict = {}
        self.fieldnames: set = set()  # part of Whoosh's pool interface (read by its multiprocess writer)

    def add(self, item):
        """Take one posting (field, term bytes, docnum, weight, value bytes) from the writer."""
        fieldname, tbytes, docnum, weight, vbytes = item
        entry = self.terms.get((fieldname, tbytes))
        if entry is None:
            entry = self.terms[(fieldname, tbytes)] = (array("I"), array("f"), [])
            self.fieldnames.add(fieldname)
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes)

    def iter_postings(self):
        """Nothing to merge from disk: the postings are written by :meth:`write`."""
        return None

    def cleanup(self):
        """Let go of the buffered postings."""
        self.terms = {}

    def write(self, fieldwriter, schema, lengths_reader):
        """Write the postings, field by field and term by term, as Whoosh's FieldWriter expects."""
        lastfn, lens = None, None
        for fieldname, btext in sorted(self.terms):
            if fieldname != lastfn:
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lens = self._lengths(lengths_reader, fieldname) if schema[fieldname].scorable else None
                lastfn = fieldname
            docs, weights, values = self.terms[(fieldname, btext)]
            rows = zip(docs, weights, values)
            if any(docs[i] > docs[i + 1] for i in range(len(docs) - 1)):
                rows = sorted(rows)
            fieldwriter.start_term(btext)
            add = fieldwriter.add
            for d, w, v in rows:
                add(d, w, v if v is not None else b"", lens[d] if lens is not None else 0)
            fieldwriter.finish_term()
        if lastfn is not None:
            fieldwriter.finish_field()

    @staticmethod
    def _lengths(reader, fieldname):
        if reader is None:
            return None
        return LENGTHS[length_bytes(reader, fieldname, reader.doc_count_all() + 1)].tolist()


class MemoryStorage(RamStorage):
    """Whoosh's in-memory storage, whose writers keep their temporary files in a directory of their own.

    ``RamStorage`` puts every writer's temporary files in ``<tmp>/MAIN.tmp`` — one directory for every
    in-memory index of every process — and the first writer to finish deletes it, so two searches of a
    past day at once (two agents, two workers) made one of them fail.
    """

    _temp_folder = None

    def temp_storage(self, name=None):
        # A writer and its per-document writer both ask (under one name): they share the directory,
        # and the writer removes it when it finishes, as with Whoosh's.
        if self._temp_folder is None:
            self._temp_folder = tempfile.mkdtemp(prefix="kb-whoosh-")
        return FileStorage(self._temp_folder).create()


#: Postings in blocks of up to 1,024 documents instead of Whoosh's 128: a question never asked before
#: reads the posting lists of its words whole (term_postings), and each block costs a pickled header,
#: an inflate and an unpickle. At 50,000 entries (two runs each, after 2,000 warm-up questions):
#: unseen questions p50 5.9 -> 5.65 ms, p95 9.8 -> 8.4 ms; the index 347 -> 278 MB. Uncompressed
#: blocks were faster again but made the index 1.1 GB.
POSTING_BLOCK = 1024


def buffered_writer(ix, limitmb=256):
    """An index writer whose postings go through a :class:`PostingBuffer`."""
    writer = ix.writer(limitmb=limitmb, codec=W3Codec(blocklimit=POSTING_BLOCK))
    if hasattr(writer, "pool") and hasattr(writer, "fieldwriter"):
        writer.pool = PostingBuffer()
        fieldwriter = writer.fieldwriter

        def add_postings(schema, lengths, _items):
            writer.pool.write(fieldwriter, schema, lengths)

        fieldwriter.add_postings = add_postings
    return writer
