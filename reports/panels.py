"""What reports adds to the pages of `cases` (listed in settings.CASE_PAGE_SECTIONS and
HOME_PANELS, see cases/panels.py): the case page's dossiers and the staff's « Dossiers à
imprimer » panel."""

from django.template.loader import render_to_string

from .selectors import dossier_list_for_case, dossier_list_for_user

PANEL_LIMIT = 10


def case_dossiers_section(request, case, access) -> str:
    """The case's dossiers the user may see, and « Demander un dossier » for those who may print.
    A member of a read-only share sees nothing: there is nothing they may print."""
    if not access.can_print:
        return ""
    dossiers = list(dossier_list_for_case(request.user, case)[:20])
    return render_to_string(
        "reports/_case_section.html", {"case": case, "access": access, "dossiers": dossiers}, request=request
    )


def staff_dossiers_panel(request, membership) -> str:
    """The association's latest dossiers (queued, rendering, ready), for the staff who print them."""
    dossiers = list(
        dossier_list_for_user(request.user, association_id=membership.association_id)
        .filter(association_id=membership.association_id)
        .order_by("-created_at")[:PANEL_LIMIT]
    )
    return render_to_string("reports/_staff_panel.html", {"dossiers": dossiers}, request=request)
