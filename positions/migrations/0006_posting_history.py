"""A posting's history: PostingEvent, started for each posting with the moves its dates record."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# What the dates kept on each posting say of its past moves (who made them was not recorded).
DATED_MOVES = [
    ("published_at", "published"),
    ("closed_early_at", "closed"),
    ("archived_at", "archived"),
]


def record_known_moves(apps, schema_editor):
    """Start each posting's history with the moves its dates record, by nobody known."""
    JobPosting = apps.get_model("positions", "JobPosting")
    PostingEvent = apps.get_model("positions", "PostingEvent")
    events = [
        PostingEvent(posting_id=posting["pk"], action=action, at=posting[field], by=None)
        for posting in JobPosting.objects.values("pk", *(field for field, _action in DATED_MOVES))
        for field, action in DATED_MOVES
        if posting[field] is not None
    ]
    PostingEvent.objects.bulk_create(sorted(events, key=lambda event: event.at))


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0005_search_places_and_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PostingEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("published", "Published"),
                            ("reopened", "Reopened"),
                            ("closed", "Closed early"),
                            ("archived", "Archived"),
                            ("created-as-copy", "Created as a copy"),
                        ],
                        max_length=20,
                        verbose_name="what",
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                ("note", models.TextField(blank=True, max_length=1000, verbose_name="note")),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when a command made the change.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "posting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="positions.jobposting",
                        verbose_name="job posting",
                    ),
                ),
            ],
            options={
                "verbose_name": "posting event",
                "verbose_name_plural": "posting events",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.RunPython(record_known_moves, migrations.RunPython.noop),
    ]
