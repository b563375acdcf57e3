"""The public site and API serve the version in force: a change scheduled for a later day leaves the
answer in force until then, and takes its place on the day, with no republish."""

import datetime as dt
import re

from ..conftest import TODAY, commit_all
from .conftest import kb_with

SSCARD = "entries/policy/city-hrss/sscard-reissue.md"


def schedule(root, effective):
    """The sample's 社保卡 answer with a fee of 20元 from ``effective``, published."""
    path = root / SSCARD
    text = re.sub(r"^effective: .*$", f"effective: {effective}", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text.replace("补换社保卡**免收工本费**", "补换社保卡收取工本费**20元**"), encoding="utf-8")
    commit_all(root, "社保卡补办收费")


def test_the_answer_in_force_is_served_until_the_new_one_takes_effect(web_kb, make_client):
    on = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=3)).isoformat()
    schedule(web_kb.settings.root, on)
    before = make_client(web_kb)
    page = before.get("/answers/sscard-reissue")
    assert page.status_code == 200 and "免收工本费" in page.text and "20元" not in page.text
    api = before.get("/api/v1/entries/sscard-reissue")
    assert api.status_code == 200 and "免收工本费" in api.json()["html"]
    hits = before.get("/api/v1/search", params={"q": "社保卡丢了怎么补办"}).json()["hits"]
    assert hits[0]["id"] == "sscard-reissue"
    assert "/answers/sscard-reissue" in before.get("/browse").text

    after = make_client(kb_with(web_kb, today=on))
    page = after.get("/answers/sscard-reissue")
    assert page.status_code == 200 and "20元" in page.text and "免收工本费" not in page.text
    assert "20元" in after.get("/api/v1/entries/sscard-reissue").json()["html"]
    assert after.get("/api/v1/search", params={"q": "社保卡丢了怎么补办"}).json()["hits"][0]["id"] == "sscard-reissue"


BLUEWHALE = """---
id: bluewhale-card
kind: policy
title: 蓝鲸卡怎么补办
unit: hotline-center
audience: public
expires: {expires}
---
蓝鲸卡在服务大厅补办。
"""


def test_a_question_about_an_answer_that_expired_is_told_it_ended(web_kb, make_client):
    """The day after its answer expired, a citizen asking about 蓝鲸卡 hears that the answer about it ended
    (the policy may have changed), not only that nothing is known of it; the day before, the answer is found."""
    last = dt.date.fromisoformat(TODAY) + dt.timedelta(days=1)
    path = web_kb.settings.root / "entries/policy/hotline-center/bluewhale-card.md"
    path.write_text(BLUEWHALE.format(expires=last.isoformat()), encoding="utf-8")
    commit_all(web_kb.settings.root, "蓝鲸卡")
    before = make_client(web_kb)
    assert before.get("/api/v1/search", params={"q": "蓝鲸卡怎么补办"}).json()["hits"][0]["id"] == "bluewhale-card"
    assert "停止使用" not in before.get("/", params={"q": "蓝鲸卡怎么补办"}).text

    after = make_client(kb_with(web_kb, today=(last + dt.timedelta(days=1)).isoformat()))
    body = after.get("/api/v1/search", params={"q": "蓝鲸卡怎么补办"}).json()
    assert body["retired"] and set(body["retired"]) <= set(body["unknown"])
    assert "bluewhale-card" not in [h["id"] for h in body["hits"]]
    page = after.get("/", params={"q": "蓝鲸卡怎么补办"}).text
    notice = re.search(r'<p class="notice" role="status">(没有找到关于.*?)</p>', page, re.S)
    assert notice and "的答复已经停止使用，相关政策可能已经调整，请以现行规定为准。" in notice.group(1), page
    assert after.get("/answers/bluewhale-card").status_code == 404


def test_agents_see_the_answer_in_force_marked_with_the_day_its_new_version_takes_effect(web_kb, make_client):
    """Not a bare 未生效 on the answer in force: the search hit and the answer say from when the new one holds,
    and the answer carries its text."""
    from .conftest import bearer

    on = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=3)).isoformat()
    schedule(web_kb.settings.root, on)
    key = bearer(web_kb.api_keys.add("call-center", "agent"))
    client = make_client(web_kb)
    hits = client.get("/api/v1/search", params={"q": "社保卡丢了怎么补办", "audience": "agent"}, headers=key).json()["hits"]
    hit = next(h for h in hits if h["id"] == "sscard-reissue" and h["status"] == "in_force")
    assert "未生效" not in hit["marks"] and f"新版本 {on} 起生效" in hit["marks"]
    assert hit["upcoming"] == {"effective": on}
    entry = client.get("/api/v1/entries/sscard-reissue", headers=key).json()
    assert "免收工本费" in entry["text"] and entry["upcoming"]["effective"] == on and "20元" in entry["upcoming"]["text"]
    assert f"新版本 {on} 起生效" in entry["marks"]
    public = client.get("/api/v1/entries/sscard-reissue").json()
    assert "upcoming" not in public and "marks" not in public


def test_agents_see_an_answer_that_ends_soon_marked_with_its_last_day(web_kb, make_client):
    """An answer in force whose ``expires`` comes within the maintenance tasks' 即将到期 days, with no version
    published to follow it, carries the day it ends to the agent telling a caller about it; not further off."""
    from .conftest import bearer

    key = bearer(web_kb.api_keys.add("call-center", "agent"))
    for days, marked in ((12, True), (45, False)):
        last = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=days)).isoformat()
        path = web_kb.settings.root / "entries/policy/hotline-center/bluewhale-card.md"
        path.write_text(BLUEWHALE.format(expires=last), encoding="utf-8")
        commit_all(web_kb.settings.root, f"蓝鲸卡 {days}")
        client = make_client(web_kb)
        hits = client.get("/api/v1/search", params={"q": "蓝鲸卡怎么补办", "audience": "agent"}, headers=key).json()["hits"]
        assert hits[0]["id"] == "bluewhale-card"
        assert (f"即将到期（{last} 止）" in hits[0]["marks"]) is marked, (days, hits[0]["marks"])
        assert "marks" not in client.get("/api/v1/entries/bluewhale-card").json()
