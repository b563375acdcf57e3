import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "kb_app"
FRONT_ENDS = {"streamlit", "click"}


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_core_imports_no_front_end():
    offenders = []
    for path in CORE.rglob("*.py"):
        rel = path.relative_to(CORE).as_posix()
        if rel == "cli.py" or rel.startswith("ui/"):
            continue
        bad = FRONT_ENDS & set(imported_roots(path))
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []
