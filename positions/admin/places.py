"""HR's editing of the places CSC hires in: regions, provinces and territories, facilities."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from positions.models import Facility, Province, Region


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name_en", "name_fr"]


@admin.register(Province)
class ProvinceAdmin(TranslationAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name_en", "name_fr", "code"]


@admin.register(Facility)
class FacilityAdmin(TranslationAdmin):
    list_display = ["name", "kind", "security_level", "city", "province", "region"]
    list_filter = ["kind", "security_level", "region", "province"]
    list_select_related = ["province", "region"]
    search_fields = ["name_en", "name_fr", "city_en", "city_fr"]
    prepopulated_fields = {"slug": ["name_en"]}
