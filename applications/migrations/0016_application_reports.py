"""HR reports (issue 18): their place in the admin (a proxy of Application) and who may read them.

HR administrators, recruiters and reviewers see the reports (reviewers only on their own
postings); employment equity figures need, besides, the equity permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["HR administrators", "Recruiters", "Reviewers"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("applications")
    app_config.models_module = True  # the migration state's app stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="applications", codename="view_reports"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("applications", "0015_heard_from")]

    operations = [
        migrations.CreateModel(
            name="ApplicationReport",
            fields=[],
            options={
                "verbose_name": "report",
                "verbose_name_plural": "reports",
                "permissions": [("view_reports", "Can see the HR reports")],
                "default_permissions": [],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("applications.application",),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
