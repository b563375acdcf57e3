"""kb_app.labels: one name per id, in Chinese, and no second copy of a vocabulary elsewhere in kb_app."""

import ast
import re
from pathlib import Path

import kb_app
from kb_app import labels

CORE = Path(kb_app.__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")
VOCABULARIES = {name: value for name, value in vars(labels).items() if name.isupper() and isinstance(value, dict)}
#: Dicts that share ids with a vocabulary but say something else about them, by module and name.
NOT_LABELS = {
    ("ui/dispatch_panel.py", "OUTCOME_HINTS"): "what to do for each outcome, not its name",
}


def test_every_label_is_chinese_and_unique_within_its_vocabulary():
    for name, vocabulary in VOCABULARIES.items():
        words = list(vocabulary.values())
        assert all(isinstance(w, str) and CJK.search(w) for w in words), name
        assert len(set(words)) == len(words), f"{name}: two ids share one name"


def test_lookups_fall_back_and_fail_closed():
    assert labels.label(labels.KIND_LABELS, "article") == "条例条文"
    assert labels.label(labels.KIND_LABELS, "faq") == "faq"
    assert labels.label(labels.KIND_LABELS, None) == ""
    assert labels.audience_label("public") == "公开"
    assert [labels.audience_label(a) for a in ("internal", "Public", "", None)] == ["内部"] * 4
    assert labels.audience_choice("public") == "公开（公众可查）"
    assert labels.audience_choice("internal") == "内部（仅坐席）"
    assert [labels.status_mark(s) for s in ("in_force", "pending", "expired", "invalid", "?")] == \
        ["", "未生效", "已失效", "格式错误", ""]


def test_vocabularies_cover_the_ids_the_core_uses():
    from kb_app.accounts.auth import AUTHOR_ROLES, UNIT_ROLES
    from kb_app.content.model import AUDIENCES
    from kb_app.review.workflow import OPEN

    assert set(labels.ENTRY_KIND_LABELS) == {"policy", "directory"} <= set(labels.KIND_LABELS)
    assert set(AUDIENCES) == set(labels.AUDIENCE_LABELS) == set(labels.AUDIENCE_HINTS)
    assert set(UNIT_ROLES) | set(AUTHOR_ROLES) | {"agent"} == set(labels.ROLE_LABELS)
    assert set(OPEN) <= set(labels.CR_STATE_LABELS)
    assert set(labels.OBJECTION_OUTCOME_LABELS) <= set(labels.CR_STATE_LABELS)


def copies(tree):
    """(name, line, vocabulary) for each dict literal naming two or more ids of a vocabulary in Chinese."""
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        value = getattr(node, "value", None)
        if not isinstance(value, ast.Dict):
            continue
        name = next((t.id for t in targets if isinstance(t, ast.Name)), "")
        for inner in ast.walk(value):
            if not isinstance(inner, ast.Dict):
                continue
            words = {k.value for k, v in zip(inner.keys, inner.values)
                     if isinstance(k, ast.Constant) and isinstance(k.value, str)
                     and isinstance(v, ast.Constant) and isinstance(v.value, str) and CJK.search(v.value)}
            for vocabulary, ids in VOCABULARIES.items():
                if len(words & set(ids)) >= 2:
                    yield name, inner.lineno, vocabulary


def test_no_module_keeps_its_own_copy_of_a_vocabulary():
    found = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE).as_posix()
        if rel == "labels.py":
            continue
        for name, line, vocabulary in copies(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, name) not in NOT_LABELS:
                found.append(f"{rel}:{line} {name or '(dict)'} repeats labels.{vocabulary}")
    assert found == [], "use kb_app.labels instead"


def test_the_copy_detector_sees_a_copy():
    tree = ast.parse('MARKS = {"pending": "未生效", "expired": "已失效"}\nN = {"pending": 1, "expired": 2}\n')
    assert list(copies(tree)) == [("MARKS", 1, "STATUS_LABELS")]


def test_a_date_reads_as_people_write_it():
    import datetime as dt

    from kb_app.labels import chinese_date

    assert chinese_date(dt.date(2026, 12, 3)) == chinese_date("2026-12-03") == "2026年12月3日"
    assert chinese_date(dt.datetime(2027, 1, 10, 8, 30)) == chinese_date("2027-01-10T08:30:00") == "2027年1月10日"
    assert chinese_date(None) == chinese_date("") == chinese_date("2026-13-01") == ""
