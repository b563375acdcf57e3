"""``kb dispatch``: the dispatch assistant for one request, importing past work orders, and the history's records
(listed with ``--recent``, a wrong one removed with ``--forget``)."""

from __future__ import annotations

import json

import click

from ...labels import LEVEL_LABELS, audience_label, status_mark
from ...cli import cli, errors, parse_datetime, read_password, root_options
from ...dispatch.history import SOURCES


@cli.command()
@root_options
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供脚本和评测使用）。")
@click.option("--now", callback=parse_datetime, default=None, help="受理时间（YYYY-MM-DDTHH:MM），默认现在。")
@click.option("--limit", type=click.IntRange(1, 20), default=5, show_default=True, help="列出的目录条目数。")
@click.option("--not-emergency", is_flag=True, help="坐席已向来电人确认：疑似紧急的情况并非紧急，继续给出派单建议。")
@click.option("--learn", "learn_file", type=click.Path(dir_okay=False), default=None,
              help="导入历史工单：JSON Lines 文件，每行 {\"text\": 诉求, \"entry\": 派单目录事项编号}，可选 at、region。")
@click.option("--no-history", is_flag=True, help="只按派单目录匹配，不参考历史工单。")
@click.option("--recent", type=click.IntRange(1, 1000), default=None, metavar="N",
              help="列出最近 N 条派单历史记录（编号、时间、来源、事项、诉求）。")
@click.option("--forget", "forget_id", type=int, default=None, metavar="ID",
              help="从派单历史中删除编号为 ID 的记录（派错的工单、导入错的行），需 --as。")
@click.option("--as", "username", default=None, help="以该用户身份操作（--forget 需要；密码取自 KB_PASSWORD 或提示输入）。")
def dispatch(kb, text, as_json, now, limit, not_emergency, learn_file, no_history, recent, forget_id, username):
    """派单助手：紧急情况、分类处置规则、可直接答复的口径、匹配的派单目录条目和办理期限；--learn 导入历史工单。

    排序参考相似的历史工单（坐席确认的派单、异议改派、导入的工单），但分类处置规则始终优先。
    --recent 列出最近的历史记录；--forget 删除一条派错的记录（热线中心校核人员、管理员，或当天确认它的坐席本人）。

    \b
    示例：
        kb dispatch "小区旁边工地半夜还在打桩，吵得睡不着"
        kb dispatch --json --now 2026-11-20T16:00 "家里停水了"
        kb dispatch --not-emergency "楼下有人打架"
        kb dispatch --learn 工单导出.jsonl
        kb dispatch --recent 20
        kb dispatch --forget 123 --as center01
    """
    if learn_file:
        return learn(kb, learn_file)
    if forget_id is not None:
        return forget(kb, forget_id, username)
    if recent:
        return list_recent(kb, recent, as_json)
    if not (text or "").strip():
        raise click.UsageError("请给出来电人的诉求（TEXT），或用 --learn 导入历史工单。")
    result = kb.dispatch(text, now=now, limit=limit, not_emergency=not_emergency, history=not no_history)
    pending = kb.pending()
    if as_json:
        body = result.to_dict()
        pending.annotate(body["answers"])
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    if result.corrected_note:
        click.echo(f"{result.corrected_note}。")
    echo_intake(result)
    if result.candidates_withheld:
        if result.urgency == "suspected":
            click.echo("不列出派单目录：确认不是紧急情况后，加 --not-emergency 重新查询。")
        else:
            click.echo("不列出派单目录：请按话术转接。")
        return
    echo_answers(result, pending)
    if result.round_the_clock:
        click.echo(f"7×24 小时服务事项（{'、'.join(result.round_the_clock)}）。")
    if result.vague:
        click.echo(f"注意：{result.vague_note}。")
    if result.rest:
        click.echo(f"注意：{result.rest_note}。")
    if not result.candidates:
        click.echo("派单目录中没有匹配的条目。")
    elif result.vague:
        click.echo("以下事项与诉求只是字词相近：")
    elif result.passing_note:
        click.echo(f"注意：{result.passing_note}。")
    if result.more_note:
        click.echo(f"注意：{result.more_note}。")
    for i, c in enumerate(result.candidates, 1):
        flag = "【7×24】" if c.round_the_clock else ""
        click.echo(f"{i}. {c.title} [{c.entry_id}]{flag}")
        co = "、".join(name for _, name in c.co_handlers) or "无"
        click.echo(f"   主办：{c.handler_name or '未指定'}；协办：{co}；层级：{LEVEL_LABELS.get(c.level, c.level) or '未指定'}")
        click.echo(f"   时限：{c.due.label() if c.due else c.due_error}")
        if c.note:
            click.echo(f"   参考：{c.note}")


