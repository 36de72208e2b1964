"""The authorization matrix (DESIGN.md, « Tenancy »): every URL and every API operation, asked by
every kind of person, compared with the written table in expectations.py.

A route without a written expectation fails; an answer outside the expectation fails; any 5xx
fails; any 2xx showing data the person may not see (markers planted in the world) fails."""

import contextlib
import functools
import json
import os
import re
import time
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from cases.middleware import ACTIVE_ASSOCIATION_SESSION_KEY
from tests.security.conftest import CSV_BYTES, IDENTITY, OWN_ONLY, PDF_BYTES, SECRET
from tests.security.expectations import (
    ADMIN_PERSONAS,
    API,
    MAY_NAME_THE_CASE,
    PERSONAS,
    ROUTES,
    Persona,
    admin_routes,
    expected,
)

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>")

# --- Routes ------------------------------------------------------------------------------------


@dataclass
class RouteInfo:
    key: str
    name: str | None
    pattern: str
    kwargs: list[str] = field(default_factory=list)


def _route_key(name: str | None, namespace: str, pattern: str) -> str:
    if name:
        return namespace + name
    if pattern.startswith("admin/"):
        if "(?P<url>" in pattern:
            return "admin:catch_all"
        app, model = pattern.split("/")[1:3]
        return f"admin:{app}_{model}_redirect"
    return pattern


def enumerate_routes() -> dict[str, RouteInfo]:
    """Every URL pattern of the project, by name; the `.json`-style suffix variants of the router
    are the same views and count once."""
    routes: dict[str, RouteInfo] = {}

    def walk(patterns, prefix="", namespace="", kwargs=()):
        for pattern in patterns:
            names = list(kwargs) + list(getattr(pattern.pattern, "converters", {}) or {})
            regex_groups = list(pattern.pattern.regex.groupindex)
            names = list(dict.fromkeys(names + regex_groups))
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, names)
                continue
            text = prefix + str(pattern.pattern)
            if FORMAT_SUFFIX.search(text) or "<drf_format_suffix:format>" in text:
                continue
            key = _route_key(pattern.name, namespace, text)
            routes.setdefault(key, RouteInfo(key, namespace + pattern.name if pattern.name else None, text, names))

    walk(get_resolver().url_patterns)
    return routes


def expected_route_keys() -> set[str]:
    return set(ROUTES) | admin_routes()


def test_every_route_has_a_written_expectation():
    found = set(enumerate_routes())
    written = expected_route_keys()
    missing, extra = sorted(found - written), sorted(written - found)
    assert not missing and not extra, (
        f"Routes without a written expectation (add them to tests/security/expectations.py): {missing}; "
        f"expectations for routes that no longer exist: {extra}"
    )


@functools.cache
def api_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_api_operation_has_a_written_expectation():
    problems = []
    for path, method in api_operations():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        route = ROUTES.get(match.url_name)
        if route is None:
            problems.append(f"{method} {path}: route {match.url_name!r} not in the table")
        elif route.kind != API:
            problems.append(f"{method} {path}: route {match.url_name!r} is not written as an API route")
        elif method != "GET" and method not in route.methods:
            problems.append(f"{method} {path}: method not written for {match.url_name!r}")
    assert not problems, "API operations without a written expectation:\n" + "\n".join(problems)


# --- Requests ------------------------------------------------------------------------------------


def _objects(world) -> dict:
    o = world.objects
    return {name: getattr(value, "pk", value) for name, value in o.items()}


def url_for(info: RouteInfo, world) -> str:
    ids = _objects(world)
    by_kwarg = {
        "case_id": ids["case"],
        "victim_id": ids["victim"],
        "suspect_id": ids["suspect"],
        "exhibit_id": ids["exhibit"],
        "share_id": ids["share"],
        "procedure_id": ids["procedure"],
        "hearing_id": ids["hearing"],
        "filing_id": ids["filing"],
        "referral_id": ids["referral"],
        "decision_id": ids["decision"],
        "person_id": ids["person"],
        "match_id": ids["match"],
        "duplicate_id": ids["duplicate"],
        "deadline_id": ids["deadline"],
        "dossier_id": ids["dossier"],
        "part": 1,
        "preset_id": ids["preset"],
        "job_id": ids["job"],
        "publication_id": ids["publication"],
        "report_id": ids["report"],
        "association_id": world.associations["A"].pk,
        "user_id": world.users["owner"].pk,
        "chart": "parquet",
        "token": world.calendar_secret,
        "uidb64": "MQ",
        "token_id": ids["calendar_token"] if info.key == "calendar_token_revoke" else ids["api_token"],
        "object_id": 1,
        "id": 1,
        "content_type_id": 1,
        "app_label": "cases",
        "extension": None,
    }
    pk_by_basename = {
        "court-of-appeal": "court_of_appeal",
        "dossier-preset": "preset",
        "import": "job",
        "token": "api_token",
        "share": "share",
    }
    if info.key == "admin:catch_all":
        return "/admin/nulle-part/"
    if info.name is None:
        return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", info.pattern)
    kwargs = {}
    for name in info.kwargs:
        if name == "pk":
            basename = info.key.rsplit("-", 1)[0]
            if info.key.startswith("admin:"):
                kwargs[name] = 1
            else:
                kwargs[name] = ids[pk_by_basename.get(basename, basename)]
        elif name == "extension":
            continue
        else:
            kwargs[name] = by_kwarg[name]
    return reverse(info.name, kwargs=kwargs)


