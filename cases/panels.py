"""Sections that other apps add to the pages of `cases` and `procedures` (the home page, the case
page, the procedure page) without those apps importing them: config/settings.py lists dotted paths of functions
`(request, **context) -> str (HTML)`, and these helpers call them in order."""

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe


def _render(paths, request, **context) -> list[str]:
    return [mark_safe(import_string(path)(request, **context)) for path in paths]  # noqa: S308 - our own templates


def home_panels(request, membership) -> list[str]:
    return _render(settings.HOME_PANELS.get(membership.role, []), request, membership=membership)


def case_sections(request, case, access) -> list[str]:
    return _render(settings.CASE_PAGE_SECTIONS, request, case=case, access=access)


def party_sections(request, case, *, suspect=None, victim=None) -> list[str]:
    """The sections of a suspect's or a victim's own page (its form, for those who may change it)."""
    return _render(getattr(settings, "PARTY_PAGE_SECTIONS", []), request, case=case, suspect=suspect, victim=victim)


def procedure_sections(request, procedure, access) -> list[str]:
    return _render(getattr(settings, "PROCEDURE_PAGE_SECTIONS", []), request, procedure=procedure, access=access)
