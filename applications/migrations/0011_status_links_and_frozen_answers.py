import uuid

import django.contrib.postgres.functions
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Status links name a random identifier; ratings keep their qualification."""

    dependencies = [
        ("applications", "0010_screening_answer_choice"),
        ("positions", "0003_jobposting_reviewers"),
    ]

    operations = [
        # The database default gives every existing application its own random identifier.
        migrations.AddField(
            model_name="application",
            name="public_id",
            field=models.UUIDField(
                db_default=django.contrib.postgres.functions.RandomUUID(),
                default=uuid.uuid4,
                editable=False,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="qualificationrating",
            name="qualification",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ratings",
                to="positions.qualification",
            ),
        ),
    ]
