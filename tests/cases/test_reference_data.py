"""Reference data: the parquets and courts of appeal of the ministry's list, the offence catalogue, Coco.gg, and the
NATINF import. The data migration loads the shipped CSV files, so every test starts from a database that has them."""

from datetime import date
from io import StringIO

import holidays
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import (
    CaseOffence,
    CourtOfAppeal,
    Offence,
    OffenceNature,
    Parquet,
    ParquetKind,
    Platform,
    PrescriptionRule,
)
from cases.reference_data import OFFENCES_CSV, load_all, load_offences, load_parquets
from tests.factories import CaseFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

OFFICIAL_HEADER = (
    "Commune;Libellé Commune;Orig. CA;N° CA;Cour d'Appel compétente;Orig. TJ;N° TJ;Tribunal judiciaire compétent;"
    "Orig. TPRX;N° TPRX;Tribunal de proximité compétent;Orig. CPH;N° CPH;Conseil de Prud'hommes compétent"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def natinf(tmp_path, rows, *, delimiter=";", encoding="utf-8-sig", name="natinf.csv"):
    header = ["Numéro NATINF", "Nature de l'infraction", "Qualification simplifiée", "Définie par", "Réprimée par"]
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return write(tmp_path / name, "\n".join(lines) + "\n", encoding)


def import_natinf(path):
    out, err = StringIO(), StringIO()
    call_command("import_natinf", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_fresh_database_has_the_164_tribunaux_judiciaires_and_the_36_courts_of_appeal():
    tribunaux = Parquet.objects.filter(kind=ParquetKind.TJ)

    assert tribunaux.count() == 164
    assert tribunaux.filter(court__startswith="Tribunal judiciaire").count() == 164
    assert CourtOfAppeal.objects.count() == 36
    assert CourtOfAppeal.objects.filter(name__in=["Cour d'appel de Nouméa", "Cour d'appel de Papeete"]).count() == 2
    dunkerque = Parquet.objects.get(name="Parquet de Dunkerque")
    assert (dunkerque.code, dunkerque.court, dunkerque.court_of_appeal.name) == (
        "144",
        "Tribunal judiciaire de Dunkerque",
        "Cour d'appel de Douai",
    )


def test_the_alsace_moselle_and_overseas_parquets_carry_their_holiday_subdivision():
    subdivision = dict(Parquet.objects.values_list("court", "holiday_subdivision"))

    assert subdivision["Tribunal judiciaire de Metz"] == "57"
    assert subdivision["Tribunal judiciaire de Strasbourg"] == "6AE"
    assert subdivision["Tribunal judiciaire de Colmar"] == "6AE"
    assert subdivision["Tribunal judiciaire de Mamoudzou"] == "976"
    assert subdivision["Tribunal judiciaire de Dunkerque"] == ""
    used = set(subdivision.values()) - {""}
    assert used <= set(holidays.France.subdivisions)
    assert Parquet.objects.get(court="Tribunal judiciaire de Metz").alsace_moselle


def test_the_national_offices_sit_in_paris_and_junalco_is_only_historical():
    national = {parquet.kind: parquet for parquet in Parquet.objects.exclude(kind=ParquetKind.TJ)}

    assert set(national) == {ParquetKind.PNAT, ParquetKind.PNF, ParquetKind.PNACO, ParquetKind.JUNALCO}
    assert {parquet.court_of_appeal.name for parquet in national.values()} == {"Cour d'appel de Paris"}
    assert national[ParquetKind.PNACO].active
    assert not national[ParquetKind.JUNALCO].active


def test_loading_the_reference_data_again_changes_nothing():
    counts = (Parquet.objects.count(), CourtOfAppeal.objects.count(), Offence.objects.count(), Platform.objects.count())

    parquets, offences, platforms = load_all()
    load_all()

    assert (parquets.created, parquets.updated, parquets.unchanged) == (0, 0, 168)
    assert (parquets.related[0].created, parquets.related[0].updated, parquets.related[0].unchanged) == (0, 0, 36)
    assert (offences.created, offences.updated, offences.unchanged, offences.deleted) == (0, 0, 56, 0)
    assert (platforms.created, platforms.updated, platforms.unchanged) == (0, 0, 1)
    assert counts == (
        Parquet.objects.count(),
        CourtOfAppeal.objects.count(),
        Offence.objects.count(),
        Platform.objects.count(),
    )


def test_an_official_list_in_windows_1252_updates_the_parquets_without_duplicates(tmp_path):
    rows = [
        "59183;DUNKERQUE;1;19;Cour d'Appel de Douai;1;144;Tribunal judiciaire de Dunkerque;;;;1;1095;CPH DUNKERQUE",
        "59540;SAINT-POL-SUR-MER;1;19;Cour d'Appel de Douai;1;144;Tribunal judiciaire de Dunkerque;;;;1;1095;CPH",
        "31483;SAINT-GAUDENS;1;8;Cour d'Appel de Toulouse;9;48313;Tribunal judiciaire de St Gaudens;;;;1;1018;CPH",
        "57463;METZ;1;18;Cour d'Appel de Metz;1;137;Tribunal judiciaire de Metz-Moselle;;;;1;1085;CPH METZ",
        "67482;STRASBOURG;1;22;Cour d'Appel de Colmar;1;999;Tribunal judiciaire de Strasbourg-Nord;;;;1;1;CPH",
        "98818;NOUMEA;1;37;Cour d'Appel de Nouméa;1;223;Tribunal de Première Instance de Nouméa;;;;1;1;CPH",
        "99999;NULLE PART;1;19;Cour d'Appel de Douai;1;12a;Tribunal judiciaire de Nulle-Part;;;;1;1;CPH",
    ]
    path = write(tmp_path / "juridictions.csv", "\n".join([OFFICIAL_HEADER, *rows]) + "\n", "cp1252")
    before = Parquet.objects.count()
    out = StringIO()

    result = load_parquets(path, stdout=out)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (1, 1, 2, 1)
    assert [(error.line, error.message) for error in result.errors] == [
        (8, "N° TJ « 12a » ou tribunal « Tribunal judiciaire de Nulle-Part » invalide")
    ]
    assert Parquet.objects.count() == before + 1
    assert Parquet.objects.get(code="48313").court == "Tribunal judiciaire de Saint-Gaudens"
    metz = Parquet.objects.get(code="137")
    assert (metz.name, metz.court, metz.holiday_subdivision) == (
        "Parquet de Metz-Moselle",
        "Tribunal judiciaire de Metz-Moselle",
        "57",
    )
    created = Parquet.objects.get(code="999")
    assert (created.kind, created.holiday_subdivision, created.court_of_appeal.code) == ("tj", "6AE", "22")
    assert "n'est pas un tribunal judiciaire" in out.getvalue()
    assert CourtOfAppeal.objects.get(code="19").name == "Cour d'appel de Douai"


def test_a_parquet_listed_under_another_number_is_renumbered_not_duplicated(tmp_path):
    row = "59183;DUNKERQUE;1;19;Cour d'Appel de Douai;1;7144;Tribunal judiciaire de Dunkerque;;;;1;1095;CPH DUNKERQUE"
    path = write(tmp_path / "juridictions.csv", f"{OFFICIAL_HEADER}\n{row}\n", "cp1252")

    result = load_parquets(path)

    assert (result.created, result.updated) == (0, 1)
    assert Parquet.objects.filter(court="Tribunal judiciaire de Dunkerque").get().code == "7144"


def test_a_bad_row_of_the_shipped_format_is_reported_with_its_line_number(tmp_path):
    path = write(
        tmp_path / "parquets.csv",
        "# commentaire\n"
        "code;name;court;court_of_appeal_code;court_of_appeal_name;kind;holiday_subdivision;active\n"
        "144;Parquet de Dunkerque;Tribunal judiciaire de Dunkerque;19;Cour d'appel de Douai;tj;;oui\n"
        "X1;Parquet de Nulle-Part;Tribunal judiciaire de Nulle-Part;19;Cour d'appel de Douai;tgi;99;peut-être\n",
    )

    result = load_parquets(path)

    assert result.unchanged == 1
    assert result.rejected == 1
    assert result.errors[0].line == 4
    assert "nature « tgi » inconnue" in result.errors[0].message
    assert "subdivision « 99 »" in result.errors[0].message
    assert not Parquet.objects.filter(code="X1").exists()


def test_the_offence_catalogue_holds_the_coco_gg_offences():
    aggravated_procuring = Offence.objects.get(article="225-7", label__startswith="Proxénétisme aggravé")
    assert (aggravated_procuring.nature, aggravated_procuring.maximum_prison_years) == (OffenceNature.DELIT, 10)
    assert Offence.objects.get(article="225-7-1").nature == OffenceNature.CRIME
    assert Offence.objects.get(article="221-3").maximum_prison_years is None
    platform = Offence.objects.get(article="323-3-2")
    assert platform.categories == ["platform"]
    for article in ("225-7-1", "225-12-1", "227-22", "227-22-1", "227-23", "222-23-1"):
        rules = set(Offence.objects.filter(article=article).values_list("prescription_rule", flat=True))
        assert rules == {PrescriptionRule.MINOR_VICTIM}, article
    assert Offence.objects.get(article="222-12").prescription_rule == PrescriptionRule.MINOR_VICTIM_20Y
    assert Offence.objects.get(article="222-37").prescription_rule == PrescriptionRule.TERRORISM_DRUGS
    for article in ("311-4", "312-1", "324-1", "324-2", "450-1", "224-1"):
        assert Offence.objects.filter(article=article).exists(), article
    assert not Offence.objects.filter(natinf__isnull=False).exists()


def test_a_bad_offence_row_is_reported_and_the_others_loaded(tmp_path):
    path = write(
        tmp_path / "offences.csv",
        "key;label;code;article;nature;maximum_penalty;maximum_prison_years;prescription_rule;categories;natinf\n"
        "essai;Infraction d'essai;Code pénal;999-1;delit;1 an;1;standard;other;\n"
        "faux;Infraction fausse;Code pénal;999-2;crimee;;dix;toujours;inconnue;\n",
    )

    result = load_offences(path)

    assert (result.created, result.rejected, result.errors[0].line) == (1, 1, 3)
    assert "nature « crimee » inconnue" in result.errors[0].message
    assert Offence.objects.get(article="999-1").categories == ["other"]


def test_coco_gg_is_recorded_as_closed_on_25_june_2024():
    coco = Platform.objects.get(name="Coco.gg")

    assert (coco.url, coco.created_year, coco.closed_on) == ("https://coco.gg", 2003, date(2024, 6, 25))
    assert (coco.registration_country, coco.operator_country) == ("Guernesey", "Bulgarie")


def test_import_natinf_reads_a_utf8_file_with_bom_and_semicolons(tmp_path):
    path = natinf(
        tmp_path,
        [
            ["90001", "DELIT", "Proxénétisme aggravé à l'égard d'un mineur", "ART.225-7 1° C.PENAL.", "ART.225-7"],
            ["90002", "CRIME", "Viol sur mineur de 15 ans", "ART.222-23-1 C.PENAL.", "ART.222-23-1"],
            ["90003", "C5", "Violences légères", "ART.R.625-1 C.PENAL.", "ART.R.625-1"],
        ],
    )

    out, _ = import_natinf(path)

    assert "3 créée(s), 0 mise(s) à jour, 0 inchangée(s), 0 rejetée(s)" in out
    offence = Offence.objects.get(natinf=90001)
    assert (offence.label, offence.nature, offence.code, offence.article) == (
        "Proxénétisme aggravé à l'égard d'un mineur",
        OffenceNature.DELIT,
        "Code pénal",
        "225-7",
    )
    assert Offence.objects.get(natinf=90003).nature == OffenceNature.CONTRAVENTION


def test_import_natinf_reads_a_windows_1252_file_with_commas(tmp_path):
    path = natinf(
        tmp_path,
        [["90010", "Délit", "Corruption de mineur", "ART.227-22 C.PENAL.", ""]],
        delimiter=",",
        encoding="cp1252",
    )

    out, _ = import_natinf(path)

    assert "1 créée(s)" in out
    assert Offence.objects.get(natinf=90010).label == "Corruption de mineur"


def test_import_natinf_twice_changes_nothing_the_second_time(tmp_path):
    path = natinf(tmp_path, [["90020", "DELIT", "Proxénétisme", "ART.225-5 C.PENAL.", ""]])
    import_natinf(path)
    Offence.objects.filter(natinf=90020).update(categories=["procuring"])

    out, _ = import_natinf(path)

    assert "0 créée(s), 0 mise(s) à jour, 1 inchangée(s), 0 rejetée(s)" in out
    assert Offence.objects.filter(natinf=90020).get().categories == ["procuring"]


def test_import_natinf_reports_bad_rows_by_line_and_imports_the_valid_ones(tmp_path):
    path = natinf(
        tmp_path,
        [
            ["90030", "DELIT", "Recours à la prostitution d'un mineur", "ART.225-12-1 C.PENAL.", ""],
            ["9OO31", "DELIT", "Numéro illisible", "ART.225-5 C.PENAL.", ""],
            ["90032", "INFRACTION", "Nature inconnue", "ART.225-5 C.PENAL.", ""],
            ["90033", "CRIME", "Meurtre", "ART.221-1 C.PENAL.", ""],
        ],
    )

    out, err = import_natinf(path)

    assert "2 créée(s), 0 mise(s) à jour, 0 inchangée(s), 2 rejetée(s)" in out
    assert "Ligne 3 : numéro NATINF « 9OO31 » non numérique." in err
    assert "Ligne 4 : nature « INFRACTION » inconnue." in err
    assert set(Offence.objects.filter(natinf__gte=90030).values_list("natinf", flat=True)) == {90030, 90033}


def test_import_natinf_refuses_an_empty_or_missing_file(tmp_path):
    with pytest.raises(CommandError, match="est vide"):
        import_natinf(write(tmp_path / "vide.csv", ""))
    with pytest.raises(CommandError, match=r"Impossible de lire le fichier .* il n'existe pas"):
        import_natinf(tmp_path / "absent.csv")


def test_import_natinf_refuses_a_file_where_no_row_could_be_read(tmp_path):
    with pytest.raises(CommandError, match="Aucune ligne NATINF n'a pu être lue"):
        import_natinf(natinf(tmp_path, [["abc", "DELIT", "Sans numéro", "", ""]]))
    with pytest.raises(CommandError, match="pas d'en-tête NATINF reconnu"):
        import_natinf(write(tmp_path / "autre.csv", "a;b;c\n1;2;3\n"))


def test_load_reference_data_prints_its_counts():
    out = StringIO()

    call_command("load_reference_data", stdout=out, stderr=StringIO())

    assert "Parquets : 0 créé(s), 0 mis à jour, 168 inchangé(s)." in out.getvalue()
    assert "Cours d'appel : 0 créé(s), 0 mis à jour, 36 inchangé(s)." in out.getvalue()


def test_load_reference_data_refuses_an_unreadable_file_and_loads_nothing(tmp_path):
    with pytest.raises(CommandError, match=r"Impossible de lire le fichier .* Rien n'a été chargé"):
        call_command("load_reference_data", parquets=str(tmp_path / "absent.csv"), stdout=StringIO())
    with pytest.raises(CommandError, match="ni les colonnes"):
        call_command("load_reference_data", offences=None, parquets=str(write(tmp_path / "x.csv", "a;b\n1;2\n")))


# The offence table checked against the consolidated texts (cases/data/offences.csv cites them) -----------------------


def offence(article, label_start=""):
    """The shipped row of this article whose label is, or else starts with, `label_start`."""
    rows = Offence.objects.filter(code="Code pénal", article=article, natinf__isnull=True)
    return rows.filter(label=label_start).first() or rows.get(label__startswith=label_start)


def test_recourse_to_prostitution_of_a_minor_aggravated_is_punished_by_100_000_euros():
    """225-12-2: seven years and €100,000, ten years and €150,000 when the minor is under fifteen."""
    aggravated = offence("225-12-2")

    assert aggravated.maximum_penalty.startswith("7 ans d'emprisonnement et 100 000 € d'amende")
    assert "10 ans et 150 000 €" in aggravated.maximum_penalty
    assert (aggravated.nature, aggravated.maximum_prison_years) == (OffenceNature.DELIT, 10)


def test_procuring_of_a_minor_under_fifteen_is_a_crime_of_twenty_years_and_3_000_000_euros():
    procuring = offence("225-7-1")

    assert procuring.maximum_penalty == "20 ans de réclusion criminelle et 3 000 000 € d'amende"
    assert (procuring.nature, procuring.maximum_prison_years) == (OffenceNature.CRIME, 20)
    assert "225-7-1" in procuring.source


def test_corruption_of_a_minor_names_the_fines_of_its_aggravated_forms():
    corruption = offence("227-22")

    assert "10 ans et 150 000 € (mineur de quinze ans)" in corruption.maximum_penalty
    assert "10 ans et 1 000 000 € (bande organisée)" in corruption.maximum_penalty


def test_violence_on_account_of_sexual_orientation_is_raised_by_article_132_77():
    """222-12 lost its 5° ter: the motive is the general aggravation of 132-77, which raises ten years to fifteen of
    réclusion criminelle."""
    violence = offence("222-12")

    assert "132-77" in violence.maximum_penalty
    assert violence.maximum_prison_years == 15


# article, start of the label, nature, maximum prison years, prescription rule, continuing
ADDED_OFFENCES = [
    ("222-23-2", "Viol incestueux", "crime", 20, "minor_victim", False),
    ("222-24", "Viol aggravé : victime mise en contact", "crime", 20, "minor_victim", False),
    ("222-29-1", "Agression sexuelle imposée à un mineur de quinze ans", "delit", 10, "minor_victim_20y", False),
    ("222-29-2", "Agression sexuelle commise par un majeur", "delit", 10, "minor_victim", False),
    ("222-29-3", "Agression sexuelle incestueuse", "delit", 10, "minor_victim", False),
    (
        "222-13",
        "Violences ayant entraîné une incapacité de travail de huit jours au plus",
        "delit",
        7,
        "standard",
        False,
    ),
    ("222-33-2-2", "Harcèlement moral", "delit", 3, "standard", True),
    ("225-4-1", "Traite des êtres humains", "delit", 7, "standard", False),
    ("225-4-1", "Traite des êtres humains à l'égard d'un mineur", "delit", 10, "minor_victim", False),
    ("225-4-2", "Traite des êtres humains aggravée (", "delit", 10, "standard", False),
    ("225-4-2", "Traite des êtres humains aggravée à l'égard d'un mineur", "crime", 15, "minor_victim", False),
    ("226-1", "Atteinte à l'intimité de la vie privée", "delit", 2, "standard", False),
    ("226-2-1", "Captation ou diffusion de paroles ou d'images à caractère sexuel", "delit", 2, "standard", False),
    ("226-8-1", "Diffusion d'un montage à caractère sexuel", "delit", 2, "standard", False),
    ("227-22-2", "Incitation d'un mineur", "delit", 10, "minor_victim", False),
    ("227-23", "Consultation habituelle ou payante", "delit", 10, "minor_victim", True),
    ("227-23-1", "Sollicitation par un majeur", "delit", 10, "minor_victim", False),
    ("227-24", "Fabrication, transport, diffusion", "delit", 3, "minor_victim", False),
    ("227-25", "Atteinte sexuelle commise par un majeur", "delit", 7, "minor_victim", False),
    ("227-26", "Atteinte sexuelle aggravée", "delit", 10, "minor_victim_20y", False),
    ("227-27", "Atteinte sexuelle sur un mineur de plus de quinze ans", "delit", 5, "minor_victim", False),
    ("321-1", "Recel", "delit", 10, "standard", True),
    ("323-1", "Accès ou maintien frauduleux", "delit", 10, "standard", False),
    ("323-2", "Entrave", "delit", 10, "standard", False),
    ("323-3", "Introduction, extraction", "delit", 10, "standard", False),
    ("323-3-1", "Détention, offre ou mise à disposition", "delit", 10, "standard", False),
    ("311-8", "Vol avec usage ou menace d'une arme", "crime", 20, "standard", False),
    ("312-2", "Extorsion aggravée", "delit", 10, "standard", False),
]


@pytest.mark.parametrize(("article", "label_start", "nature", "years", "rule", "continuing"), ADDED_OFFENCES)
def test_the_offences_of_the_2021_law_and_of_the_coco_gg_cases_are_in_the_catalogue(
    article, label_start, nature, years, rule, continuing
):
    row = offence(article, label_start)

    assert (row.nature, row.maximum_prison_years, row.prescription_rule) == (nature, years, rule)
    assert row.continuing is continuing
    assert row.maximum_penalty and row.categories


@pytest.mark.parametrize(
    ("article", "label_start", "continuing"),
    [
        ("227-23", "Consultation habituelle ou payante, acquisition ou détention", True),
        ("227-23", "Fixation, enregistrement, transmission", False),
        ("321-1", "Recel", True),
        ("450-1", "Participation à une association de malfaiteurs", True),
        ("323-3-2", "Administration d'une plateforme", True),
        ("224-1", "Arrestation, enlèvement", True),
        ("222-33-2-2", "Harcèlement moral", True),
        ("225-5", "Proxénétisme", False),
        ("225-7-1", "Proxénétisme", False),
        ("222-23", "Viol", False),
        ("324-1", "Blanchiment", False),
    ],
)
def test_continuing_and_habitual_offences_are_flagged(article, label_start, continuing):
    assert offence(article, label_start).continuing is continuing


def test_every_shipped_offence_cites_the_text_read_and_its_version():
    shipped = Offence.objects.filter(natinf__isnull=True)

    assert shipped.count() == 56
    for row in shipped:
        assert row.source.startswith(f"C. pén. art. {row.article}"), row.label
        assert row.article_version_date is not None, row.label
    assert not shipped.filter(article__in=["227-21-1", "227-27-2-1", "227-27-3"]).exists()


def test_the_csv_lists_each_article_the_brief_asked_for():
    text = OFFENCES_CSV.read_text(encoding="utf-8")
    articles = {line.split(";")[4] for line in text.splitlines() if line and not line.startswith(("#", "key;"))}

    assert {
        "222-29-1",
        "222-29-2",
        "222-23-2",
        "222-24",
        "227-22-2",
        "227-23-1",
        "227-24",
        "227-25",
        "227-26",
    } <= articles
    assert {"227-27", "225-4-1", "225-4-2", "226-1", "226-2-1", "222-33-2-2", "321-1", "323-1", "323-2"} <= articles
    assert {"323-3", "323-3-1", "323-3-2", "311-8", "312-2", "222-13"} <= articles
    assert "227-21-1" not in articles


# Rows that change or leave the table -------------------------------------------------------------------------------


def test_a_relabelled_row_is_renamed_in_place_and_keeps_the_cases_it_qualifies():
    """A database loaded with the former table has the 227-23 row under its old label, used by a case: the load renames
    it instead of creating a second row next to it."""
    images = offence("227-23", "Fixation")
    Offence.objects.filter(pk=images.pk).update(
        label="Captation, diffusion, détention ou consultation de l'image pornographique d'un mineur", source=""
    )
    case = CaseFactory()
    case.offences.add(images)

    result = load_offences()

    images.refresh_from_db()
    assert images.label.startswith("Fixation, enregistrement, transmission, offre ou diffusion")
    assert images.source.startswith("C. pén. art. 227-23")
    assert (result.created, result.updated) == (0, 1)
    assert list(case.offences.all()) == [images]
    assert Offence.objects.filter(article="227-23").count() == 2


def test_the_definitional_article_227_21_1_is_removed_unless_a_case_or_procedure_uses_it():
    unused = Offence.objects.create(label="Infractions sexuelles sur mineurs", article="227-21-1", nature="delit")
    in_a_case = Offence.objects.create(label="Atteinte sexuelle (227-21-1)", article="227-21-1", nature="delit")
    in_a_procedure = Offence.objects.create(label="Corruption (227-21-1)", article="227-21-1", nature="delit")
    from_natinf = Offence.objects.create(label="NATINF citant 227-21-1", article="227-21-1", nature="delit", natinf=91)
    CaseFactory().offences.add(in_a_case)
    ProcedureFactory().offences.add(in_a_procedure)
    out = StringIO()

    result = load_offences(stdout=out)

    assert result.deleted == 1
    assert not Offence.objects.filter(pk=unused.pk).exists()
    assert set(Offence.objects.filter(article="227-21-1").values_list("pk", flat=True)) == {
        in_a_case.pk,
        in_a_procedure.pk,
        from_natinf.pk,
    }
    assert len(result.notices) == 2
    assert "1 × cases.CaseOffence ;" in out.getvalue()  # its history events (CaseOffenceEvent) are not counted
    assert "requalifiez-les" in out.getvalue()
    assert "1 supprimé(s)" in result.summary()


def test_a_row_for_article_227_21_1_in_an_offence_file_is_rejected(tmp_path):
    path = tmp_path / "offences.csv"
    path.write_text(
        "key;label;code;article;nature\nessai;Infractions sexuelles sur mineurs;Code pénal;227-21-1;delit\n",
        encoding="utf-8",
    )

    result = load_offences(path)

    assert result.rejected == 1
    assert "n'est pas une infraction" in result.errors[0].message
    assert not Offence.objects.filter(article="227-21-1").exists()


def test_a_bad_continuing_value_is_reported(tmp_path):
    path = tmp_path / "offences.csv"
    path.write_text(
        "key;label;code;article;nature;continuing\nessai;Infraction d'essai;Code pénal;999-9;delit;parfois\n",
        encoding="utf-8",
    )

    result = load_offences(path)

    assert "« continuing » vaut « parfois »" in result.errors[0].message


def test_the_data_migration_reloads_the_table_with_its_historical_models():
    """0008 runs the loader on the historical registry: a row of the former table is corrected and an unused 227-21-1
    row is deleted, while one a case uses stays."""
    Offence.objects.filter(article="225-12-2").update(
        maximum_penalty="7 ans d'emprisonnement et 150 000 € d'amende, 10 ans si le mineur a moins de quinze ans",
        source="",
        continuing=True,
    )
    unused = Offence.objects.create(label="Paragraphe des infractions sexuelles", article="227-21-1", nature="delit")
    used = Offence.objects.create(label="Qualification erronée", article="227-21-1", nature="delit")
    CaseOffence.objects.create(case=CaseFactory(), offence=used)
    apps = MigrationExecutor(connection).loader.project_state(("cases", "0008_reload_offences")).apps

    result = load_offences(apps=apps)

    aggravated = offence("225-12-2")
    assert aggravated.maximum_penalty.startswith("7 ans d'emprisonnement et 100 000 €")
    assert aggravated.source and not aggravated.continuing
    assert (result.deleted, len(result.notices)) == (1, 1)
    assert not Offence.objects.filter(pk=unused.pk).exists()
    assert Offence.objects.filter(pk=used.pk).exists()


def test_a_retired_row_whose_qualification_was_removed_is_deleted_despite_its_history():
    """Removing a case's qualification leaves its history events, which still name the offence: they do not keep it."""
    retired = Offence.objects.create(label="Qualification erronée", article="227-21-1", nature="delit")
    case = CaseFactory()
    case.offences.add(retired)
    case.offences.remove(retired)

    result = load_offences()

    assert (result.deleted, result.notices) == (1, [])
    assert not Offence.objects.filter(pk=retired.pk).exists()
