"""Legacy Word (.doc) and WPS (.wps) files: converted to .docx with LibreOffice, then read as .docx.

Conversion needs `soffice` on the machine. Each call runs headless with its own throwaway profile
(`-env:UserInstallation=file:///tmp/...`, so parallel calls never share one) and a timeout, after which
the whole process group is killed. Without LibreOffice the file is recorded as `unsupported_format`.

Many ".doc" files published by web systems are really a .docx, an HTML page, a Word "single file web
page" (MHTML) or RTF under the old suffix; the bytes, not the suffix, decide how such a file is read.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extract.limits import SOFFICE_CONVERT_SECONDS, ask_for_time
from extract.readers import ReadError, Reading

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def soffice() -> str | None:
    """Path of LibreOffice's `soffice`, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(data: bytes, path: Path) -> Reading:
    """Blocks of a .doc/.wps by converting it (or by the reader its content really needs)."""
    from extract.readers import docx, html

    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    head = data[:2048].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        return docx.read(data, path)
    if head.startswith(b"mime-version") or b"multipart/related" in head:
        return html.read(mhtml_page(data), path)
    if head.startswith((b"<html", b"<!doctype html", b"<?xml")) or b"<html" in head:
        return html.read(data, path)
    if data.startswith(_OLE):
        suffix = ".doc" if _WORD_STREAM in data else path.suffix.lower()
    elif data.startswith(b"{\\rtf"):
        suffix = ".rtf"
    else:
        raise ReadError("unreadable_file", f"not a Word or WPS document (unrecognised content for {path.suffix})")
    converted = convert_to_docx(data, suffix)
    reading = docx.read(converted, path)
    form = path.suffix.lower().lstrip(".") or "doc"
    return Reading(reading.blocks, form, "docx_grid", None)


def mhtml_page(data: bytes) -> bytes:
    """The HTML part of an MHTML web archive, transfer encoding (base64, quoted-printable) undone."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if payload:
                return payload
    raise ReadError("unreadable_file", "MHTML web archive without an HTML part")


def convert_to_docx(data: bytes, suffix: str, timeout: float = SOFFICE_CONVERT_SECONDS) -> bytes:
    """The .docx bytes LibreOffice makes of a document; `ReadError` when it is missing or fails. The sandbox is
    asked for the conversion's timeout first, so the conversion's own limit, not the worker's, ends a slow one."""
    exe = soffice()
    if exe is None:
        raise ReadError("unsupported_format", "install libreoffice to read .doc/.wps")
    ask_for_time(timeout)
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        work = Path(tmp)
        src = work / f"document{suffix}"
        src.write_bytes(data)
        out = work / "out"
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out),
               str(src)]
        env = {**os.environ, "HOME": tmp}
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env=env)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ReadError("unreadable_file", f"LibreOffice conversion timed out after {timeout:g}s") from exc
        result = out / "document.docx"
        if proc.returncode != 0 or not result.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise ReadError("unreadable_file", f"LibreOffice could not convert the file: {detail[0]}")
        return result.read_bytes()
