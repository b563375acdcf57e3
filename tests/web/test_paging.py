"""Paging on the public site and through the API: the pages put together are the list one large request gives."""

import re

import pytest

from kb_app.web import pages, views
from kb_app.web.api import MAX_LIMIT

from .conftest import bearer, kb_with

#: Questions with more results than the first reranked; 投诉 and 办理 once lost answers between pages.
QUESTIONS = ["投诉", "办理", "过年期间工单怎么算时限"]
RESULT_LINK = re.compile(r'<h2><a href="([^"?]+)\?')


@pytest.fixture
def unlimited(web_kb, make_client):
    """A client of the sample's site whose requests are never refused for their number."""
    return make_client(kb_with(web_kb, web_rate_anonymous=0, web_rate_agent=0))


def api_hits(client, question: str, limit: int, offset: int = 0, headers=None, **params) -> list[str]:
    body = client.get("/api/v1/search", params={"q": question, "limit": limit, "offset": offset, **params},
                      headers=headers or {}).json()
    return [h["id"] for h in body["hits"]]


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("size", [7, 10])
@pytest.mark.parametrize("audience", ["public", "agent"])
def test_api_pages_make_the_full_list(web_kb, unlimited, question, size, audience):
    headers = bearer(web_kb.api_keys.add("call-center", "agent")) if audience == "agent" else None
    full = api_hits(unlimited, question, MAX_LIMIT, headers=headers, audience=audience)
    assert len(full) == MAX_LIMIT == len(set(full))
    got = []
    for offset in range(0, MAX_LIMIT, size):
        got += api_hits(unlimited, question, min(size, MAX_LIMIT - offset), offset, headers=headers, audience=audience)
    assert got == full


@pytest.mark.parametrize("question", QUESTIONS)
def test_site_pages_make_the_full_list(web_kb, unlimited, question):
    """/?q=投诉&page=1…8 show each of the 77 answers and articles once, in the order of the whole list."""
    whole = web_kb.search(question, limit=pages.PAGE_SIZE * 10)
    assert whole.total > pages.PAGE_SIZE * 3
    shown = []
    for number in range(1, -(-whole.total // pages.PAGE_SIZE) + 1):
        shown += RESULT_LINK.findall(unlimited.get("/", params={"q": question, "page": number}).text)
    assert shown == [views.hit_url(h) for h in whole.hits]
