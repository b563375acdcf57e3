"""Masking of personal data in text that is about to be stored (search logs, votes, reports).

``mask(text)`` replaces, in this order, e-mail addresses, passport, travel-permit, other document and staff numbers, mobiles with
an international prefix, 18-digit and 15-digit resident ID numbers, bank-card numbers, other mobile numbers, landline numbers,
the same numbers read out in Chinese digits, numbers and accounts given after 电话/QQ/微信, plates,
household-level address parts and names that a person introduces as theirs, each by a label in
brackets (``[手机号]`` …). Labels contain no digits and no word that introduces a name, so masking
is idempotent: ``mask(mask(t)) == mask(t)``.

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
- passport: E and eight digits, E, a letter and seven digits, or G and eight digits (a Chinese
  passport), wherever it stands; after 护照、通行证、回乡证、台胞证、证件 (号码), one or two letters and six to
  ten digits (a foreign passport, a permit to Hong Kong, Macao or Taiwan).

Ordinary numbers are left alone: the hotline number 12345, dates, 文号 such as
``京政办发〔2024〕12号``, money amounts, road numbers and counts never have the shapes above
(a digit run is only a candidate when no digit touches it on either side).
Full-width digits (``１３８…``) are read as ASCII digits; what is left is kept as written (（一）stays（一）).

What speech-to-text and callers produce besides:

- **numbers in Chinese digits** (``一三八一二三四五六七八``, ``幺三九…``, mixed with ASCII digits,
  with spaces or dashes between groups): a run of seven or more digits is read digit by digit and
  masked when it has one of the shapes above; other runs stay as they were;
- **numbers and accounts given as one's own**: right after 电话、座机、手机、号码、联系方式、回电、打我 (and
  号/号码/是/：), a number of seven or more digits is masked whatever its shape (``[电话]``): a local
  landline without its area code, or a mobile with a digit too many or too few. After QQ, 微信 (号),
  the account becomes ``[账号]``. Service numbers (12345, 95598) are shorter and stay. A vehicle's
  plate (``京A12345``, ``粤B·D12345``) becomes ``[车牌]``: it names the vehicle's owner;
- **household-level addresses**: the building, unit, floor and room of a dwelling
  (``3号楼2单元501``, ``5栋1502室``, ``三号楼二单元五零一``, ``3-2-501`` after a place name) become
  ``[门牌]``. District, street (街道、乡镇), road, road number and residential-compound names stay:
  they matter for dispatch statistics, and alone they identify no household. A building or unit
  without a room (``3号楼楼道灯坏了``) stays as well;
- **names introduced as such**: after ``我叫``, ``名叫``, ``我的名字是``, ``姓名：``, ``联系人``,
  ``叫我`` and the like, a surname with one or two given characters (or a name that jieba's
  part-of-speech tagger marks as a person name, ``nr``) becomes ``[姓名]``; after ``我姓``/
  ``免贵姓`` the surname does; after ``我是``/``本人`` only a word the tagger marks as a person
  name, or a surname followed by 先生、女士 and the like (``我是外地人`` stays). Names nobody
  introduces (``找王师傅``) are left alone. A name split by a space after its surname (``我叫李 雷``,
  as speech-to-text writes it) counts after 我叫/姓名 as well;
- **a third person's name before what is theirs**: right before (的)身份证、护照、电话、手机、银行卡、住址 and
  the like, a word the tagger reads as a person's name, beginning with a surname (``帮我查一下张伟的身份证号``,
  ``我前妻李娜的住址``). Words ending as places end (``石家庄的户口``, ``王府井的电话``) and bodies
  (``物业的电话``, ``孩子的身份证``) stay;
- **a third person's name after how they stand to the caller or what they do** (``我老公刘德华``, ``坐席张丽``,
  ``房东刘强``, ``村民黄涛``, ``帮我查一下张伟``) **or before a title** (``张伟先生``, ``范江花医生``, ``李舜局长``):
  only a word the tagger reads as a name; words of its dictionary that it calls names (康复, 养老, 红绿灯) only
  when they end as given names do. A surname with a title (王师傅, 李校长) and words that begin with a surname
  (居民养老保险, 同事周末加班, 工作人员向阳小区) stay. A name found once is masked wherever it is written again;
- **staff numbers and other documents**: after 工号、警号 (``工号 20231234``, ``1024号话务员``) a number becomes
  ``[工号]``; after 军官证、驾驶证、社保卡、残疾证 and the like, a number of six or more digits (or ``南字第123456号``)
  becomes ``[证件号]``.

The tagger (rjieba, jieba's Rust port) is loaded on the first text that contains such a cue and is
asked only about a few characters next to it; text without a cue costs a few regular-expression scans.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

LABELS = {"email": "[邮箱]", "id": "[身份证号]", "card": "[银行卡号]", "mobile": "[手机号]", "landline": "[电话]",
          "passport": "[证件号]", "account": "[账号]", "plate": "[车牌]", "address": "[门牌]", "name": "[姓名]",
          "staff": "[工号]"}

_LABEL_SPLIT = re.compile("(" + "|".join(re.escape(label) for label in LABELS.values()) + ")")
#: The word that gave what a label replaced (手机 of 手机[手机号], 我叫 of 我叫[姓名]): with the label gone, it says nothing.
_LABEL_INTRODUCED = re.compile(
    r"(?:电话|座机|固话|手机|号码|联系方式|回电|打我|拨我|打给我|QQ|微信|vx|wx|身份证|银行卡|卡号|邮箱|车牌|我叫|叫|姓名|名字"
    r"|护照|通行证|回乡证|台胞证|旅行证|证件|军官证|士兵证|驾驶证|驾照|社保卡|医保卡|残疾证|居住证|工号|警号|坐席号|员工号)"
    r"(?:号码?|账?号)?(?:是|为|:|：)?\s*(?=" + "|".join(re.escape(label) for label in LABELS.values()) + ")",
    re.IGNORECASE)
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
#: A Chinese passport by its shape alone: E and eight digits, E, a letter and seven digits, or (older) G and
#: eight digits. No order number or train (G123) has that shape.
PASSPORT = re.compile(r"(?<![A-Za-z0-9])(?:[EeGg]\d{8}|[Ee][A-HJ-NP-Za-hj-np-z]\d{7})(?![A-Za-z0-9])")
#: Any travel document's number after its name: one or two letters and six to ten digits (P1234567 of a
#: foreign passport, C12345678 of a 港澳通行证, H1234567801 of a 回乡证).
TRAVEL_DOCUMENT = re.compile(r"(?:护照|通行证|回乡证|台胞证|旅行证|证件)(?:号码?)?(?:是|为|:|：)?\s*"
                             r"(?P<document>[A-Za-z]{1,2}[ ]?\d{6,10})(?![A-Za-z0-9])")
#: Another personal document's number after its name: six or more digits, with up to two letters before them,
#: or an officer's 南字第123456号 (军官证, 驾驶证, 社保卡 …). Dates (居住证2024年到期) are shorter.
OTHER_DOCUMENT = re.compile(r"(?:军官证|士兵证|警官证|驾驶证|驾照|行驶证|社保卡|医保卡|残疾证|居住证|学生证|工作证|执法证)"
                            r"(?:号码?|编号)?(?:是|为|:|：)?\s*"
                            r"(?P<document>[\u4e00-\u9fff]字第\d{4,10}号?|[A-Za-z]{0,2}[ ]?\d{6,18}[Xx]?)(?![A-Za-z0-9])")
#: A staff member's number: after 工号, 警号 …, or before 号坐席/号话务员 (工号 20231234 的坐席, 1024号接线员).
STAFF_NUMBER = re.compile(r"(?:工号|警号|坐席号|员工号|员工编号|工牌号|胸牌号|执法证号|执法编号)(?:是|为|:|：)?\s*"
                          r"(?P<number>[A-Za-z]{0,2}\d{3,10})(?![0-9])"
                          r"|(?<![0-9])(?P<before>\d{3,8})(?=号(?:坐席|话务员|接线员|客服|工作人员|民警|辅警))")

#: GB 11643's weights of the first seventeen characters of a resident ID, and the check character by the sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_valid(number: str) -> bool:
    """Whether 18 characters are a resident ID: a date of birth that exists, and the check character (GB 11643)
    that the other seventeen give."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return _ID_CHECK[sum(int(d) * w for d, w in zip(number, _ID_WEIGHTS)) % 11] == number[17]


