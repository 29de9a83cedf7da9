"""Scans of the generator's PDFs, degraded the way scanners and phones degrade them (issue 16).

A born-digital rendering (`synthetic.render_pdf`) is rasterised with pdftoppm, then each page is tilted,
blurred, lit unevenly, stamped with a red seal over table cells and JPEG-compressed, at one of `LEVELS`;
a second page may be tilted further (a sheet fed askew). The pages are packed as a scanned PDF (images
only), a Word file of pasted pictures or a multi-page TIFF, the forms in which scans are published.

    python -m synthetic.scan --reports 3          # exact-read share and wrong cells per level
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from synthetic.render import Noise, Rendered, render_report
from synthetic.truth import INJECTION_KINDS as INJECTIONS
from synthetic.truth import ReportTruth, random_truth

DPI = 200
PDFTOPPM = "pdftoppm"
CONTAINERS = ("pdf", "docx", "tiff")
SEAL_RED = (220, 30, 30)
INJECT_RATE = 0.25  # reports printed with a broken relation, as in the round-trip suite


@dataclass(frozen=True)
class Degradation:
    """How hard a scan is: tilt (degrees, either way), blur radius (px), JPEG quality, how much darker one
    corner is than the opposite one (0–1), red seals over the tables, and the extra tilt of a second page."""

    name: str
    tilt: float
    blur: float
    jpeg_quality: int
    light: float
    seals: int
    second_page_tilt: float


LEVELS: dict[str, Degradation] = {
    "clean": Degradation("clean", 0.0, 0.0, 92, 0.0, 0, 0.0),
    "light": Degradation("light", 1.0, 0.5, 70, 0.25, 1, 1.5),
    "heavy": Degradation("heavy", 3.0, 0.9, 45, 0.45, 2, 4.0),
}


def rasterise(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """The PDF's pages as RGB images, as a scanner would see the printout (pdftoppm)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-r", str(dpi), "-png", str(src), str(Path(tmp) / "p")], check=True,
                       capture_output=True)
        pages = []
        for path in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            with Image.open(path) as im:
                pages.append(im.convert("RGB"))
    return pages


def degrade(page: Image.Image, level: Degradation, rng: random.Random, index: int) -> Image.Image:
    """One page degraded at `level` (seals first: they are stamped on paper, then scanned)."""
    for _ in range(level.seals):
        page = _seal(page, rng)
    tilt = rng.uniform(-level.tilt, level.tilt)
    if index == 1 and level.second_page_tilt:
        tilt = rng.choice((-1, 1)) * level.second_page_tilt
    if tilt:
        page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if level.light:
        page = _uneven_light(page, level.light, rng)
    if level.blur:
        page = page.filter(ImageFilter.GaussianBlur(level.blur))
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=level.jpeg_quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("RGB")


def _uneven_light(page: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """Darker towards one corner: a linear gradient of the light multiplied into the page."""
    w, h = page.size
    ys, xs = np.mgrid[0:h, 0:w]
    fx, fy = rng.choice((1, -1)), rng.choice((1, -1))
    ramp = ((xs / w if fx > 0 else 1 - xs / w) + (ys / h if fy > 0 else 1 - ys / h)) / 2
    factor = 1 - strength * ramp
    lit = np.asarray(page, dtype=np.float32) * factor[:, :, None]
    return Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8))


