"""The recognition model, run on text-line crops that the page analysis cut out (no detection model).

Cutting lines from the table's own ruling grid instead of running the text detector finds every cell,
single `0`s included (the detector at page scale misses many of them), and is several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Recognised:
    """One text line read by the model: its text and the mean probability of its characters."""

    text: str
    confidence: float


@cache
def _recogniser() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(print_verbose=False).text_rec


def recognise(crops: list[np.ndarray]) -> list[Recognised]:
    """Text of each grey-scale line crop, in the order given."""
    if not crops:
        return []
    bgr = [np.repeat(c[:, :, None], 3, axis=2) if c.ndim == 2 else c for c in crops]
    results, _ = _recogniser()(bgr)
    return [Recognised(str(text), float(score)) for text, score in results]
