"""Crawled page text: sections, tables and rows found by their labels in a character stream.

A crawler that keeps only a page's text (`BeautifulSoup.get_text()`, `lxml text_content()`) leaves the whole
body on one line: headings glued to the sentence before them, table labels and numbers with no separator
(`行政规范性文件693665`, `（七）总计630020469`). Line starts mean nothing there, so this module cuts each line
before (and, for headings and section-四 header labels, after) every label the templates know, and the
ordinary line reader then sees one label and one digit run per line, as in the `digit_run` layout.

Labels are only looked for inside sections 二–四 (after their heading): the prose around the tables mentions
the same words (`规章`, `行政许可`) without being a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extract.template import Templates
from extract.text import squash, width

# Characters a flattening may leave inside a label: spaces and quotes (`危及“三安全一稳定”`, `结 果维持`).
_GAP = r"[\s\"'“”‘’「」『』]*"
# An enumerator printed before a label body, in the forms reports use (`1.` `1、` `(一)` `一、`).
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")
# A label body this short is only recognised with its enumerator: `3.其他` and `(七)总计`, never the `其他`
# and `总计` of a column header.
SHORT_BODY_CHARS = 5
# Notes a label may carry in parentheses, kept optional (`（二）部分公开（区分处理的，…）`).
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_NOTE = r"(?:" + _GAP + r"\([^()]{0,60}\))?"
# Every heading pattern prints it after its ordinal (`一、`): a line without it holds no heading.
HEADING_MARK = "、"
# The sections whose text is cut at table labels; elsewhere the same words are prose.
TABLE_SECTIONS = ("disclosure", "applications", "review_litigation")
# Where a line's digits change width (`６８27000`), two cells met: normalising the width would hide it, so the
# place is marked first (a private-use character, which NFKC keeps) and the marks leave as `Cell.cuts`.
WIDTH_CUT = "\ue000"
_FULL_WIDTH_DIGIT = re.compile(r"[０-９]")
_WIDTH_CHANGE = re.compile(r"(?<=[０-９])(?=[0-9])|(?<=[0-9])(?=[０-９])")


@dataclass(frozen=True)
class StreamAnchors:
    """Compiled label patterns: section headings, and per table section its row and header labels."""

    headings: re.Pattern[str]
    heading_codes: tuple[str, ...]
    tables: dict[str, re.Pattern[str]]
    # section-四 header labels end their piece too, so the data row's digits stand alone
    cut_after: dict[str, bool]


def _chars(text: str) -> str:
    return _GAP.join(re.escape(ch) for ch in text)


def _label_parts(text: str) -> tuple[str, str, str]:
    """A label's squashed text, its enumerator (or "") and its body without a trailing note."""
    s = squash(text)
    m = _ENUMERATOR.match(s)
    enumerator = m[0] if m else ""
    return s, enumerator, _TRAILING_NOTE.sub("", s[len(enumerator):])


def _label_starts(text: str) -> set[str]:
    """The characters a label's pattern can match first: its enumerator's (or its text's) first, and its body's
    where the enumerator may be left out."""
    s, _, body = _label_parts(text)
    return {s[0], body[0]} if body else {s[0]}


def _label_pattern(text: str) -> str:
    """A label as printed in a stream: its enumerator (optional when the body is long enough to be
    unmistakable), its body with spaces or quotes anywhere, and an optional parenthetical note."""
    s, enumerator, body = _label_parts(text)
    if not body:
        return _chars(s)
    enum_pattern = ""
    if enumerator:
        digits, sep = enumerator[:-1], enumerator[-1]
        # `1.` may be printed `1、`; a bracketed enumerator keeps its form
        enum_pattern = _chars(digits) + r"\s*[.、]\s*" if sep in ".、" else _chars(enumerator) + r"\s*"
        if len(body) > SHORT_BODY_CHARS:
            enum_pattern = f"(?:{enum_pattern})?"
    return enum_pattern + _chars(body) + _NOTE


