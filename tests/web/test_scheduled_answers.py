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
