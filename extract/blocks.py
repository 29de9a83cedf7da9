"""The common intermediate form of every source: a sequence of text lines and table rows.

Every reader (flattened text, HTML, Word, PDF) produces `Block`s; the template matcher only ever sees
blocks, so a new source form is a new reader, not a new parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Cell:
    """One printed cell with where it came from."""

    text: str
    line: int | None = None
    page: int | None = None
    table_index: int | None = None
    row_index: int | None = None
    col_index: int | None = None
    bbox: str | None = None
    # positions in `text` where its digits changed width (`６８27000`): cell boundaries the source printed
    cuts: tuple[int, ...] = ()

    def provenance(self) -> dict[str, object]:
        return {
            "line": self.line,
            "page": self.page,
            "table_index": self.table_index,
            "row_index": self.row_index,
            "col_index": self.col_index,
            "bbox": self.bbox,
        }


class _worked_out_once(Generic[T]):
    """A property computed on first use and kept in the instance: `functools.cached_property` without the
    class-wide lock it takes on every first use in Python 3.11 (two threads racing on a read block work out the same
    value, so no lock is needed)."""

    def __init__(self, func: Callable[[Block], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, block: Block | None, owner: type | None = None) -> T:
        if block is None:
            return self  # type: ignore[return-value]  # asked for on the class (help, introspection)
        value = block.__dict__[self.name] = self.func(block)
        return value


@dataclass
class Block:
    """A paragraph (`kind == "text"`, one cell) or a table row (`kind == "row"`). A reader may still fill a
    block while it reads (a cell continued on the next line); once read, the blocks are read-only, and the
    matcher, which asks for a block's non-empty cells many times, works them out once."""

    kind: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join([c.text for c in self.cells])

    @property
    def line(self) -> int | None:
        for c in self.cells:
            if c.line is not None:
                return c.line
        return None

    @_worked_out_once
    def non_empty(self) -> tuple[Cell, ...]:
        return tuple([c for c in self.cells if c.text.strip()])

    @_worked_out_once
    def texts(self) -> tuple[str, ...]:
        """The cells' texts: the key the matcher's per-row memos are looked up by."""
        return tuple([c.text for c in self.cells])
