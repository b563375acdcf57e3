"""What goes into the search indexes: documents made from entries and regulation articles, and their fields.

* The **public** index receives only public policy answers whose audience and dates can be read,
  and regulation articles: never an internal or catalogue entry, an entry with a field it cannot
  read, or any ``agent_notes`` text, so no query can reach them. Entries not in force today are
  masked at query time (effective/expires are stored), which stays correct on the day an entry
  starts or stops being in force. Bodies are indexed as the text a reader sees on the page
  (``render.page_text``): no HTML comment, raw HTML or link target can be found or shown.
* The **agent** index holds everything, with pending and expired entries marked.
* An entry whose newest version takes effect on a later day is indexed with the earlier versions
  still in force until then (``content.versions``), each marked ``earlier`` and stored with the last
  day it is in force as its ``expires``: the day's masks then show the right version on every day,
  with no reindex when the new one takes effect.

The schema's token fields are classes of this module, pickled into every index: moving them is a
schema change (``index.SCHEMA_VERSION``).
"""

from __future__ import annotations

import collections
import dataclasses
from pathlib import PurePosixPath

from whoosh import fields, formats

from .. import render
from ..content import frontmatter, versions
from ..content.model import NOT_UTF8, REGULATION_DIR, Entry, Snapshot, config_path, parse_regulation, unit_problem
from . import analysis
from .whoosh_compat import packed_freq

#: Entry kinds that are searched (policy answers and catalogue entries).
SEARCHED_KINDS = ("policy", "directory")


@dataclasses.dataclass
class Doc:
    """One searchable document before analysis."""

    id: str
    source: str
    kind: str
    title: str
    head: str
    keywords: str
    body: str
    unit: str = ""
    unit_name: str = ""
    audience: str = "public"
    category: tuple = ()
    regions: tuple = ()
    effective: str = ""
    expires: str = ""
    notes: str = ""
    #: Whether the document may enter the public index at all (a public policy answer or an
    #: article, with every field that decides visibility readable); in force is checked per day.
    public: bool = True
    #: Set when a field cannot be read (格式错误): such an entry is in force on no day.
    invalid: bool = False
    #: The regulation articles the entry cites in its basis ("<regulation>/<n>"), see citations.py.
    cites: tuple = ()
    #: The phrasings a document answers, one by one (an entry's questions and examples, an article's
    #: common questions): stored for the re-ranking's best single match (see query.rerank).
    questions: tuple = ()
    #: An earlier version of an entry, in force until a newer one published after it takes effect.
    earlier: bool = False


def entry_doc(entry: Entry, earlier: bool = False) -> Doc:
    """An entry as a document: its body as the text a reader sees on the page (see render.page_text)."""
    head = [entry.title, *entry.questions, *entry.examples]
    basis = " ".join(str(b.get("document") or "") for b in entry.basis)
    return Doc(
        id=entry.id, source=entry.path, kind=entry.kind, title=entry.title, head="\n".join(head),
        keywords="\n".join([*entry.keywords, *entry.category, basis]), body=render.page_text(entry.body),
        unit=entry.unit, audience=entry.audience, category=tuple(entry.category),
        regions=tuple(entry.regions),
        effective=entry.effective.isoformat() if entry.effective else "",
        expires=entry.expires.isoformat() if entry.expires else "", notes=entry.agent_notes,
        public=entry.kind == "policy" and entry.audience == "public" and not entry.public_blocked,
        invalid=entry.public_blocked, cites=tuple(f"{reg}/{n}" for reg, n in entry.citations),
        questions=(*entry.questions, *entry.examples), earlier=earlier)


def earlier_docs(newest: Entry, older_texts) -> list[Doc]:
    """The documents of an entry's earlier versions (their texts, newest first) still in force before
    its newest version takes effect (see content.versions)."""
    if newest.kind not in SEARCHED_KINDS:
        return []
    older = (versions.parse(newest.path, text) for text in older_texts)
    return [entry_doc(e, earlier=True) for e in versions.earlier_in_force(newest, older)
            if e.kind == newest.kind and e.id == newest.id]


