"""The review policy over a table of cases: kinds, audiences, handlers, regulations and bundles."""

from pathlib import Path

import pytest

from kb_app.content import frontmatter
from kb_app.review.policy import Policy, required_parties

from ..review_helpers import directory_text

SAMPLE_POLICY = (Path(__file__).resolve().parents[2] / "regulations" / "review_policy.yaml").read_text(encoding="utf-8")
P_HRSS = "entries/policy/city-hrss/a.md"
P_HOUSING = "entries/policy/city-housing/a.md"
D = "entries/directory/road-pothole.md"


def policy_text(unit="city-hrss", audience="public", **extra):
    meta = {"id": "a", "kind": "policy", "title": "某事", "unit": unit, "audience": audience, **extra}
    return frontmatter.dump(meta, "答复。\n")


def d(handler="city-urban-management", co=(), unit="hotline-center"):
    return directory_text(handler=handler, co=co, unit=unit)


# (case, {path: (old text or None, new text or None)}, expected parties)
CASES = [
    ("policy edit", {P_HRSS: (policy_text(), policy_text(title="改"))}, ["center", "unit:city-hrss"]),
    ("policy new", {P_HRSS: (None, policy_text())}, ["center", "unit:city-hrss"]),
    ("policy deleted", {P_HRSS: (policy_text(), None)}, ["center", "unit:city-hrss"]),
    ("policy retired", {P_HRSS: (policy_text(), policy_text(expires="2026-11-22"))}, ["center", "unit:city-hrss"]),
    ("internal policy", {P_HRSS: (policy_text(audience="internal"), policy_text(audience="public"))},
     ["center", "unit:city-hrss"]),
    ("policy with a unit field not matching its folder", {P_HRSS: (None, policy_text(unit="city-housing"))},
     ["center", "unit:city-housing", "unit:city-hrss"]),
    ("policy moved between units", {P_HRSS: (policy_text(), None), P_HOUSING: (None, policy_text(unit="city-housing"))},
     ["center", "unit:city-housing", "unit:city-hrss"]),
    ("directory edit: handler and each co-handler",
     {D: (d(co=("district-donghu", "district-xishan")), d(co=("district-donghu", "district-xishan")) + "改\n")},
     ["center", "unit:city-urban-management", "unit:district-donghu", "unit:district-xishan"]),
    ("directory: removing a co-handler needs its approval",
     {D: (d(co=("district-donghu", "district-xishan")), d(co=("district-donghu",)))},
     ["center", "unit:city-urban-management", "unit:district-donghu", "unit:district-xishan"]),
    ("directory: changing the handler needs old and new",
     {D: (d(handler="city-urban-management"), d(handler="district-donghu-urban-management"))},
     ["center", "unit:city-urban-management", "unit:district-donghu-urban-management"]),
    ("directory new", {D: (None, d(co=("street-donghu-xinhua",)))},
     ["center", "unit:city-urban-management", "unit:street-donghu-xinhua"]),
    ("directory deleted", {D: (d(co=("district-donghu",)), None)},
     ["center", "unit:city-urban-management", "unit:district-donghu"]),
    ("directory: the maintaining unit is not a party", {D: (d(unit="city-housing"), d(unit="city-housing") + "改\n")},
     ["center", "unit:city-urban-management"]),
    ("regulation text", {"regulations/texts/beijing-2021.md": ("a", "b")}, ["center", "legal"]),
    ("units registry", {"regulations/units.yaml": ("a", "b")}, ["center", "legal"]),
    ("the review policy itself", {"regulations/review_policy.yaml": ("a", "b")}, ["center", "legal"]),
    ("calendar deleted", {"regulations/calendar.yaml": ("a", None)}, ["center", "legal"]),
    ("bundle: policy, directory and regulation",
     {P_HRSS: (policy_text(), policy_text(title="改")), D: (d(co=("district-xishan",)), d(co=("district-xishan",)) + "改\n"),
      "regulations/time_limits.yaml": ("a", "b")},
     ["center", "legal", "unit:city-hrss", "unit:city-urban-management", "unit:district-xishan"]),
    ("bundle: two units' policies", {P_HRSS: (policy_text(), None), P_HOUSING: (policy_text(unit="city-housing"), None)},
     ["center", "unit:city-housing", "unit:city-hrss"]),
]


@pytest.mark.parametrize("case, files, expected", CASES, ids=[c[0] for c in CASES])
def test_required_parties(case, files, expected):
    base = {p: old for p, (old, new) in files.items() if old is not None}
    head = {p: new for p, (old, new) in files.items() if new is not None}
    assert required_parties(Policy.from_text(SAMPLE_POLICY), base, head, list(files)) == expected


def test_policy_from_a_snapshot_is_the_one_in_force(kb):
    snap = kb.snapshot()
    files = {P_HRSS: policy_text()}
    assert required_parties(snap, {}, files, [P_HRSS]) == ["center", "unit:city-hrss"]


def test_custom_rules_add_up_and_unit_parties_are_literal():
    text = SAMPLE_POLICY + '  - paths: ["entries/policy/city-hrss/**"]\n    require: [legal, "unit:hotline-center"]\n'
    got = required_parties(Policy.from_text(text), {}, {P_HRSS: policy_text()}, [P_HRSS])
    assert got == ["center", "legal", "unit:city-hrss", "unit:hotline-center"]


@pytest.mark.parametrize("text", [None, "", "rules: oops", "::: not yaml", "rules: []"])
def test_missing_or_broken_policy_falls_back_to_the_strict_default(text):
    policy = Policy.from_text(text)
    assert required_parties(policy, {}, {P_HRSS: policy_text()}, [P_HRSS]) == ["center", "unit:city-hrss"]
    assert required_parties(policy, {}, {"regulations/x.yaml": "a"}, ["regulations/x.yaml"]) == ["center", "legal"]


def test_a_path_no_rule_covers_needs_center_and_legal():
    text = 'rules:\n  - {paths: ["entries/policy/**"], require: [owner, center]}\n'
    assert required_parties(Policy.from_text(text), {}, {D: d()}, [D]) == ["center", "legal"]


def test_a_change_touching_nothing_still_needs_the_center():
    assert required_parties(Policy.from_text(SAMPLE_POLICY), {}, {}, []) == ["center"]
