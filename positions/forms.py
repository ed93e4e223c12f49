"""HR's forms for postings in the admin: a published posting keeps what publishing required."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from csc_careers.telephone import normalize_telephone


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