def scheduled(entry: Entry) -> bool:
    """Whether an entry's newest version has an ``effective`` day, so that earlier versions may still be in
    force before it (only such entries' history is read)."""
    return entry.kind in SEARCHED_KINDS and not entry.unreadable and entry.effective is not None


def regulation_docs(reg) -> list[Doc]:
    """The articles of a regulation, one document each; its common questions are searched like an entry's."""
    issuer = str(reg.meta.get("issuer") or "")
    return [Doc(id=a.id, source=reg.path, kind="article", title=f"{reg.title} {a.label}",
                head="\n".join([f"{reg.title} {a.label}", *a.questions]), keywords=a.chapter,
                body=render.page_text(a.text), unit_name=issuer, questions=a.questions) for a in reg.articles.values()]


def file_docs(path: str, text: str) -> list[Doc]:
    """The documents a content file contributes (none for configuration or unreadable files)."""
    if text is None or NOT_UTF8 in text:
        return []
    try:
        if path.startswith("entries/") and path.endswith(".md"):
            entry = Entry.from_text(path, text)
            return [entry_doc(entry)] if entry.kind in SEARCHED_KINDS else []
        if path.startswith(REGULATION_DIR) and path.endswith(".md"):
            return regulation_docs(parse_regulation(path, text))
    except frontmatter.FrontMatterError:
        return []
    return []


def around(tree: dict[str, str], changed) -> dict[str, str]:
    """Of a commit's files (path → blob), units.yaml and the entry files named like a changed entry file: all
    that decides what the files around the changed entries make of them, units.yaml left as it was (two files
    can share an id only under one name, since an id that is not its file's name is no id)."""
    names = {PurePosixPath(p).stem for p in changed if p.startswith("entries/")}
    return {p: sha for p, sha in tree.items()
            if p == config_path("units") or (p.startswith("entries/") and PurePosixPath(p).stem in names)}


def context_changed(snap: Snapshot, changed: dict[str, str], registry) -> set[str]:
    """The entry files of ``snap`` that files changed since a commit whose unit registry was ``registry`` may
    have made readable or unreadable (see model.context_problems): those sharing a name with a changed entry
    file (two files named alike hide each other), and when units.yaml changed, the answers whose unit it
    registered, unregistered, retired or brought back into use."""
    names = {PurePosixPath(p).stem for p in changed if p.startswith("entries/")}
    out = {e.path for e in snap.entry_list if PurePosixPath(e.path).stem in names}
    if config_path("units") in changed:
        out |= {e.path for e in snap.entry_list if unit_problem(e, registry) != unit_problem(e, snap.registry)}
    return out


def snapshot_docs(snap: Snapshot, earlier: dict | None = None) -> list[Doc]:
    """Every document of a snapshot: its searched entries, with the earlier versions still in force given
    by ``earlier`` (path → their texts, newest first), and all regulation articles."""
    earlier = earlier or {}
    docs = []
    for e in snap.entry_list:
        if e.kind in SEARCHED_KINDS:
            docs.append(entry_doc(e))
            if e.path in earlier:
                docs.extend(earlier_docs(e, earlier[e.path]))
    for reg in snap.regulations.values():
        docs.extend(regulation_docs(reg))
    return docs


def indexed(source: str) -> bool:
    """Whether a content file can contribute documents (an entry or a regulation text)."""
    return (source.startswith("entries/") or source.startswith(REGULATION_DIR)) and source.endswith(".md")


def user_words(docs, audience: str = "agent") -> list[str]:
    """The user dictionary of an audience's index: titles and keywords of the entries it may hold. The public's
    holds none of an entry it may not see (an internal answer, a catalogue entry): a title cut as one word
    (重复来电处理内部口径) would tell a public caller that such an entry exists."""
    words = []
    for d in docs:
        if d.kind != "article" and (audience != "public" or d.public):
            words.append(d.title)
            words.extend(d.keywords.split("\n"))
    return words


