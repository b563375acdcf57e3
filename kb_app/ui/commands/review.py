"""``kb cr`` (change requests under multi-party review) and ``kb objection`` (dispatch objections)."""

from __future__ import annotations

import click

from ...exceptions import os_reason
from ...labels import CHANGE_LABELS, CR_STATE_LABELS, PARTY_GAP_LABELS, WITHDRAWAL_NOTE, label, when, written_before_note
from ...cli import Refusal, as_user, cli, echo_table, root_options


def collect_changes(kb, directory, sets, deletes):
    """The files a ``kb cr`` command changes: from --dir, each --set path=file and each --delete."""
    from pathlib import Path

    changes = kb.editing.changes_from_dir(directory) if directory else {}
    for item in sets:
        path, sep, file = item.partition("=")
        if not sep:
            raise click.BadParameter(f"“{item}”应写成 路径=文件，例如 entries/policy/city-hrss/a.md=./a.md",
                                     param_hint="--set")
        try:
            changes[path.strip()] = Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise click.BadParameter(f"无法读取文件“{file}”：{os_reason(e)}", param_hint="--set")
    for path in deletes:
        changes[path.strip()] = None
    return changes


def named(names: dict[str, str], username: str) -> str:
    """A person as the commands print them: 李编辑（hrss-editor）, the user name alone when it is all that is known."""
    from ...review.changes import person

    name = person(names, username)
    return f"{name}（{username}）" if name and name != username else username


def show_cr(kb, cr):
    """A change request as ``kb cr show`` prints it: files, parties, conflicts, problems, impact."""
    from ...review.changes import people

    status = kb.review.status(cr)
    names = people(kb)
    click.echo(f"#{cr.id} {cr.title}\n"
               f"状态：{cr.state_label}  作者：{named(names, cr.author)}  分支：{cr.branch}  当前提交：{cr.head[:10]}")
    for path, s in sorted(status.touched.items()):
        click.echo(f"  {label(CHANGE_LABELS, s)} {path}")
    if status.one_of:
        click.echo(f"  {WITHDRAWAL_NOTE}")
    awaiting = kb.review.awaiting(cr, status)
    for s in kb.review.party_states(cr, status, awaiting):     # as the review page says them
        gap = f"（{label(PARTY_GAP_LABELS, s.gap)}）" if s.gap else ""
        by = f"（{named(names, s.by)}，{when(s.at)}）" if s.by else ""
        click.echo(f"  审核方 {s.label}：{s.said}{by}{gap}")
    for advice in awaiting.advice:
        click.echo(f"  注意：{advice}")
    if status.conflicts:
        click.echo("  冲突：" + "、".join(status.conflicts))
    if cr.is_open:
        for _path, note in sorted(kb.under_way_notes(list(status.touched), exclude=[cr.id], review=True).items()):
            click.echo(f"  注意：{note}")
        for path, note in sorted(kb.expiring_in(cr).items()):
            click.echo(f"  注意：{path}：{note}")
        if stale := kb.stale_boundary(cr):
            click.echo(f"  注意：{stale}")
        snap = kb.snapshot()
        for entry_id, why in kb.rechecks_written_before(cr).items():
            click.echo(f"  注意：{written_before_note(snap.title_of(entry_id) or entry_id, why)}")
    for p in cr.problems:
        click.echo(f"  校验问题：{p}")
    impact = kb.impact(cr)
    if impact is not None:
        click.echo("条例与配置变更的影响：")
        for line in impact.summary_lines() or ["  （条文内容没有变化）"]:
            click.echo(f"  {line}")


@cli.group()
def cr():
    """变更请求（多方校核）：新建、更新、查看、审核、发布。

    \b
    示例：
        kb cr create --as hrss-editor --title 更新补卡说明 --dir ./changes --submit
        kb cr approve 3 --as center
    """


cr_file_options = [
    click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True), default=None,
                 help="按内容仓库结构存放新文件的目录；与主干不同的文件都纳入变更。"),
    click.option("--set", "sets", multiple=True, help="路径=本地文件：设置一个文件的新内容（可重复）。"),
    click.option("--delete", "deletes", multiple=True, help="删除一个文件（可重复）。"),
    click.option("--task", "tasks", type=int, multiple=True,
                 help="本次变更处理的维护任务编号（可重复）；发布后只关闭这些任务。"),
]


