"""The project package as an app: stamping each sign-in into its session, whatever signs in (the
login page, the second factor, the admin, tests' force_login), so that
config.middleware.SessionExpiryMiddleware counts the 8 hours from there; and the project's own
deployment checks (config/checks.py)."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class SessionExpiryConfig(AppConfig):
    name = "config"
    label = "config_sessions"
    verbose_name = "Expiration des sessions"

    def ready(self):
        from config import checks  # noqa: F401 - registers the checks
        from config.middleware import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="config.record_sign_in")
