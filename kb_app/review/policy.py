"""The review policy and its permissions: which parties must approve a change, and who may do what.

The parties come from ``regulations/review_policy.yaml`` on main (never the one inside a change):
``center``, ``legal``, ``unit:<id>`` for the units owning or handling a file, or a party the policy
names with a role. Who may propose a change to a file, approve for a party, decline, publish or act
as the author is decided here, from the user and the change request as read; the workflow asks.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from pathlib import PurePosixPath

import yaml

from ..accounts.auth import AUTHOR_ROLES, UNIT_ROLES, User
from ..content import frontmatter
from ..content.model import as_date
from ..exceptions import KbError, PermissionDenied
from ..labels import PARTY_LABELS as PARTY_NAMES, ROLE_LABELS

POLICY_PATH = "regulations/review_policy.yaml"
DEFAULT_POLICY = {
    "rules": [{"paths": ["entries/policy/**"], "require": ["owner", "center"]},
              {"paths": ["entries/directory/**"], "require": ["center", "handlers"]},
              {"paths": ["regulations/**"], "require": ["center", "legal"]}],
}
SAFE_PATH = re.compile(r"^(entries|regulations)/[A-Za-z0-9_\-./]+\.(md|ya?ml)$")


@dataclasses.dataclass
class Policy:
    """The review policy: which parties each path needs (from ``review_policy.yaml``)."""

    rules: list[dict]
    parties: dict[str, dict]
    #: Parties any one of which publishes a change that only withdraws answers (``withdrawal``), or none.
    withdrawal: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_text(cls, text: str | None) -> "Policy":
        """Parse the policy file; a missing or malformed file falls back to the strict default."""
        try:
            data = yaml.safe_load(text) if text else None
        except yaml.YAMLError:
            data = None
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not rules:
            return cls(DEFAULT_POLICY["rules"], {})
        rules = [r for r in rules if isinstance(r, dict) and isinstance(r.get("paths"), list)
                 and isinstance(r.get("require"), list)]
        parties = data.get("parties") if isinstance(data.get("parties"), dict) else {}
        withdrawal = data.get("withdrawal") if isinstance(data.get("withdrawal"), dict) else {}
        one_of = withdrawal.get("require_one_of")
        return cls(rules or DEFAULT_POLICY["rules"],
                   {str(k): v for k, v in parties.items() if isinstance(v, dict)},
                   [str(t) for t in one_of if t] if isinstance(one_of, list) else [])

    @classmethod
    def from_snapshot(cls, snap) -> "Policy":
        """The policy of a snapshot (the one on main is the one in force)."""
        return cls.from_text(snap.files.get(POLICY_PATH))

    def tokens(self, path: str) -> list[str]:
        """Party tokens (owner, handlers, center, legal, …) of the rules matching a path."""
        found = [str(t) for r in self.rules if any(fnmatch.fnmatchcase(path, str(p)) for p in r["paths"])
                 for t in r["require"]]
        # A path no rule covers is still reviewed, by the strictest pair.
        return list(dict.fromkeys(found)) or ["center", "legal"]

    def party_role(self, party: str) -> str | None:
        """The role whose holders approve for a party the policy defines (None for built-in parties)."""
        spec = self.parties.get(party)
        return str(spec.get("role")) if isinstance(spec, dict) and spec.get("role") else None

    def party_label(self, party: str, units: dict[str, str]) -> str:
        """How a party is shown: the unit's name, the policy's name for it, or the built-in name."""
        if party.startswith("unit:"):
            return units.get(party[5:], party[5:])
        spec = self.parties.get(party) or {}
        return str(spec.get("name") or PARTY_NAMES.get(party, party))


def _strings(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


def _folder_unit(path: str) -> set[str]:
    parts = PurePosixPath(path).parts
    return {parts[2]} if path.startswith("entries/policy/") and len(parts) >= 4 else set()


def owners(path: str, versions) -> set[str]:
    """Units owning a file: the policy folder and the ``unit`` field of every version."""
    units = _folder_unit(path)
    for text in versions:
        units.update(_strings(frontmatter.meta_or_empty(text).get("unit")))
    return units


def handlers(versions) -> set[str]:
    """Units named as handler or co-handler in any version of a directory entry."""
    units = set()
    for text in versions:
        meta = frontmatter.meta_or_empty(text)
        units.update(_strings(meta.get("handler")) + _strings(meta.get("co_handlers")))
    return units


def party_order(party: str):
    """Sort key of parties: center, legal, parties the policy names, then units."""
    return ({"center": 0, "legal": 1}.get(party, 2 if not party.startswith("unit:") else 3), party)


def required_parties(main, base_files: dict, head_files: dict, touched, tokens=None) -> list[str]:
    """The parties that must approve a change: ``center``, ``legal``, ``unit:<id>``, …

    ``main`` is the snapshot (or :class:`Policy`) whose policy is in force; ``base_files`` and
    ``head_files`` map touched paths to their text before and after (absent: None). Both versions
    count, so removing a handler or deleting an entry still needs that unit's approval. ``tokens``
    (path → party tokens) defaults to the policy's rules for the path.
    """
    policy = main if isinstance(main, Policy) else Policy.from_snapshot(main)
    parties: set[str] = set()
    for path in touched:
        versions = [t for t in (base_files.get(path), head_files.get(path)) if t is not None]
        for token in (tokens or policy.tokens)(path):
            if token == "owner":
                parties.update(f"unit:{u}" for u in owners(path, versions))
            elif token == "handlers":
                parties.update(f"unit:{u}" for u in handlers(versions))
            else:
                parties.add(token)
    if not parties:
        parties.add("center")
    return sorted(parties, key=party_order)


def can_approve_for(user: User, party: str, policy: Policy) -> bool:
    """Whether a user belongs to a party (admins belong to none)."""
    if user.party == party:
        return True
    role = policy.party_role(party)
    return (party not in ("owner", "handlers", "center", "legal") and not party.startswith("unit:")
            and role is not None and role == user.role and user.role not in UNIT_ROLES)


def party_gaps(parties, policy: Policy, users, writers) -> dict[str, str]:
    """The parties of ``parties`` nobody can approve for, with why (a key of labels.PARTY_GAP_LABELS):
    ``no_account`` when no active account belongs to the party, ``author_only`` when every one that does
    wrote the change (``writers``: user names), who may not approve it."""
    gaps = {}
    for party in parties:
        able = [u.username for u in users if not u.disabled and can_approve_for(u, party, policy)]
        if not able:
            gaps[party] = "no_account"
        elif set(able) <= set(writers):
            gaps[party] = "author_only"
    return gaps


def approver_role(party: str, policy: Policy, units: dict[str, str]) -> str:
    """The kind of account that approves for a party, as a person reads it (单位审核人（示例市医疗保障局）)."""
    if party.startswith("unit:"):
        return f"{ROLE_LABELS['unit_reviewer']}（所属单位：{units.get(party[5:], party[5:])}）"
    role = {"center": "center_reviewer", "legal": "legal_reviewer"}.get(party) or policy.party_role(party)
    return ROLE_LABELS.get(role, role or party)


def entry_units(path: str, text: str | None) -> set[str]:
    """Units that may propose changes to a file: owner, maintainer, handler and co-handlers."""
    return units_of_entry(path, frontmatter.meta_or_empty(text))


def units_of_entry(path: str, meta: dict) -> set[str]:
    """:func:`entry_units` from front matter already read."""
    units = set(_strings(meta.get("unit"))) | _folder_unit(path)
    return units | set(_strings(meta.get("handler")) + _strings(meta.get("co_handlers")))


def check_author(user: User, path: str, old: str | None, new: str | None):
    """PermissionDenied unless the user may propose this change to this file."""
    if not SAFE_PATH.match(path) or ".." in PurePosixPath(path).parts:
        raise KbError(f"路径“{path}”无效：只能修改 entries/ 或 regulations/ 下的 .md / .yaml 文件。")
    if user.role not in UNIT_ROLES:
        return
    if path.startswith("regulations/"):
        raise PermissionDenied(f"单位编辑不能修改“{path}”：regulations/ 下的条例与配置只能由热线中心或法制审核人员"
                               "发起变更。")
    if path.startswith("entries/policy/"):
        units = owners(path, [t for t in (old, new) if t is not None])
        if units != {user.unit}:
            others = "、".join(sorted(units - {user.unit})) or "其他单位"
            raise PermissionDenied(f"“{path}”属于 {others}，您所在单位（{user.unit}）不能修改：请联系该单位的编辑。")
        return
    units = entry_units(path, old if old is not None else new)
    if user.unit not in units:
        raise PermissionDenied(f"您所在单位（{user.unit}）既不维护也不承办“{path}”，不能发起对它的变更：请联系热线中心。")


def check_changes(user: User, old: dict, new: dict):
    """:func:`check_author` for every file of a change (``old``/``new``: path -> text; absent: None)."""
    for path, text in new.items():
        check_author(user, path, old.get(path), text)


def check_proposer(user: User, old: dict, new: dict):
    """PermissionDenied unless the user's role may propose changes and every file is theirs to change."""
    if user.role not in AUTHOR_ROLES:
        raise PermissionDenied(f"{user.role_label} 不能发起变更")
    check_changes(user, old, new)


