from django.contrib import admin

from .models import AccessLog, Association, CourtOfAppeal, Membership, Offence, Parquet, Platform


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "declared_on", "public_utility", "ministry_approved"]
    search_fields = ["short_name", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "association", "role"]
    list_filter = ["association", "role"]
    search_fields = ["user__username", "user__email", "association__short_name"]
    autocomplete_fields = ["user", "association"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "registration_country", "operator_country", "closed_on"]
    search_fields = ["name"]


@admin.register(CourtOfAppeal)
class CourtOfAppealAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Parquet)
class ParquetAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "court_of_appeal", "kind", "holiday_subdivision", "active"]
    list_filter = ["kind", "active", "court_of_appeal"]
    search_fields = ["name", "court", "code"]


@admin.register(Offence)
class OffenceAdmin(admin.ModelAdmin):
    list_display = ["label", "article", "nature", "maximum_penalty", "natinf", "prescription_rule"]
    list_filter = ["nature", "prescription_rule"]
    search_fields = ["label", "article", "natinf"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (the database refuses UPDATE and DELETE too)."""

    list_display = ["at", "user", "association_id", "action", "object_type", "object_id", "case_id", "request_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["user"]
    show_full_result_count = False  # no COUNT(*) over the whole log on every page
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
