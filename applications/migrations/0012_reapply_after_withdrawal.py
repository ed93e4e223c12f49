from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0011_status_links_and_frozen_answers"),
    ]

    operations = []
