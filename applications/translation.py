"""Fields with an English and a French text (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from applications.models import AssessmentSession, StageMessage


@register(StageMessage)
class StageMessageTranslation(TranslationOptions):
    fields = ("subject", "body", "status_text")


@register(AssessmentSession)
class AssessmentSessionTranslation(TranslationOptions):
    # What HR types that candidates read: the room, and why the session was cancelled.
    fields = ("location_details", "cancellation_reason")
