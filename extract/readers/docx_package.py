"""The main document part of a Word package, read straight from the zip.

python-docx's `Document()` unmarshals every part of the package into its own element classes (styles,
settings, numbering, headers …) when the reader needs only `word/document.xml`: that was a third of a
.docx's parse time. This module walks the package the way python-docx's `PackageReader` and `Package`
do (content types, the relationship graph from `_rels/.rels`, every reachable part read from the zip and
every part python-docx would parse as XML parsed with its parser options) and returns the main part's
root. Wherever python-docx would fail, or would read something other than a plain Word document, it
raises `NotPlainPackage` and the caller asks python-docx itself, so a refusal keeps python-docx's message.
"""

from __future__ import annotations

import posixpath
import zipfile
from functools import lru_cache
from typing import NamedTuple

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import PartFactory, XmlPart
from lxml import etree

# python-docx's own parser options (`docx.oxml.parser.oxml_parser`): blank text dropped, entities left
# unresolved, no network, no huge trees; the tree read here is the one python-docx would build.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=False)
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES, _DEFAULT, _OVERRIDE = _CT_NS + "Types", _CT_NS + "Default", _CT_NS + "Override"
_RELATIONSHIPS, _RELATIONSHIP = _RELS_NS + "Relationships", _RELS_NS + "Relationship"
_DOCUMENT = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}document"
_CONTENT_TYPES_MEMBER = "[Content_Types].xml"
_PACKAGE = "/"
# Parts other than the main one are parsed only to fail where python-docx fails. Word's styles part
# (~350 kB, ~5 ms to parse) is the same in every document made from one template: a part already
# parsed without error is remembered by its bytes (only parts up to this size, a bounded number).
_MEMO_PART_BYTES = 2 * 1024 * 1024
_MEMO_PARTS = 32


class NotPlainPackage(Exception):
    """The package is not one this module reads exactly as python-docx does: let python-docx read it."""


class _Rel(NamedTuple):
    rid: str | None
    reltype: str | None
    partname: str | None  # None for an external target
    external: bool


def xml_content_types() -> frozenset[str]:
    """Content types python-docx parses as XML when it opens a package (`PartFactory.part_type_for`)."""
    return frozenset(ct for ct, cls in PartFactory.part_type_for.items() if issubclass(cls, XmlPart))


def main_document(package: zipfile.ZipFile):
    """Root element of the main document part (`w:document`); `NotPlainPackage` for anything else."""
    try:
        return _main_document(package)
    except NotPlainPackage:
        raise
    except Exception as exc:  # a missing member, bad XML, a CRC error …: python-docx gives the message
        raise NotPlainPackage(f"{type(exc).__name__}: {exc}") from exc


def _main_document(package: zipfile.ZipFile):
    types = _ContentTypes(package.read(_CONTENT_TYPES_MEMBER))
    package_rels = _rels(package, _PACKAGE)
    parsed = _walk(package, types, package_rels)
    by_id = {rel.rid: rel for rel in package_rels}  # python-docx keys relationships by id: the last one wins
    main = [rel for rel in by_id.values() if rel.reltype == RT.OFFICE_DOCUMENT]
    if len(main) != 1 or main[0].external:
        raise NotPlainPackage("not exactly one internal officeDocument relationship")
    partname = main[0].partname
    if types.of(partname) != CT.WML_DOCUMENT_MAIN:
        raise NotPlainPackage("the main part is not a Word document")
    root = parsed[partname]
    if root.tag != _DOCUMENT:
        raise NotPlainPackage("the main part's root is not w:document")
    return root


def _walk(package: zipfile.ZipFile, types: _ContentTypes, rels: list[_Rel]) -> dict:
    """Every part reachable from the package's relationships, in python-docx's order: each read from the zip
    (a missing or corrupt member fails here as it fails there), the XML ones parsed. Returns the parsed roots
    by partname; a part python-docx would first reach as an image is not parsed by it, so it is refused."""
    parsed: dict[str, object] = {}
    visited: set[str] = set()
    xml_types = xml_content_types()

    def visit(rels: list[_Rel]) -> None:
        for rel in rels:
            if rel.external or rel.partname in visited:
                continue
            partname = rel.partname
            visited.add(partname)
            part_rels = _rels(package, partname)
            blob = package.read(partname[1:])
            content_type = types.of(partname)
            if content_type in xml_types:
                if rel.reltype == RT.IMAGE:
                    raise NotPlainPackage(f"{partname} is an XML part related as an image")
                if content_type == CT.WML_DOCUMENT_MAIN:
                    parsed[partname] = etree.fromstring(blob, _PARSER)
                else:
                    _check_xml(blob)
            visit(part_rels)

    visit(rels)
    return parsed


def _check_xml(blob: bytes) -> None:
    """Raise where python-docx's parser raises on a part; a part already parsed cleanly is not parsed again."""
    if len(blob) <= _MEMO_PART_BYTES:
        _check_xml_memo(blob)
    else:
        etree.fromstring(blob, _PARSER)


@lru_cache(maxsize=_MEMO_PARTS)
def _check_xml_memo(blob: bytes) -> None:
    etree.fromstring(blob, _PARSER)


class _ContentTypes:
    """`[Content_Types].xml`: overrides by partname, defaults by extension, both without regard to case."""

    def __init__(self, xml: bytes) -> None:
        root = etree.fromstring(xml, _PARSER)
        if root.tag != _TYPES:
            raise NotPlainPackage("[Content_Types].xml has no Types root")
        self.overrides = {_lower(o.get("PartName")): o.get("ContentType") for o in root.findall(_OVERRIDE)}
        self.defaults = {_lower(d.get("Extension")): d.get("ContentType") for d in root.findall(_DEFAULT)}

    def of(self, partname: str) -> str | None:
        key = partname.lower()
        if key in self.overrides:
            return self.overrides[key]
        ext = posixpath.splitext(partname)[1]
        ext = ext[1:] if ext.startswith(".") else ext
        if ext.lower() in self.defaults:
            return self.defaults[ext.lower()]
        raise NotPlainPackage(f"no content type for partname {partname!r}")


def _lower(value: str | None) -> str:
    if value is None:
        raise NotPlainPackage("a content type entry without its name")
    return value.lower()


def _rels(package: zipfile.ZipFile, source: str) -> list[_Rel]:
    """The relationships of a part (or of the package, `/`), targets resolved as python-docx's `PackURI` does;
    none when the part has no rels member."""
    base, filename = posixpath.split(source)
    try:
        xml = package.read(posixpath.join(base, "_rels", f"{filename}.rels")[1:])
    except KeyError:
        return []
    root = etree.fromstring(xml, _PARSER)
    if root.tag != _RELATIONSHIPS:
        raise NotPlainPackage(f"the rels of {source} have no Relationships root")
    out = []
    for el in root.findall(_RELATIONSHIP):
        external = el.get("TargetMode", RTM.INTERNAL) == RTM.EXTERNAL
        target = el.get("Target")
        if target is None:
            raise NotPlainPackage(f"a relationship of {source} without a target")
        partname = None if external else posixpath.abspath(posixpath.join(base, target))
        out.append(_Rel(el.get("Id"), el.get("Type"), partname, external))
    return out
