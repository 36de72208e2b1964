from django.contrib import admin

from .models import Association, Membership


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
