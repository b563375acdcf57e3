"""Every word a person sees for an id the code keeps: kinds of content, statuses, audiences, levels,
roles and review parties, the states and events of a change request, maintenance tasks, dispatch
outcomes and the audit trail of accounts — each defined once, in Simplified Chinese.

The core, the ``kb`` command, the Streamlit pages and the public site all read them from here, so
one thing is called by one name wherever it shows. Labels are plain dicts (id -> words); a lookup
of an unknown id should fall back to the id itself (``label(KIND_LABELS, kind)``).
"""

from __future__ import annotations

import datetime as dt
import re

# -- content ----------------------------------------------------------------------------------

#: What an entry or a search hit is (front matter ``kind``; ``article`` is an article of a regulation).
KIND_LABELS = {"policy": "答复口径", "directory": "派单目录", "article": "条例条文"}
#: The kinds an entry file can have (what the editor offers).
ENTRY_KIND_LABELS = {kind: KIND_LABELS[kind] for kind in ("policy", "directory")}

#: Whether an entry is in force on a day (``Entry.status``); ``invalid`` when its dates or audience
#: cannot be read.
STATUS_LABELS = {"in_force": "有效", "pending": "未生效", "expired": "已失效", "invalid": "格式错误"}

#: Who may read an entry (front matter ``audience``), as a mark next to it.
# The topic of an answer without a category: its heading on the public site's list of answers and the
# choice of the topic filter that finds it.
NO_TOPIC = "其他"

AUDIENCE_LABELS = {"public": "公开", "internal": "内部"}
#: What each audience means, spelled out where it is chosen (the editor).
AUDIENCE_HINTS = {"public": "公众可查", "internal": "仅坐席"}

#: Who is searching: the public index or the agents' one.
READER_LABELS = {"public": "公众", "agent": "坐席"}

#: Administrative level of a directory entry's handler (front matter ``level``).
LEVEL_LABELS = {"city": "市级", "district": "区级", "street": "街乡级"}

#: How a file changes in a change request (git's name-status letters).
CHANGE_LABELS = {"A": "新增", "M": "修改", "D": "删除"}

# -- people -----------------------------------------------------------------------------------

#: Roles of local accounts.
ROLE_LABELS = {
    "unit_editor": "单位编辑",
    "unit_reviewer": "单位审核人",
    "center_reviewer": "热线中心校核",
    "legal_reviewer": "法制审核",
    "agent": "坐席",
    "admin": "管理员",
}
#: Review parties named in review_policy.yaml that are not a unit (a policy may rename them).
PARTY_LABELS = {"center": ROLE_LABELS["center_reviewer"], "legal": ROLE_LABELS["legal_reviewer"]}
#: Roles of API keys held by other systems.
API_ROLE_LABELS = {"agent": "坐席系统", "partner": "合作平台"}

# -- review -----------------------------------------------------------------------------------

#: States of a change request.
CR_STATE_LABELS = {
    "draft": "草稿", "in_review": "审核中", "changes_requested": "退回修改", "approved": "已批准",
    "conflicting": "有冲突", "publishing": "发布中", "published": "已发布", "withdrawn": "已撤回",
    "rejected": "已驳回",
}
#: What a review party that has not approved is waiting for, by the request's state ("—" for the others: a
#: request turned down, withdrawn or published waits for nobody's review).
PARTY_WAITING_LABELS = {
    "in_review": "待审核", "draft": "未提交", "changes_requested": "等作者修改后再审",
    "conflicting": "等作者解决冲突后再审",
}
#: How a change request that only withdraws answers is reviewed (review_policy.yaml: withdrawal).
WITHDRAWAL_NOTE = ("本变更只停用答复（有效期改到今天以前，别的没有改动），下列审核方中任一方批准即可发布，"
                   "公众随即查不到它（坐席仍能查到，标为“已失效”）；改正后的答复另按常规审核。")
