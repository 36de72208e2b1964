"""The « mis en cause » column of the import: suspects matched by name or created, their
identifiers (kinds in French or English, or recognised), rejections with their line, idempotence,
the export's round trip, and the signal import_persons_written."""

import pytest
from django.apps import apps
from django.db.models import Count

from cases.models import Suspect, Victim
from procedures.imports import import_job_create, import_job_execute, parse_suspects
from procedures.imports.signals import import_persons_written
from procedures.models import ImportStatus, Procedure
from tests.factories import CaseFactory, OffenceFactory, ParquetFactory, PlatformFactory, SuspectFactory
from tests.procedures.test_imports import HEADER, csv_bytes, row, run

pytestmark = pytest.mark.django_db

SUSPECT_HEADER = [*HEADER, "mis_en_cause"]


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def target(association, owner):
    return CaseFactory(
        association=association,
        reference="ACPE-T-MEC",
        platform=PlatformFactory(name="Coco.gg"),
        lead_lawyer=owner,
    )


@pytest.fixture(autouse=True)
def reference_data(db):
    """The parquet and the offence of tests.procedures.test_imports.row()."""
    ParquetFactory(code="TJT-DK", name="Parquet de test Dunkerque")
    OffenceFactory(label="Images d'un mineur (test)", article="927-23", natinf=990001)


def with_suspects(suspects: str, reference="24.00001", **extra) -> list:
    return [*row(reference=reference, **extra), suspects]


def data(*rows, header=SUSPECT_HEADER) -> bytes:
    return csv_bytes(list(rows), header=header)


def suspect_history() -> int:
    return apps.get_model("cases", "SuspectEvent").objects.count()


@pytest.fixture
def received():
    """The import_persons_written signals sent during the test, as dicts of their arguments."""
    calls = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal")
        calls.append(kwargs)

    import_persons_written.connect(receiver, dispatch_uid="test_import_suspects")
    yield calls
    import_persons_written.disconnect(dispatch_uid="test_import_suspects")


# --- The column --------------------------------------------------------------------------------


def test_the_column_creates_suspects_with_their_identifiers(target):
    cell = "Julien Fictif-Martin [courriel:j.fm@example.fr; +33 6 12 34 56 78; compte:julien75] | Kiwi75"

    job = run(target, data(with_suspects(cell)), apply=True)

    assert (job.status, job.created_count, job.rejected_rows, job.suspects_created_count) == ("done", 1, [], 2)
    julien = Suspect.objects.get(case=target, name="Julien Fictif-Martin")
    assert julien.identifier_list() == [
        ("email", "j.fm@example.fr"),
        ("phone", "+33 6 12 34 56 78"),
        ("account", "julien75"),
    ]
    assert Suspect.objects.get(case=target, name="Kiwi75").identifier_list() == []
    assert set(Procedure.objects.get().suspects.values_list("name", flat=True)) == {"Julien Fictif-Martin", "Kiwi75"}
    assert job.report["columns"]["suspects"] == "mis_en_cause"


def test_bare_identifiers_are_recognised_and_french_kinds_stored_in_english():
    cell = (
        "X [j@example.fr; 192.0.2.7; 2001:db8::1; 06 00 00 00 01; pseudo_x; téléphone:+33 6 00 00 00 02; "
        "id:185057800608436; Tel : 06.00.00.00.03; compte:0600000004; IP:198.51.100.4]"
    )

    [entry], error = parse_suspects(cell)

    assert error is None
    assert entry.identifiers == (
        ("email", "j@example.fr"),
        ("ip", "192.0.2.7"),
        ("ip", "2001:db8::1"),
        ("phone", "06 00 00 00 01"),
        ("account", "pseudo_x"),
        ("phone", "+33 6 00 00 00 02"),
        ("national", "185057800608436"),
        ("phone", "06.00.00.00.03"),
        ("account", "0600000004"),
        ("ip", "198.51.100.4"),
    )


@pytest.mark.parametrize("header", ["mis_en_cause", "Mis en cause", "Suspects", "suspect", "Auteur", "auteurs"])
def test_the_column_is_found_under_its_aliases(target, header):
    job = run(target, data(with_suspects("M-1"), header=[*HEADER, header]), apply=True)

    assert (job.created_count, job.suspects_created_count) == (1, 1)


