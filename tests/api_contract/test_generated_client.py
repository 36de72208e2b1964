"""A client generated from the schema by openapi-python-client works as generated: the generator
reports no warning, every module imports, and a case and a victim are created, read and edited
(If-Match from the ETag read) through it against a live server."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cases import services
from cases.models import Case, Victim

PACKAGE = "coco_api_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"

# No post-generation hooks (they would run ruff over the output): the code is imported as written.
# Files the API sends with their own type are read as bytes by the client.
GENERATOR_CONFIG = {
    "post_hooks": [],
    "content_type_overrides": dict.fromkeys(
        (
            "text/csv",
            "application/pdf",
            "image/png",
            "image/jpeg",
            "image/tiff",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "application/octet-stream",
    ),
}


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    """The client package generated from the schema the application serves, importable for the
    module's tests."""
    if not GENERATOR.exists():
        pytest.fail(f"{GENERATOR} est introuvable : installez requirements-dev.txt (openapi-python-client).")
    work = tmp_path_factory.mktemp("client")
    schema = work / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    config = work / "config.json"
    config.write_text(json.dumps(GENERATOR_CONFIG))
    arguments = ["--path", schema, "--output-path", work / PACKAGE, "--meta", "none", "--config", config]
    result = subprocess.run(  # noqa: S603 - the virtualenv's generator, paths of the test
        [GENERATOR, "generate", *arguments, "--fail-on-warning"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, f"openapi-python-client a échoué :\n{result.stdout}\n{result.stderr}"
    sys.path.insert(0, str(work))
    yield work / PACKAGE, json.loads(schema.read_text())
    sys.path.remove(str(work))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def module_names(package: Path) -> list[str]:
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_generated_module_imports_and_every_operation_has_one(generated_client):
    package, schema = generated_client
    names = module_names(package)
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 — every failure is listed, whatever its kind
            failures[name] = f"{type(error).__name__}: {error}"
    listing = "\n".join(f"  {name} — {error}" for name, error in failures.items())
    assert not failures, f"{len(failures)} des {len(names)} modules générés ne s'importent pas :\n{listing}"
    operations = [method for path in schema["paths"].values() for method in path]
    operation_modules = [name for name in names if name.startswith(f"{PACKAGE}.api.") and name.count(".") == 3]
    assert len(operation_modules) == len(operations), "une opération du schéma n'a pas de module"
    assert len(names) > len(operations)


@pytest.mark.django_db(transaction=True)
def test_a_case_and_a_victim_are_created_read_and_edited_through_the_generated_client(
    generated_client, live_server, owner, association
):
    from coco_api_client import AuthenticatedClient
    from coco_api_client.api.cases import cases_create, cases_partial_update, cases_retrieve
    from coco_api_client.api.victims import victims_create, victims_retrieve, victims_update
    from coco_api_client.models import CaseRequest, Error, PatchedCaseRequest, VictimRequest

    _token, key = services.api_token_create(user=owner, association=association, name="client généré")
    with AuthenticatedClient(base_url=live_server.url, token=key) as client:
        created = cases_create.sync_detailed(
            client=client, body=CaseRequest(reference="GEN-001", title="Affaire du client généré")
        )
        assert created.status_code == 201, created.content
        case_id = created.parsed.id

        read = cases_retrieve.sync_detailed(id=case_id, client=client)
        assert read.status_code == 200 and read.parsed.reference == "GEN-001"
        etag = read.headers["ETag"]
        edited = cases_partial_update.sync_detailed(
            id=case_id, client=client, body=PatchedCaseRequest(title="Titre corrigé"), if_match=etag
        )
        assert edited.status_code == 200, edited.content
        assert edited.parsed.title == "Titre corrigé" and edited.headers["ETag"] != etag

        # The version read before the edit is stale now: 412, parsed as the declared error.
        stale = cases_partial_update.sync_detailed(
            id=case_id, client=client, body=PatchedCaseRequest(title="Écrasement"), if_match=etag
        )
        assert stale.status_code == 412
        assert isinstance(stale.parsed, Error) and stale.parsed.code == "precondition_failed"

        victim = victims_create.sync_detailed(client=client, body=VictimRequest(case=case_id, age_at_facts=14))
        assert victim.status_code == 201, victim.content
        victim_id = victim.parsed.id
        victim_etag = victims_retrieve.sync_detailed(id=victim_id, client=client).headers["ETag"]
        updated = victims_update.sync_detailed(
            id=victim_id,
            client=client,
            body=VictimRequest(case=case_id, age_at_facts=15, notes="Audition prévue"),
            if_match=victim_etag,
        )
        assert updated.status_code == 200, updated.content
        assert updated.parsed.age_at_facts == 15

    assert Case.objects.get(pk=case_id).title == "Titre corrigé"
    assert Victim.objects.get(pk=victim_id).notes == "Audition prévue"
