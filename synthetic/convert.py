"""Real conversion tools over the generator's HTML, Word and PDF renderings: the text dumps people actually hold.

Researchers rarely hold the published file; they hold what a crawler, a PDF converter or a Word-to-text tool
left of it. Each `Converter` here runs one such tool, as it is usually called, on a rendering whose truth is
known. Its `model` says what the tool keeps of a table row, and the oracles of `synthetic.render_text` then
decide, conservatively, which truth cells a reader of that output can still place:

- `glued`: cell texts run together (`text_content()`, `get_text()`): a row is certain only where exactly one
  split of its digit run satisfies its own identities (the `digit_run` oracle);
- `sparse`: cells stay apart but blank cells vanish (space- or line-separated text, PDF text): a row that lost
  a blank cell is never certain (the `sparse` oracle);
- `positional`: every grid position the tool writes stays a cell, blanks included (pipe tables): blank edge
  cells next to merged-cell residue make a row uncertain (the positional oracle);
- `positional_unbounded`: as `positional`, but nothing marks where a row ends (docx2txt writes one cell per
  paragraph), so blank cells at a row's edge may belong to the neighbouring row;
- `unordered`: the tool orders text boxes by its own geometry (pdfminer's layout analysis interleaves the
  columns of a table), so no table cell can be placed from the text.

    python -m synthetic.convert --report 10        # the share table, 10 reports per converter × shape
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import astuple, dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import synthetic.render as _render
from extract.parse import parse_bytes
from synthetic.compare import Problem, compare_cells
from synthetic.corpus import truth_json
from synthetic.document import Document, Grid, Ref
from synthetic.render import Noise, Rendered, render_report
from synthetic.render_text import FlatCell, FlatRow, TextOptions, flat_rows, undeterminable
from synthetic.truth import FORMATS, INJECTION_KINDS, VARIANTS, ReportTruth, random_truth

Shape = tuple[str, str, bool]  # (format, variant, subtotal column)
SHAPES: list[Shape] = [(fmt, variant, sub) for fmt in FORMATS for variant in VARIANTS[fmt] for sub in (False, True)]
MODELS = ("glued", "sparse", "positional", "positional_unbounded", "unordered")
INJECT_RATE = 0.25  # share of reports printed with a broken relation, as in the round-trip suite
FAILURE_DIR = Path("/tmp/convert_failures")
EXAMPLES_SAVED = 3  # reproducers kept per failing combination
PDFTOTEXT = "pdftotext"


def shape_id(shape: Shape) -> str:
    fmt, variant, sub = shape
    return f"{fmt}-{variant}{'-subtotal' if sub else ''}"


# --------------------------------------------------------------------------- the tools


def _html_text(data: bytes, rendered: Rendered) -> str:
    """The page as text, decoded with the charset the page declares (what a crawler does)."""
    return data.decode(rendered.encoding or "utf-8", errors="replace")


def _lxml_text_content(data: bytes, rendered: Rendered) -> str:
    import lxml.html

    return lxml.html.document_fromstring(data).text_content()


def _soup(data: bytes) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(data, "lxml")


def _bs4_text(data: bytes, rendered: Rendered) -> str:
    return _soup(data).get_text()


def _bs4_crawl(data: bytes, rendered: Rendered) -> str:
    """A crawler's page text: a minified page's `get_text()`, whitespace runs collapsed, one line."""
    minified = re.sub(rb">\s+<", b"><", data)
    return " ".join(_soup(minified).get_text().split()) + "\n"


def _bs4_text_newline(data: bytes, rendered: Rendered) -> str:
    return _soup(data).get_text("\n")


def _bs4_text_space(data: bytes, rendered: Rendered) -> str:
    return _soup(data).get_text(" ")


def _html2text(data: bytes, rendered: Rendered) -> str:
    import html2text

    h = html2text.HTML2Text()
    h.body_width = 0  # no re-wrapping: long labels stay on their row
    return h.handle(_html_text(data, rendered))


def _inscriptis(data: bytes, rendered: Rendered) -> str:
    from inscriptis import get_text

    return get_text(_html_text(data, rendered))


def _trafilatura(data: bytes, rendered: Rendered) -> str:
    import trafilatura

    return trafilatura.extract(_html_text(data, rendered), include_tables=True) or ""


def _pdftotext(mode: str) -> Callable[[bytes, Rendered], str]:
    def run(data: bytes, rendered: Rendered) -> str:
        if shutil.which(PDFTOTEXT) is None:
            raise RuntimeError("pdftotext not found: install poppler-utils (make converters)")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            out = subprocess.run([PDFTOTEXT, mode, "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True)
        return out.stdout.decode("utf-8")

    return run


def _pdfminer(data: bytes, rendered: Rendered) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pdfplumber(data: bytes, rendered: Rendered) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _pymupdf4llm(layout: bool) -> Callable[[bytes, Rendered], str]:
    """pymupdf4llm 2.x: `layout=False` is the classic table finder of the 0.x/1.x releases most dumps came from."""

    def run(data: bytes, rendered: Rendered) -> str:
        import pymupdf
        import pymupdf4llm

        pymupdf4llm.use_layout(layout)
        # The layout model prints an OCR hint on stdout for every file; it would interleave with the report.
        with pymupdf.open(stream=data, filetype="pdf") as pdf, redirect_stdout(io.StringIO()):
            return pymupdf4llm.to_markdown(pdf)

    return run


@cache
def _markitdown() -> Any:
    from markitdown import MarkItDown

    return MarkItDown()


def _markitdown_of(extension: str) -> Callable[[bytes, Rendered], str]:
    def run(data: bytes, rendered: Rendered) -> str:
        from markitdown import StreamInfo

        return _markitdown().convert_stream(io.BytesIO(data), stream_info=StreamInfo(extension=extension)).text_content

    return run


def _docx2txt(data: bytes, rendered: Rendered) -> str:
    import docx2txt

    return docx2txt.process(io.BytesIO(data))


@dataclass(frozen=True)
class Converter:
    """One tool as it is usually called; `model` is what it keeps of a table row (see the module doc)."""

    name: str
    source: str  # html | docx | pdf
    suffix: str  # the dump is saved as .txt or .md
    model: str
    run: Callable[[bytes, Rendered], str]
    rowspan_residue: bool = False  # positional models: a position covered by a row span is written (blank)
    colspan_residue: bool = False  # … and one covered by a column span
    slow: bool = False  # seconds per file: only in the slow tier and the report
    # About a second per file: the fast tier reads its dumps stored in tests/fixtures/converted
    # (tests/converted_dumps.py); the slow tier converts live and checks that they are still the tool's output.
    stored: bool = False
    note: str = ""


CONVERTERS: tuple[Converter, ...] = (
    Converter("lxml_text_content", "html", ".txt", "glued", _lxml_text_content,
              note="cells of a row run together; rows on their own lines (the page's markup has newlines)"),
    Converter("bs4_get_text", "html", ".txt", "glued", _bs4_text, note="as lxml text_content"),
    Converter("bs4_crawl", "html", ".txt", "glued", _bs4_crawl,
              note="minified page, get_text(), whitespace collapsed: the whole page on one line"),
    Converter("bs4_get_text_newline", "html", ".txt", "sparse", _bs4_text_newline,
              note="one text node per line; empty cells write nothing (&nbsp; a whitespace line)"),
    Converter("bs4_get_text_space", "html", ".txt", "sparse", _bs4_text_space,
              note="text nodes joined by spaces; empty cells write nothing"),
    Converter("html2text", "html", ".md", "positional", _html2text,
              note="pipe rows, blank cells kept, merged positions not written"),
    Converter("inscriptis", "html", ".txt", "sparse", _inscriptis,
              note="columns aligned with spaces; a blank cell is only whitespace"),
    Converter("trafilatura", "html", ".txt", "positional", _trafilatura, rowspan_residue=True, colspan_residue=True,
              note="include_tables=True: pipe rows over the full grid, merged positions blank"),
    Converter("pdftotext_layout", "pdf", ".txt", "sparse", _pdftotext("-layout"),
              note="poppler, columns aligned with spaces; blank cells are whitespace"),
    Converter("pdftotext_raw", "pdf", ".txt", "sparse", _pdftotext("-raw"),
              note="poppler, content-stream order; a row's values on one line, blank cells gone"),
    Converter("pdfminer", "pdf", ".txt", "unordered", _pdfminer, stored=True,
              note="extract_text: layout analysis groups a column's cells into one box, boxes interleave"),
    Converter("pdfplumber", "pdf", ".txt", "sparse", _pdfplumber,
              note="extract_text: one line per baseline, words by spaces, blank cells gone"),
    Converter("pymupdf4llm", "pdf", ".md", "sparse", _pymupdf4llm(layout=False), stored=True,
              note="to_markdown, classic table finder: pipe tables whose columns follow the rules it found"),
    Converter("pymupdf4llm_layout", "pdf", ".md", "sparse", _pymupdf4llm(layout=True), slow=True,
              note="to_markdown with the 2.x layout model (about 2.5 s a file)"),
    Converter("markitdown_pdf", "pdf", ".md", "sparse", _markitdown_of(".pdf"),
              note="pdfplumber text; tables it recognises as pipe rows, several values to a cell"),
    Converter("docx2txt", "docx", ".txt", "positional_unbounded", _docx2txt, rowspan_residue=True,
              note="one paragraph per cell, row-spanned positions written blank, nothing marks a row's end"),
    Converter("markitdown_docx", "docx", ".md", "positional", _markitdown_of(".docx"), colspan_residue=True,
              stored=True,
              note="mammoth + markdownify: pipe rows, column spans written blank, row-spanned positions dropped"),
)
BY_NAME = {c.name: c for c in CONVERTERS}


# --------------------------------------------------------------------------- rendering with its document


@contextmanager
def _capturing_documents() -> Iterator[list[Document]]:
    """`render_report` does not return the Document it drew; capture it rather than re-draw its noise."""
    seen: list[Document] = []
    original = _render.build_document

    def capture(*args: Any, **kwargs: Any) -> Document:
        doc = original(*args, **kwargs)
        seen.append(doc)
        return doc

    _render.build_document = capture
    try:
        yield seen
    finally:
        _render.build_document = original


@dataclass
class Case:
    """One rendered source file with its truth and the grids it prints."""

    shape: Shape
    seed: int
    truth: ReportTruth
    rendered: Rendered
    document: Document

    @property
    def cells(self) -> dict[str, Any]:
        return truth_json(self.truth, "", self.rendered)["cells"]


def make_case(shape: Shape, seed: int, source: str, inject: tuple[str, ...] | None = None,
              noise: Noise | None = None) -> Case:
    """Truth of `seed` (injections drawn from it unless given), rendered as `source` with realistic noise."""
    fmt, variant, sub = shape
    rng = random.Random(seed)
    if inject is None:
        inject = (rng.choice(INJECTION_KINDS),) if rng.random() < INJECT_RATE else ()
    truth = random_truth(rng, fmt, variant, subtotal_column=sub, inject=inject)
    with _capturing_documents() as docs:
        rendered = render_report(truth, source, random.Random(seed), noise)
    return Case(shape, seed, truth, rendered, docs[-1])


@lru_cache(maxsize=64)
def cached_case(shape: Shape, seed: int, source: str) -> Case:
    """Renderings shared by the converters of one source form (a PDF takes a fifth of a second)."""
    return make_case(shape, seed, source)


def case_for(shape: Shape, seed: int, source: str, inject: tuple[str, ...], noise: Noise) -> Case:
    key = (shape, seed, source, inject, astuple(noise))
    case = _CASES.get(key)
    if case is None:
        if len(_CASES) > 64:
            _CASES.clear()
        case = _CASES[key] = make_case(shape, seed, source, inject, noise)
    return case


_CASES: dict[tuple, Case] = {}


# --------------------------------------------------------------------------- what a converter leaves determinable


def _grids(document: Document) -> list[Grid]:
    return [item for item in document.items if isinstance(item, Grid)]


def _rows(grid: Grid, conv: Converter) -> list[FlatRow]:
    if conv.model == "glued":
        return flat_rows(grid, TextOptions(layout="digit_run"))
    if conv.model == "sparse":
        return flat_rows(grid, TextOptions(layout="sparse"))
    opts = TextOptions(layout="tab_rows", rowspan_residue=conv.rowspan_residue, colspan_residue=conv.colspan_residue)
    rows = flat_rows(grid, opts)
    return _unbounded(rows) if conv.model == "positional_unbounded" else rows


def _blank(cell: FlatCell) -> bool:
    return not cell.text.strip()


def _unbounded(rows: list[FlatRow]) -> list[FlatRow]:
    """Rows whose end nothing marks: the blank cells where two rows meet could belong to either.

    Each row takes on the neighbours' blank edge cells, and header labels no longer fix section 四's positions
    (a reader cannot count positions from a row start it cannot see).
    """
    out = []
    for i, fr in enumerate(rows):
        before = _trailing_blanks(rows[i - 1].cells) if i > 0 else []
        after = _leading_blanks(rows[i + 1].cells) if i + 1 < len(rows) else []
        cells = [FlatCell(c.text, c.ref, c.kind) for c in [*before, *fr.cells, *after]]
        out.append(FlatRow(fr.table, fr.code, cells, fr.nvalues))
    return out


def _leading_blanks(cells: list[FlatCell]) -> list[FlatCell]:
    n = next((i for i, c in enumerate(cells) if not _blank(c)), len(cells))
    return [FlatCell("", None, "residue") for _ in range(n)]


def _trailing_blanks(cells: list[FlatCell]) -> list[FlatCell]:
    return _leading_blanks(cells[::-1])


def undeterminable_for(conv: Converter, case: Case) -> list[Ref]:
    """Truth cells no reader of this converter's output can place with certainty."""
    truth_cells = [(t, r, c) for t, r, c, _ in case.truth.iter_cells()]
    if conv.model == "unordered":
        return truth_cells
    rows = [fr for grid in _grids(case.document) for fr in _rows(grid, conv)]
    oracle = {"glued": "digit_run", "sparse": "sparse"}.get(conv.model, "tab_rows")
    injected = {e["table"] for e in case.truth.injected}
    return undeterminable(rows, oracle, truth_cells, injected)


