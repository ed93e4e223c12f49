"""The catalogue fixtures hold everything CSC's source pages list.

The expected items are parsed from the pages in fixtures/sources/, not copied here, so that a duty,
trade or priority dropped from (or misspelt in) a fixture makes a test fail.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from positions.models import (
    CareerStream,
    Duty,
    DutyList,
    Occupation,
    ProgramArea,
    StrategicPriority,
    WorkEnvironment,
)
from tests.conftest import CATALOGUE_FIXTURES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "fixtures" / "sources"

CAREERS = "careers-professional-and-technical.txt"
NOC = "noc-4155-probation-parole-officers.txt"
OFFICERS = "correctional-officers-role.txt"
PROGRAMS = "working-with-offenders.txt"
FRAMEWORK = "framework-international-development.txt"

SPECIALIZATION_LISTS = [
    "CORCAN has instructor positions in the following areas:",
    "Positions in the food services group include:",
    "Positions in institutional services include:",
    "They include full-time permanent positions in the following trades and areas:",
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


# --- Reading the source pages ----------------------------------------------------------------


def norm(text: str) -> str:
    """Lowercase, single spaces, one kind of apostrophe, no list-joining "and" at the end."""
    text = " ".join(text.replace("\u2019", "'").split()).lower()
    return re.sub(r",? and$", "", text)


def norms(texts) -> list[str]:
    return [norm(text) for text in texts]


def read(name: str) -> list[str]:
    return (SOURCES / name).read_text(encoding="utf-8").splitlines()


def bullet_run(lines: list[str], index: int, bullet: str = "- ") -> list[str]:
    """Return the bulleted items directly below lines[index], up to the first other line."""
    items = []
    for line in lines[index + 1 :]:
        if not line.strip().startswith(bullet):
            break
        items.append(line.strip().removeprefix(bullet))
    return items


def is_role_heading(lines: list[str], index: int) -> bool:
    """A role heading is followed by "As a(n) <heading>, you will:" (the IT roles)."""
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return re.fullmatch(rf"As an? {re.escape(lines[index])}, you will:", following) is not None


def is_occupation_heading(lines: list[str], index: int) -> bool:
    """A short title line: no bullet, no colon, no full stop; not "Duties", a video or a role."""
    line = lines[index]
    return not (
        not line
        or line.startswith("- ")
        or ":" in line
        or line.endswith(".")
        or line == "Duties"
        or line.startswith("Meet ")
        or is_role_heading(lines, index)
    )


def careers_sections() -> dict[str, list[str]]:
    """Split the careers page's "Positions" part into {occupation heading: its lines}."""
    lines = read(CAREERS)
    lines = lines[lines.index("Positions") + 1 : lines.index("CSC's hiring process")]
    sections: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        if is_occupation_heading(lines, index):
            heading = line
            sections[heading] = []
        else:
            sections[heading].append(line)
    return sections


def occupation_for(heading: str) -> Occupation:
    """Find the occupation a heading names; some name the group ("Finance department")."""
    stem = norm(re.sub(r" (positions|department)$", "", heading))
    matches = [o for o in Occupation.objects.all() if norm(o.title).startswith(stem)]
    assert len(matches) == 1, f"{heading!r} matches {matches}"
    return matches[0]


def duty_texts(duty_list: DutyList) -> list[str]:
    return norms(duty_list.duties.order_by("order", "pk").values_list("text", flat=True))


def duty_list_introduced_by(occupation: Occupation, introduction: str) -> DutyList:
    matches = [d for d in occupation.duty_lists.all() if norm(d.introduction) == norm(introduction)]
    assert len(matches) == 1, f"{occupation}: no single duty list {introduction!r}"
    return matches[0]


def page_block(lines: list[str], start: str, end: str) -> list[str]:
    """Return the lines strictly between the line `start` and the next line `end`."""
    first = lines.index(start) + 1
    return lines[first : lines.index(end, first)]


# --- Careers page ----------------------------------------------------------------------------


def test_every_position_heading_is_an_occupation():
    headings = list(careers_sections())
    assert headings
    occupations = {occupation_for(heading).pk for heading in headings}
    assert len(occupations) == len(headings)
    assert all(Occupation.objects.get(pk=pk).is_published for pk in occupations)


def test_occupations_belong_to_the_stream_the_page_introduces_them_under():
    stream_summary = None
    lines = read(CAREERS)
    sections = careers_sections()
    for line in lines:
        if re.match(r"(Some|Other) team members ", line):
            stream_summary = line
        elif line in sections:
            assert norm(occupation_for(line).stream.summary) == norm(stream_summary), line


def test_duties_are_complete_and_in_order():
    checked = 0
    for heading, lines in careers_sections().items():
        occupation = occupation_for(heading)
        for index, line in enumerate(lines):
            if line in ("Duties", "Duties:"):
                introduction = lines[index + 1]
                duty_list = duty_list_introduced_by(occupation, introduction)
                assert duty_texts(duty_list) == norms(bullet_run(lines, index + 1)), heading
                checked += 1
    assert checked == sum(line in ("Duties", "Duties:") for line in read(CAREERS))


