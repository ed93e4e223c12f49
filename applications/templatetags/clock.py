"""Times of day as Canada.ca writes them in the active language (csc_careers/formats/clock.py):
`{{ session.starts_at|time_text }}` (9 a.m., 9 h), `{{ invitation.book_by|datetime_text }}`."""

from django import template

from csc_careers.formats import clock

register = template.Library()


@register.filter(expects_localtime=True)
def time_text(value):
    return clock.time_text(value) if value else ""


@register.filter(expects_localtime=True)
def datetime_text(value):
    return clock.datetime_text(value) if value else ""
