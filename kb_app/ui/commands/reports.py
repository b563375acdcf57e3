"""``kb report`` (usage, catalogue health, hot topics, missing answers) and ``kb task``
(maintenance tasks)."""

from __future__ import annotations

import click

from ...cli import Refusal, as_user, cli, echo_table, errors, parse_date, require_unit, root_options


@cli.command()
@root_options
@click.option("--unit", default=None, help="只统计某单位（默认全部单位）；hot 只计打开过该单位条目的检索和派给该单位事项的诉求。")
@click.option("--from", "start", callback=parse_date, default=None, help="起始日期（YYYY-MM-DD），默认 30 天前。")
@click.option("--to", "end", callback=parse_date, default=None, help="结束日期（YYYY-MM-DD），默认今天。")
@click.option("--csv", "as_csv", is_flag=True, help="以 CSV 输出全部统计表（每张表前有一行“# 表名”）；重定向到文件（> 报表.csv）时与 -o 一样带 BOM，"
                   "Excel 直接打开不乱码，输出到屏幕或管道时不带。")
@click.option("--table", default=None, help="（usage、hot）只输出一张表，按表名或编号，如 热门查询、top_queries。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="把 CSV 写入文件（带 BOM 的 UTF-8，Excel 直接打开不乱码），代替输出到屏幕。")
@click.option("--taxonomy", type=click.Path(dir_okay=False, exists=True), default=None,
              help="（catalog）事项分类表 CSV（一级,二级,三级），用于检查未覆盖的类别。")
@click.option("--threshold", type=float, default=None, help="（catalog）事项重叠的判定阈值，默认 0.35。")
@click.option("--region", default=None, help="（hot）只看某区域的诉求，如 东湖区；“未标明区域”为全市或未写明区域的诉求。")
@click.option("--assigned", "with_assigned", is_flag=True,
              help="（missing）也列出已分派给单位的组（标“已分派”）；默认与“维护任务”页一样不列出。")
@click.argument("topic", type=click.Choice(["usage", "catalog", "hot", "missing"]), default="usage")
def report(kb, unit, start, end, as_csv, table, output, taxonomy, threshold, region, with_assigned, topic):
    """统计报告：使用情况（默认）、catalog 派单目录健康检查、hot 热点议题（每月一题候选）或 missing 缺失的答复。

    使用情况：查询量、热门查询、无结果或结果无关的查询、浏览、有用率、维护任务、校核周期。
    目录健康：同一事项被多个主办单位认领、单位缺失或已撤销、分类未覆盖、缺少示例、跨单位事实矛盾。
    热点议题：检索与派单诉求按相似内容归并为议题、按事项和区域统计，与上一个同样长的时段比较，标出上升的议题。
    缺失的答复：没有结果或很少有人打开结果的查询，按内容相近归组，供热线中心分派给单位补充答复。

    \b
    示例：
        kb report --from 2026-11-01 --to 2026-11-30
        kb report --unit city-hrss --csv > hrss.csv
        kb report --table 热门查询 -o 热门查询.csv
        kb report catalog --taxonomy ../shared/eval/matter_taxonomy.csv
        kb report hot --from 2026-11-01 --to 2026-11-30 --region 东湖区
        kb report hot --unit city-hrss
        kb report missing --csv > 缺失答复.csv
        kb report missing --assigned
    """
    from ...usage import hot, stats

    sections = {"usage": stats.SECTIONS, "hot": hot.SECTIONS}.get(topic, {})
    key = table_key(sections, table, topic)
    out = Output(output or None, as_csv or bool(output))
    if topic == "catalog":
        return catalog_report(kb, taxonomy, threshold, out)
    if topic == "hot":
        require_unit(kb, unit)
        return hot_report(kb, start, end, region, unit, out, key)
    if topic == "missing":
        return missing_report(kb, start, end, out, with_assigned)
    require_unit(kb, unit)
    with errors():
        if out.csv:
            return out.write(kb.stats.report_csv(start, end, unit, section=key or None))
        start, end = kb.stats.range(start, end)
        who = kb.snapshot().unit_name(unit) if unit else "全部单位"
        click.echo(f"统计范围：{start} 至 {end}，{who}")
        for item in kb.stats.summary(start, end, unit).rows():
            click.echo(f"  {item['item']}：{item['value']}")
        for name, rows in kb.stats.report(start, end, unit).items():
            if key and name != key:
                continue
            title = sections[name][0]
            click.echo(f"\n{title}")
            if not rows:
                click.echo("  （无数据）")
                continue
            echo_section(*stats.readable(name, rows))


@cli.group()
def task():
    """维护任务：列出、生成、驳回，以及分派或忽略缺失答复的查询。

    \b
    示例：
        kb task list --unit city-hrss
        kb task assign "灵活就业社保补贴" --unit city-hrss --as center
    """


@task.command(name="list")
@root_options
@click.option("--unit", default=None, help="只列出某单位的任务。")
@click.option("--all", "all_states", is_flag=True, help="包括已完成和已驳回的任务。")
def task_list(kb, unit, all_states):
    """列出维护任务（超期的标“已超期”）。

    \b
    示例：
        kb task list --unit city-hrss
    """
    require_unit(kb, unit)
    tasks = kb.feedback.list_tasks(unit, state=None if all_states else "open")
    echo_table([[f"#{t.id}", t.state_label, t.unit, t.kind_label, t.due_label if t.due else "期限未定", t.title] for t in tasks],
               ["编号", "状态", "单位", "类型", "期限", "标题"])
    if not tasks:
        click.echo("没有维护任务。")


@task.command(name="generate")
@root_options
def task_generate(kb):
    """按到期、复核日期和“没有帮助”评价生成维护任务（可重复运行，不会重复生成）。

    \b
    示例：
        kb task generate --root ./kb
    """
    new = kb.feedback.generate_tasks()
    click.echo(f"新生成 {len(new)} 个维护任务。")


@task.command(name="dismiss")
@root_options
@as_user
@click.argument("task_id", type=int)
@click.option("--reason", required=True, help="驳回理由。")
def task_dismiss(kb, user, task_id, reason):
    """驳回一个维护任务（须说明理由；只有任务所属单位或热线中心可以驳回，记下驳回人）。

    \b
    示例：
        kb task dismiss 12 --as hrss-reviewer --reason "纠错内容与现行政策不符，条目无误"
    """
    t = kb.feedback.dismiss(task_id, reason, user)
    click.echo(f"维护任务 #{t.id} 已驳回。")


@task.command(name="confirm")
@root_options
@as_user
@click.argument("task_id", type=int)
@click.option("--note", default="", help="核对说明（如“已核对新第十七条，职责边界不变”），随变更请求提交。")
def task_confirm(kb, user, task_id, note):
    """确认“依据已变更，待核”的条目无需修改：发起记下核对日期（checked）的变更请求（提交审核），
    发布后标记清除、任务完成。

    \b
    示例：
        kb task confirm 6 --as um-editor --note "已核对新第十七条，职责边界不变"
    """
    cr = kb.confirm_unchanged(user, task_id, note)
    click.echo(f"已发起变更请求 #{cr.id}（{cr.state_label}）：{cr.title}。审核通过发布后，“依据已变更，待核”标记清除，任务完成。")


@task.command(name="assign")
@root_options
@as_user
@click.argument("query")
@click.option("--unit", required=True, help="承办单位编号。")
def task_assign(kb, user, query, unit):
    """把近 30 天缺失的答复中（kb report missing）含这条查询的一组分派给单位，作为维护任务；不在其中的查询不能分派
    （只有热线中心校核人员或管理员可以分派，记下分派人）。

    \b
    示例：
        kb task assign "灵活就业社保补贴" --unit city-hrss --as center
    """
    pk = kb.assign_missing_query(query, unit, user)
    click.echo(f"已分派给{kb.snapshot().unit_name(unit)}：维护任务 #{pk}。")


@task.command(name="ignore")
@root_options
@as_user
@click.argument("query")
@click.option("--reason", required=True, help="忽略理由（如“无意义的输入”）。")
def task_ignore(kb, user, query, reason):
    """忽略一条缺失答复的查询（无需补充答复，如无意义的输入）：同样的问法不再列入缺失的答复
    （只有热线中心校核人员或管理员可以忽略，记下忽略人）。

    \b
    示例：
        kb task ignore "asdfghjkl" --reason "无意义的输入" --as center
    """
    kb.feedback.ignore_query(query, reason, user)
    click.echo(f"已忽略查询“{query}”：同样的问法不再列入缺失的答复。")


@task.command(name="accept")
@root_options
@as_user
@click.argument("task_id", type=int)
@click.option("--phrasing", default=None, help="改用这个问法（默认采用建议的问法）。")
def task_accept(kb, user, task_id, phrasing):
    """采纳“建议新增问法”任务：发起把该问法加入条目的变更请求（提交审核）。

    \b
    示例：
        kb task accept 12 --as hrss-editor
    """
    from .review import others_editing

    cr = kb.accept_suggestion(user, task_id, phrasing)
    click.echo(f"已发起变更请求 #{cr.id}（{cr.state_label}）：{cr.title}")
    others_editing(kb, cr, kb.editing.paths_of(cr.id))


MISSING_COLUMNS = {"label": "内容", "subject": "知识库里没有提到", "query": "代表查询", "searches": "查询次数",
                   "phrasings": "问法数", "zero": "无结果次数", "weak": "结果无关次数",
                   "kin": "同样没有答复的其他查询次数", "success_rate": "打开结果比例",
                   "last": "最近一次", "examples_text": "示例", "assigned_text": "已分派"}


def table_key(sections: dict, table: str | None, topic: str) -> str | None:
    """The key of the section ``--table`` names (its key or its title), or None for every table."""
    if not table:
        return None
    for key, (title, _columns) in sections.items():
        if table.strip() in (key, title):
            return key
    if not sections:
        raise Refusal(f"报告 {topic} 只有一张表，不需要 --table。")
    names = "、".join(title for title, _columns in sections.values())
    raise Refusal(f"没有名为“{table}”的表：{topic} 报告的表有 {names}。")


class Output:
    """Where a report's CSV goes: the screen or a pipe (as text), or a file for Excel (UTF-8 with a byte-order
    mark): named with ``-o``, or standard output sent to a file (``--csv > 报表.csv``), which people then open
    in Excel just the same."""

    def __init__(self, path: str | None, csv: bool):
        self.path, self.csv = path, csv

    def write(self, text: str):
        from ...export import spreadsheet_bytes

        if self.path is None:
            if self.csv and _stdout_is_file():
                click.get_binary_stream("stdout").write(spreadsheet_bytes(text))
                return
            click.echo(text, nl=False)
            return
        with errors():
            with open(self.path, "wb") as fh:
                fh.write(spreadsheet_bytes(text))
        click.echo(f"已写入 {self.path}。", err=True)


def _stdout_is_file() -> bool:
    """Whether standard output is a regular file (``> 报表.csv``), not a terminal or a pipe to a program."""
    import os
    import stat
    import sys

    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return False  # not a real file descriptor (a test's captured output)


def missing_report(kb, start, end, out, with_assigned=False):
    """``kb report missing``: zero-result, weak and low-success queries grouped by what they ask; the groups
    given to a unit already only ``--assigned`` (the maintenance page leaves them out); what was left out and
    why in the header (on stderr with ``--csv``)."""
    from ...usage import suggest
    from ...usage.stats import to_csv
    with errors():
        r = kb.missing_report(start, end, limit=200, assigned=with_assigned)
    groups = r.groups
    for g in groups:
        g["examples_text"], g["assigned_text"] = "；".join(g["examples"]), "是" if g["assigned"] else ""
    notes = [note for note in (r.left_out_text(), r.assigned and f"已分派给单位的 {r.assigned} 组未列出"
                               "（--assigned 一并列出）。") if note]
    if out.csv:
        for note in notes:
            click.echo(note, err=True)
        return out.write(to_csv(groups, MISSING_COLUMNS))
    click.echo(f"缺失的答复：{r.start} 至 {r.end}，{len(groups)} 组，查询 {sum(g['searches'] for g in groups)} 次")
    for note in notes:
        click.echo(f"  {note}")
    if not groups:
        click.echo("没有缺失的答复：所选时段内的查询都找到了结果并有人打开。")
    for i, g in enumerate(groups, 1):
        if not g["lacking"] and (i == 1 or groups[i - 2]["lacking"]):
            click.echo(suggest.LOW_CLICK_NOTE)
        mark = (f"（知识库里没有提到“{g['subject']}”）" if g["subject"] else "") + ("（已分派）" if g["assigned"] else "")
        click.echo(f"{i}. {g['query']}{mark}：{suggest.counts_text(g)}")
        if len(g["examples"]) > 1:
            click.echo(f"   例：{'；'.join(g['examples'][1:])}")


def hot_report(kb, start, end, region, unit, out, key=None):
    """``kb report hot``: topics, entries and regions of the period against the one before."""
    from ...usage.hot import SECTIONS

    with errors():
        r = kb.hot.report(start, end, region, unit)
    if out.csv:
        for note in r.notes:
            click.echo(note, err=True)
        return out.write(r.csv(key))
    if key:
        title, columns = SECTIONS[key]
        click.echo(f"{title}：{r.start} 至 {r.end}")
        rows = getattr(r, key)
        return echo_section(rows, columns) if rows else click.echo("  （无数据）")
    where = (f"，区域：{r.region}" if r.region else "") + (f"，单位：{kb.snapshot().unit_name(r.unit)}" if r.unit else "")
    click.echo(f"热点议题：{r.start} 至 {r.end}（对比 {r.previous_start} 至 {r.previous_end}）{where}")
    t = r.totals
    click.echo(f"  诉求 {t['current']} 件（上期 {t['previous']} 件）：检索 {t['searches']}，派单 {t['dispatches']}；"
               f"归入议题 {t['clustered']} 件；用时 {r.seconds} 秒")
    for note in r.notes:
        click.echo(f"  {note}")
    rising = r.rising
    click.echo(f"\n上升的议题：{len(rising)} 个" if rising else "\n上升的议题：无")
    for item in rising:
        click.echo(f"  ▲ {item['label']}：本期 {item['current']}，上期 {item['previous']}（{item['flag']}）")
    click.echo("\n热点议题")
    if not r.topics:
        click.echo("  （无数据）")
    for item in r.topics:
        mark = f"【{item['flag']}】" if item["flag"] else ""
        click.echo(f"  {item['rank']}. {item['label']}{mark}：本期 {item['current']}，上期 {item['previous']}，"
                   f"变化 {item['change']:+d}")
        if item["regions_text"]:
            click.echo(f"     区域：{item['regions_text']}")
        if item["entries_text"]:
            click.echo(f"     事项：{item['entries_text']}")
        for example in item["examples"]:
            click.echo(f"     例：{example}")
    for name in ("by_entry", "by_region"):
        title, columns = SECTIONS[name]
        click.echo(f"\n{title}")
        rows = getattr(r, name)
        if not rows:
            click.echo("  （无数据）")
            continue
        echo_section(rows[:30], columns)


def catalog_report(kb, taxonomy, threshold, out):
    """``kb report catalog``: the findings of the catalogue check by kind, or as CSV."""
    from ... import health

    findings = kb.catalog_health(taxonomy, threshold)
    if out.csv:
        return out.write(health.report_csv(findings))
    for kind, title in health.KIND_TITLES.items():
        items = [f for f in findings if f.kind == kind]
        click.echo(f"{title}：{len(items)} 项")
        for f in items:
            click.echo(f"  - {f.message}")


def echo_section(rows: list[dict], columns: dict):
    """A report section's rows under its column names (indented under the section's title)."""
    echo_table([["" if row.get(k) is None else str(row.get(k)) for k in columns] for row in rows],
               list(columns.values()), indent="  ", header_when_piped=True)
