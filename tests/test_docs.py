"""The README and the command help agree with the code."""

from pathlib import Path

import pytest

from kb_app.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


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
