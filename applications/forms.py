"""The application form: the applicant's details, résumé, screening answers and declarations."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications.kept_resumes import FIELD_NAME as KEPT_RESUME_FIELD
from applications.kept_resumes import KeptResume, KeptResumes
from applications.models import Application, EquityDeclaration, OfficialLanguage, Residence, Stage
from applications.validators import detect_document_type
from csc_careers.telephone import TelephoneField
from positions.models import CareerStream, JobPosting, QuestionKind, Region, ScreeningQuestion
from positions.models.postings import NO, YES


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


class StatusLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address you applied with"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ExportForm(forms.Form):
    """The filters of an applicant-list export (the export page and the admin action share them)."""

    postings = forms.ModelMultipleChoiceField(
        label=_("Job postings"),
        queryset=JobPosting.objects.none(),
        required=False,
        help_text=_("None chosen: every posting you can see."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    stages = forms.MultipleChoiceField(
        label=_("Stages"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, to_field_name="slug"
    )
    stream = forms.ModelChoiceField(
        label=_("Career stream"),
        queryset=CareerStream.objects.all(),
        required=False,
        to_field_name="slug",
    )
    language = forms.ChoiceField(
        label=_("Language of correspondence"),
        choices=[("", _("Either")), *OfficialLanguage.choices],
        required=False,
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")], initial="csv"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postings"].queryset = JobPosting.objects.visible_to(user).order_by(
            "-open_date", "reference_number"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date must not be before the start date."))
        return cleaned

    def filter(self, applications):
        """Return the applications that match the cleaned filters."""
        data = self.cleaned_data
        if data["postings"]:
            applications = applications.filter(posting__in=data["postings"])
        if data["stages"]:
            applications = applications.filter(stage__in=data["stages"])
        if data["submitted_from"]:
            applications = applications.filter(submitted_at__date__gte=data["submitted_from"])
        if data["submitted_to"]:
            applications = applications.filter(submitted_at__date__lte=data["submitted_to"])
        if data["region"]:
            places = JobPosting.locations.through.objects.filter(facility__region=data["region"])
            applications = applications.filter(posting_id__in=places.values("jobposting_id"))
        if data["stream"]:
            applications = applications.filter(posting__occupation__stream=data["stream"])
        if data["language"]:
            applications = applications.filter(correspondence_language=data["language"])
        return applications

    def described(self) -> dict:
        """The filters as plain data, for the export log."""
        data = self.cleaned_data
        return {
            "postings": [p.reference_number for p in data["postings"]],
            "stages": data["stages"],
            "submitted_from": data["submitted_from"] and data["submitted_from"].isoformat(),
            "submitted_to": data["submitted_to"] and data["submitted_to"].isoformat(),
            "region": data["region"] and data["region"].slug,
            "stream": data["stream"] and data["stream"].slug,
            "language": data["language"],
        }
