import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_app.privacy import _FULL_WIDTH, COMPOUND_SURNAMES, mask

MASKED = [
    # mobiles, with and without country code and separators
    ("我的电话13800138000请回电", "我的电话[手机号]请回电"),
    ("手机 138 0013 8000", "手机 [手机号]"),
    ("手机138-0013-8000。", "手机[手机号]。"),
    ("+86 138 0013 8000", "[手机号]"),
    ("+8613912345678", "[手机号]"),
    ("+86-139-1234-5678", "[手机号]"),
    ("(+86)13912345678", "[手机号]"),
    ("008613912345678", "[手机号]"),
    ("008613000110000", "[手机号]"),  # 0086 + mobile has the shape of a 15-digit ID
    ("联系方式：19912345678，谢谢", "联系方式：[手机号]，谢谢"),
    ("全角１３９１２３４５６７８也算", "全角[手机号]也算"),
    # landlines with area codes
    ("座机010-12345678", "座机[电话]"),
    ("座机(010)12345678转123", "座机[电话]"),
    ("打0312-5551234找王师傅", "打[电话]找王师傅"),
    ("0312 5551234", "[电话]"),
    # numbers given as one's own whatever their shape: local landlines, a mobile a digit short
    ("我电话是65123456", "我电话是[电话]"),
    ("联系电话：6512-3456，谢谢", "联系电话：[电话]，谢谢"),
    ("有事打我座机 6512 3456", "有事打我座机 [电话]"),
    ("手机：1381234567", "手机：[电话]"),
    ("号码是５６７８１２３４", "号码是[电话]"),
    ("电话是六五一二三四五六", "电话是[电话]"),
    # accounts
    ("我的微信号是 zhang_san88 加我", "我的微信号是 [账号] 加我"),
    ("QQ号：123456789", "QQ号：[账号]"),
    # vehicle plates, ordinary and new-energy, with or without a dot or space
    ("京A12345天天停在消防通道", "[车牌]天天停在消防通道"),
    ("车牌京A·12345", "车牌[车牌]"),
    ("粤B D12345和川A54321", "[车牌]和[车牌]"),
    # 18-digit IDs (also ending in X) and 15-digit IDs
    ("身份证号11010519491231002X", "身份证号[身份证号]"),
    ("身份证号11010519491231002x。", "身份证号[身份证号]。"),
    ("身份证 130602199003071234 丢了", "身份证 [身份证号] 丢了"),
    ("老身份证130602900307123", "老身份证[身份证号]"),
    # bank cards, run together or grouped
    ("卡号6222020200001234567", "卡号[银行卡号]"),
    ("卡号 6222 0202 0000 1234 567", "卡号 [银行卡号]"),
    ("卡号4111-1111-1111-1111", "卡号[银行卡号]"),
    ("工资卡6212260200012345", "工资卡[银行卡号]"),
    # e-mail
    ("发到 zhang.san+kb@example.com.cn 吧", "发到 [邮箱] 吧"),
    ("邮箱13800138000@qq.com", "邮箱[邮箱]"),
    # several at once
    ("电话13800138000，身份证11010519491231002X，邮箱a@b.cn",
     "电话[手机号]，身份证[身份证号]，邮箱[邮箱]"),
    # numbers read out in Chinese digits (speech-to-text), whole or grouped, mixed with ASCII digits
    ("一三八一二三四五六七八", "[手机号]"),
    ("电话是幺三九 一二三四 五六七八，谢谢", "电话是[手机号]，谢谢"),
    ("手机138一二三四五六七八", "手机[手机号]"),
    ("座机零三一二五五五一二三四", "座机[电话]"),
    ("身份证一一零一零五一九四九一二三一零零二X", "身份证[身份证号]"),
    # household-level addresses: building, unit, floor and room go; district, street, road and compound stay
    ("幸福里3号楼2单元501", "幸福里[门牌]"),
    ("东湖区幸福路街道幸福里小区3号楼2单元501室漏水", "东湖区幸福路街道幸福里小区[门牌]漏水"),
    ("东湖区幸福路88号3单元502室", "东湖区幸福路88号[门牌]"),
    ("西山区城关镇阳光花园5栋1502室楼上漏水", "西山区城关镇阳光花园[门牌]楼上漏水"),
    ("住在三号楼二单元五零一", "住在[门牌]"),
    ("幸福里3-2-501的住户", "幸福里[门牌]的住户"),
    ("我家3楼502天天吵", "我家[门牌]天天吵"),
    ("A座1203室", "[门牌]"),
    ("住2单元1号", "住[门牌]"),
    ("楼上1201室漏水", "楼上[门牌]漏水"),
    # names introduced as such
    ("我叫张三", "我叫[姓名]"),
    ("我姓李", "我姓[姓名]"),
    ("我叫张三住在幸福里", "我叫[姓名]住在幸福里"),
    ("您好，我叫李明今年六十岁", "您好，我叫[姓名]今年六十岁"),
    ("我叫欧阳娜娜，电话一三八一二三四五六七八", "我叫[姓名]，电话[手机号]"),
    ("我是张建国，想问一下", "我是[姓名]，想问一下"),
    ("我是李先生", "我是[姓名]"),
    ("我是欧阳娜娜", "我是[姓名]"),
    ("本人王小红", "本人[姓名]"),
    ("免贵姓欧阳", "免贵姓[姓名]"),
    ("我姓王，叫王小明", "我姓[姓名]，叫[姓名]"),
    ("姓名：王二小", "姓名：[姓名]"),
    ("我的名字是诸葛亮", "我的名字是[姓名]"),
    ("联系人周杰电话13800138000", "联系人[姓名]电话[手机号]"),
    ("叫我小王就行", "叫我[姓名]就行"),
    ("我叫江山", "我叫[姓名]"),  # tagged as a place, but introduced as a name: masked (fail closed)
    # passports and travel permits: by their shape, or after the document's name
    ("邻居王小明的护照号E12345678丢了", "邻居[姓名]的护照号[证件号]丢了"),
    ("护照G12345678过期了", "护照[证件号]过期了"),
    ("我的护照号码是 EA1234567", "我的护照号码是 [证件号]"),
    ("e12345678", "[证件号]"),
    ("港澳通行证C12345678", "港澳通行证[证件号]"),
    ("回乡证号码H1234567801", "回乡证号码[证件号]"),
    ("外国护照P1234567", "外国护照[证件号]"),
    # a third person's name right before what is theirs
    ("帮我查一下张伟身份证号110101199003071234", "帮我查一下[姓名]身份证号[身份证号]"),
    ("我前妻李娜的住址在哪", "我前妻[姓名]的住址在哪"),
    ("帮我查查赵丽的手机", "帮我查查[姓名]的手机"),
    ("欧阳娜娜的电话多少", "[姓名]的电话多少"),
    ("我家老王的电话", "我家[姓名]的电话"),
    # a third person's name after how they stand to the caller or what they do, or before a title
    ("我老公刘德华欠薪三个月怎么办", "我老公[姓名]欠薪三个月怎么办"),
    ("坐席张丽", "坐席[姓名]"),
    # how a work order names the caller
    ("市民王建国反映暖气不热", "市民[姓名]反映暖气不热"),
    ("群众张伟反映拖欠工资", "群众[姓名]反映拖欠工资"),
    ("反映人刘德华称路灯不亮", "反映人[姓名]称路灯不亮"),
    ("王建国反映暖气不热", "[姓名]反映暖气不热"),
    ("刘德华来电称路灯坏了", "[姓名]来电称路灯坏了"),
    ("投诉坐席李娜", "投诉坐席[姓名]"),
    ("工作人员王芳态度很差", "工作人员[姓名]态度很差"),
    ("帮我查一下张伟住哪", "帮我查一下[姓名]住哪"),
    ("我妈张秀英的养老金", "我妈[姓名]的养老金"),
    ("我邻居赵铁柱天天在楼道堆杂物", "我邻居[姓名]天天在楼道堆杂物"),
    ("房东叫王丽", "房东叫[姓名]"),
    ("信访人：黄坚永", "信访人：[姓名]"),
    ("张丽坐席态度不好", "[姓名]坐席态度不好"),
    ("范江花医生告诉我", "[姓名]医生告诉我"),
    # a name found once is masked wherever it is written again
    ("老板刘利宏拖欠工资，刘利宏电话打不通", "老板[姓名]拖欠工资，[姓名]电话打不通"),
    # staff numbers and other documents
    ("工号 20231234 的坐席", "工号 [工号] 的坐席"),
    ("1024号话务员态度差", "[工号]号话务员态度差"),
    ("警号：012345", "警号：[工号]"),
    ("军官证号南字第123456号", "军官证号[证件号]"),
    ("社保卡号123456789丢了", "社保卡号[证件号]丢了"),
    # a name split by spaces (speech-to-text)
    ("我叫李 雷", "我叫[姓名]"),
    ("我叫王 小 明，电话多少", "我叫[姓名]，电话多少"),
    ("姓名：张 伟", "姓名：[姓名]"),
    # everything at once, as a caller says it
    ("我叫张三，家住东湖区幸福里3号楼2单元501，电话一三八一二三四五六七八",
     "我叫[姓名]，家住东湖区幸福里[门牌]，电话[手机号]"),
]

