"""Masking of personal data in text that is about to be stored (search logs, votes, reports).

``mask(text)`` replaces, in this order, e-mail addresses, mobiles with an international prefix,
18-digit and 15-digit resident ID numbers, bank-card numbers, other mobile numbers and landline numbers by a label in brackets (``[手机号]`` …).
Labels contain no digits, so masking is idempotent: ``mask(mask(t)) == mask(t)``.

What counts as a number of each kind:

- mobile: ``1[3-9]`` and nine more digits, in one run or grouped 3-4-4 with spaces or dashes,
  optionally preceded by ``+86``, ``0086``, ``86`` or ``(+86)``;
- landline: a ``0``-prefixed area code of 3–4 digits, then 7–8 digits, separated by a dash,
  a space or parentheses ``(010)``, optionally followed by an extension (``转123``, ``-123``);
  an unseparated ``0`` + 10–11 digit run is a landline too;
- ID: 17 digits and a digit or ``X`` whose birth date (positions 7–14) is a plausible date, or
  15 digits with a plausible ``yymmdd`` at positions 7–12; 6-8-4 grouping with spaces is accepted;
- bank card: 16–19 digits, in one run or in groups of four. A card number that fails the Luhn
  check is masked all the same: a caller who misreads one digit of a card still gave it away.

Ordinary numbers are left alone: the hotline number 12345, dates, 文号 such as
``京政办发〔2024〕12号``, money amounts, house numbers and counts never have the shapes above
(a digit run is only a candidate when no digit touches it on either side).
Full-width digits (``１３８…``) are read as ASCII digits.
"""

from __future__ import annotations

import re

LABELS = {"email": "[邮箱]", "id": "[身份证号]", "card": "[银行卡号]", "mobile": "[手机号]", "landline": "[电话]"}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）", "0123456789+-()")
_SEP = r"[ \-\u00a0]?"
_NO_DIGIT_BEFORE = r"(?<![0-9])"
_NO_DIGIT_AFTER = r"(?![0-9])"

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
ID18 = re.compile(_NO_DIGIT_BEFORE + r"(\d{6})[ ]?((?:18|19|20)\d{2})(\d{2})(\d{2})[ ]?(\d{3}[0-9Xx])(?![0-9A-Za-z])")
ID15 = re.compile(_NO_DIGIT_BEFORE + r"\d{6}(\d{2})(\d{2})(\d{2})\d{3}" + _NO_DIGIT_AFTER)
CARD = re.compile(_NO_DIGIT_BEFORE + r"(?:\d{16,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?)" + _NO_DIGIT_AFTER)
MOBILE = re.compile(_NO_DIGIT_BEFORE + r"(?:\(?(?:\+|00)?86\)?" + _SEP + r")?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}"
                    + _NO_DIGIT_AFTER)
#: A mobile with an international prefix first: 0086 and eleven digits would read as a 15-digit ID.
MOBILE_INTL = re.compile(_NO_DIGIT_BEFORE + r"\(?(?:\+|00)86\)?" + _SEP + r"1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}"
                         + _NO_DIGIT_AFTER)
LANDLINE = re.compile(_NO_DIGIT_BEFORE + r"(?:(?:\(0\d{2,3}\)|0\d{2,3}[ \-])[ ]?\d{3,4}[ \-]?\d{4}|0\d{10,11})"
                      + r"(?:(?:转|-|ext\.?|分机)\d{1,5})?" + _NO_DIGIT_AFTER)


def _plausible_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _id18(m: re.Match) -> str:
    return LABELS["id"] if _plausible_date(m.group(3), m.group(4)) else m.group(0)


def _id15(m: re.Match) -> str:
    return LABELS["id"] if _plausible_date(m.group(2), m.group(3)) else m.group(0)


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(text: str | None) -> str:
    """The text with phone, ID, bank-card numbers and e-mail addresses replaced by labels."""
    if not text:
        return text or ""
    text = str(text).translate(_FULL_WIDTH)
    text = EMAIL.sub(LABELS["email"], text)
    text = MOBILE_INTL.sub(LABELS["mobile"], text)
    text = ID18.sub(_id18, text)
    text = CARD.sub(LABELS["card"], text)
    text = ID15.sub(_id15, text)
    text = MOBILE.sub(LABELS["mobile"], text)
    text = LANDLINE.sub(LABELS["landline"], text)
    return text


def contains_personal_data(text: str | None) -> bool:
    """True when masking would change the text (used to check stored rows)."""
    return bool(text) and mask(text) != str(text).translate(_FULL_WIDTH)