def require_author(user: User, cr, verb: str, admin: bool = False, hint: str = ""):
    """PermissionDenied unless the user wrote the change request (or, with ``admin``, is an admin)."""
    if user.username == cr.author or (admin and user.role == "admin"):
        return
    who = f"作者（{cr.author}）" + ("或管理员" if admin else "")
    raise PermissionDenied(f"只有{who}可以{verb}变更请求 #{cr.id}" + (f"：{hint}。" if hint else "。"))


def withdraws_only(base_files: dict, head_files: dict, touched, today) -> bool:
    """Whether a change only withdraws public answers: in each file it sets ``expires`` to a day before
    ``today`` and changes nothing else (停用), so that the answer is off the public site once published."""
    if not touched:
        return False
    for path in touched:
        old, new = base_files.get(path), head_files.get(path)
        if not path.startswith("entries/policy/") or old is None or new is None:
            return False
        try:
            (was, was_body, _), (now, now_body, _) = frontmatter.parse(old), frontmatter.parse(new)
        except frontmatter.FrontMatterError:
            return False
        ends = as_date(now.get("expires"))
        if ends is None or ends >= today or was_body != now_body or \
                {k: v for k, v in was.items() if k != "expires"} != {k: v for k, v in now.items() if k != "expires"}:
            return False
    return True


