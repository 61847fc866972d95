from django.contrib import admin

from bhrplan.territories.models import Network, Organization, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_sample"]
    list_filter = ["level", "is_sample"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["territories"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "stakeholder_group", "territory"]
    list_filter = ["stakeholder_group"]
    search_fields = ["name", "acronym"]
    autocomplete_fields = ["territory"]
