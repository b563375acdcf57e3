import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb_app.privacy import luhn_ok, mask

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
]

KEPT = [
    "拨打12345市民服务热线",
    "2026-11-22下午停水",
    "2026年11月22日",
    "20261122",
    "京政办发〔2024〕12号",
    "依据国办发明电〔2025〕7号",
    "补贴12000元，合计1,234,567.89元",
    "东湖区幸福路88号3单元502室",
    "已经等了120分钟，拨打了110和119",
    "第十一条第三款",
    "订单金额 3500000 元",
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


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


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
