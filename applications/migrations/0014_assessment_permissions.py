"""The roles' permissions on assessment plans and ratings.

HR administrators write plans (steps and boards) and read the plan changes and every rating;
recruiters read ratings for the record of decision. Reviewers need no model permission: a seat on
a step's board is what lets someone rate it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "HR administrators": {
        "positions": [
            "add_assessmentstep",
            "change_assessmentstep",
            "delete_assessmentstep",
            "view_assessmentstep",
            "view_planchange",
        ],
        "applications": ["view_steprating"],
    },
    "Recruiters": {"positions": ["view_assessmentstep"], "applications": ["view_steprating"]},
}


def grant(apps, schema_editor):
    for label in ("positions", "applications"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # the migration state's app stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        for label, codenames in GRANTS[group.name].items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("applications", "0013_assessment_results")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
