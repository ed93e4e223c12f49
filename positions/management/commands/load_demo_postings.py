"""Create or update the demo job postings of fixtures/demo_postings.json.

Dates in the file are relative ("opened_days_ago", "closes_in_days") so that the demo always has
open, scheduled and closed postings. Each posting's HR contact is its own (hr_contact_name,
hr_contact_email, hr_contact_phone) if the file gives one, otherwise the made-up staffing contact
of the region of its first location. Postings are matched by reference number: running the command
again updates them in place and never duplicates them. Everything is loaded in one transaction, so
an error in any posting leaves the database unchanged.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from modeltranslation.translator import translator

from positions.models import (
    Facility,
    JobPosting,
    Occupation,
    PostingAction,
    PostingEvent,
    Qualification,
    ScreeningQuestion,
    WhoCanApply,
    posting_today,
)
from positions.services import assessment_plan_default

DEFAULT_FILE = "fixtures/demo_postings.json"
REQUIRED_FIELDS = (
    "selection_process_number",
    "classification_group",
    "classification_level",
    "tenure",
    "salary_min",
    "salary_max",
    "language_requirement",
    "security_clearance",
)
# Made-up people, at example.com (which no mail server accepts), with numbers of the 555-01xx range
# that North America keeps for fiction.
REGIONAL_HR_CONTACTS = {
    "atlantic": ("Danielle LeBlanc", "staffing.atlantic@example.com", "506-555-0110"),
    "quebec": ("Marc-André Gagnon", "dotation.quebec@example.com", "450-555-0120"),
    "ontario": ("Priya Natarajan", "staffing.ontario@example.com", "613-555-0130"),
    "prairies": ("Jennifer Kowalski", "staffing.prairies@example.com", "306-555-0140"),
    "pacific": ("Grace Nakamura", "staffing.pacific@example.com", "604-555-0150"),
    "national-headquarters": ("Sophie Wilson", "staffing.nhq@example.com", "613-555-0160"),
}
OPTIONAL_FIELDS = {
    "term_months": None,
    "language_profile": "",
    "eligibility": WhoCanApply.PUBLIC,
    "positions_to_fill": None,
}


def set_translations(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Set the `_en` and `_fr` columns; a missing French text falls back to the English one."""
    for field in fields:
        setattr(obj, f"{field}_en", data.get(f"{field}_en", ""))
        setattr(obj, f"{field}_fr", data.get(f"{field}_fr") or None)


def translated_fields(model: type) -> tuple[str, ...]:
    return tuple(translator.get_options_for_model(model).fields)


