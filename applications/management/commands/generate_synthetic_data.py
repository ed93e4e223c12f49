"""Generate synthetic postings and applications at scale, for benchmarks and load tests.

PostgreSQL only: rows are made by the server itself (INSERT … SELECT over generate_series), so
10,000 postings and 1,000,000 applications take minutes, not hours. The catalogue and places must
be loaded first (occupations and facilities are picked from them). Synthetic rows are marked (SYN-
posting references, S- application references, @example.invalid addresses) and --clear removes
them again.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import CharField, TextField

from applications.models import Application, EquityDeclaration, StageChange
from applications.pipeline import ALLOWED_MOVES, FINAL_STAGES, Stage
from positions.models import Facility, JobPosting, Occupation
from positions.models.search import rebuild_search_documents

POSTING_VALUES = {
    "occupation_id": "occupations.ids[1 + g % array_length(occupations.ids, 1)]",
    "title": "'Synthetic posting ' || g",
    "title_en": "'Synthetic posting ' || g",
    "title_fr": "'Offre synthétique ' || g",
    "reference_number": "'SYN-' || lpad(g::text, 8, '0')",
    "selection_process_number": "'26-SYN-' || g",
    "classification_group": "(ARRAY['WP','CX','AS','IT','GS'])[1 + g % 5]",
    "classification_level": "lpad((1 + g % 5)::text, 2, '0')",
    "tenure": "'indeterminate'",
    "salary_min": "50000 + (g % 40) * 1000",
    "salary_max": "70000 + (g % 40) * 1000",
    "language_requirement": "'english-essential'",
    "security_clearance": "'reliability'",
    "eligibility": "'public'",
    "open_date": "current_date - (g % 30)",
    "closing_date": "current_date + 1 + (g % 60)",
    "work_description": "'Supervise and support offenders; write reports; work shifts. ' || g",
    "work_description_en": "'Supervise and support offenders; write reports; work shifts. ' || g",
    "work_description_fr": "'Surveiller et soutenir des délinquants; rédiger des rapports. ' || g",
    "published_at": "now()",
    "created_at": "now()",
    "updated_at": "now()",
}

APPLICATION_VALUES = {
    "posting_id": "postings.min_id + (g::bigint * 7919) % postings.span",
    "reference": "'S-' || lpad(g::text, 10, '0')",
    "public_id": "gen_random_uuid()",
    "first_name": "'Synthetic'",
    "last_name": "'Applicant ' || g",
    "email": "'applicant' || g || '@example.invalid'",
    "phone": "'613-555-' || lpad((g % 10000)::text, 4, '0')",
    "residence": "(ARRAY['ON','QC','BC','AB','NS'])[1 + g % 5]",
    "eligibility": "'citizen'",
    "correspondence_language": "(ARRAY['en','fr'])[1 + g % 2]",
    "assessment_language": "(ARRAY['en','fr'])[1 + (g / 2) % 2]",
    "is_veteran": "g % 50 = 0",
    "has_priority_entitlement": "g % 97 = 0",
    "resume_name": "'resume.pdf'",
    "resume_type": "'application/pdf'",
    "resume_size": "20000 + g % 50000",
    "consented_at": "now() - (g % 90) * interval '1 day'",
    "declared_at": "now() - (g % 90) * interval '1 day'",
    "stage": "(ARRAY[{stages}])[1 + g % {stage_count}]",
    # Between the submission and now (the history's moves are spread over that time).
    "stage_changed_at": "now() - (g % 90) * (g % 4) / 4.0 * interval '1 day'",
    "submitted_at": "now() - (g % 90) * interval '1 day'",
}


def paths_to(stage: str) -> list[list[tuple[str, str]]]:
    """The ways (lists of moves) from "received" to `stage` the pipeline allows: the shortest
    for an active stage; for a final one, one way through each stage it can be left from."""
    shortest = {Stage.RECEIVED.value: []}
    queue = [Stage.RECEIVED.value]
    while queue:
        current = queue.pop(0)
        for target in sorted(ALLOWED_MOVES[current]):
            if target not in shortest and current not in FINAL_STAGES:
                shortest[target] = [*shortest[current], (current, target)]
                queue.append(target)
    if stage not in FINAL_STAGES:
        return [shortest[stage]]
    return [
        [*shortest[source], (source, stage)]
        for source in sorted(ALLOWED_MOVES)
        if stage in ALLOWED_MOVES[source] and source in shortest
    ]


def insert_sql(model, values: dict[str, str], *, source: str) -> str:
    """Build INSERT … SELECT for every column: given expressions, '' or NULL for the rest."""
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in values:
            # The statement takes a parameter, so a literal % (modulo) must be doubled.
            expressions.append(values[field.attname].replace("%", "%%"))
        elif field.null:
            expressions.append("NULL")
        elif isinstance(field, CharField | TextField) or field.get_internal_type() == "FileField":
            expressions.append("''")
        elif field.has_default() and isinstance(field.default, bool):
            expressions.append("true" if field.default else "false")
        else:
            raise CommandError(f"No synthetic value for {model.__name__}.{field.attname}")
    return (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )


class Command(BaseCommand):
    help = "Generate synthetic postings and applications for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--postings", type=int, default=10_000)
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--clear", action="store_true", help="Remove synthetic rows only.")

    def handle(self, *args, postings: int, applications: int, clear: bool, **options):
        if not Occupation.objects.exists() or not Facility.objects.exists():
            raise CommandError("Load the catalogue and places first (see ./scripts/run).")
        with transaction.atomic():
            Application.objects.filter(reference__startswith="S-").delete()
            JobPosting.objects.filter(reference_number__startswith="SYN-").delete()
            if clear:
                self.stdout.write("Removed the synthetic rows.")
                return
            self.make_postings(postings)
            self.make_applications(applications)
        self.stdout.write(f"Generated {postings:,} postings and {applications:,} applications.")

    def make_postings(self, count: int) -> None:
        sql = insert_sql(
            JobPosting,
            POSTING_VALUES,
            source=(
                "generate_series(1, %s) AS g, "
                "(SELECT array_agg(id ORDER BY id) AS ids FROM positions_occupation) AS occupations"
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [count])
            cursor.execute(
                """
                INSERT INTO positions_jobposting_locations (jobposting_id, facility_id)
                SELECT p.id, f.ids[1 + p.id % array_length(f.ids, 1)]
                FROM positions_jobposting p,
                     (SELECT array_agg(id ORDER BY id) AS ids FROM positions_facility) f
                WHERE p.reference_number LIKE 'SYN-%%'
                """
            )
            cursor.execute(
                """
                INSERT INTO positions_qualification
                    (posting_id, kind, is_asset, text, text_en, text_fr, "order", not_met_reason)
                SELECT id, 'experience', false,
                       'Experience working with offenders.',
                       'Experience working with offenders.',
                       'Expérience du travail auprès de délinquants.', 0, ''
                FROM positions_jobposting WHERE reference_number LIKE 'SYN-%%'
                """
            )
        # The same documents as HR's postings get (places, classification, both languages).
        rebuild_search_documents(JobPosting.objects.filter(reference_number__startswith="SYN-"))

    def make_applications(self, count: int) -> None:
        stages = ", ".join(f"'{stage.value}'" for stage in Stage)
        values = {
            **APPLICATION_VALUES,
            "stage": APPLICATION_VALUES["stage"].format(stages=stages, stage_count=len(Stage)),
        }
        sql = insert_sql(
            Application,
            values,
            source=(
                "generate_series(1, %s) AS g, "
                "(SELECT min(id) AS min_id, max(id) - min(id) + 1 AS span "
                "FROM positions_jobposting WHERE reference_number LIKE 'SYN-%%') AS postings"
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [count])
            cursor.execute(
                "UPDATE applications_application SET stage_changed_at = submitted_at "
                "WHERE reference LIKE 'S-%%' AND stage = %s",
                [Stage.RECEIVED.value],
            )
            self.make_histories(cursor)
            self.make_declarations(cursor)
            for model in (Application, StageChange, EquityDeclaration, JobPosting):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    def make_histories(self, cursor) -> None:
        """Each application's moves to its stage, by a way the pipeline allows, spread evenly
        between its submission and its last move."""
        moves = [
            (stage.value, way, number, len(path), source, target)
            for stage in Stage
            for way, path in enumerate(paths_to(stage.value))
            for number, (source, target) in enumerate(path, start=1)
        ]
        ways = {stage.value: len(paths_to(stage.value)) for stage in Stage}
        cursor.execute(
            f"""
            INSERT INTO {StageChange._meta.db_table}
                (application_id, from_stage, to_stage, reason, changed_at)
            SELECT a.id, m.source, m.target, '',
                a.submitted_at + (a.stage_changed_at - a.submitted_at) * m.number / m.steps
            FROM applications_application a
            JOIN (VALUES {", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(moves))})
                AS m(stage, way, number, steps, source, target)
                ON m.stage = a.stage
            JOIN (VALUES {", ".join(["(%s, %s)"] * len(ways))}) AS w(stage, count)
                ON w.stage = a.stage
            WHERE a.reference LIKE 'S-%%' AND m.way = a.id %% w.count
            ORDER BY a.id, m.number  -- the ids follow the moves (a history read by id)
            """,
            [value for move in moves for value in move]
            + [value for item in ways.items() for value in item],
        )

    def make_declarations(self, cursor) -> None:
        """Three applicants in five declare (answers varied as ids go)."""
        answers = "(ARRAY['yes','no','undisclosed'])"
        cursor.execute(
            f"""
            INSERT INTO {EquityDeclaration._meta.db_table}
                (application_id, woman, indigenous, disability, visible_minority)
            SELECT id, {answers}[1 + id % 2], {answers}[1 + (id / 7 % 13 = 0)::int],
                {answers}[1 + (id / 3 % 11 = 0)::int], {answers}[1 + (id / 5 % 4 = 0)::int]
            FROM applications_application
            WHERE reference LIKE 'S-%' AND id % 5 < 3
            """
        )
