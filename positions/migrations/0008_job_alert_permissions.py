"""Let HR administrators read job alert subscriptions and delete one on request."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("positions")
    app_config.models_module = True  # the migration state's app stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="positions", codename__in=["view_jobalert", "delete_jobalert"]
    )
    for group in apps.get_model("auth", "Group").objects.filter(name="HR administrators"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0007_job_alerts"),
        ("applications", "0003_roles_and_stage_messages"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
