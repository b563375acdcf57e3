"""The rules of the configuration files under regulations/ (units, time limits, intake rules,
review policy, synonyms, calendar), with the line of each problem inside the YAML.

:class:`ConfigChecks` is mixed into the validator of ``kb_app.content.validate``, which owns the
problems list and the checks of entries and regulation texts.
"""

from __future__ import annotations

import fnmatch
import functools
import re

import yaml

from .model import ID_PATTERN, as_date, config_path

UNIT_LEVELS = ("city", "district", "street", "company")
TIER_UNITS = ("hours", "workdays")
INTAKE_ACTIONS = ("transfer", "redirect", "reject", "privacy")
KNOWN_PARTIES = ("center", "legal", "owner", "handlers")
#: The configuration files every knowledge base has, by name (regulations/<name>.yaml).
CONFIG_NAMES = ("units", "time_limits", "intake_rules", "review_policy", "synonyms", "calendar")
#: ... and those it may have.
OPTIONAL_CONFIG_NAMES = ("intake_examples",)


class ConfigChecks:
    """Checks of the configuration files; needs ``snap``, ``add`` and ``check_basis`` of the validator."""

    def node_line(self, name, *keys):
        """The 1-based line of a value inside a config file, following keys and indexes."""
        node = self.snap.config_nodes.get(name)
        line = node.start_mark.line + 1 if node is not None else 1
        for key in keys:
            if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            elif isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == str(key)), None)
                if found is None:
                    return line
                node = found
            else:
                return line
            line = node.start_mark.line + 1
        return line

    def check_configs(self):
        for name in CONFIG_NAMES:
            path = config_path(name)
            if path not in self.snap.files:
                self.add(path, 1, "", "配置文件缺失", f"在 regulations/ 下建立 {name}.yaml（格式见 README）")
            elif name in self.snap.configs:
                getattr(self, f"check_{name}")(path, self.snap.configs[name])
        for name in OPTIONAL_CONFIG_NAMES:
            if name in self.snap.configs:
                getattr(self, f"check_{name}")(config_path(name), self.snap.configs[name])

    def expect(self, path, name, cond, keys, field, message, fix):
        if not cond:
            self.add(path, self.node_line(name, *keys), field, message, fix)
        return cond

    def check_units(self, path, data):
        if not self.expect(path, "units", isinstance(data, list), (), "", "应为单位列表", "每个单位写成“- {id: …, name: …, level: …}”"):
            return
        seen = set()
        for i, u in enumerate(data):
            if not self.expect(path, "units", isinstance(u, dict), (i,), "", "单位应为映射", "写成 id、name、level 等字段"):
                continue
            for field in ("id", "name", "level"):
                self.expect(path, "units", u.get(field), (i,), field, "缺少必填字段", f"为该单位填写 {field}")
            uid = u.get("id")
            if uid in seen:
                self.add(path, self.node_line("units", i, "id"), "id", f"单位编号“{uid}”重复", "为重复的单位改用新的编号")
            seen.add(uid)
            if isinstance(uid, str) and not ID_PATTERN.match(uid):
                self.add(path, self.node_line("units", i, "id"), "id", f"单位编号“{uid}”格式不对", "只用小写字母、数字和连字符")
            if u.get("level") is not None and u.get("level") not in UNIT_LEVELS:
                self.add(path, self.node_line("units", i, "level"), "level", f"层级“{u.get('level')}”无效",
                         "改为 city、district、street 或 company")
            aliases = u.get("aliases", [])
            if not (isinstance(aliases, list) and all(isinstance(a, str) and len(a.strip()) >= 2 for a in aliases)):
                self.add(path, self.node_line("units", i, "aliases"), "aliases", "简称应为列表，每个简称至少两个字",
                         "写成“aliases: [人社局, 人力社保局]”，或删去这一行")
        ids = {u.get("id") for u in data if isinstance(u, dict)}
        for i, u in enumerate(data):
            if isinstance(u, dict) and u.get("parent") and u.get("parent") not in ids:
                self.add(path, self.node_line("units", i, "parent"), "parent", f"上级单位“{u.get('parent')}”不存在",
                         "改为已登记的单位编号，或写 null")

    def check_time_limits(self, path, data):
        if not self.expect(path, "time_limits", isinstance(data, dict) and isinstance(data.get("tiers"), list), (),
                           "tiers", "缺少时限档位列表", "写成“tiers: [{id: 2h, amount: 2, unit: hours}, …]”"):
            return
        for i, t in enumerate(data["tiers"]):
            if not self.expect(path, "time_limits", isinstance(t, dict) and t.get("id"), ("tiers", i), "id", "档位缺少 id", "为档位填写 id"):
                continue
            amount = t.get("amount")
            self.expect(path, "time_limits", isinstance(amount, int) and not isinstance(amount, bool) and amount > 0,
                        ("tiers", i, "amount"), "amount", f"时限数值“{amount}”无效", "填写正整数")
            self.expect(path, "time_limits", t.get("unit") in TIER_UNITS, ("tiers", i, "unit"), "unit",
                        f"时限单位“{t.get('unit')}”无效", "改为 hours（自然小时）或 workdays（工作日）")
            self.check_basis(path, as_basis_list(t.get("basis")), self.node_line("time_limits", "tiers", i))
        default = data.get("default_tier")
        tiers = {str(t.get("id")) for t in data["tiers"] if isinstance(t, dict)}
        if default is not None:
            self.expect(path, "time_limits", str(default) in tiers, ("default_tier",), "default_tier",
                        f"默认档位“{default}”未定义", f"改为已定义的档位：{'、'.join(sorted(tiers))}")
        ext = data.get("extension", {})
        if ext is not None:
            mx = ext.get("max_workdays") if isinstance(ext, dict) else None
            self.expect(path, "time_limits", isinstance(mx, int) and mx > 0, ("extension",), "extension.max_workdays",
                        "延期上限应为正整数的工作日数", "写成“extension: {max_workdays: 5}”")
        rtc = data.get("round_the_clock")
        if rtc is not None:
            ok = isinstance(rtc, dict) and all(isinstance(rtc.get(k, []), list) for k in ("domains", "keywords", "units"))
            self.expect(path, "time_limits", ok, ("round_the_clock",), "round_the_clock", "7×24 配置格式不对",
                        "domains、keywords、units 都写成列表")
            if ok:
                for u in rtc.get("units", []):
                    self.expect(path, "time_limits", u in self.snap.units, ("round_the_clock", "units"), "round_the_clock.units",
                                f"单位“{u}”未登记", "改为 units.yaml 中的单位编号")

    def check_intake_rules(self, path, data):
        if not self.expect(path, "intake_rules", isinstance(data, dict) and isinstance(data.get("rules"), list), (),
                           "rules", "缺少规则列表", "写成“rules: [{id: …, action: …, triggers: […], script: …}]”"):
            return
        seen = set()
        for i, r in enumerate(data["rules"]):
            if not self.expect(path, "intake_rules", isinstance(r, dict) and r.get("id"), ("rules", i), "id", "规则缺少 id", "为规则填写 id"):
                continue
            self.expect(path, "intake_rules", r["id"] not in seen, ("rules", i, "id"), "id", f"规则编号“{r['id']}”重复", "改用新的编号")
            seen.add(r["id"])
            self.expect(path, "intake_rules", r.get("action") in INTAKE_ACTIONS, ("rules", i, "action"), "action",
                        f"处置方式“{r.get('action')}”无效", "改为 transfer、redirect、reject 或 privacy")
            trig = r.get("triggers")
            if not (r.get("action") == "transfer" and "events" in r and trig is None):
                self.expect(path, "intake_rules", isinstance(trig, list) and trig and all(isinstance(t, str) and t for t in trig),
                            ("rules", i, "triggers"), "triggers", "触发词应为非空的文字列表", "写成“triggers: [着火, 冒烟]”")
            together = r.get("together")
            self.expect(path, "intake_rules", together is None or isinstance(together, list) and all(
                isinstance(g, list) and len(g) >= 2 and all(isinstance(w, list) and w for w in g) for g in together),
                ("rules", i, "together"), "together", "同句词组应为若干组词表，每组至少两个词表",
                "写成“together: [[[帮我查, 告诉我], [前妻, 对方], [住哪, 电话]]]”")
            unsaid = r.get("together_except")
            self.expect(path, "intake_rules", unsaid is None or isinstance(unsaid, list) and all(
                isinstance(t, str) and t for t in unsaid), ("rules", i, "together_except"), "together_except",
                "同句词组的例外应为非空的文字列表", "写成“together_except: [电话打不通, 电话关机]”")
            self.expect(path, "intake_rules", isinstance(r.get("script"), str) and r.get("script"), ("rules", i), "script",
                        "缺少答复话术", "填写坐席应对来电人说的话")
            if r.get("action") == "transfer":
                self.expect(path, "intake_rules", r.get("transfer_to"), ("rules", i), "transfer_to", "转接规则缺少转接号码",
                            "填写 transfer_to，例如 \"110\"")
            self.check_basis(path, as_basis_list(r.get("basis")), self.node_line("intake_rules", "rules", i))
        check_emergency(self, path, data)
        check_urgent_advice(self, path, data)

    def check_intake_examples(self, path, data):
        """Example calls for recognising emergencies by resemblance (kb_app.dispatch.resemblance)."""
        if not self.expect(path, "intake_examples", isinstance(data, dict) and isinstance(data.get("examples"), list),
                           (), "examples", "缺少来电示例列表", "写成“examples: [{text: 来电人的原话, line: \"120\"}]”"):
            return
        rules = self.snap.config("intake_rules", {})
        rules = rules.get("rules") if isinstance(rules, dict) else None
        lines = {str(r.get("transfer_to")) for r in rules or [] if isinstance(r, dict) and r.get("action") == "transfer"}
        for i, item in enumerate(data["examples"]):
            if not self.expect(path, "intake_examples", isinstance(item, dict) and isinstance(item.get("text"), str)
                               and item["text"].strip(), ("examples", i), "text", "来电示例缺少原话",
                               "写成“{text: 来电人的原话, line: \"120\"}”"):
                continue
            line = str(item.get("line") or "none").strip()
            self.expect(path, "intake_examples", line == "none" or line in lines, ("examples", i, "line"), "line",
                        f"专线“{line}”不是任何转接规则的转接号码",
                        f"改为 {'、'.join(sorted(lines)) or '转接规则的号码'}，不是紧急情况的写 none")

    def check_review_policy(self, path, data):
        if not self.expect(path, "review_policy", isinstance(data, dict) and isinstance(data.get("rules"), list), (),
                           "rules", "缺少规则列表", "写成“rules: [{paths: [...], require: [...]}]”"):
            return
        parties = data.get("parties") or {}
        known = set(KNOWN_PARTIES) | set(parties)
        for i, r in enumerate(data["rules"]):
            ok = isinstance(r, dict) and isinstance(r.get("paths"), list) and r["paths"]
            if not self.expect(path, "review_policy", ok, ("rules", i), "paths", "规则缺少路径列表", "写成“paths: [\"entries/policy/**\"]”"):
                continue
            req = r.get("require")
            if not self.expect(path, "review_policy", isinstance(req, list) and req, ("rules", i), "require",
                               "规则缺少审核方列表", f"写成“require: [owner, center]”；可用：{'、'.join(sorted(known))}"):
                continue
            for p in req:
                if not (p in known or (isinstance(p, str) and p.startswith("unit:") and p[5:] in self.snap.units)):
                    self.add(path, self.node_line("review_policy", "rules", i, "require"), "require", f"审核方“{p}”未定义",
                             f"改为 {'、'.join(sorted(known))} 之一，或“unit:单位编号”")
        for name, party in parties.items() if isinstance(parties, dict) else []:
            self.expect(path, "review_policy", isinstance(party, dict) and party.get("role"), ("parties", name), name,
                        "审核方缺少 role", "填写 role，例如 center_reviewer")
        if "withdrawal" in data:
            one_of = data["withdrawal"].get("require_one_of") if isinstance(data["withdrawal"], dict) else None
            if self.expect(path, "review_policy", isinstance(one_of, list) and one_of, ("withdrawal",), "withdrawal",
                           "停用规则缺少审核方列表", "写成“withdrawal: {require_one_of: [owner, center]}”，或删去这一节"):
                for p in one_of:
                    if p not in known:
                        self.add(path, self.node_line("review_policy", "withdrawal", "require_one_of"), "withdrawal",
                                 f"审核方“{p}”未定义", f"改为 {'、'.join(sorted(known))} 之一")
        for top in ("entries/policy/x/y.md", "entries/directory/y.md", "regulations/units.yaml"):
            covered = any(fnmatch.fnmatch(top, pat) for r in data["rules"] if isinstance(r, dict)
                          for pat in r.get("paths") or [])
            self.expect(path, "review_policy", covered, ("rules",), "rules", f"没有规则覆盖“{top}”这类文件",
                        "增加覆盖该路径的规则，否则此类变更无人审核")

    def check_synonyms(self, path, data):
        if not self.expect(path, "synonyms", isinstance(data, dict) and isinstance(data.get("groups"), list), (),
                           "groups", "缺少同义词组列表", "写成“groups: [[社会保障卡, 社保卡], …]”"):
            return
        seen = {}
        for i, g in enumerate(data["groups"]):
            if not self.expect(path, "synonyms", isinstance(g, list) and len(g) >= 2 and all(isinstance(t, str) and t.strip() for t in g),
                               ("groups", i), "groups", "同义词组应至少包含两个词", "写成“- [正式说法, 口语说法]”"):
                continue
            for t in g:
                if t in seen and seen[t] != i:
                    self.add(path, self.node_line("synonyms", "groups", i), "groups", f"词“{t}”同时出现在两个同义词组中",
                             "把两组合并，或删去其中一处")
                seen[t] = i

    def check_calendar(self, path, data):
        if not self.expect(path, "calendar", isinstance(data, dict) and isinstance(data.get("years"), dict), (),
                           "years", "缺少按年份的节假日安排", "写成“years: {2026: {holidays: [...], workdays: [...]}}”"):
            return
        for year, spec in data["years"].items():
            if not self.expect(path, "calendar", isinstance(year, int) and isinstance(spec, dict), ("years", year), str(year),
                               "年份配置格式不对", "年份写成整数，下设 holidays 与 workdays 列表"):
                continue
            for kind in ("holidays", "workdays"):
                for j, item in enumerate(spec.get(kind) or []):
                    day = as_date(item.get("date") if isinstance(item, dict) else item)
                    if day is None:
                        self.add(path, self.node_line("calendar", "years", year, kind, j), kind, f"“{item}”不是有效日期",
                                 "写成“- {date: 2026-10-01, name: 国庆节}”")
                    elif day.year != year:
                        self.add(path, self.node_line("calendar", "years", year, kind, j), kind, f"{day} 不属于 {year} 年",
                                 "把该日期移到对应年份下")


