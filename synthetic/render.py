"""One entry point to render a truth in any layout or source form, with layout-appropriate noise.

`render_report` decides the noise a layout can carry (blank cells, cell forms, split labels, stray cells,
encodings), applies blanks to the truth (a blank cell is "not reported", so its truth is None), renders,
and reports which truth cells the layout leaves undeterminable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from synthetic.document import DocOptions, Ref, build_document
from synthetic.render_html import HTML_ENCODINGS, HtmlOptions, render_html
from synthetic.render_text import LAYOUTS, TEXT_ENCODINGS, TextOptions, render_text, undeterminable
from synthetic.truth import ReportTruth, blank_cells

SOURCE_LAYOUTS: tuple[str, ...] = ("html", "docx", "pdf")
ALL_LAYOUTS: tuple[str, ...] = (*LAYOUTS, *SOURCE_LAYOUTS)
SUFFIX = {"markdown": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf"}


@dataclass
class Noise:
    """Which kinds of noise to draw; `True` everywhere is the realistic default."""

    cell_forms: bool = True
    null_forms: bool = True
    blanks: bool = True
    split_labels: bool = True
    stray_cells: bool = True
    encodings: bool = True
    heading_variants: bool = True

    @classmethod
    def none(cls) -> Noise:
        return cls(False, False, False, False, False, False, False)


@dataclass
class Rendered:
    """Bytes of one rendered report and what the layout leaves undeterminable."""

    data: bytes
    suffix: str
    layout: str
    source_form: str
    encoding: str | None
    undeterminable: list[Ref] = field(default_factory=list)
    blanked: list[Ref] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)


def render_report(truth: ReportTruth, layout: str, rng: random.Random, noise: Noise | None = None) -> Rendered:
    """Render `truth` in `layout` (a text layout, `html`, `docx` or `pdf`); blanks drawn here update the truth."""
    noise = noise if noise is not None else Noise()
    digit_run = layout == "digit_run"
    blanked: list[Ref] = []
    injected_tables = {e["table"] for e in truth.injected}
    if noise.blanks and not digit_run:
        if layout == "sparse":  # agencies that leave zeros blank (yynanhu 2019)
            blanked = blank_cells(truth, rng, rng.choice([0.0, 0.2, 0.6]), zeros_only=True)
        elif rng.random() < 0.4:
            blanked = blank_cells(truth, rng, 0.05)
    opts = DocOptions(
        cell_forms=noise.cell_forms and not digit_run and rng.random() < 0.6,
        null_forms=noise.null_forms and not digit_run and rng.random() < 0.5,
        split_labels=noise.split_labels and rng.random() < 0.5,
        # A stray cell plus a dropped blank looks exactly like a complete row: no reader could tell. That holds
        # for the sparse layout and for every converter that drops blank cells (bs4, pdftotext -raw) of a
        # rendering with a blank in section 四, so a report draws one or the other, never both.
        stray_cell=noise.stray_cells and layout not in ("digit_run", "sparse") and rng.random() < 0.3
        and not any(ref[0] == "review_litigation" for ref in blanked),
        heading_variants=noise.heading_variants and rng.random() < 0.3,
        plain_digits=digit_run,
    )
    doc = build_document(truth, rng, opts)
    truth_cells = [(t, r, c) for t, r, c, _ in truth.iter_cells()]
    if layout == "html":
        enc = rng.choice(HTML_ENCODINGS) if noise.encodings else "utf-8"
        hopts = HtmlOptions(encoding=enc, http_equiv=rng.random() < 0.3, wrap_cells=rng.random() < 0.4,
                            nbsp_blanks=rng.random() < 0.4)
        return Rendered(render_html(doc, hopts, rng), ".html", "html", "html", enc, [], blanked,
                        {"doc": vars(opts), "html": vars(hopts)})
    if layout == "docx":
        from synthetic.render_docx import render_docx

        return Rendered(render_docx(doc, rng), ".docx", "docx", "docx", None, [], blanked, {"doc": vars(opts)})
    if layout == "pdf":
        from synthetic.render_pdf import PdfOptions, render_pdf

        popts = PdfOptions(font_size=rng.choice([10.5, 12.0, 14.0]), table_font_size=rng.choice([7.5, 9.0, 10.5]),
                           margin=rng.choice([54.0, 72.0, 90.0]), repeat_header=rng.random() < 0.8,
                           center_cells=rng.random() < 0.7)
        return Rendered(render_pdf(doc, popts), ".pdf", "pdf", "pdf", None, [], blanked,
                        {"doc": vars(opts), "pdf": vars(popts)})
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {ALL_LAYOUTS}")
    enc = "utf-8"
    if noise.encodings and rng.random() < 0.4:
        enc = rng.choice(TEXT_ENCODINGS[:2]) if layout == "markdown" else rng.choice(TEXT_ENCODINGS)
    topts = TextOptions(
        layout=layout, encoding=enc,
        rowspan_residue=rng.random() < 0.8, colspan_residue=rng.random() < 0.5,
        trailing_tab=rng.random() < 0.3,
        md_fill=rng.choice(["blank", "blank", "repeat"]), md_pieces=rng.choice([1, 1, 2, 3]),
        md_hash_headings=rng.random() < 0.5, md_br_labels=opts.split_labels and rng.random() < 0.5,
        split_lines=opts.split_labels, missing_row_breaks=opts.split_labels and rng.random() < 0.5,
    )
    data, rows = render_text(doc, topts, rng)
    undet = undeterminable(rows, layout, truth_cells, injected_tables)
    form = "markdown" if layout == "markdown" else "text"
    return Rendered(data, SUFFIX.get(layout, ".txt"), layout, form, enc, undet, blanked,
                    {"doc": vars(opts), "text": vars(topts)})