def luhn_valid(digits: str) -> bool:
    """Whether a run of digits passes the Luhn check that bank card numbers carry."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return digits.isdigit() and total % 10 == 0

# -- numbers read out in Chinese digits -------------------------------------------------------------

_CN_DIGITS = "零〇一二三四五六七八九幺"
CN_TO_ASCII = str.maketrans(_CN_DIGITS, "001234567891")
#: Seven or more digits, at least one of them Chinese, optionally grouped by spaces or dashes.
CN_NUMBER = re.compile(f"(?<![0-9{_CN_DIGITS}])(?=[0-9 \\-]*[{_CN_DIGITS}])[0-9{_CN_DIGITS}]"
                       f"(?:[ \\-]?[0-9{_CN_DIGITS}]){{6,}}[Xx]?(?![0-9{_CN_DIGITS}])")

# -- numbers and accounts a caller gives as theirs ------------------------------------------------------

#: A number of seven or more digits (ASCII or Chinese, grouped or not) right after a word that gives a phone
#: number: a local landline without its area code (电话65123456, 座机 6512 3456), or a mobile a caller
#: mistyped by a digit. Shorter numbers stay: service numbers (12345, 95598) are nobody's.
CONTACT_NUMBER = re.compile(
    r"(?:电话|座机|固话|手机|号码|联系方式|回电|打我|拨我|打给我)(?:号码?)?(?:是|为|:|：)?\s*"
    f"(?P<number>[0-9{_CN_DIGITS}](?:[ \\-]?[0-9{_CN_DIGITS}]){{6,}})(?![0-9{_CN_DIGITS}])", re.IGNORECASE)
#: A QQ number or WeChat ID after its name: 5–20 letters, digits, ``_`` or ``-``.
CONTACT_ACCOUNT = re.compile(r"(?:QQ|微信|vx|wx)(?:账?号)?(?:是|为|:|：)?\s*(?P<account>[A-Za-z0-9_\-]{5,20})(?![A-Za-z0-9_\-])",
                             re.IGNORECASE)

#: A vehicle's plate: a province's character, a letter, and five (six for new-energy vehicles) letters or
#: digits, with an optional dot or space after the letter (京A·12345, 粤B D12345). It names its owner.
PLATE = re.compile(r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Za-hj-np-z]"
                   r"[ ·・.]?(?=[A-Za-z0-9]*[0-9])[A-HJ-NP-Za-hj-np-z0-9]{5,6}(?![A-Za-z0-9])")

# -- household-level addresses ---------------------------------------------------------------------

_NUM = r"(?:\d{1,4}|[零〇一二三四五六七八九十两]{1,4})"
_BUILDING = r"(?:[A-Za-z]|\d{1,4}|[零〇一二三四五六七八九十两]{1,4})(?:号楼|號樓|#楼|栋|幢|座)"
_UNIT = _NUM + r"单元"
_FLOOR = _NUM + r"(?:层|楼)"
_ROOM_SUFFIX = r"(?:室|户|号房|房间)"
#: A room number standing alone after a building, unit or floor: three or more digits, or any number with 号/室;
#: not a number of minutes, yuan, people … and not the number of another building or floor.
_BARE_ROOM = (r"(?:\d{3,5}|\d{1,2}(?=[号室户])|[零〇一二三四五六七八九幺]{3,5})"
              r"(?![0-9零〇一二三四五六七八九十百千万幺分元米人个岁年次斤块倍楼栋层单%％])(?:室|户|号房|房间|号|房)?")
_GAP = r"[ \-]?"
ADDRESS = re.compile(
    r"(?<![0-9A-Za-z零〇一二三四五六七八九十百千两])(?:"
    # building/unit/floor, at least one of them, then a room
    f"(?:{_BUILDING}{_GAP})?(?:{_UNIT}{_GAP})?(?:{_FLOOR}{_GAP})?(?<=[楼栋幢座元层])(?:{_BARE_ROOM})"
    # or a room with its suffix: after a building, unit or floor, or of three or more digits (501室;
    # not 3室2厅 or 8户, which are counts)
    f"|(?:{_BUILDING}{_GAP})?(?:{_UNIT}{_GAP})?(?:{_FLOOR}{_GAP})?(?<=[楼栋幢座元层])\\d{{1,5}}{_ROOM_SUFFIX}"
    f"|\\d{{3,5}}{_ROOM_SUFFIX}"
    # or building-unit-room shorthand after a place name: 幸福里3-2-501
    r"|(?<=[\u4e00-\u9fff])\d{1,3}-\d{1,2}-\d{3,4}(?![0-9\-])"
    ")")

# -- names introduced as such ----------------------------------------------------------------------

#: Common single-character surnames (the 百家姓 and today's most frequent ones).
SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤"
    "花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄"
    "米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万"
    "支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松"
    "井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰"
    "从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴"
    "瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛"
    "阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公付肖闫覃岳佟丛揭谌邸苑郑")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "钟离", "赫连", "澹台",
                     "万俟", "申屠", "公羊", "太史", "拓跋", "闻人", "东郭", "第五")
HONORIFICS = ("先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大姐", "大哥", "老师", "同志", "奶奶", "爷爷")
#: Words that follow 叫/我是 and begin like a name but are none (叫师傅来修, 叫我老公来, 我叫车来接).
NOT_NAMES = ("师傅", "师父", "司机", "家人", "家属", "家长", "家里", "老公", "老婆", "老师", "老板", "老乡", "老人", "老家",
             "老伴", "小区", "小孩", "小朋友", "明天", "明年", "马上", "车", "安保", "保安", "物业", "邻居", "医生", "公安",
             "江边", "于是", "高铁", "高速", "金额", "万一", "全家", "全部", "都", "能", "应该", "要", "想",
             # the peak of calls or power use (话务高峰坐席, 用电高峰), far more often than someone named so
             "高峰")
#: Characters that end a given name when it is read without the tagger (what usually follows a name).
_NAME_STOP = set("，。、；：！？,.;:!?（）()[]【】“”\"' \t\n的地得了着过是在住家今昨想要说和跟与给我你他她它们也都就还又再"
                 "来去到从向对被把让请问打电手号反投举咨现岁男女啊呀吧呢嘛哦哈")
#: Cues after which a name follows: ``name`` (姓名：, 联系人 …), ``call`` (我叫, 名叫, 叫我 …), ``surname``
#: (我姓 …) and ``self`` (我是 …).
NAME_CUE = re.compile(
    r"(?P<name>我的名字[是叫]?|名字[是叫]|(?<!\[)姓名[是为:：]?|联系人[是为:：]?|来电人[是为:：]?|署名[是为:：]?)\s*"
    r"|(?P<call>我叫|我名叫|名叫|叫我|本人叫|本人名叫|(?:^|(?<=[，,。；;\s]))叫)\s*"
    r"|(?P<surname>我姓|本人姓|免贵姓|我的姓是)\s*"
    r"|(?P<self>我是|本人是?|我就是)\s*")
_CJK_NAME_CHAR = re.compile("[\u4e00-\u9fff](?<![" + re.escape("".join(_NAME_STOP)) + "])")
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + "".join(sorted(SURNAMES)) + "])"
#: A name that speech-to-text (or a caller's typing) split with spaces after its surname: 李 雷, 王 小 明.
SPACED_NAME = re.compile(f"[小老阿]?{_SURNAME}[ \u3000]+{_CJK_NAME_CHAR.pattern}(?:[ \u3000]?{_CJK_NAME_CHAR.pattern})?")
#: Last characters of places, buildings, bodies and times that the tagger may read as names (张家口, 宋庄, 高新区,
#: 王府井, 黄金周, 马路边).
_PLACE_ENDS = set("口庄井区县市省镇乡村街路道巷里桥门站场园城湖河港湾店厂院所局委府司行部队校周边楼屯营寨堡坊沟岭")
#: How a person stands to the caller or what they do, said right before their name (我老公刘德华, 坐席张丽, 房东刘强,
#: 村民黄涛, 帮我查一下张伟): the name is a third person's. Only what the tagger reads as a name counts
#: (城乡居民养老保险, 同事周末加班, 业主高温补贴 stay).
RELATIONS = ("老公", "老婆", "丈夫", "妻子", "爱人", "前妻", "前夫", "对象", "男朋友", "女朋友", "男友", "女友", "儿子",
             "女儿", "孩子", "小孩", "儿媳", "女婿", "父亲", "母亲", "爸爸", "妈妈", "我爸爸", "我妈妈", "我爸", "我妈", "哥哥", "姐姐",
             "弟弟", "妹妹", "爷爷", "奶奶", "外公", "外婆", "公公", "婆婆", "岳父", "岳母", "侄子", "外甥", "亲戚",
             "朋友", "同事", "同学", "室友", "邻居", "房东", "租客", "租户", "业主", "村民", "居民", "员工", "职工",
             "工人", "老板", "领导", "经理", "主任", "书记", "村长", "校长", "院长", "局长", "科长", "所长", "队长",
             "组长", "厂长", "站长", "教练", "老师", "班主任", "医生", "护士", "民警", "警察", "警官", "辅警", "城管",
             "网格员", "社工", "队员", "执法人员", "管理员", "保洁员", "坐席", "接线员", "话务员", "客服", "工作人员", "办事员", "业务员", "负责人",
             "法人代表", "法定代表人", "法人", "信访人", "举报人", "投诉人", "当事人", "患者", "病人", "学生",
             # how a work order names the caller (市民王建国反映…, 群众张伟来电)
             "市民", "群众", "来电市民", "来电群众", "来电者", "反映人", "诉求人", "求助人",
             "司机", "快递员", "外卖员", "保安", "保姆", "督学", "教授", "帮我查一下", "帮我查查", "帮我查",
             "帮忙查一下", "帮忙查", "查一下", "找一下")
RELATION_CUE = re.compile("(?:" + "|".join(sorted(RELATIONS, key=len, reverse=True)) + r")(?:是|叫|名叫|为|:|：)?\s*")
#: What follows a person's full name and tells it is one (张伟先生, 范江花医生, 李舜局长, 张丽坐席). A surname with it
#: names nobody (王师傅, 李校长 stay).
TITLES = ("先生", "女士", "小姐", "师傅", "老师", "同志", "医生", "护士", "教授", "律师", "民警", "警官", "坐席",
          "局长", "厅长", "处长", "科长", "所长", "院长", "校长", "主任", "书记", "村长", "经理", "老板", "等人")
#: What a work order writes right after the person who called (王建国反映…, 刘德华来电称…): a name the tagger finds
#: before it is the caller's.
REPORTS = ("来电反映", "反映", "来电称", "来电", "投诉称", "举报称")
#: What is someone's own and names them when asked about: a name right before it (张伟的身份证, 王小明的护照号,
#: 老王电话) is a third person's, found by the tagger only (物业的电话, 孩子的身份证 stay).
OWNED = re.compile(r"的?(?:身份证|护照|通行证|证件|电话|手机|银行卡|工资卡|社保卡|户口|住址|家庭住址|联系方式|微信)"
                   "|" + "|".join(TITLES) + "|" + "|".join(REPORTS))
#: What follows a place or a body named after a person or like one (向阳小区, 杨美公园, 程明物业): the word before is no name.
PLACE_NAMED = ("小区", "社区", "村", "镇", "乡", "街道", "大道", "公园", "花园", "广场", "中学", "小学", "大学", "学校",
               "医院", "物业", "公司", "集团", "酒店", "市场", "大厦", "家园", "新村")
#: Frequent characters of given names. The tagger's dictionary calls many a word a name (康复, 养老, 许可); a word
#: found there is read as a name only when it ends in one of these (李娜, 刘德华).
_GIVEN_CHARS = set("伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞刚桂英华玉兰萍红鹏飞辉建志明平亮国梅琳燕文斌海波宇浩晨欣婷雪"
                   "琴慧颖峰林云凯莉倩晶鑫洁俊帅佳丹蕾瑶珍凤荣东龙庆德丫")
_PERSON_TAGS = ("nr", "nrfg", "nrt")
#: First letters of the tags of words that are no name: time, adverb, preposition, conjunction, particle,
#: pronoun, numeral, measure word, direction, verb. Nouns, places and adjectives may be names (江山, 高强).
_NOT_NAME_TAGS = set("tdpcurmqfv")

_tagger = None
_tagger_lock = threading.Lock()


def _jieba():
    global _tagger
    if _tagger is None:
        import rjieba

        _tagger = rjieba.Jieba()
    return _tagger


def _tag(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) pairs of a short text, by rjieba with its HMM for unknown names."""
    with _tagger_lock:
        return _jieba().tag(text, True)


