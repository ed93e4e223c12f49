"""Delete the résumés kept for forms sent back with errors, once older than RESUME_KEEP_HOURS.

A kept résumé is normally deleted when its application is sent or at the visitor's next request
after it expired (see applications/kept_resumes.py); this command also deletes those whose visitor
never came back. Run it every hour or so (cron, a systemd timer or the platform's scheduler).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from applications.kept_resumes import sweep


class Command(BaseCommand):
    help = "Delete kept résumés older than RESUME_KEEP_HOURS (forms never sent)."

    def handle(self, *args, **options):
        deleted = sweep()
        self.stdout.write(
            f"{deleted} kept résumé(s) older than {settings.RESUME_KEEP_HOURS:g} hours deleted."
        )
