"""Answers naming other answers: finding the one meant, linking it for readers who may open it, and
telling the unit and the reviewers when the public cannot follow it."""

import datetime as dt

from click.testing import CliRunner

from kb_app import render
from kb_app.cli import cli
from kb_app.content import frontmatter
from kb_app.content.model import Snapshot
from kb_app.content.references import names, notices, resolve

from ..conftest import commit_all

WATER = "entries/policy/water-group/water-bill-payment.md"
WATER_2027 = "entries/policy/water-group/water-tiered-price-2027.md"
MEDICAL_2026 = "entries/policy/city-medical-security/medical-resident-contribution-2026.md"
MEDICAL_2027 = "entries/policy/city-medical-security/medical-resident-contribution-2027.md"
DAY = dt.date(2026, 11, 22)


def test_names_are_quoted_before_what_they_name():
    body = ("第一行。\n请查看“2027年居民阶梯水价调整”答复，或\"社保卡补办\"这条答复。\n"
            "在“示例市民服务”APP中查看。\n见「居住证」口径。\n")
    assert names(body) == [("2027年居民阶梯水价调整", 2), ("社保卡补办", 2), ("居住证", 4)]


def test_a_name_resolves_to_the_title_holding_it_and_its_numbers(sample_root):
    snap = Snapshot.from_tree(sample_root)
    assert resolve(snap, "2027年1月1日起居民阶梯水价调整").id == "water-tiered-price-2027"       # the title
    assert resolve(snap, "2027年度城乡居民医保集中缴费").id == "medical-resident-contribution-2027"  # held in it
    assert resolve(snap, "2027年居民阶梯水价调整").id == "water-tiered-price-2027"              # nearly all of it
    assert resolve(snap, "2028年居民阶梯水价调整") is None                                       # not its year
    assert resolve(snap, "2025年度城乡居民医保个人缴费标准").id == "medical-resident-contribution-2025"
    assert resolve(snap, "2024年度城乡居民医保个人缴费标准") is None
    assert resolve(snap, "城乡居民医保") is None                                                 # several hold it
    assert resolve(snap, "火星移民政策") is None


def test_the_sample_tells_of_two_references_the_public_cannot_follow(sample_root):
    snap = Snapshot.from_tree(sample_root)
    found = notices(snap, DAY)
    assert [(n.path, n.line) for n in found] == [(MEDICAL_2026, 31), (WATER, 35)]
    medical, water = found
    # Both answers are public on their last day (expires: 2026-12-31), and the 2027 collection ends on 12-15.
    assert "有效期至 2026-12-15" in medical.message and "2026-12-16 至 2026-12-31" in medical.message
    assert "2027-01-01 才生效" in water.message and "2026-11-22 至 2026-12-31" in water.message
    assert "待那条答复生效后" in water.fix
    lines = (sample_root / WATER).read_text(encoding="utf-8").splitlines()
    assert "2027年居民阶梯水价调整" in lines[water.line - 1]
    assert notices(snap, dt.date(2027, 2, 1)) == []                  # both answers pointing have expired


def set_fields(root, path, body_suffix="", **fields):
    meta, body, _ = frontmatter.parse((root / path).read_text(encoding="utf-8"))
    meta.update(fields)
    (root / path).write_text(frontmatter.dump(meta, body + body_suffix), encoding="utf-8")


def test_internal_and_missing_answers_are_told(sample_root):
    set_fields(sample_root, MEDICAL_2027, audience="internal")
    set_fields(sample_root, WATER, "\n另见“火星移民政策”答复。\n")
    snap = Snapshot.from_tree(sample_root)
    messages = {n.path: [] for n in notices(snap, DAY)}
    for n in notices(snap, DAY):
        messages[n.path].append(n.message)
    assert any("只对坐席开放" in m for m in messages[MEDICAL_2026])
    assert any("“火星移民政策”答复找不到" in m for m in messages[WATER])


def test_a_change_is_checked_for_what_it_edits_and_what_names_it(sample_root):
    snap = Snapshot.from_tree(sample_root)
    assert [n.path for n in notices(snap, DAY, {MEDICAL_2027})] == [MEDICAL_2026]   # named by another
    assert [n.path for n in notices(snap, DAY, {WATER})] == [WATER]                 # its own text
    assert notices(snap, DAY, {"entries/policy/city-hrss/sscard-reissue.md"}) == []


def test_internal_and_expired_answers_are_not_checked(sample_root):
    set_fields(sample_root, WATER, audience="internal")
    snap = Snapshot.from_tree(sample_root)
    assert [n.path for n in notices(snap, DAY)] == [MEDICAL_2026]
    assert [n.path for n in notices(snap, dt.date(2026, 12, 31))] == [MEDICAL_2026]   # its last day
    assert notices(snap, dt.date(2027, 1, 1)) == []          # medical 2026 has expired; water is internal


def test_validate_prints_the_notices_and_still_passes(sample_root):
    result = CliRunner().invoke(cli, ["validate", "--root", str(sample_root)], env={"KB_TODAY": "2026-11-22"})
    assert result.exit_code == 0, result.output
    assert "提醒（不影响发布，请所属单位斟酌）：2 处提到的答复公众打不开。" in result.output
    assert f"{WATER}:35: 正文提到的“2027年居民阶梯水价调整”答复（即“2027年1月1日起居民阶梯水价调整”）2027-01-01 才生效" in result.output
    assert result.output.strip().endswith("校验通过：未发现问题。")


def test_a_named_answer_is_linked_only_where_the_mapping_says():
    text = "请查看“2027年居民阶梯水价调整”答复；拨打“12345”这条答复不存在；见“A”答复。"
    html = render.to_html(text, {"2027年居民阶梯水价调整": "/answers/water-tiered-price-2027"})
    assert ('请查看“<a href="/answers/water-tiered-price-2027" class="answer-link">2027年居民阶梯水价调整</a>”答复'
            in html)
    assert "“12345”这条答复" in html and "见“A”答复" in html          # not mapped (A is too short a name)
    assert render.to_html(text) == render.to_html(text, {})
    inside = render.to_html("请查看“拨打12345的办法”答复", {"别的": "/answers/x"})
    assert '<a href="tel:12345" class="tel">12345</a>' in inside     # a number inside an unlinked name
