"""Apply the retention rule: some time after an application ended, erase what is personal.

For applications that reached a final stage (screened out, not retained, withdrawn) more than
--days ago (default APPLICATION_RETENTION_DAYS), deletes the résumé file and the employment equity
declaration, blanks the personal fields and answers, and marks the application anonymized. Hired
applications and those still in progress are never touched. Stage history and ratings stay,
without names, for reporting. Always reports what it finds, per stage; erases only with --execute.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from applications.models import Application, EquityDeclaration, ScreeningAnswer, retention_cutoff
from applications.pipeline import FINAL_STAGES, Stage

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Delete résumés and anonymize applications that ended without a hire (screened out, not "
        "retained, withdrawn) more than --days ago. Reports only, unless --execute is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.APPLICATION_RETENTION_DAYS,
            help="Days kept after an application reached a final stage (at least 1).",
        )
        parser.add_argument(
            "--execute", action="store_true", help="Really do it (default: report only)."
        )

    def handle(self, *args, days: int, execute: bool, **options):
        now = timezone.now()
        try:
            cutoff = retention_cutoff(days, now=now)
        except ValueError as error:
            raise CommandError(f"{error} Give --days as a positive number of days.") from error
        applications = Application.objects.past_retention(days, now=now)
        counts = {
            row["stage"]: row["count"]
            for row in applications.order_by().values("stage").annotate(count=Count("pk"))
        }
        total = sum(counts.values())
        since = timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M %Z")
        per_stage = [
            f"{Stage(stage).label}: {counts.get(stage, 0)}"
            for stage in Stage
            if stage in FINAL_STAGES
        ]
        verb = "Anonymizing" if execute else "Would anonymize"
        lines = [
            f"Retention {days} day(s), counted from the day an application reached a final stage: "
            f"those that reached it before {since}.",
            f"{verb} {total} application(s):",
            *(f"  {line}" for line in per_stage),
            "Hired applications and those still in progress are kept.",
        ]
        if not execute:
            lines.append("Nothing was changed: run again with --execute to erase them.")
        self.stdout.write("\n".join(lines))
        logger.info(
            "%s %s application(s) (%s), before %s.", verb, total, ", ".join(per_stage), since
        )
        if execute:
            done = 0
            for application in applications.iterator():
                anonymize(application)
                done += 1
            message = f"Anonymized {done} application(s)."
            logger.info(message)
            self.stdout.write(message)


@transaction.atomic
def anonymize(application: Application) -> None:
    """Erase the personal information of one application, its résumé file included."""
    if application.resume:
        name = application.resume.name
        transaction.on_commit(lambda: application.resume.storage.delete(name))
    EquityDeclaration.objects.filter(application=application).delete()
    ScreeningAnswer.objects.filter(application=application).update(answer="", choice=None)
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
