"""Every rule of the content contract, checked over a Snapshot; all problems in one run.

This module checks entries and regulation texts and owns the public calls (``validate``,
``invalid_files``, ``file_owner``); the configuration files are checked in
``kb_app.content.validate_configs``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import PurePosixPath

from ..privacy import CARD, CN_NUMBER, CN_TO_ASCII, CONTACT_ACCOUNT, ID18, luhn_valid, resident_id_valid
from .markup import COMMENT
from .model import (DATE_FIELDS, ENTRY_DIRS, ID_PATTERN, PUBLIC_FIELDS, Entry, Problem, Snapshot, article_number,
                    date_problem, in_use)
from .numerals import article_label
from .validate_configs import ConfigChecks

COMMON_FIELDS = {"id", "kind", "title", "unit", "audience", "category", "regions", "keywords", "effective",
                 "expires", "review_by", "basis", "agent_notes", "checked"}
FIELDS = {
    "policy": COMMON_FIELDS | {"questions", "facts"},
    "directory": COMMON_FIELDS | {"examples", "handler", "co_handlers", "level", "time_limit", "questions"},
}
REQUIRED = {
    "policy": ("id", "kind", "title", "unit", "audience"),
    "directory": ("id", "kind", "title", "unit", "handler", "level", "time_limit"),
}
LIST_FIELDS = ("questions", "category", "regions", "keywords", "examples", "co_handlers")
LEVELS = ("city", "district", "street")
#: The longest title (characters): a heading in a list of results (the longest name of a real catalogue
#: of service items is 110).
TITLE_LIMIT = 200
#: The longest body (characters) of an entry: what an agent reads on a call, a citizen on a phone.
BODY_LIMIT = 60_000


def validate(snap: Snapshot) -> list[Problem]:
    """Return every problem found in the snapshot, sorted by file and line."""
    v = _Validator(snap)
    v.run()
    return sorted(set(v.problems), key=lambda p: (p.path, p.line, p.field, p.message))


def invalid_files(snap: Snapshot) -> dict[str, list[Problem]]:
    """Every file of the snapshot that fails validation, with its problems (file by file, in order)."""
    out: dict[str, list[Problem]] = {}
    for p in validate(snap):
        out.setdefault(p.path, []).append(p)
    return out


def file_owner(snap: Snapshot, path: str) -> tuple[str, str, str] | None:
    """(unit, entry id, title) responsible for an entry file, or None when no registered unit is.

    The entry's ``unit`` when registered, else the folder of a policy answer; a file whose front
    matter cannot be read at all still belongs to the folder it is in.
    """
    if not path.startswith("entries/"):
        return None
    entry = snap.entry_by_path(path)
    folder = PurePosixPath(path).parent.name if path.startswith(ENTRY_DIRS["policy"]) else ""
    stem = PurePosixPath(path).stem
    unit = entry.unit if entry is not None and entry.unit in snap.units else folder
    if unit not in snap.units:
        return None
    return unit, entry.id if entry is not None else stem, (entry.title if entry is not None else "") or stem


#: Words that say a text is for staff only (仅供坐席内部使用, 不得对外公开, 内部口径, the 内部提示 every agent_notes
#: begins with, 不要告诉来电人, 仅限坐席协调使用, 内部直线): in an answer the public reads they say it was meant to be
#: internal, and whatever else it says (a 科长's mobile) should not be public. 仅供参考 is no such word: public
#: answers say it of themselves; nor are 坐席 alone (坐席会为您转接), 内部 alone (小区内部道路) and what an answer
#: promises the public (个人信息不向公众公开).
INTERNAL_WORDING = re.compile(
    r"仅供(?:坐席|内部)(?:内部)?(?:使用|参考|掌握)?|(?:仅限|只限|只供|限于|供)内部使用|(?:仅限|只限|只供|限|仅)坐席"
    r"|坐席(?:内部|专用|自用|注意|须知)|内部(?:口径|资料|掌握|提示|备注|直线|专线)|值班直线|(?:请勿|严禁|不得)外传"
    r"|不得(?:对外|向公众)|不对外(?:公开|公布|提供|透露)|严禁告知"
    r"|(?:不要|不能|不得|不可|切勿|请勿|勿|严禁|别)(?:告诉|告知|透露给?|泄露给?)(?:来电人|来电者|来电群众|市民|群众|公众)"
    r"|(?:不|勿)(?:向|对)(?:来电人|来电者|市民|群众|公众)(?:透露|提及)")
#: A mainland mobile number (138 0013 8000 too): a person's, which a public answer does not give out.
MOBILE_NUMBER = re.compile(r"(?<![\d-])1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![\d-])")
#: Words that introduce a resident ID or a bank card right before its number (身份证号 1101…, 银行卡：6222…): a
#: number so introduced is someone's whether or not its check digit is right (a typo, a made-up example).
ID_CUE = re.compile(r"(?:身份证|身份号码|证件号)(?:号码?|号)?\s*(?:是|为|:|：)?\s*$")
CARD_CUE = re.compile(r"(?:银行卡|储蓄卡|借记卡|信用卡|工资卡|社保卡|卡号|银行账号)(?:号码?|号)?\s*(?:是|为|:|：)?\s*$")
#: A unit's collection account is given with its 户名 or 开户行 on the same line: a public account, not a card.
PUBLIC_ACCOUNT = re.compile(r"户名|开户行|开户银行|对公账户")
#: A line that starts like a front-matter field (``audience: internal``, ``agent_notes: 内部提示：…``): in the body
#: it is no field but text the reader sees, often staff's words pasted below the front matter.
FRONT_MATTER_LINE = re.compile(r"^[ \t]*(?P<field>" + "|".join(sorted(COMMON_FIELDS | FIELDS["policy"] | FIELDS["directory"]))
                               + r")[ \t]*[:：]", re.M)
#: A 文号 in its brackets (〔2024〕; also [2024], （2024）): the year four digits, then the number and 号.
DOCUMENT_NUMBER = re.compile(r"[〔\[(]\d{4}[〕\])]\d+号")
#: What a 文号's brackets hold, after NFKC (［2024］ and （2024） read as [2024] and (2024)).
_BRACKETED = re.compile(r"[〔\[(]([^〕\])]{2,6})[〕\])]")


#: The front matter of a regulation text: all it knows. A regulation text is always public (there is no audience).
REGULATION_FIELDS = {"id", "title", "issuer", "adopted", "effective", "note", "questions"}

NUMBER_FIXES = {
    "手机号": "公开答复写单位的办公电话或 12345，不写个人手机号；只给坐席用的号码写进 agent_notes",
    "身份证号": "公开答复不写任何人的身份证号；需要举例的写成遮去中间几位的样子（如 110101********1234），"
                "个案信息写进 agent_notes 或改为 audience: internal",
    "银行卡号": "公开答复不写个人的银行卡号；单位的收款账户在同一行写明户名和开户行，个案信息写进 agent_notes 或改为 audience: internal",
    "微信号或 QQ 号": "公开答复写单位的公众号名称、办公电话或 12345，不写个人的微信号、QQ 号；只给坐席用的写进 agent_notes",
}


def visible(text: str) -> str:
    """The text as readers see it: each HTML comment (an editor's note) blanked, its lines kept for the line numbers."""
    return COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)