# --------------------------------------------------------------------------- convert, parse, compare


@dataclass
class Outcome:
    """One converted report against its truth."""

    converter: str
    shape: Shape
    seed: int
    text: str
    determinable: int
    exact: int
    failures: list[Problem]  # wrong numbers, extra values, cells null without an issue
    status: str
    cells: dict[str, Any] = field(repr=False, default_factory=dict)
    undeterminable: list[Ref] = field(repr=False, default_factory=list)
    doc: Any = field(repr=False, default=None)

    @property
    def wrong(self) -> int:
        return sum(p.kind in ("wrong_number", "extra_value") for p in self.failures)

    @property
    def uncovered(self) -> int:
        return sum(p.kind == "null_without_issue" for p in self.failures)


def convert(conv: Converter, case: Case) -> str:
    return conv.run(case.rendered.data, case.rendered)


def _exact(cells: dict[str, Any], undet: set[Ref], doc: Any) -> tuple[int, int]:
    """(determinable, exact): a blank truth cell is exact only when the parser read it, as null."""
    parsed = {}
    for c in doc.cells:
        parsed.setdefault((c.table, c.row, c.col), c.value)
    determinable = exact = 0
    for table, rows in cells.items():
        for row, cols in rows.items():
            for col, tv in cols.items():
                ref = (table, row, col)
                if ref in undet:
                    continue
                determinable += 1
                pv = parsed.get(ref, _ABSENT)
                exact += pv is not _ABSENT and (pv is None if tv is None else pv is not None and pv == _num(tv))
    return determinable, exact


