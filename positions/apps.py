from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = _("Occupations")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from csc_careers.page_cache import invalidate_public_pages

        # Any change to the catalogue, places or postings makes every cached public page stale.
        for model in self.get_models(include_auto_created=True):
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(invalidate_public_pages, sender=model, weak=False)

        from csc_careers.page_cache import register_key_part
        from positions.models.postings import posting_today

        # Postings open and close as the Pacific day turns: so do the cached pages listing them.
        register_key_part(posting_today)

        from positions.models.postings import POSTINGS_NAMING, rebuild_search_documents_naming

        # Renaming an occupation or a place changes the search documents of its postings.
        for model in POSTINGS_NAMING:
            post_save.connect(rebuild_search_documents_naming, sender=model, weak=False)
