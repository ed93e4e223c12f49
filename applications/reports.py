"""HR reports: where a campaign stands (funnel), how long hiring takes (time), whom it reaches
(reach), and, for holders of the equity permission, employment equity representation per step.

PostgreSQL does the counting (GROUP BY, FILTER, GROUPING SETS, window functions and
percentile_cont): each report is a fixed number of queries whatever the number of applications,
and no application's row reaches Python, only the aggregates. A report reads the applications of
a `Scope`: the postings the person may review (JobPosting.objects.reviewable_by), narrowed by the
report's filters, and the dates the applications were submitted.

How far a candidate got (their `Level`, the funnel's rows) comes from the stage history
(StageChange, every move) and the application's stage; "qualified" is the record of decision's
verdict (the board's consensus in force found every essential qualification met) for a candidate
who reached the last step of their posting's plan, or anyone made an offer.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import connection, models
from django.db.models import Min, QuerySet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.assessment import STEP_STAGES
from applications.models import (
    Application,
    AssessmentResult,
    EquityDeclaration,
    HeardFrom,
    OfficialLanguage,
    QualificationResult,
    Residence,
    StageChange,
    StepRating,
)
from applications.pipeline import ACTIVE_STAGES, FINAL_STAGES, NOT_MET_STAGES, Stage
from positions.models import (
    PRE_EMPLOYMENT_KINDS,
    AssessmentStep,
    Facility,
    JobPosting,
    Province,
    Qualification,
    Region,
    StepKind,
    posting_today,
)
from positions.models.postings import POSTING_TIME_ZONE

# The report pages list this many postings at most (the CSV has them all).
POSTINGS_SHOWN = 100
# A step level is named after the plans' steps at it when they have no more titles than this.
TITLES_NAMED = 3


class Level(models.IntegerChoices):
    """How far candidates got: the funnel's rows, in order (the value is the depth)."""

    APPLIED = 0, gettext_lazy("Applied")
    SCREENED_IN = 1, gettext_lazy("Screened in")
    ASSESSMENT = 2, gettext_lazy("Assessment")
    INTERVIEW = 3, gettext_lazy("Interview")
    REFERENCE_CHECK = 4, gettext_lazy("Reference check")
    QUALIFIED = 5, gettext_lazy("Qualified")
    OFFERED = 6, gettext_lazy("Offered a job")
    HIRED = 7, gettext_lazy("Hired")


# The level a candidate has reached once they have been at a stage (other stages: applied).
STAGE_LEVELS: dict[str, Level] = {
    Stage.SCREENED_IN: Level.SCREENED_IN,
    Stage.ASSESSMENT: Level.ASSESSMENT,
    Stage.INTERVIEW: Level.INTERVIEW,
    Stage.REFERENCE_CHECK: Level.REFERENCE_CHECK,
    Stage.OFFER: Level.OFFERED,
    Stage.HIRED: Level.HIRED,
}
# The levels of the plans' steps: shown when a step of the plans in scope is at one.
STEP_LEVELS = [Level.ASSESSMENT, Level.INTERVIEW, Level.REFERENCE_CHECK]


def kind_level(kind: str) -> Level:
    """The level of a kind of step: that of the first stage a candidate is at it
    (applications.assessment.STEP_STAGES; screening is done on what candidates applied with).

    Pre-employment steps have none (Level.APPLIED, which is false): they are conditions of
    employment, not steps of the merit funnel.
    """
    if kind in PRE_EMPLOYMENT_KINDS:
        return Level.APPLIED
    return min(STAGE_LEVELS.get(stage, Level.APPLIED) for stage in STEP_STAGES[kind])


# ---------------------------------------------------------------------------------------------
# Composing SQL from parts, with their parameters in order.


class Sql(NamedTuple):
    """A piece of SQL and its parameters, in the order of its %s."""

    text: str
    params: list


PART = re.compile(r"\{(\w+)\}")


def compose(template: str, **parts) -> Sql:
    """Fill each {name} of an SQL template with a part, keeping the parameters in order.

    A part is an Sql, a QuerySet (its own SQL and parameters) or a value, passed as a parameter.
    The template itself holds no parameter and no literal %.
    """
    text, params, position = [], [], 0
    for match in PART.finditer(template):
        text.append(literal_sql(template[position : match.start()]))
        position = match.end()
        part = parts[match.group(1)]
        if isinstance(part, QuerySet):
            part = Sql(*part.query.sql_with_params())
        if isinstance(part, Sql):
            text.append(part.text)
            params.extend(part.params)
        else:
            text.append("%s")
            params.append(part)
    text.append(literal_sql(template[position:]))
    return Sql("".join(text), params)


def literal_sql(text: str) -> str:
    if "%" in text:
        raise ValueError("Write parameters as parts of the template, not in it.")
    return text


def case(column: str, values: dict, *, default: int = 0) -> Sql:
    """CASE column WHEN value THEN result … ELSE default END, the values as parameters."""
    whens = " ".join("WHEN %s THEN %s" for _value in values)
    params = [item for pair in values.items() for item in (str(pair[0]), int(pair[1]))]
    return Sql(f"(CASE {column} {whens} ELSE %s END)", [*params, default])


