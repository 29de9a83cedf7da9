"""A document's cells as they cross from a parse worker to the loader: columns of plain values.

The loader needs a document's cells only to build the `raw.cells` frame. Receiving them as `ParsedCell`
objects (a Decimal, a cell and its source built per cell) cost the loader as much as building the frame, and
on two cores the loader's time is taken from the workers'. As columns of strings and numbers they cross in
C (pickle, list.extend, Polars), and `ParsedCell`s are built only if something asks for one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import overload

from extract.blocks import Cell
from extract.guard import storable
from extract.match import ParsedCell

_SOURCE_FIELDS = tuple(f.name for f in fields(Cell))


@dataclass(frozen=True)
class CellColumns:
    """One list per attribute, one position per cell. `value` is the parsed value as text (str(Decimal) gives
    back the same Decimal, exponent and sign included); `stored` the value as `raw` stores it (`storable`)."""

    table: list[str]
    row: list[str]
    col: list[str]
    value: list[str | None]
    stored: list[str | None]
    raw: list[str]
    text: list[str]
    line: list[int | None]
    page: list[int | None]
    table_index: list[int | None]
    row_index: list[int | None]
    col_index: list[int | None]
    bbox: list[str | None]
    cuts: list[tuple[int, ...]]

    def __len__(self) -> int:
        return len(self.table)


def cell_columns(cells: Sequence[ParsedCell]) -> CellColumns:
    """The columns of `cells`: those of packed cells as they arrived, unless a cell was built from them (and
    could have been changed since)."""
    if isinstance(cells, PackedCells) and cells.untouched:
        return cells.columns
    sources = [c.source for c in cells]
    return CellColumns(
        table=[c.table for c in cells], row=[c.row for c in cells], col=[c.col for c in cells],
        value=[None if c.value is None else str(c.value) for c in cells],
        stored=[None if c.value is None else str(storable(c.value)) for c in cells],
        raw=[c.raw for c in cells],
        **{name: [getattr(s, name) for s in sources] for name in _SOURCE_FIELDS},
    )


class PackedCells(Sequence[ParsedCell]):
    """A received document's cells: read by the loader as columns, made into `ParsedCell`s on first use."""

    __slots__ = ("_cells", "columns")

    def __init__(self, columns: CellColumns) -> None:
        self.columns = columns
        self._cells: list[ParsedCell] | None = None

    @property
    def untouched(self) -> bool:
        """No `ParsedCell` was built yet: the columns are still the cells."""
        return self._cells is None

    def _built(self) -> list[ParsedCell]:
        if self._cells is None:
            k = self.columns
            sources = [Cell(*attrs) for attrs in zip(*(getattr(k, name) for name in _SOURCE_FIELDS), strict=True)]
            self._cells = [ParsedCell(table, row, col, None if value is None else Decimal(value), raw, source)
                           for table, row, col, value, raw, source
                           in zip(k.table, k.row, k.col, k.value, k.raw, sources, strict=True)]
        return self._cells

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, index: int) -> ParsedCell: ...

    @overload
    def __getitem__(self, index: slice) -> list[ParsedCell]: ...

    def __getitem__(self, index: int | slice) -> ParsedCell | list[ParsedCell]:
        return self._built()[index]

    def __iter__(self) -> Iterator[ParsedCell]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return self._built() == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable cells, like the list it stands for

    def __reduce__(self) -> tuple[type[PackedCells], tuple[CellColumns]]:
        return PackedCells, (self.columns,)

    def __repr__(self) -> str:
        return f"PackedCells({len(self)} cells)"
