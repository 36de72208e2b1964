from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    """Django admin for superusers only: association staff work through the product's pages,
    which apply tenancy; the admin does not."""

    site_header = _("Administration technique")
    site_title = _("Administration technique")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