#: Why nobody can approve for a review party a change request needs (kb_app.review.policy.party_gaps).
PARTY_GAP_LABELS = {"no_account": "目前没有可审核的账号", "author_only": "作者是该审核方唯一的审核人"}
#: What to do about such a party, said after 审核方“<party>”: the administrator adds (or enables) an account of
#: the kind it needs (``who``); ``gap`` is the party's PARTY_GAP_LABELS.
PARTY_GAP_ADVICE = {
    "no_account": "{gap}：请管理员在“用户管理”中添加{who}账号（已有账号被停用的，恢复它）",
    "author_only": "：{gap}，而作者不能审核自己的变更。请管理员在“用户管理”中再添加一名{who}账号",
}
#: What to do instead of taking a change request as the draft of a new one, by its state ("" for the others):
#: only one turned down or withdrawn is taken so.
REDRAFT_REFUSAL_HINTS = {
    "": "它还没有结束，请直接修改它", "published": "它已经发布，要再修改请在编辑器中打开条目",
    "publishing": "它正在发布，请稍后查看结果",
}
#: What is in the way when a change request cannot be published, by its state ("" for the others).
PUBLISH_REFUSAL_HINTS = {
    "": "需要所有审核方批准当前版本", "published": "它已经发布，无需再次发布",
    "publishing": "它正在发布，请稍后查看结果",
    "draft": "请先提交审核，所有审核方批准当前版本后才能发布",
    "changes_requested": "请按审核意见修改后重新提交，所有审核方批准后才能发布",
    "conflicting": "它与主干上的新改动冲突：请更新后重新审核",
    "withdrawn": "如仍需修改，请以它为底稿新建变更请求",
    "rejected": "如仍需修改，请以它为底稿、按驳回意见新建变更请求",
}
#: Kinds of change request: an ordinary change, or a unit's objection to a dispatch entry.
CR_KIND_LABELS = {"change": "内容变更", "objection": "派单异议"}
#: Events in a change request's history.
CR_EVENT_LABELS = {
    "create": "创建", "submit": "提交审核", "update": "更新", "approve": "批准", "request_changes": "退回修改",
    "rejected": "驳回", "withdraw": "撤回", "publish": "发布", "conflict": "发布冲突", "adopt": "从 git 分支登记",
    "comment": "评论", "invalidate": "审核失效", "recover": "中断后恢复", "redraft": "以此为底稿新建",
}
#: One open change request named to somebody about to change the same entry: number, title, author, state.
REQUEST_NAMED = "变更请求 #{id}“{title}”（{author}，{state}）"
#: Where somebody starts on an entry that other open change requests (drafts too) already change: a
#: warning, nothing is refused (a correction may be urgent).
UNDER_WAY_NOTE = ("{what}已在{requests}中修改。其中一个发布后，其余的会“有冲突”，要按发布后的版本更新、重新审核："
                  "请先与对方沟通。")
#: On the review page of a request whose entries other open change requests change too.
UNDER_WAY_REVIEW_NOTE = "“{what}”同时在{requests}中修改：批准发布本变更请求后，它们会“有冲突”，要由作者按发布后的版本更新、重新审核。"
#: Why an answer is to be read with care, beside 采用此答复 (kb_app.review.pending marks).
ADOPT_CAUTION_REASONS = {"M": "这条答复正在更正", "D": "这条答复正在撤下", "report": "这条答复被报告有误"}
ADOPT_CAUTION = "{reason}（{marks}）：采用前请仔细核对现行内容，念给来电人时逐句确认。"

#: The configuration files of regulations/ by name (regulations/<name>.yaml), as reviewers read them.
CONFIG_LABELS = {
    "units": "承办单位名录", "time_limits": "办理时限", "intake_rules": "分类处置规则", "review_policy": "审核规则",
    "synonyms": "检索同义词", "calendar": "节假日日历", "intake_examples": "来电示例（紧急情况识别）",
}

# -- feedback, tasks and dispatch ------------------------------------------------------------

#: The mark of an entry whose legal basis changed since it was last checked (and its task's kind).
FLAG_LABEL = "依据已变更，待核"
#: The impact of a time-limit tier change: answers naming its old figure (3个工作日) though not as a hotline
#: work order's time limit (kb_app.review.impact.states_tier), listed for the reviewers, not marked.
TIER_MENTIONS = "提到原时限、但看不出是热线工单时限的条目（未标记待核，请核对）"


def tier_scope(name: str, description: str) -> str:
    """Which matters a time-limit tier is for, under its name: 2小时适用于：紧急诉求：……"""
    return f"{name}适用于：{description}"


def written_before_note(title: str, why: str) -> str:
    """Why publishing a request drafted before a rule change leaves its entry marked 依据已变更，待核."""
    return (f"“{title}”的依据在本变更请求写成之后有了变更（{why}）：发布本请求不会清除“{FLAG_LABEL}”标记。"
            "请作者对照现行条文核对，按最新主干更新本请求后再审核。")


def expiring_note(last_day, left: int, kind: str = "policy") -> str:
    """What the editor and the reviewers of a change are told of an entry whose ``expires`` (``last_day``) comes
    within the days of the maintenance tasks' 即将到期 (``left`` days from today; 0: today is the last)."""
    what = "本答复" if kind == "policy" else "本条目"
    when_ = "今天是有效的最后一天" if left == 0 else f"还有 {left} 天"
    return f"{what} {last_day} 到期（{when_}）：如需继续有效，请一并修改有效期或准备接续版本。"


