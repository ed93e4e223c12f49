"""Résumé checks: the type comes from the file's content, never from its name."""

import contextlib
import fcntl
import logging
import math
import re
import subprocess
import sys
import time
import zipfile
from array import array
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications import pdf_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentType:
    name: str
    content_type: str
    extension: str


PDF = DocumentType("PDF", "application/pdf", ".pdf")
DOCX = DocumentType(
    "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
ODT = DocumentType("OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", ".odt")
RTF = DocumentType("Rich Text (RTF)", "application/rtf", ".rtf")
TEXT = DocumentType("plain text", "text/plain", ".txt")
# Each accepted type by its content type (how a kept résumé records what its check found).
DOCUMENT_TYPES = {kind.content_type: kind for kind in (PDF, DOCX, ODT, RTF, TEXT)}

# A real résumé unpacks to a few megabytes; far more means a decompression bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

# The PDF check's memory: pypdf holds a parsed file several times over; a real résumé needs tens of
# megabytes, and the limit stops a file built to exhaust the machine's memory.
PDF_CHECK_MEMORY_BYTES = 512 * 1024 * 1024
# How long an upload waits for a free check slot before the applicant is asked to send it again: a
# real check takes a fraction of a second, so only a flood of uploads waits this long.
CHECK_SLOT_WAIT_SECONDS = 1.5

ACCEPTED = _("Accepted types: PDF, Word (DOCX), OpenDocument (ODT), RTF or plain text.")
CHECK_UNAVAILABLE = _(
    "We could not check your résumé just now. Choose the file again and send the form in a few "
    "minutes."
)

# RTF opens with the group "{\rtf1" ended by a delimiter (not a letter or digit).
RTF_HEADER = re.compile(rb"\{\\rtf1(?![A-Za-z0-9])")
# \\, \{ and \} are an escaped backslash and escaped braces, not control words or groups.
RTF_ESCAPE = re.compile(rb"\\[\\{}]")
# Embedded (OLE) objects and their data (\object, \objdata, \objupdate…), which a word processor
# may run: a control word starting with "obj" after an odd number of backslashes.
RTF_OBJECT = re.compile(rb"(?<!\\)(?:\\\\)*\\obj[a-z]", re.IGNORECASE)
NOT_BRACES = bytes(byte for byte in range(256) if byte not in b"{}")
BRACE_STEPS = bytes.maketrans(b"{}", b"\x01\xff")  # +1 and -1 as signed bytes

# Markup a browser or viewer would render or run, in lower-cased text: HTML elements, SVG, MathML,
# XML declarations, document types, entities, comments and CDATA. Tags only: "a < b" or "<3 years>"
# is text. The lookahead first makes a file of nothing but "<" cheap to search.
MARKUP = re.compile(
    r"<(?=[/!?a-z])(?:/?(?:html|head|body|script|style|svg|math|iframe|frame|frameset|object"
    r"|embed|applet|meta|link|base|form|input|img|image|video|audio|a|div|span|p|br|table|title"
    r"|h[1-6])(?=[\s/>:])|!(?:doctype|--|\[cdata\[|entity)|\?xml)"
)
# Control characters other than tab, line feed, form feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def refuse(message, code: str):
    raise ValidationError(message, code=code)


def detect_document_type(upload) -> DocumentType:
    """Return the type of an uploaded résumé from its bytes, or raise ValidationError."""
    if upload.size == 0:
        refuse(_("The file is empty."), "empty")
    limit = settings.RESUME_MAX_BYTES
    if upload.size > limit:
        refuse(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            "too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            check_pdf(upload)
            return PDF
        if head.startswith(b"PK\x03\x04"):
            return check_office_document(upload)
        if head.startswith(b"{\\rtf"):
            check_rtf(upload)
            return RTF
        text = read_text(upload)
        if text is not None:
            check_plain_text(text)
            return TEXT
    finally:
        upload.seek(0)
    refuse(
        _("This file is not a document we can read. %(accepted)s") % {"accepted": ACCEPTED},
        "unsupported_type",
    )


def check_pdf(upload) -> None:
    """Refuse a PDF that is encrypted, damaged, active (scripts, launch actions) or too costly.

    pypdf runs in a child process (applications/pdf_check.py) that the kernel kills after
    RESUME_CHECK_SECONDS of CPU time: a page built of millions of operators would otherwise hold
    this worker for tens of seconds. The wall-clock limit is looser (twice that, plus two
    seconds) so that a busy machine, where starting the child takes longer, never refuses an
    ordinary file.
    """
    upload.seek(0)
    data = upload.read()
    seconds = settings.RESUME_CHECK_SECONDS
    command = [
        sys.executable,
        "-I",  # no environment variables, user site or current directory on the path
        pdf_check.__file__,
        str(math.ceil(seconds)),
        str(PDF_CHECK_MEMORY_BYTES),
    ]
    with check_slot():
        try:
            # No environment: the child that parses the file sees none of the site's secrets.
            finished = subprocess.run(
                command,
                input=data,
                capture_output=True,
                timeout=2 * seconds + 2,
                env={},
                check=False,
            )
        except subprocess.TimeoutExpired:
            verdict = pdf_check.TOO_COMPLEX
        else:
            verdict = finished.stdout.decode("ascii", "replace")
            if finished.returncode < 0:  # killed: over its CPU time
                verdict = pdf_check.TOO_COMPLEX
            elif finished.returncode != 0 or not verdict:
                # The check itself failed (never the applicant's file): say so in the log,
                # without the file or its name.
                logger.error("The PDF check exited with status %s", finished.returncode)
                refuse(CHECK_UNAVAILABLE, "check_unavailable")
    if verdict == pdf_check.OK:
        return
    if verdict == pdf_check.ENCRYPTED:
        refuse(
            _("The PDF is protected by a password. Upload it without the password."),
            "encrypted_pdf",
        )
    if verdict == pdf_check.ACTIVE:
        refuse(
            _(
                "This PDF contains scripts or actions that run when it is opened. Save it as a "
                "PDF without scripts (for example, print it to PDF) and upload the copy."
            ),
            "active_pdf",
        )
    if verdict == pdf_check.TOO_COMPLEX:
        refuse(
            _(
                "This PDF is too complex for us to check in the time allowed. Save it again as a "
                "PDF (for example, print it to PDF) or in another accepted format, and upload the "
                "copy."
            ),
            "pdf_too_complex",
        )
    refuse(
        _("The PDF file is damaged and cannot be opened. Save it again and upload the copy."),
        "broken_pdf",
    )


@contextlib.contextmanager
def check_slot():
    """Hold one of the machine's RESUME_CHECKS_AT_ONCE check slots, or refuse when none frees up.

    A slot is an exclusive lock on a file, which the kernel releases if the process dies, so the
    slots are shared by every worker of the machine and never leak.
    """
    directory = Path(settings.RESUME_CHECK_LOCK_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + CHECK_SLOT_WAIT_SECONDS
    while True:
        for number in range(settings.RESUME_CHECKS_AT_ONCE):
            slot = open(directory / f"slot-{number}.lock", "ab")  # noqa: SIM115 (closed below)
            try:
                fcntl.flock(slot, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                slot.close()
                continue
            try:
                yield
            finally:
                slot.close()  # releases the lock
            return
        if time.monotonic() >= deadline:
            refuse(CHECK_UNAVAILABLE, "check_unavailable")
        time.sleep(0.05)


def check_office_document(upload) -> DocumentType:
    try:
        with zipfile.ZipFile(upload) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise zipfile.LargeZipFile("unpacks to more than a document would")
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                found = DOCX
            elif "mimetype" in names and archive.read("mimetype").strip() == (
                ODT.content_type.encode()
            ):
                found = ODT
            else:
                found = None
            damaged = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError) as error:
        raise ValidationError(
            _("The document is damaged and cannot be opened. Save it again and upload the copy."),
            code="broken_document",
        ) from error
    if damaged is not None:
        refuse(
            _("The document is damaged and cannot be opened. Save it again and upload the copy."),
            "broken_document",
        )
    if found is None:
        refuse(
            _("This archive is not a Word or OpenDocument text file. %(accepted)s")
            % {"accepted": ACCEPTED},
            "unsupported_type",
        )
    return found


def check_rtf(upload) -> None:
    """Refuse an RTF file that is not well formed or that embeds objects."""
    data = upload.read()
    if not rtf_is_well_formed(data):
        refuse(
            _(
                "This RTF file is incomplete or damaged. Open it in your word processor, save it "
                "again as RTF or PDF, and upload the copy."
            ),
            "broken_rtf",
        )
    if RTF_OBJECT.search(data):
        refuse(
            _(
                "This RTF file contains embedded objects, which can run programs when the file is "
                "opened. Remove them, or save your résumé as a PDF, and upload it again."
            ),
            "active_rtf",
        )


def rtf_is_well_formed(data: bytes) -> bool:
    """Return whether data is one RTF group: the header, then balanced braces to the end."""
    if not RTF_HEADER.match(data):
        return False
    unescaped = RTF_ESCAPE.sub(b"", data)
    # Only white space (or the NUL some writers add) may follow the group that holds the document.
    if unescaped[unescaped.rfind(b"}") + 1 :].strip(b" \t\r\n\x00"):
        return False
    # The depth after each brace: above zero until the last brace, which closes the document.
    steps = array("b", unescaped.translate(BRACE_STEPS, NOT_BRACES))
    return sum(steps) == 0 and min(accumulate(steps[:-1]), default=1) >= 1


def read_text(upload) -> str | None:
    """Return the file as text if it is readable text (UTF-8 or Windows-1252, no control bytes)."""
    data = upload.read()
    if b"\x00" in data:
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if CONTROL_CHARACTERS.search(text) else text
    return None


def check_plain_text(text: str) -> None:
    """Refuse text that holds HTML, SVG or XML markup, which a viewer could render or run."""
    if MARKUP.search(text.lower()):
        refuse(
            _(
                "This file contains web page or XML code (HTML, SVG or XML). Save your résumé as "
                "a PDF or Word document, or as plain text without that code, and upload it again."
            ),
            "markup_text",
        )
