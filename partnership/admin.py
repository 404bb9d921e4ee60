from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnership.models import Body, Organisation, Partnership


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "area"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "partnership", "sector", "statutory_partner"]
    list_filter = ["partnership", "sector", "statutory_partner"]
    search_fields = ["name"]


@admin.register(Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "partnership", "kind", "parent", "closed_on"]
    list_filter = ["partnership", "kind"]
    search_fields = ["name"]
