"""HR's forms for postings in the admin: a published posting keeps what publishing required;
the steps of its assessment plan choose among its own qualifications and staff, and a step with
results changes only with a reason."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from csc_careers.telephone import normalize_telephone
from positions.models import PRE_EMPLOYMENT_KINDS, AssessmentStep, Qualification, StepKind
from positions.services import assessment_board_set


class PublishedPostingForm(forms.ModelForm):
    """A published posting keeps what publishing required: French text, a location, a contact."""

    def clean_hr_contact_phone(self):
        phone = self.cleaned_data["hr_contact_phone"]
        return normalize_telephone(phone) if phone else phone

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_published:
            for field in ("title_fr", "work_description_fr"):
                if field in self.fields and not cleaned.get(field):
                    self.add_error(field, _("A published posting needs its French text."))
            if "locations" in self.fields and not cleaned.get("locations"):
                self.add_error("locations", _("A published posting needs at least one location."))
            for field in ("hr_contact_name", "hr_contact_email"):
                # An address refused as invalid already says what is wrong with it.
                missing = not (cleaned.get(field) or "").strip() and field not in self.errors
                if field in self.fields and missing:
                    self.add_error(field, _("A published posting needs its HR contact."))
        return cleaned


class PublishedPostingInlineFormSet(BaseInlineFormSet):
    """Qualifications and questions of a published posting keep their French text."""

    def kept_forms(self):
        """The forms whose rows remain after saving (filled in, and not marked for deletion)."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        super().clean()
        if not (self.instance.pk and self.instance.is_published):
            return
        for form in self.kept_forms():
            if not form.cleaned_data.get("text_fr"):
                form.add_error("text_fr", _("A published posting needs its French text."))


class QualificationFormSet(PublishedPostingInlineFormSet):
    def clean(self):
        super().clean()
        published = self.instance.pk and self.instance.is_published
        if published and all(form.cleaned_data.get("is_asset") for form in self.kept_forms()):
            raise ValidationError(
                _("A published posting needs at least one essential qualification.")
            )


def qualification_label(qualification: Qualification) -> str:
    """A qualification as a choice: essential or asset, and the start of its text."""
    kind = _("Asset") if qualification.is_asset else _("Essential")
    return f"{kind} · {Truncator(qualification.text).chars(100)}"


def person_label(user) -> str:
    """A staff member as a choice: their name and user name (or the user name alone)."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class PostingQualificationsMixin:
    """A formset of a posting's rows whose forms choose among the posting's qualifications.

    The choices are read once for the whole formset, not once per form.
    """

    @cached_property
    def posting_qualifications(self):
        if self.instance.pk is None:
            return Qualification.objects.none()
        return Qualification.objects.filter(posting=self.instance)

    @cached_property
    def qualification_choices(self) -> list[tuple[int, str]]:
        return [(q.pk, qualification_label(q)) for q in self.posting_qualifications]


class ScreeningQuestionFormSet(PostingQualificationsMixin, PublishedPostingInlineFormSet):
    """A posting's questions; each may name the qualification it screens, one of the posting's."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get("qualification")
        if field is None:
            return
        field.queryset = self.posting_qualifications
        field.choices = [("", field.empty_label), *self.qualification_choices]
        if not self.qualification_choices:
            field.help_text = _(
                "Save the posting first: then choose the qualification among its own."
            )


