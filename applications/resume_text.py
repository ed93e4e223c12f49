"""The text of a résumé, to read in the application's page: Word, OpenDocument, RTF, plain text.

PDFs are shown by the browser's own viewer; the other accepted types have none, so their text is
extracted here. Everything is bounded (the XML read, the text kept, the RTF groups followed) and
nothing in a file is followed or run: XML with a document type (which could declare entities)
is refused, and RTF is read as text, its control words dropped.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings

from applications.validators import (
    CONTROL_CHARACTERS,
    DOCX,
    MAX_UNPACKED_BYTES,
    ODT,
    RTF,
    TEXT,
    read_text,
)

# A long résumé is some 20,000 characters; the page shows at most this much.
MAX_TEXT_CHARS = 100_000
# The XML part read out of a document, whatever its declared size: a few megabytes in practice.
MAX_XML_BYTES = 20 * 1024 * 1024
XML_CHUNK_BYTES = 64 * 1024
# RTF groups nested deeper than this are not followed (a real document nests a dozen deep).
MAX_RTF_DEPTH = 100


@dataclass(frozen=True)
class ResumeText:
    """A résumé's text, and whether it was cut at MAX_TEXT_CHARS."""

    text: str
    truncated: bool = False


class _Enough(Exception):
    """Raised inside the XML handlers once MAX_TEXT_CHARS characters are kept."""


class _Refused(Exception):
    """XML with a document type or an entity declaration: not read."""


class _TextCollector:
    """Collect text from XML parts; subclasses say which elements hold text and which break it."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.truncated = False

    def add(self, text: str) -> None:
        room = MAX_TEXT_CHARS - self.length
        if len(text) >= room:
            self.parts.append(text[:room])
            self.length = MAX_TEXT_CHARS
            self.truncated = True
            raise _Enough
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def start(self, name: str, attributes: dict) -> None:
        raise NotImplementedError

    def end(self, name: str) -> None:
        raise NotImplementedError

    def characters(self, data: str) -> None:
        raise NotImplementedError


def local_name(name: str) -> str:
    """The element's name without its prefix (w:p → p): prefixes vary, names do not."""
    return name.rpartition(":")[2]


class _WordText(_TextCollector):
    """word/document.xml: text is in <w:t>; paragraphs, tabs and breaks shape it."""

    def __init__(self):
        super().__init__()
        self.in_text = 0
        self.skipped = 0  # inside a fallback copy of a text box (the text is there twice)

    def start(self, name, attributes):
        name = local_name(name)
        if name == "Fallback":
            self.skipped += 1
        elif self.skipped:
            return
        elif name == "t":
            self.in_text += 1
        elif name == "tab":
            self.add("\t")
        elif name in {"br", "cr"}:
            self.add("\n")

    def end(self, name):
        name = local_name(name)
        if name == "Fallback":
            self.skipped -= 1
        elif self.skipped:
            return
        elif name == "t":
            self.in_text -= 1
        elif name == "p":
            self.add("\n")

    def characters(self, data):
        if self.in_text and not self.skipped:
            self.add(data)


class _OpenDocumentText(_TextCollector):
    """content.xml: text is in <text:p> and <text:h>, with spaces, tabs and line breaks."""

    def __init__(self):
        super().__init__()
        self.in_paragraph = 0
        self.skipped = 0  # annotations (comments) are not the résumé

    def start(self, name, attributes):
        name = local_name(name)
        if name == "annotation":
            self.skipped += 1
        elif self.skipped:
            return
        elif name in {"p", "h"}:
            self.in_paragraph += 1
        elif name == "tab":
            self.add("\t")
        elif name == "line-break":
            self.add("\n")
        elif name == "s":
            count = next((v for k, v in attributes.items() if local_name(k) == "c"), "1")
            self.add(" " * min(int(count) if count.isdigit() else 1, 100))

    def end(self, name):
        name = local_name(name)
        if name == "annotation":
            self.skipped -= 1
        elif self.skipped:
            return
        elif name in {"p", "h"}:
            self.in_paragraph -= 1
            self.add("\n")

    def characters(self, data):
        if self.in_paragraph and not self.skipped:
            self.add(data)


def _refuse(*args) -> None:
    raise _Refused


def xml_text(stream, collector: _TextCollector) -> ResumeText | None:
    """Parse an XML stream into the collector's text; None if it is not XML we read.

    Document types are refused as soon as they start: without one no entity can be declared,
    so nothing expands and nothing outside the file is fetched.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.characters
    parser.buffer_text = True
    read = 0
    try:
        while chunk := stream.read(XML_CHUNK_BYTES):
            read += len(chunk)
            if read > MAX_XML_BYTES:
                return None
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Enough:
        pass
    except (_Refused, expat.ExpatError, ValueError):
        return None
    return ResumeText(_tidy(collector.text()), collector.truncated)


def office_text(data: bytes, part: str, collector: _TextCollector) -> ResumeText | None:
    """Return the text of one XML part of a DOCX or ODT archive, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                return None
            with archive.open(part) as stream:
                return xml_text(stream, collector)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        KeyError,
        OSError,
        EOFError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # a compression method Python lacks
    ):
        return None


