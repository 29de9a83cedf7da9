"""A report as a government-site web page: page chrome around the text, tables with rowspan/colspan.

Merged cells stay merged in the markup (as the sites publish them), so an HTML reader can place every
cell from the grid; the page is UTF-8 or GBK with a `<meta charset>` that says which.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from synthetic.document import Document, Grid, Paragraph

HTML_ENCODINGS: tuple[str, ...] = ("utf-8", "gbk")


@dataclass
class HtmlOptions:
    encoding: str = "utf-8"
    http_equiv: bool = False  # `<meta http-equiv="Content-Type" content="text/html; charset=…">`
    wrap_cells: bool = False  # cell text inside <p><span>, as Word-exported pages have it
    nbsp_blanks: bool = False  # empty cells written as &nbsp;


_CHROME_TOP = """<div class="header"><div class="logo">{site}</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年度报告</div>
<div class="article"><h1 class="title">{title}</h1>
<div class="info"><span>发布时间：{year}-01-{day:02d}</span><span>来源：{site}</span><span>字号：大 中 小</span></div>
<div class="content" id="zoom">
"""
_CHROME_BOTTOM = """</div></div>
<div class="share">分享到：微信 微博</div>
<div class="footer"><p>主办单位：{site}　网站标识码：1101050{code}　京ICP备05060933号</p>
<p>地址：{site}　联系电话：010-6509{code}</p></div>
"""


def _cell_html(text: str, tag: str, rowspan: int, colspan: int, opts: HtmlOptions) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    if not text.strip():
        body = "&nbsp;" if opts.nbsp_blanks else ""
    else:
        body = html.escape(text).replace("\n", "<br/>")
        if opts.wrap_cells:
            body = f'<p style="text-align:center"><span style="font-size:14px">{body}</span></p>'
    return f"<{tag}{attrs}>{body}</{tag}>"


def grid_html(grid: Grid, opts: HtmlOptions) -> str:
    """One `<table>` with the grid's merged cells as rowspan/colspan."""
    by_row: dict[int, list] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">', "<tbody>"]
    for r in range(grid.nrows):
        cells = sorted(by_row.get(r, []), key=lambda c: c.col)
        tag = "td"
        out.append("<tr>" + "".join(_cell_html(c.text, tag, c.rowspan, c.colspan, opts) for c in cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def render_html(doc: Document, opts: HtmlOptions, rng: random.Random) -> bytes:
    """The page's bytes in `opts.encoding`, declared in a `<meta>`."""
    truth = doc.truth
    title = next(p.text for p in doc.items if isinstance(p, Paragraph) and p.kind == "title")
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={opts.encoding}">' if opts.http_equiv
            else f'<meta charset="{opts.encoding}">')
    parts = ["<!DOCTYPE html>", "<html>", "<head>", meta, f"<title>{html.escape(title)}</title>",
             '<link rel="stylesheet" href="/css/common.css">', "</head>", "<body>",
             _CHROME_TOP.format(site=html.escape(truth.agency), title=html.escape(title), year=truth.year + 1,
                                day=rng.randint(10, 31))]
    for item in doc.items:
        if isinstance(item, Paragraph):
            if item.kind == "title":
                continue
            style = ' style="font-weight:bold"' if item.kind == "heading" else ' style="text-indent:2em"'
            parts.append(f"<p{style}>{html.escape(item.text)}</p>")
        else:
            parts.append(grid_html(item, opts))
    parts.append(_CHROME_BOTTOM.format(site=html.escape(truth.agency), code=rng.randint(1000, 9999)))
    parts += ["</body>", "</html>"]
    return "\n".join(parts).encode(opts.encoding, errors="xmlcharrefreplace")
