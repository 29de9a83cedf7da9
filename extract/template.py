"""The report templates, loaded from the YAML files in `templates/` (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from extract.text import key, squash

TEMPLATE_DIR = Path(__file__).parent / "templates"
NUMBER = r"\d[\d,]*|[零〇一二两三四五六七八九十百千万]+"
_INNER_ENUMERATOR = re.compile(r"\([一二三四五六七八九十]+\)|(?<![\d.])\d+\.(?!\d)|[一二三四五六七八九十]+、")


def _load(name: str) -> dict[str, Any]:
    with (TEMPLATE_DIR / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Label:
    """A coded label with the printed form and its variants."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def keys(self) -> set[str]:
        return {key(text) for text in (self.label, *self.aliases)}


def _labels(items: list[dict[str, Any]]) -> list[Label]:
    out = []
    for item in items:
        extra = {k: v for k, v in item.items() if k not in ("code", "label", "aliases")}
        out.append(Label(item["code"], item["label"], tuple(item.get("aliases", ())), extra))
    return out


# A label whose body is this short (`3.其他`, `（七）总计`) names its row only with its enumerator: bare, the
# same word is a column header (`其他`, `总计`).
SHORT_LABEL_CHARS = 2
_LEADING_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")


def _needs_enumerator(label: Label, text: str) -> bool:
    """True when `text` names a short-bodied label without the enumerator that makes it a row."""
    return (len(key(text)) <= SHORT_LABEL_CHARS and bool(_LEADING_ENUMERATOR.match(squash(label.label)))
            and not _LEADING_ENUMERATOR.match(squash(text)))


# Distinct printed texts an index remembers its answer for: a batch repeats the same few hundred labels and
# header cells, and a row's label is looked up many times while its table is read.
MATCH_CACHE_SIZE = 16384


class LabelIndex:
    """Maps a printed label to its code by matching keys (see `extract.text.key`)."""

    def __init__(self, labels: list[Label]) -> None:
        self.labels = labels
        self._by_key: dict[str, Label] = {}
        for lab in labels:
            for k in lab.keys:
                self._by_key.setdefault(k, lab)
        self._matched: dict[str, Label | None] = {}

    def match(self, text: str) -> Label | None:
        """The label whose key equals the text's; for labels glued together by a flattening
        (`（三）不予公开1.属于国家秘密`), the part after the last enumerator is tried too. The index is fixed once
        built, so each text's answer is computed once (a bounded memo, cleared when full)."""
        try:
            return self._matched[text]
        except KeyError:
            pass
        if len(self._matched) >= MATCH_CACHE_SIZE:
            self._matched.clear()
        hit = self._matched[text] = self._match(text)
        return hit

    def _match(self, text: str) -> Label | None:
        if not text.strip():
            return None
        hit = self._by_key.get(key(text))
        if hit is not None and _needs_enumerator(hit, text):
            return None
        if hit is None:
            starts = [m.start() for m in _INNER_ENUMERATOR.finditer(squash(text))]
            if len(starts) > 1 or (starts and starts[0] > 0):
                hit = self._by_key.get(key(squash(text)[starts[-1]:]))
        if hit is None:
            hit = self._glued(key(text))
        return hit

    def _glued(self, k: str) -> Label | None:
        """A group label glued to its sub-row label (`其他对外管理服务事项行政检查`): both must be labels."""
        for cut in range(2, len(k) - 1):
            if k[:cut] in self._by_key and k[cut:] in self._by_key:
                return self._by_key[k[cut:]]
        return None

    def __getitem__(self, code: str) -> Label:
        return next(lab for lab in self.labels if lab.code == code)


@dataclass(frozen=True)
class Section:
    code: str
    ordinal: str
    aliases: tuple[str, ...]


@dataclass(eq=False)
class Templates:
    """Everything the matcher knows about the two national formats and their variants."""

    sections: list[Section]
    anchors: dict[str, set[str]]
    app_columns: LabelIndex
    app_header_keys: set[str]
    app_subtotal_keys: set[str]
    app_rows: LabelIndex
    app_groups: tuple[str, ...]
    rl_blocks: LabelIndex
    rl_results: LabelIndex
    rl_header_extra: tuple[str, ...]
    disc_captions: set[str]
    disc_header_first: set[str]
    disc_rows: LabelIndex
    disc_columns: dict[str, LabelIndex]
    disc_block_columns: dict[str, dict[str, list[str]]]
    narrative: dict[str, list[dict[str, Any]]]
    metadata: dict[str, Any]

    def section_of_heading(self, text: str) -> str | None:
        """The section code when `text` is one of the six headings, else None."""
        return self._heading(squash(text)) if len(text) < 80 else None

    @cache  # noqa: B019 - one Templates object lives for the whole process
    def _heading(self, s: str) -> str | None:
        for sec in self.sections:
            if not s.startswith(sec.ordinal + "、"):
                continue
            body = key(s[len(sec.ordinal) + 1 :])
            if any(body == key(alias) for alias in sec.aliases):
                return sec.code
        return None

    def detect_format(self, header_text: str) -> str | None:
        """Which template a section-二 column header belongs to."""
        hits = [fmt for fmt, idx in self.disc_columns.items() if idx.match(header_text)]
        return hits[0] if len(hits) == 1 else None


@cache
def templates() -> Templates:
    """Load and index the template data once per process."""
    sec = _load("sections.yaml")
    app = _load("applications.yaml")
    rl = _load("review_litigation.yaml")
    disc = _load("disclosure.yaml")
    return Templates(
        sections=[Section(s["code"], s["ordinal"], tuple(s["aliases"])) for s in sec["sections"]],
        anchors={k: {key(v) for v in vs} for k, vs in sec["anchors"].items()},
        app_columns=LabelIndex(_labels(app["columns"])),
        app_header_keys={key(v) for v in app["header_labels"]},
        app_subtotal_keys={key(v) for v in app["subtotal_labels"]},
        app_rows=LabelIndex(_labels(app["rows"])),
        app_groups=tuple(app["groups"]),
        rl_blocks=LabelIndex(_labels(rl["blocks"])),
        rl_results=LabelIndex(_labels(rl["results"])),
        rl_header_extra=tuple(rl["header_labels"]),
        disc_captions={squash(v) for v in disc["captions"]},
        disc_header_first={key(v) for v in disc["header_first_cell"]},
        disc_rows=LabelIndex(_labels(disc["rows"])),
        disc_columns={fmt: LabelIndex(_labels(t["columns"])) for fmt, t in disc["templates"].items()},
        disc_block_columns={fmt: {squash(k): v for k, v in cols.items()}
                            for fmt, cols in disc["block_columns"].items()},
        narrative={
            code: [{**p, "regex": re.compile(p["pattern"].replace("{N}", NUMBER))} for p in pats]
            for code, pats in _load("narrative.yaml")["facts"].items()
        },
        metadata=_load("metadata.yaml"),
    )
