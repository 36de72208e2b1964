"""Pages of the ICS feed: the user's feed tokens (create, revoke) and the feed itself, opened by
its secret token alone so that calendar applications can subscribe without a session."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from .calendar import (
    calendar_feed_user,
    calendar_token_issue,
    calendar_token_revoke,
    calendar_tokens_active,
    deadlines_ics,
)
from .reminders import site_url


def _no_store(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def calendar_page(request):
    return _no_store(render(request, "procedures/calendar.html", {"tokens": calendar_tokens_active(request.user)}))


@login_required
@require_POST
def calendar_token_create(request):
    _token, secret = calendar_token_issue(user=request.user)
    path = reverse("calendar_feed", args=[secret])
    feed_url = site_url() + path
    # Rendered, not redirected: the secret is shown in this one response and stored nowhere.
    context = {"tokens": calendar_tokens_active(request.user), "feed_url": feed_url}
    return _no_store(render(request, "procedures/calendar.html", context, status=201))


@login_required
@require_POST
def calendar_token_revoke_view(request, token_id: int):
    calendar_token_revoke(user=request.user, token_id=token_id)
    messages.success(
        request, _("Le lien d'abonnement a été révoqué : les agendas qui l'utilisent ne sont plus mis à jour.")
    )
    return redirect("calendar_page")


@require_safe
def calendar_feed(request, token: str):
    user = calendar_feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(deadlines_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mes-delais.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