def _in_dictionary(word: str) -> bool:
    with _tagger_lock:
        return _jieba().has_word(word)


def _plausible_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _id18(m: re.Match) -> str:
    return LABELS["id"] if _plausible_date(m.group(3), m.group(4)) else m.group(0)


def _id15(m: re.Match) -> str:
    return LABELS["id"] if _plausible_date(m.group(2), m.group(3)) else m.group(0)


def _mask_numbers(text: str) -> str:
    text = MOBILE_INTL.sub(LABELS["mobile"], text)
    text = ID18.sub(_id18, text)
    text = CARD.sub(LABELS["card"], text)
    text = ID15.sub(_id15, text)
    text = MOBILE.sub(LABELS["mobile"], text)
    return LANDLINE.sub(LABELS["landline"], text)


def _labelled(group: str, label: str):
    """A substitution that replaces only the named group of a match by ``label``."""
    def replace(m: re.Match) -> str:
        return m.group(0)[:m.start(group) - m.start()] + label
    return replace


def _mask_documents(text: str) -> str:
    text = TRAVEL_DOCUMENT.sub(_labelled("document", LABELS["passport"]), text)
    text = OTHER_DOCUMENT.sub(_labelled("document", LABELS["passport"]), text)
    text = STAFF_NUMBER.sub(_staff_number, text)
    return PASSPORT.sub(LABELS["passport"], text)


