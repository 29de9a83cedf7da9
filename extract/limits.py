"""Every bound on the work one document may cost, in one place.

A government report is a few pages with three small tables; these limits are orders of magnitude above
anything a real report needs and far below what a hostile or corrupted file could demand. A file that
reaches one is `failed` (or its cell null) with the limit named in the reason, never a hang or a crash.
"""

from __future__ import annotations

from collections.abc import Callable

# ---------------------------------------------------------------- the worker (wall time, memory)
# Wall time of one document in a worker process; past it the worker is killed (status code resource_limit).
DOC_TIME_LIMIT_SECONDS = 30.0
# Address space of a worker process (RLIMIT_AS): an allocation past it is a MemoryError (resource_limit).
WORKER_MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
# OCR costs 7-15 s a page on a loaded 2-core machine (docs/benchmarks.md): a worker reading a scan asks its
# sandbox for this much more time per page, for at most MAX_OCR_PAGES pages (a longer scan is resource_limit).
OCR_SECONDS_PER_PAGE = 30.0
MAX_OCR_PAGES = 40
# Before a scan's pages are counted, its worker imports the OCR stack (NumPy, OpenCV, the page analysis) and
# decodes the file: a second or more in a fresh worker on a loaded machine. It asks for this much first.
OCR_SETUP_SECONDS = 30.0
# LibreOffice converting one .doc/.wps: its cold start with a fresh profile takes tens of seconds on a loaded
# 2-core machine, past DOC_TIME_LIMIT_SECONDS; the worker asks for this much more time, and the conversion is
# killed at it (unreadable_file), before the sandbox would stop the worker.
SOFFICE_CONVERT_SECONDS = 120.0

# ---------------------------------------------------------------- files
# Bytes of a text, Markdown or HTML file (a report is tens of kilobytes; a page with its site chrome, a few
# hundred).
MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024
# Bytes of a Word or PDF file (embedded pictures make them larger than their text).
MAX_BINARY_FILE_BYTES = 64 * 1024 * 1024
# Characters of decoded text handed to the matcher (after HTML markup is removed, this is the report).
MAX_TEXT_CHARS = 4_000_000

# ---------------------------------------------------------------- tables (HTML, Word, PDF grids)
# A rowspan/colspan/gridSpan beyond this is clipped (the widest real table has about 20 columns).
MAX_SPAN = 200
# Rows and columns of one table grid after spans are expanded, and cells of one table.
MAX_GRID_ROWS = 2_000
MAX_GRID_COLUMNS = 200
MAX_TABLE_CELLS = 50_000
# Tables of one document (a report has three, a page's layout a few more).
MAX_TABLES = 500
# Pages of a PDF read (a report has 3 to 30).
MAX_PDF_PAGES = 300
# Uncompressed size of one part of a Word package (word/document.xml): a zip bomb stops here.
MAX_DOCX_PART_BYTES = 64 * 1024 * 1024
# Depth of nested elements in an HTML page that the reader walks (deeper content is dropped with a note).
MAX_HTML_DEPTH = 200

# ---------------------------------------------------------------- values and the solver
# Digits of the integer part of a value: DECIMAL(18,4) holds 14, and sums of a hundred cells must fit too.
MAX_VALUE_DIGITS = 12
# A run of digits longer than this is not split (eight cells of the largest value).
MAX_DIGIT_RUN_LENGTH = 8 * MAX_VALUE_DIGITS
# Steps of the digit-run split search for one table, all rows together (each row also has its own); the
# synthetic digit-run corpus needs at most ~40,000 a document, a pathological table stops here in about a second.
TABLE_SEARCH_BUDGET = 500_000
# Steps for a document's tables together: one table's share for each of the three statutory tables.
DOCUMENT_SEARCH_BUDGET = 3 * TABLE_SEARCH_BUDGET
# Characters of a number in the prose that is read at all (`共收到申请3件`); longer ones are not facts.
MAX_NARRATIVE_NUMBER_CHARS = 16


# ---------------------------------------------------------------- asking for time
_time_request: Callable[[float], None] | None = None


def ask_for_time(seconds: float) -> None:
    """Ask the sandbox running this parse for `seconds` more than DOC_TIME_LIMIT_SECONDS (a scan's OCR); a parse
    outside a sandbox has no limit to extend."""
    if _time_request is not None:
        _time_request(seconds)


def answer_time_requests(send: Callable[[float], None] | None) -> None:
    """Where this process's requests for more time go (set by a sandbox worker)."""
    global _time_request
    _time_request = send