class Command(BaseCommand):
    help = "Create or update the demo job postings, with dates relative to today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            default=DEFAULT_FILE,
            help="JSON file of postings, relative to BASE_DIR (default: %(default)s).",
        )

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / file
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read demo postings from {path}: {error}") from error
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise CommandError(f"{path} must hold a JSON list of postings (objects).")

        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE), transaction.atomic():
            postings = [self.load_posting(entry, index) for index, entry in enumerate(entries)]

        loaded = JobPosting.objects.filter(pk__in=[posting.pk for posting in postings])
        self.stdout.write(
            f"Loaded {len(postings)} demo postings: {loaded.open().count()} open, "
            f"{loaded.scheduled().count()} scheduled, {loaded.closed().count()} closed."
        )

    def load_posting(self, entry: dict[str, Any], index: int) -> JobPosting:
        """Create or update one posting; any problem is a CommandError naming the posting."""
        name = entry.get("reference_number") or f"Posting #{index + 1}"
        try:
            return self.save_posting(entry, name)
        except KeyError as error:
            raise CommandError(f"{name}: missing field {error}.") from error
        except ValidationError as error:
            messages = (
                [
                    " ".join(texts) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(texts)}"
                    for field, texts in error.message_dict.items()
                ]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise CommandError(f"{name}: {' '.join(messages)}") from error

    def save_posting(self, entry: dict[str, Any], name: str) -> JobPosting:
        try:
            occupation = Occupation.objects.get(slug=entry["occupation"])
        except Occupation.DoesNotExist:
            raise CommandError(f"{name}: no occupation {entry['occupation']!r}.") from None
        facilities = list(
            Facility.objects.filter(slug__in=entry["locations"]).select_related("region")
        )
        missing = sorted(set(entry["locations"]) - {facility.slug for facility in facilities})
        if missing:
            raise CommandError(f"{name}: no facility {', '.join(map(repr, missing))}.")

        reference = entry["reference_number"]
        posting = JobPosting.objects.filter(reference_number=reference).first()
        posting = posting or JobPosting(reference_number=reference)
        posting.occupation = occupation
        for field in REQUIRED_FIELDS:
            setattr(posting, field, entry[field])
        for field, default in OPTIONAL_FIELDS.items():
            setattr(posting, field, entry.get(field, default))
        set_translations(posting, entry, translated_fields(JobPosting))
        self.set_hr_contact(posting, entry, facilities)
        today = posting_today()
        posting.open_date = today - timedelta(days=entry["opened_days_ago"])
        posting.closing_date = today + timedelta(days=entry["closes_in_days"])
        # Every demo posting is published, and put back on the site if HR took it off: its
        # history says so.
        move = (
            PostingAction.PUBLISHED
            if posting.published_at is None
            else PostingAction.REOPENED
            if posting.closed_early_at or posting.archived_at
            else None
        )
        posting.published_at = posting.published_at or timezone.now()
        posting.closed_early_at = posting.archived_at = None
        posting.full_clean()
        posting.save()
        if move:
            PostingEvent.objects.create(posting=posting, action=move, by=None)
        posting.locations.set(facilities)

        self.replace_qualifications(posting, entry.get("qualifications", []))
        self.replace_questions(posting, entry.get("screening_questions", []), name)
        # Every posting HR makes gets the default assessment plan; the demo's do too.
        assessment_plan_default(posting=posting)
        problems = posting.publication_problems()
        if problems:
            raise CommandError(f"{name}: {'; '.join(map(str, problems))}.")
        posting.update_search_documents()
        return posting

    @staticmethod
    def set_hr_contact(
        posting: JobPosting, entry: dict[str, Any], facilities: list[Facility]
    ) -> None:
        """The posting's own contact, or that of the region of its first location."""
        first = next((f for f in facilities if f.slug in entry["locations"][:1]), None)
        region = first.region.slug if first else "national-headquarters"
        default = REGIONAL_HR_CONTACTS.get(region, REGIONAL_HR_CONTACTS["national-headquarters"])
        for field, value in zip(
            ("hr_contact_name", "hr_contact_email", "hr_contact_phone"), default, strict=True
        ):
            setattr(posting, field, entry.get(field, value))

    def replace_qualifications(self, posting: JobPosting, entries: list[dict[str, Any]]) -> None:
        """Rewrite the qualifications in place, so that the plan's steps and the board's ratings
        (load_demo_applications) keep theirs."""
        existing = list(posting.qualifications.order_by("order", "pk"))
        for order, data in enumerate(entries):
            qualification = existing[order] if order < len(existing) else Qualification()
            qualification.posting = posting
            qualification.kind = data["kind"]
            qualification.is_asset = data.get("is_asset", False)
            qualification.order = order
            set_translations(qualification, data, translated_fields(Qualification))
            qualification.full_clean()
            qualification.save()
        try:
            Qualification.objects.filter(pk__in=[q.pk for q in existing[len(entries) :]]).delete()
        except ProtectedError:
            raise CommandError(
                f"{posting.reference_number}: cannot remove qualifications that candidates have "
                "been rated on."
            ) from None

    def replace_questions(
        self, posting: JobPosting, entries: list[dict[str, Any]], name: str
    ) -> None:
        """Rewrite the questions in place, so that answers already given keep their question."""
        existing = list(posting.screening_questions.order_by("order", "pk"))
        for order, data in enumerate(entries):
            question = existing[order] if order < len(existing) else ScreeningQuestion()
            question.posting = posting
            question.order = order
            question.kind = data["kind"]
            question.is_essential = data.get("is_essential", True)
            set_translations(question, data, translated_fields(ScreeningQuestion))
            question.full_clean()
            question.save()
        try:
            ScreeningQuestion.objects.filter(
                pk__in=[q.pk for q in existing[len(entries) :]]
            ).delete()
        except ProtectedError:
            raise CommandError(
                f"{name}: cannot remove screening questions that applicants have answered."
            ) from None
