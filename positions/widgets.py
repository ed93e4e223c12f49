"""Form widgets of the public filter forms."""

import html

from django import forms
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

# What Django's widget templates are rendered with: autoescape on, the active locale.
TEMPLATE_CONTEXT = Context()


def _variable(value) -> str:
    """Write a value as {{ value }} does in a widget template."""
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
    """A <select> written in Python: the same HTML as Django's templates, without a template
    rendered for each option (the postings filters have over a hundred)."""

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
