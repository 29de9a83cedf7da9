"""placeholder"""

from pathlib import Path

from extract.readers import ReadError, Reading


def read(data: bytes, path: Path) -> Reading:
    raise ReadError("unsupported_format", "not yet")