def _staff_number(m: re.Match) -> str:
    return _labelled("number" if m.group("number") else "before", LABELS["staff"])(m)


def _mask_contacts(text: str) -> str:
    text = CONTACT_NUMBER.sub(_labelled("number", LABELS["landline"]), text)
    text = CONTACT_ACCOUNT.sub(_labelled("account", LABELS["account"]), text)
    return PLATE.sub(LABELS["plate"], text)


def _cn_number(m: re.Match) -> str:
    digits = m.group(0).translate(CN_TO_ASCII)
    masked = _mask_numbers(digits)
    return m.group(0) if masked == digits else masked


def _surname_at(text: str, pos: int) -> int:
    """Length of the surname starting at ``pos`` (2 for a compound surname), or 0."""
    if text.startswith(COMPOUND_SURNAMES, pos):
        return 2
    return 1 if pos < len(text) and text[pos] in SURNAMES else 0


def _name_start(text: str, pos: int) -> tuple[int, int]:
    """(start of the surname, its length) at ``pos``, allowing a 小/老/阿 in front (小王, 老李)."""
    n = _surname_at(text, pos)
    if n:
        return pos, n
    if pos < len(text) and text[pos] in "小老阿":
        n = _surname_at(text, pos + 1)
        if n:
            return pos + 1, n
    return pos, 0


