"""Résumés kept while an applicant corrects a form that was sent back with errors.

Browsers never send a file input's file again, so without this an applicant who fixes a typo in
their telephone number must choose their résumé a second time. A résumé that passed its checks on
a form with other errors is therefore held in private storage (which no URL serves) under a random
name, and the visitor's session records it under a random reference, which the form carries in a
hidden field. The reference is honoured only from the session that holds it and only for the
posting it was kept for: a reference copied to another browser, or made up, is ignored. A file
that failed its checks is never kept.

A kept résumé is deleted when the application is sent, when another file replaces it, and once
it is older than RESUME_KEEP_HOURS: at the visitor's next request, by the sweep that keeping a
résumé runs at most every SWEEP_SECONDS, and by `manage.py clear_kept_resumes`, which also catches
the files of sessions that ended.
"""

import datetime
import secrets
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.storage import private_storage
from applications.validators import DOCUMENT_TYPES, DocumentType

SESSION_KEY = "kept_resumes"
FIELD_NAME = "kept_resume"  # the form's hidden field
FOLDER = "kept-resumes"
# A visitor applying to several postings in several tabs keeps one résumé for each, up to this.
MAX_PER_SESSION = 3
SWEEP_SECONDS = 600


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.RESUME_KEEP_HOURS)


@dataclass(frozen=True)
class KeptResume:
    """A résumé that passed its checks, held for one session and one posting."""

    reference: str
    posting: str
    name: str
    content_type: str
    size: int
    path: str
    kept_at: float  # a timestamp: the session stores JSON

    @property
    def document_type(self) -> DocumentType:
        return DOCUMENT_TYPES[self.content_type]

    @property
    def is_expired(self) -> bool:
        return timezone.now().timestamp() - self.kept_at > keep_for().total_seconds()

    def content(self) -> ContentFile:
        """Return the file as it was uploaded, under the applicant's own file name."""
        with private_storage.open(self.path, "rb") as stored:
            return ContentFile(stored.read(), name=self.name)


class KeptResumes:
    """The résumés kept for one visitor's session; expired ones are deleted on first use."""

    def __init__(self, session):
        self.session = session
        expired = [kept for kept in self._all() if kept.is_expired]
        for kept in expired:
            self.discard(kept.reference)

    def _all(self) -> list[KeptResume]:
        kept = []
        for reference, entry in (self.session.get(SESSION_KEY) or {}).items():
            try:
                kept.append(KeptResume(reference=reference, **entry))
            except TypeError:
                continue  # written by another version of this code: forgotten, swept later
        return kept

    def _save(self, kept: list[KeptResume]) -> None:
        if kept:
            self.session[SESSION_KEY] = {
                entry.reference: {k: v for k, v in asdict(entry).items() if k != "reference"}
                for entry in kept
            }
        else:
            self.session.pop(SESSION_KEY, None)

    def get(self, reference: str | None, *, posting: str) -> KeptResume | None:
        """Return the résumé kept under this reference for this posting, if this session has it."""
        kept = {entry.reference: entry for entry in self._all()}.get(reference or "")
        return kept if kept is not None and kept.posting == posting else None

    def keep(self, upload, document_type: DocumentType, *, posting: str) -> KeptResume:
        """Store a checked upload privately and record it in the session; return it."""
        if cache.add(f"{FOLDER}:sweep", True, SWEEP_SECONDS):
            sweep()
        upload.seek(0)
        path = private_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
        kept = KeptResume(
            reference=secrets.token_urlsafe(24),
            posting=posting,
            name=upload.name[:255],
            content_type=document_type.content_type,
            size=upload.size,
            path=path,
            kept_at=timezone.now().timestamp(),
        )
        entries = [*self._all(), kept]
        for oldest in entries[:-MAX_PER_SESSION]:
            private_storage.delete(oldest.path)
        self._save(entries[-MAX_PER_SESSION:])
        return kept

    def discard(self, reference: str | None) -> None:
        """Delete the résumé kept under this reference, if this session has one."""
        entries = self._all()
        kept = [entry for entry in entries if entry.reference != (reference or "")]
        if len(kept) < len(entries):
            for entry in entries:
                if entry not in kept:
                    private_storage.delete(entry.path)
            self._save(kept)


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete the kept résumés older than RESUME_KEEP_HOURS, whoever kept them; return how many."""
    cutoff = (now or timezone.now()) - keep_for()
    try:
        _folders, names = private_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if private_storage.get_modified_time(path) < cutoff:
                private_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # deleted meanwhile (the application was sent, or another sweep ran)
    return deleted
