"""Pages of statistics. Thin: who may see what in selectors.py, figures in figures.py, writes in
services.py. Every dashboard view, CSV export and PDF download is written to the access log. The
dashboard, its CSV exports and the drill-down read their figures and procedures from the read
replica when there is one (config/db_router.py)."""

import csv
import json
from decimal import Decimal
from urllib.parse import urlencode

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.models import AccessAction, Permission
from cases.services import access_log_record
from config.db_router import replica_reads
from procedures.exports import escape_formula

from . import services
from .drilldown import procedure_drilldown
from .figures import DIMENSIONS, StatisticsFilter, facts_version, figures_for
from .forms import DrillDownForm, FilterForm, PublishForm, ReportForm
from .models import ReportStatus
from .persons import clusters_version, with_persons
from .selectors import (
    admin_membership,
    last_finished_run,
    publication_get,
    publication_list,
    report_get,
    report_list,
    statistics_membership,
)

FILTER_PARAMS = ("plateforme", "du", "au", "categorie", "cour_appel", "parquet")
CHARTS = DIMENSIONS[1:]
CSV_COLUMNS = [
    ("key", "Clé"),
    ("label", "Libellé"),
    ("procedures", "Procédures"),
    ("victims", "Victimes distinctes"),
    ("minor_victims", "Victimes mineures"),
    ("suspects", "Mis en cause"),
    ("persons", "Personnes distinctes (mis en cause)"),
    ("filings", "Constitutions de partie civile"),
    ("convictions", "Condamnations"),
    ("decision_median", "Jours ouverture → décision (médiane)"),
    ("decision_p90", "Jours ouverture → décision (90e centile)"),
    ("judgment_median", "Jours constitution → jugement (médiane)"),
    ("judgment_p90", "Jours constitution → jugement (90e centile)"),
]


def _filter_query(request) -> dict:
    return {name: request.GET[name] for name in FILTER_PARAMS if request.GET.get(name)}


def drill_url(base: dict, **extra) -> str:
    query = {**base, **{key: value for key, value in extra.items() if value not in (None, "")}}
    return reverse("statistics_procedures") + ("?" + urlencode(query) if query else "")


DRILL_PARAM = {
    "parquet": "parquet",
    "court_of_appeal": "cour_appel",
    "platform": "plateforme",
    "month": "mois",
    "category": "categorie",
    "outcome": "issue",
    "stage": "stade",
}


def _link(base: dict, dimension: str, key: str) -> str | None:
    if dimension == "month" and not key:
        return None
    if dimension == "platform" and not key:
        return drill_url({k: v for k, v in base.items() if k != "plateforme"}, sans_plateforme="1")
    return drill_url(base, **{DRILL_PARAM[dimension]: key})


