"""Names of the staff roles (groups created by migration 0003_roles_and_stage_messages)."""

HR_ADMINISTRATORS = "HR administrators"
REVIEWERS = "Reviewers"
RECRUITERS = "Recruiters"
