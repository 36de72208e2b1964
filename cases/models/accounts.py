import hashlib

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """Statutory purposes that CPP articles 2-1 to 2-24 tie a right to act to."""

    CHILD_PROTECTION = "child_protection", _("Défense de l'enfance en danger (art. 2-3 CPP)")
    SEXUAL_VIOLENCE = "sexual_violence", _("Lutte contre les violences sexuelles (art. 2-2 CPP)")
    DISCRIMINATION_LGBT = (
        "discrimination_lgbt",
        _("Lutte contre les discriminations fondées sur l'orientation sexuelle ou l'identité de genre (art. 2-6 CPP)"),
    )
    PROCURING = (
        "procuring",
        _("Lutte contre la traite, le proxénétisme, aide aux personnes prostituées (art. 2-22 CPP)"),
    )
    DRUGS = "drugs", _("Lutte contre la toxicomanie et le trafic de stupéfiants (art. 2-16 CPP)")
    TERRORISM = "terrorism", _("Assistance aux victimes du terrorisme (art. 2-9 CPP)")
    VICTIMS = "victims", _("Aide aux victimes")


class Association(models.Model):
    """The tenant: an association that follows cases and may act as partie civile."""

    name = models.CharField(_("nom"), max_length=200, unique=True, help_text=_("Dénomination déclarée en préfecture."))
    short_name = models.CharField(
        _("sigle"), max_length=40, unique=True, help_text=_("Sigle usuel, par exemple « ACPE ».")
    )
    purposes = ArrayField(
        models.CharField(max_length=40, choices=Purpose.choices),
        verbose_name=_("objets statutaires"),
        default=list,
        blank=True,
        help_text=_("Objets inscrits dans les statuts : ils déterminent les articles 2-x du CPP invocables."),
    )
    statutory_purpose = models.TextField(
        _("objet statutaire (texte)"), blank=True, help_text=_("L'objet tel qu'écrit dans les statuts.")
    )
    declared_on = models.DateField(
        _("déclarée le"),
        null=True,
        blank=True,
        help_text=_(
            "Date de la déclaration en préfecture : les articles 2-x exigent en général une déclaration "
            "depuis au moins cinq ans à la date des faits."
        ),
    )
    public_utility = models.BooleanField(
        _("reconnue d'utilité publique"),
        default=False,
        help_text=_("Dispense, par exemple, de l'accord de la victime sous l'article 2-22 CPP."),
    )
    ministry_approved = models.BooleanField(
        _("agréée par le ministère de la Justice"),
        default=False,
        help_text=_("L'agrément permet d'agir sans mise en mouvement préalable de l'action publique (art. 2-3 al. 2)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self):
        return self.short_name


class Role(models.TextChoices):
    LAWYER = "lawyer", _("Avocat·e")
    STAFF = "staff", _("Salarié·e")
    ADMIN = "admin", _("Administrateur·rice")


class Permission(models.TextChoices):
    """What a member may do inside an association; roles grant permissions (ROLE_PERMISSIONS)."""

    VIEW_CASES = "view_cases", _("Consulter les affaires")
    CHANGE_CASES = "change_cases", _("Créer et modifier les affaires")
    PRINT_DOSSIERS = "print_dossiers", _("Imprimer les dossiers")
    MANAGE_MEMBERS = "manage_members", _("Gérer les membres")
    VIEW_STATISTICS = "view_statistics", _("Consulter les tableaux de bord")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Lawyers log cases and filings; they print their own dossiers and see their association's figures.
    Role.LAWYER: frozenset(
        {Permission.VIEW_CASES, Permission.CHANGE_CASES, Permission.PRINT_DOSSIERS, Permission.VIEW_STATISTICS}
    ),
    # Staff read case files and print dossiers for hearings; they change nothing.
    Role.STAFF: frozenset({Permission.VIEW_CASES, Permission.PRINT_DOSSIERS}),
    # Admins run the association: members and dashboards, not the content of case files.
    Role.ADMIN: frozenset({Permission.MANAGE_MEMBERS, Permission.VIEW_STATISTICS}),
}


class Membership(models.Model):
    """A user's role in one association; a user may belong to several associations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur")
    )
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("association")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["association__short_name", "user__username"]
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="membership_unique_user_association"),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.association} · {self.get_role_display()}"

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS[self.role]

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token, scoped to one association the user belongs to. Only its SHA-256 is
    stored: the secret is shown once, at creation."""

    PREFIX = "coco"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("association"),
        help_text=_("Le jeton n'agit qu'au nom de cette association."),
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("À quoi sert ce jeton (outil, script)."))
    key_prefix = models.CharField(_("début du jeton"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