KEPT = [
    "拨打12345市民服务热线",
    "2026-11-22下午停水",
    "2026年11月22日",
    "20261122",
    "京政办发〔2024〕12号",
    "依据国办发明电〔2025〕7号",
    "补贴12000元，合计1,234,567.89元",
    "东湖区幸福路88号",
    "已经等了120分钟，拨打了110和119",
    # service numbers after a phone word, and counts
    "热线电话12345",
    "供电服务电话95598",
    "电话打了20次",
    "打了16次电话没人理",
    "电话2026年11月1日打的",
    "关注微信公众号",
    # a province's character before letters that are no plate
    "京津冀协同发展",
    "新ABCDE",
    "沪A1234",
    "第十一条第三款",
    "订单金额 3500000 元",
    # Chinese numerals that are no phone number
    "补贴一二三四五六七元",
    "二〇二六年十一月二十二日",
    "第一百二十三条",
    # buildings, floors and counts that identify no household
    "3号楼楼道灯坏了",
    "1号楼5层的政务大厅",
    "两室一厅，3室2厅的房子",
    "贫困家庭有8户，5—6户无法生活",
    "地铁1号线",
    # 叫/是 that introduce no name, and names nobody introduced
    "叫我明天去办理",
    "我叫了救护车",
    "这个叫什么",
    "我叫车来接",
    "我叫物业来修",
    "我是外地人",
    "我是东湖区的居民",
    "我是退休职工",
    "打电话找王师傅",
    # what belongs to a body or a place, not to a person; trains and orders that look like documents
    "物业的电话是多少",
    "孩子的身份证丢了",
    "老人的身份证怎么补",
    "公安局的电话",
    "东湖区的电话",
    "高新区的电话",
    "王府井的电话",
    "张家口的户口",
    "石家庄的户口怎么迁",
    "黄金周的电话",
    "师傅的电话打不通",
    "他的微信",
    "咨询电话多少",
    "G1234次列车晚点",
    "订单E1234567",
    "我叫李 想问一下",
    # relations, roles and titles before words that only begin like a name, and surnames with a title
    "城乡居民养老保险",
    "患者康复训练",
    "职工养老",
    "工作人员向阳小区",
    "业主高温补贴",
    "同事周末加班",
    "孩子黄金周去哪",
    "居民王府井",
    "供暖初期话务高峰坐席处置口径", "用电高峰坐席压力大", "业主反映电梯坏了", "多次来电反映", "我想反映一下", "物业反映",
    "社保卡丢了来电咨询", "市民服务热线", "群众反映强烈", "来电市民反映路灯坏了",
    "村民李村",
    "帮我查一下高温补贴",
    "查一下常住人口",
    "老师关于寒假",
    "孩子何时开学",
    "孩子和老人",
    "班主任唐老师",
    "李校长好",
    "习近平总书记关于社区防控",
    "请邓局明查！。邓局长",
    "工单编号 20231234",
    "3号窗口",
    "居住证2024年到期",
    # labels stay as they are
    "我叫[姓名]，住[门牌]",
]


