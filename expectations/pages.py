"""Incremental pages: a page whose inputs are unchanged since the published build is hard-linked from it, not
rendered again, so adding ten reports to a 100,000-report warehouse re-renders the few pages that show them.

Each folder of the site (agencies/, regions/, history/, and the site's own top folder for its documents page)
carries a manifest, `.fingerprints.json`: page name → fingerprint, and a digest of what renders them (templates,
wording, the report's code, the versions of jinja2 and duckdb). A fingerprint is a hash of the JSON of what the
page is rendered from: for a page that lists many rows, not the rows themselves but their digest computed in
DuckDB (`row_digests`), so that only the rows of the pages that changed are read into Python. A build stages a
new folder; for each page it computes the fingerprint, links the published page when the published manifest has
the same one, renders it otherwise. Pages the build does not list are not carried over. The manifest travels inside its
folder, so the folder and its manifest are published by one rename (expectations.codes.publishing); a missing,
corrupt or foreign manifest means nothing is reused: every page is rendered, as into an empty folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import markupsafe

MANIFEST = ".fingerprints.json"
# What decides how a page looks besides its values: any change here renders every page again.
_PACKAGE = Path(__file__).parent
RENDERER_SOURCES = (_PACKAGE, _PACKAGE.parent / "extract" / "templates")
RENDERER_SUFFIXES = (".py", ".yaml", ".j2", ".css", ".js")

log = logging.getLogger(__name__)
# A digest of a set of rows: the xor and the sum of their 64-bit hashes, and their count.
Digest = tuple[int, int, int]


def _tagged(value: Any) -> list[str]:
    """A value JSON has no type for (Decimal, date, …), kept apart from the string it prints as."""
    return [type(value).__name__, str(value)]


def fingerprint(values: Any) -> str:
    """A hash of the JSON of a page's values: equal fingerprints, equal pages (for the same renderer)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=_tagged)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def renderer_digest(*extra: Any) -> str:
    """A digest of the templates, wording and code that render the pages, and of `extra` settings (caps)."""
    versions = [jinja2.__version__, markupsafe.__version__, duckdb.__version__]  # duckdb: its hash() digests rows
    digest = hashlib.sha256(json.dumps([versions, extra], default=str).encode())
    for source in RENDERER_SOURCES:
        for path in sorted(p for p in source.rglob("*") if p.suffix in RENDERER_SUFFIXES and p.is_file()):
            digest.update(str(path.relative_to(source)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def row_digests(con: duckdb.DuckDBPyConnection, rows: str, key: Sequence[str]) -> dict[tuple[Any, ...], Digest]:
    """Per value of the `key` columns of `rows` (SQL), a digest of its rows computed in DuckDB: each row hashed
    whole (DuckDB's 64-bit `hash` of the row), combined by xor, by sum and by count, so row order does not
    matter. Equal digests mean equal rows (but for a 64-bit collision, about 2⁻⁶⁴ per changed row), so a page
    rendered from one key's rows, in an order decided by their own columns, is unchanged when its digest is."""
    columns = ", ".join(key)
    found = con.execute(f"""select {columns}, bit_xor(h), sum(h::hugeint), count(*)
                            from (select {columns}, hash(r) as h from ({rows}) r) group by all""").fetchall()
    width = len(key)
    return {tuple(row[:width]): (int(row[width]), int(row[width + 1]), int(row[width + 2])) for row in found}


class PageFolder:
    """One folder of pages staged at `staging`, reusing what the folder published at `published` holds.

    The published folder is opened once: its manifest and the pages linked from it are read through the same
    directory handle, so a publish by another build meanwhile cannot pair one build's manifest with another's
    pages (a page gone meanwhile is rendered)."""

    def __init__(self, staging: Path, published: Path | None, renderer: str, label: str | None = None) -> None:
        self.staging, self.renderer = staging, renderer
        self.label = label or staging.name  # how the log names it
        self.staging.mkdir(parents=True, exist_ok=True)
        self.current: dict[str, str] = {}
        self.rendered: list[str] = []
        self.linked = 0
        self._source = _open_folder(published)
        self.previous = self._read_manifest()

    def reuse(self, name: str, values: Any) -> bool:
        """Record page `name`'s fingerprint; True when the published page was rendered from the same values
        and is now linked into the staging folder, False when the caller must render it (`write`)."""
        digest = fingerprint(values)
        self.current[name] = digest
        if self.previous.get(name) == digest and self._link(name):
            self.linked += 1
            return True
        return False

    def write(self, name: str, text: str) -> None:
        """A rendered page (a new file: never written through a link to a published page)."""
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.write_text(text, encoding="utf-8")
        self.rendered.append(name)

    def close(self) -> None:
        """Write the manifest of the pages staged (last: the folder is complete) and let go of the published one."""
        manifest = {"renderer": self.renderer, "pages": self.current}
        (self.staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True),
                                             encoding="utf-8")
        if self._source is not None:
            os.close(self._source)
            self._source = None
        log.info("%s: %d pages rendered, %d unchanged", self.label, len(self.rendered), self.linked)

    def _read_manifest(self) -> dict[str, str]:
        """The published fingerprints, or none when the manifest is missing, unreadable or of another renderer."""
        if self._source is None:
            return {}
        try:
            fd = os.open(MANIFEST, os.O_RDONLY, dir_fd=self._source)
            with open(fd, encoding="utf-8") as file:
                manifest = json.load(file)
            pages = manifest["pages"] if manifest["renderer"] == self.renderer else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        if not isinstance(pages, dict):
            return {}
        return {str(k): v for k, v in pages.items() if isinstance(v, str)}

    def _link(self, name: str) -> bool:
        """The published page `name` into the staging folder: a hard link, or a copy where links are refused."""
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(name, target, src_dir_fd=self._source)
            return True
        except FileNotFoundError:
            return False
        except OSError:  # another file system, or links not allowed: the same bytes by copy
            try:
                with open(os.open(name, os.O_RDONLY, dir_fd=self._source), "rb") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                return True
            except OSError:
                target.unlink(missing_ok=True)
                return False


def _open_folder(folder: Path | None) -> int | None:
    if folder is None:
        return None
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


def groups(items: Iterable[Any], size: Any, limit: int) -> Iterable[list[Any]]:
    """Consecutive items in lists whose sizes (`size(item)`) add up to about `limit` (at least one item each)."""
    group: list[Any] = []
    total = 0
    for item in items:
        if group and total + size(item) > limit:
            yield group
            group, total = [], 0
        group.append(item)
        total += size(item)
    if group:
        yield group
