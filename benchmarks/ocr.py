"""OCR throughput (issue 16): seconds per page and per report, the page analysis and the recogniser apart.

Reports are synthetic PDFs scanned at 200 dpi (`synthetic.scan`, level `light`, packed as scanned PDFs) and
the three real PDFs of tests/fixtures/pdf rasterised the same way. The floor, measured in the same run, is
the parse of the same born-digital PDF through its text layer.

    python -m benchmarks.ocr --reports 3
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from extract.ocr import engine, layout
from extract.parse import parse_bytes
from synthetic.scan import pack, rasterise, scan_report
from synthetic.truth import random_truth

PDF_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdf"


def _timed_parts() -> dict[str, float]:
    """Wrap the page analysis and the recogniser so their seconds add up across a run."""
    spent = {"analyse": 0.0, "recognise": 0.0}
    for module, name, key in ((layout, "analyse", "analyse"), (engine, "recognise", "recognise")):
        original = getattr(module, name)

        def timed(*args, _original=original, _key=key, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_key] += time.perf_counter() - start

        setattr(module, name, timed)
    import extract.ocr.reader as reader

    reader.analyse, reader.recognise = layout.analyse, engine.recognise
    return spent


def _measure(name: str, born_digital: bytes, scanned: bytes, pages: int, spent: dict[str, float]) -> list[str]:
    start = time.perf_counter()
    parse_bytes(born_digital, Path(f"{name}.pdf"))
    floor = time.perf_counter() - start
    before = dict(spent)
    start = time.perf_counter()
    doc = parse_bytes(scanned, Path(f"{name}-scan.pdf"))
    seconds = time.perf_counter() - start
    numbers = sum(c.value is not None for c in doc.cells)
    analysed, recognised = (spent[k] - before[k] for k in ("analyse", "recognise"))
    return [name, str(pages), f"{seconds:.1f}", f"{seconds / pages:.1f}", f"{analysed / pages:.2f}",
            f"{recognised / pages:.1f}", f"{floor:.2f}", str(numbers)]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=3, help="synthetic reports")
    args = ap.parse_args(argv)
    spent = _timed_parts()
    engine.recognise([])  # the model is loaded by the first real call below; its load time is counted there
    rows = []
    for seed in range(args.reports):
        rng = random.Random(seed)
        scan = scan_report(random_truth(rng, "F2021", "national"), "light", "pdf", rng)
        rows.append(_measure(f"synthetic-{seed}", scan.rendered.data, scan.data, scan.pages, spent))
    for path in sorted(PDF_DIR.glob("*.pdf")):
        data = path.read_bytes()
        pages = rasterise(data)
        rows.append(_measure(path.stem, data, pack(pages, "pdf")[0], len(pages), spent))
    print("| report | pages | s/report | s/page | analysis s/page | recogniser s/page | floor: text layer s "
          "| numbers kept |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
