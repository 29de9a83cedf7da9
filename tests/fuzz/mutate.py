"""Byte-level mutation of report files: what a bad disk, a truncated download or a careless edit does.

Text forms are mutated as bytes (so encodings break too); a Word file is mutated inside its
`word/document.xml` most of the time (so the reader, not only the zip check, is exercised) and as raw
bytes otherwise; a PDF as raw bytes.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

# Bytes that matter to the readers: delimiters of every layout, markup, digits, encodings' edges.
INTERESTING = b"\t\n\r |/-0159<>\"'&;:.,\x00\xff\x80\xe3\xa1"
MAX_RANGE = 64

Mutator = Callable[[bytearray, random.Random], str]


def _flip(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(len(b))
    bit = rng.randrange(8)
    b[i] ^= 1 << bit
    return f"flip bit {bit} at {i}"


def _set(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(len(b))
    b[i] = rng.choice(INTERESTING)
    return f"set byte {i} to {b[i]:#04x}"


def _delete(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(len(b))
    n = rng.choice([1, 1, 1, rng.randint(1, MAX_RANGE)])
    del b[i:i + n]
    return f"delete {n} at {i}"


def _insert(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(len(b) + 1)
    b[i:i] = bytes([rng.choice(INTERESTING)])
    return f"insert {b[i]:#04x} at {i}"


def _duplicate(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(len(b))
    n = rng.randint(1, MAX_RANGE)
    b[i:i] = b[i:i + n]
    return f"duplicate {n} at {i}"


def _digit(b: bytearray, rng: random.Random) -> str:
    digits = [i for i, x in enumerate(b) if 0x30 <= x <= 0x39]
    if not digits:
        return _flip(b, rng)
    i = rng.choice(digits)
    b[i] = rng.choice(b"0123456789")
    return f"digit at {i} to {chr(b[i])}"


def _delimiter(b: bytearray, rng: random.Random) -> str:
    """Drop or replace a cell delimiter next to a digit: `0\\t0` becomes `00` or `0 0`."""
    spots = [i for i in range(1, len(b) - 1) if b[i] in b"\t|" and 0x30 <= b[i - 1] <= 0x39]
    if not spots:
        return _delete(b, rng)
    i = rng.choice(spots)
    if rng.random() < 0.5:
        del b[i]
        return f"drop delimiter at {i}"
    b[i] = rng.choice(b" 0\n")
    return f"delimiter at {i} to {b[i]:#04x}"


def _swap_lines(b: bytearray, rng: random.Random) -> str:
    lines = bytes(b).split(b"\n")
    if len(lines) < 2:
        return _flip(b, rng)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    b[:] = b"\n".join(lines)
    return f"swap lines {i} and {j}"


def _truncate(b: bytearray, rng: random.Random) -> str:
    i = rng.randrange(1, len(b))
    del b[i:]
    return f"truncate at {i}"


MUTATORS: tuple[Mutator, ...] = (_flip, _flip, _set, _delete, _insert, _duplicate, _digit, _digit,
                                 _delimiter, _delimiter, _swap_lines, _truncate)


def mutate_bytes(data: bytes, rng: random.Random, rounds: int = 1) -> tuple[bytes, str]:
    """`data` with `rounds` random mutations, and what was done."""
    b = bytearray(data)
    done = []
    for _ in range(rounds):
        if not b:
            break
        done.append(rng.choice(MUTATORS)(b, rng))
    return bytes(b), "; ".join(done)


def mutate_docx(data: bytes, rng: random.Random, part: str = "word/document.xml") -> tuple[bytes, str]:
    """A Word package with one part mutated and zipped again (the zip itself stays valid)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    how = ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == part:
                content, how = mutate_bytes(content, rng)
            dst.writestr(info.filename, content)
    return out.getvalue(), f"{part}: {how}"


def mutate(data: bytes, suffix: str, rng: random.Random) -> tuple[bytes, str]:
    """One mutant of a report file of the form `suffix`; usually one mutation, sometimes a few."""
    if suffix == ".docx" and rng.random() < 0.8:
        return mutate_docx(data, rng)
    return mutate_bytes(data, rng, rounds=1 if rng.random() < 0.85 else rng.randint(2, 4))
