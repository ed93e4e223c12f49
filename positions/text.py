"""How the texts HR types in the admin become paragraphs and lists on the public pages."""

import re

from django.utils.text import normalize_newlines

# A blank line (or one holding only spaces) between two blocks of text.
BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    """Return the paragraphs of a text: the blocks between blank lines.

    Browsers send a textarea's line ends as "\\r\\n", so a blank line typed in the admin is
    "\\r\\n\\r\\n": line ends are made "\\n" first, whatever wrote them.
    """
    return [
        block.strip() for block in BLANK_LINE.split(normalize_newlines(text or "")) if block.strip()
    ]


def lines(text: str | None) -> list[str]:
    """Return the lines of a text that hold something, stripped: one item of a list each."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
