"""Let HR administrators and recruiters read the export log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("applications")
    app_config.models_module = True  # the migration state's app stub lacks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="applications", codename="view_exportlog"
    )
    for group in apps.get_model("auth", "Group").objects.filter(
        name__in=["HR administrators", "Recruiters"]
    ):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_export_log")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
