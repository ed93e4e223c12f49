"""The forms of applications: the job seeker's (apply, status link) and HR's (admin, export).

The application form asks the applicant's details, résumé, screening answers and declarations,
and, for a posting at several places, where they would work, in their order.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.assessment import Finding
from applications.exports import ExportFormat
from applications.kept_resumes import FIELD_NAME as KEPT_RESUME_FIELD
from applications.kept_resumes import KeptResume, KeptResumes
from applications.models import (
    Application,
    AssessmentResult,
    AssessmentSession,
    Entitlement,
    EquityDeclaration,
    HeardFrom,
    PreEmploymentOutcome,
    PreEmploymentResult,
    Residence,
    SecurityLevel,
    SessionInvitation,
)
from applications.pipeline import NOT_MET_STAGES, NOTIFIED_STAGES, Stage
from applications.pre_employment import CTP_FIELDS, RESULT_FACTS
from applications.preferences import choice_label
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from applications.validators import detect_document_type
from csc_careers.telephone import TelephoneField
from positions.models import (
    AssessmentStep,
    Facility,
    JobPosting,
    Qualification,
    QuestionKind,
    ScreeningQuestion,
    StepKind,
    Tenure,
)
from positions.models.assessment import SESSION_KINDS
from positions.models.postings import NO, YES

User = get_user_model()


class ApplicationForm(forms.ModelForm):
    """Everything one application asks; screening questions are added per posting."""

    # The help text names the size limit in the visitor's language: it is built in __init__.
    resume = forms.FileField(
        label=_("Résumé"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.odt,.rtf,.txt,application/pdf,text/plain"}
        ),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to the collection of my information."),
        error_messages={"required": _("You must accept the privacy notice to apply.")},
    )
    declaration = forms.BooleanField(
        label=_("I declare that the information I give is true and complete."),
        error_messages={"required": _("You must make the declaration to apply.")},
    )

    class Meta:
        model = Application
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "residence",
            "residence_country",
            "eligibility",
            "correspondence_language",
            "assessment_language",
            "is_veteran",
            "has_priority_entitlement",
            "accommodation_request",
            "cover_letter",
            "heard_from",
        ]
        labels = {
            "is_veteran": _(
                "I am a veteran or a Canadian Armed Forces member with a preference or entitlement."
            ),
            "has_priority_entitlement": _("I have a priority entitlement for appointment."),
        }
        field_classes = {"phone": TelephoneField}
        help_texts = {
            "email": _("We send your confirmation and status link here."),
            "phone": _(
                "Include the area code, e.g. 613-555-0142. Outside Canada and the United States, "
                "start with + and the country code."
            ),
            "accommodation_request": _(
                "Optional. Tell us about any adjustment you need to take part in the assessment."
            ),
            "cover_letter": _("Optional. At most 5,000 characters."),
            "heard_from": _("Optional. It tells us where to advertise our jobs."),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "residence_country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "correspondence_language": forms.RadioSelect,
            "assessment_language": forms.RadioSelect,
            "eligibility": forms.RadioSelect,
            "accommodation_request": forms.Textarea(attrs={"rows": 4}),
            "cover_letter": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(
        self, *args, posting: JobPosting, kept_resumes: KeptResumes | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.posting = posting
        self.fields["resume"].help_text = _(
            "PDF, Word (DOCX), OpenDocument (ODT), RTF or plain text, at most %(limit)s."
        ) % {"limit": filesizeformat(settings.RESUME_MAX_BYTES)}
        self.kept_resumes = kept_resumes
        self.kept_resume = None
        if self.is_bound and kept_resumes is not None and not self.files.get("resume"):
            # No new file: the résumé kept from an earlier attempt stands in for it.
            reference = self.data.get(KEPT_RESUME_FIELD)
            self.show_kept_resume(kept_resumes.get(reference, posting=posting.reference_number))
        self.fields["residence"].choices = [("", _("Choose…")), *Residence.choices]
        self.fields["heard_from"].choices = [("", _("Choose…")), *HeardFrom.choices]
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                # A radio group has no "nothing chosen" option: leaving it blank is that.
                field.choices = [choice for choice in field.choices if choice[0] != ""]
        self.questions = list(posting.screening_questions.all())
        for question in self.questions:
            self.fields[self.question_field_name(question)] = self.question_field(question)
        # A posting at several places asks where the applicant would work, in their order; one at
        # a single place asks nothing (the locations are prefetched with the posting).
        locations = list(posting.locations.all())
        self.facilities = locations if len(locations) > 1 else []
        choices = [
            ("", _("I would not work here")),
            *((str(rank), choice_label(rank)) for rank in range(1, len(self.facilities) + 1)),
        ]
        for facility in self.facilities:
            self.fields[self.facility_field_name(facility)] = forms.TypedChoiceField(
                label=str(facility), choices=choices, coerce=int, empty_value=None, required=False
            )

    @staticmethod
    def question_field_name(question: ScreeningQuestion) -> str:
        return f"question_{question.pk}"

    @staticmethod
    def question_field(question: ScreeningQuestion) -> forms.Field:
        required = question.is_essential
        label = question.text
        if question.kind == QuestionKind.YES_NO:
            return forms.ChoiceField(
                label=label,
                choices=[(YES, _("Yes")), (NO, _("No"))],
                widget=forms.RadioSelect,
                required=required,
            )
        if question.kind == QuestionKind.CHOICE:
            return forms.ChoiceField(
                label=label,
                choices=[(choice, choice) for choice in question.choice_list],
                widget=forms.RadioSelect,
                required=required,
            )
        return forms.CharField(label=label, max_length=500, required=required)

    def question_fields(self):
        return [self[self.question_field_name(question)] for question in self.questions]

    @staticmethod
    def facility_field_name(facility: Facility) -> str:
        return f"facility_{facility.pk}"

    def facility_fields(self):
        return [self[self.facility_field_name(facility)] for facility in self.facilities]

    def clean_facility_choices(self) -> None:
        """Check the facilities ranked: at least one, no choice twice, 1 to n without a gap."""
        if not self.facilities:
            return
        ranks = {
            facility: self.cleaned_data.get(self.facility_field_name(facility))
            for facility in self.facilities
            if self.facility_field_name(facility) not in self.errors
        }
        given = [rank for rank in ranks.values() if rank is not None]
        if not given:
            # Said at the first place, where the summary's link leads: the group has no input.
            self.add_error(
                self.facility_field_name(self.facilities[0]),
                _("Choose at least one place you would work at: give it “%(first)s”.")
                % {"first": choice_label(1)},
            )
            return
        for facility, rank in ranks.items():
            if rank is None:
                continue
            name = self.facility_field_name(facility)
            if given.count(rank) > 1:
                self.add_error(
                    name,
                    _("Another place has “%(choice)s” too: give each place its own choice.")
                    % {"choice": choice_label(rank)},
                )
            elif rank > 1 and rank - 1 not in given:
                self.add_error(
                    name,
                    _("“%(choice)s” needs a “%(previous)s”: number your choices without gaps.")
                    % {"choice": choice_label(rank), "previous": choice_label(rank - 1)},
                )

    def facility_choices(self) -> list[Facility]:
        """Return the facilities ranked, first choice first (empty for a single-place posting)."""
        ranks = {
            facility: self.cleaned_data.get(self.facility_field_name(facility))
            for facility in self.facilities
        }
        return sorted(
            (facility for facility, rank in ranks.items() if rank is not None), key=ranks.get
        )

    def show_kept_resume(self, kept: KeptResume | None) -> None:
        """Use a kept résumé as the file field's value (None: there is none), and say so there."""
        self.kept_resume = kept
        # The bound field caches its initial value (no "required" attribute with one): rebuild it.
        self._bound_fields_cache.pop("resume", None)
        attrs = self.fields["resume"].widget.attrs
        if kept is None:
            self.initial.pop("resume", None)
            attrs.pop("aria-describedby", None)
        else:
            # The field is then satisfied without a file (FileField.clean returns the initial).
            self.initial["resume"] = kept
            auto_id = self["resume"].auto_id
            attrs["aria-describedby"] = f"{auto_id}_helptext {auto_id}_note"

    @property
    def kept_resume_note(self) -> str:
        if self.kept_resume is None:
            return ""
        return _("%(name)s — kept; choose another file to replace it.") % {
            "name": self.kept_resume.name
        }

    def clean_resume(self):
        resume = self.cleaned_data["resume"]
        if isinstance(resume, KeptResume):
            # Checked when it was kept; the type is the one its check found.
            try:
                content = resume.content()
            except OSError:
                self.show_kept_resume(None)
                raise ValidationError(
                    self.fields["resume"].error_messages["required"], code="required"
                ) from None
            self.resume_type = resume.document_type
            return content
        self.resume_type = detect_document_type(resume)
        return resume

    def keep_resume(self) -> None:
        """After errors elsewhere, keep a new résumé that passed its checks (see kept_resumes).

        A new file replaces the one kept before, whether or not it passes: a file that failed its
        checks is never kept.
        """
        upload = self.files.get("resume")
        if self.kept_resumes is None or upload is None:
            return  # nothing new: a kept résumé stays as it is
        self.kept_resumes.discard(self.data.get(KEPT_RESUME_FIELD))
        if "resume" in self.errors or "resume" not in self.cleaned_data:
            self.show_kept_resume(None)
            return
        self.show_kept_resume(
            self.kept_resumes.keep(upload, self.resume_type, posting=self.posting.reference_number)
        )

    def forget_resume(self) -> None:
        """Delete the kept résumé once the application is sent (or can no longer be)."""
        if self.kept_resumes is not None:
            self.kept_resumes.discard(self.data.get(KEPT_RESUME_FIELD))

    def clean(self):
        cleaned = super().clean()
        outside = cleaned.get("residence") == Residence.OUTSIDE
        if outside and not cleaned.get("residence_country", "").strip():
            self.add_error("residence_country", _("Tell us which country you live in."))
        if not outside:
            cleaned["residence_country"] = ""
        self.clean_facility_choices()
        return cleaned

    def _post_clean(self):
        self.instance.posting = self.posting
        super()._post_clean()

    def _get_validation_exclusions(self):
        # The one-application-per-address rule is enforced when saving, never while validating:
        # a form must not tell anyone whether an address has applied (see ApplyView.post).
        return super()._get_validation_exclusions() | {"email"}

    def unmet_requirements(self) -> list[ScreeningQuestion]:
        """The essential yes/no questions answered "no", as Application.unmet_requirements."""
        return [
            question
            for question, answer in self.answers().items()
            if question.is_met_by(answer) is False
        ]

    def answers(self) -> dict[ScreeningQuestion, str]:
        """Return the cleaned answer to each screening question ("" when left out)."""
        return {
            question: self.cleaned_data.get(self.question_field_name(question)) or ""
            for question in self.questions
        }

    def applicant(self) -> dict[str, Any]:
        """Return the cleaned values of the Application fields, for application_submit."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EquityDeclarationForm(forms.ModelForm):
    """The voluntary self-declaration; left blank, nothing is stored."""

    class Meta:
        model = EquityDeclaration
        fields = ["woman", "indigenous", "disability", "visible_minority"]
        widgets = dict.fromkeys(fields, forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="equity", **kwargs)
        for field in self.fields.values():
            field.required = False
            field.choices = [choice for choice in field.choices if choice[0] != ""]

    def has_answers(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def answers(self) -> dict[str, str] | None:
        """Return the cleaned answers, or None when none was given (nothing is stored)."""
        return self.cleaned_data if self.has_answers() else None


class StatusLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address you applied with"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SessionChoiceForm(forms.Form):
    """The session a candidate books, or changes to, among the sessions of their invitation's step.

    Full, cancelled and started sessions of the step are accepted here: a seat can go between the
    page and the click, and booking (sessions.book) refuses them with the reason the candidate
    reads. A session of another step is no choice at all.
    """

    session = forms.ModelChoiceField(
        queryset=AssessmentSession.objects.none(),
        label=_("Choose a session"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pick the session you will attend."),
            "invalid_choice": _("Choose one of the sessions offered."),
        },
    )

    def __init__(self, *args, invitation: SessionInvitation, **kwargs):
        kwargs.setdefault("initial", {"session": invitation.session_id})
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = AssessmentSession.objects.filter(
            step_id=invitation.step_id
        ).select_related("facility")


def qualification_label(qualification: Qualification) -> str:
    """The qualification as a checkbox or a rating names it: essential or asset, then its text."""
    kind = _("Asset") if qualification.is_asset else _("Essential")
    return f"{kind} – {qualification.text}"  # a dash: no colon to space for French


def not_met_field(qualifications: list[Qualification], **kwargs) -> forms.Field:
    """Checkboxes of a posting's qualifications, to name those a candidate does not meet."""
    return forms.TypedMultipleChoiceField(
        label=_("Qualifications not met"),
        choices=[(q.pk, qualification_label(q)) for q in qualifications],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick the qualifications not met: the candidate is told which they were.")
        },
        **kwargs,
    )


