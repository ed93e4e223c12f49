"""Both official languages: complete French catalogue, every page in /en/ and /fr/, formats."""

import datetime
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from positions.models import JobPosting
from positions.templatetags.site_tags import money
from tests.factories import JobPostingFactory

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_the_french_catalogue_is_complete():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_the_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(PO)).translated_entries()
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(MO))
        if e.msgid
    }
    assert compiled == source, "run: msgfmt -o locale/fr/LC_MESSAGES/django.mo (see README)"


def test_placeholders_survive_translation():
    pattern = r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}"

    def names(text):
        return set(re.findall(pattern, text))

    for entry in polib.pofile(str(PO)).translated_entries():
        if not entry.msgid_plural:
            assert names(entry.msgstr) == names(entry.msgid), entry.msgid
            continue
        # French uses the first form for 0 and 1: it may leave the count out ("Une nouvelle
        # offre"), as the English singular does, but must name nothing the English does not.
        every = names(entry.msgid) | names(entry.msgid_plural)
        for index, translated in entry.msgstr_plural.items():
            found = names(translated)
            if int(index) == 0:
                assert names(entry.msgid) <= found <= every, entry.msgid
            else:
                assert found == names(entry.msgid_plural), entry.msgid_plural


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_url_answers_in_both_languages_with_alternates(client, catalogue, language):
    posting = JobPostingFactory()
    paths = [
        "/",
        "/postings/",
        "/postings/?q=posting",
        posting.get_absolute_url()[3:],
        f"/postings/{posting.reference_number}/apply/",
        "/postings/feed/",
        "/occupations/",
        "/occupations/parole-officer/",
        "/about/",
        "/applications/status/",
    ]
    for path in paths:
        response = client.get(f"/{language}{path}")
        assert response.status_code == 200, path
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert f'<html lang="{language}">' in html, path
            other = "fr" if language == "en" else "en"
            assert re.search(rf'hreflang="{other}" href="http://testserver/{other}/', html), path


@pytest.mark.django_db
def test_french_pages_show_french_text_numbers_and_dates(client):
    posting = JobPostingFactory(
        salary_min=72_000,
        salary_max=80_500,
        open_date=datetime.date(2026, 11, 2),
        closing_date=datetime.date(2099, 12, 15),
    )

    html = client.get(f"/fr{posting.get_absolute_url()[3:]}").content.decode()

    assert posting.title_fr in html
    assert "Surveiller un groupe de délinquants" in html
    assert re.search(r"72[\u00a0\u202f ]000[\u00a0\u202f ]\$", html)
    assert "15 décembre 2099" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fr/postings/", "/fr/occupations/"])
def test_a_french_search_results_title_has_a_no_break_space_before_its_colon(client, path):
    html = client.get(path, {"q": "agent"}).content.decode()

    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith("Résultats de recherche\u00a0: "), title


def test_money_is_written_the_way_each_language_writes_it():
    with translation.override("en"):
        assert money(72000) == "$72,000"
    with translation.override("fr"):
        assert re.fullmatch(r"72[\u00a0\u202f ]000\u00a0\$", money(72000))


@pytest.mark.django_db
def test_full_text_search_uses_each_languages_own_text_and_stemming(client):
    JobPostingFactory(
        reference_number="FR-1",
        title="Parole officer",
        title_fr="Agent de libération conditionnelle",
        work_description="Meet offenders.",
        work_description_fr="Rencontrer les délinquants régulièrement.",
    )

    french = client.get("/fr/postings/", {"q": "délinquant"})
    english = client.get("/en/postings/", {"q": "délinquant"})

    assert [p.reference_number for p in french.context["postings"]] == ["FR-1"]
    assert list(english.context["postings"]) == []


@pytest.mark.django_db
def test_a_posting_cannot_be_published_without_its_french_text():
    posting = JobPostingFactory(published_at=None, title_fr="", work_description_fr="")
    posting.qualifications.update(text_fr="")

    problems = [str(problem) for problem in posting.publication_problems()]

    assert "its French title and work description are missing" in problems
    assert "some qualifications have no French text" in problems
    assert not JobPosting.objects.open().filter(pk=posting.pk).exists()


@pytest.mark.django_db
def test_root_sends_people_to_their_browsers_language(client):
    assert client.get("/", headers={"accept-language": "fr-CA"})["Location"] == "/fr/"
    assert client.get("/", headers={"accept-language": "en-CA"})["Location"] == "/en/"
    assert reverse("home") == "/en/"
