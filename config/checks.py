"""The project's own deployment checks (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register

# Backends that keep e-mails on the machine: fine for development, silent loss in production.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register("email", deploy=True)
def email_is_sent(app_configs, **kwargs):
    if settings.EMAIL_BACKEND not in LOCAL_EMAIL_BACKENDS:
        return []
    return [
        Warning(
            "Les e-mails (rappels d'échéance, invitations) ne quittent pas la machine : "
            f"EMAIL_BACKEND vaut {settings.EMAIL_BACKEND}.",
            hint="Définissez EMAIL_URL, par exemple smtp+tls://utilisateur:mot-de-passe@smtp.example.org:587.",
            id="config.W001",
        )
    ]