def payloads(world) -> dict:
    """Plausible bodies, so that a refusal comes from the rights and not from a missing field."""
    ids = _objects(world)
    case, procedure = ids["case"], ids["procedure"]
    return {
        "case-list": {"reference": "NOUVELLE-1", "title": "Nouvelle affaire"},
        "victim-list": {"case": case, "age_at_facts": 13},
        "suspect-list": {"case": case, "name": "Nouveau mis en cause"},
        "share-list": {"case": case, "association": world.associations["B"].pk, "access": "read"},
        "token-list": {"association": world.associations["A"].pk, "name": "nouveau"},
        "procedure-list": {
            "case": case,
            "parquet": ids["other_parquet"],
            "parquet_reference": "NOUVELLE-P",
            "opened_on": "2024-05-01",
            "stage": "enquete",
        },
        "procedure-transfer": {
            "parquet": ids["other_parquet"],
            "parquet_reference": "TRANSFERT-1",
            "transferred_on": "2025-01-10",
        },
        "referral-list": {
            "case": case,
            "kind": "plainte_simple",
            "author": "Association A",
            "recipient": "Procureur",
            "sent_on": "2024-06-01",
        },
        "filing-list": {"procedure": procedure, "mode": "art87", "legal_basis": "2-3", "status": "draft"},
        "hearing-list": {"procedure": procedure, "starts_at": "2031-01-06T10:00:00+01:00", "court": "Tribunal"},
        "decision-list": {
            "procedure": procedure,
            "kind": "judgment_correctionnel",
            "decided_on": "2025-09-01",
            "outcome": "conviction",
        },
        "event-list": {
            "case": case,
            "procedure": procedure,
            "kind": "appeal",
            "occurred_on": "2025-07-01",
            "title": "Appel",
        },
        "deadline-complete": {},
        "deadline-override": {"due_on": "2031-01-01", "reason": "Erreur de calcul"},
        "deadline-cancel": {"reason": "Sans objet"},
        "dossier-list": {"case": case, "recipient": "Me Martin", "sections": ["cover"]},
        "dossier-preset-list": {"name": "Nouveau modèle", "sections": ["cover"]},
        "association_switch": {"association": world.associations["A"].pk},
        "deadline_override": {"due_on": "2031-01-01", "override_reason": "Erreur de calcul"},
        "deadline_cancel": {"notes": "Sans objet"},
        "share_add": {"association": world.associations["B"].pk, "access": "read"},
    }


MULTIPART = {
    "exhibit-list": lambda ids: {
        "case": ids["case"],
        "title": "Nouvelle pièce",
        "file": SimpleUploadedFile("piece.pdf", PDF_BYTES, content_type="application/pdf"),
    },
    "import-list": lambda ids: {
        "case": ids["case"],
        "file": SimpleUploadedFile("procedures.csv", CSV_BYTES, content_type="text/csv"),
    },
    "exhibit_upload": lambda ids: {
        "title": "Nouvelle pièce",
        "file": SimpleUploadedFile("piece.pdf", PDF_BYTES, content_type="application/pdf"),
    },
}
QUERIES = {"event-list": lambda ids: {"case": ids["case"]}}


def second_factor_paths() -> list[str]:
    """Pages of the second factor and of the re-authentication asked before sensitive actions: a
    redirect there is a refusal to act, like a redirect to the sign-in page."""
    paths = []
    for name in ("mfa_verify", "mfa_enrol", "mfa_reauth"):
        with contextlib.suppress(NoReverseMatch):
            paths.append(reverse(name))
    return paths


def classify(response, login_paths) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        location = response.get("Location", "")
        return "login" if any(path in location for path in login_paths) else "ok"
    if status in (401, 403, 404, 405):
        return str(status)
    if status in (400, 409, 412, 413, 415, 428):
        return "invalid"
    return "5xx" if status >= 500 else f"other:{status}"


def body_of(response) -> bytes:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    # No response.close() here: the test client closed it already, with the signal that would
    # otherwise close the database connection in the middle of the test's transaction.
    return content