@pytest.mark.parametrize("text,expected", MASKED)
def test_masks_personal_data(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_keeps_ordinary_numbers(text):
    assert mask(text) == text


@pytest.mark.parametrize("text,expected", MASKED)
def test_masking_is_idempotent(text, expected):
    assert mask(mask(text)) == mask(text)


def test_empty_and_none():
    assert mask("") == ""
    assert mask(None) == ""


@pytest.mark.parametrize("text,expected", [
    ("（一）请于１２月３日前办理", "（一）请于１２月３日前办理"),
    ("电话：１３８１２３４５６７８（白天）", "电话：[手机号]（白天）"),
    ("我叫张三，电话13812345678（手机）", "我叫[姓名]，电话[手机号]（手机）"),
    ("身份证１１０１０１１９９００３０７１２３４，楼号８", "身份证[身份证号]，楼号８"),
    ("（０１０）６２１２３４５６ 转 ＋８", "[电话] 转 ＋８"),
])
def test_full_width_text_is_kept_as_written_around_the_labels(text, expected):
    assert mask(text) == expected


@given(st.text(alphabet="0123456789０１２３４５６７８９ -－+＋()（）@.号元年月日电话我叫张三楼单元室", max_size=60))
def test_full_width_text_is_masked_as_its_ascii_reading(text):
    # What was written full width is masked exactly as the same text in ASCII, and kept as written.
    assert mask(text).translate(_FULL_WIDTH) == mask(text.translate(_FULL_WIDTH))


@given(st.text(alphabet="0123456789 -+()@.abcX号元年月日电话", max_size=60))
def test_idempotent_on_any_text(text):
    once = mask(text)
    assert mask(once) == once


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86", "+86 ", "0086", "(+86)"]),
       st.sampled_from(["我的号码是", "电话：", "找"]), st.sampled_from(["", "，谢谢", "。"]))
