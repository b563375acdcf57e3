"""The OpenAPI 3.1 description of the JSON API (served at ``/api/openapi.json``)."""

from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "参数无效", 401: "缺少或无效的 API 密钥", 403: "密钥无权使用该接口", 404: "未找到（或不向该受众公开）",
            413: "请求内容过大", 415: "请求内容不是 JSON", 422: "无法处理", 429: "请求过于频繁（见 Retry-After）",
            503: "索引暂时无法服务，副本无法连接主节点，或流程数据库暂时无法使用（带密钥的请求、评价和纠错；不带密钥的查询照常）"}
    return {str(c): _json(_ref("Error"), text[c]) for c in codes}


def _param(name: str, description: str, schema: dict, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


CACHE_HEADERS = {"ETag": {"description": "提交、日期与请求的摘要；带 If-None-Match 再次请求时未变化返回 304",
                          "schema": {"type": "string"}},
                 "Cache-Control": {"description": "公开响应 public, max-age=30；带坐席密钥的响应 private, no-cache"
                                                  "（合作平台密钥的响应与公众相同，可以缓存，按 Vary: Authorization 区分）。"
                                                  "经共享缓存（nginx、CDN）时，发布的修改至多 30 秒后才出现在公开响应中",
                                   "schema": {"type": "string"}}}
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
AGENT = [{}, {"bearer": []}]
#: A dispatch candidate's or answer's note that it is for another district than the caller's.
REGION_NOTE = ("仅在该条只适用于某些区或街道（乡镇）、而来电没说在哪里、只说了区或说的是别的区、别的街道时出现：说明及要问的话，"
               "如“仅适用于东湖区：请先问清来电人所在的区”“仅适用于东湖区新华街道，来电只说了东湖区：请先问清来电人所在的街道（乡镇）”"
               "“仅适用于东湖区，来电说的是西山区”；来电说的是别处的派单候选排在适用的之后（适用的吻合程度都不到它一半时排第一，但不要替坐席预先选定），"
               "这样的答复不能直接答复来电人")

#: What a report's receipt says of its text read as an emergency.
REPORT_EMERGENCY = ("仅纠错：内容按检索问题的同样规则识别，读起来可能是正在发生的紧急情况（如“……我不想活了”）时出现，"
                    "与同样的话检索时的 emergency 相同：请像检索结果那样先向用户显示专线和安全提示。纠错照常保存，并标明读作紧急情况")

#: The marks an agent may see on an entry.
MARKS = ("仅坐席：格式错误、内部、未生效、已失效、依据已变更，待核；已发布的新版本将于某日生效时“新版本 2026-12-08 起生效”；答复正在更正时“修改审核中 #12”（或“删除审核中 #12”，"
         "#后是变更请求编号，标题等见 pending），有待处理的纠错时“有纠错待处理 2 条”")
UPCOMING = "仅坐席，仅在有时出现：本答复（现行版本）将被已发布的新版本取代，effective 是新版本生效的日期，在此之前仍按本答复"
PENDING_UNAVAILABLE = ("仅坐席，仅在副本暂时无法从主节点取得修改审核和纠错情况时出现：这时不标“修改审核中”“有纠错待处理”，"
                       "没有这些标记不等于没有")

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "examples": ["not_found"]},
                       "message": {"type": "string", "description": "给人看的中文说明：哪里不对、怎么办"}}},
        "emergency": {**_ref("Emergency"), "description": "仅 /api/v1/search 的 q 和 /api/v1/feedback 的纠错内容读起来是紧急情况时："
                                                          "请求被拒绝（如查询内容过长、请求过于频繁、未能保存）也照样给出，请照样先显示"}}},
    "Hit": {"type": "object",
            "required": ["id", "kind", "title", "unit", "unit_name", "score", "snippet", "url"],
            "properties": {
                "id": STR, "kind": {"enum": ["policy", "directory", "article"]}, "title": STR, "unit": STR,
                "unit_name": STR,
                "score": {"type": "number", "description": "检索得分。结果按相关程度排列，引用条文的答复排在所引条文之前"
                                                           "（坐席另把现行有效的排在前面），所以得分不一定逐条递减"}, "category": {"type": "array", "items": STR},
                "snippet": {"type": "string", "description": "HTML 摘要：除 <mark> 外全部转义"},
                "url": {"type": "string", "description": "公众页面的相对地址"},
                "loose": {"type": "boolean", "description": "仅在为 true 时出现：得分不到第一条的五分之一，"
                                                            "与问题关系较远（多半只有一两个词相同）"},
                "status": {"enum": ["in_force", "pending", "expired"], "description": "仅坐席"},
                "status_label": {"type": "string", "description": "仅坐席"},
                "audience": {"enum": ["public", "internal"], "description": "仅坐席"},
                "marks": {"type": "array", "items": STR, "description": MARKS},
                "pending": {**_ref("Pending"), "description": "仅坐席，仅在有时出现：修改这条的变更请求和待处理的纠错"},
                "upcoming": {**_ref("Upcoming"), "description": UPCOMING}}},
    "Upcoming": {"type": "object", "required": ["effective"], "properties": {
        "effective": {"type": "string", "description": "新版本生效的日期（YYYY-MM-DD）"},
        "text": {"type": "string", "description": "仅答复详情：新版本的答复全文（纯文本）"}}},
    "SearchResults": {"type": "object", "required": ["query", "commit", "total", "hits"], "properties": {
        "query": STR, "audience": {"enum": ["public", "agent"]}, "commit": STR, "total": {"type": "integer"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"},
        "close": {"type": "integer", "description": "全部结果中关系较近（不带 loose）的条数；排在前面。"
                                                    "可能超过前 30 条时不出现"},
        "corrected": {"type": "string", "description": "问题原样没有结果时，按同音改正后实际查询的问题（如 社宝卡 → 社保卡）"},
        "weak": {"type": "boolean", "description": "仅在为 true 时出现：问题说到的事（unknown）知识库里没有，"
                                                   "结果只和问题中的部分词语有关，不是对这个问题的答复；公众检索只给最前面的 10 条（total 至多为 10）"},
        "unknown": {"type": "array", "items": {"type": "string"},
                    "description": "问题中有知识库里没有提到的词时出现：这些词（如 护照）。与 weak 同时出现时结果不是对这个问题的答复；"
                                   "没有 weak 而有结果时，结果只和问题中的其他词语有关（网页上说“知识库里没有提到……”）"},
        "retired": {"type": "array", "items": {"type": "string"},
                    "description": "仅对公众、与 unknown 同时出现：其中曾有答复、但答复已停止使用（已过期）的词：应告诉提问的人"
                                   "相关答复已停止使用、政策可能已调整，请拨打 12345 了解现行规定"},
        "vague": {"type": "boolean", "description": "仅在为 true 时出现：没有结果，且问题只有“我”“怎么办”“您好，我想问一下”这类词，"
                                                    "没有说要问什么事：应请提问的人写明具体事情"},
        "emergency": {**_ref("Emergency"), "description": "问题可能是正在发生的紧急情况（含疑似）时：应立即拨打的专线"},
        "report": {"type": "object", "description": "问题读起来是在反映需要办理的事（如“小区门口路灯不亮”）而不是咨询时："
                                                    "受理诉求的热线和对市民说的话（不含派单目录的任何内容）",
                   "properties": {"line": STR, "message": STR,
                                  "urgent": {"type": "boolean", "description": "要立即处置的事（如燃气异味、水管爆裂）时为 true："
                                                                               "message 先讲安全，再请市民马上拨打热线"},
                                  "advice": {"type": "array", "items": STR,
                                             "description": "仅在 urgent 时出现：拨打热线前先做的安全提示，每条一句"
                                                            "（分类处置规则 urgent_advice 中为该类事项写的；没有写时为空列表）"}}},
        "hits": {"type": "array", "items": _ref("Hit")},
        "pending_unavailable": {"type": "string", "description": PENDING_UNAVAILABLE}}},
    "Pending": {"type": "object", "description": "仅坐席：答复正在更正或被报告有误（公众看不到）",
                "required": ["change_requests", "reports"], "properties": {
        "change_requests": {"type": "array", "description": "已提交、尚未发布（或撤回、驳回）而修改或删除这一条的变更请求",
                            "items": {"type": "object", "properties": {
                                "id": {"type": "integer"}, "title": STR,
                                "state": {"enum": ["in_review", "changes_requested", "approved", "conflicting", "publishing"]},
                                "state_label": STR, "change": {"enum": ["M", "D"]},
                                "change_label": {"type": "string", "description": "修改、删除"}}}},
        "reports": {"type": "object", "description": "待处理的纠错（市民、坐席报告的错误）",
                    "properties": {"open": {"type": "integer"},
                                   "since": {"type": ["string", "null"], "format": "date",
                                             "description": "最早一条的日期"}}}}},
    "Emergency": {"type": "object", "description": "市民的话读起来可能是正在发生的紧急情况（含疑似，按分类处置规则识别）时："
                                                   "应立即拨打的专线和等待救援时的安全提示，请醒目地显示在最前面（号码可直接拨打）",
                  "required": ["line", "channel", "event", "also", "advice", "answers"],
                  "properties": {"line": STR, "channel": STR, "event": STR,
                                 "also": {"type": "array", "items": STR},
                                 "advice": {"type": "array", "items": STR,
                                            "description": "等待救援时的安全提示，每条一句（分类处置规则中该事件或该专线的 advice；没有写时为空列表）"},
                                 "answers": {"type": "boolean",
                                             "description": "为 false 时（如有人要轻生），在专线旁不宜列出政策答复：公众网站只显示专线和安全提示，"
                                                            "公众检索的 hits 为空、total 为 0"}}},
    "Link": {"type": ["object", "null"], "properties": {"id": STR, "label": STR, "url": STR}},
    "Entry": {"type": "object", "required": ["id", "title", "unit", "unit_name", "html", "basis"],
              "properties": {
        "id": STR, "kind": STR, "title": STR, "unit": STR, "unit_name": STR,
        "category": {"type": "array", "items": STR}, "regions": {"type": "array", "items": STR},
        "questions": {"type": "array", "items": STR},
        "html": {"type": "string", "description": "正文 HTML，已按白名单清洗"},
        "basis": {"type": "array", "items": {"type": "object", "properties": {
            "label": STR, "article": NSTR, "url": NSTR}}},
        "last_checked": {"type": ["string", "null"], "format": "date"},
        "rechecking": {"type": "boolean"}, "notice": NSTR, "url": STR, "commit": STR,
        "audience": {"type": "string", "description": "仅坐席"},
        "status": {"type": "string", "description": "仅坐席"},
        "status_label": {"type": "string", "description": "仅坐席"},
        "marks": {"type": "array", "items": STR, "description": MARKS},
        "pending": {**_ref("Pending"), "description": "仅坐席，仅在有时出现"},
        "pending_unavailable": {"type": "string", "description": PENDING_UNAVAILABLE},
        "upcoming": {**_ref("Upcoming"), "description": UPCOMING + "；含新版本全文 text"},
        "effective": {"type": ["string", "null"], "description": "仅坐席：生效日期（YYYY-MM-DD，含这一天）"},
        "expires": {"type": ["string", "null"], "description": "仅坐席：有效期至（YYYY-MM-DD，含这一天，次日起公众看不到）"},
        "agent_notes": {"type": "string", "description": "仅坐席：内部提示"},
        "rechecking_detail": {"type": ["string", "null"], "description": "仅坐席"},
        "text": {"type": "string", "description": "仅坐席：可复制到工单的纯文本"}}},
    "Topics": {"type": "object", "required": ["commit", "total", "topics"], "properties": {
        "commit": STR, "total": {"type": "integer", "description": "公开且现行有效的答复数"},
        "topics": {"type": "array", "description": "按主题（答复的第一个类别，没有类别的为“其他”），主题和标题按拼音排序", "items": {
            "type": "object", "required": ["topic", "count", "answers"], "properties": {
                "topic": STR, "count": {"type": "integer"},
                "answers": {"type": "array", "items": {"type": "object", "required": ["id", "title", "url"], "properties": {
                    "id": STR, "title": STR, "url": STR, "unit": STR, "unit_name": STR}}}}}}}},
    "Article": {"type": "object", "required": ["id", "regulation", "number", "label", "html"], "properties": {
        "id": STR, "regulation": STR, "regulation_title": STR, "number": {"type": "integer"}, "label": STR,
        "chapter": STR, "issuer": STR, "effective": NSTR, "html": STR, "previous": _ref("Link"),
        "next": _ref("Link"),
        "cited_by": {"type": "array", "items": {"type": "object", "properties": {
            "id": STR, "kind": STR, "title": STR, "unit_name": STR, "url": STR,
            "marks": {"type": "array", "items": STR}}}},
        "url": STR, "commit": STR}},
    "DispatchRequest": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "maxLength": 2000, "description": "来电人原话"},
        "now": {"type": "string", "description": "受理时刻（ISO），默认当前时间；带时区（如 Z、+08:00）时换算为热线所在地时间，"
                                                 "结果中的时刻都是当地时间、不带时区"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
        "not_emergency": {"type": "boolean", "default": False,
                          "description": "坐席问过来电人、确认（疑似）紧急情况并未发生时为 true：转接话术让位，给出派单候选"}}},
    "Rule": {"type": ["object", "null"], "description": "适用的分类处置规则及要读给来电人的话术", "properties": {
        "id": STR, "name": {"type": "string", "description": "规则名称；转接紧急专线时是识别到的事件（如“落水和冰面”，"
                                                          "不是所转 119 规则的“火灾和爆炸险情”），与坐席工作台和 kb dispatch 一致"},
        "action": {"enum": ["transfer", "redirect", "reject"]}, "action_label": STR,
        "transfer_to": NSTR, "channel": NSTR, "trigger": STR, "script": STR, "basis": {}}},
    "Due": {"type": ["object", "null"], "properties": {
        "at": {"type": "string", "description": "办结时限（当地时间）"}, "start": STR, "tier": STR, "tier_name": STR,
        "amount": {"type": "integer"}, "unit": STR, "workdays": {"type": "array", "items": STR},
        "label": {"type": "string", "description": "给人看的期限，如“2026-11-20 18:00 前”"},
        "provisional": {"type": "boolean", "description": "为 true 时期限是暂定的：计算跨入了节假日安排尚未公布的年份，"
                                                         "该年周末也按工作日推算，公布后期限可能推后、不会提前"},
        "note": {"type": "string", "description": "暂定期限的说明（给坐席和来电人看）；不是暂定时为空"}}},
    "Candidate": {"type": "object", "properties": {
        "entry": {"type": "string", "description": "派单目录条目编号"}, "title": STR,
        "category": {"type": "array", "items": STR}, "handler": STR, "handler_name": STR,
        "co_handlers": {"type": "array", "items": {"type": "object", "properties": {"unit": STR, "name": STR}}},
        "level": STR, "tier": STR, "tier_name": STR, "due": _ref("Due"), "due_error": NSTR,
        "round_the_clock": {"type": "boolean"}, "score": {"type": "number"},
        "note": {"type": "string", "description": "排序依据的说明，如“与 12 条历史工单相似”"},
        "left_out": {"type": "string", "description": "诉求说到、而该事项职责边界（不包括）排除的范围，"
                                                        "如“小区内部路灯”；没有时为空"},
        "region_note": {"type": "string", "description": REGION_NOTE}}},
    "DispatchResult": {"type": "object", "description": "与 kb dispatch --json 的输出相同", "properties": {
        "text": STR, "now": {"type": "string", "description": "受理时刻（当地时间）"}, "commit": NSTR,
        "rule": _ref("Rule"), "other_rule": _ref("Rule"),
        "round_the_clock": {"type": "array", "items": STR, "description": "诉求中提到的 7×24 小时领域"},
        "urgent": {"type": "boolean", "description": "需要立即处置：紧急（或疑似紧急）情况要转接，"
                                                   "或反映的是办理时限最短的事（如燃气异味、水管爆裂）"},
        "urgency": {"enum": ["emergency", "suspected", ""],
                    "description": "要立即读转接话术时为 emergency（紧急）或 suspected（疑似紧急，按紧急处理）"},
        "emergency": {"type": ["object", "null"], "description": "按意思识别的紧急情况：state 为 emergency、suspected 或 "
                                                               "dismissed（已过去、是咨询等，不按紧急处理），附理由 explanation；"
                                                               "没有认出事件词、只是与以往紧急来电相似时 "
                                                               "resemblance 为相似程度（0–1），state 为 suspected"},
        "candidates_withheld": {"type": "boolean", "description": "为 true 时适用转接规则：只读 rule.script 转接，"
                                                                  "candidates 和 answers 为空；确认并非紧急后带 not_emergency 再次请求"},
        "confirmed_not_emergency": {"type": "boolean"},
        "candidates": {"type": "array", "items": _ref("Candidate"), "description": "派单目录候选，最合适的在前"},
        "answers": {"type": "array", "items": {"type": "object", "properties": {
            "entry": STR, "title": STR, "unit": STR, "unit_name": STR, "audience": STR, "status": STR,
            "coverage": {"type": "number"}, "settles": {"type": "boolean", "description": "可直接答复来电人"},
            "region_note": {"type": "string", "description": REGION_NOTE},
            "pending": {**_ref("Pending"), "description": "仅在有时出现：这条答复正在更正（修改它的变更请求）或被报告有误，"
                                                          "直接答复前请向来电人说明"}}},
            "description": "可能直接答复该诉求的已发布答复（含内部答复）"},
        "pending_unavailable": {"type": "string", "description": PENDING_UNAVAILABLE},
        "unmatched": {"type": "array", "items": STR,
                      "description": "首选候选只是字词相近时才有：诉求说到、而首选事项没有提到的词（如“打架”）；"
                                     "此时请按诉求和职责边界判断承办单位，不要直接采用首选"},
        "vague": {"type": "boolean", "description": "仅在为 true 时出现：诉求没有说是什么事（如“我要投诉”“我想反映个事，挺烦的”），"
                                                   "只说了诉求的种类或感受；请问清是什么事、在哪里再查询。此时 candidates 只是字词相近，"
                                                   "suggested_outcome 为空（除非某条答复正是这样问的）"},
        "more": {"type": "array", "items": {"type": "object", "properties": {"text": STR, "candidate": _ref("Candidate")}},
                 "description": "仅在有时出现：来电用“还有”“另外”等说了另一件事时，每件另外的事（首选之外）：所说的话和它的派单事项；"
                                "每件事请分别派单"},
        "rest": {"type": "string", "description": "仅在有时出现：来电说了不止一件事，answers 中 settles 的答复回答了其中所问，"
                                                 "rest 是另一件需要派单的事（如“我们小区门口路灯坏了”）；candidates 按它排列，"
                                                 "suggested_outcome 为 dispatch"},
        "corrected": {"type": "string", "description": "仅在有时出现：诉求中有同音错字时（如 社宝卡 → 社保卡），按坐席检索的改正"
                                                     "匹配派单目录和答复所用的文字；紧急情况和处置规则仍按原话 text 判断"},
        "suggested_outcome": {"enum": ["transfer", "direct_answer", "dispatch", ""],
                              "description": "建议的处理方式：转接、直接答复或派单"}}},
    "FeedbackRequest": {"type": "object", "required": ["entry", "type"], "properties": {
        "entry": STR, "type": {"enum": ["vote", "report"]},
        "helpful": {"type": "boolean", "description": "type=vote 时必填：JSON 布尔值 true 或 false（\"yes\"、\"false\" 这样的字符串"
                                                      "返回 400；网页表单提交时为 true 或 false）"},
        "query": {"type": "string", "maxLength": 200,
                  "description": "type=vote 时可选：找到这条答复时输入的问题；多人认为有帮助的问法会建议给承办单位加入答复的常见问法（保存前遮盖个人信息）"},
        "text": {"type": "string", "maxLength": 2000, "description": "type=report 时必填；手机号等个人信息保存前会被遮盖"},
        "voter": {"type": "string", "minLength": 1, "maxLength": 100,
                  "description": "带密钥的平台转交其用户的评价时：该用户在贵平台的匿名编号（同一用户每次相同）。同一用户对同一答复只计一次"
                                 "（再评 409），每个用户按市民的限额计（没有编号时整个密钥共用一份限额），不按平台服务器的地址合并；只保存摘要。"
                                 "浏览器会话改用 Cookie；不带密钥时不使用，但同样检查（超过 100 个字符返回 400）"},
        "contact": {"type": "string", "deprecated": True,
                    "description": "已停用：纠错不再收集联系方式，传入的内容不检查、不保存"}}},
    "FeedbackReceipt": {"type": "object",
                        "properties": {"status": {"const": "received"}, "type": STR, "entry": STR,
                                       "emergency": {**_ref("Emergency"), "description": REPORT_EMERGENCY}}},
    "Health": {"type": "object", "required": ["status", "role"], "properties": {
        "status": {"enum": ["ok", "degraded", "unavailable"],
                   "description": "degraded：流程数据库暂时无法使用，公众查询照常（仍为 200），见 database"},
        "role": {"enum": ["primary", "replica"]},
        "commit": NSTR, "indexed_commit": NSTR, "today": STR, "upstream": _ref("Upstream"),
        "database": _ref("Database"),
        "error": {"type": "object", "description": "索引无法服务时：{code, message}"}}},
    "Database": {"type": "object", "description": "本节点的流程数据库（API 密钥、评价、纠错、检索日志）", "required": ["status"],
                 "properties": {
        "status": {"enum": ["ok", "unusable"]},
        "message": {"type": "string", "description": "无法使用时：给人看的中文说明，哪些照常、哪些暂不可用"},
        "detail": {"type": "string", "description": "仅监控地址（metrics_from）可见：哪个文件、出了什么问题、怎样处理"}}},
    "Upstream": {"type": "object", "description": "仅副本：跟随主节点的情况", "required": ["reachable", "summary"],
                 "properties": {
        "reachable": {"type": "boolean", "description": "最近一次从主节点的仓库获取是否成功"},
        "api_reachable": {"type": "boolean", "description": "副本向主节点转交评价、纠错并核验 API 密钥时：最近一次检查主节点的"
                                                            "接口是否可用（为 false 时评价、纠错和带密钥的请求暂不可用，公众查询照常）"},
        "summary": {"type": "string", "description": "给人看的中文说明，如“主节点暂时无法访问，内容停在提交 3f2a1c0e9b"
                                                     "（2026-12-05 10:00 取得）”，主节点的接口不可用时另说明“评价、纠错和 API "
                                                     "密钥核验暂不可用”"},
        "commit": NSTR, "last_fetch": {"type": "string", "description": "最近一次尝试获取的时间（当地时间）"},
        "last_ok": {"type": "string", "description": "最近一次成功获取的时间（当地时间）"},
        "api_checked": {"type": "string", "description": "最近一次检查主节点接口的时间（当地时间）"},
        "repository": {"type": "string", "description": "仅监控地址（metrics_from）可见：主节点仓库的地址"},
        "error": {"type": ["string", "null"], "description": "仅监控地址（metrics_from）可见：最近一次获取失败时 git 的原始报错"},
        "primary": {"type": "string", "description": "仅监控地址（metrics_from）可见：主节点接口的地址"},
        "api_error": {"type": ["string", "null"],
                      "description": "仅监控地址（metrics_from）可见：最近一次检查主节点接口失败的原因"}}},
}

