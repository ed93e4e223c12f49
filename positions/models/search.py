"""Keyword search of job postings: the documents searched, the query, and spelling suggestions.

Each posting has one full-text document per official language (JobPosting.search_en and
search_fr, GIN-indexed), made from its title, occupation, classification, places, work
description and qualifications. Two text search configurations per language, made in migration
0005, read that text, both without accents or capitals (unaccent): the language's stemmer
("paroles" finds parole) and its words left whole, so that the start of a word finds it
("électric" finds électricien, where the stem of the start may not be the start of the stem).

The words of every document, accents kept, are also listed in SearchWord, so that a misspelt
keyword can be matched to the closest word of the open postings (pg_trgm).
"""

import functools
import json
import operator
import re
import unicodedata

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity
from django.db import connections, models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Replace
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

SEARCH_LANGUAGES = ("en", "fr")
# Made in migration 0005_search_places_and_codes.
STEMMED_CONFIGS = {"en": "csc_english", "fr": "csc_french"}
WORDS_CONFIGS = {"en": "csc_english_words", "fr": "csc_french_words"}

# What the search reads as words: letters and digits, so "CX-01", "CX 01" and "cx01" are codes,
# and operators or quotes are only separators.
KEYWORD_WORD = re.compile(r"[^\W_]+")
# Shorter words (codes such as CX or 04) must match whole: as a start they would match too much.
PREFIX_LENGTH = 3


def search_language(language: str | None = None) -> str:
    """Return the language whose document is searched: the given one, else the active one."""
    language = (language or get_language() or "en")[:2]
    return language if language in SEARCH_LANGUAGES else "en"


def keyword_words(text: str) -> list[str]:
    """Return the words of a keyword as the search reads them."""
    return KEYWORD_WORD.findall(unicodedata.normalize("NFC", text))


def keyword_query(text: str, language: str) -> SearchQuery | None:
    """Return a query for postings with every word, stemmed or as a start; None without words."""
    query = None
    for word in keyword_words(text):
        term = f"'{word}':*" if len(word) >= PREFIX_LENGTH else f"'{word}'"
        either = SearchQuery(term, config=STEMMED_CONFIGS[language], search_type="raw") | (
            SearchQuery(term, config=WORDS_CONFIGS[language], search_type="raw")
        )
        query = either if query is None else query & either
    return query


# --- The documents ----------------------------------------------------------------------------


def translated(field: str, language: str) -> Coalesce:
    """Return a field's text in the language, or its English text (modeltranslation's fallback)."""
    return Coalesce(
        NullIf(F(f"{field}_{language}"), Value("")),
        F(f"{field}_en"),
        output_field=models.TextField(),
    )


class Joined(Func):
    """The texts separated by spaces (concat_ws leaves out missing ones)."""

    function = "CONCAT_WS"
    output_field = models.TextField()

    def __init__(self, *texts):
        super().__init__(Value(" "), *texts)


def document_texts(postings_model, language: str) -> list[tuple[models.Expression, str]]:
    """Return what a posting's document is made of in the language, by weight (A, B, C).

    A: its title, occupation and classification; B: its places and work description; C: its
    qualifications. Works with the historical models of a migration too: the related models are
    found from the posting model, and classification labels are translated from its choices.
    """
    fields = postings_model._meta
    occupation = fields.get_field("occupation").related_model
    qualification = fields.get_field("qualifications").related_model
    location = fields.get_field("locations").remote_field.through
    with translation.override(language):
        # Lazy labels (the live model) or plain English ones (a migration's): French either way.
        labels = {
            value: gettext(str(label))
            for value, label in fields.get_field("classification_group").choices
        }
    group_label = Func(
        Value(json.dumps(labels, ensure_ascii=False)),
        F("classification_group"),
        template="(%(expressions)s)",
        arg_joiner="::jsonb ->> ",
        output_field=models.TextField(),
    )
    level = F("classification_level")
    classification = Joined(
        # "CX-01" is searched as the words CX and 01, "CX01" as one.
        F("classification_group"),
        Replace(level, Value("-"), Value(" ")),
        Concat(F("classification_group"), Replace(level, Value("-"), Value(""))),
        group_label,
    )
    occupation_title = (
        occupation.objects.filter(pk=OuterRef("occupation_id"))
        .order_by()
        .annotate(document_text=translated("title", language))
        .values("document_text")
    )
    places = (
        location.objects.filter(jobposting_id=OuterRef("pk"))
        .order_by()
        .values("jobposting_id")
        .annotate(
            document_text=StringAgg(
                Joined(
                    translated("facility__name", language),
                    translated("facility__city", language),
                    translated("facility__province__name", language),
                    F("facility__province__code"),
                    translated("facility__region__name", language),
                ),
                delimiter=" ",
            )
        )
        .values("document_text")
    )
    qualifications = (
        qualification.objects.filter(posting_id=OuterRef("pk"))
        .order_by()
        .values("posting_id")
        .annotate(document_text=StringAgg(translated("text", language), delimiter=" "))
        .values("document_text")
    )
    return [
        (
            Joined(translated("title", language), Subquery(occupation_title[:1]), classification),
            "A",
        ),
        (Joined(Subquery(places), translated("work_description", language)), "B"),
        (Subquery(qualifications), "C"),
    ]


