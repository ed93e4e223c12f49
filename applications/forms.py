"""The forms of applications: the job seeker's (apply, status link) and HR's (admin, export).

The application form asks the applicant's details, résumé, screening answers and declarations.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications.exports import ExportFormat
from applications.kept_resumes import FIELD_NAME as KEPT_RESUME_FIELD
from applications.kept_resumes import KeptResume, KeptResumes
from applications.models import Application, EquityDeclaration, Residence
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from applications.validators import detect_document_type
from csc_careers.telephone import TelephoneField
from positions.models import JobPosting, QuestionKind, ScreeningQuestion
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
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                # A radio group has no "nothing chosen" option: leaving it blank is that.
                field.choices = [choice for choice in field.choices if choice[0] != ""]
        self.questions = list(posting.screening_questions.all())
        for question in self.questions:
            self.fields[self.question_field_name(question)] = self.question_field(question)

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


class MoveForm(forms.Form):
    """The admin's bulk move: the stage to move to and why (HR never withdraws for someone)."""

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