#: The ``voter`` of a keyed search or answer read: which of the platform's users asked (the statistics count people).
VOTER_PARAM = ("带密钥的平台转交其用户的查询时：该用户在贵平台的匿名编号（同一用户每次相同，与评价的 voter 相同）；只保存摘要，"
               "几分钟后即删除。同一提问者几分钟内重复同一查询只计一次：不传时整个密钥算一个提问者，"
               "轮询或预热缓存不会使某个查询成为热点。不带密钥时不使用，但同样检查（超过 100 个字符返回 400）")

FILTERS = [
    _param("q", "查询内容（任何字符串；最多 200 个字）", {"type": "string"}, required=True),
    _param("limit", "每页条数", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}),
    _param("offset", "跳过的条数", {"type": "integer", "minimum": 0, "maximum": 1000, "default": 0}),
    _param("kind", "只查某类：policy 答复、article 条文；directory 派单目录需坐席密钥（不带坐席密钥时返回 400）",
           {"enum": ["policy", "article", "directory"]}),
    _param("unit", "承办单位编号，即搜索结果和答复中的 unit 字段（不认识的编号返回 400）", STR), _param("category", "主题（类别），即搜索结果和答复中的 category 字段（不认识的主题返回 400）", STR),
    _param("region", "区域：某区（只含适用于该区和全市的结果）或 全市；不认识的区域返回 400", STR),
    _param("audience", "public（默认）或 agent（需坐席密钥）", {"enum": ["public", "agent"], "default": "public"}),
    _param("voter", VOTER_PARAM, {"type": "string", "minLength": 1, "maxLength": 100}),
]