def file_options(fn):
    """--dir, --set, --delete and --task, shared by ``kb cr create`` and ``kb cr update``."""
    for option in reversed(cr_file_options):
        fn = option(fn)
    return fn


@cr.command(name="create")
@root_options
@as_user
@file_options
@click.option("--title", required=True, help="变更标题。")
@click.option("--description", default="", help="变更说明。")
@click.option("--submit", is_flag=True, help="建立后直接提交审核（否则为草稿）。")
def cr_create(kb, user, directory, sets, deletes, tasks, title, description, submit):
    """新建变更请求（可同时修改、删除多个文件）。

    \b
    示例：
        KB_PASSWORD=… kb cr create --as hrss-editor --title 更新补卡说明 \\
            --set entries/policy/city-hrss/sscard-reissue.md=./sscard-reissue.md --task 12 --submit
    """
    changes = collect_changes(kb, directory, sets, deletes)
    saved = kb.editing.save(user, "new", changes, title, submit=submit, tasks=tasks, description=description)
    c = saved.cr
    click.echo(f"已建立变更请求 #{c.id}（{c.state_label}，分支 {c.branch}）。")
    echo_awaiting(saved.awaiting)
    others_editing(kb, c, changes)
    resolved_tasks(c)
    if c.problems:
        held = "，所以保存为草稿，没有提交审核（审核人只收到通过校验的修改）" if submit else ""
        echo_problems(c, f"校验未通过{held}")
        click.echo(f"改正后用 kb cr update {c.id} --set …更新" + ("，再用 kb cr submit 提交审核。" if submit else "。"))
        if submit:
            click.get_current_context().exit(1)     # asked to submit, not submitted: a script must see it


def echo_awaiting(awaiting, said: str = ""):
    """Who a request just submitted waits for (after ``said``), each party flagged when no account can approve
    for it, and what to do about those."""
    if awaiting is None or not awaiting.parties:
        if said:
            click.echo(said.rstrip("，") + "。")
        return
    click.echo(f"{said}{awaiting.words}。")
    echo_advice(awaiting)


def echo_advice(awaiting):
    """For each party no account can approve for, what to do (kb_app.review.records.Awaiting.advice)."""
    for advice in awaiting.advice:
        click.echo(f"注意：{advice}")


def others_editing(kb, cr, paths):
    """Say which entries of a request (``paths``) other open requests, drafts too, change as well: publishing
    one makes the others conflict (a warning: the request is made all the same)."""
    for path, said in sorted(kb.under_way_notes(paths, exclude=[cr.id], what=lambda p: f"条目 {p} ").items()):
        click.echo(f"注意：{said}")


def echo_problems(cr, what: str):
    """A request's validation problems, each on its line."""
    click.echo(f"注意：{what}，共 {len(cr.problems)} 个问题：")
    for problem in cr.problems:
        click.echo(f"  - {problem}")


@cr.command(name="update")
@root_options
@as_user
@click.argument("number", type=int)
@file_options
@click.option("--message", default="", help="本次更新的说明。")
def cr_update(kb, user, number, directory, sets, deletes, tasks, message):
    """在变更请求上追加一次提交（并基于最新主干）；此前的批准失效。

    \b
    示例：
        kb cr update 3 --as hrss-editor --set entries/policy/city-hrss/sscard-reissue.md=./new.md
    """
    changes = collect_changes(kb, directory, sets, deletes)
    c = kb.editing.save(user, number, changes, message, tasks=tasks).cr
    click.echo(f"变更请求 #{c.id} 已更新（{c.state_label}）" + (
        "，此前的批准已失效，需要重新审核。" if c.state in ("in_review", "approved") else "。"))
    if c.state == "in_review":     # back in review: a party no account can approve for is said again
        echo_advice(kb.review.awaiting(c))
    others_editing(kb, c, changes)
    resolved_tasks(c)
    if c.problems:
        echo_problems(c, "校验未通过，修正前不能" + ("提交审核" if c.state in ("draft", "changes_requested") else "批准"))