def as_basis_list(value):
    if value is None:
        return None
    return value if isinstance(value, list) else [value]



# -- emergency recognition (intake_rules.yaml: ``emergency`` and the transfer rules' ``events``) ------

EMERGENCY_KEYS = {"window", "now", "not_now", "not_now_patterns", "anywhere", "handled", "partial", "refuge", "ignore",
                  "negations", "misheard", "mistaken", "symbols", "leaks"}
#: The word lists of what a caller takes back (see kb_app.dispatch.emergency.Recogniser._taken_back).
MISTAKEN_KEYS = ("beliefs", "corrections", "retractions", "denials", "instead", "echoes")
#: An event group's switches, and what writing one says.
EVENT_SWITCHES = {
    "fallback": "写成“fallback: true”：只在没有识别到其他专线的事件时才采用本组（如“呼救”）",
    "answers": "写成“answers: false”：公众网站在本组的专线旁不列政策答复（如有人要轻生）",
    "yields": "写成“yields: true”：同时认出别的专线的险情（如有人昏迷）时，本组（如“诈骗”“抢劫盗窃”）排在其后",
    "intent_now": "写成“intent_now: true”：说出要这样做（如“我要自杀”）就按正在发生处理",
}
EVENT_KEYS = {"name", "words", "pairs", "pair_window", "exclude", "outlasts", "channel", "advice", "script",
              *EVENT_SWITCHES}
