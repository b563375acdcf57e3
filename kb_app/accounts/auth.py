"""Local accounts: argon2 password hashes, roles, the review party a user speaks for, and log-in.

Log-in goes through the throttle (kb_app.accounts.throttle) and the audit trail (kb_app.accounts.audit); disabling an
account or changing its password ends its sessions (kb_app.accounts.sessions) at once. Every new password is held
to the policy of kb_app.accounts.passwords.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import re
import socket

import argon2

from .. import db as dbmod
from ..config import locating_options
from ..exceptions import AccountError, AuthError, KbError, PermissionDenied
from ..labels import ROLE_LABELS
from .passwords import DEMO_PASSWORD, check_password

ROLES = ROLE_LABELS
UNIT_ROLES = ("unit_editor", "unit_reviewer")
AUTHOR_ROLES = ("unit_editor", "center_reviewer", "legal_reviewer", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
# argon2id with OWASP's minimum profile (19 MiB, 2 passes, 1 lane): strong, and quick enough on a
# shared 2-core server; hashes made with other parameters are upgraded at the next log-in.
_hasher = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verifying against this keeps the time of a failed log-in independent of whether the user exists.
_DUMMY_HASH = _hasher.hash("kb-app-dummy-password")


@dataclasses.dataclass(frozen=True)
class User:
    """A signed-in person (never carries the password hash)."""

    username: str
    name: str
    role: str
    unit: str = ""
    email: str = ""
    disabled: bool = False

    @property
    def role_label(self) -> str:
        return self.role_named(str)

    def role_named(self, unit_name) -> str:
        """The role as a person reads it, the unit by its name (单位审核人·示例市人力资源和社会保障局);
        ``unit_name(id)`` gives a unit's name."""
        label = ROLES.get(self.role, self.role)
        return f"{label}·{unit_name(self.unit)}" if self.role in UNIT_ROLES and self.unit else label

    @property
    def party(self) -> str | None:
        """The review party this user approves for: ``center``, ``legal``, ``unit:<id>`` or None."""
        if self.role == "center_reviewer":
            return "center"
        if self.role == "legal_reviewer":
            return "legal"
        if self.role == "unit_reviewer" and self.unit:
            return f"unit:{self.unit}"
        return None

    @property
    def can_author(self) -> bool:
        return self.role in AUTHOR_ROLES

    @property
    def signature(self) -> str:
        """``Name <email>`` for git commits."""
        return f"{self.name} <{self.email or self.username + '@kb.local'}>"


def _user(row: dict) -> User:
    return User(row["username"], row["name"], row["role"], row.get("unit") or "", row.get("email") or "",
                bool(row.get("disabled")))