def test_every_mobile_is_masked(number, prefix, before, after):
    out = mask(f"{before}{prefix}{number}{after}")
    assert number not in out
    assert out == f"{before}[手机号]{after}"


@given(st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True), st.sampled_from(["", " ", "-"]),
       st.sampled_from(["我的电话是", "电话：", "座机", "联系方式 ", "有事打我", "手机号码是"]),
       st.sampled_from(["", "，谢谢", "。"]))
def test_every_local_number_given_as_ones_own_is_masked(number, gap, before, after):
    """A landline without its area code (seven or eight digits) after a word that gives a phone number."""
    spoken = number[:4] + gap + number[4:]
    out = mask(f"{before}{spoken}{after}")
    assert out == f"{before}[电话]{after}"


SURNAME_CHARS = sorted("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
#: Given-name characters. 国 is left out: 何国 is a dictionary word ("which country"), and 我叫何国想问一下 reads
#: as a sentence going on to the tagger too; such a name stays unmasked after 叫 (never after 姓名 or 名字是).
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞刚桂英华玉兰萍红鹏飞辉建志"


@given(st.sampled_from(SURNAME_CHARS + list(COMPOUND_SURNAMES)),
       st.text(alphabet=GIVEN_CHARS, min_size=1, max_size=2),
       st.sampled_from(["我叫", "您好，我叫", "我的名字是", "姓名：", "联系人", "叫我"]),
       st.sampled_from(["", "，电话多少", "。", "，住在东湖区", "，想问一下"]))
def test_every_introduced_name_is_masked(surname, given_name, cue, after):
    out = mask(f"{cue}{surname}{given_name}{after}")
    assert out == f"{cue}[姓名]{after}"


@given(st.sampled_from(SURNAME_CHARS + list(COMPOUND_SURNAMES)), st.sampled_from(["我姓", "本人姓", "免贵姓"]),
       st.sampled_from(["", "，住在东湖区", "。"]))
def test_every_given_surname_is_masked(surname, cue, after):
    assert mask(f"{cue}{surname}{after}") == f"{cue}[姓名]{after}"


SPOKEN = {"0": "零〇", "1": "一幺", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六", "7": "七", "8": "八",
          "9": "九"}


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.data(), st.sampled_from(["", " ", "-"]))
def test_every_spoken_mobile_is_masked(number, data, gap):
    spoken = "".join(data.draw(st.sampled_from(SPOKEN[d] + d)) for d in number)
    if gap:
        spoken = spoken[:3] + gap + spoken[3:7] + gap + spoken[7:]
    out = mask(f"我的电话是{spoken}，谢谢")
    assert out == "我的电话是[手机号]，谢谢"


@given(st.sampled_from(["东湖区", "西山区", ""]), st.sampled_from(["幸福路街道", "城关镇", ""]),
       st.sampled_from(["幸福里", "阳光花园", "幸福路88号", "滨河小区"]),
       st.sampled_from(["", "3号楼", "12栋", "B座", "三号楼"]), st.sampled_from(["", "2单元", "二单元"]),
       st.integers(101, 2806), st.sampled_from(["", "室"]), st.sampled_from(["漏水", "，噪音扰民", ""]))
def test_every_household_address_is_masked(district, street, place, building, unit, room, suffix, after):
    if not (building or unit) and not suffix:
        suffix = "室"        # a bare number needs a building or unit before it to be a room
    out = mask(f"{district}{street}{place}{building}{unit}{room}{suffix}{after}")
    assert out == f"{district}{street}{place}[门牌]{after}"


@given(st.text(alphabet="0123456789 -一二三四五六七八九零幺号楼栋单元室层我叫姓是张王李欧阳小[]，电话码微信QQ：京AB·", max_size=40))
def test_idempotent_on_spoken_text(text):
    once = mask(text)
    assert mask(once) == once
