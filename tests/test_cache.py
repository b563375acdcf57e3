import threading

from hypothesis import given
from hypothesis import strategies as st

from kb_app.cache import LruCache, TtlCache


def test_least_recently_used_goes_first():
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1          # a is now the most recent
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3
    assert cache.get("b", "none") == "none"
    assert (cache.hits, cache.misses) == (3, 1)


def test_bounded_in_size_and_evicted_values_are_handed_back():
    closed = []
    cache = LruCache(100, sizeof=len, maxcost=10, on_evict=closed.append)
    cache.put(1, "x" * 6)
    cache.put(2, "y" * 3)
    cache.put(3, "z" * 4)               # 13 > 10: the oldest goes
    assert 1 not in cache and cache.cost == 7 and closed == ["x" * 6]
    cache.put(4, "w" * 11)              # larger than the whole budget: never stored
    assert 4 not in cache and closed[-1] == "w" * 11
    cache.put(2, "v")                   # replacing a key keeps the account right
    assert cache.cost == 5
    cache.clear()
    assert len(cache) == 0 and cache.cost == 0 and sorted(closed[-2:]) == ["v", "zzzz"]


def test_resize_evicts_at_once():
    evicted = []
    cache = LruCache(10, sizeof=len, maxcost=100, on_evict=evicted.append)
    for key in "abcd":
        cache.put(key, "x" * 20)
    cache.get("a")
    cache.resize(maxcost=45)
    assert list(cache._data) == ["d", "a"] and cache.cost == 40
    assert evicted == ["x" * 20] * 2
    cache.resize(maxsize=1)
    assert list(cache._data) == ["a"]


def test_follow_empties_the_cache_when_the_commit_changes():
    cache = LruCache(10)
    cache.follow("c1")
    cache.put("q", 1)
    cache.follow("c1")
    assert cache.get("q") == 1
    cache.follow("c2")
    assert cache.get("q") is None


def test_get_or_build_builds_once():
    calls = []
    cache = LruCache(4)
    assert cache.get_or_build("k", lambda: calls.append(1) or "v") == "v"
    assert cache.get_or_build("k", lambda: calls.append(1) or "w") == "v"
    assert calls == [1]
    assert cache.pop("k") == "v" and cache.pop("k") is None


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 9)), max_size=200), st.integers(1, 8))
def test_never_over_its_bounds(operations, maxsize):
    cache = LruCache(maxsize, sizeof=lambda v: v, maxcost=15)
    for key, value in operations:
        cache.put(key, value)
        assert len(cache) <= maxsize and cache.cost <= 15
        assert cache.cost == sum(cache.get(k) for k in list(cache._data))


def test_threads_share_it_safely():
    cache = LruCache(50)

    def work(n):
        for i in range(2000):
            cache.put((n, i % 70), i)
            cache.get((n, (i * 7) % 70))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) <= 50


def test_ttl_cache_expires_values_and_keeps_the_lru_bounds():
    now = [100.0]
    cache = TtlCache(2, ttl=10, sizeof=len, maxcost=8, clock=lambda: now[0])
    cache.put("a", "xxx")
    now[0] = 109.0
    assert cache.get("a") == "xxx"      # within ttl
    now[0] = 110.5
    assert cache.get("a", "gone") == "gone" and len(cache) == 0
    cache.put("b", "yyyyy")
    cache.put("c", "zzzzz")             # 10 > 8 bytes: b goes
    assert cache.get("b") is None and cache.get("c") == "zzzzz"
    cache.follow("c1")
    cache.put("d", "w")
    cache.follow("c2")                  # a new commit empties it
    assert len(cache) == 0
