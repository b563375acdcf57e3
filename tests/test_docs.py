"""The README and the command help agree with the code."""

import re
from pathlib import Path

import pytest

from kb_app.cli import cli
from kb_app.config import FIELDS, load_settings

PROJECT = Path(__file__).resolve().parent.parent
README = (PROJECT / "README.md").read_text(encoding="utf-8")
#: The README and the operators' documents (deploy.md, the nginx configuration).
DOCS = {path.relative_to(PROJECT).as_posix(): path.read_text(encoding="utf-8")
        for path in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md")),
                     *sorted((PROJECT / "docs").glob("*.conf"))]}
#: A setting named in prose: “设置 trusted_proxies”, “kb.toml 中的 `data_dir`”.
SETTING_IN_PROSE = re.compile(r"(?:kb\.toml`?|设置项?)\s*(?:中的?|的)?\s*`?([a-z][a-z0-9_]*)")
TOML_BLOCK = re.compile(r"```toml\n(.*?)```", re.S)


def all_commands(group, prefix="kb"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if hasattr(command, "commands"):
            yield from all_commands(command, f"{prefix} {name}")


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize("name, command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_has_help_with_an_example(name, command):
    assert command.help and "示例" in command.help, f"{name} 的帮助缺少示例"


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS if c[0].count(" ") == 1])
def test_every_command_is_in_the_readme(name):
    assert f"`{name}" in README


def test_readme_shows_the_two_commands():
    assert "./scripts/serve" in README and "./scripts/test" in README


def settings_section() -> str:
    return README.split("\n## 设置\n", 1)[1].split("\n## ", 1)[0]


def test_every_setting_is_in_the_readmes_table_and_nothing_else_is():
    rows = re.findall(r"^\| (`[^|]*) \|", settings_section(), re.M)
    named = {name for row in rows for name in re.findall(r"`([a-z_]+)`", row)}
    assert named == set(FIELDS), f"README 的设置表缺少 {set(FIELDS) - named}，多出 {named - set(FIELDS)}"


def read_by_the_code(variable: str) -> bool:
    """Whether a module or a script reads an environment variable that is not a setting (KB_CONFIG, KB_PORT …)."""
    sources = [*(PROJECT / "kb_app").rglob("*.py"), *(p for p in (PROJECT / "scripts").iterdir() if p.is_file())]
    return any(variable in path.read_text(encoding="utf-8", errors="replace") for path in sources)


@pytest.mark.parametrize("name", sorted(DOCS))
def test_the_settings_the_docs_name_exist(name, tmp_path):
    """A setting named in prose, a ``KB_*`` variable or a kb.toml example that kb would refuse
    (“配置文件中有未知设置项 web_trusted_proxies”) is a mistake of the documentation."""
    text = DOCS[name]
    unknown = sorted({m for m in SETTING_IN_PROSE.findall(text) if m not in FIELDS})
    assert not unknown, f"{name} 提到的设置项不存在：{unknown}"
    variables = set(re.findall(r"\bKB_[A-Z0-9_]+", text))
    unknown = sorted(v for v in variables if v[3:].lower() not in FIELDS and not read_by_the_code(v))
    assert not unknown, f"{name} 提到的环境变量不是设置项，也没有程序读取：{unknown}"
    for n, block in enumerate(TOML_BLOCK.findall(text)):
        example = tmp_path / f"example-{n}.toml"
        example.write_text(block, encoding="utf-8")
        load_settings(example)                      # an unknown setting or a bad value raises ConfigError
