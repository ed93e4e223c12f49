import pytest
from django.core.exceptions import ValidationError

from applications.validators import DOCX, ODT, PDF, RTF, TEXT, detect_document_type
from tests.documents import docx_bytes, odt_bytes, pdf_bytes, upload


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
