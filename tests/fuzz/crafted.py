"""Crafted pathological inputs: one for every crash class of issue 17, and the extremes of every limit.

Each case is a file name and its bytes, with the statuses it may end in. `big` cases (tens of
megabytes) run in the campaign, not in the fast tier.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from synthetic.corpus import generate
from synthetic.render import Noise

ANY = frozenset({"parsed", "partial", "failed"})
READ = frozenset({"parsed", "partial"})
FAILED = frozenset({"failed"})


@dataclass(frozen=True)
class Case:
    """A crafted file: `statuses` it may end in, `error` a code its reason must start with (if any)."""

    name: str
    make: Callable[[], bytes]
    statuses: frozenset[str] = ANY
    error: str | None = None
    big: bool = False


def rendered(layout: str, index: int = 0, seed: int = 23) -> bytes:
    """A clean synthetic report (no noise: the crafted change is the only oddity)."""
    return generate(index, seed, {layout: 1.0}, inject_rate=0.0, noise=Noise.none())[1].data


def text_report(index: int = 0) -> str:
    return rendered("tab_rows", index).decode("utf-8")


def _lines(index: int = 0) -> list[str]:
    return text_report(index).split("\n")


def _with_line(pred: Callable[[str], bool], change: Callable[[str], str], index: int = 0) -> bytes:
    lines = _lines(index)
    i = next(i for i, line in enumerate(lines) if pred(line))
    lines[i] = change(lines[i])
    return "\n".join(lines).encode("utf-8")


def _last_number(line: str, number: str) -> str:
    parts = line.split("\t")
    j = max(k for k, p in enumerate(parts) if p.strip().isdigit())
    parts[j] = number
    return "\t".join(parts)


def no_agency() -> bytes:
    """Only the section headings and the tables: no title, no prose, so no agency name at all."""
    keep = tuple("一二三四五六七")
    lines = [s for s in _lines(1) if "\t" in s or s.startswith(keep)]
    return "\n".join(lines).encode("utf-8")


def digits_in_cell(n: int) -> Callable[[], bytes]:
    return lambda: _with_line(lambda s: "本年新收" in s and "\t" in s, lambda s: _last_number(s, "5" + "9" * (n - 1)))


def no_section_two() -> bytes:
    lines = _lines(2)
    a = next(i for i, s in enumerate(lines) if s.startswith("二"))
    b = next(i for i, s in enumerate(lines) if s.startswith("三"))
    return "\n".join(lines[:a] + lines[b:]).encode("utf-8")


def swapped_rows() -> bytes:
    """Rows of section 三 and 四 swapped among themselves, so their cells sit under other rows' labels."""
    lines = _lines(3)
    b = next(i for i, s in enumerate(lines) if s.startswith("三"))
    rng = random.Random(3)
    for _ in range(8):
        i, j = rng.randrange(b, len(lines)), rng.randrange(b, len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines).encode("utf-8")


def duplicated_rows() -> bytes:
    """Section 三's rows printed twice, the copies with other numbers."""
    lines = _lines(4)
    b = next(i for i, s in enumerate(lines) if s.startswith("三"))
    rows = [s for s in lines[b:] if "\t" in s and re.search(r"\d", s)]
    return "\n".join(lines + [re.sub(r"\d+", "7", s) for s in rows]).encode("utf-8")


def prose_digits() -> bytes:
    lines = _lines(5)
    lines.insert(2, "本年共收到政府信息公开申请" + "9" * 5000 + "件。")
    return "\n".join(lines).encode("utf-8")


def prose_chinese_numeral() -> bytes:
    lines = _lines(6)
    lines.insert(2, "本年共收到政府信息公开申请" + "九千" * 3000 + "件。")
    return "\n".join(lines).encode("utf-8")


def digit_run(nines: int) -> Callable[[], bytes]:
    def make() -> bytes:
        lines = rendered("digit_run", 7).decode("utf-8").split("\n")
        i = next(i for i, s in enumerate(lines) if "本年新收" in s)
        lines[i] = re.sub(r"[\d ]+$", "9" * nines, lines[i])
        return "\n".join(lines).encode("utf-8")
    return make


def many_decimals() -> bytes:
    return _with_line(lambda s: "本年新收" in s and "\t" in s, lambda s: _last_number(s, "1.123456789"), 8)


def html_short_disclosure_header() -> bytes:
    """Section 二's header row cut to one cell (what one corrupted byte in a `<td>` does)."""
    page = rendered("html", 9).decode("utf-8", "replace")
    i = page.index("信息内容")
    start = page.rindex("<tr", 0, i)
    end = page.index("</tr>", i)
    return (page[:start] + "<tr><td>信息内容</td>" + page[end:]).encode("utf-8")


def html_rowspan() -> bytes:
    cells = "".join(f'<td rowspan="100000" colspan="100000">{i}</td>' for i in range(1000))
    return (f"<html><body><h1>某某局2023年政府信息公开工作年度报告</h1><table><tr>{cells}</tr>"
            + "<tr><td>1</td></tr>" * 50 + "</table></body></html>").encode("utf-8")