class NotMetMixin:
    """A form with the `not_met` checkboxes of `self.qualifications` (by pk)."""

    qualifications: dict[int, Qualification]

    def qualifications_not_met(self) -> list[Qualification]:
        """The qualifications ticked, in the posting's order."""
        ticked = set(self.cleaned_data.get("not_met") or ())
        return [q for pk, q in self.qualifications.items() if pk in ticked]

    def not_met_choices(self) -> list[tuple[Any, Qualification]]:
        """Each checkbox with its qualification (the template shows the reason it gives)."""
        if "not_met" not in self.fields:
            return []
        return list(zip(self["not_met"], self.qualifications.values(), strict=True))


class MoveForm(NotMetMixin, forms.Form):
    """The admin's bulk move: the stage to move to and why (HR never withdraws for someone).

    `qualifications` are those of the one posting all the selected applications belong to
    (None when they belong to several): screening out and not retaining name those not met.
    """

    stage = forms.ChoiceField(
        label=_("Move to"),
        choices=[(s.value, s.label) for s in Stage if s != Stage.WITHDRAWN],
    )
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, qualifications: list[Qualification] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.one_posting = qualifications is not None
        self.qualifications = {q.pk: q for q in qualifications or ()}
        if self.qualifications:
            self.fields["not_met"] = not_met_field(
                list(self.qualifications.values()),
                required=False,
                help_text=_("To screen out or not retain: tick at least one."),
            )

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage in NOT_MET_STAGES:
            if not self.one_posting:
                raise ValidationError(
                    _(
                        "Screening out or not retaining names the qualifications not met, and "
                        "each posting has its own: select the applications of one posting."
                    ),
                    code="several_postings",
                )
            if not self.qualifications:
                raise ValidationError(
                    _("This posting lists no qualifications to name as not met."),
                    code="no_qualifications",
                )
            if not cleaned.get("not_met"):
                self.add_error("not_met", self.fields["not_met"].error_messages["required"])
        elif cleaned.get("not_met"):
            self.add_error(
                "not_met", _("Qualifications not met are named only to screen out or reject.")
            )
        return cleaned