def test_a_suspect_is_matched_by_name_whatever_its_case_and_spacing_and_only_gains_identifiers(target):
    known = SuspectFactory(case=target, name="Julien Fictif-Martin", identifiers="email:j.fm@example.fr\nip:192.0.2.1")
    other_case = SuspectFactory(name="Julien Fictif-Martin")

    job = run(
        target,
        data(with_suspects("  JULIEN   fictif-martin [courriel:J.FM@example.fr; compte:julien75; +33 6 00 00 00 01]")),
        apply=True,
    )

    known.refresh_from_db()
    assert (job.suspects_created_count, job.suspects_completed_count) == (0, 1)
    assert known.name == "Julien Fictif-Martin"
    # The e-mail, written another way, is the same; the IP missing from the file stays.
    assert known.identifier_list() == [
        ("email", "j.fm@example.fr"),
        ("ip", "192.0.2.1"),
        ("account", "julien75"),
        ("phone", "+33 6 00 00 00 01"),
    ]
    assert list(Procedure.objects.get().suspects.all()) == [known]
    assert other_case.procedures.count() == 0 and Suspect.objects.filter(case=target).count() == 1


def test_two_suspects_differing_only_by_case_keep_their_procedures(target):
    older = SuspectFactory(case=target, name="Julien X")
    younger = SuspectFactory(case=target, name="JULIEN X")

    job = run(target, data(with_suspects("JULIEN X"), with_suspects("julien x", reference="24.00002")), apply=True)

    assert job.suspects_created_count == 0
    first, second = Procedure.objects.order_by("parquet_reference")
    assert list(first.suspects.all()) == [younger] and list(second.suspects.all()) == [older]


def test_the_file_is_the_truth_for_the_column_and_an_absent_column_leaves_suspects_alone(target):
    run(target, data(with_suspects("A | B")), apply=True)
    procedure = Procedure.objects.get()

    narrowed = run(target, data(with_suspects("a")), apply=True)
    assert narrowed.updated_count == 1
    assert list(procedure.suspects.values_list("name", flat=True)) == ["A"]
    assert Suspect.objects.filter(case=target).count() == 2  # B is unlinked, never deleted

    untouched = run(target, csv_bytes([row(reference="24.00001")]), apply=True)
    assert untouched.unchanged_count == 1 and procedure.suspects.count() == 1

    cleared = run(target, data(with_suspects("")), apply=True)
    assert cleared.updated_count == 1 and procedure.suspects.count() == 0


def test_rejected_lines_give_their_number_and_reason_and_create_no_suspect(target):
    job = run(
        target,
        data(
            with_suspects("[courriel:a@example.fr]", reference="24.00001"),  # line 2
            with_suspects("Rejeté-1 [courriel:pas-un-courriel]", reference="24.00002"),  # 3
            with_suspects("N" * 201, reference="24.00003"),  # 4
            with_suspects("Rejeté-2 [skype:zorro75]", reference="24.00004"),  # 5
            with_suspects("Rejeté-3 [compte:a] b", reference="24.00005"),  # 6
            with_suspects("Valide | Rejeté-4 [ip:300.1.2.3]", reference="24.00006"),  # 7
            with_suspects("Valide [tel:12]", reference="24.00007"),  # 8
            with_suspects("Valide [compte:julien75]", reference="24.00008"),  # 9: valid
        ),
        apply=True,
    )

    reasons = {entry["line"]: entry["reason"] for entry in job.rejected_rows}
    assert (job.created_count, list(reasons)) == (1, [2, 3, 4, 5, 6, 7, 8])
    assert reasons[2] == "mis en cause n° 1 : nom manquant"
    assert reasons[3].startswith("mis en cause n° 1, identifiant n° 1 : adresse de courriel invalide")
    assert reasons[4] == "mis en cause n° 1 : nom trop long (200 caractères au plus)"
    assert "type d'identifiant inconnu « skype »" in reasons[5]
    assert "crochets mal placés" in reasons[6]
    assert reasons[7].startswith("mis en cause n° 2, identifiant n° 1 : adresse IP invalide")
    assert "numéro de téléphone invalide" in reasons[8]
    # The values are personal data kept with the job: never repeated in a reason.
    assert not any(value in reason for reason in reasons.values() for value in ("pas-un-courriel", "zorro75", "300.1"))
    assert list(Suspect.objects.filter(case=target).values_list("name", flat=True)) == ["Valide"]


@pytest.mark.parametrize(
    "cell",
    ["[[", "]]", "a [b] [c]", "|||", "a [;;;]", "a []", "\x01a", "a [compte:]", "a [ip:2001:db8:::1]", "é" * 5000],
)
def test_odd_cells_are_a_suspect_or_a_rejected_line_never_an_error(target, cell):
    job = run(target, data(with_suspects(cell)), apply=True)

    assert job.status == "done", job.error
    assert job.created_count + job.rejected_count == 1