# -- fields ------------------------------------------------------------------------------------


class TokenFrequency(formats.Frequency):
    """Frequency postings from a list of ready-made tokens (no per-token objects)."""

    def word_values(self, value, analyzer, **kwargs):
        """(token, frequency, weight, encoded frequency) of each distinct token of the list."""
        fb = self.field_boost
        for word, freq in collections.Counter(value).items():
            yield word, freq, freq * fb, packed_freq(freq)


class Tokens(fields.TEXT):
    """A scorable text field fed with a list of tokens made by kb_app.search.analysis."""

    def __init__(self):
        super().__init__(phrase=False)
        self.format = TokenFrequency()


#: Token fields that cut one text the same way: its character pairs in the title and in the body. A
#: pair's occurrences in both count together and saturate once (BM25F). Scored field by field, a pair
#: of the title counted twice over, and a long notice whose title shares a question's common pairs
#: outranked the one whose body answers it: NCP dev MRR@10 0.836 → 0.847; the regulation questions
#: kept out of tuning, Recall@1 0.913 → 0.924 and 0.920 → 0.940. Words stay field by field: a word
#: of the title names what an answer is about (暖气 of 暖气不热怎么报修), and counting the title's
#: words with the body's put the articles, whose titles hold many common questions, above the
#: answers (measured: the same NCP gain, and 暖气半夜就不热了 found 第十九条 first). Keywords and
#: document numbers are lists the unit wrote, not the text.
STREAMS = {"hb": "pairs", "bb": "pairs"}


def make_schema() -> fields.Schema:
    """The schema of both indexes: stored fields for results and filters, token fields for scoring."""
    kw = dict(stored=True)
    return fields.Schema(
        id=fields.ID(**kw), source=fields.ID(**kw), kind=fields.ID(**kw), unit=fields.ID(**kw),
        audience=fields.ID(**kw), effective=fields.ID(**kw), expires=fields.ID(**kw), invalid=fields.STORED(),
        dated=fields.ID(), earlier=fields.ID(**kw),
        category=fields.KEYWORD(commas=True, **kw), regions=fields.KEYWORD(commas=True, **kw),
        title=fields.STORED(), text=fields.STORED(), unit_name=fields.STORED(), cites=fields.STORED(),
        questions=fields.STORED(),
        hw=Tokens(), hb=Tokens(), kw=Tokens(), bw=Tokens(), bb=Tokens(), dn=Tokens(),
    )


def fields_for(doc: Doc, audience: str, ana: analysis.Analyzer) -> dict | None:
    """The Whoosh fields of a document for one index, or None when it does not belong there."""
    if audience == "public" and not doc.public:
        return None
    body = doc.body + ("\n" + doc.notes if audience == "agent" and doc.notes else "")
    head, kw = analysis.normalize(doc.head), analysis.normalize(doc.keywords)
    body_n = analysis.normalize(body)
    # The stored text, which excerpts are cut from, is the answer alone: an agent reads an excerpt to the caller,
    # and internal notes are shown apart, marked as such (they are still searched, through bw and bb).
    text = " ".join(doc.body.split())
    return dict(
        id=doc.id, source=doc.source, kind=doc.kind, unit=doc.unit, audience=doc.audience,
        effective=doc.effective, expires=doc.expires, invalid="1" if doc.invalid else "",
        dated="1" if (doc.effective or doc.expires or doc.invalid) else "0", earlier="1" if doc.earlier else "",
        category=",".join(doc.category), regions=",".join(doc.regions or ("全市",)),
        title=doc.title, text=text, unit_name=doc.unit_name, cites=",".join(doc.cites),
        questions="\n".join(doc.questions),
        hw=ana.words(head, True), hb=analysis.bigrams(head, True),
        kw=ana.words(kw, True) + analysis.bigrams(kw, True),
        bw=ana.words(body_n, True), bb=analysis.bigrams(body_n, True),
        dn=analysis.document_numbers(head + "\n" + kw + "\n" + body_n, True),
    )
