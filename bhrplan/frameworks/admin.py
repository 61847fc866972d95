from django.contrib import admin

from bhrplan.frameworks.models import Approach, Framework, Provision, Theme


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name_es", "name_en"]


@admin.register(Provision)
class ProvisionAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "pillar", "title_es"]
    list_filter = ["framework", "kind", "pillar"]
    search_fields = ["code", "title_es", "title_en"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "kind", "label_es", "label_en"]
    list_filter = ["kind"]
    search_fields = ["label_es", "label_en"]


@admin.register(Approach)
class ApproachAdmin(admin.ModelAdmin):
    list_display = ["slug", "label_es", "label_en"]
