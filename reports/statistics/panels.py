"""The home panel of admins and lawyers: the association's headline figures and the way in."""

from django.template.loader import render_to_string

from cases.models import Permission

from .figures import StatisticsFilter, figures_for


def statistics_panel(request, membership) -> str:
    if not membership.has_permission(Permission.VIEW_STATISTICS):
        return ""
    totals = figures_for(StatisticsFilter(membership.association_id)).totals
    return render_to_string("reports/statistics/_panel.html", {"totals": totals}, request=request)