_ABSENT = object()


def _num(v: Any) -> Decimal:
    return Decimal(str(v))


def check(conv: Converter, case: Case, text: str | None = None) -> Outcome:
    """Convert (unless the tool's `text` of the case is given), parse and compare one case: failures are every cell
    that is not the truth and has no issue."""
    if text is None:
        text = convert(conv, case)
    doc = parse_bytes(text.encode("utf-8"), Path(f"converted_{conv.name}{conv.suffix}"))
    cells = case.cells
    undet = undeterminable_for(conv, case)
    every = [(t, r, c) for t, rows in cells.items() for r, cols in rows.items() for c in cols]
    # every cell held to "truth, or null with an issue"; a failed document claims no cell, and its reason is
    # the issue of all of them
    failures = [] if doc.status == "failed" else compare_cells(cells, every, doc)
    determinable, exact = _exact(cells, set(undet), doc)
    return Outcome(conv.name, case.shape, case.seed, text, determinable, exact, failures, doc.status, cells, undet,
                   doc)


# --------------------------------------------------------------------------- tallies and reproducers


@dataclass
class Tally:
    """Counts over the reports of one combination (or of one converter)."""

    docs: int = 0
    determinable: int = 0
    exact: int = 0
    wrong: int = 0
    uncovered: int = 0
    failed_docs: int = 0

    def add(self, o: Outcome) -> None:
        self.docs += 1
        self.determinable += o.determinable
        self.exact += o.exact
        self.wrong += o.wrong
        self.uncovered += o.uncovered
        self.failed_docs += o.status == "failed"

    @property
    def share(self) -> str:
        return f"{100 * self.exact / self.determinable:5.1f}%" if self.determinable else "    —"

    def line(self, label: str) -> str:
        return (f"{label:<44} exact {self.exact:>6} / determinable {self.determinable:>6} = {self.share}  "
                f"wrong {self.wrong:>4}  null-without-issue {self.uncovered:>5}  docs {self.docs:>3} "
                f"(failed {self.failed_docs})")


