"""No text the apps show depends on an emoji font: without one (as on many office PCs and servers
rendering screenshots) 👍 and 👎 are empty boxes. Icons are Streamlit Material icons or words."""

import re
from pathlib import Path

KB_APP = Path(__file__).resolve().parent.parent / "kb_app"
#: Pictographs, emoticons, dingbats, miscellaneous symbols and the emoji variation selector.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u2300-\u23FF]")


def test_no_emoji_in_the_pages_templates_and_messages():
    found = []
    for path in sorted(KB_APP.rglob("*")):
        if path.suffix not in (".py", ".html", ".css", ".js", ".yaml", ".toml") or not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if EMOJI.search(line):
                found.append(f"{path.relative_to(KB_APP)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