def rows_of(query: Sql) -> list[tuple]:
    """Run the query and return its rows (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(query.text, query.params)
        return cursor.fetchall()


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def in_language(english: str, french: str) -> str:
    """A translated column's text in the active language (English when there is no French)."""
    if (translation.get_language() or "en").startswith("fr") and french:
        return french
    return english or french or ""


# ---------------------------------------------------------------------------------------------
# What a report counts.


@dataclass(frozen=True)
class Scope:
    """The applications a report counts: those of `postings`, submitted between the dates."""

    postings: QuerySet  # of JobPosting: those the person may review, narrowed by the filters
    applications: QuerySet  # of Application
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None

    @property
    def is_everything(self) -> bool:
        """Whether the scope is every application (no posting filter, no dates)."""
        return not self.applications.query.has_filters()

    def among(self, column: str) -> Sql:
        """SQL that keeps the rows whose `column` names an application of the scope: nothing
        for every application (a filter that keeps every row would cost PostgreSQL a join)."""
        if self.is_everything:
            return Sql("", [])
        return compose(
            f" AND {column} IN (SELECT x.id FROM ({{apps}}) x)",
            apps=self.applications.order_by().values("id"),
        )

    def application_columns(self) -> QuerySet:
        return self.applications.order_by().values(
            "id",
            "posting_id",
            "stage",
            "stage_changed_at",
            "submitted_at",
            "residence",
            "correspondence_language",
            "heard_from",
        )


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def report_scope(
    postings: QuerySet,
    *,
    submitted_from: datetime.date | None = None,
    submitted_to: datetime.date | None = None,
) -> Scope:
    """Return the scope of the applications to `postings` (a JobPosting queryset, already limited
    to those the person may review), submitted from and to the dates (inclusive, local time)."""
    applications = Application.objects.all()
    # Every posting (no filter): no subquery, so that PostgreSQL reads the applications alone.
    if postings.query.has_filters():
        applications = applications.filter(posting__in=postings.values("pk"))
    if submitted_from:
        applications = applications.filter(submitted_at__gte=local_midnight(submitted_from))
    if submitted_to:
        next_day = submitted_to + datetime.timedelta(days=1)
        applications = applications.filter(submitted_at__lt=local_midnight(next_day))
    return Scope(postings, applications, submitted_from, submitted_to)


# ---------------------------------------------------------------------------------------------
# Tables: what every report shows, and what its CSV holds.


class Suppressed:
    """A count not shown: under the threshold, or one that would reveal such a count."""

    def __reduce__(self):
        # One of it: a report read back from the cache still holds `SUPPRESSED` itself.
        return "SUPPRESSED"

    def __str__(self):
        return _("suppressed")

    def __repr__(self):
        return "SUPPRESSED"


SUPPRESSED = Suppressed()


@dataclass(frozen=True)
class Percent:
    """A share, in percent (None: of nothing)."""

    value: float | None


@dataclass(frozen=True)
class Table:
    """A table of a report: its caption, column headings and rows (the first cell heads its row).

    Cells are numbers, texts, dates, Percent, None (nothing to show) or SUPPRESSED.
    """

    slug: str
    caption: str
    headers: list[str]
    rows: list[list]
    footer: list[list] = field(default_factory=list)  # rows of totals, after the others
    note: str = ""


def postings_shown_note(shown: int, total: int) -> str:
    """Say that a table lists only some of the postings, when it does."""
    if shown >= total:
        return ""
    return _("The %(shown)d postings listed first are shown here; the CSV has all %(total)d.") % {
        "shown": shown,
        "total": total,
    }


def percent(part: int | None, whole: int | None) -> Percent:
    if part is None or not whole:
        return Percent(None)
    return Percent(100 * part / whole)


# ---------------------------------------------------------------------------------------------
# Funnel: how far candidates got.


def plan_titles(scope: Scope) -> dict[Level, list[str]]:
    """The titles of the plans' steps at each step level, in plan order (one query)."""
    steps = AssessmentStep.objects.filter(kind__in=[k for k in StepKind if kind_level(k)])
    if scope.postings.query.has_filters():
        steps = steps.filter(posting__in=scope.postings.values("pk"))
    titles: dict[Level, list[str]] = {}
    named = (
        steps.values("kind", "name_en", "name_fr")
        .annotate(first=Min("order"))
        .order_by("first", "kind", "name_en")
    )
    for step in named:
        title = in_language(step["name_en"] or "", step["name_fr"] or "") or str(
            StepKind(step["kind"]).label
        )
        at_level = titles.setdefault(kind_level(step["kind"]), [])
        if title not in at_level:
            at_level.append(title)
    return titles