def reviewer_parties(user: User, cr, status, verb: str, authored: bool) -> list[str]:
    """The required parties the user may act for on a CR; PermissionDenied for its authors and outsiders."""
    if authored:
        raise PermissionDenied(f"您是变更请求 #{cr.id} 的作者，不能{verb}自己的变更：请由其他审核人审核。")
    mine = [p for p in status.required if can_approve_for(user, p, status.policy)]
    unit = f"unit:{user.unit}" if user.unit else ""
    if not mine and user.party is None and unit in status.required:
        # of the unit whose approval is needed, but not one of its reviewers
        raise PermissionDenied(f"您是{status.role_of(user)}，不是审核人：“{status.labels[unit]}”一方由本单位的审核人"
                               f"{verb}变更请求 #{cr.id}，请联系本单位的审核人。")
    if not mine:
        need = "、".join(status.labels[p] for p in status.required)
        raise PermissionDenied(f"您（{status.role_of(user)}）不属于变更请求 #{cr.id} 所需的审核方（{need}），不能{verb}。")
    return mine


def require_publisher(user: User, cr, status):
    """PermissionDenied unless the user is the CR's author, an admin or one of its reviewers."""
    if user.username != cr.author and user.role != "admin" and \
            not any(can_approve_for(user, p, status.policy) for p in status.required):
        raise PermissionDenied(f"您不是变更请求 #{cr.id} 的作者或审核人，不能发布它。")