#: The longest safety step a citizen is shown (``advice``): one short sentence, read on a phone in a hurry.
MAX_ADVICE_CHARS = 60


def _word_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(w, (str, int)) and str(w).strip() for w in value)


def check_emergency(v: ConfigChecks, path: str, data: dict):
    """The recognition of emergencies by meaning: context words and every transfer rule's events."""
    at = functools.partial(v.node_line, "intake_rules")
    section = data.get("emergency")
    if section is not None:
        _check_emergency_section(v, path, section, at)
    for i, r in enumerate(data["rules"]):
        if not isinstance(r, dict):
            continue
        if r.get("advice") is not None:
            if r.get("action") != "transfer":
                v.add(path, at("rules", i, "advice"), "advice", "只有转接规则（action: transfer）可以写安全提示 advice",
                      "删去 advice；告知渠道的规则把要说的话写在 script 中")
            else:
                _check_advice(v, path, r, ("rules", i), at, "advice")
        events = r.get("events")
        if events is None:
            continue
        if r.get("action") != "transfer":
            v.add(path, at("rules", i, "events"), "events", "只有转接规则（action: transfer）可以写 events",
                  "删去 events，或改用 triggers 列出触发短语")
            continue
        if not (isinstance(events, list) and events):
            v.add(path, at("rules", i, "events"), "events", "事件词组应为非空列表",
                  "写成“events: [{name: 打架斗殴, words: [打架, 互殴]}]”")
            continue
        for j, e in enumerate(events):
            _check_event(v, path, e, (("rules", i, "events", j)), at)