def test_a_duty_stated_in_a_sentence_is_a_duty_list_of_its_own():
    """E.g. "As a dietitian …, you are responsible for …. You will provide … interventions." """
    checked = 0
    for heading, lines in careers_sections().items():
        for line in lines:
            sentence = re.fullmatch(r"(As an? .+ You will) (.+)\.", line)
            if sentence:
                introduction, duty = sentence.groups()
                duty_list = duty_list_introduced_by(occupation_for(heading), introduction + ":")
                assert duty_texts(duty_list) == [norm(duty)]
                checked += 1
    assert checked


def test_duties_ending_with_a_colon_hold_their_sub_items():
    lines = [line for section in careers_sections().values() for line in section]
    parents = [line[2:] for line in lines if line.startswith("- ") and line.endswith(":")]
    assert parents
    for text in parents:
        assert Duty.objects.get(text=text).children.exists(), text
    for child in Duty.objects.exclude(parent=None):
        assert child.duty_list_id == child.parent.duty_list_id
        assert child.order > child.parent.order


def test_listed_positions_and_trades_are_specializations_of_their_occupation():
    found = 0
    for heading, lines in careers_sections().items():
        occupation = occupation_for(heading)
        names = norms(occupation.specializations.values_list("name", flat=True))
        for index, line in enumerate(lines):
            if line in SPECIALIZATION_LISTS:
                expected = norms(bullet_run(lines, index))
                assert expected, line
                assert [name for name in names if name in expected] == expected, heading
                found += 1
    assert found == len(SPECIALIZATION_LISTS)


def test_human_resources_roles_keep_their_descriptions():
    (heading, lines), *_ = (
        (heading, lines)
        for heading, lines in careers_sections().items()
        if "Positions in the HRM sector could include:" in lines
    )
    start = lines.index("Positions in the HRM sector could include:")
    roles = []
    for line in lines[start + 1 :]:
        role = re.fullmatch(r"([^:]+): (.+[^.:])", line)
        if not role:
            break
        roles.append(tuple(norms(role.groups())))
    assert roles
    stored = {
        (norm(s.name), norm(s.description)) for s in occupation_for(heading).specializations.all()
    }
    assert set(roles) <= stored


def test_each_it_role_is_a_specialization_with_its_own_duties():
    roles = 0
    for heading, lines in careers_sections().items():
        for index in range(len(lines) - 1):
            if is_role_heading(lines, index):
                specialization = occupation_for(heading).specializations.get(name=lines[index])
                (duty_list,) = specialization.duty_lists.all()
                assert norm(duty_list.introduction) == norm(lines[index + 1])
                assert duty_texts(duty_list) == norms(bullet_run(lines, index + 1))
                roles += 1
    assert roles


def test_every_bulleted_item_of_an_occupation_is_kept():
    """Lists that are neither duties nor roles (relationships, assets, …) live in sections."""
    for heading, lines in careers_sections().items():
        occupation = occupation_for(heading)
        kept = {
            *norms(occupation.specializations.values_list("name", flat=True)),
            *norms(
                Duty.objects.filter(duty_list__occupation=occupation).values_list("text", flat=True)
            ),
            *norms(item for section in occupation.sections.all() for item in section.item_list),
        }
        for line in lines:
            if line.startswith("- "):
                item = norm(line[2:])
                assert item in kept or item in norm(occupation.overview), f"{heading}: {line}"


def test_education_requirement():
    """ "Education Requirement: A and B." gives one requirement per part."""
    checked = 0
    for heading, lines in careers_sections().items():
        texts = norms(occupation_for(heading).requirements.values_list("text", flat=True))
        for line in lines:
            requirement = re.fullmatch(r"Education Requirement: (.+)\.", line)
            if requirement:
                for part in requirement.group(1).split(" and "):
                    assert norm(part) in texts, part
                checked += 1
    assert checked


def test_videos_named_on_the_page():
    for heading, lines in careers_sections().items():
        titles = [line for line in lines if line.startswith("Meet ")]
        stored = occupation_for(heading).videos.values_list("title", flat=True)
        assert norms(stored) == norms(titles), heading


def test_work_environment_figures():
    lines = read(CAREERS)
    figures = bullet_run(
        lines, next(i for i, x in enumerate(lines) if x.endswith("This includes:"))
    )
    assert len(figures) == 3
    for figure in figures:
        number, name = re.fullmatch(r"(\d+) (.+)", figure).groups()
        environment = WorkEnvironment.objects.get(name__iexact=norm(name))
        assert environment.count == int(number)


# --- NOC 4155 page ---------------------------------------------------------------------------


def noc_occupation() -> Occupation:
    code = re.search(r"\(NOC (\d+)\)", read(NOC)[0]).group(1)
    return Occupation.objects.get(noc_code=code)


