"""Every template rendered with realistic data, so that a broken template fails CI (STYLE.md, from
Zulip): every page of the project that answers GET, asked by the lawyer, the staff member and the
admin of the association, on the demo database (seed_demo) plus one record of each kind (the
authorization matrix's world), with an unknown template variable printed as a sentinel; then the
e-mail and PDF templates, rendered by the code that renders them.

No page may fail, print the sentinel (a misspelt or missing variable) or show a bare « None »."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import engines
from django.test.utils import override_settings
from django.utils import timezone

from cases.middleware import ACTIVE_ASSOCIATION_SESSION_KEY
from tests.security.conftest import PDF_BYTES, build_world
from tests.security.expectations import API, ROUTES
from tests.security.test_authorization_matrix import enumerate_routes, url_for

pytestmark = pytest.mark.django_db

SENTINEL = "VARIABLE-DE-GABARIT-INCONNUE"
BARE_NONE = re.compile(r"\bNone\b")
# Pages that do not answer GET with a page of ours: Django's admin (its own templates, which
# rely on an unknown variable printing nothing) and the API (JSON; its browsable pages are DRF's).
NOT_OUR_PAGES = {"NOT_ALLOWED", "NOT_ALLOWED_ALL", "SESSION_NOT_ALLOWED"}
# A page whose interesting state needs a query string.
QUERIES = {
    "global_search": {"q": "V-0"},
    "case_list": {"q": "ACPE"},
    "deadline_list": {"tous": "1"},
}


def _sentinel_templates():
    templates = copy.deepcopy(settings.TEMPLATES)
    for engine in templates:
        if engine["BACKEND"].endswith("DjangoTemplates"):
            engine.setdefault("OPTIONS", {})["string_if_invalid"] = SENTINEL + "[%s]"
    return templates


class _VisibleText(HTMLParser):
    """The text a person reads: no script, style or template (the <template> of a picker)."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.chunks = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.chunks)


