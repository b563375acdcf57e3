"""API keys (issued once, stored hashed, revocable) and the shared token-bucket rate limits."""

import re

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.web import ratelimit
from kb_app.web.keys import ApiKeyError, key_hash
from kb_app.web.ratelimit import RateLimiter

from .conftest import bearer, kb_with


def test_a_key_is_shown_once_and_stored_hashed(web_kb):
    key = web_kb.api_keys.add("call-center", "agent", note="坐席系统")
    assert re.fullmatch(r"kb_[A-Za-z0-9_-]{43}", key)
    row, = web_kb.db()["api_keys"].rows
    assert key not in str(row) and row["key_hash"] == key_hash(key) and row["prefix"] == key[:8]
    listed, = web_kb.api_keys.list()
    assert (listed.name, listed.role, listed.active, listed.note) == ("call-center", "agent", True, "坐席系统")
    assert web_kb.api_keys.verify(key).name == "call-center"
    assert web_kb.api_keys.verify(key + "x") is None and web_kb.api_keys.verify("") is None


def test_keys_differ_and_names_are_unique(web_kb):
    assert web_kb.api_keys.add("a-1", "partner") != web_kb.api_keys.add("a-2", "partner")
    with pytest.raises(ApiKeyError, match="已存在"):
        web_kb.api_keys.add("a-1", "agent")
    web_kb.api_keys.revoke("a-1")
    with pytest.raises(ApiKeyError) as e:                      # not told to revoke what is revoked
        web_kb.api_keys.add("a-1", "agent")
    assert str(e.value) == ("名称“a-1”属于一个已吊销的密钥，名称不再重复使用（日志按名称区分调用方）："
                            "请换一个名称，例如 a-1-2。")


@pytest.mark.parametrize("name, role, rate, message", [
    ("Bad Name", "agent", None, "名称"), ("x", "agent", None, "名称"), ("ok-name", "admin", None, "角色"),
    ("ok-name", "agent", 0, "速率"),
])
def test_invalid_keys(web_kb, name, role, rate, message):
    with pytest.raises(ApiKeyError, match=message):
        web_kb.api_keys.add(name, role, rate=rate)


def test_revoked_key_stops_working(client, web_kb):
    key = web_kb.api_keys.add("portal", "partner")
    assert client.get("/api/v1/search", params={"q": "居住证"}, headers=bearer(key)).status_code == 200
    revoked = web_kb.api_keys.revoke("portal")
    assert revoked.revoked and not revoked.active
    # The app's worker reads keys through its own facade: it trusts what it read for at most LOOKUP_TTL.
    client.app.state.site.kb.api_keys._seen.clear()
    r = client.get("/api/v1/search", params={"q": "居住证"}, headers=bearer(key))
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_key"
    with pytest.raises(ApiKeyError, match="已于"):
        web_kb.api_keys.revoke("portal")
    with pytest.raises(ApiKeyError, match="没有名为"):
        web_kb.api_keys.revoke("nobody")


def test_apikey_commands(web_kb):
    runner = CliRunner()
    where = ["--root", str(web_kb.settings.root), "--data-dir", str(web_kb.settings.data_path)]
    r = runner.invoke(cli, ["apikey", "add", "city-portal", "--role", "partner", "--rate", "300", *where])
    assert r.exit_code == 0, r.output
    key = r.stdout.splitlines()[0]
    assert web_kb.api_keys.verify(key).rate == 300 and "只显示这一次" in r.stderr
    listing = runner.invoke(cli, ["apikey", "list", *where])
    assert "city-portal\tpartner\t" + key[:8] in listing.output and key not in listing.output
    assert "300/分钟" in listing.output and "有效" in listing.output
    r = runner.invoke(cli, ["apikey", "revoke", "city-portal", *where])
    assert r.exit_code == 0 and "已吊销密钥“city-portal”" in r.output
    r = runner.invoke(cli, ["apikey", "add", "x", "--role", "agent", *where])
    assert r.exit_code == 1 and "名称“x”无效" in r.output


