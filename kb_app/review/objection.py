"""Catalog objections (派单异议, Beijing 第十二条第三款; 退单, Baoding 第二十条).

A unit named as handler of a directory entry objects with its reasons and the unit it thinks
responsible. The objection is a change request of kind ``objection`` that moves the handler; the
review policy then requires the hotline center and every handler of the old and new versions —
so the proposed unit must agree before the matter is reassigned. Whatever the outcome, it is
kept with its reasons: in the CR record and, once published, in the entry's git history.
"""

from __future__ import annotations

import re

from ..content.model import in_use
from ..content.versions import parse
from ..exceptions import KbError, PermissionDenied
from ..labels import OBJECTION_OUTCOME_LABELS as OUTCOMES
from ..privacy import mask

KIND = "objection"
#: The events of an objection's record that decide it, shown with its history.
DECISIONS = ("approve", "rejected", "request_changes", "publish", "withdraw")


def file(kb, user, entry_id: str, reasons: str, proposed_unit: str, request: str = "", co_handle: bool = False,
         boundary: str | None = None):
    """File an objection against a directory entry: a CR reassigning it to ``proposed_unit``.

    ``co_handle`` keeps the objecting unit on the entry as a co-handler (应由住建委主办，人社局协办): an objection
    is as often about who leads as about who takes part. ``boundary`` is the entry's text as the unit proposes
    it (what the matter covers and where each part goes); the reviewers read it with the reassignment.
    ``request`` is the work order that prompted it (masked); once the objection is upheld it joins
    the dispatch history under the entry (kb_app.dispatch.history.after_publish).
    """
    snap = kb.snapshot()
    entry = snap.entries.get(entry_id)
    if entry is None or entry.kind != "directory":
        raise KbError(f"派单目录中没有“{entry_id}”：请检查编号。")
    if getattr(user, "unit", "") != entry.handler:
        raise PermissionDenied(f"只有主办单位（{snap.unit_name(entry.handler)}）可以对“{entry.title}”提出派单异议。")
    reasons = (reasons or "").strip()
    if len(reasons) < 10:
        raise KbError("请写明异议理由（不少于 10 个字）：说明为什么不属于本单位职责，以及依据。")
    unit = snap.units.get(proposed_unit)
    if unit is None or not in_use(unit):
        raise KbError(f"建议的承办单位“{proposed_unit}”不存在或已撤销：请从单位名录中选择。")
    if proposed_unit == entry.handler:
        raise KbError("建议的承办单位与现主办单位相同：请选择认为应当负责的其他单位。")
    boundary = (boundary or "").strip()
    if boundary and boundary == entry.body.strip():
        boundary = ""
    text = snap.files[entry.path]
    new_text = reassign(text, entry.handler, proposed_unit, co_handle=co_handle,
                        body=boundary + "\n" if boundary else None)
    proposed = unit.get("name", proposed_unit)
    mine = snap.unit_name(entry.handler)
    title = f"派单异议：“{entry.title}”建议改由{proposed}主办" + (f"、{mine}协办" if co_handle else "")
    description = (f"异议单位：{mine}\n建议承办单位：{proposed}" + (f"（{mine}协办）" if co_handle else "")
                   + f"\n异议理由：{reasons}" + ("\n同时修改了职责边界（正文）" if boundary else ""))
    data = {"entry": entry_id, "path": entry.path, "from": entry.handler, "to": proposed_unit,
            "reasons": reasons, "request": mask((request or "").strip())[:2000]}
    if co_handle:
        data["co_handle"] = True
    if boundary:
        data["boundary"] = True
    if data["request"]:
        description += f"\n引发异议的工单：{data['request']}"
    return kb.review.create(user, title, {entry.path: new_text}, kind=KIND, data=data, submit=True,
                            description=description)


#: A sentence of a catalogue entry's text saying who leads the matter (……由人力资源社会保障部门主办).
_SAYS_WHO_LEADS = re.compile(r"[^。；;\n]*主办[^。；;\n]*")


def stale_boundary(kb, cr) -> str | None:
    """For an open objection moving an entry's handler that leaves the entry's text (its 职责边界) as it was, and that
    text says who leads the matter: the note telling its reviewers to check it against the unit proposed, with what
    it says (拖欠工资 still read 由人力资源社会保障部门（劳动保障监察）主办 once moved to 住建委). None otherwise."""
    if cr.kind != KIND or not cr.is_open or not cr.head or not isinstance(cr.data.get("path"), str):
        return None
    path = cr.data["path"]
    before, after = (parse(path, kb.review.read_many(c, [path]).get(path)) for c in (cr.base, cr.head))
    if before is None or after is None or before.body.strip() != after.body.strip() or before.handler == after.handler:
        return None
    said = [m.group(0).strip(" ，,：:*") for m in _SAYS_WHO_LEADS.finditer(after.body.replace("**", ""))]
    if not said:
        return None
    new = kb.snapshot().unit_name(after.handler)
    return (f"改派后事项说明（职责边界）没有修改，仍写着“{'；'.join(said)}”：请核对它与改派后的主办单位（{new}）是否相符；"
            "不符的，请退回修改，由提出单位一并修改职责边界，以免坐席按旧的说明派单、答复。")


_HANDLER = re.compile(r"^(handler:[ \t]*)(\S+)", re.M)
_CO_HANDLERS = re.compile(r"^(co_handlers:[ \t]*\[)([^\]]*)\]", re.M)


def reassign(text: str, old: str, new: str, co_handle: bool = False, body: str | None = None) -> str:
    """Move the lead to ``new`` in an entry's front matter; ``new`` leaves the co-handlers if listed, and
    ``old`` joins them with ``co_handle``; ``body`` replaces the text when given."""
    head, sep, rest = text.partition("\n---\n")
    head = _HANDLER.sub(lambda m: m.group(1) + new, head, count=1)

    def co_handlers(m):
        kept = [u.strip() for u in m.group(2).split(",") if u.strip() and u.strip() not in (new, old)]
        return m.group(1) + ", ".join(([old] if co_handle else []) + kept) + "]"

    if _CO_HANDLERS.search(head):
        head = _CO_HANDLERS.sub(co_handlers, head, count=1)
    elif co_handle:
        head = _HANDLER.sub(lambda m: f"{m.group(0)}\nco_handlers: [{old}]", head, count=1)
    return head + sep + (rest if body is None else body)


def history(kb, entry_id: str) -> list[dict]:
    """Every objection filed against an entry, newest first, with its outcome and the reasons given; the
    people by name as well (``filed_by_name``, each decision's ``actor_name``), by user name where the
    account is gone."""
    from .changes import people, person

    filed = [cr for cr in kb.review.list(kind=KIND) if cr.data.get("entry") == entry_id]
    names = people(kb) if filed else {}
    out = []
    for cr in filed:
        decisions = [{**e, "actor_name": person(names, e["actor"])}
                     for e in kb.review.events(cr.id) if e["action"] in DECISIONS]
        out.append({"cr": cr.id, "state": cr.state, "outcome": OUTCOMES.get(cr.state, cr.state_label),
                    "from": cr.data.get("from"), "to": cr.data.get("to"), "reasons": cr.data.get("reasons"),
                    "filed_by": cr.author, "filed_by_name": person(names, cr.author), "filed": cr.created,
                    "decisions": decisions})
    return out
