"""The web tier's rendered-response cache: bounded in count and bytes, trusted for a TTL, per commit."""

from kb_app.web.site import Cached, ResponseCache


def cached(body: bytes) -> Cached:
    return Cached(200, body, "application/json", '"etag"')


def test_bounded_in_count_and_bytes():
    cache = ResponseCache(items=3, size=10)
    assert cache.get("a", "c1") is None
    for key in "abc":
        cache.put(key, "c1", cached(b"xx"))
    cache.put("d", "c1", cached(b"yy"))                 # a fourth item: the least recently used goes
    assert cache.get("a", "c1") is None and len(cache) == 3
    cache.put("e", "c1", cached(b"z" * 9))              # 9 + 2 + 2 > 10 bytes
    assert cache.get("e", "c1").body == b"z" * 9 and len(cache) == 1
    cache.put("big", "c1", cached(b"w" * 11))           # larger than the whole budget: not kept
    assert cache.get("big", "c1") is None


def test_a_new_commit_empties_it_and_a_late_render_of_the_old_one_is_dropped():
    cache = ResponseCache()
    cache.get("k", "c1")
    cache.put("k", "c1", cached(b"old"))
    assert cache.get("k", "c2") is None and len(cache) == 0
    cache.put("k", "c1", cached(b"old"))                # rendered for c1, finished after main moved
    assert cache.get("k", "c2") is None
    cache.put("k", "c2", cached(b"new"))
    assert cache.get("k", "c2").body == b"new"


def test_a_response_is_trusted_for_the_ttl_only():
    now = [1000.0]
    cache = ResponseCache(ttl=60)
    cache._cache.clock = lambda: now[0]
    cache.get("k", "c1")
    cache.put("k", "c1", cached(b"x"))
    now[0] += 59
    assert cache.get("k", "c1") is not None
    now[0] += 2
    assert cache.get("k", "c1") is None
