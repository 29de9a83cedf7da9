"""Facts stated in the prose (e.g. 共收到政府信息公开申请3件), each with the sentence it came from."""

from __future__ import annotations

import re
import re._parser as re_parser  # the stdlib's own pattern parser (sre_parse before 3.11)
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from re._constants import LITERAL

from extract.blocks import Block
from extract.limits import MAX_NARRATIVE_NUMBER_CHARS
from extract.template import Templates
from extract.text import width

_SENTENCE_END = re.compile(r"(?<=[。；;!?！？])")


@dataclass
class Fact:
    code: str
    value: Decimal
    is_lower_bound: bool
    sentence: str
    line: int | None


def chinese_number(text: str) -> int | None:
    """Chinese numerals as used for counts (七, 十二, 二十三, 一百零五), via cn2an."""
    import cn2an

    for mode in ("strict", "smart"):
        try:
            return int(cn2an.cn2an(text, mode))
        except (ValueError, KeyError):
            continue
    return None


def _sentences(blocks: list[Block]) -> list[tuple[str, int | None]]:
    out = []
    for b in blocks:
        if b.kind != "text":
            continue
        for s in _SENTENCE_END.split(b.text):
            if s.strip():
                out.append((s.strip(), b.line))
    return out


def _number(raw: str) -> int | None:
    """The number a fact states; None for one too long to be a count (and for int()'s 4300-digit limit)."""
    raw = raw.replace(",", "")
    if len(raw) > MAX_NARRATIVE_NUMBER_CHARS:
        return None
    return int(raw) if raw.isdecimal() and raw.isascii() else chinese_number(raw)


def _literal_in_every_match(regex: re.Pattern[str]) -> str:
    """The longest run of plain characters at the pattern's top level (`行政复议` in `行政复议\\s*(?P<n>…)`): every
    match holds it, so a sentence without it need not be searched. Empty for a pattern without one (a top-level
    `|` leaves no run that every match holds), and for one whose flags change what a literal matches (ignoring
    case, verbose)."""
    if regex.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    runs, run = [], []
    for op, arg in re_parser.parse(regex.pattern):
        if op is LITERAL:
            run.append(chr(arg))
        else:
            runs.append("".join(run))
            run = []
    runs.append("".join(run))
    return max(runs, key=len)


Search = tuple[str | None, str, Callable[[str], re.Match[str] | None]]


@cache
def _searches(tpl: Templates) -> tuple[tuple[str, tuple[Search, ...]], ...]:
    """Per fact, its patterns as (the word a sentence must hold, or None; text every match holds; the pattern's
    search), in order."""
    return tuple((code, tuple((p.get("requires") or None, _literal_in_every_match(p["regex"]),
                               p["regex"].search) for p in patterns))
                 for code, patterns in tpl.narrative.items())


def find_facts(blocks: list[Block], tpl: Templates) -> list[Fact]:
    """The first sentence (in document order) that states each fact."""
    facts = []
    sentences = [(sentence, width(sentence), line) for sentence, line in _sentences(blocks)]
    for code, patterns in _searches(tpl):
        hit = None
        for sentence, normalised, line in sentences:
            for requires, literal, search in patterns:
                if (requires and requires not in normalised) or literal not in normalised:
                    continue
                m = search(normalised)
                if not m:
                    continue
                n = m.groupdict().get("n")
                value = 0 if n is None else _number(n)
                if value is None:
                    continue
                hit = Fact(code, Decimal(value), bool(m.groupdict().get("approx")), sentence, line)
                break
            if hit:
                break
        if hit:
            facts.append(hit)
    return facts