class AssignForm(forms.Form):
    """The admin's bulk assignment: one of the active reviewers or HR administrators."""

    reviewer = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.filter(
            is_active=True, is_staff=True, groups__name__in=[REVIEWERS, HR_ADMINISTRATORS]
        )
        .distinct()
        .order_by("username"),
    )


class ExportForm(forms.Form):
    """The export page's form: the filters (ApplicationExportFilter adds them), then the format."""

    file_format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The filters' fields are added after this one: the format goes last again.
        self.fields["file_format"] = self.fields.pop("file_format")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date must not be before the start date."))
        return cleaned


# What each move from an application's page is called on its button.
MOVE_LABELS = {
    Stage.SCREENING: _("Start screening"),
    Stage.SCREENED_IN: _("Screen in"),
    Stage.SCREENED_OUT: _("Screen out"),
    Stage.ASSESSMENT: _("Invite to an assessment"),
    Stage.INTERVIEW: _("Invite to an interview"),
    Stage.REFERENCE_CHECK: _("Start the reference and security checks"),
    Stage.OFFER: _("Record the job offer"),
    Stage.HIRED: _("Record the hire"),
    Stage.REJECTED: _("Do not retain"),
}


class StageMoveForm(NotMetMixin, forms.Form):
    """One move from an application's page: a note for the history and, to screen out or not
    retain, the qualifications not met (`suggested` are ticked to begin with)."""

    reason = forms.CharField(
        label=_("Note (kept in the history)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        stage: str,
        qualifications: list[Qualification],
        suggested: list[Qualification] = (),
        **kwargs,
    ):
        kwargs.setdefault("prefix", f"move-{stage}")
        super().__init__(*args, **kwargs)
        self.stage = Stage(stage)
        self.qualifications = {q.pk: q for q in qualifications}
        if self.stage in NOT_MET_STAGES:
            self.fields["not_met"] = not_met_field(
                qualifications,
                initial=[q.pk for q in suggested],
                help_text=_("Tick at least one. The candidate reads the reason given for each."),
            )

    @property
    def button_label(self) -> str:
        return MOVE_LABELS[self.stage]

    @property
    def notifies(self) -> bool:
        """Whether the applicant is e-mailed when the move is made (if that e-mail is on)."""
        return self.stage in NOTIFIED_STAGES


class StepRatingForm(forms.Form):
    """A rating of one candidate at one step of the plan, by one assessor or (is_consensus) the
    board: for every qualification the step assesses, a result or a score, and a justification.

    `replaces` carries the rating in force the person saw (see assessment.rating_submit).
    """

    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, step, is_consensus: bool = False, **kwargs):
        kwargs.setdefault("prefix", f"{'consensus' if is_consensus else 'rate'}-{step.pk}")
        super().__init__(*args, **kwargs)
        self.step, self.is_consensus = step, is_consensus
        self.qualifications = list(step.qualifications.all())
        for qualification in self.qualifications:
            pk = qualification.pk
            if qualification.is_scored:
                self.fields[f"score_{pk}"] = forms.IntegerField(
                    label=_("Score out of %(total)d") % {"total": qualification.out_of},
                    min_value=0,
                    max_value=qualification.out_of,
                    required=False,
                )
                self.fields[f"later_{pk}"] = forms.BooleanField(
                    label=AssessmentResult.LATER.label, required=False
                )
            else:
                self.fields[f"result_{pk}"] = forms.ChoiceField(
                    label=_("Result"),
                    choices=AssessmentResult.choices,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose a result.")},
                )
            self.fields[f"justification_{pk}"] = forms.CharField(
                label=_("Justification"),
                max_length=4000,
                required=is_consensus,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Justify the board's finding.")},
            )
        if is_consensus:
            self.fields["justification"] = forms.CharField(
                label=_("Justification of the consensus as a whole"),
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Justify the board's consensus as a whole.")},
            )

    def clean(self):
        cleaned = super().clean()
        for qualification in self.qualifications:
            if not qualification.is_scored:
                continue
            score, later = f"score_{qualification.pk}", f"later_{qualification.pk}"
            if cleaned.get(later):
                cleaned[score] = None
            elif cleaned.get(score) is None and score not in self.errors:
                self.add_error(
                    score,
                    _("Give a score from 0 to %(total)d, or tick “%(later)s”.")
                    % {"total": qualification.out_of, "later": AssessmentResult.LATER.label},
                )
        return cleaned

    def findings(self) -> dict[int, Finding]:
        """The cleaned ratings, as assessment.rating_submit takes them."""
        findings = {}
        for qualification in self.qualifications:
            pk = qualification.pk
            justification = self.cleaned_data.get(f"justification_{pk}", "")
            if not qualification.is_scored:
                result, score = self.cleaned_data[f"result_{pk}"], None
            elif self.cleaned_data.get(f"later_{pk}"):
                result, score = AssessmentResult.LATER, None
            else:
                result, score = "", self.cleaned_data[f"score_{pk}"]
            findings[pk] = Finding(result=result, score=score, justification=justification)
        return findings

    def rows(self) -> list[dict]:
        """Each qualification with its bound fields, for the template's grid."""
        rows = []
        for qualification in self.qualifications:
            pk = qualification.pk
            fields = {
                name: self[f"{name}_{pk}"] if f"{name}_{pk}" in self.fields else None
                for name in ("result", "score", "later", "justification")
            }
            rows.append(
                {
                    "qualification": qualification,
                    "label": qualification_label(qualification),
                    **fields,
                }
            )
        return rows

    @classmethod
    def initial_from(cls, results: dict, *, replaces=None, justification: str = "") -> dict:
        """Initial values from earlier findings: {qualification_id: result with .result,
        .score and .justification} (a rating being corrected, or the board's to start from)."""
        initial = {"replaces": replaces}
        for pk, found in results.items():
            if found.score is not None:
                initial[f"score_{pk}"] = found.score
            elif found.result == AssessmentResult.LATER:
                initial[f"later_{pk}"] = True
            initial[f"result_{pk}"] = found.result
            if found.justification:
                initial[f"justification_{pk}"] = found.justification
        if justification:
            initial["justification"] = justification
        return initial