@login_required
@require_GET
# ECharts (vendored, static/vendor) writes style attributes into its tooltips and legends; scripts stay
# our own files and <style> elements stay refused.
@csp_update({"style-src-attr": [UNSAFE_INLINE]})
def dashboard_view(request):
    membership = statistics_membership(request.user, request.membership)
    form = FilterForm(request.GET or None)
    context = {"membership": membership, "form": form, "is_admin": membership.has_permission(Permission.MANAGE_MEMBERS)}
    if request.GET and not form.is_valid():
        return render(request, "reports/statistics/dashboard.html", context, status=400)
    flt = (
        form.statistics_filter(membership.association_id)
        if form.is_bound
        else StatisticsFilter(membership.association_id)
    )
    # Figures from the read replica when there is one; who may see them was read on the primary.
    with replica_reads():
        data = figures_for(flt)
        last_run, figures_version = last_finished_run(), facts_version()
    data = with_persons(data)
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=membership.association)
    base = _filter_query(request)
    for dimension, items in data.by.items():
        for item in items:
            item["url"] = _link(base, dimension, item["key"])
    charts = {name: data.by.get(name, []) for name in CHARTS}
    context.update(
        {
            "figures": data,
            "totals": data.totals,
            "totals_url": drill_url(base),
            "convictions_url": drill_url(base, issue="conviction"),
            "charts_json": {"charts": charts},
            "query": urlencode(base),
            "chart_names": CHARTS,
            "last_run": last_run,
            "figures_version": figures_version,
            "clusters_version": clusters_version(membership.association_id),
        }
    )
    return render(request, "reports/statistics/dashboard.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value):
    """As procedures/exports.py writes them, for a French spreadsheet: no thousands separator, a
    decimal comma (« 12,5 »), text made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return format(value, "f").rstrip("0").rstrip(".").replace(".", ",") if value % 1 else str(int(value))
    return escape_formula(str(value))


@login_required
@require_GET
def export_csv_view(request, chart):
    if chart not in CHARTS:
        raise Http404
    membership = statistics_membership(request.user, request.membership)
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    flt = (
        form.statistics_filter(membership.association_id)
        if form.is_bound
        else StatisticsFilter(membership.association_id)
    )
    with replica_reads():
        data = figures_for(flt)
    items = with_persons(data).by.get(chart, [])
    access_log_record(actor=Actor.from_request(request), action=AccessAction.EXPORT, obj=membership.association)
    # Labels come from the data (platform, parquet names): made inert for a spreadsheet (OWASP CSV Injection).
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    rows = [[label for _key, label in CSV_COLUMNS]] + [
        [_csv_cell(item.get(key)) for key, _label in CSV_COLUMNS] for item in items
    ]
    # The BOM tells Excel the file is UTF-8, as in every other export.
    lines = (("\ufeff" if index == 0 else "") + writer.writerow(row) for index, row in enumerate(rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistiques-{chart}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_required
@require_GET
def procedure_list_view(request):
    """The procedures behind a figure. Lawyers open each one; admins, who do not read case files
    (ROLE_PERMISSIONS), see the list without parquet numbers nor links."""
    membership = statistics_membership(request.user, request.membership)
    form = DrillDownForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "reports/statistics/procedure_list.html", {"form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    with replica_reads():
        page = Paginator(procedure_drilldown(membership.association_id, data), 50).get_page(request.GET.get("page"))
        # Read now, in the block: the template would read them from the primary.
        page.object_list = list(page.object_list)
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=membership.association)
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "reports/statistics/procedure_list.html",
        {
            "form": form,
            "page": page,
            "can_open": membership.has_permission(Permission.VIEW_CASES),
            "query": urlencode(query),
            "dashboard_url": reverse("statistics_dashboard") + "?" + urlencode(_filter_query(request)),
        },
    )


@login_required
@require_POST
def run_view(request):
    admin_membership(request.user, request.membership)
    full = request.POST.get("full") == "1"
    services.statistics_run_enqueue(user=request.user, full=full)
    messages.success(request, _("Calcul des statistiques demandé : les chiffres seront à jour dans quelques instants."))
    return redirect("statistics_dashboard")


@login_required
def publication_list_view(request):
    membership = statistics_membership(request.user, request.membership)
    is_admin = membership.has_permission(Permission.MANAGE_MEMBERS)
    form = PublishForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            admin_membership(request.user, request.membership)
        if form.is_valid():
            data = form.cleaned_data
            try:
                published, created = services.statistics_publish(
                    actor=Actor.from_request(request), membership=membership, title=data["title"], period=data["period"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(request, _("Chiffres inter-associations publiés."))
                else:
                    messages.info(request, _("Cette période est déjà publiée : voici sa publication, inchangée."))
                return redirect("statistics_publication", published.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reports/statistics/publication_list.html",
        {"form": form, "publications": publication_list(request.user)[:50]},
        status=status,
    )


@login_required
@require_GET
def publication_detail_view(request, publication_id):
    publication = publication_get(request.user, publication_id)
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=publication)
    table = publication.figures.get("table")
    rows = []
    if table:
        for index, label in enumerate([*table["rows"], _("Total")]):
            rows.append(
                {
                    "label": label,
                    "cells": [
                        {"value": value, "mark": mark}
                        for value, mark in zip(table["values"][index], table["marks"][index], strict=True)
                    ],
                }
            )
    return render(
        request,
        "reports/statistics/publication_detail.html",
        {"publication": publication, "table": table, "rows": rows, "headline": publication.figures["headline"]},
    )


@login_required
def report_request_view(request):
    membership = statistics_membership(request.user, request.membership)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.statistics_report_request(
            user=request.user,
            membership=membership,
            platform=data.get("plateforme"),
            month_from=data.get("du"),
            month_to=data.get("au"),
        )
        messages.success(request, _("Rapport demandé : il s'affiche ici dès qu'il est prêt."))
        return redirect("statistics_report", report.pk)
    reports = report_list(request.user).filter(association_id=membership.association_id)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/statistics/report_form.html", {"form": form, "reports": reports}, status=status)


def _report_status(report) -> dict:
    done = report.status == ReportStatus.DONE
    return {
        "id": report.pk,
        "status": report.status,
        "status_label": report.get_status_display(),
        "finished": report.is_finished,
        "error": report.error,
        "pages": report.pages,
        "download_url": reverse("statistics_report_download", args=[report.pk]) if done else None,
    }


@login_required
@require_GET
def report_detail_view(request, report_id):
    report = report_get(request.user, report_id)
    return render(
        request,
        "reports/statistics/report_detail.html",
        {"report": report, "status": _report_status(report), "status_json": json.dumps(_report_status(report))},
    )


@login_required
@require_GET
def report_status_view(request, report_id):
    response = JsonResponse(_report_status(report_get(request.user, report_id)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_download_view(request, report_id):
    report = report_get(request.user, report_id)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    access_log_record(actor=Actor.from_request(request), action=AccessAction.DOWNLOAD, obj=report)
    response = FileResponse(report.file.open("rb"), as_attachment=True, filename=report.download_name)
    response["Content-Type"] = "application/pdf"
    response["Cache-Control"] = "private, no-store"
    return response
