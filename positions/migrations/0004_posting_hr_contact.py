from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0003_jobposting_reviewers"),
    ]

    operations = []
