"""The architecture, enforced: the core imports no front end, only the content store runs git, and
the Streamlit pages reach the core through the facade.

Where today's code still crosses a boundary, the crossing is listed below by module with the reason;
a new crossing fails, and so does a listed one that is gone (remove it from the list)."""

import ast
import functools
from pathlib import Path

import kb_app

CORE = Path(kb_app.__file__).resolve().parent
FRONT_ENDS = {"streamlit", "click"}
#: Packages and modules of kb_app that are front ends, not core (the kb command: cli.py and its families
#: under ui/commands/, next to the Streamlit app).
FRONT_END_DIRS = ("cli.py", "ui/")
#: The only modules that may start git themselves.
GIT_RUNNERS = {"content/store.py"}
#: Modules of kb_app that a Streamlit page may import.
PAGE_ALLOWED = ("kb_app.kb", "kb_app.labels", "kb_app.exceptions", "kb_app.ui")

#: Core modules that run git commands through ``Store.git`` with arguments of their own instead of a
#: named ``Store`` method; they belong in ``content/store.py`` as methods (as ``Store.parent``,
#: ``Store.first_parents`` and ``Store.last_published`` already are).
KNOWN_RAW_GIT: dict[str, str] = {}

CENTER_ROLES = "CENTER_ROLES decides what the centre sees: a role check that belongs on the user"
#: Pages importing more than the facade, labels, exceptions and ui helpers, and why.
KNOWN_PAGE_IMPORTS = {
    "agent.py": {"kb_app.render": "renders entry bodies and status marks; to be reached through Kb.reader()"},
    "entry.py": {"kb_app.render": "renders the entry's body and basis; to be reached through Kb.reader()"},
    "article.py": {"kb_app.render": "renders an article's text; to be reached through Kb.reader()"},
    "catalog.py": {"kb_app.health": "kinds and CSV of the catalogue check (Kb.catalog_health gives findings)",
                   "kb_app.export": "spreadsheet download shared with the stats page"},
    "inbox.py": {"kb_app.usage.suggest": "accepts suggestions and assigns missing answers by module function",
                 "kb_app.usage.tasks": CENTER_ROLES},
    "my_work.py": {"kb_app.review.changes": "names of people in change requests"},
    "review.py": {"kb_app.review.changes": "the reviewer's table of changes and names of people"},
    "stats.py": {"kb_app.export": "spreadsheet download shared with the catalogue page",
                 "kb_app.usage.tasks": CENTER_ROLES,
                 "kb_app.usage.hot": "column headings of the hot-topics tables, the note on imported work orders",
                 "kb_app.usage.stats": "column headings of the usage tables, durations as shown"},
    "browse.py": {"kb_app.content.finder": "finds entries by a word of the title (pure function over entries)"},
    "history.py": {"kb_app.content.finder": "names of authors and reviewers of a version, title finding"},
    "users.py": {"kb_app.accounts.auth": "UNIT_ROLES: which roles need a unit; DEMO_PASSWORD: named in the warning "
                                         "about the accounts still using it"},
}

#: Pages that reach the store or the database behind the facade, and why.
KNOWN_PAGE_STORE_USE = {
    "review.py": "reads main's commit (Kb.current_commit exists)",
}


@functools.lru_cache(maxsize=None)
def parsed(path: Path):
    return ast.parse(path.read_text(encoding="utf-8"))


def modules(under: Path = CORE):
    for path in sorted(under.rglob("*.py")):
        yield path.relative_to(CORE).as_posix(), parsed(path)


def is_core(rel: str) -> bool:
    return not rel.startswith(FRONT_END_DIRS)


def absolute_imports(tree, package: str):
    """Full names of the modules a module imports (relative imports resolved against ``package``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from kb_app.usage import suggest`` imports the module kb_app.usage.suggest.
            for alias in node.names:
                full = f"{module}.{alias.name}"
                yield full if module.startswith("kb_app") and is_module(full) else module


def is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (CORE / rel).with_suffix(".py").is_file() or (CORE / rel / "__init__.py").is_file()


def imported_roots(tree, rel: str) -> set[str]:
    """Top-level names of what a module imports (``kb_app`` for its own relative imports)."""
    return {name.split(".")[0] for name in absolute_imports(tree, package_of(rel))}


def package_of(rel: str) -> str:
    parts = ["kb_app", *rel[:-3].split("/")]
    return ".".join(parts if rel.endswith("__init__.py") else parts[:-1]).removesuffix(".__init__")


def runs_git(tree) -> bool:
    """Imports GitPython, or calls subprocess with a command line starting with ``git``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "git" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "git":
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess":
            first = node.args[0] if node.args else None
            if isinstance(first, (ast.List, ast.Tuple)) and first.elts \
                    and isinstance(first.elts[0], ast.Constant) and first.elts[0].value == "git":
                return True
    return False


