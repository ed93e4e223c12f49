"""Apply the retention rule: after a posting has been closed for a while, erase what is personal.

For applications that did not lead to a hire, on postings closed more than --days ago (default
APPLICATION_RETENTION_DAYS), deletes the résumé file and the employment equity declaration,
blanks the personal fields and answers, and marks the application anonymized. Stage history and
ratings stay, without names, for reporting. Dry run unless --execute is given.
"""

import datetime
import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, EquityDeclaration, ScreeningAnswer, Stage
from positions.models import posting_today

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Delete résumés and anonymize old applications that did not lead to a hire."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.APPLICATION_RETENTION_DAYS)
        parser.add_argument(
            "--execute", action="store_true", help="Really do it (default: report only)."
        )

    def handle(self, *args, days: int, execute: bool, **options):
        cutoff = posting_today() - datetime.timedelta(days=days)
        moment = timezone.now() - datetime.timedelta(days=days)
        applications = Application.objects.filter(
            Q(posting__closing_date__lt=cutoff) | Q(posting__closed_early_at__lt=moment),
            anonymized_at__isnull=True,
        ).exclude(stage=Stage.HIRED)
        total = applications.count()
        verb = "Anonymized" if execute else "Would anonymize"
        if execute:
            for application in applications.iterator():
                anonymize(application)
        message = (
            f"{verb} {total} application(s) of postings closed before {cutoff.isoformat()} "
            f"(retention {days} days)."
        )
        logger.info(message)
        self.stdout.write(message)


@transaction.atomic
def anonymize(application: Application) -> None:
    """Erase the personal information of one application, its résumé file included."""
    if application.resume:
        name = application.resume.name
        transaction.on_commit(lambda: application.resume.storage.delete(name))
    EquityDeclaration.objects.filter(application=application).delete()
    ScreeningAnswer.objects.filter(application=application).update(answer="")
    application.notes.update(text="")
    Application.objects.filter(pk=application.pk).update(
        first_name="",
        last_name="",
        email=f"anonymized-{application.pk}@invalid",
        phone="",
        residence_country="",
        accommodation_request="",
        cover_letter="",
        resume="",
        resume_name="",
        anonymized_at=timezone.now(),
    )
