"""Answers naming other answers, on the public site and in the API: linked while the reader may open them."""

from kb_app.content import frontmatter

from ..conftest import commit_all
from .conftest import bearer

MEDICAL_2027 = "entries/policy/city-medical-security/medical-resident-contribution-2027.md"


def set_fields(root, path, **fields):
    meta, body, _ = frontmatter.parse((root / path).read_text(encoding="utf-8"))
    meta.update(fields)
    (root / path).write_text(frontmatter.dump(meta, body), encoding="utf-8")


def test_answer_links_follow_what_the_reader_may_open(client, agent_key):
    medical = client.get("/answers/medical-resident-contribution-2026").text
    assert ('"<a href="/answers/medical-resident-contribution-2027" class="answer-link">2027年度城乡居民医保集中缴费</a>"'
            in medical)
    water = client.get("/answers/water-bill-payment").text                # the 2027 prices are not in force
    assert '"2027年居民阶梯水价调整"答复' in water and "/answers/water-tiered-price-2027" not in water
    staff = client.get("/api/v1/entries/water-bill-payment", headers=bearer(agent_key)).json()
    assert 'href="/answers/water-tiered-price-2027"' in staff["html"]


def test_the_public_link_goes_when_the_named_answer_is_made_internal(client, web_kb):
    set_fields(web_kb.settings.root, MEDICAL_2027, audience="internal")
    commit_all(web_kb.settings.root, "internal")
    medical = client.get("/answers/medical-resident-contribution-2026").text
    assert '"2027年度城乡居民医保集中缴费"答复' in medical
    assert "/answers/medical-resident-contribution-2027" not in medical