def leaks(key: str, persona: Persona, body: bytes) -> list[str]:
    found = []
    if not persona.view and SECRET.encode() in body and key not in MAY_NAME_THE_CASE:
        found.append(SECRET)
    if not (persona.view and persona.own) and OWN_ONLY.encode() in body:
        found.append(OWN_ONLY)
    if not persona.reveal and IDENTITY.encode() in body:
        found.append(IDENTITY)
    return found


@pytest.fixture
def no_throttle(monkeypatch):
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "1000000/hour")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1000000/hour")
    yield
    cache.clear()


def sign_in(client, world, persona: Persona) -> dict:
    client.logout()
    if persona.kind == "session":
        client.force_login(world.users[persona.user])
        if persona.active:
            session = client.session
            session[ACTIVE_ASSOCIATION_SESSION_KEY] = world.associations[persona.active].pk
            session.save()
    if persona.kind in ("token", "revoked"):
        return {"HTTP_AUTHORIZATION": f"Bearer {world.token_keys[persona.user]}"}
    return {}


def test_the_authorization_matrix(client, world, no_throttle, capsys):
    started = time.monotonic()
    routes = enumerate_routes()
    operations = api_operations()
    ids = _objects(world)
    bodies = payloads(world)
    login_paths = [resolve_url(settings.LOGIN_URL), "/admin/login/", *second_factor_paths()]
    client.raise_request_exception = True

    # The current ETag and representation of every record written with PUT/PATCH: writes are
    # then refused (or not) for the rights, not for a missing If-Match.
    etags, representations = {}, {}
    owner_headers = {"HTTP_AUTHORIZATION": f"Bearer {world.token_keys['tok_owner']}"}
    for key, route in ROUTES.items():
        if {"PUT", "PATCH"} & set(route.methods):
            response = client.get(url_for(routes[key], world), **owner_headers)
            assert response.status_code == 200, (key, response.status_code)
            etags[key], representations[key] = response["ETag"], response.json()

    failures, requests, owner_writes = [], 0, []
    for persona in PERSONAS:
        headers = sign_in(client, world, persona)
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        for key in sorted(routes):
            info = routes[key]
            is_admin = key.startswith("admin:")
            if is_admin and persona.name not in ADMIN_PERSONAS:
                continue
            route = ROUTES.get(key) or ROUTES["healthz"]
            url = url_for(info, world)
            methods = ["GET"] if is_admin else ["GET", *route.methods]
            if route.kind == API and route.get != "PUBLIC" and not (persona.view and persona.own):
                # The browsable API renders forms and filters: their <select>s must not list
                # what the person may not see.
                methods.insert(1, "GET-HTML")
            for method in methods:
                html = method == "GET-HTML"
                method = "GET" if html else method
                policy = route.get if method == "GET" else route.write
                allowed = expected(key, route.kind, policy, persona, method)
                extra = dict(headers)
                if html:
                    extra["HTTP_ACCEPT"] = "text/html"
                kwargs = {}
                if method == "GET":
                    kwargs["data"] = QUERIES[key](ids) if key in QUERIES else None
                elif key in MULTIPART:
                    kwargs["data"] = MULTIPART[key](ids)
                elif route.kind == API:
                    body = representations.get(key, {}) if method == "PUT" else bodies.get(key, {})
                    kwargs["data"] = json.dumps(body)
                    kwargs["content_type"] = "application/json"
                    if key in etags:
                        extra["HTTP_IF_MATCH"] = etags[key]
                else:
                    kwargs["data"] = bodies.get(key, {})
                with transaction.atomic():
                    try:
                        response = getattr(client, method.lower())(url, **kwargs, **extra)
                        outcome, body = classify(response, login_paths), body_of(response)
                        detail = f"{response.status_code} {response.get('Location', '')}".strip()
                    except Exception as error:  # noqa: BLE001 — any exception is a 5xx to report
                        outcome, body, detail = "5xx", b"", f"{type(error).__name__}: {error}"
                    transaction.set_rollback(True)
                requests += 1
                label = "GET html" if html else method
                if persona.user == "tok_owner" and method != "GET":
                    owner_writes.append(f"{method} {key}: {detail}")
                if outcome not in allowed:
                    failures.append(f"{persona.name:32} {label:9} {url:60} got {detail} want {sorted(allowed)}")
                elif outcome == "ok" and policy != "SECRET_LINK" and (found := leaks(key, persona, body)):
                    failures.append(f"{persona.name:32} {label:9} {url:60} LEAKS {found}")
                # Writes (a sign-out, a switch of association) must not change who asks next.
                client.cookies.clear()
                for name, value in cookies.items():
                    client.cookies[name] = value

    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nAuthorization matrix: {len(routes)} routes, {len(operations)} API operations, "
            f"{len(PERSONAS)} personas, {requests} requests in {elapsed:.1f} s"
        )
        if os.environ.get("MATRIX_VERBOSE"):
            print("\n".join(owner_writes))
    assert not failures, f"{len(failures)} unexpected answers:\n" + "\n".join(failures)
