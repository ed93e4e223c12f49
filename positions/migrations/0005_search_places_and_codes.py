"""Search postings by place and classification, without accents, by prefix; spelling suggestions.

- unaccent and pg_trgm (contrib, trusted: the database owner may create them);
- per language, two text search configurations that drop accents (unaccent): the stemmer
  (csc_english, csc_french) and whole words without stop words (csc_english_words,
  csc_french_words) so that the start of a word finds it;
- SearchWord, the words of the postings with a trigram index, for "Did you mean";
- Occupation.featured, which puts an occupation first in the occupations list;
- every posting's documents rebuilt with the new configurations and their places and codes.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

CONFIGURATIONS = """
CREATE TEXT SEARCH CONFIGURATION csc_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION csc_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

CREATE TEXT SEARCH CONFIGURATION csc_french (COPY = french);
ALTER TEXT SEARCH CONFIGURATION csc_french
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

CREATE TEXT SEARCH DICTIONARY csc_english_words (TEMPLATE = simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION csc_english_words (COPY = english);
ALTER TEXT SEARCH CONFIGURATION csc_english_words
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH csc_english_words;
ALTER TEXT SEARCH CONFIGURATION csc_english_words
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, csc_english_words;

CREATE TEXT SEARCH DICTIONARY csc_french_words (TEMPLATE = simple, STOPWORDS = french);
CREATE TEXT SEARCH CONFIGURATION csc_french_words (COPY = french);
ALTER TEXT SEARCH CONFIGURATION csc_french_words
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH csc_french_words;
ALTER TEXT SEARCH CONFIGURATION csc_french_words
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, csc_french_words;
"""

DROP_CONFIGURATIONS = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS csc_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS csc_french;
DROP TEXT SEARCH CONFIGURATION IF EXISTS csc_english_words;
DROP TEXT SEARCH CONFIGURATION IF EXISTS csc_french_words;
DROP TEXT SEARCH DICTIONARY IF EXISTS csc_english_words;
DROP TEXT SEARCH DICTIONARY IF EXISTS csc_french_words;
"""


def rebuild_documents(apps, schema_editor):
    # The same rebuild the site runs, on this migration's models (it reads fields by name).
    from positions.models.search import rebuild_search_documents

    rebuild_search_documents(apps.get_model("positions", "JobPosting").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0004_posting_hr_contact"),
    ]

    operations = [
        # Not dropped on the way back: the applications app's trigram indexes need pg_trgm too.
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;",
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(CONFIGURATIONS, DROP_CONFIGURATIONS),
        migrations.AddField(
            model_name="occupation",
            name="featured",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Featured occupations come first in the occupations list, before the career "
                    "streams, e.g. where CSC hires the most people."
                ),
                verbose_name="featured",
            ),
        ),
        migrations.AlterModelOptions(
            name="occupation",
            options={
                "ordering": ["-featured", "stream__order", "order", "title"],
                "verbose_name": "occupation",
                "verbose_name_plural": "occupations",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=2, verbose_name="language")),
                ("word", models.CharField(max_length=60, verbose_name="word")),
                (
                    "plain",
                    models.CharField(max_length=60, verbose_name="word without accents"),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("plain"), name="gin_trgm_ops"
                        ),
                        name="search_word_plain_trgm",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("language", "word"), name="search_word_unique")
                ],
            },
        ),
        migrations.RunPython(rebuild_documents, migrations.RunPython.noop, elidable=True),
    ]
