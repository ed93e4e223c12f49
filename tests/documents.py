"""Small but real documents for upload tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": "Résumé of Jordan Tremblay"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_dictionary(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def dense_page_pdf_bytes(operators: int = 850_000) -> bytes:
    """Return a small, valid PDF whose one page draws a letter `operators` times.

    The content stream is compressed, so the file is a few kilobytes; reading its text means
    interpreting every operator, which costs pypdf seconds of CPU per hundred thousand.
    """
    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    font = pdf_dictionary(
        Type=NameObject("/Font"), Subtype=NameObject("/Type1"), BaseFont=NameObject("/Helvetica")
    )
    page[NameObject("/Resources")] = pdf_dictionary(
        Font=pdf_dictionary(F1=writer._add_object(font))
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 1 Tf " + b"(a)Tj " * operators + b"ET")
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def javascript(script: str = "app.alert('Hello');") -> DictionaryObject:
    return pdf_dictionary(S=NameObject("/JavaScript"), JS=TextStringObject(script))


def link(action: DictionaryObject) -> DictionaryObject:
    rectangle = ArrayObject([FloatObject(72), FloatObject(700), FloatObject(300), FloatObject(720)])
    return pdf_dictionary(
        Type=NameObject("/Annot"), Subtype=NameObject("/Link"), Rect=rectangle, A=action
    )


def pdf_with(place: str) -> bytes:
    """Return a one-page PDF with an action at `place` (see the branches below)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    catalog = writer.root_object
    if place == "open-script":  # runs a script when the file is opened
        catalog[NameObject("/OpenAction")] = writer._add_object(javascript())
    elif place == "open-web-address":  # tells a web site the file was opened
        catalog[NameObject("/OpenAction")] = pdf_dictionary(
            S=NameObject("/URI"), URI=TextStringObject("https://tracker.example.com/opened")
        )
    elif place == "document-script":  # the document-level /JavaScript name tree
        catalog[NameObject("/Names")] = pdf_dictionary(
            JavaScript=pdf_dictionary(
                Names=ArrayObject([TextStringObject("hello"), writer._add_object(javascript())])
            )
        )
    elif place == "page-open-script":  # /AA: runs when the page is shown
        page[NameObject("/AA")] = pdf_dictionary(O=javascript())
    elif place == "launch-link":  # a link that starts a program
        action = pdf_dictionary(
            S=NameObject("/Launch"), F=TextStringObject("C:\\Windows\\System32\\cmd.exe")
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link(action))])
    elif place == "unreferenced-script":  # listed in the file, reached from nothing
        writer._add_object(javascript())
    elif place == "open-at-first-page":  # harmless: what word processors write
        catalog[NameObject("/OpenAction")] = ArrayObject(
            [page.indirect_reference, NameObject("/Fit")]
        )
    elif place == "web-link":  # harmless: a link the reader chooses to follow
        action = pdf_dictionary(
            S=NameObject("/URI"), URI=TextStringObject("https://www.linkedin.com/in/jordan")
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link(action))])
    else:
        raise ValueError(place)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Jordan Tremblay</w:document>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(content: bytes, name: str = "resume.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
