"""kb validate on the emergency recognition of intake_rules.yaml: each mistake named with its line."""

import pytest

from ..content.test_validate import run_validate

RULES = "regulations/intake_rules.yaml"


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def broken(sample_root, change) -> tuple[str, list[str]]:
    """Change the sample's intake rules with ``change(text)``; (the text before, kb validate's lines)."""
    path = sample_root / RULES
    text = path.read_text(encoding="utf-8")
    path.write_text(change(text), encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    return text, result.output.splitlines()


@pytest.mark.parametrize("old, new, field, message", [
    ("  window: 10 ", "  window: 0 ", "emergency.window", "语境范围“0”无效。修改方法：填写 1 到 100 之间的整数（字数）"),
    ("  window: 10 ", "  windows: 10 ", "emergency.windows", "未知字段"),
    ("    strong: [正在,", "    strang: [正在,", "emergency.now", "正在发生的迹象格式不对"),
    ("  negations: [没有,", "  negations: {a: 没有}\n  x_negations: [没有,", "emergency.negations", "应为文字列表"),
    ("    过去的事: ['\\d{1,2}月", "    过去的事: ['(\\d{1,2}月", "emergency.not_now_patterns", "正则表达式"),
    ("    火: [伙, 活, 货, 或, 获]", "    火: [伙伴]", "emergency.misheard", "同音字表格式不对"),
    ("    beliefs: [以为,", "    belief: [以为,", "emergency.mistaken", "收回的话的格式不对"),
    ("    echoes: [您是说,", "    echoes: {a: 您是说}\n    x_echoes: [您是说,", "emergency.mistaken", "收回的话的格式不对"),
    ('  symbols: {"🔥": 着火,', '  symbols: {"🔥": [着火],', "emergency.symbols", "符号表格式不对"),
    # A line further down is named where it stands, not at the head of the table.
    ("    风: [封, 疯, 峰]", "    风: [封面]", "emergency.misheard", "同音字表格式不对"),
    ("      - name: 火情\n", "      - name: ''\n", "events.name", "事件词组缺少名称"),
    ("        pairs: [[[火, 烟], [出不去, 出不来, 困在, 被困, 跑不出, 下不去, 下不来]]]", "        pairs: [[火, 烟]]", "events.pairs",
     "词对应为两组词的列表"),
    ("      - name: 临产\n        words: [要生了,", "      - name: 临产\n        wrds: [要生了,", "events.wrds", "未知字段"),
    ("  anywhere: [已经过去, 不当真的话]", "  anywhere: [已经过去, 说过的话]", "emergency.anywhere", "not_now 中没有类别“说过的话”"),
    ("  anywhere: [已经过去, 不当真的话]", "  anywhere: 已经过去", "emergency.anywhere", "应为文字列表"),
    ("        script: \"您反映的是燃气泄漏", "        script: [您反映的是燃气泄漏]\n        x_script: \"您反映的是燃气泄漏", "events.script",
     "话术应为文字"),
    ("  handled: [车已经到了,", "  handled: {车: 到了}\n  x_handled: [车已经到了,", "emergency.handled", "应为文字列表"),
    ("  partial: [有几个,", "  partial: {有: 几个}\n  x_partial: [有几个,", "emergency.partial", "应为文字列表"),
    ("    things: [水, 暖气,", "    thing: [水, 暖气,", "emergency.leaks", "漏水的说法格式不对"),
    ("    scalding: [热水,", "    scalding: 热水\n    x_scalding: [热水,", "emergency.leaks", "漏水的说法格式不对"),
    ("        fallback: true\n", "        fallback: 是\n", "events.fallback", "应为 true 或 false"),
    ("        yields: true\n", "        yields: 1\n", "events.yields", "应为 true 或 false"),
    ("        intent_now: true\n", "        intent_now: 是\n", "events.intent_now", "应为 true 或 false"),
    ("        pair_window: 30\n", "        pair_window: 三十\n", "events.pair_window",
     "词对间隔“三十”无效。修改方法：填写 1 到 100 之间的整数（字数）"),
    ("        pair_window: 30\n", "        pair_window: 0\n", "events.pair_window", "词对间隔“0”无效"),
    ("        answers: false\n", "        answers: 不列\n", "events.answers", "应为 true 或 false"),
    ("        channel: 119抢险救援\n", "        channel: [119]\n", "events.channel", "渠道名称应为文字"),
    ("        outlasts: [火已经灭了,", "        outlasts: {火: 灭了}\n        x_outlasts: [火已经灭了,", "events.outlasts", "应为文字列表"),
    ("        advice:\n          - 不要开关电灯", "        advice: 关阀门\n        x_advice:\n          - 不要开关电灯", "events.advice",
     "安全提示应为非空的文字列表"),
    ("    advice:\n      - 先离开着火", "    advice:\n      - " + "请" * 61 + "\n      - 先离开着火", "advice",
     "安全提示“请请请请请请请请请请请请…”有 61 个字，太长。修改方法：每条写成 60 个字以内的一句话"),
    ("  gas-leak:\n", "  gas-leakage:\n", "urgent_advice", "派单目录中没有编号为“gas-leakage”的条目。修改方法：改为 entries/directory/ 中条目的 id"),
    ("  water-pipe-burst:\n    - 先关闭", "  water-pipe-burst:\n    - " + "请" * 61 + "\n    - 先关闭", "urgent_advice",
     "安全提示“请请请请请请请请请请请请…”有 61 个字，太长"),
    ("urgent_advice:\n  gas-leak:", "urgent_advice: 不要在屋里打电话\nx_urgent_advice:\n  gas-leak:", "urgent_advice",
     "紧急诉求的安全提示应为映射：派单目录条目编号 → 提示列表"),
])
def test_emergency_mistakes(sample_root, old, new, field, message):
    text, lines = broken(sample_root, lambda t: t.replace(old, new, 1))
    line = line_of(text, old)
    assert any(x.startswith(f"{RULES}:") and f"字段 {field}：{message}" in x for x in lines), lines
    assert any(x.startswith((f"{RULES}:{line}:", f"{RULES}:{line + 1}:")) for x in lines if field in x), lines


def test_events_only_on_transfer_rules(sample_root):
    old = "    name: 诉讼程序\n    action: redirect\n"
    text, lines = broken(sample_root, lambda t: t.replace(old, old + "    events: [{name: 官司, words: [官司]}]\n"))
    expected = f"{RULES}:{line_of(text, old) + 2}: 字段 events：只有转接规则（action: transfer）可以写 events"
    assert any(x.startswith(expected) for x in lines), lines


def test_safety_steps_only_on_transfer_rules(sample_root):
    old = "    name: 诉讼程序\n    action: redirect\n"
    text, lines = broken(sample_root, lambda t: t.replace(old, old + "    advice: [找律师]\n"))
    expected = f"{RULES}:{line_of(text, old) + 2}: 字段 advice：只有转接规则（action: transfer）可以写安全提示 advice"
    assert any(x.startswith(expected) for x in lines), lines


def test_a_transfer_rule_needs_triggers_or_events(sample_root):
    def drop_fire_events(t):
        return t[:t.index("    events:\n      - name: 火情")] + t[t.index("    script: \"您反映的情况属于火灾"):]

    _text, lines = broken(sample_root, drop_fire_events)
    assert any("字段 triggers：触发词应为非空的文字列表" in x for x in lines), lines


def test_a_key_written_twice_is_named_not_silently_dropped(sample_root):
    """YAML keeps the second of two ``pairs:`` and drops the first without a word: the file is refused, with
    the line of the second, so the recognition never loses words unseen."""
    old = "        exclude: [狗被车,"
    text, lines = broken(sample_root, lambda t: t.replace(old, "        pairs: [[[车], [撞了]]]\n" + old, 1))
    line = line_of(text, old)
    assert any(x.startswith(f"{RULES}:{line}:") and "字段“pairs”写了两次" in x and "合并成一处" in x
               for x in lines), lines


def test_a_front_matter_key_written_twice_is_named(sample_root):
    from ..content.test_validate import run_validate

    path = next((sample_root / "entries").rglob("*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle:", "\ntitle: 重复的标题\ntitle:", 1), encoding="utf-8")
    result = run_validate(sample_root)
    assert result.exit_code == 1
    assert "字段“title”写了两次" in result.output, result.output
