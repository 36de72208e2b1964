import io
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import services
from .forms import CodeForm, ReauthForm
from .policy import mfa_required
from .selectors import sign_in_history

REAUTH_MAX_FAILURES = 5


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def recent_auth_required(view):
    """Sensitive account actions (API tokens) need a password and second factor given in the last
    MFA_REAUTH_SECONDS, not only a session opened hours ago."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return reauth_redirect(request) or view(request, *args, **kwargs)

    return wrapper


def reauth_redirect(request):
    """The redirect to re-authentication when the last one is not recent, else None (for views
    that check their permission first, so that a member without the right gets 403, not a prompt)."""
    if services.reauth_is_recent(request.session):
        return None
    # After confirming, a form posted here is not replayed: the user comes back to the page they were on.
    back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(f"{_reverse('mfa_reauth')}?{urlencode({'next': back})}")


def _reverse(name):
    from django.urls import reverse

    return reverse(name)


def _qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True, title="QR code")
    return out.getvalue().decode()


@never_cache
@login_required
@sensitive_post_parameters("token")
def mfa_enrol_view(request):
    """Enrolment of an authenticator app. Re-enrolling (a lost phone) needs the current second factor."""
    if services.totp_has_confirmed(request.user):
        if not request.user.is_verified():
            return redirect("mfa_verify")
        if not services.reauth_is_recent(request.session):
            # Replacing the app needs the current factor: a stolen open session must not swap it.
            return redirect(f"{_reverse('mfa_reauth')}?{urlencode({'next': request.get_full_path()})}")
    device = services.totp_device_get_or_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrol_confirm(
                user=request.user, session=request.session, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            return _render_codes(request, codes, next_url=_next_url(request))
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "cases/mfa/enrol.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret, "next": _next_url(request, "")},
    )


@never_cache
@login_required
@sensitive_post_parameters("token")
def mfa_verify_view(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not services.totp_has_confirmed(request.user):
        return redirect("mfa_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify(user=request.user, session=request.session, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            left = services.recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request, _("Il vous reste %(n)d codes de secours : générez-en de nouveaux.") % {"n": left}
                )
            return redirect(_next_url(request))
    return render(request, "cases/mfa/verify.html", {"form": form, "next": _next_url(request, "")})


@never_cache
@login_required
@sensitive_post_parameters("password", "token")
def mfa_reauth_view(request):
    needs_token = mfa_required(request.user)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(
                user=request.user,
                session=request.session,
                password=form.cleaned_data["password"],
                token=form.cleaned_data["token"],
                needs_token=needs_token,
            )
        except ValidationError as exc:
            failures = request.session.get("mfa_reauth_failures", 0) + 1
            request.session["mfa_reauth_failures"] = failures
            if failures >= REAUTH_MAX_FAILURES:
                # Guessing from an open session ends it: the attacker is back at the login page (django-axes).
                logout(request)
                messages.error(request, _("Trop d'échecs : vous avez été déconnecté·e."))
                return redirect("login")
            form.add_error(None, exc)
        else:
            request.session.pop("mfa_reauth_failures", None)
            return redirect(_next_url(request))
    return render(
        request, "cases/mfa/reauth.html", {"form": form, "needs_token": needs_token, "next": _next_url(request, "")}
    )


@never_cache
@login_required
def account_security_view(request):
    """The user's second factor, recovery codes left, and sign-in history (successes and failures)."""
    username = request.user.get_username()
    history = sign_in_history(username)
    return render(
        request,
        "cases/mfa/account_security.html",
        {
            "has_totp": services.totp_has_confirmed(request.user),
            "recovery_left": services.recovery_codes_left(request.user),
            "mfa_required": mfa_required(request.user),
            "history": history,
        },
    )


@never_cache
@login_required
@require_POST
@recent_auth_required
def recovery_codes_regenerate_view(request):
    codes = services.recovery_codes_regenerate(user=request.user)
    return _render_codes(request, codes, next_url=_reverse("account_security"))


def _render_codes(request, codes, *, next_url):
    response = render(request, "cases/mfa/recovery_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_POST
@recent_auth_required
def member_mfa_reset_view(request, association_id, user_id):
    from django.contrib.auth import get_user_model
    from django.shortcuts import get_object_or_404

    from cases.models import Permission
    from cases.selectors import member_list, membership_require

    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    member = get_object_or_404(
        get_user_model(), pk__in=member_list(association=membership.association).values("user_id"), pk=user_id
    )
    try:
        services.mfa_reset(actor=request.user, association=membership.association, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Double authentification de %(name)s réinitialisée : nouvel enrôlement à la prochaine connexion.")
            % {"name": member.get_full_name() or member.get_username()},
        )
    return redirect("member_list", association_id=membership.association_id)
