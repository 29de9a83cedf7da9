"""One page image → its text lines and ruled tables, as crops for the recogniser and boxes in pixels.

Scanners and phones tilt, blur, darken corners and stamp red seals over cells. So: the red channel is
read (a red seal is nearly white there, black print stays black); the page is turned upright by the angle
that makes its rows of ink sharpest; ink is separated from paper by a local threshold (uneven light); the
ruling lines are the long horizontal and vertical runs of ink; a table's cells are the regions those lines
enclose (a merged cell is one region); each cell's ink is cut into text lines by its horizontal profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

COARSE_ANGLES = np.arange(-6.0, 6.01, 0.5)  # degrees: a scan or photo is rarely tilted more
FINE_STEP = 0.05
SKEW_SCALE = 0.25  # the angle is searched on a page scaled down this much, then refined at FINE_SCALE
FINE_SCALE = 0.5
LOCAL_BLOCK = 51  # pixels of the local threshold's neighbourhood (uneven light)
LOCAL_OFFSET = 30  # grey levels darker than the neighbourhood: print, not a translucent seal's trace
RULE_FRACTION = 30  # a ruling is at least 1/30 of the page width (height) long
RULE_GAP = 25  # pixels: a ruling broken by blur, a seal or a faint scan is closed over gaps this long
MIN_TABLE_WIDTH = 0.25  # of the page width
CELL_INSET = 3  # pixels trimmed inside a cell's lines
MIN_INK_ROWS = 6  # a text line is at least this many pixel rows high
LINE_GAP = 3  # pixel rows without ink that still belong to one line (the gap inside 二 or 三)
CROP_PAD = 6
EDGE_TOLERANCE = 8  # pixels: column or row edges of cells closer than this are one edge
Box = tuple[int, int, int, int]  # x0, top, x1, bottom


@dataclass
class CellCrop:
    """One table cell: its grid place, its box and the crops of its text lines."""

    row: int
    col: int
    box: Box
    lines: list[np.ndarray] = field(default_factory=list)


@dataclass
class TableCrop:
    box: Box
    ncols: int
    nrows: int
    cells: list[CellCrop]


@dataclass
class LineCrop:
    box: Box
    image: np.ndarray


@dataclass
class PageLayout:
    """What one page holds; `angle` is the tilt it was turned back by (degrees)."""

    width: int
    height: int
    angle: float
    lines: list[LineCrop]
    tables: list[TableCrop]


def analyse(image: np.ndarray) -> PageLayout:
    """Lines and tables of a page image (grey or BGR)."""
    grey = image[:, :, 2] if image.ndim == 3 else image  # BGR: the red channel hides red seals
    angle = skew_angle(grey)
    upright = rotate(grey, angle) if abs(angle) >= FINE_STEP else grey
    ink = cv2.adaptiveThreshold(upright, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                LOCAL_BLOCK, LOCAL_OFFSET)
    rules = ruling_mask(ink)
    tables = [_table(upright, ink, rules, box) for box in _table_boxes(rules)]
    tables = [t for t in tables if t.cells]
    text_ink = ink.copy()
    for t in tables:
        x0, y0, x1, y1 = t.box
        text_ink[y0:y1 + 1, x0:x1 + 1] = 0
    page = (0, 0, grey.shape[1] - 1, grey.shape[0] - 1)
    lines = [LineCrop(b, _crop(upright, b, page)) for b in _line_boxes(text_ink & ~rules, page)]
    return PageLayout(grey.shape[1], grey.shape[0], angle, lines, tables)


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def skew_angle(grey: np.ndarray) -> float:
    """The rotation that makes the rows of ink sharpest (largest variance of the row profile)."""
    coarse, fine = _ink_at(grey, SKEW_SCALE), _ink_at(grey, FINE_SCALE)
    best = max(COARSE_ANGLES, key=lambda a: _sharpness(coarse, a))
    near = np.arange(best - 0.5, best + 0.5 + FINE_STEP / 2, FINE_STEP)
    return round(float(max(near, key=lambda a: _sharpness(fine, a))), 2)


def _ink_at(grey: np.ndarray, scale: float) -> np.ndarray:
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _sharpness(ink: np.ndarray, angle: float) -> float:
    h, w = ink.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    profile = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0).sum(axis=1, dtype=np.float64)
    return float(np.var(profile))


def ruling_mask(ink: np.ndarray) -> np.ndarray:
    """The long horizontal and vertical runs of ink, slightly thickened so blurred lines close."""
    h, w = ink.shape
    along = cv2.getStructuringElement(cv2.MORPH_RECT, (w // RULE_FRACTION, 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, h // RULE_FRACTION // 2))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, along)
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, down)
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (RULE_GAP, 3)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, RULE_GAP)))
    return horizontal | vertical


def _table_boxes(rules: np.ndarray) -> list[Box]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w >= MIN_TABLE_WIDTH * rules.shape[1] and h >= 3 * MIN_INK_ROWS:
            boxes.append((int(x), int(y), int(x + w - 1), int(y + h - 1)))
    return sorted(boxes, key=lambda b: b[1])


def _edges(values: list[int]) -> list[int]:
    """Cluster pixel positions into edges (the mean of each cluster)."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= EDGE_TOLERANCE:
            out[-1].append(v)
        else:
            out.append([v])
    return [round(sum(g) / len(g)) for g in out]


