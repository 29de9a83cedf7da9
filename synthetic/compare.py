"""Compare a parse with its truth: the invariants the round-trip tests and the benchmarks enforce.

- every determinable cell is exact (the truth's value, None included);
- an undeterminable cell is the truth's value, or null with an issue that covers it;
- no cell is ever a wrong number: a parsed number always equals the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Ref = tuple[str, str, str]


@dataclass(frozen=True)
class Problem:
    """One broken invariant: `kind` is wrong_number, not_exact, null_without_issue or extra_value."""

    kind: str
    ref: Ref
    truth: Any
    parsed: Any
    detail: str = ""

    def __str__(self) -> str:
        t, r, c = self.ref
        return f"{self.kind}: {t}.{r}.{c} truth={self.truth!r} parsed={self.parsed!r} {self.detail}".rstrip()


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _covered(issues: list[Any], ref: Ref) -> bool:
    """An issue of severity warning/error names this cell, its row or its table."""
    t, r, c = ref
    for i in issues:
        if i.severity == "info":
            continue
        if i.table not in (None, t) or i.row not in (None, r) or i.col not in (None, c):
            continue
        if i.table is None and i.row is None:
            continue  # a document-wide issue does not excuse a particular cell
        return True
    return False


def compare_cells(truth_cells: dict[str, Any], undeterminable: list[Ref] | list[list[str]], doc: Any) -> list[Problem]:
    """Problems of a `ParsedDocument` against truth cells (table → row → col → value)."""
    parsed: dict[Ref, Any] = {}
    raw: dict[Ref, str] = {}
    for c in doc.cells:
        ref = (c.table, c.row, c.col)
        parsed.setdefault(ref, c.value)
        raw.setdefault(ref, c.raw)
    undet = {tuple(u) for u in undeterminable}
    problems: list[Problem] = []
    truth_refs: set[Ref] = set()
    for table, rows in truth_cells.items():
        for row, cols in rows.items():
            for col, tv in cols.items():
                ref = (table, row, col)
                truth_refs.add(ref)
                pv = parsed.get(ref)
                t, p = _dec(tv), _dec(pv)
                if p is not None and p != t:
                    problems.append(Problem("wrong_number", ref, tv, pv, f"raw={raw.get(ref)!r}"))
                elif ref not in undet and p != t:
                    problems.append(Problem("not_exact", ref, tv, pv,
                                            "absent" if ref not in parsed else f"raw={raw.get(ref)!r}"))
                elif ref in undet and p != t and not _covered(doc.issues, ref):
                    problems.append(Problem("null_without_issue", ref, tv, pv,
                                            "absent" if ref not in parsed else ""))
    for ref, pv in parsed.items():
        if ref not in truth_refs and pv is not None:
            problems.append(Problem("extra_value", ref, None, pv, f"raw={raw.get(ref)!r}"))
    return problems


def compare_metadata(truth: dict[str, Any], doc: Any) -> list[str]:
    """Differences in agency, year, template and variant."""
    report = doc.report or {}
    return [f"{k}: truth={truth[k]!r} parsed={report.get(k)!r}"
            for k in ("agency", "year", "template", "variant") if report.get(k) != truth[k]]


def compare_narrative(truth: dict[str, Any], doc: Any) -> list[str]:
    """Narrative facts that differ (facts the parser did not find count as differences)."""
    got = doc.as_json()["narrative"]
    return [f"{k}: truth={v!r} parsed={got.get(k)!r}" for k, v in truth["narrative"].items() if got.get(k) != v]


def roundtrip(truth: Any, layout: str, seed: int, noise: Any = None) -> tuple[Any, Any, list[Problem]]:
    """Render `truth` in `layout`, parse the bytes, compare: (rendered, parsed document, problems)."""
    import random
    from pathlib import Path

    from extract.parse import parse_bytes
    from synthetic.corpus import truth_json
    from synthetic.render import render_report

    rendered = render_report(truth, layout, random.Random(seed), noise)
    doc = parse_bytes(rendered.data, Path(f"synthetic_{layout}{rendered.suffix}"))
    cells = truth_json(truth, "", rendered)["cells"]
    return rendered, doc, compare_cells(cells, rendered.undeterminable, doc)


def describe(problems: list[Problem], doc: Any, limit: int = 12) -> str:
    """A readable failure message: the first problems and the parse issues of the rows they are in."""
    rows = {(p.ref[0], p.ref[1]) for p in problems}
    issues = [f"  issue {i.code} {i.table}.{i.row}.{i.col} line {i.line}: {i.detail}" for i in doc.issues
              if (i.table, i.row) in rows or i.row is None]
    lines = [f"{len(problems)} problem(s):", *(f"  {p}" for p in problems[:limit])]
    return "\n".join(lines + issues[:limit])
