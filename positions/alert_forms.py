"""The job alert sign-up form: an address, a language, a frequency, and the search it follows."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from positions.filters import PostingFilter
from positions.models import AlertFrequency, JobPosting

# What only a display name ("Name <a@b.ca>"), a list or a header injection puts in an address.
NOT_IN_AN_ADDRESS = set("<>\"',;\r\n\t\x00")


def search_filterset(query: str) -> PostingFilter:
    """Return the postings list's FilterSet for a query string, as the list reads it."""
    return PostingFilter(
        QueryDict(query), queryset=JobPosting.objects.open().for_list(), request=None
    )


class PlainEmailField(forms.EmailField):
    """An e-mail address alone: no display name, list, or line break (a header injection)."""

    def to_python(self, value):
        # As typed, before the field strips it: an address followed by a line break is refused,
        # not quietly cut short; and a display name gets this message, not "not valid".
        if isinstance(value, str) and NOT_IN_AN_ADDRESS & set(value):
            raise ValidationError(
                _("Enter the e-mail address only, such as name@example.com, without a name."),
                code="not_plain",
            )
        return super().to_python(value)


class AlertSignupForm(forms.Form):
    email = PlainEmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Only the address, such as name@example.com."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=AlertFrequency.choices,
        initial=AlertFrequency.DAILY,
        widget=forms.RadioSelect,
    )
    # The search, as the postings list's query string; normalized again when the form is sent.
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean_query(self) -> str:
        """Return the search normalized as the postings list writes it, or refuse it."""
        self.filterset = search_filterset(self.cleaned_data["query"])
        if not self.filterset.is_valid():
            raise ValidationError(
                _("Some filters of this search are not valid: search the job postings again."),
                code="invalid_search",
            )
        return self.filterset.filter_query().urlencode()
