from django.contrib import admin

from .models import CourtClosure


@admin.register(CourtClosure)
class CourtClosureAdmin(admin.ModelAdmin):
    """Closures of a court that are not statutory holidays (a customary overseas day, a decree of
    the chef de juridiction): only these extend a deadline under art. 801 CPP."""

    list_display = ("parquet", "closed_on", "reason")
    list_filter = ("parquet__court_of_appeal",)
    date_hierarchy = "closed_on"
    autocomplete_fields = ("parquet",)
