"""Fields with an English and a French text (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from applications.models import StageMessage


@register(StageMessage)
class StageMessageTranslation(TranslationOptions):
    fields = ("subject", "body", "status_text")
