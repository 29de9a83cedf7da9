"""Section-二 cells that a conversion moved out of their rows, put back where their own note says.

A PDF converter that recovers a table as markdown can drop a cell printed on two lines (`22` over
`（其中修订 16 件）`) from its row and leave it as loose text just before the table, after the block's
caption. Its row then has one value cell too few. When a block has exactly as many loose values as short rows,
the k-th loose value belongs to the k-th short row, and its note names its column (`其中修订` qualifies the
issued count, `含自然失效` the repealed one: the words are declared per column in `disclosure.yaml`). A loose
value whose note names no column, or more than one, leaves its row null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.blocks import Block, Cell
from extract.cells import read_cell
from extract.template import Templates
from extract.text import squash

# A note printed under a value in the same cell: `（其中修订 16 件）`, `（含自然失效 29 件）`.
_NOTE = re.compile(r"^\(.{1,60}\)$")


@dataclass
class LooseValue:
    cell: Cell
    note: str = ""


@dataclass
class LooseValues:
    """Loose values per 第二十条 block (by caption), in printed order."""

    by_caption: dict[str, list[LooseValue]] = field(default_factory=dict)

    def take(self, b: Block, caption: str | None) -> bool:
        """Record `b` when it is a loose value or the note under the last one; False when it is neither."""
        if caption is None:
            return False
        ne = b.non_empty
        values = self.by_caption.get(caption)
        if b.kind == "text" and len(ne) == 1 and values and not values[-1].note and _NOTE.match(squash(ne[0].text)):
            values[-1].note = squash(ne[0].text)
            return True
        label_less = b.kind == "run" and not b.cells[0].text.strip()
        if label_less and len(ne) == 1 and read_cell(ne[0].text).kind == "number":
            self.by_caption.setdefault(caption, []).append(LooseValue(ne[-1]))
            return True
        return False

    def column_of(self, value: LooseValue, columns: list[str], template: str, tpl: Templates) -> int | None:
        """The position among `columns` that the value's note names, when it names exactly one."""
        index = tpl.disc_columns.get(template)
        if index is None or not value.note:
            return None
        named = [i for i, code in enumerate(columns)
                 if any(word in value.note for word in _note_words(index, code))]
        return named[0] if len(named) == 1 else None


def _note_words(index, code: str) -> list[str]:
    try:
        return list(index[code].extra.get("note_words", ()))
    except StopIteration:
        return []
