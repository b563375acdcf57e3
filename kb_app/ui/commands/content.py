"""``kb`` commands on the content itself: init, validate, list, history, diff, asof, index, search."""

from __future__ import annotations

import json
import sys

import click

from ...labels import FLAG_LABEL, KIND_LABELS, audience_label, label, status_mark
from ...cli import Refusal, cli, echo_table, errors, parse_date, parse_day_or_moment, require_unit, root_options


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--empty", is_flag=True, help="只建立空白结构，不带示例内容。")
@click.option("--hooks-only", is_flag=True,
              help="不新建仓库，只在已有的内容仓库中安装钩子：拒绝直接推送到 main，接受 cr/* 分支。")
def init(directory, empty, hooks_only):
    """新建一个内容仓库（git 仓库，含一次提交），并安装拒绝直接推送到 main 的钩子。

    \b
    示例：
        kb init ./kb                 # 以“示例市”示例内容建立
        kb init ./kb --empty         # 空白知识库
        kb init ./kb --hooks-only    # 为已有的内容仓库安装钩子
    """
    from ...config import load_settings
    from ...kb import Kb, init_repo, install_hooks

    with errors():
        settings = load_settings()
        if hooks_only:
            install_hooks(directory, settings.main_branch)
            click.echo(f"已在 {directory} 安装钩子：直接推送到 {settings.main_branch} 会被拒绝，cr/* 分支照常登记为变更请求。")
            return
        path = init_repo(directory, empty=empty, now=Kb(settings).now())
    click.echo(f"已在 {path} 建立知识库{'（空白）' if empty else '（示例市示例内容）'}。")


@cli.command()
@root_options
def validate(kb):
    """校验内容仓库的全部文件，逐条列出问题；有问题时退出码为 1。

    \b
    示例：
        kb validate --root ./kb
    """
    problems, notices = kb.check_tree()
    for p in problems:
        click.echo(str(p))
    if notices:
        click.echo(f"提醒（不影响发布，请所属单位斟酌）：{len(notices)} 处提到的答复公众打不开。")
        for n in notices:
            click.echo(str(n))
    if problems:
        click.echo(f"共发现 {len(problems)} 个问题。", err=True)
        sys.exit(1)
    click.echo("校验通过：未发现问题。")


@cli.command(name="list")
@root_options
@click.option("--kind", type=click.Choice(["policy", "directory"]), default=None, help="只列出某类条目。")
@click.option("--unit", default=None, help="只列出某单位的条目。")
def list_entries(kb, kind, unit):
    """列出主干上的条目。

    \b
    示例：
        kb list --root ./kb --kind policy --unit hotline-center
    """
    require_unit(kb, unit)
    snap = kb.snapshot()
    today = kb.today()
    rows = []
    for e in sorted(snap.entry_list, key=lambda e: e.path):
        if (kind and e.kind != kind) or (unit and e.unit != unit):
            continue
        mark = status_mark(e.status(today))
        rows.append([e.id, e.kind, e.unit, audience_label(e.audience), e.title + (f"（{mark}）" if mark else "")])
    echo_table(rows, ["编号", "类型", "单位", "受众", "标题"])
    if not rows:
        click.echo("没有符合条件的条目。")


@cli.command()
@root_options
@click.argument("entry_id")
@click.option("--on", "on_date", callback=parse_date, default=None, help="显示该日期（YYYY-MM-DD）有效的版本。")
def history(kb, entry_id, on_date):
    """显示条目的发布历史，或某一日期有效的版本。

    \b
    示例：
        kb history residence-permit-apply
        kb history residence-permit-apply --on 2026-03-01
    """
    if on_date:
        version, entry = kb.version_on(entry_id, on_date)
        if version is None:
            raise Refusal(f"{on_date} 当天没有有效的“{entry_id}”版本。")
        click.echo(f"{on_date} 有效的版本：{version.commit[:10]}"
                   f"（{version.date:%Y-%m-%d %H:%M} {version.author}：{version.summary}）")
        click.echo(kb.version_text(version))
        return
    for v in kb.history(entry_id):
        trailers = "；".join(f"{k}: {', '.join(vs)}" for k, vs in v.trailers.items())
        mark = "（删除）" if v.deleted else ""
        click.echo(f"{v.commit[:10]}  {v.date:%Y-%m-%d %H:%M}  {v.author}  {v.summary}{mark}"
                   + (f"  [{trailers}]" if trailers else ""))


