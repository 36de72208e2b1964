"""The case page's victims, paginated and filtered, loaded on demand (cases/sections.py). Only
pseudonyms and ages: the identity stays behind « Voir l'identité », which is logged."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .history import case_history
from .sections import section_paginate, section_render
from .selectors import case_get


@login_required
@require_GET
def case_victims_view(request, case_id):
    case, access = case_get(request.user, case_id)
    minors = request.GET.get("mineures", "")
    victims = case.victims.order_by("pseudonym", "pk")
    if minors == "oui":
        victims = victims.filter(minor_at_facts=True)
    elif minors == "non":
        victims = victims.filter(minor_at_facts=False)
    else:
        minors = ""
    return section_render(
        request,
        template="cases/_case_victims_list.html",
        title=_("Victimes"),
        case=case,
        context={"access": access, "page_obj": section_paginate(request, victims), "minors": minors},
    )


# The latest changes only (each history table read from its index, merged): a list of its own,
# read on demand.
CASE_HISTORY_LIMIT = 100


@login_required
@require_GET
def case_history_view(request, case_id):
    case, access = case_get(request.user, case_id)
    # The lead association's own record: a sharing association does not see who changed what.
    if access.via_share:
        raise Http404
    return section_render(
        request,
        template="cases/_case_history_list.html",
        title=_("Historique des modifications"),
        case=case,
        context={"page_obj": section_paginate(request, case_history(case, limit=CASE_HISTORY_LIMIT))},
    )