def upcoming_mark(day) -> str:
    """The mark of an answer in force whose new version, already published, takes effect on ``day``."""
    return f"新版本 {day} 起生效"


#: The word of a maintenance task and a staff mark on an answer in force that ends soon.
EXPIRING = "即将到期"


def expiring_mark(last_day) -> str:
    """The mark of an answer in force that ends soon (on ``last_day``) with no published version to follow it."""
    return f"{EXPIRING}（{last_day} 止）"

#: Kinds of maintenance task.
TASK_KIND_LABELS = {
    "report": "纠错", "expiring": "即将到期", "review_due": "到期复核", "unhelpful": "多次无帮助",
    "zero_result": "缺失的答复", "basis_changed": FLAG_LABEL, "invalid": STATUS_LABELS["invalid"],
    "suggested_question": "建议新增问法", "reference": "提到的答复打不开", "inconsistent_fact": "与其他单位说法不一致",
    "calendar": "工作日历缺少年份",
}
#: States of a maintenance task.
TASK_STATE_LABELS = {"open": "待处理", "closed": "已完成", "dismissed": "已驳回"}

#: Who sent an error report or a vote.
REPORTER_LABELS = {"public": "市民", "agent": "坐席", "staff": "工作人员"}
#: How an objection to a catalogue entry ended (by the state of its change request).
OBJECTION_OUTCOME_LABELS = {"published": "异议成立，已改派", "rejected": "异议不成立",
                            "withdrawn": CR_STATE_LABELS["withdrawn"]}
#: How an agent settled a call (recorded by the dispatch assistant).
OUTCOME_LABELS = {"direct_answer": "直接答复", "dispatch": "派单", "transfer": "转接"}
#: What an intake rule tells the agent to do.
RULE_ACTION_LABELS = {"transfer": "转接紧急专线", "redirect": "告知其他渠道", "reject": "不予受理并解释",
                      "privacy": "涉及个人信息，不予提供"}
#: The emergency finding on a request.
#: What an empty selection box says (Streamlit's own words are English).
SELECT_PLACEHOLDER = "请选择"
#: A report or list not limited to one unit, or to one region.
ALL_UNITS, ALL_REGIONS = "全部单位", "全部区域"

EMERGENCY_LABELS = {"emergency": "紧急", "suspected": "疑似紧急", "dismissed": "不按紧急处理"}

# -- accounts ---------------------------------------------------------------------------------

#: Events of the accounts' audit trail.
AUTH_EVENT_LABELS = {
    "login": "登录成功", "failed": "登录失败", "refused": "锁定期间拒绝登录", "locked": "锁定", "unlocked": "解锁",
    "logout": "退出登录", "expired": "会话超时", "password": "修改密码", "disabled": "停用账号", "enabled": "恢复账号",
    "created": "建立账号", "role": "修改角色", "ended": "结束会话",
}
#: Why a session of the app ended (``sessions.end_reason``).
SESSION_END_LABELS = {"logout": "退出登录", "idle": "超时", "password": "修改密码", "disabled": "账号停用",
                      "gone": "账号不存在", "ended": "管理员结束"}
#: Where an audited action came from.
VIA_LABELS = {"app": "网页", "cli": "命令行"}


def label(labels: dict, key) -> str:
    """The words for ``key`` in ``labels``, or the key itself when it has none."""
    return labels.get(key, "" if key is None else str(key))


def audience_label(audience) -> str:
    """公开 for a public audience, 内部 for anything else (what cannot be read is not public)."""
    return AUDIENCE_LABELS["public" if audience == "public" else "internal"]


def audience_choice(audience: str) -> str:
    """An audience as offered for choosing: 公开（公众可查）."""
    hint = AUDIENCE_HINTS.get(audience)
    return f"{label(AUDIENCE_LABELS, audience)}（{hint}）" if hint else label(AUDIENCE_LABELS, audience)


def status_mark(status: str) -> str:
    """The mark shown next to an entry that is not simply in force (empty when it is)."""
    return "" if status == "in_force" else STATUS_LABELS.get(status, "")


def chinese_date(day) -> str:
    """A date as people write it: 2026年12月3日 (a date, a datetime or an ISO string; "" for none or
    one that cannot be read)."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day[:10])
        except ValueError:
            return ""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def when(value) -> str:
    """A time as every page and command shows it: ``2026-11-30 12:00`` (a datetime, or one written as ISO text,
    ``2026-11-30T12:00:00``); a date as ``2026-11-30``; no time as ""; other text unchanged."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _ISO_TIME.match(value):
        return f"{dt.datetime.fromisoformat(value.replace('Z', '+00:00')):%Y-%m-%d %H:%M}"
    return value
