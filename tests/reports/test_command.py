import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import AccessLog
from reports.models import Dossier, DossierPreset

pytestmark = pytest.mark.django_db


def test_render_dossier_writes_the_pdf_through_the_same_service(rich_case, tmp_path):
    out = tmp_path / "dossier.pdf"
    stdout = StringIO()
    call_command("render_dossier", rich_case.reference, "--out", str(out), "--recipient", "Greffe", stdout=stdout)
    dossier = Dossier.objects.get()
    assert dossier.status == "done" and dossier.requested_by is None and not dossier.reveal_identities
    assert hashlib.sha256(out.read_bytes()).hexdigest() == dossier.sha256
    assert dossier.sha256 in stdout.getvalue() and f"{dossier.pages} pages" in stdout.getvalue()
    assert AccessLog.objects.filter(action="print", object_id=dossier.pk, user=None).exists()


def test_render_dossier_uses_a_preset_and_explains_its_errors(case, association, tmp_path, media_root):
    DossierPreset.objects.create(association=association, name="Court", sections=["cover"])
    out = tmp_path / "court.pdf"
    call_command("render_dossier", case.reference, "--out", str(out), "--preset", "Court", stdout=StringIO())
    assert Dossier.objects.get().sections == ["cover"] and out.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="Aucun modèle"):
        call_command("render_dossier", case.reference, "--out", str(out), "--preset", "Absent")
    with pytest.raises(CommandError, match="Aucune affaire"):
        call_command("render_dossier", "NOPE", "--out", str(out))