# --- Pools, entitlements and pre-employment steps (the admin's forms) -------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("It stays in the pool's history."),
    )


class ExtendForm(ReasonForm):
    until = forms.DateField(label=_("Qualified until"), widget=DATE_INPUT)

    field_order = ["until", "reason"]


class OfferForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.none())
    tenure = forms.ChoiceField(label=_("Tenure"), choices=Tenure.choices)
    starts_on = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    stays_available = forms.BooleanField(
        label=_("Keep the candidate available for other facilities on acceptance"), required=False
    )

    def __init__(self, *args, posting: JobPosting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.order_by("name")
        self.fields["tenure"].initial = posting.tenure
        locations = list(posting.locations.all()[:2])
        if len(locations) == 1:
            self.fields["facility"].initial = locations[0].pk


class EntitlementCheckForm(forms.Form):
    VERIFIED, NOT_VERIFIED = "yes", "no"

    entitlement = forms.ChoiceField(label=_("Entitlement"), choices=Entitlement.choices)
    verified = forms.ChoiceField(
        label=_("Result"),
        choices=[(VERIFIED, _("Verified")), (NOT_VERIFIED, _("Not verified"))],
        widget=forms.RadioSelect,
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty if the entitlement does not end."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PreEmploymentResultForm(forms.Form):
    """The result of one pre-employment step; its fields are those the step's kind has."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=PreEmploymentOutcome.choices,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(
        label=_("Date"),
        widget=DATE_INPUT,
        help_text=_("When the step took place or is planned."),
    )
    expires_on = forms.DateField(label=_("Valid until"), required=False, widget=DATE_INPUT)
    security_level = forms.ChoiceField(
        label=_("Security level"),
        choices=[("", "---------"), *SecurityLevel.choices],
        required=False,
    )
    cohort = forms.CharField(label=_("Cohort"), max_length=100, required=False)
    stage_1_on = forms.DateField(
        label=_("Stage 1 (online) completed"), required=False, widget=DATE_INPUT
    )
    stage_2_on = forms.DateField(
        label=_("Stage 2 (pre-session work) completed"), required=False, widget=DATE_INPUT
    )
    stage_3_on = forms.DateField(
        label=_("Stage 3 (in class, National Training Academy) completed"),
        required=False,
        widget=DATE_INPUT,
    )
    note = forms.CharField(
        label=_("Note for HR"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Never shown to the candidate."),
    )

    def __init__(self, *args, step: AssessmentStep, **kwargs):
        kwargs.setdefault("prefix", f"pre-employment-{step.pk}")
        kwargs.setdefault("label_suffix", "")  # the labels stand alone, in either language
        super().__init__(*args, **kwargs)
        self.step = step
        if step.kind != StepKind.SECURITY_SCREENING:
            del self.fields["security_level"]
        if step.kind != StepKind.TRAINING_PROGRAM:
            for name in CTP_FIELDS:
                del self.fields[name]

    @classmethod
    def initial_from(cls, result: PreEmploymentResult | None) -> dict:
        """Start a correction from the result in force (its note is the record's, not copied)."""
        if result is None:
            return {}
        return {name: getattr(result, name) for name in RESULT_FACTS}

    def values(self) -> dict:
        """The cleaned values as pre_employment_record takes them."""
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "on": data["on"],
            "expires_on": data.get("expires_on"),
            "security_level": data.get("security_level", ""),
            "cohort": data.get("cohort", ""),
            "stage_1_on": data.get("stage_1_on"),
            "stage_2_on": data.get("stage_2_on"),
            "stage_3_on": data.get("stage_3_on"),
            "note": data.get("note", ""),
        }


# --- Sessions candidates book (the admin's forms) ---------------------------------------------

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionStepField(forms.ModelChoiceField):
    """A step of the plan named with its posting: the list holds several campaigns' steps."""

    def label_from_instance(self, step):
        return f"{step.posting.reference_number} – {step.title}"


class AssessorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssessmentSessionForm(forms.ModelForm):
    """A session as HR creates or changes it.

    The steps offered are the admin's (applications/admin_sessions.py), and the session's own
    once it has one. The seats cannot go below those taken, and a start set is to come.
    """

    # A link typed without its scheme is taken as secure (the model accepts no other).
    online_url = AssessmentSession._meta.get_field("online_url").formfield(
        assume_scheme="https", widget=forms.URLInput(attrs={"class": "vURLField"})
    )

    class Meta:
        model = AssessmentSession
        fields = [
            "step",
            "starts_at",
            "ends_at",
            "facility",
            "location_details_en",
            "location_details_fr",
            "online_url",
            "capacity",
            "assessors",
        ]
        field_classes = {"step": SessionStepField, "assessors": AssessorsField}
        labels = {
            "location_details_en": _("Room or directions, in English"),
            "location_details_fr": _("Room or directions, in French"),
        }
        help_texts = {
            "location_details_en": _(
                "E.g. Room 204, enter by the visitors' entrance. Candidates who read English "
                "read it."
            ),
            "location_details_fr": _(
                "E.g. Salle 204, entrée des visiteurs. Candidates who read French read it."
            ),
            "assessors": _("Leave empty to name the step's assessment board."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language in ("en", "fr"):
            # Read (and spell-checked) in the language written.
            room = self.fields.get(f"location_details_{language}")
            if room is not None:
                room.widget.attrs["lang"] = language
        step = self.fields.get("step")
        if step is not None and self.instance.step_id:
            # A session of a campaign no longer current keeps its step.
            step.queryset = (
                AssessmentStep.objects.filter(
                    Q(pk__in=step.queryset.values("pk")) | Q(pk=self.instance.step_id)
                )
                .select_related("posting")
                .order_by(*step.queryset.query.order_by)
            )
        assessors = self.fields.get("assessors")
        if assessors is not None and self.instance.pk:
            # An assessor who has since left the staff is not dropped by saving something else.
            assessors.queryset = User.objects.filter(
                Q(pk__in=assessors.queryset.values("pk"))
                | Q(pk__in=self.instance.assessors.values("pk"))
            ).order_by(*assessors.queryset.query.order_by)

    def clean(self):
        cleaned_data = super().clean()
        # Candidates read the room in their language: given in one, it is given in both.
        english = cleaned_data.get("location_details_en")
        french = cleaned_data.get("location_details_fr")
        if english and not french:
            self.add_error("location_details_fr", _("Give the room or directions in French too."))
        elif french and not english:
            self.add_error("location_details_en", _("Give the room or directions in English too."))
        return cleaned_data

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        # A start left as it was may have passed (HR corrects the room of a session that has
        # started); a start HR sets, of a new session or a moved one, must be to come.
        if starts_at and "starts_at" in self.changed_data and starts_at <= timezone.now():
            raise ValidationError(
                _("Give a start to come: candidates cannot come to a session in the past.")
            )
        return starts_at

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk is None or capacity is None:
            return capacity
        with transaction.atomic():
            # The session's row stays locked until the admin's transaction ends: a candidate
            # booking meanwhile waits for it, then counts against the new number of seats.
            cancelled_at = (
                AssessmentSession.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("cancelled_at", flat=True)
                .first()
            )
            if cancelled_at is not None:
                # Cancelled by someone else since this page was opened.
                self.add_error(None, _("This session is cancelled: it can no longer be changed."))
            taken = SessionInvitation.objects.filter(session_id=self.instance.pk).count()
        if capacity < taken:
            raise ValidationError(
                ngettext(
                    "%(taken)d seat is taken: the session cannot have fewer seats.",
                    "%(taken)d seats are taken: the session cannot have fewer seats.",
                    taken,
                )
                % {"taken": taken}
            )
        return capacity


class CancelSessionForm(forms.Form):
    """Why HR cancels a session, in both languages: each booked candidate reads the reason in
    theirs, in the e-mail that tells them."""

    reason_en = forms.CharField(
        label=_("Reason for cancelling, in English"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
        help_text=_("Candidates who read English read it as written."),
        error_messages={"required": _("Give the reason in English.")},
    )
    reason_fr = forms.CharField(
        label=_("Reason for cancelling, in French"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
        help_text=_("Candidates who read French read it as written."),
        error_messages={"required": _("Give the reason in French.")},
    )


def steps_to_invite_to(posting_id: int) -> QuerySet:
    """The steps of a posting's plan that candidates book sessions of, in the plan's order, with
    `sessions_to_come` (not cancelled), their `seats` and the seats `taken` in them."""
    now = timezone.now()
    to_come = (
        AssessmentSession.objects.filter(
            step=OuterRef("pk"), cancelled_at__isnull=True, starts_at__gt=now
        )
        .order_by()
        .values("step")
    )
    booked = (
        SessionInvitation.objects.filter(
            session__step=OuterRef("pk"),
            session__cancelled_at__isnull=True,
            session__starts_at__gt=now,
        )
        .order_by()
        .values("session__step")
    )
    return (
        AssessmentStep.objects.filter(posting_id=posting_id, kind__in=SESSION_KINDS)
        .annotate(
            sessions_to_come=Coalesce(Subquery(to_come.annotate(n=Count("pk")).values("n")), 0),
            seats=Coalesce(Subquery(to_come.annotate(n=Sum("capacity")).values("n")), 0),
            taken=Coalesce(Subquery(booked.annotate(n=Count("pk")).values("n")), 0),
        )
        .order_by("order", "pk")
    )


class InviteStepField(forms.ModelChoiceField):
    """A step of the posting's plan, with the room its sessions to come have left."""

    def label_from_instance(self, step):
        return _("%(step)s (sessions to come: %(sessions)d, seats left: %(seats)d)") % {
            "step": step.title,
            "sessions": step.sessions_to_come,
            "seats": max(step.seats - step.taken, 0),
        }


class InviteToSessionForm(forms.Form):
    """The step candidates are invited to book a session of, and until when they may book."""

    step = InviteStepField(label=_("Step"), queryset=AssessmentStep.objects.none())
    book_by = forms.DateTimeField(label=_("Book or change by"), widget=DATETIME_INPUT)

    def __init__(self, *args, posting_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        steps = self.fields["step"]
        steps.queryset = steps_to_invite_to(posting_id)
        self.steps = list(steps.queryset)
        if len(self.steps) == 1:
            steps.initial = self.steps[0].pk
        self.fields["book_by"].help_text = _(
            "Until then, candidates may book a session and change it. Time zone: %(zone)s."
        ) % {"zone": timezone.get_current_timezone_name()}

    def clean_book_by(self):
        book_by = self.cleaned_data["book_by"]
        if book_by <= timezone.now():
            raise ValidationError(_("Give a deadline in the future."))
        return book_by
