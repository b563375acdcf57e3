"""Audience safety through HTTP: whatever is asked, the public never sees what is not theirs.

The rule itself is the facade's (``Entry.is_public_on`` through ``kb.search`` and ``kb.reader``);
these properties check that nothing in the web tier widens it: no internal, catalogue, unreadable
or not-in-force entry and no agent note reaches a public response, over the API or the pages.
"""

import datetime as dt
import html
import json
import re
import shutil
from urllib.parse import unquote

import markupsafe
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .conftest import TODAY, kb_with

DAY = dt.date.fromisoformat(TODAY)
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def client(web_kb, make_client):
    """A client without the per-address limit: the properties send hundreds of requests."""
    return make_client(kb_with(web_kb, web_rate_anonymous=0))


@pytest.fixture
def secrets(web_kb):
    """What must never be public: ids of hidden entries, distinctive agent-note phrases, hidden titles."""
    snap = web_kb.snapshot()
    hidden = {e.id for e in snap.entry_list if not (e.is_public_on(DAY) and e.kind == "policy")}
    notes = set()
    for e in snap.entry_list:
        for line in (e.agent_notes or "").splitlines():
            text = line.removeprefix("内部提示：").strip()
            if len(text) >= 12:
                notes.add(text[:12])
    public_text = "\n".join([*(str(e.meta) + e.body for e in snap.entry_list if e.id not in hidden),
                              *(a.text for a in snap.articles())])
    titles = {e.title for e in snap.entry_list
              if e.id in hidden and len(e.title) >= 6 and e.title not in public_text}
    return {"hidden": hidden, "notes": notes, "titles": titles, "entries": snap.entries}


def vocabulary(web_kb):
    words = set()
    for e in web_kb.snapshot().entry_list:
        words.update([e.title, *e.questions, *e.keywords, *(e.agent_notes or "").split("，")[:3]])
    return sorted(w for w in words if w)


def assert_public(text, secrets, query=""):
    """No agent note, hidden title or link to a hidden entry in a response (the echoed query aside)."""
    if query:
        for echoed in (query, html.escape(query), str(markupsafe.escape(query))):  # Jinja writes " as &#34;
            text = text.replace(echoed, "")
        # Words of the query quoted back (没有找到关于“占道停车和路侧停车”的答复 for 占道停车和路侧停车谁).
        asked = re.sub(r"\s", "", query)
        for quoted in set(re.findall(r"“([^”]+)”", text)):
            if re.sub(r"\s", "", html.unescape(quoted)) in asked:
                text = text.replace(f"“{quoted}”", "“”")
    for phrase in secrets["notes"]:
        assert phrase not in text, f"agent note leaked: {phrase}"
    for title in secrets["titles"]:
        assert title not in text, f"hidden entry leaked: {title}"
    for entry_id in re.findall(r"/answers/([a-z0-9-]+)", text):
        assert unquote(entry_id) not in secrets["hidden"], f"link to a hidden entry: {entry_id}"


def queries(web_kb):
    words = vocabulary(web_kb)
    return st.one_of(st.sampled_from(words),
                     st.lists(st.sampled_from(words), min_size=1, max_size=3).map(" ".join),
                     st.text(min_size=1, max_size=30))


def test_public_search_never_returns_hidden_entries(client, web_kb, secrets):
    @PROPERTY
    @given(q=queries(web_kb), kind=st.sampled_from([None, "policy", "article"]),
           offset=st.sampled_from([0, 10]))
    def check(q, kind, offset):
        params = {"q": q, "offset": offset, **({"kind": kind} if kind else {})}
        r = client.get("/api/v1/search", params=params)
        assert r.status_code in (200, 400)
        if r.status_code == 200:
            for hit in r.json()["hits"]:
                if hit["kind"] != "article":
                    entry = secrets["entries"][hit["id"]]
                    assert entry.is_public_on(DAY), f"{hit['id']} is not public today"
            assert_public(json.dumps(r.json()["hits"], ensure_ascii=False), secrets)
        page = client.get("/", params={"q": q})
        assert page.status_code == 200
        assert_public(page.text, secrets, " ".join(q.split()))

    check()


