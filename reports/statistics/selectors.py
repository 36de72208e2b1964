"""Who sees which figures. An association's dashboard is for its members whose role grants
« Consulter les tableaux de bord » (admins and lawyers; staff print dossiers and do not see
figures); an outsider gets 404, a member without the right 403 (cases/selectors.py rules).
Publishing a cross-association aggregate and running the job are for admins (MANAGE_MEMBERS)."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Membership, Permission
from cases.selectors import association_ids_for_user, membership_require

from .models import PublishedStatistics, RunStatus, StatisticsReport, StatisticsRun


def statistics_membership(user, active: Membership | None, *, association_id=None) -> Membership:
    """The membership the figures are read for: the given association (API), else the active one."""
    if association_id is not None:
        return membership_require(user, association_id, Permission.VIEW_STATISTICS)
    membership = active or None
    if membership is None:
        raise Http404
    if not membership.has_permission(Permission.VIEW_STATISTICS):
        raise PermissionDenied
    return membership


def admin_membership(user, active: Membership | None) -> Membership:
    membership = statistics_membership(user, active)
    if not membership.has_permission(Permission.MANAGE_MEMBERS):
        raise PermissionDenied
    return membership


def publication_list(user) -> QuerySet[PublishedStatistics]:
    """Published aggregates are masked: every member who may see figures may read them. Releases
    without a period (arbitrary ranges and platforms, masked by the old rule) are no longer
    served: the issue's solver recovered counts of 1–4 from them, alone and against new releases."""
    if not association_ids_for_user(user, permission=Permission.VIEW_STATISTICS):
        return PublishedStatistics.objects.none()
    return PublishedStatistics.objects.exclude(period="").select_related("published_by", "association")


def publication_get(user, publication_id) -> PublishedStatistics:
    try:
        return publication_list(user).get(pk=publication_id)
    except (PublishedStatistics.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_list(user) -> QuerySet[StatisticsReport]:
    ids = association_ids_for_user(user, permission=Permission.VIEW_STATISTICS)
    return StatisticsReport.objects.filter(association_id__in=ids).select_related("platform", "requested_by")


def report_get(user, report_id) -> StatisticsReport:
    try:
        return report_list(user).get(pk=report_id)
    except (StatisticsReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def last_finished_run() -> StatisticsRun | None:
    return StatisticsRun.objects.filter(status=RunStatus.DONE).first()