def _honorific_end(text: str, end: int) -> int:
    for h in HONORIFICS:
        if text.startswith(h, end):
            return end + len(h)
    return end


def _given_end(text: str, start: int, limit: int = 2) -> int:
    """End of a given name read without the tagger: up to ``limit`` characters before a stop."""
    end = start
    while end < len(text) and end - start < limit and _CJK_NAME_CHAR.match(text, end):
        end += 1
    return end


def _name_end(text: str, pos: int, cue: str) -> int:
    """End of the name a cue introduces at ``pos`` (``pos`` itself when there is none)."""
    first, n = _name_start(text, pos)
    if cue == "surname":
        if not n:
            ch = text[pos:pos + 1]
            n = 1 if ch and "\u4e00" <= ch <= "\u9fff" and ch not in _NAME_STOP and ch != "名" else 0
        return _honorific_end(text, first + n) if n else pos
    if not n or text.startswith(NOT_NAMES, pos):
        return pos
    tokens = _tag(text[pos:pos + 8])
    word, tag = tokens[0] if tokens else ("", "")
    if tag in _PERSON_TAGS and _name_start(word, 0)[1]:
        end = min(pos + len(word.rstrip("".join(_NAME_STOP))), first + n + 2)
        if end - first == n + 1 and end == pos + len(word):
            end = _given_end(text, first + n)     # a third character the tagger split off: 丁萍|军
        if end - first > n or first > pos:
            return _honorific_end(text, end)
    titled = _honorific_end(text, first + n)
    if cue == "self":
        # After 我是/本人 only a tagged person name (我是张建国), a compound surname with a tagged given name
        # (我是欧阳娜娜) or a surname with a title (我是李先生) is a name: 我是外地人 is none.
        if n == 2 and len(tokens) > 1 and tokens[0][0] == text[first:first + 2] \
                and tokens[1][1] in _PERSON_TAGS:
            return _honorific_end(text, first + 2 + min(len(tokens[1][0]), 2))
        return titled if titled > first + n else pos
    if cue == "call" and first == pos and n == 1 and len(word) >= 2 and tag[:1] in _NOT_NAME_TAGS \
            and len(tokens) > 1 and tokens[1][1][:1] in "vdpuc" and _in_dictionary(word):
        return pos          # a dictionary word that begins with a surname and a sentence goes on: 叫我明天去办理
    end = _given_end(text, first + n)
    if end > first + n or first > pos:
        return _honorific_end(text, end)
    return titled if titled > first + n else pos