def _check_emergency_section(v, path, section, at):
    if not isinstance(section, dict):
        v.add(path, at("emergency"), "emergency", "应为映射", "写成 now、not_now、ignore、negations 等字段")
        return
    for key in section:
        if key not in EMERGENCY_KEYS:
            v.add(path, at("emergency", key), f"emergency.{key}", "未知字段", f"可用字段：{'、'.join(sorted(EMERGENCY_KEYS))}")
    window = section.get("window")
    if window is not None and not (isinstance(window, int) and not isinstance(window, bool) and 1 <= window <= 100):
        v.add(path, at("emergency", "window"), "emergency.window", f"语境范围“{window}”无效", "填写 1 到 100 之间的整数（字数）")
    now = section.get("now")
    if now is not None and not (isinstance(now, dict) and set(now) <= {"strong", "weak"}
                                and all(_word_list(x) for x in now.values())):
        v.add(path, at("emergency", "now"), "emergency.now", "正在发生的迹象格式不对",
              "写成“now: {strong: [正在, 快来], weak: [了]}”")
    for key in ("ignore", "negations", "handled", "partial", "refuge"):
        if section.get(key) is not None and not _word_list(section.get(key)):
            v.add(path, at("emergency", key), f"emergency.{key}", "应为文字列表", f"写成“{key}: [甲, 乙]”")
    leaks = section.get("leaks")
    if leaks is not None and not (isinstance(leaks, dict) and set(leaks) <= {"things", "except", "scalding"}
                                  and all(_word_list(x) for x in leaks.values())):
        # At the first list that is wrong, where one is.
        wrong = next((k for k, x in leaks.items() if not _word_list(x)), None) if isinstance(leaks, dict) else None
        v.add(path, at("emergency", "leaks", *([wrong] if wrong else [])), "emergency.leaks", "漏水的说法格式不对",
              "写成“leaks: {things: [水, 暖气片, 水管], except: [羊水], scalding: [热水, 蒸汽]}”")
    mistaken = section.get("mistaken")
    if mistaken is not None:
        # The first key that is wrong, where one is (unknown, or not a list of words), else the table.
        wrong = [k for k, x in mistaken.items() if k not in MISTAKEN_KEYS or not _word_list(x)] \
            if isinstance(mistaken, dict) else [None]
        if wrong:
            node = ("emergency", "mistaken") if wrong[0] is None else ("emergency", "mistaken", wrong[0])
            v.add(path, at(*node), "emergency.mistaken", "收回的话的格式不对",
                  f"写成“mistaken: {{beliefs: [以为], corrections: [原来, 其实]}}”，可用字段：{'、'.join(MISTAKEN_KEYS)}")
    for key in ("not_now", "not_now_patterns"):
        groups = section.get(key)
        if groups is None:
            continue
        if not (isinstance(groups, dict) and all(_word_list(x) for x in groups.values())):
            v.add(path, at("emergency", key), f"emergency.{key}", "应为“类别: [词, …]”的映射",
                  f"写成“{key}: {{过去的事: [上个月, 去年]}}”")
            continue
        if key == "not_now_patterns":
            for name, patterns in groups.items():
                for p in patterns:
                    try:
                        re.compile(str(p))
                    except re.error as exc:
                        v.add(path, at("emergency", key, name), f"emergency.{key}", f"正则表达式“{p}”有误：{exc}",
                              "改正写法，或改用 not_now 中的普通词")
    anywhere = section.get("anywhere")
    if anywhere is not None:
        known = section.get("not_now") if isinstance(section.get("not_now"), dict) else {}
        if not _word_list(anywhere):
            v.add(path, at("emergency", "anywhere"), "emergency.anywhere", "应为文字列表",
                  "写成“anywhere: [已经过去]”，列出 not_now 中的类别名称")
        else:
            for name in anywhere:
                if str(name) not in known:
                    v.add(path, at("emergency", "anywhere"), "emergency.anywhere", f"not_now 中没有类别“{name}”",
                          f"改用 not_now 中的类别：{'、'.join(map(str, known)) or '（先在 not_now 中写出类别）'}")
    misheard = section.get("misheard")
    if misheard is not None:
        # The first line that is wrong, where one is (a list of words, not characters), else the table.
        wrong = [k for k, x in misheard.items() if not (isinstance(k, str) and len(k) == 1 and _word_list(x)
                                                         and all(len(str(c)) == 1 for c in x))] \
            if isinstance(misheard, dict) else [None]
        if wrong:
            node = ("emergency", "misheard") if wrong[0] is None else ("emergency", "misheard", wrong[0])
            v.add(path, at(*node), "emergency.misheard", "同音字表格式不对",
                  "每行写一个字和它的同音字，如“火: [伙, 活]”")
    symbols = section.get("symbols")
    if symbols is not None:
        wrong = [k for k, x in symbols.items() if not (isinstance(k, str) and k.strip() and isinstance(x, str)
                                                        and x.strip())] if isinstance(symbols, dict) else [None]
        if wrong:
            node = ("emergency", "symbols") if wrong[0] is None else ("emergency", "symbols", wrong[0])
            v.add(path, at(*node), "emergency.symbols", "符号表格式不对",
                  "每项写成“符号: 它代表的话”，如火焰符号写成它的引号形式加“: 着火”；代表的话是一段文字，不是列表")