def test_a_hidden_title_the_citizen_typed_is_not_read_as_one_word(client, secrets):
    """A hidden entry's title (a catalogue entry's) typed by a citizen is read as any other words: not quoted back
    whole as a word nothing mentions, which would say that the title is a word of the knowledge base; the results
    beside it hold nothing hidden."""
    title = "占道停车和路侧停车"
    assert title in secrets["titles"]
    page = client.get("/", params={"q": title + "谁"})
    assert f"“{title}”" not in page.text
    assert_public(page.text, secrets, title + "谁")


def test_public_entries_and_articles_never_show_hidden_material(client, web_kb, secrets):
    ids = sorted(secrets["entries"])
    articles = [a.id for a in web_kb.snapshot().articles()]

    @PROPERTY
    @given(entry_id=st.one_of(st.sampled_from(ids), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
           article_id=st.sampled_from(articles))
    def check(entry_id, article_id):
        api = client.get(f"/api/v1/entries/{entry_id}")
        page = client.get(f"/answers/{entry_id}")
        if entry_id in secrets["hidden"] or entry_id not in secrets["entries"]:
            assert api.status_code == 404 and page.status_code == 404
        else:
            assert api.status_code == 200 and page.status_code == 200
            assert "agent_notes" not in api.json()
        for r in (api, page, client.get(f"/api/v1/articles/{article_id}"),
                  client.get("/articles/" + article_id)):
            assert_public(r.text, secrets)

    check()


def test_the_browse_page_is_public(client, secrets):
    assert_public(client.get("/browse").text, secrets)



@pytest.fixture
def without_hidden(sample_template, tmp_path, make_client):
    """A client of another copy of the sample, with every entry the public may not see deleted, indexed afresh."""
    from kb_app import load_settings, open_kb

    from ..conftest import commit_all

    root = tmp_path / "public-only"
    shutil.copytree(sample_template, root, symlinks=True)
    kb = open_kb(load_settings(root=root, data_dir=tmp_path / "public-only-data", today=TODAY))
    for e in kb.snapshot().entry_list:
        if not (e.kind == "policy" and e.audience == "public" and not e.public_blocked):
            (kb.settings.root / e.path).unlink()
    commit_all(kb.settings.root, "without what the public may not see")
    kb.reindex()
    return make_client(kb_with(kb, web_rate_anonymous=0))


def hidden_names(web_kb):
    """Titles and keywords of the entries the public may not see, as a citizen might type them."""
    names = set()
    for e in web_kb.snapshot().entry_list:
        if not (e.kind == "policy" and e.audience == "public"):
            names.update([e.title, *e.keywords])
    return sorted(n for n in names if len(n) >= 2)


def test_a_public_question_is_read_as_if_hidden_entries_did_not_exist(client, web_kb, without_hidden):
    """What a public search says of a question's words (``unknown``, ``weak``, the page's “知识库里没有提到…”) and what
    it finds are the same as in a knowledge base without the entries the public may not see: a title or keyword
    of an internal answer or a catalogue entry (重复来电处理内部口径, 话务高峰) is not cut as one word, which
    would tell a caller that such an entry exists."""
    names = hidden_names(web_kb)
    assert {"重复来电处理内部口径", "话务高峰", "占道停车和路侧停车"} <= set(names)

    def said(c, q):
        r = c.get("/api/v1/search", params={"q": q, "limit": 20})
        body = r.json()
        return (r.status_code, body.get("unknown"), body.get("weak"), body.get("total"),
                [h["id"] for h in body.get("hits", [])])

    for name in names:
        for q in (name, "我想问" + name + "的事"):
            assert said(client, q) == said(without_hidden, q), q
    page = client.get("/", params={"q": "重复来电处理内部口径"}).text
    assert "重复来电处理内部口径”" not in page