def _tagged_name(word: str) -> bool:
    """Whether the tagger reads a word of two to four characters as a person's name beginning with a surname.

    The tagger calls many a place and a thing that begins like a surname a name too (王府井, 石家庄, 黄金周,
    师傅): a word ending the way places end, or one that is no name after 叫 either, is none."""
    return (2 <= len(word) <= 4 and bool(_name_start(word, 0)[1]) and word[-1] not in _PLACE_ENDS
            and not word.startswith(NOT_NAMES) and (_tag(word) or [("", "")])[-1][1] in _PERSON_TAGS)


def _person_word(word: str) -> bool:
    """Whether a word the tagger found is a person's name: one it tags so (see ``_tagged_name``) that does not end
    in a title (李校长, 唐老师 name nobody) and is no word of its dictionary unless it is said as 老王, 小李 are or
    ends as given names do (its dictionary calls 康复, 养老, 康复训练, 红绿灯 names; 李娜 and 刘德华 are)."""
    return (_tagged_name(word) and not word.endswith(TITLES)
            and (word[0] in "小老阿" or len(word) <= 3 and word[-1] in _GIVEN_CHARS or not _in_dictionary(word)))


def _owner_start(text: str, end: int, joined: bool = True) -> int:
    """Start of the person's name that ends at ``end`` (before 的身份证, 先生 …), or ``end`` when none does.

    The last word the tagger finds in the few characters before is taken when it is a name; when the tagger
    joined the name to the word before (一下张|伟) and ``joined`` allows it, the four, three or two characters
    before are read alone."""
    tokens = _tag(text[max(0, end - 8):end]) if end else []
    if tokens and tokens[-1][1] in _PERSON_TAGS and _person_word(tokens[-1][0]):
        return end - len(tokens[-1][0])
    for n in (4, 3, 2) if joined else ():
        if end >= n and all(_CJK_NAME_CHAR.match(text, i) for i in range(end - n, end)) \
                and _person_word(text[end - n:end]):
            return end - n
    return end