def test_each_key_has_its_own_bucket(web_kb, make_client, frozen_buckets):
    client = make_client(kb_with(web_kb, web_rate_anonymous=0))
    slow = web_kb.api_keys.add("slow", "partner", rate=10)
    fast = web_kb.api_keys.add("fast", "partner")
    statuses = [client.get("/api/v1/search", params={"q": "居住证"}, headers=bearer(slow)).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert client.get("/api/v1/search", params={"q": "居住证"}, headers=bearer(fast)).status_code == 200
    assert client.get("/api/v1/search", params={"q": "居住证"}).status_code == 200


def test_anonymous_clients_are_limited_per_address(web_kb, make_client, frozen_buckets):
    client = make_client(kb_with(web_kb, web_rate_anonymous=10))
    statuses = [client.get("/api/v1/entries/residence-permit-apply").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    r = client.get("/api/v1/search", params={"q": "居住证"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) == 6  # one token per 6 s at 10 a minute
    assert client.get("/api/v1/health").status_code == 200  # health checks are never limited


def test_buckets_are_shared_by_workers_and_refill(tmp_path, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    one, two = RateLimiter(tmp_path / "rl.bin"), RateLimiter(tmp_path / "rl.bin")
    assert ratelimit.burst_for(60) == 15
    waits = [(one if i % 2 else two).take("addr:1.2.3.4", 60) for i in range(16)]
    assert waits[:15] == [0.0] * 15 and waits[15] == pytest.approx(1.0)
    assert one.take("addr:5.6.7.8", 60) == 0.0  # another client is unaffected
    now[0] += 2.0
    assert two.take("addr:1.2.3.4", 60) == 0.0 and one.take("addr:1.2.3.4", 60) == 0.0
    assert one.take("addr:1.2.3.4", 60) > 0
    now[0] += ratelimit.IDLE_SECONDS + 1
    assert [one.take("addr:1.2.3.4", 60) for _ in range(15)] == [0.0] * 15
    assert one.take("anything", 0) == 0.0  # 0 means no limit
    one.close()
    two.close()


def test_full_neighbourhood_reuses_the_stalest_slot(tmp_path, monkeypatch):
    monkeypatch.setattr(ratelimit, "SLOTS", 8)
    monkeypatch.setattr(ratelimit, "PROBES", 8)
    limiter = RateLimiter(tmp_path / "small.bin")
    for i in range(20):
        assert limiter.take(f"addr:{i}", 600) == 0.0
    limiter.close()


def test_unwritable_data_directory_falls_back_to_per_process_buckets(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    limiter = RateLimiter(blocker / "rl.bin")
    assert [limiter.take("k", 40) for _ in range(10)] == [0.0] * 10 and limiter.take("k", 40) > 0


def test_the_time_a_revoked_key_still_works_is_said_as_it_is():
    """The help of kb apikey revoke, the README and deploy.md give the figures the code keeps."""
    from pathlib import Path

    from kb_app.web.follow import KEY_GRACE
    from kb_app.web.keys import LOOKUP_TTL

    project = Path(__file__).resolve().parents[2]
    texts = {"kb apikey revoke -h": cli.commands["apikey"].commands["revoke"].help,
             "README.md": (project / "README.md").read_text(encoding="utf-8"),
             "docs/deploy.md": (project / "docs/deploy.md").read_text(encoding="utf-8")}
    for where, text in texts.items():
        for said in (f"{LOOKUP_TTL:g} 秒内", f"再沿用 {KEY_GRACE:g} 秒"):
            assert said in text, f"{where} 应写明“{said}”"
    for where in ("kb apikey revoke -h", "README.md"):
        assert f"吊销后至多 {LOOKUP_TTL + KEY_GRACE:g} 秒" in texts[where], where