def shown_levels(titles: dict[Level, list[str]]) -> list[tuple[Level, str]]:
    """The levels a report shows, with their names: every level but the step levels no step of
    the plans is at; a step level is named after its steps when they are few."""
    shown = []
    for level in Level:
        if level in STEP_LEVELS:
            if level not in titles:
                continue
            names = titles[level]
            named = ", ".join(names) if len(names) <= TITLES_NAMED else str(level.label)
            shown.append((level, named))
        else:
            shown.append((level, str(level.label)))
    return shown


def depth_counts_sql(
    scope: Scope, *, columns: Sequence[tuple[str, str]] = (), join: str = ""
) -> Sql:
    """Rows (posting_id, depth, *columns, n): how many applications of each posting of the scope
    got as far as each Level (depth), and have the same values in `columns` (SQL expressions
    over `a`, the application, and what `join` adds, each with its alias).

    Reached: the level of the furthest stage the application was ever at. The pipeline only moves
    forward until an application ends (ALLOWED_MOVES; tests/applications/test_reports.py checks
    it), so that is the level of its stage, or for one that ended (screened out, not retained,
    withdrawn), of the stage it left for that: one row of its history, not all of it.

    Qualified: the board's consensus in force (the latest current consensus giving a finding, as
    in the record of decision) found every essential qualification of the posting met, the
    candidate reached the level of the plan's last step and was not screened out or rejected.

    The applications are first counted by what their depth follows from (stage, the stage left,
    all essentials met): the depth is then worked out once per group, not per application.
    """
    apps = scope.application_columns()
    inner = "".join(f", {expression} AS {alias}" for expression, alias in columns)
    outer = "".join(f", g.{alias}" for _expression, alias in columns)
    return compose(
        f"""
        SELECT g.posting_id,
            CASE
                WHEN g.reached >= {{offered}} THEN g.reached
                WHEN g.stage <> ALL({{not_met}})
                    AND g.reached >= COALESCE(plan.last_level, 0)
                    AND g.all_met
                THEN {{qualified}}
                ELSE g.reached
            END AS depth{outer},
            sum(g.n) AS n
        FROM (
            SELECT a.posting_id, a.stage,
                GREATEST({{stage_level}}, COALESCE({{from_level}}, 0)) AS reached,
                COALESCE(essentials.n, 0) = COALESCE(met.n, 0) AS all_met{inner},
                count(*) AS n
            FROM ({{apps}}) a
            -- The move that ended it: there is one at most, a final stage having no way out.
            LEFT JOIN {{stage_changes}} sc
                ON sc.application_id = a.id AND sc.to_stage = ANY({{final}})
                AND a.stage = ANY({{final_again}})
            LEFT JOIN (
                SELECT q.posting_id, count(*) AS n
                FROM {{qualifications}} q WHERE NOT q.is_asset GROUP BY q.posting_id
            ) essentials ON essentials.posting_id = a.posting_id
            LEFT JOIN (
                SELECT f.application_id, count(*) AS n
                FROM (
                    SELECT DISTINCT ON (rating.application_id, result.qualification_id)
                        rating.application_id, result.qualification_id, result.result
                    FROM {{ratings}} rating
                    JOIN {{results}} result ON result.rating_id = rating.id
                    WHERE rating.is_consensus AND result.result <> {{later}}
                        AND NOT EXISTS (
                            SELECT 1 FROM {{ratings_again}} later
                            WHERE later.replaces_id = rating.id
                        )
                        {{ratings_in_scope}}
                    ORDER BY rating.application_id, result.qualification_id,
                        rating.submitted_at DESC, rating.id DESC
                ) f
                JOIN {{qualifications_again}} q ON q.id = f.qualification_id
                WHERE f.result = {{met_result}} AND NOT q.is_asset
                GROUP BY f.application_id
            ) met ON met.application_id = a.id
            {join}
            GROUP BY 1, 2, 3, 4{"".join(f", {alias}" for _expression, alias in columns)}
        ) g
        LEFT JOIN (
            SELECT s.posting_id, max({{kind_level}}) AS last_level
            FROM {{steps}} s GROUP BY s.posting_id
        ) plan ON plan.posting_id = g.posting_id
        GROUP BY 1, 2{outer}
        """,
        offered=int(Level.OFFERED),
        not_met=[str(stage) for stage in NOT_MET_STAGES],
        qualified=int(Level.QUALIFIED),
        stage_level=case("a.stage", STAGE_LEVELS),
        from_level=case("sc.from_stage", STAGE_LEVELS),
        apps=apps,
        stage_changes=Sql(table(StageChange), []),
        final=[str(stage) for stage in FINAL_STAGES],
        final_again=[str(stage) for stage in FINAL_STAGES],
        qualifications=Sql(table(Qualification), []),
        ratings=Sql(table(StepRating), []),
        results=Sql(table(QualificationResult), []),
        later=str(AssessmentResult.LATER),
        ratings_again=Sql(table(StepRating), []),
        ratings_in_scope=scope.among("rating.application_id"),
        qualifications_again=Sql(table(Qualification), []),
        met_result=str(AssessmentResult.MET),
        kind_level=case("s.kind", {kind: kind_level(kind) for kind in StepKind}),
        steps=Sql(table(AssessmentStep), []),
    )


