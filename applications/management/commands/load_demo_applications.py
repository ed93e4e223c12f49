"""Load demo applications to the demo postings, so HR and recruiters have a queue to try.

Made-up people (addresses at example.com, which no mail server accepts, and telephone numbers of
the fictional 555-01xx range) apply to the first open postings with a short plain-text résumé and
answer every screening question, through the service the application form uses; some are then
moved along the pipeline by its own rules, so the stage history is real. Running it again adds
nothing that is already there. Never run this on a production database.
"""

import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from applications.models import Application, Citizenship, OfficialLanguage, Residence
from applications.pipeline import Stage
from applications.services import application_submit
from applications.validators import TEXT
from positions.models import JobPosting, QuestionKind
from positions.models.postings import YES

PEOPLE = [
    ("Amélie", "Tremblay", OfficialLanguage.FRENCH, Residence.QC),
    ("Jordan", "MacDonald", OfficialLanguage.ENGLISH, Residence.NS),
    ("Priya", "Sharma", OfficialLanguage.ENGLISH, Residence.ON),
    ("Éloïse", "Gagnon", OfficialLanguage.FRENCH, Residence.QC),
    ("Liam", "Roy", OfficialLanguage.ENGLISH, Residence.NB),
    ("Nadia", "Bouchard", OfficialLanguage.FRENCH, Residence.ON),
    ("Wei", "Chen", OfficialLanguage.ENGLISH, Residence.BC),
    ("Kateri", "Cardinal", OfficialLanguage.ENGLISH, Residence.AB),
    ("Mathieu", "Côté", OfficialLanguage.FRENCH, Residence.QC),
    ("Sarah", "Thompson", OfficialLanguage.ENGLISH, Residence.SK),
    ("Omar", "Haddad", OfficialLanguage.FRENCH, Residence.QC),
    ("Emily", "Wilson", OfficialLanguage.ENGLISH, Residence.MB),
]
# Where each made-up application ends up, by the pipeline's own moves.
PATHS = [
    [],
    [Stage.SCREENING],
    [Stage.SCREENING, Stage.SCREENED_IN],
    [Stage.SCREENING, Stage.SCREENED_OUT],
    [Stage.SCREENING, Stage.SCREENED_IN, Stage.INTERVIEW],
    [Stage.WITHDRAWN],
]
POSTINGS = 6
PER_POSTING = 4


class Command(BaseCommand):
    help = "Load demo applications to the open demo postings (local use only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo applications are for local use only (DEBUG is off).")
        postings = list(
            JobPosting.objects.open()
            .prefetch_related("screening_questions")
            .order_by("reference_number")[:POSTINGS]
        )
        if not postings:
            raise CommandError("Load the demo postings first (manage.py load_demo_postings).")
        made = 0
        # The made-up applicants are e-mailed nothing, not even in the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for index, posting in enumerate(postings):
                for offset in range(PER_POSTING):
                    number = index * PER_POSTING + offset
                    made += self.apply(posting, number)
        self.stdout.write(f"{made} demo applications added ({Application.objects.count()} in all).")

    def apply(self, posting: JobPosting, number: int) -> bool:
        first_name, last_name, language, residence = PEOPLE[number % len(PEOPLE)]
        # Without accents: an address is checked as the application form checks it.
        name = unicodedata.normalize("NFKD", f"{first_name}.{last_name}")
        email = f"{name.encode('ascii', 'ignore').decode()}.{number}@example.com".lower()
        if Application.objects.filter(posting=posting, email__iexact=email).exists():
            return False
        text = f"{first_name} {last_name}\nDemo résumé for {posting.title_en}.\n"
        application = application_submit(
            posting=posting,
            applicant={
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                # 555-0100 to 555-0199: the numbers North America keeps for fiction.
                "phone": f"613-555-{100 + number % 100:04d}",
                "residence": residence,
                "eligibility": Citizenship.CITIZEN,
                "correspondence_language": language,
                "assessment_language": language,
                "is_veteran": number % 7 == 0,
            },
            resume=ContentFile(text.encode(), name=f"{last_name}-resume.txt"),
            resume_type=TEXT,
            answers={
                question: self.answer(question) for question in posting.screening_questions.all()
            },
            equity=None,
        )
        for stage in PATHS[number % len(PATHS)]:
            application.move_to(stage, reason="Demo data")
        return True

    @staticmethod
    def answer(question) -> str:
        if question.kind == QuestionKind.YES_NO:
            return YES
        if question.kind == QuestionKind.CHOICE:
            return question.choices.splitlines()[0].strip()
        return "Five years in a related field."
