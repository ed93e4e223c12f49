import csc_careers.telephone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each posting names its HR contact; drafts may leave it empty, publishing needs it."""

    dependencies = [
        ("positions", "0003_jobposting_reviewers"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobposting",
            name="hr_contact_name",
            field=models.CharField(
                blank=True,
                help_text="The person or team applicants may write to. Required to publish.",
                max_length=200,
                verbose_name="HR contact name",
            ),
        ),
        migrations.AddField(
            model_name="jobposting",
            name="hr_contact_email",
            field=models.EmailField(
                blank=True,
                help_text="Required to publish.",
                max_length=254,
                verbose_name="HR contact e-mail address",
            ),
        ),
        migrations.AddField(
            model_name="jobposting",
            name="hr_contact_phone",
            field=models.CharField(
                blank=True,
                help_text="Optional. E.g. 613-555-0142, or +44 20 7946 0958 outside North America.",
                max_length=30,
                validators=[csc_careers.telephone.validate_telephone],
                verbose_name="HR contact telephone number",
            ),
        ),
    ]