def problems_in(label: str, response) -> list[str]:
    if response.status_code >= 500:
        return [f"{label}: {response.status_code}"]
    if "html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return []
    html = response.content.decode()
    found = [f"{label}: {match}" for match in sorted(set(re.findall(re.escape(SENTINEL) + r"\[[^\]]*\]", html)))]
    text = visible_text(html)
    found += [
        f"{label}: « None » dans « …{text[max(0, m.start() - 60) : m.end() + 30]}… »" for m in BARE_NONE.finditer(text)
    ]
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo associations, people and cases (seed_demo without the 23,051-procedure case, which
    has its own browser tests), and beside them one record of each kind (tests/security). Built
    once for the module in a transaction rolled back at its end; each test in a savepoint."""
    from reports.models import Dossier

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        with override_settings(DEBUG=True):
            call_command("seed_demo", "--sans-reference", stdout=StringIO())
        world = build_world()
        # The matrix's dossier is a file marked done; a rendered one also has its pages and duration.
        Dossier.objects.filter(pk=world.objects["dossier"].pk).update(
            pages=3,
            size=len(PDF_BYTES),
            started_at=timezone.now(),
            finished_at=timezone.now(),
            duration=timedelta(seconds=2),
        )
        yield world
        transaction.set_rollback(True)


def _persons(world):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return {
        "avocate (world)": (world.users["owner"], world.associations["A"]),
        "salarié (world)": (world.users["staff"], world.associations["A"]),
        "administratrice (world)": (world.users["admin"], world.associations["A"]),
        "avocate.acpe": (users.get(username="avocate.acpe"), None),
        "salarie.acpe": (users.get(username="salarie.acpe"), None),
        "admin.acpe": (users.get(username="admin.acpe"), None),
    }


def _sign_in(client, user, association):
    client.logout()
    client.force_login(user)
    if association is not None:
        session = client.session
        session[ACTIVE_ASSOCIATION_SESSION_KEY] = association.pk
        session.save()


def test_every_page_renders_for_the_people_who_may_see_it(client, demo):
    world = demo
    routes = {
        key: info
        for key, info in enumerate_routes().items()
        if not key.startswith("admin:")
        and key in ROUTES
        and ROUTES[key].kind != API
        and ROUTES[key].get not in NOT_OUR_PAGES
    }
    shown: dict[str, list[int]] = {key: [] for key in routes}
    failures = []
    client.raise_request_exception = False
    with override_settings(TEMPLATES=_sentinel_templates()):
        # The sentinel is in force: an unknown variable shows, it does not vanish.
        assert SENTINEL in engines["django"].from_string("{{ nulle_part }}").render({})
        for label, (user, association) in _persons(world).items():
            _sign_in(client, user, association)
            # The world's objects belong to its association: the demo people see only the pages
            # without an object in the path (home, lists, dashboards), on the demo data.
            keys = [key for key in routes if association is not None or not routes[key].kwargs]
            for key in sorted(keys):
                url = url_for(routes[key], world)
                try:
                    response = client.get(url, QUERIES.get(key))
                except Exception as error:  # noqa: BLE001 - any template error is reported with its page
                    failures.append(f"{label} GET {url}: {type(error).__name__}: {error}")
                    continue
                shown[key].append(response.status_code)
                failures += problems_in(f"{label} GET {url}", response)
    pages = sum(codes.count(200) for codes in shown.values())
    assert pages >= 150, f"seulement {pages} pages affichées"
    never_shown = sorted(key for key, codes in shown.items() if not {200, 302} & set(codes))
    assert not failures, f"{len(failures)} problème(s) de gabarit :\n" + "\n".join(failures)
    assert not never_shown, "Pages jamais affichées : " + ", ".join(f"{k} {shown[k]}" for k in never_shown)


def test_the_pdf_templates_render_every_section_for_each_scope(demo):
    from reports.content import exhibit_sheet_html, exhibits_of, frame_html, front_matter_html, part_html, plan_parts
    from reports.models import PROCEDURE_SECTIONS, Dossier, DossierScope, DossierStatus, Section
    from reports.statistics.models import StatisticsReport
    from reports.statistics.services import report_html

    world = demo
    case, owner = world.objects["case"], world.users["owner"]
    procedure, hearing = world.objects["procedure"], world.objects["hearing"]
    sections = [section.value for section in Section]
    dossiers = [
        Dossier.objects.create(
            case=case,
            association=case.association,
            requested_by=owner,
            sections=sections if scope == DossierScope.CASE else PROCEDURE_SECTIONS,
            recipient="Me Martin",
            reveal_identities=reveal,
            scope=scope,
            procedure=None if scope == DossierScope.CASE else procedure,
            hearing=hearing if scope == DossierScope.HEARING else None,
            status=DossierStatus.QUEUED,
        )
        for scope in DossierScope.values
        for reveal in (False, True)
    ]
    rendered = []
    with override_settings(TEMPLATES=_sentinel_templates()):
        for dossier in dossiers:
            for spec in plan_parts(dossier, rows_per_part=50):
                rendered.append((f"{dossier.scope} part {spec}", part_html(dossier, spec)))
            rendered.append((f"{dossier.scope} front", front_matter_html(dossier, entries=[], cover=True)))
            rendered.append((f"{dossier.scope} frame", frame_html(dossier)))
            for exhibit in exhibits_of(dossier):
                rendered.append((f"{dossier.scope} exhibit", exhibit_sheet_html(dossier, exhibit)))
        report = StatisticsReport.objects.create(association=world.associations["A"], requested_by=world.users["admin"])
        rendered.append(("statistics report", report_html(report)))
    failures = []
    for label, html in rendered:
        failures += [f"{label}: {match}" for match in set(re.findall(re.escape(SENTINEL) + r"\[[^\]]*\]", html))]
        failures += [f"{label}: « None »" for _match in BARE_NONE.finditer(visible_text(html))]
    assert len(rendered) >= len(dossiers) * 3
    assert not failures, "\n".join(failures)


def test_the_deadline_reminder_email_renders(demo, settings):
    from procedures.models import Deadline, DeadlineStatus
    from procedures.reminders import send_deadline_reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = demo
    owner = world.users["owner"]
    owner.email = "avocate@example.org"
    owner.save()
    deadline = Deadline.objects.filter(owner=owner, status=DeadlineStatus.OPEN).order_by("pk").first()
    with override_settings(TEMPLATES=_sentinel_templates()):
        send_deadline_reminders(today=deadline.due_on - timedelta(days=7))
        send_deadline_reminders(today=deadline.due_on + timedelta(days=1))
    sent = [message for message in mail.outbox if owner.email in message.to]
    assert len(sent) == 2, [message.subject for message in mail.outbox]
    for message in sent:
        bodies = [message.body] + [content for content, _type in message.alternatives]
        for body in bodies:
            assert SENTINEL not in body, body
            assert not BARE_NONE.search(visible_text(body)), body
