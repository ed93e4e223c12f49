from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0004_posting_hr_contact"),
    ]

    operations = []