def save_failure(o: Outcome, case: Case, root: Path = FAILURE_DIR) -> Path | None:
    """Keep a reproducer (dump, source, truth, problems) unless the combination has enough already."""
    conv = BY_NAME[o.converter]
    combo = root / f"{o.converter}__{shape_id(o.shape)}"
    combo.mkdir(parents=True, exist_ok=True)
    if len(list(combo.glob("*.problems.txt"))) >= EXAMPLES_SAVED:
        return None
    stem = combo / f"seed{o.seed}"
    stem.with_suffix(conv.suffix).write_text(o.text, encoding="utf-8")
    stem.with_suffix(case.rendered.suffix).write_bytes(case.rendered.data)
    tj = truth_json(case.truth, stem.with_suffix(conv.suffix).name, case.rendered)
    tj["undeterminable"] = [list(r) for r in o.undeterminable]
    stem.with_suffix(".truth.json").write_text(json.dumps(tj, ensure_ascii=False, indent=1), encoding="utf-8")
    stem.with_suffix(".problems.txt").write_text("\n".join(map(str, o.failures)) + "\n", encoding="utf-8")
    return stem


def report(n: int, converters: list[Converter], first_seed: int = 0, save: Path | None = FAILURE_DIR,
           out: Any = sys.stdout) -> dict[str, Tally]:
    """Print the per-combination table and one summary line per converter; returns the summaries."""
    totals: dict[str, Tally] = {}
    for conv in converters:
        total = totals[conv.name] = Tally()
        for shape in SHAPES:
            tally = Tally()
            for seed in range(first_seed, first_seed + n):
                case = cached_case(shape, seed, conv.source)
                o = check(conv, case)
                tally.add(o)
                total.add(o)
                if o.failures and save is not None:
                    save_failure(o, case, save)
            print(tally.line(f"{conv.name} {shape_id(shape)}"), file=out, flush=True)
    print(file=out)
    for name, total in totals.items():
        print(total.line(name), file=out)
    return totals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synthetic.convert", description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", type=int, default=5, metavar="N", help="reports per converter × shape")
    ap.add_argument("--converters", default="", help="comma-separated names (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--save-failures", type=Path, default=FAILURE_DIR, help="where reproducers go")
    args = ap.parse_args(argv)
    names = [s.strip() for s in args.converters.split(",") if s.strip()] or list(BY_NAME)
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        ap.error(f"unknown converters {unknown}; known: {list(BY_NAME)}")
    report(args.report, [BY_NAME[n] for n in names], args.seed, args.save_failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
