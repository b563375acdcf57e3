"""kb validate: the sample is clean; each kind of breakage is named precisely."""


import datetime as dt

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.content.model import Entry

POLICY = "entries/policy/hotline-center/test-entry.md"
POLICY_TEXT = """---
id: test-entry
kind: policy
title: 测试条目
unit: hotline-center
audience: public
effective: 2026-01-01
expires: 2027-01-01
basis:
  - {regulation: beijing-2021, article: 11}
---
正文。
"""
DIRECTORY = "entries/directory/test-dir.md"
DIRECTORY_TEXT = """---
id: test-dir
kind: directory
title: 测试事项
category: [测试]
keywords: [测试]
examples: [测试一下]
handler: city-hrss
co_handlers: [district-donghu]
level: city
time_limit: 5wd
unit: hotline-center
---
职责边界。
"""


#: A change request's body as it was published: an ID and a card number introduced as such, check digits wrong.
ENTRUSTED = POLICY_TEXT.replace("正文。", "委托人王建国，身份证号 110101199003071234，银行卡 6222020000000000123")


def run_validate(root):
    return CliRunner().invoke(cli, ["validate", "--root", str(root)])


def test_sample_validates_clean(sample_root):
    result = run_validate(sample_root)
    assert result.output.strip().endswith("校验通过：未发现问题。"), result.output
    assert result.exit_code == 0


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CASES = [
    ("malformed front matter", POLICY, POLICY_TEXT.replace("title: 测试条目", "title: [测试条目"),
     f"{POLICY}:5: 前置信息不是合法的 YAML（"),
    ("missing required field", POLICY, POLICY_TEXT.replace("title: 测试条目\n", ""),
     f"{POLICY}:1: 字段 title：缺少必填字段。修改方法：在前置信息中填写 title。"),
    ("id differs from file name", POLICY, POLICY_TEXT.replace("id: test-entry", "id: other-name"),
     f"{POLICY}:2: 字段 id：编号“other-name”与文件名“test-entry.md”不一致，在改正之前公众看不到该条目。修改方法：把编号改为“test-entry”，或把文件改名为“other-name.md”。"),
    ("id with a path", POLICY, POLICY_TEXT.replace("id: test-entry", "id: ../evil"),
     f"{POLICY}:2: 字段 id：编号“../evil”含有路径字符（.. 或 /），在改正之前公众看不到该条目。修改方法：编号只能用小写字母、数字和连字符，例如 residence-permit-apply。"),
    ("id with a slash", POLICY, POLICY_TEXT.replace("id: test-entry", "id: a/b"),
     f"{POLICY}:2: 字段 id：编号“a/b”含有路径字符（.. 或 /），在改正之前公众看不到该条目。修改方法：编号只能用小写字母、数字和连字符，例如 residence-permit-apply。"),
    ("unknown unit", "entries/policy/city-hrs/test-entry.md", POLICY_TEXT.replace("unit: hotline-center", "unit: city-hrs"),
     "entries/policy/city-hrs/test-entry.md:5: 字段 unit：单位“city-hrs”未在 regulations/units.yaml 中登记，在改正之前公众看不到该条目。"
     "修改方法：是否应为“city-hrss”；改为已登记的单位编号，或先在 units.yaml 中登记该单位；改 unit 时把文件一并移到该单位的目录 entries/policy/<单位>/。"),
    ("retired unit", "entries/policy/city-former-commerce/test-entry.md",
     POLICY_TEXT.replace("unit: hotline-center", "unit: city-former-commerce"),
     "entries/policy/city-former-commerce/test-entry.md:5: 字段 unit：单位“原示例市商务局”已撤销，在移交之前公众看不到该条目（units.yaml 备注："
     "已撤销（机构改革合并）。原有消费维权、预付卡经营监管等职责已划入示例市市场监督管理局（city-market），新条目请改用 city-market）。"
     "修改方法：由承接其职责的单位接手：把 unit 改为该单位，并把文件移到 entries/policy/<单位>/；不再需要的答复可删除。"),
    ("folder differs from unit", POLICY, POLICY_TEXT.replace("unit: hotline-center", "unit: city-hrss"),
     f"{POLICY}:5: 字段 unit：所属单位“city-hrss”与所在目录“hotline-center”不一致，在改正之前公众看不到该条目。修改方法：把 unit 改为“hotline-center”，或把文件移到 entries/policy/city-hrss/。"),
    ("citation of article 99", POLICY, POLICY_TEXT.replace("article: 11", "article: 99"),
     f"{POLICY}:9: 字段 basis：引用的第九十九条在“北京市接诉即办工作条例”（beijing-2021）中不存在。修改方法：该条例共 38 条，请改为实际存在的条号。"),
    ("unknown regulation", POLICY, POLICY_TEXT.replace("beijing-2021", "shanghai-2020"),
     f"{POLICY}:9: 字段 basis：引用的条例“shanghai-2020”不存在。修改方法：改为 regulations/texts/ 下已有的条例编号（baoding-2022、beijing-2021）。"),
    ("impossible date", POLICY, POLICY_TEXT.replace("effective: 2026-01-01", "effective: 2026-13-45"),
     f"{POLICY}:7: 字段 effective：“2026-13-45”不是存在的日期，在改正之前公众看不到该条目。"
     "修改方法：按 YYYY-MM-DD 填写，例如“effective: 2026-01-01”。"),
    ("impossible quoted date", POLICY, POLICY_TEXT.replace("expires: 2027-01-01", "expires: '2027-02-30'"),
     f"{POLICY}:8: 字段 expires：“2027-02-30”不是存在的日期，在改正之前公众看不到该条目。"
     "修改方法：按 YYYY-MM-DD 填写，例如“expires: 2026-01-01”。"),
    ("date in another format", POLICY, POLICY_TEXT.replace("expires: 2027-01-01", "expires: 2020年1月1日"),
     f"{POLICY}:8: 字段 expires：“2020年1月1日”不是有效日期，在改正之前公众看不到该条目。"
     "修改方法：按 YYYY-MM-DD 填写，例如“expires: 2026-01-01”。"),
    ("date with a time of day", POLICY, POLICY_TEXT.replace("effective: 2026-01-01", "effective: 2026-01-01 08:00:00"),
     f"{POLICY}:7: 字段 effective：“2026-01-01 08:00:00”带有时刻，不是日期，在改正之前公众看不到该条目。"
     "修改方法：按 YYYY-MM-DD 填写，例如“effective: 2026-01-01”。"),
    ("review date another format", POLICY, POLICY_TEXT.replace("expires: 2027-01-01", "review_by: 明年"),
     f"{POLICY}:8: 字段 review_by：“明年”不是有效日期。修改方法：按 YYYY-MM-DD 填写，例如“review_by: 2026-01-01”。"),
    ("quoted dates compared as dates", POLICY,
     POLICY_TEXT.replace("effective: 2026-01-01", "effective: '2027-06-01'").replace("expires: 2027-01-01", 'expires: "2027-01-01"'),
     f"{POLICY}:8: 字段 expires：有效期至 2027-01-01，早于生效日期 2027-06-01。修改方法：把 expires 改到 effective 当天或之后，或修正 effective。"),
    ("effective after expires", POLICY, POLICY_TEXT.replace("effective: 2026-01-01", "effective: 2027-06-01"),
     f"{POLICY}:8: 字段 expires：有效期至 2027-01-01，早于生效日期 2027-06-01。修改方法：把 expires 改到 effective 当天或之后，或修正 effective。"),
    ("unknown audience", POLICY, POLICY_TEXT.replace("audience: public", "audience: everyone"),
     f"{POLICY}:6: 字段 audience：受众“everyone”无效，在改正之前公众看不到该条目。修改方法：改为 public（公众可见）或 internal（仅坐席可见）。"),
    ("public catalogue entry", DIRECTORY, DIRECTORY_TEXT.replace("unit: hotline-center", "unit: hotline-center\naudience: public"),
     f"{DIRECTORY}:13: 字段 audience：派单目录条目是坐席内部材料（含派单要点），不能向公众公开。"
     "修改方法：删除 audience 这一行，或改为 audience: internal。"),
    ("misspelt field", POLICY, POLICY_TEXT.replace("audience: public", "audience: public\nkeyword: [甲]"),
     f"{POLICY}:7: 字段 keyword：未知字段。修改方法：是否应为“keywords”；不需要的字段请删除。"),
    ("unknown time-limit tier", DIRECTORY, DIRECTORY_TEXT.replace("time_limit: 5wd", "time_limit: 7wd"),
     f"{DIRECTORY}:11: 字段 time_limit：时限档位“7wd”未在 regulations/time_limits.yaml 中定义。修改方法：改为已定义的档位：2h、24h、3wd、5wd。"),
    ("unknown handler", DIRECTORY, DIRECTORY_TEXT.replace("handler: city-hrss", "handler: nobody-at-all"),
     f"{DIRECTORY}:8: 字段 handler：主办单位“nobody-at-all”未在 regulations/units.yaml 中登记。修改方法：改为已登记的单位编号，或先在 units.yaml 中登记该单位。"),
    ("unknown co-handler", DIRECTORY, DIRECTORY_TEXT.replace("[district-donghu]", "[zz-nowhere]"),
     f"{DIRECTORY}:9: 字段 co_handlers：协办单位“zz-nowhere”未在 regulations/units.yaml 中登记。修改方法：改为已登记的单位编号，或先在 units.yaml 中登记该单位。"),
    ("misspelt region", POLICY, POLICY_TEXT.replace("audience: public", "audience: public\nregions: [东湖区, 东胡区新华街道]"),
     f"{POLICY}:7: 字段 regions：地区“东胡区新华街道”不是 units.yaml 中登记的区、街道或乡镇：派单和答复认不出这个地区，"
     "不能按来电所在的地方判断这个条目是否适用。修改方法：改为“全市”，或 units.yaml 中的区名（如 "),
    ("region of no district", DIRECTORY, DIRECTORY_TEXT.replace("level: city", "level: city\nregions: [朝阳区]"),
     f"{DIRECTORY}:11: 字段 regions：地区“朝阳区”不是 units.yaml 中登记的区、街道或乡镇"),
    ("street's matter for a district", DIRECTORY,
     DIRECTORY_TEXT.replace("handler: city-hrss", "handler: street-donghu-heping").replace("level: city", "level: street\nregions: [东湖区]"),
     f"{DIRECTORY}:11: 字段 regions：主办单位“东湖区和平街道办事处”是街道（乡镇），适用地区却是“东湖区”：其他街道（乡镇）的来电也会派给它。"
     "修改方法：把 regions 写成主办单位所在的街道（乡镇），如“东湖区和平街道”；各街道（乡镇）分别办理的事项，由所在区的单位主办，"
     "或每个街道（乡镇）各写一个条目。"),
    ("street's matter for the city", DIRECTORY, DIRECTORY_TEXT.replace("handler: city-hrss", "handler: street-donghu-heping"),
     f"{DIRECTORY}:8: 字段 regions：主办单位“东湖区和平街道办事处”是街道（乡镇），适用地区却是“全市”"),
    ("street's matter for another street", DIRECTORY,
     DIRECTORY_TEXT.replace("handler: city-hrss", "handler: street-donghu-heping").replace("level: city", "level: street\nregions: [东湖区新华街道]"),
     f"{DIRECTORY}:11: 字段 regions：主办单位“东湖区和平街道办事处”是街道（乡镇），适用地区却是“东湖区新华街道”"),
    ("unknown level", DIRECTORY, DIRECTORY_TEXT.replace("level: city", "level: province"),
     f"{DIRECTORY}:10: 字段 level：层级“province”无效。修改方法：改为 city（市级）、district（区级）或 street（街乡级）。"),
    ("public answer meant for staff", POLICY, POLICY_TEXT.replace("正文。", "正文。\n\n本口径仅供坐席内部使用，不得对外公开。"),
     f"{POLICY}:14: 字段 正文：受众为公开，但写着“仅供坐席内部使用”：公众会看到这句话和这条答复。"
     "修改方法：只给坐席看的答复把 audience 改为 internal；只给坐席看的提示写进 agent_notes，从公开答复中删去。"),
    ("mobile number in a public answer", POLICY, POLICY_TEXT.replace("正文。", "正文。\n请联系王科长 13800138000。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写有手机号“13800138000”：公众会看到它。"
     "修改方法：公开答复写单位的办公电话或 12345，不写个人手机号；只给坐席用的号码写进 agent_notes。"),
    ("mobile number in a public answer's questions", POLICY,
     POLICY_TEXT.replace("title: 测试条目", "title: 测试条目\nquestions: [失业金怎么领, 我叫张三电话13812345678失业金]"),
     f"{POLICY}:5: 字段 questions：受众为公开，但写有手机号“13812345678”：公众会看到它。"),
    ("staff words in a public title", POLICY, POLICY_TEXT.replace("title: 测试条目", "title: 内部口径：退单争议"),
     f"{POLICY}:4: 字段 title：受众为公开，但写着“内部口径”"),
    ("resident ID in a public answer", POLICY, POLICY_TEXT.replace("正文。", "正文。\n申请人 11010519491231002X 已登记。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写有身份证号“11010519491231002X”：公众会看到它。修改方法：公开答复不写任何人的身份证号；"),
    ("resident ID introduced as such, check digit wrong", POLICY, ENTRUSTED,
     f"{POLICY}:12: 字段 正文：受众为公开，但写有身份证号“110101199003071234”"),
    ("bank card introduced as such, Luhn check wrong", POLICY, ENTRUSTED,
     f"{POLICY}:12: 字段 正文：受众为公开，但写有银行卡号“6222020000000000123”：公众会看到它。修改方法：公开答复不写个人的银行卡号；"),
    ("bank card by its check digit, in groups", POLICY, POLICY_TEXT.replace("正文。", "正文。\n退款到 6222 0200 0000 0000 125。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写有银行卡号“6222 0200 0000 0000 125”"),
    ("agent notes' prefix in a public answer", POLICY,
     POLICY_TEXT.replace("正文。", "正文。\n内部提示：人社局值班直线 0000-88887777，仅限坐席协调使用，不要告诉来电人。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“内部提示”：公众会看到这句话和这条答复。"),
    ("do not tell the caller", POLICY, POLICY_TEXT.replace("正文。", "正文。\n个案进展不要告诉来电人。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“不要告诉来电人”"),
    ("only for agents", POLICY, POLICY_TEXT.replace("正文。", "正文。\n此号码仅限坐席协调使用。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“仅限坐席”"),
    ("a number said not to be public", POLICY, POLICY_TEXT.replace("正文。", "正文。\n此号码不对外公布：0312-5550001 为市场值班室。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“不对外公布”"),
    ("a note to agents", POLICY, POLICY_TEXT.replace("正文。", "正文。\n坐席注意：先核实身份再答复。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“坐席注意”"),
    ("agents only", POLICY, POLICY_TEXT.replace("正文。", "正文。\n本条仅坐席使用。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写着“仅坐席”"),
    ("mobile number in Chinese digits", POLICY, POLICY_TEXT.replace("正文。", "正文。\n领导手机一三九一二三四五六七八。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写有手机号“一三九一二三四五六七八”"),
    ("a WeChat account", POLICY, POLICY_TEXT.replace("正文。", "正文。\n联系人微信 wxid_abc12345。"),
     f"{POLICY}:13: 字段 正文：受众为公开，但写有微信号或 QQ 号“wxid_abc12345”：公众会看到它。修改方法：公开答复写单位的公众号名称"),
    ("front matter in the body", POLICY,
     POLICY_TEXT.replace("正文。", "正文。\n\n---\naudience: internal\nagent_notes: 内部提示：先核实身份"),
     f"{POLICY}:15: 字段 正文：正文中有像前置信息的一行“audience: internal”：它在第二个 --- 之后，不是 audience 字段，"
     "公众会把它当作答复的一部分看到。修改方法：audience 写进文件开头两行 --- 之间的前置信息（只给坐席看的提示写进 agent_notes）；"
     "确实要在答复中说的话，改写成不以“字段名:”开头的句子。"),
    ("agent notes in the body", POLICY,
     POLICY_TEXT.replace("正文。", "正文。\n\n---\naudience: internal\nagent_notes: 内部提示：先核实身份"),
     f"{POLICY}:16: 字段 正文：正文中有像前置信息的一行“agent_notes: 内部提示：先核实身份”"),
    ("title too long", POLICY, POLICY_TEXT.replace("title: 测试条目", "title: " + "很长的标题" * 41),
     f"{POLICY}:4: 字段 title：标题有 205 个字，超过上限 200：结果列表中放不下。"),
    ("body too long", POLICY, POLICY_TEXT.replace("正文。", "正文。" * 20_001),
     f"{POLICY}:12: 字段 正文：正文有 60,004 个字符，超过上限 60,000"),
    ("document number mistyped", POLICY, POLICY_TEXT.replace("article: 11}", "article: 11}\n  - {document: 示人社发〔2O26〕15}"),
     f"{POLICY}:9: 字段 basis：文号“示人社发〔2O26〕15”格式不对。"
     "修改方法：年份写四位数字放在六角括号〔〕里，序号后加“号”，如“京政办发〔2024〕12号”。"),
]


@pytest.mark.parametrize("name, rel, text, expected", CASES, ids=[c[0] for c in CASES])
def test_broken_copy_reports_the_precise_problem(sample_root, name, rel, text, expected):
    write(sample_root, rel, text)
    result = run_validate(sample_root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(expected) for line in lines), result.output
    assert "共发现" in result.output


def test_what_only_staff_may_read_is_no_problem_in_an_internal_answer(sample_root):
    internal = POLICY_TEXT.replace("audience: public", "audience: internal").replace(
        "正文。", "正文。本口径仅供坐席内部使用，不得对外公开。请联系王科长 13800138000。")
    documents = "\n".join(f"  - {{document: '{d}'}}" for d in ("京政办发〔2024〕12号", "京政发[2019]3号",
                                                                  "《物业管理办法（试行）》", "财政部 税务总局公告2020年第8号"))
    write(sample_root, POLICY, internal.replace("---\n正文", documents + "\n---\n正文"))
    result = run_validate(sample_root)
    assert result.exit_code == 0, result.output
    write(sample_root, POLICY, POLICY_TEXT.replace("正文。", "知识库答案仅供参考，以承办单位办理结果为准。热线 010-12345678。"))
    assert run_validate(sample_root).exit_code == 0


def test_public_numbers_and_words_are_no_problem(sample_root):
    """What a public answer may say: service and landline numbers, 文号, dates, a 统一社会信用代码, long numbers that
    are no ID (wrong check digit) and no card (Luhn fails, or not a card's first digit), a unit's account with its
    户名, a masked example, 坐席 and 内部 in plain sentences, a promise to the public, a rule line, front matter in
    an editor's comment."""
    body = ("请拨打 12345 或 0312-5551234（工作日 9:00—17:00），依据示政办发〔2024〕12号、京政办发〔2024〕12号。\n"
            "2026年11月22日起施行；受理编号 20261122000012345678。\n"
            "统一社会信用代码 911100001000012345；订单号 1234567890123456789；数字 110101199003071235 不是身份证号。\n"
            "户名：示例市财政局非税收入专户，开户行：示例银行，账号 6222020000000000125。\n"
            "身份证号写成 110101********1234 的样子即可。\n"
            "已经拨打12345的，坐席会即时为您转接；小区内部道路由物业管理；您的个人信息不向公众公开。\n\n"
            "---\n\n<!--\naudience: internal\nagent_notes: 编者注\n-->\n"
            "办理时间：工作日。\n")
    write(sample_root, POLICY, POLICY_TEXT.replace("正文。", body))
    result = run_validate(sample_root)
    assert result.exit_code == 0, result.output


REGULATION = "regulations/texts/baoding-2022.md"


def regulation(root, old, new):
    path = root / REGULATION
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def test_a_regulation_text_knows_its_front_matter_fields(sample_root):
    line = regulation(sample_root, "title: 保定市接诉即办工作条例\n",
                      "title: 保定市接诉即办工作条例\naudience: internal\neffectve: 2027-06-01\n")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (f"{REGULATION}:{line + 1}: 字段 audience：未知字段：条例全文总是对公众公开，其他字段（如 audience）不起作用。"
            "修改方法：可用字段：adopted、effective、id、issuer、note、questions、title；不需要的字段请删除。") in lines
    assert any(x.startswith(f"{REGULATION}:{line + 2}: 字段 effectve：未知字段：") and "是否应为“effective”" in x
               for x in lines), result.output


def test_a_regulation_text_holds_no_words_for_staff(sample_root):
    line = regulation(sample_root, "\nnote: ", "\nnote: 内部：修订稿不得对外公开。")
    article = regulation(sample_root, "## 第五条\n", "## 第五条\n\n内部提示：本条仅限坐席掌握。\n")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{REGULATION}:{line + 1}: 字段 note：条例全文对公众公开，但写着“不得对外”：公众会看到这句话。" \
           "修改方法：条例全文只写条例原文和出处；只给坐席看的说明写进答复口径的 agent_notes 或仅坐席可见的答复。" in lines
    assert any(x.startswith(f"{REGULATION}:{article}: 字段 正文：条例全文对公众公开，但第五条写着“内部提示”") for x in lines), \
        result.output


def test_a_together_except_that_is_no_list_is_reported(sample_root):
    rules = sample_root / "regulations" / "intake_rules.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("    together_except: [")
    end = text.index("]", start) + 1
    rules.write_text(text[:start] + "    together_except: 电话打不通" + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert (f"regulations/intake_rules.yaml:{line}: 字段 together_except：同句词组的例外应为非空的文字列表。"
            "修改方法：写成“together_except: [电话打不通, 电话关机]”。") in result.output


def test_clean_fixture_entries_pass(sample_root):
    write(sample_root, POLICY, POLICY_TEXT)
    write(sample_root, DIRECTORY, DIRECTORY_TEXT)
    result = run_validate(sample_root)
    assert result.exit_code == 0, result.output


def test_an_entry_of_one_day_is_valid(sample_root):
    # Both dates are days in force: a notice for one day takes effect and expires on that day.
    write(sample_root, POLICY, POLICY_TEXT.replace("effective: 2026-01-01", "effective: 2027-01-01"))
    result = run_validate(sample_root)
    assert result.exit_code == 0, result.output
    entry = Entry.from_text(POLICY, POLICY_TEXT.replace("effective: 2026-01-01", "effective: 2027-01-01"))
    statuses = [entry.status(dt.date(2026, 12, 31)), entry.status(dt.date(2027, 1, 1)), entry.status(dt.date(2027, 1, 2))]
    assert statuses == ["pending", "in_force", "expired"]


@pytest.mark.parametrize("spelling", ["2027-01-01", "'2027-01-01'", '"2027-01-01"', "' 2027-01-01 '"])
def test_a_date_written_as_a_string_is_that_date(sample_root, spelling):
    write(sample_root, POLICY, POLICY_TEXT.replace("expires: 2027-01-01", f"expires: {spelling}"))
    result = run_validate(sample_root)
    assert result.exit_code == 0, result.output


def test_duplicate_id(sample_root):
    """Two files named by one id: which is the answer is unknown, so both are reported and neither is public."""
    other = "entries/policy/city-hrss/test-entry.md"
    write(sample_root, POLICY, POLICY_TEXT)
    write(sample_root, other, POLICY_TEXT.replace("unit: hotline-center", "unit: city-hrss"))
    result = run_validate(sample_root)
    assert result.exit_code == 1
    fix = "修改方法：一个编号只能有一个文件：删除多余的一份，或为其中一个条目改用新的编号并同时修改文件名。"
    for path, twin in ((POLICY, other), (other, POLICY)):
        assert (f"{path}:2: 字段 id：编号“test-entry”与 {twin} 重复，在改正之前公众看不到这几个条目。{fix}"
                in result.output.splitlines())


def test_a_copy_under_another_answers_id_is_no_duplicate_of_it(sample_root):
    """A file whose own id cannot be read (not its file's name) neither hides nor replaces the answer named by it."""
    write(sample_root, POLICY, POLICY_TEXT)
    copy = "entries/policy/hotline-center/copy-entry.md"
    write(sample_root, copy, POLICY_TEXT)
    problems = [line for line in run_validate(sample_root).output.splitlines() if "字段 id" in line]
    assert set(problems) == {f"{copy}:2: 字段 id：编号“test-entry”与文件名“copy-entry.md”不一致，在改正之前公众看不到该条目。"
                        "修改方法：把编号改为“copy-entry”，或把文件改名为“test-entry.md”。",
                        f"{copy}:2: 字段 id：编号“test-entry”与 {POLICY} 重复。修改方法：为其中一个条目改用新的编号，并同时修改文件名。"}


def test_a_file_name_that_breaks_the_id_rule_without_an_id(sample_root):
    path = "entries/policy/hotline-center/Test-Entry.md"
    write(sample_root, path, POLICY_TEXT.replace("id: test-entry\n", ""))
    lines = [line for line in run_validate(sample_root).output.splitlines() if "字段 id" in line]
    assert set(lines) == {f"{path}:1: 字段 id：缺少必填字段，在改正之前公众看不到该条目。修改方法：在前置信息中填写 id。",
                     f"{path}:1: 字段 id：文件名“Test-Entry.md”不是有效的编号，在改正之前公众看不到该条目。"
                     "修改方法：把文件改名为只用小写字母、数字和连字符的名字（如 residence-permit-apply.md），并在前置信息中写上同样的 id。"}


def test_all_problems_reported_in_one_run(sample_root):
    write(sample_root, POLICY, POLICY_TEXT.replace("article: 11", "article: 99").replace("audience: public", "audience: x"))
    write(sample_root, DIRECTORY, DIRECTORY_TEXT.replace("time_limit: 5wd", "time_limit: 7wd"))
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert "共发现 3 个问题。" in result.output


@pytest.mark.parametrize("name, text, expected", [
    ("units not a list", "id: a\n", "regulations/units.yaml:1: 应为单位列表。"),
    ("bad yaml", "- id: a\n  name: [\n", "regulations/units.yaml:3: 不是合法的 YAML"),
    ("alias of one character", "- id: a\n  name: 甲单位\n  level: city\n  aliases: [甲单, 甲]\n",
     "regulations/units.yaml:4: 字段 aliases：简称应为列表，每个简称至少两个字。"),
    ("aliases not a list", "- id: a\n  name: 甲单位\n  level: city\n  aliases: 甲单\n",
     "regulations/units.yaml:4: 字段 aliases：简称应为列表"),
])
def test_broken_units_yaml(sample_root, name, text, expected):
    (sample_root / "regulations/units.yaml").write_text(text, encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert any(line.startswith(expected) for line in result.output.splitlines()), result.output


def test_unknown_tier_in_time_limits_and_party_in_policy(sample_root):
    path = sample_root / "regulations/review_policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[owner, center]", "[owner, centre]", 1), encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert "字段 require：审核方“centre”未定义" in result.output


@pytest.mark.parametrize("written, expected", [
    ("require_one_of: [center, ownr]", "字段 withdrawal：审核方“ownr”未定义"),
    ("require_one_of: center", "字段 withdrawal：停用规则缺少审核方列表"),
])
def test_withdrawal_rule_in_policy(sample_root, written, expected):
    path = sample_root / "regulations/review_policy.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("require_one_of: [center, owner]", written, 1), encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert expected in result.output, result.output


def test_regulation_with_a_missing_article(sample_root):
    path = sample_root / "regulations/texts/baoding-2022.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("## 第五条")
    end = text.index("## 第六条")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert "字段 正文：条号不连续：缺少第五条，第六条前面应是它。修改方法：检查是否漏掉或编错了条号。" in result.output


def test_every_problem_of_a_kind_is_reported_at_once(sample_root):
    """Two mobile numbers and two phrases meant for staff: all four are said, so the author mends them in one go."""
    write(sample_root, POLICY, POLICY_TEXT.replace("正文。", "正文。\n内部口径，请勿外传：王科长 13912345678，李科长 13812345678。"))
    output = run_validate(sample_root).output
    for said in ("写着“内部口径”", "写着“请勿外传”", "手机号“13912345678”", "手机号“13812345678”"):
        assert said in output, output