def rebuild_search_documents(postings: models.QuerySet) -> None:
    """Rebuild the postings' documents in both languages, and add their words to SearchWord.

    Two statements, however many postings: used for one posting, for the postings of a renamed
    facility or occupation, and for all of them in migration 0005.
    """
    documents = {}
    for language in SEARCH_LANGUAGES:
        texts = document_texts(postings.model, language)
        documents[f"search_{language}"] = functools.reduce(
            operator.add,
            [
                SearchVector(text, config=config, weight=weight)
                for config in (STEMMED_CONFIGS[language], WORDS_CONFIGS[language])
                for text, weight in texts
            ],
        )
    postings.update(**documents)

    word_model = postings.model._meta.apps.get_model("positions", "SearchWord")
    selects, params = [], []
    for language in SEARCH_LANGUAGES:
        texts = [text for text, _weight in document_texts(postings.model, language)]
        # The words as written, lowercased, accents kept: what a suggestion shows.
        words = (
            postings.order_by()
            .annotate(
                word=Func(
                    Func(SearchVector(*texts, config="simple"), function="tsvector_to_array"),
                    function="unnest",
                    output_field=models.TextField(),
                )
            )
            .values("word")
        )
        sql, word_params = words.query.sql_with_params()
        selects.append(f"SELECT %s AS language, word FROM ({sql}) AS posting_words")
        params += [language, *word_params]
    with connections[postings.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {word_model._meta.db_table} (language, word, plain) "
            "SELECT DISTINCT language, word, plain FROM ("
            f"  SELECT language, word, unaccent(word) AS plain FROM ({' UNION '.join(selects)}) w"
            ") AS words WHERE word ~ '[[:alpha:]]' AND char_length(word) >= %s "
            # Unaccented, "œ" is "oe": the plain word may be the longer.
            "AND greatest(char_length(word), char_length(plain)) <= %s "
            "ON CONFLICT (language, word) DO NOTHING",
            [*params, PREFIX_LENGTH, SearchWord.WORD_LENGTH],
        )


# --- Spelling suggestions ---------------------------------------------------------------------


class SearchWordQuerySet(models.QuerySet):
    # Below this, a word is too far from what was typed to be what was meant.
    MINIMUM_SIMILARITY = 0.45

    def correction(self, text: str, *, language: str, postings: models.QuerySet) -> str | None:
        """Return the keyword with each word no posting has replaced by the closest one some has.

        None when no word changes. `postings` are the postings whose words count (the open
        ones); short words and numbers (codes such as CX or 04) are left as typed.
        """
        words = keyword_words(text)
        checked = {
            index: word
            for index, word in enumerate(words)
            if len(word) >= PREFIX_LENGTH and not word.isdigit()
        }
        if not checked:
            return None
        typed = {
            index: Func(Lower(Value(word)), function="unaccent", output_field=models.TextField())
            for index, word in checked.items()
        }
        in_postings = postings.filter(
            **{
                f"search_{language}": SearchQuery(
                    OuterRef("word"), config=WORDS_CONFIGS[language], search_type="plain"
                )
            }
        )
        similar = Q()
        for plain in typed.values():
            similar |= Q(plain__trigram_similar=plain)
        candidates = (
            self.filter(similar, language=language)
            .filter(Exists(in_postings))
            .annotate(
                **{
                    f"similarity_{index}": TrigramSimilarity("plain", plain)
                    for index, plain in typed.items()
                }
            )
            .values("word", *(f"similarity_{index}" for index in typed))
        )
        candidates = list(candidates)
        replacements = {}
        for index in checked:
            # The most similar word; of equally similar ones, the shortest.
            scored = [
                (row[f"similarity_{index}"], -len(row["word"]), row["word"]) for row in candidates
            ]
            similarity, _length, best = max(scored, default=(0, 0, ""))
            # A similarity of 1 is the word itself (accents and capitals aside): it is spelt right.
            if self.MINIMUM_SIMILARITY <= similarity < 1:
                replacements[index] = best
        if not replacements:
            return None
        position = iter(range(len(words)))
        return KEYWORD_WORD.sub(
            lambda match: replacements.get(next(position), match.group()),
            unicodedata.normalize("NFC", text),
        )


class SearchWord(models.Model):
    """A word of the job postings, in one language, that a misspelt keyword may have meant."""

    WORD_LENGTH = 60

    language = models.CharField(_("language"), max_length=2)
    word = models.CharField(_("word"), max_length=WORD_LENGTH)
    plain = models.CharField(_("word without accents"), max_length=WORD_LENGTH)

    objects = SearchWordQuerySet.as_manager()

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        constraints = [
            models.UniqueConstraint(fields=["language", "word"], name="search_word_unique"),
        ]
        indexes = [
            GinIndex(OpClass(F("plain"), name="gin_trgm_ops"), name="search_word_plain_trgm"),
        ]

    def __str__(self):
        return self.word