def test_a_dry_run_counts_the_suspects_it_would_create_and_writes_none(target, received):
    SuspectFactory(case=target, name="Connu")

    job = run(target, data(with_suspects("Nouveau | Connu [compte:connu75]")))

    assert (job.status, job.suspects_created_count, job.suspects_completed_count) == ("done", 1, 1)
    assert Suspect.objects.filter(case=target).count() == 1 and Suspect.objects.get().identifier_list() == []
    assert received == []


# --- Idempotence and the export ----------------------------------------------------------------


def test_importing_the_same_file_twice_writes_nothing_the_second_time_suspects_included(target):
    file = data(
        with_suspects("Julien Fictif-Martin [j.fm@example.fr; +33 6 00 00 00 01] | Kiwi75", victims="V-001"),
        with_suspects("JULIEN FICTIF-MARTIN [compte:julien75]", reference="24.00002"),
    )
    run(target, file, apply=True)
    counts = (suspect_history(), Suspect.objects.count(), Procedure.suspects.through.objects.count())

    again = run(target, file, apply=True)

    assert (again.unchanged_count, again.created_count, again.updated_count) == (2, 0, 0)
    assert (again.suspects_created_count, again.suspects_completed_count, again.persons_written) == (
        0,
        0,
        {"suspect_ids": [], "victim_ids": []},
    )
    assert (suspect_history(), Suspect.objects.count(), Procedure.suspects.through.objects.count()) == counts


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_with_suspects_reimports_unchanged(client, owner, target, extension):
    SuspectFactory(
        case=target, name="Julien Fictif-Martin", identifiers="email:j.fm@example.fr\nphone:+33 6 00 00 00 01"
    )
    SuspectFactory(case=target, name="julien fictif-martin")  # the same name in small letters: kept apart
    run(
        target,
        data(
            with_suspects("Julien Fictif-Martin | =Kiwi75 [ip:2001:db8::1; compte:-kiwi-]"),
            with_suspects("julien fictif-martin | Sans identifiant", reference="24.00002"),
        ),
        apply=True,
    )
    before = {
        procedure.pk: sorted(procedure.suspects.values_list("pk", flat=True)) for procedure in Procedure.objects.all()
    }
    client.force_login(owner)
    response = client.get(f"/procedures/export.{extension}?affaire={target.pk}")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if extension == "csv":
        assert "Julien Fictif-Martin [courriel:j.fm@example.fr; téléphone:+33 6 00 00 00 01]" in content.decode(
            "utf-8-sig"
        )
    history = suspect_history()

    job = import_job_execute(
        import_job_create(user=owner, case=target, data=content, name=f"export.{extension}", dry_run=False).pk
    )

    assert (job.unchanged_count, job.created_count, job.updated_count, job.rejected_count) == (2, 0, 0, 0)
    assert (job.suspects_created_count, job.suspects_completed_count) == (0, 0)
    assert suspect_history() == history
    after = {
        procedure.pk: sorted(procedure.suspects.values_list("pk", flat=True)) for procedure in Procedure.objects.all()
    }
    assert after == before


# --- The signal --------------------------------------------------------------------------------


