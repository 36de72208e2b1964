"""An association's admins manage its members: invite a new person, add an existing account,
change a role, remove.
Outsiders get 404, other members 403 (membership_require)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import invitations, members
from .forms import apply_service_errors
from .mfa.views import reauth_redirect
from .models import Permission, Role
from .selectors import member_list, membership_require


class MemberAddForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Identifiant ou courriel du compte"),
        max_length=254,
        help_text=gettext_lazy("Le compte doit exister : l'administrateur du site le crée."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices, initial=Role.STAFF)


class MemberInviteForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Courriel"),
        max_length=254,
        help_text=gettext_lazy("Le lien pour choisir le mot de passe y est envoyé ; il sert une fois."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices, initial=Role.STAFF)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices)


def member_page(request, membership, add_form=None, status=200, invite_form=None):
    return render(
        request,
        "cases/member_list.html",
        {
            "association": membership.association,
            "members": member_list(association=membership.association),
            "add_form": add_form or MemberAddForm(),
            "invite_form": invite_form or MemberInviteForm(prefix="invite"),
            "roles": Role.choices,
        },
        status=status,
    )


def _member(membership, user_id):
    return get_object_or_404(
        get_user_model(), pk__in=member_list(association=membership.association).values("user_id"), pk=user_id
    )


@login_required
@require_POST
def member_add_view(request, association_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    if prompt := reauth_redirect(request):  # who manages members proves it again (password, code)
        return prompt
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = members.member_add(
                actor=request.user,
                association=membership.association,
                identifier=form.cleaned_data["identifier"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s ajouté·e à l'association.") % {"name": added.user.get_full_name() or added.user}
            )
            return redirect("member_list", association_id=membership.association_id)
    return member_page(request, membership, add_form=form, status=400)


@login_required
@require_POST
def member_role_view(request, association_id, user_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    if prompt := reauth_redirect(request):  # who manages members proves it again (password, code)
        return prompt
    member = _member(membership, user_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rôle inconnu."))
        return member_page(request, membership, status=400)
    try:
        members.member_role_change(
            actor=request.user, association=membership.association, user=member, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return member_page(request, membership, status=400)
    messages.success(request, _("Rôle modifié."))
    return redirect("member_list", association_id=membership.association_id)


@login_required
@require_POST
def member_remove_view(request, association_id, user_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    if prompt := reauth_redirect(request):  # who manages members proves it again (password, code)
        return prompt
    member = _member(membership, user_id)
    try:
        members.member_remove(actor=request.user, association=membership.association, user=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return member_page(request, membership, status=400)
    messages.success(request, _("Membre retiré de l'association."))
    return redirect("member_list", association_id=membership.association_id)


@login_required
@require_POST
def member_invite_view(request, association_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    if prompt := reauth_redirect(request):  # who manages members proves it again (password, code)
        return prompt
    form = MemberInviteForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            invited = invitations.member_invite(
                actor=request.user, association=membership.association, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s : le compte s'active quand le mot de passe est choisi.")
                % {"email": invited.user.email},
            )
            return redirect("member_list", association_id=membership.association_id)
    return member_page(request, membership, invite_form=form, status=400)


@login_required
@require_POST
def member_invite_resend_view(request, association_id, user_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    if prompt := reauth_redirect(request):  # who manages members proves it again (password, code)
        return prompt
    member = _member(membership, user_id)
    try:
        invitations.member_invite_resend(actor=request.user, association=membership.association, user=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return member_page(request, membership, status=400)
    messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": member.email})
    return redirect("member_list", association_id=membership.association_id)


class AccountActivateView(PasswordResetConfirmView):
    """The invited person's link: choose a password (the same validators as everywhere), then
    sign in; the second factor is enrolled at sign-in for the roles that need it."""

    template_name = "registration/account_activate.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Mot de passe enregistré : connectez-vous."))
        return response
