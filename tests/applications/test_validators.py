import threading
import time

import pytest
from django.core.exceptions import ValidationError

from applications import validators
from applications.validators import DOCX, ODT, PDF, RTF, TEXT, detect_document_type
from tests.documents import (
    dense_page_pdf_bytes,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    pdf_with,
    upload,
)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (pdf_bytes(), "cv.pdf", PDF),
        (pdf_bytes(), "cv.txt", PDF),  # the name does not decide
        (docx_bytes(), "cv.docx", DOCX),
        (odt_bytes(), "cv.odt", ODT),
        (b"{\\rtf1\\ansi Jordan Tremblay}", "cv.rtf", RTF),
        ("Jordan Tremblay\nAgent de libération conditionnelle\n".encode(), "cv.txt", TEXT),
    ],
)
def test_accepted_types_are_recognized_from_content(content, name, expected):
    assert detect_document_type(upload(content, name)) == expected


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 20, "cv.pdf", "not a document we can read"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "cv.docx", "not a document we can read"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "cv.pdf", "PDF file is damaged"),
        (b"PK\x03\x04 truncated zip", "cv.docx", "document is damaged"),
        (b"", "cv.pdf", "The file is empty."),
    ],
)
def test_refused_files_get_a_clear_message(content, name, message):
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(content, name))
    assert message in " ".join(refused.value.messages)


def test_a_zip_that_is_not_a_text_document_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    with pytest.raises(ValidationError, match="not a Word or OpenDocument"):
        detect_document_type(upload(buffer.getvalue(), "cv.docx"))


def test_oversized_file_is_refused(settings):
    settings.RESUME_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="the largest accepted is 1000"):
        detect_document_type(upload(b"a" * 1001, "cv.txt"))


# --- Checks that cost CPU are bounded -----------------------------------------------------


def test_a_pdf_too_costly_to_read_is_refused_within_seconds(settings):
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(dense_page_pdf_bytes(), "cv.pdf"))

    # Reading this page's text takes pypdf about 20 s; the check stops at RESUME_CHECK_SECONDS
    # of CPU time, or at the looser wall-clock limit (twice that plus two) on a busy machine; the
    # last two seconds are for starting the checking process.
    assert time.monotonic() - started < 2 * settings.RESUME_CHECK_SECONDS + 2 + 2
    assert "too complex for us to check in the time allowed" in " ".join(refused.value.messages)


def test_while_every_check_slot_is_taken_an_upload_is_answered_at_once(settings, monkeypatch):
    settings.RESUME_CHECKS_AT_ONCE = 1
    # Wait less for a slot than the slow check takes, so the outcome does not depend on timing.
    monkeypatch.setattr(validators, "CHECK_SLOT_WAIT_SECONDS", 0.5)
    slow_outcome = []

    def slow_upload():
        try:
            detect_document_type(upload(dense_page_pdf_bytes(), "slow.pdf"))
        except ValidationError as error:
            slow_outcome.extend(error.messages)

    slow = threading.Thread(target=slow_upload)
    slow.start()
    time.sleep(0.5)  # the slow check holds the only slot for about two seconds
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(pdf_bytes(), "cv.pdf"))
    waited = time.monotonic() - started
    slow.join()

    assert waited < 1.5
    assert "could not check your résumé just now" in " ".join(refused.value.messages)
    assert "too complex" in " ".join(slow_outcome)
    # Once the slot is free, the same file goes through.
    assert detect_document_type(upload(pdf_bytes(), "cv.pdf")) == PDF


# --- Content a reviewer's viewer would run or render is refused ---------------------------


@pytest.mark.parametrize(
    "place",
    [
        "open-script",
        "open-web-address",
        "document-script",
        "page-open-script",
        "launch-link",
        "unreferenced-script",
    ],
)
def test_a_pdf_with_scripts_or_automatic_actions_is_refused(place):
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(pdf_with(place), "cv.pdf"))

    message = " ".join(refused.value.messages)
    assert "contains scripts or actions that run when it is opened" in message
    assert "Save it as a PDF without scripts" in message


@pytest.mark.parametrize("place", ["open-at-first-page", "web-link"])
def test_a_pdf_that_opens_at_a_page_or_has_web_links_is_accepted(place):
    assert detect_document_type(upload(pdf_with(place), "cv.pdf")) == PDF


@pytest.mark.parametrize(
    "content",
    [
        b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 Jordan Tremblay\\par}\r\n",
        b"{\\rtf1 Braces \\{ and \\} and a backslash \\\\ are text}",
        b"{\\rtf1 Files in C:\\\\objects\\\\ are not objects}",
        b"{\\rtf1\\ansi Jordan Tremblay}\x00",
    ],
)
def test_well_formed_rtf_is_accepted(content):
    assert detect_document_type(upload(content, "cv.rtf")) == RTF


@pytest.mark.parametrize(
    "content",
    [
        b"{\\rtf\x90\x00MZ anything at all after the first five bytes",
        b"{\\rtfgarbage Jordan}",
        b"{\\rtf1\\ansi Jordan Tremblay",  # never closed
        b"{\\rtf1\\ansi Jordan}} Tremblay}",  # closed too often
        b"{\\rtf1\\ansi Jordan}MZ\x90\x00\x03\x00 a program after the document",
        b"{\\rtf1\\ansi Jordan\\}",  # the last brace is escaped: the group stays open
    ],
)
def test_rtf_that_is_not_well_formed_is_refused(content):
    with pytest.raises(ValidationError, match="This RTF file is incomplete or damaged"):
        detect_document_type(upload(content, "cv.rtf"))


@pytest.mark.parametrize(
    "content",
    [
        b"{\\rtf1\\ansi Jordan{\\object\\objemb{\\*\\objclass Equation.3}"
        b"{\\*\\objdata 01050000020000000b0000004571756174696f6e2e3300}}}",
        b"{\\rtf1{\\*\\objdata 0105000002000000}}",
        b"{\\rtf1 Jordan{\\object\\objautlink\\objupdate{\\*\\objdata 01}}}",
        b"{\\rtf1 An escaped backslash then an object \\\\\\object}",
    ],
)
def test_rtf_with_embedded_objects_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(content, "cv.rtf"))

    message = " ".join(refused.value.messages)
    assert "contains embedded objects" in message
    assert "save your résumé as a PDF" in message


@pytest.mark.parametrize(
    "content",
    [
        "<html><body>Jordan Tremblay</body></html>",
        "\ufeff  <!DOCTYPE html>\n<title>CV</title>",
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><text>CV</text></svg>',
        '<?xml version="1.0"?>\n<resume>Jordan Tremblay</resume>',
        "Jordan Tremblay\nParole officer\n\n<script>document.location='//x.example'</script>",
        "Jordan Tremblay\n<IMG SRC=x onerror=alert(1)>",
        'Jordan Tremblay\n<a href="javascript:alert(1)">portfolio</a>',
        "<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>",
    ],
)
def test_markup_disguised_as_plain_text_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        detect_document_type(upload(content.encode(), "cv.txt"))

    message = " ".join(refused.value.messages)
    assert "contains web page or XML code" in message
    assert "Save your résumé as a PDF or Word document" in message


def test_text_with_angle_brackets_that_are_not_markup_is_accepted():
    content = (
        "Jordan Tremblay <jordan.tremblay@example.ca>\n"
        "Caseload: <30 offenders; response time < 2 days; 5 > 3.\n"
        "References: <available on request>\n"
    )

    assert detect_document_type(upload(content.encode(), "cv.txt")) == TEXT
