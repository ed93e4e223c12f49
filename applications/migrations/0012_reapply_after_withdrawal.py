import csc_careers.telephone
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    """A person who withdrew may apply again; telephone numbers are checked and normalized.

    The one-application rule no longer counts withdrawn applications (which stay on record).
    """

    dependencies = [
        ("applications", "0011_status_links_and_frozen_answers"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="application",
            name="one_application_per_email_per_posting",
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                models.F("posting"),
                condition=models.Q(("stage", "withdrawn"), _negated=True),
                name="one_application_per_email_per_posting",
                violation_error_message="You have already applied to this job posting.",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="phone",
            field=models.CharField(
                max_length=30,
                validators=[csc_careers.telephone.validate_telephone],
                verbose_name="telephone number",
            ),
        ),
    ]