def _related_name_end(text: str, pos: int) -> int:
    """End of the name that the tagger reads right at ``pos`` after a relation (``pos`` itself when none does):
    a word tagged as a name (刘德华), or a surname the tagger split from the given name it tags (张|秀英) or reads
    as a noun (赵|铁柱, 朱|建平)."""
    n = _surname_at(text, pos)
    if not n:
        return pos
    tokens = _tag(text[pos:pos + 8])
    word, tag = tokens[0]
    if tag in _PERSON_TAGS and _person_word(word):
        end = pos + min(len(word.rstrip("".join(_NAME_STOP))), n + 2)
    elif word == text[pos:pos + n] and len(tokens) > 1 and tokens[1][1] in _PERSON_TAGS \
            and len(tokens[1][0]) <= 2 and _person_word(word + tokens[1][0]):
        end = pos + n + len(tokens[1][0])
    elif word == text[pos:pos + n] and tag in ("nr", "zg") and len(tokens) > 1 and len(tokens[1][0]) == 2 \
            and tokens[1][1] in ("n", "nz", "ns") and tokens[1][0] not in TITLES + HONORIFICS + NOT_NAMES \
            and all(_CJK_NAME_CHAR.match(tokens[1][0], i) for i in (0, 1)):
        end = pos + n + 2           # a surname the tagger tags alone, before a given name it reads as a noun: 赵|铁柱
    else:
        return pos
    return end if end > pos + n and not text.startswith(PLACE_NAMED, end) else pos


