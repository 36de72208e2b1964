"""French 403, 404 and 500 pages, served with DEBUG off; the 500 page needs no request context."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def _forbidden(request):
    raise PermissionDenied


def _missing(request):
    raise Http404


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-erreurs/403/", _forbidden),
    path("test-erreurs/404/", _missing),
    path("test-erreurs/500/", _broken),
    *site_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/test-erreurs/403/", 403, "Accès refusé (erreur 403)"),
        ("/test-erreurs/404/", 404, "Page introuvable (erreur 404)"),
        ("/cette-page-n-existe-pas/", 404, "Page introuvable (erreur 404)"),
        ("/test-erreurs/500/", 500, "Erreur du serveur (erreur 500)"),
    ],
)
def test_error_pages_are_in_french(client, url, status, text):
    client.raise_request_exception = False

    response = client.get(url)

    assert response.status_code == status
    html = response.content.decode()
    assert text in html
    assert '<html lang="fr">' in html
    assert "<script" not in html and "style=" not in html


def test_the_500_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render({})

    assert "Erreur du serveur" in html