def _check_event(v, path, e, keys, at):
    where = at(*keys)
    if not isinstance(e, dict):
        v.add(path, where, "events", "事件词组应为映射", "写成“{name: 打架斗殴, words: [打架, 互殴]}”")
        return
    for key in e:
        if key not in EVENT_KEYS:
            v.add(path, at(*keys, key), f"events.{key}", "未知字段", f"可用字段：{'、'.join(sorted(EVENT_KEYS))}")
    if not (isinstance(e.get("name"), str) and e["name"].strip()):
        v.add(path, where, "events.name", "事件词组缺少名称", "填写 name，例如“打架斗殴”，坐席会看到它")
    for key, hint in EVENT_SWITCHES.items():
        if key in e and not isinstance(e[key], bool):
            v.add(path, at(*keys, key), f"events.{key}", "应为 true 或 false", hint)
    if "channel" in e and not (isinstance(e["channel"], str) and e["channel"].strip()):
        v.add(path, at(*keys, "channel"), "events.channel", "渠道名称应为文字",
              "写成“channel: 119抢险救援”（线路号码加名称，市民看到“请立即拨打 119（抢险救援）”），或删去它沿用规则的 channel")
    words, pairs = e.get("words"), e.get("pairs")
    if words is not None and not _word_list(words):
        v.add(path, at(*keys, "words"), "events.words", "应为文字列表", "写成“words: [打架, 互殴]”")
    if pairs is not None and not (isinstance(pairs, list) and all(
            isinstance(p, list) and len(p) == 2 and all(_word_list(side) and side for side in p) for p in pairs)):
        v.add(path, at(*keys, "pairs"), "events.pairs", "词对应为两组词的列表", "写成“pairs: [[[孩子, 老人], [不见了, 找不到]]]”")
    if not words and not pairs:
        v.add(path, where, "events.words", "事件词组既没有 words 也没有 pairs", "至少列出一个事件词")
    if "pair_window" in e and not (type(e["pair_window"]) is int and 1 <= e["pair_window"] <= 100):
        v.add(path, at(*keys, "pair_window"), "events.pair_window", f"词对间隔“{e['pair_window']}”无效",
              "填写 1 到 100 之间的整数（字数）：本组词对两个词之间最多隔多少个字，不写则用 emergency 的 window")
    if e.get("exclude") is not None and not _word_list(e.get("exclude")):
        v.add(path, at(*keys, "exclude"), "events.exclude", "应为文字列表", "写成“exclude: [狗, 猫]”")
    if e.get("outlasts") is not None and not _word_list(e.get("outlasts")):
        v.add(path, at(*keys, "outlasts"), "events.outlasts", "应为文字列表", "写成“outlasts: [火已经灭了, 已经关火]”")
    _check_advice(v, path, e, keys, at, "events.advice")
    if "script" in e and not (isinstance(e["script"], str) and e["script"].strip()):
        v.add(path, at(*keys, "script"), "events.script", "话术应为文字",
              "写成“script: 您反映的是……我现在为您转接119，请不要挂机。……”，或删去它沿用规则的 script")