def _names_found(text: str):
    """(start, end) of every name a cue introduces, then of every name that owns a number asked about."""
    for m in NAME_CUE.finditer(text):
        spaced = SPACED_NAME.match(text, m.end()) if m.lastgroup in ("call", "name") else None
        end = spaced.end() if spaced else _name_end(text, m.end(), m.lastgroup)
        if end > m.end():
            yield m.end(), end
    for m in RELATION_CUE.finditer(text):
        end = _related_name_end(text, m.end())
        if end > m.end():
            yield m.end(), end
    for m in OWNED.finditer(text):
        start = _owner_start(text, m.start(), joined=m.group(0) not in TITLES + REPORTS)
        if start < m.start():
            yield start, m.start()


def _repeated(text: str, spans: list[tuple[int, int]]):
    """The spans of every other place where a name found once is written again (幕后老板刘利宏 … 因刘利宏): a name of
    two characters or more, the same characters, not inside a longer run of them."""
    names = {text[s:e] for s, e in spans if e - s >= 2}
    for name in names:
        for m in re.finditer(re.escape(name), text):
            yield m.start(), m.end()


def _mask_names(text: str) -> str:
    spans = list(_names_found(text))
    out, pos = [], 0
    for start, end in sorted(set(spans) | set(_repeated(text, spans))):
        if start >= pos:
            out.append(text[pos:start] + LABELS["name"])
            pos = end
    return "".join(out) + text[pos:] if out else text


def mask(text: str | None) -> str:
    """The text with numbers, e-mail addresses, household addresses and introduced names as labels."""
    if not text:
        return text or ""
    written = str(text)
    read = text = written.translate(_FULL_WIDTH)
    text = EMAIL.sub(LABELS["email"], text)
    text = _mask_documents(text)
    text = _mask_numbers(text)
    text = CN_NUMBER.sub(_cn_number, text)
    text = _mask_contacts(text)
    text = ADDRESS.sub(LABELS["address"], text)
    text = _mask_names(text)
    return text if read == written else _as_written(written, read, text)


def has_labels(masked: str) -> bool:
    """Whether masking put a label (``[姓名]``, ``[手机号]`` …) into a text."""
    return bool(_LABEL_SPLIT.search(masked or ""))


def without_labels(masked: str) -> str:
    """A masked text with its labels taken out: what it says besides the numbers and names it held
    (``[手机号]`` alone says nothing). A label stands between words: a space takes its place, so the
    words on either side (电话[手机号]社保卡) are not read as one; the word that gave what a label replaced goes
    with it (手机 of 手机[手机号])."""
    return _LABEL_SPLIT.sub(" ", _LABEL_INTRODUCED.sub("", masked or ""))


def _as_written(written: str, read: str, masked: str) -> str:
    """The masked text with the full-width digits, signs and brackets of what was written (（一）,
    １２月) where they were left: the patterns read them as ASCII, and nothing else reads them so.

    The stretches between the labels are found in order in what was written, read as ASCII, and
    taken from it as written: they equal it but for width, so nothing masked comes back. Where a
    stretch is not found (a number spoken in Chinese numerals, partly masked), the masked text is
    given as read.
    """
    out, at = [], 0
    for n, part in enumerate(_LABEL_SPLIT.split(masked)):
        if n % 2 or not part:
            out.append(part)
            continue
        found = read.find(part, at)
        if found < 0:
            return masked
        out.append(written[found:found + len(part)])
        at = found + len(part)
    return "".join(out)
