"""Résumé checks: the type comes from the file's content, never from its name."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError


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

# A real résumé unpacks to a few megabytes; far more means a decompression bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

ACCEPTED = _("Accepted types: PDF, Word (DOCX), OpenDocument (ODT), RTF or plain text.")


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
            return RTF
        if looks_like_text(upload):
            return TEXT
    finally:
        upload.seek(0)
    refuse(
        _("This file is not a document we can read. %(accepted)s") % {"accepted": ACCEPTED},
        "unsupported_type",
    )


def check_pdf(upload) -> None:
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            refuse(
                _("The PDF is protected by a password. Upload it without the password."),
                "encrypted_pdf",
            )
        if len(reader.pages) == 0:
            raise PyPdfError("no pages")
        reader.pages[0].extract_text()
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(
            _("The PDF file is damaged and cannot be opened. Save it again and upload the copy."),
            code="broken_pdf",
        ) from error


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


def looks_like_text(upload) -> bool:
    """Return whether the file is readable text (UTF-8 or Windows-1252, no control bytes)."""
    data = upload.read()
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for char in text if ord(char) < 32 and char not in "\r\n\t\f")
        return controls == 0
    return False
