"""Kept résumés of forms never sent are deleted after RESUME_KEEP_HOURS, whoever kept them."""

import os
import time
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command

from applications.kept_resumes import FOLDER, KeptResumes
from applications.storage import private_storage
from applications.validators import PDF
from tests.documents import pdf_bytes, upload


def stored(name: str, hours_old: float) -> Path:
    path = Path(private_storage.path(private_storage.save(f"{FOLDER}/{name}", ContentFile(b"cv"))))
    then = time.time() - hours_old * 3600
    os.utime(path, (then, then))
    return path


def test_the_command_deletes_kept_resumes_older_than_the_limit_and_no_others(settings):
    settings.RESUME_KEEP_HOURS = 3
    old, recent = stored("old", hours_old=3.5), stored("recent", hours_old=2.5)
    application_resume = Path(
        private_storage.path(private_storage.save("resumes/a.pdf", ContentFile(b"x")))
    )
    os.utime(application_resume, (0, 0))
    out = StringIO()

    call_command("clear_kept_resumes", stdout=out)

    assert not old.exists()
    assert recent.exists()
    assert application_resume.exists()  # applications' résumés are never touched
    assert out.getvalue().strip() == "1 kept résumé(s) older than 3 hours deleted."


def test_the_command_has_nothing_to_do_before_anything_was_kept():
    out = StringIO()
    call_command("clear_kept_resumes", stdout=out)
    assert out.getvalue().startswith("0 kept")


def test_keeping_a_resume_also_clears_old_ones_of_sessions_that_ended(settings):
    settings.RESUME_KEEP_HOURS = 3
    abandoned = stored("abandoned", hours_old=5)
    cache.clear()

    kept = KeptResumes({}).keep(upload(pdf_bytes(), "cv.pdf"), PDF, posting="CSC-26-WP-0142")

    assert not abandoned.exists()
    assert Path(private_storage.path(kept.path)).exists()


def test_a_session_keeps_a_few_resumes_at_most(settings):
    session = {}
    kept = KeptResumes(session)
    references = [
        kept.keep(upload(pdf_bytes(), f"cv{n}.pdf"), PDF, posting=f"CSC-{n}").reference
        for n in range(5)
    ]

    assert list(session["kept_resumes"]) == references[-3:]
    assert len(private_storage.listdir(FOLDER)[1]) == 3