def test_an_applied_import_sends_the_persons_it_created_or_completed_once(
    target, received, django_capture_on_commit_callbacks
):
    completed = SuspectFactory(case=target, name="Connu", identifiers="account:connu75")
    SuspectFactory(case=target, name="Inchangé", identifiers="account:inchange")
    known_victim = Victim.objects.create(case=target, pseudonym="V-001")
    file = data(
        with_suspects(
            "Nouveau | Connu [courriel:connu@example.fr] | Inchangé [compte:inchange]", victims="V-001|V-002"
        ),
        with_suspects("Autre nouveau", reference="24.00002", victims="V-003"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = run(target, file, apply=True)

    created = set(Suspect.objects.filter(name__in=["Nouveau", "Autre nouveau"]).values_list("pk", flat=True))
    new_victims = set(Victim.objects.filter(case=target).exclude(pk=known_victim.pk).values_list("pk", flat=True))
    assert received == [
        {
            "job_id": job.pk,
            "case_id": target.pk,
            "suspect_ids": sorted({*created, completed.pk}),
            "victim_ids": sorted(new_victims),
        }
    ]


def test_a_resumed_import_sends_the_same_persons_again(
    target, received, monkeypatch, django_capture_on_commit_callbacks
):
    from procedures import imports

    file = data(*(with_suspects(f"M-{n}", reference=f"24.{n:05d}", victims=f"V-00{n}") for n in range(1, 5)))
    job = import_job_create(user=None, case=target, data=file, name="coco.csv", dry_run=False)
    write = imports.Importer.write
    calls = []

    def dies_on_the_second_chunk(self, planned, totals):
        calls.append(len(planned))
        if len(calls) == 2:
            raise ConnectionError("worker killed")
        return write(self, planned, totals)

    monkeypatch.setattr(imports.Importer, "write", dies_on_the_second_chunk)
    with django_capture_on_commit_callbacks(execute=True):
        failed = import_job_execute(job.pk, chunk_size=2)
    assert failed.status == ImportStatus.FAILED and len(received) == 1
    monkeypatch.setattr(imports.Importer, "write", write)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_job_resume(user=None, job=failed)
        done = import_job_execute(job.pk)

    assert done.status == ImportStatus.DONE
    assert (done.suspects_created_count, Suspect.objects.filter(case=target).count()) == (4, 4)
    first, second = received
    assert first == second and len(first["suspect_ids"]) == 4 and len(first["victim_ids"]) == 4


@pytest.mark.django_db(transaction=True)
def test_the_signal_comes_after_the_prelude_commits_and_before_any_chunk(media_root):
    case = CaseFactory(reference="SIGNAL", platform=PlatformFactory(name="Coco.gg"))
    ParquetFactory(code="TJT-SIG", name="Parquet de test signal")
    OffenceFactory(label="Infraction de test signal", article="999-66")
    seen = []

    def receiver(sender, suspect_ids, victim_ids, **kwargs):
        # Called once the prelude has committed: its persons are there, no procedure yet.
        seen.append(
            (
                Suspect.objects.filter(pk__in=suspect_ids).count(),
                Victim.objects.filter(pk__in=victim_ids).count(),
                Procedure.objects.filter(case=case).count(),
            )
        )

    import_persons_written.connect(receiver, dispatch_uid="test_signal_order")
    try:
        rows = [
            [*row(parquet="TJT-SIG", reference=f"24.{n:05d}", offences="999-66", victims="V-001"), f"M-{n % 3}"]
            for n in range(12)
        ]
        job = run(case, csv_bytes(rows, header=SUSPECT_HEADER), apply=True, chunk_size=4)
    finally:
        import_persons_written.disconnect(dispatch_uid="test_signal_order")

    assert (job.status, job.created_count) == ("done", 12)
    assert seen == [(3, 1, 0)]
    linked = Procedure.objects.filter(case=case).annotate(n=Count("suspects")).values_list("n", flat=True)
    assert set(linked) == {1}


# --- The dataset generator ---------------------------------------------------------------------


def test_the_generated_dataset_names_recurring_fictional_suspects_and_imports_cleanly(target, tmp_path):
    import csv
    import io

    from django.core.management import call_command

    paths = {name: tmp_path / f"{name}.csv" for name in ("with", "again", "without")}
    arguments = ["--procedures", "400", "--parquets", "7", "--victims", "40", "--seed", "7"]
    call_command("generate_dataset", *arguments, "--out", str(paths["with"]), stdout=io.StringIO())
    call_command("generate_dataset", *arguments, "--out", str(paths["again"]), stdout=io.StringIO())
    call_command(
        "generate_dataset", *arguments, "--sans-mis-en-cause", "--out", str(paths["without"]), stdout=io.StringIO()
    )
    assert paths["with"].read_bytes() == paths["again"].read_bytes()

    def read(path):
        return list(csv.DictReader(io.StringIO(path.read_text("utf-8")), delimiter=";"))

    rows, plain = read(paths["with"]), read(paths["without"])
    assert "mis_en_cause" not in plain[0]
    # The other columns are those the file had before the suspects.
    assert [{k: v for k, v in r.items() if k != "mis_en_cause"} for r in rows] == plain
    cells = [r["mis_en_cause"] for r in rows]
    assert 0.45 < sum(1 for cell in cells if cell) / len(cells) < 0.75
    assert any("|" in cell for cell in cells) and any("[" in cell for cell in cells)
    entries = [entry for cell in cells for entry in parse_suspects(cell)[0]]
    named = {entry.key for entry in entries}
    assert all("fictif-" in key or key[0].isalpha() for key in named)
    assert max(sum(1 for entry in entries if entry.key == key) for key in named) >= 10
    assert all(
        value.endswith("@example.fr")
        or value.startswith(("+33 6 00", "06 00", "192.0.2.", "198.51.100.", "203.0.113."))
        or kind == "account"
        for entry in entries
        for kind, value in entry.identifiers
    )

    job = run(target, paths["with"].read_bytes(), apply=True)
    again = run(target, paths["with"].read_bytes(), apply=True)
    assert (job.created_count, job.rejected_count) == (400, 0)
    assert job.suspects_created_count == Suspect.objects.filter(case=target).count() > 20
    assert (again.unchanged_count, again.suspects_created_count, again.suspects_completed_count) == (400, 0, 0)