PATHS = {
    "/api/v1/search": {"get": {
        "summary": "检索答复、条文（坐席另含派单目录与内部条目）", "operationId": "search", "security": AGENT,
        "parameters": FILTERS,
        "responses": {"200": {**_json(_ref("SearchResults"), "检索结果，最相关的在前"), "headers": CACHE_HEADERS},
                      "304": {"description": "未变化"}, **_errors(400, 401, 403, 429, 503)}}},
    "/api/v1/entries/{id}": {"get": {
        "summary": "一条答复（公众：公开且现行有效的答复；坐席：全部条目及内部提示）", "operationId": "entry",
        "security": AGENT, "parameters": [
            _param("id", "条目编号", STR, "path", True),
            _param("q", "找到这条答复的查询（可选，同 /api/v1/search 的 q）：统计把这次打开记在这次查询上，"
                        "热点议题按它打开的答复统计", {"type": "string"}),
            _param("voter", VOTER_PARAM, {"type": "string", "minLength": 1, "maxLength": 100})],
        "responses": {"200": {**_json(_ref("Entry"), "条目"), "headers": CACHE_HEADERS},
                      "304": {"description": "未变化"},
                      **_errors(401, 404, 429, 503)}}},
    "/api/v1/topics": {"get": {
        "summary": "按主题列出公开且现行有效的答复（与网站“全部答复”相同），供不带问题浏览", "operationId": "topics",
        "responses": {"200": {**_json(_ref("Topics"), "主题及其答复"), "headers": CACHE_HEADERS},
                      "304": {"description": "未变化"}, **_errors(429, 503)}}},
    "/api/v1/articles/{regulation}/{n}": {"get": {
        "summary": "条例的一条条文、上一条/下一条、引用它的答复", "operationId": "article", "security": AGENT,
        "parameters": [_param("regulation", "条例编号，如 beijing-2021", STR, "path", True),
                       _param("n", "条号", {"type": "integer"}, "path", True)],
        "responses": {"200": {**_json(_ref("Article"), "条文"), "headers": CACHE_HEADERS},
                      "304": {"description": "未变化"},
                      **_errors(401, 404, 429, 503)}}},
    "/api/v1/dispatch": {"post": {
        "summary": "派单助手（需坐席密钥）：分类处置规则、匹配的派单目录条目与办理期限", "operationId": "dispatch",
        "security": [{"bearer": []}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("DispatchRequest")}}},
        "responses": {"200": _json(_ref("DispatchResult"), "派单建议"),
                      **_errors(400, 401, 403, 413, 415, 422, 429, 503)}}},
    "/api/v1/feedback": {"post": {
        "summary": "评价答复是否有帮助，或报告错误（纠错）；网页表单提交时返回 303 跳回答复页。"
                   "同一浏览器会话（Cookie kb_voter，评价成功时设置）或平台的同一用户（voter）对同一答复只能评价一次，"
                   "再次评价返回 409。不带密钥时同一地址对同一答复每天只计一次评价（其后的照常答复 201，不计入），同一地址当天"
                   "对同一答复写同样内容的纠错只保存一次；只保存地址与日期的摘要，次日清除。其他网站的页面发来的（Origin，或没有"
                   " Origin 时的 Referer，是别的网站）返回 403 cross_site；两者都没有的（服务器之间的调用）照常受理。"
                   "纠错内容读起来是紧急情况时，回执（和错误）另有 emergency；网页表单不跳转，"
                   "直接返回先显示紧急提示的页面；纠错未能收下时（429、503 等）网页表单同样不跳转，返回的页面把所写的内容"
                   "放回纠错表单", "operationId": "feedback",
        "security": AGENT,
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("FeedbackRequest")},
            "application/x-www-form-urlencoded": {"schema": _ref("FeedbackRequest")}}},
        "responses": {"200": {"description": "表单提交的纠错读起来是紧急情况：先显示专线、拨号按钮和安全提示，再说已收到的页面"
                                             "（未能保存时以相应的错误状态返回同样的页面，所写的内容放回纠错表单；"
                                             "不是紧急情况的纠错未能收下时，返回的页面只有说明和纠错表单）",
                              "content": {"text/html": {"schema": STR}}},
                      "201": _json(_ref("FeedbackReceipt"), "已收到"),
                      "303": {"description": "表单提交：跳回答复页"},
                      "403": _json(_ref("Error"), "其他网站的页面发来的（cross_site）：请在本站的答复页评价或纠错"),
                      "409": _json(_ref("Error"), "本浏览器会话已评价过该答复（already_voted）"),
                      **_errors(400, 401, 404, 413, 415, 429, 503)}}},
    "/api/v1/health": {"get": {
        "summary": "服务状态：主干提交与索引提交；索引无法读取（如已损坏）时 503，供负载均衡摘除该节点；流程数据库无法使用时仍为 200，"
                   "status 为 degraded，database 中写明", "operationId": "health",
        "security": AGENT,
        "responses": {"200": _json(_ref("Health"), "可以服务"), "503": _json(_ref("Health"), "索引暂时无法服务"),
                      **_errors(401)}}},
    "/api/v1/hooks/published": {"post": {
        "summary": "（副本）主节点发布了变更：立即获取并索引；需 hook_secret 签名", "operationId": "hookPublished",
        "x-internal": True,
        "parameters": [_param("X-Kb-Timestamp", "Unix 时间", STR, "header", True),
                       _param("X-Kb-Signature", "sha256=HMAC(hook_secret, 时间.正文)", STR, "header", True)],
        "responses": {"200": _json({"type": "object"}, "已更新"), **_errors(400, 503),
                      "403": _json(_ref("Error"), "签名无效"), "409": _json(_ref("Error"), "本站点不是副本")}}},
    "/api/v1/hooks/logs": {"post": {
        "summary": "（主节点）副本转交的检索日志；需签名", "operationId": "hookLogs", "x-internal": True,
        "responses": {"200": _json({"type": "object"}, "已保存"), "403": _json(_ref("Error"), "签名无效"),
                      "409": _json(_ref("Error"), "本站点是副本")}}},
    "/api/v1/hooks/keys": {"post": {
        "summary": "（主节点）为副本核验 API 密钥的 SHA-256；需签名", "operationId": "hookKeys", "x-internal": True,
        "responses": {"200": _json({"type": "object"}, "密钥信息或 null"), "403": _json(_ref("Error"), "签名无效"),
                      "409": _json(_ref("Error"), "本站点是副本")}}},
    "/api/v1/hooks/pending": {"post": {
        "summary": "（主节点）各条目正在审核的变更请求和待处理的纠错，供副本标给坐席；需签名", "operationId": "hookPending",
        "x-internal": True,
        "responses": {"200": _json({"type": "object"}, "按条目编号"), "403": _json(_ref("Error"), "签名无效"),
                      "409": _json(_ref("Error"), "本站点是副本")}}},
    "/api/openapi.json": {"get": {"summary": "本文档", "operationId": "openapi",
                                  "responses": {"200": {**_json({"type": "object"}, "OpenAPI 3.1"),
                                                        "headers": {"ETag": {"description": "本文档内容的摘要；带 If-None-Match "
                                                                                            "再次请求时未变化返回 304",
                                                                             "schema": STR}}},
                                                "304": {"description": "未变化"}}}},
    "/api/docs": {"get": {"summary": "本文档的网页版，供人阅读", "operationId": "docs",
                          "responses": {"200": {"description": "HTML 页面", "content": {"text/html": {"schema": STR}}}}}},
    "/metrics": {"get": {"summary": "Prometheus 指标：请求数、延迟直方图、缓存命中、索引提交的时长；只对设置 metrics_from 中的"
                                    "地址（监控系统，默认本机与内网）开放，其他地址得到 404", "operationId": "metrics",
                         "x-internal": True,
                         "responses": {"200": {"description": "Prometheus 文本格式",
                                               "content": {"text/plain": {"schema": STR}}}}}},
}