@cli.command()
@root_options
@click.argument("entry_id")
@click.argument("old")
@click.argument("new", required=False)
def diff(kb, entry_id, old, new):
    """比较条目的两个版本（提交号），默认与主干比较。

    \b
    示例：
        kb diff residence-permit-apply 3f2a1c0 main
    """
    click.echo(kb.entry_diff(entry_id, old, new) or "两个版本没有差别。")


@cli.command(name="index")
@root_options
@click.option("--rebuild", is_flag=True, help="丢弃现有索引，从主干全部重建。")
def index_cmd(kb, rebuild):
    """更新检索索引：默认只重新索引自上次以来 git 中变化的文件。

    \b
    示例：
        kb index --root ./kb
        kb index --root ./kb --rebuild
    """
    last = [0.0]

    def progress(stage, done, total):
        import time

        now = time.monotonic()
        if now - last[0] >= 1 or (total and done >= total):
            last[0] = now
            click.echo(f"{stage}：{done}/{total}" if total else f"{stage}……", err=True)

    stats = kb.reindex(rebuild=rebuild, progress=progress)
    docs = stats["documents"]
    mode = {"rebuild": "全部重建", "incremental": "增量更新", "none": "已是最新，无需更新"}[stats["mode"]]
    click.echo(f"索引{mode}：新增 {stats['added']}、更新 {stats['updated']}、删除 {stats['deleted']} 个文件；"
               f"公众索引 {docs['public']} 篇、坐席索引 {docs['agent']} 篇；"
               f"对应提交 {stats['commit'][:10]}；用时 {stats['seconds']} 秒。")


@cli.command()
@root_options
@click.argument("query", nargs=-1)
@click.option("--audience", type=click.Choice(["public", "agent"]), default="public", show_default=True,
              help="以谁的身份查询：public 公众（只含公开且有效的条目），agent 坐席（全部，含内部提示）。")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="最多返回几条。")
@click.option("--kind", type=click.Choice(list(KIND_LABELS)), default=None,
              help=f"只查某类：{'、'.join(KIND_LABELS.values())}。")