class AssessmentStepForm(forms.ModelForm):
    """One step of the plan with its board; a step with results changes only with a reason."""

    assessors = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Assessment board"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        help_text=_(
            "The staff who rate candidates at this step. Nobody: the posting's reviewers rate it."
        ),
    )
    chair = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Board chair"),
        help_text=_(
            "Records the board's consensus, and sits on the board. Nobody: any board member may."
        ),
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Candidates have already been rated at this step: a change to it needs its reason, "
            "kept in the posting's assessment plan changes."
        ),
    )

    # What a change to a step with results names, in this order ("order" alone may change).
    RECORDED_FIELDS = ["kind", "name_en", "name_fr", "starts_on", "ends_on"]

    class Meta:
        model = AssessmentStep
        fields = ["kind", "name", "order", "qualifications", "starts_on", "ends_on"]
        widgets = {"qualifications": forms.CheckboxSelectMultiple(attrs={"class": "radiolist"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        step = self.instance
        if step.pk:
            # Annotated by the admin's queryset; asked of the database otherwise.
            rated = getattr(step, "rated_candidates", None)
            self.is_rated = step.ratings.exists() if rated is None else rated > 0
            members = list(step.board_members.all())
            self.initial.setdefault("assessors", [member.user_id for member in members])
            self.initial.setdefault(
                "chair", next((member.user_id for member in members if member.is_chair), None)
            )
        else:
            self.is_rated = False
        if not self.is_rated:
            self.fields["change_reason"].widget = forms.HiddenInput()
        self.plan_change = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in PRE_EMPLOYMENT_KINDS and cleaned.get("qualifications"):
            # A condition of employment, not a merit criterion: what it finds is a result.
            self.add_error(
                "qualifications",
                _(
                    "A pre-employment step assesses no qualification: its result is passed or "
                    "not passed. Tick these qualifications on a merit step instead."
                ),
            )
        chair = cleaned.get("chair")
        if "assessors" in cleaned:
            cleaned["assessors"] = list(cleaned["assessors"])
            if chair is not None and chair not in cleaned["assessors"]:
                cleaned["assessors"].append(chair)
        if self.is_rated and not self.errors:
            self.plan_change = self.describe_change()
            if self.plan_change and not (cleaned.get("change_reason") or "").strip():
                self.add_error(
                    "change_reason",
                    _(
                        "Candidates have already been rated at this step: give the reason for "
                        "this change (%(change)s). It is recorded with the change."
                    )
                    % {"change": self.plan_change},
                )
        return cleaned

    def describe_change(self) -> str:
        """What this form changes in the step, in words (empty when nothing that counts)."""
        changed = set(self.changed_data)
        changes = []
        for name in self.RECORDED_FIELDS:
            if name in changed and name in self.fields:
                changes.append(
                    _("%(field)s: %(before)s → %(after)s")
                    % {
                        "field": self.fields[name].label,
                        "before": self._shown(name, self.initial.get(name)),
                        "after": self._shown(name, self.cleaned_data.get(name)),
                    }
                )
        if "qualifications" in changed:
            before = {getattr(q, "pk", q) for q in self.initial.get("qualifications") or []}
            after = {q.pk for q in self.cleaned_data.get("qualifications", [])}
            texts = {
                q.pk: Truncator(q.text).chars(100) for q in self.fields["qualifications"].queryset
            }
            changes += self._added_removed(
                before,
                after,
                texts,
                added=_("qualifications added: %(list)s"),
                removed=_("qualifications removed: %(list)s"),
            )
        before = set(self.initial.get("assessors") or [])
        after = {user.pk for user in self.cleaned_data.get("assessors", [])}
        people = dict(self.fields["chair"].choices)
        changes += self._added_removed(
            before,
            after,
            people,
            added=_("board members added: %(list)s"),
            removed=_("board members removed: %(list)s"),
        )
        chair_before = self.initial.get("chair")
        chair_after = getattr(self.cleaned_data.get("chair"), "pk", None)
        if chair_before != chair_after:
            changes.append(
                _("%(field)s: %(before)s → %(after)s")
                % {
                    "field": self.fields["chair"].label,
                    "before": people.get(chair_before, "—") if chair_before else "—",
                    "after": people.get(chair_after, "—") if chair_after else "—",
                }
            )
        return Truncator("; ".join(str(change) for change in changes)).chars(2000)

    @staticmethod
    def _added_removed(before: set, after: set, labels: dict, *, added, removed) -> list[str]:
        def listed(keys):
            return ", ".join(f"“{labels.get(key, key)}”" for key in sorted(keys))

        changes = []
        if after - before:
            changes.append(added % {"list": listed(after - before)})
        if before - after:
            changes.append(removed % {"list": listed(before - after)})
        return changes

    @staticmethod
    def _shown(name: str, value) -> str:
        if value in (None, ""):
            return "—"
        if name == "kind":
            return str(StepKind(value).label)
        if name in ("starts_on", "ends_on"):
            return formats.date_format(value, "DATE_FORMAT")
        return f"“{value}”"

    def save(self, commit=True):
        if "qualifications" in self.cleaned_data:
            # A qualification deleted higher up the same page is gone by now: not assessed.
            chosen = [q.pk for q in self.cleaned_data["qualifications"]]
            self.cleaned_data["qualifications"] = Qualification.objects.filter(pk__in=chosen)
        step = super().save(commit=commit)
        if commit:
            self._save_board()
        else:
            save_m2m = self.save_m2m

            def save_m2m_and_board():
                save_m2m()
                self._save_board()

            self.save_m2m = save_m2m_and_board
        return step

    def _save_board(self) -> None:
        if self.instance.pk and {"assessors", "chair"} & set(self.changed_data):
            assessment_board_set(
                step=self.instance,
                assessors=self.cleaned_data.get("assessors", []),
                chair=self.cleaned_data.get("chair"),
            )


class AssessmentStepFormSet(PostingQualificationsMixin, BaseInlineFormSet):
    """A posting's assessment plan: its steps choose among the posting's qualifications and
    its staff; a step with results is never deleted."""

    @cached_property
    def staff(self) -> list[tuple[int, str]]:
        """Active staff, and whoever already sits on one of this posting's boards."""
        seated = Q(board_memberships__step__posting=self.instance) if self.instance.pk else Q()
        users = (
            get_user_model()
            .objects.filter(Q(is_staff=True, is_active=True) | seated)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        return [(user.pk, person_label(user)) for user in users]

    @cached_property
    def staff_queryset(self):
        return get_user_model().objects.filter(pk__in=[pk for pk, _label in self.staff])

    def add_fields(self, form, index):
        super().add_fields(form, index)
        qualifications = form.fields["qualifications"]
        qualifications.queryset = self.posting_qualifications
        qualifications.choices = self.qualification_choices
        qualifications.help_text = (
            _("Qualifications added above are listed here once the posting is saved.")
            if self.qualification_choices
            else _("Save first: this posting's qualifications are listed here once saved.")
        )
        for name in ("assessors", "chair"):
            field = form.fields[name]
            field.queryset = self.staff_queryset
            field.choices = self.staff if name == "assessors" else [("", "---------"), *self.staff]

    def clean(self):
        # Before the model formset's checks: they ask each form whether it is valid, which for a
        # deleted step with ratings raises the admin's own, less telling, refusal.
        kept = [
            form.instance.title
            for form in self.forms
            if self.can_delete and self._should_delete_form(form) and form.is_rated
        ]
        if kept:
            raise ValidationError(
                ngettext(
                    "%(steps)s cannot be deleted: candidates have already been rated at this "
                    "step, and their record of decision needs it. Change it instead, with the "
                    "reason.",
                    "%(steps)s cannot be deleted: candidates have already been rated at these "
                    "steps, and their record of decision needs them. Change them instead, with "
                    "the reason.",
                    len(kept),
                )
                % {"steps": ", ".join(f"“{title}”" for title in kept)}
            )
        super().clean()
