"""Widgets of the public filter forms, written in Python with the HTML of Django's templates.

Django renders a widget through the template engine, and a <select> through one more template
per option: the postings filters, with over a hundred options, took longer than the rest of the
page. These widgets write the same characters directly (tests/positions/test_filters.py compares
them with Django's own rendering); a subclass with templates of its own is rendered by them.
"""

import html

from django import forms
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe

# What Django's widget templates are rendered with: autoescape on, the active locale.
TEMPLATE_CONTEXT = Context()


def _variable(value) -> str:
    """Write a value as {{ value }} does in a widget template."""
    if isinstance(value, Promise):  # a translated label: its text in the active language
        value = str(value)
    if type(value) is str:  # plain text is only escaped: the common case, made quick
        return html.escape(value)
    return render_value_in_context(value, TEMPLATE_CONTEXT)


def _string(value) -> str:
    """Write a value as {{ value|stringformat:'s' }} does in a widget template."""
    if type(value) is str:
        return html.escape(value)
    formatted = stringformat(value, "s")
    return _variable(mark_safe(formatted) if isinstance(value, SafeData) else formatted)


def _attributes(attrs: dict) -> str:
    """Write attributes as django/forms/widgets/attrs.html does."""
    if not attrs:
        return ""
    return "".join(
        f" {_variable(name)}" if value is True else f' {_variable(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """A <select> with the HTML of Django's select.html and select_option.html."""

    def render(self, name, value, attrs=None, renderer=None):
        if (self.template_name, self.option_template_name) != (
            forms.Select.template_name,
            forms.Select.option_template_name,
        ):
            return super().render(name, value, attrs, renderer)  # a subclass's own templates
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_variable(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_variable(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_string(option["value"])}"'
                    f"{_attributes(option['attrs'])}>{_variable(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # the renderer strips the template's last newline


# Django's templates that are input.html alone.
INPUT_TEMPLATES = {
    "django/forms/widgets/input.html",
    "django/forms/widgets/text.html",
    "django/forms/widgets/number.html",
}


class PythonInputMixin:
    """An <input> with the HTML of Django's input.html."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.template_name not in INPUT_TEMPLATES:
            return super().render(name, value, attrs, renderer)  # a subclass's own template
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
        return mark_safe(
            f'<input type="{_variable(widget["type"])}" name="{_variable(widget["name"])}"'
            f"{shown}{_attributes(widget['attrs'])}>"
        )


class TextInput(PythonInputMixin, forms.TextInput):
    """A text (or search) box with the HTML of Django's text.html."""


class NumberInput(PythonInputMixin, forms.NumberInput):
    """A number box with the HTML of Django's number.html."""
