from django.contrib import admin

from .models import Dossier, DossierChunk, DossierPreset


@admin.register(DossierPreset)
class DossierPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "association", "updated_at"]
    list_filter = ["association"]
    search_fields = ["name"]


class DossierChunkInline(admin.TabularInline):
    model = DossierChunk
    extra = 0
    can_delete = False
    fields = ["index", "status", "weight", "pages", "attempt", "heartbeat_at"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Technical follow-up of renderings; the content of a dossier is read on its page, logged."""

    list_display = ["pk", "case", "association", "status", "progress", "pages", "attempt", "created_at"]
    list_filter = ["status", "association"]
    search_fields = ["case__reference"]
    readonly_fields = [field.name for field in Dossier._meta.fields]
    inlines = [DossierChunkInline]

    def has_add_permission(self, request):
        return False
