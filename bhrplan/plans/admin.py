from django.contrib import admin

from bhrplan.plans.models import Plan, PlanVersion


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    fields = ("number", "status", "published_at", "published_by", "note")
    readonly_fields = ("number", "status", "published_at", "published_by", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "status", "start_date", "end_date", "is_sample"]
    list_filter = ["status", "is_sample"]
    search_fields = ["title", "title_en"]
    autocomplete_fields = ["territory"]
    inlines = [PlanVersionInline]
