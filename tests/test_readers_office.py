""".doc and .wps: converted by LibreOffice when it is installed, else recorded as `unsupported_format`.

The conversion tests run only where `soffice` exists (CI need not install LibreOffice); the
`unsupported_format` path is tested everywhere by hiding it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from documents import FAKE_DOC, seed_004_docx

from extract.limits import SOFFICE_CONVERT_SECONDS, answer_time_requests
from extract.parse import parse_bytes
from extract.readers import ReadError, office
from extract.sandbox import Sandbox


@pytest.fixture(scope="module")
def soffice() -> str:
    """The LibreOffice these tests run; `make test-slow` installs it (`make office`), and its absence fails."""
    path = office.soffice()
    assert path is not None, "LibreOffice (soffice) is not installed: run `make office`"
    return path


# A real conversion takes tens of seconds: these run in the slow tier, where `make test-slow` installs LibreOffice.
needs_soffice = pytest.mark.slow


def _by_code(doc) -> dict:
    out: dict = {}
    for c in doc.as_json()["cells"]:
        out.setdefault(c["table"], {}).setdefault(c["row"], {})[c["col"]] = c["value"]
    return out


@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_without_libreoffice_doc_and_wps_are_unsupported(monkeypatch, name):
    monkeypatch.setattr(office, "soffice", lambda: None)
    doc = parse_bytes(FAKE_DOC, Path(name))
    assert (doc.status, doc.source_form) == ("failed", name.split(".")[1])
    assert doc.error == "unsupported_format: install libreoffice to read .doc/.wps"


def test_doc_that_is_really_a_docx_or_html_is_read_as_such(monkeypatch):
    """Web systems often serve a .docx or an HTML page under .doc: the bytes decide, no conversion."""
    monkeypatch.setattr(office, "soffice", lambda: None)
    data, gold = seed_004_docx()
    doc = parse_bytes(data, Path("report.doc"))
    assert (doc.status, doc.source_form) == ("parsed", "docx")
    assert _by_code(doc) == gold["cells"]
    page = "<html><body><p>关于做好节日值班工作的通知</p></body></html>".encode()
    doc = parse_bytes(page, Path("notice.doc"))
    assert doc.source_form == "html" and doc.error.startswith("not_a_report")


@pytest.mark.parametrize(("data", "code"), [(b"", "empty_file"), (b"plain words, not a document" * 20,
                                                                   "unreadable_file")])
def test_unrecognised_content(data, code):
    with pytest.raises(ReadError) as err:
        office.read(data, Path("x.doc"))
    assert err.value.code == code


@pytest.fixture(scope="module")
def real_doc(tmp_path_factory, soffice) -> tuple[bytes, dict]:
    """Sample 004 as a Word 97 .doc, made by LibreOffice from the .docx built in the tests."""
    data, gold = seed_004_docx()
    tmp = tmp_path_factory.mktemp("doc")
    (tmp / "r.docx").write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp), str(tmp / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    return (tmp / "r.doc").read_bytes(), gold


@needs_soffice
def test_doc_converted_reads_to_the_golden_file(real_doc):
    data, gold = real_doc
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    doc = parse_bytes(data, Path("西罗园街道2019.doc"))
    assert (doc.status, doc.error, doc.source_form, doc.layout) == ("parsed", None, "doc", "docx_grid")
    assert _by_code(doc) == gold["cells"]
    assert doc.report["agency"] == gold["agency"] and doc.as_json()["narrative"] == gold["narrative"]


def test_wps_with_a_word_stream_is_converted_as_doc(monkeypatch):
    """Kingsoft WPS files hold a Word binary stream: LibreOffice gets them as .doc (its .wps filter is for
    Microsoft Works); the document keeps its own form, wps."""
    seen = []

    def convert(data: bytes, suffix: str) -> bytes:
        seen.append(suffix)
        return seed_004_docx()[0]

    monkeypatch.setattr(office, "convert_to_docx", convert)
    doc = parse_bytes(FAKE_DOC, Path("西罗园街道2019.wps"))
    assert seen == [".doc"]
    assert (doc.status, doc.source_form, doc.layout) == ("parsed", "wps", "docx_grid")
    assert sum(1 for c in doc.cells if c.table == "applications") == 161


@needs_soffice
def test_corrupt_doc_fails_with_libreoffice_reason(soffice):
    doc = parse_bytes(FAKE_DOC, Path("broken.doc"))
    assert doc.status == "failed"
    assert doc.error.startswith("unreadable_file: LibreOffice could not convert the file")


@needs_soffice
def test_conversion_timeout_is_a_read_error(soffice):
    with pytest.raises(ReadError) as err:
        office.convert_to_docx(FAKE_DOC, ".doc", timeout=0.05)
    assert err.value.code == "unreadable_file" and "timed out" in str(err.value)



def test_a_conversion_asks_its_sandbox_for_its_own_timeout_first(monkeypatch, tmp_path: Path):
    """LibreOffice's cold start can take longer than a worker's plain time limit: before it starts, the
    conversion asks for its own timeout, so a slow conversion is not killed as `resource_limit`."""
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(office, "soffice", lambda: str(fake))
    asked: list[float] = []
    answer_time_requests(asked.append)
    try:
        with pytest.raises(ReadError) as err:
            office.convert_to_docx(FAKE_DOC, ".doc")
    finally:
        answer_time_requests(None)
    assert asked == [SOFFICE_CONVERT_SECONDS]
    assert str(err.value) == "LibreOffice could not convert the file: Error: source file could not be loaded"


@needs_soffice
def test_a_conversion_slower_than_the_worker_limit_ends_with_its_own_reason(soffice, tmp_path: Path):
    """Through the sandbox with a one-second limit, the real conversion (seconds) still ends with LibreOffice's
    answer, not with the worker stopped (CI hit this under load with the 30 s limit)."""
    doc = tmp_path / "legacy.doc"
    doc.write_bytes(FAKE_DOC)
    with Sandbox(1, time_limit=1.0) as sandbox:
        (parsed,) = sandbox.parse([doc])
    assert parsed.status == "failed"
    assert parsed.error.startswith("unreadable_file: LibreOffice could not convert the file")
    assert sandbox.stats.killed_over_time == 0


def test_doc_that_is_a_word_web_archive_reads_its_html_part(monkeypatch):
    """Word's "single file web page" (MHTML) saved as .doc: the quoted-printable HTML part is read."""
    from email import encoders
    from email.mime.base import MIMEBase
    from email.mime.multipart import MIMEMultipart

    monkeypatch.setattr(office, "soffice", lambda: None)
    archive = MIMEMultipart("related")
    page = MIMEBase("text", "html", charset="gb2312")
    page.set_payload((Path(__file__).parent / "fixtures" / "forms" / "huamu-2023-gbk.html").read_bytes())
    encoders.encode_quopri(page)
    archive.attach(page)
    image = MIMEBase("image", "png")
    image.set_payload(b"\x89PNG\r\n\x1a\n" + bytes(64))
    encoders.encode_base64(image)
    archive.attach(image)
    doc = parse_bytes(b"MIME-Version: 1.0\n" + archive.as_bytes(), Path("花木街道2023.doc"))
    assert (doc.status, doc.source_form, doc.encoding) == ("parsed", "html", "gb2312")
    assert [int(c.value) for c in doc.cells if c.row == "new_received"] == [12, 3, 0, 0, 1, 0, 16]