def _alternation(texts: set[str]) -> re.Pattern[str]:
    """One pattern for many labels; longer labels first so `行政规范性文件` wins over `规范性文件`. A lookahead for
    the characters a label can start with lets the search pass every other position without trying each label
    (the same matches, three times faster)."""
    labels = [t for t in texts if squash(t)]
    patterns = sorted({_label_pattern(t) for t in labels}, key=len, reverse=True)
    starts = "".join(sorted({ch for t in labels for ch in _label_starts(t)}))
    return re.compile(f"(?=[{re.escape(starts)}])(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")


@cache
def stream_anchors(tpl: Templates) -> StreamAnchors:
    """The label patterns of every table section, built once from the templates."""
    headings = []
    codes = []
    for sec in tpl.sections:
        for alias in sec.aliases:
            headings.append(f"(?P<h{len(codes)}>{_chars(sec.ordinal)}\\s*{HEADING_MARK}\\s*{_chars(squash(alias))})")
            codes.append(sec.code)
    disclosure = set(tpl.disc_captions) | set(tpl.disc_header_first) | {
        t for lab in tpl.disc_rows.labels for t in (lab.label, *lab.aliases)}
    applications = {t for lab in tpl.app_rows.labels for t in (lab.label, *lab.aliases)} | set(tpl.app_groups)
    review = {t for idx in (tpl.rl_blocks, tpl.rl_results) for lab in idx.labels for t in (lab.label, *lab.aliases)}
    review |= set(tpl.rl_header_extra)
    return StreamAnchors(
        headings=re.compile("|".join(headings)),
        heading_codes=tuple(codes),
        tables={"disclosure": _alternation(disclosure), "applications": _alternation(applications),
                "review_litigation": _alternation(review)},
        cut_after={"disclosure": False, "applications": False, "review_litigation": True},
    )


def split_stream(line: str, section: str | None, tpl: Templates) -> tuple[list[str], str | None]:
    """The pieces of one line cut at headings and at the labels of the section each part lies in, and the
    section the line ends in (the next line continues it). A piece keeps `WIDTH_CUT` where its digits changed
    width (`unmark_width_cuts` takes it out)."""
    anchors = stream_anchors(tpl)
    text = width(_mark_width_changes(line))
    pieces: list[str] = []
    pos = 0
    for m in anchors.headings.finditer(text) if HEADING_MARK in text else ():
        pieces.extend(_split_table(text[pos:m.start()], section, anchors))
        pieces.append(m[0])
        section = anchors.heading_codes[int(str(m.lastgroup)[1:])]
        pos = m.end()
    pieces.extend(_split_table(text[pos:], section, anchors))
    return [p.strip() for p in pieces if p.strip()], section


def _mark_width_changes(line: str) -> str:
    """The line with `WIDTH_CUT` between a full-width and an ASCII digit (one the source printed is dropped)."""
    if WIDTH_CUT in line:
        line = line.replace(WIDTH_CUT, "")
    return _WIDTH_CHANGE.sub(WIDTH_CUT, line) if _FULL_WIDTH_DIGIT.search(line) else line


def unmark_width_cuts(piece: str) -> tuple[str, tuple[int, ...]]:
    """A piece without its width marks, and where they stood in it."""
    if WIDTH_CUT not in piece:
        return piece, ()
    parts = piece.split(WIDTH_CUT)
    cuts, pos = [], 0
    for part in parts[:-1]:
        pos += len(part)
        cuts.append(pos)
    return "".join(parts), tuple(cuts)


def _split_table(text: str, section: str | None, anchors: StreamAnchors) -> list[str]:
    """Cut a table section's text before each of its labels (and after a section-四 header label)."""
    if section not in TABLE_SECTIONS or not text.strip():
        return [text]
    pattern = anchors.tables[section]
    pieces: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            pieces.append(text[pos:m.start()])
        if anchors.cut_after[section]:
            pieces.append(m[0])
            pos = m.end()
        else:
            pos = m.start()
    pieces.append(text[pos:])
    return pieces
