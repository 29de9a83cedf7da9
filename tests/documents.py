"""Report documents built for the reader tests: sample 004 as a Word file with real merged cells, a legacy
.doc container, a scanned PDF. Shared by several test modules, so they live here, not in one of them.

`seed_004_docx` rebuilds bundled sample 004 (西罗园街道 2019, F2019 Beijing variant) as a .docx: its
prose lines from the text dump and its tables, with the merged cells a Word report has, from the
golden values. Read back, it must give exactly the golden file of the text sample.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "data" / "inbox" / "004_e0962b715bf85ce8.txt"
GOLDEN_004 = Path(__file__).resolve().parent / "fixtures" / "golden" / "004_e0962b715bf85ce8.txt.json"

# A grid spec: a row is a list of entries; an entry is text, or (text, rowspan, colspan); positions
# covered by a span from an earlier entry are skipped.
Span = str | tuple[str, int, int]

APP_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
RL_COLS = ("upheld", "corrected", "other", "pending", "total")
DENIED = [("denied_state_secret", "1.属于国家秘密"), ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
          ("denied_security_stability", "3.危及“三安全一稳定”"), ("denied_third_party", "4.保护第三方合法权益"),
          ("denied_internal_affairs", "5.属于三类内部事务信息"), ("denied_process_info", "6.属于四类过程性信息"),
          ("denied_enforcement_file", "7.属于行政执法案卷"), ("denied_inquiry", "8.属于行政查询事项")]
UNABLE = [("unable_not_held", "1.本机关不掌握相关政府信息"), ("unable_needs_creation", "2.没有现成信息需要另行制作"),
          ("unable_unclear", "3.补正后申请内容仍不明确")]
REJECTED = [("rejected_petition", "1.信访举报投诉类申请"), ("rejected_duplicate", "2.重复申请"),
            ("rejected_publication", "3.要求提供公开出版物"), ("rejected_excessive", "4.无正当理由大量反复申请"),
            ("rejected_reconfirm", "5.要求行政机关确认或重新出具已获取信息")]


def add_grid(document, spec: list[list[Span]]) -> None:
    """A table from a grid spec, spans made with python-docx `merge` (horizontal and vertical)."""
    taken: dict[tuple[int, int], bool] = {}
    placed: list[tuple[int, int, str, int, int]] = []
    for r, row in enumerate(spec):
        c = 0
        for entry in row:
            while taken.get((r, c)):
                c += 1
            text, rs, cs = (entry, 1, 1) if isinstance(entry, str) else entry
            for dr in range(rs):
                for dc in range(cs):
                    taken[(r + dr, c + dc)] = True
            placed.append((r, c, text, rs, cs))
            c += cs
    width = max(c for _, c in taken) + 1
    table = document.add_table(rows=len(spec), cols=width)
    table.style = "Table Grid"
    for r, c, text, rs, cs in placed:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        lines = text.split("\n")
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def _values(row: dict, cols: tuple[str, ...]) -> list[str]:
    return ["" if row.get(c) is None else str(row[c]) for c in cols]


@cache
def seed_004_docx() -> tuple[bytes, dict]:
    """The .docx bytes of sample 004 and its golden file (built once per test session)."""
    gold = json.loads(GOLDEN_004.read_text(encoding="utf-8"))
    cells = gold["cells"]
    lines = [ln.strip() for ln in SEED_004.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("\t")]
    start_2 = lines.index("二、主动公开政府信息情况")
    start_5 = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    document = docx.Document()
    for ln in lines[:start_2 + 1]:
        document.add_paragraph(ln)

    d = cells["disclosure"]
    add_grid(document, [
        [("第二十条第（一）项", 1, 5)],
        [("信息内容", 1, 2), "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [("规章", 1, 2), *_values(d["regulations"], ("made", "published", "total_public"))],
        [("规范性文件", 1, 2), *_values(d["normative_documents"], ("made", "published", "total_public"))],
        [("第二十条第（五）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政许可", 1, 2), *_values(d["licensing"], ("prior_items", "change", "decisions"))],
        [("其他对外管理服务事项", 2, 1), "行政检查", *_values(d["inspection"], ("prior_items", "change", "decisions"))],
        ["行政确认", *_values(d["confirmation"], ("prior_items", "change", "decisions"))],
        [("第二十条第（六）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政处罚", 1, 2), *_values(d["penalty"], ("prior_items", "change", "decisions"))],
        [("行政强制", 1, 2), *_values(d["enforcement"], ("prior_items", "change", "decisions"))],
        [("第二十条第（八）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", ""],
        [("行政事业性收费", 1, 2), *_values(d["fees"], ("prior_items", "change")), ""],
        [("第二十条第（九）项", 1, 5)],
        [("信息内容", 1, 2), "采购项目数量", ("采购总金额（万元，\n保留四位小数）", 1, 2)],
        [("政府集中采购", 1, 2), str(d["procurement"]["projects"]),
         (str(d["procurement"]["amount_10k_yuan"]), 1, 2)],
    ])

    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    a = cells["applications"]
    spec: list[list[Span]] = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        ["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"],
        [("一、本年新收政府信息公开申请数量", 1, 3), *_values(a["new_received"], APP_COLS)],
        [("二、上年结转政府信息公开申请数量", 1, 3), *_values(a["carried_over"], APP_COLS)],
        [("三、\n本\n年\n度\n办\n理\n结\n果", 20, 1), ("（一）予以公开", 1, 2), *_values(a["granted"], APP_COLS)],
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2),
         *_values(a["partially_granted"], APP_COLS)],
    ]
    for group, rows in (("（三）不予\n公开", DENIED), ("（四）无法\n提供", UNABLE), ("（五）不予\n处理", REJECTED)):
        for i, (code, label) in enumerate(rows):
            head: list[Span] = [(group, len(rows), 1)] if i == 0 else []
            spec.append([*head, label, *_values(a[code], APP_COLS)])
    spec += [
        [("（六）其他处理", 1, 2), *_values(a["other"], APP_COLS)],
        [("（七）总计", 1, 2), *_values(a["total_processed"], APP_COLS)],
        [("四、结转下年度继续办理", 1, 3), *_values(a["carried_forward"], APP_COLS)],
    ]
    add_grid(document, spec)

    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    rl = cells["review_litigation"]
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    add_grid(document, [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(f"{t[:2]}\n{t[2:]}", 2, 1) for t in results], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [*results, *results],
        [*_values(rl["review"], RL_COLS), *_values(rl["litigation_direct"], RL_COLS),
         *_values(rl["litigation_after_review"], RL_COLS)],
    ])
    for ln in lines[start_5:]:
        document.add_paragraph(ln)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue(), gold


# The start of an OLE compound file holding a Word stream: enough to be taken for a .doc, not to open.
FAKE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le") + b"\x17" * 2000


def minimal_pdf(objects: list[str]) -> bytes:
    """A PDF of the given object bodies, numbered from 1 (the catalog), with a correct cross-reference table:
    for hand-made pages whose fonts or forms no generator would write."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def glyph_id_pdf(lines: int = 10) -> bytes:
    """A one-page PDF whose CID font has no ToUnicode map: its text layer is glyph ids, not characters."""
    show = "<000100020003000400010002>"
    content = "BT /F1 12 Tf 72 700 Td " + " 0 -20 Td ".join(f"{show} Tj" for _ in range(lines)) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 6 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    return minimal_pdf(objects)


def scanned_pdf() -> bytes:
    """A two-page PDF of images only (ruled lines, no text layer): a scan that needs OCR."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 40):
        draw.line((50, y, 550, y), fill=0, width=2)
    doc = FPDF()
    for _ in range(2):
        doc.add_page()
        doc.image(image, x=10, y=10, w=190)
    return bytes(doc.output())
