"""Create one demo account per staff role, for trying the admin locally.

Passwords are random and printed once, when an account is created; running the command again
leaves existing accounts alone. Never run this on a production database.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import JobPosting

DEMO_USERS = [
    ("hr.admin", "Harriet", "Admin", HR_ADMINISTRATORS),
    ("reviewer", "Raphaël", "Reviewer", REVIEWERS),
    ("recruiter", "Rosa", "Recruiter", RECRUITERS),
]


class Command(BaseCommand):
    help = "Create demo staff accounts (HR administrator, reviewer, recruiter) for local use."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for local use only (DEBUG is off).")
        User = get_user_model()
        for username, first_name, last_name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.ca",
                    "is_staff": True,
                },
            )
            user.groups.add(Group.objects.get(name=role))
            if created:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f"{role}: {username} / {password}")
            else:
                self.stdout.write(f"{role}: {username} (exists; password unchanged)")
        reviewer = User.objects.get(username="reviewer")
        for posting in JobPosting.objects.open().order_by("closing_date")[:5]:
            posting.reviewers.add(reviewer)