def _nearest(edges: list[int], v: int) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _table(grey: np.ndarray, ink: np.ndarray, rules: np.ndarray, box: Box) -> TableCrop:
    """The cells of one table: the regions its rulings enclose, placed on the grid of their edges."""
    x0, y0, x1, y1 = box
    inside = (rules[y0:y1 + 1, x0:x1 + 1] == 0).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
    regions: list[Box] = []
    h, w = inside.shape
    for i in range(1, n):
        x, y, cw, ch, _ = stats[i]
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h or cw < 2 * MIN_INK_ROWS or ch < MIN_INK_ROWS:
            continue  # outside the table (touches its box) or a speck between doubled lines
        regions.append((int(x + x0), int(y + y0), int(x + x0 + cw - 1), int(y + y0 + ch - 1)))
    if not regions:
        return TableCrop(box, 0, 0, [])
    cols = _edges([r[0] for r in regions] + [r[2] for r in regions])
    rows = _edges([r[1] for r in regions] + [r[3] for r in regions])
    text_ink = ink & ~rules
    cells = []
    for r in regions:
        c0 = _nearest(cols, r[0])
        r0 = _nearest(rows, r[1])
        inner = (r[0] + CELL_INSET, r[1] + CELL_INSET, r[2] - CELL_INSET, r[3] - CELL_INSET)
        lines = [_crop(grey, b, inner) for b in _line_boxes(text_ink, inner)]
        cells.append(CellCrop(r0, c0, r, lines))
    return TableCrop(box, max(len(cols) - 1, 1), max(len(rows) - 1, 1), cells)


def _line_boxes(ink: np.ndarray, inner: Box) -> list[Box]:
    """Text lines of a region of the ink mask: bands of rows with ink, each cut to its ink's width."""
    x0, y0, x1, y1 = inner
    if x1 <= x0 or y1 <= y0:
        return []
    region = ink[y0:y1 + 1, x0:x1 + 1]
    region = cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks of noise
    rows = np.flatnonzero(region.sum(axis=1) > 0)
    boxes: list[Box] = []
    start = prev = None
    for y in [*rows.tolist(), None]:
        if y is not None and prev is not None and y - prev <= LINE_GAP + 1:
            prev = y
            continue
        if start is not None and prev - start + 1 >= MIN_INK_ROWS:
            band = region[start:prev + 1]
            xs = np.flatnonzero(band.sum(axis=0) > 0)
            boxes.append((x0 + int(xs[0]), y0 + start, x0 + int(xs[-1]), y0 + prev))
        start = prev = y
    return boxes


def _crop(grey: np.ndarray, box: Box, clip: Box) -> np.ndarray:
    """The line's pixels with a margin of paper, never past `clip` (a cell's ruling lines)."""
    x0, y0, x1, y1 = box
    crop = grey[max(y0 - CROP_PAD, clip[1]):min(y1 + CROP_PAD, clip[3]) + 1,
                max(x0 - CROP_PAD, clip[0]):min(x1 + CROP_PAD, clip[2]) + 1]
    return np.ascontiguousarray(crop)
