"""Where the dbt project's sources are, and whether a parse of them is current — without importing dbt or
Dagster, so that `nianbao run` can tell a run with nothing new in a fraction of a second.

In the source tree the project is `dbt_project/` at the repository root. A non-editable install carries a copy
inside the package (`orchestration/packaged_dbt_project/`, written by the wheel build, see setup.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.paths import REPO_ROOT

SOURCE_PROJECT_DIR = REPO_ROOT / "dbt_project"
PACKAGED_PROJECT_DIR = Path(__file__).resolve().parent / "packaged_dbt_project"
# Folders of a dbt project that hold its outputs, not its sources.
OUTPUT_DIRS = frozenset({"target", "logs", "dbt_packages"})
# Beside a parsed manifest: the digest of the sources it was parsed from.
SOURCES_STAMP = "nianbao_sources.json"
PARSE_FILE = "partial_parse.msgpack"
# In the project's target folder: held while a parse there is checked, written or read.
PARSE_LOCK = ".nianbao_parse.lock"


def project_dir() -> Path:
    """The source tree's dbt project when there is one, else the copy packaged with the code."""
    return SOURCE_PROJECT_DIR if (SOURCE_PROJECT_DIR / "dbt_project.yml").is_file() else PACKAGED_PROJECT_DIR


def source_files(root: Path) -> list[Path]:
    """The project's source files (models, macros, seeds, settings), sorted; outputs and hidden files excluded."""
    found = []
    for folder, dirs, names in os.walk(root):
        rel = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (rel == Path(".") and d in OUTPUT_DIRS))
        found.extend(Path(folder, n) for n in names if not n.startswith("."))
    return sorted(found)


def sources_digest(root: Path) -> str:
    """sha256 over the project's source paths and contents, and the dbt version that parses them: a manifest
    parsed from other sources, or by another dbt, is stale. A few milliseconds for this project."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in source_files(root):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def parse_stamp(target: Path, digest: str) -> dict[str, object]:
    """What the stamp records of a parse into `target`: the sources' digest, and the parse file it wrote (a
    `dbt parse` run by hand in the project writes that file again, of other sources, and no stamp)."""
    written = (target / PARSE_FILE).stat()
    return {"sources_sha256": digest, "parse_file": [written.st_size, written.st_mtime_ns]}


def is_current(target: Path, digest: str) -> bool:
    """Whether `target` holds a manifest parsed from sources with this digest, as the stamp's parse left it."""
    stamp = target / SOURCES_STAMP
    if not (target / "manifest.json").is_file() or not (target / PARSE_FILE).is_file() or not stamp.is_file():
        return False
    return json.loads(stamp.read_text(encoding="utf-8")) == parse_stamp(target, digest)


@contextmanager
def parse_lock(root: Path) -> Iterator[None]:
    """Hold the project's parse lock: two processes on one project (two `nianbao` commands, parallel test
    workers) would otherwise parse into the same folders at once, or read a manifest another is replacing.
    Not re-entrant: take it once per process, around the check, the parse and the read together."""
    lock_dir = root / "target"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / PARSE_LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
