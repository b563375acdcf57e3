"""The password policy: what a new password must not be, wherever one is set (a new account, a reset,
a change). Enough length alone let 12345678 through; these are the passwords tried first."""

from __future__ import annotations

from ..exceptions import AccountError

MIN_PASSWORD = 8
#: What every refusal ends with: what a good password looks like.
ADVICE = f"请使用至少 {MIN_PASSWORD} 位、包含字母和数字的组合。"
#: The most common passwords in lists of leaked ones (Chinese sites' included), lower case; those that are
#: only digits, one character repeated or a plain sequence are refused by rule and need not be listed.
COMMON = frozenset({
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "qwerty123", "qwertyuiop", "qwer1234",
    "1qaz2wsx", "1q2w3e4r", "zxcvbnm123", "a123456789", "a12345678", "aa123456", "abc12345", "abcd1234",
    "admin123", "admin888", "iloveyou", "woaini1314", "woaini520", "5201314a", "huang123", "zhang123",
    "wang1234", "li123456",
})
#: A password that is a unit this long (or shorter) said again and again (aaaaaaaa, abababab, 123123123).
SHORT_UNIT = 3
#: The password of the sample's demo accounts (scripts/demo_users.py); published in the README, so
#: ``kb serve`` refuses to listen beyond this machine while an account still has it, and no other
#: account is given it.
DEMO_PASSWORD = "demo-2026"


def check_password(password: str, username: str = "", demo: bool = False):
    """AccountError (``field`` "password") unless the password may be set for the account ``username``;
    the published demo password only for a demo account of the sample (``demo``)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少需要 {MIN_PASSWORD} 个字符，请换一个更长的密码。", "password")
    if password == DEMO_PASSWORD and not demo:
        raise AccountError(f"不能使用公开的演示密码 {DEMO_PASSWORD}：它写在使用说明里，人人都知道，用它的账号谁都能登录。"
                           f"请换一个只有本人知道的密码，{ADVICE}", "password")
    if problem := weakness(password, username):
        raise AccountError(f"密码过于简单：{problem}。{ADVICE}", "password")


def weakness(password: str, username: str = "") -> str:
    """What makes a password easy to guess, in words ("" when nothing does)."""
    text = password.lower()
    if text.isascii() and text.isdigit():
        return "不能只用数字（生日、电话号码和连号最先被人猜到）"
    if repeated(text):
        return "不能是同一个字符或几个字符的重复"
    if sequence(text):
        return "不能是连续的数字或字母（如 12345678、abcdefgh）"
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in text:          # two letters of a name are too common to forbid
        return "不能包含用户名"
    if text in COMMON:
        return "这是最常用的密码之一，很容易被猜中"
    return ""


def repeated(text: str) -> bool:
    """A short unit said again and again: aaaaaaaa, abababab, 123123123."""
    return any(len(text) % n == 0 and text == text[:n] * (len(text) // n) for n in range(1, SHORT_UNIT + 1))


def sequence(text: str) -> bool:
    """Letters or digits one after another, up or down: 12345678, 87654321, abcdefgh, 78901234."""
    return any(all(_after(a, step) == b for a, b in zip(text, text[1:])) for step in (1, -1))


def _after(char: str, step: int) -> str:
    if "0" <= char <= "9":
        return str((int(char) + step) % 10)
    if "a" <= char <= "z":
        return chr(ord(char) + step)
    return ""
