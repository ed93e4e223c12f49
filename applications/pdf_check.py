"""Check one PDF résumé in a child process whose CPU time and memory are capped.

Run by applications.validators.check_pdf as ``python -I pdf_check.py CPU_SECONDS MEMORY_BYTES``
with the PDF on standard input; writes one verdict on standard output: ok, encrypted, active,
broken or too-complex. Nothing of Django is imported: the hostile file is parsed in a process that
holds no settings, no secrets and no database connection, and that the parent kills when it is late.
"""

import io
import resource
import sys

OK, ENCRYPTED, ACTIVE, BROKEN, TOO_COMPLEX = "ok", "encrypted", "active", "broken", "too-complex"

# Entries that make a viewer run something: a script (/JS, the document's /JavaScript name tree),
# actions fired by events such as opening a page or a field (/AA), XML forms, which carry scripts
# (/XFA).
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA"})
# Actions that run code or another program, whatever triggers them (a link included).
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/RichMediaExecute"})
# The action a viewer runs on opening the file: going to a page is harmless, anything else (a
# script, a program, a web address that tells the sender the file was opened) is not.
HARMLESS_OPEN_ACTIONS = frozenset({"/GoTo"})


def resolved(value):
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value


def has_active_content(reader) -> bool:
    """Return whether any object of the file would make a viewer run something."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen = set()
    # Every object the file lists, not only those reachable from the catalogue: a viewer that
    # repairs a damaged file may reach more than this parser does.
    pending = [reader.trailer]
    pending.extend(
        IndirectObject(number, generation, reader)
        for generation, numbers in reader.xref.items()
        for number in numbers
    )
    pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if ACTIVE_KEYS.intersection(node.keys()):
                return True
            if resolved(node.get("/S")) in ACTIVE_ACTIONS:
                return True
            opening = resolved(node.get("/OpenAction"))
            if isinstance(opening, DictionaryObject) and (
                resolved(opening.get("/S")) not in HARMLESS_OPEN_ACTIONS
            ):
                return True
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return False


def verdict(data: bytes) -> str:
    """Return what a reviewer's viewer would make of the PDF."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return ENCRYPTED
        if has_active_content(reader):
            return ACTIVE
        if len(reader.pages) == 0:
            return BROKEN
        # Reading the first page's text is what shows the file opens as a document.
        reader.pages[0].extract_text()
    except MemoryError:
        return TOO_COMPLEX
    except Exception:
        return BROKEN
    return OK


def cap(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def main() -> None:
    cpu_seconds, memory_bytes = int(sys.argv[1]), int(sys.argv[2])
    # Past the CPU limit the kernel kills the process; past the memory limit allocations fail.
    cap(resource.RLIMIT_CPU, cpu_seconds)
    cap(resource.RLIMIT_AS, memory_bytes)
    cap(resource.RLIMIT_FSIZE, 0)
    cap(resource.RLIMIT_CORE, 0)
    sys.stdout.write(verdict(sys.stdin.buffer.read()))


if __name__ == "__main__":
    main()
