"""As-of answers: what we told callers about an entry on a given date, as a printable record.

For complaint handling and supervision (督办): the version in force that day (or at a moment of it,
when several were published that day), the change request
and reviewers that published it, exported as Markdown or as a self-contained HTML page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

from ..exceptions import KbError


@dataclasses.dataclass
class AsOfRecord:
    entry_id: str
    day: dt.date
    title: str
    unit: str
    unit_name: str
    commit: str
    published: dt.datetime
    change_request: str
    reviewers: list[str]
    effective: dt.date | None
    expires: dt.date | None
    body: str
    basis: list[str]
    generated: dt.datetime
    #: The moment asked about (local time), or None: the end of ``day``.
    at: dt.datetime | None = None
    #: Versions of the entry published on ``day`` (local time, commit), oldest first.
    day_versions: list = dataclasses.field(default_factory=list)

    @property
    def asked(self) -> str:
        """What was asked for, and which version that is."""
        if self.at is not None:
            return f"- 查询时刻：{self.at:%Y-%m-%d %H:%M}（该时刻有效的版本）"
        line = f"- 查询日期：{self.day.isoformat()}（该日有效的版本"
        if len(self.day_versions) > 1:
            line += f"；当日先后发布了 {len(self.day_versions)} 个版本，这是当日结束时有效的一个，某一时刻的版本可按时刻查询"
        if self.day > self.generated.date():
            line += "；该日尚未到来，这是目前已发布、届时有效的版本，此后的修改不在其中"
        return line + "）"

    def markdown(self) -> str:
        lines = [f"# 答复口径存档记录：{self.title}", "",
                 self.asked,
                 f"- 条目编号：{self.entry_id}",
                 f"- 所属单位：{self.unit_name}（{self.unit}）",
                 f"- 版本：{self.commit[:12]}，发布于 {self.published:%Y-%m-%d %H:%M}",
                 f"- 变更请求：{'#' + self.change_request if self.change_request else '（初始导入，无变更请求）'}",
                 f"- 审核人：{'；'.join(self.reviewers) if self.reviewers else '（无记录）'}",
                 f"- 有效期：{self.effective or '不限'} 至 {self.expires or '不限'}",
                 f"- 法律依据：{'；'.join(self.basis) if self.basis else '（未列出）'}",
                 *([f"- 当日发布的版本：{'；'.join(f'{when:%H:%M} {commit[:12]}' for when, commit in self.day_versions)}"]
                   if len(self.day_versions) > 1 else []),
                 f"- 生成时间：{self.generated:%Y-%m-%d %H:%M}", "", "## 当日答复内容", "", self.body.strip(), ""]
        return "\n".join(lines)

    def html(self) -> str:
        from ..render import to_html

        meta = self.markdown().split("## 当日答复内容")[0].splitlines()[2:]
        items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in meta if line.startswith("- "))
        return ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
                f"<title>{html.escape(self.title)}（{self.day}）</title>"
                "<style>body{font-family:'Noto Sans CJK SC',sans-serif;max-width:46em;margin:2em auto;line-height:1.7}"
                "ul{border:1px solid #999;padding:1em 2em}@media print{body{margin:0}}</style></head><body>"
                f"<h1>答复口径存档记录：{html.escape(self.title)}</h1><ul>{items}</ul>"
                f"<h2>当日答复内容</h2>{to_html(self.body)}</body></html>")


def record(kb, entry_id: str, when: dt.date | dt.datetime) -> AsOfRecord:
    """The version of an entry in force on a day (at its end), or at a moment (local time), with its
    publication record."""
    at = when if isinstance(when, dt.datetime) else None
    day = at.date() if at is not None else when
    version, entry = kb.version_on(entry_id, day, at)
    if version is None:
        asked = f"{at:%Y-%m-%d %H:%M} 时" if at is not None else f"{day.isoformat()} 当天"
        raise KbError(f"{asked}没有有效的“{entry_id}”版本：它可能尚未发布、尚未生效或已经失效。"
                      "请换一个日期，或用 kb history 查看全部版本。")
    day_versions = [(v.date.astimezone().replace(tzinfo=None), v.commit)
                    for v in reversed(kb.store.history(version.path)) if v.date.astimezone().date() == day]
    snap = kb.snapshot(version.commit)
    basis = []
    for b in entry.basis:
        if "regulation" in b:
            reg = snap.regulations.get(str(b["regulation"]))
            art = snap.article(str(b["regulation"]), b.get("article")) if isinstance(b.get("article"), int) else None
            basis.append(f"{reg.title if reg else b['regulation']}{art.label if art else ''}")
        elif "document" in b:
            basis.append(str(b["document"]))
    return AsOfRecord(entry.id, day, entry.title, entry.unit, snap.unit_name(entry.unit), version.commit, version.date,
                      (version.trailers.get("Change-Request") or [""])[0], version.trailers.get("Reviewed-by", []),
                      entry.effective, entry.expires, entry.body, basis, kb.now(), at, day_versions)