def html_huge_span_number() -> bytes:
    return ('<html><body><table><tr><td colspan="' + "9" * 5000 + '">1</td><td>2</td></tr></table>'
            "</body></html>").encode("utf-8")


def html_deep_nesting() -> bytes:
    return ("<html><body>" + "<div>" * 20000 + "二、主动公开政府信息情况" + "</div>" * 20000
            + "</body></html>").encode("utf-8")


def html_many_tables() -> bytes:
    return ("<html><body>" + "<table><tr><td>1</td><td>2</td></tr></table>" * 2000 + "</body></html>").encode()


def html_long_table() -> bytes:
    return ("<html><body><table>" + "<tr><td>行</td><td>1</td></tr>" * 5000 + "</table></body></html>").encode()


def _docx_with(document_xml: Callable[[str], str], index: int = 10) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(rendered("docx", index)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/document.xml":
                content = document_xml(content.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, content)
    return out.getvalue()


def docx_grid_span() -> bytes:
    return _docx_with(lambda x: re.sub(r'w:gridSpan w:val="\d+"', 'w:gridSpan w:val="2147483647"', x))


def docx_grid_span_everywhere() -> bytes:
    return _docx_with(lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="2147483647"/>'))


def docx_zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * (200 * 1024 * 1024) + b">")
    return out.getvalue()


def pdf_padded(megabytes: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = rendered("pdf", 11)
        cut = data.rindex(b"%%EOF")
        return data[:cut] + b"%" + b"0" * (megabytes * 1024 * 1024) + b"\n" + data[cut:]
    return make


def pdf_many_pages() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    for i in range(400):
        c.drawString(72, 720, f"page {i}")
        c.showPage()
    c.save()
    return out.getvalue()


def text_tables(megabytes: int) -> Callable[[], bytes]:
    def make() -> bytes:
        row = "（一）予以公开\t" + "\t".join(["1"] * 7) + "\n"
        return ("三、收到和处理政府信息公开申请情况\n" + row * (megabytes * 1024 * 1024 // len(row.encode()))).encode()
    return make


CASES: tuple[Case, ...] = (
    Case("no_agency.txt", no_agency, READ),
    Case("cell_14_digits.txt", digits_in_cell(14), READ),
    Case("cell_15_digits.txt", digits_in_cell(15), READ),
    Case("cell_19_digits.txt", digits_in_cell(19), READ),
    Case("cell_many_decimals.txt", many_decimals, READ),
    Case("no_section_two.txt", no_section_two, READ),
    Case("swapped_rows.txt", swapped_rows, READ),
    Case("duplicated_rows.txt", duplicated_rows, READ),
    Case("prose_5000_digits.txt", prose_digits, READ),
    Case("prose_chinese_numeral.txt", prose_chinese_numeral, READ),
    Case("digit_run_120_nines.txt", digit_run(120), READ),
    Case("digit_run_90_nines.txt", digit_run(90), READ),
    Case("digit_run_60_nines.txt", digit_run(60), READ),
    Case("html_short_disclosure_header.html", html_short_disclosure_header, READ),
    Case("html_rowspan_100000.html", html_rowspan, FAILED, "resource_limit"),
    Case("html_span_5000_digits.html", html_huge_span_number),
    Case("html_deep_nesting.html", html_deep_nesting),
    Case("html_2000_tables.html", html_many_tables, FAILED, "resource_limit"),
    Case("html_5000_rows.html", html_long_table, FAILED, "resource_limit"),
    Case("docx_grid_span_2147483647.docx", docx_grid_span, READ),
    Case("docx_grid_span_everywhere.docx", docx_grid_span_everywhere, READ),
    Case("docx_zip_bomb.docx", docx_zip_bomb, FAILED, "resource_limit"),
    Case("pdf_400_pages.pdf", pdf_many_pages, FAILED, "resource_limit"),
    Case("empty.txt", lambda: b"", FAILED, "empty_file"),
    Case("nul_bytes.txt", lambda: b"\x00" * 1000, FAILED),
    Case("garbage.pdf", lambda: bytes(random.Random(1).randrange(256) for _ in range(5000)), FAILED),
    Case("garbage.docx", lambda: b"PK\x03\x04" + b"\x00" * 100, FAILED),
    Case("utf16_odd_length.txt", lambda: b"\xff\xfe" + "报告".encode("utf-16-le") + b"\x00", ANY),
    Case("pdf_padded_50mb.pdf", pdf_padded(50), ANY, big=True),
    Case("text_tables_50mb.txt", text_tables(50), FAILED, "resource_limit", big=True),
    Case("text_tables_15mb.txt", text_tables(15), ANY, big=True),
)


def cases(big: bool = False) -> list[Case]:
    """The crafted cases; the multi-megabyte ones only when `big`."""
    return [c for c in CASES if big or not c.big]