def _seal(page: Image.Image, rng: random.Random) -> Image.Image:
    """A translucent red seal (ring, star, arc text) somewhere on the lower half of the page."""
    w, h = page.size
    r = int(w * rng.uniform(0.09, 0.13))
    cx, cy = int(rng.uniform(0.25, 0.75) * w), int(rng.uniform(0.3, 0.85) * h)
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    alpha = rng.randint(110, 170)
    colour = (*SEAL_RED, alpha)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=max(r // 12, 3))
    points = [np.pi / 2 + k * 4 * np.pi / 5 for k in range(5)]
    star = [(cx + r * 0.35 * np.cos(a), cy - r * 0.35 * np.sin(a)) for a in points]
    draw.polygon(star, fill=colour)
    font = ImageFont.load_default(size=max(r // 5, 10))
    for k, ch in enumerate("政府信息公开专用章"):
        a = np.pi * (0.85 + k * 0.165)
        draw.text((cx + 0.72 * r * np.cos(a), cy + 0.72 * r * np.sin(a)), ch, fill=colour, font=font, anchor="mm")
    return Image.alpha_composite(page.convert("RGBA"), layer).convert("RGB")


def pack(pages: list[Image.Image], container: str) -> tuple[bytes, str]:
    """The pages as a published scan: (bytes, suffix)."""
    buf = io.BytesIO()
    if container == "pdf":
        pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
        return buf.getvalue(), ".pdf"
    if container == "tiff":
        pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], dpi=(DPI, DPI),
                      compression="tiff_deflate")
        return buf.getvalue(), ".tiff"
    import docx
    from docx.shared import Inches

    document = docx.Document()
    for page in pages:
        pic = io.BytesIO()
        page.save(pic, format="JPEG", quality=90, dpi=(DPI, DPI))
        pic.seek(0)
        document.add_picture(pic, width=Inches(6))
    document.save(buf)
    return buf.getvalue(), ".docx"


@dataclass
class Scan:
    """One scanned report: its bytes, the born-digital rendering it was made from, its truth cells."""

    data: bytes
    suffix: str
    rendered: Rendered
    level: str
    container: str
    pages: int
    truth_cells: dict
    year: int


def scan_report(truth: ReportTruth, level: str, container: str, rng: random.Random) -> Scan:
    """Render `truth` as a PDF, print it, scan it at `level`, pack it as `container`."""
    rendered = render_report(truth, "pdf", rng, Noise(stray_cells=False))
    pages = [degrade(p, LEVELS[level], rng, i) for i, p in enumerate(rasterise(rendered.data))]
    data, suffix = pack(pages, container)
    from synthetic.corpus import truth_json

    return Scan(data, suffix, rendered, level, container, len(pages), truth_json(truth, "", rendered)["cells"],
                truth.year)


def roundtrip(seed: int, level: str, container: str | None = None) -> tuple[Scan, object, list]:
    """A random report scanned at `level` and parsed: (scan, parsed document, problems). Every cell of a
    scan may be undeterminable (ink lost under a seal, a misread no identity settles), so a problem is a
    wrong number or a null no issue covers (`synthetic.compare`), never a null with its issue."""
    from extract.parse import parse_bytes
    from synthetic.compare import compare_cells
    from synthetic.truth import FORMATS, VARIANTS

    rng = random.Random(seed)
    fmt = rng.choice(FORMATS)
    truth = random_truth(rng, fmt, rng.choice(VARIANTS[fmt]), subtotal_column=rng.random() < 0.3,
                         inject=(rng.choice(INJECTIONS),) if rng.random() < INJECT_RATE else ())
    scan = scan_report(truth, level, container or rng.choice(CONTAINERS), rng)
    doc = parse_bytes(scan.data, Path(f"scan_{seed}{scan.suffix}"))
    every = [(t, r, c) for t, rows in scan.truth_cells.items() for r, cols in rows.items() for c in cols]
    return scan, doc, compare_cells(scan.truth_cells, every, doc)


def exact_share(truth_cells: dict, doc: object) -> tuple[int, int]:
    """(cells read exactly, truth cells): a number equal to the truth's, or null where the truth is null."""
    parsed = {(c.table, c.row, c.col): c.value for c in doc.cells}
    total = exact = 0
    for table, rows in truth_cells.items():
        for row, cols in rows.items():
            for col, value in cols.items():
                total += 1
                got = parsed.get((table, row, col))
                exact += (got is None and value is None) or (got is not None and value is not None
                                                               and float(got) == float(value))
    return exact, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=3, help="reports per level")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    wrong = 0
    print("| level | reports | pages | exact cells | share | wrong or uncovered | s/page |")
    print("|---|---|---|---|---|---|---|")
    for level in LEVELS:
        exact = total = pages = problems = 0
        seconds = 0.0
        for k in range(args.reports):
            start = time.perf_counter()
            scan, doc, probs = roundtrip(args.seed + k, level)
            seconds += time.perf_counter() - start
            pages += scan.pages
            e, t = exact_share(scan.truth_cells, doc)
            exact, total, problems = exact + e, total + t, problems + len(probs)
            for p in probs:
                print(f"  {level} seed {args.seed + k}: {p}", file=sys.stderr)
        wrong += problems
        print(f"| {level} | {args.reports} | {pages} | {exact}/{total} | {exact / max(total, 1):.1%} | {problems} "
              f"| {seconds / max(pages, 1):.1f} |")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