#: Keys are for calls between servers; a browser page calls anonymously (what kb_app.web.app.PublicReads does).
KEYS_SERVER_SIDE = ("密钥只用于服务器之间的调用：合作平台的密钥是其服务器上的机密，坐席密钥只在坐席系统的服务器上，"
                    "都不能写进网页或 App 的前端代码。")
BROWSER_CALLS = ("浏览器中的网页（任何网站）可以跨站匿名调用检索、答复、条文、health 和本文档（CORS：GET、HEAD，"
                 "Access-Control-Allow-Origin: *，不带 Cookie）；预检中请求带 Authorization 等自定义请求头的一律不允许"
                 "（响应中没有 Access-Control-Allow-Headers），带密钥的请求请从贵方的服务器发出。派单和评价只限同源。")

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "示例市 12345 知识库 API", "version": "1",
             "description": "公众可匿名调用（按地址限速）；合作平台与坐席系统使用 kb apikey 签发的密钥："
                            "Authorization: Bearer <密钥>。" + KEYS_SERVER_SIDE + BROWSER_CALLS +
                            "错误一律为 {\"error\": {\"code\", \"message\"}}。"},
    "servers": [{"url": "/"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "description": "kb apikey add 签发的密钥。" + KEYS_SERVER_SIDE}}},
}