def resolved_tasks(cr):
    """Name the maintenance tasks the change request will close when published."""
    if cr.data.get("resolves"):
        click.echo("发布后将关闭维护任务 " + "、".join(f"#{t}" for t in cr.data["resolves"]) + "。")


@cr.command(name="show")
@root_options
@click.argument("number", type=int)
def cr_show(kb, number):
    """查看变更请求：涉及的文件、审核方与状态。

    \b
    示例：
        kb cr show 3
    """
    show_cr(kb, kb.review.get(number, sync=True))


@cr.command(name="list")
@root_options
@click.option("--state", default=None,
              help="只列出某状态：编号（draft、in_review、approved…）或名称（草稿、审核中、已批准…）。")
def cr_list(kb, state):
    """列出变更请求（包括用 git 推送的 cr/* 分支）。

    \b
    示例：
        kb cr list --state in_review
        kb cr list --state 已撤回
    """
    if state:
        codes = {**{code: code for code in CR_STATE_LABELS}, **{name: code for code, name in CR_STATE_LABELS.items()}}
        if state not in codes:
            raise Refusal(f"没有“{state}”这个状态：可用 " + "、".join(f"{c}（{n}）" for c, n in CR_STATE_LABELS.items())
                          + "。")
        state = codes[state]
    kb.review.sync()
    requests = kb.review.list(state)
    from ...review.changes import people

    names = people(kb)
    echo_table([[f"#{c.id}", c.state_label, named(names, c.author), c.title] for c in requests], ["编号", "状态", "作者", "标题"])
    if not requests:
        click.echo(f"没有“{CR_STATE_LABELS[state]}”的变更请求。" if state else "还没有变更请求。")


def _decision(name, method, verb, needs_comment):
    @root_options
    @as_user
    @click.argument("number", type=int)
    @click.option("--comment", "--reason", "comment", help="意见（--reason 同义：退回、驳回的理由）。",
                  **({"required": True} if needs_comment else {"default": ""}))
    def command(kb, user, number, comment, **seen):
        c = getattr(kb.review, method)(user, number, comment or "", **seen)
        if c.state == "published":   # the last approval publishes at once: say so, not only the state
            click.echo(f"变更请求 #{c.id}：已{verb}。所有审核方均已批准，已发布到主干（检索随即更新）。")
        elif c.state == "conflicting" and method == "approve":
            click.echo(f"变更请求 #{c.id}：已{verb}，但没有发布——" + "；".join(c.problems[:3] or ["涉及的文件已在主干上被他人修改"])
                       + f"。请作者用 kb cr update {c.id} 基于最新主干更新，再重新审核。")
            click.get_current_context().exit(1)     # asked to publish by approving, not published: a script must see it
        else:
            click.echo(f"变更请求 #{c.id}：已{verb}，当前状态为“{c.state_label}”。")

    example = f"kb cr {name} 3 --as center" + (" --comment 请补充依据" if needs_comment else "")
    command.__doc__ = f"{verb}变更请求。\n\n    \b\n    示例：\n        {example}"
    if method == "approve":
        command = click.option(
            "--seen", default=None, metavar="提交",
            help="您看过的版本（kb cr show 显示的“当前提交”，可只写前 7 位以上）：此后又有修改的，不批准。")(command)
        command = click.option(
            "--accept-lost", is_flag=True, default=False,
            help="变更会使以往的紧急来电不再提示为紧急时（kb cr show 列出这些来电），确认是有意的才批准。")(command)
        command.__doc__ += "\n        kb cr approve 3 --as center --seen 3f2a1c0"
    cr.command(name=name)(command)


_decision("approve", "approve", "批准", False)
_decision("request-changes", "request_changes", "退回修改", True)
_decision("reject", "reject", "驳回", True)
_decision("withdraw", "withdraw", "撤回", False)