def _line_at(text: str, pos: int) -> str:
    """The whole line of ``text`` that holds offset ``pos``."""
    end = text.find("\n", pos)
    return text[text.rfind("\n", 0, pos) + 1:end if end >= 0 else len(text)]


def _introduced(text: str, start: int, cue: re.Pattern) -> bool:
    return bool(cue.search(text, max(0, start - 12), start))


def personal_numbers(text: str) -> list[tuple[int, str, str]]:
    """(offset, kind, number as written) of every mobile (in Chinese digits too: 一三九……), resident ID, bank card
    number and WeChat or QQ account in a text, in the order they stand.

    An ID counts when its GB 11643 check character is right or 身份证号 introduces it; a card when its 16–19
    digits (in groups of four too) pass the Luhn check and begin as cards do (3–6), or 银行卡/卡号 introduces
    it; not on a line that gives a unit's account (户名, 开户行). A 文号, a date, 12345 or a landline is none.
    """
    found = [(m.start(), "手机号", m.group()) for m in MOBILE_NUMBER.finditer(text)]
    found += [(m.start(), "手机号", m.group()) for m in CN_NUMBER.finditer(text)
              if MOBILE_NUMBER.fullmatch(m.group().translate(CN_TO_ASCII).replace(" ", "").replace("-", ""))]
    ids = []
    for m in ID18.finditer(text):
        if resident_id_valid(m.group().replace(" ", "")) or _introduced(text, m.start(), ID_CUE):
            ids.append(m.span())
            found.append((m.start(), "身份证号", m.group()))
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if any(a < m.end() and m.start() < b for a, b in ids):
            continue
        card = (luhn_valid(digits) and digits[0] in "3456") or _introduced(text, m.start(), CARD_CUE)
        if card and not PUBLIC_ACCOUNT.search(_line_at(text, m.start())):
            found.append((m.start(), "银行卡号", m.group()))
    found += [(m.start("account"), "微信号或 QQ 号", m.group("account")) for m in CONTACT_ACCOUNT.finditer(text)]
    return sorted(found)