@click.option("--unit", default=None, help="只查某单位（单位编号）。")
@click.option("--category", default=None, help="只查某分类。")
@click.option("--region", default=None, help="只查适用于某区域的条目（含全市通用）。")
@click.option("--as-of", "as_of", callback=parse_date, default=None, help="坐席：按该日期（YYYY-MM-DD）有效的版本查询。")
@click.option("--queries-file", type=click.File("r", encoding="utf-8"), default=None, help="从文件读取查询，每行一个。")
@click.option("--json", "as_json", is_flag=True, help="每个查询输出一行 JSON：{\"query\", \"hits\": [...]}。")
def search(kb, query, audience, limit, kind, unit, category, region, as_of, queries_file, as_json):
    """检索答复口径、派单目录和条例条文，最相关的在前。

    \b
    示例：
        kb search --root ./kb 失业金怎么领
        kb search --audience agent --kind article 着火了能打12345吗
        kb search --json --queries-file questions.txt
    """
    require_unit(kb, unit, region)
    if as_of is not None and audience != "agent":
        raise Refusal("--as-of（按日期查询）只对坐席开放：请同时加上 --audience agent。")
    queries = [line.strip() for line in queries_file] if queries_file else [" ".join(query).strip()]
    if not any(queries):
        raise Refusal("请写下要查询的内容，例如 kb search 失业金怎么领；或用 --queries-file 从文件读取，每行一个。")
    # JSON answers line for line (a blank line too, for scripts that pair them); text skips blank lines.
    # Agents see which answers are being corrected or were reported wrong (kb_app.review.pending).
    pending = kb.pending() if audience == "agent" else None
    flagged = kb.flags() if audience == "agent" else {}
    for q in queries if as_json else filter(None, queries):
        results = kb.search(q, audience=audience, limit=limit, kind=kind, unit=unit, category=category,
                            region=region, as_of=as_of)
        # Words that may tell of an emergency now get the line to call first, as the site and the workbench give it;
        # for someone who may end their life, the public is given no policy answers beside it.
        alarm = kb.public_alarm(q) if q else None
        hidden = alarm is not None and audience == "public" and alarm.get("answers") is False
        if as_json:
            body = results.as_dict()
            if pending is not None:
                pending.annotate(body["hits"], key="id")
            if alarm:
                body["emergency"] = alarm
            if hidden:
                body["hits"] = []
            click.echo(json.dumps(body, ensure_ascii=False))
            continue
        if queries_file:
            click.echo(f"查询：{q}")
        if alarm:
            also = f"，同时需要 {'、'.join(alarm['also'])}" if alarm.get("also") else ""
            click.echo(f"可能是正在发生的紧急情况（{alarm['event']}）：请立即拨打 {alarm['line']}（{alarm['channel']}）{also}。"
                       + ("坐席请先向来电人确认，转接话术见 kb dispatch。" if audience == "agent" else ""))
            if audience == "public":
                for step in alarm.get("advice") or ():
                    click.echo(f"  - {step}")
            if hidden:
                continue
        retired = "".join(f"关于“{w}”的答复已经停止使用（已过期）。" for w in results.retired[:1]) if results.retired else ""
        if results.missing:
            click.echo(f"知识库里没有提到{results.unknown_quoted}：没有找到相关结果。{retired}")
            continue
        if not results.hits:
            click.echo("没有找到相关结果：请换个说法，或减少筛选条件。")
            continue
        if results.corrected:
            click.echo(f"已按“{results.corrected}”查找（输入的是“{q}”，按同音字改正）。")
        if results.weak:
            click.echo(f"知识库里没有提到{results.unknown_quoted}：以下结果只和问题中的部分词语有关。{retired}")
        found = {h.id: pending.get(h.id) for h in results.hits} if pending is not None else {}
        echo_table([[i, h.id, label(KIND_LABELS, h.kind), h.title, h.unit_name or h.unit or "-", f"{h.score:.3f}",
                     "、".join([h.status_label, *([FLAG_LABEL] if h.id in flagged else []),
                               *(found[h.id].marks() if found.get(h.id) else ())])]
                    for i, h in enumerate(results.hits, 1)],
                   ["序号", "编号", "类型", "标题", "单位", "得分", "状态"], header_when_piped=True)
        for i, h in enumerate(results.hits, 1):
            for sentence in found[h.id].sentences() if found.get(h.id) else ():
                click.echo(f"{i}. {h.title}：{sentence}")


@cli.command()
@root_options
@click.argument("entry_id")
@click.option("--on", "on_date", callback=parse_day_or_moment, required=True,
              help="日期（YYYY-MM-DD，当日结束时有效的版本），或时刻（YYYY-MM-DDTHH:MM，当日发布了几个版本时）。")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="输出格式。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="写入文件（默认输出到屏幕）。")
def asof(kb, entry_id, on_date, fmt, output):
    """某日有效的答复存档：当日版本、发布它的变更请求和审核人，可打印，用于投诉处理与督办。

    \b
    示例：
        kb asof residence-permit-apply --on 2026-03-01
        kb asof residence-permit-apply --on 2026-03-01T10:30
        kb asof residence-permit-apply --on 2026-03-01 --format html -o 存档.html
    """
    rec = kb.as_of(entry_id, on_date)
    text = rec.html() if fmt == "html" else rec.markdown()
    if output:
        from pathlib import Path

        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"已写入 {output}")
    else:
        click.echo(text)