@dataclass(frozen=True)
class FunnelLevel:
    level: Level
    label: str
    count: int
    previous: int | None  # the count of the level shown before (None for the first)

    @property
    def drop_off(self) -> int | None:
        return None if self.previous is None else self.previous - self.count


@dataclass(frozen=True)
class PostingRow:
    """A posting of the scope, with its own figures (by Level, or named columns)."""

    reference: str
    title: str
    figures: dict


@dataclass(frozen=True)
class FunnelReport:
    """How far the scope's candidates got, all together (the campaign) and per posting."""

    levels: list[FunnelLevel]
    postings: list[PostingRow]  # the POSTINGS_SHOWN with the most applications (or all)
    posting_count: int

    @property
    def applied(self) -> int:
        return self.levels[0].count

    def tables(self) -> list[Table]:
        applied = self.applied
        levels = Table(
            "funnel",
            _("How far candidates got"),
            [_("Level"), _("Candidates"), _("Drop-off"), _("Drop-off (%)"), _("Of applied (%)")],
            [
                [
                    level.label,
                    level.count,
                    level.drop_off,
                    percent(level.drop_off, level.previous),
                    percent(level.count, applied),
                ]
                for level in self.levels
            ],
        )
        postings = Table(
            "funnel-by-posting",
            _("How far candidates got, by posting"),
            [_("Posting"), *(level.label for level in self.levels)],
            [
                [
                    f"{row.reference} – {row.title}",
                    *(row.figures[level.level] for level in self.levels),
                ]
                for row in self.postings
            ],
            footer=[[_("All postings"), *(level.count for level in self.levels)]],
            note=postings_shown_note(len(self.postings), self.posting_count),
        )
        return [levels, postings]


FUNNEL_COLUMNS = ", ".join(
    f"COALESCE(sum(d.n) FILTER (WHERE d.depth >= {int(level)}), 0)::int AS level_{int(level)}"
    for level in Level
)


def funnel_report(scope: Scope, *, limit: int | None = POSTINGS_SHOWN) -> FunnelReport:
    """Return the funnel of the scope (two queries)."""
    levels = shown_levels(plan_titles(scope))
    level_columns = ", ".join(f"f.level_{int(level)}" for level in Level)
    sums = ", ".join(
        f"COALESCE(sum(f.level_{int(level)}), 0)::int AS level_{int(level)}" for level in Level
    )
    # Grouped per posting, then added up (a ROLLUP would keep PostgreSQL from sharing the
    # grouping between parallel workers).
    rows = rows_of(
        compose(
            f"""
            WITH per_posting AS (
                SELECT d.posting_id, {FUNNEL_COLUMNS}
                FROM ({{depth}}) d
                GROUP BY d.posting_id
            )
            SELECT u.* FROM (
                SELECT 0 AS part, NULL::int AS posting_id, NULL AS reference, NULL AS title_en,
                    NULL AS title_fr, {sums}, count(*)::int AS postings
                FROM per_posting f
                UNION ALL
                (
                    SELECT 1, f.posting_id, p.reference_number, p.title_en, p.title_fr,
                        {level_columns}, NULL
                    FROM per_posting f
                    JOIN {table(JobPosting)} p ON p.id = f.posting_id
                    ORDER BY f.level_0 DESC, p.reference_number
                    LIMIT {{limit}}
                )
            ) u
            ORDER BY u.part, u.level_0 DESC, u.reference
            """,
            depth=depth_counts_sql(scope),
            limit=limit,
        )
    )
    totals, postings = rows[0][1:], [row[1:] for row in rows[1:]]
    counts = dict(zip(Level, totals[4 : 4 + len(Level)], strict=True))
    shown, previous = [], None
    for level, label in levels:
        shown.append(FunnelLevel(level, label, counts[level], previous))
        previous = counts[level]
    return FunnelReport(
        levels=shown,
        postings=[
            PostingRow(
                reference=row[1],
                title=in_language(row[2], row[3]),
                figures=dict(zip(Level, row[4 : 4 + len(Level)], strict=True)),
            )
            for row in postings
        ],
        posting_count=totals[-1],
    )


# ---------------------------------------------------------------------------------------------
# Employment equity: representation per level, suppressed.


