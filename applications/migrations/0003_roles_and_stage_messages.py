"""Create the three staff roles and the default wording of the stage e-mails."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HR_ADMINISTRATORS = "HR administrators"
REVIEWERS = "Reviewers"
RECRUITERS = "Recruiters"

ROLES = {
    HR_ADMINISTRATORS: {
        "positions": [
            f"{action}_{model}"
            for model in ("jobposting", "qualification", "screeningquestion")
            for action in ("add", "change", "delete", "view")
        ]
        + ["view_occupation", "view_facility", "view_region", "view_province"],
        "applications": [
            "view_application",
            "change_application",
            "view_all_applications",
            "view_resume",
            "move_application",
            "assign_application",
            "export_applications",
            "view_screeninganswer",
            "add_applicationnote",
            "view_applicationnote",
            "add_qualificationrating",
            "change_qualificationrating",
            "view_qualificationrating",
            "view_stagechange",
            "view_stagemessage",
            "change_stagemessage",
        ],
    },
    REVIEWERS: {
        "positions": ["view_jobposting", "view_occupation"],
        "applications": [
            "view_application",
            "change_application",
            "view_resume",
            "move_application",
            "view_screeninganswer",
            "add_applicationnote",
            "view_applicationnote",
            "add_qualificationrating",
            "change_qualificationrating",
            "view_qualificationrating",
            "view_stagechange",
        ],
    },
    RECRUITERS: {
        "positions": ["view_jobposting", "view_occupation", "view_region"],
        "applications": [
            "view_application",
            "view_all_applications",
            "view_resume",
            "export_applications",
            "view_screeninganswer",
            "view_applicationnote",
            "view_qualificationrating",
            "view_stagechange",
        ],
    },
}

MESSAGES = {
    "screened-out": (
        "Your application {reference}: {posting_title}",
        "Votre candidature {reference} : {posting_title}",
        "Hello {first_name},\n\nThank you for applying to “{posting_title}”. After screening, your "
        "application will not go further in this process, because it does not show that you meet "
        "all the essential qualifications.\n\nYou can see your application here: {status_url}\n\n"
        "Correctional Service of Canada – Careers",
        "Bonjour {first_name},\n\nMerci d’avoir postulé pour « {posting_title} ». Après la "
        "présélection, votre candidature ne sera pas retenue pour la suite de ce processus, car "
        "elle ne démontre pas que vous possédez toutes les qualifications essentielles.\n\n"
        "Vous pouvez consulter votre candidature ici : {status_url}\n\n"
        "Service correctionnel du Canada – Carrières",
    ),
    "assessment": (
        "Invitation to an assessment: {posting_title}",
        "Invitation à une évaluation : {posting_title}",
        "Hello {first_name},\n\nYour application {reference} for “{posting_title}” has been "
        "screened in. You are invited to an assessment; an HR advisor will send you its date, "
        "place and format. If you need an accommodation, tell us when you reply.\n\n"
        "Your application: {status_url}\n\nCorrectional Service of Canada – Careers",
        "Bonjour {first_name},\n\nVotre candidature {reference} pour « {posting_title} » a été "
        "retenue. Vous êtes invité à une évaluation; une conseillère ou un conseiller en RH vous "
        "en communiquera la date, le lieu et le format. Si vous avez besoin de mesures "
        "d’adaptation, dites-le-nous dans votre réponse.\n\nVotre candidature : {status_url}\n\n"
        "Service correctionnel du Canada – Carrières",
    ),
    "interview": (
        "Invitation to an interview: {posting_title}",
        "Invitation à une entrevue : {posting_title}",
        "Hello {first_name},\n\nYou are invited to an interview for “{posting_title}” "
        "({reference}). An HR advisor will contact you to set a time.\n\n"
        "Your application: {status_url}\n\nCorrectional Service of Canada – Careers",
        "Bonjour {first_name},\n\nVous êtes invité à une entrevue pour « {posting_title} » "
        "({reference}). Une conseillère ou un conseiller en RH communiquera avec vous pour fixer "
        "un moment.\n\nVotre candidature : {status_url}\n\n"
        "Service correctionnel du Canada – Carrières",
    ),
    "offer": (
        "Job offer: {posting_title}",
        "Offre d’emploi : {posting_title}",
        "Hello {first_name},\n\nCongratulations: the Correctional Service of Canada intends to "
        "offer you the position “{posting_title}”. An HR advisor will send you the letter of offer "
        "and the conditions of employment.\n\nYour application: {status_url}\n\n"
        "Correctional Service of Canada – Careers",
        "Bonjour {first_name},\n\nFélicitations : le Service correctionnel du Canada a "
        "l’intention de vous offrir le poste « {posting_title} ». Une conseillère ou un conseiller "
        "en RH vous enverra la lettre d’offre et les conditions d’emploi.\n\n"
        "Votre candidature : {status_url}\n\nService correctionnel du Canada – Carrières",
    ),
    "rejected": (
        "Your application {reference}: {posting_title}",
        "Votre candidature {reference} : {posting_title}",
        "Hello {first_name},\n\nThank you for your interest in “{posting_title}”. Your "
        "application will not go further in this process. We encourage you to apply to other "
        "postings at CSC.\n\nYour application: {status_url}\n\n"
        "Correctional Service of Canada – Careers",
        "Bonjour {first_name},\n\nMerci de votre intérêt pour « {posting_title} ». Votre "
        "candidature ne sera pas retenue pour la suite de ce processus. Nous vous invitons à "
        "postuler d’autres offres d’emploi du SCC.\n\nVotre candidature : {status_url}\n\n"
        "Service correctionnel du Canada – Carrières",
    ),
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("positions", "applications"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # the migration state's app stub lacks it
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Unknown permissions for {name}: {sorted(missing)}")
            group.permissions.add(*permissions)
    StageMessage = apps.get_model("applications", "StageMessage")
    for stage, (subject_en, subject_fr, body_en, body_fr) in MESSAGES.items():
        StageMessage.objects.update_or_create(
            stage=stage,
            defaults={
                "subject": subject_en,
                "subject_en": subject_en,
                "subject_fr": subject_fr,
                "body": body_en,
                "body_en": body_en,
                "body_fr": body_fr,
            },
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("applications", "StageMessage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_review_queue"),
        ("positions", "0003_jobposting_reviewers"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
