"""The association's access log, for its admins only (404 for everyone else), and its CSV export."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..actors import Actor
from ..models import AccessAction
from ..services import access_log_record
from .forms import AccessLogFilterForm
from .selectors import access_log_page, access_log_rows, admin_membership, case_references, object_type_labels

CSV_HEADERS = ["date", "utilisateur", "action", "objet", "numero_objet", "affaire", "requete", "adresse_ip"]


@login_required
@never_cache
@require_GET
def access_log_list_view(request):
    membership = admin_membership(request.user, request.membership)
    form = AccessLogFilterForm(request.GET, association_id=membership.association_id)
    filters = form.filters()
    rows, next_cursor = [], ""
    if filters is not None:
        rows, next_cursor = access_log_page(
            access_log_rows(association_id=membership.association_id, filters=filters),
            after=request.GET.get("apres", ""),
        )
    references = case_references(association_id=membership.association_id, case_ids=[row.case_id for row in rows])
    labels = object_type_labels()
    entries = [
        {
            "row": row,
            "object_label": labels.get(row.object_type, row.object_type),
            "case_reference": references.get(row.case_id),
        }
        for row in rows
    ]
    query = filters.as_query() if filters is not None else {}
    return render(
        request,
        "cases/access_log/list.html",
        {
            "association": membership.association,
            "form": form,
            "entries": entries,
            "next_query": urlencode({**query, "apres": next_cursor}) if next_cursor else "",
            "first_query": urlencode(query),
            "is_first_page": not request.GET.get("apres"),
        },
    )


def _csv_rows(rows, labels: dict[str, str]):
    """Tuples, not model instances, and names looked up once per member: the export of a whole
    year is hundreds of thousands of rows."""
    actions = {value: str(label) for value, label in AccessAction.choices}
    names: dict[int, str] = {}
    users = get_user_model().objects.only("username", "first_name", "last_name")
    paris = timezone.get_current_timezone()
    columns = ("at", "user_id", "action", "object_type", "object_id", "case_id", "request_id", "ip_address")
    for at, user_id, action, object_type, object_id, case_id, request_id, ip_address in rows.values_list(
        *columns
    ).iterator(chunk_size=5000):
        if user_id is not None and user_id not in names:
            user = users.filter(pk=user_id).first()
            names[user_id] = (user.get_full_name() or user.username) if user else str(user_id)
        yield [
            at.astimezone(paris).strftime("%Y-%m-%d %H:%M:%S"),
            names.get(user_id, ""),
            actions.get(action, action),
            labels.get(object_type, object_type),
            object_id,
            case_id,
            request_id,
            ip_address or "",
        ]


@login_required
@never_cache
@require_GET
def access_log_export_view(request):
    # Formula injection (OWASP CSV Injection): the cells go through the procedures export's
    # escape_formula; imported here, lazily, because `cases` otherwise never imports `procedures`.
    from procedures.exports import CONTENT_TYPES, csv_lines

    membership = admin_membership(request.user, request.membership)
    form = AccessLogFilterForm(request.GET, association_id=membership.association_id)
    filters = form.filters()
    if filters is None:
        return render(
            request,
            "cases/access_log/list.html",
            {"association": membership.association, "form": form, "entries": [], "first_query": ""},
            status=400,
        )
    rows = access_log_rows(association_id=membership.association_id, filters=filters)
    # The export is itself a read of the log: it is written to the log before the first byte.
    access_log_record(actor=Actor.from_request(request), action=AccessAction.EXPORT, obj=membership.association)
    response = StreamingHttpResponse(
        csv_lines(CSV_HEADERS, _csv_rows(rows, object_type_labels())), content_type=CONTENT_TYPES["csv"]
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="journal-acces-{slugify(membership.association.short_name)}-{stamp}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