def suppress(
    counts: Sequence[Sequence[int]], *, threshold: int, column_totals: bool = False
) -> list[list[int | Suppressed]]:
    """Return the table of counts with those that must not be shown replaced by SUPPRESSED.

    The last cell of each row is the row's total (and with `column_totals`, the last row holds
    the columns' totals). A count under `threshold` is suppressed (primary suppression). Then, in
    any row (or column, with column_totals) where the suppressed counts are only one, or add up
    to less than the threshold, the smallest count still shown is suppressed too (the total only
    when nothing else is left), and so on until no line needs more (complementary suppression):
    otherwise a suppressed count would be the line's total minus the counts shown.
    """
    grid = [list(row) for row in counts]
    hidden = {
        (i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value < threshold
    }
    lines = [[(i, j) for j in range(len(row))] for i, row in enumerate(grid)]
    if column_totals and grid:
        lines += [[(i, j) for i in range(len(grid))] for j in range(len(grid[0]))]

    def value(cell):
        return grid[cell[0]][cell[1]]

    changed = True
    while changed:
        changed = False
        for line in lines:
            *parts, total = line
            hidden_cells = [cell for cell in line if cell in hidden]
            if not hidden_cells or len(hidden_cells) == len(line):
                continue  # nothing suppressed, or nothing shown to work a count out from
            if len(hidden_cells) > 1 and (
                total in hidden or sum(map(value, hidden_cells)) >= threshold
            ):
                continue
            shown = [cell for cell in parts if cell not in hidden]
            hidden.add(min(shown, key=value) if shown else total)
            changed = True
    return [
        [SUPPRESSED if (i, j) in hidden else count for j, count in enumerate(row)]
        for i, row in enumerate(grid)
    ]


EQUITY_GROUPS = ["woman", "indigenous", "disability", "visible_minority"]
ANSWERS = [
    EquityDeclaration.Answer.YES,
    EquityDeclaration.Answer.NO,
    EquityDeclaration.Answer.UNDISCLOSED,
]


@dataclass(frozen=True)
class EquityGroup:
    """One designated group: per level shown, the yes / no / preferred not to say / total."""

    name: str
    field: str
    rows: list[tuple[str, list]]  # (level label, cells), suppressed


@dataclass(frozen=True)
class EquityReport:
    """Employment equity representation per level, in aggregate, with small counts suppressed."""

    groups: list[EquityGroup]
    threshold: int

    def tables(self) -> list[Table]:
        headers = [_("Level"), _("Yes"), _("No"), _("Preferred not to say"), _("Declarations")]
        return [
            Table(
                f"equity-{group.field.replace('_', '-')}",
                group.name,
                headers,
                [[label, *cells] for label, cells in group.rows],
            )
            for group in self.groups
        ]


def equity_report(scope: Scope, *, threshold: int | None = None) -> EquityReport:
    """Return the equity representation of the scope per level, suppressed (two queries).

    The counts come from the declarations only (they are voluntary); each level counts the
    candidates who got at least that far, as the funnel does.
    """
    threshold = settings.EQUITY_SUPPRESSION_THRESHOLD if threshold is None else threshold
    levels = shown_levels(plan_titles(scope))
    answers, sums, parts = [], [], {}
    for group in EQUITY_GROUPS:
        column = connection.ops.quote_name(EquityDeclaration._meta.get_field(group).column)
        answers.append((f"e.{column}", group))
        for answer in ANSWERS:
            name = f"{group}_{answer.value}".replace("-", "_")
            parts[name] = str(answer)
            sums.append((name, f"sum(d.n) FILTER (WHERE d.{group} = {{{name}}}) AS {name}"))
    rows = rows_of(
        compose(
            f"""
            SELECT l.depth, SUM(COALESCE(g.declared, 0)) OVER w,
                {", ".join(f"SUM(COALESCE(g.{name}, 0)) OVER w" for name, _sql in sums)}
            FROM generate_series(0, {{deepest}}) AS l(depth)
            LEFT JOIN (
                SELECT d.depth, sum(d.n) AS declared, {", ".join(sql for _name, sql in sums)}
                FROM ({{depth}}) d
                GROUP BY d.depth
            ) g ON g.depth = l.depth
            WINDOW w AS (ORDER BY l.depth DESC)
            ORDER BY l.depth
            """,
            deepest=int(max(Level)),
            **parts,
            depth=depth_counts_sql(
                scope,
                columns=answers,
                join=f"JOIN {table(EquityDeclaration)} e ON e.application_id = a.id",
            ),
        )
    )
    at_depth = {row[0]: [int(value) for value in row[1:]] for row in rows}
    groups = []
    for index, group in enumerate(EQUITY_GROUPS):
        counts = []
        for level, _label in levels:
            declared, *answers = at_depth[int(level)]
            start = index * len(ANSWERS)
            counts.append([*answers[start : start + len(ANSWERS)], declared])
        cells = suppress(counts, threshold=threshold)
        groups.append(
            EquityGroup(
                name=str(capfirst(EquityDeclaration._meta.get_field(group).verbose_name)),
                field=group,
                rows=[(label, row) for (_level, label), row in zip(levels, cells, strict=True)],
            )
        )
    return EquityReport(groups=groups, threshold=threshold)


# ---------------------------------------------------------------------------------------------
# Time: in each stage, to staff, and applications per day.


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    stays: int  # stays that ended (the candidate moved on)
    median: float | None  # days
    p90: float | None
    waiting: int  # candidates in the stage now
    waiting_median: float | None  # days so far


@dataclass(frozen=True)
class Period:
    start: datetime.date
    applications: int


class PeriodUnit(models.TextChoices):
    DAY = "day", gettext_lazy("Day")
    WEEK = "week", gettext_lazy("Week of")
    MONTH = "month", gettext_lazy("Month")


@dataclass(frozen=True)
class TimeReport:
    """How long candidates stay at each stage, how long postings take to staff, and how many
    applications arrive while postings are open."""

    stages: list[StageTime]
    postings: list[PostingRow]  # figures: open_date, applications, per_day, to_offer, to_hire
    posting_count: int
    to_offer: tuple[int, float | None, float | None]  # postings with an offer, median, p90
    to_hire: tuple[int, float | None, float | None]
    unit: PeriodUnit
    periods: list[Period]

    def tables(self) -> list[Table]:
        stages = Table(
            "time-in-stage",
            _("Time in each stage (days)"),
            [
                _("Stage"),
                _("Stays ended"),
                _("Median"),
                _("90th percentile"),
                _("In the stage now"),
                _("Median wait so far"),
            ],
            [
                [Stage(t.stage).label, t.stays, t.median, t.p90, t.waiting, t.waiting_median]
                for t in self.stages
            ],
        )
        staffing = Table(
            "time-to-staff",
            _("Time to staff, by posting (days from the open date)"),
            [
                _("Posting"),
                _("Open date"),
                _("Applications"),
                _("Applications per day open"),
                _("To the first offer"),
                _("To the first hire"),
            ],
            [
                [
                    f"{row.reference} – {row.title}",
                    row.figures["open_date"],
                    row.figures["applications"],
                    row.figures["per_day"],
                    row.figures["to_offer"],
                    row.figures["to_hire"],
                ]
                for row in self.postings
            ],
            note=postings_shown_note(len(self.postings), self.posting_count),
        )
        summary = Table(
            "time-to-staff-summary",
            _("Time to staff, all postings (days from the open date)"),
            [_("Milestone"), _("Postings"), _("Median"), _("90th percentile")],
            [
                [_("First offer"), *self.to_offer],
                [_("First hire"), *self.to_hire],
            ],
        )
        periods = Table(
            "applications-per-period",
            _("Applications per %(unit)s") % {"unit": self.unit_name},
            [self.unit.label, _("Applications")],
            [[period.start, period.applications] for period in self.periods],
        )
        return [stages, summary, staffing, periods]

    @property
    def unit_name(self) -> str:
        return {
            PeriodUnit.DAY: _("day"),
            PeriodUnit.WEEK: _("week"),
            PeriodUnit.MONTH: _("month"),
        }[self.unit]


def stage_times(scope: Scope) -> list[StageTime]:
    """Time in each active stage: the stays that ended (from arriving to the next move, from the
    stage history with a window function) and those still going on (one query).

    A stage is never entered twice (the pipeline has no way back), so a move's stay is from the
    move before it, or for the first move, from the application's submission.
    """
    apps = scope.application_columns()
    rows = rows_of(
        compose(
            """
            SELECT s.stage,
                count(*) FILTER (WHERE s.ended),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.ended),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.ended),
                count(*) FILTER (WHERE NOT s.ended),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE NOT s.ended)
            FROM (
                -- The stays that ended after the first: from the move before to this one.
                SELECT x.from_stage AS stage, true AS ended,
                    EXTRACT(EPOCH FROM x.changed_at - x.entered) / 86400.0 AS days
                FROM (
                    SELECT sc.from_stage, sc.changed_at,
                        LAG(sc.changed_at) OVER (
                            PARTITION BY sc.application_id ORDER BY sc.changed_at, sc.id
                        ) AS entered
                    FROM {stage_changes} sc
                    WHERE true{changes_in_scope}
                ) x
                WHERE x.entered IS NOT NULL
                UNION ALL
                -- The first: from the application's submission to its first move, which is
                -- always out of "received" (nothing moves into it).
                SELECT sc.from_stage, true,
                    EXTRACT(EPOCH FROM sc.changed_at - a.submitted_at) / 86400.0
                FROM {stage_changes} sc
                JOIN ({apps}) a ON a.id = sc.application_id
                WHERE sc.from_stage = {received}
                UNION ALL
                -- The stays going on.
                SELECT a.stage, false, EXTRACT(EPOCH FROM {now} - a.stage_changed_at) / 86400.0
                FROM ({apps}) a
                WHERE a.stage = ANY({active})
            ) s
            WHERE s.stage = ANY({active_again})
            GROUP BY s.stage
            """,
            stage_changes=Sql(table(StageChange), []),
            changes_in_scope=scope.among("sc.application_id"),
            apps=apps,
            received=str(Stage.RECEIVED),
            now=timezone.now(),
            active=[str(stage) for stage in ACTIVE_STAGES],
            active_again=[str(stage) for stage in ACTIVE_STAGES],
        )
    )
    found = {row[0]: row for row in rows}
    return [
        StageTime(
            stage=stage,
            stays=found[stage][1],
            median=found[stage][2],
            p90=found[stage][3],
            waiting=found[stage][4],
            waiting_median=found[stage][5],
        )
        for stage in Stage
        if stage in found
    ]


def staffing_sql(scope: Scope) -> Sql:
    """Per posting of the scope with applications: its open date, applications, applications per
    day it was open (within the dates of the scope), days to its first offer and first hire."""
    apps = scope.application_columns()
    last_open = (
        "LEAST(p.closing_date, (p.closed_early_at AT TIME ZONE {posting_zone})::date, {today}"
    )
    return compose(
        f"""
        SELECT p.reference_number, p.title_en, p.title_fr, p.open_date, c.applications,
            c.applications::float / GREATEST(1,
                {last_open}, {{until}}) - GREATEST(p.open_date, {{since}}) + 1
            ) AS per_day,
            (f.first_offer AT TIME ZONE {{zone}})::date - p.open_date AS to_offer,
            (f.first_hire AT TIME ZONE {{zone_again}})::date - p.open_date AS to_hire
        FROM (
            SELECT a.posting_id, count(*) AS applications FROM ({{apps}}) a GROUP BY a.posting_id
        ) c
        JOIN {table(JobPosting)} p ON p.id = c.posting_id
        LEFT JOIN (
            SELECT a.posting_id,
                min(sc.changed_at) FILTER (WHERE sc.to_stage = {{offer}}) AS first_offer,
                min(sc.changed_at) FILTER (WHERE sc.to_stage = {{hired}}) AS first_hire
            FROM {table(StageChange)} sc
            JOIN ({{apps_again}}) a ON a.id = sc.application_id
            WHERE sc.to_stage = ANY({{milestones}})
            GROUP BY a.posting_id
        ) f ON f.posting_id = c.posting_id
        """,
        posting_zone=str(POSTING_TIME_ZONE),
        today=posting_today(),
        until=scope.submitted_to,
        since=scope.submitted_from,
        zone=settings.TIME_ZONE,
        apps=apps,
        zone_again=settings.TIME_ZONE,
        offer=str(Stage.OFFER),
        hired=str(Stage.HIRED),
        apps_again=apps,
        milestones=[str(Stage.OFFER), str(Stage.HIRED)],
    )


def periods_sql(scope: Scope) -> Sql:
    """Applications per day (per week over more than three months, per month over more than two
    years) from the first open date of the scope's postings to the last day one was open."""
    published = scope.postings.filter(published_at__isnull=False).order_by()
    return compose(
        """
        WITH bounds AS (
            SELECT lo, hi,
                CASE WHEN hi - lo <= 92 THEN 'day' WHEN hi - lo <= 731 THEN 'week'
                    ELSE 'month' END AS unit
            FROM (
                SELECT GREATEST(min(p.open_date), {since}::date) AS lo,
                    LEAST(
                        max(LEAST(
                            p.closing_date, (p.closed_early_at AT TIME ZONE {posting_zone})::date
                        )),
                        {today}, {until}::date
                    ) AS hi
                FROM ({postings}) p
            ) span
        )
        SELECT b.unit, period.start::date, COALESCE(c.n, 0)
        FROM bounds b
        CROSS JOIN LATERAL generate_series(
            date_trunc(b.unit, b.lo::timestamp), b.hi::timestamp, ('1 ' || b.unit)::interval
        ) AS period(start)
        LEFT JOIN (
            SELECT date_trunc(b.unit, a.submitted_at AT TIME ZONE {zone}) AS start, count(*) AS n
            FROM ({apps}) a CROSS JOIN bounds b
            GROUP BY 1
        ) c ON c.start = period.start
        ORDER BY period.start
        """,
        since=scope.submitted_from,
        posting_zone=str(POSTING_TIME_ZONE),
        today=posting_today(),
        until=scope.submitted_to,
        postings=published.values("open_date", "closing_date", "closed_early_at"),
        zone=settings.TIME_ZONE,
        apps=scope.application_columns(),
    )


def time_report(scope: Scope, *, limit: int | None = POSTINGS_SHOWN) -> TimeReport:
    """Return the time report of the scope (three queries)."""
    # The postings' figures are worked out once: the page's rows and the medians share them.
    postings = rows_of(
        compose(
            """
            WITH staffing AS MATERIALIZED ({staffing})
            SELECT page.*, summary.* FROM (
                SELECT t.*, count(*) OVER () AS posting_count FROM staffing t
                ORDER BY t.open_date DESC, t.reference_number LIMIT {limit}
            ) page
            CROSS JOIN (
                SELECT count(t.to_offer),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY t.to_offer),
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY t.to_offer),
                    count(t.to_hire),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY t.to_hire),
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY t.to_hire)
                FROM staffing t
            ) summary
            ORDER BY page.open_date DESC, page.reference_number
            """,
            staffing=staffing_sql(scope),
            limit=limit,
        )
    )
    # No posting with applications: no offer, no hire.
    summary = postings[0][9:] if postings else (0, None, None, 0, None, None)
    periods = rows_of(periods_sql(scope))
    return TimeReport(
        stages=stage_times(scope),
        postings=[
            PostingRow(
                reference=row[0],
                title=in_language(row[1], row[2]),
                figures={
                    "open_date": row[3],
                    "applications": row[4],
                    "per_day": row[5],
                    "to_offer": row[6],
                    "to_hire": row[7],
                },
            )
            for row in postings
        ],
        posting_count=postings[0][8] if postings else 0,
        to_offer=tuple(summary[0:3]),
        to_hire=tuple(summary[3:6]),
        unit=PeriodUnit(periods[0][0]) if periods else PeriodUnit.DAY,
        periods=[Period(start=row[1], applications=row[2]) for row in periods],
    )


# ---------------------------------------------------------------------------------------------
# Reach: where applicants live, where the postings are, their language, how they heard.


@dataclass(frozen=True)
class Share:
    label: str
    count: int


@dataclass(frozen=True)
class ReachReport:
    """The scope's applications by region of residence, facility of the posting, official
    language of correspondence and how the applicant heard of the posting."""

    total: int
    regions: list[Share]
    facilities: list[Share]
    languages: list[Share]
    heard_from: list[Share]

    def tables(self) -> list[Table]:
        def shares(slug, caption, heading, items, *, with_percent=True):
            headers = [heading, _("Applications")]
            if with_percent:
                headers.append(_("Share (%)"))
            return Table(
                slug,
                caption,
                headers,
                [
                    [item.label, item.count, *([percent(item.count, self.total)] * with_percent)]
                    for item in items
                ],
                footer=[[_("All applications"), self.total, *([Percent(100.0)] * with_percent)]]
                if self.total and with_percent
                else [],
            )

        return [
            shares("reach-region", _("By region of residence"), _("Region"), self.regions),
            shares(
                "reach-facility",
                _("By facility of the posting"),
                _("Facility"),
                self.facilities,
                with_percent=False,
            ),
            shares(
                "reach-language",
                _("By official language of correspondence"),
                _("Language"),
                self.languages,
            ),
            shares(
                "reach-heard-from",
                _("By how applicants heard of the posting"),
                _("Heard from"),
                self.heard_from,
            ),
        ]


def reach_report(scope: Scope) -> ReachReport:
    """Return the reach of the scope (two queries: one with grouping sets, one for facilities).

    The applications are counted first (by residence, language, how they heard), the few groups
    then given their region: joining every application to its province would cost far more.
    """
    rows = rows_of(
        compose(
            f"""
            SELECT g.by_residence, g.by_language, g.by_heard, g.correspondence_language,
                g.heard_from, r.id, r.name_en, r.name_fr, g.residence = {{outside}}, g.n
            FROM (
                SELECT GROUPING(a.residence) = 0 AS by_residence,
                    GROUPING(a.correspondence_language) = 0 AS by_language,
                    GROUPING(a.heard_from) = 0 AS by_heard,
                    a.residence, a.correspondence_language, a.heard_from, count(*) AS n
                FROM ({{apps}}) a
                GROUP BY GROUPING SETS (
                    (a.residence), (a.correspondence_language), (a.heard_from), ()
                )
            ) g
            LEFT JOIN {table(Province)} province
                ON g.by_residence AND province.code = g.residence
            LEFT JOIN {table(Region)} r ON r.id = province.region_id
            ORDER BY r."order", r.id, g.residence = {{outside_again}}
            """,
            outside=str(Residence.OUTSIDE),
            apps=scope.application_columns(),
            outside_again=str(Residence.OUTSIDE),
        )
    )
    total, regions, languages, heard = 0, {}, {}, {}
    for by_residence, by_language, by_heard, language, how, region, en, fr, outside, n in rows:
        if by_residence:
            # A few groups (the provinces and territories) added up into their regions.
            if region is not None:
                label = in_language(en, fr)
            elif outside:
                label = str(Residence.OUTSIDE.label)
            else:
                label = _("Region unknown")
            regions[label] = regions.get(label, 0) + n
        elif by_language:
            languages[language] = n
        elif by_heard:
            heard[how] = n
        else:
            total = n
    facilities = rows_of(
        compose(
            f"""
            SELECT f.name_en, f.name_fr, f.city, sum(c.n)::int AS n
            FROM (
                SELECT a.posting_id, count(*) AS n FROM ({{apps}}) a GROUP BY a.posting_id
            ) c
            JOIN {table(JobPosting.locations.through)} l ON l.jobposting_id = c.posting_id
            JOIN {table(Facility)} f ON f.id = l.facility_id
            GROUP BY f.id, f.name_en, f.name_fr, f.city
            ORDER BY n DESC, f.name_en
            """,
            apps=scope.application_columns(),
        )
    )
    return ReachReport(
        total=total,
        regions=[Share(label, n) for label, n in regions.items()],
        facilities=[Share(f"{in_language(en, fr)} ({city})", n) for en, fr, city, n in facilities],
        languages=[
            Share(str(language.label), languages[language.value])
            for language in OfficialLanguage
            if language.value in languages
        ],
        heard_from=[
            Share(str(HeardFrom(how).label) if how else _("Not answered"), heard[how])
            for how in [*HeardFrom.values, ""]
            if how in heard
        ],
    )
