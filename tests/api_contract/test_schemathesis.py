"""The API against its own OpenAPI schema: schemathesis generates requests from the schema (valid
and invalid ones), sends them to the Django application in-process (WSGI) with a lawyer's token,
over a real case, and checks that every answer is one the schema declares — status, content type,
body and headers — and never a 500."""

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.test import Client, override_settings
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import verified_session

from .conftest import api_world_create
from .contract import CHECKS, served_schema

pytestmark = pytest.mark.django_db

# Bounded and reproducible: the same requests on every run (derandomized), at most 25 generated
# cases per operation, valid and invalid alike, so the run stays within a few minutes on two cores.
CONFIG = {
    "generation": {"max-examples": 25, "deterministic": True, "mode": "all"},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}

# Loaded from the application at collection: the schema the API serves is the one tested.
schema = served_schema(CONFIG)

# The ids of the shared case's records, for the hook below (filled by the `world` fixture).
KNOWN_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    # Half of the ids are real records of the case: otherwise nearly every detail route answers
    # 404 and the fuzzer never reaches the serializers and services.
    if not path_parameters:
        return st.just(path_parameters)
    name = "case_id" if "case_id" in path_parameters else "id"
    resource = "cases" if name == "case_id" else context.operation.path.strip("/").split("/")[2]
    known = KNOWN_IDS.get(resource)
    if not known or name not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.sampled_from(known).map(lambda pk: {**path_parameters, name: pk}))


# Fields of a body naming the record it belongs to, and where its id is known.
PARENTS = {"case": "cases", "procedure": "procedures", "association": "associations"}


@schema.hook
def flatmap_body(context, body):
    # Half of the bodies name the real case, procedure or association, so creations reach the
    # services.
    if not isinstance(body, dict):
        return st.just(body)
    real = {name: KNOWN_IDS[route][0] for name, route in PARENTS.items() if name in body and KNOWN_IDS.get(route)}
    return st.sampled_from([body, {**body, **real}]) if real else st.just(body)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, pdf_bytes, tmp_path_factory):
    """One case for all operations, made once in a transaction around the module; each test's own
    transaction (a savepoint inside it) rolls the fuzzer's writes back, the case stays."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        world = api_world_create(pdf_bytes=pdf_bytes)
        KNOWN_IDS.update(world.ids)
        yield world
        KNOWN_IDS.clear()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def browser_session(world, django_db_blocker):
    """The owner's browser session (second factor verified, identity confirmed just now) with its
    CSRF token: token management answers nothing else. It may revoke the case's second token;
    the fuzzing's own token is refused token management (403), so it is never revoked."""
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(world.owner)
        verified_session(client, world.owner)
    csrf = get_random_string(CSRF_SECRET_LENGTH)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    return {**cookies, settings.CSRF_COOKIE_NAME: csrf}, {"X-CSRFToken": csrf}


def with_current_etag(case, headers: dict) -> None:
    """Half of the edits of a real record carry its current ETag (else always 412): they reach the
    serializers and the services. Which half is a function of the generated If-Match, so a run
    replays the same."""
    if_match = (case.headers or {}).get("If-Match")
    if if_match is None or len(str(if_match)) % 2 == 0:
        return
    read = schema[case.operation.path]["GET"].Case(path_parameters=case.path_parameters)
    etag = read.call(headers=headers).headers.get("etag")
    if etag:
        case.headers["If-Match"] = etag[0]


@schema.parametrize()
# The fixtures are the same for every generated request on purpose: one shared case.
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_is_one_the_schema_declares(case, world, unthrottled, in_process_requests):
    headers = {"Authorization": f"Bearer {world.key}"}
    with_current_etag(case, headers)
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.include(path_regex="^/api/v1/tokens/").parametrize()
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_token_management_from_a_browser_session_answers_as_declared(
    case, browser_session, unthrottled, in_process_requests
):
    cookies, headers = browser_session
    case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