class Users:
    """The ``users`` table of the workflow database."""

    def __init__(self, kb):
        self.kb = kb

    def _units(self) -> dict:
        return self.kb.snapshot().units

    def _role_detail(self, role: str, unit: str) -> str:
        """A role and unit as the audit trail says them, the unit by name and number (a name may change
        later): 角色：单位编辑，单位：示例市人力资源和社会保障局（city-hrss）."""
        said = f"角色：{ROLES.get(role, role)}"
        if not unit:
            return said
        name = self.kb.snapshot().unit_name(unit)
        return f"{said}，单位：{name}（{unit}）" if name != unit else f"{said}，单位：{unit}"

    def add(self, username: str, name: str, password: str, role: str, unit: str = "", email: str = "",
            actor: str = "", via: str = "cli", demo: bool = False) -> User:
        """Create an account (recorded in the audit log: who made it, with which role); unit roles need a
        unit registered in units.yaml. Only a demo account of the sample (``demo``) may have the published
        demo password."""
        username = (username or "").strip()
        db = self.kb.db()
        # Every problem at once, so that one attempt shows all there is to put right.
        problems: list[KbError] = []

        def check(test, *args):
            try:
                return test(*args)
            except KbError as e:
                problems.append(e)

        if not USERNAME.match(username):
            problems.append(KbError(f"用户名“{username}”格式不对：请用 2 到 40 个小写字母、数字、点、下划线或连字符，"
                                    "以字母或数字开头。"))
        elif db["users"].count_where("username = ?", [username]):
            problems.append(AccountError(f"用户“{username}”已存在：请换一个用户名；要修改其密码，请用“重置密码”。",
                                         "exists"))
        if not (name or "").strip():
            problems.append(KbError("缺少姓名：请填写用户的姓名（会出现在审核记录和发布说明中）。"))
        unit = check(self._unit_for, role, unit)
        check(check_password, password, username, demo)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise AccountError(f"账号未建立，有 {len(problems)} 处要改：\n" + "\n".join(f"- {e}" for e in problems))
        row = {"username": username, "name": name.strip(), "password_hash": _hasher.hash(password), "role": role,
               "unit": unit, "email": (email or "").strip(), "disabled": 0, "created": self.kb.now().isoformat()}
        db["users"].insert(row)
        self.kb.audit.record("created", username, None, via, actor, self._role_detail(role, unit), db)
        return _user(row)

    def _unit_for(self, role: str, unit: str) -> str:
        """The unit an account of ``role`` is given: unit roles need one registered in units.yaml; the other
        roles may name one (a registered one) or none."""
        if role not in ROLES:
            raise KbError(f"角色“{role}”无效：可用的角色有 {'、'.join(ROLES)}。")
        unit = (unit or "").strip()
        if role in UNIT_ROLES:
            if not unit:
                raise AccountError(f"角色“{ROLES[role]}”必须指定所属单位：请选择所属单位。", "unit")
            if unit not in self._units():
                raise AccountError(f"单位“{unit}”未在 regulations/units.yaml 中登记：请填写已登记的单位编号。", "unit")
        elif unit and unit not in self._units():
            raise AccountError(f"单位“{unit}”未在 regulations/units.yaml 中登记：请填写已登记的单位编号，或不填。", "unit")
        return unit

    def set_role(self, username: str, role: str, unit: str = "", actor: str = "", via: str = "cli") -> User:
        """Give an account another role and unit, checked as for a new account, and record it; an account
        already so is left as it is (nothing is recorded). The last active administrator keeps the role.
        Its sessions go on, with the new role from their next step."""
        user = self.require(username)
        unit = self._unit_for(role, unit)
        if (user.role, user.unit) == (role, unit):
            return user
        detail = f"{self._role_detail(user.role, user.unit)} → {self._role_detail(role, unit)}"
        with dbmod.transaction(self.kb.settings.db_path) as db:
            if role != "admin":
                self._keep_an_admin(db, user, "取消该账号的管理员角色")
            db["users"].update(user.username, {"role": role, "unit": unit})
            self.kb.audit.record("role", user.username, None, via, actor, detail, db)
        return self.require(username)

    @staticmethod
    def _keep_an_admin(db, user: User, change: str):
        """AccountError if ``change`` would leave no active administrator: someone must still manage accounts.
        Asked on the connection of the change's own transaction, so two administrators disabling each other
        at once cannot both pass."""
        if user.role != "admin" or user.disabled:
            return
        if db["users"].count_where("role = 'admin' and not disabled and username != ?", [user.username]):
            return
        raise AccountError(f"不能{change}：“{user.username}”是唯一在用的管理员账号，{change}后就没有人能管理账号了。"
                           f"请先把另一个账号设为管理员，再{change}。", "last_admin")

    def get(self, username: str) -> User | None:
        rows = list(self.kb.db()["users"].rows_where("username = ?", [username]))
        return _user(rows[0]) if rows else None

    def require(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise AccountError(f"用户“{username}”不存在：请检查用户名。", "missing")
        return user

    def list(self) -> list[User]:
        return [_user(r) for r in self.kb.db()["users"].rows_where(order_by="username")]

    def find_by_email(self, email: str) -> User | None:
        """A user whose e-mail (or username) matches a git author e-mail."""
        email = (email or "").strip().lower()
        if not email:
            return None
        local = email.split("@", 1)[0]
        users = [u for u in self.list() if not u.disabled]
        return (next((u for u in users if u.email.lower() == email), None)
                or next((u for u in users if u.username == local), None))

    def set_disabled(self, username: str, disabled: bool = True, actor: str = "", via: str = "cli") -> User:
        """Disable (or enable) an account; disabling ends its sessions at once. An account already in
        that state is left as it is (nothing is recorded); the last active administrator stays enabled."""
        user = self.require(username)
        if user.disabled == bool(disabled):
            return user
        with dbmod.transaction(self.kb.settings.db_path) as db:
            if disabled:
                self._keep_an_admin(db, user, "停用该账号")
            db["users"].update(username, {"disabled": int(disabled)})
            detail = f"结束 {self.kb.sessions.end_all(username, 'disabled', db)} 个会话" if disabled else ""
            self.kb.audit.record("disabled" if disabled else "enabled", username, None, via, actor, detail, db)
        return self.require(username)

    def set_password(self, username: str, password: str, actor: str = "", via: str = "cli") -> User:
        """Set a new password; every session of the account ends at once."""
        self.require(username)
        check_password(password, username)
        db = self.kb.db()
        db["users"].update(username, {"password_hash": _hasher.hash(password)})
        ended = self.kb.sessions.end_all(username, "password", db)
        self.kb.audit.record("password", username, None, via, actor, f"结束 {ended} 个会话")
        return self.require(username)

    def authenticate(self, username: str, password: str, client: str | None = None, via: str = "cli") -> User:
        """The user whose password this is, unless the account or address is locked (see kb_app.accounts.throttle)."""
        return self.kb.throttle.guard(username, client, via, lambda: self._verify(username, password))

    def _verify(self, username: str, password: str) -> User:
        """The user whose password this is; AuthError otherwise (same message for any wrong pair)."""
        rows = list(self.kb.db()["users"].rows_where("username = ?", [(username or "").strip()]))
        stored = rows[0]["password_hash"] if rows else _DUMMY_HASH
        try:
            _hasher.verify(stored, password or "")
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            raise AuthError("用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。")
        if not rows:
            raise AuthError("用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。")
        row = rows[0]
        if row.get("disabled"):
            raise AuthError(f"账号“{row['username']}”已停用：如需恢复，请联系管理员。")
        if _hasher.check_needs_rehash(stored):
            self.kb.db()["users"].update(row["username"], {"password_hash": _hasher.hash(password)})
        return _user(row)

    def with_demo_password(self) -> list[str]:
        """Enabled accounts whose password is still the published demo password."""
        rows = self.kb.db()["users"].rows_where("disabled = 0 or disabled is null", order_by="username")
        return [row["username"] for row in rows if _is_demo_hash(row["password_hash"])]

    def check_listen_address(self, address: str, program: str = "kb"):
        """KbError if the app would be reachable from elsewhere while an account has the demo password.

        The commands it gives to put that right are whole: ``program`` (how the person runs kb) with the
        options that reach this knowledge base from anywhere, not the current folder's.
        """
        if is_loopback(address):
            return
        demo = self.with_demo_password()
        if demo:
            options = locating_options(self.kb.settings)
            raise KbError(f"不能在 {address} 上启动：账号 {'、'.join(demo)} 仍在使用公开的演示密码（{DEMO_PASSWORD}），"
                          f"其他机器上的任何人都能用它登录。请先修改这些账号的密码（{program} user passwd 用户名 "
                          f"{options}，按提示输入新密码；或由管理员在“用户管理”页面重置），或停用不用的账号"
                          f"（{program} user disable 用户名 {options}）；只在本机试用时请用 --address 127.0.0.1。")


@functools.lru_cache(maxsize=4096)
def _is_demo_hash(stored: str) -> bool:
    """Whether a stored password hash is of the demo password. A hash names its salt, so the answer for a
    hash never changes: kept, the administrators' page, drawn again on every click, does not spend some
    50 ms an account verifying it anew."""
    try:
        return _hasher.verify(stored, DEMO_PASSWORD)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def is_loopback(address: str) -> bool:
    """Whether a listening address is reachable only from this machine (loopback or a Unix socket)."""
    address = (address or "").strip()
    if address.startswith("unix://"):
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(address, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def authenticate(kb, username: str, password: str, client: str | None = None, via: str = "cli") -> User:
    """Check a username and password against the knowledge base's accounts (throttled)."""
    return Users(kb).authenticate(username, password, client, via)


def require_role(user: User | None, *roles: str):
    """PermissionDenied unless the user is signed in with one of the roles."""
    if user is None:
        raise PermissionDenied("请先登录：该操作需要登录后才能进行。")
    if user.disabled:
        raise PermissionDenied(f"账号“{user.username}”已停用：如需恢复，请联系管理员。")
    if roles and user.role not in roles:
        names = "、".join(ROLES[r] for r in roles)
        raise PermissionDenied(f"您的角色（{user.role_label}）不能执行该操作：需要 {names} 角色。")