@cr.command(name="submit")
@root_options
@as_user
@click.argument("number", type=int)
def cr_submit(kb, user, number):
    """把草稿（或退回修改的变更请求）提交审核；未通过校验的不能提交。

    \b
    示例：
        kb cr submit 3 --as hrss-editor
    """
    saved = kb.editing.submit(user, number)
    echo_awaiting(saved.awaiting, f"变更请求 #{number} 已提交审核，")


@cr.command(name="redraft")
@root_options
@as_user
@click.argument("number", type=int)
def cr_redraft(kb, user, number):
    """以驳回或撤回的变更请求为底稿新建变更请求（草稿）：内容为它的修改，放在现行版本之上，此后发布的新版本能合并的自动合并。

    \b
    示例：
        kb cr redraft 5 --as hrss-editor
    """
    c = kb.review.redraft(user, number)
    click.echo(f"已以变更请求 #{number} 为底稿新建变更请求 #{c.id}（{c.state_label}，分支 {c.branch}）。"
               f"修改后用 kb cr update {c.id} 更新，再用 kb cr submit {c.id} 提交审核。")
    if c.problems:
        echo_problems(c, "校验未通过")


@cr.command(name="publish")
@root_options
@as_user
@click.argument("number", type=int)
def cr_publish(kb, user, number):
    """发布已获全部批准的变更请求（比较并交换主干）。

    \b
    示例：
        kb cr publish 3 --as center
    """
    commit = kb.review.publish(user, number)
    click.echo(f"变更请求 #{number} 已发布：主干提交 {commit[:10]}。")


@cli.group()
def objection():
    """派单异议：主办单位对派单目录事项提出异议，建议改由其他单位主办。

    \b
    示例：
        kb objection file street-light-out --as um-editor --to district-xishan --reason "该路段为区管道路……"
        kb objection list street-light-out
    """


@objection.command(name="file")
@root_options
@as_user
@click.argument("entry_id")
@click.option("--to", "proposed", required=True, help="建议的承办单位编号。")
@click.option("--reason", required=True, help="异议理由与依据。")
@click.option("--request", default="", help="引发异议的工单原文（异议成立后记入派单历史）。")
@click.option("--co", "co_handle", is_flag=True, help="本单位改为协办（仍参与办理），而不是退出该事项。")
@click.option("--boundary", type=click.File("r", encoding="utf-8"), default=None,
              help="建议的职责边界：包含新正文的文件（写明哪些情形归哪个单位）。")
def objection_file(kb, user, entry_id, proposed, reason, request, co_handle, boundary):
    """提出派单异议（生成一个类型为 objection 的变更请求，由热线中心和建议的单位审核）。

    \b
    示例：
        kb objection file street-light-out --as um-editor --to district-xishan --reason "该路段为区管道路，养护在区里"
        kb objection file wage-arrears --as hrss-editor --to city-housing --co --boundary ./边界.md --reason "……"
    """
    cr = kb.file_objection(user, entry_id, reason, proposed, request, co_handle,
                           boundary.read() if boundary else None)
    click.echo(f"已提交派单异议：变更请求 #{cr.id}")
    show_cr(kb, cr)


@objection.command(name="list")
@root_options
@click.argument("entry_id", required=False)
def objection_list(kb, entry_id):
    """列出某事项（不写事项时为全部事项）的派单异议及其结果和理由。

    \b
    示例：
        kb objection list street-light-out
        kb objection list
    """
    snap = kb.snapshot()
    entries = [entry_id] if entry_id else [e.id for e in snap.directory()]
    records = [(e, r) for e in entries for r in kb.objections(e)]
    if not records:
        click.echo("该事项没有派单异议记录。" if entry_id else "还没有派单异议。")
    unit = snap.unit_name
    for e, r in records:
        what = "" if entry_id else f"“{snap.title_of(e) or e}” "
        click.echo(f"{what}#{r['cr']} {r['outcome']}：{unit(r['from'])} → {unit(r['to'])}（{r['filed_by_name']}，"
                   f"{when(r['filed'])}）")
        click.echo(f"  理由：{r['reasons']}")
        for d in r["decisions"]:
            if d.get("detail"):
                click.echo(f"  {when(d['at'])} {d['actor_name']}：{d['detail']}")