class _Validator(ConfigChecks):
    """Collects every problem of a snapshot: entries and regulation texts here, config files in ConfigChecks."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self.problems: list[Problem] = list(snap.parse_problems)

    def add(self, path, line, field, message, fix):
        self.problems.append(Problem(path, line or 1, field, message, fix))

    def run(self):
        self.check_configs()
        self.check_regulations()
        seen: dict[str, Entry] = {}
        for entry in self.snap.entry_list:
            self.check_entry(entry)
            other = seen.get(entry.id)
            twins = self.snap.context_problems.get(entry.path, {}).get("id")
            if twins:  # every file of an id several files are named by: none of them is public
                hidden = "，在改正之前公众看不到这几个条目" if entry.kind == "policy" else ""
                self.add(entry.path, entry.lines.get("id"), "id", twins + hidden,
                         "一个编号只能有一个文件：删除多余的一份，或为其中一个条目改用新的编号并同时修改文件名")
            elif other is not None:  # said of the copy whose own id cannot be read, not of the answer named by it
                copy, named = (other, entry) if "id" in other.unreadable and "id" not in entry.unreadable else (entry, other)
                self.add(copy.path, copy.lines.get("id"), "id", f"编号“{copy.id}”与 {named.path} 重复",
                         "为其中一个条目改用新的编号，并同时修改文件名")
            if other is None:
                seen[entry.id] = entry

    # -- entries -----------------------------------------------------------------------------

    def check_entry(self, e: Entry):
        path, meta, line = e.path, e.meta, e.lines.get
        folder_kind = next((k for k, d in ENTRY_DIRS.items() if path.startswith(d)), None)
        kind = meta.get("kind")
        if folder_kind is None:
            self.add(path, 1, "", "条目文件不在 entries/policy/<单位>/ 或 entries/directory/ 下",
                     "把文件移到与其 kind 对应的目录")
            return
        if kind is None:
            self.add(path, 1, "kind", "缺少必填字段", f"在前置信息中加上“kind: {folder_kind}”")
        elif kind not in ENTRY_DIRS:
            self.add(path, line("kind"), "kind", f"类型“{kind}”无效", "改为 policy（答复口径）或 directory（派单目录）")
            return
        elif kind != folder_kind:
            hidden = "，在改正之前公众看不到该条目" if kind == "policy" else ""
            self.add(path, line("kind"), "kind", f"类型“{kind}”与所在目录（{ENTRY_DIRS[folder_kind]}）不符{hidden}",
                     f"改为“kind: {folder_kind}”，或把文件移到 {ENTRY_DIRS[kind]}")
        kind = folder_kind
        for field in REQUIRED[kind]:
            if field == "kind":
                continue
            if meta.get(field) in (None, "", []):
                hidden = "，在改正之前公众看不到该条目" if field in e.unreadable and kind == "policy" else ""
                self.add(path, 1 if field not in e.lines else line(field), field, "缺少必填字段" + hidden,
                         f"在前置信息中填写 {field}")
        self.check_fields(path, meta, e.lines, FIELDS[kind])
        if not e.body.strip():
            self.add(path, 1, "正文", "正文为空", "在前置信息之后写上答复内容或职责边界说明")
        elif len(e.body) > BODY_LIMIT:
            self.add(path, e.body_line, "正文", f"正文有 {len(e.body):,} 个字符，超过上限 {BODY_LIMIT:,}：坐席和市民读不完，页面也打开很慢",
                     "只写答复要点，详细规定写进 basis 引用的文件，或拆成几条答复")
        title = meta.get("title")
        if isinstance(title, str) and len(title) > TITLE_LIMIT:
            self.add(path, line("title"), "title", f"标题有 {len(title)} 个字，超过上限 {TITLE_LIMIT}：结果列表中放不下",
                     "标题只写这条答复回答的问题，其余写进正文或 questions")
        self.check_id(e, "，在改正之前公众看不到该条目" if kind == "policy" else "")
        for field in LIST_FIELDS:
            value = meta.get(field)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)):
                self.add(path, line(field), field, "应为文字列表", f"写成“{field}: [甲, 乙]”的形式")
        for field in ("title", "unit", "handler", "agent_notes"):
            value = meta.get(field)
            if value is not None and not isinstance(value, str):
                self.add(path, line(field), field, "应为一段文字", f"把 {field} 写成一行文字")
        if kind == "directory" and meta.get("audience") == "public":
            self.add(path, line("audience"), "audience", "派单目录条目是坐席内部材料（含派单要点），不能向公众公开",
                     "删除 audience 这一行，或改为 audience: internal")
        elif "audience" in e.unreadable and meta.get("audience") not in (None, ""):
            self.add(path, line("audience"), "audience", f"{e.unreadable['audience']}，在改正之前公众看不到该条目",
                     "改为 public（公众可见）或 internal（仅坐席可见）")
        self.check_entry_units(e, kind)
        self.check_regions(e)
        self.check_dates(e)
        self.check_basis(path, meta.get("basis"), line("basis"))
        if kind == "policy" and meta.get("audience") == "public":
            self.check_public_text(e)
        if kind == "directory":
            self.check_directory(e)
        facts = meta.get("facts")
        if facts is not None and not isinstance(facts, dict):
            self.add(path, line("facts"), "facts", "应为“名称: 值”的映射", "写成“facts: {咨询电话: '12345'}”的形式")

    def check_fields(self, path, meta, lines, allowed, why=""):
        """Every field of a front matter is one of ``allowed``; ``why`` says what an unknown one does."""
        for field in meta:
            if field not in allowed:
                close = difflib.get_close_matches(str(field), sorted(allowed), n=1)
                hint = f"是否应为“{close[0]}”" if close else f"可用字段：{'、'.join(sorted(allowed))}"
                self.add(path, lines.get(field), str(field), "未知字段" + why, f"{hint}；不需要的字段请删除")

    def check_id(self, e: Entry, hidden: str = ""):
        path, value = e.path, e.meta.get("id")
        stem = PurePosixPath(path).stem
        if value is None:
            if "id" in e.unreadable and not ID_PATTERN.match(stem):
                self.add(path, 1, "id", f"文件名“{stem}.md”不是有效的编号{hidden}",
                         "把文件改名为只用小写字母、数字和连字符的名字（如 residence-permit-apply.md），并在前置信息中写上同样的 id")
            return
        value = str(value)
        if ".." in value or "/" in value or "\\" in value:
            self.add(path, e.lines.get("id"), "id", f"编号“{value}”含有路径字符（.. 或 /）{hidden}",
                     "编号只能用小写字母、数字和连字符，例如 residence-permit-apply")
        elif not ID_PATTERN.match(value):
            self.add(path, e.lines.get("id"), "id", f"编号“{value}”格式不对{hidden}",
                     "编号只能用小写字母、数字和连字符，以字母或数字开头，2 到 80 个字符")
        elif value != stem:
            self.add(path, e.lines.get("id"), "id", f"编号“{value}”与文件名“{stem}.md”不一致{hidden}",
                     f"把编号改为“{stem}”，或把文件改名为“{value}.md”")

    def check_entry_units(self, e: Entry, kind: str):
        units, path, line = self.snap.units, e.path, e.lines.get
        unit = e.meta.get("unit")
        if isinstance(unit, str) and unit:
            if unit not in units:
                hidden = "，在改正之前公众看不到该条目" if kind == "policy" and "unit" in e.unreadable else ""
                fix = self.unit_fix(unit)
                if kind == "policy":
                    fix += "；改 unit 时把文件一并移到该单位的目录 entries/policy/<单位>/"
                self.add(path, line("unit"), "unit", f"单位“{unit}”未在 regulations/units.yaml 中登记{hidden}", fix)
            elif kind == "policy" and not in_use(units[unit]):
                note = f"（units.yaml 备注：{units[unit]['note']}）" if units[unit].get("note") else ""
                self.add(path, line("unit"), "unit",
                         f"单位“{units[unit].get('name') or unit}”已撤销，在移交之前公众看不到该条目{note}",
                         "由承接其职责的单位接手：把 unit 改为该单位，并把文件移到 entries/policy/<单位>/；不再需要的答复可删除")
            if kind == "policy":
                folder = PurePosixPath(path).parent.name
                if unit != folder:
                    self.add(path, line("unit"), "unit", f"所属单位“{unit}”与所在目录“{folder}”不一致，在改正之前公众看不到该条目",
                             f"把 unit 改为“{folder}”，或把文件移到 entries/policy/{unit}/")
        if kind != "directory":
            return
        handler = e.meta.get("handler")
        if isinstance(handler, str) and handler and handler not in units:
            self.add(path, line("handler"), "handler", f"主办单位“{handler}”未在 regulations/units.yaml 中登记",
                     self.unit_fix(handler))
        for co in e.strings("co_handlers") if isinstance(e.meta.get("co_handlers"), list) else []:
            if co not in units:
                self.add(path, line("co_handlers"), "co_handlers", f"协办单位“{co}”未在 regulations/units.yaml 中登记",
                         self.unit_fix(co))

    def check_regions(self, e: Entry):
        """Each region an entry names is 全市 or a district, street or town of units.yaml: a name it does not know
        is compared as written, so the entry is never offered where it applies, nor held back where it does not."""
        from ..dispatch import regions
        from ..search.analysis import normalize

        if not isinstance(e.meta.get("regions"), (list, type(None))):
            return
        found = regions.places(self.snap)
        for name in e.strings("regions"):
            if name and name != regions.CITYWIDE and (found.region(name) is None or found.strip(normalize(name)).strip()):
                named = "、".join(regions.districts(self.snap)[:3])
                example = f"区名（如 {named}），" if named else "区名，"
                self.add(e.path, e.lines.get("regions"), "regions",
                         f"地区“{name}”不是 units.yaml 中登记的区、街道或乡镇：派单和答复认不出这个地区，"
                         "不能按来电所在的地方判断这个条目是否适用",
                         f"改为“全市”，或 units.yaml 中的{example}街道、乡镇写成“区名+街道名”；"
                         "新的区、街道请先在 units.yaml 中登记")
        self.check_street_handler(e, found)

    def check_street_handler(self, e: Entry, found):
        """A catalogue entry whose lead unit is a street's or town's applies to that street only: with regions wider
        than it (全市, a district, none) or of another street, calls from every other street are sent to it."""
        from ..dispatch.regions import CITYWIDE

        handler = e.meta.get("handler")
        unit = self.snap.units.get(handler) if isinstance(handler, str) else None
        if e.kind != "directory" or not unit or unit.get("level") != "street":
            return
        told = e.strings("regions") or [CITYWIDE]
        if all(handler in getattr(found.region(r), "streets", ()) for r in told):
            return
        street = unit.get("name") or handler
        self.add(e.path, e.lines.get("regions") or e.lines.get("handler"), "regions",
                 f"主办单位“{street}”是街道（乡镇），适用地区却是“{'、'.join(told)}”：其他街道（乡镇）的来电也会派给它",
                 f"把 regions 写成主办单位所在的街道（乡镇），如“{unit.get('district') or ''}{(unit.get('aliases') or [street])[0]}”；"
                 "各街道（乡镇）分别办理的事项，由所在区的单位主办，或每个街道（乡镇）各写一个条目")

    def unit_fix(self, unit):
        close = self.snap.unit_meant(unit)
        hint = f"是否应为“{close}”；" if close else ""
        return f"{hint}改为已登记的单位编号，或先在 units.yaml 中登记该单位"

    def check_dates(self, e: Entry):
        path, line = e.path, e.lines.get
        for field in DATE_FIELDS:
            why = e.unreadable.get(field)
            if why:
                hidden = "，在改正之前公众看不到该条目" if field in PUBLIC_FIELDS else ""
                self.add(path, line(field), field, why + hidden, f"按 YYYY-MM-DD 填写，例如“{field}: 2026-01-01”")
        eff, exp = e.effective, e.expires
        if eff and exp and eff > exp:
            self.add(path, line("expires"), "expires", f"有效期至 {exp}，早于生效日期 {eff}",
                     "把 expires 改到 effective 当天或之后，或修正 effective")

    def check_public_text(self, e: Entry):
        """What a public answer says that the public should not read: words meant for staff, a person's mobile,
        ID or card number (in its title, body, questions or keywords), front matter pasted into the body. Comments
        are no part of what is read."""
        body = visible(e.body)
        # questions and keywords are shown on the answer's page and in the API, and often pasted from what callers wrote
        texts = [("title", e.lines.get("title"), e.meta.get("title")), ("正文", None, body),
                 *((field, e.lines.get(field), text) for field in ("questions", "keywords") for text in e.strings(field))]
        for field, line, text in texts:
            if not isinstance(text, str):
                continue
            at = (lambda start: e.body_line + body.count("\n", 0, start)) if line is None else (lambda start: line)
            for said in INTERNAL_WORDING.finditer(text):
                self.add(e.path, at(said.start()), field, f"受众为公开，但写着“{said.group()}”：公众会看到这句话和这条答复",
                         "只给坐席看的答复把 audience 改为 internal；只给坐席看的提示写进 agent_notes，从公开答复中删去")
            for start, kind, number in personal_numbers(text):
                self.add(e.path, at(start), field, f"受众为公开，但写有{kind}“{number}”：公众会看到它", NUMBER_FIXES[kind])
        for m in FRONT_MATTER_LINE.finditer(body):
            shown = _line_at(body, m.start()).strip()
            shown = shown if len(shown) <= 30 else shown[:30] + "……"
            self.add(e.path, e.body_line + body.count("\n", 0, m.start()), "正文",
                     f"正文中有像前置信息的一行“{shown}”：它在第二个 --- 之后，不是 {m.group('field')} 字段，公众会把它当作答复的一部分看到",
                     f"{m.group('field')} 写进文件开头两行 --- 之间的前置信息（只给坐席看的提示写进 agent_notes）；"
                     "确实要在答复中说的话，改写成不以“字段名:”开头的句子")

    def check_basis(self, path, basis, line):
        if basis is None:
            return
        if not isinstance(basis, list):
            self.add(path, line, "basis", "应为列表", "写成“- {regulation: beijing-2021, article: 11}”或“- {document: 文号}”的列表")
            return
        for item in basis:
            if not isinstance(item, dict) or not ({"regulation", "document"} & set(item)):
                self.add(path, line, "basis", f"依据“{item}”格式不对",
                         "每条依据写成 {regulation: 条例编号, article: 条号} 或 {document: 文号}")
                continue
            if "regulation" not in item:
                self.check_document(path, item.get("document"), line)
                continue
            reg_id, number = str(item.get("regulation")), item.get("article")
            reg = self.snap.regulations.get(reg_id)
            if reg is None:
                known = "、".join(sorted(self.snap.regulations)) or "（无）"
                self.add(path, line, "basis", f"引用的条例“{reg_id}”不存在",
                         f"改为 regulations/texts/ 下已有的条例编号（{known}）")
            elif not isinstance(number, int) or isinstance(number, bool):
                self.add(path, line, "basis", f"条例“{reg_id}”的条号“{number}”不是整数", "article 写阿拉伯数字，例如 article: 11")
            elif number not in reg.articles:
                self.add(path, line, "basis", f"引用的{article_label(number) if number > 0 else number}在“{reg.title}”（{reg_id}）中不存在",
                         f"该条例共 {len(reg.articles)} 条，请改为实际存在的条号")

    def check_document(self, path, value, line):
        """A 文号 with its year in brackets has four digits there and ends in 号 (示人社发〔2O26〕15 has a letter O
        and no 号); a document named otherwise (a title, 办法（试行）, 公告2020年第8号) is not checked."""
        text = unicodedata.normalize("NFKC", str(value or ""))
        year = _BRACKETED.search(text)
        if year and sum(c.isdigit() for c in year.group(1)) >= 2 and not DOCUMENT_NUMBER.search(text):
            self.add(path, line, "basis", f"文号“{value}”格式不对",
                     "年份写四位数字放在六角括号〔〕里，序号后加“号”，如“京政办发〔2024〕12号”")

    def check_directory(self, e: Entry):
        path, meta, line = e.path, e.meta, e.lines.get
        level = meta.get("level")
        if level is not None and level not in LEVELS:
            self.add(path, line("level"), "level", f"层级“{level}”无效", "改为 city（市级）、district（区级）或 street（街乡级）")
        tier = meta.get("time_limit")
        if tier is not None and str(tier) not in self.snap.tiers:
            known = "、".join(self.snap.tiers) or "（无）"
            self.add(path, line("time_limit"), "time_limit", f"时限档位“{tier}”未在 regulations/time_limits.yaml 中定义",
                     f"改为已定义的档位：{known}")

    # -- regulations ------------------------------------------------------------------------

    def check_article_questions(self, reg):
        """``questions``: article number → a list of common questions, each article of this text."""
        value = reg.meta.get("questions")
        if value is None:
            return
        line = reg.lines.get("questions")
        example = "写成“questions:”下按条号列出问法，例如“  11: [热线归哪个部门管]”"
        if not isinstance(value, dict):
            self.add(reg.path, line, "questions", "应为“条号: 问法列表”的映射", example)
            return
        for key, items in value.items():
            number = article_number(key)
            if number is None:
                self.add(reg.path, line, "questions", f"“{key}”不是条号", "条号写成数字，例如“11”")
            elif number not in reg.articles:
                self.add(reg.path, line, "questions", f"本条例没有{article_label(number)}",
                         "改为正文中已有的条号，或删除这一项")
            elif not isinstance(items, list) or not all(isinstance(q, str) and q.strip() for q in items):
                self.add(reg.path, line, "questions", f"{article_label(number)}的问法应为非空文字的列表",
                         example)

    def check_regulation_text(self, reg):
        """A regulation text is always public: its title, issuer, note and articles hold no words meant for staff."""
        texts = [(field, reg.lines.get(field), "", reg.meta.get(field)) for field in ("title", "issuer", "note")]
        texts += [("正文", a.line, a.label, a.text) for _number, a in sorted(reg.articles.items())]
        for field, line, label, text in texts:
            for said in INTERNAL_WORDING.finditer(text) if isinstance(text, str) else ():
                self.add(reg.path, line, field, f"条例全文对公众公开，但{label}写着“{said.group()}”：公众会看到这句话",
                         "条例全文只写条例原文和出处；只给坐席看的说明写进答复口径的 agent_notes 或仅坐席可见的答复")

    def check_regulations(self):
        for reg in self.snap.regulations.values():
            self.check_fields(reg.path, reg.meta, reg.lines, REGULATION_FIELDS,
                              "：条例全文总是对公众公开，其他字段（如 audience）不起作用")
            self.check_regulation_text(reg)
            stem = PurePosixPath(reg.path).stem
            if reg.meta.get("id") is not None and str(reg.meta.get("id")) != stem:
                self.add(reg.path, reg.lines.get("id"), "id", f"编号“{reg.meta.get('id')}”与文件名不一致",
                         f"把编号改为“{stem}”")
            for field in ("id", "title"):
                if not reg.meta.get(field):
                    self.add(reg.path, 1, field, "缺少必填字段", f"在前置信息中填写 {field}")
            for field in ("adopted", "effective"):
                why = date_problem(reg.meta.get(field))
                if why:
                    self.add(reg.path, reg.lines.get(field), field, why,
                             f"按 YYYY-MM-DD 填写，例如“{field}: 2026-01-01”")
            if not reg.articles:
                self.add(reg.path, 1, "正文", "没有找到任何条文", "条文标题写成“## 第一条”的形式")
            self.check_article_questions(reg)
            for line, message, fix in reg.problems:
                self.add(reg.path, line, "正文", message, fix)
            numbers = sorted(reg.articles)
            for expected, actual in zip(range(1, len(numbers) + 1), numbers):
                if expected != actual:
                    a = reg.articles[actual]
                    self.add(reg.path, a.line, "正文", f"条号不连续：缺少{article_label(expected)}，{a.label}前面应是它",
                             "检查是否漏掉或编错了条号")
                    break
