"""Calls that teach the emergency recogniser: the console's misses and false alarms as example calls.

Every request an agent closes in the dispatch console is recorded with the hint it had (``request_outcomes``,
masked). Two kinds of them are what the recogniser should learn (``kb_app.dispatch.resemblance``):

- a **miss**: the agent transferred the call to an emergency line and the console had shown no hint
  (紧急 or 疑似紧急) — an example of that line;
- a **false alarm**: the console showed a hint and the agent confirmed it was no emergency (不是紧急情况)
  — an example of an ordinary call (``none``).

:func:`propose` gathers those of a period that ``regulations/intake_examples.yaml`` does not hold yet and
opens a change request adding them, reviewed like any change of the intake rules (nothing changes the
recognition without review). Only the hotline center may do so, one such request at a time.
"""

from __future__ import annotations

import yaml

from ..content.model import config_path
from ..exceptions import KbError, PermissionDenied
from .suggest import phrasing_key
from .tasks import CENTER_ROLES

PATH = config_path("intake_examples")
NONE = "none"
#: What a new examples file starts with.
HEADER = ("# 以往来电示例：紧急情况的另一种识别（见 kb_app/dispatch/resemblance.py）。每条是来电人的原话和应当转接的专线\n"
          "# （110、119、120、122），或 none：不是紧急情况的普通诉求。\n")


def known_texts(config) -> set[str]:
    """The phrasings (as compared: :func:`kb_app.usage.suggest.phrasing_key`) of the examples file."""
    items = config.get("examples") if isinstance(config, dict) else None
    return {phrasing_key(i["text"]) for i in items or [] if isinstance(i, dict) and isinstance(i.get("text"), str)}


def learnable(kb, start=None, end=None, limit: int = 500) -> list[dict]:
    """The misses (``line``: the line transferred to) and false alarms (``line``: none) of a period that the
    examples file does not hold, oldest first, each phrasing once: ``{text, line, kind}``."""
    stats = kb.stats
    known = known_texts(kb.snapshot().config("intake_examples", {}))
    rows = [{"text": r["text"], "line": str(r["line"]), "kind": "missed", "at": r["at"]}
            for r in stats.missed_emergencies(start, end, limit) if r.get("line")]
    rows += [{"text": r["text"], "line": NONE, "kind": "false_alarm", "at": r["at"]}
             for r in stats.dismissed_hints(start, end, limit)]
    out = []
    for row in sorted(rows, key=lambda r: r["at"]):
        key = phrasing_key(row["text"])
        if key and key not in known:
            known.add(key)
            out.append({k: row[k] for k in ("text", "line", "kind")})
    return out


def with_examples(text: str | None, rows: list[dict]) -> str:
    """The examples file's text with ``rows`` added at the end of its ``examples`` list; the lines before
    are kept as they are when the file ends with that list, else the file is written anew."""
    lines = "".join(f"  - {{text: {_quoted(r['text'])}, line: \"{r['line']}\"}}\n" for r in rows)
    if not text:
        return HEADER + "examples:\n" + lines
    data = yaml.safe_load(text) if text.strip() else None
    old = data.get("examples") if isinstance(data, dict) else None
    if isinstance(old, list):
        appended = text if text.endswith("\n") else text + "\n"
        appended += lines
        try:
            if yaml.safe_load(appended).get("examples") == [*old, *({"text": r["text"], "line": r["line"]}
                                                                    for r in rows)]:
                return appended
        except yaml.YAMLError:
            pass
    data = data if isinstance(data, dict) else {}
    data["examples"] = [*(old if isinstance(old, list) else []), *({"text": r["text"], "line": r["line"]} for r in rows)]
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def _quoted(text: str) -> str:
    return yaml.safe_dump(" ".join(text.split()), allow_unicode=True, default_style='"', width=10000).strip()


def pending(kb):
    """The open change request made by :func:`propose`, or None."""
    return next((cr for cr in kb.review.list() if cr.is_open and cr.data.get("intake_examples")), None)


def propose(kb, user, start=None, end=None):
    """Open (and submit) the change request that adds a period's misses and false alarms to the examples."""
    if getattr(user, "role", None) not in CENTER_ROLES:
        raise PermissionDenied("只有热线中心可以补充来电示例：请由中心审核人员操作。")
    cr = pending(kb)
    if cr is not None:
        raise KbError(f"补充来电示例的变更请求 #{cr.id}（{cr.state_label}）还在校核中：请先在变更校核中处理它。")
    rows = learnable(kb, start, end)
    if not rows:
        raise KbError("所选期间没有可以补充的来电：坐席转接而派单助手未提示的来电、坐席确认不是紧急的提示，"
                      "都已在来电示例中或者没有记录。")
    missed = sum(r["kind"] == "missed" for r in rows)
    alarms = len(rows) - missed
    title = f"来电示例：补充 {len(rows)} 条（漏报 {missed}、误报 {alarms}）"
    description = ("依据派单助手的处理记录：坐席转接到紧急专线而派单助手没有提示的来电，按所转专线加入；"
                   "派单助手提示了紧急而坐席确认不是紧急的来电，作为“不是紧急情况”的示例加入。来电内容已按隐私规则遮蔽。")
    new_text = with_examples(kb.store.read(PATH), rows)
    return kb.review.create(user, title, {PATH: new_text}, submit=True, description=description,
                            data={"intake_examples": len(rows)})
