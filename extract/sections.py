"""The prose of each of the six sections (一 总体情况 … 六 其他需要报告的事项), tables left out: what the
narrative and text-reuse checks compare across reports."""

from __future__ import annotations

from extract.blocks import Block
from extract.template import Templates

# A section's prose beyond this is cut: enough to compare two reports, bounded for the warehouse.
MAX_SECTION_CHARS = 20_000


def section_texts(blocks: list[Block], tpl: Templates) -> dict[str, str]:
    """section code → its paragraphs joined by newlines, for the sections whose heading was found."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for b in blocks:
        if b.kind != "text":
            continue
        text = b.text.strip()
        heading = tpl.section_of_heading(text)
        if heading:
            current = heading
            out.setdefault(current, [])
        elif current and text:
            out[current].append(text)
    return {code: "\n".join(paras)[:MAX_SECTION_CHARS] for code, paras in out.items()}