def raw_git_calls(tree) -> bool:
    """Calls ``<something>.store.git(...)`` or ``store.git(...)``: git arguments outside the store."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "git":
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "store" \
                    or isinstance(owner, ast.Attribute) and owner.attr == "store":
                return True
    return False


def test_core_imports_no_front_end():
    offenders = []
    for rel, tree in modules():
        if not is_core(rel):
            continue
        bad = FRONT_ENDS & imported_roots(tree, rel)
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []


def test_front_ends_are_where_the_test_looks():
    """The exclusions above name real packages (a rename must not silently widen the core)."""
    assert (CORE / "cli.py").is_file() and (CORE / "ui" / "__init__.py").is_file()
    assert (CORE / "ui" / "commands" / "__init__.py").is_file(), "the kb command's families"
    assert not (CORE / "cli").exists(), "the kb command is kb_app/cli.py with its families in kb_app/ui/commands/"


def test_only_the_store_runs_git():
    runners = sorted(rel for rel, tree in modules() if is_core(rel) and runs_git(tree))
    assert runners == sorted(GIT_RUNNERS), "run git through kb_app.content.store (Store, run_git)"


def test_only_the_store_starts_programs():
    """A git command built in a variable escapes the check above; starting no program at all does not."""
    found = sorted(rel for rel, tree in modules() if is_core(rel) and rel not in GIT_RUNNERS
                   and "subprocess" in imported_roots(tree, rel))
    assert found == [], "start git through kb_app.content.store; list a module that must run another program"


def test_git_arguments_stay_in_the_store():
    found = {rel for rel, tree in modules() if is_core(rel) and rel not in GIT_RUNNERS
             and raw_git_calls(tree)}
    new = sorted(found - set(KNOWN_RAW_GIT))
    assert new == [], f"add a named Store method instead of calling store.git(...) in {new}"
    gone = sorted(set(KNOWN_RAW_GIT) - found)
    assert gone == [], f"no longer call store.git(...): remove them from KNOWN_RAW_GIT: {gone}"


def page_imports():
    """Per page, the kb_app modules it imports beyond the facade, labels, exceptions and ui helpers."""
    out = {}
    for rel, tree in modules(CORE / "ui" / "app_pages"):
        names = {n for n in absolute_imports(tree, package_of(rel)) if n.startswith("kb_app.")}
        extra = {n for n in names if not any(n == a or n.startswith(a + ".") for a in PAGE_ALLOWED)}
        if extra:
            out[rel.rsplit("/", 1)[-1]] = extra
    return out


def test_pages_import_only_the_facade():
    found = page_imports()
    known = {page: set(mods) for page, mods in KNOWN_PAGE_IMPORTS.items()}
    new = {page: sorted(mods - known.get(page, set())) for page, mods in found.items()
           if mods - known.get(page, set())}
    assert new == {}, "pages import only kb_app.kb (or kb_app), kb_app.labels, kb_app.exceptions, kb_app.ui"
    gone = {page: sorted(mods - found.get(page, set())) for page, mods in known.items()
            if mods - found.get(page, set())}
    assert gone == {}, "no longer imported: remove them from KNOWN_PAGE_IMPORTS"


def reaches_behind_facade(tree) -> bool:
    """Uses ``<kb>.store`` or calls ``<kb>.db()``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "store":
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "db":
            return True
    return False


def test_pages_do_not_reach_the_store_or_database():
    found = {rel.rsplit("/", 1)[-1] for rel, tree in modules(CORE / "ui" / "app_pages")
             if reaches_behind_facade(tree)}
    assert sorted(found - set(KNOWN_PAGE_STORE_USE)) == [], "pages call the facade, not kb.store or kb.db()"
    assert sorted(set(KNOWN_PAGE_STORE_USE) - found) == [], "fixed: remove them from KNOWN_PAGE_STORE_USE"


def test_the_cli_does_not_reach_the_store_or_database():
    commands = [("cli.py", parsed(CORE / "cli.py")), *modules(CORE / "ui" / "commands")]
    assert len(commands) > 5, "the kb command and its families"
    found = sorted(rel for rel, tree in commands if reaches_behind_facade(tree))
    assert found == [], "kb commands call the facade (kb_app.kb.Kb or a service on it)"


def test_the_checks_see_what_they_look_for():
    """The detectors themselves: each recognises the pattern it forbids."""
    src = ("import subprocess\nsubprocess.run(['git', 'log'])\n", "from git import Repo\n", "import git\n")
    assert all(runs_git(ast.parse(s)) for s in src)
    assert not runs_git(ast.parse("import subprocess\nsubprocess.run(['streamlit', 'run'])\n"))
    assert raw_git_calls(ast.parse("kb.store.git('rev-parse', 'HEAD')"))
    assert raw_git_calls(ast.parse("store.git('log')"))
    assert not raw_git_calls(ast.parse("kb.store.head()"))
    assert reaches_behind_facade(ast.parse("kb.store.head()")) and reaches_behind_facade(ast.parse("kb.db()"))
    tree = ast.parse("from kb_app import render, open_kb\nfrom kb_app.usage import suggest\n"
                     "from . import errors\n")
    names = set(absolute_imports(tree, "kb_app.ui.app_pages"))
    assert {"kb_app.render", "kb_app", "kb_app.usage.suggest"} <= names