# -- the same description for people (/api/docs) -----------------------------------------------------

#: Where a parameter goes, said when not in the query string.
WHERE = {"query": "", "path": "路径中", "header": "请求头"}
STATUS_WORDS = {"200": "成功", "201": "已创建", "303": "跳转", "304": "未变化"}


def public(spec: dict) -> dict:
    """The description partners and citizens are served: without the operations marked ``x-internal`` (the
    signed calls between a primary and its replicas, the monitoring endpoint), which docs/deploy.md
    describes for the operators."""
    paths = {}
    for path, methods in spec["paths"].items():
        kept = {m: op for m, op in methods.items() if not op.get("x-internal")}
        if kept:
            paths[path] = kept
    return {**spec, "paths": paths}


PUBLIC_SPEC = public(SPEC)


def type_html(schema: dict | None) -> str:
    """A schema's type for a person, as HTML (escaped; a structure links to its description)."""
    from markupsafe import Markup, escape

    if not schema:
        return ""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return Markup(f'<a href="#schema-{escape(name)}">{escape(name)}</a>')
    if "enum" in schema:
        return Markup("、".join(f"<code>{escape(v)}</code>" if v != "" else "空字符串" for v in schema["enum"]))
    if "const" in schema:
        return Markup(f"<code>{escape(schema['const'])}</code>")
    kind = schema.get("type", "")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k]
    if "array" in kinds:
        return Markup("列表，每项为 ") + type_html(schema.get("items"))
    words = {"string": "字符串", "integer": "整数", "number": "数字", "boolean": "true 或 false", "object": "对象",
             "null": "null"}
    out = "或".join(words.get(k, k) for k in kinds)
    bounds = [f"{w} {schema[k]}" for k, w in (("minimum", "最小"), ("maximum", "最大"), ("maxLength", "最多字数"))
              if k in schema]
    if "default" in schema:
        bounds.append(f"默认 {schema['default']}")
    return escape(out + (f"（{'，'.join(bounds)}）" if bounds else ""))


