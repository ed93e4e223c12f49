"""The pipeline of an application: its stages, the moves between them, and which moves e-mail.

This module is the only place the pipeline is written; models, services, the admin and the
README's table follow it. It imports nothing from the project, so anything may import it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where an application is; the labels are what the applicant sees on the status page."""

    RECEIVED = "received", _("Received")
    SCREENING = "screening", _("Being screened")
    SCREENED_IN = "screened-in", _("Screened in")
    SCREENED_OUT = "screened-out", _("Screened out")
    ASSESSMENT = "assessment", _("Invited to an assessment")
    INTERVIEW = "interview", _("Invited to an interview")
    REFERENCE_CHECK = "reference-check", _("Reference and security checks")
    OFFER = "offer", _("Job offer made")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Not retained")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_STAGES = {
    Stage.RECEIVED,
    Stage.SCREENING,
    Stage.SCREENED_IN,
    Stage.ASSESSMENT,
    Stage.INTERVIEW,
    Stage.REFERENCE_CHECK,
    Stage.OFFER,
}

# Stages that end an application without a hire: the retention clock starts when one is reached.
FINAL_STAGES = {Stage.SCREENED_OUT, Stage.REJECTED, Stage.WITHDRAWN}

# Every move HR or the applicant may make. Rejection and withdrawal are open from any active stage.
ALLOWED_MOVES: dict[str, set[str]] = {
    # HR may screen straight from the queue, without a detour through "being screened".
    Stage.RECEIVED: {Stage.SCREENING, Stage.SCREENED_IN, Stage.SCREENED_OUT},
    Stage.SCREENING: {Stage.SCREENED_IN, Stage.SCREENED_OUT},
    Stage.SCREENED_IN: {Stage.ASSESSMENT, Stage.INTERVIEW},
    Stage.ASSESSMENT: {Stage.INTERVIEW},
    Stage.INTERVIEW: {Stage.REFERENCE_CHECK},
    Stage.REFERENCE_CHECK: {Stage.OFFER},
    Stage.OFFER: {Stage.HIRED},
    Stage.SCREENED_OUT: set(),
    Stage.HIRED: set(),
    Stage.REJECTED: set(),
    Stage.WITHDRAWN: set(),
}
for _stage in ACTIVE_STAGES:
    ALLOWED_MOVES[_stage] |= {Stage.REJECTED, Stage.WITHDRAWN}


# Moves HR makes only by naming the qualifications not met: the candidate reads them, and may ask
# for an informal discussion. (An applicant's own withdrawal names none.)
NOT_MET_STAGES = {Stage.SCREENED_OUT, Stage.REJECTED}

# Moves after which the applicant is e-mailed, with wording HR edits per stage (StageMessage).
NOTIFIED_STAGES = {
    Stage.SCREENED_OUT,
    Stage.ASSESSMENT,
    Stage.INTERVIEW,
    Stage.OFFER,
    Stage.REJECTED,
}


class MoveRefused(Exception):
    """A stage move that the pipeline does not allow."""