def labelled_groups(lines: list[str]) -> dict[str, list[str]]:
    """Group "  • " items under the last non-bullet line before them ("Probation officers:")."""
    groups: dict[str, list[str]] = {}
    label = None
    for line in lines:
        if line.strip().startswith("• "):
            groups.setdefault(label, []).append(line.strip().removeprefix("• "))
        elif line.strip():
            label = line.strip()
    return groups


def test_noc_duty_lists_under_their_headings():
    occupation = noc_occupation()
    groups = labelled_groups(page_block(read(NOC), "Duties", "Work environment"))
    assert len(groups) == 2
    for heading, duties in groups.items():
        duty_list = occupation.duty_lists.get(heading=heading)
        assert duty_texts(duty_list) == norms(duties)


def test_noc_about_this_job():
    occupation = noc_occupation()
    groups = labelled_groups(page_block(read(NOC), "About this job", "Common job titles"))
    for label, items in groups.items():
        name = label.removesuffix(":")
        specialization = occupation.specializations.filter(name=name).first()
        if specialization:
            assert norms([specialization.description]) == norms(items)
        else:
            section = occupation.sections.get(body=label)
            assert norms(section.item_list) == norms(items)
    assert occupation.specializations.count() == len(groups) - 1


def test_noc_common_job_titles_once_each():
    lines = read(NOC)
    titles = bullet_run(lines, lines.index("Common job titles"), bullet="• ")
    stored = noc_occupation().alternative_titles.values_list("title", flat=True)
    assert norms(stored) == norms(dict.fromkeys(titles))


def test_noc_work_environment_and_career_path():
    lines = read(NOC)
    occupation = noc_occupation()
    aspects = labelled_groups(page_block(lines, "Work environment", "Career paths and resources"))
    for label, items in aspects.items():
        section = occupation.sections.get(heading="Work environment")
        assert norm(section.body) == norm(label)
        assert norms(section.item_list) == norms(items)
    career_path = page_block(lines, "Career paths", "Additional resources")
    assert norm(occupation.career_path) == norm(" ".join(career_path))


# --- Correctional officers page --------------------------------------------------------------


def test_correctional_officer_requirements_and_sections():
    lines = read(OFFICERS)
    occupation = Occupation.objects.get(slug="correctional-officer")
    texts = norms(occupation.requirements.values_list("text", flat=True))
    _lead, *requirements = page_block(
        lines, "Training and Qualifications", "Interactions with Inmates"
    )
    for sentence in requirements:
        assert norm(re.sub(r"^(Furthermore), ", "", sentence)) in texts, sentence
    for heading, end in [
        ("Interactions with Inmates", "Challenges of the Role"),
        ("Challenges of the Role", "Career Advancement Opportunities"),
    ]:
        section = occupation.sections.get(heading__iexact=heading)
        assert norm(section.body) == norm(" ".join(page_block(lines, heading, end)))


# --- About CSC -------------------------------------------------------------------------------


def test_strategic_priorities():
    lines = read(FRAMEWORK)
    start = next(i for i, line in enumerate(lines) if line.endswith("five strategic priorities:"))
    priorities = bullet_run(lines, start + 1, bullet="• ")
    assert len(priorities) == 5
    stored = StrategicPriority.objects.order_by("order").values_list("text", flat=True)
    assert norms(stored) == norms(priorities)


def test_program_areas():
    """Each heading of the page is a program area and each paragraph after one its description."""
    blocks = [
        block.strip() for block in (SOURCES / PROGRAMS).read_text(encoding="utf-8").split("\n\n")
    ]
    blocks = [block for block in blocks if block][1:]  # without the page title
    first_heading = next(i for i, block in enumerate(blocks) if not block.endswith("."))
    headings = [block for block in blocks[first_heading:] if not block.endswith(".")]
    paragraphs = [block for block in blocks[first_heading:] if block.endswith(".")]
    names = norms(ProgramArea.objects.values_list("name", flat=True))
    descriptions = norms(ProgramArea.objects.values_list("description", flat=True))
    assert set(norms(headings)) <= set(names)
    for paragraph in paragraphs:
        without_links = re.sub(r"\s*(Find out|Learn) more [^.]*\.", "", paragraph)
        assert norm(without_links) in descriptions, paragraph
    assert ProgramArea.objects.count() == len(paragraphs)


def test_career_streams_and_environments_are_present():
    assert CareerStream.objects.count() == 3
    assert not CareerStream.objects.filter(occupations=None).exists()
    assert WorkEnvironment.objects.count() == 5


# --- Loading ---------------------------------------------------------------------------------


def test_loading_twice_does_not_duplicate_rows():
    models = [
        model
        for model in apps.get_app_config("positions").get_models()
        if model.__module__ == "positions.models.catalogue"
    ]

    def counts():
        return {model.__name__: model._default_manager.count() for model in models}

    before = counts()
    assert all(before.values()), before
    call_command("loaddata", *CATALOGUE_FIXTURES, verbosity=0)
    assert counts() == before