def check_urgent_advice(v: ConfigChecks, path: str, data: dict):
    """The safety steps a citizen reporting an urgent catalogue matter is shown (``urgent_advice``: entry id →
    steps, as a transfer rule's ``advice``)."""
    table = data.get("urgent_advice")
    if table is None:
        return
    at = functools.partial(v.node_line, "intake_rules")
    if not isinstance(table, dict):
        v.add(path, at("urgent_advice"), "urgent_advice", "紧急诉求的安全提示应为映射：派单目录条目编号 → 提示列表",
              "写成“urgent_advice: {gas-leak: [不要在屋里打电话, 关闭燃气总阀]}”")
        return
    directory = {e.id for e in v.snap.entry_list if e.kind == "directory"}
    for entry_id, steps in table.items():
        if str(entry_id) not in directory:
            v.add(path, at("urgent_advice", entry_id), "urgent_advice", f"派单目录中没有编号为“{entry_id}”的条目",
                  "改为 entries/directory/ 中条目的 id，或删去这一项")
        _check_advice(v, path, {"advice": steps}, ("urgent_advice", entry_id), at, "urgent_advice")


def _check_advice(v, path, node: dict, keys, at, field: str):
    """The safety steps of a transfer rule or of one of its events (``advice``), shown to citizens."""
    advice = node.get("advice")
    if advice is None:
        return
    if not (isinstance(advice, list) and advice and all(isinstance(a, str) and a.strip() for a in advice)):
        v.add(path, at(*keys, "advice"), field, "安全提示应为非空的文字列表",
              "写成“advice: [先离开危险的地方, 说清楚具体地址]”，每条一句，市民在查询结果上方看到")
        return
    for a in advice:
        if len(a.strip()) > MAX_ADVICE_CHARS:
            v.add(path, at(*keys, "advice"), field, f"安全提示“{a.strip()[:12]}…”有 {len(a.strip())} 个字，太长",
                  f"每条写成 {MAX_ADVICE_CHARS} 个字以内的一句话，分成几条")