# One RTF token: a control word with its optional numeric parameter and the one space that ends
# it, a control symbol (\' takes two hex digits), a brace, or a run of plain text.
RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([^\\{}\r\n]+)"
)
# Groups that hold no text of the résumé: tables of fonts, colours and styles, document
# information, pictures, embedded objects, field instructions and the like.
RTF_SKIPPED = {
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"listtable",
    b"listoverridetable",
    b"revtbl",
    b"rsidtbl",
    b"info",
    b"pict",
    b"object",
    b"objdata",
    b"fldinst",
    b"themedata",
    b"colorschememapping",
    b"datastore",
    b"latentstyles",
    b"xmlnstbl",
    b"filetbl",
    b"generator",
    b"header",
    b"footer",
    b"headerl",
    b"headerr",
    b"headerf",
    b"footerl",
    b"footerr",
    b"footerf",
}
RTF_CHARACTERS = {
    b"par": "\n",
    b"line": "\n",
    b"sect": "\n\n",
    b"page": "\n\n",
    b"row": "\n",
    b"cell": "\t",
    b"tab": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"bullet": "\u2022",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"emspace": "\u2003",
    b"enspace": "\u2002",
}
RTF_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"\\": "\\", b"{": "{", b"}": "}"}


def rtf_text(data: bytes) -> ResumeText | None:
    """Return the text of an RTF document: its words, without control words or skipped groups."""
    if not data.lstrip().startswith(b"{\\rtf"):
        return None
    collector = _TextCollector()
    encoding = "cp1252"
    # Each open group: whether its text is skipped, and how many characters stand in for a \uN.
    stack: list[tuple[bool, int]] = []
    skipped, fallback = False, 1
    pending_skip = 0  # characters still to skip after a \uN (its stand-in for older readers)
    group_start = False  # just after "{": a \* makes the group one to skip if unknown
    position = 0
    try:
        while position < len(data):
            match = RTF_TOKEN.match(data, position)
            if match is None:  # a line break, or a backslash ending the file
                position += 1
                continue
            position = match.end()
            word, parameter, hex_code, symbol, brace, text = match.groups()
            if brace == b"{":
                if len(stack) >= MAX_RTF_DEPTH:
                    break
                stack.append((skipped, fallback))
                group_start, pending_skip = True, 0
                continue
            if brace == b"}":
                if not stack:
                    break
                skipped, fallback = stack.pop()
                group_start, pending_skip = False, 0
                continue
            starting, group_start = group_start, False
            if symbol == b"*" and starting:
                skipped = True  # an optional destination: readers that do not know it skip it
            elif word is not None:
                if word == b"bin" and parameter:
                    position += max(int(parameter), 0)  # raw bytes, which may hold braces
                elif word in RTF_SKIPPED:
                    skipped = True
                elif word == b"ansicpg" and parameter and len(stack) == 1:
                    encoding = f"cp{int(parameter)}"
                elif word == b"uc" and parameter:
                    fallback = max(int(parameter), 0)
                elif skipped:
                    pass
                elif word == b"u" and parameter:
                    code = int(parameter)
                    code = code + 65536 if code < 0 else code
                    collector.add(chr(code) if code <= 0x10FFFF else "\ufffd")
                    pending_skip = fallback
                elif word in RTF_CHARACTERS:
                    collector.add(RTF_CHARACTERS[word])
            elif skipped:
                pass
            elif pending_skip:
                # The stand-in of a \uN: a \'hh or a symbol counts as one, text by its bytes.
                if text:
                    skip = min(pending_skip, len(text))
                    pending_skip = 0
                    if text[skip:]:
                        collector.add(_decode(text[skip:], encoding))
                else:
                    pending_skip -= 1
            elif hex_code is not None:
                collector.add(_decode(bytes([int(hex_code, 16)]), encoding))
            elif symbol is not None:
                collector.add(RTF_SYMBOLS.get(symbol, ""))
            elif text:
                collector.add(_decode(text, encoding))
    except _Enough:
        pass
    return ResumeText(_tidy(collector.text()), collector.truncated)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # a code page Python does not know
        return data.decode("cp1252", errors="replace")


def _tidy(text: str) -> str:
    """Join surrogate pairs, drop control characters, trim lines, keep one empty line in a row."""
    # RTF writes characters beyond U+FFFF as two \uN (a surrogate pair); one alone is replaced.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = CONTROL_CHARACTERS.sub("", text)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(data: bytes) -> ResumeText | None:
    text = read_text(io.BytesIO(data))
    if text is None:
        return None
    if len(text) > MAX_TEXT_CHARS:
        return ResumeText(text[:MAX_TEXT_CHARS], truncated=True)
    return ResumeText(text)


def extract_text(data: bytes, content_type: str) -> ResumeText | None:
    """Return the text of a résumé of the given type, or None (a PDF, or nothing readable)."""
    if content_type == DOCX.content_type:
        return office_text(data, "word/document.xml", _WordText())
    if content_type == ODT.content_type:
        return office_text(data, "content.xml", _OpenDocumentText())
    if content_type == RTF.content_type:
        return rtf_text(data)
    if content_type == TEXT.content_type:
        return plain_text(data)
    return None


def resume_text(application) -> ResumeText | None:
    """Return the text of an application's résumé, or None (a PDF, deleted, or unreadable)."""
    if not application.resume or application.resume_type not in {
        DOCX.content_type,
        ODT.content_type,
        RTF.content_type,
        TEXT.content_type,
    }:
        return None
    try:
        with application.resume.open("rb") as file:
            data = file.read(settings.RESUME_MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > settings.RESUME_MAX_BYTES:
        return None
    return extract_text(data, application.resume_type)