def list_recent(kb, limit, as_json):
    """``kb dispatch --recent N``: the latest history records, newest first, with the ids --forget takes."""
    with errors():
        rows = kb.dispatch_history.recent(limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("派单历史中还没有记录。")
        return
    for row in rows:
        who = f"，{row['username']}" if row["username"] else ""
        click.echo(f"#{row['id']}  {str(row['at']).replace('T', ' ')}  {SOURCES.get(row['source'], row['source'])}{who}"
                   f"  → {row['entry']}")
        click.echo(f"    {row['text'][:60]}{'……' if len(row['text']) > 60 else ''}")
    click.echo(f"派单历史共 {kb.dispatch_history.count()} 条；删除派错的一条：kb dispatch --forget 编号 --as 用户名")


def forget(kb, row_id, username):
    """``kb dispatch --forget ID --as USER``: remove a wrong record from the history."""
    if not username:
        raise click.UsageError("删除派单历史记录需要 --as 用户名（热线中心校核人员或管理员）。")
    with errors():
        user = kb.authenticate(username, read_password(), via="cli")
        row = kb.dispatch_history.forget(user, row_id)
    click.echo(f"已从派单历史中删除 #{row['id']}（{row['entry']}，{SOURCES.get(row['source'], row['source'])}，"
               f"{str(row['at']).replace('T', ' ')}）：今后相似诉求的派单不再参考它。")
    click.echo(f"派单历史共 {kb.dispatch_history.count()} 条。")


#: Rejected lines listed one by one before the rest are only counted.
MAX_REJECTS_SHOWN = 50


def learn(kb, path):
    """``kb dispatch --learn``: import past work orders with progress on stderr and a summary."""
    def progress(done):
        click.echo(f"已读取 {done} 行……", err=True)

    with errors():
        result = kb.dispatch_history.import_file(path, progress)
    click.echo(f"历史工单导入完成：读取 {result.lines} 行，新增 {result.imported} 条，"
               f"重复跳过 {result.duplicates} 条，拒绝 {len(result.rejected)} 行。")
    for number, reason in result.rejected[:MAX_REJECTS_SHOWN]:
        click.echo(f"  第 {number} 行：{reason}")
    if len(result.rejected) > MAX_REJECTS_SHOWN:
        click.echo(f"  ……另有 {len(result.rejected) - MAX_REJECTS_SHOWN} 行被拒绝。")
    if result.shortened:
        click.echo(result.shortened_note)
    click.echo(f"历史工单共 {kb.dispatch_history.count()} 条。")
    if result.rejected:
        raise SystemExit(1)


def echo_intake(result):
    """The emergency finding and the intake rule, as the first lines of ``kb dispatch``."""
    rule, finding = result.rule, result.emergency
    if rule:
        target = f" {rule.transfer_to}" if rule.transfer_to else (f"：{rule.channel}" if rule.channel else "")
        why = f"触发词“{rule.trigger}”" if rule.trigger else (finding.event if finding else "")
        click.echo(f"分类处置：{rule.name}（{rule.action_label}{target}{'，' + why if why else ''}）")
    else:
        click.echo("分类处置：不属所列情形，按答复口径答复或按派单目录派单。")
    if result.urgent_steps:
        top = result.candidates[0]
        click.echo(f"需要立即处置：{top.title}（{top.tier_name}）；{result.urgent_steps}")
    if finding is not None:
        ask = "，请向来电人确认是否正在发生" if result.urgency == "suspected" else ""
        state = "不按紧急处理（坐席已确认）" if result.confirmed_not_emergency else finding.state_label
        click.echo(f"紧急程度：{state}{ask}。{finding.explanation()}"
                   + (f"；另需 {'、'.join(finding.also)}" if finding.also and result.urgency else ""))
    if rule:
        click.echo(f"答复话术：{rule.script}")


def echo_answers(result, pending):
    """The answers that may settle the request, before the catalogue candidates; as in the console, the
    first is the one to read out (its safety advice when the matter is urgent), the others are related,
    and one being corrected or reported wrong says so under it."""
    for a in result.answers:
        found = pending.get(a.entry_id)
        marks = "、".join(x for x in (audience_label(a.audience), status_mark(a.status), *(found.marks() if found else ()))
                         if x)
        if a.settles and result.rest:
            lead = "答复所问："        # the other matter of the call is dispatched
        elif a.settles and a is result.answers[0]:
            lead = "先口述其中的安全提示：" if result.urgent else "建议直接答复："
        else:
            lead = "相关答复："
        click.echo(f"{lead}{a.title} [{a.entry_id}]（{marks}，{a.unit_name or a.unit}，覆盖 {a.coverage:.0%}）"
                   + (f"：{a.region_note}" if a.region_note else ""))
        for sentence in found.sentences() if found else ():
            click.echo(f"   {sentence}")