def who_calls(operation: dict) -> str:
    security = operation.get("security")
    if security is None:
        return "任何人"
    if {} in security:
        return "任何人；带密钥（Authorization: Bearer <密钥>）时按密钥的身份"
    return "需要密钥（Authorization: Bearer <密钥>）"


def docs_context(spec: dict = PUBLIC_SPEC) -> dict:
    """What /api/docs shows: every operation with its parameters, body and responses, and every schema."""
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "anchor": op.get("operationId", path), "who": who_calls(op),
                "parameters": [{"name": p["name"], "where": WHERE.get(p["in"], p["in"]), "required": p.get("required"),
                                "type": type_html(p.get("schema")), "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": "；".join(f"{kind}：{type_html(c.get('schema'))}" for kind, c in body.items()),
                "responses": [{"status": status, "description": r.get("description", STATUS_WORDS.get(status, "")),
                               "type": type_html(next(iter(r.get("content", {}).values()), {}).get("schema"))}
                              for status, r in op.get("responses", {}).items()]})
    schemas = [{"name": name, "description": s.get("description", ""),
                "fields": [{"name": f, "type": type_html(fs), "description": fs.get("description", ""),
                            "required": f in s.get("required", [])} for f, fs in s.get("properties", {}).items()]}
               for name, s in spec["components"]["schemas"].items()]
    return {"title": "JSON API 说明（第 " + spec["info"]["version"] + " 版）", "description": spec["info"]["description"],
            "operations": operations, "schemas": schemas}
