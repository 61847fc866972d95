from django.contrib import admin

from bhrplan.procurement.models import Dataset, Screening


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "file_count", "created_at")
    readonly_fields = ("path", "created_by")


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    list_display = ("dataset", "status", "backend", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = (
        "store",
        "coverage",
        "summary",
        "file_errors",
        "error",
        "error_code",
        "error_params",
        "created_by",
    )
